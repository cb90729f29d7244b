package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

type kv struct {
	key string
	typ ValueType
	val any
}

type tensorInfo struct {
	name  string
	shape []uint64
	typ   TensorType
}

func (t tensorInfo) size() uint64 {
	n := uint64(1)
	for _, d := range t.shape {
		n *= d
	}
	return t.typ.DataSize(n)
}

// Writer builds a GGUF file: metadata and tensor descriptions first, then Write streams the tensor data one
// tensor at a time, so a file larger than memory can be written.
type Writer struct {
	kvs     []kv
	tensors []tensorInfo
}

// String adds a string value.
func (w *Writer) String(key, v string) { w.kvs = append(w.kvs, kv{key, TypeString, v}) }

// Uint32 adds a uint32 value.
func (w *Writer) Uint32(key string, v uint32) { w.kvs = append(w.kvs, kv{key, TypeUint32, v}) }

// Float32 adds a float32 value.
func (w *Writer) Float32(key string, v float32) { w.kvs = append(w.kvs, kv{key, TypeFloat32, v}) }

// Bool adds a bool value.
func (w *Writer) Bool(key string, v bool) { w.kvs = append(w.kvs, kv{key, TypeBool, v}) }

// Strings adds an array of strings.
func (w *Writer) Strings(key string, v []string) { w.kvs = append(w.kvs, kv{key, TypeArray, v}) }

// Int32s adds an array of int32.
func (w *Writer) Int32s(key string, v []int32) { w.kvs = append(w.kvs, kv{key, TypeArray, v}) }

// Float32s adds an array of float32.
func (w *Writer) Float32s(key string, v []float32) { w.kvs = append(w.kvs, kv{key, TypeArray, v}) }

// Tensor describes a tensor; shape is in ggml order (the fastest-moving dimension first).
func (w *Writer) Tensor(name string, shape []uint64, typ TensorType) error {
	if typ == Q8_0 && shape[0]%q8BlockSize != 0 {
		return fmt.Errorf("tensor %s: q8_0 needs rows that are a multiple of %d, not %d", name, q8BlockSize, shape[0])
	}
	w.tensors = append(w.tensors, tensorInfo{name, shape, typ})
	return nil
}

type encoder struct {
	w   *bufio.Writer
	n   uint64
	err error
}

func (e *encoder) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
		e.n += uint64(len(b))
	}
}

func (e *encoder) u32(v uint32) { e.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (e *encoder) u64(v uint64) { e.bytes(binary.LittleEndian.AppendUint64(nil, v)) }
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.bytes([]byte(s)) }
func (e *encoder) pad() {
	if r := e.n % Alignment; r != 0 {
		e.bytes(make([]byte, Alignment-r))
	}
}

func (e *encoder) value(typ ValueType, v any) {
	e.u32(uint32(typ))
	switch x := v.(type) {
	case string:
		e.str(x)
	case uint32:
		e.u32(x)
	case float32:
		e.u32(math.Float32bits(x))
	case bool:
		if x {
			e.bytes([]byte{1})
		} else {
			e.bytes([]byte{0})
		}
	case []string:
		e.u32(uint32(TypeString))
		e.u64(uint64(len(x)))
		for _, s := range x {
			e.str(s)
		}
	case []int32:
		e.u32(uint32(TypeInt32))
		e.u64(uint64(len(x)))
		for _, n := range x {
			e.u32(uint32(n))
		}
	case []float32:
		e.u32(uint32(TypeFloat32))
		e.u64(uint64(len(x)))
		for _, f := range x {
			e.u32(math.Float32bits(f))
		}
	default:
		panic(fmt.Sprintf("gguf: unsupported value %T", v))
	}
}

// Write writes the file. data is called once per tensor, in the order they were described, and returns its values
// as float32 in ggml order; Write converts them to the tensor's type.
func (w *Writer) Write(out io.Writer, data func(name string) ([]float32, error)) error {
	e := &encoder{w: bufio.NewWriterSize(out, 1<<20)}
	e.bytes([]byte(Magic))
	e.u32(Version)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		e.str(kv.key)
		e.value(kv.typ, kv.val)
	}
	var off uint64
	for _, t := range w.tensors {
		e.str(t.name)
		e.u32(uint32(len(t.shape)))
		for _, d := range t.shape {
			e.u64(d)
		}
		e.u32(uint32(t.typ))
		e.u64(off)
		off += (t.size() + Alignment - 1) / Alignment * Alignment
	}
	e.pad()
	var buf []byte
	for _, t := range w.tensors {
		vals, err := data(t.name)
		if err != nil {
			return fmt.Errorf("tensor %s: %w", t.name, err)
		}
		n := uint64(1)
		for _, d := range t.shape {
			n *= d
		}
		if uint64(len(vals)) != n {
			return fmt.Errorf("tensor %s: got %d values, want %d", t.name, len(vals), n)
		}
		buf = t.typ.Encode(buf[:0], vals)
		e.bytes(buf)
		e.pad()
	}
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}
