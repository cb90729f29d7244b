// Package x11 implements the desktop services (package desktop) that Fyne lacks, on X11: a global hotkey (XGrabKey),
// reading the PRIMARY and CLIPBOARD selections (text, and a copied image), watching the clipboard for changes
// (XFixes), placing a window at the pointer, and capturing the screen. It talks to the X server through
// github.com/jezek/xgb, a pure-Go client that connects only when Open is called, so a binary that links it still runs
// where there is no display.
package x11

import (
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

func init() {
	// xgb logs unrecoverable read errors itself; Conn reports them through its own errors.
	xgb.Logger = log.New(io.Discard, "", 0)
}

// Conn is a connection to the X server with a hidden window of its own to receive selections.
type Conn struct {
	c    *xgb.Conn
	root xproto.Window
	win  xproto.Window

	clipboard, utf8, prop, incr, targets xproto.Atom
	images                               [len(imageTargets)]xproto.Atom // imageTargets' atoms
	minKey, maxKey                       xproto.Keycode

	mu       sync.Mutex
	grabs    map[grabKey]*grab
	watchers []chan time.Time
	readMu   sync.Mutex // one selection read at a time: they share prop, and replies are matched by selection and target
	replies  chan xproto.SelectionNotifyEvent
	chunks   chan struct{} // a new value of prop: the next chunk of an INCR transfer
	xfixes   bool
	closed   chan struct{}
	pongs    chan [2]uint32 // answers to MeasureResponsiveness's pings while it runs: the ping and its window
	pingAtom xproto.Atom
}

type grabKey struct {
	code xproto.Keycode
	mods uint16
}

type grab struct {
	fire func()
	last time.Time
}

// Open connects to the display ("" reads $DISPLAY).
func Open(display string) (*Conn, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("no X11 display: %w", err)
	}
	x := &Conn{c: c, grabs: map[grabKey]*grab{}, replies: make(chan xproto.SelectionNotifyEvent, 1), chunks: make(chan struct{}, 1),
		closed: make(chan struct{})}
	setup := xproto.Setup(c)
	screen := setup.DefaultScreen(c)
	x.root, x.minKey, x.maxKey = screen.Root, setup.MinKeycode, setup.MaxKeycode
	id, err := c.NewId()
	if err != nil {
		c.Close()
		return nil, err
	}
	x.win = xproto.Window(id)
	// Property changes on the window pace INCR transfers.
	if err := xproto.CreateWindowChecked(c, 0, x.win, x.root, -1, -1, 1, 1, 0, xproto.WindowClassInputOutput,
		screen.RootVisual, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		c.Close()
		return nil, fmt.Errorf("X11: %w", err)
	}
	atoms := map[string]*xproto.Atom{"CLIPBOARD": &x.clipboard, "UTF8_STRING": &x.utf8, "GUGUGO_SELECTION": &x.prop, "INCR": &x.incr,
		"TARGETS": &x.targets}
	for i, name := range imageTargets {
		atoms[name] = &x.images[i]
	}
	for name, atom := range atoms {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("X11: %w", err)
		}
		*atom = r.Atom
	}
	if xfixes.Init(c) == nil {
		if _, err := xfixes.QueryVersion(c, 5, 0).Reply(); err == nil {
			x.xfixes = true
		}
	}
	go x.events()
	return x, nil
}

// Close ungrabs every key and disconnects.
func (x *Conn) Close() {
	x.c.Close()
	<-x.closed
}

func (x *Conn) events() {
	defer close(x.closed)
	for {
		ev, err := x.c.WaitForEvent()
		if ev == nil && err == nil {
			return // the connection is closed
		}
		switch e := ev.(type) {
		case xproto.KeyPressEvent:
			x.mu.Lock()
			g := x.grabs[grabKey{e.Detail, e.State &^ (modLock | modNumLock)}]
			var fire func()
			// A held key repeats; one press is one request.
			if g != nil && time.Since(g.last) > 400*time.Millisecond {
				fire = g.fire
			}
			if g != nil {
				g.last = time.Now()
			}
			x.mu.Unlock()
			if fire != nil {
				go fire()
			}
		case xproto.SelectionNotifyEvent:
			select {
			case x.replies <- e:
			default: // nobody waits for it any more
			}
		case xproto.PropertyNotifyEvent:
			if e.Window == x.win && e.Atom == x.prop && e.State == xproto.PropertyNewValue {
				select {
				case x.chunks <- struct{}{}:
				default: // one is pending already, or nobody waits: convert drops those before a transfer
				}
			}
		case xproto.ClientMessageEvent:
			x.mu.Lock()
			if x.pongs != nil && e.Format == 32 && e.Data.Data32[0] == uint32(x.pingAtom) {
				select {
				case x.pongs <- [2]uint32{e.Data.Data32[1], e.Data.Data32[2]}:
				default:
				}
			}
			x.mu.Unlock()
		case xfixes.SelectionNotifyEvent:
			at := time.Now()
			x.mu.Lock()
			for _, w := range x.watchers {
				select {
				case w <- at:
				default: // a watcher far behind misses changes rather than stalling every event
				}
			}
			x.mu.Unlock()
		}
	}
}

