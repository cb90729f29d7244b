package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

func TestGlossarySteersTheWindowsTranslationsAndIsKept(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	c, f, prefs := newTestController(t, eng)
	terms := glossary.List{{Source: "사과", Target: "apple"}}
	f.run(func() { c.SetGlossary(inference.KoreanToEnglish, terms) })
	f.run(func() { c.Translate("사과를 먹어요", ModeKoreanToEnglish) })
	u := f.finished(t)
	// The scripted engine echoes what it was asked: the steered text, whose term is the target term.
	if !strings.Contains(u.Text, "apple를 먹어요") || len(u.Missing) != 0 {
		t.Errorf("update %q, missing %q", u.Text, u.Missing)
	}
	if got := LoadSettings(prefs).GlossaryKoEn; got != "사과\tapple\n" {
		t.Errorf("saved glossary %q", got)
	}
	f.run(func() { c.SetGlossary(inference.KoreanToEnglish, glossary.List{{Source: "먹어요", Target: "eat"}}) })
	f.run(func() { c.Translate("사과를 먹어요", ModeKoreanToEnglish) })
	if u := f.finished(t); len(u.Missing) != 0 {
		t.Errorf("the echoed target term was reported missing: %q", u.Missing)
	}
	eng.Pieces = 0 // an empty translation has none of the terms
	f.run(func() { c.Translate("사과를 먹어요", ModeKoreanToEnglish) })
	if u := f.finished(t); len(u.Missing) != 1 || u.Missing[0].Target != "eat" {
		t.Errorf("missing %q", u.Missing)
	}
}

// finishedFile waits for a file translation's end.
func (f *frontEnd) finishedFile(t *testing.T) (FileStatus, int) {
	t.Helper()
	n := 0
	for {
		s := receive(t, f.files, "file status")
		if s.Finished {
			return s, n
		}
		n++
	}
}

func TestTranslateFileWritesBesideTheInput(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	c, f, _ := newTestController(t, eng)
	dir := t.TempDir()
	in := filepath.Join(dir, "talk.en.srt")
	os.WriteFile(in, []byte("1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:03,000 --> 00:00:04,000\nBye.\n"), 0o644)
	var err error
	f.run(func() { err = c.TranslateFile(in, ModeAuto) })
	if err != nil {
		t.Fatal(err)
	}
	s, progress := f.finishedFile(t)
	if s.Err != nil || s.Output != filepath.Join(dir, "talk.ko.srt") || s.Done != 2 || s.Total != 2 || progress < 2 {
		t.Fatalf("status %+v after %d progress reports", s, progress)
	}
	b, _ := os.ReadFile(s.Output)
	if want := "1\n00:00:01,000 --> 00:00:02,000\n[Hello.:0]\n\n2\n00:00:03,000 --> 00:00:04,000\n[Bye.:0]\n"; string(b) != want {
		t.Errorf("wrote %q, want %q", b, want)
	}
	// Again: the first translation is not overwritten.
	f.run(func() { err = c.TranslateFile(in, ModeAuto) })
	if s, _ := f.finishedFile(t); err != nil || s.Output != filepath.Join(dir, "talk.ko (2).srt") {
		t.Errorf("second run: %+v, %v", s, err)
	}
}

func TestTranslateFileRefusesBadFilesAndWritesNothingWhenStopped(t *testing.T) {
	eng := &apptest.Engine{Pieces: 50, Delay: 20 * time.Millisecond}
	c, f, _ := newTestController(t, eng)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.srt")
	os.WriteFile(bad, []byte("1\nno timing\n"), 0o644)
	var err error
	f.run(func() { err = c.TranslateFile(bad, ModeAuto) })
	if s, _ := f.finishedFile(t); err != nil || s.Err == nil || !strings.Contains(s.Err.Error(), "has no timing line") {
		t.Errorf("a broken subtitle file: %v, %+v", err, s)
	}
	f.run(func() { err = c.TranslateFile(filepath.Join(dir, "x.pdf"), ModeAuto) })
	if err == nil {
		t.Error("a PDF was taken")
	}
	in := filepath.Join(dir, "long.txt")
	os.WriteFile(in, []byte(strings.Repeat("A line to translate.\n", 20)), 0o644)
	f.run(func() { err = c.TranslateFile(in, ModeAuto) })
	if err != nil {
		t.Fatal(err)
	}
	f.run(func() { err = c.TranslateFile(in, ModeAuto) })
	if err == nil {
		t.Error("a second file started while one was translated")
	}
	f.run(c.StopFile)
	s, _ := f.finishedFile(t)
	if !errors.Is(s.Err, context.Canceled) || s.Output != "" {
		t.Errorf("stopped: %+v", s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left in the folder: %v", entries)
	}
}
