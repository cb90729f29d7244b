package app

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/history"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// TestMain lets this test binary be the app that TestKilledAppLosesNoHistory kills.
func TestMain(m *testing.M) {
	if db := os.Getenv(crashChildEnv); db != "" {
		os.Exit(runCrashChild(db, os.Getenv("GUGUGO_CRASH_MODEL"), os.Getenv("GUGUGO_CRASH_ROUND")))
	}
	os.Exit(m.Run())
}

// crashChildEnv names the history database of a child that translates until it is killed.
const crashChildEnv = "GUGUGO_CRASH_HISTORY"

// runCrashChild is the app as the window drives it: a controller with the real engine and history, on a
// goroutine of its own for the front end. It translates one sentence after another and prints each sentence once
// the history said it was recorded (the window's history list refreshes at that moment).
func runCrashChild(db, model, round string) int {
	queue := make(chan func(), 1024)
	go func() {
		for fn := range queue {
			fn()
		}
	}()
	updates, ready, recorded := make(chan Update, 1024), make(chan ModelStatus, 16), make(chan struct{}, 16)
	c := NewController(ControllerOptions{Load: LoadEngine, Prefs: memPrefs{}, Do: func(fn func()) { queue <- fn },
		ModelDir: filepath.Dir(model), Catalogue: []catalogue.Entry{}},
		Events{Translation: func(u Update) { updates <- u }, Model: func(s ModelStatus) { ready <- s },
			HistoryChanged: func() { recorded <- struct{}{} }})
	if err := c.OpenHistory(db); err != nil {
		fmt.Println("error", err)
		return 1
	}
	queue <- func() { c.LoadModel(model) }
	for s := range ready {
		if s.State == ModelReady {
			break
		}
		if s.State == ModelFailed {
			fmt.Println("error", s.Err)
			return 1
		}
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		text := fmt.Sprintf("문장 %s-%d.", round, i)
		queue <- func() { c.Translate(text, ModeAuto) }
		for u := range updates {
			if u.Done {
				if u.Err != nil {
					fmt.Println("error", u.Err)
					return 1
				}
				break
			}
		}
		<-recorded
		fmt.Fprintln(out, text)
		out.Flush()
	}
}

// The app killed with SIGKILL at random moments (loading its model, translating, writing history) 100 times
// leaves a history that passes integrity_check and holds every translation it had reported recorded.
func TestKilledAppLosesNoHistory(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model.gguf")
	if err := tinymodel.Write(model, tinymodel.Options{Arch: "gptneox", Shape: tinymodel.Shapes["probe"], Seed: 3}); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "data", "history.db")
	var acked []string
	const rounds = 100
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+db, "GUGUGO_CRASH_MODEL="+model, fmt.Sprintf("GUGUGO_CRASH_ROUND=%d", round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Most rounds let a few translations be recorded first; then the kill lands anywhere within 20 ms.
		for range rand.IntN(4) {
			line, ok := <-lines
			if !ok || strings.HasPrefix(line, "error") {
				t.Fatalf("round %d: the app stopped on its own: %q", round, line)
			}
			acked = append(acked, line)
		}
		time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for line := range lines {
			if strings.HasPrefix(line, "error") {
				t.Fatalf("round %d: %s", round, line)
			}
			acked = append(acked, line)
		}
		if err := cmd.Wait(); err == nil {
			t.Fatalf("round %d: the app ended before it was killed", round)
		}
	}
	s, err := history.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Integrity(); err != nil {
		t.Fatalf("integrity_check after %d kills: %v", rounds, err)
	}
	n, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.List(context.Background(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range es {
		have[e.Source] = true
	}
	for _, src := range acked {
		if !have[src] {
			t.Errorf("%q was reported recorded and is missing after the kills", src)
		}
	}
	if len(acked) < rounds {
		t.Errorf("only %d translations were recorded in %d rounds", len(acked), rounds)
	}
	t.Logf("%d kills, %d translations reported recorded, %d entries in the history", rounds, len(acked), n)
}
