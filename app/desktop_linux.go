package app

import (
	"errors"
	"os"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/x11"
)

// ErrNoDesktop means there is no X11 display to take a global hotkey or watch the clipboard from.
var ErrNoDesktop = errors.New("global hotkeys need an X11 session; on Wayland bind `gugugo translate-clipboard` to a shortcut in the desktop's settings")

// HasSelection says the desktop has a selection apart from the clipboard (X11's PRIMARY) for the hotkey to read.
const HasSelection = true

// OpenDesktop connects to the desktop's services: on Linux the X server (XWayland too) named by $DISPLAY. The
// connection is also a desktop.Placer.
func OpenDesktop() (desktop.Conn, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, ErrNoDesktop
	}
	c, err := x11.Open("")
	if err != nil {
		return nil, err
	}
	return c, nil
}
