package guard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets this test binary be the window that supervise runs: GUARD_TEST_CHILD says how it ends. Each start
// adds a line to GUARD_TEST_OUT.starts, and a start with a report writes the report to GUARD_TEST_OUT.
func TestMain(m *testing.M) {
	how := os.Getenv("GUARD_TEST_CHILD")
	if how == "" {
		os.Exit(m.Run())
	}
	out := os.Getenv("GUARD_TEST_OUT")
	if f, err := os.OpenFile(out+".starts", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		f.WriteString(how + "\n")
		f.Close()
	}
	if r, ok := Crashed(); ok && how != "always-abort" {
		b, _ := json.Marshal(r)
		os.WriteFile(out, b, 0o600)
		os.Exit(0)
	}
	mark := FromEnv()
	switch how {
	case "gpu-abort": // aborts while a GPU computes, as ggml does
		mark.Busy("Test GPU", "번역하던 글")
		os.Stderr.WriteString("ggml_cuda_compute_forward: MUL_MAT failed\nCUDA error: an illegal memory access was encountered\n")
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
	case "always-abort": // aborts while a GPU computes, started again or not
		mark.Busy("Test GPU", "")
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
	case "gpu-panic": // a Go panic while a GPU computes: not the GPU's doing
		mark.Busy("Test GPU", "번역하던 글")
		panic("a bug in Go code")
	case "gpu-busy": // computes on a GPU until a signal ends it
		mark.Busy("Test GPU", "긴 번역")
		os.WriteFile(out+".busy", nil, 0o600)
	case "cpu-fails": // fails with no GPU computing
		mark.Busy("Test GPU", "다 끝난 글")
		mark.Idle()
		os.Exit(3)
	}
	select {}
}

// child supervises this test binary as the window, ending as how says; it returns the exit code, the report the
// window was started again with ("" for none) and how many times the window was started.
func child(t *testing.T, how string, while func(out string)) (code int, report string, starts int) {
	out := filepath.Join(t.TempDir(), "report.json")
	t.Setenv("GUARD_TEST_CHILD", how)
	t.Setenv("GUARD_TEST_OUT", out)
	if while != nil {
		go while(out)
	}
	code = supervise(os.Args[0], []string{"-test.run=^$"})
	b, _ := os.ReadFile(out)
	s, _ := os.ReadFile(out + ".starts")
	return code, string(b), strings.Count(string(s), "\n")
}

// A window that aborts while a GPU computes is started again once, with the device, the text and the cause.
func TestWindowStartsAgainAfterAGPUCrash(t *testing.T) {
	code, report, starts := child(t, "gpu-abort", nil)
	if code != 0 || starts != 2 {
		t.Fatalf("exit code %d after %d starts, want the second start's 0", code, starts)
	}
	var r Report
	json.Unmarshal([]byte(report), &r)
	want := Report{Device: "Test GPU", Text: "번역하던 글", Cause: "CUDA error: an illegal memory access was encountered"}
	if r != want {
		t.Errorf("report %+v, want %+v", r, want)
	}
}

// A window that crashes again is not started a third time, and its exit status is passed on.
func TestSecondCrashEnds(t *testing.T) {
	if code, _, starts := child(t, "always-abort", nil); code != 2 || starts != 2 {
		t.Errorf("exit code %d after %d starts, want Go's 2 after two", code, starts)
	}
}

// Not started again: a Go panic (exit status 2 as well, but no crash in C code), a failure with no GPU computing,
// and a window that SIGTERM ends (a logout: the parent passes it on), GPU busy or not.
func TestOtherEndsAreNotRetried(t *testing.T) {
	term := func(out string) {
		for {
			if _, err := os.Stat(out + ".busy"); err == nil {
				syscall.Kill(os.Getpid(), syscall.SIGTERM) // to this process, the parent, which passes it on
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, c := range []struct {
		how   string
		while func(string)
		code  int
	}{{"gpu-panic", nil, 2}, {"cpu-fails", nil, 3}, {"gpu-busy", term, 128 + int(syscall.SIGTERM)}} {
		if code, report, starts := child(t, c.how, c.while); code != c.code || starts != 1 || report != "" {
			t.Errorf("%s: exit code %d after %d starts (report %q), want %d after one", c.how, code, starts, report, c.code)
		}
	}
}
