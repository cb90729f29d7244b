#!/usr/bin/env bash
# The local server's load table: gugugo serve beside llama.cpp's own llama-server (the reference), on random-weight
# models of Gugugo's shapes, each loaded by 1, 4 and 16 concurrent clients sending the English test document's 55
# sentences as POST /v1/completions with Gugugo's prompt, 48 generated tokens each (gugugo bench --server).
#   scripts/server-bench.sh OUT_DIR [1.3b] [7b]        (both when neither is named)
# On a GPU machine: LLAMA_BUILD names the CUDA build with llama-server and llama-quantize (BENCH=1
# scripts/cuda-plugin.sh); llama-server gets -ngl 99. Elsewhere (LLAMA_SERVER=path, NGL=0) it runs on the CPU.
# ROUNDS (default 2) and TOKENS (default 48) shape the load; MODELS is where the models are written.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: server-bench.sh OUT_DIR [1.3b] [7b]}
shift
parts=${*:-1.3b 7b}
build=${LLAMA_BUILD:-$root/deps/llama/src/build-cuda}/bin
llama_server=${LLAMA_SERVER:-$build/llama-server}
ngl=${NGL:-99}
models=${MODELS:-/tmp/gugugo-models}
gugugo=$root/build/gugugo
load=(--clients "${CLIENTS:-1,4,16}" --rounds "${ROUNDS:-2}" --tokens "${TOKENS:-48}")
mkdir -p "$out" "$models"
{
	date -u +%Y-%m-%dT%H:%MZ
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || grep -m1 'model name' /proc/cpuinfo
	nproc
} >"$out/machine.txt"

# ready waits for a server's /health.
ready() {
	for _ in $(seq 600); do
		python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + '/health', timeout=2)" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# gpu_peak samples the GPU memory used every half second into FILE until killed.
gpu_peak() {
	while nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits >>"$1" 2>/dev/null; do sleep 0.5; done
}

# measure SERVER NAME PORT COMMAND...: starts the server, loads it once it is ready, records the GPU memory, stops it.
measure() {
	local server=$1 name=$2 port=$3 pid sampler
	shift 3
	"$@" >"$out/$server-$name.log" 2>&1 &
	pid=$!
	: >"$out/gpu-$server-$name.txt"
	gpu_peak "$out/gpu-$server-$name.txt" &
	sampler=$!
	ready "http://127.0.0.1:$port" && "$gugugo" bench --server "http://127.0.0.1:$port" "${load[@]}" >"$out/load-$server-$name.txt" 2>&1
	kill "$sampler" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -s "$out/gpu-$server-$name.txt" ] && echo "$server-$name: peak $(sort -n "$out/gpu-$server-$name.txt" | tail -1) MiB" >>"$out/gpu-memory.txt"
}

run() { # name model
	measure gugugo "$1" 18081 "$gugugo" serve --model "$2" --addr 127.0.0.1:18081 --quiet
	measure llama-server "$1" 18082 "$llama_server" -m "$2" -ngl "$ngl" -np 16 -c 16384 --host 127.0.0.1 --port 18082 --no-webui
}

if [[ " $parts " == *" 1.3b "* ]]; then
	m=$models/gugugo-1.3b-q8_0.gguf
	[ -f "$m" ] || "$gugugo" dev tiny-model --arch gptneox --shape gugugo-1.3b --type q8_0 --out "$m" >/dev/null
	run 1.3b-q8_0 "$m"
fi
if [[ " $parts " == *" 7b "* ]]; then
	run 7b-q4_k_m "$(bash "$root/scripts/bench-model-7b.sh" "$models" "$build")"
fi
tail -n 5 "$out"/load-*.txt "$out/gpu-memory.txt" 2>/dev/null
