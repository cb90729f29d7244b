// Package inference translates Korean⇄English with the Gugugo models through llama.cpp, in-process: it loads a GGUF
// model, builds the Gugugo prompt, decodes greedily and streams the answer piece by piece, stopping at the </끝>
// marker, at end of generation, at a length limit or when the model loops.
//
// The files follow the engine's jobs: devices.go picks the libraries, GPU plugin (plugins.go, probe.go) and device,
// load.go loads a model, translate.go and parallel.go generate, stream.go and loop.go decide what is shown and when
// to stop, chunk.go splits long texts, bench.go runs the benchmarks' fixed workloads.
package inference

import (
	"errors"
	"sync/atomic"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// Engine holds one loaded model and translates with it. Translate may be called from several goroutines: calls are
// served one at a time, in turn, and a call waiting for its turn gives up when its context ends. TranslateShared
// calls are decoded together, all in one turn.
type Engine struct {
	turn  chan struct{}
	opts  Options
	model *llama.Model
	lctx  *llama.Context
	lanes []*lane // created on the first document
	// shared holds the requests of TranslateShared; a run of them holds the turn while any is in flight.
	shared sharedQueue
	// turnWaiters counts the Translate calls waiting for the turn, for which a run of shared requests makes way.
	turnWaiters atomic.Int32
	info        ModelInfo
	// kvPerToken is what a token takes in the KV cache, all layers together (Memory).
	kvPerToken uint64
}

// Errors a caller may want to tell apart.
var (
	ErrClosed    = errors.New("the model was unloaded")
	ErrNotGGUF   = errors.New("not a GGUF model file")
	ErrArch      = errors.New("unsupported model architecture")
	ErrTokenizer = errors.New("unsupported tokenizer")
	ErrLibraries = errors.New("llama.cpp libraries not found")
)

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
