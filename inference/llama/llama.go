// Package llama is a thin cgo layer over the part of llama.h that Gugugo uses.
//
// The libraries (llama.cpp v0.5.0 as node-llama-cpp 3.22.1 ships them; on Windows v0.4.0, see library_windows.go)
// are opened at run time (dlopen, LoadLibrary) rather than linked, so that the gugugo binary starts without them and
// can say which command installs them, and so that a GPU backend plugin dropped into the library folder is used
// without a rebuild.
package llama

/*
#cgo CFLAGS: -I${SRCDIR}/../../deps/llama/include -O2
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"
)

// ErrNotFound means no folder with the llama.cpp libraries was found.
var ErrNotFound = errors.New("llama.cpp libraries not found")

var (
	openOnce sync.Once
	openDir  string
	openErr  error
)

// LibraryDirs lists, in order, the folders Open looks in: $GUGUGO_LIB_DIR, lib/ beside the executable, the
// installed layout (bin/../lib/gugugo), and in a source checkout deps/llama/lib (which is what `go test` uses).
func LibraryDirs() []string {
	var dirs []string
	if d := os.Getenv("GUGUGO_LIB_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Join(filepath.Dir(exe), "lib"), filepath.Join(filepath.Dir(exe), "..", "lib", "gugugo"))
		}
	}
	// Only builds without -trimpath know where their source is; release builds skip this.
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "..", "..", "deps", "llama", "lib"))
	}
	return dirs
}

// Open loads llama.cpp and its backend plugins once per process and returns the folder it used.
func Open() (string, error) {
	openOnce.Do(func() {
		dirs := LibraryDirs()
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, LibraryFile)); err != nil {
				continue
			}
			cdir, cfile := C.CString(d), C.CString(LibraryFile)
			defer C.free(unsafe.Pointer(cdir))
			defer C.free(unsafe.Pointer(cfile))
			var buf [1024]C.char
			if C.gg_open(cdir, cfile, &buf[0], C.size_t(len(buf))) != 0 {
				openErr = fmt.Errorf("cannot load llama.cpp from %s: %s", d, C.GoString(&buf[0]))
				return
			}
			openDir = filepath.Clean(d)
			return
		}
		openErr = fmt.Errorf("%w (looked in %s)", ErrNotFound, strings.Join(dirs, ", "))
	})
	return openDir, openErr
}

// LoadPlugin loads one ggml backend plugin (libggml-cuda.so, libggml-vulkan.so, ...). Open must have succeeded.
func LoadPlugin(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.gg_clear_error()
	if C.gg_load_backend(cpath) != 0 {
		if msg := lastError(); msg != "" {
			return fmt.Errorf("cannot load %s: %s", filepath.Base(path), msg)
		}
		return fmt.Errorf("cannot load %s", filepath.Base(path))
	}
	return nil
}

// SetVerbose lets llama.cpp's own log through to stderr.
func SetVerbose(v bool) {
	if v {
		C.gg_set_verbose(1)
	} else {
		C.gg_set_verbose(0)
	}
}

// LogErrors lets llama.cpp's error messages through to stderr from now on, as they are logged, for a process that
// ggml may abort before it can report them itself: ggml logs a CUDA error's cause, then aborts with its source line.
func LogErrors() { C.gg_set_log_errors(1) }

// RecordLog keeps llama.cpp's log from now on (up to 64 KB), for RecordedLog; off drops it.
func RecordLog(on bool) {
	if on {
		C.gg_record(1)
	} else {
		C.gg_record(0)
	}
}

// RecordedLog is what llama.cpp logged since RecordLog(true).
func RecordedLog() string {
	buf := make([]C.char, C.GG_RECORD_MAX)
	C.gg_recorded(&buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

// lastError is llama.cpp's first logged error since gg_clear_error, without the C function name it starts with.
func lastError() string {
	var buf [1024]C.char
	C.gg_last_error(&buf[0], C.size_t(len(buf)))
	msg := C.GoString(&buf[0])
	if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " '") {
		msg = msg[i+2:]
	}
	return msg
}

// DeviceType mirrors enum ggml_backend_dev_type.
type DeviceType int

// Device types, in the order of enum ggml_backend_dev_type.
const (
	DeviceCPU DeviceType = iota
	DeviceGPU
	DeviceIGPU
	DeviceAccel
	DeviceMeta
)

// Device is a compute device that ggml found.
type Device struct {
	Index       int
	Name        string
	Description string
	Type        DeviceType
	FreeMemory  uint64
	TotalMemory uint64
}

// IsGPU reports whether the device is a discrete or integrated GPU.
func (d Device) IsGPU() bool { return d.Type == DeviceGPU || d.Type == DeviceIGPU }

// Devices lists the devices of the loaded backends. Open must have succeeded.
func Devices() []Device {
	n := int(C.gg_dev_count())
	devs := make([]Device, 0, n)
	for i := 0; i < n; i++ {
		var free, total C.size_t
		C.gg_dev_memory(C.size_t(i), &free, &total)
		devs = append(devs, Device{
			Index:       i,
			Name:        C.GoString(C.gg_dev_name(C.size_t(i))),
			Description: C.GoString(C.gg_dev_description(C.size_t(i))),
			Type:        DeviceType(C.gg_dev_type(C.size_t(i))),
			FreeMemory:  uint64(free),
			TotalMemory: uint64(total),
		})
	}
	return devs
}

// Token is a llama_token.
type Token = int32

// Model is a loaded llama_model. Its methods are safe for concurrent use; Free is not.
type Model struct {
	c      *C.struct_llama_model
	vocab  *C.struct_llama_vocab
	nVocab int
}

//export goLoadProgress
func goLoadProgress(progress C.float, handle C.uintptr_t) C.bool {
	f := cgo.Handle(handle).Value().(func(float32) bool)
	return C.bool(f(float32(progress)))
}

// LoadParams say how LoadModel loads.
type LoadParams struct {
	GPULayers int // < 0 offloads every layer
	// Device >= 0 (an index of Devices) keeps the model on that device alone; -1 lets llama.cpp use every GPU, or
	// none when GPULayers is 0.
	Device int
	// Map maps the file into memory instead of reading it: a faster load where fresh memory is slow to fill, but a
	// file truncated in place while the model is loaded (cp over it) then ends the process with SIGBUS.
	Map bool
	// Progress (may be nil) gets values in [0,1] and returns false to abort the load.
	Progress func(float32) bool
}

// LoadModel loads a GGUF file.
func LoadModel(path string, p LoadParams) (*Model, error) {
	if _, err := Open(); err != nil {
		return nil, err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var h C.uintptr_t
	if p.Progress != nil {
		handle := cgo.NewHandle(p.Progress)
		defer handle.Delete()
		h = C.uintptr_t(handle)
	}
	C.gg_clear_error()
	m := C.gg_model_load(cpath, C.int32_t(p.GPULayers), C.int32_t(p.Device), C.bool(p.Map), h)
	if m == nil {
		if msg := lastError(); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, errors.New("llama.cpp could not load the model")
	}
	v := C.gg_model_vocab(m)
	return &Model{c: m, vocab: v, nVocab: int(C.gg_vocab_n_tokens(v))}, nil
}

// Free releases the model.
func (m *Model) Free() {
	if m.c != nil {
		C.gg_model_free(m.c)
		m.c = nil
	}
}

// Description is llama.cpp's one-line summary (architecture, size, type).
func (m *Model) Description() string {
	var buf [256]C.char
	C.gg_model_desc(m.c, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

// Meta returns a metadata value as a string.
func (m *Model) Meta(key string) (string, bool) {
	ckey := C.CString(key)
	defer C.free(unsafe.Pointer(ckey))
	var buf [512]C.char
	if C.gg_model_meta(m.c, ckey, &buf[0], C.size_t(len(buf))) < 0 {
		return "", false
	}
	return C.GoString(&buf[0]), true
}

// TrainContext is the context length the model was trained with.
func (m *Model) TrainContext() int { return int(C.gg_model_n_ctx_train(m.c)) }

// Size is the total size of the weights in bytes.
func (m *Model) Size() uint64 { return uint64(C.gg_model_size(m.c)) }

// Params is the number of parameters.
func (m *Model) Params() uint64 { return uint64(C.gg_model_n_params(m.c)) }

// Layers is the number of repeating layers (blocks).
func (m *Model) Layers() int { return int(C.gg_model_n_layer(m.c)) }

// VocabSize is the number of tokens.
func (m *Model) VocabSize() int { return m.nVocab }

// IsEOG reports whether the token ends generation (EOS, EOT, ...).
func (m *Model) IsEOG(t Token) bool { return bool(C.gg_vocab_is_eog(m.vocab, C.int32_t(t))) }

// Tokenize turns text into tokens; addSpecial adds BOS/EOS where the model asks for them.
func (m *Model) Tokenize(text string, addSpecial bool) ([]Token, error) {
	if text == "" && !addSpecial {
		return nil, nil
	}
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	out := make([]Token, len(text)+8)
	n := C.gg_tokenize(m.vocab, ctext, C.int32_t(len(text)), (*C.int32_t)(unsafe.Pointer(&out[0])), C.int32_t(len(out)), C.bool(addSpecial))
	if n < 0 {
		return nil, fmt.Errorf("tokenize: text too long (%d bytes)", len(text))
	}
	return out[:n], nil
}

// AppendPiece appends the bytes of a token to buf. A piece may be part of a UTF-8 character.
func (m *Model) AppendPiece(buf []byte, t Token) []byte {
	var tmp [128]C.char
	n := C.gg_token_to_piece(m.vocab, C.int32_t(t), &tmp[0], C.int32_t(len(tmp)))
	if n < 0 {
		big := make([]C.char, -n)
		n = C.gg_token_to_piece(m.vocab, C.int32_t(t), &big[0], C.int32_t(len(big)))
		return append(buf, C.GoBytes(unsafe.Pointer(&big[0]), n)...)
	}
	return append(buf, unsafe.Slice((*byte)(unsafe.Pointer(&tmp[0])), int(n))...)
}

// ContextParams sizes a context.
type ContextParams struct {
	Size      int // tokens of KV cache, shared by all sequences
	Batch     int // most tokens one Decode takes
	Sequences int // most sequences decoded together
	Threads   int
	// Ubatch is the most tokens computed in one run of the model's graph (0: Batch or 512, whichever is smaller).
	// A Decode of more tokens runs the graph several times, and each run costs the host milliseconds to launch.
	Ubatch int
	// GreedyOnBackend picks each sequence's next token where the output layer runs (the GPU when offloaded), so
	// only the token id crosses to the host instead of a row of logits. Logits are then not available.
	GreedyOnBackend bool
	// Unified shares one KV cache among all sequences instead of giving each its own part. llama.cpp then batches
	// tokens of different sequences freely; with separate parts it splits a batch so that every sequence has as many
	// tokens in each piece, which turns prompts of different lengths into one graph run each.
	Unified bool
}

// Context is a llama_context with one reusable batch. It is not safe for concurrent use.
type Context struct {
	c        *C.struct_llama_context
	samplers *C.struct_gg_samplers
	model    *Model
	batch    *C.struct_llama_batch
	batchCap int
}

// NewContext creates a context on a model.
func NewContext(m *Model, p ContextParams) (*Context, error) {
	if p.Sequences < 1 {
		p.Sequences = 1
	}
	if p.Ubatch <= 0 || p.Ubatch > p.Batch {
		p.Ubatch = min(p.Batch, 512)
	}
	C.gg_clear_error()
	var samplers *C.struct_gg_samplers
	c := C.gg_context_new(m.c, C.uint32_t(p.Size), C.uint32_t(p.Batch), C.uint32_t(p.Ubatch), C.uint32_t(p.Sequences), C.int32_t(p.Threads),
		C.bool(p.GreedyOnBackend), C.bool(p.Unified), &samplers)
	if c == nil {
		msg := lastError()
		if msg == "" {
			msg = "out of memory?"
		}
		return nil, fmt.Errorf("cannot create a llama.cpp context of %d tokens: %s", p.Size, msg)
	}
	b := C.gg_batch_new(C.int32_t(p.Batch))
	if b == nil {
		C.gg_context_free(c, samplers)
		return nil, errors.New("cannot allocate a batch")
	}
	return &Context{c: c, samplers: samplers, model: m, batch: b, batchCap: p.Batch}, nil
}

// Free releases the context.
func (c *Context) Free() {
	if c.c != nil {
		C.gg_batch_free(c.batch)
		C.gg_context_free(c.c, c.samplers)
		c.c = nil
	}
}

// Size is the number of KV cache cells.
func (c *Context) Size() int { return int(C.gg_n_ctx(c.c)) }

// BatchCap is the most tokens one batch holds.
func (c *Context) BatchCap() int { return c.batchCap }

// ClearMemory empties the KV cache of every sequence.
func (c *Context) ClearMemory() { C.gg_memory_clear(c.c) }

// RemoveSequence drops positions [p0, p1) of a sequence from the KV cache; negative bounds mean open ends.
func (c *Context) RemoveSequence(seq, p0, p1 int) bool {
	return bool(C.gg_memory_seq_rm(c.c, C.int32_t(seq), C.int32_t(p0), C.int32_t(p1)))
}

// CopySequence makes positions [p0, p1) of sequence src part of sequence dst too (negative bounds mean open ends).
// With a unified KV cache the cells are shared, not copied: a prompt prefix computed once serves every sequence.
func (c *Context) CopySequence(src, dst, p0, p1 int) {
	C.gg_memory_seq_cp(c.c, C.int32_t(src), C.int32_t(dst), C.int32_t(p0), C.int32_t(p1))
}

// BatchClear empties the batch.
func (c *Context) BatchClear() { C.gg_batch_clear(c.batch) }

// BatchAdd appends a token at a position of a sequence; logits asks for its output row.
// It returns the row index of that token in the batch.
func (c *Context) BatchAdd(t Token, pos, seq int, logits bool) int {
	i := int(c.batch.n_tokens)
	if i >= c.batchCap {
		panic("llama: batch overflow")
	}
	C.gg_batch_add(c.batch, C.int32_t(t), C.int32_t(pos), C.int32_t(seq), C.bool(logits))
	return i
}

// BatchLen is the number of tokens in the batch.
func (c *Context) BatchLen() int { return int(c.batch.n_tokens) }

// ErrNoSpace means the KV cache has no room for the batch.
var ErrNoSpace = errors.New("llama: no room left in the context")

// Decode runs the model on the batch.
func (c *Context) Decode() error {
	switch r := C.gg_decode(c.c, c.batch); {
	case r == 0:
		return nil
	case r == 1:
		return ErrNoSpace
	default:
		if msg := lastError(); msg != "" {
			return fmt.Errorf("llama_decode failed (%d): %s", int(r), msg)
		}
		return fmt.Errorf("llama_decode failed (%d)", int(r))
	}
}

// Next is the greedy choice at output row i of the last Decode: the backend sampler's pick when the context has
// one, else the argmax of the logits.
func (c *Context) Next(i int) Token {
	if c.samplers != nil {
		if t := Token(C.gg_sampled(c.c, C.int32_t(i))); t >= 0 {
			return t
		}
	}
	return c.Argmax(i)
}

// Argmax is the most likely token at output row i of the last Decode.
func (c *Context) Argmax(i int) Token {
	return Token(C.gg_argmax(c.c, C.int32_t(i), C.int32_t(c.model.nVocab)))
}

// Logits copies output row i of the last Decode into out, which must hold VocabSize floats.
func (c *Context) Logits(i int, out []float32) bool {
	if len(out) < c.model.nVocab {
		return false
	}
	return bool(C.gg_logits(c.c, C.int32_t(i), (*C.float)(unsafe.Pointer(&out[0])), C.int32_t(c.model.nVocab)))
}
