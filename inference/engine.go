// Package inference translates Korean⇄English with the Gugugo models through llama.cpp, in-process: it loads a GGUF
// model, builds the Gugugo prompt, decodes greedily and streams the answer piece by piece, stopping at the </끝>
// marker, at end of generation, at a length limit or when the model loops.
package inference

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

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
	GPUNotes    []string
	GPULayers   int
	ContextSize int
	Threads     int
	Params      uint64
	Size        uint64
}

// Request is one translation.
type Request struct {
	Text      string
	Direction Direction
	// MaxTokens caps the tokens generated per prompt; 0 derives the limit from the input's length.
	MaxTokens int
	// ForceTokens > 0 generates exactly that many tokens per prompt, ignoring every stop (for benchmarks).
	ForceTokens int
	// BenchLength ignores every stop and generates 1.3 tokens per source token, about what a translation takes:
	// benchmarks with random-weight models, whose output never ends on its own.
	BenchLength bool
	// Sequential translates a document sentence after sentence in one sequence instead of decoding its sentences
	// as parallel sequences (for comparison).
	Sequential bool
	// OnProgress, when set, is told how many of the prompts the input was split into are finished.
	OnProgress func(done, total int)
}

// StopReason says why generation ended.
type StopReason string

// Reasons a translation ends.
const (
	StopMarker     StopReason = "marker"     // the model closed its answer with </끝>
	StopEOG        StopReason = "eog"        // an end-of-generation token
	StopLimit      StopReason = "limit"      // the length limit
	StopRepetition StopReason = "repetition" // the model started repeating itself
	StopCancelled  StopReason = "cancelled"
)

// Result is a finished (or cancelled) translation and its statistics.
type Result struct {
	Text             string
	Direction        Direction
	Chunks           int // prompts the input was split into
	PromptTokens     int
	GeneratedTokens  int
	TimeToFirstToken time.Duration // from the request to the first generated token
	PromptDuration   time.Duration
	DecodeDuration   time.Duration // from the first generated token to the last, summed over prompts
	Duration         time.Duration
	Device           string
	Stop             StopReason // of the last prompt
	decodeSteps      int
}

// PromptTokensPerSecond is the prompt processing speed.
func (r Result) PromptTokensPerSecond() float64 {
	return rate(r.PromptTokens, r.PromptDuration)
}

