// Package win32 is app/desktop on Windows: the global hotkey (RegisterHotKey), the clipboard and word of its changes
// (AddClipboardFormatListener), the pointer, and moving a window. Both the hotkey and the clipboard listener belong
// to a window and deliver to its thread's message queue, so a Conn owns a hidden message-only window on an OS thread
// of its own that runs the message loop; every call that touches the window or the clipboard runs on that thread.
package win32

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

// Conn is an open connection to the desktop's services; it is also a desktop.Placer.
type Conn struct {
	hwnd uintptr

	mu       sync.Mutex
	calls    []func() // to run on the window's thread
	hotkeys  map[uintptr]func()
	nextID   uintptr
	watchers []chan time.Time
	// lastUpdate is when the clipboard last changed, to drop the echo of one copy.
	lastUpdate time.Time
	closed     chan struct{}
	loopDone   chan struct{}
}

var (
	classOnce sync.Once
	classErr  error
	className = windows.StringToUTF16Ptr("GugugoDesktopMessages")
	conns     sync.Map // hwnd → *Conn, for the window procedure
)

func registerClass() error {
	classOnce.Do(func() {
		wc := wndClassEx{wndProc: syscall.NewCallback(wndProc), className: className}
		wc.size = uint32(unsafe.Sizeof(wc))
		if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
			classErr = fmt.Errorf("RegisterClassEx: %w", err)
		}
	})
	return classErr
}

// Open starts the message window's thread.
func Open() (*Conn, error) {
	if err := registerClass(); err != nil {
		return nil, err
	}
	c := &Conn{hotkeys: map[uintptr]func(){}, nextID: 1, closed: make(chan struct{}), loopDone: make(chan struct{})}
	ready := make(chan error, 1)
	go c.loop(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Conn) loop(ready chan<- error) {
	runtime.LockOSThread() // the window, its hotkeys and the clipboard belong to this thread
	defer close(c.loopDone)
	hwnd, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(className)), 0, 0, 0, 0, 0, 0, hwndMessage, 0, 0, 0)
	if hwnd == 0 {
		ready <- fmt.Errorf("CreateWindowEx: %w", err)
		return
	}
	c.hwnd = hwnd
	conns.Store(hwnd, c)
	ready <- nil
	var m msg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 { // WM_QUIT, or an error
			return
		}
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
		select {
		case <-c.closed:
			return
		default:
		}
	}
}

