package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeScreen is what a first run (or a run whose model failed to load) shows: what is needed, and the way to
// get it. Downloading and converting models will join "Open a GGUF model…" here.
type welcomeScreen struct {
	content fyne.CanvasObject
	errText *widget.Label
}

func newWelcomeScreen(open func()) *welcomeScreen {
	title := widget.NewLabelWithStyle("Gugugo needs a translation model", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("Gugugo translates between Korean and English on your own computer, with the Gugugo " +
		"models. Nothing is sent anywhere, so it needs a model file on this machine first.\n\n" +
		"Gugugo-koen-7B (GGUF) is the one to use: the Q4_K_M file (4.2 GB) suits a GPU with 6 GB or more; " +
		"the README says where to download it. Then open it here. Gugugo remembers it for next time.")
	intro.Wrapping = fyne.TextWrapWord
	intro.Alignment = fyne.TextAlignCenter
	errText := widget.NewLabel("")
	errText.Wrapping = fyne.TextWrapWord
	errText.Importance = widget.DangerImportance
	errText.Alignment = fyne.TextAlignCenter
	errText.Hide()
	openBtn := widget.NewButtonWithIcon("Open a GGUF model…", theme.FolderOpenIcon(), open)
	openBtn.Importance = widget.HighImportance
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	box := container.NewVBox(container.NewCenter(icon), title, intro, errText, container.NewCenter(openBtn))
	return &welcomeScreen{content: container.NewCenter(container.NewGridWrap(fyne.NewSize(560, box.MinSize().Height+60), box)), errText: errText}
}

func (s *welcomeScreen) setError(err error) {
	if err == nil {
		s.errText.Hide()
		return
	}
	s.errText.SetText("The model could not be loaded: " + err.Error())
	s.errText.Show()
}
