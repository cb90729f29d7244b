package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Info is what ReadInfo learns from a GGUF header.
type Info struct {
	Version  uint32
	Tensors  uint64
	Metadata map[string]any // scalars and strings; arrays are recorded by their length (ArrayLen)
}

// ArrayLen is how Info.Metadata records an array.
type ArrayLen uint64

// Architecture is general.architecture, or "".
func (i *Info) Architecture() string {
	s, _ := i.Metadata["general.architecture"].(string)
	return s
}

// ErrTruncated means the file ends inside its header.
var ErrTruncated = errors.New("GGUF file is truncated")

// Limits that keep a corrupt header from asking for absurd allocations.
const (
	maxString = 1 << 24
	maxKV     = 1 << 16
)

// ReadInfo reads the header and metadata of a GGUF file without its tensor data.
func ReadInfo(path string) (*Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a model file", path)
	}
	return read(bufio.NewReader(f))
}

type decoder struct {
	r   *bufio.Reader
	err error
}

func (d *decoder) full(n int) []byte {
	if d.err != nil {
		return make([]byte, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = ErrTruncated
	}
	return b
}

func (d *decoder) u32() uint32 { return binary.LittleEndian.Uint32(d.full(4)) }
func (d *decoder) u64() uint64 { return binary.LittleEndian.Uint64(d.full(8)) }

func (d *decoder) str() string {
	n := d.u64()
	if d.err != nil {
		return ""
	}
	if n > maxString {
		d.err = fmt.Errorf("corrupt GGUF header (a string of %d bytes)", n)
		return ""
	}
	return string(d.full(int(n)))
}

func (d *decoder) skip(n uint64) {
	if d.err == nil {
		if _, err := d.r.Discard(int(n)); err != nil {
			d.err = ErrTruncated
		}
	}
}

func (d *decoder) value(t ValueType) any {
	switch t {
	case TypeString:
		return d.str()
	case TypeArray:
		et := ValueType(d.u32())
		n := d.u64()
		if d.err != nil {
			return nil
		}
		if et == TypeString {
			for i := uint64(0); i < n && d.err == nil; i++ {
				d.str()
			}
		} else if sz := et.size(); sz > 0 && n < math.MaxInt64/8 {
			d.skip(n * uint64(sz))
		} else {
			d.err = fmt.Errorf("corrupt GGUF header (array of type %d)", et)
		}
		return ArrayLen(n)
	}
	sz := t.size()
	if sz == 0 {
		d.err = fmt.Errorf("corrupt GGUF header (value type %d)", t)
		return nil
	}
	b := d.full(sz)
	switch t {
	case TypeUint8:
		return b[0]
	case TypeInt8:
		return int8(b[0])
	case TypeBool:
		return b[0] != 0
	case TypeUint16:
		return binary.LittleEndian.Uint16(b)
	case TypeInt16:
		return int16(binary.LittleEndian.Uint16(b))
	case TypeUint32:
		return binary.LittleEndian.Uint32(b)
	case TypeInt32:
		return int32(binary.LittleEndian.Uint32(b))
	case TypeFloat32:
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case TypeUint64:
		return binary.LittleEndian.Uint64(b)
	case TypeInt64:
		return int64(binary.LittleEndian.Uint64(b))
	default:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
}

func read(r *bufio.Reader) (*Info, error) {
	d := &decoder{r: r}
	magic := make([]byte, 4)
	if n, _ := io.ReadFull(r, magic); n < 4 || string(magic) != Magic {
		return nil, ErrNotGGUF
	}
	info := &Info{Version: d.u32(), Tensors: d.u64(), Metadata: map[string]any{}}
	nkv := d.u64()
	if d.err != nil {
		return nil, d.err
	}
	if info.Version < 2 || info.Version > 3 {
		return nil, fmt.Errorf("unsupported GGUF version %d", info.Version)
	}
	if nkv > maxKV {
		return nil, fmt.Errorf("corrupt GGUF header (%d metadata entries)", nkv)
	}
	for i := uint64(0); i < nkv && d.err == nil; i++ {
		key := d.str()
		info.Metadata[key] = d.value(ValueType(d.u32()))
	}
	if d.err != nil {
		return nil, d.err
	}
	return info, nil
}
