// Package app is the application core, without any UI: translation sessions, the loaded model and the settings.
// The ui package drives it and gets its news through callbacks, which it moves onto the UI goroutine.
package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Translator is what a session needs from an engine; *inference.Engine is one.
type Translator interface {
	Translate(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error)
}

// ErrNoModel means a translation was asked for before a model was loaded.
var ErrNoModel = errors.New("no model is loaded")

// DirectionMode is the direction control's setting.
type DirectionMode int

// The direction control's choices.
const (
	ModeKoreanToEnglish DirectionMode = iota
	ModeEnglishToKorean
	ModeAuto
)

// DirectionModes lists the choices in the order the UI shows them.
var DirectionModes = []DirectionMode{ModeKoreanToEnglish, ModeEnglishToKorean, ModeAuto}

// Label is what the direction control shows.
func (m DirectionMode) Label() string {
	switch m {
	case ModeEnglishToKorean:
		return "English → 한국어"
	case ModeAuto:
		return "Auto"
	}
	return "한국어 → English"
}

// ModeOf is the fixed mode that translates in d.
func ModeOf(d inference.Direction) DirectionMode {
	if d == inference.EnglishToKorean {
		return ModeEnglishToKorean
	}
	return ModeKoreanToEnglish
}

// Resolve picks the direction for a text: Auto looks at its share of Hangul.
func (m DirectionMode) Resolve(text string) inference.Direction {
	switch m {
	case ModeKoreanToEnglish:
		return inference.KoreanToEnglish
	case ModeEnglishToKorean:
		return inference.EnglishToKorean
	}
	return inference.DetectDirection(text)
}

// Swapped is the opposite fixed direction; Auto stays Auto.
func (m DirectionMode) Swapped() DirectionMode {
	switch m {
	case ModeKoreanToEnglish:
		return ModeEnglishToKorean
	case ModeEnglishToKorean:
		return ModeKoreanToEnglish
	}
	return ModeAuto
}

// Update reports a request's progress. Updates of a request come in order and end with one whose Done is set;
// a request that a newer one replaced gets no more updates.
type Update struct {
	ID        uint64
	Source    string
	Direction inference.Direction
	Text      string // the translation so far
	Done      bool
	Result    inference.Result // when Done
	Err       error            // when Done: the failure, or context.Canceled when stopped
	// Missing are the glossary terms of the source whose target term is not in the translation (when Done).
	Missing glossary.List
	// Translated of Sentences are done: a document's progress (Sentences is 0 for a text of one prompt).
	Translated, Sentences int
}

// Session turns the user's requests into translations: a newer request cancels the one in flight, an edit is
// translated after a pause in typing, and streamed text is delivered at most every Interval, however fast tokens
// come, so the UI is never flooded.
type Session struct {
	translator func() Translator
	deliver    func(Update)
	// Debounce is the pause after an edit before it is translated.
	Debounce time.Duration
	// Interval is the shortest time between two deliveries of streamed text.
	Interval time.Duration
	// Glossary, when set, gives the term pairs that steer a direction's translations and are checked in them.
	Glossary func(inference.Direction) glossary.List

	mu     sync.Mutex
	latest uint64 // the newest request's ID
	asked  uint64 // requests made with Translate and Schedule
	cancel context.CancelFunc
	timer  *time.Timer
	wg     sync.WaitGroup
}

// NewSession makes a session. translator returns the engine to use, or nil when none is loaded; deliver gets every
// update, from the session's own goroutines.
func NewSession(translator func() Translator, deliver func(Update)) *Session {
	return &Session{translator: translator, deliver: deliver, Debounce: 400 * time.Millisecond, Interval: time.Second / 30}
}

// halt cancels the request in flight and any scheduled one. s.mu must be held.
func (s *Session) halt() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// supersede halts what is in flight or scheduled and returns a new request ID. s.mu must be held.
func (s *Session) supersede() uint64 {
	s.halt()
	s.latest++
	return s.latest
}

// Translate starts translating text now and returns the request's ID.
func (s *Session) Translate(text string, mode DirectionMode) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.supersede()
	s.asked++
	s.start(id, text, mode)
	return id
}

// Schedule translates text once Debounce has passed without another request, and returns the ID it will have.
func (s *Session) Schedule(text string, mode DirectionMode) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.supersede()
	s.asked++
	var t *time.Timer
	t = time.AfterFunc(s.Debounce, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		// A timer that fired while Stop or a newer request held the lock is no longer s.timer: it must not start.
		if s.latest == id && s.timer == t {
			s.timer = nil
			s.start(id, text, mode)
		}
	})
	s.timer = t
	return id
}

// Discard cancels the request in flight and any scheduled one, and drops their updates still to come: for an action
// that replaces the texts shown.
func (s *Session) Discard() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.supersede()
}

// Stop cancels the request in flight and any scheduled one.
func (s *Session) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.halt()
}

// Wait waits for the translations in flight to finish.
func (s *Session) Wait() { s.wg.Wait() }

// start runs a request on its own goroutine. s.mu must be held.
func (s *Session) start(id uint64, text string, mode DirectionMode) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	dir := mode.Resolve(text)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		s.run(ctx, id, text, dir)
	}()
}

// IsCurrent reports whether id is the newest request: a front end that gets updates on another goroutine checks it
// again when it applies one, since a newer request may have started meanwhile.
func (s *Session) IsCurrent(id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return id == s.latest
}

// Asked counts the requests made with Translate and Schedule.
func (s *Session) Asked() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}

// send delivers an update unless a newer request has replaced its own.
func (s *Session) send(u Update) {
	if s.IsCurrent(u.ID) {
		s.deliver(u)
	}
}

func (s *Session) run(ctx context.Context, id uint64, text string, dir inference.Direction) {
	base := Update{ID: id, Source: text, Direction: dir}
	tr := s.translator()
	if tr == nil {
		u := base
		u.Done, u.Err = true, ErrNoModel
		s.send(u)
		return
	}
	if inference.Blank(text) {
		u := base
		u.Done = true
		s.send(u)
		return
	}
	var (
		mu       sync.Mutex
		soFar    string // the translation so far, as the engine accumulates it
		done, of int    // the document's prompts done and in all
		lastSent time.Time
		pending  *time.Timer
		finished bool
	)
	flush := func() { // mu held
		u := base
		u.Text, u.Translated, u.Sentences = soFar, done, of
		lastSent = time.Now()
		s.send(u)
	}
	var terms glossary.List
	if s.Glossary != nil {
		terms = s.Glossary(dir)
	}
	progress := func(d, n int) {
		mu.Lock()
		done, of = d, n
		mu.Unlock()
	}
	res, err := tr.Translate(withSource(ctx, text), inference.Request{Text: terms.Steer(text), Direction: dir, OnProgress: progress}, func(_, text string) {
		mu.Lock()
		defer mu.Unlock()
		soFar = text
		if wait := s.Interval - time.Since(lastSent); wait <= 0 {
			flush()
		} else if pending == nil {
			pending = time.AfterFunc(wait, func() {
				mu.Lock()
				defer mu.Unlock()
				pending = nil
				if !finished {
					flush()
				}
			})
		}
	})
	mu.Lock()
	finished = true
	if pending != nil {
		pending.Stop()
	}
	mu.Unlock()
	u := base
	u.Text, u.Done, u.Result, u.Err = res.Text, true, res, err
	if err == nil {
		u.Missing = terms.Missing(text, res.Text)
	}
	s.send(u)
}
