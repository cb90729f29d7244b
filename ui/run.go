package ui

import (
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/gugugo-desktop/gugugo/app"
)

// AppID identifies the app to the desktop and names its preferences folder.
const AppID = "io.github.gugugo_desktop.gugugo"

// Run opens the main window and returns when it is closed.
func Run(modelPath, stateFile, version string) {
	a := fyneapp.NewWithID(AppID)
	NewWindow(a, Options{Load: app.LoadEngine, ModelPath: modelPath, StateFile: stateFile, Version: version}).ShowAndRun()
}
