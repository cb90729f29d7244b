package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"
)

// This file is how a user gets a model: the catalogue's downloads (the 1.3B converted after it), one at a time,
// with progress and a Cancel, from the welcome screen or the Models dialog.

// modelPull is the download running.
type modelPull struct {
	entry  catalogue.Entry
	cancel context.CancelFunc
}

func (w *Window) catalogue() []catalogue.Entry {
	if w.opts.Catalogue != nil {
		return w.opts.Catalogue
	}
	return catalogue.Entries()
}

func (w *Window) modelDir() string {
	if w.opts.ModelDir != "" {
		return w.opts.ModelDir
	}
	return catalogue.Dir()
}

// pullModel downloads (and if need be converts) e, then loads it.
func (w *Window) pullModel(e catalogue.Entry) {
	if w.pulling != nil {
		w.setState("Another download is running: " + w.pulling.entry.Title)
		return
	}
	if e.Installed(w.modelDir()) {
		w.loadModel(e.Path(w.modelDir()))
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.pulling = &modelPull{entry: e, cancel: cancel}
	w.welcome.showPull(true)
	w.progress.SetValue(0)
	w.progress.Show()
	dir := w.modelDir()
	var path string
	var err error
	w.inBackground(func() {
		path, err = e.Pull(ctx, &download.Downloader{}, dir, func(s catalogue.Status) { w.opts.Do(func() { w.onPull(s) }) })
	}, func() { w.onPullDone(path, err) })
}

func (w *Window) cancelPull() {
	if w.pulling != nil {
		w.pulling.cancel()
	}
}

func (w *Window) onPull(s catalogue.Status) {
	if w.pulling == nil || w.closed {
		return
	}
	p := s.Progress
	frac := 0.0
	if p.Total > 0 {
		frac = min(float64(p.Done)/float64(p.Total), 1)
	}
	text := fmt.Sprintf("%s: %.0f%%", s.Step, frac*100)
	if p.Total > 0 {
		text += fmt.Sprintf(" · %s of %s", download.FormatSize(p.Done), download.FormatSize(p.Total))
	}
	if p.Speed > 0 {
		text += fmt.Sprintf(" · %s/s", download.FormatSize(int64(p.Speed)))
	}
	if p.Left > 0 {
		text += " · " + p.Left.Round(time.Second).String() + " left"
	}
	w.progress.SetValue(frac)
	w.setState(text)
	w.welcome.setPull(text, frac)
}

func (w *Window) onPullDone(path string, err error) {
	e := w.pulling.entry
	w.pulling = nil
	w.welcome.showPull(false)
	w.progress.Hide()
	switch {
	case errors.Is(err, context.Canceled):
		w.setState("Download stopped. Starting it again continues where it stopped.")
	case err != nil:
		w.setState("Could not get " + e.Title + ": " + err.Error())
		w.welcome.showPullError("Could not get " + e.Title + ": " + err.Error())
	default:
		w.loadModel(path)
	}
	w.writeState()
}

// showModels lists the catalogue: what each model is, its size and memory need, and Download, Use or Remove.
func (w *Window) showModels() {
	list := container.NewVBox()
	var d dialog.Dialog
	var fill func()
	fill = func() {
		list.RemoveAll()
		for _, e := range w.catalogue() {
			title := widget.NewLabelWithStyle(e.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			about := widget.NewLabel(fmt.Sprintf("%s\nDownload %s · needs about %.1f GB of GPU memory (or RAM on the CPU)", e.About, download.FormatSize(e.DownloadSize()), e.MemoryGB))
			about.Wrapping = fyne.TextWrapWord
			var buttons []fyne.CanvasObject
			if e.Installed(w.modelDir()) {
				use := widget.NewButtonWithIcon("Use", theme.ConfirmIcon(), func() { d.Hide(); w.loadModel(e.Path(w.modelDir())) })
				use.Importance = widget.HighImportance
				remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
					dialog.ShowConfirm("Remove "+e.Title+"?", "The file is deleted; it can be downloaded again.", func(ok bool) {
						if ok {
							if err := e.Remove(w.modelDir()); err != nil {
								w.setState("Could not remove it: " + err.Error())
							}
							fill()
						}
					}, w.win)
				})
				buttons = append(buttons, use, remove)
			} else {
				get := widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() { d.Hide(); w.pullModel(e) })
				if w.pulling != nil {
					get.Disable()
				}
				buttons = append(buttons, get)
			}
			list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), container.NewVBox(title, about)))
			list.Add(widget.NewSeparator())
		}
	}
	fill()
	note := widget.NewLabel("Models are kept in " + w.modelDir())
	note.Wrapping = fyne.TextWrapWord
	open := widget.NewButtonWithIcon("Open a GGUF file…", theme.FolderOpenIcon(), func() { d.Hide(); w.openModelDialog() })
	var top fyne.CanvasObject
	if w.pulling != nil {
		top = container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.Hide(); w.cancelPull() }),
			widget.NewLabel("Downloading "+w.pulling.entry.Title+"…"))
	}
	d = dialog.NewCustom("Models", "Close", container.NewBorder(top, container.NewBorder(nil, nil, nil, open, note), nil, nil, container.NewVScroll(list)), w.win)
	d.Resize(fyne.NewSize(720, 560))
	d.Show()
}
