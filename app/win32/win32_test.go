//go:build windows

package win32

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/desktop"
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
	changes := make(chan string, 8)
	if err := c.WatchClipboard(func(time.Time) {
		s, err := c.ReadSelection(desktop.Clipboard, 1<<20)
		if err != nil {
			s = "error: " + err.Error()
		}
		changes <- s
	}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"one", "one", "안녕하세요, world"} {
		time.Sleep(2 * clipboardEcho) // copies at a person's pace
		if err := writer.WriteClipboard(text); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-changes:
			if got != text {
				t.Errorf("change read %q, want %q", got, text)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no change seen for the copy of %q", text)
		}
	}
	if s, err := c.ReadSelection(desktop.Primary, 1<<20); s != "" || err != nil {
		t.Errorf("Primary on Windows: %q, %v; want nothing", s, err)
	}
	writer.WriteClipboard(strings.Repeat("가", 200_000)) // 600 KB of UTF-8
	if _, err := c.ReadSelection(desktop.Clipboard, 256<<10); !errors.Is(err, desktop.ErrTooLarge) {
		t.Errorf("600 KB with a 256 KB limit: %v", err)
	}
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
