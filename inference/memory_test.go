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
// H100 machine: 3,718.38 MiB of layers, 148.49 MiB of output layer. llama.cpp allocated 3,866.88 MiB of weights,
// 1,024 MiB of cache and 189.18 MiB of compute buffer on the GPU for it (docs/performance.md).
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
	if k, note := fitLayers(m, -1, gpu, 0); k != -1 || note != "" {
		t.Errorf("80 GB free: n_gpu_layers %d, %q", k, note)
	}
	if k, note := fitLayers(m, 10, gpu, 0); k != 10 || note != "" {
		t.Errorf("10 layers asked for: %d, %q", k, note)
	}
	k, note := fitLayers(m, -1, gpu, 3e9)
	if n := blocksOnGPU(k, 32); n <= 0 || n >= 32 || k != n+1 ||
		!strings.Contains(note, "needs 5.3 GB of GPU memory and Test GPU has 3.0 GB to give, so "+strconv.Itoa(n)+" of its 32 layers run on the GPU") {
		t.Errorf("3 GB: n_gpu_layers %d, %q", k, note)
	}
	if k, note := fitLayers(m, -1, gpu, 100*mib); k != 0 || !strings.Contains(note, "so it runs on the CPU") {
		t.Errorf("100 MB: %d, %q", k, note)
	}
	silent := llama.Device{Description: "a GPU that does not say"}
	if k, _ := fitLayers(m, -1, silent, 0); k != -1 {
		t.Errorf("unknown free memory: %d", k)
	}
	if k, note := fitLayers(m, -1, silent, 3e9); k <= 1 || k > 32 || note == "" {
		t.Errorf("unknown free memory, a 3 GB cap: %d, %q", k, note)
	}
}

// llama.cpp counts the output layer as one of n_gpu_layers and offloads the last layers (llama-model.cpp,
// i_gpu_start = n_layer + 1 - n_gpu_layers).
func TestBlocksOnGPU(t *testing.T) {
	for k, want := range map[int]int{-1: 32, 40: 32, 33: 32, 32: 31, 17: 16, 1: 0, 0: 0} {
		if got := blocksOnGPU(k, 32); got != want {
			t.Errorf("n_gpu_layers %d: %d layers on the GPU, want %d", k, got, want)
		}
	}
}
