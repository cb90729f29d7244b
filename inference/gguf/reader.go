package gguf

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
)

// Info is what ReadInfo learns from a GGUF header.
type Info struct {
	Version uint32
	Tensors uint64
	// Metadata holds scalars and strings; arrays are recorded by their length (ArrayLen), except those ReadArrays
	// was asked for: []string, []float32 or []int32.
	Metadata map[string]any
	// TensorInfos describe the tensors, in the file's order.
	TensorInfos []TensorInfo
}

// TensorInfo is a tensor as the header describes it.
type TensorInfo struct {
	Name   string
	Dims   []uint64
	Type   TensorType
	Offset uint64 // in the data section
	Size   uint64 // bytes up to the next tensor (or the end of the file), padding included
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
	maxString  = 1 << 24
	maxKV      = 1 << 16
	maxTensors = 1 << 20
	maxArray   = 1 << 24
	maxDims    = 4 // GGML_MAX_DIMS
)

// ReadInfo reads the header and metadata of a GGUF file without its tensor data.
func ReadInfo(path string) (*Info, error) { return ReadArrays(path) }

// ReadArrays is ReadInfo that also keeps the arrays of the keys named (strings, float32s or int32s).
func ReadArrays(path string, keys ...string) (*Info, error) {
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
	return read(bufio.NewReader(f), uint64(st.Size()), keys)
}

type decoder struct {
	r   *bufio.Reader
	err error
	pos uint64 // bytes read so far
}

func (d *decoder) full(n int) []byte {
	if d.err != nil {
		return make([]byte, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = ErrTruncated
	}
	d.pos += uint64(n)
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
		d.pos += n
	}
}

func (d *decoder) value(t ValueType, keep bool) any {
	switch t {
	case TypeString:
		return d.str()
	case TypeArray:
		et := ValueType(d.u32())
		n := d.u64()
		if d.err != nil {
			return nil
		}
		if keep {
			return d.array(et, n)
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

// array reads an array of strings, float32s or int32s.
func (d *decoder) array(et ValueType, n uint64) any {
	if n > maxArray {
		d.err = fmt.Errorf("corrupt GGUF header (an array of %d values)", n)
		return nil
	}
	switch et {
	case TypeString:
		v := make([]string, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			v = append(v, d.str())
		}
		return v
	case TypeFloat32:
		v := make([]float32, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			v = append(v, math.Float32frombits(d.u32()))
		}
		return v
	case TypeInt32:
		v := make([]int32, 0, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			v = append(v, int32(d.u32()))
		}
		return v
	}
	d.err = fmt.Errorf("an array of type %d cannot be read", et)
	return nil
}

func read(r *bufio.Reader, fileSize uint64, keep []string) (*Info, error) {
	d := &decoder{r: r}
	if magic := d.full(4); d.err != nil || string(magic) != Magic {
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
		info.Metadata[key] = d.value(ValueType(d.u32()), slices.Contains(keep, key))
	}
	if d.err != nil {
		return nil, d.err
	}
	if info.Tensors > maxTensors {
		return nil, fmt.Errorf("corrupt GGUF header (%d tensors)", info.Tensors)
	}
	for i := uint64(0); i < info.Tensors && d.err == nil; i++ {
		t := TensorInfo{Name: d.str()}
		n := d.u32()
		if n == 0 || n > maxDims {
			return nil, fmt.Errorf("corrupt GGUF header (tensor %q has %d dimensions)", t.Name, n)
		}
		elements := uint64(1)
		for j := uint32(0); j < n; j++ {
			dim := d.u64()
			hi, lo := bits.Mul64(elements, dim)
			if hi != 0 || lo > math.MaxInt64 { // llama.cpp counts elements in an int64
				return nil, fmt.Errorf("corrupt GGUF header (tensor %q is too large)", t.Name)
			}
			elements = lo
			t.Dims = append(t.Dims, dim)
		}
		t.Type, t.Offset = TensorType(d.u32()), d.u64()
		info.TensorInfos = append(info.TensorInfos, t)
	}
	if d.err != nil {
		return nil, d.err
	}
	return info, info.sizeTensors(d.pos, fileSize)
}

// ErrIncomplete means the file is shorter than its tensors need.
var ErrIncomplete = errors.New("the model file is corrupted or incomplete")

// sizeTensors works out each tensor's size from the offsets, the data section starting at the first multiple of
// general.alignment after the header, and checks that the file holds all of them.
func (i *Info) sizeTensors(headerEnd, fileSize uint64) error {
	align := uint64(Alignment)
	if a, ok := i.Metadata["general.alignment"].(uint32); ok && a > 0 {
		align = uint64(a)
	}
	dataStart := (headerEnd + align - 1) / align * align
	order := make([]int, len(i.TensorInfos))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(i.TensorInfos[a].Offset, i.TensorInfos[b].Offset) })
	for k, idx := range order {
		t := &i.TensorInfos[idx]
		next := fileSize - min(dataStart, fileSize)
		if k+1 < len(order) {
			next = i.TensorInfos[order[k+1]].Offset
		}
		if t.Offset > next {
			return fmt.Errorf("%w: tensor %s lies past the end of the file", ErrIncomplete, t.Name)
		}
		t.Size = next - t.Offset
		if need := t.Type.minSize(t.Dims); need > t.Size {
			return fmt.Errorf("%w: tensor %s needs %d bytes, the file has %d for it", ErrIncomplete, t.Name, need, t.Size)
		}
	}
	return nil
}
