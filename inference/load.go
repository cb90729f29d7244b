package inference

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// Architectures the Gugugo models use: gptneox (Gugugo-koen-1.3B) and llama (Gugugo-koen-7B).
var Architectures = []string{"gptneox", "llama"}

// Options configure loading.
type Options struct {
	GPULayers   int // layers to offload; negative (the default from DefaultOptions) offloads all
	ContextSize int // KV cache tokens; 0 uses the model's training context, at most 4096
	Threads     int // CPU threads; 0 uses the number of cores
	// Progress, when set, is called with the load progress in [0, 1].
	Progress func(float32)
	// Verbose lets llama.cpp's own log through to stderr.
	Verbose bool
	// Parallel is the number of sentences of a document decoded together; 0 sizes it to the free memory.
	Parallel int
	// Lanes is how many llama.cpp contexts, each driven by its own goroutine, share those sentences; 0 is 2 on a
	// GPU and 1 on the CPU.
	Lanes int
	// Device is where the model runs: "" for the GPU with the most free memory (the CPU without one), "cpu", or a
	// device's name from Devices (CUDA0, Vulkan0, ...).
	Device string
	// GPUMemory caps the GPU memory the model may take, in bytes; 0 takes what the device has free. Layers that do
	// not fit stay on the CPU.
	GPUMemory uint64
	// MapFile maps the model file instead of reading it (llama.LoadParams.Map): faster to load on machines where
	// filling fresh memory is slow, but the process then dies if the file is overwritten in place while loaded.
	MapFile bool
}

// DefaultOptions offload every layer to the GPU when there is one.
func DefaultOptions() Options { return Options{GPULayers: -1} }

// ModelInfo describes a loaded model.
type ModelInfo struct {
	Path        string
	Name        string
	Arch        string
	Description string // llama.cpp's summary, e.g. "gptneox 1.4B Q8_0"
	Device      string // what runs it: a GPU's name, or the CPU's
	DeviceName  string // ggml's name for it: CUDA0, Vulkan0, CPU
	// Fallback, when not empty, says in one sentence why the model is not where it was asked to be.
	Fallback string
	// GPUNotes, for a model on the CPU because no GPU could be used, say why each GPU plugin in lib/gpu/ is not.
	GPUNotes []string
	// Warning, when not empty, says in a sentence or two what is wrong with the model though it loaded.
	Warning string
	// GPULayers of the model's Layers are on the GPU (0 on the CPU); fewer than all when the rest did not fit.
	GPULayers   int
	Layers      int
	ContextSize int
	Threads     int
	Params      uint64
	Size        uint64
}

