package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/desktop"
)

type delivered struct {
	text string
	err  error
}

func newTestTriggers(d desktop.Input) (*Triggers, *[]delivered) {
	var got []delivered
	return NewTriggers(d, 100, func(text string, err error) { got = append(got, delivered{text, err}) }), &got
}

func TestHotkeyReadsClipboardOrSelection(t *testing.T) {
	d := apptest.NewDesktop()
	tr, got := newTestTriggers(d)
	if err := tr.SetHotkey("Ctrl+Alt+G", false); err != nil {
		t.Fatal(err)
	}
	d.SetSelection(desktop.Clipboard, "copied")
	d.SetSelection(desktop.Primary, "selected")
	d.Press("Ctrl+Alt+G")
	tr.SetHotkey("Ctrl+Alt+G", true)
	d.Press("Ctrl+Alt+G")
	d.SetSelection(desktop.Primary, "  ")
	d.Press("Ctrl+Alt+G") // nothing selected: the clipboard
	d.SetSelection(desktop.Clipboard, strings.Repeat("x", 101))
	d.Press("Ctrl+Alt+G")
	d.SetSelection(desktop.Clipboard, "")
	d.Press("Ctrl+Alt+G")
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
	d := apptest.NewDesktop()
	tr, got := newTestTriggers(d)
	d.SetSelection(desktop.Clipboard, "text")
	d.Take("Ctrl+Alt+T", true)
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
	if d.Press("Super+F8") {
		t.Error("the old combination is still held")
	}
	tr.Pause(true)
	if d.Press("Ctrl+Alt+G") || !tr.Paused() {
		t.Error("paused, the keys are still held")
	}
	if err := tr.Pause(false); err != nil || !d.Press("Ctrl+Alt+G") {
		t.Fatalf("resumed: %v", err)
	}
	if len(*got) != 1 || (*got)[0].text != "text" {
		t.Fatalf("delivered %+v", *got)
	}
	tr.Close()
	if d.Press("Ctrl+Alt+G") {
		t.Error("closed, the keys are still held")
	}
	if err := NewTriggers(nil, 100, nil).SetHotkey("Ctrl+Alt+G", false); !errors.Is(err, ErrNoDesktop) {
		t.Errorf("without X11: %v", err)
	}
}

func TestDoubleCopy(t *testing.T) {
	d := apptest.NewDesktop()
	tr, got := newTestTriggers(d)
	if err := tr.SetDoubleCopy(true); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	d.Copy("once", t0)
	d.Copy("twice", t0.Add(time.Second))
	d.Copy("twice", t0.Add(time.Second+300*time.Millisecond)) // Ctrl+C+C
	d.Copy("twice", t0.Add(time.Second+600*time.Millisecond)) // a third copy starts a new pair
	d.Copy("slow", t0.Add(3*time.Second))
	d.Copy("slow", t0.Add(4*time.Second)) // too far apart
	d.Copy("a", t0.Add(5*time.Second))
	d.Copy("b", t0.Add(5*time.Second+100*time.Millisecond)) // different texts
	tr.SetDoubleCopy(false)
	d.Copy("off", t0.Add(6*time.Second))
	d.Copy("off", t0.Add(6*time.Second+100*time.Millisecond))
	if len(*got) != 1 || (*got)[0].text != "twice" {
		t.Fatalf("delivered %+v, want one of \"twice\"", *got)
	}
}
