package instance

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func testAddress(t *testing.T) string { return filepath.Join(t.TempDir(), "gugugo", "instance.sock") }

// privateToThisUser checks the socket's and its folder's modes.
func privateToThisUser(t *testing.T, p string) {
	t.Helper()
	st, _ := os.Stat(p)
	dir, _ := os.Stat(filepath.Dir(p))
	if st.Mode().Perm() != 0o600 || dir.Mode().Perm() != 0o700 {
		t.Errorf("socket %v, folder %v", st.Mode().Perm(), dir.Mode().Perm())
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
	_, got := startServer(t, p)
	if err := Send(p, Request{Command: Show}); err != nil || (<-got).Command != Show {
		t.Errorf("after replacing a stale socket: %v", err)
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
	s, got := startServer(t, p)
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
