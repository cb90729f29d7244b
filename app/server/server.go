// Package server lets other programs translate with Gugugo: one HTTP port answering in the dialects translators'
// clients speak: DeepLX and LibreTranslate (POST /translate, told apart by the body), and OpenAI (chat and raw
// completions). Requests that arrive together are decoded together (inference.Engine.TranslateShared).
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Translator translates one request, decoded together with the others in flight; *inference.Engine is one.
type Translator interface {
	TranslateShared(ctx context.Context, req inference.Request, onPiece func(piece, soFar string)) (inference.Result, error)
}

// DefaultAddr is where the server listens unless told otherwise: loopback only, on DeepLX's port, which clients
// such as pot offer first.
const DefaultAddr = "127.0.0.1:1188"

// DefaultMaxBody is the largest request body accepted.
const DefaultMaxBody = 1 << 20

// maxInFlight is the most requests translated or waiting at once; beyond it a request is told to come back later.
const maxInFlight = 256

// maxTexts is the most texts one request may hold (a LibreTranslate list, Kiss Translator's segments).
const maxTexts = 128

// Options configure a Server.
type Options struct {
	Addr string // host:port; "" is DefaultAddr
	// APIKey, when set, is required of every request. It must be set to listen on anything but loopback.
	APIKey  string
	MaxBody int64 // 0 is DefaultMaxBody
	// Model names the model for /v1/models and the replies; nil or "" gives "gugugo".
	Model func() string
	// Log, when set, is told of each request served: its dialect, status and duration.
	Log func(Entry)
	// Glossary, when set, gives the term pairs of a direction: they steer each translation, and the DeepLX,
	// LibreTranslate and (not streamed) OpenAI chat replies list those missing from it (glossary_missing).
	Glossary func(inference.Direction) glossary.List
}

// Entry is one request served.
type Entry struct {
	Dialect  string
	Path     string
	Status   int
	Chars    int // characters translated
	Duration time.Duration
	Err      error
}

// ErrKeyNeeded means the server was asked to listen beyond this computer without an API key.
var ErrKeyNeeded = errors.New("an API key is required to listen on an address other computers can reach (gugugo serve --api-key KEY or $GUGUGO_API_KEY; in the app, Settings → Sharing → API key)")

// Server answers translation requests.
type Server struct {
	t        Translator
	o        Options
	inFlight chan struct{}

	mu       sync.Mutex
	listener net.Listener
	http     *http.Server
}

// New checks the options and makes a server; it listens once Start is called.
func New(t Translator, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.MaxBody < 0 {
		return nil, errors.New("the body limit must be positive")
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w (want host:port, such as %s)", o.Addr, err, DefaultAddr)
	}
	if !Loopback(host) && o.APIKey == "" {
		return nil, fmt.Errorf("%s: %w", o.Addr, ErrKeyNeeded)
	}
	return &Server{t: t, o: o, inFlight: make(chan struct{}, maxInFlight)}, nil
}

// Loopback reports whether host names only this computer.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Start listens and serves in the background.
func (s *Server) Start() error {
	l, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", s.o.Addr, err)
	}
	// Streams may run long, so only reading the request is bounded, and idle connections.
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	s.mu.Lock()
	s.listener, s.http = l, hs
	s.mu.Unlock()
	go hs.Serve(l)
	return nil
}

// Addr is the address listened on (with the port chosen when it was 0), or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// Close stops listening and ends the requests in progress: their clients' connections close, which cancels their
// translations.
func (s *Server) Close() error {
	s.mu.Lock()
	hs := s.http
	s.http, s.listener = nil, nil
	s.mu.Unlock()
	if hs == nil {
		return nil
	}
	return hs.Close()
}

// Handler answers every dialect on one mux.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /translate", s.translate)
	mux.HandleFunc("POST /translate/{$}", s.translate) // PDFMathTranslate's docs write the URL so
	mux.HandleFunc("GET /languages", s.languages)
	mux.HandleFunc("POST /detect", s.detect)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /chat/completions", s.chat)
	mux.HandleFunc("POST /v1/completions", s.completions)
	mux.HandleFunc("POST /completions", s.completions)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("GET /models", s.models)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		openAIError(w, http.StatusNotFound, fmt.Sprintf("no %s %s here: Gugugo serves POST /translate (DeepLX, LibreTranslate), /v1/chat/completions and /v1/completions (OpenAI)", r.Method, r.URL.Path), "not_found")
	})
	return s.guard(mux)
}

