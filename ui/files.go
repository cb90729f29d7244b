package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/gugugo-desktop/gugugo/app"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/document"
	"github.com/gugugo-desktop/gugugo/app/ocr"
)

// This file translates what is not typed: files (Translate a file…, or dropped on the window), written beside
// themselves with their structure kept, and images (dropped, or a region of the screen), whose text is read with
// OCR and translated like a paste.

// imageExts are the images read with OCR (ocr.Decode's formats).
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// chooseFile asks for a file to translate.
func (w *Window) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		w.startFile(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter(append(slices.Collect(maps.Keys(document.Extensions)), imageExts...)))
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

// onDropped takes the first file dropped on the window: an image is read, a document translated.
func (w *Window) onDropped(_ fyne.Position, uris []fyne.URI) {
	if len(uris) > 0 && uris[0].Scheme() == "file" {
		w.startFile(uris[0].Path())
	}
}

// startFile translates a document beside itself, or reads an image's text into the source.
func (w *Window) startFile(path string) {
	ext := strings.ToLower(filepath.Ext(path))
	if slices.Contains(imageExts, ext) {
		w.readImageFile(path)
		return
	}
	if _, ok := document.Extensions[ext]; !ok && ext != "" {
		w.setState(fmt.Sprintf("Not translated: %s is neither a text file (.txt, .srt, .vtt, .md, .html) nor an image (.png, .jpg, .gif)",
			filepath.Base(path)))
		return
	}
	if err := w.core.TranslateFile(path, w.mode()); err != nil {
		w.setState("Not translated: " + err.Error())
		return
	}
	w.fileRunning = true
	w.stop.Enable()
}

// onFile shows a file translation's progress in the status bar, and where it went.
func (w *Window) onFile(s app.FileStatus) {
	name := filepath.Base(s.Input)
	if !s.Finished {
		w.fileProgress.Show()
		w.fileProgress.SetValue(float64(s.Done) / float64(max(s.Total, 1)))
		w.setState(fmt.Sprintf("Translating %s: %d of %d", name, s.Done, s.Total))
		return
	}
	w.fileRunning = false
	w.fileProgress.Hide()
	if !w.translating {
		w.stop.Disable()
	}
	switch {
	case errors.Is(s.Err, context.Canceled):
		w.setState(name + ": stopped, nothing written")
	case s.Err != nil:
		w.setState(name + ": not translated: " + s.Err.Error())
	default:
		msg := fmt.Sprintf("Translated %s into %s", name, filepath.Base(s.Output))
		if len(s.Warnings) > 0 {
			msg += " · " + s.Warnings[0]
			if len(s.Warnings) > 1 {
				msg += fmt.Sprintf(" (and %d more)", len(s.Warnings)-1)
			}
		}
		if len(s.Missing) > 0 {
			msg = "⚠ Glossary terms missing: " + s.Missing.Describe() + " · " + msg
		}
		w.setState(msg)
	}
	w.writeState()
}

// maxPastedImage bounds an image read from the clipboard: a 4K screenshot as PNG is under 20 MB.
const maxPastedImage = 64 << 20

// pasteImage reads the image on the clipboard, when the desktop can give one.
func (w *Window) pasteImage() {
	r, ok := w.opts.Desktop.(appdesktop.ImageReader)
	if !ok {
		return
	}
	var img image.Image
	var err error
	w.inBackground(func() {
		var b []byte
		if b, err = r.ReadClipboardImage(maxPastedImage); err == nil {
			img, err = ocr.Decode(bytes.NewReader(b), "the pasted image")
		}
	}, func() {
		switch {
		case errors.Is(err, appdesktop.ErrNoImage): // an empty clipboard: an empty paste
		case errors.Is(err, appdesktop.ErrTooLarge):
			w.setState(fmt.Sprintf("Not pasted: the copied image is over %d MB", maxPastedImage>>20))
		case err != nil:
			w.setState("Not pasted: " + err.Error())
		default:
			w.readImage(img, "the pasted image")
		}
	})
}

// readImageFile decodes an image file off the UI goroutine and reads its text.
func (w *Window) readImageFile(path string) {
	var img image.Image
	var err error
	w.setState("Reading the text in " + filepath.Base(path) + "…")
	w.inBackground(func() {
		f, ferr := os.Open(path)
		if ferr != nil {
			err = ferr
			return
		}
		defer f.Close()
		img, err = ocr.Decode(f, filepath.Base(path))
	}, func() {
		if err != nil {
			w.setState("Not read: " + err.Error())
			return
		}
		w.readImage(img, filepath.Base(path))
	})
}

// readImage reads an image's text and translates it as a text from another program is: in the main window, or in
// the popup when the settings ask for it.
func (w *Window) readImage(img image.Image, what string) {
	w.setState("Reading the text in " + what + "…")
	w.core.ReadImage(img, func(t ocr.Text, err error) {
		if w.closed {
			return
		}
		if err != nil {
			w.showMainWindow()
			w.setState("Not read: " + what + ": " + err.Error())
			return
		}
		w.translateExternal(t.Text)
		w.setState(fmt.Sprintf("Read from %s (OCR confidence %d%%); translating…", what, t.Confidence))
	})
}
