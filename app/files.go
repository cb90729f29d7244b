package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
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

// TranslateFile translates a file beside itself (document.OutputPath), keeping its structure, with the model in
// use and the glossary; Events.File hears how it goes. One file at a time: it fails while another is translated.
func (c *Controller) TranslateFile(in string, mode DirectionMode) error {
	if c.fileCancel != nil {
		return errors.New("a file is being translated: wait for it, or stop it")
	}
	f, err := document.FormatOf(in)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	doc, err := document.Parse(f, data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if len(doc.Units()) == 0 {
		return fmt.Errorf("%s has no text to translate", in)
	}
	if !c.HasModel() {
		return ErrNoModel
	}
	dir := mode.Resolve(strings.Join(doc.Sources(), "\n"))
	ctx, cancel := context.WithCancel(context.Background())
	c.fileCancel = cancel
	status := FileStatus{Input: in, Total: len(doc.Units()), Warnings: doc.Warnings}
	c.notifyFile(status)
	c.files.Add(1)
	go func() {
		defer c.files.Done()
		defer cancel()
		out, rep, err := document.Translate(ctx, modelUse{c.models}, doc, document.Options{Direction: dir, Glossary: c.Glossary(dir),
			OnProgress: func(done, total int) {
				s := status
				s.Done = done
				c.do(func() { c.notifyFile(s) })
			}})
		s := status
		s.Finished, s.Missing, s.Done = true, rep.Missing, rep.Units
		if err == nil {
			s.Output = document.OutputPath(in, dir)
			err = document.WriteFile(s.Output, in, out)
		}
		s.Err = err
		c.do(func() {
			c.fileCancel = nil
			c.notifyFile(s)
		})
	}()
	return nil
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
