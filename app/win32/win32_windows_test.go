package win32

import (
	"errors"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/desktop/desktoptest"
)

func open(t *testing.T) *Conn {
	t.Helper()
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestEveryKeyOfACombinationHasAVirtualKey(t *testing.T) {
	keys := append([]string{"A", "Z", "0", "9", "F1", "F24"}, desktop.NamedKeys...)
	for _, k := range keys {
		if _, err := virtualKey(k); err != nil {
			t.Error(err)
		}
	}
	if got := modifiers(desktop.Ctrl | desktop.Alt | desktop.Shift | desktop.Super); got != modControl|modAlt|modShift|modWin {
		t.Errorf("modifiers: %#x", got)
	}
}

// A combination another window holds is reported as taken, as on X11; a free one is held and released.
func TestHotkeyTakenAndFree(t *testing.T) {
	other, mine := open(t), open(t)
	h, _ := desktop.ParseHotkey("Ctrl+Alt+G")
	ungrab, err := other.Grab(h, func() {})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mine.Grab(h, func() {}); !errors.Is(err, desktop.ErrTaken) {
		t.Fatalf("grabbing keys another window holds: %v, want desktop.ErrTaken", err)
	}
	ungrab()
	u, err := mine.Grab(h, func() {})
	if err != nil {
		t.Fatalf("after the other released it: %v", err)
	}
	u()
}

func TestClipboardReadAndWatched(t *testing.T) {
	writer, c := open(t), open(t)
	copyText := func(text string) {
		time.Sleep(2 * clipboardEcho) // copies at a person's pace
		if err := writer.WriteClipboard(text); err != nil {
			t.Fatal(err)
		}
	}
	desktoptest.WatchClipboard(t, c, copyText)
	if s, err := c.ReadSelection(desktop.Primary, 1<<20); s != "" || err != nil {
		t.Errorf("Primary on Windows: %q, %v; want nothing", s, err)
	}
	desktoptest.TooLarge(t, c, copyText)
}

func TestPointerAndScreen(t *testing.T) {
	c := open(t)
	if _, _, err := c.Pointer(); err != nil {
		t.Error(err)
	}
	if w, h := c.ScreenSize(); w <= 0 || h <= 0 {
		t.Errorf("screen %dx%d", w, h)
	}
}
