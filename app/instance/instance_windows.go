package instance

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Address is the instance's named pipe, \\.\pipe\gugugo-<the user's SID>: one per user, also with several users
// signed in at once.
func Address() string { return `\\.\pipe\gugugo-` + userSID() }

func userSID() string {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "unknown"
	}
	return u.User.Sid.String()
}

// Pipe flags (WinBase.h) that x/sys/windows lacks.
const (
	pipeAccessDuplex          = 0x3
	pipeRejectRemoteClients   = 0x8
	pipeUnlimitedInstances    = 255
	fileFlagFirstPipeInstance = 0x00080000
)

// pipeListener serves a named pipe with plain blocking calls, one instance waiting for a client at a time. (The
// overlapped I/O of github.com/Microsoft/go-winio never saw a client connect under Wine, where this is tested.)
type pipeListener struct {
	name *uint16
	addr string
	sa   *windows.SecurityAttributes

	mu     sync.Mutex
	next   windows.Handle // the instance the next client connects to
	closed bool
}

// listen creates the pipe with an access list that lets only this user (and nobody else, administrators neither)
// open it, and refuses clients on other computers. Its first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE,
// so it fails while another process holds the name: a running instance, or a squatter, whose pipe this one never
// joins.
func listen(addr string) (net.Listener, error) {
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + userSID() + ")")
	if err != nil {
		return nil, err
	}
	// Wine does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE; asking first covers it.
	if c, err := dial(addr, 100*time.Millisecond); err == nil {
		c.Close()
		return nil, fmt.Errorf("another Gugugo instance is running (%s)", addr)
	}
	l := &pipeListener{name: windows.StringToUTF16Ptr(addr), addr: addr}
	l.sa = &windows.SecurityAttributes{SecurityDescriptor: sd}
	l.sa.Length = uint32(unsafe.Sizeof(*l.sa))
	h, err := l.instance(fileFlagFirstPipeInstance)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
		return nil, fmt.Errorf("another Gugugo instance is running (%s)", addr)
	}
	if err != nil {
		return nil, err
	}
	l.next = h
	return l, nil
}

func (l *pipeListener) instance(flags uint32) (windows.Handle, error) {
	return windows.CreateNamedPipe(l.name, pipeAccessDuplex|flags, pipeRejectRemoteClients, pipeUnlimitedInstances,
		MaxRequest, MaxRequest, 0, l.sa)
}

func (l *pipeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	h := l.next
	l.mu.Unlock()
	for {
		err := windows.ConnectNamedPipe(h, nil)
		if !errors.Is(err, windows.ERROR_NO_DATA) {
			if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
				l.mu.Lock()
				closed := l.closed
				l.mu.Unlock()
				if !closed {
					windows.DisconnectNamedPipe(h) // ready for the next client
					return nil, err
				}
			}
			break
		}
		// A client came and went before the call (a second instance's check): wait for the next one.
		windows.DisconnectNamedPipe(h)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		windows.CloseHandle(h)
		return nil, net.ErrClosed
	}
	var err error
	// The next instance exists before this one is handed out, so a client never finds the name gone.
	if l.next, err = l.instance(0); err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	return &pipeConn{h: h, server: true}, nil
}

// Close stops Accept: it connects to the waiting instance itself, which wakes ConnectNamedPipe.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	if c, err := dial(l.addr, time.Second); err == nil {
		c.Close()
	}
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.addr) }

func unlisten(string) {} // a pipe goes with its last handle

func dial(addr string, timeout time.Duration) (net.Conn, error) {
	name, err := windows.UTF16PtrFromString(addr)
	if err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		// Identification level only: a server squatting on the name cannot act as this user.
		h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
		if err == nil {
			return &pipeConn{h: h}, nil
		}
		if !errors.Is(err, windows.ERROR_PIPE_BUSY) || time.Now().After(deadline) {
			return nil, err
		}
	}
}

// peerIsThisUser has nothing left to check: the pipe's access list admits only this user.
func peerIsThisUser(net.Conn) error { return nil }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeConn is one end of a connected pipe. Its deadlines bound Read and Write: past one, the call is cancelled and
// returns os.ErrDeadlineExceeded.
type pipeConn struct {
	h      windows.Handle
	server bool

	mu       sync.Mutex
	deadline time.Time
	closed   bool
}

func (c *pipeConn) Read(b []byte) (int, error) {
	buf := make([]byte, len(b)) // the call may outlive a deadline, so it reads into a buffer of its own
	n, err := c.io(func() (uint32, error) {
		var n uint32
		err := windows.ReadFile(c.h, buf, &n, nil)
		return n, err
	})
	copy(b, buf[:n])
	return n, err
}

func (c *pipeConn) Write(b []byte) (int, error) {
	buf := append([]byte(nil), b...)
	return c.io(func() (uint32, error) {
		var n uint32
		err := windows.WriteFile(c.h, buf, &n, nil)
		return n, err
	})
}

// io runs one blocking call on the handle, bounded by the deadline: past it, the call is cancelled and left to end
// on its own.
func (c *pipeConn) io(f func() (uint32, error)) (int, error) {
	c.mu.Lock()
	deadline := c.deadline
	c.mu.Unlock()
	type result struct {
		n   uint32
		err error
	}
	done := make(chan result, 1)
	go func() { n, err := f(); done <- result{n, err} }()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case r := <-done:
		if errors.Is(r.err, windows.ERROR_BROKEN_PIPE) || errors.Is(r.err, windows.ERROR_PIPE_NOT_CONNECTED) {
			return int(r.n), io.EOF
		}
		return int(r.n), r.err
	case <-timeout:
		windows.CancelIoEx(c.h, nil)
		return 0, os.ErrDeadlineExceeded
	}
}

func (c *pipeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.server {
		windows.FlushFileBuffers(c.h)
		windows.DisconnectNamedPipe(c.h)
	}
	return windows.CloseHandle(c.h)
}

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return nil
}
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }
func (c *pipeConn) LocalAddr() net.Addr                { return pipeAddr("") }
func (c *pipeConn) RemoteAddr() net.Addr               { return pipeAddr("") }
