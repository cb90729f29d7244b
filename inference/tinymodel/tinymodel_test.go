package tinymodel

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

func TestVocabCoversKoreanAndMarker(t *testing.T) {
	v := NewVocab(0)
	for _, piece := range []string{"끝", " 한국어", " 영어", "<", "/", ">", "\xec", "<|endoftext|>"} {
		if _, ok := v.ID(piece); !ok {
			t.Errorf("%q is not a token", piece)
		}
	}
	if id, _ := v.ID("<|endoftext|>"); id != EOS {
		t.Errorf("eos is %d", id)
	}
	if n := len(NewVocab(1000).Tokens); n != 1000 {
		t.Errorf("padded vocabulary has %d tokens", n)
	}
	for _, m := range v.Merges {
		if strings.Count(m, " ") != 1 {
			t.Errorf("merge %q is not two symbols", m)
		}
	}
}

func TestScriptRejectsAmbiguousChains(t *testing.T) {
	dir := t.TempDir()
	err := Write(filepath.Join(dir, "a.gguf"), Options{Arch: "llama", Script: &Script{After: ":", Pieces: []string{" la", " li", " la", " lu"}, LoopTo: -1}})
	if err == nil || !strings.Contains(err.Error(), "two different tokens") {
		t.Errorf("got %v", err)
	}
	err = Write(filepath.Join(dir, "b.gguf"), Options{Arch: "llama", Script: &Script{After: ":", Pieces: []string{"not a token"}, LoopTo: -1}})
	if err == nil {
		t.Error("an unknown piece was accepted")
	}
}

func TestWritesBothArchitectures(t *testing.T) {
	for _, arch := range []string{"gptneox", "llama"} {
		for _, typ := range []gguf.TensorType{gguf.F32, gguf.F16, gguf.Q8_0} {
			p := filepath.Join(t.TempDir(), arch+".gguf")
			if err := Write(p, Options{Arch: arch, Shape: Shapes["tiny"], Type: typ}); err != nil {
				t.Fatal(err)
			}
			info, err := gguf.ReadInfo(p)
			if err != nil {
				t.Fatal(err)
			}
			if info.Architecture() != arch || info.Metadata["general.file_type"] != typ.FileType() {
				t.Errorf("%s %s: %v", arch, typ, info.Metadata)
			}
		}
	}
	if err := Write(filepath.Join(t.TempDir(), "x.gguf"), Options{Arch: "bert"}); err == nil {
		t.Error("bert accepted")
	}
}
