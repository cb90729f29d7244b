package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/history"
	"github.com/gugugo-desktop/gugugo/app/instance"
)

// MaxSourceBytes is the most text the source pane takes: Fyne's entry is not made for megabytes, and a paste over
// this is refused with a message (the clipboard keeps it) rather than freezing the window.
const MaxSourceBytes = 256 << 10

// imeFollowUp is how long after a Translate press a change of the source still re-translates when translate-as-you-
// type is off: Fyne has no IME preedit, so a press in the middle of a Hangul syllable reads the text without it, and
// the syllable arrives a moment later when the IME commits it.
const imeFollowUp = 1500 * time.Millisecond

// Options configure the main window.
type Options struct {
	// Load loads models; app.LoadEngine in the real app, a scripted engine in tests.
	Load app.LoadFunc
	// ModelPath, when set, is loaded instead of the one in the settings (gugugo --model FILE).
	ModelPath string
	// Do runs a function on the UI goroutine: fyne.Do, unless a test serializes the callbacks itself (Fyne's test
	// driver runs fyne.Do callbacks on the calling goroutine).
	Do func(func())
	// Version is shown in the About dialog.
	Version string
	// HistoryPath is the history database; "" puts it in the app's data folder.
	HistoryPath string
	// StateFile, when set, receives the window's state as JSON after each finished translation and model change,
	// for end-to-end tests that drive the real window.
	StateFile string
	// Catalogue replaces the model catalogue and ModelDir the folder models are installed in (tests).
	Catalogue []catalogue.Entry
	ModelDir  string
	// Desktop gives the global hotkey, the selections and clipboard changes; nil where there is none (no X11
	// display). When it is also a desktop.Placer the popup opens at the pointer.
	Desktop appdesktop.Input
}

// Window is the main window.
type Window struct {
	app  fyne.App
	win  fyne.Window
	opts Options
	core *app.Controller

	translating bool
	followUntil time.Time
	swapping    bool
	lastSource  string // the source of the last finished translation
	closed      bool

	triggers    *app.Triggers
	hotkeyErr   string      // why the hotkey or Ctrl+C+C is not working, or ""
	hotkeyAlarm bool        // hotkeyErr is something the user can fix, shown in the status bar
	external    uint64      // the request started from another program, for the popup and copy-result
	popup       *popup      // open popup, or nil
	tray        desktop.App // nil without a tray
	background  sync.WaitGroup

	source      *sourceEntry
	target      *targetView
	targetPane  *container.Scroll
	direction   *widget.Select
	count       *widget.Label
	modelLabel  *widget.Label
	deviceLabel *widget.Label
	stateLabel  *widget.Label
	progress    *widget.ProgressBar
	translate   *widget.Button
	stop        *widget.Button
	history     *historyPanel // nil when the database could not be opened
	historyBox  *fyne.Container
	main        fyne.CanvasObject
	welcome     *welcomeScreen
	body        *fyne.Container
}

// NewWindow builds the main window of a; Show it to start.
func NewWindow(a fyne.App, opts Options) *Window {
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	w := &Window{app: a, opts: opts}
	w.core = app.NewController(app.ControllerOptions{Load: opts.Load, Prefs: a.Preferences(), Do: opts.Do,
		Catalogue: opts.Catalogue, ModelDir: opts.ModelDir},
		app.Events{Translation: w.onUpdate, Model: w.onModel, Pull: w.onPull, HistoryChanged: w.onHistoryChanged})
	a.Settings().SetTheme(newTheme(w.core.Settings))
	a.SetIcon(appIcon)
	w.win = a.NewWindow("Gugugo")
	w.triggers = app.NewTriggers(opts.Desktop, MaxSourceBytes, func(text string, err error) { opts.Do(func() { w.onExternal(text, err) }) })
	w.build()
	w.openHistory()
	w.win.Resize(fyne.NewSize(float32(w.core.Settings.WindowWidth), float32(w.core.Settings.WindowHeight)))
	w.win.SetOnClosed(w.onClosed)
	w.win.SetCloseIntercept(w.onCloseRequest)
	w.applyDesktop()

	path := opts.ModelPath
	if path == "" {
		path = w.core.Settings.ModelPath
	}
	if path != "" {
		w.loadModel(path)
	} else {
		w.showWelcome(nil)
	}
	return w
}

