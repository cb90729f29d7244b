package inference

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// Documents are translated sentence by sentence, the sentences decoded together as parallel sequences of a llama.cpp
// context (a lane; two on a GPU): a batch of one token from each of 16 sequences costs about as much GPU time as one
// token of one sequence, since decoding is bound by reading the weights.
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
	// gpuLanes is how many contexts share a document's sentences on a GPU, each driven by its own goroutine: while
	// one builds and launches its step on the host, the GPU runs the other's (docs/design.md, "Documents: lanes").
	gpuLanes = 2
	// laneThreadsGPU are CPU threads for a lane's context on a GPU, where the CPU only looks up the input
	// embeddings; more gave no gain (docs/performance.md).
	laneThreadsGPU = 2
)

func (e *Engine) fitsSentence(text string) bool {
	if len(text) <= sentenceBudget {
		return true
	}
	toks, err := e.model.Tokenize(text, false)
	return err == nil && len(toks) <= sentenceBudget
}

// lane is a llama.cpp context that decodes sentences as parallel sequences, and what its KV cache keeps from one
// document to the next.
type lane struct {
	ctx *llama.Context
	n   int // sequences for sentences; sequence n holds the heading
	// heading is the prompts' shared heading, computed once into sequence n; shares tells which sentence
	// sequences share its cells (a unified KV cache shares rather than copies them). Both last across documents.
	heading []llama.Token
	shares  []bool
	// alternateAbove: while more sequences than this decode, every other batch gets one throwaway token; once no
	// more sentences wait and this many or fewer decode, finished ones stay in the batch (seqState.pad). Why: a CUDA
	// graph pays only while a batch keeps its shape, which the last few sentences can and a wide batch cannot
	// (docs/design.md, "Documents: lanes"). There are no graphs on the CPU, so it is 0 there.
	alternateAbove int
	// firstAlone starts a document's first sentence a step before the others, so that its first words do not wait
	// for all the prompts of the first wave, which take seconds on the CPU (docs/performance.md, "CPU").
	firstAlone bool
}

// alternateGPU is lane.alternateAbove on a GPU: a few sequences keep one shape long enough for a replayed graph
// to pay.
const alternateGPU = 8

// parallelLanes creates, on first use, the contexts for parallel sequences, sized to the memory free on the device
// that holds the model: half of it at most, and never more sequences in all than maxParallel.
func (e *Engine) parallelLanes() ([]*lane, error) {
	if e.lanes != nil {
		return e.lanes, nil
	}
	budget, limit, onGPU := uint64(2<<30), cpuParallel, false
	for _, d := range llama.Devices() {
		if d.IsGPU() && d.Name == e.info.DeviceName {
			budget, limit, onGPU = d.FreeMemory/2, maxParallel, true
		}
	}
	n := e.opts.Parallel
	if n <= 0 {
		n = max(1, min(limit, int(budget/max(uint64(seqCells)*e.kvPerToken, 1))))
	}
	lanes, threads := e.opts.Lanes, e.info.Threads
	if onGPU {
		threads = min(threads, laneThreadsGPU)
	}
	if lanes <= 0 {
		lanes = 1
		if onGPU {
			lanes = gpuLanes
		}
	}
	lanes = min(lanes, n)
	var made []*lane
	for i := range lanes {
		// The sequences are dealt out as evenly as they go.
		k := n / lanes
		if i < n%lanes {
			k++
		}
		// One more sequence holds the prompts' shared heading. The prompts that start together are computed in
		// one run of the graph (n_ubatch = n_batch), which made the English test document 1% faster on an H100.
		batch := min(2048, k*seqCells)
		c, err := llama.NewContext(e.model, llama.ContextParams{
			Size: k*seqCells + prefixCells, Batch: batch, Ubatch: batch, Sequences: k + 1, Threads: threads, GreedyOnBackend: true,
			Unified: true, // 3-4× faster documents than a KV cache split per sequence (measured on an H200)
		})
		if err != nil {
			if len(made) > 0 {
				break // fewer lanes, fewer sequences: still parallel
			}
			return nil, err
		}
		ln := &lane{ctx: c, n: k, shares: make([]bool, k)}
		if onGPU {
			ln.alternateAbove = alternateGPU
		} else {
			ln.firstAlone = i == 0
		}
		made = append(made, ln)
	}
	e.lanes = made
	return e.lanes, nil
}