// keycode finds the key that types sym without Shift, or one that types it at all.
func (x *Conn) keycode(sym uint32) (xproto.Keycode, error) {
	n := int(x.maxKey) - int(x.minKey) + 1
	m, err := xproto.GetKeyboardMapping(x.c, x.minKey, byte(n)).Reply()
	if err != nil {
		return 0, err
	}
	per := int(m.KeysymsPerKeycode)
	for col := 0; col < per; col++ {
		for i := 0; i < n; i++ {
			if uint32(m.Keysyms[i*per+col]) == sym {
				return x.minKey + xproto.Keycode(i), nil
			}
		}
	}
	return 0, fmt.Errorf("no key on this keyboard types keysym 0x%x", sym)
}

// Grab makes h call fire, from its own goroutine, whenever it is pressed in any window. It returns ErrTaken when
// another program holds the combination. Caps Lock and Num Lock do not matter.
func (x *Conn) Grab(h desktop.Hotkey, fire func()) (ungrab func(), err error) {
	sym, err := keysym(h.Key)
	if err != nil {
		return nil, err
	}
	code, err := x.keycode(sym)
	if err != nil {
		return nil, err
	}
	mods := modMask(h.Mods)
	var done []uint16
	ungrabAll := func() {
		for _, m := range done {
			xproto.UngrabKey(x.c, code, x.root, m)
		}
		x.c.Sync()
	}
	for _, extra := range []uint16{0, modLock, modNumLock, modLock | modNumLock} {
		err := xproto.GrabKeyChecked(x.c, true, x.root, mods|extra, code, xproto.GrabModeAsync, xproto.GrabModeAsync).Check()
		if err != nil {
			ungrabAll()
			if _, ok := err.(xproto.AccessError); ok {
				return nil, fmt.Errorf("%s: %w", h, desktop.ErrTaken)
			}
			return nil, fmt.Errorf("%s: %w", h, err)
		}
		done = append(done, mods|extra)
	}
	x.mu.Lock()
	x.grabs[grabKey{code, mods}] = &grab{fire: fire}
	x.mu.Unlock()
	return func() {
		x.mu.Lock()
		delete(x.grabs, grabKey{code, mods})
		x.mu.Unlock()
		ungrabAll()
	}, nil
}

// ReadSelection returns the text of PRIMARY (what is selected) or CLIPBOARD (what was copied): "" when it holds
// none, ErrTooLarge when it holds more than max bytes.
func (x *Conn) ReadSelection(which string, max int) (string, error) {
	sel := xproto.Atom(xproto.AtomPrimary)
	if which == desktop.Clipboard {
		sel = x.clipboard
	}
	x.readMu.Lock()
	defer x.readMu.Unlock()
	text, typ, err := x.convert(which, sel, x.utf8, max)
	if typ == xproto.AtomString {
		return latin1(text), err
	}
	return string(text), err
}

// imageTargets are the formats ReadClipboardImage asks for, best first: those Go's image package decodes.
var imageTargets = [...]string{"image/png", "image/jpeg", "image/gif"}

// ReadClipboardImage returns the image file (PNG, JPEG or GIF) that was copied: ErrNoImage when the clipboard
// holds no image, ErrTooLarge when the file is over max bytes, and an error naming the formats on offer when the
// image comes in none of those.
func (x *Conn) ReadClipboardImage(max int) ([]byte, error) {
	x.readMu.Lock()
	defer x.readMu.Unlock()
	b, _, err := x.convert(desktop.Clipboard, x.clipboard, x.targets, 64<<10)
	if err != nil {
		return nil, err
	}
	offered := make([]xproto.Atom, len(b)/4)
	for i := range offered {
		offered[i] = xproto.Atom(xgb.Get32(b[4*i:]))
	}
	for _, want := range x.images {
		if slices.Contains(offered, want) {
			data, _, err := x.convert(desktop.Clipboard, x.clipboard, want, max)
			if err == nil && len(data) == 0 {
				return nil, desktop.ErrNoImage // the clipboard changed since it offered the image
			}
			return data, err
		}
	}
	// Ask for every name at once: a round trip each would add up over the dozens some programs offer.
	cookies := make([]xproto.GetAtomNameCookie, len(offered))
	for i, a := range offered {
		cookies[i] = xproto.GetAtomName(x.c, a)
	}
	var images []string
	for _, c := range cookies {
		r, err := c.Reply()
		if err != nil {
			return nil, fmt.Errorf("X11: %w", err)
		}
		if strings.HasPrefix(r.Name, "image/") {
			images = append(images, r.Name)
		}
	}
	if len(images) == 0 {
		return nil, desktop.ErrNoImage
	}
	return nil, fmt.Errorf("the copied image is in no format Gugugo reads (PNG, JPEG, GIF): the program that copied it offers %s",
		strings.Join(images, ", "))
}

