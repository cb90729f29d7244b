// Package instance keeps Gugugo to one running window per user and lets commands reach it: a second start, or
// `gugugo show` and `gugugo translate-clipboard` bound to a desktop shortcut (the way to a global key on Wayland),
// send a request to the running window. On Linux that is a Unix socket in the user's runtime folder, with
// owner-only permissions, and a connection from another user id is refused by its peer credentials; on Windows a
// named pipe whose name and access list carry the user's SID, so only that user can open it. Either way no other
// account can read the clipboard through it or drive the app. Requests are one small JSON line; anything larger or
// malformed is dropped.
package instance

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// Commands a request may carry.
const (
	Show               = "show"
	TranslateClipboard = "translate-clipboard"
	// OpenModel loads Request.Model in the running window: what `gugugo --model FILE` asks of an open one.
	OpenModel = "open-model"
)

// MaxRequest is the most bytes a request may have.
const MaxRequest = 4096

// Request is what a command sends to the running instance.
type Request struct {
	Command string `json:"command"`
	Model   string `json:"model,omitempty"` // an absolute path, for OpenModel
}

func (r Request) valid() bool {
	switch r.Command {
	case Show, TranslateClipboard:
		return r.Model == ""
	case OpenModel:
		return filepath.IsAbs(r.Model)
	}
	return false
}

// ErrNotRunning means no instance answered.
var ErrNotRunning = errors.New("no Gugugo instance is running")

// FolderError means the socket's folder is not this user's alone, so that nothing in it can be trusted to be this
// user's instance, nor a socket made there kept from others.
type FolderError struct{ Dir, Why string }

func (e *FolderError) Error() string { return e.Dir + " " + e.Why }

// Server answers requests until Close.
type Server struct {
	ln   net.Listener
	addr string
	// Refused counts connections dropped: another user, or a bad request.
	refused chan string
}

// Listen takes the address (Address) for this process. A socket left by a crashed instance (nobody answers on it)
// is replaced; a live instance behind it is an error that says so.
func Listen(addr string, handle func(Request)) (*Server, error) {
	ln, err := listen(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, addr: addr, refused: make(chan string, 16)}
	go s.serve(handle)
	return s, nil
}

func (s *Server) serve(handle func(Request)) {
	for {
		c, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // one failed connection; the next client is still served
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go func() {
			defer c.Close()
			if req, err := s.read(c); err != nil {
				select {
				case s.refused <- err.Error():
				default:
				}
			} else {
				handle(req)
				c.Write([]byte("ok\n"))
			}
		}()
	}
}

// read checks who is calling and reads one request.
func (s *Server) read(c net.Conn) (Request, error) {
	var req Request
	if err := peerIsThisUser(c); err != nil {
		return req, err
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReaderSize(c, MaxRequest+1).ReadSlice('\n')
	if err != nil {
		return req, fmt.Errorf("dropped a request: %w", err) // too long (buffer full), or no newline in time
	}
	return decode(line)
}

// decode reads a request line: JSON of a known command and its fields, or an error.
func decode(line []byte) (Request, error) {
	var req Request
	if json.Unmarshal(line, &req) != nil || !req.valid() {
		return Request{}, errors.New("dropped a malformed request")
	}
	return req, nil
}

// Refused gives the reasons connections were dropped, for tests and logs.
func (s *Server) Refused() <-chan string { return s.refused }

// Close stops listening and removes the socket.
func (s *Server) Close() error {
	err := s.ln.Close()
	unlisten(s.addr)
	return err
}

// Send asks the instance at addr to run req; ErrNotRunning when none answers.
func Send(addr string, req Request) error {
	c, err := dial(addr, time.Second)
	var folder *FolderError
	if errors.As(err, &folder) {
		return err
	}
	if err != nil {
		return ErrNotRunning
	}
	defer c.Close()
	b, _ := json.Marshal(req)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(append(b, '\n')); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || reply != "ok\n" {
		return fmt.Errorf("the running instance did not accept %q", req.Command)
	}
	return nil
}