// CheckFile tells whether path looks like a model the engine can run, from its header alone.
func CheckFile(path string) (*gguf.Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("model file not found: %s", path)
		}
		return nil, fmt.Errorf("cannot read the model file: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a GGUF model file", path)
	}
	info, err := gguf.ReadArrays(path, "tokenizer.ggml.tokens")
	switch {
	case errors.Is(err, gguf.ErrNotGGUF):
		return nil, fmt.Errorf("%s: %w", path, ErrNotGGUF)
	case errors.Is(err, gguf.ErrTruncated):
		return nil, fmt.Errorf("%s is truncated: its GGUF header ends early (an interrupted download?)", path)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	arch := info.Architecture()
	if !slices.Contains(Architectures, arch) {
		return nil, fmt.Errorf("%s: %w %q (Gugugo models are %s)", path, ErrArch, arch, strings.Join(Architectures, " or "))
	}
	if err := checkVocabulary(info); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkHyperparameters(info); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// MinContext is the smallest context a model can translate in: a prompt, a short sentence and its translation.
const MinContext = 128

// checkHyperparameters refuses values that llama.cpp loads without checking and then asserts on in the first
// decode, ending the process (found by TestLoaderSurvivesBadHyperparameters against the real loader): a context
// too short for one prompt, a rotary width that is odd, zero or wider than a head, a negative or NaN epsilon.
func checkHyperparameters(info *gguf.Info) error {
	arch := info.Architecture()
	if n, ok := uintMeta(info, arch+".context_length"); ok && n != 0 && n < MinContext { // 0 means 2048 (ContextSize)
		return fmt.Errorf("a damaged header: its context length is %d tokens, too short to translate in (at least %d)", n, MinContext)
	}
	if rot, ok := uintMeta(info, arch+".rope.dimension_count"); ok {
		embd, _ := uintMeta(info, arch+".embedding_length")
		heads, _ := uintMeta(info, arch+".attention.head_count")
		if rot == 0 || rot%2 != 0 || heads > 0 && rot > embd/heads {
			return fmt.Errorf("a damaged header: its rotary embedding covers %d dimensions of each head (an even number, at most the head's width, is needed)", rot)
		}
	}
	for key, v := range info.Metadata {
		if eps, ok := v.(float32); ok && strings.HasSuffix(key, "epsilon") && !(eps >= 0) {
			return fmt.Errorf("a damaged header: %s is %v (it must be 0 or more)", key, eps)
		}
	}
	return nil
}

// checkVocabulary refuses what llama.cpp would not survive or no Gugugo model has: a tokenizer other than GPT-2's
// byte-level BPE (the 1.3B) or SentencePiece (the 7B), or a SentencePiece vocabulary without all its byte-fallback
// pieces, which llama.cpp looks up without checking (it aborts the process when one is missing).
func checkVocabulary(info *gguf.Info) error {
	switch tok, _ := info.Metadata["tokenizer.ggml.model"].(string); tok {
	case "gpt2":
		return nil
	case "llama":
		tokens, _ := info.Metadata["tokenizer.ggml.tokens"].([]string)
		have := map[string]bool{}
		for _, t := range tokens {
			have[t] = true
		}
		for b := 0; b < 256; b++ {
			if piece := fmt.Sprintf("<0x%02X>", b); !have[piece] {
				return fmt.Errorf("its SentencePiece vocabulary lacks the byte-fallback piece %s, which llama.cpp needs: a damaged file, or not a Gugugo model", piece)
			}
		}
		return nil
	case "":
		return errors.New("it has no tokenizer (its GGUF header lacks tokenizer.ggml.model)")
	default:
		return fmt.Errorf("%w %q (Gugugo models use gpt2 for the 1.3B and llama for the 7B)", ErrTokenizer, tok)
	}
}

// Load loads a GGUF model. On a GPU it first works out what the model and its context need (MemoryOf): when that is
// more than the GPU has free, as many layers as fit go to the GPU and the rest run on the CPU.
func Load(path string, o Options) (*Engine, error) {
	header, err := CheckFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := OpenLibraries(); err != nil {
		return nil, err
	}
	llama.SetVerbose(o.Verbose)
	var progress func(float32) bool
	if o.Progress != nil {
		progress = func(p float32) bool { o.Progress(p); return true }
	}
	dev, devIndex, layers, err := pickDevice(o.Device, o.GPULayers)
	if err != nil {
		return nil, err
	}
	var gpuNotes []string
	if devIndex < 0 && o.Device == "" && o.GPULayers != 0 { // the GPU was wanted, and none is there
		for _, n := range BackendNotes() {
			if !n.OK {
				gpuNotes = append(gpuNotes, n.String())
			}
		}
	}
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	ctxSize := ContextSize(header, o.ContextSize)
	if ctxSize < MinContext {
		return nil, fmt.Errorf("a context of %d tokens is too short to translate in (at least %d)", ctxSize, MinContext)
	}
	mem, memErr := MemoryOf(header, ctxSize)
	var fallback string
	if memErr != nil {
		return nil, fmt.Errorf("%s: %w", path, memErr)
	}
	if devIndex >= 0 {
		layers, fallback = fitLayers(mem, layers, dev, o.GPUMemory)
		if layers == 0 {
			dev, devIndex, layers, _ = pickDevice("cpu", 0)
		}
	}
	// On a GPU, a failed load or context (a missing runtime library, too little memory) is retried on the CPU.
	params := func() llama.LoadParams {
		return llama.LoadParams{GPULayers: layers, Device: devIndex, Map: o.MapFile, Progress: progress}
	}
	m, lctx, err := loadOn(path, params(), ctxSize, threads)
	if err != nil && devIndex >= 0 {
		fallback = fmt.Sprintf("The model could not be loaded on %s (%v), so it runs on the CPU.", dev.Description, err)
		dev, devIndex, layers, _ = pickDevice("cpu", 0)
		m, lctx, err = loadOn(path, params(), ctxSize, threads)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot load %s: %w", filepath.Base(path), err)
	}
	var warning string
	if !canWrite(m, endMarker) {
		warning = "This model's vocabulary cannot write the " + endMarker + " marker that ends a Gugugo translation, so " +
			"its translations end only at its end-of-text token or the length limit: it may not be a Gugugo model."
	}
	arch, _ := m.Meta("general.architecture")
	name, ok := m.Meta("general.name")
	if !ok || name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	total := m.Layers()
	onGPU := 0
	if devIndex >= 0 {
		onGPU = blocksOnGPU(layers, total)
	}
	e := &Engine{
		turn:       make(chan struct{}, 1),
		opts:       o,
		model:      m,
		lctx:       lctx,
		kvPerToken: mem.KVPerToken * uint64(mem.Layers()),
		info: ModelInfo{
			Path: path, Name: name, Arch: arch, Description: m.Description(),
			Device: deviceLabel(dev), DeviceName: dev.Name, Fallback: fallback, GPUNotes: gpuNotes, Warning: warning, GPULayers: onGPU,
			Layers: total, ContextSize: lctx.Size(), Threads: threads, Params: m.Params(), Size: m.Size(),
		},
	}
	return e, nil
}

// canWrite reports whether the model's vocabulary can write text: its tokens (byte-fallback ones included) give it
// back.
func canWrite(m *llama.Model, text string) bool {
	toks, err := m.Tokenize(text, false)
	if err != nil {
		return false
	}
	var b []byte
	for _, t := range toks {
		b = m.AppendPiece(b, t)
	}
	return strings.TrimPrefix(string(b), " ") == text // a SentencePiece vocabulary puts a space before the text
}

// ContextSize is the KV cache a model gets: as asked, else its training context, at most 4096 tokens.
func ContextSize(header *gguf.Info, asked int) int {
	if asked > 0 {
		return asked
	}
	n, ok := uintMeta(header, header.Architecture()+".context_length")
	if !ok || n == 0 {
		return 2048
	}
	return int(min(n, 4096))
}

// llama.cpp's n_gpu_layers counts the output layer as one: k puts the output layer and the last k-1 of the model's
// layers on the GPU, and a negative k all of them.

// blocksOnGPU is how many of the model's total layers n_gpu_layers k puts on the GPU.
func blocksOnGPU(k, total int) int {
	if k < 0 {
		return total
	}
	return max(min(k, total+1)-1, 0)
}

// fitLayers is the n_gpu_layers to load with on dev, for k asked for (negative: all), when the device has at most
// limit bytes to give (0: what it has free): k itself when it fits, else the layers that fit and the output layer
// (0 when none does), with a sentence that says so.
func fitLayers(mem Memory, k int, dev llama.Device, limit uint64) (int, string) {
	free := dev.FreeMemory
	switch {
	case free == 0: // the device does not say
		free = limit
	case limit > 0:
		free = min(free, limit)
	}
	if free == 0 || mem.Need(blocksOnGPU(k, mem.Layers())) <= free-min(free, gpuMargin(free)) {
		return k, ""
	}
	n := mem.LayersThatFit(free)
	if n == 0 {
		return 0, fmt.Sprintf("The model needs %s of GPU memory and %s has %s to give, so it runs on the CPU.",
			gb(mem.Total()), dev.Description, gb(free))
	}
	return n + 1, fmt.Sprintf("The model needs %s of GPU memory and %s has %s to give, so %d of its %d layers run on the GPU and the rest on the CPU.",
		gb(mem.Total()), dev.Description, gb(free), n, mem.Layers())
}

// gb writes bytes in decimal gigabytes, as --gpu-memory takes them and the Models dialog shows sizes.
func gb(n uint64) string { return fmt.Sprintf("%.1f GB", float64(n)/1e9) }

// loadOn loads a model and its context on one device (-1: the CPU, or every GPU when layers are offloaded).
func loadOn(path string, p llama.LoadParams, ctxSize, threads int) (*llama.Model, *llama.Context, error) {
	m, err := llama.LoadModel(path, p)
	if err != nil {
		return nil, nil, err
	}
	lctx, err := llama.NewContext(m, llama.ContextParams{Size: ctxSize, Batch: 512, Sequences: 1, Threads: threads, GreedyOnBackend: true})
	if err != nil {
		m.Free()
		return nil, nil, err
	}
	return m, lctx, nil
}