func wndProc(hwnd, message, wParam, lParam uintptr) uintptr {
	v, ok := conns.Load(hwnd)
	if !ok {
		r, _, _ := procDefWindowProcW.Call(hwnd, message, wParam, lParam)
		return r
	}
	c := v.(*Conn)
	switch message {
	case wmApp:
		c.mu.Lock()
		calls := c.calls
		c.calls = nil
		c.mu.Unlock()
		for _, f := range calls {
			f()
		}
		return 0
	case wmHotkey:
		c.mu.Lock()
		fire := c.hotkeys[wParam]
		c.mu.Unlock()
		if fire != nil {
			go fire()
		}
		return 0
	case wmClipboardUpdate:
		at := time.Now()
		c.mu.Lock()
		// Some programs set the clipboard twice for one copy (text, then more formats): one copy, not Ctrl+C+C.
		if at.Sub(c.lastUpdate) < clipboardEcho {
			c.mu.Unlock()
			return 0
		}
		c.lastUpdate = at
		for _, w := range c.watchers {
			select {
			case w <- at:
			default: // a watcher this far behind has more changes to read already
			}
		}
		c.mu.Unlock()
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(hwnd, message, wParam, lParam)
	return r
}

// clipboardEcho is how close a second clipboard change must follow one to be taken for the same copy; people copy
// twice at least about a tenth of a second apart.
const clipboardEcho = 50 * time.Millisecond

// errClosed is returned by calls on a closed Conn.
var errClosed = errors.New("the desktop connection is closed")

// do runs f on the window's thread, waits for it and returns its error.
func (c *Conn) do(f func() error) error {
	done := make(chan error, 1)
	c.mu.Lock()
	select {
	case <-c.closed:
		c.mu.Unlock()
		return errClosed
	default:
	}
	c.calls = append(c.calls, func() { done <- f() })
	c.mu.Unlock()
	if r, _, err := procPostMessageW.Call(c.hwnd, wmApp, 0, 0); r == 0 {
		return fmt.Errorf("PostMessage: %w", err)
	}
	select {
	case err := <-done:
		return err
	case <-c.loopDone:
		return errClosed
	}
}

// Close releases the hotkeys and the clipboard listener and ends the window's thread.
func (c *Conn) Close() {
	err := c.do(func() error {
		c.mu.Lock()
		select {
		case <-c.closed: // another Close ran first in the same batch
			c.mu.Unlock()
			return nil
		default:
		}
		for id := range c.hotkeys {
			procUnregisterHotKey.Call(c.hwnd, id)
		}
		c.hotkeys = map[uintptr]func(){}
		if len(c.watchers) > 0 {
			procRemoveClipboardFormatListener.Call(c.hwnd)
		}
		close(c.closed)
		c.mu.Unlock()
		conns.Delete(c.hwnd)
		procDestroyWindow.Call(c.hwnd)
		return nil
	})
	if err == nil {
		<-c.loopDone
	}
}

// Grab makes h call fire, from its own goroutine, whenever it is pressed in any window. It returns ErrTaken when
// another program holds the combination. Holding the keys down does not repeat it.
func (c *Conn) Grab(h desktop.Hotkey, fire func()) (ungrab func(), err error) {
	vk, err := virtualKey(h.Key)
	if err != nil {
		return nil, err
	}
	var id uintptr
	err = c.do(func() error {
		c.mu.Lock()
		id = c.nextID
		c.nextID++
		c.mu.Unlock()
		if r, _, err := procRegisterHotKey.Call(c.hwnd, id, uintptr(modifiers(h.Mods)|modNoRepeat), uintptr(vk)); r == 0 {
			if errno, ok := err.(syscall.Errno); ok && errno == errorHotkeyAlreadyRegistered {
				return fmt.Errorf("%s: %w", h, desktop.ErrTaken)
			}
			return fmt.Errorf("%s: RegisterHotKey: %w", h, err)
		}
		c.mu.Lock()
		c.hotkeys[id] = fire
		c.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func() {
		c.do(func() error {
			procUnregisterHotKey.Call(c.hwnd, id)
			c.mu.Lock()
			delete(c.hotkeys, id)
			c.mu.Unlock()
			return nil
		})
	}, nil
}

// ReadSelection returns the clipboard's text: "" when it holds none, ErrTooLarge when it holds more than max bytes.
// Windows has no selection apart from the clipboard, so Primary is always "" and the hotkey reads the clipboard.
func (c *Conn) ReadSelection(which string, max int) (string, error) {
	if which != desktop.Clipboard {
		return "", nil
	}
	var text string
	err := c.do(func() (err error) {
		text, err = c.readClipboard(max)
		return err
	})
	return text, err
}

// openClipboard opens the clipboard for this window, waiting a little for a program that holds it open (the one
// that just copied, often).
func (c *Conn) openClipboard() error {
	var err error
	for i := 0; i < 20; i++ {
		var r uintptr
		if r, _, err = procOpenClipboard.Call(c.hwnd); r != 0 {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("another program holds the clipboard open: %w", err)
}

func (c *Conn) readClipboard(max int) (string, error) {
	if err := c.openClipboard(); err != nil {
		return "", err
	}
	defer procCloseClipboard.Call()
	h, _, _ := procGetClipboardData.Call(cfUnicodeText)
	if h == 0 {
		return "", nil // no text on the clipboard
	}
	p, _, err := procGlobalLock.Call(h)
	if p == 0 {
		return "", fmt.Errorf("GlobalLock: %w", err)
	}
	defer procGlobalUnlock.Call(h)
	size, _, _ := procGlobalSize.Call(h)
	units := unsafe.Slice((*uint16)(globalMemory(p)), size/2)
	n := 0
	for n < len(units) && units[n] != 0 {
		n++
	}
	if n > max { // every UTF-16 unit is at least one byte of UTF-8
		return "", desktop.ErrTooLarge
	}
	s := string(utf16.Decode(units[:n]))
	if len(s) > max {
		return "", desktop.ErrTooLarge
	}
	return s, nil
}

// WriteClipboard puts text on the clipboard, as a program's Copy does.
func (c *Conn) WriteClipboard(text string) error {
	return c.do(func() error { return c.writeClipboard(text) })
}

func (c *Conn) writeClipboard(text string) error {
	units := utf16.Encode([]rune(text + "\x00"))
	h, _, err := procGlobalAlloc.Call(gmemMoveable, uintptr(len(units)*2))
	if h == 0 {
		return fmt.Errorf("GlobalAlloc: %w", err)
	}
	p, _, err := procGlobalLock.Call(h)
	if p == 0 {
		procGlobalFree.Call(h)
		return fmt.Errorf("GlobalLock: %w", err)
	}
	copy(unsafe.Slice((*uint16)(globalMemory(p)), len(units)), units)
	procGlobalUnlock.Call(h)
	if err := c.openClipboard(); err != nil {
		procGlobalFree.Call(h)
		return err
	}
	defer procCloseClipboard.Call()
	procEmptyClipboard.Call()
	if r, _, err := procSetClipboardData.Call(cfUnicodeText, h); r == 0 {
		procGlobalFree.Call(h)
		return fmt.Errorf("SetClipboardData: %w", err)
	}
	return nil // the clipboard owns h now
}

// WatchClipboard calls changed each time a program sets the clipboard (every copy, also of the same text), in order,
// from a goroutine of its own, so changed may read the clipboard.
func (c *Conn) WatchClipboard(changed func(at time.Time)) error {
	ch := make(chan time.Time, 16)
	err := c.do(func() error {
		c.mu.Lock()
		first := len(c.watchers) == 0
		c.watchers = append(c.watchers, ch)
		c.mu.Unlock()
		if first {
			if r, _, err := procAddClipboardFormatListener.Call(c.hwnd); r == 0 {
				return fmt.Errorf("AddClipboardFormatListener: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	go func() {
		for {
			select {
			case at := <-ch:
				changed(at)
			case <-c.closed:
				return
			}
		}
	}()
	return nil
}

// Pointer is where the mouse pointer is, in screen pixels.
func (c *Conn) Pointer() (x, y int, err error) {
	var p point
	if r, _, err := procGetCursorPos.Call(uintptr(unsafe.Pointer(&p))); r == 0 {
		return 0, 0, fmt.Errorf("GetCursorPos: %w", err)
	}
	return int(p.x), int(p.y), nil
}

// ScreenSize is the size of the primary screen in pixels.
func (c *Conn) ScreenSize() (w, h int) {
	cx, _, _ := procGetSystemMetrics.Call(smCXScreen)
	cy, _, _ := procGetSystemMetrics.Call(smCYScreen)
	return int(int32(cx)), int(int32(cy))
}

// Move places the window with the given handle (the HWND in Fyne's driver.WindowsWindowContext) at x, y.
func (c *Conn) Move(window uintptr, x, y int) error {
	if r, _, err := procSetWindowPos.Call(window, 0, uintptr(x), uintptr(y), 0, 0, swpNoSize|swpNoZOrder|swpNoActivate); r == 0 {
		return fmt.Errorf("SetWindowPos: %w", err)
	}
	return nil
}

// globalMemory is the address GlobalLock returned: memory Windows owns, which Go's collector never moves.
func globalMemory(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
