package app

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/x11"
)

// fakeDesktop stands for the X server (tested for real in app/x11): selections are set by the test, the hotkey and
// clipboard changes are fired by it.
type fakeDesktop struct {
	mu        sync.Mutex
	sel       map[string]string
	taken     map[string]bool
	held      map[string]func()
	onChange  func(time.Time)
	grabCalls int
}

func newFakeDesktop() *fakeDesktop {
	return &fakeDesktop{sel: map[string]string{}, taken: map[string]bool{}, held: map[string]func(){}}
}

func (d *fakeDesktop) Grab(h x11.Hotkey, fire func()) (func(), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.grabCalls++
	if d.taken[h.String()] {
		return nil, x11.ErrTaken
	}
	d.held[h.String()] = fire
	return func() { d.mu.Lock(); delete(d.held, h.String()); d.mu.Unlock() }, nil
}

func (d *fakeDesktop) ReadSelection(which string, max int) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.sel[which]) > max {
		return "", x11.ErrTooLarge
	}
	return d.sel[which], nil
}

func (d *fakeDesktop) WatchClipboard(changed func(time.Time)) error {
	d.onChange = changed
	return nil
}

func (d *fakeDesktop) press(key string) bool {
	d.mu.Lock()
	fire := d.held[key]
	d.mu.Unlock()
	if fire != nil {
		fire()
	}
	return fire != nil
}

func (d *fakeDesktop) copy(text string, at time.Time) {
	d.mu.Lock()
	d.sel[x11.Clipboard] = text
	d.mu.Unlock()
	d.onChange(at)
}

type delivered struct {
	text string
	err  error
}

func newTestTriggers(d DesktopInput) (*Triggers, *[]delivered) {
	var got []delivered
	return NewTriggers(d, 100, func(text string, err error) { got = append(got, delivered{text, err}) }), &got
}

func TestHotkeyReadsClipboardOrSelection(t *testing.T) {
	d := newFakeDesktop()
	tr, got := newTestTriggers(d)
	if err := tr.SetHotkey("Ctrl+Alt+G", false); err != nil {
		t.Fatal(err)
	}
	d.sel[x11.Clipboard], d.sel[x11.Primary] = "copied", "selected"
	d.press("Ctrl+Alt+G")
	tr.SetHotkey("Ctrl+Alt+G", true)
	d.press("Ctrl+Alt+G")
	d.sel[x11.Primary] = "  "
	d.press("Ctrl+Alt+G") // nothing selected: the clipboard
	d.sel[x11.Clipboard] = strings.Repeat("x", 101)
	d.press("Ctrl+Alt+G")
	d.sel[x11.Clipboard] = ""
	d.press("Ctrl+Alt+G")
	want := []string{"copied", "selected", "copied", "error: the clipboard holds more than 0 KB", "error: the clipboard holds no text"}
	if len(*got) != len(want) {
		t.Fatalf("delivered %+v", *got)
	}
	for i, g := range *got {
		s := g.text
		if g.err != nil {
			s = "error: " + g.err.Error()
		}
		if !strings.HasPrefix(s, want[i]) {
			t.Errorf("press %d delivered %q, want %q", i, s, want[i])
		}
	}
}

func TestHotkeyChangePauseAndConflict(t *testing.T) {
	d := newFakeDesktop()
	tr, got := newTestTriggers(d)
	d.sel[x11.Clipboard] = "text"
	d.taken["Ctrl+Alt+T"] = true
	if err := tr.SetHotkey("Ctrl+Alt+T", false); err == nil || !strings.Contains(err.Error(), "taken by another program") {
		t.Fatalf("a taken combination: %v", err)
	}
	if err := tr.SetHotkey("Ctrl+Shift", false); err == nil {
		t.Fatal("an invalid combination was accepted")
	}
	if err := tr.SetHotkey("Super+F8", false); err != nil {
		t.Fatal(err)
	}
	if err := tr.SetHotkey("Ctrl+Alt+G", false); err != nil {
		t.Fatal(err)
	}
	if d.press("Super+F8") {
		t.Error("the old combination is still held")
	}
	tr.Pause(true)
	if d.press("Ctrl+Alt+G") || !tr.Paused() {
		t.Error("paused, the keys are still held")
	}
	if err := tr.Pause(false); err != nil || !d.press("Ctrl+Alt+G") {
		t.Fatalf("resumed: %v", err)
	}
	if len(*got) != 1 || (*got)[0].text != "text" {
		t.Fatalf("delivered %+v", *got)
	}
	tr.Close()
	if d.press("Ctrl+Alt+G") {
		t.Error("closed, the keys are still held")
	}
	if err := NewTriggers(nil, 100, nil).SetHotkey("Ctrl+Alt+G", false); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("without X11: %v", err)
	}
}

func TestDoubleCopy(t *testing.T) {
	d := newFakeDesktop()
	tr, got := newTestTriggers(d)
	if err := tr.SetDoubleCopy(true); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	d.copy("once", t0)
	d.copy("twice", t0.Add(time.Second))
	d.copy("twice", t0.Add(time.Second+300*time.Millisecond)) // Ctrl+C+C
	d.copy("twice", t0.Add(time.Second+600*time.Millisecond)) // a third copy starts a new pair
	d.copy("slow", t0.Add(3*time.Second))
	d.copy("slow", t0.Add(4*time.Second)) // too far apart
	d.copy("a", t0.Add(5*time.Second))
	d.copy("b", t0.Add(5*time.Second+100*time.Millisecond)) // different texts
	tr.SetDoubleCopy(false)
	d.copy("off", t0.Add(6*time.Second))
	d.copy("off", t0.Add(6*time.Second+100*time.Millisecond))
	if len(*got) != 1 || (*got)[0].text != "twice" {
		t.Fatalf("delivered %+v, want one of \"twice\"", *got)
	}
}
