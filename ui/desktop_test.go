package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/x11"
)

// fakeDesktop stands for the X server (tested for real in app/x11 and scripts/gui-test.sh): the test sets the
// selections and presses the keys.
type fakeDesktop struct {
	mu      sync.Mutex
	sel     map[string]string
	taken   bool
	fire    func()
	watched bool
}

func (d *fakeDesktop) Grab(h x11.Hotkey, fire func()) (func(), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.taken {
		return nil, x11.ErrTaken
	}
	d.fire = fire
	return func() { d.mu.Lock(); d.fire = nil; d.mu.Unlock() }, nil
}

func (d *fakeDesktop) ReadSelection(which string, max int) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sel[which], nil
}

func (d *fakeDesktop) WatchClipboard(func(time.Time)) error {
	d.mu.Lock()
	d.watched = true
	d.mu.Unlock()
	return nil
}

func (d *fakeDesktop) press(t *testing.T) {
	t.Helper()
	d.mu.Lock()
	fire := d.fire
	d.mu.Unlock()
	if fire == nil {
		t.Fatal("the hotkey is not held")
	}
	fire()
}

// fakeTray records the tray menu.
type fakeTray struct{ menu *fyne.Menu }

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)  { f.menu = m }
func (f *fakeTray) SetSystemTrayIcon(fyne.Resource) {}
func (f *fakeTray) SetSystemTrayWindow(fyne.Window) {}
func (f *fakeTray) item(label string) *fyne.MenuItem {
	for _, it := range f.menu.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}

func TestHotkeyTranslatesTheClipboardInTheWindow(t *testing.T) {
	eng := &scriptedEngine{pieces: 2, delay: time.Millisecond}
	desk := &fakeDesktop{sel: map[string]string{x11.Clipboard: "Good morning"}}
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	w.ui(func() { w.direction.SetSelected(app.ModeKoreanToEnglish.Label()) })
	desk.press(t)
	eventually(t, w, "the clipboard translated", func() bool { return w.target.Text() == eng.want("Good morning") })
	if src, dir := w.read(func() string { return w.source.Text }), w.read(func() string { return w.direction.Selected }); src != "Good morning" || dir != app.ModeAuto.Label() {
		t.Errorf("source %q, direction %q", src, dir)
	}
	if w.read(func() string { return w.app.Clipboard().Content() }) == eng.want("Good morning") {
		t.Error("the result was copied although the setting is off")
	}
	if got := w.read(w.hotkeyState); got != x11.DefaultHotkey {
		t.Errorf("hotkey state %q", got)
	}
	// Nothing to translate: a message, and the panes keep their texts.
	desk.mu.Lock()
	desk.sel[x11.Clipboard] = " "
	desk.mu.Unlock()
	desk.press(t)
	eventually(t, w, "the message", func() bool { return strings.Contains(w.stateLabel.Text, "no text to translate") })
	if w.read(func() string { return w.source.Text }) != "Good morning" {
		t.Error("an empty clipboard replaced the source")
	}
}

func TestHotkeyPopupAndCopyResult(t *testing.T) {
	eng := &scriptedEngine{pieces: 3, delay: time.Millisecond}
	desk := &fakeDesktop{sel: map[string]string{x11.Clipboard: "안녕하세요", x11.Primary: "선택한 글"}}
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	n := w.settings
	n.Popup, n.CopyResult, n.HotkeyPrimary = true, true, true
	w.ui(func() { w.applySettings(n) })
	desk.press(t)
	want := eng.want("선택한 글")
	eventually(t, w, "the popup's translation", func() bool { return w.popup != nil && w.popup.text.Text == want })
	eventually(t, w, "the result copied", func() bool { return w.app.Clipboard().Content() == want })
	if st := w.read(func() string { return w.popup.status.Text }); !strings.HasPrefix(st, "Done in") {
		t.Errorf("popup status %q", st)
	}
	// Typing in the window is not a translation from elsewhere: nothing is copied.
	w.ui(func() { w.app.Clipboard().SetContent("kept") })
	w.ui(func() { w.source.SetText("typed") })
	eventually(t, w, "the typed text", func() bool { return w.target.Text() == eng.want("typed") })
	if w.read(func() string { return w.app.Clipboard().Content() }) != "kept" {
		t.Error("a typed translation was copied")
	}
	w.ui(func() { w.popup.close() })
	if w.popup != nil {
		t.Error("the popup is still open after closing it")
	}
}

