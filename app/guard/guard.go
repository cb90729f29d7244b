// Package guard keeps the window through a GPU plugin that ends the process mid-translation. A plugin that passed
// its test run (inference/probe.go) can still abort in a kernel it had not run yet, or when the driver goes away;
// ggml aborts, and there is nothing in-process to catch. So the window runs as a child of a small parent process
// (Supervise). While a GPU computes, the child keeps a mark file naming the device and the text (Mark). When the
// child dies with the mark there, the parent starts it again with a report (Crashed): the window comes back on the
// CPU, with the text, and says what happened. A window ended any other way (a Go panic, a signal, a second crash)
// is not started again.
package guard

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/gugugo-desktop/gugugo/inference"
)

const (
	markEnv  = "GUGUGO_GPU_MARK"  // where a guarded window keeps its mark
	crashEnv = "GUGUGO_GPU_CRASH" // the report a window started again reads
)

// Report is what a window started again after a crash is told.
type Report struct {
	Device string `json:"device"` // the GPU that was computing
	Text   string `json:"text"`   // what it was translating
	Cause  string `json:"cause"`  // the error line the process printed before it died, if any
}

// Mark is a guarded window's mark file.
type Mark struct {
	path string
	mu   sync.Mutex
	busy int
}

// FromEnv is this process's mark when it is a guarded window, else nil.
func FromEnv() *Mark {
	if p := os.Getenv(markEnv); p != "" {
		return NewMark(p)
	}
	return nil
}

// NewMark keeps its mark in the file path.
func NewMark(path string) *Mark { return &Mark{path: path} }

// Busy records that device is computing a translation of text; Idle, called once for each Busy, that it is done.
// Translations that overlap (a file and the window's) keep the first one's mark.
func (m *Mark) Busy(device, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy++; m.busy == 1 {
		b, _ := json.Marshal(Report{Device: device, Text: text})
		os.WriteFile(m.path, b, 0o600) // best effort: without it a crash is only not recovered from
	}
}

// Idle ends a Busy.
func (m *Mark) Idle() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy--; m.busy == 0 {
		os.Remove(m.path)
	}
}

// Crashed is the report this window was started again with, once: later calls find none.
func Crashed() (Report, bool) {
	p := os.Getenv(crashEnv)
	if p == "" {
		return Report{}, false
	}
	os.Unsetenv(crashEnv)
	b, err := os.ReadFile(p)
	os.Remove(p)
	var r Report
	if err != nil || json.Unmarshal(b, &r) != nil {
		return Report{}, false
	}
	return r, true
}

// Supervised tells whether this process is the guarded window.
func Supervised() bool { return os.Getenv(markEnv) != "" }

// Supervise runs this program again with the same arguments as the guarded window and waits for it, passing on
// SIGINT, SIGTERM and SIGHUP. When the window crashes in C code while a GPU computes, it is started once more with
// the report. It returns the window's exit code.
func Supervise() int {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return supervise(exe, os.Args[1:])
}

func supervise(exe string, args []string) int {
	// The mark holds the text being translated: keep it in the user's runtime folder (private, and emptied at
	// logout) where there is one.
	base := os.Getenv("XDG_RUNTIME_DIR")
	if st, err := os.Stat(base); base == "" || err != nil || !st.IsDir() {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "gugugo-guard")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gugugo:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	mark, report := filepath.Join(dir, "gpu-mark.json"), filepath.Join(dir, "crash.json")
	env := append(os.Environ(), markEnv+"="+mark)
	for restarted := false; ; restarted = true {
		stderr := &tail{max: 64 << 10}
		cmd := exec.Command(exe, args...)
		cmd.Env = env
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, stderr
		cmd.SysProcAttr = childAttr()
		code, crashed := run(cmd)
		b, err := os.ReadFile(mark)
		if !crashed || !inC(code, stderr.String()) || err != nil || restarted {
			return code
		}
		var r Report
		json.Unmarshal(b, &r)
		os.Remove(mark)
		r.Cause = inference.CrashCause(stderr.String())
		b, _ = json.Marshal(r)
		if err := os.WriteFile(report, b, 0o600); err != nil {
			return code
		}
		fmt.Fprintf(os.Stderr, "gugugo: the window ended while %s was translating; it starts again on the CPU\n", r.Device)
		env = append(env, crashEnv+"="+report)
	}
}

// inC tells, from the exit status and the end of stderr, a crash in C code (an abort in a GPU plugin) from a Go
// panic or fatal error, which also ends a Go program with status 2 but is no fault of the GPU.
func inC(code int, stderr string) bool {
	if code != 2 {
		return true // a crash signal, or the C runtime's abort on Windows (3)
	}
	return strings.Contains(stderr, "signal arrived during cgo execution") || strings.HasPrefix(stderr, "SIGABRT: abort") ||
		strings.Contains(stderr, "\nSIGABRT: abort")
}

// run runs the window and returns its exit code, 128 plus the signal's number when a signal ended it. crashed says
// that it ended the way a crash ends a Go program (exit status 2 from Go's runtime, 3 from the C runtime on Windows,
// or a crash signal), and not by a signal passed on to it or the user's kill.
func run(cmd *exec.Cmd) (code int, crashed bool) {
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "gugugo:", err)
		return 1, false
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	told := false
	for {
		select {
		case s := <-signals:
			cmd.Process.Signal(s)
			told = true
		case err := <-done:
			var exit *exec.ExitError
			switch {
			case err == nil:
				return 0, false
			case errors.As(err, &exit):
				if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return 128 + int(ws.Signal()), !told && crashSignal(ws.Signal())
				}
				code := exit.ExitCode()
				return code, !told && (code == 2 || code == 3)
			}
			return 1, false
		}
	}
}

// tail passes the window's stderr on to this process's and keeps its last max bytes. A failed write to stderr (a
// closed terminal; none at all in a Windows GUI program) is ignored: an error here would stop the copying, and the
// window would then die of a broken pipe.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	if os.Stderr != nil {
		os.Stderr.Write(p)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ToValidUTF8(string(t.b), "")
}
