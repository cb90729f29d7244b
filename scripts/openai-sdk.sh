#!/usr/bin/env bash
# Installs the official OpenAI Node SDK, pinned, into a cache outside the clone (once) and prints the folder to put
# in NODE_PATH. scripts/cli-test.sh runs scripts/testdata/openai-client.cjs with it against gugugo serve.
set -euo pipefail
version=7.60.0
dir=${GUGUGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gugugo}/npm-openai-$version
if [ ! -f "$dir/node_modules/openai/package.json" ]; then
	command -v npm >/dev/null || { echo "openai-sdk: npm is needed" >&2; exit 1; }
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	npm install --silent --no-audit --no-fund --prefix "$dir.tmp" "openai@$version" >&2
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/node_modules"
