package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

// DoubleCopyWindow is how close two copies of the same text must be to count as Ctrl+C+C.
const DoubleCopyWindow = 500 * time.Millisecond

// Triggers start translations from other programs: the global hotkey, which reads the clipboard (or, when asked,
// the selected text first), and Ctrl+C+C, two copies of the same text in quick succession, seen by watching the
// clipboard rather than the keyboard.
type Triggers struct {
	in      desktop.Input
	max     int
	deliver func(text string, err error)

	mu         sync.Mutex
	ungrab     func() // nil while no keys are held
	want       string // the combination asked for
	primary    bool
	doubleCopy bool
	watching   bool
	paused     bool
	lastCopy   string
	lastAt     time.Time
}

// NewTriggers makes triggers that hand texts of at most max bytes to deliver, from their own goroutines; deliver
// gets an error instead when the clipboard holds no usable text. in may be nil where there is no X11 display.
func NewTriggers(in desktop.Input, max int, deliver func(text string, err error)) *Triggers {
	return &Triggers{in: in, max: max, deliver: deliver}
}

// SetHotkey grabs the combination spec in place of the one held ("" releases it); with primary the selected text
// is translated when there is one, else the clipboard. It returns why the keys could not be taken (invalid, held
// by another program, no X11), and then holds none.
func (t *Triggers) SetHotkey(spec string, primary bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.primary = primary
	if spec == t.want && (t.ungrab != nil || t.paused) {
		return nil
	}
	t.release()
	t.want = spec
	if spec == "" {
		return nil
	}
	if t.paused {
		_, err := desktop.ParseHotkey(spec)
		return err
	}
	return t.grab()
}

// grab takes t.want. t.mu must be held.
func (t *Triggers) grab() error {
	h, err := desktop.ParseHotkey(t.want)
	if err != nil {
		return err
	}
	if t.in == nil {
		return ErrNoDesktop
	}
	ungrab, err := t.in.Grab(h, t.onHotkey)
	if err != nil {
		if errors.Is(err, desktop.ErrTaken) {
			return fmt.Errorf("%s is taken by another program: choose another combination", h)
		}
		return err
	}
	t.ungrab = ungrab
	return nil
}

// release lets the keys go. t.mu must be held.
func (t *Triggers) release() {
	if t.ungrab != nil {
		t.ungrab()
		t.ungrab = nil
	}
}

// SetDoubleCopy turns Ctrl+C+C on or off.
func (t *Triggers) SetDoubleCopy(on bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.doubleCopy = on
	if !on || t.watching {
		return nil
	}
	if t.in == nil {
		return ErrNoDesktop
	}
	if err := t.in.WatchClipboard(t.onCopy); err != nil {
		t.doubleCopy = false
		return err
	}
	t.watching = true
	return nil
}

// Pause stops both triggers and leaves the keys to other programs; resuming takes them again, which fails when
// another program took them meanwhile.
func (t *Triggers) Pause(paused bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.paused = paused
	if paused {
		t.release()
		return nil
	}
	if t.want != "" && t.ungrab == nil {
		return t.grab()
	}
	return nil
}

// Paused says whether the triggers are paused.
func (t *Triggers) Paused() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.paused
}

// Close releases the hotkey.
func (t *Triggers) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.release()
	t.want = ""
}

func (t *Triggers) onHotkey() {
	t.mu.Lock()
	paused, primary := t.paused, t.primary
	t.mu.Unlock()
	if paused {
		return
	}
	if primary {
		if text, err := t.in.ReadSelection(desktop.Primary, t.max); err == nil && strings.TrimSpace(text) != "" {
			t.deliver(text, nil)
			return
		}
	}
	t.deliver(t.read())
}

func (t *Triggers) read() (string, error) {
	text, err := t.in.ReadSelection(desktop.Clipboard, t.max)
	switch {
	case errors.Is(err, desktop.ErrTooLarge):
		return "", fmt.Errorf("the clipboard holds more than %d KB; translate long texts with `gugugo translate --file`", t.max>>10)
	case err != nil:
		return "", err
	case strings.TrimSpace(text) == "":
		return "", errors.New("the clipboard holds no text to translate")
	}
	return text, nil
}

func (t *Triggers) onCopy(at time.Time) {
	t.mu.Lock()
	on := t.doubleCopy && !t.paused
	t.mu.Unlock()
	if !on {
		return
	}
	text, err := t.in.ReadSelection(desktop.Clipboard, t.max)
	if err != nil || strings.TrimSpace(text) == "" {
		return // not text, or too large: not something to translate on a double copy
	}
	t.mu.Lock()
	double := text == t.lastCopy && at.Sub(t.lastAt) <= DoubleCopyWindow
	if double {
		t.lastCopy, t.lastAt = "", time.Time{}
	} else {
		t.lastCopy, t.lastAt = text, at
	}
	t.mu.Unlock()
	if double {
		t.deliver(text, nil)
	}
}
