// Package desktoptest holds the checks that every platform's desktop.Input must pass, for the platforms' own tests
// (app/x11, app/win32) to run against the real desktop.
package desktoptest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

// WatchClipboard checks that in sees every copy, also of the same text twice, in order, and that its watcher may
// read the clipboard. copyText sets the clipboard as another program does.
func WatchClipboard(t *testing.T, in desktop.Input, copyText func(text string)) {
	t.Helper()
	changes := make(chan string, 8)
	if err := in.WatchClipboard(func(time.Time) {
		s, err := in.ReadSelection(desktop.Clipboard, 1<<20)
		if err != nil {
			s = "error: " + err.Error()
		}
		changes <- s
	}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"one", "one", "안녕하세요, 둘"} {
		copyText(text)
		select {
		case got := <-changes:
			if got != text {
				t.Errorf("change read %q, want %q", got, text)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no change seen for the copy of %q", text)
		}
	}
}

// TooLarge checks that in refuses clipboard text over the limit: 600 KB of Hangul against 256 KB, and 300 bytes
// against 100. copyText puts the text on the clipboard and returns when in can read it.
func TooLarge(t *testing.T, in desktop.Input, copyText func(text string)) {
	t.Helper()
	copyText(strings.Repeat("가", 200_000))
	if _, err := in.ReadSelection(desktop.Clipboard, 256<<10); !errors.Is(err, desktop.ErrTooLarge) {
		t.Errorf("600 KB with a 256 KB limit: %v", err)
	}
	copyText(strings.Repeat("a", 300))
	if _, err := in.ReadSelection(desktop.Clipboard, 100); !errors.Is(err, desktop.ErrTooLarge) {
		t.Errorf("300 bytes with a 100-byte limit: %v", err)
	}
}
