package inference

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadChildEnv names the model file a loader child loads: this test binary again, so that a file that makes
// llama.cpp abort or read out of bounds ends the child and not the test.
const loadChildEnv = "GUGUGO_TEST_LOAD_CHILD"

// refusedExit is a loader child's exit status when the Go side or llama.cpp refused the file with an error: not
// Go's 2 nor the C runtime's 3 of an abort.
const refusedExit = 77

// runLoadChild is a loader child's work: load the model and translate a few tokens.
func runLoadChild() (code int, ok bool) {
	path := os.Getenv(loadChildEnv)
	if path == "" {
		return 0, false
	}
	e, err := Load(path, Options{GPULayers: 0, Threads: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "refused:", err)
		return refusedExit, true
	}
	defer e.Close()
	if _, err := e.Translate(context.Background(), Request{Text: "hello 안녕", MaxTokens: 4}, nil); err != nil {
		fmt.Fprintln(os.Stderr, "translate:", err)
		return refusedExit, true
	}
	return 0, true
}

// loadsSafely writes data as a model file and loads it in a child process. It fails when the child dies (a
// signal, Go's fatal error) instead of loading the file or refusing it with an error.
func loadsSafely(t *testing.T, path string, data []byte) (refused bool) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), loadChildEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("loading the file did not end in 30 s:\n%s", head(stderr.String(), 1500))
	case err == nil:
		return false
	case errors.As(err, &exit) && exit.ExitCode() == refusedExit:
		return true
	case errors.As(err, &exit):
		status := exit.Sys().(syscall.WaitStatus)
		t.Fatalf("loading the file ended the process (%v, signal %v):\n%s", err, status.Signal(), head(stderr.String(), 1500))
	default:
		t.Fatal(err)
	}
	return false
}

func head(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// setMeta overwrites the value of a metadata key of a fixed-size type in a GGUF file's bytes.
func setMeta(t *testing.T, data []byte, key string, value []byte) []byte {
	t.Helper()
	k := binary.LittleEndian.AppendUint64(nil, uint64(len(key)))
	k = append(k, key...)
	at := bytes.Index(data, k)
	if at < 0 {
		t.Fatalf("no key %s", key)
	}
	out := bytes.Clone(data)
	copy(out[at+len(k)+4:], value)
	return out
}

func u32(v uint32) []byte  { return binary.LittleEndian.AppendUint32(nil, v) }
func f32(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) }

// Hyperparameters and token ids that llama.cpp trusts: each mutated file must be loaded or refused, never end
// the process.
func TestLoaderSurvivesBadHyperparameters(t *testing.T) {
	dir := t.TempDir()
	for _, arch := range Architectures {
		seed, err := os.ReadFile(randomModel(t, arch))
		if err != nil {
			t.Fatal(err)
		}
		if loadsSafely(t, filepath.Join(dir, "seed.gguf"), seed) {
			t.Fatalf("%s: the unchanged model was refused", arch)
		}
		keys := []string{"context_length", "embedding_length", "block_count", "feed_forward_length",
			"attention.head_count", "rope.dimension_count"}
		if arch == "llama" {
			keys = append(keys, "attention.head_count_kv")
		}
		for _, key := range keys {
			for _, v := range []uint32{0, 1, 3, 1 << 20, math.MaxUint32} {
				name := fmt.Sprintf("%s.%s=%d", arch, key, v)
				t.Run(name, func(t *testing.T) {
					loadsSafely(t, filepath.Join(dir, strings.ReplaceAll(name, "/", "_")), setMeta(t, seed, arch+"."+key, u32(v)))
				})
			}
		}
		for _, key := range []string{"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"} {
			for _, v := range []uint32{1 << 20, math.MaxUint32} {
				name := fmt.Sprintf("%s.%s=%d", arch, key, v)
				t.Run(name, func(t *testing.T) {
					loadsSafely(t, filepath.Join(dir, name), setMeta(t, seed, key, u32(v)))
				})
			}
		}
		for _, v := range []float32{0, -1, float32(math.NaN()), float32(math.Inf(1))} {
			key := arch + ".attention.layer_norm_epsilon"
			if arch == "llama" {
				key = arch + ".attention.layer_norm_rms_epsilon"
			}
			name := fmt.Sprintf("%s=%v", key, v)
			t.Run(name, func(t *testing.T) {
				loadsSafely(t, filepath.Join(dir, name), setMeta(t, seed, key, f32(v)))
			})
		}
	}
}

// FuzzModelFile mutates small models of both architectures anywhere: a file that CheckFile accepts must load in
// llama.cpp or be refused with an error, in a child process, never end it.
func FuzzModelFile(f *testing.F) {
	f.Add(probeModel)
	llamaSeed, err := os.ReadFile(scripted(f, "llama", "fuzz-seed", -1, " Hello"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(llamaSeed)
	path := filepath.Join(f.TempDir(), "model.gguf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := CheckFile(path); err != nil {
			return
		}
		loadsSafely(t, path, data)
	})
}
