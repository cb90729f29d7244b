package instance

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary be a client run as another user: with Send, or (INSTANCE_CLIENT_RAW) connecting
// past Send's own checks, to reach the server's.
func TestMain(m *testing.M) {
	if p := os.Getenv("INSTANCE_CLIENT_SOCKET"); p != "" {
		err := Send(p, Request{Command: Show})
		if os.Getenv("INSTANCE_CLIENT_RAW") != "" {
			err = sendRaw(p)
		}
		if err != nil {
			os.Stdout.WriteString("refused: " + err.Error())
			os.Exit(3)
		}
		os.Stdout.WriteString("accepted")
		return
	}
	os.Exit(m.Run())
}

func sendRaw(p string) error {
	c, err := net.Dial("unix", p)
	if err != nil {
		return err
	}
	defer c.Close()
	c.Write([]byte(`{"command":"show"}` + "\n"))
	reply, err := bufio.NewReader(c).ReadString('\n')
	if reply != "ok\n" {
		return fmt.Errorf("no answer (%v)", err)
	}
	return nil
}

func startServer(t *testing.T, path string) (*Server, chan Request) {
	t.Helper()
	got := make(chan Request, 8)
	s, err := Listen(path, func(r Request) { got <- r })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, got
}

func refusedWith(t *testing.T, s *Server, want string) {
	t.Helper()
	select {
	case why := <-s.Refused():
		if !strings.Contains(why, want) {
			t.Errorf("refused because %q, want %q", why, want)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("nothing was refused, want %q", want)
	}
}

func TestSendReachesTheInstance(t *testing.T) {
	p := testAddress(t)
	_, got := startServer(t, p)
	for _, cmd := range []string{Show, TranslateClipboard} {
		if err := Send(p, Request{Command: cmd}); err != nil {
			t.Fatal(err)
		}
		if r := <-got; r.Command != cmd {
			t.Errorf("got %q", r.Command)
		}
	}
	privateToThisUser(t, p)
	if _, err := Listen(p, func(Request) {}); err == nil || !strings.Contains(err.Error(), "another Gugugo instance") {
		t.Errorf("a second instance: %v", err)
	}
}

func TestNoInstance(t *testing.T) {
	if err := Send(testAddress(t), Request{Command: Show}); err != ErrNotRunning {
		t.Errorf("got %v", err)
	}
}

func TestGarbageAndOversizedAreDropped(t *testing.T) {
	p := testAddress(t)
	s, got := startServer(t, p)
	for _, c := range []struct{ data, want string }{
		{"hello\n", "malformed"},
		{`{"command":"rm -rf /"}` + "\n", "malformed"},
		{`{"command":"open-model","model":"relative.gguf"}` + "\n", "malformed"},
		{`{"command":"open-model"}` + "\n", "malformed"},
		{strings.Repeat("x", 10*MaxRequest), "dropped a request"},
	} {
		conn, err := dial(p, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte(c.data))
		refusedWith(t, s, c.want)
		conn.Close()
	}
	if err := Send(p, Request{Command: Show}); err != nil || (<-got).Command != Show {
		t.Errorf("after garbage: %v", err)
	}
	abs, _ := filepath.Abs("m.gguf") // a path only: under Wine a temporary folder cannot be removed (docs/windows.md)
	open := Request{Command: OpenModel, Model: abs}
	if err := Send(p, open); err != nil || <-got != open {
		t.Errorf("open-model: %v", err)
	}
}

// A client that connects and sends nothing is dropped after the read deadline, and the next one is served.
func TestSilentClientIsDropped(t *testing.T) {
	p := testAddress(t)
	s, got := startServer(t, p)
	conn, err := dial(p, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	refusedWith(t, s, "dropped a request")
	if err := Send(p, Request{Command: Show}); err != nil || (<-got).Command != Show {
		t.Errorf("after a silent client: %v", err)
	}
}

// FuzzRequestLine decodes any line as a request: what it accepts is a known command with the fields it needs.
func FuzzRequestLine(f *testing.F) {
	f.Add([]byte(`{"command":"show"}` + "\n"))
	f.Add([]byte(`{"command":"open-model","model":"/home/me/m.gguf"}` + "\n"))
	f.Add([]byte(`{"command":"translate-clipboard","model":"x"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		req, err := decode(line)
		if err != nil {
			return
		}
		switch req.Command {
		case Show, TranslateClipboard:
			if req.Model != "" {
				t.Fatalf("accepted %+v", req)
			}
		case OpenModel:
			if !filepath.IsAbs(req.Model) {
				t.Fatalf("accepted %+v", req)
			}
		default:
			t.Fatalf("accepted the command %q", req.Command)
		}
	})
}
