package document

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Translator translates concurrent requests together; *inference.Engine and *inference.Remote are ones.
type Translator interface {
	TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error)
}

// inFlight is how many units are asked for at once: enough to keep every parallel sequence of the lanes busy (64 at
// most, inference.maxParallel) with the next ones already split into sentences.
const inFlight = 96

// Options are a document translation's settings.
type Options struct {
	Direction inference.Direction
	// Glossary steers the units to its terms and is checked on each translation.
	Glossary glossary.List
	// OnProgress, when set, is told how many units are done, from any goroutine, one call at a time.
	OnProgress func(done, total int)
}

// Report is what a translation found besides the text.
type Report struct {
	Units int
	// PromptTokens and GeneratedTokens are summed over the units.
	PromptTokens, GeneratedTokens int
	// Missing are glossary terms of the source whose target term is not in the translation.
	Missing glossary.List
}

// Translate translates the document's units and renders it. When ctx ends or a unit fails, it returns the error
// and no text: a half-translated file is never written.
func Translate(ctx context.Context, t Translator, d *Document, o Options) ([]byte, Report, error) {
	units, sources := d.Units(), d.Sources()
	rep := Report{Units: len(units)}
	out := make([]string, len(units))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	done := 0
	var reported time.Time
	slots := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	for i, u := range units {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			res, err := t.TranslateShared(ctx, inference.Request{Text: o.Glossary.Steer(u), Direction: o.Direction}, nil)
			if err != nil {
				cancel(fmt.Errorf("translating %q: %w", cut(sources[i], 60), err))
				return
			}
			mu.Lock()
			defer mu.Unlock()
			out[i] = res.Text
			rep.PromptTokens += res.PromptTokens
			rep.GeneratedTokens += res.GeneratedTokens
			// The unit as the model saw it: a term inside code or a link target was never asked for.
			rep.Missing = rep.Missing.Union(o.Glossary.Missing(u, res.Text))
			done++
			// At most 20 reports a second, and the last: a file of many short units would flood the UI with them.
			if o.OnProgress != nil && (done == len(units) || time.Since(reported) >= 50*time.Millisecond) {
				reported = time.Now()
				o.OnProgress(done, len(units))
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, rep, err
	}
	b, err := d.Render(out)
	return b, rep, err
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// WriteBeside writes a file's translation beside it, named for the target language (talk.srt → talk.ko.srt;
// talk.en.srt → talk.ko.srt), never over a file that exists (talk.ko (2).srt), and returns its path.
func WriteBeside(in string, d inference.Direction, data []byte) (string, error) {
	tmp, err := writeTemp(in, data)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	dir, base := filepath.Split(in)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for _, lang := range []string{".en", ".ko", ".EN", ".KO"} {
		stem = strings.TrimSuffix(stem, lang)
	}
	name := stem + "." + d.Target()
	for n := 1; n < 1000; n++ {
		p := filepath.Join(dir, name+ext)
		if n > 1 {
			p = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", name, n, ext))
		}
		// A hard link is made only where no file is: a file that appears meanwhile is never replaced.
		err := os.Link(tmp, p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: 999 translations beside it already", in)
}

// WriteFile writes data to path through a temporary file in the same folder, so that a failure leaves no half
// file and a reader never sees one. It refuses to replace the input file.
func WriteFile(path, input string, data []byte) error {
	if same(path, input) {
		return fmt.Errorf("%s is the file being translated: write the translation to another file", path)
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes data to a new hidden file in near's folder.
func writeTemp(near string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(near), "."+filepath.Base(near)+".*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// same reports whether two paths name one file.
func same(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		abs1, _ := filepath.Abs(a)
		abs2, _ := filepath.Abs(b)
		return abs1 == abs2
	}
	return os.SameFile(ia, ib)
}
