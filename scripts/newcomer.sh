#!/usr/bin/env bash
# The newcomer's path, as CI walks it before the test suite: a fresh clone of this checkout, a Maven repository
# without any of Belay's own artifacts, and the README's commands exactly as a user types them (read from the README,
# so that this follows when they change): ./belay --version, the "Run it" command (./belay serve --workspace
# ~/my-project: health, the API token, tools/list over /mcp), ./belay mcp --workspace DIR over stdio, and the example
# actions installed and called.
#
# What a newcomer has: git, a JDK 21 or newer, python3 (the example actions are Python), curl for this script's
# probes. Everything else, the first ./belay builds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

scratch="$(mktemp -d /tmp/belay-newcomer.XXXXXX)"
serve_pid=""
cleanup() {
  local status=$?
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  # Anything the checks started from the clone goes first. The launcher's background training (see ./belay) writes
  # into the clone's target/ until it ends, also once killed (its failure mark, its cleanup) and through the JVM that
  # assembles the cache; it holds the lock until then.
  local lock="$scratch/belay/belay-cli/target/aot.lock"
  for _ in 1 2 3 4 5; do
    pkill -f "$scratch/" 2>/dev/null || true
    [[ -f "$lock" ]] && flock -w 60 "$lock" true 2>/dev/null || true
    rm -rf "$scratch" 2>/dev/null && break
    sleep 1
  done
  [[ ! -e "$scratch" ]] || echo "newcomer: could not remove $scratch" >&2
  exit "$status"
}
trap cleanup EXIT
fail() { echo "newcomer: FAILED: $*" >&2; exit 1; }
step() { printf 'newcomer: %s\n' "$*" >&2; }

readme="$here/README.md"
# The first command block under "## Run it", and the stdio command named in that section's text.
serve_cmd="$(awk '/^## Run it/{inside=1; next} /^## /{inside=0} inside && /^```/{block=!block; next} inside && block {print; exit}' "$readme")"
mcp_cmd="$(awk '/^## Run it/{inside=1; next} /^## /{inside=0} inside' "$readme" | grep -o '`\./belay mcp --workspace DIR`' | head -1 | tr -d '`')"
[[ "$serve_cmd" == "./belay serve --workspace ~/my-project" ]] \
  || fail "README's first command is now '$serve_cmd': teach scripts/newcomer.sh what it should do"
[[ "$mcp_cmd" == "./belay mcp --workspace DIR" ]] \
  || fail "README no longer names './belay mcp --workspace DIR' under 'Run it': teach scripts/newcomer.sh the new one"

step "fresh clone of $(git -C "$here" rev-parse --short HEAD)"
git clone --quiet "$here" "$scratch/belay"
cd "$scratch/belay"

# Maven: an empty local repository; third-party artifacts may come from a read-only tail holding a copy of the usual
# repository without dev/belay (hard links: no disk, no download), so no earlier build of Belay can help.
m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
mkdir -p "$scratch/m2" "$scratch/m2-tail"
if [[ -d "$m2" ]]; then
  cp -al "$m2/." "$scratch/m2-tail/" 2>/dev/null || cp -a "$m2/." "$scratch/m2-tail/"
  rm -rf "$scratch/m2-tail/dev/belay"
fi
export MAVEN_ARGS="-Dmaven.repo.local=$scratch/m2 -Dmaven.repo.local.tail=$scratch/m2-tail ${MAVEN_ARGS:-}"
# A user's own directories, so nothing of the machine's Belay configuration takes part.
export HOME="$scratch/home" BELAY_CONFIG_DIR="$scratch/home/.config/belay" BELAY_DATA_DIR="$scratch/home/.local/share/belay"
mkdir -p "$HOME/my-project"
unset BELAY_APPROVE BELAY_RULES OPENAI_API_KEY

start=$SECONDS
step "./belay --version (the first run builds Belay)"
version="$(./belay --version)" || fail "./belay --version"
[[ "$version" == belay\ * ]] || fail "./belay --version printed '$version'"
[[ ! -d "$scratch/m2/dev/belay" && ! -d "$scratch/m2-tail/dev/belay" ]] || fail "the build installed Belay's artifacts"
step "built and ran in $((SECONDS - start)) s: $version"

step "$serve_cmd"
! curl -s -o /dev/null "http://127.0.0.1:8750/" || fail "something already listens on 127.0.0.1:8750, the README's port"
eval "exec ${serve_cmd/\~/\"\$HOME\"}" >"$scratch/serve.out" 2>"$scratch/serve.err" </dev/null &
serve_pid=$!
base="http://127.0.0.1:8750"
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$serve_pid" 2>/dev/null || fail "belay serve exited: $(cat "$scratch/serve.err")"
  sleep 0.5
