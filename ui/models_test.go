package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"
	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// tinyShape is the test models' shape, for the memory figure the Models dialog shows.
var tinyShape = inference.Shape{Arch: "llama", Layers: 2, Embd: 128, FFN: 256, Vocab: 400, Heads: 4}

// hub serves a tiny GGUF as the Hugging Face Hub would, and a path that never finishes, for Cancel.
func hub(t *testing.T) (catalogue.Entry, catalogue.Entry, catalogue.Entry) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.gguf")
	if err := tinymodel.Write(model, tinymodel.Options{Arch: "llama", Shape: tinymodel.Shapes["tiny"], Type: gguf.Q8_0, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(model)
	sum := sha256.Sum256(b)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/tiny.gguf":
			http.ServeFile(w, r, model)
		case "/slow.gguf":
			w.Header().Set("Content-Length", "100000000")
			w.Write(make([]byte, 1000))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	good := catalogue.Entry{Name: "gugugo-7b", Title: "Tiny 7B", About: "test", Shape: tinyShape,
		Files: []catalogue.File{{Name: "tiny.gguf", URL: s.URL + "/tiny.gguf", Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}}}
	slow := catalogue.Entry{Name: "slow", Title: "Slow", About: "test", Shape: tinyShape,
		Files: []catalogue.File{{Name: "slow.gguf", URL: s.URL + "/slow.gguf", Size: 100000000}}}
	missing := catalogue.Entry{Name: "gugugo-1.3b", Title: "Missing", About: "test", Shape: tinyShape,
		Files: []catalogue.File{{Name: "none.gguf", URL: s.URL + "/none.gguf", Size: 10}}}
	return good, slow, missing
}

func TestWelcomeDownloadsAndLoadsAModel(t *testing.T) {
	good, slow, missing := hub(t)
	eng := &apptest.Engine{Pieces: 1}
	dir := t.TempDir()
	w := newTestWindowOpts(t, eng, func(o *Options) { o.Catalogue = []catalogue.Entry{good, slow, missing}; o.ModelDir = dir })

	// Once the GPU lookup is done, the first button offers what suits the GPU found (the 1.3B without one: here a
	// file the server lacks), the second the other model.
	eventually(t, w, "the downloads offered", func() bool { return !w.welcome.recommended.Disabled() })
	first, second := "Download Missing (0 KB)", "Download Tiny 7B ("+download.FormatSize(good.DownloadSize())+")"
	gpu := catalogue.Recommend(w.welcome.free).Name == good.Name
	if gpu {
		first, second = second, first
	}
	if got := w.read(func() string { return w.welcome.recommended.Text + " | " + w.welcome.other.Text }); got != first+" | "+second {
		t.Errorf("welcome offers %q", got)
	}
	// A file the server does not have: the reason shows, and the choices come back.
	missingButton := w.welcome.recommended
	if gpu {
		missingButton = w.welcome.other
	}
	w.ui(func() { test.Tap(missingButton) })
	eventually(t, w, "the error", func() bool {
		_, busy := w.core.Pulling()
		return !busy && strings.Contains(w.welcome.pullText.Text, "HTTP 404")
	})
	if w.read(func() string { return w.stateLabel.Text }) == "" || !w.welcome.choices.Visible() {
		t.Error("the failed download left no message or no choices")
	}

	// Cancel stops a download and keeps what it got for a resume.
	w.ui(func() { w.pullModel(slow) })
	eventually(t, w, "the slow download's progress", func() bool { return strings.Contains(w.welcome.pullText.Text, "Downloading slow.gguf") })
	w.ui(w.cancelPull)
	eventually(t, w, "the stop", func() bool {
		_, busy := w.core.Pulling()
		return !busy && strings.HasPrefix(w.stateLabel.Text, "Download stopped")
	})
	if _, err := os.Stat(filepath.Join(dir, "slow.gguf.part")); err != nil {
		t.Errorf("the partial file is gone: %v", err)
	}

	// The recommended download (the welcome screen's first button) fetches, verifies and loads.
	w.ui(func() { w.pullModel(good) })
	eventually(t, w, "the downloaded model loaded", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Ready") && w.main.Visible() })
	if got := LoadedModelPath(w); got != filepath.Join(dir, "tiny.gguf") {
		t.Errorf("loaded %q", got)
	}
	if !good.Installed(dir) {
		t.Error("the model is not installed")
	}
}

func TestDeviceTextNamesAPartialOffload(t *testing.T) {
	for _, c := range []struct {
		info inference.ModelInfo
		want string
	}{
		{inference.ModelInfo{Device: "NVIDIA RTX 3050", GPULayers: 32, Layers: 32}, "on NVIDIA RTX 3050"},
		{inference.ModelInfo{Device: "NVIDIA RTX 3050", GPULayers: 20, Layers: 32}, "on NVIDIA RTX 3050 (20 of 32 layers on the GPU)"},
		{inference.ModelInfo{Device: "CPU (AMD EPYC)", GPULayers: 0, Layers: 32}, "on CPU (AMD EPYC)"},
	} {
		if got := deviceText(c.info); got != c.want {
			t.Errorf("%+v: %q, want %q", c.info, got, c.want)
		}
	}
}