// stall is how long a selection's owner may take to answer, or to send the next chunk of an INCR transfer.
const stall = 2 * time.Second

// convert asks the owner of selection sel (named which) for it as target and returns what it sends, and its type:
// nil when there is no owner, it cannot convert or it sends another type, ErrTooLarge when it is over max bytes. The
// caller holds readMu.
func (x *Conn) convert(which string, sel, target xproto.Atom, max int) ([]byte, xproto.Atom, error) {
	select {
	case <-x.replies: // a late answer to a read that timed out
	default:
	}
	xproto.ConvertSelection(x.c, x.win, sel, target, x.prop, xproto.TimeCurrentTime)
	timeout := time.After(stall)
	for {
		select {
		case e := <-x.replies:
			if e.Selection != sel || e.Target != target {
				continue
			}
			if e.Property == xproto.AtomNone {
				return nil, 0, nil
			}
			// The owner set the property before it answered, so any new value seen so far is no chunk of this
			// transfer, which starts when the property is deleted below.
			select {
			case <-x.chunks:
			default:
			}
			r, tooLarge, err := x.take(max)
			switch {
			case err != nil:
				return nil, 0, err
			case r.Type == x.incr:
				return x.incrTransfer(which, target, max)
			case !x.isA(r.Type, target):
				return nil, r.Type, nil
			case tooLarge:
				return nil, r.Type, desktop.ErrTooLarge
			}
			return r.Value, r.Type, nil
		case <-timeout:
			return nil, 0, fmt.Errorf("the program that owns the %s selection did not answer", which)
		case <-x.closed:
			return nil, 0, errClosed
		}
	}
}

var errClosed = errors.New("the X11 connection is closed")

// latin1 decodes the Latin-1 text of a STRING selection.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// isA tells whether data of type typ is what was asked for as target. Some owners answer any request with what
// they hold (xclip -t image/png sends its PNG to a request for text); older programs answer a request for text in
// Latin-1 STRING; the list of TARGETS comes as ATOMs.
func (x *Conn) isA(typ, target xproto.Atom) bool {
	switch target {
	case x.utf8:
		return typ == x.utf8 || typ == xproto.AtomString
	case x.targets:
		return typ == xproto.AtomAtom
	}
	return typ == target
}

// testIncrChunk, when set by a test, is called with the size of each chunk of an INCR transfer.
var testIncrChunk func(n int)

// incrTransfer receives a selection the owner sends in chunks (ICCCM's INCR): it writes each chunk to the property
// once the one before is deleted, and ends with an empty one. Past max bytes, it drains the rest unread, which costs
// little, rather than leave the owner waiting for a deletion: ICCCM has no way to cancel a transfer, and some owners
// serve one at a time (xclip before 0.13 answered nobody else meanwhile).
func (x *Conn) incrTransfer(which string, target xproto.Atom, max int) ([]byte, xproto.Atom, error) {
	var data []byte
	var typ xproto.Atom
	tooLarge := false
	for {
		select {
		case <-x.chunks:
		case <-time.After(stall):
			return nil, 0, fmt.Errorf("the program that owns the %s selection stopped sending it midway", which)
		case <-x.closed:
			return nil, 0, errClosed
		}
		budget := max - len(data)
		if tooLarge {
			budget = 0
		}
		r, over, err := x.take(budget)
		if err != nil {
			return nil, 0, err
		}
		n := len(r.Value) + int(r.BytesAfter)
		if n == 0 {
			switch {
			case typ != 0 && !x.isA(typ, target):
				return nil, typ, nil // another type than asked for: no such data
			case tooLarge:
				return nil, typ, desktop.ErrTooLarge
			}
			return data, typ, nil
		}
		typ = r.Type
		if testIncrChunk != nil {
			testIncrChunk(n)
		}
		if over {
			tooLarge, data = true, nil
			continue
		}
		data = append(data, r.Value...)
	}
}

// take reads and deletes the property a selection is sent in, at most max bytes of it; over says it held more.
func (x *Conn) take(max int) (r *xproto.GetPropertyReply, over bool, err error) {
	r, err = xproto.GetProperty(x.c, true, x.win, x.prop, xproto.GetPropertyTypeAny, 0,
		uint32(min((uint64(max)+3)/4, math.MaxUint32))).Reply()
	if err != nil {
		return nil, false, fmt.Errorf("X11: reading a selection: %w", err)
	}
	if r.BytesAfter > 0 {
		// GetProperty deletes only a property read to its end; deleting it tells the owner to send the next chunk.
		xproto.DeleteProperty(x.c, x.win, x.prop)
	}
	return r, r.BytesAfter > 0 || len(r.Value) > max, nil
}

