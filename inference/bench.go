package inference

import "context"

// Workload is what a benchmark generates instead of a translation: random-weight models never end their output on
// their own, so a benchmark fixes its length and ignores every stop.
type Workload struct {
	// Tokens > 0 generates exactly that many tokens per prompt.
	Tokens int
	// TranslationLength generates 1.3 tokens per source token, about what a translation takes.
	TranslationLength bool
}

// Bench translates req as w says, streaming like Translate.
func (e *Engine) Bench(ctx context.Context, req Request, w Workload, onPiece func(piece, soFar string)) (Result, error) {
	return e.run(ctx, job{Request: req, Workload: w}, onPiece)
}
