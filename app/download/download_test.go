package download

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// server serves one file with Range support (http.ServeContent), and can cut the first response after some bytes.
type server struct {
	*httptest.Server
	data []byte
	sum  string

	mu       sync.Mutex
	cutAfter int      // >0: the next response stops after this many bytes and drops the connection
	ranges   []string // the Range header of each request
}

func newServer(t *testing.T, size int) *server {
	s := &server{data: make([]byte, size)}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range s.data {
		s.data[i] = byte(rng.Uint32())
	}
	h := sha256.Sum256(s.data)
	s.sum = hex.EncodeToString(h[:])
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/model.gguf" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		cut := s.cutAfter
		s.cutAfter = 0
		s.mu.Unlock()
		if cut > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(s.data)))
			w.WriteHeader(http.StatusOK)
			w.Write(s.data[:cut])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		http.ServeContent(w, r, "model.gguf", time.Time{}, bytes.NewReader(s.data))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) file() File {
	return File{URL: s.URL + "/model.gguf", Size: int64(len(s.data)), SHA256: s.sum}
}

var fast = &Downloader{Backoff: 10 * time.Millisecond}

func TestCutConnectionResumes(t *testing.T) {
	s := newServer(t, 3<<20)
	s.cutAfter = 1 << 20
	dest := filepath.Join(t.TempDir(), "m.gguf")
	var seen []Progress
	err := fast.Fetch(context.Background(), s.file(), dest, func(p Progress) {
		if _, err := os.Stat(dest); err == nil {
			t.Error("the file appeared before it was complete")
		}
		seen = append(seen, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, s.data) {
		t.Fatal("the file differs from the server's")
	}
	if len(s.ranges) != 2 || s.ranges[0] != "" || s.ranges[1] != "bytes=1048576-" {
		t.Errorf("requests' ranges %q, want a resume from 1048576", s.ranges)
	}
	if last := seen[len(seen)-1]; last.Done != int64(len(s.data)) || last.Total != int64(len(s.data)) {
		t.Errorf("last progress %+v", last)
	}
	if _, err := os.Stat(PartialName(dest)); err == nil {
		t.Error("the partial file is left")
	}
}

func TestRestartResumesFromThePartialFile(t *testing.T) {
	s := newServer(t, 16<<20)
	dest := filepath.Join(t.TempDir(), "m.gguf")
	// An earlier run was stopped: cancel at the first progress report.
	ctx, cancel := context.WithCancel(context.Background())
	err := fast.Fetch(ctx, s.file(), dest, func(p Progress) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	info, err := os.Stat(PartialName(dest))
	if err != nil || info.Size() == 0 || info.Size() >= int64(len(s.data)) {
		t.Fatalf("partial file after the stop: %v, %v", info, err)
	}
	if err := fast.Fetch(context.Background(), s.file(), dest, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, s.data) {
		t.Fatal("the resumed file differs")
	}
	if last := s.ranges[len(s.ranges)-1]; last != "bytes="+strconv.FormatInt(info.Size(), 10)+"-" {
		t.Errorf("the restart asked for %q, want the bytes from %d", last, info.Size())
	}
}

func TestWrongChecksumDeletesTheFile(t *testing.T) {
	s := newServer(t, 100_000)
	dest := filepath.Join(t.TempDir(), "m.gguf")
	f := s.file()
	f.SHA256 = strings.Repeat("0", 64)
	if err := fast.Fetch(context.Background(), f, dest, nil); !errors.Is(err, ErrChecksum) {
		t.Fatalf("got %v, want ErrChecksum", err)
	}
	for _, p := range []string{dest, PartialName(dest)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is left", p)
		}
	}
}

func TestClearErrors(t *testing.T) {
	s := newServer(t, 1000)
	dir := t.TempDir()
	err := fast.Fetch(context.Background(), File{URL: s.URL + "/missing.gguf"}, filepath.Join(dir, "a"), nil)
	if err == nil || !strings.Contains(err.Error(), "not found on the server (HTTP 404)") {
		t.Errorf("404: %v", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	err = (&Downloader{Retries: 1, Backoff: time.Millisecond}).Fetch(context.Background(), File{URL: "http://" + addr + "/m.gguf"}, filepath.Join(dir, "b"), nil)
	if err == nil || !strings.Contains(err.Error(), "connection was refused") {
		t.Errorf("refused: %v", err)
	}
	// A name that does not resolve (offline, or .invalid, which never does) is not retried: with an hour between
	// retries, a retry would hang the test. Nothing is left behind, not even an empty partial file.
	err = (&Downloader{Retries: 5, Backoff: time.Hour}).Fetch(context.Background(), File{URL: "http://gugugo-test.invalid/m.gguf"}, filepath.Join(dir, "e"), nil)
	if err == nil || !strings.Contains(err.Error(), "no network, or the name does not resolve") {
		t.Errorf("unresolvable: %v", err)
	}
	if _, err := os.Stat(PartialName(filepath.Join(dir, "e"))); err == nil {
		t.Error("an empty partial file was left")
	}
	f := s.file()
	f.Size = 1 << 62 // more than any disk
	err = fast.Fetch(context.Background(), f, filepath.Join(dir, "c"), nil)
	if err == nil || !strings.Contains(err.Error(), "not enough disk space") {
		t.Errorf("disk space: %v", err)
	}
	f = s.file()
	f.Size = 999
	err = fast.Fetch(context.Background(), f, filepath.Join(dir, "d"), nil)
	if err == nil || !strings.Contains(err.Error(), "the catalogue says 999") {
		t.Errorf("size mismatch: %v", err)
	}
}

// TestProxyVariablesAreUsed runs in a child process of its own: net/http reads the proxy variables once per process.
func TestProxyVariablesAreUsed(t *testing.T) {
	if os.Getenv("DOWNLOAD_TEST_PROXY_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProxyVariablesAreUsed$", "-test.v")
		cmd.Env = append(os.Environ(), "DOWNLOAD_TEST_PROXY_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestProxyVariablesAreUsed") {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	s := newServer(t, 5000)
	var via []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		via = append(via, r.URL.String()) // a proxy gets the absolute URL
		resp, err := http.Get(strings.Replace(r.URL.String(), "gugugo-test.invalid", "127.0.0.1", 1))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		buf := new(bytes.Buffer)
		buf.ReadFrom(resp.Body)
		w.Write(buf.Bytes())
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	// net/http never proxies loopback addresses; a name that resolves to the test server's address is needed.
	f := s.file()
	f.URL = strings.Replace(f.URL, "127.0.0.1", "gugugo-test.invalid", 1)
	dest := filepath.Join(t.TempDir(), "m.gguf")
	if err := fast.Fetch(context.Background(), f, dest, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, s.data) {
		t.Error("the file fetched through the proxy differs")
	}
	if len(via) == 0 || !strings.HasPrefix(via[0], "http://gugugo-test.invalid") {
		t.Errorf("the proxy saw %q", via)
	}
}
