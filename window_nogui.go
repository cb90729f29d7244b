//go:build nogui

package main

import (
	"fmt"
	"os"
)

// The server build (make server, `-tags nogui`) has no window, so that it starts on machines without X11 or OpenGL
// libraries.
func openWindow(string) {
	fmt.Fprintln(os.Stderr, "gugugo: this build has no window (it is the server build); the commands work: gugugo --help")
	os.Exit(1)
}
