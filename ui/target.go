package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// targetView shows the translation as one selectable label per line. A Fyne label measures and wraps its whole
// text on every change, which for a 2,000-word translation takes hundreds of milliseconds; streamed text only ever
// changes its last line, so only that label is measured again. The labels are the only copy of the text it keeps.
type targetView struct {
	box   *fyne.Container
	lines []*widget.Label
}

func newTargetView() *targetView {
	return &targetView{box: container.NewVBox()}
}

// SetText shows text, touching only the lines that changed.
func (t *targetView) SetText(text string) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if i < len(t.lines) {
			if t.lines[i].Text != line {
				t.lines[i].SetText(line)
			}
			continue
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		t.lines = append(t.lines, l)
		t.box.Add(l)
	}
	for len(t.lines) > len(lines) {
		t.box.Remove(t.lines[len(t.lines)-1])
		t.lines = t.lines[:len(t.lines)-1]
	}
}

// Text is the whole translation shown.
func (t *targetView) Text() string {
	var b strings.Builder
	for i, l := range t.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Text)
	}
	return b.String()
}
