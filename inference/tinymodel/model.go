// Package tinymodel writes small GGUF models for tests and benchmarks: random weights in the Gugugo architectures
// (gptneox for the 1.3B, llama for the 7B), or a scripted model whose greedy output is a chosen token sequence.
// Each architecture has its model's kind of vocabulary, covering Korean and the </끝> marker: byte-level BPE for
// gptneox, SentencePiece with byte fallback for llama; so the engine's whole path (tokenizer, decode, stop marker,
// UTF-8 assembly) runs for real.
package tinymodel

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// Shape is a model's size.
type Shape struct {
	Embd, Layers, Heads, FFN, Context int
	RotaryPct                         float64 // gptneox: share of each head that is rotated
	Vocab                             int     // 0: the vocabulary's natural size
}

// Shapes that `gugugo dev tiny-model --shape` offers.
var Shapes = map[string]Shape{
	"tiny":        {Embd: 128, Layers: 2, Heads: 4, FFN: 256, Context: 2048, RotaryPct: 0.5},
	"probe":       {Embd: 64, Layers: 1, Heads: 2, FFN: 128, Context: 256, RotaryPct: 0.5}, // inference's GPU plugin probe
	"gugugo-1.3b": {Embd: 2048, Layers: 24, Heads: 16, FFN: 8192, Context: 2048, RotaryPct: 0.5, Vocab: 30080},
	"gugugo-7b":   {Embd: 4096, Layers: 32, Heads: 32, FFN: 11008, Context: 2048, Vocab: 46336}, // llama: build on Llama-2's vocabulary (SPMVocabFile)
}

// Options describe a model to write.
type Options struct {
	Arch  string // "gptneox" or "llama"
	Shape Shape
	Type  gguf.TensorType // of the 2-D weights; norms and biases stay f32
	Seed  uint64
	// Script, when set, replaces the random weights (see Script). Shape is then derived from the vocabulary.
	Script *Script
	// Echo, when set, replaces the random weights with a model that answers with whichever of these words (tokens
	// of the vocabulary) its context holds most often, again and again: an answer that depends on the input, with
	// wide logit margins. Shape is then derived from the vocabulary.
	Echo []string
	// Vocab replaces the architecture's own test vocabulary (GPT-2 BPE for gptneox, SentencePiece for llama).
	Vocab *Vocab
}

// Script makes a model whose greedy continuation after the token After is Pieces, in order. Each piece must be one
// token of the vocabulary (a word of the word list, a single byte, or a special token such as "<|endoftext|>").
// After the last piece it continues at Pieces[LoopTo] when LoopTo >= 0; otherwise, like every token outside the
// chain, it is followed by end-of-sequence.
// The model is a bigram table: one-hot embeddings, attention and MLP outputs zeroed, so the residual stream carries
// the current token to an output matrix that names its successor with a wide logit margin.
type Script struct {
	After  string
	Pieces []string
	LoopTo int
}

