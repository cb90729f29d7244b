package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/apptest"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
)

// press presses the default hotkey, which the window must hold.
func press(t *testing.T, d *apptest.Desktop) {
	t.Helper()
	if !d.Press(appdesktop.DefaultHotkey) {
		t.Fatal("the hotkey is not held")
	}
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
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	desk := apptest.NewDesktop()
	desk.SetSelection(appdesktop.Clipboard, "Good morning")
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	w.ui(func() { w.direction.SetSelected(app.ModeKoreanToEnglish.Label()) })
	press(t, desk)
	eventually(t, w, "the clipboard translated", func() bool { return w.target.Text() == eng.Want("Good morning") })
	if src, dir := w.read(func() string { return w.source.Text }), w.read(func() string { return w.direction.Selected }); src != "Good morning" || dir != app.ModeAuto.Label() {
		t.Errorf("source %q, direction %q", src, dir)
	}
	if w.read(func() string { return w.app.Clipboard().Content() }) == eng.Want("Good morning") {
		t.Error("the result was copied although the setting is off")
	}
	if got := w.read(w.hotkeyState); got != appdesktop.DefaultHotkey {
		t.Errorf("hotkey state %q", got)
	}
	// Nothing to translate: a message, and the panes keep their texts.
	desk.SetSelection(appdesktop.Clipboard, " ")
	press(t, desk)
	eventually(t, w, "the message", func() bool { return strings.Contains(w.stateLabel.Text, "no text to translate") })
	if w.read(func() string { return w.source.Text }) != "Good morning" {
		t.Error("an empty clipboard replaced the source")
	}
}

func TestHotkeyPopupAndCopyResult(t *testing.T) {
	eng := &apptest.Engine{Pieces: 3, Delay: time.Millisecond}
	desk := apptest.NewDesktop()
	desk.SetSelection(appdesktop.Clipboard, "안녕하세요")
	desk.SetSelection(appdesktop.Primary, "선택한 글")
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	n := w.core.Settings
	n.Popup, n.CopyResult, n.HotkeyPrimary = true, true, true
	w.ui(func() { w.applySettings(n) })
	press(t, desk)
	want := eng.Want("선택한 글")
	eventually(t, w, "the popup's translation", func() bool { return w.popup != nil && w.popup.text.Text == want })
	eventually(t, w, "the result copied", func() bool { return w.app.Clipboard().Content() == want })
	if st := w.read(func() string { return w.popup.status.Text }); !strings.HasPrefix(st, "Done in") {
		t.Errorf("popup status %q", st)
	}
	// Typing in the window is not a translation from elsewhere: nothing is copied.
	w.ui(func() { w.app.Clipboard().SetContent("kept") })
	w.ui(func() { w.source.SetText("typed") })
	eventually(t, w, "the typed text", func() bool { return w.target.Text() == eng.Want("typed") })
	if w.read(func() string { return w.app.Clipboard().Content() }) != "kept" {
		t.Error("a typed translation was copied")
	}
	w.ui(func() { w.popup.close() })
	if w.popup != nil {
		t.Error("the popup is still open after closing it")
	}
}

func TestTakenHotkeyIsReportedAndTheWindowWorks(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	desk := apptest.NewDesktop()
	desk.Take(appdesktop.DefaultHotkey, true)
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	eventually(t, w, "the model", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Ready") })
	if st := w.read(func() string { return w.stateLabel.Text }); !strings.Contains(st, "Ctrl+Alt+G is taken by another program") {
		t.Errorf("status %q", st)
	}
	if note := w.read(w.hotkeyNote); !strings.Contains(note, "taken by another program") {
		t.Errorf("settings note %q", note)
	}
	w.ui(func() { w.source.SetText("still works") })
	eventually(t, w, "a translation", func() bool { return w.target.Text() == eng.Want("still works") })
	// Ctrl+C+C does not need the hotkey.
	n := w.core.Settings
	n.DoubleCopy = true
	w.ui(func() { w.applySettings(n) })
	if !desk.Watching() {
		t.Error("with the hotkey taken, Ctrl+C+C was not turned on")
	}
	// Another combination is free.
	desk.Take(appdesktop.DefaultHotkey, false)
	n = w.core.Settings
	n.Hotkey = "Super+F8"
	w.ui(func() { w.applySettings(n) })
	if got := w.read(w.hotkeyState); got != "Super+F8" {
		t.Errorf("after choosing another combination: %q", got)
	}
}

func TestWithoutX11TheHotkeySaysWhy(t *testing.T) {
	w := readyWindow(t, &apptest.Engine{Pieces: 1})
	if got := w.read(w.hotkeyState); !strings.Contains(got, "translate-clipboard") {
		t.Errorf("hotkey state without X11: %q", got)
	}
}

func TestTrayMenuAndCloseToTray(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	desk := apptest.NewDesktop()
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	tray := &fakeTray{}
	w.ui(func() { w.setTray(tray) })
	var labels []string
	for _, it := range tray.menu.Items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, "|"); got != "Show Gugugo|Translate clipboard|Translate a screen region|Pause hotkey||Quit" {
		t.Fatalf("tray menu %q", got)
	}
	w.ui(func() { w.app.Clipboard().SetContent("from the tray") })
	w.ui(tray.item("Translate clipboard").Action)
	eventually(t, w, "the clipboard translated", func() bool { return w.target.Text() == eng.Want("from the tray") })

	w.ui(tray.item("Pause hotkey").Action)
	if !tray.item("Pause hotkey").Checked || w.read(w.hotkeyState) != "paused" || desk.Held(appdesktop.DefaultHotkey) {
		t.Error("pause did not release the hotkey")
	}
	w.ui(tray.item("Pause hotkey").Action)
	if tray.item("Pause hotkey").Checked || !desk.Held(appdesktop.DefaultHotkey) {
		t.Error("resume did not take the hotkey again")
	}

	w.ui(w.onCloseRequest) // with a tray: hidden, still running
	if w.closed {
		t.Fatal("closing with a tray quit the app")
	}
	n := w.core.Settings
	n.CloseToTray = false
	w.ui(func() { w.applySettings(n) })
	w.ui(w.onCloseRequest)
	if !w.closed {
		t.Fatal("with close-to-tray off, closing did not quit")
	}
}

func TestIdleUnloadShowsAndReloads(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(func() { w.core.UnloadAfter(30 * time.Millisecond) })
	eventually(t, w, "the unload", func() bool { return w.deviceLabel.Text == "(unloaded)" })
	w.ui(func() { w.source.SetText("again") })
	eventually(t, w, "the translation after the reload", func() bool { return w.target.Text() == eng.Want("again") })
	eventually(t, w, "the device shown again", func() bool { return w.deviceLabel.Text == "on Test GPU" })
}
