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

// parallelContext creates, on first use, the context for parallel sequences, sized to the memory free on the
// device that holds the model: half of it at most, and never more sequences than maxParallel.
func (e *Engine) parallelContext() (*llama.Context, int, error) {
	if e.pctx != nil {
		return e.pctx, e.nParallel, nil
	}
	n := e.opts.Parallel
	if n <= 0 {
		perSeq := uint64(seqCells) * e.model.KVBytesPerToken()
		budget, limit := uint64(2<<30), cpuParallel
		for _, d := range llama.Devices() {
			if d.IsGPU() && d.Name == e.info.DeviceName {
				budget, limit = d.FreeMemory/2, maxParallel
			}
		}
		n = max(1, min(limit, int(budget/max(perSeq, 1))))
	}
	// One more sequence holds the prompts' shared heading (see translateParallel). The prompts that start together
	// are computed in one run of the graph: 55 of them took 21 ms on an H100 instead of 48 ms in runs of 512 tokens.
	batch := min(2048, n*seqCells)
	c, err := llama.NewContext(e.model, llama.ContextParams{
		Size: n*seqCells + prefixCells, Batch: batch, Ubatch: batch, Sequences: n + 1, Threads: e.info.Threads, GreedyOnBackend: true,
		Unified: true, // 3-4× faster documents than a KV cache split per sequence (measured on an H200)
	})
	if err != nil {
		return nil, 0, err
	}
	e.pctx, e.nParallel = c, n
	return c, n, nil
}

// seqState is a sentence being decoded in one of the parallel sequences.
type seqState struct {
	unit int
	seq  int
	pos  int
	tok  llama.Token
	row  int
	st   *stream
}

// translateParallel decodes the units as parallel sequences, starting a new one whenever a sequence finishes,
// and streams the translations in document order: the earliest unfinished sentence live, the later ones as soon
// as every sentence before them is done.
func (e *Engine) translateParallel(ctx context.Context, units []Segment, req Request, res *Result, emit func(string), start time.Time) error {
	l, n, err := e.parallelContext()
	if err != nil {
		return err
	}
	l.ClearMemory()
	defer l.ClearMemory()
	// Every prompt starts with the same heading: it is decoded once, into sequence n, and each sentence's sequence
	// shares those cells (a unified KV cache shares rather than copies them) and starts after them.
	holder := n
	prefix, err := e.model.Tokenize(req.Direction.heading(), true)
	if err != nil {
		return err
	}
	if len(prefix) > prefixCells {
		prefix = nil
	}
	if len(prefix) > 0 {
		l.BatchClear()
		for j, t := range prefix {
			l.BatchAdd(t, j, holder, j == len(prefix)-1)
		}
		if err := l.Decode(); err != nil {
			return err
		}
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
	next, head, shown, done := 0, 0, 0, 0
	var firstDecode time.Time
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
		for next < len(units) && len(free) > 0 {
			if prompts[next] == nil {
				if prompts[next], err = e.model.Tokenize(req.Direction.Prompt(units[next].Text), true); err != nil {
					return err
				}
			}
			toks := prompts[next]
			from := 0 // the first token this sequence computes itself
			if len(prefix) > 0 && len(toks) > len(prefix) && slices.Equal(toks[:len(prefix)], prefix) {
				from = len(prefix)
			}
			if l.BatchLen()+len(toks)-from > l.BatchCap() {
				break // starts in a later round
			}
			s := &seqState{unit: next, seq: free[len(free)-1], pos: len(toks), st: newStream(req.limit(len(toks), seqCells), req.ForceTokens > 0 || req.BenchLength)}
			free = free[:len(free)-1]
			if from > 0 {
				l.CopySequence(holder, s.seq, -1, -1)
			}
			for j := from; j < len(toks); j++ {
				s.row = l.BatchAdd(toks[j], j, s.seq, j == len(toks)-1)
			}
			res.PromptTokens += len(toks)
			active = append(active, s)
			next++
		}
		if err := l.Decode(); err != nil {
			return err
		}
		now := time.Now()
		if firstDecode.IsZero() {
			firstDecode = now
			res.TimeToFirstToken = now.Sub(start)
			res.PromptDuration = now.Sub(start)
		}
		kept := active[:0]
		for _, s := range active {
			s.tok = l.Next(s.row)
			res.GeneratedTokens++
			text, end := s.st.step(e.model, s.tok)
			out[s.unit].WriteString(text)
			if !end {
				kept = append(kept, s)
				continue
			}
			finished[s.unit] = true
			res.Stop = s.st.stop
			l.RemoveSequence(s.seq, -1, -1)
			free = append(free, s.seq)
			done++
			if req.OnProgress != nil {
				req.OnProgress(done, len(units))
			}
		}
		active = kept
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
	res.DecodeDuration = time.Since(firstDecode)
	res.decodeSteps = res.GeneratedTokens
	return nil
}
