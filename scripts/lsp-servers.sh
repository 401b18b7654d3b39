#!/usr/bin/env bash
# Installs the language servers of the code tools for the tests, with the real command a user runs
# (`belay lsp install python typescript bash`), into .tools/belay-data/lsp (git-ignored), where CodeToolsContract and
# CodeToolsIT look for them. Skipped when this Belay's versions are already there. Needs npm and the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$here/.tools/belay-data"
if [[ -f "$data/lsp/python/node_modules/pyright/package.json" \
   && -f "$data/lsp/typescript/node_modules/typescript-language-server/package.json" \
   && -f "$data/lsp/bash/node_modules/bash-language-server/package.json" \
   && "$data/lsp/.belay-stamp" -nt "$here/belay-core/src/main/java/dev/belay/tool/code/Language.java" ]]; then
  echo "lsp-servers: already installed in $data/lsp" >&2
  exit 0
fi
BELAY_DATA_DIR="$data" "$here/belay" lsp install python typescript bash >&2
touch "$data/lsp/.belay-stamp"
