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
	model *llama.Model
	lctx  *llama.Context
	info  ModelInfo
}

// Errors a caller may want to tell apart.
var (
	ErrClosed     = errors.New("the model was unloaded")
	ErrNotGGUF    = errors.New("not a GGUF model file")
	ErrArch       = errors.New("unsupported model architecture")
	ErrLibraries  = errors.New("llama.cpp libraries not found")
	promptReserve = 16 // tokens around the text in a prompt
)

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

// OpenLibraries loads llama.cpp, reporting a missing installation as ErrLibraries with the command that fixes it.
func OpenLibraries() (string, error) {
	dir, err := llama.Open()
	if errors.Is(err, llama.ErrNotFound) {
		return "", fmt.Errorf("%w: run `make build` in the source folder, or reinstall Gugugo (%v)", ErrLibraries, err)
	}
	return dir, err
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
	m, err := llama.LoadModel(path, o.GPULayers, progress)
	if err != nil {
		return nil, fmt.Errorf("cannot load %s: %v", filepath.Base(path), err)
	}
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	n := o.ContextSize
	if n <= 0 {
		n = min(m.TrainContext(), 4096)
	}
	lctx, err := llama.NewContext(m, llama.ContextParams{Size: n, Batch: 512, Sequences: 1, Threads: threads, GreedyOnBackend: true})
	if err != nil {
		m.Free()
		return nil, err
	}
	arch, _ := m.Meta("general.architecture")
	name, ok := m.Meta("general.name")
	if !ok || name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	e := &Engine{
		turn:  make(chan struct{}, 1),
		model: m,
		lctx:  lctx,
		info: ModelInfo{
			Path: path, Name: name, Arch: arch, Description: m.Description(),
			Device: device(o.GPULayers), GPULayers: o.GPULayers, ContextSize: lctx.Size(), Threads: threads,
			Params: m.Params(), Size: m.Size(),
		},
	}
	return e, nil
}

// device names what runs the model: the first GPU when layers are offloaded, else the CPU.
func device(gpuLayers int) string {
	cpu := "CPU"
	for _, d := range llama.Devices() {
		if d.IsGPU() && gpuLayers != 0 {
			return d.Description
		}
		if d.Type == llama.DeviceCPU && d.Description != "" {
			cpu = "CPU (" + strings.TrimSpace(d.Description) + ")"
		}
	}
	return cpu
}

// Info describes the loaded model.
func (e *Engine) Info() ModelInfo { return e.info }

// Close waits for the translation in progress, then frees the model.
func (e *Engine) Close() {
	e.turn <- struct{}{}
	if e.model != nil {
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
	chunks := Chunks(req.Text, e.fits)
	var err error
	for i, c := range chunks {
		res.Chunks++
		if err = e.generate(ctx, c.Text, req, &res, emit, start); err != nil {
			break
		}
		if i < len(chunks)-1 {
			emit(c.Sep)
		}
	}
	res.Text = text.String()
	res.Duration = time.Since(start)
	return res, err
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
	limit := req.MaxTokens
	if limit <= 0 {
		limit = 3*(len(toks)-promptReserve) + 48
	}
	if req.ForceTokens > 0 {
		limit = req.ForceTokens
	}
	limit = max(1, min(limit, nctx-len(toks)))

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
	force := req.ForceTokens > 0
	var filter streamFilter
	var guard loopGuard
	var piece []byte
	pos := len(toks)
	last := first
	defer func() {
		res.DecodeDuration += last.Sub(first)
	}()
	for n := 1; ; n++ {
		res.GeneratedTokens++
		if !force && e.model.IsEOG(tok) {
			res.Stop = StopEOG
			break
		}
		piece = e.model.AppendPiece(piece[:0], tok)
		out, stop := filter.push(piece)
		if force {
			stop = false
		} else {
			emit(out)
		}
		if stop {
			res.Stop = StopMarker
			return nil
		}
		if !force && guard.add(tok) {
			res.Stop = StopRepetition
			break
		}
		if n >= limit {
			res.Stop = StopLimit
			break
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
	if !force {
		emit(filter.flush())
	}
	return nil
}