// inBackground runs slow work off the UI goroutine and then done on it, unless the window has closed by then.
// Closing the window waits for such work.
func (w *Window) inBackground(slow, done func()) {
	w.background.Add(1)
	go func() {
		defer w.background.Done()
		slow()
		w.opts.Do(func() {
			if !w.closed {
				done()
			}
		})
	}()
}

// Show shows the window and runs the app until it is closed.
func (w *Window) ShowAndRun() { w.win.ShowAndRun() }

func (w *Window) build() {
	w.source = newSourceEntry()
	w.source.SetPlaceHolder("Type or paste Korean or English text")
	w.source.OnChanged = w.onSourceChanged
	w.source.onShortcut = w.onShortcut
	w.source.onEscape = w.doStop

	w.target = newTargetView()
	w.targetPane = container.NewVScroll(w.target.box)

	labels := make([]string, len(app.DirectionModes))
	for i, m := range app.DirectionModes {
		labels[i] = m.Label()
	}
	w.direction = widget.NewSelect(labels, func(string) { w.onDirection(w.mode()) })
	w.setMode(w.core.Settings.Direction)

	swap := widget.NewButton("⇄", w.doSwap)
	w.translate = widget.NewButtonWithIcon("Translate", theme.MailSendIcon(), w.doTranslate)
	w.translate.Importance = widget.HighImportance
	w.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), w.doStop)
	w.stop.Disable()
	copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), w.doCopy)
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), w.doClear)
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), w.showSettings)
	openModel := widget.NewButtonWithIcon("", theme.StorageIcon(), w.showModels)
	about := widget.NewButtonWithIcon("", theme.InfoIcon(), w.showAbout)
	historyBtn := widget.NewButtonWithIcon("", theme.HistoryIcon(), w.toggleHistory)

	toolbar := container.NewHBox(w.direction, swap, w.translate, w.stop, layout.NewSpacer(), copyBtn, clear, historyBtn, openModel, settings, about)

	w.count = widget.NewLabel("0 characters")
	w.count.TextStyle.Italic = true
	left := container.NewBorder(nil, w.count, nil, nil, w.source)
	split := container.NewHSplit(left, w.targetPane)

	w.modelLabel = widget.NewLabel("No model")
	w.modelLabel.TextStyle.Bold = true
	w.deviceLabel = widget.NewLabel("")
	w.stateLabel = widget.NewLabel("")
	w.stateLabel.Truncation = fyne.TextTruncateEllipsis
	w.progress = widget.NewProgressBar()
	w.progress.Hide()
	status := container.NewBorder(nil, nil, container.NewHBox(w.modelLabel, w.deviceLabel), container.NewGridWrap(fyne.NewSize(160, w.progress.MinSize().Height), w.progress), w.stateLabel)

	w.historyBox = container.NewStack()
	w.historyBox.Hide()
	w.main = container.NewBorder(toolbar, status, nil, w.historyBox, split)
	w.welcome = w.newWelcomeScreen()
	w.body = container.NewStack(w.main, w.welcome.content)
	w.win.SetContent(w.body)
	w.win.SetMaster()

	c := w.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { w.doTranslate() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { w.doTranslate() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { w.toggleHistory() })
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			w.doStop()
		}
	})
}

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
		if n := len(sc.Clipboard.Content()); n+len(w.source.Text) > MaxSourceBytes {
			w.setState(fmt.Sprintf("Not pasted: the text is %s, and this window takes up to %s. Translate long files with `gugugo translate`.",
				byteSize(n), byteSize(MaxSourceBytes)))
			return true
		}
	}
	return false
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