done
[[ "$(curl -fsS "$base/healthz")" == *'"ok"'* ]] || fail "healthz: $(cat "$scratch/serve.err")"
grep -q "/mcp" "$scratch/serve.err" || fail "serve did not say where MCP is: $(cat "$scratch/serve.err")"
token="$(./belay token show)" || fail "./belay token show"
[[ -n "$token" ]] || fail "no API token"
! grep -qF "$token" "$scratch/serve.err" "$scratch/serve.out" || fail "serve printed the API token in its output"
code="$(grep -o "$base/#signin=[A-Za-z0-9_-]*" "$scratch/serve.err" | head -1 | sed 's/.*#signin=//')"
[[ -n "$code" ]] || fail "serve printed no sign-in link: $(cat "$scratch/serve.err")"
sign_in() { # what the page does with the link's code -> HTTP status
  curl -s -o /dev/null -w '%{http_code}' -X POST "$base/session" -H 'Content-Type: application/json' \
    --data "{\"code\": \"$code\"}"
}
[[ "$(sign_in)" == 200 ]] || fail "the sign-in link does not sign in"
[[ "$(sign_in)" == 401 ]] || fail "the sign-in link works twice"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/mcp")" == 401 ]] || fail "/mcp answers without the token"

mcp_http() { # METHOD-BODY [SESSION] -> response body on stdout, headers in $scratch/headers
  curl -sS -D "$scratch/headers" -X POST "$base/mcp" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2025-11-25' ${2:+-H "Mcp-Session-Id: $2"} --data "$1"
}
mcp_http '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"newcomer","version":"1"}}}' \
  | grep -q '"serverInfo"' || fail "initialize over /mcp"
session="$(grep -i '^mcp-session-id:' "$scratch/headers" | cut -d' ' -f2 | tr -d '\r')"
mcp_http '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$session" >/dev/null
tools="$(mcp_http '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' "$session")"
for t in run_command write_file read_file undo; do
  [[ "$tools" == *"\"$t\""* ]] || fail "tools/list over /mcp lacks $t: ${tools:0:300}"
done
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
step "serve answered healthz, kept its token out of its output, signed in once by its link, and listed tools over /mcp"

# A stdio MCP session, the way a client that starts its servers itself talks to Belay. Prints each response.
mcp_stdio() { # WORKSPACE REQUEST-JSON...
  local workspace="$1"; shift
  timeout 300 python3 - "$workspace" "$@" <<'PY'
import json, subprocess, sys
workspace, requests = sys.argv[1], sys.argv[2:]
proc = subprocess.Popen(["./belay", "mcp", "--workspace", workspace], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        text=True)
def send(message):
    proc.stdin.write(json.dumps(message) + "\n"); proc.stdin.flush()
def answer(id):
    for line in proc.stdout:
        message = json.loads(line)
        if message.get("id") == id:
            return message
    sys.exit("the server ended before answering request " + str(id))
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
      "capabilities": {}, "clientInfo": {"name": "newcomer", "version": "1"}}})
assert "serverInfo" in answer(0)["result"]
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
for i, request in enumerate(requests, 1):
    send(dict(json.loads(request), jsonrpc="2.0", id=i))
    print(json.dumps(answer(i)))
proc.stdin.close()
proc.wait(timeout=60)
PY
}
step "${mcp_cmd/DIR/\~/my-project} (stdio): initialize and one write_file"
written="$(mcp_stdio "$HOME/my-project" \
  '{"method":"tools/call","params":{"name":"write_file","arguments":{"path":"hello.txt","content":"hello from a newcomer\n"}}}')" \
  || fail "stdio session"
[[ "$written" != *'"isError": true'* && "$(cat "$HOME/my-project/hello.txt")" == "hello from a newcomer" ]] \
  || fail "write_file over stdio: $written"

step "the example actions: install (their setup installs what they need) and call them"
for action in speak text-card; do
  ./belay actions install "examples/actions/$action" --yes >"$scratch/install.out" 2>&1 \
    || fail "actions install $action: $(cat "$scratch/install.out")"
done
called="$(mcp_stdio "$HOME/my-project" \
  '{"method":"tools/call","params":{"name":"action__text_card","arguments":{"text":"Hello, newcomer","width":320,"height":160}}}' \
  '{"method":"tools/call","params":{"name":"action__speak","arguments":{"text":"Hello, newcomer","path":"hello.wav"}}}')" \
  || fail "calling the actions"
card="$(sed -n 1p <<<"$called")"; speech="$(sed -n 2p <<<"$called")"
[[ "$card" == *'"type": "image"'* && "$card" == *'"mimeType": "image/png"'* ]] || fail "action__text_card: ${card:0:600}"
[[ "$speech" == *'"type": "audio"'* ]] || fail "action__speak: ${speech:0:600}"
step "all of the README's first command path works from a fresh clone ($((SECONDS - start)) s)"
