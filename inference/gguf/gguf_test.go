package gguf

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestFloat16RoundTrip(t *testing.T) {
	for _, c := range []struct {
		f    float32
		bits uint16
	}{
		{0, 0x0000}, {1, 0x3c00}, {-2, 0xc000}, {0.5, 0x3800}, {65504, 0x7bff}, {1e6, 0x7c00},
		{6.103515625e-05, 0x0400},                       // smallest normal
		{5.960464477539063e-08, 1},                      // smallest subnormal
		{1.0009765625, 0x3c01}, {1.00048828125, 0x3c00}, // a tie rounds to even
	} {
		if got := Float16(c.f); got != c.bits {
			t.Errorf("Float16(%g) = %#04x, want %#04x", c.f, got, c.bits)
		}
		if c.bits != 0x7c00 && c.f != 1.00048828125 {
			if back := Float16To32(c.bits); back != c.f {
				t.Errorf("Float16To32(%#04x) = %g, want %g", c.bits, back, c.f)
			}
		}
	}
	if !math.IsNaN(float64(Float16To32(Float16(float32(math.NaN()))))) {
		t.Error("NaN is not kept")
	}
}

func TestQ8_0Blocks(t *testing.T) {
	vals := make([]float32, 64)
	for i := range vals {
		vals[i] = float32(i-32) / 8
	}
	b := Q8_0.Encode(nil, vals)
	if uint64(len(b)) != Q8_0.DataSize(64) || len(b) != 2*34 {
		t.Fatalf("%d bytes for two blocks", len(b))
	}
	d := Float16To32(uint16(b[0]) | uint16(b[1])<<8)
	if math.Abs(float64(d-4.0/127)) > 1e-4 { // the first block's largest magnitude is 4
		t.Errorf("scale %g", d)
	}
	for i := 0; i < 32; i++ {
		if got := float32(int8(b[2+i])) * d; math.Abs(float64(got-vals[i])) > float64(d)/2+1e-6 {
			t.Errorf("value %d decodes to %g, want %g", i, got, vals[i])
		}
	}
}

func TestWriteThenReadInfo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.gguf")
	w := &Writer{}
	w.String("general.architecture", "gptneox")
	w.Uint32("gptneox.block_count", 2)
	w.Float32("gptneox.attention.layer_norm_epsilon", 1e-5)
	w.Bool("gptneox.use_parallel_residual", true)
	w.Strings("tokenizer.ggml.tokens", []string{"a", "b", "c"})
	w.Int32s("tokenizer.ggml.token_type", []int32{1, 1, 1})
	if err := w.Tensor("t", []uint64{32, 2}, Q8_0); err != nil {
		t.Fatal(err)
	}
	if err := w.Tensor("bad", []uint64{33}, Q8_0); err == nil {
		t.Error("a q8_0 row of 33 values was accepted")
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(f, func(string) ([]float32, error) { return make([]float32, 64), nil }); err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, err := ReadInfo(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Architecture() != "gptneox" || info.Tensors != 1 || info.Metadata["gptneox.block_count"] != uint32(2) ||
		info.Metadata["tokenizer.ggml.tokens"] != ArrayLen(3) || info.Metadata["gptneox.use_parallel_residual"] != true {
		t.Errorf("read back %+v", info)
	}
	st, _ := os.Stat(p)
	if st.Size()%Alignment != 0 {
		t.Errorf("file size %d is not aligned", st.Size())
	}
	data, _ := os.ReadFile(p)
	os.WriteFile(p, data[:40], 0o644)
	if _, err := ReadInfo(p); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated header: %v", err)
	}
	os.WriteFile(p, []byte("GGML not really"), 0o644)
	if _, err := ReadInfo(p); !errors.Is(err, ErrNotGGUF) {
		t.Errorf("wrong magic: %v", err)
	}
}
