#!/usr/bin/env bash
# Fetches the prebuilt GPU backend plugins of the pinned llama.cpp release (node-llama-cpp 3.22.1) that this machine
# can run, into LIB_DIR/gpu/ (default build/lib/gpu). gugugo tries each one in a child process before it trusts it
# (a plugin built for another toolkit can abort the whole process) and falls back to the next one, then the CPU.
#   CUDA 13 runtime (libcudart.so.13, libcublas.so.13)  -> @node-llama-cpp/linux-x64-cuda
#   CUDA 12 runtime (libcudart.so.12, libcublas.so.12)  -> @node-llama-cpp/linux-x64-cuda-ext (its CUDA 12 build)
#   a GPU and the Vulkan loader (libvulkan.so.1)        -> @node-llama-cpp/linux-x64-vulkan (NVIDIA, AMD, Intel)
# When no plugin passes its test run on an NVIDIA GPU (a driver the prebuilt builds do not serve) and the CUDA
# toolkit is here, it builds the CUDA plugin from the pinned source once (scripts/cuda-plugin.sh).
# `scripts/gpu.sh --auto` (run by make build) does nothing on a machine without a GPU and is quick when the plugins
# are there; `make gpu` runs it explicitly. GUGUGO_GPU=off skips it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
auto=0
[ "${1:-}" = --auto ] && { auto=1; shift; }
lib=${1:-$root/build/lib}
dest=$lib/gpu
say() { echo "gpu: $*" >&2; }

[ "${GUGUGO_GPU:-}" = off ] && exit 0
nvidia=0
[ -e /proc/driver/nvidia/version ] || [ -e /dev/nvidia0 ] && nvidia=1
other=0
ls /dev/dri/renderD* >/dev/null 2>&1 && other=1
if [ $nvidia = 0 ] && [ $other = 0 ]; then
	[ $auto = 1 ] || say "no GPU found (no NVIDIA driver, no /dev/dri render node): gugugo runs on the CPU"
	exit 0
fi
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }

want=()
if [ $nvidia = 1 ]; then
	if have 'libcudart.so.13 ' && have 'libcublas.so.13 '; then
		want+=(cuda)
	elif have 'libcudart.so.12 ' && have 'libcublas.so.12 '; then
		want+=(cuda-ext)
	else
		say "an NVIDIA GPU is here but no CUDA 12 or 13 runtime: install libcudart and libcublas (Debian: nvidia-cuda-toolkit, or NVIDIA's cuda-runtime packages) for the CUDA backend; trying Vulkan"
	fi
fi
if have 'libvulkan.so.1 '; then
	want+=(vulkan)
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-cache show libvulkan1 >/dev/null 2>&1; then
	say "installing the Vulkan loader (libvulkan1)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null && want+=(vulkan)
else
	say "the Vulkan backend needs the Vulkan loader: apt-get install libvulkan1"
fi

declare -A integrity=(
	[cuda]=sha512-8rQCjyNNLZJUFit+YpjwlC4hwkKgOMIkB2wuycKBf8NU2O3ySKbiWZQ8aw9ku2nUTXjSnUIrE6KB88itduTBuA==
	[cuda-ext]=sha512-4e5ajkiM2aR2WAdB/N/ACk4weEhHvOAIrzxZPsIX0xDFW5+6hhShuy1/vs88SK9NGdgAco9IyE28eYS0H1efpA==
	[vulkan]=sha512-bBxqU+JOcBu1nb5Qj2zcMci+JByT1E8EajHvYodyNfVIPkEhXh+/HMwR1/BT7xP08YK0hks+kM8fglER0P8JEg==
)
declare -A member=(
	[cuda]=package/bins/linux-x64-cuda/libggml-cuda.so
	[cuda-ext]=package/bins/linux-x64-cuda/fallback/libggml-cuda.so
	[vulkan]=package/bins/linux-x64-vulkan/libggml-vulkan.so
)
declare -A file=([cuda]=libggml-cuda.so [cuda-ext]=libggml-cuda.so [vulkan]=libggml-vulkan.so)

mkdir -p "$dest"
for p in "${want[@]}"; do
	stamp=$dest/.${p}-3.22.1
	[ -f "$stamp" ] && continue
	command -v npm >/dev/null || { say "npm is needed to fetch the $p plugin"; exit 1; }
	tmp=$(mktemp -d)
	say "fetching the $p plugin (@node-llama-cpp/linux-x64-$p@3.22.1)"
	tgz=$(cd "$tmp" && npm pack --silent "@node-llama-cpp/linux-x64-$p@3.22.1" | tail -n 1)
	got=sha512-$(openssl dgst -sha512 -binary "$tmp/$tgz" | base64 -w0)
	[ "$got" = "${integrity[$p]}" ] || { say "checksum mismatch for the $p plugin"; rm -rf "$tmp"; exit 1; }
	tar -xzf "$tmp/$tgz" -C "$tmp" "${member[$p]}"
	# CUDA builds go in one file name; the later probe tells which works.
	cp "$tmp/${member[$p]}" "$dest/$p-${file[$p]}"
	rm -rf "$tmp"
	touch "$stamp"
done

# A prebuilt plugin can fail on a driver it was not built for (the npm CUDA 13 build does on driver 580.159, whose
# machines' Vulkan loader found no driver either). gugugo would then fall back to the CPU, so ask gugugo which devices
# it finds (it tries the plugins in a child process and keeps the verdicts it then uses at start), and build the
# CUDA plugin from source if it finds no GPU and the toolkit is here. make build keeps the verdict per driver and set
# of plugins, so that it asks (and tries a failed build) only once.
if [ $nvidia = 1 ] && [ -x "$root/build/gugugo" ] && [ ! -f "$dest/libggml-cuda.so" ]; then
	driver=$(head -n 1 /proc/driver/nvidia/version 2>/dev/null || true)
	checked="$driver|$(cd "$dest" && ls -- *.so 2>/dev/null | tr '\n' ' ' || true)"
	if [ $auto = 0 ] || [ "$(cat "$dest/.checked" 2>/dev/null)" != "$checked" ]; then
		devices=$("$root/build/gugugo" devices 2>/dev/null || true)
		grep '^note: ' <<<"$devices" | sed 's/^note: /gpu: /' >&2 || true
		if ! grep -v '^note: ' <<<"$devices" | grep -Eq '^[^ ]+ +GPU '; then
			src=${LLAMA_SRC:-$root/deps/llama/src}
			if command -v nvcc >/dev/null && command -v cmake >/dev/null && command -v ninja >/dev/null && command -v patch >/dev/null && [ -f "$src/CMakeLists.txt" ]; then
				arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .' || true)
				log=$lib/cuda-plugin.log
				say "no prebuilt GPU plugin runs with this driver: building llama.cpp's CUDA plugin from the pinned source, once (a few minutes; log: $log)"
				if bash "$root/scripts/cuda-plugin.sh" "$dest" "${arch:-native}" >"$log" 2>&1; then
					say "built $dest/libggml-cuda.so"
				else
					say "the CUDA plugin did not build (see $log): gugugo runs on the CPU"
				fi
			else
				say "no prebuilt GPU plugin runs with this driver, so gugugo runs on the CPU; with the CUDA toolkit (nvcc, cmake, ninja) and patch installed, make gpu builds a CUDA plugin from source"
			fi
		fi
		printf '%s' "$checked" >"$dest/.checked"
	fi
fi
ls "$dest"/*.so >/dev/null 2>&1 && say "plugins in $dest: $(cd "$dest" && ls -- *.so | tr '\n' ' ')"
exit 0
