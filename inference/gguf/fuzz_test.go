package gguf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadInfo reads any bytes as a model file's header: it must not panic, and what it accepts describes tensors
// that lie inside the file.
func FuzzReadInfo(f *testing.F) {
	var w Writer
	w.String("general.architecture", "gptneox")
	w.Uint32("gptneox.context_length", 2048)
	w.Strings("tokenizer.ggml.tokens", []string{"a", "b", "</끝>"})
	w.Int32s("tokenizer.ggml.token_type", []int32{1, 1, 1})
	w.Tensor("token_embd.weight", []uint64{4, 3}, F32)
	w.Tensor("output.weight", []uint64{4, 3}, F16)
	var model bytes.Buffer
	if err := w.Write(&model, func(string) ([]float32, error) { return make([]float32, 12), nil }); err != nil {
		f.Fatal(err)
	}
	f.Add(model.Bytes())
	f.Add(model.Bytes()[:model.Len()/2])
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	path := filepath.Join(f.TempDir(), "m.gguf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := ReadArrays(path, "tokenizer.ggml.tokens")
		if err != nil {
			return
		}
		for _, ti := range info.TensorInfos {
			if ti.Offset > uint64(len(data)) || ti.Size > uint64(len(data)) || ti.Offset+ti.Size > uint64(len(data)) {
				t.Fatalf("tensor %q at %d, %d bytes, in a file of %d", ti.Name, ti.Offset, ti.Size, len(data))
			}
			n := uint64(1)
			for _, d := range ti.Dims {
				if d != 0 && n > ^uint64(0)/d {
					t.Fatalf("tensor %q accepted with dimensions %v, whose product overflows", ti.Name, ti.Dims)
				}
				n *= d
			}
		}
	})
}
