package ui

import (
	"context"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/history"
)

// historyPage is how many entries the list reads at a time: the list renders only the rows in view, so 100,000
// entries cost no more than a page.
const historyPage = 200

// historyPanel is the side panel of past translations: search as you type, click to restore, copy, delete, clear,
// export, and the switch that stops recording.
type historyPanel struct {
	w       *Window
	store   *history.Store
	content *fyne.Container
	search  *widget.Entry
	list    *widget.List
	keep    *widget.Check
	del     *widget.Button
	count   int
	sel     int // the selected row, or -1
	pages   map[int][]history.Entry
}

// openHistory opens the database in the app's data folder; an unreadable one is kept aside and said so.
func (w *Window) openHistory() {
	path := w.opts.HistoryPath
	if path == "" {
		path = filepath.Join(w.app.Storage().RootURI().Path(), "history.db")
	}
	if err := w.core.OpenHistory(path); err != nil {
		// A dialog, not the status bar, which the model's loading would overwrite before the user reads it.
		dialog.ShowInformation("History", err.Error(), w.win)
	}
	if s := w.core.History(); s != nil {
		w.history = newHistoryPanel(w, s)
	}
}

// onHistoryFailed says, in a dialog that stays until dismissed, that translations are no longer saved.
func (w *Window) onHistoryFailed(err error) { dialog.ShowInformation("History", err.Error(), w.win) }

// onHistoryChanged shows entries added or trimmed.
func (w *Window) onHistoryChanged() {
	if w.history != nil {
		w.history.reload()
	}
}

func newHistoryPanel(w *Window, s *history.Store) *historyPanel {
	h := &historyPanel{w: w, store: s, sel: -1, pages: map[int][]history.Entry{}}
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder("Search history")
	h.search.OnChanged = func(string) { h.reload() }
	h.list = widget.NewList(func() int { return h.count }, func() fyne.CanvasObject {
		src, dst := widget.NewLabel(""), widget.NewLabel("")
		src.Truncation, dst.Truncation = fyne.TextTruncateEllipsis, fyne.TextTruncateEllipsis
		src.TextStyle.Bold = true
		return container.NewVBox(src, dst)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		e, ok := h.entry(id)
		if !ok {
			return
		}
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(oneLine(e.Source))
		box.Objects[1].(*widget.Label).SetText(oneLine(e.Target))
	})
	h.list.OnSelected = func(id widget.ListItemID) {
		h.sel = id
		if e, ok := h.entry(id); ok {
			h.w.restore(e)
		}
	}
	h.keep = widget.NewCheck("Keep history", func(on bool) {
		h.w.core.Settings.KeepHistory = on
		h.w.core.SaveSettings()
	})
	h.keep.SetChecked(w.core.Settings.KeepHistory)
	copyBtn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		if e, ok := h.selected(); ok {
			h.w.app.Clipboard().SetContent(e.Target)
		}
	})
	h.del = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		if e, ok := h.selected(); ok {
			h.store.Delete(context.Background(), e.ID)
			h.reload()
		}
	})
	clear := widget.NewButton("Clear…", func() {
		dialog.ShowConfirm("Clear history", "Delete every saved translation?", func(ok bool) {
			if ok {
				h.clearAll()
			}
		}, h.w.win)
	})
	export := widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), h.exportDialog)
	tools := container.NewHBox(h.keep, copyBtn, h.del, export, clear)
	h.content = container.NewBorder(container.NewVBox(h.search, tools), nil, nil, nil, h.list)
	h.reload()
	return h
}

// oneLine is the start of a text on one line: a 1 MB entry is shown by its first characters, and the label
// truncates them to its width.
func oneLine(s string) string {
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") // cut on a character boundary
	}
	return strings.Join(strings.Fields(s), " ")
}

// reload re-reads the count for the current search and drops the cached pages.
func (h *historyPanel) reload() {
	h.pages = map[int][]history.Entry{}
	n := 0
	if q := strings.TrimSpace(h.search.Text); q == "" {
		n, _ = h.store.Count(context.Background())
	} else {
		// A search shows its newest matches: enough to pick from, and cheap at any history size.
		es, _ := h.store.Search(context.Background(), q, 0, 1000)
		h.pages[-1] = es
		n = len(es)
	}
	h.count = n
	h.sel = -1
	h.list.UnselectAll()
	h.list.Refresh()
}

func (h *historyPanel) entry(id int) (history.Entry, bool) {
	if es, ok := h.pages[-1]; ok {
		if id < len(es) {
			return es[id], true
		}
		return history.Entry{}, false
	}
	page := id / historyPage
	es, ok := h.pages[page]
	if !ok {
		es, _ = h.store.List(context.Background(), page*historyPage, historyPage)
		h.pages[page] = es
	}
	if i := id % historyPage; i < len(es) {
		return es[i], true
	}
	return history.Entry{}, false
}

func (h *historyPanel) selected() (history.Entry, bool) {
	if h.sel < 0 {
		return history.Entry{}, false
	}
	return h.entry(h.sel)
}

// exportDialog saves the history as JSON lines (.jsonl) or CSV (.csv), by the name chosen.
func (h *historyPanel) exportDialog() {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		defer wc.Close()
		if err := h.export(wc, strings.EqualFold(wc.URI().Extension(), ".csv")); err != nil {
			dialog.ShowError(err, h.w.win)
		}
	}, h.w.win)
	d.SetFileName("gugugo-history.jsonl")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jsonl", ".csv"}))
	d.Show()
}

// export writes the whole history as CSV or as JSON lines.
func (h *historyPanel) export(w io.Writer, asCSV bool) error {
	if asCSV {
		return h.store.ExportCSV(context.Background(), w)
	}
	return h.store.ExportJSONL(context.Background(), w)
}

// clearAll deletes every entry (after the user confirmed).
func (h *historyPanel) clearAll() {
	h.store.Clear(context.Background())
	h.reload()
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
	w.discard()
	w.swapping = true
	w.setMode(app.ModeOf(e.Direction))
	w.source.SetText(e.Source)
	w.swapping = false
	w.target.SetText(e.Target)
}
