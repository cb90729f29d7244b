package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// glossaryEditor is Settings → Glossary: each direction's term pairs, added, removed, imported from and exported
// to TSV. Its lists are saved with the settings.
type glossaryEditor struct {
	w       *Window
	lists   [2]glossary.List
	dir     inference.Direction
	list    *widget.List
	source  *widget.Entry
	target  *widget.Entry
	note    *widget.Label
	content fyne.CanvasObject
}

func (w *Window) newGlossaryEditor() *glossaryEditor {
	g := &glossaryEditor{w: w}
	for _, d := range []inference.Direction{inference.KoreanToEnglish, inference.EnglishToKorean} {
		g.lists[d] = append(glossary.List(nil), w.core.Glossary(d)...)
	}
	dirs := []string{"한국어 → English", "English → 한국어"}
	pick := widget.NewRadioGroup(dirs, func(s string) {
		g.dir = inference.KoreanToEnglish
		if s == dirs[1] {
			g.dir = inference.EnglishToKorean
		}
		g.refresh("")
	})
	pick.Horizontal = true
	g.list = widget.NewList(func() int { return len(g.lists[g.dir]) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.DeleteIcon(), nil), label)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			e := g.lists[g.dir][i]
			row.Objects[0].(*widget.Label).SetText(e.Source + "  →  " + e.Target)
			row.Objects[1].(*widget.Button).OnTapped = func() { g.remove(i) }
		})
	g.source = widget.NewEntry()
	g.source.SetPlaceHolder("source term")
	g.target = widget.NewEntry()
	g.target.SetPlaceHolder("target term")
	g.target.OnSubmitted = func(string) { g.add() }
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), g.add)
	importBtn := widget.NewButtonWithIcon("Import TSV…", theme.FolderOpenIcon(), g.importTSV)
	exportBtn := widget.NewButtonWithIcon("Export TSV…", theme.DocumentSaveIcon(), g.exportTSV)
	g.note = widget.NewLabel("")
	g.note.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(pick, container.NewBorder(nil, nil, nil, add, container.NewGridWithColumns(2, g.source, g.target)))
	bottom := container.NewVBox(container.NewHBox(importBtn, exportBtn), g.note)
	g.content = container.NewBorder(top, bottom, nil, nil, g.list)
	pick.SetSelected(dirs[0])
	return g
}

// refresh shows the direction's list, and msg (or how many pairs it holds) under it.
func (g *glossaryEditor) refresh(msg string) {
	g.list.Refresh()
	if msg == "" {
		msg = fmt.Sprintf("%d pairs. A source term in a text is steered to its target term, and a translation "+
			"without it is marked.", len(g.lists[g.dir]))
	}
	g.note.SetText(msg)
}

func (g *glossaryEditor) add() {
	src, tgt := strings.TrimSpace(g.source.Text), strings.TrimSpace(g.target.Text)
	switch {
	case src == "" || tgt == "":
		g.refresh("Write a source term and its target term, then Add.")
		return
	case strings.HasPrefix(src, "#"):
		g.refresh("Not added: a source term cannot start with #, which starts a comment in the glossary's file.")
		return
	}
	// The pair goes through the parser, so that the list holds only what an export can read back.
	l, err := glossary.ParseString(g.lists[g.dir].String() + src + "\t" + tgt + "\n")
	if err != nil {
		g.refresh("Not added: " + err.Error())
		return
	}
	g.lists[g.dir] = l
	g.source.SetText("")
	g.target.SetText("")
	g.refresh("")
}

func (g *glossaryEditor) remove(i int) {
	if i < len(g.lists[g.dir]) {
		g.lists[g.dir] = append(g.lists[g.dir][:i:i], g.lists[g.dir][i+1:]...)
	}
	g.refresh("")
}

// importTSV replaces the direction's list with a file's; a file with a bad line changes nothing.
func (g *glossaryEditor) importTSV() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		l, err := glossary.Parse(r)
		if err != nil {
			g.refresh("Not imported, nothing changed: " + r.URI().Name() + ": " + err.Error())
			return
		}
		g.lists[g.dir] = l
		g.refresh(fmt.Sprintf("Imported %d pairs from %s; Save keeps them.", len(l), r.URI().Name()))
	}, g.w.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".tsv", ".txt"}))
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

func (g *glossaryEditor) exportTSV() {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		_, err = wc.Write([]byte(g.lists[g.dir].String()))
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			g.refresh("Not exported: " + err.Error())
			return
		}
		g.refresh("Exported to " + wc.URI().Path())
	}, g.w.win)
	d.SetFileName("glossary-" + g.dir.Code() + ".tsv")
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}

// save keeps both directions' lists.
func (g *glossaryEditor) save() {
	for _, d := range []inference.Direction{inference.KoreanToEnglish, inference.EnglishToKorean} {
		g.w.core.SetGlossary(d, g.lists[d])
	}
}
