#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 1m), one after another; a failing input is written to the
# package's testdata/fuzz/ folder, where every later go test runs it. `make fuzz` runs this.
set -uo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-1m}
fail=0
for target in \
	./inference:FuzzStreamFilter ./inference:FuzzChunks ./inference:FuzzModelFile ./inference/gguf:FuzzReadInfo \
	./inference/convert:FuzzCheckpoint ./inference/convert:FuzzTokenizer ./inference/convert:FuzzConfig \
	./app/instance:FuzzRequestLine ./app/server:FuzzRequests ./app/document:FuzzParseAndRender ./app/glossary:FuzzParse; do
	pkg=${target%%:*} name=${target##*:}
	echo "fuzz: $name ($pkg) for $time"
	if ! go test -run '^$' -fuzz "^$name\$" -fuzztime "$time" -parallel 1 "$pkg" 2>&1 | grep -v '^fuzz: elapsed'; then
		fail=1
	fi
done
exit $fail
