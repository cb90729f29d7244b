package catalogue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/download"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

func TestCatalogueEntriesAreComplete(t *testing.T) {
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	es := Entries()
	if len(es) != 5 {
		t.Fatalf("%d entries", len(es))
	}
	for _, e := range es {
		if e.Name == "" || e.Title == "" || e.About == "" || e.Shape.Layers <= 0 || len(e.Files) == 0 {
			t.Errorf("%+v is missing a field", e)
		}
		for _, f := range e.Files {
			if !strings.HasPrefix(f.URL, "https://huggingface.co/squarelike/") || !strings.HasSuffix(f.URL, "/"+f.Name) {
				t.Errorf("%s: URL %s", e.Name, f.URL)
			}
			if f.SHA256 != "" && !hex64.MatchString(f.SHA256) {
				t.Errorf("%s: sum %q", f.Name, f.SHA256)
			}
			if f.Size <= 0 && f.ApproxSize <= 0 {
				t.Errorf("%s: no size", f.Name)
			}
		}
		if (e.Convert == "") == (e.GGUF != "") {
			t.Errorf("%s: convert %q with gguf %q", e.Name, e.Convert, e.GGUF)
		}
	}
	if _, err := Find("gugugo-9b"); err == nil || !strings.Contains(err.Error(), "gugugo-7b") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestMemoryFigures(t *testing.T) {
	for name, want := range map[string][2]float64{
		// On an H100 a Q4_K_M of the 7B's shape with one 2,048-token context took 5,674 MiB in all, the CUDA
		// runtime's few hundred MiB included (docs/performance.md).
		"gugugo-7b": {4.8, 5.6}, "gugugo-7b-q4_k_s": {4.6, 5.4}, "gugugo-7b-q8_0": {7.5, 8.5}, "gugugo-1.3b": {1.3, 2.2},
	} {
		e, _ := Find(name)
		m := e.Memory()
		t.Logf("%s: %.2f GiB", name, float64(m.Total())/(1<<30))
		if gb := float64(m.Total()) / (1 << 30); gb < want[0] || gb > want[1] || m.Layers() != e.Shape.Layers {
			t.Errorf("%s needs %.2f GiB in %d layers, want %.1f-%.1f GiB", name, gb, m.Layers(), want[0], want[1])
		}
	}
}

func TestRecommendBySize(t *testing.T) {
	m7, _ := Find("gugugo-7b")
	mS, _ := Find("gugugo-7b-q4_k_s")
	between := (m7.Memory().Total() + mS.Memory().Total()) / 2
	between += max(300<<20, between/19) // the margin LayersThatFit keeps
	for free, want := range map[uint64]string{0: "gugugo-1.3b", 4 << 30: "gugugo-1.3b", between: "gugugo-7b-q4_k_s", 8 << 30: "gugugo-7b", 80 << 30: "gugugo-7b"} {
		if got := Recommend(free).Name; got != want {
			t.Errorf("%d MiB free: %s, want %s", free>>20, got, want)
		}
	}
}

// serve serves the files of dir under /NAME, as the Hub serves a model's files.
func serve(t *testing.T, dir string) *httptest.Server {
	s := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(s.Close)
	return s
}

func sum(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestPullConvertsACheckpointAndRemoves(t *testing.T) {
	hub := t.TempDir()
	if err := tinymodel.WriteHF(hub, tinymodel.HFOptions{Shape: tinymodel.Shapes["tiny"], Seed: 3}); err != nil {
		t.Fatal(err)
	}
	s := serve(t, hub)
	e := Entry{Name: "tiny-1.3b", Title: "Tiny", Convert: "q8_0", GGUF: "tiny.q8_0.gguf"}
	for _, name := range []string{"config.json", "tokenizer.json", "model.safetensors"} {
		e.Files = append(e.Files, File{Name: name, URL: s.URL + "/" + name, SHA256: sum(t, filepath.Join(hub, name))})
	}
	dir := t.TempDir()
	var steps []string
	path, err := e.Pull(context.Background(), &download.Downloader{}, dir, func(st Status) {
		if len(steps) == 0 || steps[len(steps)-1] != st.Step {
			steps = append(steps, st.Step)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := gguf.ReadInfo(path)
	if err != nil || info.Architecture() != "gptneox" {
		t.Fatalf("the converted file: %v", err)
	}
	if !e.Installed(dir) || path != filepath.Join(dir, "tiny.q8_0.gguf") {
		t.Errorf("installed %v at %s", e.Installed(dir), path)
	}
	if _, err := os.Stat(e.checkpointDir(dir)); err == nil {
		t.Error("the checkpoint was kept after the conversion")
	}
	if len(steps) != 4 || !strings.HasPrefix(steps[0], "Downloading config.json (1 of 3)") || !strings.HasPrefix(steps[3], "Converting") {
		t.Errorf("steps %q", steps)
	}
	if err := e.Remove(dir); err != nil || e.Installed(dir) {
		t.Errorf("remove: %v", err)
	}
}

func TestPullDownloadsAGGUF(t *testing.T) {
	hub := t.TempDir()
	model := filepath.Join(hub, "m.gguf")
	if err := tinymodel.Write(model, tinymodel.Options{Arch: "llama", Shape: tinymodel.Shapes["tiny"], Type: gguf.Q8_0, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(model)
	s := serve(t, hub)
	e := Entry{Name: "tiny-7b", Files: []File{{Name: "m.gguf", URL: s.URL + "/m.gguf", Size: info.Size(), SHA256: sum(t, model)}}}
	dir := t.TempDir()
	path, err := e.Pull(context.Background(), &download.Downloader{}, dir, nil)
	if err != nil || path != filepath.Join(dir, "m.gguf") || sum(t, path) != e.Files[0].SHA256 {
		t.Fatalf("pull: %s, %v", path, err)
	}
}
