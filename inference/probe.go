package inference

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// A probe is a child process that tries one GPU plugin: this program again, with probePluginEnv naming the plugin,
// which main hands to RunProbeChild before anything else. The child runs probeModel, a GPT-NeoX model of a few
// hundred kilobytes (`gugugo dev tiny-model --arch gptneox --shape probe --type f16` writes the same bytes), so a
// plugin is judged on the kernels a real model needs without a model of the user's.

// probePluginEnv names the plugin a probe child tries; a process with it set is a probe child, which never probes.
const probePluginEnv = "GUGUGO_PROBE_PLUGIN"

//go:embed probe.gguf
var probeModel []byte

// ProbeCommand makes the command that tries a plugin.
var ProbeCommand = func(plugin string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), probePluginEnv+"="+plugin)
	return cmd
}

// probeTimeout bounds a probe: CUDA start-up and Vulkan's first shader compilation take seconds.
const probeTimeout = 2 * time.Minute

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
	if line := CrashCause(stderr.String()); line != "" {
		reason += ": " + line
	}
	return verdict{Reason: reason}
}

// LogErrors lets llama.cpp's error messages through to stderr, for a parent process that outlives an abort to read
// the cause there (CrashCause): a probe child's, and the guarded window's (app/guard).
func LogErrors() { llama.LogErrors() }

// CrashCause picks why a child process of this program failed from its stderr: its own error line when it got to
// write one, else what llama.cpp logged before the process died: the line naming an error ("CUDA error: the
// provided PTX was compiled with an unsupported toolchain."), or the first line.
func CrashCause(s string) string {
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

// RunProbeChild does a probe child's work when this process is one (ok is false in any other): it prints the
// device the plugin ran the probe model on, or why it could not, and returns the exit code.
func RunProbeChild() (code int, ok bool) {
	plugin := os.Getenv(probePluginEnv)
	if plugin == "" {
		return 0, false
	}
	device, err := probeBackend(plugin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gugugo:", err)
		return 1, true
	}
	fmt.Println(device)
	return 0, true
}

// probeBackend loads only the CPU libraries and the plugin, runs the probe model on the plugin's device, and
// returns that device's name.
func probeBackend(plugin string) (string, error) {
	LogErrors()
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
	dir, err := os.MkdirTemp("", "gugugo-probe")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "probe.gguf")
	if err := os.WriteFile(model, probeModel, 0o600); err != nil {
		return "", err
	}
	e, err := Load(model, Options{GPULayers: -1, Device: devs[idx].Name})
	if err != nil {
		return "", err
	}
	defer e.Close()
	if info := e.Info(); info.DeviceName != devs[idx].Name {
		return "", fmt.Errorf("the probe model did not run on %s: %s", devs[idx].Name, info.Fallback)
	}
	if _, err := e.Bench(context.Background(), Request{Text: "안녕하세요"}, Workload{Tokens: 8}, nil); err != nil {
		return "", err
	}
	return devs[idx].Description, nil
}
