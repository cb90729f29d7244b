package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// The OpenAI dialect: chat completions (the text to translate is the last user message), raw completions with
// Gugugo's own prompt (what llama-server and vLLM serve, and Gugugo's remote engine sends), and the model list.

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"` // a string, or a list of parts {type, text}
}

type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	MaxTokens     int           `json:"max_tokens"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type completionRequest struct {
	Model     string          `json:"model"`
	Prompt    json.RawMessage `json:"prompt"`
	Stream    bool            `json:"stream"`
	MaxTokens int             `json:"max_tokens"`
	// IgnoreEOS generates max_tokens whatever the model says, as llama-server does: for load tests.
	IgnoreEOS bool `json:"ignore_eos"`
}

// fixedLength is an engine that can generate a fixed number of tokens (*inference.Engine), for ignore_eos.
type fixedLength interface {
	BenchShared(ctx context.Context, req inference.Request, w inference.Workload, onPiece func(piece, soFar string)) (inference.Result, error)
}

func openAIError(w http.ResponseWriter, status int, msg, kind string) {
	code := any(nil)
	if status == http.StatusUnauthorized {
		code = "invalid_api_key"
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": kind, "code": code}})
}

// text reads a message's content: a string, or the text parts of a list.
func (m chatMessage) text() string {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	json.Unmarshal(m.Content, &parts)
	var sb strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			sb.WriteString(p.Text)
		}
	}
	return sb.String()
}

// Clients wrap the text in an instruction; what is inside the wrapper is what gets translated. pot fences it in
// triple quotes, Zotero's PDF Translate between 🔤 marks; anything else is taken whole.
var wrappers = []struct{ open, close string }{{`"""`, `"""`}, {"🔤", "🔤"}}

// unwrap finds the text to translate in a chat message.
func unwrap(msg string) string {
	for _, wr := range wrappers {
		i := strings.Index(msg, wr.open)
		if i < 0 {
			continue
		}
		rest := msg[i+len(wr.open):]
		if j := strings.LastIndex(rest, wr.close); j >= 0 {
			if t := strings.TrimSpace(rest[:j]); t != "" {
				return t
			}
		}
	}
	return strings.TrimSpace(msg)
}

// segmentsRequest is Kiss Translator's batched chat request: a JSON object with the segments to translate, to be
// answered with {"translations":[{"id","text"}]}.
type segmentsRequest struct {
	TargetLanguage string `json:"targetLanguage"`
	Segments       []struct {
		ID   json.RawMessage `json:"id"`
		Text string          `json:"text"`
	} `json:"segments"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		bodyError(w, r, err, s.o.MaxBody)
		return
	}
	msg := ""
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == "user" {
			msg = req.Messages[i].text()
			break
		}
	}
	if strings.TrimSpace(msg) == "" {
		openAIError(w, http.StatusBadRequest, "no text to translate: the last user message is empty or missing", "invalid_request_error")
		return
	}
	if !s.admit(w, r) {
		return
	}
	defer s.leave()
	var segs segmentsRequest
	if json.Unmarshal([]byte(strings.TrimSpace(msg)), &segs) == nil && len(segs.Segments) > 0 {
		if len(segs.Segments) > maxTexts {
			openAIError(w, http.StatusBadRequest, fmt.Sprintf("%d segments; at most %d per request", len(segs.Segments), maxTexts), "invalid_request_error")
			return
		}
		s.chatSegments(w, r, req, segs)
		return
	}
	text := unwrap(msg)
	p := s.plan(text, "", "")
	c := completion{chat: true, model: req.Model, stream: req.Stream, usage: req.StreamOptions.IncludeUsage,
		missing: func(res inference.Result) glossary.List { return p.terms.Missing(text, res.Text) }}
	s.complete(w, r, c, func(onPiece func(string, string)) (inference.Result, error) {
		return p.run(r.Context(), s.t, text, req.MaxTokens, onPiece)
	}, len([]rune(text)))
}

// chatSegments translates each segment (decoded together) and answers with the JSON the client asked for.
func (s *Server) chatSegments(w http.ResponseWriter, r *http.Request, req chatRequest, segs segmentsRequest) {
	target, err := parseLanguage(segs.TargetLanguage)
	if err != nil {
		openAIError(w, http.StatusBadRequest, err.Error(), "invalid_request_error")
		return
	}
	type translation struct {
		ID   json.RawMessage `json:"id"`
		Text string          `json:"text"`
	}
	texts := make([]string, len(segs.Segments))
	chars := 0
	for i, seg := range segs.Segments {
		texts[i] = seg.Text
		chars += len([]rune(seg.Text))
	}
	translated, _, err := s.translateAll(r.Context(), texts, "", target, req.MaxTokens)
	out := make([]translation, len(segs.Segments))
	for i, seg := range segs.Segments {
		out[i] = translation{ID: seg.ID, Text: translated[i]}
	}
	answer, _ := json.Marshal(map[string]any{"translations": out})
	s.complete(w, r, completion{chat: true, model: req.Model, stream: req.Stream, usage: req.StreamOptions.IncludeUsage}, func(onPiece func(string, string)) (inference.Result, error) {
		if err != nil {
			return inference.Result{}, err
		}
		if onPiece != nil {
			onPiece(string(answer), string(answer))
		}
		return inference.Result{Text: string(answer), Stop: inference.StopMarker}, nil
	}, chars)
}

// gugugoPrompt is Gugugo's prompt: a heading, the text, </끝>, and the other language's heading.
var gugugoPrompt = regexp.MustCompile(`(?s)^\s*### (한국어|영어): ?(.*?)</끝>\s*### (한국어|영어):\s*$`)