func TestTakenHotkeyIsReportedAndTheWindowWorks(t *testing.T) {
	eng := &scriptedEngine{pieces: 1, delay: time.Millisecond}
	desk := &fakeDesktop{taken: true}
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	eventually(t, w, "the model", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Ready") })
	if st := w.read(func() string { return w.stateLabel.Text }); !strings.Contains(st, "Ctrl+Alt+G is taken by another program") {
		t.Errorf("status %q", st)
	}
	if note := w.read(w.hotkeyNote); !strings.Contains(note, "taken by another program") {
		t.Errorf("settings note %q", note)
	}
	w.ui(func() { w.source.SetText("still works") })
	eventually(t, w, "a translation", func() bool { return w.target.Text() == eng.want("still works") })
	// Ctrl+C+C does not need the hotkey.
	n := w.settings
	n.DoubleCopy = true
	w.ui(func() { w.applySettings(n) })
	if !desk.watched {
		t.Error("with the hotkey taken, Ctrl+C+C was not turned on")
	}
	// Another combination is free.
	desk.mu.Lock()
	desk.taken = false
	desk.mu.Unlock()
	n = w.settings
	n.Hotkey = "Super+F8"
	w.ui(func() { w.applySettings(n) })
	if got := w.read(w.hotkeyState); got != "Super+F8" {
		t.Errorf("after choosing another combination: %q", got)
	}
}

func TestWithoutX11TheHotkeySaysWhy(t *testing.T) {
	w := readyWindow(t, &scriptedEngine{pieces: 1})
	if got := w.read(w.hotkeyState); !strings.Contains(got, "translate-clipboard") {
		t.Errorf("hotkey state without X11: %q", got)
	}
}

func TestTrayMenuAndCloseToTray(t *testing.T) {
	eng := &scriptedEngine{pieces: 1, delay: time.Millisecond}
	desk := &fakeDesktop{sel: map[string]string{}}
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	tray := &fakeTray{}
	w.ui(func() { w.setTray(tray) })
	var labels []string
	for _, it := range tray.menu.Items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, "|"); got != "Show Gugugo|Translate clipboard|Pause hotkey||Quit" {
		t.Fatalf("tray menu %q", got)
	}
	w.ui(func() { w.app.Clipboard().SetContent("from the tray") })
	w.ui(tray.item("Translate clipboard").Action)
	eventually(t, w, "the clipboard translated", func() bool { return w.target.Text() == eng.want("from the tray") })

	w.ui(tray.item("Pause hotkey").Action)
	if !tray.item("Pause hotkey").Checked || w.read(w.hotkeyState) != "paused" || desk.fire != nil {
		t.Error("pause did not release the hotkey")
	}
	w.ui(tray.item("Pause hotkey").Action)
	if tray.item("Pause hotkey").Checked || desk.fire == nil {
		t.Error("resume did not take the hotkey again")
	}

	w.ui(w.onCloseRequest) // with a tray: hidden, still running
	if w.closed {
		t.Fatal("closing with a tray quit the app")
	}
	n := w.settings
	n.CloseToTray = false
	w.ui(func() { w.applySettings(n) })
	w.ui(w.onCloseRequest)
	if !w.closed {
		t.Fatal("with close-to-tray off, closing did not quit")
	}
}

func TestIdleUnloadShowsAndReloads(t *testing.T) {
	eng := &scriptedEngine{pieces: 2, delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(func() { w.models.SetIdleUnload(30 * time.Millisecond) })
	eventually(t, w, "the unload", func() bool { return w.deviceLabel.Text == "(unloaded)" })
	w.ui(func() { w.source.SetText("again") })
	eventually(t, w, "the translation after the reload", func() bool { return w.target.Text() == eng.want("again") })
	eventually(t, w, "the device shown again", func() bool { return w.deviceLabel.Text == "on Test GPU" })
}
