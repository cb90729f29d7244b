package inference

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// GPU backend plugins fetched by `make gpu` live in lib/gpu/. A plugin built for another toolkit or driver can abort
// the whole process on its first kernel (ggml aborts, there is no error to catch), so each one is first tried in a
// child process, this program started again as a probe child (probe.go), which loads a tiny model on it and decodes a few tokens. The
// verdict is kept per plugin file and driver, and the first plugin that passes is used; the rest, and the CPU, are
// the fall-backs. A plugin put straight into lib/ (one built from source) is trusted and loaded with the CPU's.

// BackendNote says what happened to a GPU plugin.
type BackendNote struct {
	Plugin string
	OK     bool
	Device string // what it ran on, when OK
	Reason string // why not, when not OK
	Probed bool   // the verdict was made in this process rather than read from the cache
}

func (n BackendNote) String() string {
	if n.OK {
		return fmt.Sprintf("GPU plugin %s works on %s", filepath.Base(n.Plugin), n.Device)
	}
	return fmt.Sprintf("GPU plugin %s failed its test run (%s), so it is not used", filepath.Base(n.Plugin), n.Reason)
}

var (
	backendOnce  sync.Once
	backendNotes []BackendNote
)

// BackendNotes tells what became of each GPU plugin in lib/gpu/.
func BackendNotes() []BackendNote { return slices.Clone(backendNotes) }

// gpuPlugins lists the plugins in lib/gpu/, CUDA builds first, then Vulkan, then the rest.
func gpuPlugins(libDir string) []string {
	files, _ := filepath.Glob(filepath.Join(libDir, "gpu", llama.PluginPattern))
	rank := func(p string) int {
		switch b := filepath.Base(p); {
		case strings.Contains(b, "cuda"):
			return 0
		case strings.Contains(b, "vulkan"):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(files, func(a, b string) int { return rank(a) - rank(b) })
	return files
}

type verdict struct {
	OK     bool   `json:"ok"`
	Device string `json:"device,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// verdictKey names a plugin file as it is now, on this driver.
func verdictKey(plugin string) string {
	st, err := os.Stat(plugin)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s|%d|%d|%s", plugin, st.Size(), st.ModTime().UnixNano(), gpuDriverVersion())
}

func verdictFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "gugugo", "gpu-backends.json")
}

func loadVerdicts() map[string]verdict {
	v := map[string]verdict{}
	if b, err := os.ReadFile(verdictFile()); err == nil {
		json.Unmarshal(b, &v)
	}
	return v
}

func saveVerdicts(v map[string]verdict) {
	f := verdictFile()
	if f == "" {
		return
	}
	if b, err := json.MarshalIndent(v, "", "  "); err == nil && os.MkdirAll(filepath.Dir(f), 0o755) == nil {
		os.WriteFile(f, b, 0o644)
	}
}

// selectGPUPlugin loads the first plugin in lib/gpu/ that passes its probe.
func selectGPUPlugin(libDir string) {
	if os.Getenv(probePluginEnv) != "" || os.Getenv("GUGUGO_GPU") == "off" {
		return
	}
	plugins := gpuPlugins(libDir)
	if len(plugins) == 0 {
		return
	}
	verdicts := loadVerdicts()
	changed := false
	for _, p := range plugins {
		key := verdictKey(p)
		v, ok := verdicts[key]
		if !ok {
			v = probe(p)
			verdicts[key] = v
			changed = true
		}
		note := BackendNote{Plugin: p, OK: v.OK, Device: v.Device, Reason: v.Reason, Probed: !ok}
		if v.OK {
			if err := llama.LoadPlugin(p); err != nil {
				note.OK, note.Reason = false, err.Error()
			}
		}
		backendNotes = append(backendNotes, note)
		if note.OK {
			break
		}
	}
	if changed {
		saveVerdicts(verdicts)
	}
}
