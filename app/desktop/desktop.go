// Package desktop is what Gugugo needs from the desktop beyond its own window, independent of the platform: a
// global hotkey, the selected and copied text, word of clipboard changes, and placing a window at the pointer. The
// app core uses these interfaces; each platform implements them (on Linux, app/x11) and app's desktop_<os>.go opens
// the implementation.
package desktop

import (
	"errors"
	"image"
	"time"
)

// Input gives the global hotkey, the selections and clipboard changes.
type Input interface {
	// Grab makes h call fire, from its own goroutine, whenever it is pressed in any window; ErrTaken when another
	// program holds the combination.
	Grab(h Hotkey, fire func()) (ungrab func(), err error)
	// ReadSelection returns the text of Primary or Clipboard: "" when it holds none, ErrTooLarge when it holds
	// more than max bytes.
	ReadSelection(which string, max int) (string, error)
	// WatchClipboard calls changed each time a program sets the clipboard.
	WatchClipboard(changed func(at time.Time)) error
}

// Placer moves a window to where the pointer is.
type Placer interface {
	Pointer() (x, y int, err error)
	ScreenSize() (w, h int)
	// Move moves a native window (the handle Fyne's driver gives) to x, y.
	Move(window uintptr, x, y int) error
}

// ImageReader reads an image copied to the clipboard: the bytes of its PNG, JPEG or GIF file, ErrNoImage when the
// clipboard holds none, ErrTooLarge when it is over max bytes.
type ImageReader interface {
	ReadClipboardImage(max int) ([]byte, error)
}

// Capturer takes a picture of the whole screen, for picking a region of it to read.
type Capturer interface {
	Capture() (*image.RGBA, error)
}

// Conn is an open connection to the desktop's services.
type Conn interface {
	Input
	Close()
}

// Selections ReadSelection reads: Primary is the text last selected (X11's PRIMARY), Clipboard what was copied.
const (
	Primary   = "PRIMARY"
	Clipboard = "CLIPBOARD"
)

// Errors the implementations return.
var (
	ErrTaken    = errors.New("another program already uses this key combination")
	ErrTooLarge = errors.New("the selection is too large")
	ErrNoImage  = errors.New("the clipboard holds no image")
)
