package ui

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
)

// openModelDialog lets the user pick a GGUF file and loads it.
func (w *Window) openModelDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		w.core.LoadModel(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".gguf"}))
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

// showSettings edits the settings; a change of device, GPU layers or threads reloads the model.
func (w *Window) showSettings() {
	s := w.core.Settings
	gpu := widget.NewEntry()
	gpu.SetText(strconv.Itoa(s.GPULayers))
	gpu.Validator = intIn(-1, 1000)
	threads := widget.NewEntry()
	threads.SetText(strconv.Itoa(s.Threads))
	threads.Validator = intIn(0, 256)
	auto := checkbox("Translate as I type", s.AutoTranslate)
	themes := widget.NewRadioGroup([]string{app.ThemeSystem, app.ThemeLight, app.ThemeDark}, nil)
	themes.Horizontal = true
	themes.SetSelected(s.Theme)
	size := widget.NewSlider(app.MinFontSize, app.MaxFontSize)
	size.Step = 1
	size.SetValue(s.FontSize)
	sizeLabel := widget.NewLabel("")
	size.OnChanged = func(v float64) { sizeLabel.SetText(fmt.Sprintf("%.0f pt", v)) }
	size.OnChanged(size.Value)
	histMax := widget.NewEntry()
	histMax.SetText(strconv.Itoa(s.HistoryMax))
	histMax.Validator = intIn(0, 10_000_000)
	histDays := widget.NewEntry()
	histDays.SetText(strconv.Itoa(s.HistoryDays))
	histDays.Validator = intIn(0, 100_000)
	// The GPUs are listed once llama.cpp is loaded, off the UI goroutine (see offerDownloads); until then the
	// choices are the ones that need no library, and the device chosen before.
	device := widget.NewSelect(nil, nil)
	var devices []app.Device
	listDevices := func(ds []app.Device) {
		want := s.Device // or what was picked while the GPUs were being listed
		for _, d := range devices {
			if d.Label == device.Selected {
				want = d.Name
			}
		}
		devices = ds
		device.Options = nil
		selected := ds[0].Label
		for _, d := range ds {
			device.Options = append(device.Options, d.Label)
			if d.Name == want {
				selected = d.Label
			}
		}
		device.SetSelected(selected)
	}
	basic := app.BasicDevices()
	if s.Device != "" && s.Device != "cpu" {
		basic = append(basic, app.Device{Name: s.Device, Label: s.Device})
	}
	listDevices(basic)
	var found []app.Device
	w.inBackground(func() { found = app.Devices() }, func() { listDevices(found) })
	model := widget.NewLabel(s.ModelPath)
	model.Truncation = fyne.TextTruncateEllipsis
	if s.ModelPath == "" {
		model.SetText("none")
	}
	idle := widget.NewEntry()
	idle.SetText(strconv.Itoa(s.IdleMinutes))
	idle.Validator = intIn(0, 100_000)

	hotkey := widget.NewEntry()
	hotkey.SetText(s.Hotkey)
	hotkey.SetPlaceHolder("none")
	hotkey.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		_, err := appdesktop.ParseHotkey(v)
		return err
	}
	region := widget.NewEntry()
	region.SetText(s.RegionHotkey)
	region.SetPlaceHolder("none")
	region.Validator = func(v string) error {
		if err := hotkey.Validator(v); err != nil {
			return err
		}
		a, errA := appdesktop.ParseHotkey(v)
		b, errB := appdesktop.ParseHotkey(hotkey.Text)
		if errA == nil && errB == nil && a == b {
			return errors.New("the region hotkey must differ from the hotkey")
		}
		return nil
	}
	hotkeyNote := widget.NewLabel(w.hotkeyNote())
	hotkeyNote.Wrapping = fyne.TextWrapWord
	primary := checkbox("Translate the selected text when there is one (no copy needed)", s.HotkeyPrimary)
	double := checkbox("Ctrl+C+C: copying the same text twice quickly translates it", s.DoubleCopy)
	popupCheck := checkbox("Show the translation in a small window at the pointer", s.Popup)
	copyResult := checkbox("Copy the finished translation to the clipboard", s.CopyResult)
	toTray := checkbox("Closing the window keeps Gugugo in the tray", s.CloseToTray)
	if w.tray == nil {
		toTray.SetText(toTray.Text + " (no tray on this desktop)")
		toTray.Disable()
	}

	engines := []string{"This computer", "A server"}
	engine := widget.NewRadioGroup(engines, nil)
	engine.Horizontal = true
	engine.SetSelected(engines[0])
	if s.UseServer {
		engine.SetSelected(engines[1])
	}
	serverURL := widget.NewEntry()
	serverURL.SetText(s.ServerURL)
	serverURL.SetPlaceHolder("http://gpu-box:8080")
	serverURL.Validator = func(v string) error {
		if engine.Selected == engines[1] && !app.IsServerURL(strings.TrimSpace(v)) {
			return errors.New("the server's address starts with http:// or https://")
		}
		return nil
	}
	serverKey := widget.NewPasswordEntry()
	serverKey.SetText(s.ServerKey)
	serverKey.SetPlaceHolder("none")

	share := checkbox("Let other programs use Gugugo", s.Share)
	shareAddr := widget.NewEntry()
	shareAddr.SetText(s.ShareAddr)
	shareKey := widget.NewPasswordEntry()
	shareKey.SetText(s.ShareKey)
	shareKey.SetPlaceHolder("none (only programs on this computer can connect)")
	shareNote := widget.NewLabel(w.sharingNote())
	shareNote.Wrapping = fyne.TextWrapWord

	translation := widget.NewForm(
		&widget.FormItem{Text: "Engine", Widget: engine},
		&widget.FormItem{Text: "Server", Widget: serverURL, HintText: "llama-server, vLLM or another Gugugo's server (gugugo serve), when the engine is a server"},
		&widget.FormItem{Text: "Server API key", Widget: serverKey},
		widget.NewFormItem("Model", containerRow(model, widget.NewButtonWithIcon("Models…", theme.StorageIcon(), w.showModels))),
		&widget.FormItem{Text: "Device", Widget: device},
		&widget.FormItem{Text: "GPU layers", Widget: gpu, HintText: "-1 puts every layer on the GPU, 0 runs on the CPU"},
		&widget.FormItem{Text: "CPU threads", Widget: threads, HintText: "0 uses one per core"},
		&widget.FormItem{Text: "Unload after", Widget: idle, HintText: "minutes unused, to free GPU memory; 0 keeps the model loaded"},
		&widget.FormItem{Text: "", Widget: auto},
	)
	looks := widget.NewForm(
		&widget.FormItem{Text: "Theme", Widget: themes},
		&widget.FormItem{Text: "Text size", Widget: containerRow(size, sizeLabel)},
	)
	desktopItems := []*widget.FormItem{
		{Text: "Hotkey", Widget: hotkey, HintText: "translates the clipboard from any program, such as Ctrl+Alt+G; empty for none"},
		{Text: "", Widget: hotkeyNote},
	}
	if app.HasSelection { // X11's PRIMARY; Windows has only the clipboard
		desktopItems = append(desktopItems, &widget.FormItem{Widget: primary})
	}
	if w.capturer() != nil {
		desktopItems = append(desktopItems, &widget.FormItem{Text: "Region hotkey", Widget: region,
			HintText: "freezes the screen to drag over text to read and translate, such as Ctrl+Alt+Shift+G; empty for none"})
	}
	desktopItems = append(desktopItems, &widget.FormItem{Widget: double}, &widget.FormItem{Widget: popupCheck},
		&widget.FormItem{Widget: copyResult}, &widget.FormItem{Widget: toTray})
	desktopForm := widget.NewForm(desktopItems...)
	sharingForm := widget.NewForm(
		&widget.FormItem{Text: "", Widget: share},
		&widget.FormItem{Text: "Address", Widget: shareAddr, HintText: "host:port; 127.0.0.1 keeps it to this computer, 0.0.0.0 opens it to the network (needs a key)"},
		&widget.FormItem{Text: "API key", Widget: shareKey},
		&widget.FormItem{Text: "", Widget: shareNote},
	)
	historyForm := widget.NewForm(
		&widget.FormItem{Text: "History entries", Widget: histMax, HintText: "the most kept; 0 keeps all"},
		&widget.FormItem{Text: "History days", Widget: histDays, HintText: "how long an entry is kept; 0 keeps it forever"},
	)
	terms := w.newGlossaryEditor()
	tabs := container.NewAppTabs(
		container.NewTabItem("Translation", translation),
		container.NewTabItem("Appearance", looks),
		container.NewTabItem("Desktop", desktopForm),
		container.NewTabItem("History", historyForm),
		container.NewTabItem("Glossary", terms.content),
		container.NewTabItem("Sharing", sharingForm),
	)
	fields := []*widget.Entry{gpu, threads, idle, hotkey, region, histMax, histDays, serverURL}
	d := dialog.NewCustomConfirm("Settings", "Save", "Cancel", tabs, func(ok bool) {
		if !ok {
			return
		}
		for _, f := range fields {
			if f.Validate() != nil {
				w.setState("Settings not saved: " + f.Validate().Error())
				return
			}
		}
		n := w.core.Settings
		n.GPULayers, _ = strconv.Atoi(strings.TrimSpace(gpu.Text))
		n.Threads, _ = strconv.Atoi(strings.TrimSpace(threads.Text))
		n.IdleMinutes, _ = strconv.Atoi(strings.TrimSpace(idle.Text))
		n.AutoTranslate = auto.Checked
		for _, d := range devices {
			if d.Label == device.Selected {
				n.Device = d.Name
			}
		}
		n.Theme = themes.Selected
		n.FontSize = size.Value
		n.HistoryMax, _ = strconv.Atoi(strings.TrimSpace(histMax.Text))
		n.HistoryDays, _ = strconv.Atoi(strings.TrimSpace(histDays.Text))
		n.Hotkey = strings.TrimSpace(hotkey.Text)
		n.RegionHotkey = strings.TrimSpace(region.Text)
		terms.save()
		n.GlossaryKoEn, n.GlossaryEnKo = w.core.Settings.GlossaryKoEn, w.core.Settings.GlossaryEnKo
		n.HotkeyPrimary, n.DoubleCopy, n.Popup = primary.Checked, double.Checked, popupCheck.Checked
		n.CopyResult, n.CloseToTray = copyResult.Checked, toTray.Checked
		n.UseServer, n.ServerURL, n.ServerKey = engine.Selected == engines[1], serverURL.Text, serverKey.Text
		n.Share, n.ShareAddr, n.ShareKey = share.Checked, shareAddr.Text, shareKey.Text
		w.applySettings(n)
	}, w.win)
	d.Resize(fyne.NewSize(640, 560))
	d.Show()
}

