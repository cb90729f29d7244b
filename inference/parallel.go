package inference

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// Documents are translated sentence by sentence, the sentences decoded together as parallel sequences of one
// llama.cpp context: a batch of one token from each of 16 sequences costs about as much GPU time as one token of
// one sequence, since decoding is bound by reading the weights.
const (
	// ParallelMinSentences is the number of sentences from which an input is decoded in parallel.
	ParallelMinSentences = 4
	// seqCells is the KV cache each parallel sequence gets: a sentence prompt and its translation.
	seqCells = 768
	// sentenceBudget is the most source tokens in one parallel sequence; a longer sentence is split.
	sentenceBudget = 160
	// maxParallel caps the sequences decoded together; beyond it the batch is compute-bound anyway.
	maxParallel = 64
	// cpuParallel caps them on the CPU, where a bigger batch gains less.
	cpuParallel = 8
	// prefixCells is room in the KV cache for the heading all prompts share.
	prefixCells = 32
)

func (e *Engine) fitsSentence(text string) bool {
	if len(text) <= sentenceBudget {
		return true
	}
	toks, err := e.model.Tokenize(text, false)
	return err == nil && len(toks) <= sentenceBudget
}

// parallel is the context for parallel sequences and what its KV cache keeps from one document to the next.
type parallel struct {
	ctx *llama.Context
	n   int // sequences for sentences; sequence n holds the heading
	// heading is the prompts' shared heading, computed once into sequence n; shares tells which sentence
	// sequences share its cells (a unified KV cache shares rather than copies them). Both last across documents.
	heading []llama.Token
	shares  []bool
	// alternateAbove: while more sequences than this decode, every other batch gets one throwaway token; once no
	// more sentences wait and this many or fewer decode, finished ones stay in the batch (seqState.pad).
	// Why: ggml-cuda captures a CUDA graph after two batches of the same shape and replays it while the shape
	// holds, but with many sequences the shape changes every few steps (a sentence ends, the KV cache grows past
	// a multiple of 256 cells), so most captures cost more than they save; the last few sentences, on the other
	// hand, are cheap to keep in one shape and slow without a graph. llama.cpp's only switch,
	// GGML_CUDA_DISABLE_GRAPHS, is process-wide and would slow single sentences. On an H200 the bench's English
	// document took 0.28-0.29 s before, 0.26 s with the throwaway token and 0.24-0.25 s with both. Padding with
	// every finished sentence from the start instead, so that graphs replay throughout, was slower (0.32-0.34 s
	// against 0.28 s): every step then costs what the widest one does. There are no graphs on the CPU, so it is 0
	// there.
	alternateAbove int
	// firstAlone starts a document's first sentence a step before the others, so that its first words do not wait
	// for all the prompts of the first wave. That takes seconds on the CPU: on a 2-core machine the bench's English
	// document showed its first piece after 0.5-0.65 s instead of 4.5-5.2 s, and took 68-73 s instead of 66-69 s
	// (two runs each, about as far apart as runs of one kind). On a GPU the prompts take tens of milliseconds.
	firstAlone bool
}

// alternateGPU is parallel.alternateAbove on a GPU: a few sequences keep one shape long enough for a replayed
// graph to pay.
const alternateGPU = 8

// parallelContext creates, on first use, the context for parallel sequences, sized to the memory free on the
// device that holds the model: half of it at most, and never more sequences than maxParallel.
func (e *Engine) parallelContext() (*parallel, error) {
	if e.par != nil {
		return e.par, nil
	}
	budget, limit, onGPU := uint64(2<<30), cpuParallel, false
	for _, d := range llama.Devices() {
		if d.IsGPU() && d.Name == e.info.DeviceName {
			budget, limit, onGPU = d.FreeMemory/2, maxParallel, true
		}
	}
	n := e.opts.Parallel
	if n <= 0 {
		n = max(1, min(limit, int(budget/max(uint64(seqCells)*e.model.KVBytesPerToken(), 1))))
	}
	// One more sequence holds the prompts' shared heading. The prompts that start together are computed in one
	// run of the graph (n_ubatch = n_batch), which made the English test document 1% faster on an H100.
	batch := min(2048, n*seqCells)
	c, err := llama.NewContext(e.model, llama.ContextParams{
		Size: n*seqCells + prefixCells, Batch: batch, Ubatch: batch, Sequences: n + 1, Threads: e.info.Threads, GreedyOnBackend: true,
		Unified: true, // 3-4× faster documents than a KV cache split per sequence (measured on an H200)
	})
	if err != nil {
		return nil, err
	}
	e.par = &parallel{ctx: c, n: n, shares: make([]bool, n)}
	if onGPU {
		e.par.alternateAbove = alternateGPU
	} else {
		e.par.firstAlone = true
	}
	return e.par, nil
}

// useHeading makes heading the one computed in the holder sequence, computing it when the context holds another
// (the other direction's) or none.
func (p *parallel) useHeading(heading []llama.Token) error {
	if slices.Equal(p.heading, heading) && p.heading != nil {
		return nil
	}
	l := p.ctx
	l.ClearMemory()
	p.heading = nil
	clear(p.shares)
	if len(heading) == 0 {
		return nil
	}
	l.BatchClear()
	for j, t := range heading {
		l.BatchAdd(t, j, p.n, false)
	}
	if err := l.Decode(); err != nil {
		return err
	}
	p.heading = heading
	return nil
}

// shared is how many tokens at the start of prompt the heading computes: all of the heading's, or none.
func (p *parallel) shared(prompt []llama.Token) int {
	if h := len(p.heading); h > 0 && len(prompt) > h && slices.Equal(prompt[:h], p.heading) {
		return h
	}
	return 0
}

