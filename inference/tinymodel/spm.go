package tinymodel

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// The llama architecture's vocabulary is SentencePiece, as Gugugo-koen-7B's is (Llama-2-Ko: Llama-2's 32,000 pieces
// with Korean pieces added; GGUF tokenizer model "llama"): <unk>, <s>, </s>, the byte-fallback pieces <0x00> to
// <0xFF>, then pieces in which "▁" stands for a space, each with a score. llama.cpp's tokenizer starts from the
// characters of the text (with a space put before it), merges the adjacent pair whose union is a piece with the
// highest score, again and again, and writes what no piece covers as byte-fallback pieces.

// Special pieces of a SentencePiece vocabulary, as Llama-2's lays them out.
const (
	SPMUnknown = 0
	SPMBOS     = 1
	SPMEOS     = 2
)

// Token types as llama.cpp reads tokenizer.ggml.token_type, beside typeNormal and typeControl.
const (
	typeUnknown = 2
	typeByte    = 6
)

// space is SentencePiece's mark for a space.
const space = "▁"

// SPMVocabFile is where the pinned llama.cpp source keeps Llama-2's vocabulary (its tokenizer tests' copy),
// relative to the source tree's root.
const SPMVocabFile = "deps/llama/src/models/ggml-vocab-llama-spm.gguf"

// ReadSPMBase reads a SentencePiece vocabulary's pieces, scores and types from a GGUF file, to build on.
func ReadSPMBase(path string) (*Vocab, error) {
	info, err := gguf.ReadArrays(path, "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type")
	if err != nil {
		return nil, fmt.Errorf("SentencePiece vocabulary %s: %w", path, err)
	}
	tokens, _ := info.Metadata["tokenizer.ggml.tokens"].([]string)
	scores, _ := info.Metadata["tokenizer.ggml.scores"].([]float32)
	types, _ := info.Metadata["tokenizer.ggml.token_type"].([]int32)
	if model, _ := info.Metadata["tokenizer.ggml.model"].(string); model != "llama" || len(tokens) < 259 ||
		len(scores) != len(tokens) || len(types) != len(tokens) || tokens[SPMBOS] != "<s>" || tokens[SPMEOS] != "</s>" {
		return nil, fmt.Errorf("%s is not a Llama SentencePiece vocabulary", path)
	}
	v := &Vocab{Model: "llama", ids: map[string]int32{}}
	for i, t := range tokens {
		v.add(t, types[i], scores[i])
	}
	return v, nil
}

// NewSPMVocab builds a SentencePiece vocabulary: base's pieces when given (else the specials, the byte-fallback
// pieces and printable ASCII), then the test words, and for a vocabulary of a real model's size the Korean
// corpus's syllables and words, each word reached through its prefixes; padded with unused pieces to size. The
// syllable 끝 stays out of the small vocabulary, so that the </끝> marker goes through byte-fallback pieces there.
func NewSPMVocab(base *Vocab, size int) *Vocab {
	v := &Vocab{Model: "llama", ids: map[string]int32{}}
	if base != nil {
		for i, t := range base.Tokens {
			v.add(t, base.Types[i], base.Scores[i])
		}
	} else {
		v.add("<unk>", typeUnknown, 0)
		v.add("<s>", typeControl, 0)
		v.add("</s>", typeControl, 0)
		for b := 0; b < 256; b++ {
			v.add(fmt.Sprintf("<0x%02X>", b), typeByte, 0)
		}
		for c := ' ' + 1; c <= '~'; c++ {
			v.add(string(c), typeNormal, 0)
		}
		v.add(space, typeNormal, 0)
	}
	list := words
	if size >= realVocab {
		list = append(append([]string(nil), words...), koreanCorpusPieces()...)
	}
	for _, w := range list {
		if w == "끝" && size < realVocab {
			continue
		}
		piece := strings.ReplaceAll(w, " ", space)
		for i := range piece {
			if i > 0 {
				v.add(piece[:i], typeNormal, -float32(len(v.Tokens)))
			}
		}
		v.add(piece, typeNormal, -float32(len(v.Tokens)))
	}
	if size > 0 && len(v.Tokens) > size {
		panic(fmt.Sprintf("tinymodel: the vocabulary needs %d tokens, more than %d", len(v.Tokens), size))
	}
	for i := len(v.Tokens); i < size; i++ {
		v.add(fmt.Sprintf("<unused%d>", i), typeNormal, -1e9)
	}
	return v
}

// koreanCorpusPieces are the Korean corpus's syllables and its words with the space before them, as Llama-2-Ko
// adds Korean pieces to Llama-2's.
func koreanCorpusPieces() []string {
	var out []string
	seen := map[string]bool{}
	keep := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, r := range CorpusKorean {
		if unicode.Is(unicode.Hangul, r) {
			keep(string(r))
		}
	}
	for _, f := range strings.Fields(CorpusKorean) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.Is(unicode.Hangul, r) })
		if utf8.RuneCountInString(w) > 1 {
			keep(" " + w)
		}
	}
	return out
}

// spmID is the piece for raw text: spaces become "▁"; a single byte that is no piece of its own is its
// byte-fallback piece.
func (v *Vocab) spmID(raw string) (int32, bool) {
	if id, ok := v.ids[strings.ReplaceAll(raw, " ", space)]; ok {
		return id, true
	}
	if len(raw) == 1 {
		id, ok := v.ids[fmt.Sprintf("<0x%02X>", raw[0])]
		return id, ok
	}
	return 0, false
}

// Without is a copy of the vocabulary without the pieces named, which tests use to make a broken one.
func (v *Vocab) Without(pieces ...string) *Vocab {
	out := &Vocab{Model: v.Model, Merges: v.Merges, ids: map[string]int32{}}
	for i, t := range v.Tokens {
		if !slices.Contains(pieces, t) {
			var score float32
			if v.Scores != nil {
				score = v.Scores[i]
			}
			out.add(t, v.Types[i], score)
		}
	}
	return out
}
