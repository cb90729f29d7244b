package inference

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// llamaServer is llama.cpp's llama-server built from the pinned source by scripts/llama-server.sh, which make test
// runs first and which exports its path as GUGUGO_LLAMA_SERVER.
func llamaServer(t *testing.T) string {
	if p := os.Getenv("GUGUGO_LLAMA_SERVER"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".cache", "gugugo", "llama-server-v0.5.0", "bin", "llama-server")
	if _, err := os.Stat(p); err != nil {
		t.Skip("llama-server is not built: run scripts/llama-server.sh (make test does)")
	}
	return p
}

// startLlamaServer serves a model with llama-server on a free loopback port until the test ends.
func startLlamaServer(t *testing.T, modelPath string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(llamaServer(t), "-m", modelPath, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "-np", "4", "-c", "4096", "-t", "2", "--no-webui")
	log, _ := os.Create(filepath.Join(t.TempDir(), "llama-server.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(log.Name())
			t.Fatalf("llama-server did not become ready in 60 s:\n%s", out)
		}
	}
}

// The remote engine against llama.cpp's own server on the same tiny models: the answers are the local engine's, a
// document's sentences going as concurrent requests.
func TestRemoteAgainstLlamaServer(t *testing.T) {
	words := []string{" la", " li", " lu", " apple", " student", " weather", " good", " Hello", " world", " today"}
	for _, c := range []struct {
		name string
		path string
		text string
	}{
		{"scripted", scripted(t, "gptneox", "marker", -1, " Hello", " world", ".", "<", "/", "끝", ">", " the"), "안녕하세요"},
		{"echo", model(t, "echo-gptneox", tinymodel.Options{Arch: "gptneox", Echo: words}), "la li la. student lu student. today today world. good apple good. weather la weather."},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := startLlamaServer(t, c.path)
			r, err := Connect(context.Background(), RemoteOptions{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			e := load(t, c.path, Options{Parallel: 4})
			req := Request{Text: c.text, Direction: KoreanToEnglish}
			local, err := e.Translate(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			var pieces []string
			res, err := r.Translate(context.Background(), req, func(p, _ string) { pieces = append(pieces, p) })
			if err != nil || res.Text != local.Text || strings.Join(pieces, "") != local.Text || res.Chunks != local.Chunks {
				t.Errorf("llama-server: %q in %d chunks (%v); local: %q in %d", res.Text, res.Chunks, err, local.Text, local.Chunks)
			}
			if res.Stop != local.Stop || res.GeneratedTokens == 0 {
				t.Errorf("stop %s, %d tokens", res.Stop, res.GeneratedTokens)
			}
		})
	}
}

// Every way a server can fail is an error that says what happened, in time.
func TestRemoteFailures(t *testing.T) {
	models := `{"object":"list","data":[{"id":"gugugo-7b"}]}`
	fake := func(completions http.HandlerFunc) string {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, models) })
		mux.HandleFunc("POST /v1/completions", completions)
		s := httptest.NewServer(mux)
		t.Cleanup(s.Close)
		return s.URL
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, err := Connect(context.Background(), RemoteOptions{URL: closed.URL}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("refused: %v", err)
	}
	if _, err := Connect(context.Background(), RemoteOptions{URL: "gpu-box:8080"}); err == nil || !strings.Contains(err.Error(), "http://") {
		t.Errorf("no scheme: %v", err)
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>router login</html>") }))
	defer html.Close()
	if _, err := Connect(context.Background(), RemoteOptions{URL: html.URL}); err == nil || !strings.Contains(err.Error(), "not an OpenAI-compatible reply") {
		t.Errorf("a web page: %v", err)
	}
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"message":"Invalid API Key","type":"authentication_error"}}`)
		}, "API key"},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "CUDA out of memory", 500) }, "500 Internal Server Error: CUDA out of memory"},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "data: {not json\n\n") }, "not an OpenAI-compatible reply"},
		{"nothing", func(w http.ResponseWriter, r *http.Request) {}, "not an OpenAI-compatible reply"},
		{"error frame", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "data: {\"choices\":[{\"text\":\" Hel\"}]}\n\ndata: {\"error\":{\"message\":\"slot unavailable\"}}\n\n")
		}, "slot unavailable"},
		{"llama-server's error line", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "error: {\"code\":500,\"message\":\"the request exceeds the available context size\",\"type\":\"exceed_context_size_error\"}\n\n")
		}, "exceeds the available context size"},
		{"stall", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "data: {\"choices\":[{\"text\":\" Hel\"}]}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "stopped answering"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Connect(context.Background(), RemoteOptions{URL: fake(c.handler), Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = r.Translate(context.Background(), Request{Text: "안녕"}, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want %q", err, c.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
	// A caller that gives up stops its requests.
	started := make(chan struct{})
	gone := make(chan struct{})
	r, _ := Connect(context.Background(), RemoteOptions{URL: fake(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "data: {\"choices\":[{\"text\":\" Hel\"}]}\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
		close(gone)
	})})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	if _, err := r.Translate(ctx, Request{Text: "안녕"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Error("the request went on at the server after the caller gave up")
	}
}
