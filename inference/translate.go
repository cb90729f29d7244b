package inference

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Request is one translation.
type Request struct {
	Text      string
	Direction Direction
	// MaxTokens caps the tokens generated per prompt; 0 derives the limit from the input's length.
	MaxTokens int
	// Sequential translates a document sentence after sentence in one sequence instead of decoding its sentences
	// as parallel sequences (for comparison).
	Sequential bool
	// OnProgress, when set, is told how many of the prompts the input was split into are finished.
	OnProgress func(done, total int)
}

// StopReason says why generation ended.
type StopReason string

// Reasons a translation ends.
const (
	StopMarker     StopReason = "marker"     // the model closed its answer with </끝>
	StopEOG        StopReason = "eog"        // an end-of-generation token
	StopLimit      StopReason = "limit"      // the length limit
	StopRepetition StopReason = "repetition" // the model started repeating itself
	StopCancelled  StopReason = "cancelled"
)

// Result is a finished (or cancelled) translation and its statistics.
type Result struct {
	Text             string
	Direction        Direction
	Chunks           int // prompts the input was split into
	PromptTokens     int
	GeneratedTokens  int
	TimeToFirstToken time.Duration // from the request to the first generated token
	PromptDuration   time.Duration
	DecodeDuration   time.Duration // from the first generated token to the last, summed over prompts
	Duration         time.Duration
	Device           string
	Stop             StopReason // of the last prompt
	decodeSteps      int
}

// PromptTokensPerSecond is the prompt processing speed.
func (r Result) PromptTokensPerSecond() float64 {
	return rate(r.PromptTokens, r.PromptDuration)
}

