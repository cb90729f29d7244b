// Package apptest holds the test doubles that the app and ui tests share: a scripted engine in place of llama.cpp
// (which inference tests for real) and a fake desktop in place of the X server (which app/x11 and
// scripts/gui-test.sh test for real).
package apptest

import (
	"context"
	"fmt"
	"image"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Engine translates by streaming Pieces pieces "[<text>:<i>]", Delay apart, like an engine. It is an app.Engine.
type Engine struct {
	Pieces int
	Delay  time.Duration
	// Progress, when set, reports each piece as a sentence done to Request.OnProgress, as a document's do.
	Progress bool
	// Fail, when set, fails every translation (FailOnce only the next one).
	Fail error
	// Name is the model's name in Info ("scripted" when empty); Fallback and GPUNotes are reported there too, as
	// an engine that fell back to the CPU does.
	Name     string
	Fallback string
	GPUNotes []string
	// GPULayers is how many of the model's layers Info says are on the GPU.
	GPULayers int

	mu       sync.Mutex
	failNext error
	requests []inference.Request
	closed   bool
}

// FailOnce fails the next translation with err.
func (e *Engine) FailOnce(err error) {
	e.mu.Lock()
	e.failNext = err
	e.mu.Unlock()
}

// TranslateShared is Translate: the double has no turns to share.
func (e *Engine) TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	return e.Translate(ctx, req, onPiece)
}

// Translate streams the scripted pieces; it stops with the partial text when ctx ends.
func (e *Engine) Translate(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error) {
	e.mu.Lock()
	e.requests = append(e.requests, req)
	fail := e.Fail
	if e.failNext != nil {
		fail, e.failNext = e.failNext, nil
	}
	n, delay, progress := e.Pieces, e.Delay, e.Progress
	e.mu.Unlock()
	if fail != nil {
		return inference.Result{}, fail
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			return inference.Result{Text: sb.String(), Stop: inference.StopCancelled}, ctx.Err()
		case <-time.After(delay):
		}
		p := fmt.Sprintf("[%s:%d]", req.Text, i)
		sb.WriteString(p)
		if progress && req.OnProgress != nil {
			req.OnProgress(i+1, n)
		}
		if onPiece != nil {
			onPiece(p, sb.String())
		}
	}
	return inference.Result{Text: sb.String(), GeneratedTokens: n, Duration: time.Duration(n) * delay, Stop: inference.StopMarker}, nil
}

// Want is the whole translation of text.
func (e *Engine) Want(text string) string {
	var sb strings.Builder
	for i := 0; i < e.Pieces; i++ {
		fmt.Fprintf(&sb, "[%s:%d]", text, i)
	}
	return sb.String()
}

// Requests are the requests made so far.
func (e *Engine) Requests() []inference.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]inference.Request(nil), e.requests...)
}

// RequestTexts are the requests' texts.
func (e *Engine) RequestTexts() []string {
	var out []string
	for _, r := range e.Requests() {
		out = append(out, r.Text)
	}
	return out
}

// Info describes the engine, on "Test GPU".
func (e *Engine) Info() inference.ModelInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	name := e.Name
	if name == "" {
		name = "scripted"
	}
	return inference.ModelInfo{Name: name, Device: "Test GPU", Fallback: e.Fallback, GPUNotes: e.GPUNotes, GPULayers: e.GPULayers}
}

// Close marks the engine closed.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
}

// Closed reports whether Close was called.
func (e *Engine) Closed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Desktop stands for the X server: the test sets the selections, takes combinations as another program would, and
// presses the keys and copies. It is an desktop.Input.
type Desktop struct {
	mu        sync.Mutex
	sel       map[string]string
	taken     map[string]bool
	held      map[string]func()
	onChange  func(time.Time)
	grabCalls int
	screen    *image.RGBA
	image     []byte // a copied image file
}

// NewDesktop makes a desktop with empty selections.
func NewDesktop() *Desktop {
	return &Desktop{sel: map[string]string{}, taken: map[string]bool{}, held: map[string]func(){}}
}

// Grab holds h unless another program took it.
func (d *Desktop) Grab(h desktop.Hotkey, fire func()) (func(), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.grabCalls++
	if d.taken[h.String()] {
		return nil, desktop.ErrTaken
	}
	d.held[h.String()] = fire
	return func() { d.mu.Lock(); delete(d.held, h.String()); d.mu.Unlock() }, nil
}

// ReadSelection reads a selection the test set.
func (d *Desktop) ReadSelection(which string, max int) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.sel[which]) > max {
		return "", desktop.ErrTooLarge
	}
	return d.sel[which], nil
}

// WatchClipboard remembers whom to tell of copies.
func (d *Desktop) WatchClipboard(changed func(time.Time)) error {
	d.mu.Lock()
	d.onChange = changed
	d.mu.Unlock()
	return nil
}

// Watching reports whether the clipboard is watched.
func (d *Desktop) Watching() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.onChange != nil
}

// SetSelection sets a selection's text (desktop.Clipboard or desktop.Primary).
func (d *Desktop) SetSelection(which, text string) {
	d.mu.Lock()
	d.sel[which] = text
	d.mu.Unlock()
}

// Take makes a combination taken by another program (or free again).
func (d *Desktop) Take(combo string, taken bool) {
	d.mu.Lock()
	d.taken[combo] = taken
	d.mu.Unlock()
}

// Press presses combo and reports whether anyone held it.
func (d *Desktop) Press(combo string) bool {
	d.mu.Lock()
	fire := d.held[combo]
	d.mu.Unlock()
	if fire != nil {
		fire()
	}
	return fire != nil
}

// Held reports whether combo is held.
func (d *Desktop) Held(combo string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held[combo] != nil
}

// Copy puts text on the clipboard at the given time, as a copy in another program does.
func (d *Desktop) Copy(text string, at time.Time) {
	d.mu.Lock()
	d.sel[desktop.Clipboard] = text
	changed := d.onChange
	d.mu.Unlock()
	if changed != nil {
		changed(at)
	}
}

// GrabCalls counts the grabs asked for.
func (d *Desktop) GrabCalls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.grabCalls
}
