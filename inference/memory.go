package inference

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// Memory is what a model needs on a GPU, worked out from its GGUF header the way llama.cpp places it: each
// offloaded layer's weights and its part of the KV cache, the output layer once every layer is offloaded, and a
// compute buffer. The token embeddings stay in system memory (llama.cpp looks them up on the CPU).
type Memory struct {
	LayerWeights []uint64 // bytes of each layer's weights
	Output       uint64   // the output norm and matrix
	KVPerToken   uint64   // bytes of one token in one layer's f16 KV cache
	Compute      uint64   // the compute buffer for a prompt batch
	Context      int      // the KV cache's tokens
}

// promptBatch is the most tokens llama.cpp computes at once for a prompt (never more than the context), which
// sizes the compute buffer.
const promptBatch = 512

// MemoryOf reads what the model in info needs with a KV cache of context tokens.
func MemoryOf(info *gguf.Info, context int) (Memory, error) {
	arch := info.Architecture()
	layers, ok := uintMeta(info, arch+".block_count")
	if !ok || layers == 0 || layers > 1024 {
		return Memory{}, fmt.Errorf("the model's header has no valid %s.block_count", arch)
	}
	embd, _ := uintMeta(info, arch+".embedding_length")
	ffn, _ := uintMeta(info, arch+".feed_forward_length")
	heads, _ := uintMeta(info, arch+".attention.head_count")
	kvHeads, _ := uintMeta(info, arch+".attention.head_count_kv")
	m := Memory{LayerWeights: make([]uint64, layers), Context: context}
	var vocab uint64
	for _, t := range info.TensorInfos {
		switch {
		case strings.HasPrefix(t.Name, "blk."):
			n, err := strconv.Atoi(strings.SplitN(t.Name, ".", 3)[1])
			if err != nil || n < 0 || n >= len(m.LayerWeights) {
				return Memory{}, fmt.Errorf("the model's tensor %s belongs to no layer of %d", t.Name, layers)
			}
			m.LayerWeights[n] += t.Size
		case strings.HasPrefix(t.Name, "output"):
			m.Output += t.Size
		case t.Name == "token_embd.weight" && len(t.Dims) == 2:
			vocab = t.Dims[1]
		}
	}
	m.KVPerToken = 2 * 2 * kvWidth(embd, heads, kvHeads) // keys and values, f16
	m.Compute = computeBuffer(context, vocab, ffn, embd)
	return m, nil
}

// kvWidth is the width of a layer's keys (and of its values): fewer heads than the queries with grouped-query
// attention.
func kvWidth(embd, heads, kvHeads uint64) uint64 {
	if heads == 0 || kvHeads == 0 {
		return embd
	}
	return embd / heads * kvHeads
}

func uintMeta(info *gguf.Info, key string) (uint64, bool) {
	switch v := info.Metadata[key].(type) {
	case uint32:
		return uint64(v), true
	case uint64:
		return v, true
	case int32:
		return uint64(max(v, 0)), v >= 0
	}
	return 0, false
}

// Layers is the number of layers.
func (m Memory) Layers() int { return len(m.LayerWeights) }

// Need is the GPU memory for n layers on the GPU: llama.cpp offloads the last n and the output layer (0: none of it,
// the model runs on the CPU).
func (m Memory) Need(n int) uint64 {
	n = min(max(n, 0), m.Layers())
	if n == 0 {
		return 0
	}
	need := m.Compute + m.Output
	for _, w := range m.LayerWeights[m.Layers()-n:] {
		need += w + m.KVPerToken*uint64(m.Context)
	}
	return need
}

// Total is the GPU memory for the whole model.
func (m Memory) Total() uint64 { return m.Need(m.Layers()) }

// LayersThatFit is how many layers fit in free bytes, keeping a margin for the driver and other programs.
func (m Memory) LayersThatFit(free uint64) int {
	budget := free - min(free, gpuMargin(free))
	for n := m.Layers(); n > 0; n-- {
		if m.Need(n) <= budget {
			return n
		}
	}
	return 0
}

// gpuMargin is the free memory left alone: 300 MiB or 5%, whichever is more.
func gpuMargin(free uint64) uint64 { return max(300<<20, free/20) }

// Shape is a model's architecture in numbers: enough to estimate its memory before its file is at hand.
type Shape struct {
	Arch    string `json:"arch"` // gptneox or llama
	Layers  int    `json:"layers"`
	Embd    int    `json:"embd"`
	FFN     int    `json:"ffn"`
	Vocab   int    `json:"vocab"`
	Heads   int    `json:"heads"`
	KVHeads int    `json:"kv_heads"` // 0: as many as Heads
}

// Params are the weights of one layer, of the token embeddings and of the output layer.
func (s Shape) Params() (layer, embeddings, output uint64) {
	e, f := uint64(s.Embd), uint64(s.FFN)
	kv := kvWidth(e, uint64(s.Heads), uint64(s.KVHeads))
	attn := 2*e*e + 2*e*kv // query and output, key and value
	if s.Arch == "gptneox" {
		layer = attn + 2*e*f + 3*e + 2*kv + f + 5*e // up and down; biases and two layer norms
	} else {
		layer = attn + 3*e*f + 2*e // gate, up and down; two RMS norms
	}
	return layer, uint64(s.Vocab) * e, uint64(s.Vocab)*e + 2*e
}

// EstimateMemory is Memory for a model of this shape whose file has fileBytes of weights (their average width is
// taken from it) with a cache of context tokens: the figure MemoryOf reads from the file itself, within the
// difference between the layers' and the embeddings' quantization.
func EstimateMemory(s Shape, fileBytes uint64, context int) Memory {
	layer, embd, output := s.Params()
	params := uint64(s.Layers)*layer + embd + output
	if params == 0 {
		return Memory{Context: context}
	}
	perWeight := float64(fileBytes) / float64(params)
	m := Memory{LayerWeights: make([]uint64, s.Layers), Output: uint64(float64(output) * perWeight), Context: context}
	for i := range m.LayerWeights {
		m.LayerWeights[i] = uint64(float64(layer) * perWeight)
	}
	m.KVPerToken = 2 * 2 * kvWidth(uint64(s.Embd), uint64(s.Heads), uint64(s.KVHeads))
	m.Compute = computeBuffer(context, uint64(s.Vocab), uint64(s.FFN), uint64(s.Embd))
	return m
}

// computeBuffer estimates llama.cpp's compute buffer for a prompt batch: its logits, and a feed-forward activation or
// two alongside the attention's (checked against llama.cpp's allocation in memory_test.go).
func computeBuffer(context int, vocab, ffn, embd uint64) uint64 {
	return 4 * uint64(min(promptBatch, context)) * (vocab + 2*ffn + 4*embd)
}

// BytesPerWeight is the average width of a weight of type t (f16, q8_0).
func BytesPerWeight(t string) float64 {
	if t == "q8_0" {
		return 34.0 / 32
	}
	return 2
}