// DecodeTokensPerSecond is the generation speed after the first token.
func (r Result) DecodeTokensPerSecond() float64 { return rate(r.decodeSteps, r.DecodeDuration) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// promptReserve is the tokens around the text in a prompt.
const promptReserve = 16

// fits reports whether a source text fits one prompt with room for its translation: a third of the context.
func (e *Engine) fits(text string) bool {
	return e.fitsBudget(text, (e.info.ContextSize-2*promptReserve)/3)
}

// fitsBudget reports whether text is budget tokens or fewer.
func (e *Engine) fitsBudget(text string, budget int) bool {
	switch {
	case len(text) <= budget: // a token is at least one byte
		return true
	case len(text) > 32*budget:
		return false
	}
	toks, err := e.model.Tokenize(text, false)
	return err == nil && len(toks) <= budget
}

// Translate translates req.Text, calling onPiece (when not nil) with each new piece of the translation as it is
// generated and the translation so far. The pieces, concatenated, are Result.Text. A long text is split into
// paragraphs, and paragraphs that do not fit a prompt into sentences; their translations come in order with the
// line breaks kept. When ctx ends, Translate stops within one token and returns the partial result with ctx's error.
func (e *Engine) Translate(ctx context.Context, req Request, onPiece func(piece, soFar string)) (Result, error) {
	return e.run(ctx, job{Request: req}, onPiece)
}

// job is a request and how it is generated: as a translation, or as a benchmark's fixed workload.
type job struct {
	Request
	Workload
}

// forced reports whether every stop but the length limit is ignored.
func (j job) forced() bool { return j.Tokens > 0 || j.TranslationLength }

func (e *Engine) run(ctx context.Context, req job, onPiece func(piece, soFar string)) (Result, error) {
	start := time.Now()
	res := Result{Direction: req.Direction}
	// A run of shared requests in progress stops taking new ones while this call waits (sharedRun.yielding).
	e.turnWaiters.Add(1)
	select {
	case e.turn <- struct{}{}:
		e.turnWaiters.Add(-1)
	case <-ctx.Done():
		e.turnWaiters.Add(-1)
		res.Stop = StopCancelled
		return res, ctx.Err()
	}
	defer func() { <-e.turn }()
	if e.model == nil {
		return res, ErrClosed
	}
	res.Device = e.info.Device
	if Blank(req.Text) {
		res.Stop = StopMarker
		return res, nil
	}
	var text strings.Builder
	emit := func(s string) {
		if s == "" {
			return
		}
		text.WriteString(s)
		if onPiece != nil {
			onPiece(s, text.String())
		}
	}
	var err error
	if units := SentenceUnits(req.Text, e.fitsSentence); len(units) >= ParallelMinSentences {
		if _, perr := e.parallelLanes(); perr != nil {
			req.Sequential = true // no memory for parallel sequences: one after the other still works
		}
		if req.Sequential {
			err = e.translateInTurn(ctx, units, req, &res, emit, start)
		} else {
			err = e.translateParallel(ctx, units, req, &res, emit, start)
		}
	} else {
		err = e.translateInTurn(ctx, Chunks(req.Text, e.fits), req, &res, emit, start)
	}
	res.Text = text.String()
	res.Duration = time.Since(start)
	return res, err
}

// limit is how many tokens a prompt of n tokens may generate in a context of nctx cells.
func (j job) limit(n, nctx int) int {
	limit := j.MaxTokens
	if limit <= 0 {
		limit = 3*(n-promptReserve) + 48
	}
	switch {
	case j.Tokens > 0:
		limit = j.Tokens
	case j.TranslationLength:
		limit = (n-promptReserve)*13/10 + 4
	}
	return max(1, min(limit, nctx-n))
}

// translateInTurn translates segments one after the other in the engine's single sequence.
func (e *Engine) translateInTurn(ctx context.Context, segs []Segment, req job, res *Result, emit func(string), start time.Time) error {
	for i, s := range segs {
		res.Chunks++
		if err := e.generate(ctx, s.Text, req, res, emit, start); err != nil {
			return err
		}
		if i < len(segs)-1 {
			emit(s.Sep)
		}
		if req.OnProgress != nil {
			req.OnProgress(i+1, len(segs))
		}
	}
	return nil
}

func (e *Engine) generate(ctx context.Context, text string, req job, res *Result, emit func(string), start time.Time) error {
	toks, err := e.model.Tokenize(req.Direction.Prompt(text), true)
	if err != nil {
		return err
	}
	nctx := e.info.ContextSize
	if len(toks) >= nctx {
		return fmt.Errorf("the prompt (%d tokens) does not fit the context (%d)", len(toks), nctx)
	}
	limit := req.limit(len(toks), nctx)

	l := e.lctx
	l.ClearMemory()
	t0 := time.Now()
	var row int
	for i := 0; i < len(toks); i += l.BatchCap() {
		if err := ctx.Err(); err != nil {
			res.Stop = StopCancelled
			return err
		}
		l.BatchClear()
		end := min(i+l.BatchCap(), len(toks))
		for j := i; j < end; j++ {
			row = l.BatchAdd(toks[j], j, 0, j == len(toks)-1)
		}
		if err := l.Decode(); err != nil {
			return err
		}
	}
	tok := l.Next(row)
	first := time.Now()
	res.PromptTokens += len(toks)
	res.PromptDuration += first.Sub(t0)
	if res.GeneratedTokens == 0 {
		res.TimeToFirstToken = first.Sub(start)
	}
	st := newStream(limit, req.forced())
	pos := len(toks)
	last := first
	defer func() {
		res.DecodeDuration += last.Sub(first)
	}()
	for {
		res.GeneratedTokens++
		out, done := st.step(e.model, tok)
		emit(out)
		if done {
			res.Stop = st.stop
			return nil
		}
		if err := ctx.Err(); err != nil {
			res.Stop = StopCancelled
			return err
		}
		l.BatchClear()
		l.BatchAdd(tok, pos, 0, true)
		pos++
		if err := l.Decode(); err != nil {
			return err
		}
		tok = l.Next(0)
		last = time.Now()
		res.decodeSteps++
	}
}