// DecodeTokensPerSecond is the generation speed after the first token.
func (r Result) DecodeTokensPerSecond() float64 { return rate(r.decodeSteps, r.DecodeDuration) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Engine holds one loaded model and translates with it. Translate may be called from several goroutines: calls are
// served one at a time, in turn, and a call waiting for its turn gives up when its context ends.
type Engine struct {
	turn  chan struct{}
	opts  Options
	model *llama.Model
	lctx  *llama.Context
	lanes []*lane // created on the first document
	info  ModelInfo
}

// Errors a caller may want to tell apart.
var (
	ErrClosed    = errors.New("the model was unloaded")
	ErrNotGGUF   = errors.New("not a GGUF model file")
	ErrArch      = errors.New("unsupported model architecture")
	ErrLibraries = errors.New("llama.cpp libraries not found")
)

// promptReserve is the tokens around the text in a prompt.
const promptReserve = 16

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
	info, err := gguf.ReadInfo(path)
	switch {
	case errors.Is(err, gguf.ErrNotGGUF):
		return nil, fmt.Errorf("%s: %w", path, ErrNotGGUF)
	case errors.Is(err, gguf.ErrTruncated):
		return nil, fmt.Errorf("%s is truncated: its GGUF header ends early (an interrupted download?)", path)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	arch := info.Architecture()
	for _, a := range Architectures {
		if a == arch {
			return info, nil
		}
	}
	return nil, fmt.Errorf("%s: %w %q (Gugugo models are %s)", path, ErrArch, arch, strings.Join(Architectures, " or "))
}

// OpenLibraries loads llama.cpp and the GPU plugin that works here (see backends.go), reporting a missing
// installation as ErrLibraries with the command that fixes it.
func OpenLibraries() (string, error) {
	dir, err := llama.Open()
	if errors.Is(err, llama.ErrNotFound) {
		return "", fmt.Errorf("%w: run `make build` in the source folder, or reinstall Gugugo (%v)", ErrLibraries, err)
	}
	if err == nil {
		backendOnce.Do(func() { selectGPUPlugin(dir) })
	}
	return dir, err
}

// Devices lists the devices llama.cpp can run on, GPU plugins included.
func Devices() ([]llama.Device, error) {
	if _, err := OpenLibraries(); err != nil {
		return nil, err
	}
	return llama.Devices(), nil
}

// pickDevice resolves Options.Device: "" is the GPU with the most free memory (or the CPU when there is none),
// "cpu" the CPU, anything else a device's name (CUDA0, Vulkan0, ...). It returns the device index for the model
// (-1 for the CPU) and the layers to offload.
func pickDevice(want string, gpuLayers int) (llama.Device, int, int, error) {
	devs := llama.Devices()
	var cpu llama.Device
	best := -1
	for i, d := range devs {
		switch {
		case d.Type == llama.DeviceCPU:
			cpu = d
		case d.IsGPU() && strings.EqualFold(want, d.Name):
			best = i
		}
	}
	if want == "" {
		best = bestGPU(devs)
	}
	switch {
	case strings.EqualFold(want, "cpu") || gpuLayers == 0 || want == "" && best < 0:
		return cpu, -1, 0, nil
	case best >= 0:
		return devs[best], best, gpuLayers, nil
	}
	var names []string
	for _, d := range devs {
		if d.IsGPU() {
			names = append(names, d.Name)
		}
	}
	return cpu, -1, 0, fmt.Errorf("no device %q (devices: cpu %s)", want, strings.Join(names, " "))
}

// bestGPU is the index of the GPU with the most free memory (the first of equals), or -1 without a GPU.
func bestGPU(devs []llama.Device) int {
	best := -1
	for i, d := range devs {
		if d.IsGPU() && (best < 0 || d.FreeMemory > devs[best].FreeMemory) {
			best = i
		}
	}
	return best
}

// BestGPU is the GPU that the automatic device choice (Options.Device "") puts a model on; ok is false without one.
func BestGPU() (d llama.Device, ok bool) {
	devs, err := Devices()
	if err != nil {
		return d, false
	}
	if i := bestGPU(devs); i >= 0 {
		return devs[i], true
	}
	return d, false
}

// Load loads a GGUF model.
func Load(path string, o Options) (*Engine, error) {
	if _, err := CheckFile(path); err != nil {
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
	// On a GPU, a failed load or context (a missing runtime library, too little memory) is retried on the CPU.
	var fallback string
	m, lctx, err := loadOn(path, layers, devIndex, o.ContextSize, threads, progress)
	if err != nil && devIndex >= 0 {
		fallback = fmt.Sprintf("The model could not be loaded on %s (%v), so it runs on the CPU.", dev.Description, err)
		dev, devIndex, layers, _ = pickDevice("cpu", 0)
		m, lctx, err = loadOn(path, layers, devIndex, o.ContextSize, threads, progress)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot load %s: %v", filepath.Base(path), err)
	}
	arch, _ := m.Meta("general.architecture")
	name, ok := m.Meta("general.name")
	if !ok || name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	e := &Engine{
		turn:  make(chan struct{}, 1),
		opts:  o,
		model: m,
		lctx:  lctx,
		info: ModelInfo{
			Path: path, Name: name, Arch: arch, Description: m.Description(),
			Device: deviceLabel(dev), DeviceName: dev.Name, Fallback: fallback, GPUNotes: gpuNotes, GPULayers: layers,
			ContextSize: lctx.Size(), Threads: threads, Params: m.Params(), Size: m.Size(),
		},
	}
	return e, nil
}

// deviceLabel names a device for people: a GPU's name, or "CPU (its model)".
func deviceLabel(d llama.Device) string {
	if d.IsGPU() {
		return d.Description
	}
	if d.Description != "" {
		return "CPU (" + strings.TrimSpace(d.Description) + ")"
	}
	return "CPU"
}

// loadOn loads a model and its context on one device (-1: the CPU, or every GPU when layers are offloaded).
func loadOn(path string, layers, device, ctxSize, threads int, progress func(float32) bool) (*llama.Model, *llama.Context, error) {
	m, err := llama.LoadModel(path, layers, device, progress)
	if err != nil {
		return nil, nil, err
	}
	n := ctxSize
	if n <= 0 {
		n = min(m.TrainContext(), 4096)
	}
	lctx, err := llama.NewContext(m, llama.ContextParams{Size: n, Batch: 512, Sequences: 1, Threads: threads, GreedyOnBackend: true})
	if err != nil {
		m.Free()
		return nil, nil, err
	}
	return m, lctx, nil
}

// Info describes the loaded model.
func (e *Engine) Info() ModelInfo { return e.info }

// Close waits for the translation in progress, then frees the model.
func (e *Engine) Close() {
	e.turn <- struct{}{}
	if e.model != nil {
		for _, l := range e.lanes {
			l.ctx.Free()
		}
		e.lctx.Free()
		e.model.Free()
		e.model = nil
	}
	<-e.turn
}

// fits reports whether a source text fits one prompt with room for its translation: a third of the context.
func (e *Engine) fits(text string) bool {
	budget := (e.info.ContextSize - 2*promptReserve) / 3
	switch {
	case len(text) <= budget: // a token is at least one byte
		return true
	case len(text) > 32*budget:
		return false
	}
	toks, err := e.model.Tokenize(text, false)
	return err == nil && len(toks) <= budget
}

// Translate translates req.Text, calling onPiece (when not nil) with each new piece of the translation as it is
// generated. The pieces, concatenated, are Result.Text. A long text is split into paragraphs, and paragraphs that
// do not fit a prompt into sentences; their translations come in order with the line breaks kept.
// When ctx ends, Translate stops within one token and returns the partial result with ctx's error.
func (e *Engine) Translate(ctx context.Context, req Request, onPiece func(string)) (Result, error) {
	start := time.Now()
	res := Result{Direction: req.Direction}
	select {
	case e.turn <- struct{}{}:
	case <-ctx.Done():
		res.Stop = StopCancelled
		return res, ctx.Err()
	}
	defer func() { <-e.turn }()
	if e.model == nil {
		return res, ErrClosed
	}
	res.Device = e.info.Device
	var text strings.Builder
	emit := func(s string) {
		if s == "" {
			return
		}
		text.WriteString(s)
		if onPiece != nil {
			onPiece(s)
		}
	}
	var err error
	if units := SentenceUnits(req.Text, e.fitsSentence); len(units) >= ParallelMinSentences {
		if _, perr := e.parallelLanes(); perr != nil {
			req.Sequential = true // no memory for parallel sequences: one after the other still works
		}
		if req.Sequential {
			err = e.translateInTurn(ctx, units, req, &res, emit, start)
		} else {
			err = e.translateParallel(ctx, units, req, &res, emit, start)
		}
	} else {
		err = e.translateInTurn(ctx, Chunks(req.Text, e.fits), req, &res, emit, start)
	}
	res.Text = text.String()
	res.Duration = time.Since(start)
	return res, err
}

// limit is how many tokens a prompt of n tokens may generate in a context of nctx cells.
func (r Request) limit(n, nctx int) int {
	limit := r.MaxTokens
	if limit <= 0 {
		limit = 3*(n-promptReserve) + 48
	}
	switch {
	case r.ForceTokens > 0:
		limit = r.ForceTokens
	case r.BenchLength:
		limit = (n-promptReserve)*13/10 + 4
	}
	return max(1, min(limit, nctx-n))
}

// translateInTurn translates segments one after the other in the engine's single sequence.
func (e *Engine) translateInTurn(ctx context.Context, segs []Segment, req Request, res *Result, emit func(string), start time.Time) error {
	for i, s := range segs {
		res.Chunks++
		if err := e.generate(ctx, s.Text, req, res, emit, start); err != nil {
			return err
		}
		if i < len(segs)-1 {
			emit(s.Sep)
		}
		if req.OnProgress != nil {
			req.OnProgress(i+1, len(segs))
		}
	}
	return nil
}

func (e *Engine) generate(ctx context.Context, text string, req Request, res *Result, emit func(string), start time.Time) error {
	toks, err := e.model.Tokenize(req.Direction.Prompt(text), true)
	if err != nil {
		return err
	}
	nctx := e.info.ContextSize
	if len(toks) >= nctx {
		return fmt.Errorf("the prompt (%d tokens) does not fit the context (%d)", len(toks), nctx)
	}
	limit := req.limit(len(toks), nctx)

	l := e.lctx
	l.ClearMemory()
	t0 := time.Now()
	var row int
	for i := 0; i < len(toks); i += l.BatchCap() {
		if err := ctx.Err(); err != nil {
			res.Stop = StopCancelled
			return err
		}
		l.BatchClear()
		end := min(i+l.BatchCap(), len(toks))
		for j := i; j < end; j++ {
			row = l.BatchAdd(toks[j], j, 0, j == len(toks)-1)
		}
		if err := l.Decode(); err != nil {
			return err
		}
	}
	tok := l.Next(row)
	first := time.Now()
	res.PromptTokens += len(toks)
	res.PromptDuration += first.Sub(t0)
	if res.GeneratedTokens == 0 {
		res.TimeToFirstToken = first.Sub(start)
	}
	st := newStream(limit, req.ForceTokens > 0 || req.BenchLength)
	pos := len(toks)
	last := first
	defer func() {
		res.DecodeDuration += last.Sub(first)
	}()
	for {
		res.GeneratedTokens++
		out, done := st.step(e.model, tok)
		emit(out)
		if done {
			res.Stop = st.stop
			return nil
		}
		if err := ctx.Err(); err != nil {
			res.Stop = StopCancelled
			return err
		}
		l.BatchClear()
		l.BatchAdd(tok, pos, 0, true)
		pos++
		if err := l.Decode(); err != nil {
			return err
		}
		tok = l.Next(0)
		last = time.Now()
		res.decodeSteps++
	}
}

// stream is one sequence being generated: its stop filter, loop guard and length limit.
type stream struct {
	filter streamFilter
	guard  loopGuard
	piece  []byte
	n      int
	limit  int
	force  bool // ignore every stop but the limit (benchmarks)
	stop   StopReason
}

func newStream(limit int, force bool) *stream { return &stream{limit: limit, force: force} }

// step takes the next generated token and returns the text that can be shown now and whether the sequence ended.
func (s *stream) step(m *llama.Model, tok llama.Token) (string, bool) {
	s.n++
	if s.force {
		if s.n >= s.limit {
			s.stop = StopLimit
			return "", true
		}
		return "", false
	}
	if m.IsEOG(tok) {
		s.stop = StopEOG
		return s.filter.flush(), true
	}
	s.piece = m.AppendPiece(s.piece[:0], tok)
	out, stop := s.filter.push(s.piece)
	switch {
	case stop:
		s.stop = StopMarker
		return out, true
	case s.guard.add(tok):
		s.stop = StopRepetition
	case s.n >= s.limit:
		s.stop = StopLimit
	default:
		return out, false
	}
	return out + s.filter.flush(), true
}
