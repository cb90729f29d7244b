package ui

import (
	"log"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/guard"
	"github.com/gugugo-desktop/gugugo/app/instance"
	"github.com/gugugo-desktop/gugugo/inference"
)

// AppID identifies the app to the desktop and names its preferences folder.
const AppID = "io.github.gugugo_desktop.gugugo"

// Run opens the main window and returns when it is closed.
func Run(modelPath, stateFile, version string) {
	notice := setAsideBrokenPreferences(preferencesPath())
	log.SetOutput(&preferencesRaceFilter{out: os.Stderr})
	a := fyneapp.NewWithID(AppID)
	opts := Options{Load: app.LoadEngine, ModelPath: modelPath, StateFile: stateFile, Version: version, SettingsNotice: notice}
	if mark := guard.FromEnv(); mark != nil {
		opts.Load = app.GuardedLoad(app.LoadEngine, mark)
		inference.LogErrors()
	}
	if r, ok := guard.Crashed(); ok {
		opts.GPUCrash = &r
	}
	// The global hotkey, the selected text and Ctrl+C+C; without them the window works on its own and
	// `gugugo translate-clipboard` stays the way in.
	if conn, err := app.OpenDesktop(); err == nil {
		defer conn.Close()
		opts.Desktop = conn
	}
	w := NewWindow(a, opts)
	if d, ok := a.(desktop.App); ok && app.TrayAvailable() {
		w.setTray(d)
	}
	// Commands and a second start reach this window through the instance socket; without it (another instance
	// holds it) the window still works on its own.
	if s, err := instance.Listen(instance.Address(), func(r instance.Request) { fyne.Do(func() { w.handleRemote(r) }) }); err == nil {
		defer s.Close()
	}
	w.ShowAndRun()
}
