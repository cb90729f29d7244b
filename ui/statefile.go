package ui

import (
	"encoding/json"
	"os"
)

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
