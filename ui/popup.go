package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
)

// PopupTitle names the popup window (window managers and tests find it by it).
const PopupTitle = "Gugugo translation"

// popupSize is the popup's size in Fyne units.
var popupSize = fyne.NewSize(440, 220)

// popup is a small borderless window at the pointer that shows a translation started from another program.
type popup struct {
	win    fyne.Window
	text   *widget.Label
	status *widget.Label
}

// showPopup opens the popup at the pointer, or moves the one open there.
func (w *Window) showPopup() *popup {
	if p := w.popup; p != nil {
		p.text.SetText("")
		p.status.SetText("Translating…")
		w.placeAtPointer(p.win)
		p.win.RequestFocus()
		return p
	}
	var win fyne.Window
	if d, ok := w.app.Driver().(desktop.Driver); ok {
		win = d.CreateSplashWindow() // no frame
		win.SetTitle(PopupTitle)
	} else {
		win = w.app.NewWindow(PopupTitle)
	}
	p := &popup{win: win, text: widget.NewLabel(""), status: widget.NewLabel("Translating…")}
	p.text.Wrapping = fyne.TextWrapWord
	p.text.Selectable = true
	p.status.TextStyle.Italic = true
	p.status.Truncation = fyne.TextTruncateEllipsis
	open := widget.NewButtonWithIcon("", theme.ViewFullScreenIcon(), func() {
		p.close()
		w.showMainWindow()
	})
	copyBtn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		if p.text.Text != "" {
			w.app.Clipboard().SetContent(p.text.Text)
			p.status.SetText("Copied")
		}
	})
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), p.close)
	bar := container.NewHBox(layout.NewSpacer(), copyBtn, open, closeBtn)
	win.SetContent(container.NewBorder(nil, container.NewBorder(nil, nil, nil, bar, p.status), nil, nil, container.NewVScroll(p.text)))
	win.Resize(popupSize)
	win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			p.close()
		}
	})
	win.SetOnClosed(func() {
		if w.popup == p {
			w.popup = nil
		}
	})
	w.popup = p
	win.Show()
	w.placeAtPointer(win)
	win.RequestFocus()
	return p
}

// placeAtPointer moves win just below and right of the pointer, kept on the screen.
func (w *Window) placeAtPointer(win fyne.Window) {
	placer, ok := w.opts.Desktop.(appdesktop.Placer) // Fyne itself cannot position a window
	native, isNative := win.(driver.NativeWindow)
	if !ok || !isNative {
		return
	}
	px, py, err := placer.Pointer()
	if err != nil {
		return
	}
	scale := win.Canvas().Scale()
	pw, ph := int(popupSize.Width*scale), int(popupSize.Height*scale)
	sw, sh := placer.ScreenSize()
	x, y := px+16, py+16
	if x+pw > sw {
		x = max(sw-pw, 0)
	}
	if y+ph > sh {
		y = max(py-ph-16, 0)
	}
	native.RunNative(func(ctx any) {
		switch c := ctx.(type) {
		case driver.X11WindowContext:
			if c.WindowHandle != 0 {
				placer.Move(c.WindowHandle, x, y)
			}
		case driver.WindowsWindowContext:
			if c.HWND != 0 {
				placer.Move(c.HWND, x, y)
			}
		}
	})
}

func (p *popup) showError(msg string) {
	p.text.SetText("")
	p.status.SetText(msg)
}

func (p *popup) close() { p.win.Close() }