func (w *Window) doStop() { w.core.Stop() }

// doSwap swaps the direction and the texts: the old translation becomes the source, and its source the
// translation, so nothing needs translating.
func (w *Window) doSwap() {
	src, dst := w.source.Text, w.target.Text()
	w.core.Stop()
	w.swapping = true
	w.setMode(w.mode().Swapped())
	w.source.SetText(dst)
	w.swapping = false
	w.target.SetText(src)
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
		w.targetPane.ScrollToBottom()
		return
	}
	w.translating = false
	w.stop.Disable()
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
}

func (w *Window) loadModel(path string) {
	w.showMain()
	w.core.LoadModel(path)
}

func (w *Window) onModel(s app.ModelStatus) {
	switch s.State {
	case app.ModelLoading:
		if !s.Reloaded {
			w.modelLabel.SetText(filepath.Base(s.Path))
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
		w.deviceLabel.SetText("on " + s.Info.Device)
		if s.Reloaded {
			w.setState("Translating…") // the request that reloaded it is waiting
			break
		}
		notes := []string{"Ready"}
		if s.Info.Fallback != "" {
			notes = append(notes, s.Info.Fallback)
		}
		notes = append(notes, s.Info.GPUNotes...)
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

func (w *Window) onClosed() {
	w.closed = true
	w.triggers.Close()
	if w.popup != nil {
		w.popup.close()
	}
	size := w.win.Canvas().Size()
	w.core.Settings.WindowWidth, w.core.Settings.WindowHeight = float64(size.Width), float64(size.Height)
	w.core.SaveSettings()
	w.core.Close()
	w.background.Wait()
}

// toggleHistory shows or hides the history panel (the clock button, Ctrl+H).
func (w *Window) toggleHistory() {
	if w.history == nil {
		return
	}
	if w.historyBox.Visible() {
		w.historyBox.Hide()
	} else {
		width := canvas.NewRectangle(color.Transparent)
		width.SetMinSize(fyne.NewSize(320, 0))
		w.historyBox.Objects = []fyne.CanvasObject{width, w.history.content}
		w.history.reload()
		w.historyBox.Show()
	}
	w.main.(*fyne.Container).Refresh()
}

// restore puts a history entry back in both panes, with its direction, without translating it again.
func (w *Window) restore(e history.Entry) {
	w.core.Stop()
	w.swapping = true
	w.setMode(app.ModeOf(e.Direction))
	w.source.SetText(e.Source)
	w.swapping = false
	w.target.SetText(e.Target)
}

// uiState is what Options.StateFile receives.
type uiState struct {
	Source     string `json:"source"`
	Translated string `json:"translated"` // the source of the last finished translation
	Target     string `json:"target"`
	Direction  string `json:"direction"`
	Status     string `json:"status"`
	Model      string `json:"model"`
	Device     string `json:"device"`
	Hotkey     string `json:"hotkey"` // the combination held, "off", "paused" or why it is not held
	Popup      string `json:"popup"`  // the popup's text, "" when it is closed
}

func (w *Window) writeState() {
	if w.opts.StateFile == "" {
		return
	}
	popup := ""
	if w.popup != nil {
		popup = w.popup.text.Text
	}
	b, _ := json.Marshal(uiState{w.source.Text, w.lastSource, w.target.Text(), w.direction.Selected, w.stateLabel.Text, w.modelLabel.Text,
		w.deviceLabel.Text, w.hotkeyState(), popup})
	tmp := w.opts.StateFile + ".tmp"
	if os.WriteFile(tmp, b, 0o600) == nil {
		os.Rename(tmp, w.opts.StateFile)
	}
}

// handleRemote runs a command from the instance socket: bring the window forward, and for translate-clipboard
// translate the clipboard's text as the hotkey would.
func (w *Window) handleRemote(r instance.Request) {
	if r.Command == instance.TranslateClipboard {
		w.translateClipboard()
		return
	}
	w.showMainWindow()
}
