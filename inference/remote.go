package inference

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Remote translates with a Gugugo model served elsewhere, by any server of OpenAI's POST /v1/completions that
// takes a raw prompt and a stop string: llama.cpp's llama-server, vLLM, or another computer's gugugo serve. It sends
// Gugugo's own prompt with </끝> as the stop, streamed, and shapes the answer as the local engine does. A document's
// sentences go as concurrent requests, which such servers decode together.
type Remote struct {
	base   string // the server's URL, ending in /v1
	key    string
	model  string
	client *http.Client
	// Idle is the longest wait for the server's next byte before the request is given up.
	idle time.Duration
	info ModelInfo
}

// RemoteOptions configure Connect.
type RemoteOptions struct {
	URL    string // the server, e.g. http://gpu-box:8080 or http://gpu-box:8080/v1
	APIKey string // sent as Authorization: Bearer when set
	// Timeout is the longest wait for the server to answer or to send more of an answer; 0 is a minute.
	Timeout time.Duration
}

// remoteConcurrency is the most requests one translation keeps in flight: a document's sentences.
const remoteConcurrency = 16

// remoteFirstByte is the longest wait for a request's first byte: a server decoding others may queue it first.
const remoteFirstByte = 5 * time.Minute

// ConnectTimeout bounds Connect's first request.
const ConnectTimeout = 10 * time.Second

// Connect checks that the server answers (GET /v1/models, which names its model) and returns an engine using it.
func Connect(ctx context.Context, o RemoteOptions) (*Remote, error) {
	u, err := url.Parse(strings.TrimSpace(o.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server address %q: want a URL such as http://localhost:8080", o.URL)
	}
	base := strings.TrimRight(u.String(), "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Minute
	}
	r := &Remote{base: base, key: o.APIKey, idle: o.Timeout,
		client: &http.Client{Transport: &http.Transport{
			Proxy:                 nil, // the server is named directly; a desktop's proxy settings are for the web
			DialContext:           (&net.Dialer{Timeout: ConnectTimeout}).DialContext,
			ResponseHeaderTimeout: remoteFirstByte, // a busy server queues requests before answering
			MaxIdleConnsPerHost:   remoteConcurrency,
		}}}
	ctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	var models struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := r.call(ctx, http.MethodGet, "/models", nil, func(body io.Reader) error {
		if err := json.NewDecoder(body).Decode(&models); err != nil || len(models.Data) == 0 {
			return r.garbage("GET /v1/models", err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	r.model = models.Data[0].ID
	r.info = ModelInfo{Name: r.model, Description: r.model + " at " + u.Host, Device: "server " + u.Host, DeviceName: "remote", ContextSize: 2048}
	return r, nil
}

// Info describes the server's model.
func (r *Remote) Info() ModelInfo { return r.info }

// Close releases idle connections.
func (r *Remote) Close() { r.client.CloseIdleConnections() }

// garbage is the error for an answer that is not what the OpenAI API returns.
func (r *Remote) garbage(what string, err error) error {
	detail := ""
	if err != nil {
		detail = ": " + err.Error()
	}
	return fmt.Errorf("the server at %s answered %s with something that is not an OpenAI-compatible reply%s", r.base, what, detail)
}

// call sends one request and hands a 200 reply's body to read; other replies become errors that say what the server
// said.
func (r *Remote) call(ctx context.Context, method, path string, body any, read func(io.Reader) error) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	// A translation may be sent again: the transport then retries it on a fresh connection when a pooled one turns
	// out closed (a restarted server), instead of failing with EOF. An empty key is not sent.
	req.Header["Idempotency-Key"] = []string{}
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ctx.Err()
		}
		var ne net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
			return fmt.Errorf("the server at %s did not answer in time", r.base)
		case strings.Contains(err.Error(), "connection refused"):
			return fmt.Errorf("cannot reach the server at %s: connection refused (is it running?)", r.base)
		}
		return fmt.Errorf("cannot reach the server at %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		said := strings.TrimSpace(string(msg))
		if json.Unmarshal(msg, &e) == nil && e.Error.Message != "" {
			said = e.Error.Message
		}
		if len(said) > 200 {
			said = said[:200] + "…"
		}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			if r.key == "" {
				return fmt.Errorf("the server at %s wants an API key (%s): give it with --server-key, or in Settings → Translation → Server API key", r.base, resp.Status)
			}
			return fmt.Errorf("the server at %s refused the API key (%s): %s", r.base, resp.Status, said)
		case http.StatusNotFound:
			return fmt.Errorf("the server at %s has no %s (%s): is it an OpenAI-compatible server?", r.base, path, resp.Status)
		}
		return fmt.Errorf("the server at %s answered %s: %s", r.base, resp.Status, said)
	}
	return read(resp.Body)
}

// TranslateShared is Translate: a server decodes concurrent requests together by itself.
func (r *Remote) TranslateShared(ctx context.Context, req Request, onPiece func(piece, soFar string)) (Result, error) {
	return r.Translate(ctx, req, onPiece)
}

// remoteSentence is the most bytes sent as one sentence; a longer one is split at words.
const remoteSentence = 480

// Translate translates as Engine.Translate does, by the server: a text of a few sentences in one request, a document
// sentence by sentence in concurrent requests, streamed in order.
func (r *Remote) Translate(ctx context.Context, req Request, onPiece func(piece, soFar string)) (Result, error) {
	start := time.Now()
	res := Result{Direction: req.Direction, Device: r.info.Device}
	units := SentenceUnits(req.Text, func(s string) bool { return len(s) <= remoteSentence })
	if len(units) < ParallelMinSentences || req.Sequential {
		units = Chunks(req.Text, func(s string) bool { return len(s) <= 4*remoteSentence })
	}
	res.Chunks = len(units)
	var text strings.Builder
	ord := newOrdered(units, func(s string) {
		if s == "" {
			return
		}
		text.WriteString(s)
		if onPiece != nil {
			onPiece(s, text.String())
		}
	})
	pieces := make(chan remotePiece, 64)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, remoteConcurrency)
	if req.Sequential {
		slots = make(chan struct{}, 1)
	}
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-slots }()
			r.sentence(ctx, u.Text, req, i, pieces)
		}()
	}
	go func() { wg.Wait(); close(pieces) }()
	var firstErr error
	for p := range pieces {
		switch {
		case p.err != nil:
			if firstErr == nil {
				firstErr = p.err
				cancel()
			}
		case firstErr == nil:
			if res.TimeToFirstToken == 0 && p.text != "" {
				res.TimeToFirstToken = time.Since(start)
			}
			res.PromptTokens += p.prompt
			res.GeneratedTokens += p.generated
			if ord.add(p.unit, p.piece) {
				res.Stop = p.stop
				if req.OnProgress != nil {
					req.OnProgress(ord.done, len(units))
				}
			}
			ord.flush(func() bool { return ctx.Err() != nil })
		}
	}
	res.Text = text.String()
	res.Duration = time.Since(start)
	res.DecodeDuration = res.Duration - res.TimeToFirstToken
	res.decodeSteps = res.GeneratedTokens
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		res.Stop = StopCancelled
		return res, firstErr
	}
	return res, nil
}

