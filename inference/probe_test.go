package inference

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

func TestProbeModelIsTheTinyModelsProbeShape(t *testing.T) {
	p := filepath.Join(t.TempDir(), "probe.gguf")
	if err := tinymodel.Write(p, tinymodel.Options{Arch: "gptneox", Shape: tinymodel.Shapes["probe"], Type: gguf.F16, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(probeModel, want) {
		t.Fatal("inference/probe.gguf differs from `gugugo dev tiny-model --arch gptneox --shape probe --type f16`: write it again")
	}
}

func TestProbeModelRunsOnTheCPU(t *testing.T) {
	p := filepath.Join(t.TempDir(), "probe.gguf")
	if err := os.WriteFile(p, probeModel, 0o600); err != nil {
		t.Fatal(err)
	}
	e := load(t, p, Options{Device: "cpu"})
	res, err := e.Bench(context.Background(), Request{Text: "안녕하세요"}, Workload{Tokens: 8}, nil)
	if err != nil || res.GeneratedTokens != 8 {
		t.Fatalf("%d tokens, %v", res.GeneratedTokens, err)
	}
}

func TestChildReason(t *testing.T) {
	// What the npm CUDA 13 plugin's probe child wrote on an H100 (driver 580.159.04) when ggml aborted it, and what
	// a child writes when it reports a failure itself after llama.cpp logged something.
	aborted := "ggml_cuda_compute_forward: NORM failed\n" +
		"CUDA error: the provided PTX was compiled with an unsupported toolchain.\n" +
		"  current device: 0, in function ggml_cuda_compute_forward at /home/runner/work/ggml-cuda.cu:2422\n" +
		"  err\n/home/runner/work/ggml-cuda.cu:108: CUDA error\n" +
		"/work/main/build/lib/libggml-base.so(ggml_print_backtrace+0x21f)[0x7f5ae0c1ad6f]\n"
	reported := "ggml_vulkan: no devices\ngugugo: cannot load vulkan.so: ggml_backend_init returned NULL\n"
	for in, want := range map[string]string{
		aborted:                "CUDA error: the provided PTX was compiled with an unsupported toolchain.",
		reported:               "cannot load vulkan.so: ggml_backend_init returned NULL",
		"\n\n":                 "",
		"Segmentation fault\n": "Segmentation fault",
	} {
		if got := CrashCause(in); got != want {
			t.Errorf("CrashCause(%q) = %q, want %q", in, got, want)
		}
	}
}
