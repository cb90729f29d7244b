package inference

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// TranslateShared translates like Translate, but decodes the request together with the other TranslateShared calls
// in flight: their sentences are parallel sequences of the same lanes, and a sentence starts as soon as a sequence is
// free, so sixteen callers asking at once are answered far sooner than one after another. onPiece is called on the
// caller's goroutine; req.OnProgress is not called. This is what the local server uses. The window's own
// translations keep Translate: a run of shared requests makes way for one waiting (sharedRun.yielding).
func (e *Engine) TranslateShared(ctx context.Context, req Request, onPiece func(piece, soFar string)) (Result, error) {
	return e.translateShared(ctx, job{Request: req}, onPiece)
}

// BenchShared is TranslateShared with a benchmark's fixed workload, as Bench is Translate with one: what a load
// test asks for with llama-server's ignore_eos.
func (e *Engine) BenchShared(ctx context.Context, req Request, w Workload, onPiece func(piece, soFar string)) (Result, error) {
	return e.translateShared(ctx, job{Request: req, Workload: w}, onPiece)
}

func (e *Engine) translateShared(ctx context.Context, j job, onPiece func(piece, soFar string)) (Result, error) {
	r := &sharedRequest{ctx: ctx, req: j, start: time.Now(), signal: make(chan struct{}, 1)}
	e.shared.add(e, r)
	defer e.shared.forget(r)
	shown := 0
	for {
		select {
		case <-r.signal:
		case <-ctx.Done():
			res, _, _ := r.state()
			res.Text, res.Stop = res.Text[:min(shown, len(res.Text))], StopCancelled
			return res, ctx.Err()
		}
		res, ended, err := r.state()
		if onPiece != nil && len(res.Text) > shown {
			onPiece(res.Text[shown:], res.Text)
			shown = len(res.Text)
		}
		if ended {
			return res, err
		}
	}
}

// sharedRequest is one TranslateShared call. Its fields after signal are guarded by sharedQueue.mu.
type sharedRequest struct {
	ctx    context.Context
	req    job
	start  time.Time
	signal chan struct{} // told (without blocking) whenever there is more text or the request ends

	text   *ordered // nil until the request is split into sentences
	out    strings.Builder
	res    Result
	ended  bool
	err    error
	sentAt time.Time // when its first unit was decoded
	mu     *sync.Mutex
}

// state is the result so far, whether the request has ended, and how.
func (r *sharedRequest) state() (Result, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Text = r.out.String()
	return res, r.ended, r.err
}

// notify wakes the caller. mu is held.
func (r *sharedRequest) notify() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// end finishes the request with err (nil: done). mu is held.
func (r *sharedRequest) end(err error) {
	if r.ended {
		return
	}
	r.ended, r.err = true, err
	r.res.Duration = time.Since(r.start)
	if !r.sentAt.IsZero() {
		r.res.DecodeDuration = time.Since(r.sentAt)
		r.res.decodeSteps = r.res.GeneratedTokens
	}
	r.notify()
}

// sharedUnit is one sentence of a shared request.
type sharedUnit struct {
	r *sharedRequest
	i int
}

// sharedQueue holds the shared requests that wait for a lane, and the run that decodes them.
type sharedQueue struct {
	mu       sync.Mutex
	requests []*sharedRequest // not yet split into sentences
	waiting  []sharedUnit
	units    map[int]sharedUnit // taken by a lane and not finished, by unit number
	nextID   int
	run      *sharedRun // nil when no run decodes or is about to
}

// add queues a request, starting a run when none is going.
func (q *sharedQueue) add(e *Engine, r *sharedRequest) {
	q.mu.Lock()
	defer q.mu.Unlock()
	r.mu = &q.mu
	r.res.Direction = r.req.Direction
	q.requests = append(q.requests, r)
	if q.run == nil || q.run.closing {
		q.run = &sharedRun{q: q, e: e, wake: sync.NewCond(&q.mu)}
		go q.run.serve()
	} else {
		q.run.wake.Broadcast()
	}
}

// pending is how many sentences and requests wait. q.mu is held.
func (q *sharedQueue) pending() int { return len(q.waiting) + len(q.requests) }

// split splits the first waiting request into its sentences, which wait in its place. It runs on a lane, with the
// engine's turn held, as it tokenizes. q.mu is held.
func (q *sharedQueue) split(e *Engine) {
	r := q.requests[0]
	q.requests = q.requests[1:]
	units := e.sharedUnits(r.req.Text)
	r.text = newOrdered(units, func(s string) { r.out.WriteString(s) })
	r.res.Chunks = len(units)
	if len(units) == 0 {
		r.end(nil)
	}
	for i := range units {
		q.waiting = append(q.waiting, sharedUnit{r: r, i: i})
	}
}

// sharedUnits splits a text as Translate does, into sentences when it has several, else into prompts that fit a
// parallel sequence with room for their translation.
func (e *Engine) sharedUnits(text string) []Segment {
	if units := SentenceUnits(text, e.fitsSentence); len(units) >= ParallelMinSentences {
		return units
	}
	return Chunks(text, func(s string) bool { return e.fitsBudget(s, (seqCells-2*promptReserve)/3) })
}

// forget drops what is left of a request that has returned.
func (q *sharedQueue) forget(r *sharedRequest) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.requests = slices.DeleteFunc(q.requests, func(x *sharedRequest) bool { return x == r })
	q.waiting = slices.DeleteFunc(q.waiting, func(u sharedUnit) bool { return u.r == r })
	maps.DeleteFunc(q.units, func(_ int, u sharedUnit) bool { return u.r == r })
	r.ended = true
}