// useHeading makes heading the one computed in the holder sequence, computing it when the context holds another
// (the other direction's) or none.
func (ln *lane) useHeading(heading []llama.Token) error {
	if slices.Equal(ln.heading, heading) && ln.heading != nil {
		return nil
	}
	c := ln.ctx
	c.ClearMemory()
	ln.heading = nil
	clear(ln.shares)
	if len(heading) == 0 {
		return nil
	}
	c.BatchClear()
	for j, t := range heading {
		c.BatchAdd(t, j, ln.n, false)
	}
	if err := c.Decode(); err != nil {
		return err
	}
	ln.heading = heading
	return nil
}

// shared is how many tokens at the start of prompt the heading computes: all of the heading's, or none.
func (ln *lane) shared(prompt []llama.Token) int {
	if h := len(ln.heading); h > 0 && len(prompt) > h && slices.Equal(prompt[:h], ln.heading) {
		return h
	}
	return 0
}

// begin readies sequence seq for a prompt: sharing the heading's cells or not, and holding nothing else.
func (ln *lane) begin(seq int, share bool) {
	switch {
	case share && !ln.shares[seq]:
		ln.ctx.CopySequence(ln.n, seq, -1, -1)
	case !share && ln.shares[seq]:
		ln.ctx.RemoveSequence(seq, -1, -1)
	}
	ln.shares[seq] = share
}

// end drops what sequence seq computed after the heading, keeping the shared heading for its next sentence.
func (ln *lane) end(seq int) {
	from := 0
	if ln.shares[seq] {
		from = len(ln.heading)
	}
	ln.ctx.RemoveSequence(seq, from, -1)
}

// seqState is a sentence being decoded in one of the parallel sequences.
type seqState struct {
	unit   int
	seq    int
	prompt int // prompt tokens, reported with the first piece
	pos    int
	tok    llama.Token
	row    int
	st     *stream
	// pad marks a finished sentence whose sequence stays in the batch, its tokens thrown away, to keep the
	// batch's shape for the last few (see lane.alternateAbove).
	pad bool
}

// sentenceQueue hands a document's sentences to the lanes: of L lanes, lane i takes sentences i, i+L, i+2L, ... in
// order, as it has room for them. Which sentences share a lane's batches is then the same from run to run, and so
// is a GPU's rounding, which depends on a batch's size: two lanes taking from one queue as they asked made the
// random test model's parallel translation of a document differ between two runs on an H100.
type sentenceQueue struct {
	units []Segment
	req   job
	// share is the most sentences a lane decodes at once: the document dealt out evenly, rather than the first
	// lane to ask taking as many as it has room for.
	share int
	next  []int // each lane's next sentence; a lane only touches its own
}

func newSentenceQueue(units []Segment, req job, lanes int) *sentenceQueue {
	d := &sentenceQueue{units: units, req: req, share: (len(units) + lanes - 1) / lanes, next: make([]int, lanes)}
	for i := range d.next {
		d.next[i] = i
	}
	return d
}

func (d *sentenceQueue) take(i int) (int, string, job, bool) {
	u := d.next[i]
	if u >= len(d.units) {
		return 0, "", job{}, false
	}
	d.next[i] += len(d.next)
	return u, d.units[u].Text, d.req, true
}

func (d *sentenceQueue) waiting(i int) bool {
	return d.next[i] < len(d.units)
}

func (d *sentenceQueue) room(_, active int) bool { return active < d.share }

func (d *sentenceQueue) alive(int) bool { return true }

func (d *sentenceQueue) idle(int) bool { return false }

// sentenceSource is what a lane decodes: a document's sentences (sentenceQueue), or the sentences of the requests
// that several callers make at once (sharedRun).
type sentenceSource interface {
	// take gives lane i's next sentence to start (its unit number, text and job), or false when none waits.
	take(i int) (unit int, text string, j job, ok bool)
	// waiting reports whether sentences wait for lane i.
	waiting(i int) bool
	// room reports whether lane i, decoding active sentences, may start another.
	room(i, active int) bool
	// alive reports whether a unit's translation is still wanted.
	alive(unit int) bool
	// idle is called when lane i has nothing to decode; it returns once there is work (true) or the lane is to stop.
	idle(i int) bool
}

// piece is new text of a sentence, from one decode step of a lane.
type piece struct {
	unit   int
	text   string
	end    bool
	stop   StopReason
	prompt int // the sentence's prompt tokens, on its first piece
}

// laneStep is what a lane reports after each decode step; a last one ends its reports, with the error that stopped
// it, if any.
type laneStep struct {
	pieces []piece // one per token generated
	last   bool
	err    error
}

