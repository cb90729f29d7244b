#!/usr/bin/env bash
# Files through the parallel lanes, and the glossary's steering, on one model (docs/performance.md, "Files"):
#  1. The English and Korean test documents, one sentence a line, translated by `translate --file` as a document (the
#     engine's own parallel path) and as files that keep their structure (.txt and .srt: one unit a line or a cue,
#     each a request of the shared lanes). --stats gives each run's translation time without the model's load.
#  2. Sentences of the English document holding a glossary term, translated three ways: as they are, steered (the
#     term replaced by its target term, what --glossary does) and with the term as a placeholder ({1}); for each, how
#     many translations hold the target term (the placeholder: hold {1}), and how close the rest of a steered
#     translation stays to the plain one (difflib's ratio).
#   scripts/file-bench.sh MODEL OUT_DIR [GUGUGO]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?usage: file-bench.sh MODEL OUT_DIR [GUGUGO]}
out=${2:?usage: file-bench.sh MODEL OUT_DIR [GUGUGO]}
gugugo=${3:-$root/build/gugugo}
mkdir -p "$out"
python3 - "$root/inference/tinymodel/corpus" "$out" <<'PY'
import re, sys
corpus, out = sys.argv[1:3]
for lang in ("en", "ko"):
    text = open(f"{corpus}/{lang}.txt", encoding="utf-8").read()
    sents = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    open(f"{out}/{lang}-lines.txt", "w", encoding="utf-8").write("\n".join(sents) + "\n")
    with open(f"{out}/{lang}.srt", "w", encoding="utf-8") as f:
        for i, s in enumerate(sents):
            f.write(f"{i+1}\n00:{i//60:02d}:{i%60:02d},000 --> 00:{i//60:02d}:{i%60:02d},900\n{s}\n\n")
# Glossary terms of the English document, with the Korean words its Korean version uses.
terms = {"market": "장", "river": "강", "farmers": "농부들", "baker": "제빵사", "tourists": "관광객들",
         "musicians": "음악가들", "fountain": "분수대", "strawberries": "딸기", "vegetables": "채소", "square": "광장"}
sents = open(f"{out}/en-lines.txt", encoding="utf-8").read().splitlines()
rows = []
for s in sents:
    for t, k in terms.items():
        m = re.search(r"\b" + t + r"\b", s, re.I)
        if m:
            rows.append((s, m.group(0), k))
            break
with open(f"{out}/terms.tsv", "w", encoding="utf-8") as f:
    for s, t, k in rows:
        f.write(f"{t}\t{k}\t{s}\n")
for name, fn in (("plain", lambda s, t, k: s), ("steered", lambda s, t, k: s.replace(t, k, 1)),
                 ("placeholder", lambda s, t, k: s.replace(t, "{1}", 1))):
    open(f"{out}/g-{name}.txt", "w", encoding="utf-8").write("".join(fn(*r) + "\n" for r in rows))
PY
{
	date -u +%Y-%m-%dT%H:%MZ
	nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null || grep -m1 'model name' /proc/cpuinfo
	"$gugugo" devices 2>&1 | head -3
} >"$out/machine.txt"
for pair in "en ko" "ko en"; do
	set -- $pair
	src=$1 to=$2
	# The first run warms the GPU and the lanes' first allocation up; it is not counted.
	"$gugugo" translate --model "$model" --to "$to" --file "$out/$src-lines.txt" >/dev/null 2>&1
	for rep in 1 2 3; do
		"$gugugo" translate --stats --model "$model" --to "$to" --file "$out/$src-lines.txt" 2>&1 >"$out/$src-document.out" |
			sed "s/^/$src document: /"
		"$gugugo" translate --stats --model "$model" --to "$to" --file "$out/$src-lines.txt" --out "$out/$src-file.out.txt" 2>&1 |
			sed "s/^/$src .txt file: /"
		"$gugugo" translate --stats --model "$model" --to "$to" --file "$out/$src.srt" --out "$out/$src-file.out.srt" 2>&1 |
			sed "s/^/$src .srt file: /"
	done
done >"$out/files.txt"
for name in plain steered placeholder; do
	"$gugugo" translate --model "$model" --to ko --file "$out/g-$name.txt" --out "$out/g-$name.out.txt" 2>>"$out/glossary.err"
done
python3 - "$out" <<'PY' >"$out/glossary.txt"
import difflib, sys
out = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(f"{out}/terms.tsv", encoding="utf-8")]
res = {n: open(f"{out}/g-{n}.out.txt", encoding="utf-8").read().splitlines() for n in ("plain", "steered", "placeholder")}
n = len(rows)
print(f"{n} sentences, each with one glossary term")
for name in ("plain", "steered", "placeholder"):
    lines = res[name]
    if len(lines) != n:
        print(f"{name}: {len(lines)} lines for {n} sentences")
        continue
    want = [("{1}" if name == "placeholder" else k) for _, k, _ in rows]
    kept = sum(w in l for w, l in zip(want, lines))
    sim = sum(difflib.SequenceMatcher(None, p.replace(k, ""), l.replace(w, "")).ratio()
              for (_, k, _), p, l, w in zip(rows, res["plain"], lines, want)) / n
    print(f"{name}: target term in {kept}/{n} translations; rest of the translation vs plain: {sim:.2f}")
PY
cat "$out/files.txt" "$out/glossary.txt"
