package ui

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/instance"
)

// AppID identifies the app to the desktop and names its preferences folder.
const AppID = "io.github.gugugo_desktop.gugugo"

// Run opens the main window and returns when it is closed.
func Run(modelPath, stateFile, version string) {
	a := fyneapp.NewWithID(AppID)
	w := NewWindow(a, Options{Load: app.LoadEngine, ModelPath: modelPath, StateFile: stateFile, Version: version})
	// Commands and a second start reach this window through the instance socket; without it (another instance
	// holds it) the window still works on its own.
	if s, err := instance.Listen(instance.SocketPath(), func(r instance.Request) { fyne.Do(func() { w.handleRemote(r) }) }); err == nil {
		defer s.Close()
	}
	w.ShowAndRun()
}