// remotePiece is news of one sentence's request: new text, its end, or its failure.
type remotePiece struct {
	piece
	generated int // tokens it stands for: a chunk is one, the last one naming only the finish none
	err       error
}

// sentence sends one prompt and reports its streamed answer, shaped as the local engine shapes its own.
func (r *Remote) sentence(ctx context.Context, text string, req Request, unit int, out chan<- remotePiece) {
	limit := req.MaxTokens
	if limit <= 0 {
		limit = 3*len([]rune(text)) + 48 // a token holds at least a character
	}
	body := map[string]any{"model": r.model, "prompt": req.Direction.Prompt(text), "max_tokens": limit,
		"stop": []string{endMarker}, "temperature": 0, "stream": true}
	// A server that stops sending is given up after r.idle without a byte (the first byte may take longer).
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(max(r.idle, remoteFirstByte), func() { cancel(fmt.Errorf("the server at %s stopped answering for %s", r.base, r.idle)) })
	defer watchdog.Stop()
	var filter streamFilter
	// The servers stream a token per chunk: the loop guard reads chunks as tokens, and stops a model repeating
	// itself as the local engine does.
	var guard loopGuard
	ids := map[string]int32{}
	err := r.call(ctx, http.MethodPost, "/completions", body, func(rd io.Reader) error {
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sawData := false
		for sc.Scan() {
			watchdog.Reset(r.idle)
			line := sc.Text()
			if msg, ok := strings.CutPrefix(line, "error:"); ok { // llama-server's way of failing a stream
				var e struct {
					Message string `json:"message"`
					Error   struct {
						Message string `json:"message"`
					} `json:"error"`
				}
				json.Unmarshal([]byte(msg), &e)
				return fmt.Errorf("the server at %s failed: %s", r.base, cmp.Or(e.Message, e.Error.Message, strings.TrimSpace(msg)))
			}
			data, ok := strings.CutPrefix(line, "data:")
			if !ok {
				if line != "" && !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "event:") && !strings.HasPrefix(line, "id:") {
					return r.garbage("POST /v1/completions", fmt.Errorf("unexpected line %q", cut(line, 80)))
				}
				continue
			}
			data = strings.TrimSpace(data)
			if data == "[DONE]" {
				break
			}
			sawData = true
			var chunk struct {
				Choices []struct {
					Text         string  `json:"text"`
					FinishReason *string `json:"finish_reason"`
				} `json:"choices"`
				Usage *struct {
					PromptTokens int `json:"prompt_tokens"`
				} `json:"usage"`
				Error *struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(data), &chunk); err != nil {
				return r.garbage("POST /v1/completions", err)
			}
			if chunk.Error != nil {
				return fmt.Errorf("the server at %s failed: %s", r.base, chunk.Error.Message)
			}
			p := remotePiece{piece: piece{unit: unit}}
			if chunk.Usage != nil {
				p.prompt = chunk.Usage.PromptTokens
			}
			if len(chunk.Choices) > 0 {
				c := chunk.Choices[0]
				if c.Text != "" || c.FinishReason == nil {
					p.generated = 1 // a chunk per token; a last one with no text only says why it ended
				}
				shown, stop := filter.push([]byte(c.Text))
				p.text = shown
				looping := false
				if c.Text != "" {
					id, ok := ids[c.Text]
					if !ok {
						id = int32(len(ids))
						ids[c.Text] = id
					}
					looping = guard.add(id)
				}
				if stop || looping || c.FinishReason != nil {
					p.end = true
					p.text += filter.flush()
					p.stop = StopMarker
					switch {
					case looping && !stop:
						p.stop = StopRepetition
					case c.FinishReason != nil && *c.FinishReason == "length":
						p.stop = StopLimit
					}
				}
			}
			out <- p
			if p.end {
				return nil
			}
		}
		if err := sc.Err(); err != nil {
			return err
		}
		if !sawData {
			return r.garbage("POST /v1/completions", errors.New("no data"))
		}
		out <- remotePiece{piece: piece{unit: unit, text: filter.flush(), end: true, stop: StopMarker}}
		return nil
	})
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		out <- remotePiece{piece: piece{unit: unit}, err: err}
	}
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
