package tinymodel

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
)

// The documents of `gugugo bench --document`: 1,019 English words in 55 sentences, and a Korean text of 45 sentences.
// A vocabulary padded to a real model's size (the gugugo-1.3b shape) also gets their words as whole tokens, so that
// they tokenize about as densely as with the real Gugugo vocabulary (a word or two a token) instead of byte by byte,
// and a benchmark on them decodes about as many tokens as a real translation would.
var (
	//go:embed corpus/en.txt
	CorpusEnglish string
	//go:embed corpus/ko.txt
	CorpusKorean string
)

// Token types as llama.cpp reads tokenizer.ggml.token_type.
const (
	typeNormal  = 1
	typeControl = 3
)

// Special tokens, laid out as in the Gugugo-1.3B (polyglot-ko) tokenizer: bos 0, eos 2.
const (
	BOS = 0
	EOS = 2
)

var specials = []string{"<pad>", "<eos>", "<|endoftext|>", "<|sep|>"}

// words become whole tokens through BPE merges: the prompt's headings, the end marker's pieces, and enough Korean
// and English to make random output look like text.
var words = []string{
	"###", " 한국어", " 영어", "끝", "</",
	" 안녕하세요", " 감사합니다", " 오늘", " 날씨", " 좋", "아요", " 번역", " 모델", " 저는", " 학생", "입니다", "습니다",
	" 사과", " 먹", "었다", " 그리고", " 하지만",
	" Hello", " world", " the", " a", " is", " are", " translation", " Korean", " English", " today", " weather",
	" good", " I", " am", " student", " thank", " you", " and", " but", " apple", " ate",
	" la", " li", " lu", ".", ",", "!", "?",
}

// Vocab is a test vocabulary: a small byte-level BPE one in GPT-2's encoding (Model "gpt2", the GPT-NeoX model's),
// or a SentencePiece one (Model "llama", the Llama model's, spm.go). Every byte is a token or falls back to one, so
// any text tokenizes.
type Vocab struct {
	Model  string
	Tokens []string // GPT-2 byte-to-unicode encoded, or SentencePiece pieces
	Types  []int32
	Scores []float32 // SentencePiece only
	Merges []string  // BPE only
	ids    map[string]int32
}

// add appends a token, unless it is there already, and returns its ID.
func (v *Vocab) add(text string, typ int32, score float32) int32 {
	if id, ok := v.ids[text]; ok {
		return id
	}
	id := int32(len(v.Tokens))
	v.Tokens = append(v.Tokens, text)
	v.Types = append(v.Types, typ)
	if v.Model == "llama" {
		v.Scores = append(v.Scores, score)
	}
	v.ids[text] = id
	return id
}

func byteEncoder() [256]rune {
	var enc [256]rune
	var direct [256]bool
	for _, r := range [][2]int{{'!', '~'}, {0xA1, 0xAC}, {0xAE, 0xFF}} {
		for b := r[0]; b <= r[1]; b++ {
			direct[b] = true
			enc[b] = rune(b)
		}
	}
	n := 0
	for b := 0; b < 256; b++ {
		if !direct[b] {
			enc[b] = rune(256 + n)
			n++
		}
	}
	return enc
}

var encoder = byteEncoder()

// Encode maps raw bytes to GPT-2's printable form.
func Encode(raw string) string {
	var sb strings.Builder
	for i := 0; i < len(raw); i++ {
		sb.WriteRune(encoder[raw[i]])
	}
	return sb.String()
}

// NewVocab builds the vocabulary, padded with unused tokens to size when size is larger.
func NewVocab(size int) *Vocab {
	v := &Vocab{Model: "gpt2", ids: map[string]int32{}}
	add := func(text string, typ int32) { v.add(text, typ, 0) }
	for _, s := range specials {
		add(s, typeControl)
	}
	for b := 0; b < 256; b++ {
		add(string(encoder[b]), typeNormal)
	}
	merged := map[string]bool{}
	list := words
	if size >= realVocab {
		list = append(append([]string(nil), words...), corpusWords()...)
	}
	for _, w := range list {
		syms := []rune(Encode(w))
		cur := string(syms[0])
		for _, r := range syms[1:] {
			m := cur + " " + string(r)
			if !merged[m] {
				merged[m] = true
				v.Merges = append(v.Merges, m)
			}
			cur += string(r)
			add(cur, typeNormal)
		}
	}
	if size > 0 && len(v.Tokens) > size {
		panic(fmt.Sprintf("tinymodel: the vocabulary needs %d tokens, more than %d", len(v.Tokens), size))
	}
	for i := len(v.Tokens); i < size; i++ {
		add(fmt.Sprintf("<unused%d>", i), typeNormal)
	}
	return v
}

// ID returns the token of a raw piece of text (or of a single byte).
func (v *Vocab) ID(raw string) (int32, bool) {
	if v.Model == "llama" {
		return v.spmID(raw)
	}
	if id, ok := v.ids[raw]; ok && v.Types[id] == typeControl {
		return id, true
	}
	id, ok := v.ids[Encode(raw)]
	return id, ok
}

// realVocab is the size from which a vocabulary counts as a real model's and gets the corpus words.
const realVocab = 8192

// corpusWords are the words of the corpus with the space before them, as GPT-2's pre-tokenizer cuts them.
func corpusWords() []string {
	var out []string
	seen := map[string]bool{}
	for _, text := range []string{CorpusEnglish, CorpusKorean} {
		for _, f := range strings.Fields(text) {
			w := " " + strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if len(w) > 2 && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
