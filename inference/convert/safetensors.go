package convert

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

// tensorRef is where one tensor of a checkpoint lies.
type tensorRef struct {
	file  string
	dtype string
	shape []int
	start int64 // absolute offset in file
	size  int64
}

// shapeFits reports whether the shape has no negative dimension and its values, width bytes each, are the tensor's
// bytes exactly, counted without overflow.
func (t tensorRef) shapeFits(width int64) bool {
	n := int64(1)
	for _, d := range t.shape {
		if d < 0 || d > 0 && n > t.size/int64(d) {
			return false
		}
		n *= int64(d)
	}
	return n*width == t.size
}

func (t tensorRef) count() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// Checkpoint is the tensors of a Hugging Face safetensors checkpoint, one file or shards with an index.
type Checkpoint struct {
	tensors map[string]tensorRef
}

// OpenCheckpoint reads the safetensors headers in dir. A folder with only pytorch_model.bin is refused: reading
// Python pickles is neither safe nor needed, as the Gugugo checkpoints ship safetensors too.
func OpenCheckpoint(dir string) (*Checkpoint, error) {
	var files []string
	if b, err := os.ReadFile(filepath.Join(dir, "model.safetensors.index.json")); err == nil {
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(b, &idx); err != nil {
			return nil, fmt.Errorf("model.safetensors.index.json: %w", err)
		}
		seen := map[string]bool{}
		for _, f := range idx.WeightMap {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
		sort.Strings(files)
	} else if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err == nil {
		files = []string{"model.safetensors"}
	} else if _, err := os.Stat(filepath.Join(dir, "pytorch_model.bin")); err == nil {
		return nil, errors.New("this checkpoint has only pytorch_model.bin (a Python pickle), which gugugo does not read: " +
			"download model.safetensors from the same model page into this folder")
	} else {
		return nil, fmt.Errorf("%s holds no model.safetensors (nor an index of shards)", dir)
	}
	c := &Checkpoint{tensors: map[string]tensorRef{}}
	for _, f := range files {
		if err := c.readHeader(filepath.Join(dir, f)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Checkpoint) readHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil || n > 100<<20 || int64(n)+8 > st.Size() {
		return fmt.Errorf("%s: not a safetensors file (bad header length)", filepath.Base(path))
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(f, h); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(h, &header); err != nil {
		return fmt.Errorf("%s: not a safetensors file: %w", filepath.Base(path), err)
	}
	base := int64(8 + n)
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var t struct {
			DType       string  `json:"dtype"`
			Shape       []int   `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &t); err != nil || len(t.DataOffsets) != 2 {
			return fmt.Errorf("%s: tensor %s: bad header entry", filepath.Base(path), name)
		}
		ref := tensorRef{file: path, dtype: t.DType, shape: t.Shape, start: base + t.DataOffsets[0], size: t.DataOffsets[1] - t.DataOffsets[0]}
		width, known := dtypeWidth[t.DType]
		if !known {
			return fmt.Errorf("%s: tensor %s has the unknown type %q", filepath.Base(path), name, t.DType)
		}
		if !ref.shapeFits(width) || ref.start < base || ref.start+ref.size > st.Size() {
			return fmt.Errorf("%s: tensor %s lies outside the file: the file is truncated or damaged", filepath.Base(path), name)
		}
		c.tensors[name] = ref
	}
	return nil
}

// dtypeWidth is the bytes of one element of each safetensors type. Only the float types are converted; the others
// appear in older GPT-NeoX checkpoints as buffers the converter skips (the boolean causal mask attention.bias).
var dtypeWidth = map[string]int64{"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

// Shape is a tensor's shape, or nil when the checkpoint lacks it.
func (c *Checkpoint) Shape(name string) []int {
	return c.tensors[name].shape
}

// Read returns a tensor's values as float32, row-major as stored.
func (c *Checkpoint) Read(name string) ([]float32, error) {
	t, ok := c.tensors[name]
	if !ok {
		return nil, fmt.Errorf("the checkpoint has no tensor %s", name)
	}
	if t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16" {
		return nil, fmt.Errorf("tensor %s has type %s; only F32, F16 and BF16 weights are converted", name, t.dtype)
	}
	f, err := os.Open(t.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw := make([]byte, t.size)
	if _, err := f.ReadAt(raw, t.start); err != nil {
		return nil, fmt.Errorf("tensor %s: %w", name, err)
	}
	out := make([]float32, t.count())
	switch t.dtype {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = gguf.Float16To32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	}
	return out, nil
}

// bytes is the size of the named tensors, for progress.
func (c *Checkpoint) bytes(names []string) int64 {
	var n int64
	for _, name := range names {
		n += c.tensors[name].size
	}
	return n
}
