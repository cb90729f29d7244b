package guard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestMain lets this test binary be the window that supervise runs: GUARD_TEST_CHILD says how it ends.
func TestMain(m *testing.M) {
	switch os.Getenv("GUARD_TEST_CHILD") {
	case "":
		os.Exit(m.Run())
	case "gpu-abort": // aborts while a GPU computes, unless it is the window started again: then it reports
		if r, ok := Crashed(); ok {
			b, _ := json.Marshal(r)
			os.WriteFile(os.Getenv("GUARD_TEST_OUT"), b, 0o600)
			os.Exit(0)
		}
		m := FromEnv()
		m.Busy("Test GPU", "번역하던 글")
		os.Stderr.WriteString("ggml_cuda_compute_forward: MUL_MAT failed\nCUDA error: an illegal memory access was encountered\n")
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
		select {}
	case "always-abort": // aborts while a GPU computes, every time
		FromEnv().Busy("Test GPU", "")
		syscall.Kill(os.Getpid(), syscall.SIGABRT)
		select {}
	case "gpu-busy": // computes on a GPU until a signal ends it
		if _, ok := Crashed(); ok {
			os.WriteFile(os.Getenv("GUARD_TEST_OUT"), []byte("started again"), 0o600)
			os.Exit(0)
		}
		FromEnv().Busy("Test GPU", "긴 번역")
		os.WriteFile(os.Getenv("GUARD_TEST_OUT")+".busy", nil, 0o600)
		select {}
	case "cpu-fails": // fails with no GPU computing
		m := FromEnv()
		m.Busy("Test GPU", "다 끝난 글")
		m.Idle()
		os.Exit(3)
	}
}

func child(t *testing.T, how string) (code int, out string) {
	t.Setenv("GUARD_TEST_CHILD", how)
	out = filepath.Join(t.TempDir(), "report.json")
	t.Setenv("GUARD_TEST_OUT", out)
	return supervise(os.Args[0], []string{"-test.run=^$"}), out
}

// A window that ends while a GPU computes is started again once, with the device, the text and the cause.
func TestWindowStartsAgainAfterAGPUCrash(t *testing.T) {
	code, out := child(t, "gpu-abort")
	if code != 0 {
		t.Fatalf("exit code %d, want the restarted window's 0", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the window was not started again with a report: %v", err)
	}
	var r Report
	json.Unmarshal(b, &r)
	want := Report{Device: "Test GPU", Text: "번역하던 글", Cause: "CUDA error: an illegal memory access was encountered"}
	if r != want {
		t.Errorf("report %+v, want %+v", r, want)
	}
}

// Once only: a window that crashes again is not started a third time, and its exit code is passed on.
func TestSecondCrashEnds(t *testing.T) {
	if code, _ := child(t, "always-abort"); code == 0 {
		t.Error("a window that kept crashing ended with 0")
	}
}

// A window that fails with no GPU computing is not started again.
func TestOtherFailuresAreNotRetried(t *testing.T) {
	code, out := child(t, "cpu-fails")
	if code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("it was started again")
	}
}

// A window that a SIGTERM passed on by the parent ends (a logout) is not started again, GPU busy or not.
func TestSignalledWindowIsNotStartedAgain(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	t.Setenv("GUARD_TEST_CHILD", "gpu-busy")
	t.Setenv("GUARD_TEST_OUT", out)
	go func() {
		for {
			if _, err := os.Stat(out + ".busy"); err == nil {
				syscall.Kill(os.Getpid(), syscall.SIGTERM) // to this process, the parent, which passes it on
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	if code := supervise(os.Args[0], []string{"-test.run=^$"}); code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want %d", code, 128+int(syscall.SIGTERM))
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the window was started again after a SIGTERM")
	}
}
