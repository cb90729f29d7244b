package instance

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary be a client run as another user.
func TestMain(m *testing.M) {
	if p := os.Getenv("INSTANCE_CLIENT_SOCKET"); p != "" {
		if err := Send(p, Request{Command: Show}); err != nil {
			os.Stdout.WriteString("refused: " + err.Error())
			os.Exit(3)
		}
		os.Stdout.WriteString("accepted")
		return
	}
	os.Exit(m.Run())
}

func listen(t *testing.T, path string) (*Server, chan Request) {
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
	p := filepath.Join(t.TempDir(), "gugugo", "instance.sock")
	_, got := listen(t, p)
	for _, cmd := range []string{Show, TranslateClipboard} {
		if err := Send(p, Request{Command: cmd}); err != nil {
			t.Fatal(err)
		}
		if r := <-got; r.Command != cmd {
			t.Errorf("got %q", r.Command)
		}
	}
	st, _ := os.Stat(p)
	dir, _ := os.Stat(filepath.Dir(p))
	if st.Mode().Perm() != 0o600 || dir.Mode().Perm() != 0o700 {
		t.Errorf("socket %v, folder %v", st.Mode().Perm(), dir.Mode().Perm())
	}
	if _, err := Listen(p, func(Request) {}); err == nil || !strings.Contains(err.Error(), "another Gugugo instance") {
		t.Errorf("a second instance: %v", err)
	}
}

func TestNoInstance(t *testing.T) {
	if err := Send(filepath.Join(t.TempDir(), "none.sock"), Request{Command: Show}); err != ErrNotRunning {
		t.Errorf("got %v", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	p := filepath.Join(t.TempDir(), "instance.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close() // as a crashed instance leaves it
	if _, err := os.Stat(p); err != nil {
		t.Fatal("no stale socket to test with")
	}
	_, got := listen(t, p)
	if err := Send(p, Request{Command: Show}); err != nil || (<-got).Command != Show {
		t.Errorf("after replacing a stale socket: %v", err)
	}
}

func TestGarbageAndOversizedAreDropped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "instance.sock")
	s, got := listen(t, p)
	for _, c := range []struct{ data, want string }{
		{"hello\n", "malformed"},
		{`{"command":"rm -rf /"}` + "\n", "malformed"},
		{strings.Repeat("x", 10*MaxRequest), "dropped a request"},
	} {
		conn, err := net.Dial("unix", p)
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
}

// Another user id is kept out by the socket's mode, and, were the mode wrong, by the peer-credential check.
func TestOtherUserIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv not found")
	}
	dir, _ := os.MkdirTemp("", "instance-test")
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "client")
	data, _ := os.ReadFile(os.Args[0])
	os.WriteFile(bin, data, 0o755)
	sockDir := filepath.Join(dir, "run")
	p := filepath.Join(sockDir, "instance.sock")
	s, got := listen(t, p)
	client := func() string {
		cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin)
		cmd.Env = []string{"INSTANCE_CLIENT_SOCKET=" + p}
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := client(); !strings.HasPrefix(out, "refused") {
		t.Errorf("with the socket's own mode, another user got: %q", out)
	}
	os.Chmod(sockDir, 0o755) // a permissions mistake: the credential check must still hold
	os.Chmod(p, 0o666)
	if out := client(); !strings.HasPrefix(out, "refused") {
		t.Errorf("through a world-writable socket, another user got: %q", out)
	}
	refusedWith(t, s, "user id 65534")
	select {
	case r := <-got:
		t.Errorf("another user's request was run: %+v", r)
	default:
	}
}