// hotkeyNote tells what the hotkey does now, and on Wayland where to bind one instead.
func (w *Window) hotkeyNote() string {
	note := "Now: " + w.hotkeyState()
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		note += ". On Wayland the hotkey works only while an X11 window has the focus: bind `gugugo translate-clipboard` " +
			"to a shortcut in your desktop's keyboard settings (see the README)."
	}
	return note
}

// applySettings saves new settings and applies them: the theme at once, engine options by reloading the model.
func (w *Window) applySettings(n app.Settings) {
	n = n.Normalized()
	old := w.core.Settings
	reload := n.GPULayers != old.GPULayers || n.Threads != old.Threads || n.Device != old.Device ||
		n.UseServer != old.UseServer || n.UseServer && (n.ServerURL != old.ServerURL || n.ServerKey != old.ServerKey)
	reshare := n.Share != old.Share || n.ShareAddr != old.ShareAddr || n.ShareKey != old.ShareKey
	w.core.Settings = n
	w.core.SaveSettings()
	w.app.Settings().SetTheme(newTheme(n))
	w.applyDesktop()
	w.refreshTray()
	if reload {
		w.core.LoadEngine()
	}
	if reshare {
		w.applySharing()
	}
}

// applySharing starts or stops the local server as the settings say, and tells the status bar.
func (w *Window) applySharing() {
	if !w.core.Settings.Share {
		w.core.StopSharing()
		return
	}
	if err := w.core.StartSharing(); err != nil {
		w.setState("Not shared with other programs: " + err.Error())
		return
	}
	w.setState("Other programs can use Gugugo at http://" + w.core.SharingAddr())
}

