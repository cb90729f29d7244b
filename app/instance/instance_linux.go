package instance

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Address is where the instance listens: $XDG_RUNTIME_DIR/gugugo/instance.sock, or a private folder in the
// system's temporary folder when there is no runtime folder.
func Address() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gugugo-"+strconv.Itoa(os.Getuid()))
	} else {
		dir = filepath.Join(dir, "gugugo")
	}
	return filepath.Join(dir, "instance.sock")
}

// privateDir makes sure dir is a folder of this user's that no one else can write to, creating it when it is
// missing. A folder that exists already (in the shared temporary folder, anyone may create it first) is refused when
// another user owns it or can write to it: its socket could be another user's, answering this user's commands.
func privateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return &FolderError{dir, fmt.Sprintf("is not a folder (%s): remove it, or set XDG_RUNTIME_DIR", fi.Mode().Type())}
	case !ok || int(st.Uid) != os.Getuid():
		return &FolderError{dir, fmt.Sprintf("belongs to another user (user id %d): remove it, or set XDG_RUNTIME_DIR", st.Uid)}
	case fi.Mode().Perm()&0o022 != 0:
		return &FolderError{dir, fmt.Sprintf("is open to other users (mode %04o): remove it, or make it private with chmod 700", fi.Mode().Perm())}
	}
	return nil
}

// listen takes the socket at path, replacing one that nobody answers on (its process is gone).
func listen(path string) (net.Listener, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("another Gugugo instance is running (%s)", path)
		}
		os.Remove(path)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

func unlisten(path string) { os.Remove(path) }

// dial connects to the instance at path, in a private folder and run by this user only.
func dial(path string, timeout time.Duration) (net.Conn, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, err
	}
	if err := peerIsThisUser(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// peerIsThisUser refuses a connection from (or, for a client, to) another user id, by the socket's peer
// credentials.
func peerIsThisUser(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("not a Unix socket: %T", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if credErr != nil {
		return credErr
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("refused a connection from user id %d", cred.Uid)
	}
	return nil
}
