package inference

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/llama"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// llamaBuffers sums the buffer sizes llama.cpp logged, in MiB, by kind: "model", "KV", "compute".
func llamaBuffers(log string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range regexp.MustCompile(`(model|KV|compute) buffer size = +([0-9.]+) MiB`).FindAllStringSubmatch(log, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		out[m[1]] += v
	}
	return out
}

const mib = 1 << 20

// The figure the GPU fit rests on, checked against what llama.cpp itself allocates for the same model and context
// (on the CPU, where the whole model and cache are in its buffers).
func TestMemoryMatchesWhatLlamaCppAllocates(t *testing.T) {
	for _, c := range []struct {
		arch string
		typ  gguf.TensorType
		ctx  int
	}{{"gptneox", gguf.F32, 512}, {"llama", gguf.Q8_0, 1024}, {"llama", gguf.F16, 256}} {
		t.Run(c.arch+"-"+c.typ.String(), func(t *testing.T) {
			path := model(t, "memory-"+c.arch+"-"+c.typ.String(), tinymodel.Options{Arch: c.arch, Shape: tinymodel.Shapes["tiny"], Type: c.typ, Seed: 3})
			header, err := gguf.ReadInfo(path)
			if err != nil {
				t.Fatal(err)
			}
			mem, err := MemoryOf(header, c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var weights uint64
			for _, ti := range header.TensorInfos {
				weights += ti.Size
			}
			llama.RecordLog(true)
			e := load(t, path, Options{Device: "cpu", ContextSize: c.ctx})
			got := llamaBuffers(llama.RecordedLog())
			llama.RecordLog(false)
			if got["model"] == 0 || got["KV"] == 0 || got["compute"] == 0 {
				t.Fatalf("llama.cpp logged no buffer sizes: %v", got)
			}
			if w := float64(weights) / mib; w < got["model"]-0.01 || w > got["model"]*1.01+0.01 {
				t.Errorf("weights %.2f MiB, llama.cpp's model buffer %.2f MiB", w, got["model"])
			}
			kv := float64(mem.KVPerToken*uint64(mem.Layers())*uint64(c.ctx)) / mib
			if kv < got["KV"]-0.01 || kv > got["KV"]+0.01 {
				t.Errorf("KV cache %.2f MiB, llama.cpp's %.2f MiB", kv, got["KV"])
			}
			// The compute buffer is an estimate of llama.cpp's graph allocator: within a factor of two.
			if comp := float64(mem.Compute) / mib; comp < got["compute"]/2 || comp > got["compute"]*2 {
				t.Errorf("compute %.2f MiB, llama.cpp's %.2f MiB", comp, got["compute"])
			}
			t.Logf("weights %.2f / %.2f MiB, KV %.2f / %.2f MiB, compute %.2f / %.2f MiB (ours / llama.cpp's)",
				float64(weights)/mib, got["model"], kv, got["KV"], float64(mem.Compute)/mib, got["compute"])
			if info := e.Info(); info.Layers != 2 || info.GPULayers != 0 {
				t.Errorf("on the CPU: %d of %d layers on a GPU", info.GPULayers, info.Layers)
			}
		})
	}
}

// gugugo7B is what MemoryOf read from a Q4_K_M of Gugugo-koen-7B's exact shape (32 layers of 4096, an 11,008-wide
// feed-forward, 46,336 tokens) with a 2,048-token cache, written by gugugo dev tiny-model and llama-quantize on an
// H100 machine (2026-12-06): 3,718.38 MiB of layers, 148.49 MiB of output layer. llama.cpp allocated 3,866.88 MiB
// of weights, 1,024 MiB of cache and 189.18 MiB of compute buffer on the GPU for it (docs/performance.md).
func gugugo7B() Memory {
	m := Memory{LayerWeights: make([]uint64, 32), Output: 155_703_050, KVPerToken: 2 * 2 * 4096, Context: 2048}
	for i := range m.LayerWeights {
		m.LayerWeights[i] = 3_899_004_027 / 32
	}
	m.Compute = computeBuffer(2048, 46336, 11008, 4096)
	return m
}

func TestLayersThatFit(t *testing.T) {
	m := gugugo7B()
	if total, llamaCpp := float64(m.Total())/mib, 3866.88+1024+189.18; total < 0.95*llamaCpp || total > llamaCpp {
		t.Errorf("the 7B needs %.0f MiB; llama.cpp allocated %.0f MiB for it on an H100", total, llamaCpp)
	}
	for _, c := range []struct {
		free uint64
		want int
	}{{8 << 30, 32}, {6 << 30, 32}, {200 * mib, 0}} {
		if got := m.LayersThatFit(c.free); got != c.want {
			t.Errorf("%d MiB free: %d layers fit, want %d", c.free/mib, got, c.want)
		}
	}
	for _, free := range []uint64{2 << 30, 3 << 30, 4 << 30, 5 << 30} {
		n := m.LayersThatFit(free)
		budget := free - gpuMargin(free)
		if n <= 0 || n >= 32 || m.Need(n) > budget || m.Need(n+1) <= budget {
			t.Errorf("%d GiB free: %d layers, needing %d MiB of %d MiB", free>>30, n, m.Need(n)/mib, budget/mib)
		}
	}
}

func TestFitLayersSaysWhatRunsWhere(t *testing.T) {
	m := gugugo7B()
	gpu := llama.Device{Name: "CUDA0", Description: "Test GPU", FreeMemory: 80 << 30}
	if n, note := fitLayers(m, -1, gpu, 0); n != 32 || note != "" {
		t.Errorf("80 GB free: %d layers, %q", n, note)
	}
	if n, note := fitLayers(m, 10, gpu, 0); n != 10 || note != "" {
		t.Errorf("10 layers asked for: %d, %q", n, note)
	}
	n, note := fitLayers(m, -1, gpu, 3e9)
	if n <= 0 || n >= 32 || !strings.Contains(note, "needs 5.3 GB of GPU memory and Test GPU has 3.0 GB to give, so "+strconv.Itoa(n)+" of its 32 layers run on the GPU") {
		t.Errorf("3 GB: %d layers, %q", n, note)
	}
	if n, note := fitLayers(m, -1, gpu, 100*mib); n != 0 || !strings.Contains(note, "so it runs on the CPU") {
		t.Errorf("100 MB: %d layers, %q", n, note)
	}
	if n, _ := fitLayers(m, -1, llama.Device{Description: "a GPU that does not say"}, 0); n != 32 {
		t.Errorf("unknown free memory: %d layers", n)
	}
}

// The catalogue's figure, estimated from a model's shape and file size before it is downloaded, is the one the
// loader reads from the file.
func TestEstimateAgreesWithTheFile(t *testing.T) {
	for _, c := range []struct {
		arch string
		typ  gguf.TensorType
	}{{"gptneox", gguf.Q8_0}, {"llama", gguf.F16}} {
		s := tinymodel.Shapes["tiny"]
		path := model(t, "estimate-"+c.arch+"-"+c.typ.String(), tinymodel.Options{Arch: c.arch, Shape: s, Type: c.typ, Seed: 5})
		header, err := gguf.ReadInfo(path)
		if err != nil {
			t.Fatal(err)
		}
		var fileBytes uint64
		var vocab int
		for _, ti := range header.TensorInfos {
			fileBytes += ti.Size
			if ti.Name == "token_embd.weight" {
				vocab = int(ti.Dims[1])
			}
		}
		read, err := MemoryOf(header, 2048)
		if err != nil {
			t.Fatal(err)
		}
		est := EstimateMemory(Shape{Arch: c.arch, Layers: s.Layers, Embd: s.Embd, FFN: s.FFN, Vocab: vocab, Heads: s.Heads}, fileBytes, 2048)
		// The norms and biases stay f32 in a quantized file, which the estimate spreads over all weights.
		if r, e := float64(read.Total()), float64(est.Total()); e < 0.9*r || e > 1.1*r {
			t.Errorf("%s %s: estimated %.2f MiB, read %.2f MiB", c.arch, c.typ, e/mib, r/mib)
		}
	}
}

// The layers that fit are what Load hands llama.cpp as its GPU layers. Without a GPU here, this shows that a model
// loaded with only some of its layers offloaded (1 of 2) runs; the offload itself ran on an H100 (docs/performance.md).
func TestPartialOffloadLoadsAndTranslates(t *testing.T) {
	path := randomModel(t, "llama")
	m, lctx, err := loadOn(path, 1, -1, 512, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{turn: make(chan struct{}, 1), model: m, lctx: lctx, info: ModelInfo{ContextSize: lctx.Size(), Layers: m.Layers(), GPULayers: 1}}
	t.Cleanup(e.Close)
	if res, _ := translate(t, e, Request{Text: "안녕하세요", Direction: KoreanToEnglish, MaxTokens: 8}); res.GeneratedTokens != 8 {
		t.Errorf("%d tokens", res.GeneratedTokens)
	}
}
