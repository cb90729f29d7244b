package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

// frontEnd plays a window: one goroutine runs the controller's calls and its events, in order, and the test reads
// what the events said through channels.
type frontEnd struct {
	queue   chan func()
	updates chan Update
	models  chan ModelStatus
	pulls   chan PullStatus
	history chan struct{}
	unsaved chan error
	files   chan FileStatus
}

func newFrontEnd(t *testing.T) *frontEnd {
	f := &frontEnd{queue: make(chan func(), 1024), updates: make(chan Update, 1024), models: make(chan ModelStatus, 64),
		pulls: make(chan PullStatus, 64), history: make(chan struct{}, 64), unsaved: make(chan error, 64), files: make(chan FileStatus, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for fn := range f.queue {
			fn()
		}
	}()
	t.Cleanup(func() { close(f.queue); <-done })
	return f
}

func (f *frontEnd) do(fn func()) { f.queue <- fn }

// run runs fn on the front end's goroutine and waits for it.
func (f *frontEnd) run(fn func()) {
	done := make(chan struct{})
	f.do(func() { fn(); close(done) })
	<-done
}

func (f *frontEnd) events() Events {
	return Events{
		Translation:    func(u Update) { f.updates <- u },
		Model:          func(s ModelStatus) { f.models <- s },
		Pull:           func(s PullStatus) { f.pulls <- s },
		HistoryChanged: func() { f.history <- struct{}{} },
		HistoryFailed:  func(err error) { f.unsaved <- err },
		File:           func(s FileStatus) { f.files <- s },
	}
}

func receive[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// finished waits for the final update of a request.
func (f *frontEnd) finished(t *testing.T) Update {
	t.Helper()
	for {
		if u := receive(t, f.updates, "final update"); u.Done {
			return u
		}
	}
}

// newTestController makes a controller with a scripted engine and a real history database, its model loaded.
func newTestController(t *testing.T, eng *apptest.Engine) (*Controller, *frontEnd, memPrefs) {
	return newTestControllerWithHistory(t, eng, filepath.Join(t.TempDir(), "data", "history.db"))
}

func newTestControllerWithHistory(t *testing.T, eng *apptest.Engine, historyPath string) (*Controller, *frontEnd, memPrefs) {
	f := newFrontEnd(t)
	prefs := memPrefs{}
	c := NewController(ControllerOptions{Load: func(string, inference.Options) (Engine, error) { return eng, nil }, Prefs: prefs,
		Do: f.do, ModelDir: t.TempDir(), Catalogue: []catalogue.Entry{}}, f.events())
	t.Cleanup(func() { f.run(c.Close) })
	var err error
	f.run(func() { err = c.OpenHistory(historyPath) })
	if err != nil {
		t.Fatal(err)
	}
	f.run(func() { c.LoadModel("/models/m.gguf") })
	for receive(t, f.models, "model status").State != ModelReady {
	}
	return c, f, prefs
}

func TestControllerRemembersTheModelAndRecordsHistory(t *testing.T) {
	eng := &apptest.Engine{Pieces: 3, Name: "Gugugo test"}
	c, f, prefs := newTestController(t, eng)
	if got := prefs.StringWithFallback("model_path", ""); got != "/models/m.gguf" {
		t.Errorf("remembered model %q", got)
	}
	f.run(func() { c.Translate("사과", ModeAuto) })
	if u := f.finished(t); u.Text != eng.Want("사과") || u.Err != nil {
		t.Fatalf("final update %+v", u)
	}
	receive(t, f.history, "history change")
	es, err := c.History().List(context.Background(), 0, 10)
	if err != nil || len(es) != 1 {
		t.Fatalf("%d entries, %v", len(es), err)
	}
	if e := es[0]; e.Source != "사과" || e.Target != eng.Want("사과") || e.Direction != inference.KoreanToEnglish || e.Model != "Gugugo test" || e.Tokens != 3 {
		t.Errorf("entry %+v", e)
	}
}

func TestControllerKeepsHistoryAsTheSettingsSay(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	c, f, _ := newTestController(t, eng)
	f.run(func() { c.Settings.KeepHistory = false })
	f.run(func() { c.Translate("not kept", ModeAuto) })
	f.finished(t)
	f.run(func() {}) // the final update has been handled, and with it the decision to record
	c.Wait()
	if n, _ := c.History().Count(context.Background()); n != 0 {
		t.Fatalf("%d entries with history off", n)
	}
	f.run(func() { c.Settings.KeepHistory, c.Settings.HistoryMax = true, 2 })
	for _, text := range []string{"one", "two", "three"} {
		f.run(func() { c.Translate(text, ModeAuto) })
		f.finished(t)
		receive(t, f.history, "history change")
	}
	es, _ := c.History().List(context.Background(), 0, 10)
	if len(es) != 2 || es[0].Source != "three" || es[1].Source != "two" {
		t.Errorf("kept %+v, want the newest two and not the one made with history off", es)
	}
	eng.FailOnce(errors.New("out of memory"))
	f.run(func() { c.Translate("failed", ModeAuto) })
	if u := f.finished(t); u.Err == nil {
		t.Fatal("the failure was not reported")
	}
	f.run(func() { c.Translate("four", ModeAuto) })
	f.finished(t)
	receive(t, f.history, "history change")
	if es, _ := c.History().Search(context.Background(), "failed", 0, 10); len(es) != 0 {
		t.Error("a failed translation was recorded")
	}
}

func TestControllerDropsUpdatesOfReplacedRequests(t *testing.T) {
	eng := &apptest.Engine{Pieces: 20, Delay: time.Millisecond}
	c, f, _ := newTestController(t, eng)
	var second uint64
	f.run(func() { c.Translate("first", ModeAuto) })
	receive(t, f.updates, "an update of the first request") // it is streaming
	f.run(func() { second = c.Translate("second", ModeAuto) })
	// What the front end got before the second request started is in the channel now; from here on, updates of
	// the first request still on their way must be dropped.
	for len(f.updates) > 0 {
		<-f.updates
	}
	for {
		u := receive(t, f.updates, "update")
		if u.ID != second {
			t.Fatalf("an update of the replaced request after the newer one started: %+v", u)
		}
		if u.Done {
			if u.Text != eng.Want("second") {
				t.Errorf("final text %q", u.Text)
			}
			break
		}
	}
}

func TestControllerLoadsAnInstalledCatalogueModel(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	c, f, _ := newTestController(t, eng)
	e := catalogue.Entry{Name: "tiny", Title: "Tiny", Files: []catalogue.File{{Name: "tiny.gguf"}}}
	if err := os.WriteFile(e.Path(c.ModelDir()), []byte("GGUF"), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	f.run(func() { err = c.PullModel(e) })
	if err != nil {
		t.Fatal(err)
	}
	if s := receive(t, f.models, "model status"); s.State != ModelLoading || s.Path != e.Path(c.ModelDir()) {
		t.Errorf("status %+v", s)
	}
	if _, busy := c.Pulling(); busy {
		t.Error("an installed model was downloaded again")
	}
}

// One controller shares its model through the local server; another uses that server as its engine, as a laptop
// uses a team's GPU box. Translations and history work as with a local model.
func TestControllerSharesAndUsesAServer(t *testing.T) {
	eng := &apptest.Engine{Pieces: 3, Name: "Gugugo test"}
	box, boxFront, _ := newTestController(t, eng)
	var err error
	boxFront.run(func() {
		box.Settings.ShareAddr = "0.0.0.0:0"
		if err = box.StartSharing(); !errors.Is(err, server.ErrKeyNeeded) {
			t.Errorf("sharing with the network without a key: %v", err)
		}
		box.Settings.ShareAddr, box.Settings.ShareKey = "127.0.0.1:0", "team-key"
		err = box.StartSharing()
	})
	if err != nil {
		t.Fatal(err)
	}
	addr := box.SharingAddr()

	f := newFrontEnd(t)
	prefs := memPrefs{}
	laptop := NewController(ControllerOptions{Load: func(string, inference.Options) (Engine, error) { return nil, errors.New("no local model here") },
		Prefs: prefs, Do: f.do, ModelDir: t.TempDir(), Catalogue: []catalogue.Entry{}}, f.events())
	t.Cleanup(func() { f.run(laptop.Close) })
	f.run(func() {
		laptop.Settings.UseServer, laptop.Settings.ServerURL, laptop.Settings.ServerKey = true, "http://"+addr, "wrong"
		laptop.LoadEngine()
	})
	if s := waitForStatus(t, f.models, ModelFailed); s.Err == nil || !strings.Contains(s.Err.Error(), "refused the API key") {
		t.Errorf("a wrong key: %v", s.Err)
	}
	f.run(func() {
		laptop.Settings.ServerKey = "team-key"
		laptop.LoadEngine()
	})
	if s := waitForStatus(t, f.models, ModelReady); s.Info.Name != "Gugugo test" || !strings.Contains(s.Info.Device, addr) {
		t.Errorf("ready: %+v", s.Info)
	}
	f.run(func() { laptop.Translate("사과", ModeAuto) })
	if u := f.finished(t); u.Text != eng.Want("사과") || u.Err != nil {
		t.Errorf("through the server: %+v", u)
	}
	if prefs.StringWithFallback("model_path", "") != "" || !laptop.Settings.UseServer {
		t.Errorf("the server replaced the model file in the settings: %q", prefs.StringWithFallback("model_path", ""))
	}
	boxFront.run(box.StopSharing)
	f.run(func() { laptop.Translate("배", ModeAuto) })
	if u := f.finished(t); u.Err == nil || !strings.Contains(u.Err.Error(), "connection refused") {
		t.Errorf("after the server stopped: %+v", u)
	}
}
