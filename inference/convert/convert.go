// Package convert turns a Hugging Face GPT-NeoX checkpoint (Gugugo-koen-1.3B's config.json, tokenizer.json and
// safetensors) into a GGUF file that llama.cpp runs, without Python. Tensors are read, converted and written one at
// a time, so a 2.66 GB model never sits in memory twice.
package convert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// Options of a conversion.
type Options struct {
	// Type of the weight matrices: gguf.F16 (as published), gguf.Q8_0 (half the size) or gguf.F32.
	Type gguf.TensorType
	// Name is general.name; the folder's name when "".
	Name string
	// Progress, when set, gets the bytes of the checkpoint converted so far and their total.
	Progress func(done, total int64)
}

// Config is the part of a Hugging Face GPT-NeoX config.json the converter reads.
type Config struct {
	Architectures         []string `json:"architectures"`
	ModelType             string   `json:"model_type"`
	HiddenSize            int      `json:"hidden_size"`
	NumHiddenLayers       int      `json:"num_hidden_layers"`
	NumAttentionHeads     int      `json:"num_attention_heads"`
	IntermediateSize      int      `json:"intermediate_size"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	RotaryPct             float64  `json:"rotary_pct"`
	RotaryEmbBase         float64  `json:"rotary_emb_base"`
	VocabSize             int      `json:"vocab_size"`
	UseParallelResidual   bool     `json:"use_parallel_residual"`
	LayerNormEps          float64  `json:"layer_norm_eps"`
	BOSTokenID            int      `json:"bos_token_id"`
	EOSTokenID            int      `json:"eos_token_id"`
	HiddenAct             string   `json:"hidden_act"`
	TieWordEmbeddings     bool     `json:"tie_word_embeddings"`
	TorchDType            string   `json:"torch_dtype"`
	InitializerRange      float64  `json:"initializer_range"`
}

// ErrLlama explains that Llama checkpoints (Gugugo-7B) are not converted here.
var ErrLlama = errors.New("this is a Llama checkpoint (like Gugugo-koen-7B); gugugo converts GPT-NeoX checkpoints " +
	"(Gugugo-koen-1.3B) only: download the 7B as GGUF with `gugugo model pull gugugo-7b`")

// Convert writes the GGUF of the checkpoint in dir to out. out appears only when complete; cancelling ctx stops
// it between two tensors and leaves nothing behind.
func Convert(ctx context.Context, dir, out string, o Options) error {
	var cfg Config
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return fmt.Errorf("%s is not a Hugging Face checkpoint folder: %w", dir, err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("%s is not a Hugging Face model configuration (a JSON object is expected): %w", filepath.Join(dir, "config.json"), err)
	}
	switch {
	case slices.Contains(cfg.Architectures, "LlamaForCausalLM") || cfg.ModelType == "llama":
		return ErrLlama
	case !slices.Contains(cfg.Architectures, "GPTNeoXForCausalLM") && cfg.ModelType != "gpt_neox":
		return fmt.Errorf("config.json names %v (%s); gugugo converts GPTNeoXForCausalLM checkpoints only", cfg.Architectures, cfg.ModelType)
	case cfg.HiddenSize <= 0 || cfg.NumAttentionHeads <= 0 || cfg.HiddenSize%cfg.NumAttentionHeads != 0 || cfg.NumHiddenLayers <= 0:
		return fmt.Errorf("config.json: impossible shape (hidden %d, heads %d, layers %d)", cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers)
	case cfg.TieWordEmbeddings:
		return errors.New("config.json: tied word embeddings are not supported for GPT-NeoX")
	}
	if cfg.HiddenAct != "" && cfg.HiddenAct != "gelu" {
		return fmt.Errorf("config.json: activation %q; llama.cpp's GPT-NeoX uses gelu", cfg.HiddenAct)
	}
	if cfg.RotaryEmbBase == 0 {
		cfg.RotaryEmbBase = 10000
	}
	if cfg.LayerNormEps == 0 {
		cfg.LayerNormEps = 1e-5
	}
	ck, err := OpenCheckpoint(dir)
	if err != nil {
		return err
	}
	vocab, err := readTokenizer(filepath.Join(dir, "tokenizer.json"), cfg.VocabSize)
	if err != nil {
		return err
	}
	if len(vocab.tokens) != cfg.VocabSize {
		return fmt.Errorf("tokenizer.json has %d tokens, more than config.json's vocab_size %d", len(vocab.tokens), cfg.VocabSize)
	}
	if o.Name == "" {
		o.Name = filepath.Base(filepath.Clean(dir))
	}

	E, H, L := cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumHiddenLayers
	headDim := E / H
	w := &gguf.Writer{}
	const a = "gptneox"
	w.String("general.architecture", a)
	w.String("general.name", o.Name)
	w.Uint32("general.alignment", gguf.Alignment)
	w.Uint32("general.file_type", o.Type.FileType())
	w.Uint32(a+".context_length", uint32(cfg.MaxPositionEmbeddings))
	w.Uint32(a+".embedding_length", uint32(E))
	w.Uint32(a+".block_count", uint32(L))
	w.Uint32(a+".feed_forward_length", uint32(cfg.IntermediateSize))
	w.Uint32(a+".attention.head_count", uint32(H))
	w.Uint32(a+".rope.dimension_count", uint32(cfg.RotaryPct*float64(headDim)))
	w.Float32(a+".rope.freq_base", float32(cfg.RotaryEmbBase))
	w.Bool(a+".use_parallel_residual", cfg.UseParallelResidual)
	w.Float32(a+".attention.layer_norm_epsilon", float32(cfg.LayerNormEps))
	w.String("tokenizer.ggml.model", "gpt2")
	w.String("tokenizer.ggml.pre", vocab.pre)
	w.Strings("tokenizer.ggml.tokens", vocab.tokens)
	w.Int32s("tokenizer.ggml.token_type", vocab.types)
	w.Strings("tokenizer.ggml.merges", vocab.merges)
	w.Uint32("tokenizer.ggml.bos_token_id", uint32(cfg.BOSTokenID))
	w.Uint32("tokenizer.ggml.eos_token_id", uint32(cfg.EOSTokenID))
	w.Bool("tokenizer.ggml.add_bos_token", false)

	// GGUF name → checkpoint name, and the shape the checkpoint must have (rows, columns).
	type mapping struct {
		hf   string
		rows int
		cols int // 0 for vectors
		qkv  bool
	}
	var order []string
	maps := map[string]mapping{}
	add := func(name, hf string, rows, cols int) {
		order = append(order, name)
		maps[name] = mapping{hf: hf, rows: rows, cols: cols, qkv: strings.Contains(hf, "query_key_value")}
	}
	add("token_embd.weight", "gpt_neox.embed_in.weight", cfg.VocabSize, E)
	for i := 0; i < L; i++ {
		p, hp := fmt.Sprintf("blk.%d.", i), fmt.Sprintf("gpt_neox.layers.%d.", i)
		add(p+"attn_norm.weight", hp+"input_layernorm.weight", E, 0)
		add(p+"attn_norm.bias", hp+"input_layernorm.bias", E, 0)
		add(p+"attn_qkv.weight", hp+"attention.query_key_value.weight", 3*E, E)
		add(p+"attn_qkv.bias", hp+"attention.query_key_value.bias", 3*E, 0)
		add(p+"attn_output.weight", hp+"attention.dense.weight", E, E)
		add(p+"attn_output.bias", hp+"attention.dense.bias", E, 0)
		add(p+"ffn_norm.weight", hp+"post_attention_layernorm.weight", E, 0)
		add(p+"ffn_norm.bias", hp+"post_attention_layernorm.bias", E, 0)
		add(p+"ffn_up.weight", hp+"mlp.dense_h_to_4h.weight", cfg.IntermediateSize, E)
		add(p+"ffn_up.bias", hp+"mlp.dense_h_to_4h.bias", cfg.IntermediateSize, 0)
		add(p+"ffn_down.weight", hp+"mlp.dense_4h_to_h.weight", E, cfg.IntermediateSize)
		add(p+"ffn_down.bias", hp+"mlp.dense_4h_to_h.bias", E, 0)
	}
	add("output_norm.weight", "gpt_neox.final_layer_norm.weight", E, 0)
	add("output_norm.bias", "gpt_neox.final_layer_norm.bias", E, 0)
	add("output.weight", "embed_out.weight", cfg.VocabSize, E)

	for _, name := range order {
		m := maps[name]
		want := []int{m.rows}
		if m.cols > 0 {
			want = []int{m.rows, m.cols}
		}
		if got := ck.Shape(m.hf); !slices.Equal(got, want) {
			if got == nil {
				return fmt.Errorf("the checkpoint lacks %s", m.hf)
			}
			return fmt.Errorf("%s has shape %v, config.json implies %v", m.hf, got, want)
		}
		typ := gguf.F32 // norms and biases
		if m.cols > 0 {
			typ = o.Type
			if typ == gguf.Q8_0 && m.cols%32 != 0 {
				typ = gguf.F16
			}
		}
		// ggml lists dimensions fastest first: a (rows, cols) matrix is [cols, rows].
		dims := []uint64{uint64(m.rows)}
		if m.cols > 0 {
			dims = []uint64{uint64(m.cols), uint64(m.rows)}
		}
		if err := w.Tensor(name, dims, typ); err != nil {
			return err
		}
	}

	tmp := out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	var used []string
	for _, m := range maps {
		used = append(used, m.hf)
	}
	total, done := ck.bytes(used), int64(0)
	err = w.Write(f, func(name string) ([]float32, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m := maps[name]
		v, err := ck.Read(m.hf)
		if err != nil {
			return nil, err
		}
		if m.qkv {
			v = reorderQKV(v, H, headDim)
		}
		done += ck.tensors[m.hf].size
		if o.Progress != nil {
			o.Progress(done, total)
		}
		return v, nil
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, out)
}

// reorderQKV turns GPT-NeoX's fused QKV rows, grouped per head as (head, q|k|v, head_dim), into llama.cpp's
// [all Q; all K; all V]. A bias is a matrix of one column.
func reorderQKV(v []float32, heads, headDim int) []float32 {
	rows := 3 * heads * headDim
	cols := len(v) / rows
	out := make([]float32, len(v))
	for h := 0; h < heads; h++ {
		for j := 0; j < 3; j++ {
			for d := 0; d < headDim; d++ {
				src := ((h*3+j)*headDim + d) * cols
				dst := ((j*heads+h)*headDim + d) * cols
				copy(out[dst:dst+cols], v[src:src+cols])
			}
		}
	}
	return out
}
