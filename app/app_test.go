package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/inference"
)

type recorder struct {
	mu      sync.Mutex
	updates []Update
	done    chan Update
}

func newRecorder() *recorder { return &recorder{done: make(chan Update, 16)} }

func (r *recorder) deliver(u Update) {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
	if u.Done {
		r.done <- u
	}
}

func (r *recorder) wait(t *testing.T) Update {
	t.Helper()
	select {
	case u := <-r.done:
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("no final update")
		return Update{}
	}
}

func TestSessionStreamsAndCoalesces(t *testing.T) {
	tr := &apptest.Engine{Pieces: 200, Delay: time.Millisecond}
	rec := newRecorder()
	s := NewSession(func() Translator { return tr }, rec.deliver)
	id := s.Translate("안녕", ModeAuto)
	u := rec.wait(t)
	if u.ID != id || u.Err != nil || u.Text != tr.Want("안녕") || u.Direction != inference.KoreanToEnglish {
		t.Fatalf("final update %+v", u)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := len(rec.updates)
	// 200 pieces over about 200+ ms: streamed in several updates, but far fewer than one per piece.
	if n < 3 || n > 40 {
		t.Errorf("%d updates for 200 pieces", n)
	}
	for i := 1; i < n; i++ {
		if !strings.HasPrefix(rec.updates[i].Text, rec.updates[i-1].Text) {
			t.Fatalf("update %d does not extend the previous one", i)
		}
	}
}

func TestNewerRequestWins(t *testing.T) {
	tr := &apptest.Engine{Pieces: 50, Delay: 2 * time.Millisecond}
	rec := newRecorder()
	s := NewSession(func() Translator { return tr }, rec.deliver)
	s.Translate("first", ModeKoreanToEnglish)
	time.Sleep(10 * time.Millisecond)
	id := s.Translate("second", ModeKoreanToEnglish)
	u := rec.wait(t)
	s.Wait()
	if u.ID != id || u.Text != tr.Want("second") {
		t.Fatalf("final update %+v", u)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	sawSecond := false
	for _, up := range rec.updates {
		if up.ID == id {
			sawSecond = true
		} else if sawSecond {
			t.Fatalf("an update of the older request came after the newer one's: %+v", up)
		}
	}
}

func TestTypingBurstGivesOneTranslation(t *testing.T) {
	tr := &apptest.Engine{Pieces: 3, Delay: time.Millisecond}
	rec := newRecorder()
	s := NewSession(func() Translator { return tr }, rec.deliver)
	s.Debounce = 50 * time.Millisecond
	for _, prefix := range []string{"안", "안녕", "안녕하", "안녕하세", "안녕하세요"} {
		s.Schedule(prefix, ModeAuto)
		time.Sleep(5 * time.Millisecond)
	}
	u := rec.wait(t)
	s.Wait()
	if u.Text != tr.Want("안녕하세요") {
		t.Fatalf("got %q", u.Text)
	}
	if got := tr.RequestTexts(); len(got) != 1 {
		t.Errorf("the engine got %d requests: %q", len(got), got)
	}
}

func TestStopAndErrors(t *testing.T) {
	tr := &apptest.Engine{Pieces: 1000, Delay: time.Millisecond}
	rec := newRecorder()
	s := NewSession(func() Translator { return tr }, rec.deliver)
	s.Translate("long", ModeAuto)
	time.Sleep(20 * time.Millisecond)
	s.Stop()
	if u := rec.wait(t); !errors.Is(u.Err, context.Canceled) || u.Text == "" {
		t.Errorf("stopped: %+v", u.Err)
	}
	tr.Fail = errors.New("engine exploded")
	if s.Translate("x", ModeAuto); !strings.Contains(fmt.Sprint(rec.wait(t).Err), "exploded") {
		t.Error("engine error not reported")
	}
	tr.Fail = nil
	tr.Pieces = 2
	s.Translate("again", ModeAuto)
	if u := rec.wait(t); u.Err != nil || u.Text != tr.Want("again") {
		t.Errorf("after an error: %+v", u)
	}
	// Nothing to translate (NUL bytes, line breaks): done at once, the engine not asked.
	asked := len(tr.Requests())
	s.Translate("\x00\x00\n\t", ModeAuto)
	if u := rec.wait(t); u.Err != nil || u.Text != "" || len(tr.Requests()) != asked {
		t.Errorf("a blank text: %+v, %d requests", u, len(tr.Requests())-asked)
	}
	none := NewSession(func() Translator { return nil }, rec.deliver)
	none.Translate("hi", ModeAuto)
	if u := rec.wait(t); !errors.Is(u.Err, ErrNoModel) {
		t.Errorf("no model: %v", u.Err)
	}
}

func TestModesAndSwap(t *testing.T) {
	if ModeAuto.Resolve("Hello there") != inference.EnglishToKorean || ModeKoreanToEnglish.Resolve("Hello") != inference.KoreanToEnglish {
		t.Error("Resolve")
	}
	if ModeKoreanToEnglish.Swapped() != ModeEnglishToKorean || ModeAuto.Swapped() != ModeAuto {
		t.Error("Swapped")
	}
	for _, d := range []inference.Direction{inference.KoreanToEnglish, inference.EnglishToKorean} {
		if ModeOf(d).Resolve("") != d {
			t.Errorf("ModeOf(%v) translates in %v", d, ModeOf(d).Resolve(""))
		}
	}
}

type memPrefs map[string]any

func (p memPrefs) BoolWithFallback(k string, f bool) bool {
	if v, ok := p[k].(bool); ok {
		return v
	}
	return f
}
func (p memPrefs) SetBool(k string, v bool) { p[k] = v }
func (p memPrefs) FloatWithFallback(k string, f float64) float64 {
	if v, ok := p[k].(float64); ok {
		return v
	}
	return f
}
func (p memPrefs) SetFloat(k string, v float64) { p[k] = v }
func (p memPrefs) IntWithFallback(k string, f int) int {
	if v, ok := p[k].(int); ok {
		return v
	}
	return f
}
func (p memPrefs) SetInt(k string, v int) { p[k] = v }
func (p memPrefs) StringWithFallback(k, f string) string {
	if v, ok := p[k].(string); ok {
		return v
	}
	return f
}
func (p memPrefs) SetString(k, v string) { p[k] = v }

func TestSettingsRoundTripAndBounds(t *testing.T) {
	p := memPrefs{}
	if got := LoadSettings(p); got != DefaultSettings() {
		t.Errorf("first run: %+v", got)
	}
	s := Settings{ModelPath: "/m.gguf", Device: "CUDA0", GPULayers: 10, Threads: 2, AutoTranslate: false, Theme: ThemeDark, FontSize: 20,
		Direction: ModeEnglishToKorean, WindowWidth: 1200, WindowHeight: 800, KeepHistory: false, HistoryMax: 50, HistoryDays: 7,
		Hotkey: "Super+F8", HotkeyPrimary: true, DoubleCopy: true, CopyResult: true, Popup: true, CloseToTray: false, IdleMinutes: 15,
		UseServer: true, ServerURL: "http://gpu-box:8080", ServerKey: "k", Share: true, ShareAddr: "0.0.0.0:1188", ShareKey: "s"}
	s.Save(p)
	if got := LoadSettings(p); got != s {
		t.Errorf("round trip: %+v", got)
	}
	p.SetFloat("font_size", 500)
	p.SetString("theme", "purple")
	p.SetInt("direction", 9)
	p.SetString("hotkey", "Shift+G")
	p.SetInt("idle_minutes", -3)
	p.SetString("share_addr", " ")
	got := LoadSettings(p)
	if got.FontSize != MaxFontSize || got.Theme != ThemeSystem || got.Direction != ModeAuto || got.Hotkey != "Ctrl+Alt+G" || got.IdleMinutes != 0 ||
		got.ShareAddr != "127.0.0.1:1188" {
		t.Errorf("out of range values kept: %+v", got)
	}
}

// waitForStatus waits for a model status of the given state.
func waitForStatus(t *testing.T, statuses <-chan ModelStatus, want ModelState) ModelStatus {
	t.Helper()
	for {
		select {
		case s := <-statuses:
			if s.State == want {
				return s
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no status %v", want)
		}
	}
}

func TestModelsLoadReplaceAndFail(t *testing.T) {
	statuses := make(chan ModelStatus, 100)
	engines := map[string]*apptest.Engine{}
	var mu sync.Mutex
	m := NewModels(func(path string, o inference.Options) (Engine, error) {
		if path == "bad.gguf" {
			return nil, errors.New("bad.gguf: not a GGUF model file")
		}
		o.Progress(0.5)
		o.Progress(1)
		e := &apptest.Engine{Name: path}
		mu.Lock()
		engines[path] = e
		mu.Unlock()
		return e, nil
	}, func(s ModelStatus) { statuses <- s })
	waitFor := func(want ModelState) ModelStatus { return waitForStatus(t, statuses, want) }
	if m.Translator() != nil {
		t.Error("a translator before any load")
	}
	m.Load("a.gguf", inference.Options{})
	if s := waitFor(ModelReady); s.Info.Name != "a.gguf" || m.Translator() == nil {
		t.Fatalf("%+v", s)
	}
	m.Load("bad.gguf", inference.Options{})
	if s := waitFor(ModelFailed); !strings.Contains(s.Err.Error(), "not a GGUF") {
		t.Fatalf("%+v", s)
	}
	if m.Translator() == nil {
		t.Error("a failed load dropped the working model")
	}
	m.Load("b.gguf", inference.Options{})
	waitFor(ModelReady)
	m.Close()
	mu.Lock()
	defer mu.Unlock()
	if !engines["a.gguf"].Closed() || !engines["b.gguf"].Closed() {
		t.Error("engines not closed")
	}
}

func TestDevicesOfferAutomaticAndCPU(t *testing.T) {
	devs := Devices()
	if len(devs) < 2 || devs[0].Name != "" || devs[1].Name != "cpu" {
		t.Errorf("devices %+v", devs)
	}
}
