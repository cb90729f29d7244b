package tinymodel

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// The 1.3B-shaped vocabulary tokenizes the benchmark documents about as densely as a real vocabulary: a token or so
// an English word, about two a Korean word (which carries its particles).
func TestCorpusTokenizesDensely(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.gguf")
	s := Shapes["tiny"]
	s.Vocab = 30080
	if err := Write(p, Options{Arch: "gptneox", Shape: s, Type: gguf.F16}); err != nil {
		t.Fatal(err)
	}
	m, err := llama.LoadModel(p, llama.LoadParams{Device: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	for _, c := range []struct {
		text   string
		lo, hi float64
	}{{CorpusEnglish, 1, 1.6}, {CorpusKorean, 1.2, 2.5}} {
		text := c.text
		toks, err := m.Tokenize(text, false)
		if err != nil {
			t.Fatal(err)
		}
		words := len(strings.Fields(text))
		if r := float64(len(toks)) / float64(words); r < c.lo || r > c.hi {
			t.Errorf("%d tokens for %d words (%.2f a word)", len(toks), words, r)
		}
	}
}
