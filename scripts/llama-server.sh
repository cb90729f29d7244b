#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the pinned source in deps/llama/src (scripts/deps.sh) into a cache outside the
# clone, keyed by the llama.cpp version, and prints its path. The remote-engine tests run Gugugo against it; built
# once (about 6.5 minutes on 2 cores), later runs only print the path.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=v0.5.0
cache=${GUGUGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gugugo}/llama-server-$version
bin=$cache/bin/llama-server
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
[ -d "$root/deps/llama/src" ] || bash "$root/scripts/deps.sh" build >&2
command -v cmake >/dev/null || { echo "llama-server: cmake is needed (apt-get install cmake)" >&2; exit 1; }
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
echo "llama-server: building llama.cpp $version's llama-server into $cache (once; minutes)" >&2
cmake -S "$root/deps/llama/src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF \
	-DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF \
	>"$build/configure.log" 2>&1 || { tail -20 "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target llama-server -j "$(nproc)" >"$build/build.log" 2>&1 ||
	{ tail -30 "$build/build.log" >&2; exit 1; }
mkdir -p "$cache/bin.tmp"
cp "$build/bin/llama-server" "$cache/bin.tmp/"
cp "$root/deps/llama/src/LICENSE" "$cache/bin.tmp/LICENSE.llama.cpp"
rm -rf "$cache/bin" && mv "$cache/bin.tmp" "$cache/bin"
echo "$bin"