// ordered puts the pieces of a text's sentences, which come from the lanes in any order, back in the text's order:
// the earliest unfinished sentence is emitted as it is generated, a later one as soon as every one before it is done.
type ordered struct {
	units    []Segment
	out      []strings.Builder
	finished []bool
	head     int // the earliest unfinished sentence
	shown    int // bytes of it emitted
	done     int
	emit     func(string)
}

func newOrdered(units []Segment, emit func(string)) *ordered {
	return &ordered{units: units, out: make([]strings.Builder, len(units)), finished: make([]bool, len(units)), emit: emit}
}

// add records a piece of sentence u and reports whether it ended the sentence. Nothing is emitted until flush.
func (o *ordered) add(u int, p piece) bool {
	o.out[u].WriteString(p.text)
	if p.end {
		o.finished[u] = true
		o.done++
	}
	return p.end
}

// flush emits what the order allows, unless cancelled reports true.
func (o *ordered) flush(cancelled func() bool) {
	for o.head < len(o.units) && !cancelled() {
		if t := o.out[o.head].String(); len(t) > o.shown {
			o.emit(t[o.shown:])
			o.shown = len(t)
		}
		if !o.finished[o.head] || cancelled() {
			break
		}
		if o.head < len(o.units)-1 {
			o.emit(o.units[o.head].Sep)
		}
		o.head++
		o.shown = 0
	}
}

// complete reports whether every sentence is done.
func (o *ordered) complete() bool { return o.done == len(o.units) }

// translateParallel decodes the units as parallel sequences shared among the lanes, each lane starting a new one
// whenever one of its sequences finishes, and streams the translations in document order.
func (e *Engine) translateParallel(ctx context.Context, units []Segment, req job, res *Result, emit func(string), start time.Time) error {
	lanes, err := e.parallelLanes()
	if err != nil {
		return err
	}
	heading, err := e.heading(req.Direction)
	if err != nil {
		return err
	}
	res.Chunks = len(units)
	text := newOrdered(units, emit)
	var firstToken time.Time
	firstErr := e.driveLanes(ctx, lanes, heading, newSentenceQueue(units, req, len(lanes)), func(s laneStep) {
		if firstToken.IsZero() {
			firstToken = time.Now()
			res.TimeToFirstToken = firstToken.Sub(start)
			res.PromptDuration = firstToken.Sub(start)
		}
		res.GeneratedTokens += len(s.pieces) // a piece per generated token
		for _, p := range s.pieces {
			res.PromptTokens += p.prompt
			if text.add(p.unit, p) {
				res.Stop = p.stop
				if req.OnProgress != nil {
					req.OnProgress(text.done, len(units))
				}
			}
		}
		text.flush(func() bool { return ctx.Err() != nil })
	}, func() {})
	if !firstToken.IsZero() { // a stopped document's statistics too: what it generated, in the time it took
		res.DecodeDuration = time.Since(firstToken)
		res.decodeSteps = res.GeneratedTokens
	}
	if err := ctx.Err(); err != nil {
		res.Stop = StopCancelled
		return err
	}
	return firstErr
}

// heading is the tokens every prompt of direction d starts with, which a lane computes once; nil when too long.
func (e *Engine) heading(d Direction) ([]llama.Token, error) {
	heading, err := e.model.Tokenize(d.heading(), true)
	if err != nil || len(heading) > prefixCells {
		return nil, err
	}
	return heading, nil
}

// driveLanes runs every lane on src, each in its own goroutine, until all have ended, handing each step to onStep on
// this goroutine. The first lane error stops the other lanes within a step (wake then rouses those waiting in
// src.idle) and is returned.
func (e *Engine) driveLanes(ctx context.Context, lanes []*lane, heading []llama.Token, src sentenceSource, onStep func(laneStep), wake func()) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	steps := make(chan laneStep, 4*len(lanes))
	for i, ln := range lanes {
		go func() {
			err := ln.useHeading(heading)
			if err == nil {
				err = e.runLane(ctx, ln, i, src, steps)
			}
			steps <- laneStep{last: true, err: err}
		}()
	}
	var firstErr error
	for running := len(lanes); running > 0; {
		s := <-steps
		if !s.last {
			onStep(s)
			continue
		}
		running--
		if s.err != nil && firstErr == nil {
			firstErr = s.err
			stop()
			wake()
		}
	}
	return firstErr
}

