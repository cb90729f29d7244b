package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/catalogue"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/guard"
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
	// SettingsNotice, when set, says that the settings file was unreadable and set aside (setAsideBrokenPreferences).
	SettingsNotice string
	// GPUCrash, when set, says that the window was started again because the process ended while a GPU was
	// translating (package guard): the window then runs on the CPU, puts the text back and says so.
	GPUCrash *guard.Report
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

	triggers     *app.Triggers
	hotkeyErr    string      // why the hotkey or Ctrl+C+C is not working, or ""
	hotkeyAlarm  bool        // hotkeyErr is something the user can fix, shown in the status bar
	external     uint64      // the request started from another program, for the popup and copy-result
	popup        *popup      // open popup, or nil
	region       fyne.Window // the region picker while it is open
	picking      bool        // from the region hotkey's press until the picker closes
	ungrabRegion func()      // releases the region hotkey; nil while none is held
	tray         desktop.App // nil without a tray
	background   sync.WaitGroup

	source       *sourceEntry
	target       *targetView
	targetPane   *container.Scroll
	direction    *widget.Select
	count        *widget.Label
	modelLabel   *widget.Label
	deviceLabel  *widget.Label
	stateLabel   *widget.Label
	progress     *widget.ProgressBar // a model's load or download
	fileProgress *widget.ProgressBar // a file's translation
	fileRunning  bool
	translate    *widget.Button
	stop         *widget.Button
	history      *historyPanel // nil when the database could not be opened
	historyBox   *fyne.Container
	main         fyne.CanvasObject
	welcome      *welcomeScreen
	body         *fyne.Container
}

// NewWindow builds the main window of a; Show it to start.
func NewWindow(a fyne.App, opts Options) *Window {
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	w := &Window{app: a, opts: opts}
	w.core = app.NewController(app.ControllerOptions{Load: opts.Load, Prefs: a.Preferences(), Do: opts.Do,
		Catalogue: opts.Catalogue, ModelDir: opts.ModelDir},
		app.Events{Translation: w.onUpdate, Model: w.onModel, Pull: w.onPull, HistoryChanged: w.onHistoryChanged,
			HistoryFailed: w.onHistoryFailed, File: w.onFile})
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

	if opts.SettingsNotice != "" {
		dialog.ShowInformation("Settings", opts.SettingsNotice, w.win) // the status line would be overwritten first
	}
	if opts.GPUCrash != nil {
		w.recoverFromGPUCrash(*opts.GPUCrash)
	}
	switch {
	case opts.ModelPath != "":
		w.core.LoadModel(opts.ModelPath)
	case !w.core.LoadEngine():
		w.showWelcome(nil)
	}
	w.applySharing()
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
	w.source.SetPlaceHolder("Type or paste Korean or English text, or drop a file or an image here")
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
	fileBtn := widget.NewButtonWithIcon("File…", theme.FileTextIcon(), w.chooseFile)
	regionBtn := widget.NewButtonWithIcon("Screen", theme.ViewFullScreenIcon(), func() { w.translateRegion(true) })
	if w.capturer() == nil {
		regionBtn.Hide()
	}

	toolbar := container.NewHBox(w.direction, swap, w.translate, w.stop, layout.NewSpacer(), fileBtn, regionBtn, copyBtn, clear, historyBtn, openModel, settings, about)

	w.count = widget.NewLabel("0 characters")
	w.count.TextStyle.Italic = true
	left := container.NewBorder(nil, w.count, nil, nil, w.source)
	split := container.NewHSplit(left, w.targetPane)

	w.modelLabel = widget.NewLabel("No model")
	w.modelLabel.TextStyle.Bold = true
	w.deviceLabel = widget.NewLabel("")
	w.stateLabel = widget.NewLabel("")
	w.stateLabel.Wrapping = fyne.TextWrapWord // a long message is read whole: the status bar grows a line for it
	w.progress = widget.NewProgressBar()
	w.progress.Hide()
	w.fileProgress = widget.NewProgressBar()
	w.fileProgress.Hide()
	// One place for both bars: a cell is kept for them even when hidden, and the two rarely show at once.
	bars := container.NewGridWrap(fyne.NewSize(160, w.progress.MinSize().Height), w.fileProgress, w.progress)
	status := container.NewBorder(nil, nil, container.NewHBox(w.modelLabel, w.deviceLabel), bars, w.stateLabel)

	w.historyBox = container.NewStack()
	w.historyBox.Hide()
	w.main = container.NewBorder(toolbar, status, nil, w.historyBox, split)
	w.welcome = w.newWelcomeScreen()
	w.body = container.NewStack(w.main, w.welcome.content)
	w.win.SetContent(w.body)
	w.win.SetMaster()
	w.win.SetOnDropped(w.onDropped)

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

func (w *Window) onClosed() {
	w.closed = true
	w.triggers.Close()
	if w.ungrabRegion != nil {
		w.ungrabRegion()
	}
	if w.region != nil {
		w.region.Close()
	}
	if w.popup != nil {
		w.popup.close()
	}
	size := w.win.Canvas().Size()
	w.core.Settings.WindowWidth, w.core.Settings.WindowHeight = float64(size.Width), float64(size.Height)
	w.core.SaveSettings()
	w.core.Close()
	w.background.Wait()
}