// parsePrompt reads a raw completion prompt, which must be Gugugo's: this server translates and does nothing else.
func parsePrompt(prompt string) (string, inference.Direction, error) {
	m := gugugoPrompt.FindStringSubmatch(prompt)
	if m == nil || m[1] == m[3] {
		return "", 0, fmt.Errorf("the prompt is not Gugugo's translation prompt (%q): Gugugo serves translations only", inference.KoreanToEnglish.Prompt("…"))
	}
	d := inference.KoreanToEnglish
	if m[1] == "영어" {
		d = inference.EnglishToKorean
	}
	return m[2], d, nil
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		bodyError(w, r, err, s.o.MaxBody)
		return
	}
	prompts, _, err := texts(req.Prompt)
	if err == nil && len(prompts) != 1 {
		err = fmt.Errorf("one prompt per request, got %d", len(prompts))
	}
	var text string
	var d inference.Direction
	if err == nil {
		text, d, err = parsePrompt(prompts[0])
	}
	if err != nil {
		openAIError(w, http.StatusBadRequest, err.Error(), "invalid_request_error")
		return
	}
	if !s.admit(w, r) {
		return
	}
	defer s.leave()
	s.complete(w, r, completion{model: req.Model, stream: req.Stream}, func(onPiece func(string, string)) (inference.Result, error) {
		if inference.Blank(text) {
			return inference.Result{Stop: inference.StopMarker}, nil
		}
		in := inference.Request{Text: text, Direction: d, MaxTokens: req.MaxTokens}
		if f, ok := s.t.(fixedLength); ok && req.IgnoreEOS && req.MaxTokens > 0 {
			return f.BenchShared(r.Context(), in, inference.Workload{Tokens: req.MaxTokens}, onPiece)
		}
		return s.t.TranslateShared(r.Context(), in, onPiece)
	}, len([]rune(text)))
}

// completion is how a chat or raw completion is answered.
type completion struct {
	chat   bool
	model  string
	stream bool
	usage  bool // a streamed reply ends with a chunk of token counts
	// missing, when set, gives the glossary terms missing from a translation, for a reply that is not streamed.
	missing func(inference.Result) glossary.List
}

// complete runs a translation and answers it as OpenAI does: one JSON object, or server-sent events carrying each
// new piece, a last chunk with the finish reason, and [DONE].
func (s *Server) complete(w http.ResponseWriter, r *http.Request, c completion, run func(onPiece func(piece, soFar string)) (inference.Result, error), chars int) {
	start := time.Now()
	id := fmt.Sprintf("cmpl-%d", start.UnixNano())
	model := s.modelName()
	object := "text_completion"
	if c.chat {
		id, object = "chatcmpl-"+id[5:], "chat.completion"
	}
	choice := func(text string, finish any, first bool) map[string]any {
		ch := map[string]any{"index": 0, "finish_reason": finish, "logprobs": nil}
		switch {
		case !c.chat:
			ch["text"] = text
		case c.stream:
			delta := map[string]any{}
			if first {
				delta["role"] = "assistant"
			}
			if text != "" || !first {
				delta["content"] = text
			}
			if finish != nil {
				delta = map[string]any{}
			}
			ch["delta"] = delta
		default:
			ch["message"] = map[string]any{"role": "assistant", "content": text}
		}
		return ch
	}
	usage := func(res inference.Result) map[string]any {
		return map[string]any{"prompt_tokens": res.PromptTokens, "completion_tokens": res.GeneratedTokens, "total_tokens": res.PromptTokens + res.GeneratedTokens}
	}
	finish := func(res inference.Result) string {
		if res.Stop == inference.StopLimit {
			return "length"
		}
		return "stop"
	}
	if !c.stream {
		res, err := run(nil)
		logTranslation(w, chars, err)
		if err != nil {
			if r.Context().Err() == nil {
				openAIError(w, translateStatus(err), err.Error(), "server_error")
			}
			return
		}
		reply := map[string]any{"id": id, "object": object, "created": start.Unix(), "model": model,
			"choices": []any{choice(res.Text, finish(res), true)}, "usage": usage(res)}
		if c.missing != nil {
			addMissing(reply, c.missing(res))
		}
		writeJSON(w, http.StatusOK, reply)
		return
	}
	if c.chat {
		object = "chat.completion.chunk"
	}
	rc := http.NewResponseController(w)
	event := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		rc.Flush()
	}
	chunk := func(text string, fin any, first bool) map[string]any {
		return map[string]any{"id": id, "object": object, "created": start.Unix(), "model": model, "choices": []any{choice(text, fin, first)}}
	}
	// The stream starts with the first piece, so that a translation that cannot start (no model loaded) is still
	// answered with an error status rather than a 200 stream.
	started := false
	begin := func() {
		if started {
			return
		}
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		if c.chat {
			event(chunk("", nil, true))
		}
	}
	res, err := run(func(piece, _ string) {
		begin()
		event(chunk(piece, nil, false))
	})
	logTranslation(w, chars, err)
	switch {
	case err != nil && r.Context().Err() != nil:
		return
	case err != nil && !started:
		openAIError(w, translateStatus(err), err.Error(), "server_error")
		return
	case err != nil:
		event(map[string]any{"error": map[string]any{"message": err.Error(), "type": "server_error", "code": nil}})
		return
	}
	begin()
	last := chunk("", finish(res), false)
	if !c.chat {
		last["usage"] = usage(res) // as llama-server does: the remote engine reads the prompt's size from it
	}
	event(last)
	if c.usage {
		u := chunk("", nil, false)
		u["choices"], u["usage"] = []any{}, usage(res)
		event(u)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	rc.Flush()
}

// GET /v1/models: the one model served.
func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
		map[string]any{"id": s.modelName(), "object": "model", "created": 0, "owned_by": "gugugo"},
	}})
}
