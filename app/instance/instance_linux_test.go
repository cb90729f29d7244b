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
	client := func(env ...string) string {
		cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin)
		cmd.Env = append(env, "INSTANCE_CLIENT_SOCKET="+p)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	// Send itself will not talk to another user's instance.
	if out := client(); !strings.HasPrefix(out, "refused: ") || !strings.Contains(out, "belongs to another user (user id 0)") {
		t.Errorf("Send to another user's folder: %q", out)
	}
	if out := client("INSTANCE_CLIENT_RAW=1"); !strings.HasPrefix(out, "refused") {
		t.Errorf("with the socket's own mode, another user got: %q", out)
	}
	os.Chmod(sockDir, 0o755) // a permissions mistake: the credential check must still hold
	os.Chmod(p, 0o666)
	if out := client("INSTANCE_CLIENT_RAW=1"); !strings.HasPrefix(out, "refused") {
		t.Errorf("through a world-writable socket, another user got: %q", out)
	}
	refusedWith(t, s, "user id 65534")
	select {
	case r := <-got:
		t.Errorf("another user's request was run: %+v", r)
	default:
	}
}

// A folder for the socket that exists already and is not private is refused, with what is wrong with it: in the
// shared temporary folder, another user could have made it first.
func TestOpenOrForeignFolderIsRefused(t *testing.T) {
	open := filepath.Join(t.TempDir(), "gugugo-1000")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if _, err := Listen(filepath.Join(open, "instance.sock"), func(Request) {}); err == nil || !strings.Contains(err.Error(), "is open to other users (mode 0777)") {
		t.Errorf("a folder with mode 777: %v", err)
	}
	if err := Send(filepath.Join(open, "instance.sock"), Request{Command: Show}); err == nil || !strings.Contains(err.Error(), "is open to other users") {
		t.Errorf("Send through an open folder: %v", err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Listen(filepath.Join(file, "instance.sock"), func(Request) {}); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("a file where the folder goes: %v", err)
	}
	if os.Getuid() != 0 {
		return // only root can give a folder to another user
	}
	foreign := filepath.Join(t.TempDir(), "gugugo-1000")
	os.Mkdir(foreign, 0o700)
	os.Chown(foreign, 65534, 65534)
	if _, err := Listen(filepath.Join(foreign, "instance.sock"), func(Request) {}); err == nil || !strings.Contains(err.Error(), "belongs to another user (user id 65534)") {
		t.Errorf("another user's folder: %v", err)
	}
}