// guard answers CORS preflights (webview and browser-extension clients send them), checks the API key and bounds
// the body. Keys in headers or the query are checked before any body is read; only LibreTranslate's clients, which
// send the key in the body, get their body read first.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: rw}
		defer s.logRequest(rec, r, time.Now())
		var w http.ResponseWriter = rec
		h := w.Header()
		origin := r.Header.Get("Origin")
		if allowedOrigin(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		} else if origin != "" && r.Method != http.MethodOptions {
			// A web page's request: browsers send its origin. Without this, any page could make the GPU work.
			dialectError(w, r, http.StatusForbidden, "requests from web pages are not served; browser extensions and apps are")
			return
		}
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, api-key, X-Requested-With, *")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.ContentLength > s.o.MaxBody {
			tooLarge(w, r, s.o.MaxBody)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxBody)
		keyed := s.o.APIKey == "" || s.matches(s.headerKeys(r))
		bodyKey := r.Method == http.MethodPost && (translatePath(r) || r.URL.Path == "/detect")
		if !keyed && !bodyKey {
			unauthorized(w, r)
			return
		}
		if r.Method == http.MethodPost && translatePath(r) {
			if _, err := readTranslateBody(r); err != nil {
				bodyError(w, r, err, s.o.MaxBody)
				return
			}
		}
		if !keyed && !s.matches([]string{s.bodyKey(r)}) {
			unauthorized(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func unauthorized(w http.ResponseWriter, r *http.Request) {
	dialectError(w, r, http.StatusUnauthorized, "a valid API key is required: send it as Authorization: Bearer KEY (DeepLX clients may use ?token=KEY, LibreTranslate ones api_key)")
}

// allowedOrigin reports whether a browser context may read the replies: a browser extension or an app's webview
// (their origins are not web pages') or a page served from this computer. Web sites may not: with no key, any page
// the user visits could otherwise use the translator.
func allowedOrigin(origin string) bool {
	if origin == "" || origin == "null" { // "null": a sandboxed frame or a data: page, which any site can make
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return true // chrome-extension://, moz-extension://, tauri:// (pot)
	}
	return Loopback(u.Hostname()) || u.Hostname() == "tauri.localhost"
}

// headerKeys are the keys a request carries outside its body: Authorization: Bearer or DeepL-Auth-Key, an api-key
// header (Zotero sends it), DeepLX's ?token=.
func (s *Server) headerKeys(r *http.Request) []string {
	var sent []string
	if a := r.Header.Get("Authorization"); a != "" {
		for _, scheme := range []string{"Bearer ", "DeepL-Auth-Key "} {
			if k, ok := strings.CutPrefix(a, scheme); ok {
				sent = append(sent, strings.TrimSpace(k))
			}
		}
	}
	return append(sent, r.Header.Get("api-key"), r.URL.Query().Get("token"), r.URL.Query().Get("api_key"))
}

// bodyKey is LibreTranslate's api_key field of a /translate body (read already) or a /detect form (Crow's).
func (s *Server) bodyKey(r *http.Request) string {
	if b, ok := r.Context().Value(bodyKey{}).(*translateBody); ok {
		return b.APIKey
	}
	if isForm(r) {
		return r.PostFormValue("api_key")
	}
	return ""
}

func (s *Server) matches(sent []string) bool {
	for _, k := range sent {
		if k != "" && subtle.ConstantTimeCompare([]byte(k), []byte(s.o.APIKey)) == 1 {
			return true
		}
	}
	return false
}

// translatePath reports whether the request is for DeepLX's and LibreTranslate's /translate.
func translatePath(r *http.Request) bool { return strings.TrimSuffix(r.URL.Path, "/") == "/translate" }

// isForm reports whether the body is a form, as LibreTranslate's clients may send.
func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

// dialectError answers with the error shape of the dialect the request speaks (dialectOf); LibreTranslate's, the
// plainest, for the rest.
func dialectError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	switch d := dialectOf(r); {
	case strings.HasPrefix(d, "openai"):
		openAIError(w, status, msg, "invalid_request_error")
	case d == "deeplx":
		deeplxError(w, status, msg)
	default:
		libreError(w, status, msg)
	}
}

func tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	dialectError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than the server's limit of %d KiB", limit>>10))
}

// bodyError answers a body that could not be read: too large (413) or malformed (400).
func bodyError(w http.ResponseWriter, r *http.Request, err error, limit int64) {
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		tooLarge(w, r, limit)
		return
	}
	dialectError(w, r, http.StatusBadRequest, "malformed request body: "+err.Error())
}

// admit takes a place among the requests in flight, or answers 429.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	select {
	case s.inFlight <- struct{}{}:
		return true
	default:
		w.Header().Set("Retry-After", "1")
		dialectError(w, r, http.StatusTooManyRequests, "too many requests at once; try again shortly")
		return false
	}
}

func (s *Server) leave() { <-s.inFlight }

func (s *Server) modelName() string {
	if s.o.Model != nil {
		if m := s.o.Model(); m != "" {
			return m
		}
	}
	return "gugugo"
}

// recorder keeps a reply's status and what its handler translated, for the request's log line.
type recorder struct {
	http.ResponseWriter
	status int
	chars  int   // characters translated
	err    error // why the translation failed
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController flush the stream.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// logTranslation records what a handler translated and how it ended, for the line the guard logs.
func logTranslation(w http.ResponseWriter, chars int, err error) {
	if rec, ok := w.(*recorder); ok {
		rec.chars, rec.err = chars, err
	}
}

// logRequest logs one line for every request, errors included: its dialect, status and duration, and for a
// translation what it translated. A translation whose client left is logged as 499, with nothing answered.
func (s *Server) logRequest(rec *recorder, r *http.Request, start time.Time) {
	if s.o.Log == nil {
		return
	}
	status := rec.status
	if errors.Is(rec.err, context.Canceled) || status == 0 {
		status = statusOf(rec.err)
	}
	s.o.Log(Entry{Dialect: dialectOf(r), Path: r.URL.Path, Status: status, Chars: rec.chars, Duration: time.Since(start), Err: rec.err})
}

// dialectOf names the dialect a request speaks, for its log line and its errors.
func dialectOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return "openai-chat"
	case strings.HasSuffix(p, "/completions"):
		return "openai-completions"
	case strings.HasPrefix(p, "/v1") || strings.Contains(p, "models"):
		return "openai"
	case translatePath(r) && !libreRequest(r):
		return "deeplx"
	case translatePath(r) || p == "/detect" || p == "/languages":
		return "libretranslate"
	}
	return "http"
}

// translateStatus is the HTTP status for a failed translation: 503 while no model is loaded or it was unloaded, 500
// otherwise. A cancelled one is not answered: its client is gone.
func translateStatus(err error) int {
	if errors.Is(err, inference.ErrClosed) || strings.Contains(err.Error(), "no model") {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
