package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// The tests serve real engines: llama.cpp (deps/llama/lib) on tiny generated models, on the CPU.

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gugugo-server-test")
	if err != nil {
		panic(err)
	}
	models = tinymodel.NewCache(dir)
	os.Setenv("GUGUGO_GPU", "off")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	models  *tinymodel.Cache
	engines sync.Map // model name → *inference.Engine, loaded once per test binary
)

// hello answers every prompt with "Hello world." and the end marker.
var hello = tinymodel.Options{Arch: "gptneox", Script: &tinymodel.Script{After: ":", Pieces: []string{" Hello", " world", ".", "<", "/", "끝", ">"}}}

// echoWords are the echo model's answers: each text is answered with the one it holds most often.
var echoWords = []string{" la", " li", " lu", " apple", " student", " weather", " good", " Hello", " world", " today"}

var echo = tinymodel.Options{Arch: "gptneox", Echo: echoWords}

func engine(t testing.TB, name string, o tinymodel.Options) *inference.Engine {
	t.Helper()
	if e, ok := engines.Load(name); ok {
		return e.(*inference.Engine)
	}
	p, err := models.Path(name, o)
	if err != nil {
		t.Fatal(err)
	}
	e, err := inference.Load(p, inference.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	engines.Store(name, e)
	return e
}

// serve runs a server for t on a loopback port.
func serve(t testing.TB, tr Translator, o Options) string {
	t.Helper()
	o.Model = func() string { return "gugugo-test" }
	s, err := New(tr, o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// post sends a body and returns the status and the decoded JSON reply.
func post(t testing.TB, url, contentType, body string, header ...string) (int, any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("POST %s: %s, not JSON: %q", url, resp.Status, raw)
	}
	return resp.StatusCode, v
}

func get(t testing.TB, url string) (int, any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %s, not JSON: %v", url, resp.Status, err)
	}
	return resp.StatusCode, v
}

// field reads a path of object keys and list indexes from decoded JSON.
func field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

const jsonType = "application/json"

// DeepLX's request, as pot, Zotero's PDF Translate, Kiss Translator, SillyTavern and PDFMathTranslate send it (read in
// their sources: ../shared/FACTS.md).
func TestDeepLXAsClientsSendIt(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{})
	for _, c := range []struct {
		client, contentType, body, source, target string
		header                                    []string
	}{
		{"pot", jsonType, `{"source_lang":"auto","target_lang":"EN","text":"안녕하세요"}`, "KO", "EN", nil},
		{"zotero", "application/json; charset=utf-8", `{"text":"안녕하세요","source_lang":"KO","target_lang":"EN"}`, "KO", "EN", nil},
		{"kiss", jsonType, `{"text":"좋은 아침","source_lang":"auto","target_lang":"EN"}`, "KO", "EN", []string{"Authorization", "Bearer ignored-without-a-key"}},
		{"sillytavern", jsonType, `{"text":"Good morning","source_lang":"auto","target_lang":"ko"}`, "EN", "KO", nil},
		{"subtitle edit", "text/plain; charset=utf-8", `{"text":"안녕하세요","source_lang":"ko","target_lang":"en-US"}`, "KO", "EN", nil},
	} {
		status, v := post(t, url+"/translate", c.contentType, c.body, c.header...)
		if status != 200 || field(v, "code") != 200.0 || field(v, "data") != "Hello world." ||
			field(v, "source_lang") != c.source || field(v, "target_lang") != c.target || field(v, "alternatives") == nil || field(v, "id") == nil {
			t.Errorf("%s: %d %v", c.client, status, v)
		}
	}
	// PDFMathTranslate: \uXXXX escapes, lowercase codes, and its docs' URL with a slash at the end.
	status, v := post(t, url+"/translate/", jsonType, `{"text": "\uc548\ub155\ud558\uc138\uc694", "source_lang": "ko", "target_lang": "en"}`)
	if status != 200 || field(v, "data") != "Hello world." {
		t.Errorf("pdfmathtranslate: %d %v", status, v)
	}
	// Text already in the target language comes back as it is, as DeepL does.
	if _, v := post(t, url+"/translate", jsonType, `{"text":"Good morning","source_lang":"auto","target_lang":"EN"}`); field(v, "data") != "Good morning" {
		t.Errorf("English to English: %v", v)
	}
}

