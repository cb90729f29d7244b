package instance

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// SocketPath is where the instance listens: $XDG_RUNTIME_DIR/gugugo/instance.sock, or a private folder in the
// system's temporary folder when there is no runtime folder.
func SocketPath() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gugugo-"+strconv.Itoa(os.Getuid()))
	} else {
		dir = filepath.Join(dir, "gugugo")
	}
	return filepath.Join(dir, "instance.sock")
}

// peerIsThisUser refuses a connection from another user id, by the socket's peer credentials.
func peerIsThisUser(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
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
