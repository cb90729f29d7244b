#!/usr/bin/env bash
# Writes (once) and prints a random-weight model of Gugugo-koen-7B's exact shape and vocabulary (Llama-2-Ko: Llama-2's
# vocabulary with Korean pieces, 46,336 in all) at Q4_K_M: written in f16 by gugugo, quantized by llama.cpp's own
# llama-quantize, as the published Q4_K_M was. The benchmark scripts use it.
#   scripts/bench-model-7b.sh MODELS_DIR LLAMA_BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
models=$1
bin=$2
q4=$models/gugugo-7b-q4_k_m.gguf
if [ ! -f "$q4" ]; then
	f16=$models/gugugo-7b-f16.gguf
	src=${LLAMA_SRC:-$root/deps/llama/src}
	{
		time "$root/build/gugugo" dev tiny-model --arch llama --shape gugugo-7b --type f16 --vocab "$src/models/ggml-vocab-llama-spm.gguf" --out "$f16" &&
			time "$bin/llama-quantize" "$f16" "$q4.part" Q4_K_M && mv "$q4.part" "$q4"
	} >"$models/7b-make.log" 2>&1 || { tail -5 "$models/7b-make.log" >&2; exit 1; }
	rm -f "$f16" "$q4.part"
fi
echo "$q4"
