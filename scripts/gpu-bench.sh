#!/usr/bin/env bash
# The README's GPU performance table, in one run on a machine with an NVIDIA GPU: gugugo bench (one sentence, and
# the documents sentence after sentence and in parallel) beside llama.cpp's own llama-bench and llama-batched-bench
# from the same v0.5.0 build, and Hugging Face transformers, on random-weight models of Gugugo-koen-1.3B's shape;
# and on one of Gugugo-koen-7B's exact shape and vocabulary size at Q4_K_M, llama-bench, the documents, the GPU
# memory and a GPU with only 3 GB to give.
# Needs build/gugugo and build/lib (make build), the CUDA plugin and the bench tools
# (BENCH=1 scripts/cuda-plugin.sh build/lib/gpu), and python3 with torch and transformers for the 1.3B's last rows.
#   scripts/gpu-bench.sh OUT_DIR [1.3b] [7b]        (both when neither is named)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: gpu-bench.sh OUT_DIR [1.3b] [7b]}
shift
parts=${*:-1.3b 7b}
bin=${LLAMA_BUILD:-$root/deps/llama/src/build-cuda}/bin
models=${MODELS:-/tmp/gugugo-models}
gugugo=$root/build/gugugo
mkdir -p "$out" "$models"
{
	date -u +%Y-%m-%dT%H:%MZ
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
	nproc
} >"$out/machine.txt"
"$gugugo" devices >"$out/devices.txt" 2>&1
if [[ " $parts " == *" 1.3b "* ]]; then
# Sentences decoded together on the GPU give what they give one after the other: the echo model (q8_0) answers each
# with its most frequent word, and 64 sentences make each lane's prompts a batch of more than 256 tokens.
words=(la li lu apple student weather good Hello world today)
"$gugugo" dev tiny-model --echo "${words[*]}" --type q8_0 --out "$models/echo-q8_0.gguf" >/dev/null
for i in $(seq 0 63); do
	w=${words[i % 10]}
	printf '%s %s %s %s %s %s %s %s' "$w" "${words[(i + 3) % 10]}" "$w" "${words[(i + 5) % 10]}" "$w" \
		"${words[(i + 7) % 10]}" "$w" "${words[(i + 9) % 10]}"
	for ((k = 0; k < i % 4; k++)); do printf ' %s' "$w"; done
	if [ $((i % 8)) = 7 ]; then printf '.\n\n'; else printf '. '; fi
done >"$models/echo-document.txt"
for mode in parallel sequential; do
	flag=; [ $mode = sequential ] && flag=--sequential
	"$gugugo" translate $flag --stats --model "$models/echo-q8_0.gguf" --to en --file "$models/echo-document.txt" \
		>"$out/echo-$mode.txt" 2>>"$out/echo-stats.txt"
done
if cmp -s "$out/echo-parallel.txt" "$out/echo-sequential.txt"; then
	echo "parallel = sequential"
else
	echo "parallel != sequential"
fi >"$out/parallel-check.txt"
for t in f16 q8_0; do
	m="$models/gugugo-1.3b-$t.gguf"
	[ -f "$m" ] || "$gugugo" dev tiny-model --arch gptneox --shape gugugo-1.3b --type "$t" --out "$m" >/dev/null
	"$gugugo" bench --model "$m" --tokens 128 --reps 5 >"$out/gugugo-$t.txt" 2>&1
	"$bin/llama-bench" -m "$m" -p 32 -n 128 -r 5 >"$out/llama-bench-$t.txt" 2>&1
done
q8=$models/gugugo-1.3b-q8_0.gguf
# scripts/ggml-cuda.patch adds each product's bias in the order of the separate ADD it replaces (a sentence's prompt
# and a lane's steps go through it), so the random model, whose greedy picks are full of near-ties, translates the
# English document to the same bytes with ggml-cuda's fusions switched off, sentence after sentence and in parallel.
doc=$root/inference/tinymodel/corpus/en.txt
for mode in sequential parallel; do
	flag=; [ $mode = sequential ] && flag=--sequential
	"$gugugo" translate $flag --model "$q8" --to ko --file "$doc" >"$out/fused-$mode.txt" 2>/dev/null
	GGML_CUDA_DISABLE_FUSION=1 "$gugugo" translate $flag --model "$q8" --to ko --file "$doc" >"$out/unfused-$mode.txt" 2>/dev/null
	if cmp -s "$out/fused-$mode.txt" "$out/unfused-$mode.txt"; then echo "fused = unfused, $mode"; else echo "fused != unfused, $mode"; fi
done >>"$out/parallel-check.txt"
"$gugugo" bench --model "$q8" --document --reps 3 --tokens 16 >"$out/documents-q8_0.txt" 2>&1
# Split KV cache (llama.cpp's default) and the unified one gugugo's documents use (-kvu).
for kvu in "" -kvu; do
	"$bin/llama-batched-bench" -m "$q8" -c 16384 -b 2048 -ub 512 -npp 32 -ntg 128 -npl 1,16,64 $kvu
done >"$out/batched-bench-q8_0.txt" 2>&1
python3 "$root/scripts/hf_bench.py" --attn sdpa >"$out/hf.jsonl" 2>"$out/hf.err"
python3 "$root/scripts/hf_bench.py" --attn eager >>"$out/hf.jsonl" 2>>"$out/hf.err"
# About the documents' shape for a Python script at its best: 55 sentences as one batch of 30-token prompts, 48 new
# tokens each (a batch runs until its longest member ends; the Korean document's longest sentence takes 48).
python3 "$root/scripts/hf_bench.py" --attn sdpa --batch 55 --prompt 30 --tokens 48 >>"$out/hf.jsonl" 2>>"$out/hf.err"
fi
if [[ " $parts " == *" 7b "* ]]; then
	q4=$(bash "$root/scripts/bench-model-7b.sh" "$models" "$bin") || exit 1
	"$gugugo" bench --model "$q4" --tokens 128 --reps 5 >"$out/gugugo-7b.txt" 2>&1
	"$bin/llama-bench" -m "$q4" -p 32 -n 128 -r 5 >"$out/llama-bench-7b.txt" 2>&1
	"$gugugo" bench --model "$q4" --document --reps 3 --tokens 16 >"$out/documents-7b.txt" 2>&1
	# The engine's memory figure beside the buffers llama.cpp allocated for it.
	{
		"$gugugo" dev memory --model "$q4"
		"$gugugo" translate --verbose --model "$q4" --to en "안녕하세요" 2>&1 | grep -E "buffer size|offloaded"
	} >"$out/memory-7b.txt"
	# A GPU with 3 GB to give: as many layers as fit, the rest on the CPU.
	"$gugugo" bench --model "$q4" --gpu-memory 3 --tokens 64 --reps 2 >"$out/gugugo-7b-3gb.txt" 2>&1
fi
tail -n 6 "$out"/*.txt