// sharingNote says where the local server listens and what to enter in other programs.
func (w *Window) sharingNote() string {
	addr := w.core.SharingAddr()
	if addr == "" {
		return "Now: off. When on, translators such as pot, Crow Translate, Zotero's PDF Translate, Kiss Translator and " +
			"Immersive Translate can use Gugugo as a DeepLX, LibreTranslate or OpenAI service (see the README)."
	}
	return fmt.Sprintf("Now: listening on http://%s. DeepLX: http://%[1]s/translate; LibreTranslate: http://%[1]s; "+
		"OpenAI: base URL http://%[1]s/v1, any model name.", addr)
}

// checkbox is a check box for a setting, ticked as the setting is.
func checkbox(text string, on bool) *widget.Check {
	c := widget.NewCheck(text, nil)
	c.SetChecked(on)
	return c
}

func intIn(lo, hi int) fyne.StringValidator {
	return func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

// containerRow puts b at the right of a, which takes the rest of the row.
func containerRow(a, b fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, b, a)
}

// showAbout names the app, its version and what it is built on.
func (w *Window) showAbout() {
	dialog.ShowInformation("About Gugugo", "Gugugo "+w.opts.Version+"\n\nOffline Korean⇄English translation with the Gugugo "+
		"models, run by llama.cpp v0.5.0.\nFonts: NanumGothic (SIL Open Font License 1.1).", w.win)
}
