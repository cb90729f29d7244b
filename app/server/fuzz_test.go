package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// upperCase translates by upper-casing, at once.
type upperCase struct{}

func (upperCase) TranslateShared(_ context.Context, req inference.Request, onPiece func(string, string)) (inference.Result, error) {
	out := strings.ToUpper(req.Text)
	if onPiece != nil {
		onPiece(out, out)
	}
	return inference.Result{Text: out, Stop: inference.StopMarker}, nil
}

var fuzzRoutes = []struct{ path, contentType string }{
	{"/translate", "application/json"},
	{"/translate", "application/x-www-form-urlencoded"},
	{"/translate", "multipart/form-data; boundary=xyz"},
	{"/v1/chat/completions", "application/json"},
	{"/v1/completions", "application/json"},
	{"/detect", "application/json"},
}

// FuzzRequests sends any body to each endpoint in each dialect's content type: no panic, no server error, and an
// answer of JSON or server-sent events.
func FuzzRequests(f *testing.F) {
	for i, body := range []string{
		`{"text":"안녕하세요","source_lang":"KO","target_lang":"EN"}`,
		`q=hello&source=en&target=ko&format=html`,
		"--xyz\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nhello\r\n--xyz--\r\n",
		`{"model":"x","stream":true,"messages":[{"role":"user","content":"{\"segments\":[{\"id\":1,\"text\":\"hi\"}],\"target_language\":\"ko\"}"}]}`,
		`{"prompt":"### 한국어: 안녕</끝>\n### 영어:","max_tokens":5}`,
		`{"q":"<p>Hello <b>x</b></p>","source":"auto","target":"ko","format":"html"}`,
	} {
		f.Add(uint8(i), body)
	}
	terms := glossary.List{{Source: "안녕", Target: "HELLO"}, {Source: "hello", Target: "안녕"}}
	s, err := New(upperCase{}, Options{Glossary: func(inference.Direction) glossary.List { return terms }})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(http.MethodPost, r.path, strings.NewReader(body))
		req.Header.Set("Content-Type", r.contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", r.path, body, w.Code, w.Body.String())
		}
		out := strings.TrimSpace(w.Body.String())
		if !strings.HasPrefix(out, "{") && !strings.HasPrefix(out, "[") && !strings.HasPrefix(out, "data:") {
			t.Fatalf("%s %q: %d, neither JSON nor events: %q", r.path, body, w.Code, out)
		}
	})
}
