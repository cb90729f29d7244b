package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"

	"github.com/gugugo-desktop/gugugo/app/document"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/app/ocr"
	"github.com/gugugo-desktop/gugugo/inference"
)

// FileStatus is news of a file's translation: its progress, then its end.
type FileStatus struct {
	Input, Output string // Output once written
	Done, Total   int    // units translated of all
	Finished      bool
	Err           error // when Finished: why nothing was written (context.Canceled when stopped)
	Warnings      []string
	Missing       glossary.List // glossary terms missing from the translation, when Finished
}

// Glossary is a direction's term pairs; safe on any goroutine.
func (c *Controller) Glossary(d inference.Direction) glossary.List {
	if g := c.terms.Load(); g != nil {
		return g[d]
	}
	return nil
}

// SetGlossary replaces a direction's term pairs and saves them.
func (c *Controller) SetGlossary(d inference.Direction, l glossary.List) {
	if d == inference.EnglishToKorean {
		c.Settings.GlossaryEnKo = l.String()
	} else {
		c.Settings.GlossaryKoEn = l.String()
	}
	c.SaveSettings()
	c.loadGlossary()
}

// loadGlossary reads the settings' glossaries for the translating goroutines. A glossary the settings hold is one
// SetGlossary wrote, so it parses; one that does not (edited by hand) counts as empty rather than stopping the app.
func (c *Controller) loadGlossary() {
	var g [2]glossary.List
	g[inference.KoreanToEnglish], _ = glossary.ParseString(c.Settings.GlossaryKoEn)
	g[inference.EnglishToKorean], _ = glossary.ParseString(c.Settings.GlossaryEnKo)
	c.terms.Store(&g)
}

// TranslateFile translates a file beside itself (document.WriteBeside), keeping its structure, with the model in
// use and the glossary; Events.File hears how it goes, its failures included. It is read and parsed off the UI
// goroutine. One file at a time: it fails while another is translated.
func (c *Controller) TranslateFile(in string, mode DirectionMode) error {
	if c.fileCancel != nil {
		return errors.New("a file is being translated: wait for it, or stop it")
	}
	f, err := document.FormatOf(in)
	if err != nil {
		return err
	}
	if !c.HasModel() {
		return ErrNoModel
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.fileCancel = cancel
	c.files.Add(1)
	go func() {
		defer c.files.Done()
		defer cancel()
		s := c.translateFile(ctx, in, f, mode)
		s.Finished = true
		c.do(func() {
			c.fileCancel = nil
			c.notifyFile(s)
		})
	}()
	return nil
}

// translateFile reads, translates and writes a file, telling its progress; it returns how it ended.
func (c *Controller) translateFile(ctx context.Context, in string, f document.Format, mode DirectionMode) FileStatus {
	status := FileStatus{Input: in}
	doc, err := readDocument(in, f)
	if err != nil {
		status.Err = err
		return status
	}
	// The direction is the text's, not its markup's: Units hold the protected spans as placeholders.
	dir := mode.Resolve(strings.Join(doc.Units(), "\n"))
	status.Total, status.Warnings = len(doc.Units()), doc.Warnings
	first := status // a copy: status changes on this goroutine while the UI reads this one
	c.do(func() { c.notifyFile(first) })
	out, rep, err := document.Translate(ctx, modelUse{c.models}, doc, document.Options{Direction: dir, Glossary: c.Glossary(dir),
		OnProgress: func(done, total int) {
			s := status
			s.Done = done
			c.do(func() { c.notifyFile(s) })
		}})
	status.Missing, status.Done = rep.Missing, rep.Units
	if err == nil {
		status.Output, err = document.WriteBeside(in, dir, out)
	}
	status.Err = err
	return status
}

// readDocument reads and parses a file that has text to translate.
func readDocument(in string, f document.Format) (*document.Document, error) {
	doc, _, err := document.ReadFile(in, f)
	if err != nil {
		return nil, err
	}
	if len(doc.Units()) == 0 {
		return nil, fmt.Errorf("%s has no text to translate", in)
	}
	return doc, nil
}

// StopFile stops the file being translated; nothing is written.
func (c *Controller) StopFile() {
	if c.fileCancel != nil {
		c.fileCancel()
	}
}

func (c *Controller) notifyFile(s FileStatus) {
	if c.events.File != nil && !c.closed {
		c.events.File(s)
	}
}

// ReadImage reads the text in an image with OCR, off the UI goroutine, and hands it to done on it.
func (c *Controller) ReadImage(img image.Image, done func(ocr.Text, error)) {
	c.files.Add(1)
	go func() {
		defer c.files.Done()
		t, err := ocr.Recognize(img)
		c.do(func() { done(t, err) })
	}()
}
