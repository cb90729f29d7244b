//go:build !nogui

package main

import (
	"os"

	"github.com/gugugo-desktop/gugugo/cli"
	"github.com/gugugo-desktop/gugugo/ui"
	_ "github.com/gugugo-desktop/gugugo/ui/localefix" // before Fyne's own init
)

func openWindow(model string) { ui.Run(model, os.Getenv("GUGUGO_UI_STATE"), cli.Version) }
