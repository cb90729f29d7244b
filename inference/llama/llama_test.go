package llama

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

func tiny(t *testing.T) *Model {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.gguf")
	if err := tinymodel.Write(p, tinymodel.Options{Arch: "gptneox", Shape: tinymodel.Shapes["tiny"], Type: gguf.F16, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(p, LoadParams{Device: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Free)
	return m
}

func TestDevicesIncludeCPU(t *testing.T) {
	if _, err := Open(); err != nil {
		t.Fatal(err)
	}
	for _, d := range Devices() {
		if d.Type == DeviceCPU {
			return
		}
	}
	t.Errorf("no CPU device in %+v", Devices())
}

func TestTokenizeRoundTrip(t *testing.T) {
	m := tiny(t)
	for _, text := range []string{"### 한국어: 안녕하세요</끝>\n### 영어:", "Hello, world! 123", "ㅋㅋ 😀 é"} {
		toks, err := m.Tokenize(text, false)
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		for _, tk := range toks {
			b = m.AppendPiece(b, tk)
		}
		if string(b) != text {
			t.Errorf("round trip of %q gave %q", text, b)
		}
	}
	if !m.IsEOG(tinymodel.EOS) {
		t.Error("eos is not end-of-generation")
	}
}

// The backend's greedy pick must be the argmax of the logits the same decode produces.
func TestGreedyOnBackendMatchesArgmax(t *testing.T) {
	m := tiny(t)
	toks, _ := m.Tokenize("### 영어: Hello</끝>\n### 한국어:", false)
	run := func(greedy bool) []Token {
		c, err := NewContext(m, ContextParams{Size: 256, Batch: 64, Sequences: 1, Threads: 2, GreedyOnBackend: greedy})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Free()
		var out []Token
		row := 0
		for i, tk := range toks {
			row = c.BatchAdd(tk, i, 0, i == len(toks)-1)
		}
		for n := 0; n < 20; n++ {
			if err := c.Decode(); err != nil {
				t.Fatal(err)
			}
			tk := c.Next(row)
			out = append(out, tk)
			c.BatchClear()
			row = c.BatchAdd(tk, len(toks)+n, 0, true)
		}
		return out
	}
	a, b := run(false), run(true)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("token %d: argmax %d, backend greedy %d (%v vs %v)", i, a[i], b[i], a, b)
		}
	}
}

// A prefix decoded once in one sequence and shared with another gives that sequence the same logits as decoding the
// whole prompt in it; without the prefix they differ.
func TestSharedPrefixEqualsTheWholePrompt(t *testing.T) {
	m := tiny(t)
	prefix, _ := m.Tokenize("### 영어:", false)
	rest, _ := m.Tokenize(" Hello world</끝>\n### 한국어:", false)
	logitsOf := func(share bool, withPrefix bool) []float32 {
		c, err := NewContext(m, ContextParams{Size: 256, Batch: 64, Sequences: 3, Threads: 2, Unified: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Free()
		start := 0
		if share {
			for j, tk := range prefix {
				c.BatchAdd(tk, j, 2, j == len(prefix)-1)
			}
			if err := c.Decode(); err != nil {
				t.Fatal(err)
			}
			c.BatchClear()
			c.CopySequence(2, 1, -1, -1)
		} else if withPrefix {
			for j, tk := range prefix {
				c.BatchAdd(tk, j, 1, false)
			}
		}
		if share || withPrefix {
			start = len(prefix)
		}
		row := 0
		for j, tk := range rest {
			row = c.BatchAdd(tk, start+j, 1, j == len(rest)-1)
		}
		if err := c.Decode(); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, m.VocabSize())
		c.Logits(row, out)
		return out
	}
	whole, shared, without := logitsOf(false, true), logitsOf(true, false), logitsOf(false, false)
	var dShared, dWithout float64
	for i := range whole {
		dShared = max(dShared, math.Abs(float64(shared[i]-whole[i])))
		dWithout = max(dWithout, math.Abs(float64(without[i]-whole[i])))
	}
	t.Logf("largest logit difference from the whole prompt: shared prefix %.6f, no prefix %.4f", dShared, dWithout)
	if dShared > 1e-3 || dWithout < 1e-2 {
		t.Errorf("largest logit difference: shared prefix %.5f (want ~0), no prefix %.5f (want clearly more)", dShared, dWithout)
	}
}
