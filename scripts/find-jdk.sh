#!/usr/bin/env bash
# Prints the home of the first JDK >= 21 under /usr/lib/jvm (read from its release file, without starting a JVM).
set -euo pipefail
for d in /usr/lib/jvm/*/; do
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)
  if [[ ${v:-0} -ge 21 ]]; then echo "${d%/}"; exit 0; fi
done
echo "no JDK 21 or newer under /usr/lib/jvm" >&2
exit 1
