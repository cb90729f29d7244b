package convert

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// safetensors is a file with a header and its data.
func safetensors(header string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), make([]byte, data)...)
}

// FuzzCheckpoint reads any bytes as model.safetensors: what it accepts lies inside the file, and reads.
func FuzzCheckpoint(f *testing.F) {
	f.Add(safetensors(`{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}`, 8))
	f.Add(safetensors(`{"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}`, 16))
	f.Add(safetensors(`{"c":{"dtype":"BOOL","shape":[-1,-2],"data_offsets":[0,2]}}`, 2))
	f.Add(safetensors(`{"d":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, 0))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := OpenCheckpoint(dir)
		if err != nil {
			return
		}
		for name, ref := range c.tensors {
			for _, d := range ref.shape {
				if d < 0 {
					t.Fatalf("tensor %q accepted with the shape %v", name, ref.shape)
				}
			}
			if ref.start < 8 || ref.size < 0 || ref.start+ref.size > int64(len(data)) || ref.count() < 0 {
				t.Fatalf("tensor %q accepted at %d, %d bytes, %d values, in a file of %d", name, ref.start, ref.size, ref.count(), len(data))
			}
			if v, err := c.Read(name); err == nil && len(v) != ref.count() {
				t.Fatalf("tensor %q read as %d values, its shape says %d", name, len(v), ref.count())
			}
		}
	})
}

// FuzzTokenizer reads any bytes as tokenizer.json: no panic, and a vocabulary it accepts has the size asked for.
func FuzzTokenizer(f *testing.F) {
	f.Add([]byte(`{"added_tokens":[{"id":0,"content":"<|endoftext|>","special":true}],"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false},` +
		`"model":{"type":"BPE","vocab":{"<|endoftext|>":0,"a":1,"b":2,"ab":3},"merges":["a b"]}}`))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{},"merges":[["a","b"]]}}`))
	f.Add([]byte(`{not json`))
	path := filepath.Join(f.TempDir(), "tokenizer.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		v, err := readTokenizer(path, 64)
		if err == nil && len(v.tokens) != 64 {
			t.Fatalf("a vocabulary of %d tokens, asked for 64", len(v.tokens))
		}
	})
}

// FuzzConfig reads any bytes as config.json, the first file a conversion reads: an error, never a panic or an
// output file (there is no checkpoint beside it).
func FuzzConfig(f *testing.F) {
	f.Add([]byte(`{"architectures":["GPTNeoXForCausalLM"],"model_type":"gpt_neox","hidden_size":2048,"num_attention_heads":16,` +
		`"num_hidden_layers":24,"intermediate_size":8192,"rotary_pct":0.5,"vocab_size":30080,"max_position_embeddings":2048}`))
	f.Add([]byte(`{"architectures":["LlamaForCausalLM"]}`))
	dir := f.TempDir()
	out := filepath.Join(f.TempDir(), "out.gguf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Convert(context.Background(), dir, out, Options{}); err == nil {
			t.Fatal("converted a folder without weights")
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatal("an output file was left")
		}
	})
}
