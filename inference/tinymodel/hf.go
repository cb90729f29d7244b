package tinymodel

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/convert"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// HFOptions describe a Hugging Face GPT-NeoX checkpoint folder to write, as Gugugo-1.3B is published: config.json,
// tokenizer.json and safetensors weights.
type HFOptions struct {
	Shape Shape
	Seed  uint64
	// DType of the stored weights: "F16" (as the real checkpoint), "BF16" or "F32".
	DType string
	// Shards > 1 splits the weights into that many files with a model.safetensors.index.json.
	Shards int
	// Buffers adds what older GPT-NeoX checkpoints also store: each layer's causal mask attention.bias (BOOL),
	// attention.masked_bias and rotary_emb.inv_freq; a converter must skip them.
	Buffers bool
	// Std is the spread of the random weights (0.02, transformers' initializer_range, when 0). Layer norms get
	// weights near 1 and every bias is non-zero, so a converter that drops or misplaces one is caught.
	Std float64
}

// WriteHF writes a random GPT-NeoX checkpoint into dir. Its tokenizer is the test vocabulary as a ByteLevel BPE
// tokenizer.json laid out like polyglot-ko's; config.json's vocab_size is larger than the tokenizer, as the real one
// (30,080 against 30,003 tokens), so a converter must pad.
func WriteHF(dir string, o HFOptions) error {
	s := o.Shape
	if o.DType == "" {
		o.DType = "F16"
	}
	if o.Std == 0 {
		o.Std = 0.02
	}
	size := 0
	if s.Vocab >= realVocab {
		size = realVocab
	}
	vocab := NewVocab(size)
	nVocab := s.Vocab
	if nVocab <= len(vocab.Tokens) {
		nVocab = (len(vocab.Tokens) + 64) / 64 * 64
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := convert.Config{Architectures: []string{"GPTNeoXForCausalLM"}, ModelType: "gpt_neox", HiddenSize: s.Embd,
		NumHiddenLayers: s.Layers, NumAttentionHeads: s.Heads, IntermediateSize: s.FFN, MaxPositionEmbeddings: s.Context,
		RotaryPct: s.RotaryPct, RotaryEmbBase: 10000, VocabSize: nVocab, UseParallelResidual: true, LayerNormEps: 1e-5,
		BOSTokenID: BOS, EOSTokenID: EOS, HiddenAct: "gelu", TorchDType: "float16", InitializerRange: 0.02}
	if err := writeJSON(filepath.Join(dir, "config.json"), cfg); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "tokenizer.json"), vocab.tokenizerJSON()); err != nil {
		return err
	}

	type tensor struct {
		name  string
		shape []int
	}
	var ts []tensor
	add := func(name string, shape ...int) { ts = append(ts, tensor{name, append([]int{}, shape...)}) } // a scalar's shape is [], not null
	add("gpt_neox.embed_in.weight", nVocab, s.Embd)
	for i := 0; i < s.Layers; i++ {
		p := fmt.Sprintf("gpt_neox.layers.%d.", i)
		add(p+"input_layernorm.weight", s.Embd)
		add(p+"input_layernorm.bias", s.Embd)
		add(p+"post_attention_layernorm.weight", s.Embd)
		add(p+"post_attention_layernorm.bias", s.Embd)
		add(p+"attention.query_key_value.weight", 3*s.Embd, s.Embd)
		add(p+"attention.query_key_value.bias", 3*s.Embd)
		add(p+"attention.dense.weight", s.Embd, s.Embd)
		add(p+"attention.dense.bias", s.Embd)
		add(p+"mlp.dense_h_to_4h.weight", s.FFN, s.Embd)
		add(p+"mlp.dense_h_to_4h.bias", s.FFN)
		add(p+"mlp.dense_4h_to_h.weight", s.Embd, s.FFN)
		add(p+"mlp.dense_4h_to_h.bias", s.Embd)
		if o.Buffers {
			add(p+"attention.bias", 1, 1, 64, 64)
			add(p + "attention.masked_bias")
			add(p+"attention.rotary_emb.inv_freq", int(float64(s.Embd/s.Heads)*s.RotaryPct)/2)
		}
	}
	add("gpt_neox.final_layer_norm.weight", s.Embd)
	add("gpt_neox.final_layer_norm.bias", s.Embd)
	add("embed_out.weight", nVocab, s.Embd)

	rng := rand.New(rand.NewPCG(o.Seed, 0x2545f4914f6cdd1d))
	values := func(t tensor) []float32 {
		v := make([]float32, count(t.shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * o.Std)
			if len(t.shape) == 1 && isLayerNormWeight(t.name) {
				v[i] = 1 + float32(rng.NormFloat64()*0.1)
			}
		}
		return v
	}
	shards := max(o.Shards, 1)
	per := (len(ts) + shards - 1) / shards
	weightMap := map[string]string{}
	for k := 0; k < shards; k++ {
		part := ts[k*per : min((k+1)*per, len(ts))]
		name := "model.safetensors"
		if shards > 1 {
			name = fmt.Sprintf("model-%05d-of-%05d.safetensors", k+1, shards)
		}
		var st safetensorsWriter
		for _, t := range part {
			dtype := o.DType
			switch {
			case strings.HasSuffix(t.name, "attention.bias"):
				dtype = "BOOL"
			case strings.HasSuffix(t.name, "masked_bias") || strings.HasSuffix(t.name, "inv_freq"):
				dtype = "F32"
			}
			st.add(t.name, dtype, t.shape)
			weightMap[t.name] = name
		}
		if err := st.write(filepath.Join(dir, name), func(i int) []float32 { return values(part[i]) }); err != nil {
			return err
		}
	}
	if shards > 1 {
		return writeJSON(filepath.Join(dir, "model.safetensors.index.json"), map[string]any{"metadata": map[string]any{}, "weight_map": weightMap})
	}
	return nil
}

