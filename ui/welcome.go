package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"
)

// welcomeScreen is what a first run (or a run whose model failed to load) shows: what is needed, and the ways to
// get it: the download that suits this machine, the other model, the whole catalogue, or a GGUF file already here.
type welcomeScreen struct {
	content     fyne.CanvasObject
	recommended *widget.Button
	why         *widget.Label
	other       *widget.Button
	gpu         string // the best GPU's name, its free memory, and whether there is one
	free        uint64
	hasGPU      bool
	errText     *widget.Label
	pullBox     *fyne.Container
	pullText    *widget.Label
	pullBar     *widget.ProgressBar
	cancel      *widget.Button
	choices     *fyne.Container
}

func (w *Window) newWelcomeScreen() *welcomeScreen {
	s := &welcomeScreen{}
	title := widget.NewLabelWithStyle("Gugugo needs a translation model", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("Gugugo translates between Korean and English on your own computer with the Gugugo " +
		"models, so nothing you translate leaves it. Get a model once; Gugugo keeps it for next time.")
	intro.Wrapping = fyne.TextWrapWord
	intro.Alignment = fyne.TextAlignCenter

	// Finding the GPU loads llama.cpp and, on a first run, tries each GPU plugin in a child process: seconds, so
	// the downloads are offered once it is known, off the UI goroutine.
	s.recommended = widget.NewButtonWithIcon("Looking at this computer's GPU…", theme.DownloadIcon(), nil)
	s.recommended.Importance = widget.HighImportance
	s.recommended.Disable()
	s.why = widget.NewLabel("")
	s.why.Wrapping = fyne.TextWrapWord
	s.why.Alignment = fyne.TextAlignCenter
	s.other = widget.NewButton("", nil)
	s.other.Hide()
	w.inBackground(func() { s.gpu, s.free, s.hasGPU = app.BestGPU() }, func() { w.offerDownloads(s) })
	all := widget.NewButtonWithIcon("All models…", theme.ListIcon(), w.showModels)
	open := widget.NewButtonWithIcon("Open a GGUF file…", theme.FolderOpenIcon(), w.openModelDialog)
	s.choices = container.NewVBox(container.NewCenter(s.recommended), s.why, container.NewCenter(container.NewHBox(s.other)),
		container.NewCenter(container.NewHBox(all, open)))

	s.pullText = widget.NewLabel("")
	s.pullText.Wrapping = fyne.TextWrapWord
	s.pullText.Alignment = fyne.TextAlignCenter
	s.pullBar = widget.NewProgressBar()
	s.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.cancelPull)
	s.pullBox = container.NewVBox(s.pullText, s.pullBar, container.NewCenter(s.cancel))
	s.pullBox.Hide()

	s.errText = widget.NewLabel("")
	s.errText.Wrapping = fyne.TextWrapWord
	s.errText.Importance = widget.DangerImportance
	s.errText.Alignment = fyne.TextAlignCenter
	s.errText.Hide()
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	box := container.NewVBox(container.NewCenter(icon), title, intro, s.errText, s.choices, s.pullBox)
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(620, box.MinSize().Height+120), box))
	return s
}

// offerDownloads names the download that suits the GPU found, and the other model.
func (w *Window) offerDownloads(s *welcomeScreen) {
	byName := func(name string) catalogue.Entry {
		for _, e := range w.core.Catalogue() {
			if e.Name == name {
				return e
			}
		}
		return catalogue.Entry{}
	}
	best := byName(catalogue.Recommend(s.free).Name)
	other := byName("gugugo-1.3b")
	if best.Name == other.Name {
		other = byName("gugugo-7b")
	}
	why := "No GPU was found, so the small model, which runs well on a CPU, is the one to get."
	if s.hasGPU {
		why = fmt.Sprintf("Suits your %s (%.1f GB free).", s.gpu, float64(s.free)/(1<<30))
	}
	s.recommended.SetText(fmt.Sprintf("Download %s (%s)", best.Title, download.FormatSize(best.DownloadSize())))
	s.recommended.OnTapped = func() { w.pullModel(best) }
	s.recommended.Enable()
	s.why.SetText(why + " " + best.About)
	s.other.SetText(fmt.Sprintf("Download %s (%s)", other.Title, download.FormatSize(other.DownloadSize())))
	s.other.OnTapped = func() { w.pullModel(other) }
	s.other.Show()
}

func (s *welcomeScreen) setError(err error) {
	if err == nil {
		s.errText.Hide()
		return
	}
	s.errText.SetText("The model could not be loaded: " + err.Error())
	s.errText.Show()
}

// showPull switches between the choices and a download's progress (setPull fills it in).
func (s *welcomeScreen) showPull(running bool) {
	if running {
		s.choices.Hide()
		s.pullBar.Show()
		s.cancel.Show()
		s.pullBox.Show()
		return
	}
	s.pullBox.Hide()
	s.choices.Show()
}

func (s *welcomeScreen) setPull(text string, frac float64) {
	s.pullText.SetText(text)
	s.pullBar.SetValue(frac)
}

// showPullError puts a failed download's reason above the choices.
func (s *welcomeScreen) showPullError(text string) {
	s.showPull(false)
	s.setPull(text, 0)
	s.pullBar.Hide()
	s.cancel.Hide()
	s.pullBox.Show()
}
