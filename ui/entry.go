package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// sourceEntry is the multi-line source pane. A focused Fyne entry swallows every shortcut it does not know, so it
// passes the window's own (Ctrl+Enter, Esc) and checks pastes before they happen.
type sourceEntry struct {
	widget.Entry
	onShortcut func(fyne.Shortcut) bool // true when handled
	onEscape   func()
}

func newSourceEntry() *sourceEntry {
	e := &sourceEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

func (e *sourceEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

func (e *sourceEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}