// sharedRun is one stretch of decoding shared requests: it holds the engine's turn from the first request that found
// the engine idle until every lane is idle with nothing waiting.
type sharedRun struct {
	q       *sharedQueue
	e       *Engine
	active  []int // sentences each lane decodes, as it last told; one entry per lane
	idlers  int
	closing bool       // every lane was idle with nothing waiting: the run ends, and the next request starts another
	stopped bool       // a lane failed: the others stop, and the run fails what it holds
	wake    *sync.Cond // on q.mu: sentences were queued, or the run closes
}

func (run *sharedRun) take(i int) (int, string, job, bool) {
	q := run.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if run.yielding() {
		return 0, "", job{}, false
	}
	for len(q.waiting) == 0 && len(q.requests) > 0 {
		q.split(run.e)
	}
	if len(q.waiting) == 0 {
		return 0, "", job{}, false
	}
	u := q.waiting[0]
	q.waiting = q.waiting[1:]
	if q.units == nil {
		q.units = map[int]sharedUnit{}
	}
	q.nextID++
	q.units[q.nextID] = u
	run.active[i]++
	return q.nextID, u.r.text.units[u.i].Text, u.r.req, true
}

func (run *sharedRun) waiting(int) bool {
	run.q.mu.Lock()
	defer run.q.mu.Unlock()
	return run.q.pending() > 0 && !run.yielding()
}

// yielding reports whether a Translate call waits for the turn: the run then takes no new sentence, finishes the
// ones it decodes and ends, and the requests still waiting get a new run after that call, so that a steady stream of
// shared requests never keeps the window waiting.
func (run *sharedRun) yielding() bool { return run.e.turnWaiters.Load() > 0 }

// room deals the waiting sentences out evenly among the lanes, rather than the first lane to ask taking them all.
func (run *sharedRun) room(i, active int) bool {
	q := run.q
	q.mu.Lock()
	defer q.mu.Unlock()
	run.active[i] = active
	total := q.pending()
	for _, a := range run.active {
		total += a
	}
	lanes := len(run.active)
	return active < (total+lanes-1)/lanes
}

func (run *sharedRun) alive(unit int) bool {
	run.q.mu.Lock()
	defer run.q.mu.Unlock()
	u, ok := run.q.units[unit]
	return ok && !u.r.ended && u.r.ctx.Err() == nil
}

// idle waits for sentences to be queued; when every lane is idle with none waiting, the run closes.
func (run *sharedRun) idle(i int) bool {
	q := run.q
	q.mu.Lock()
	defer q.mu.Unlock()
	run.active[i] = 0
	run.idlers++
	defer func() { run.idlers-- }()
	for (q.pending() == 0 || run.yielding()) && !run.closing && !run.stopped {
		if run.idlers == len(run.active) {
			run.closing = true
			run.wake.Broadcast()
			break
		}
		run.wake.Wait()
	}
	return !run.closing && !run.stopped
}

// serve takes the engine's turn and decodes the shared requests until none is left.
func (run *sharedRun) serve() {
	q, e := run.q, run.e
	e.turn <- struct{}{}
	defer func() {
		<-e.turn
		// Requests left waiting (the run made way for a Translate call) get the next run.
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.run == run && q.pending() > 0 {
			q.run = &sharedRun{q: q, e: e, wake: sync.NewCond(&q.mu)}
			go q.run.serve()
		}
	}()
	lanes, err := e.lanesForShared()
	if err != nil {
		run.fail(err)
		return
	}
	q.mu.Lock()
	run.active = make([]int, len(lanes))
	var d Direction
	if len(q.requests) > 0 {
		d = q.requests[0].req.Direction
	}
	q.mu.Unlock()
	heading, err := e.heading(d)
	if err != nil {
		run.fail(err)
		return
	}
	err = e.driveLanes(context.Background(), lanes, heading, run, func(s laneStep) { run.deliver(s.pieces) }, func() {
		q.mu.Lock()
		run.stopped = true
		run.wake.Broadcast()
		q.mu.Unlock()
	})
	if err != nil {
		run.fail(err)
	}
}

// lanesForShared is the lanes for shared requests, or an error when the engine has no model or no memory for them.
func (e *Engine) lanesForShared() ([]*lane, error) {
	if e.model == nil {
		return nil, ErrClosed
	}
	return e.parallelLanes()
}

// deliver hands the pieces of a step to their requests.
func (run *sharedRun) deliver(pieces []piece) {
	q := run.q
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	for _, p := range pieces {
		u, ok := q.units[p.unit]
		if !ok {
			continue
		}
		r := u.r
		if p.end {
			delete(q.units, p.unit)
		}
		if r.ended {
			continue
		}
		if r.sentAt.IsZero() {
			r.sentAt = now
			r.res.TimeToFirstToken = now.Sub(r.start)
			r.res.PromptDuration = r.res.TimeToFirstToken
		}
		r.res.GeneratedTokens++
		r.res.PromptTokens += p.prompt
		if r.text.add(u.i, p) {
			r.res.Stop = p.stop
		}
		r.text.flush(func() bool { return false })
		if r.text.complete() {
			r.end(nil)
		}
		r.notify()
	}
}

// fail ends every request in flight or waiting with err; the run is over.
func (run *sharedRun) fail(err error) {
	q := run.q
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, u := range q.units {
		u.r.end(err)
	}
	for _, u := range q.waiting {
		u.r.end(err)
	}
	for _, r := range q.requests {
		r.end(err)
	}
	clear(q.units)
	q.waiting, q.requests = nil, nil
	run.closing = true
	run.wake.Broadcast()
}
