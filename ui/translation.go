package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/gugugo-desktop/gugugo/app"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
)

// This file is the translation itself as the window shows it: the source pane's edits and shortcuts, the direction,
// the buttons, and the streamed updates.

// onShortcut handles the window's shortcuts while the source pane has the focus.
func (w *Window) onShortcut(s fyne.Shortcut) bool {
	switch sc := s.(type) {
	case *desktop.CustomShortcut:
		if (sc.KeyName == fyne.KeyReturn || sc.KeyName == fyne.KeyEnter) && sc.Modifier == fyne.KeyModifierControl {
			w.doTranslate()
			return true
		}
		if sc.KeyName == fyne.KeyH && sc.Modifier == fyne.KeyModifierControl {
			w.toggleHistory()
			return true
		}
	case *fyne.ShortcutPaste:
		if _, ours := sc.Clipboard.(pastedText); ours {
			return false // the text pasteText read, which the entry now inserts
		}
		if w.opts.Desktop != nil {
			w.pasteText()
		} else { // no desktop connection (tests, no X11): Fyne reads the clipboard, on this goroutine
			w.paste(sc.Clipboard.Content(), nil)
		}
		return true
	}
	return false
}

// pastedText is text read from the clipboard, handed to the entry as a clipboard of its own.
type pastedText string

func (p pastedText) Content() string   { return string(p) }
func (p pastedText) SetContent(string) {}

// pasteText reads the clipboard off the UI goroutine and then pastes it: reading megabytes from another program
// (X11 sends large selections in chunks) froze the window for as long as it took, and Fyne read it up to three
// times per paste. Text that would make the source pane larger than MaxSourceBytes is refused.
func (w *Window) pasteText() {
	var text string
	var err error
	w.inBackground(func() {
		text, err = w.opts.Desktop.ReadSelection(appdesktop.Clipboard, MaxSourceBytes)
	}, func() { w.paste(text, err) })
}

// paste puts text read from the clipboard in at the cursor, or says why not; with no text, it reads a copied image.
func (w *Window) paste(text string, err error) {
	switch {
	case errors.Is(err, appdesktop.ErrTooLarge):
		w.refusePaste(-1)
	case err != nil:
		w.setState("Not pasted: " + err.Error())
	case text == "":
		w.pasteImage()
	case len(text)+len(w.source.Text) > MaxSourceBytes:
		w.refusePaste(len(text))
	default:
		w.source.TypedShortcut(&fyne.ShortcutPaste{Clipboard: pastedText(text)})
	}
}

// refusePaste says why a text of n bytes (-1: more than MaxSourceBytes) was not pasted.
func (w *Window) refusePaste(n int) {
	why := fmt.Sprintf("the text is %s, and this window takes up to %s", byteSize(n), byteSize(MaxSourceBytes))
	if n < 0 {
		why = fmt.Sprintf("the copied text is over %s, the most this window takes", byteSize(MaxSourceBytes))
	}
	w.setState("Not pasted: " + why + ". Save it to a file and translate that with File… (or `gugugo translate --file`), " +
		"which keeps its layout and shows its progress.")
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// mode is the direction control's choice.
func (w *Window) mode() app.DirectionMode {
	if i := w.direction.SelectedIndex(); i >= 0 {
		return app.DirectionModes[i]
	}
	return app.ModeAuto
}

// setMode shows m in the direction control.
func (w *Window) setMode(m app.DirectionMode) {
	for i, x := range app.DirectionModes {
		if x == m {
			w.direction.SetSelectedIndex(i)
		}
	}
}

func (w *Window) onSourceChanged(text string) {
	w.count.SetText(fmt.Sprintf("%d characters", utf8.RuneCountInString(text)))
	if w.swapping {
		return
	}
	if strings.TrimSpace(text) == "" {
		w.core.Translate("", w.mode())
		return
	}
	if w.core.Settings.AutoTranslate || time.Now().Before(w.followUntil) {
		w.core.Schedule(text, w.mode())
	}
}

func (w *Window) doTranslate() {
	if strings.TrimSpace(w.source.Text) == "" {
		return
	}
	w.followUntil = time.Now().Add(imeFollowUp)
	w.core.Translate(w.source.Text, w.mode())
}

func (w *Window) doStop() {
	w.core.Stop()
	w.core.StopFile()
}

// doSwap swaps the direction and the texts: the old translation becomes the source, and its source the
// translation, so nothing needs translating.
func (w *Window) doSwap() {
	src, dst := w.source.Text, w.target.Text()
	w.discard()
	w.swapping = true
	w.setMode(w.mode().Swapped())
	w.source.SetText(dst)
	w.swapping = false
	w.target.SetText(src)
}

// discard drops the translation in flight, whose last updates would overwrite the texts about to be put in place.
func (w *Window) discard() {
	w.core.Discard()
	if w.translating {
		w.translating = false
		w.stop.Disable()
		w.setState("")
	}
}

func (w *Window) doCopy() {
	if w.target.Text() != "" {
		w.app.Clipboard().SetContent(w.target.Text())
		w.setState("Copied the translation")
	}
}

func (w *Window) doClear() {
	w.source.SetText("")
	w.target.SetText("")
	w.win.Canvas().Focus(w.source)
}

func (w *Window) onDirection(m app.DirectionMode) {
	if m == w.core.Settings.Direction {
		return
	}
	w.core.SetMode(m)
	if !w.swapping && w.source != nil && strings.TrimSpace(w.source.Text) != "" && w.core.Settings.AutoTranslate {
		w.core.Translate(w.source.Text, m)
	}
}

func (w *Window) onUpdate(u app.Update) {
	w.target.SetText(u.Text)
	external := u.ID == w.external && w.popup != nil
	if external {
		w.popup.text.SetText(u.Text)
	}
	if !u.Done {
		if !w.translating {
			w.translating = true
			w.stop.Enable()
			w.setState("Translating " + u.Direction.String() + "…")
		}
		if u.Sentences > 1 && !w.fileRunning { // a document: its sentences done, as the CLI's bar shows them
			w.setState(fmt.Sprintf("Translating %s… %d of %d sentences", u.Direction, u.Translated, u.Sentences))
			w.fileProgress.SetValue(float64(u.Translated) / float64(u.Sentences))
			w.fileProgress.Show()
		}
		w.targetPane.ScrollToBottom()
		return
	}
	if !w.fileRunning {
		w.fileProgress.Hide()
	}
	w.translating = false
	if !w.fileRunning {
		w.stop.Disable()
	}
	w.lastSource = u.Source
	r := u.Result
	switch {
	case errors.Is(u.Err, context.Canceled):
		w.setState("Stopped")
	case errors.Is(u.Err, app.ErrNoModel):
		w.setState("No model is loaded: open a GGUF model first")
	case u.Err != nil:
		w.setState("Error: " + u.Err.Error())
	case strings.TrimSpace(u.Source) == "":
		w.setState("")
	default:
		w.setState(fmt.Sprintf("Done in %d ms · %d tokens · %.1f tokens/s", r.Duration.Milliseconds(), r.GeneratedTokens, r.DecodeTokensPerSecond()))
	}
	if len(u.Missing) > 0 {
		w.setState("⚠ Glossary terms missing: " + u.Missing.Describe() + " · " + w.stateLabel.Text)
	}
	if u.ID == w.external {
		w.finishExternal(u)
	}
	if external {
		w.popup.status.SetText(w.stateLabel.Text)
	}
	w.writeState()
}

func (w *Window) setState(s string) {
	w.stateLabel.SetText(s)
	w.writeState()
}
