package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/guard"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Engine is a loaded model; *inference.Engine is one, and so is *inference.Remote, a server's model.
type Engine interface {
	Translator
	// TranslateShared translates a request decoded together with the others in flight (the local server's).
	TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error)
	Info() inference.ModelInfo
	Close()
}

// LoadFunc loads a model file.
type LoadFunc func(path string, o inference.Options) (Engine, error)

// LoadEngine loads a model with the inference package.
func LoadEngine(path string, o inference.Options) (Engine, error) {
	e, err := inference.Load(path, o)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// GuardedLoad loads with load and, for a model with layers on a GPU, keeps mark busy while each translation
// computes (see package guard).
func GuardedLoad(load LoadFunc, mark *guard.Mark) LoadFunc {
	return func(path string, o inference.Options) (Engine, error) {
		e, err := load(path, o)
		if err != nil || e.Info().GPULayers == 0 {
			return e, err
		}
		return guardedEngine{e, mark}, nil
	}
}

type guardedEngine struct {
	Engine
	mark *guard.Mark
}

// sourceKey carries the text the user typed, which a request's (glossary-steered) text may differ from.
type sourceKey struct{}

func withSource(ctx context.Context, text string) context.Context {
	return context.WithValue(ctx, sourceKey{}, text)
}

func (g guardedEngine) Translate(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	text, ok := ctx.Value(sourceKey{}).(string)
	if !ok {
		text = req.Text
	}
	g.mark.Busy(g.Info().Device, text)
	defer g.mark.Idle()
	return g.Engine.Translate(ctx, req, onPiece)
}

// TranslateShared serves files and other programs: their sentences are not the window's text to bring back.
func (g guardedEngine) TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	g.mark.Busy(g.Info().Device, "")
	defer g.mark.Idle()
	return g.Engine.TranslateShared(ctx, req, onPiece)
}

// ModelState is where the model stands.
type ModelState int

// Model states.
const (
	ModelNone ModelState = iota
	ModelLoading
	ModelReady
	ModelFailed
	ModelUnloaded // freed after sitting idle; the next translation loads it again
)

// ModelStatus is what the status bar shows about the model.
type ModelStatus struct {
	State    ModelState
	Path     string
	Progress float32 // while loading, in [0, 1]
	Info     inference.ModelInfo
	Err      error
	// Reloaded marks the loading and ready states of a reload after idleness: the translation that asked for it is
	// waiting, so nothing else should be started.
	Reloaded bool
}

// Models holds the one loaded model and loads others in the background.
type Models struct {
	load   LoadFunc
	notify func(ModelStatus)

	mu     sync.Mutex
	engine Engine
	path   string            // of the engine, or of the model unloaded for idleness
	opts   inference.Options // the engine's load options
	gen    int
	wg     sync.WaitGroup

	idle      time.Duration // 0: never unload
	idleTimer *time.Timer
	busy      int        // translations running
	unloaded  bool       // the model was unloaded for idleness and is to be loaded again on use
	reload    sync.Mutex // one reload at a time
}

// NewModels makes an empty holder; notify gets every status change, from background goroutines.
func NewModels(load LoadFunc, notify func(ModelStatus)) *Models {
	return &Models{load: load, notify: notify}
}

// Translator is the model to translate with, or nil when none is loaded. A model unloaded for idleness counts as
// loaded: translating loads it again first.
func (m *Models) Translator() Translator {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine == nil && !m.unloaded {
		return nil
	}
	return modelUse{m}
}

// modelUse translates with whatever model Models holds at the time, counting the translation as use.
type modelUse struct{ m *Models }

func (u modelUse) Translate(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	return u.with(func(e Engine) (inference.Result, error) { return e.Translate(ctx, req, onPiece) })
}

func (u modelUse) TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	return u.with(func(e Engine) (inference.Result, error) { return e.TranslateShared(ctx, req, onPiece) })
}

// with runs one translation on the engine held, counting it as use.
func (u modelUse) with(translate func(Engine) (inference.Result, error)) (inference.Result, error) {
	e, err := u.m.acquire()
	if err != nil {
		return inference.Result{}, err
	}
	defer u.m.release()
	return translate(e)
}

// Info describes the model loaded, or is empty.
func (m *Models) Info() inference.ModelInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine == nil {
		return inference.ModelInfo{}
	}
	return m.engine.Info()
}

// acquire returns the engine for one translation, loading it again if it was unloaded for idleness.
func (m *Models) acquire() (Engine, error) {
	m.mu.Lock()
	if m.engine == nil && m.unloaded {
		m.mu.Unlock()
		if err := m.reloadIdle(); err != nil {
			return nil, err
		}
		m.mu.Lock()
	}
	defer m.mu.Unlock()
	if m.engine == nil {
		return nil, ErrNoModel
	}
	m.busy++
	if m.idleTimer != nil {
		m.idleTimer.Stop()
	}
	return m.engine, nil
}

func (m *Models) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.busy--
	m.armIdle()
}

// armIdle starts the idle countdown when nothing runs. m.mu must be held.
func (m *Models) armIdle() {
	if m.idle <= 0 || m.busy > 0 || m.engine == nil {
		return
	}
	if m.idleTimer != nil {
		m.idleTimer.Stop()
	}
	gen := m.gen
	m.idleTimer = time.AfterFunc(m.idle, func() { m.unloadIdle(gen) })
}

