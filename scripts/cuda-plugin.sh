#!/usr/bin/env bash
# Builds llama.cpp v0.5.0's CUDA backend plugin (libggml-cuda.so) from the pinned source in deps/llama/src, with
# scripts/ggml-cuda.patch applied, and puts it beside the CPU libraries, where gugugo loads it at start. Needs nvcc,
# cmake, ninja and patch.
#   scripts/cuda-plugin.sh [LIB_DIR] [CUDA_ARCHS]     (defaults: build/lib, native)
# With BENCH=1 it also builds llama.cpp's own llama-bench, llama-batched-bench and llama-server, the reference runs
# that the README's performance tables compare with, and llama-quantize, which makes the 7B benchmark model's Q4_K_M.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${LLAMA_SRC:-$root/deps/llama/src}
lib=${1:-$root/build/lib}
archs=${2:-native}
out=${LLAMA_BUILD:-$src/build-cuda}
[ -f "$src/CMakeLists.txt" ] || { echo "cuda-plugin: no llama.cpp source in $src (run make build first)" >&2; exit 1; }
command -v nvcc >/dev/null || { echo "cuda-plugin: nvcc not found (install the CUDA toolkit)" >&2; exit 1; }
command -v patch >/dev/null || { echo "cuda-plugin: patch not found (apt-get install patch)" >&2; exit 1; }
# gugugo's changes to the CUDA backend (the patch's head says what they are and why), applied to the source once. A
# copy of the patch applied is kept beside the source, so that an older version of it is taken out first.
patch_file=$root/scripts/ggml-cuda.patch
applied=$src/.gugugo-ggml-cuda.patch
if [ -f "$applied" ] && ! cmp -s "$applied" "$patch_file"; then
	patch -d "$src" -p1 -R -s -f <"$applied" >/dev/null
	rm "$applied"
fi
if ! patch -d "$src" -p1 -R --dry-run -s -f <"$patch_file" >/dev/null 2>&1; then
	patch -d "$src" -p1 -N --dry-run -s -f <"$patch_file" >/dev/null 2>&1 || {
		echo "cuda-plugin: scripts/ggml-cuda.patch does not apply to $src, which was changed otherwise (remove deps/llama and run make build again)" >&2
		exit 1
	}
	patch -d "$src" -p1 -N -s <"$patch_file"
fi
cp "$patch_file" "$applied"
targets=(ggml-cuda)
server=OFF
if [ "${BENCH:-0}" = 1 ]; then
	targets+=(llama-bench llama-batched-bench llama-quantize llama-server)
	server=ON
fi
# The plugin needs its own build's libggml-base.so.0 (the npm one is named libggml-base.so): it goes beside the
# plugin, found through a RUNPATH of $ORIGIN, so the plugin keeps working once the build directory is gone.
cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$archs" \
	-DCMAKE_BUILD_RPATH_USE_ORIGIN=ON \
	-DGGML_BACKEND_DL=ON -DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=$server -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_APP=OFF >/dev/null
cmake --build "$out" -j "$(nproc)" --target "${targets[@]}"
mkdir -p "$lib"
cp "$out/bin/libggml-cuda.so" "$lib/"
cp -P "$out"/bin/libggml-base.so.0* "$lib/"
echo "cuda-plugin: $lib/libggml-cuda.so"