// begin readies sequence seq for a prompt: sharing the heading's cells or not, and holding nothing else.
func (p *parallel) begin(seq int, share bool) {
	switch {
	case share && !p.shares[seq]:
		p.ctx.CopySequence(p.n, seq, -1, -1)
	case !share && p.shares[seq]:
		p.ctx.RemoveSequence(seq, -1, -1)
	}
	p.shares[seq] = share
}

// end drops what sequence seq computed after the heading, keeping the shared heading for its next sentence.
func (p *parallel) end(seq int) {
	from := 0
	if p.shares[seq] {
		from = len(p.heading)
	}
	p.ctx.RemoveSequence(seq, from, -1)
}

// seqState is a sentence being decoded in one of the parallel sequences.
type seqState struct {
	unit int
	seq  int
	pos  int
	tok  llama.Token
	row  int
	st   *stream
	// pad marks a finished sentence whose sequence stays in the batch, its tokens thrown away, to keep the
	// batch's shape for the last few (see parallel.alternateAbove).
	pad bool
}

// translateParallel decodes the units as parallel sequences, starting a new one whenever a sequence finishes,
// and streams the translations in document order: the earliest unfinished sentence live, the later ones as soon
// as every sentence before them is done.
func (e *Engine) translateParallel(ctx context.Context, units []Segment, req Request, res *Result, emit func(string), start time.Time) error {
	p, err := e.parallelContext()
	if err != nil {
		return err
	}
	l, n := p.ctx, p.n
	heading, err := e.model.Tokenize(req.Direction.heading(), true)
	if err != nil {
		return err
	}
	if len(heading) > prefixCells {
		heading = nil
	}
	if err := p.useHeading(heading); err != nil {
		return err
	}
	res.Chunks = len(units)
	out := make([]strings.Builder, len(units))
	finished := make([]bool, len(units))
	free := make([]int, n)
	for i := range free {
		free[i] = n - 1 - i
	}
	prompts := make([][]llama.Token, len(units)) // tokenized once, when a unit is next to start
	var active []*seqState
	throwaway := false // whether the batch holds the holder's throwaway token (see alternateAbove)
	defer func() {
		for _, s := range active {
			p.end(s.seq)
		}
		if throwaway {
			l.RemoveSequence(n, len(p.heading), -1)
		}
	}()
	next, head, shown, done, step := 0, 0, 0, 0, 0
	var firstToken time.Time
	for head < len(units) {
		if err := ctx.Err(); err != nil {
			res.Stop = StopCancelled
			return err
		}
		l.BatchClear()
		for _, s := range active {
			s.row = l.BatchAdd(s.tok, s.pos, s.seq, true)
			s.pos++
		}
		for next < len(units) && len(free) > 0 && !(p.firstAlone && next == 1 && step == 0) {
			if prompts[next] == nil {
				if prompts[next], err = e.model.Tokenize(req.Direction.Prompt(units[next].Text), true); err != nil {
					return err
				}
			}
			toks := prompts[next]
			// The sequence computes its prompt from token from on; -1 leaves room for the throwaway token.
			from := p.shared(toks)
			if l.BatchLen()+len(toks)-from > l.BatchCap()-1 {
				break // starts in a later round
			}
			seq := free[len(free)-1]
			free = free[:len(free)-1]
			p.begin(seq, from > 0)
			s := &seqState{unit: next, seq: seq, pos: len(toks), st: newStream(req.limit(len(toks), seqCells), req.ForceTokens > 0 || req.BenchLength)}
			for j := from; j < len(toks); j++ {
				s.row = l.BatchAdd(toks[j], j, seq, j == len(toks)-1)
			}
			res.PromptTokens += len(toks)
			active = append(active, s)
			next++
		}
		throwaway = p.alternateAbove > 0 && len(active) > p.alternateAbove && step%2 == 1
		if throwaway {
			l.BatchAdd(0, len(p.heading), n, false)
		}
		if err := l.Decode(); err != nil {
			return err
		}
		step++
		if throwaway {
			l.RemoveSequence(n, len(p.heading), -1)
			throwaway = false
		}
		// The last few sentences keep one batch shape, so that a GPU replays the graph it captures for them. Once
		// true, tail stays true: no sentence waits, and the batch only shrinks.
		tail := p.alternateAbove > 0 && next == len(units) && len(active) <= p.alternateAbove
		kept := active[:0]
		for _, s := range active {
			if !s.pad {
				s.tok = l.Next(s.row) // waits for the batch
				res.GeneratedTokens++
				text, end := s.st.step(e.model, s.tok)
				out[s.unit].WriteString(text)
				if !end {
					kept = append(kept, s)
					continue
				}
				finished[s.unit] = true
				res.Stop = s.st.stop
				done++
				if req.OnProgress != nil {
					req.OnProgress(done, len(units))
				}
			}
			// A finished sentence pads the batch while its sequence has room, else its sequence is free again.
			if tail && s.pos < seqCells-1 {
				s.pad = true
				kept = append(kept, s)
			} else {
				p.end(s.seq)
				free = append(free, s.seq)
			}
		}
		active = kept
		if firstToken.IsZero() {
			firstToken = time.Now()
			res.TimeToFirstToken = firstToken.Sub(start)
			res.PromptDuration = firstToken.Sub(start)
		}
		for head < len(units) {
			if t := out[head].String(); len(t) > shown {
				emit(t[shown:])
				shown = len(t)
			}
			if !finished[head] {
				break
			}
			if head < len(units)-1 {
				emit(units[head].Sep)
			}
			head++
			shown = 0
		}
	}
	res.DecodeDuration = time.Since(firstToken)
	res.decodeSteps = res.GeneratedTokens
	return nil
}