// SetIdleUnload frees the model after it sat unused for d (0: never); the next translation loads it again.
func (m *Models) SetIdleUnload(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.idle = d
	if m.idleTimer != nil {
		m.idleTimer.Stop()
	}
	m.armIdle()
}

func (m *Models) unloadIdle(gen int) {
	m.mu.Lock()
	if gen != m.gen || m.busy > 0 || m.engine == nil {
		m.mu.Unlock()
		return
	}
	e := m.engine
	m.engine, m.unloaded = nil, true
	st := ModelStatus{State: ModelUnloaded, Path: m.path, Info: e.Info()}
	m.mu.Unlock()
	e.Close()
	m.notify(st)
}

// reloadIdle loads the model unloaded for idleness, reporting progress like Load.
func (m *Models) reloadIdle() error {
	m.reload.Lock()
	defer m.reload.Unlock()
	m.mu.Lock()
	if m.engine != nil || !m.unloaded {
		m.mu.Unlock()
		return nil // another translation reloaded it (this one waited for it), or a new model replaced it
	}
	gen, path, o := m.gen, m.path, m.opts
	m.mu.Unlock()
	o.Progress = func(p float32) { m.set(gen, ModelStatus{State: ModelLoading, Path: path, Progress: p, Reloaded: true}) }
	e, err := m.load(path, o)
	return m.install(gen, path, o, e, err, true)
}

// install puts the engine that the load numbered gen gave in place and reports it ready, unless a newer load
// replaced that one; the engine it replaces is closed. A failed load is reported and changes nothing.
func (m *Models) install(gen int, path string, o inference.Options, e Engine, err error, reloaded bool) error {
	if err != nil {
		m.set(gen, ModelStatus{State: ModelFailed, Path: path, Err: err})
		return err
	}
	m.mu.Lock()
	if gen != m.gen {
		m.mu.Unlock()
		e.Close()
		return nil
	}
	old := m.engine
	m.engine, m.path, m.opts, m.unloaded = e, path, o, false
	if !reloaded {
		m.armIdle() // after a reload, the translation that asked for it arms the countdown when it ends
	}
	m.mu.Unlock()
	m.set(gen, ModelStatus{State: ModelReady, Path: path, Progress: 1, Info: e.Info(), Reloaded: reloaded})
	if old != nil {
		old.Close() // waits for its translation in flight, if any
	}
	return nil
}

// set reports a status of the load numbered gen, unless a newer load replaced it.
func (m *Models) set(gen int, st ModelStatus) {
	m.mu.Lock()
	current := gen == m.gen
	m.mu.Unlock()
	if current {
		m.notify(st)
	}
}

// Load loads a model in the background. The model in use stays usable until the new one is ready and then is
// closed; a failed load leaves it in place. A newer Load makes an older one's result be discarded.
func (m *Models) Load(path string, o inference.Options) {
	m.mu.Lock()
	m.gen++
	gen := m.gen
	m.unloaded = false
	m.mu.Unlock()
	m.set(gen, ModelStatus{State: ModelLoading, Path: path})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		var last float32
		o.Progress = func(p float32) {
			if p-last >= 0.01 || p == 1 {
				last = p
				m.set(gen, ModelStatus{State: ModelLoading, Path: path, Progress: p})
			}
		}
		e, err := m.load(path, o)
		m.install(gen, path, o, e, err, false)
	}()
}

// Close waits for loads in flight and frees the model.
func (m *Models) Close() {
	m.wg.Wait()
	m.mu.Lock()
	e := m.engine
	m.engine = nil
	m.gen++ // an idle timer still to fire finds nothing to do
	m.unloaded = false
	if m.idleTimer != nil {
		m.idleTimer.Stop()
	}
	m.mu.Unlock()
	if e != nil {
		e.Close()
	}
}

// Device is a device a model can run on, for the settings.
type Device struct {
	Name  string // what Settings.Device holds
	Label string
}

// BasicDevices are the choices for Settings.Device that need no library: automatic and the CPU.
func BasicDevices() []Device {
	return []Device{{"", "Automatic (the GPU with the most free memory)"}, {"cpu", "CPU"}}
}

// Devices lists the choices for Settings.Device: automatic, the CPU, and each GPU llama.cpp sees. Without the
// llama.cpp libraries it offers the first two. Loading them can take seconds on a first run (each GPU plugin is
// tried in a child process), so a UI calls it off its own goroutine.
func Devices() []Device {
	out := BasicDevices()
	devs, _ := inference.Devices()
	for _, d := range devs {
		if d.IsGPU() {
			out = append(out, Device{d.Name, fmt.Sprintf("%s: %s (%.1f GiB free)", d.Name, d.Description, float64(d.FreeMemory)/(1<<30))})
		}
	}
	return out
}

// BestGPU is the GPU the engine puts a model on by default (the one with the most free memory); ok is false
// without one.
func BestGPU() (description string, free uint64, ok bool) {
	d, ok := inference.BestGPU()
	return d.Description, d.FreeMemory, ok
}
