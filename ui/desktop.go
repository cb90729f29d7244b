package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/gugugo-desktop/gugugo/app"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/instance"
)

// This file joins the window to the rest of the desktop: the global hotkey and Ctrl+C+C (app.Triggers), the
// tray, and translations started from other programs, shown in the main window or in a popup at the pointer.

// applyDesktop takes the hotkey, Ctrl+C+C and idle-unload settings into use; what cannot be had is noted.
func (w *Window) applyDesktop() {
	s := w.core.Settings
	w.hotkeyErr, w.hotkeyAlarm = "", false
	err := w.triggers.SetHotkey(s.Hotkey, s.HotkeyPrimary)
	if dcErr := w.triggers.SetDoubleCopy(s.DoubleCopy); dcErr != nil && err == nil { // one works without the other
		err = fmt.Errorf("Ctrl+C+C: %w", dcErr)
	}
	if rErr := w.grabRegion(s.RegionHotkey); rErr != nil && err == nil {
		err = fmt.Errorf("region hotkey %s: %w", s.RegionHotkey, rErr)
	}
	if err != nil {
		// Without X11 there is nothing to fix, so the settings say it and the status bar does not.
		w.hotkeyErr, w.hotkeyAlarm = err.Error(), !errors.Is(err, app.ErrNoDesktop)
	}
	w.core.UnloadAfter(time.Duration(s.IdleMinutes) * time.Minute)
	if w.hotkeyAlarm {
		w.setState("Hotkey: " + w.hotkeyErr)
	}
}

// grabRegion holds the region hotkey spec in place of the one held ("" releases it).
func (w *Window) grabRegion(spec string) error {
	if w.ungrabRegion != nil {
		w.ungrabRegion()
		w.ungrabRegion = nil
	}
	if spec == "" || w.capturer() == nil || w.opts.Desktop == nil {
		return nil
	}
	h, err := appdesktop.ParseHotkey(spec)
	if err != nil {
		return err
	}
	w.ungrabRegion, err = w.opts.Desktop.Grab(h, func() { w.opts.Do(func() { w.translateRegion(false) }) })
	return err
}

// hotkeyState says what the hotkey does now, for the settings and the state file.
func (w *Window) hotkeyState() string {
	switch {
	case w.hotkeyErr != "":
		return w.hotkeyErr
	case w.core.Settings.Hotkey == "":
		return "off"
	case w.triggers.Paused():
		return "paused"
	}
	return w.core.Settings.Hotkey
}

// onExternal gets a text from the hotkey or Ctrl+C+C.
func (w *Window) onExternal(text string, err error) {
	if w.closed {
		return
	}
	if err != nil {
		w.setState(err.Error())
		if w.core.Settings.Popup {
			w.showPopup().showError(err.Error())
		}
		return
	}
	w.translateExternal(text)
}

// translateExternal translates a text that comes from another program: the direction is picked from the text, and
// the translation shows in the raised main window or, when the setting asks, in a popup at the pointer.
func (w *Window) translateExternal(text string) {
	if strings.TrimSpace(text) == "" || len(text) > MaxSourceBytes {
		w.showMainWindow()
		w.setState("The clipboard holds no text to translate")
		return
	}
	if w.core.Settings.Popup {
		w.showPopup()
	} else {
		w.showMainWindow()
	}
	w.core.Stop()
	w.swapping = true
	w.setMode(app.ModeAuto)
	w.source.SetText(text)
	w.swapping = false
	w.external = w.core.Translate(text, app.ModeAuto)
}

// finishExternal copies a finished external translation when the settings ask for it.
func (w *Window) finishExternal(u app.Update) {
	if u.Err == nil && w.core.Settings.CopyResult && u.Text != "" {
		w.app.Clipboard().SetContent(u.Text)
		w.setState(w.stateLabel.Text + " · copied to the clipboard")
	}
}

// showMainWindow brings the main window forward, also from the tray.
func (w *Window) showMainWindow() {
	w.win.Show()
	w.win.RequestFocus()
}

// translateClipboard translates the clipboard's text, read through Fyne, which works on Wayland too.
func (w *Window) translateClipboard() { w.translateExternal(w.app.Clipboard().Content()) }

// setTray puts the app in the system tray: Show, Translate clipboard, Pause hotkey, Quit.
func (w *Window) setTray(d desktop.App) {
	w.tray = d
	d.SetSystemTrayIcon(appIcon)
	w.refreshTray()
}

func (w *Window) refreshTray() {
	if w.tray != nil {
		w.tray.SetSystemTrayMenu(w.trayMenu())
	}
}

func (w *Window) trayMenu() *fyne.Menu {
	pause := fyne.NewMenuItem("Pause hotkey", nil)
	pause.Checked = w.triggers.Paused()
	pause.Action = func() {
		if err := w.triggers.Pause(!w.triggers.Paused()); err != nil {
			w.setState("Hotkey: " + err.Error())
		}
		w.refreshTray()
		w.writeState()
	}
	quit := fyne.NewMenuItem("Quit", w.quit)
	quit.IsQuit = true
	items := []*fyne.MenuItem{fyne.NewMenuItem("Show Gugugo", w.showMainWindow), fyne.NewMenuItem("Translate clipboard", w.translateClipboard)}
	if w.capturer() != nil {
		items = append(items, fyne.NewMenuItem("Translate a screen region", func() { w.translateRegion(false) }))
	}
	items = append(items, pause, fyne.NewMenuItemSeparator(), quit)
	return fyne.NewMenu("Gugugo", items...)
}

// onCloseRequest hides the window to the tray when there is one and the settings ask for it; else it quits.
func (w *Window) onCloseRequest() {
	if w.tray != nil && w.core.Settings.CloseToTray {
		w.win.Hide()
		return
	}
	w.quit()
}

func (w *Window) quit() {
	if w.popup != nil {
		w.popup.close()
	}
	w.win.Close()
}

// handleRemote runs a command from the instance socket: bring the window forward, for translate-clipboard
// translate the clipboard's text as the hotkey would, and for open-model load the model (gugugo --model FILE).
func (w *Window) handleRemote(r instance.Request) {
	switch r.Command {
	case instance.TranslateClipboard:
		w.translateClipboard()
		return
	case instance.OpenModel:
		w.core.LoadModel(r.Model)
	}
	w.showMainWindow()
}
