package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/guard"
	"github.com/gugugo-desktop/gugugo/inference"
)

func TestModelUnloadsWhenIdleAndReloads(t *testing.T) {
	var loads, closes atomic.Int32
	statuses := make(chan ModelStatus, 100)
	m := NewModels(func(path string, o inference.Options) (Engine, error) {
		loads.Add(1)
		if o.Progress != nil {
			o.Progress(0.5)
		}
		time.Sleep(30 * time.Millisecond) // a load takes a while: requests meanwhile must wait, not fail
		return &closeCounter{&apptest.Engine{Pieces: 2}, &closes}, nil
	}, func(s ModelStatus) { statuses <- s })
	defer m.Close()
	waitFor := func(want ModelState) ModelStatus { return waitForStatus(t, statuses, want) }
	m.Load("a.gguf", inference.Options{})
	waitFor(ModelReady)
	m.SetIdleUnload(50 * time.Millisecond)
	waitFor(ModelUnloaded)
	if closes.Load() != 1 {
		t.Fatalf("unloaded but %d engines closed", closes.Load())
	}
	tr := m.Translator()
	if tr == nil {
		t.Fatal("an unloaded model offers no translator")
	}
	var wg sync.WaitGroup
	results := make([]string, 3)
	for i := range results { // three requests arrive while the model is unloaded: one reload serves them all
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := tr.Translate(context.Background(), inference.Request{Text: "x"}, nil)
			results[i] = fmt.Sprint(res.Text, err)
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != "[x:0][x:1]<nil>" {
			t.Fatalf("after reload: %q", results)
		}
	}
	if loads.Load() != 2 {
		t.Fatalf("%d loads, want one reload", loads.Load())
	}
	if s := waitFor(ModelReady); !s.Reloaded {
		t.Error("the reload's ready status is not marked as a reload")
	}
	waitFor(ModelUnloaded) // idle again after the translation
	m.SetIdleUnload(0)
	tr.Translate(context.Background(), inference.Request{Text: "y"}, nil)
	m.mu.Lock()
	armed := m.idleTimer != nil && m.idleTimer.Stop() // Stop reports a timer still to fire
	m.mu.Unlock()
	if armed {
		t.Error("with idle unload off, an unload is still scheduled")
	}
	if loads.Load() != 3 || closes.Load() != 2 {
		t.Fatalf("with idle unload off: %d loads, %d closes", loads.Load(), closes.Load())
	}
}

type closeCounter struct {
	*apptest.Engine
	closes *atomic.Int32
}

func (c *closeCounter) Close() { c.closes.Add(1) }

// A model on a GPU keeps the guard's mark, with the text as the user typed it, while it translates; one on the CPU
// never does.
func TestGuardedLoadMarksGPUTranslations(t *testing.T) {
	for _, layers := range []int{0, 24} {
		path := filepath.Join(t.TempDir(), "mark.json")
		eng := &apptest.Engine{Pieces: 3, Delay: 20 * time.Millisecond, GPULayers: layers}
		load := GuardedLoad(func(string, inference.Options) (Engine, error) { return eng, nil }, guard.NewMark(path))
		e, err := load("m.gguf", inference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var during []byte
		// The session passes the text as typed beside the request's, which a glossary may have changed.
		ctx := withSource(context.Background(), "번역할 글")
		_, err = e.Translate(ctx, inference.Request{Text: "번역할 text"}, func(string, string) {
			if during == nil {
				during, _ = os.ReadFile(path)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if layers == 0 && during != nil {
			t.Errorf("a CPU model marked its translation: %s", during)
		}
		if layers > 0 && !strings.Contains(string(during), `"text":"번역할 글"`) {
			t.Errorf("the mark during a GPU translation: %q", during)
		}
		if _, err := os.Stat(path); err == nil {
			t.Error("the mark outlived the translation")
		}
	}
}