// runLane decodes the sentences of src for lane ln, src's lane laneIndex, until src has none left for it and lets
// it stop, reporting each step on steps.
func (e *Engine) runLane(ctx context.Context, ln *lane, laneIndex int, src sentenceSource, steps chan<- laneStep) error {
	c, n := ln.ctx, ln.n
	free := make([]int, n)
	for i := range free {
		free[i] = n - 1 - i
	}
	var active []*seqState
	// held is a sentence taken from src that did not fit this step's batch; it starts in the next one.
	held, heldPrompt, heldJob := -1, []llama.Token(nil), job{}
	throwaway := false // whether the batch holds the holder's throwaway token (see alternateAbove)
	defer func() {
		for _, s := range active {
			ln.end(s.seq)
		}
		if throwaway {
			c.RemoveSequence(n, len(ln.heading), -1)
		}
	}()
	for step := 0; ; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var report laneStep
		c.BatchClear()
		kept := active[:0]
		for _, s := range active {
			if !s.pad && !src.alive(s.unit) {
				ln.end(s.seq) // its caller gave up: the sequence is free for another
				free = append(free, s.seq)
				continue
			}
			s.row = c.BatchAdd(s.tok, s.pos, s.seq, true)
			s.pos++
			kept = append(kept, s)
		}
		active = kept
		// A sentence held from the step before starts first: it was already given room.
		for len(free) > 0 && (held >= 0 || src.room(laneIndex, len(active))) && !(ln.firstAlone && step == 0 && len(active) > 0) {
			if held < 0 {
				u, text, j, ok := src.take(laneIndex)
				if !ok {
					break
				}
				toks, err := e.model.Tokenize(j.Direction.Prompt(text), true)
				if err != nil {
					return err
				}
				held, heldPrompt, heldJob = u, toks, j
			}
			toks := heldPrompt
			// The sequence computes its prompt from token from on; -1 leaves room for the throwaway token.
			from := ln.shared(toks)
			if c.BatchLen()+len(toks)-from > c.BatchCap()-1 {
				if len(active) == 0 {
					return errors.New("a sentence's prompt does not fit the parallel batch")
				}
				break // starts in a later round
			}
			seq := free[len(free)-1]
			free = free[:len(free)-1]
			ln.begin(seq, from > 0)
			s := &seqState{unit: held, seq: seq, pos: len(toks), prompt: len(toks),
				st: newStream(heldJob.limit(len(toks), seqCells), heldJob.forced())}
			for j := from; j < len(toks); j++ {
				s.row = c.BatchAdd(toks[j], j, seq, j == len(toks)-1)
			}
			active = append(active, s)
			held = -1
		}
		if len(active) == 0 {
			if !src.idle(laneIndex) {
				return nil
			}
			continue
		}
		settled := held < 0 && !src.waiting(laneIndex)
		throwaway = ln.alternateAbove > 0 && len(active) > ln.alternateAbove && step%2 == 1
		if throwaway {
			c.BatchAdd(0, len(ln.heading), n, false)
		}
		if err := c.Decode(); err != nil {
			return err
		}
		if throwaway {
			c.RemoveSequence(n, len(ln.heading), -1)
			throwaway = false
		}
		// The last few sentences keep one batch shape, so that a GPU replays the graph it captures for them. Once
		// true, tail stays true while no sentence waits: the batch only shrinks.
		tail := ln.alternateAbove > 0 && settled && len(active) <= ln.alternateAbove
		kept = active[:0]
		for _, s := range active {
			if !s.pad {
				s.tok = c.Next(s.row) // waits for the batch
				text, end := s.st.step(e.model, s.tok)
				report.pieces = append(report.pieces, piece{unit: s.unit, text: text, end: end, stop: s.st.stop, prompt: s.prompt})
				s.prompt = 0
				if !end {
					kept = append(kept, s)
					continue
				}
			}
			// A finished sentence pads the batch while its sequence has room, else its sequence is free again.
			if tail && s.pos < seqCells-1 {
				s.pad = true
				kept = append(kept, s)
			} else {
				ln.end(s.seq)
				free = append(free, s.seq)
			}
		}
		active = kept
		steps <- report
		if !slices.ContainsFunc(active, func(s *seqState) bool { return !s.pad }) && settled {
			// Only pads are left: every sentence this lane took is done.
			for _, s := range active {
				ln.end(s.seq)
				free = append(free, s.seq)
			}
			active = active[:0]
			if !src.idle(laneIndex) {
				return nil
			}
		}
	}
}
