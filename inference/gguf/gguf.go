// Package gguf writes GGUF model files and reads their metadata, as llama.cpp v0.5.0 defines the format (version 3).
package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Magic starts every GGUF file.
const Magic = "GGUF"

// Version is the format version written.
const Version = 3

// Alignment of tensor data, llama.cpp's default (general.alignment).
const Alignment = 32

// ValueType is a GGUF metadata value type.
type ValueType uint32

// Metadata value types.
const (
	TypeUint8 ValueType = iota
	TypeInt8
	TypeUint16
	TypeInt16
	TypeUint32
	TypeInt32
	TypeFloat32
	TypeBool
	TypeString
	TypeArray
	TypeUint64
	TypeInt64
	TypeFloat64
)

func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// TensorType is a ggml tensor element type.
type TensorType uint32

// Tensor types this package can write.
const (
	F32  TensorType = 0
	F16  TensorType = 1
	Q8_0 TensorType = 8
)

// ParseTensorType accepts f32, f16 and q8_0.
func ParseTensorType(s string) (TensorType, error) {
	switch s {
	case "f32":
		return F32, nil
	case "f16":
		return F16, nil
	case "q8_0":
		return Q8_0, nil
	}
	return 0, fmt.Errorf("unknown tensor type %q (want f32, f16 or q8_0)", s)
}

func (t TensorType) String() string {
	switch t {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case Q8_0:
		return "q8_0"
	}
	return fmt.Sprintf("type%d", uint32(t))
}

// FileType is the general.file_type (llama_ftype) of a model whose matrices are of type t.
func (t TensorType) FileType() uint32 {
	switch t {
	case F16:
		return 1 // LLAMA_FTYPE_MOSTLY_F16
	case Q8_0:
		return 7 // LLAMA_FTYPE_MOSTLY_Q8_0
	}
	return 0 // LLAMA_FTYPE_ALL_F32
}

// q8BlockSize is the number of values in a Q8_0 block: one f16 scale and 32 int8 values.
const q8BlockSize = 32

// DataSize is the number of bytes n values take in type t.
func (t TensorType) DataSize(n uint64) uint64 {
	switch t {
	case F32:
		return 4 * n
	case F16:
		return 2 * n
	case Q8_0:
		return n / q8BlockSize * (2 + q8BlockSize)
	}
	return 0
}

// Encode appends values encoded in type t to dst. For Q8_0, len(src) must be a multiple of 32.
func (t TensorType) Encode(dst []byte, src []float32) []byte {
	switch t {
	case F32:
		for _, v := range src {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		}
	case F16:
		for _, v := range src {
			dst = binary.LittleEndian.AppendUint16(dst, Float16(v))
		}
	case Q8_0:
		for b := 0; b+q8BlockSize <= len(src); b += q8BlockSize {
			blk := src[b : b+q8BlockSize]
			var amax float32
			for _, v := range blk {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			d := amax / 127
			id := float32(0)
			if d != 0 {
				id = 1 / d
			}
			dst = binary.LittleEndian.AppendUint16(dst, Float16(d))
			for _, v := range blk {
				dst = append(dst, byte(int8(math.Round(float64(v*id)))))
			}
		}
	}
	return dst
}

// Float16 converts to IEEE 754 half precision, rounding to nearest even.
func Float16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 0x1f: // overflow or Inf
		return sign | 0x7c00
	case exp <= 0: // subnormal or zero
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		half := mant >> shift
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || rem == mid && half&1 == 1 {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && half&1 == 1 {
		half++ // may carry into the exponent, which is still correct
	}
	return sign | uint16(half)
}

// Float16To32 converts half precision to float32.
func Float16To32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		for mant&0x400 == 0 {
			mant <<= 1
			exp--
		}
		exp++
		mant &= 0x3ff
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// ErrNotGGUF means a file does not start with the GGUF magic.
var ErrNotGGUF = errors.New("not a GGUF model file")

// blockLayout is a ggml type's block: values per block and bytes per block (ggml.c's type_traits).
var blockLayout = map[TensorType][2]uint64{
	0: {1, 4}, 1: {1, 2}, 30: {1, 2}, // F32, F16, BF16
	2: {32, 18}, 3: {32, 20}, 6: {32, 22}, 7: {32, 24}, 8: {32, 34}, // Q4_0, Q4_1, Q5_0, Q5_1, Q8_0
	10: {256, 84}, 11: {256, 110}, 12: {256, 144}, 13: {256, 176}, 14: {256, 210}, // Q2_K ... Q6_K
	24: {1, 1}, 25: {1, 2}, 26: {1, 4}, 27: {1, 8}, 28: {1, 8}, // I8, I16, I32, I64, F64
}

// minSize is the bytes a tensor of these dimensions takes, or 0 for a type this package does not know (nothing is
// checked then). A product that overflows counts as more than any file.
func (t TensorType) minSize(dims []uint64) uint64 {
	layout, ok := blockLayout[t]
	if !ok {
		return 0
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return math.MaxUint64
		}
		n = lo
	}
	blocks := (n + layout[0] - 1) / layout[0]
	hi, size := bits.Mul64(blocks, layout[1])
	if hi != 0 {
		return math.MaxUint64
	}
	return size
}