// LibreTranslate's requests: Crow Translate's form (it asks /detect first, with the same body), SillyTavern's JSON,
// and a list of texts.
func TestLibreTranslateAsClientsSendIt(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{})
	form := "application/x-www-form-urlencoded"
	crow := "&q=" + strings.ReplaceAll(urlEscape("안녕하세요, 반갑습니다"), "+", "%20") + "&source=ko&target=en&api_key="
	if status, v := post(t, url+"/detect", form, crow); status != 200 || field(v, 0, "language") != "ko" || field(v, 0, "confidence") != 100.0 {
		t.Errorf("Crow's /detect: %d %v", status, v)
	}
	if status, v := post(t, url+"/translate", form, crow); status != 200 || field(v, "translatedText") != "Hello world." || field(v, "detectedLanguage") != nil {
		t.Errorf("Crow's /translate: %d %v", status, v)
	}
	status, v := post(t, url+"/translate", jsonType, `{"q":"Good morning, everyone.","source":"auto","target":"ko","format":"text"}`)
	if status != 200 || field(v, "translatedText") != "Hello world." || field(v, "detectedLanguage", "language") != "en" {
		t.Errorf("SillyTavern's /translate: %d %v", status, v)
	}
	status, v = post(t, url+"/translate", jsonType, `{"q":["안녕","잘 가"],"source":"ko","target":"en"}`)
	if status != 200 || field(v, "translatedText", 0) != "Hello world." || field(v, "translatedText", 1) != "Hello world." {
		t.Errorf("a list of texts: %d %v", status, v)
	}
	if status, v := get(t, url+"/languages"); status != 200 || field(v, 0, "code") != "en" || field(v, 1, "targets", 0) != "en" {
		t.Errorf("/languages: %d %v", status, v)
	}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// Bad requests get their dialect's error shape and status, and the server goes on serving.
func TestErrorsInEachDialect(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{MaxBody: 4096})
	big := strings.Repeat("가", 3000)
	deeplx := func(v any) bool { return field(v, "message") != nil && field(v, "code") != nil }
	libre := func(v any) bool { s, _ := field(v, "error").(string); return s != "" }
	openai := func(v any) bool { s, _ := field(v, "error", "message").(string); return s != "" }
	for _, c := range []struct {
		name, path, contentType, body string
		status                        int
		shape                         func(any) bool
	}{
		{"malformed DeepLX", "/translate", jsonType, `{"text": "안녕`, 400, deeplx},
		{"DeepLX without text", "/translate", jsonType, `{"text":"  ","target_lang":"EN"}`, 400, deeplx},
		{"DeepLX in French", "/translate", jsonType, `{"text":"안녕","target_lang":"FR"}`, 400, deeplx},
		{"DeepLX too large", "/translate", jsonType, `{"text":"` + big + `","target_lang":"EN"}`, 413, deeplx},
		{"malformed LibreTranslate", "/translate", jsonType, `{"q": ["안녕"`, 400, libre},
		{"LibreTranslate in Japanese", "/translate", jsonType, `{"q":"안녕","source":"ja","target":"en"}`, 400, libre},
		{"LibreTranslate without target", "/translate", jsonType, `{"q":"안녕","source":"ko"}`, 400, libre},
		{"LibreTranslate form too large", "/translate", "application/x-www-form-urlencoded", "q=" + big + "&target=en", 413, libre},
		{"empty detect", "/detect", jsonType, `{"q":""}`, 400, libre},
		{"malformed chat", "/v1/chat/completions", jsonType, `{"messages": [`, 400, openai},
		{"chat without a user message", "/v1/chat/completions", jsonType, `{"messages":[{"role":"system","content":"Translate."}]}`, 400, openai},
		{"not Gugugo's prompt", "/v1/completions", jsonType, `{"prompt":"Once upon a time"}`, 400, openai},
		{"unknown path", "/v2/everything", jsonType, `{}`, 404, openai},
	} {
		status, v := post(t, url+c.path, c.contentType, c.body)
		if status != c.status || !c.shape(v) {
			t.Errorf("%s: %d %v, want %d in the dialect's shape", c.name, status, v, c.status)
		}
	}
	// A body sent in chunks, without a length, is cut at the limit too.
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/chat/completions", io.MultiReader(strings.NewReader(`{"messages":[{"role":"user","content":"`), strings.NewReader(big), strings.NewReader(`"}]}`)))
	req.Header.Set("Content-Type", jsonType)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 413 {
		t.Errorf("a chunked body over the limit: %v %v", resp, err)
	}
	if status, v := post(t, url+"/translate", jsonType, `{"text":"안녕","target_lang":"EN"}`); status != 200 || field(v, "data") != "Hello world." {
		t.Errorf("after the bad requests: %d %v", status, v)
	}
}

