#!/usr/bin/env bash
# End-to-end checks of the built binary (build/gugugo with build/lib), as a user runs it. Prints "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/gugugo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name" >&2
		sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20 >&2
	fi
}

translates() { # arch, target, text
	"$bin" dev tiny-model --arch "$1" --out "$tmp/$1.gguf" >/dev/null &&
		"$bin" translate --model "$tmp/$1.gguf" --to "$2" "$3" >"$tmp/t.out" &&
		[ -s "$tmp/t.out" ]
}
check "gptneox model translates Korean" translates gptneox en "안녕하세요"
check "llama model translates English" translates llama ko "Hello, world"

stdin_translates() { echo "오늘 날씨가 좋아요" | "$bin" translate --model "$tmp/gptneox.gguf" --to auto >"$tmp/t.out" && [ -s "$tmp/t.out" ]; }
check "translate reads stdin" stdin_translates

no_display() { env -u DISPLAY -u WAYLAND_DISPLAY "$bin" translate --model "$tmp/gptneox.gguf" --to en "안녕" >/dev/null; }
check "translate runs without a display" no_display

fails_clearly() { # expected message, then args
	local want=$1
	shift
	! "$bin" "$@" >/dev/null 2>"$tmp/e" && [ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q -- "$want" "$tmp/e"
}
check "a text file is refused in one line" fails_clearly "not a GGUF model file" translate --model /etc/hostname hi
check "a missing file is refused in one line" fails_clearly "not found" translate --model "$tmp/nope.gguf" hi
# 10 MB piped in: translated as a document, its progress drawn on the terminal (script gives stderr one) until
# Ctrl+C; over 20 MB: refused at once, in one line.
big_stdin_shows_progress() {
	python3 -c "import sys; sys.stdout.write('오늘 날씨가 좋아요. 내일은 비가 온대요.\n' * 190000)" >"$tmp/big.txt" &&
		[ "$(stat -c %s "$tmp/big.txt")" -gt 10000000 ] &&
		script -qec "timeout -s INT 8 '$bin' translate --model '$tmp/gptneox.gguf' --to en <'$tmp/big.txt' >'$tmp/big.out'" /dev/null >"$tmp/big.tty"
	grep -aq 'interrupted' "$tmp/big.tty" && grep -aqE '\] [1-9][0-9]*/[0-9]{5,}' "$tmp/big.tty" && [ -s "$tmp/big.out" ]
}
check "10 MB piped in is translated with its progress shown" big_stdin_shows_progress
huge_stdin_refused() {
	head -c 21000000 /dev/zero | tr '\0' 'a' | fails_clearly "stdin holds over 20 MB" translate --model "$tmp/gptneox.gguf" --to en
}
check "over 20 MB piped in is refused" huge_stdin_refused

head -c 200000 "$tmp/gptneox.gguf" >"$tmp/cut.gguf"
check "a truncated model is refused in one line" fails_clearly "corrupted or incomplete" translate --model "$tmp/cut.gguf" hi
usage_error() { "$bin" translate --bogus 2>/dev/null; [ $? -eq 2 ]; }
check "an unknown option is a usage error" usage_error

missing_libs() { # the binary alone, without lib/ beside it, names the command that installs the libraries
	cp "$bin" "$tmp/alone" && ! "$tmp/alone" translate --model "$tmp/gptneox.gguf" hi 2>"$tmp/e" >/dev/null &&
		[ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q "make build" "$tmp/e"
}
check "missing libraries are named with the fix" missing_libs

# A GPU plugin that ggml aborts as soon as it is loaded, as it does the npm CUDA 13 plugin on a driver that plugin was
# not built for (scripts/testdata/crashing-plugin.c): the child process that tries it dies, and gugugo carries on with the CPU
# and says why, once.
crashing_plugin() {
	mkdir -p "$tmp/lib/gpu" "$tmp/cache" && cp "$root"/build/lib/*.so "$tmp/lib/" &&
		gcc -shared -fPIC -o "$tmp/lib/gpu/crash-libggml-cuda.so" "$root/scripts/testdata/crashing-plugin.c" &&
		GUGUGO_LIB_DIR=$tmp/lib XDG_CACHE_HOME=$tmp/cache "$bin" translate --model "$tmp/gptneox.gguf" --to en "안녕" >"$tmp/t.out" 2>"$tmp/e" &&
		[ -s "$tmp/t.out" ] && grep -q "crash-libggml-cuda.so failed its test run.*unsupported toolchain" "$tmp/e" &&
		GUGUGO_LIB_DIR=$tmp/lib XDG_CACHE_HOME=$tmp/cache "$bin" translate --model "$tmp/gptneox.gguf" --to en "안녕" >"$tmp/t.out" 2>"$tmp/e" &&
		[ -s "$tmp/t.out" ] && [ ! -s "$tmp/e" ] &&
		GUGUGO_LIB_DIR=$tmp/lib XDG_CACHE_HOME=$tmp/cache "$bin" devices | grep -q "failed its test run"
}
check "a GPU plugin that aborts falls back to the CPU" crashing_plugin

quiet_c_locale() { LANG=C.UTF-8 "$bin" translate --model "$tmp/gptneox.gguf" --to en "안녕" >/dev/null 2>"$tmp/e" && [ ! -s "$tmp/e" ]; }
check "nothing on stderr in the C.UTF-8 locale" quiet_c_locale

version() { "$bin" --version | grep -q '^gugugo [0-9]'; }
check "--version" version

bench_runs() {
	"$bin" bench --model "$tmp/gptneox.gguf" --tokens 16 --reps 1 | grep -q "decode tok/s" &&
		fails_clearly "at least 1" bench --model "$tmp/gptneox.gguf" --reps 0
}
check "bench prints its table" bench_runs

converts() { # a Hugging Face GPT-NeoX checkpoint becomes a GGUF that translates
	"$bin" dev tiny-hf --out "$tmp/hf" >/dev/null &&
		"$bin" model convert "$tmp/hf" --out "$tmp/converted.gguf" --type q8_0 >/dev/null &&
		"$bin" translate --model "$tmp/converted.gguf" --to en "안녕하세요" >"$tmp/t.out" && [ -s "$tmp/t.out" ]
}
check "model convert, then translate with the result" converts
pickle_refused() {
	mkdir -p "$tmp/pickle" && cp "$tmp/hf/config.json" "$tmp/hf/tokenizer.json" "$tmp/pickle/" && : >"$tmp/pickle/pytorch_model.bin" &&
		fails_clearly "download model.safetensors" model convert "$tmp/pickle" --out "$tmp/p.gguf" && [ ! -e "$tmp/p.gguf" ]
}
check "model convert refuses a pickle with a way out" pickle_refused
model_list() {
	XDG_DATA_HOME=$tmp/data "$bin" model list >"$tmp/l" && grep -q "^gugugo-7b .*4.16 GB.*no" "$tmp/l" && grep -q "^gugugo-1.3b " "$tmp/l" &&
		XDG_DATA_HOME=$tmp/data fails_clearly "gugugo model pull gugugo-7b" model path gugugo-7b &&
		fails_clearly "no model \"gugugo-9b\"" model pull gugugo-9b
}
check "model list, path and an unknown name" model_list

# The echo model answers each sentence with its most frequent word, so a document's sentences decoded in parallel
# give exactly what they give one after the other, and each answer shows which sentence it came from.
echo_document() {
	"$bin" dev tiny-model --echo "la li lu apple" --type q8_0 --out "$tmp/echo.gguf" >/dev/null &&
		printf 'la li la. li lu li li.\n\nlu la lu. apple la apple apple. li la li.' >"$tmp/doc.txt" &&
		"$bin" translate --model "$tmp/echo.gguf" --to en --file "$tmp/doc.txt" >"$tmp/par.txt" 2>/dev/null &&
		"$bin" translate --sequential --model "$tmp/echo.gguf" --to en --file "$tmp/doc.txt" >"$tmp/seq.txt" 2>/dev/null &&
		cmp "$tmp/par.txt" "$tmp/seq.txt" && grep -Eq '^(la )+la (li )+li\s*$' <(head -n 1 "$tmp/par.txt")
}
check "dev tiny-model --echo: a parallel document equals the sequential one" echo_document
file_stats_logged() { # stderr that is no terminal gets no progress bar, only the statistics' line
	"$bin" translate --stats --model "$tmp/echo.gguf" --to en --file "$tmp/doc.txt" >/dev/null 2>"$tmp/e" &&
		[ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q '^ko→en, .*5 prompts' "$tmp/e" && ! grep -q $'\r' "$tmp/e"
}
check "translate --file --stats into a log: one line" file_stats_logged
one_prompt_stats() { "$bin" translate --stats --model "$tmp/echo.gguf" --to en "la li la" 2>&1 >/dev/null | grep -q ': 1 prompt, '; }
check "translate --stats counts a single prompt in the singular" one_prompt_stats

# scripts/cuda-plugin.sh puts scripts/ggml-cuda.patch into the pinned llama.cpp source once, takes an older version
# of the patch out first, and names the way out where the source was changed otherwise. A stand-in nvcc, and a
# cmake that stops the script where it would build; the source is the pinned one's CMakeLists.txt and CUDA backend.
cuda_patch() {
	local src=$tmp/llama fake=$tmp/fake-cuda patch_file=$root/scripts/ggml-cuda.patch
	mkdir -p "$src/ggml/src" "$fake" && cp "$root/deps/llama/src/CMakeLists.txt" "$src/" &&
		cp -r "$root/deps/llama/src/ggml/src/ggml-cuda" "$src/ggml/src/" || return 1
	printf '#!/bin/sh\nexit 0\n' >"$fake/nvcc" && printf '#!/bin/sh\nexit 3\n' >"$fake/cmake" && chmod +x "$fake"/* || return 1
	plugin() { PATH=$fake:$PATH LLAMA_SRC=$src bash "$root/scripts/cuda-plugin.sh" "$tmp/cuda-lib" 90 2>"$tmp/cuda-err"; }
	plugin; [ $? -eq 3 ] && grep -q argmax_f32_rows "$src/ggml/src/ggml-cuda/argmax.cu" || return 1
	plugin; [ $? -eq 3 ] || return 1
	# An older version: the patch's changes to argmax only, applied by an earlier run.
	awk '/^diff -ru /{keep = $3 ~ /argmax/} keep' "$patch_file" >"$tmp/older.patch"
	patch -d "$src" -p1 -R -s <"$patch_file" && patch -d "$src" -p1 -s <"$tmp/older.patch" &&
		cp "$tmp/older.patch" "$src/.gugugo-ggml-cuda.patch" || return 1
	plugin; [ $? -eq 3 ] && grep -q "bias" "$src/ggml/src/ggml-cuda/mmq.cu" && cmp -s "$patch_file" "$src/.gugugo-ggml-cuda.patch" || return 1
	# The same older version without the copy: nothing is changed, and the message says what to do.
	patch -d "$src" -p1 -R -s <"$patch_file" && patch -d "$src" -p1 -s <"$tmp/older.patch" && rm "$src/.gugugo-ggml-cuda.patch" &&
		cp "$src/ggml/src/ggml-cuda/mmq.cu" "$tmp/mmq.before" || return 1
	! plugin && [ "$(wc -l <"$tmp/cuda-err")" -eq 1 ] && grep -q "remove deps/llama" "$tmp/cuda-err" &&
		cmp -s "$tmp/mmq.before" "$src/ggml/src/ggml-cuda/mmq.cu"
}
check "cuda-plugin.sh: the ggml-cuda patch applied once, an older one replaced" cuda_patch

# gugugo serve on a free loopback port, with an API key: other programs' requests, and gugugo itself as a client.
serve_pid=
"$bin" serve --model "$tmp/echo.gguf" --addr 127.0.0.1:0 --api-key k3y >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
url=
for _ in $(seq 200); do
	url=$(sed -n 's/^gugugo: serving .* on \(http:[^ ]*\)$/\1/p' "$tmp/serve.out")
	[ -n "$url" ] && break
	sleep 0.1
done
serving() { [ -n "$url" ]; }
check "serve starts on the port it was given and says where" serving
expected=$("$bin" translate --model "$tmp/echo.gguf" --to ko "la li la" 2>/dev/null)
openai_sdk() { # the official OpenAI Node SDK, pinned (scripts/openai-sdk.sh), chatting and streaming
	local modules
	modules=$(bash "$root/scripts/openai-sdk.sh") && [ -n "$expected" ] &&
		NODE_PATH=$modules node "$root/scripts/testdata/openai-client.cjs" "$url" k3y "la li la" "$expected"
}
check "serve: the OpenAI SDK gets chat, streamed chat and completions" openai_sdk
deeplx_as_pot() {
	curl -sf -X POST "$url/translate?token=k3y" -H 'Content-Type: application/json' \
		-d '{"source_lang":"auto","target_lang":"KO","text":"la li la"}' >"$tmp/r" &&
		grep -qF "\"data\":\"$expected\"" "$tmp/r" && grep -q '"source_lang":"EN"' "$tmp/r"
}
check "serve: DeepLX as pot sends it" deeplx_as_pot
libre_as_crow() {
	curl -sf "$url/detect" --data '&q=la%20li%20la&source=en&target=ko&api_key=k3y' | grep -q '"language":"en"' &&
		curl -sf "$url/translate" --data '&q=la%20li%20la&source=en&target=ko&api_key=k3y' | grep -qF "\"translatedText\":\"$expected\""
}
check "serve: LibreTranslate as Crow Translate sends it" libre_as_crow
keyless_refused() { [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/translate" -d '{"text":"la"}')" = 401 ]; }
check "serve: a request without the key gets 401" keyless_refused
remote_translate() { # gugugo as the client of a server: a sentence, and a document sent sentence by sentence
	"$bin" translate --server "$url" --server-key k3y --to ko "la li la" >"$tmp/r1" && [ "$(cat "$tmp/r1")" = "$expected" ] &&
		"$bin" translate --server "$url" --server-key k3y --to en --file "$tmp/doc.txt" >"$tmp/r2" 2>/dev/null && cmp "$tmp/r2" "$tmp/par.txt" &&
		fails_clearly "refused the API key" translate --server "$url" --server-key wrong hi
}
check "translate --server against gugugo serve gives the local translation" remote_translate
port_taken() { fails_clearly "cannot listen on ${url#http://}" serve --model "$tmp/echo.gguf" --addr "${url#http://}"; }
check "serve: a taken port is named" port_taken
stops() { kill -TERM "$serve_pid" && wait "$serve_pid" && grep -q "stopping the server" "$tmp/serve.err"; }
check "serve stops on SIGTERM" stops
open_needs_key() { fails_clearly "API key is required" serve --model "$tmp/echo.gguf" --addr 0.0.0.0:0; }
check "serve refuses to open to the network without a key" open_needs_key
refused() { fails_clearly "connection refused" translate --server "$url" hi; }
check "translate --server with no server says so" refused

# Files keep their structure; bad files and glossaries are refused in one line and nothing is written.
printf '1\n00:00:01,000 --> 00:00:02,500\nHello there,\n\n2\n00:00:02,600 --> 00:00:04,000\nmy friend.\n\n3\n00:00:05,000 --> 00:00:07,000\nGood morning!\n' >"$tmp/talk.srt"
srt_kept() {
	"$bin" translate --model "$tmp/gptneox.gguf" --to ko --file "$tmp/talk.srt" --out "$tmp/talk.ko.srt" 2>/dev/null &&
		[ "$(grep -c -- '-->' "$tmp/talk.ko.srt")" -eq 3 ] &&
		diff <(grep -E '^[0-9]+$|-->' "$tmp/talk.srt") <(grep -E '^[0-9]+$|-->' "$tmp/talk.ko.srt")
}
check "translate --file keeps a subtitle's numbers and timings" srt_kept
printf '# Title\n\nRun `make test` and see [the guide](https://example.com/guide).\n\n```\ncode stays\n```\n' >"$tmp/doc.md"
md_kept() {
	"$bin" translate --model "$tmp/gptneox.gguf" --to ko --file "$tmp/doc.md" >"$tmp/md.out" 2>/dev/null &&
		grep -q '^# ' "$tmp/md.out" && grep -qF '`make test`' "$tmp/md.out" && grep -qF '](https://example.com/guide)' "$tmp/md.out" &&
		grep -qx 'code stays' "$tmp/md.out"
}
check "translate --file keeps Markdown's code, links and headings" md_kept
printf '1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\nno timing\n' >"$tmp/bad.srt"
bad_srt() { fails_clearly "line 5: subtitle 2 has no timing line" translate --model "$tmp/gptneox.gguf" --file "$tmp/bad.srt" --out "$tmp/bad.out.srt" && [ ! -e "$tmp/bad.out.srt" ]; }
check "a broken subtitle file is named by line and nothing is written" bad_srt
over_input() { cp "$tmp/talk.srt" "$tmp/keep.srt" && fails_clearly "is the file being translated" translate --model "$tmp/gptneox.gguf" --to ko --file "$tmp/keep.srt" --out "$tmp/keep.srt" && cmp "$tmp/keep.srt" "$tmp/talk.srt"; }
check "--out never overwrites the input" over_input
printf '구구고\tGugugo\nno tab here\n' >"$tmp/bad.tsv"
bad_glossary() { fails_clearly "bad.tsv: line 2 has no tab" translate --model "$tmp/gptneox.gguf" --glossary "$tmp/bad.tsv" "구구고"; }
check "a glossary line without a tab is named" bad_glossary
printf '구구고\tZyzzyva\n' >"$tmp/g.tsv"
glossary_warns() {
	"$bin" translate --model "$tmp/gptneox.gguf" --to en --glossary "$tmp/g.tsv" "구구고를 실행하세요" >/dev/null 2>"$tmp/e" &&
		grep -qF 'glossary terms missing from the translation: "구구고" → "Zyzzyva"' "$tmp/e"
}
check "a glossary term missing from the translation is warned of" glossary_warns

# Images: text rendered with the embedded Nanum font is read with Tesseract and translated.
font=$root/assets/fonts/NanumGothic-Regular.ttf
reads_image() {
	convert -size 900x110 xc:white -font "$font" -pointsize 44 -fill black -draw "text 20,75 'Good morning, my friend'" "$tmp/en.png" &&
		"$bin" translate --model "$tmp/gptneox.gguf" --to ko --image "$tmp/en.png" >"$tmp/t.out" 2>"$tmp/e" &&
		grep -q "read in the image.*Good morning, my friend" "$tmp/e" && [ -s "$tmp/t.out" ]
}
check "translate --image reads English text and translates it" reads_image
reads_korean() {
	convert -size 700x110 xc:white -font "$font" -pointsize 44 -fill black -draw "text 20,75 '오늘 날씨가 좋아요'" "$tmp/ko.png" &&
		"$bin" translate --model "$tmp/gptneox.gguf" --to en --image "$tmp/ko.png" >/dev/null 2>"$tmp/e" &&
		grep -q "read in the image.*오늘 날씨가 좋아요" "$tmp/e"
}
check "translate --image reads Korean text" reads_korean
blank_image() { convert -size 400x100 xc:white "$tmp/blank.png" && fails_clearly "no text was found" translate --model "$tmp/gptneox.gguf" --image "$tmp/blank.png"; }
check "an image without text says so" blank_image
huge_image() { convert -size 8000x6500 xc:white "$tmp/huge.png" && fails_clearly "megapixels" translate --model "$tmp/gptneox.gguf" --image "$tmp/huge.png"; }
check "a 52-megapixel image is refused before it is decoded" huge_image

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
