package app

import (
	"errors"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/win32"
)

// ErrNoDesktop means there is no desktop to take a global hotkey or watch the clipboard from (a service session).
var ErrNoDesktop = errors.New("global hotkeys need a Windows desktop session")

// HasSelection says the desktop has a selection apart from the clipboard: Windows has not.
const HasSelection = false

// OpenDesktop connects to the desktop's services: on Windows a hidden message window of this process that holds
// the global hotkey and listens for clipboard changes. The connection is also a desktop.Placer.
func OpenDesktop() (desktop.Conn, error) {
	c, err := win32.Open()
	if err != nil {
		return nil, errors.Join(ErrNoDesktop, err)
	}
	return c, nil
}
