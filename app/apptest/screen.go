package apptest

import (
	"errors"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/assets"
)

// TextImage renders lines of text with the embedded NanumGothic at px pixels, as a screen shows text: black on
// white, or (dark) light grey on dark grey. The OCR tests read it.
func TextImage(lines []string, px float64, dark bool) *image.RGBA {
	f, err := opentype.Parse(assets.NanumGothicRegular)
	if err != nil {
		panic(err) // the embedded font is part of the binary
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	defer face.Close()
	d := &font.Drawer{Face: face}
	w := 0
	for _, l := range lines {
		w = max(w, d.MeasureString(l).Ceil())
	}
	m, pad := face.Metrics(), int(px/2)
	img := image.NewRGBA(image.Rect(0, 0, w+2*pad, m.Height.Ceil()*len(lines)+2*pad))
	bg, fg := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}
	if dark {
		bg, fg = color.RGBA{30, 30, 30, 255}, color.RGBA{220, 220, 220, 255}
	}
	draw.Draw(img, img.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	d.Dst, d.Src = img, image.NewUniform(fg)
	for i, l := range lines {
		d.Dot = fixed.P(pad, pad+i*m.Height.Ceil()+m.Ascent.Ceil())
		d.DrawString(l)
	}
	return img
}

// SetScreen sets what Capture returns: the screen as the test wants it.
func (d *Desktop) SetScreen(img *image.RGBA) {
	d.mu.Lock()
	d.screen = img
	d.mu.Unlock()
}

// Capture returns the screen the test set. With it, Desktop is a desktop.Capturer.
func (d *Desktop) Capture() (*image.RGBA, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.screen == nil {
		return nil, errors.New("no screen")
	}
	return d.screen, nil
}

// SetClipboardImage puts an image file's bytes on the clipboard, as a program that copies an image does.
func (d *Desktop) SetClipboardImage(b []byte) {
	d.mu.Lock()
	d.image = b
	d.mu.Unlock()
}

// ReadClipboardImage returns the image the test copied. With it, Desktop is a desktop.ImageReader.
func (d *Desktop) ReadClipboardImage(max int) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.image == nil:
		return nil, desktop.ErrNoImage
	case len(d.image) > max:
		return nil, desktop.ErrTooLarge
	}
	return d.image, nil
}
