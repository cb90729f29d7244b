//go:build nogui

package main

import "github.com/gugugo-desktop/gugugo/cli"

// The server build (make server, `-tags nogui`) has no window, so that it starts on machines without X11 or OpenGL
// libraries; the command line says so for the window's commands.
var openWindow cli.GUI
