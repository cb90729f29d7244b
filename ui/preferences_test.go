package ui

import (
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An empty or damaged preferences file is set aside, with a notice naming where it went; a good one, or none, is
// left alone.
func TestBrokenPreferencesAreSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "preferences.json")
	if n := setAsideBrokenPreferences(path); n != "" {
		t.Errorf("no file: %q", n)
	}
	os.WriteFile(path, []byte(`{"theme":"dark"}`), 0o600)
	if n := setAsideBrokenPreferences(path); n != "" {
		t.Errorf("a good file: %q", n)
	}
	for _, broken := range []string{"", `{"theme":"da`} {
		os.WriteFile(path, []byte(broken), 0o600)
		n := setAsideBrokenPreferences(path)
		if _, err := os.Stat(path); err == nil || !strings.Contains(n, "back to their defaults") {
			t.Errorf("%q: notice %q, file still there: %v", broken, n, err == nil)
		}
		aside, _ := filepath.Glob(path + ".broken-*")
		if len(aside) == 0 {
			t.Fatalf("%q: not kept aside", broken)
		}
		if got, _ := os.ReadFile(aside[0]); string(got) != broken || !strings.Contains(n, aside[0]) {
			t.Errorf("%q: kept as %s holding %q, notice %q", broken, aside[0], got, n)
		}
		os.Remove(aside[0])
	}
}

// Fyne's reload of its preferences file caught mid-save (cause EOF) is left out of the log; its other errors, and
// every other line, go through.
func TestPreferencesRaceIsLeftOutOfTheLog(t *testing.T) {
	var out bytes.Buffer
	l := log.New(&preferencesRaceFilter{out: &out}, "", 0)
	l.Println("before")
	l.Println("Fyne error:  Preferences load error:")
	l.Println("  Cause: EOF")
	l.Printf("  At: %s:%d", "fyne.io/fyne/v2@v2.7.1/app/preferences.go", 103)
	l.Println("Fyne error:  Preferences load error:")
	l.Println("  Cause: invalid character 'x' looking for beginning of value")
	l.Println("  At: fyne.io/fyne/v2@v2.7.1/app/preferences.go:103")
	l.Println("after")
	want := "before\nFyne error:  Preferences load error:\n  Cause: invalid character 'x' looking for beginning of value\n" +
		"  At: fyne.io/fyne/v2@v2.7.1/app/preferences.go:103\nafter\n"
	if out.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", out.String(), want)
	}
}
