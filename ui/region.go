package ui

import (
	"image"
	"image/color"
	"image/draw"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
)

// A screen region is translated as Crow Translate and pot do it: the screen is captured and shown frozen in a full-
// screen window, the user drags a rectangle over the text (Esc cancels), and the text in it is read with OCR and
// translated.

// The frozen screen is dimmed, so that it is seen to be a picture waiting for a drag; the rectangle being dragged is
// a light wash with an edge that shows on light and dark screens.
var (
	colorDim           = color.NRGBA{A: 0x50}
	colorSelection     = color.NRGBA{R: 0x33, G: 0x99, B: 0xff, A: 0x30}
	colorSelectionEdge = color.NRGBA{R: 0x33, G: 0x99, B: 0xff, A: 0xff}
)

// capturer is the desktop's screen capture, or nil where there is none. Under Wayland the X11 capture would see only
// the X11 programs' windows, so none is offered.
func (w *Window) capturer() appdesktop.Capturer {
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	c, _ := w.opts.Desktop.(appdesktop.Capturer)
	return c
}

// translateRegion captures the screen, without the main window when it is the one asking, and lets the user pick
// a region of it.
func (w *Window) translateRegion(fromWindow bool) {
	c := w.capturer()
	if c == nil {
		w.setState("Screen regions can be read only on an X11 desktop")
		return
	}
	if w.picking {
		return // a second press while the screen is being captured or picked from
	}
	w.picking = true
	var shot *image.RGBA
	var err error
	if fromWindow {
		w.win.Hide()
	}
	w.inBackground(func() {
		if fromWindow {
			time.Sleep(300 * time.Millisecond) // for the window manager to take the window off the screen
		}
		shot, err = c.Capture()
	}, func() {
		if err != nil {
			w.picking = false
			w.showMainWindow()
			w.setState("The screen could not be captured: " + err.Error())
			return
		}
		w.showRegionPicker(shot, fromWindow)
	})
}

// showRegionPicker shows the frozen screen full-screen for a rectangle to be dragged over it.
func (w *Window) showRegionPicker(shot *image.RGBA, fromWindow bool) {
	win := w.app.NewWindow("Gugugo: drag over the text to translate (Esc cancels)")
	w.region = win
	done := func(r image.Rectangle) {
		win.Close()
		if fromWindow {
			w.showMainWindow() // the popup, when the settings ask for it, shows beside it
		}
		if r.Empty() {
			return
		}
		crop := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(crop, crop.Bounds(), shot, r.Min, draw.Src)
		w.readImage(crop, "the screen")
	}
	picker := newRegionPicker(shot, done)
	win.SetContent(picker)
	win.SetPadded(false)
	win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			done(image.Rectangle{})
		}
	})
	win.SetOnClosed(func() { w.region, w.picking = nil, false })
	win.SetFullScreen(true)
	win.Show()
	win.RequestFocus()
}

// regionPicker shows a screenshot and lets a rectangle be dragged over it; done gets the rectangle in the
// screenshot's pixels, or an empty one.
type regionPicker struct {
	widget.BaseWidget
	shot       *image.RGBA
	img        *canvas.Image
	dim        *canvas.Rectangle
	box        *canvas.Rectangle
	start, end fyne.Position
	dragging   bool
	done       func(image.Rectangle)
}

func newRegionPicker(shot *image.RGBA, done func(image.Rectangle)) *regionPicker {
	p := &regionPicker{shot: shot, done: done}
	p.img = canvas.NewImageFromImage(shot)
	p.img.FillMode = canvas.ImageFillStretch // the window covers the screen it shows
	p.img.ScaleMode = canvas.ImageScaleFastest
	p.dim = canvas.NewRectangle(&colorDim)
	p.box = canvas.NewRectangle(&colorSelection)
	p.box.StrokeColor = &colorSelectionEdge
	p.box.StrokeWidth = 2
	p.ExtendBaseWidget(p)
	return p
}

func (p *regionPicker) CreateRenderer() fyne.WidgetRenderer {
	return &regionRenderer{p: p}
}

// MouseDown starts a rectangle where the button goes down.
func (p *regionPicker) MouseDown(e *desktop.MouseEvent) {
	p.start, p.end, p.dragging = e.Position, e.Position, true
	p.Refresh()
}

// MouseUp ends it.
func (p *regionPicker) MouseUp(e *desktop.MouseEvent) {
	if !p.dragging {
		return
	}
	p.end, p.dragging = e.Position, false
	p.done(p.rect())
}

// Dragged follows the pointer while the button is held.
func (p *regionPicker) Dragged(e *fyne.DragEvent) {
	if p.dragging {
		p.end = e.Position
		p.Refresh()
	}
}

// DragEnd is handled by MouseUp, which has the final position.
func (p *regionPicker) DragEnd() {}

// MouseMoved follows the pointer too: the driver may report a move with the button held as a move, not a drag.
func (p *regionPicker) MouseMoved(e *desktop.MouseEvent) {
	if p.dragging {
		p.end = e.Position
		p.Refresh()
	}
}

// MouseIn and MouseOut complete desktop.Hoverable.
func (p *regionPicker) MouseIn(*desktop.MouseEvent) {}
func (p *regionPicker) MouseOut()                   {}

// rect is the dragged rectangle in the screenshot's pixels.
func (p *regionPicker) rect() image.Rectangle {
	size := p.Size()
	if size.Width <= 0 || size.Height <= 0 {
		return image.Rectangle{}
	}
	b := p.shot.Bounds()
	sx, sy := float32(b.Dx())/size.Width, float32(b.Dy())/size.Height
	r := image.Rect(int(p.start.X*sx), int(p.start.Y*sy), int(p.end.X*sx), int(p.end.Y*sy)).Canon().Intersect(b)
	if r.Dx() < 4 || r.Dy() < 4 { // a click, not a rectangle
		return image.Rectangle{}
	}
	return r
}

type regionRenderer struct{ p *regionPicker }

func (r *regionRenderer) Layout(size fyne.Size) {
	r.p.img.Resize(size)
	r.p.dim.Resize(size)
	r.place()
}

func (r *regionRenderer) place() {
	p := r.p
	if !p.dragging && p.start == p.end {
		p.box.Resize(fyne.Size{}) // hidden by its size: a rectangle hidden and shown again was not drawn (Fyne 2.7 GL)
		return
	}
	x0, y0 := min(p.start.X, p.end.X), min(p.start.Y, p.end.Y)
	p.box.Move(fyne.NewPos(x0, y0))
	p.box.Resize(fyne.NewSize(max(p.start.X, p.end.X)-x0, max(p.start.Y, p.end.Y)-y0))
}

func (r *regionRenderer) MinSize() fyne.Size { return fyne.NewSize(100, 100) }

func (r *regionRenderer) Refresh() {
	r.place()
	canvas.Refresh(r.p.box)
}

func (r *regionRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.p.img, r.p.dim, r.p.box}
}

func (r *regionRenderer) Destroy() {}
