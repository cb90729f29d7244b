package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"
	"github.com/gugugo-desktop/gugugo/app/guard"
	"github.com/gugugo-desktop/gugugo/inference"
)

// This file shows how a user gets a model: the catalogue's downloads (app.Controller.PullModel), one at a time,
// with progress and a Cancel, from the welcome screen or the Models dialog.

// pullModel downloads (and if need be converts) e, then loads it.
func (w *Window) pullModel(e catalogue.Entry) {
	if err := w.core.PullModel(e); err != nil {
		w.setState(err.Error())
	}
}

func (w *Window) cancelPull() { w.core.CancelPull() }

// onPull shows a download's progress in the status bar and on the welcome screen.
func (w *Window) onPull(s app.PullStatus) {
	w.setState(s.Text)
	if !s.Done {
		w.welcome.showPull(true)
		w.welcome.setPull(s.Text, s.Fraction)
		w.progress.SetValue(s.Fraction)
		w.progress.Show()
		return
	}
	w.welcome.showPull(false)
	w.progress.Hide()
	if s.Err != nil && !errors.Is(s.Err, context.Canceled) {
		w.welcome.showPullError(s.Text)
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
		for _, e := range w.core.Catalogue() {
			title := widget.NewLabelWithStyle(e.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			about := widget.NewLabel(fmt.Sprintf("%s\nDownload %s · needs about %s of GPU memory", e.About, download.FormatSize(e.DownloadSize()), download.FormatSize(int64(e.Memory().Total()))))
			about.Wrapping = fyne.TextWrapWord
			var buttons []fyne.CanvasObject
			if e.Installed(w.core.ModelDir()) {
				use := widget.NewButtonWithIcon("Use", theme.ConfirmIcon(), func() { d.Hide(); w.core.LoadModel(e.Path(w.core.ModelDir())) })
				use.Importance = widget.HighImportance
				remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
					dialog.ShowConfirm("Remove "+e.Title+"?", "The file is deleted; it can be downloaded again.", func(ok bool) {
						if ok {
							if err := w.core.RemoveModel(e); err != nil {
								w.setState("Could not remove it: " + err.Error())
							}
							fill()
						}
					}, w.win)
				})
				buttons = append(buttons, use, remove)
			} else {
				get := widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() { d.Hide(); w.pullModel(e) })
				if _, busy := w.core.Pulling(); busy {
					get.Disable()
				}
				buttons = append(buttons, get)
			}
			list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), container.NewVBox(title, about)))
			list.Add(widget.NewSeparator())
		}
	}
	fill()
	note := widget.NewLabel("Models are kept in " + w.core.ModelDir())
	note.Wrapping = fyne.TextWrapWord
	open := widget.NewButtonWithIcon("Open a GGUF file…", theme.FolderOpenIcon(), func() { d.Hide(); w.openModelDialog() })
	var top fyne.CanvasObject
	if e, busy := w.core.Pulling(); busy {
		top = container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.Hide(); w.cancelPull() }),
			widget.NewLabel("Downloading "+e.Title+"…"))
	}
	d = dialog.NewCustom("Models", "Close", container.NewBorder(top, container.NewBorder(nil, nil, nil, open, note), nil, nil, container.NewVScroll(list)), w.win)
	d.Resize(fyne.NewSize(720, 560))
	d.Show()
}

func (w *Window) onModel(s app.ModelStatus) {
	switch s.State {
	case app.ModelLoading:
		if !s.Reloaded {
			w.modelLabel.SetText(filepath.Base(s.Path))
			w.showMain() // the progress is in the main window's status bar
		}
		w.progress.SetValue(float64(s.Progress))
		w.progress.Show()
		w.setState(fmt.Sprintf("Loading the model… %d%%", int(s.Progress*100)))
	case app.ModelUnloaded:
		w.deviceLabel.SetText("(unloaded)")
		unit := "minutes"
		if w.core.Settings.IdleMinutes == 1 {
			unit = "minute"
		}
		w.setState(fmt.Sprintf("The model was unloaded after %d %s unused, to free memory; it loads again for the next translation",
			w.core.Settings.IdleMinutes, unit))
	case app.ModelReady:
		w.progress.Hide()
		w.modelLabel.SetText(s.Info.Name)
		w.deviceLabel.SetText(deviceText(s.Info))
		if s.Reloaded {
			w.setState("Translating…") // the request that reloaded it is waiting
			break
		}
		notes := []string{"Ready"}
		if s.Info.Fallback != "" {
			notes = append(notes, s.Info.Fallback)
		}
		notes = append(notes, s.Info.GPUNotes...)
		if s.Info.Warning != "" {
			notes = append(notes, s.Info.Warning)
		}
		if w.hotkeyAlarm {
			notes = append(notes, "Hotkey: "+w.hotkeyErr)
		}
		for i := range notes[:len(notes)-1] {
			notes[i] = strings.TrimSuffix(notes[i], ".") // the join puts it back
		}
		w.setState(strings.Join(notes, ". "))
		w.showMain()
		if strings.TrimSpace(w.source.Text) != "" && w.core.Settings.AutoTranslate {
			w.core.Translate(w.source.Text, w.mode())
		}
	case app.ModelFailed:
		w.progress.Hide()
		if !w.core.HasModel() {
			w.modelLabel.SetText("No model")
			w.deviceLabel.SetText("")
			w.showWelcome(s.Err)
		}
		w.setState("Could not load the model: " + s.Err.Error())
	}
	w.writeState()
}

func (w *Window) showMain() {
	w.welcome.content.Hide()
	w.main.Show()
}

func (w *Window) showWelcome(err error) {
	w.welcome.setError(err)
	w.main.Hide()
	w.welcome.content.Show()
}

// deviceText says where the model runs, and how much of it when only some layers fit on the GPU.
func deviceText(info inference.ModelInfo) string {
	if info.GPULayers > 0 && info.GPULayers < info.Layers {
		return fmt.Sprintf("on %s (%d of %d layers on the GPU)", info.Device, info.GPULayers, info.Layers)
	}
	return "on " + info.Device
}

// recoverFromGPUCrash moves the model to the CPU for good (the GPU would end the process again), puts back the
// text that was being translated, and says what happened in a dialog that stays until dismissed.
func (w *Window) recoverFromGPUCrash(r guard.Report) {
	w.core.Settings.Device = "cpu"
	w.core.SaveSettings()
	if r.Text != "" {
		w.source.SetText(r.Text)
	}
	cause, back := "", ""
	if r.Cause != "" {
		cause = " (" + r.Cause + ")"
	}
	if r.Text != "" {
		back = ", with your text back in the window"
	}
	dialog.ShowInformation("GPU", fmt.Sprintf("Gugugo stopped while translating on %s%s. It started again on the CPU%s."+
		"\n\nOnce the GPU's driver or Gugugo's GPU plugin is updated, choose the GPU again "+
		"in Settings → Translation → Device.", r.Device, cause, back), w.win)
}