// failing stands for an app whose model is not loaded.
type failing struct{ err error }

func (f failing) TranslateShared(context.Context, inference.Request, func(string, string)) (inference.Result, error) {
	return inference.Result{}, f.err
}

// Every request gets a log line: translations with what they translated, errors with their status.
func TestEveryRequestIsLogged(t *testing.T) {
	var mu sync.Mutex
	var lines []Entry
	s, err := New(engine(t, "hello", hello), Options{APIKey: "k", Log: func(e Entry) { mu.Lock(); lines = append(lines, e); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	post(t, hs.URL+"/translate?token=k", jsonType, `{"text":"안녕","target_lang":"EN"}`)
	post(t, hs.URL+"/translate", jsonType, `{"text":"안녕","target_lang":"EN"}`)
	post(t, hs.URL+"/translate?token=k", jsonType, `{"text":"안녕","target_lang":"FR"}`)
	get(t, hs.URL+"/health?token=k")
	// A line is written once the handler has returned, which may be just after the client has its reply.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(lines)
		mu.Unlock()
		if n >= 4 {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := []struct {
		dialect string
		status  int
	}{{"deeplx", 200}, {"deeplx", 401}, {"deeplx", 400}, {"http", 200}}
	if len(lines) != len(want) {
		t.Fatalf("%d lines: %+v", len(lines), lines)
	}
	for i, w := range want {
		if lines[i].Dialect != w.dialect || lines[i].Status != w.status {
			t.Errorf("line %d: %+v, want %s %d", i, lines[i], w.dialect, w.status)
		}
	}
	if lines[0].Chars != 2 {
		t.Errorf("the translation's line: %+v", lines[0])
	}
}

func TestNoModelIsUnavailable(t *testing.T) {
	url := serve(t, failing{errors.New("no model is loaded")}, Options{})
	if status, v := post(t, url+"/translate", jsonType, `{"text":"안녕","target_lang":"EN"}`); status != 503 || field(v, "message") != "no model is loaded" {
		t.Errorf("DeepLX without a model: %d %v", status, v)
	}
	if status, v := post(t, url+"/v1/chat/completions", jsonType, `{"messages":[{"role":"user","content":"안녕"}]}`); status != 503 || field(v, "error", "message") != "no model is loaded" {
		t.Errorf("chat without a model: %d %v", status, v)
	}
	if status, v := post(t, url+"/v1/chat/completions", jsonType, `{"stream":true,"messages":[{"role":"user","content":"안녕"}]}`); status != 503 || field(v, "error", "message") != "no model is loaded" {
		t.Errorf("a streamed chat without a model: %d %v", status, v)
	}
}

func TestAPIKey(t *testing.T) {
	if _, err := New(nil, Options{Addr: "0.0.0.0:1188"}); !errors.Is(err, ErrKeyNeeded) {
		t.Errorf("listening on every address without a key: %v", err)
	}
	for _, addr := range []string{"0.0.0.0:0", "[::]:1188", "192.168.1.5:80"} {
		if _, err := New(nil, Options{Addr: addr, APIKey: "k"}); err != nil {
			t.Errorf("%s with a key: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:1188", "localhost:1", "[::1]:1188"} {
		if _, err := New(nil, Options{Addr: addr}); err != nil {
			t.Errorf("%s without a key: %v", addr, err)
		}
	}
	if _, err := New(nil, Options{Addr: "1188"}); err == nil {
		t.Error("an address without a host was taken")
	}
	url := serve(t, engine(t, "hello", hello), Options{APIKey: "s3cret"})
	body := `{"text":"안녕","target_lang":"EN"}`
	if status, v := post(t, url+"/translate", jsonType, body); status != 401 || field(v, "code") != 401.0 {
		t.Errorf("no key: %d %v", status, v)
	}
	if status, _ := post(t, url+"/translate", jsonType, body, "Authorization", "Bearer wrong"); status != 401 {
		t.Errorf("a wrong key: %d", status)
	}
	for _, ok := range []struct {
		path, contentType, body string
		header                  []string
	}{
		{"/translate?token=s3cret", jsonType, body, nil},                                         // DeepLX, PDFMathTranslate
		{"/translate", jsonType, body, []string{"Authorization", "Bearer s3cret"}},               // Kiss Translator
		{"/translate", jsonType, body, []string{"Authorization", "DeepL-Auth-Key s3cret"}},       // DeepL's own header
		{"/translate", jsonType, `{"q":"안녕","target":"en","api_key":"s3cret"}`, nil},             // LibreTranslate JSON
		{"/translate", "application/x-www-form-urlencoded", "q=x&target=ko&api_key=s3cret", nil}, // Crow
		{"/detect", "application/x-www-form-urlencoded", "&q=x&source=en&target=ko&api_key=s3cret", nil},
		{"/v1/chat/completions", jsonType, `{"messages":[{"role":"user","content":"안녕"}]}`, []string{"api-key", "s3cret"}}, // Zotero
	} {
		if status, v := post(t, url+ok.path, ok.contentType, ok.body, ok.header...); status != 200 {
			t.Errorf("key in %s %s %v: %d %v", ok.path, ok.body, ok.header, status, v)
		}
	}
	if status, v := post(t, url+"/v1/chat/completions", jsonType, `{"messages":[]}`); status != 401 || field(v, "error", "code") != "invalid_api_key" {
		t.Errorf("OpenAI without a key: %d %v", status, v)
	}
}

// sse reads a streamed reply's data frames up to [DONE].
func sse(t *testing.T, r io.Reader) []map[string]any {
	t.Helper()
	var frames []map[string]any
	sc := bufio.NewScanner(r)
	done := false
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			if sc.Text() != "" {
				t.Errorf("not an SSE line: %q", sc.Text())
			}
			continue
		}
		if line == "[DONE]" {
			done = true
			continue
		}
		var f map[string]any
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("frame %q: %v", line, err)
		}
		frames = append(frames, f)
	}
	if !done {
		t.Error("the stream did not end with [DONE]")
	}
	return frames
}

func TestOpenAIChat(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{})
	// pot's request: a system message and the text fenced in an instruction.
	pot := `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a professional translation engine."},` +
		`{"role":"user","content":"Translate into English:\n\"\"\"\n안녕하세요\n\"\"\""}],"temperature":0.1,"stream":false}`
	status, v := post(t, url+"/v1/chat/completions", jsonType, pot, "Authorization", "Bearer anything")
	if status != 200 || field(v, "object") != "chat.completion" || field(v, "choices", 0, "message", "content") != "Hello world." ||
		field(v, "choices", 0, "finish_reason") != "stop" || field(v, "model") != "gugugo-test" || field(v, "usage", "total_tokens") == 0.0 {
		t.Errorf("pot's chat request: %d %v", status, v)
	}
	if got := unwrap("Translate into English:\n\"\"\"\n안녕하세요\n\"\"\""); got != "안녕하세요" {
		t.Errorf("pot's fence: %q", got)
	}
	if got := unwrap("As an academic expert … from en-US to ko-KR … 🔤 Deep learning works. 🔤 Give only the translation."); got != "Deep learning works." {
		t.Errorf("Zotero's marks: %q", got)
	}
	// Kiss Translator's batched request is answered with the JSON it asks for.
	kiss := `{"messages":[{"role":"system","content":"Return a JSON object only."},{"role":"user","content":"{\"targetLanguage\":\"en\",\"segments\":[{\"id\":0,\"text\":\"안녕\"},{\"id\":1,\"text\":\"고마워\"}]}"}]}`
	_, v = post(t, url+"/v1/chat/completions", jsonType, kiss)
	var answer struct {
		Translations []struct {
			ID   int    `json:"id"`
			Text string `json:"text"`
		} `json:"translations"`
	}
	content, _ := field(v, "choices", 0, "message", "content").(string)
	if err := json.Unmarshal([]byte(content), &answer); err != nil || len(answer.Translations) != 2 || answer.Translations[1].ID != 1 || answer.Translations[1].Text != "Hello world." {
		t.Errorf("Kiss Translator's segments: %q (%v)", content, err)
	}
	// Streamed: a role chunk, the pieces, a finish chunk, the usage when asked, [DONE].
	resp, err := http.Post(url+"/v1/chat/completions", jsonType, strings.NewReader(`{"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":[{"type":"text","text":"안녕하세요"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	frames := sse(t, resp.Body)
	var text strings.Builder
	for _, f := range frames[1:] {
		if c, ok := field(f, "choices", 0, "delta", "content").(string); ok {
			text.WriteString(c)
		}
	}
	n := len(frames)
	if n < 4 || field(frames[0], "choices", 0, "delta", "role") != "assistant" || text.String() != "Hello world." ||
		field(frames[n-2], "choices", 0, "finish_reason") != "stop" || field(frames[n-1], "usage", "completion_tokens") == nil ||
		field(frames[1], "object") != "chat.completion.chunk" {
		t.Errorf("stream %q from %v", text.String(), frames)
	}
	if status, v := get(t, url+"/v1/models"); status != 200 || field(v, "data", 0, "id") != "gugugo-test" {
		t.Errorf("/v1/models: %d %v", status, v)
	}
}

// /v1/completions with Gugugo's raw prompt, as llama-server answers it (and the remote engine sends it).
func TestRawCompletions(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{})
	prompt, _ := json.Marshal(inference.EnglishToKorean.Prompt("Good morning."))
	status, v := post(t, url+"/v1/completions", jsonType, `{"prompt":`+string(prompt)+`,"max_tokens":2,"stop":["</끝>"],"temperature":0}`)
	if status != 200 || field(v, "object") != "text_completion" || field(v, "choices", 0, "text") != "Hello world" || field(v, "choices", 0, "finish_reason") != "length" {
		t.Errorf("2 tokens: %d %v", status, v)
	}
	resp, err := http.Post(url+"/v1/completions", jsonType, strings.NewReader(`{"stream":true,"prompt":`+string(prompt)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	frames := sse(t, resp.Body)
	var text strings.Builder
	for _, f := range frames {
		text.WriteString(field(f, "choices", 0, "text").(string))
	}
	if text.String() != "Hello world." || field(frames[len(frames)-1], "choices", 0, "finish_reason") != "stop" {
		t.Errorf("streamed: %q %v", text.String(), frames)
	}
	for _, p := range []string{"### 한국어: 안녕</끝>\n### 영어:", "### 영어: Hi</끝>\n### 한국어:", " ### 한국어:안녕</끝>\n\n### 영어: "} {
		if _, _, err := parsePrompt(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	if _, _, err := parsePrompt("### 한국어: 안녕</끝>\n### 한국어:"); err == nil {
		t.Error("a prompt from Korean to Korean was taken")
	}
}

// blocking holds each translation until its context ends, and tells when it did.
type blocking struct{ ended chan error }

func (b blocking) TranslateShared(ctx context.Context, _ inference.Request, onPiece func(string, string)) (inference.Result, error) {
	onPiece("Hel", "Hel")
	<-ctx.Done()
	b.ended <- ctx.Err()
	return inference.Result{}, ctx.Err()
}

// A client that goes away cancels its translation.
func TestDisconnectCancels(t *testing.T) {
	b := blocking{ended: make(chan error, 1)}
	url := serve(t, b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/chat/completions", strings.NewReader(`{"stream":true,"messages":[{"role":"user","content":"안녕"}]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	if !strings.HasPrefix(line, "data: ") {
		t.Errorf("first line %q", line)
	}
	cancel()
	resp.Body.Close()
	select {
	case err := <-b.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the translation ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the translation went on after its client left")
	}
}

// 200 requests from 16 clients at once: none is lost, and each gets the answer to its own text (the echo model
// answers each text with the word it holds most often), the same as the engine gives for that text alone.
func TestLoadFromConcurrentClients(t *testing.T) {
	e := engine(t, "echo", echo)
	url := serve(t, e, Options{})
	want := map[string]string{}
	text := func(i int) string {
		w := strings.TrimSpace(echoWords[i%len(echoWords)])
		other := strings.TrimSpace(echoWords[(i+1)%len(echoWords)])
		return fmt.Sprintf("%s %s %s %d.", w, other, w, i)
	}
	for i := range len(echoWords) {
		res, err := e.Translate(context.Background(), inference.Request{Text: text(i), Direction: inference.KoreanToEnglish}, nil)
		if err != nil || res.Text == "" {
			t.Fatal(res.Text, err)
		}
		want[strings.Fields(text(i))[0]] = res.Text
	}
	const requests, clients = 200, 16
	jobs := make(chan int)
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				body, _ := json.Marshal(map[string]string{"text": text(i), "source_lang": "KO", "target_lang": "EN"})
				status, v := post(t, url+"/translate", jsonType, string(body))
				if w := want[strings.Fields(text(i))[0]]; status != 200 || field(v, "data") != w {
					t.Errorf("request %d: %d %v, want %q", i, status, v, w)
				}
				mu.Lock()
				got = append(got, i)
				mu.Unlock()
			}
		}()
	}
	for i := range requests {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	sort.Ints(got)
	if !slices.Equal(got, slices.Collect(func(yield func(int) bool) {
		for i := range requests {
			if !yield(i) {
				return
			}
		}
	})) {
		t.Errorf("answered %d requests of %d: %v", len(got), requests, got)
	}
}

// The remote engine reads this server as it reads llama-server: a translation and a document (its sentences sent
// as concurrent requests) come out as the local engine gives them.
func TestRemoteEngineAgainstGugugoServe(t *testing.T) {
	e := engine(t, "echo", echo)
	url := serve(t, e, Options{APIKey: "k"})
	if _, err := inference.Connect(context.Background(), inference.RemoteOptions{URL: url}); err == nil || !strings.Contains(err.Error(), "API key") {
		t.Errorf("no key: %v", err)
	}
	r, err := inference.Connect(context.Background(), inference.RemoteOptions{URL: url + "/v1/", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Info().Name != "gugugo-test" {
		t.Errorf("model %q", r.Info().Name)
	}
	var doc strings.Builder
	for i := range 6 {
		w := strings.TrimSpace(echoWords[i])
		fmt.Fprintf(&doc, "%s %s %s. ", w, strings.TrimSpace(echoWords[i+1]), w)
	}
	for _, text := range []string{"student student la.", strings.TrimSpace(doc.String())} {
		local, err := e.Translate(context.Background(), inference.Request{Text: text, Direction: inference.KoreanToEnglish}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var streamed bytes.Buffer
		res, err := r.Translate(context.Background(), inference.Request{Text: text, Direction: inference.KoreanToEnglish}, func(p, soFar string) {
			streamed.WriteString(p)
			if soFar != streamed.String() {
				t.Errorf("so far %q after %q", soFar, streamed.String())
			}
		})
		if err != nil || res.Text != local.Text || streamed.String() != local.Text || res.Chunks != local.Chunks {
			t.Errorf("remote %q (%d chunks, %v), local %q (%d chunks)", res.Text, res.Chunks, err, local.Text, local.Chunks)
		}
	}
}

// Browser extensions and app webviews may read the replies; web sites may not. curl's default form type on a JSON
// body, and lists too long or empty, are handled.
func TestOriginsFormsAndLists(t *testing.T) {
	url := serve(t, engine(t, "hello", hello), Options{APIKey: "k"})
	for origin, allowed := range map[string]bool{"chrome-extension://abc": true, "moz-extension://x": true, "tauri://localhost": true,
		"http://tauri.localhost": true, "http://127.0.0.1:3000": true, "https://evil.example": false, "null": false, "": false} {
		req, _ := http.NewRequest(http.MethodOptions, url+"/v1/chat/completions", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); (got == origin && origin != "") != allowed || resp.StatusCode != 204 {
			t.Errorf("origin %q: %d, allowed %q", origin, resp.StatusCode, got)
		}
	}
	if status, _ := post(t, url+"/translate?token=k", jsonType, `{"text":"안녕","target_lang":"EN"}`, "Origin", "https://evil.example"); status != 403 {
		t.Errorf("a web page's request: %d", status)
	}
	if status, _ := post(t, url+"/translate?token=k", jsonType, `{"text":"안녕","target_lang":"EN"}`, "Origin", "null"); status != 403 {
		t.Errorf("a sandboxed page's request: %d", status)
	}
	if status, _ := post(t, url+"/translate?token=k", jsonType, `{"text":"안녕","target_lang":"EN"}`, "Origin", "chrome-extension://abc"); status != 200 {
		t.Errorf("an extension's request: %d", status)
	}
	form := "application/x-www-form-urlencoded"
	if status, v := post(t, url+"/v1/chat/completions", form, `{"messages":[{"role":"user","content":"안녕"}]}`, "Authorization", "Bearer k"); status != 200 || field(v, "choices", 0, "message", "content") != "Hello world." {
		t.Errorf("chat JSON sent as a form: %d %v", status, v)
	}
	if status, v := post(t, url+"/translate?token=k", form, `{"text":"안녕","target_lang":"EN"}`); status != 200 || field(v, "data") != "Hello world." {
		t.Errorf("DeepLX JSON sent as a form: %d %v", status, v)
	}
	if status, v := post(t, url+"/translate?token=k", jsonType, `{"q":[],"target":"en"}`); status != 400 || field(v, "error") == nil {
		t.Errorf("an empty list: %d %v", status, v)
	}
	many, _ := json.Marshal(map[string]any{"q": slices.Repeat([]string{"a"}, maxTexts+1), "target": "ko"})
	if status, v := post(t, url+"/translate?token=k", jsonType, string(many)); status != 400 || !strings.Contains(fmt.Sprint(field(v, "error")), "at most 128") {
		t.Errorf("too many texts: %d %v", status, v)
	}
}

// The glossary steers every dialect's text and the DeepLX and LibreTranslate replies name the terms missing from
// the translation; LibreTranslate's format "html" keeps the tags. The hello model answers "Hello world." to all.
func TestGlossaryAndHTML(t *testing.T) {
	e := engine(t, "hello", hello)
	base := serve(t, e, Options{Glossary: func(d inference.Direction) glossary.List {
		if d == inference.KoreanToEnglish {
			return glossary.List{{Source: "세계", Target: "world"}, {Source: "사과", Target: "apple"}}
		}
		return nil
	}})
	code, v := post(t, base+"/translate", "application/json", `{"text":"사과와 세계","source_lang":"KO","target_lang":"EN"}`)
	missing := field(v, "glossary_missing")
	if code != 200 || fmt.Sprint(missing) != "[map[source:사과 target:apple]]" {
		t.Errorf("DeepLX: %d %v", code, v)
	}
	code, v = post(t, base+"/translate", "application/json", `{"q":"<p>사과와 <b>세계</b></p><pre>코드</pre>","source":"ko","target":"en","format":"html"}`)
	got, _ := field(v, "translatedText").(string)
	if code != 200 || !strings.HasPrefix(got, "<p>") || !strings.Contains(got, "<b>") || !strings.HasSuffix(got, "</b></p><pre>코드</pre>") ||
		!strings.Contains(got, "Hello world.") || field(v, "glossary_missing") == nil {
		t.Errorf("LibreTranslate html: %d %v", code, v)
	}
	code, v = post(t, base+"/v1/chat/completions", "application/json", `{"model":"x","messages":[{"role":"user","content":"사과와 세계"}]}`)
	if code != 200 || fmt.Sprint(field(v, "glossary_missing")) != "[map[source:사과 target:apple]]" {
		t.Errorf("OpenAI chat: %d %v", code, v)
	}
	code, v = post(t, base+"/translate", "application/json", `{"q":"Nothing of the glossary","source":"en","target":"ko"}`)
	if code != 200 || field(v, "glossary_missing") != nil {
		t.Errorf("a reply without missing terms: %d %v", code, v)
	}
}
