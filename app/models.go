package app

import (
	"fmt"
	"sync"

	"github.com/gugugo-desktop/gugugo/inference"
)

// Engine is a loaded model; *inference.Engine is one.
type Engine interface {
	Translator
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

// ModelState is where the model stands.
type ModelState int

// Model states.
const (
	ModelNone ModelState = iota
	ModelLoading
	ModelReady
	ModelFailed
)

// ModelStatus is what the status bar shows about the model.
type ModelStatus struct {
	State    ModelState
	Path     string
	Progress float32 // while loading, in [0, 1]
	Info     inference.ModelInfo
	Err      error
}

// Models holds the one loaded model and loads others in the background.
type Models struct {
	load   LoadFunc
	notify func(ModelStatus)

	mu     sync.Mutex
	engine Engine
	status ModelStatus
	gen    int
	wg     sync.WaitGroup
}

// NewModels makes an empty holder; notify gets every status change, from background goroutines.
func NewModels(load LoadFunc, notify func(ModelStatus)) *Models {
	return &Models{load: load, notify: notify}
}

// Status is the current status.
func (m *Models) Status() ModelStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// Translator is the loaded engine, or nil.
func (m *Models) Translator() Translator {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine == nil {
		return nil
	}
	return m.engine
}

func (m *Models) set(gen int, st ModelStatus) bool {
	m.mu.Lock()
	if gen != m.gen {
		m.mu.Unlock()
		return false
	}
	m.status = st
	m.mu.Unlock()
	m.notify(st)
	return true
}

// Load loads a model in the background. The model in use stays usable until the new one is ready and then is
// closed; a failed load leaves it in place. A newer Load makes an older one's result be discarded.
func (m *Models) Load(path string, o inference.Options) {
	m.mu.Lock()
	m.gen++
	gen := m.gen
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
		if err != nil {
			m.set(gen, ModelStatus{State: ModelFailed, Path: path, Err: err})
			return
		}
		m.mu.Lock()
		if gen != m.gen {
			m.mu.Unlock()
			e.Close()
			return
		}
		old := m.engine
		m.engine = e
		m.mu.Unlock()
		m.set(gen, ModelStatus{State: ModelReady, Path: path, Progress: 1, Info: e.Info()})
		if old != nil {
			old.Close() // waits for its translation in flight, if any
		}
	}()
}

// Close waits for loads in flight and frees the model.
func (m *Models) Close() {
	m.wg.Wait()
	m.mu.Lock()
	e := m.engine
	m.engine = nil
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

// Devices lists the choices for Settings.Device: automatic, the CPU, and each GPU llama.cpp sees. Without the
// llama.cpp libraries it offers the first two.
func Devices() []Device {
	out := []Device{{"", "Automatic (the GPU with the most free memory)"}, {"cpu", "CPU"}}
	devs, _ := inference.Devices()
	for _, d := range devs {
		if d.IsGPU() {
			out = append(out, Device{d.Name, fmt.Sprintf("%s: %s (%.1f GiB free)", d.Name, d.Description, float64(d.FreeMemory)/(1<<30))})
		}
	}
	return out
}
