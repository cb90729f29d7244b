package convert_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/convert"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/llama"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// tinyHF writes a small random GPT-NeoX checkpoint: 2 layers, 4 heads of 32 with half of each rotated, as
// Gugugo-1.3B's rotary_pct 0.5. The weights are spread wide enough for clear top tokens.
func tinyHF(t *testing.T, o tinymodel.HFOptions) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny-neox")
	o.Shape = tinymodel.Shapes["tiny"]
	if o.Std == 0 {
		o.Std = 0.08
	}
	if err := tinymodel.WriteHF(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

func convertTo(t *testing.T, dir string, typ gguf.TensorType) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "model.gguf")
	var last, total int64
	err := convert.Convert(context.Background(), dir, out, convert.Options{Type: typ, Progress: func(d, n int64) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if last != total || total == 0 {
		t.Errorf("progress ended at %d of %d", last, total)
	}
	return out
}

const prompt = "### 한국어: 안녕하세요, 오늘 날씨가 좋아요 123!</끝>\n### 영어: Hello"

// llamaLogits runs the converted model on the prompt and returns its tokens and the logits at every position.
func llamaLogits(t *testing.T, path, text string) ([]int32, [][]float32) {
	t.Helper()
	m, err := llama.LoadModel(path, llama.LoadParams{Device: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	toks, err := m.Tokenize(text, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := llama.NewContext(m, llama.ContextParams{Size: 256, Batch: 256, Sequences: 1, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Free()
	for i, tok := range toks {
		c.BatchAdd(tok, i, 0, true)
	}
	if err := c.Decode(); err != nil {
		t.Fatal(err)
	}
	out := make([][]float32, len(toks))
	for i := range toks {
		out[i] = make([]float32, m.VocabSize())
		if !c.Logits(i, out[i]) {
			t.Fatalf("no logits at %d", i)
		}
	}
	return toks, out
}

func argmax(v []float32) (int, float32) {
	best, second := 0, float32(math.Inf(-1))
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	for i, x := range v {
		if i != best && x > second {
			second = x
		}
	}
	return best, v[best] - second
}

// compare checks llama.cpp's logits against the reference's: the same top token wherever the reference's top two
// are further apart than margin, and no logit further off than tol.
func compare(t *testing.T, got, want [][]float32, vocab int, tol, margin float32) {
	t.Helper()
	var worst float32
	var sum, sq float64
	agreed := 0
	for p := range want {
		ref := want[p][:vocab]
		top, gap := argmax(ref)
		if gTop, _ := argmax(got[p][:vocab]); gTop == top {
			agreed++
		} else if gap > margin {
			t.Errorf("position %d: llama.cpp's top token %d, the reference's %d (margin %.4f)", p, gTop, top, gap)
		}
		for i := range ref {
			worst = max(worst, float32(math.Abs(float64(got[p][i]-ref[i]))))
			sum += float64(ref[i])
			sq += float64(ref[i]) * float64(ref[i])
		}
	}
	n := float64(len(want) * vocab)
	t.Logf("%d of %d positions have the same top token; largest logit difference %.5f (logits' standard deviation %.3f)",
		agreed, len(want), worst, math.Sqrt(sq/n-(sum/n)*(sum/n)))
	if worst > tol {
		t.Errorf("largest logit difference %.5f, more than %.5f", worst, tol)
	}
}

func TestConvertedModelMatchesTheReferenceForwardPass(t *testing.T) {
	dir := tinyHF(t, tinymodel.HFOptions{Seed: 7})
	ref := loadNeoX(t, dir)
	for _, c := range []struct {
		typ            gguf.TensorType
		tol, marginTop float32
	}{
		{gguf.F32, 5e-3, 1e-3}, // the same weights; ggml's tanh GELU differs from the exact one by ~1e-3
		{gguf.F16, 2e-2, 2e-2}, // weights rounded to f16 (the checkpoint is f16 already)
		{gguf.Q8_0, 0.15, 0.2}, // 8-bit blocks
	} {
		t.Run(c.typ.String(), func(t *testing.T) {
			toks, got := llamaLogits(t, convertTo(t, dir, c.typ), prompt)
			want := ref.logits(t, toks)
			if len(got[0]) != ref.cfg.VocabSize {
				t.Fatalf("llama.cpp sees %d tokens, config.json %d", len(got[0]), ref.cfg.VocabSize)
			}
			compare(t, got, want, ref.cfg.VocabSize, c.tol, c.marginTop)
		})
	}
}

func TestShardedBF16CheckpointConverts(t *testing.T) {
	dir := tinyHF(t, tinymodel.HFOptions{Seed: 8, DType: "BF16", Shards: 3})
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors.index.json")); err != nil {
		t.Fatal(err)
	}
	ref := loadNeoX(t, dir)
	toks, got := llamaLogits(t, convertTo(t, dir, gguf.F32), prompt)
	compare(t, got, ref.logits(t, toks), ref.cfg.VocabSize, 5e-3, 1e-3)
}

func TestOlderCheckpointBuffersAreSkipped(t *testing.T) {
	dir := tinyHF(t, tinymodel.HFOptions{Seed: 10, Buffers: true}) // a BOOL causal mask, masked_bias, inv_freq
	ref := loadNeoX(t, dir)
	if ref.ck.Shape("gpt_neox.layers.0.attention.bias") == nil {
		t.Fatal("the test checkpoint lacks the mask")
	}
	toks, got := llamaLogits(t, convertTo(t, dir, gguf.F16), prompt)
	compare(t, got, ref.logits(t, toks), ref.cfg.VocabSize, 2e-2, 2e-2)
}

func TestTokenizationMatchesHuggingFaceBPE(t *testing.T) {
	dir := tinyHF(t, tinymodel.HFOptions{Seed: 9})
	path := convertTo(t, dir, gguf.F16)
	bpe := loadBPE(t, filepath.Join(dir, "tokenizer.json"))
	m, err := llama.LoadModel(path, llama.LoadParams{Device: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	for _, s := range []string{
		"안녕하세요", "오늘 날씨가 좋아요.", "저는 학생입니다!", "### 한국어: 사과를 먹었다</끝>\n### 영어:",
		"Hello world, the weather is good today.", "I'm a student; you're not. We'll see, they've said, she'd go.",
		"1234567 and 3.14159, 2026-11-27", "Prices: $5.99 (50% off!) #1 @home", "  two spaces\n\nnew\tlines\t ",
		"한국어와 English가 섞인 문장 123개.", "ೱ removed ೱ", "", "   ", "émigré café naïve",
	} {
		want := bpe.encode(t, s)
		got, err := m.Tokenize(s, false)
		if err != nil {
			t.Fatal(err)
		}
		if s == "ೱ removed ೱ" {
			// Hugging Face removes "ೱ"; llama.cpp keeps it as bytes. Everything else must match.
			got, err = m.Tokenize(strings.ReplaceAll(s, "ೱ", ""), false)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: llama.cpp %v, Hugging Face BPE %v", s, got, want)
		}
	}
}

func TestConvertRefusesWhatItCannotConvert(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.gguf")
	check := func(name, dir, want string) {
		t.Helper()
		err := convert.Convert(context.Background(), dir, out, convert.Options{Type: gguf.F16})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", name, err, want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: an output file was left", name)
		}
		if _, err := os.Stat(out + ".part"); err == nil {
			t.Errorf("%s: a partial output file was left", name)
		}
	}
	check("no folder", filepath.Join(t.TempDir(), "none"), "not a Hugging Face checkpoint folder")

	pickle := tinyHF(t, tinymodel.HFOptions{Seed: 1})
	os.Rename(filepath.Join(pickle, "model.safetensors"), filepath.Join(pickle, "pytorch_model.bin"))
	check("pickle", pickle, "download model.safetensors")

	llamaDir := tinyHF(t, tinymodel.HFOptions{Seed: 1})
	os.WriteFile(filepath.Join(llamaDir, "config.json"), []byte(`{"architectures":["LlamaForCausalLM"],"model_type":"llama"}`), 0o644)
	check("llama", llamaDir, "gugugo model pull gugugo-7b")

	truncated := tinyHF(t, tinymodel.HFOptions{Seed: 1})
	st := filepath.Join(truncated, "model.safetensors")
	info, _ := os.Stat(st)
	os.Truncate(st, info.Size()/2)
	check("truncated", truncated, "truncated")

	pre := tinyHF(t, tinymodel.HFOptions{Seed: 1})
	tj := filepath.Join(pre, "tokenizer.json")
	var tok map[string]any
	b, _ := os.ReadFile(tj)
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	tok["pre_tokenizer"] = map[string]any{"type": "Metaspace", "replacement": "▁"}
	b, _ = json.Marshal(tok)
	os.WriteFile(tj, b, 0o644)
	check("pre-tokenizer", pre, "pre-tokenizer Metaspace")

	notJSON := tinyHF(t, tinymodel.HFOptions{Seed: 1})
	os.WriteFile(filepath.Join(notJSON, "tokenizer.json"), []byte("{not json"), 0o644)
	check("tokenizer not JSON", notJSON, filepath.Join(notJSON, "tokenizer.json")+" is not a Hugging Face tokenizer (a JSON object with a BPE model is expected)")
	os.WriteFile(filepath.Join(notJSON, "config.json"), []byte("<html>"), 0o644)
	check("config not JSON", notJSON, filepath.Join(notJSON, "config.json")+" is not a Hugging Face model configuration")
}

func TestCancelledConversionLeavesNothing(t *testing.T) {
	dir := tinyHF(t, tinymodel.HFOptions{Seed: 2})
	out := filepath.Join(t.TempDir(), "out.gguf")
	ctx, cancel := context.WithCancel(context.Background())
	tensors := 0
	err := convert.Convert(ctx, dir, out, convert.Options{Type: gguf.F16, Progress: func(done, total int64) {
		if tensors++; tensors == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled after 3 tensors: %v", err)
	}
	for _, p := range []string{out, out + ".part"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left", p)
		}
	}
}
