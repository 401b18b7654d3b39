# Sourced by ./belay and scripts/find-jdk.sh, the one place that finds a JDK: find_java prints the java binary and
# major version of the first JDK >= 21 among JAVA_HOME, java on PATH and the usual directories.

java_major() {
  # the JDK's release file says its version without starting a JVM; read with builtins alone, since ./belay runs this
  # at every start (readlink only for a java that is a symlink, like /usr/bin/java)
  local bin="$1" line
  [[ -L "$bin" ]] && bin="$(readlink -f "$bin")"
  local release="${bin%/bin/java}/release"
  if [[ -f "$release" ]]; then
    while IFS= read -r line; do
      if [[ "$line" =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
        echo "${BASH_REMATCH[1]}"
        return
      fi
    done <"$release"
  else
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
  fi
}

find_java() {
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for dir in /usr/lib/jvm/*/ /opt/java/*/ /usr/local/lib/jvm/*/; do
    [[ -x "$dir/bin/java" ]] && candidates+=("$dir/bin/java")
  done
  local best="" best_major=0 major
  for candidate in "${candidates[@]}"; do
    [[ -x "$candidate" ]] || continue
    major="$(java_major "$candidate" 2>/dev/null || echo 0)"
    if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 21 )); then
      # the first one found wins: JAVA_HOME and PATH express the user's choice
      best="$candidate"; best_major="$major"; break
    fi
  done
  [[ -n "$best" ]] || { echo "belay: needs a JDK 21 or newer; set JAVA_HOME or install one (e.g. apt-get install openjdk-21-jdk)" >&2; exit 1; }
  echo "$best $best_major"
}
