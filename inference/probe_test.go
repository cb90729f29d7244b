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