// Write writes the model to path.
func Write(path string, o Options) error {
	if o.Arch != "gptneox" && o.Arch != "llama" {
		return fmt.Errorf("unknown architecture %q (want gptneox or llama)", o.Arch)
	}
	vocab := o.Vocab
	switch {
	case vocab != nil:
	case o.Arch == "llama":
		vocab = NewSPMVocab(nil, o.Shape.Vocab)
	default:
		vocab = NewVocab(o.Shape.Vocab)
	}
	var next map[int32]int32
	var echo []int32
	for _, w := range o.Echo {
		id, ok := vocab.ID(w)
		if !ok {
			return fmt.Errorf("echo word %q is not a token of the test vocabulary", w)
		}
		echo = append(echo, id)
	}
	if o.Script != nil || echo != nil {
		if o.Script != nil {
			var err error
			if next, err = o.Script.successors(vocab); err != nil {
				return err
			}
		}
		n := (len(vocab.Tokens) + 63) / 64 * 64
		o.Shape = Shape{Embd: n, Layers: 1, Heads: n / 64, FFN: 64, Context: 2048, RotaryPct: 0.5}
	}
	s := o.Shape
	nVocab := len(vocab.Tokens)
	headDim := s.Embd / s.Heads
	a := o.Arch

	w := &gguf.Writer{}
	w.String("general.architecture", a)
	w.String("general.name", "gugugo-test-"+a)
	w.Uint32("general.alignment", gguf.Alignment)
	w.Uint32("general.file_type", o.Type.FileType())
	w.Uint32(a+".context_length", uint32(s.Context))
	w.Uint32(a+".embedding_length", uint32(s.Embd))
	w.Uint32(a+".block_count", uint32(s.Layers))
	w.Uint32(a+".feed_forward_length", uint32(s.FFN))
	w.Uint32(a+".attention.head_count", uint32(s.Heads))
	if a == "gptneox" {
		w.Uint32(a+".rope.dimension_count", uint32(float64(headDim)*s.RotaryPct))
		w.Bool(a+".use_parallel_residual", true)
		w.Float32(a+".attention.layer_norm_epsilon", 1e-5)
	} else {
		w.Uint32(a+".attention.head_count_kv", uint32(s.Heads))
		w.Uint32(a+".rope.dimension_count", uint32(headDim))
		w.Float32(a+".attention.layer_norm_rms_epsilon", 1e-5)
	}
	w.String("tokenizer.ggml.model", vocab.Model)
	if vocab.Model == "gpt2" {
		w.String("tokenizer.ggml.pre", "gpt-2")
	}
	w.Strings("tokenizer.ggml.tokens", vocab.Tokens)
	w.Int32s("tokenizer.ggml.token_type", vocab.Types)
	if vocab.Model == "llama" { // as Llama-2's GGUF files have it
		w.Float32s("tokenizer.ggml.scores", vocab.Scores)
		w.Uint32("tokenizer.ggml.bos_token_id", SPMBOS)
		w.Uint32("tokenizer.ggml.eos_token_id", SPMEOS)
		w.Uint32("tokenizer.ggml.unknown_token_id", SPMUnknown)
		w.Bool("tokenizer.ggml.add_bos_token", true)
		w.Bool("tokenizer.ggml.add_eos_token", false)
	} else {
		w.Strings("tokenizer.ggml.merges", vocab.Merges)
		w.Uint32("tokenizer.ggml.bos_token_id", BOS)
		w.Uint32("tokenizer.ggml.eos_token_id", EOS)
		w.Bool("tokenizer.ggml.add_bos_token", false)
	}

	shapes := map[string][]uint64{}
	tensor := func(name string, shape ...int) error {
		dims := make([]uint64, len(shape))
		for i, d := range shape {
			dims[i] = uint64(d)
		}
		shapes[name] = dims
		typ := o.Type
		if len(shape) == 1 {
			typ = gguf.F32
		}
		return w.Tensor(name, dims, typ)
	}
	var shapeErr error
	add := func(name string, shape ...int) {
		if err := tensor(name, shape...); err != nil && shapeErr == nil {
			shapeErr = err
		}
	}
	add("token_embd.weight", s.Embd, nVocab)
	add("output_norm.weight", s.Embd)
	if a == "gptneox" {
		add("output_norm.bias", s.Embd)
	}
	add("output.weight", s.Embd, nVocab)
	for i := 0; i < s.Layers; i++ {
		p := fmt.Sprintf("blk.%d.", i)
		add(p+"attn_norm.weight", s.Embd)
		add(p+"ffn_norm.weight", s.Embd)
		add(p+"attn_output.weight", s.Embd, s.Embd)
		add(p+"ffn_up.weight", s.Embd, s.FFN)
		add(p+"ffn_down.weight", s.FFN, s.Embd)
		if a == "gptneox" {
			add(p+"attn_norm.bias", s.Embd)
			add(p+"ffn_norm.bias", s.Embd)
			add(p+"attn_qkv.weight", s.Embd, 3*s.Embd)
			add(p+"attn_qkv.bias", 3*s.Embd)
			add(p+"attn_output.bias", s.Embd)
			add(p+"ffn_up.bias", s.FFN)
			add(p+"ffn_down.bias", s.Embd)
		} else {
			add(p+"attn_q.weight", s.Embd, s.Embd)
			add(p+"attn_k.weight", s.Embd, s.Embd)
			add(p+"attn_v.weight", s.Embd, s.Embd)
			add(p+"ffn_gate.weight", s.Embd, s.FFN)
		}
	}

	if shapeErr != nil {
		return shapeErr
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	var data func(name string) ([]float32, error)
	switch {
	case echo != nil:
		data = echoTensors(shapes, echo)
	case o.Script != nil:
		data = scriptedTensors(shapes, next, nVocab)
	default:
		data = randomTensors(shapes, rng)
	}
	if err := w.Write(f, data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// count is the number of elements of a tensor of this shape.
func count[T int | uint64](shape []T) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

func isNorm(name string) bool {
	return strings.HasSuffix(name, "norm.weight")
}

// randomTensors gives norms a weight of 1 and everything else small uniform noise, enough to make llama.cpp do all
// of its real work.
func randomTensors(shapes map[string][]uint64, rng *rand.Rand) func(string) ([]float32, error) {
	var buf []float32
	return func(name string) ([]float32, error) {
		n := count(shapes[name])
		if cap(buf) < n {
			buf = make([]float32, n)
		}
		v := buf[:n]
		if isNorm(name) {
			for i := range v {
				v[i] = 1
			}
			return v, nil
		}
		scale := float32(0.05)
		if len(shapes[name]) == 1 {
			scale = 0.01
		}
		for i := range v {
			v[i] = (float32(rng.Uint32()>>8)/(1<<24)*2 - 1) * scale
		}
		return v, nil
	}
}

func scriptedTensors(shapes map[string][]uint64, next map[int32]int32, nVocab int) func(string) ([]float32, error) {
	return func(name string) ([]float32, error) {
		shape := shapes[name]
		v := make([]float32, count(shape))
		switch {
		case isNorm(name):
			for i := range v {
				v[i] = 1
			}
		case name == "token_embd.weight":
			embd := int(shape[0])
			for t := 0; t < nVocab; t++ {
				v[t*embd+t] = 1
			}
		case name == "output.weight":
			// Row j is 1 at the tokens followed by j, minus the row's mean, so that neither LayerNorm's centring
			// nor RMSNorm changes which logit wins.
			embd := int(shape[0])
			preds := make([][]int, nVocab)
			for t := int32(0); t < int32(nVocab); t++ {
				succ, ok := next[t]
				if !ok {
					succ = EOS
				}
				preds[succ] = append(preds[succ], int(t))
			}
			for j, ps := range preds {
				if len(ps) == 0 {
					continue
				}
				mean := float32(len(ps)) / float32(embd)
				row := v[j*embd : (j+1)*embd]
				for i := range row {
					row[i] = -mean
				}
				for _, t := range ps {
					row[t] += 1
				}
			}
		}
		return v, nil
	}
}

func (s *Script) successors(v *Vocab) (map[int32]int32, error) {
	id := func(p string) (int32, error) {
		if t, ok := v.ID(p); ok {
			return t, nil
		}
		return 0, fmt.Errorf("script piece %q is not a token of the test vocabulary", p)
	}
	prev, err := id(s.After)
	if err != nil {
		return nil, err
	}
	next := map[int32]int32{}
	link := func(a, b int32) error {
		if old, ok := next[a]; ok && old != b {
			return fmt.Errorf("script: token %q is followed by two different tokens", v.Tokens[a])
		}
		next[a] = b
		return nil
	}
	ids := make([]int32, len(s.Pieces))
	for i, p := range s.Pieces {
		if ids[i], err = id(p); err != nil {
			return nil, err
		}
		if err := link(prev, ids[i]); err != nil {
			return nil, err
		}
		prev = ids[i]
	}
	if s.LoopTo >= 0 && s.LoopTo < len(ids) {
		if err := link(prev, ids[s.LoopTo]); err != nil {
			return nil, err
		}
	}
	return next, nil
}

// echoTensors make the Echo model: one-hot embeddings; attention with zero queries and keys, so that it averages
// over the whole context, and values that keep only the echo words' dimensions, so that its output is their
// histogram; an output matrix that reads those dimensions (amplified by gain) as the echo words' logits. Every
// other token's logit stays at zero, below the most frequent echo word's.
func echoTensors(shapes map[string][]uint64, words []int32) func(string) ([]float32, error) {
	const gain = 50
	return func(name string) ([]float32, error) {
		shape := shapes[name]
		v := make([]float32, count(shape))
		embd := int(shape[0])
		switch {
		case isNorm(name):
			for i := range v {
				v[i] = 1
			}
		case name == "token_embd.weight":
			for t := 0; t < int(shape[1]); t++ {
				v[t*embd+t] = 1
			}
		case strings.HasSuffix(name, "attn_qkv.weight"): // rows: Q, then K, then V
			for _, w := range words {
				v[(2*embd+int(w))*embd+int(w)] = 1
			}
		case strings.HasSuffix(name, "attn_v.weight"):
			for _, w := range words {
				v[int(w)*embd+int(w)] = 1
			}
		case strings.HasSuffix(name, "attn_output.weight"):
			for _, w := range words {
				v[int(w)*embd+int(w)] = gain
			}
		case name == "output.weight":
			for _, w := range words {
				v[int(w)*embd+int(w)] = 1
			}
		}
		return v, nil
	}
}