func isLayerNormWeight(name string) bool {
	return strings.HasSuffix(name, ".weight") && (strings.Contains(name, "layernorm") || strings.Contains(name, "layer_norm"))
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// tokenizerJSON is the vocabulary as a Hugging Face tokenizers file, laid out like polyglot-ko's: BPE with the
// special tokens as added tokens, a pre-tokenizer that splits off "ೱ" and then applies ByteLevel, ByteLevel decoding.
func (v *Vocab) tokenizerJSON() map[string]any {
	ids := map[string]int{}
	var added []map[string]any
	for i, t := range v.Tokens {
		ids[t] = i
		if v.Types[i] == typeControl {
			added = append(added, map[string]any{"id": i, "content": t, "single_word": false, "lstrip": false, "rstrip": false,
				"normalized": false, "special": true})
		}
	}
	return map[string]any{
		"version":      "1.0",
		"truncation":   nil,
		"padding":      nil,
		"added_tokens": added,
		"normalizer":   nil,
		"pre_tokenizer": map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"String": "ೱ"}, "behavior": "Removed", "invert": false},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
		}},
		"post_processor": nil,
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "byte_fallback": false, "vocab": ids, "merges": v.Merges},
	}
}

// safetensorsWriter writes a .safetensors file: an 8-byte header length, a JSON header of names, dtypes, shapes and
// byte ranges, then the tensors' bytes, written one tensor at a time.
type safetensorsWriter struct {
	names  []string
	dtypes []string
	shapes [][]int
}

func (w *safetensorsWriter) add(name, dtype string, shape []int) {
	w.names = append(w.names, name)
	w.dtypes = append(w.dtypes, dtype)
	w.shapes = append(w.shapes, shape)
}

func dtypeSize(dtype string) int {
	switch dtype {
	case "F32":
		return 4
	case "BOOL":
		return 1
	}
	return 2
}

func (w *safetensorsWriter) write(path string, data func(i int) []float32) error {
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for i, name := range w.names {
		n := count(w.shapes[i]) * dtypeSize(w.dtypes[i])
		header[name] = map[string]any{"dtype": w.dtypes[i], "shape": w.shapes[i], "data_offsets": []int{off, off + n}}
		off += n
	}
	// encoding/json sorts map keys, as the safetensors library does.
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(f, 1<<20)
	binary.Write(out, binary.LittleEndian, uint64(len(h)))
	out.Write(h)
	var buf []byte
	for i := range w.names {
		buf = buf[:0]
		for _, x := range data(i) {
			switch w.dtypes[i] {
			case "BOOL":
				buf = append(buf, byte(int(x*1000)&1))
			case "F32":
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
			case "BF16":
				buf = binary.LittleEndian.AppendUint16(buf, uint16(math.Float32bits(x)>>16))
			default:
				buf = binary.LittleEndian.AppendUint16(buf, gguf.Float16(x))
			}
		}
		out.Write(buf)
	}
	if err := out.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