// WatchClipboard calls changed each time a program sets the clipboard (every copy, also of the same text), in order,
// from a goroutine of its own, so changed may read the selection. It needs the XFixes extension, which every current
// X server and XWayland have.
func (x *Conn) WatchClipboard(changed func(at time.Time)) error {
	if !x.xfixes {
		return errors.New("the X server lacks the XFixes extension, so clipboard changes cannot be seen")
	}
	ch := make(chan time.Time, 16)
	x.mu.Lock()
	first := len(x.watchers) == 0
	x.watchers = append(x.watchers, ch)
	x.mu.Unlock()
	go func() {
		for {
			select {
			case at := <-ch:
				changed(at)
			case <-x.closed:
				return
			}
		}
	}()
	if first {
		return xfixes.SelectSelectionInputChecked(x.c, x.win, x.clipboard, xfixes.SelectionEventMaskSetSelectionOwner).Check()
	}
	return nil
}

// Pointer is where the mouse pointer is, in screen pixels.
func (x *Conn) Pointer() (px, py int, err error) {
	r, err := xproto.QueryPointer(x.c, x.root).Reply()
	if err != nil {
		return 0, 0, err
	}
	return int(r.RootX), int(r.RootY), nil
}

// ScreenSize is the size of the default screen in pixels.
func (x *Conn) ScreenSize() (w, h int) {
	s := xproto.Setup(x.c).DefaultScreen(x.c)
	return int(s.WidthInPixels), int(s.HeightInPixels)
}

// Move places the X window with the given id (from Fyne's driver.X11WindowContext) at px, py on the screen.
func (x *Conn) Move(window uintptr, px, py int) error {
	return xproto.ConfigureWindowChecked(x.c, xproto.Window(window), xproto.ConfigWindowX|xproto.ConfigWindowY,
		[]uint32{uint32(int32(px)), uint32(int32(py))}).Check()
}

// captureStrip bounds the bytes of one GetImage reply: the screen comes in strips of rows, so that an 8K screen's
// 130 MB are not held twice, as the reply and as the image.
const captureStrip = 1 << 20

// Capture returns what the whole screen shows. It reads screens whose pixels are 32 bits (depth 24 or 32) with 8 bits
// a colour, in either byte order: those of current X servers and Xvfb.
func (x *Conn) Capture() (*image.RGBA, error) {
	setup := xproto.Setup(x.c)
	screen := setup.DefaultScreen(x.c)
	bpp := 0
	for _, f := range setup.PixmapFormats {
		if f.Depth == screen.RootDepth {
			bpp = int(f.BitsPerPixel)
		}
	}
	var vis xproto.VisualInfo
	for _, d := range screen.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == screen.RootVisual {
				vis = v
			}
		}
	}
	masks := []uint32{vis.RedMask, vis.GreenMask, vis.BlueMask}
	var shifts [3]int
	for i, m := range masks {
		shifts[i] = bits.TrailingZeros32(m)
		if bits.OnesCount32(m) != 8 || m>>shifts[i] != 0xff {
			bpp = 0
		}
	}
	if bpp != 32 {
		return nil, fmt.Errorf("the screen's pixel format (depth %d, masks %06x %06x %06x) is not one screen capture reads",
			screen.RootDepth, vis.RedMask, vis.GreenMask, vis.BlueMask)
	}
	w, h := int(screen.WidthInPixels), int(screen.HeightInPixels)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rows := max(1, captureStrip/(4*w))
	for y := 0; y < h; y += rows {
		n := min(rows, h-y)
		r, err := xproto.GetImage(x.c, xproto.ImageFormatZPixmap, xproto.Drawable(x.root), 0, int16(y), uint16(w), uint16(n),
			^uint32(0)).Reply()
		if err != nil {
			return nil, fmt.Errorf("X11: capturing the screen: %w", err)
		}
		if len(r.Data) < 4*w*n {
			return nil, fmt.Errorf("X11: capturing the screen: %d bytes for %d×%d pixels", len(r.Data), w, n)
		}
		out := img.Pix[y*img.Stride:]
		for i := 0; i < w*n; i++ {
			b := r.Data[4*i : 4*i+4]
			p := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
			if setup.ImageByteOrder == xproto.ImageOrderMSBFirst {
				p = bits.ReverseBytes32(p)
			}
			for c := range 3 {
				out[4*i+c] = uint8(p >> shifts[c])
			}
			out[4*i+3] = 0xff
		}
	}
	return img, nil
}
