package inference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// GPU backend plugins fetched by `make gpu` live in lib/gpu/. A plugin built for another toolkit or driver can abort
// the whole process on its first kernel (ggml aborts, there is no error to catch), so each one is first tried in a
// child process, `gugugo dev probe-backend PLUGIN`, which loads a tiny model on it and decodes a few tokens. The
// verdict is kept per plugin file and driver, and the first plugin that passes is used; the rest, and the CPU, are
// the fall-backs. A plugin put straight into lib/ (one built from source) is trusted and loaded with the CPU's.

// ProbeEnv marks the probe's child process, which must not probe in its turn.
const ProbeEnv = "GUGUGO_PROBE_CHILD"

// ProbeCommand makes the command that tries a plugin; tests replace it.
var ProbeCommand = func(plugin string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, "dev", "probe-backend", plugin)
	cmd.Env = append(os.Environ(), ProbeEnv+"=1")
	return cmd
}

// probeTimeout bounds a probe: CUDA start-up and Vulkan's first shader compilation take seconds.
const probeTimeout = 2 * time.Minute

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

// gpuPlugins lists lib/gpu/*.so, CUDA builds first, then Vulkan, then the rest.
func gpuPlugins(libDir string) []string {
	files, _ := filepath.Glob(filepath.Join(libDir, "gpu", "*.so"))
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
	driver, _ := os.ReadFile("/proc/driver/nvidia/version")
	first, _, _ := strings.Cut(string(driver), "\n")
	return fmt.Sprintf("%s|%d|%d|%s", plugin, st.Size(), st.ModTime().UnixNano(), strings.TrimSpace(first))
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

// probe runs the child and reads its verdict: the device it ran on, or why it failed.
func probe(plugin string) verdict {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := ProbeCommand(plugin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return verdict{Reason: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return verdict{Reason: "its test run did not finish in " + probeTimeout.String()}
	}
	if err == nil {
		return verdict{OK: true, Device: strings.TrimSpace(stdout.String())}
	}
	reason := err.Error()
	if line := childReason(stderr.String()); line != "" {
		reason += ": " + line
	}
	return verdict{Reason: reason}
}

// childReason picks why the child failed from its stderr: its own error line when it got to write one, else what
// llama.cpp logged before the process died: the line naming an error ("CUDA error: the provided PTX was compiled
// with an unsupported toolchain."), or the first line.
func childReason(s string) string {
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "gugugo: "); ok {
			return rest
		}
	}
	first := ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if _, msg, ok := strings.Cut(l, "error: "); ok && msg != "" {
			return l
		}
		if first == "" {
			first = l
		}
	}
	return first
}

// selectGPUPlugin loads the first plugin in lib/gpu/ that passes its probe.
func selectGPUPlugin(libDir string) {
	if os.Getenv(ProbeEnv) != "" || os.Getenv("GUGUGO_GPU") == "off" {
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

// ProbeBackend is the child side of a probe: load only the CPU libraries and plugin, run a tiny model on the
// plugin's device, and return that device's name. modelPath is a small model to run.
func ProbeBackend(plugin, modelPath string) (string, error) {
	llama.LogErrors() // if ggml aborts, the parent reads the cause from stderr
	if _, err := OpenLibraries(); err != nil {
		return "", err
	}
	before := len(llama.Devices())
	if err := llama.LoadPlugin(plugin); err != nil {
		return "", err
	}
	devs := llama.Devices()[before:]
	idx := slices.IndexFunc(devs, llama.Device.IsGPU)
	if idx < 0 {
		return "", errors.New("the plugin found no GPU")
	}
	e, err := Load(modelPath, Options{GPULayers: -1, Device: devs[idx].Name})
	if err != nil {
		return "", err
	}
	defer e.Close()
	if _, err := e.Translate(context.Background(), Request{Text: "안녕하세요", ForceTokens: 8}, nil); err != nil {
		return "", err
	}
	return devs[idx].Description, nil
}
