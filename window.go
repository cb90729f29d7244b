//go:build !nogui

package main

import (
	"os"

	"github.com/gugugo-desktop/gugugo/app/guard"
	"github.com/gugugo-desktop/gugugo/cli"
	"github.com/gugugo-desktop/gugugo/ui"
	_ "github.com/gugugo-desktop/gugugo/ui/localefix" // before Fyne's own init
)

// openWindow runs the window in a child process that a GPU plugin's crash cannot take the parent down with (see
// package guard); in that child, the window itself.
func openWindow(model string) {
	if !guard.Supervised() {
		os.Exit(guard.Supervise())
	}
	ui.Run(model, os.Getenv("GUGUGO_UI_STATE"), cli.Version)
}
