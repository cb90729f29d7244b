package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Fyne keeps the settings in preferences.json in the app's folder. It saves that file by truncating it and then
// writing it, and marks the save as its own only after the truncation, so its watcher of the file can reload the
// file empty in between: "Fyne error: Preferences load error" with "Cause: EOF" in the log, on a first start or on
// quitting, with nothing lost (the values are in memory, and on disk a moment later). A file left empty or damaged
// for good (the power cut mid-save) is checked for here before Fyne reads it; after that, Fyne's EOF reloads are the
// race and are left out of the log.

// preferencesPath is where Fyne keeps this app's preferences on a desktop.
func preferencesPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "fyne", AppID, "preferences.json")
}

// setAsideBrokenPreferences moves a preferences file that is not JSON aside, so that the settings start from their
// defaults with the old file kept, and returns what to tell the user; "" when the file is fine or absent.
func setAsideBrokenPreferences(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || json.Valid(b) {
		return ""
	}
	aside := fmt.Sprintf("%s.broken-%s", path, time.Now().Format("20060102-150405"))
	if err := os.Rename(path, aside); err != nil {
		return fmt.Sprintf("The settings file %s is unreadable (%d bytes, not JSON) and could not be moved aside (%v): "+
			"the settings are the defaults until it is removed.", path, len(b), err)
	}
	return "The settings were unreadable (an interrupted save?), so they are back to their defaults. The old file " +
		"is kept as " + aside + "."
}

// preferencesRaceFilter passes log lines on to out, leaving out the three of a Fyne preferences reload that read
// the file mid-save (the cause EOF). The log package hands over one line per Write.
type preferencesRaceFilter struct {
	out  io.Writer
	mu   sync.Mutex
	held []byte // "Preferences load error:", until the next line says the cause
	skip bool   // the cause was EOF: leave out the "At:" line too
}

func (f *preferencesRaceFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case bytes.Contains(p, []byte("Preferences load error:")):
		f.held = append(f.held[:0], p...)
		return len(p), nil
	case f.held != nil:
		held := f.held
		f.held = nil
		if strings.Contains(string(p), "  Cause: EOF") || strings.Contains(string(p), "  Cause: unexpected EOF") {
			f.skip = true
			return len(p), nil
		}
		f.out.Write(held)
	case f.skip:
		f.skip = false
		if bytes.Contains(p, []byte("  At: ")) {
			return len(p), nil
		}
	}
	return f.out.Write(p)
}
