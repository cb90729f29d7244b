package x11

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/desktop/desktoptest"
)

// TestMain doubles as "another program", which says it is ready and keeps at it until its input closes: with
// X11_TEST_GRAB set, the test binary holds that key combination; with X11_TEST_STALL, it owns the clipboard and
// stalls an image transfer. (Two connections in one process would race inside xgb, whose extension tables are
// global.)
func TestMain(m *testing.M) {
	if combo := os.Getenv("X11_TEST_GRAB"); combo != "" {
		h, err := desktop.ParseHotkey(combo)
		if err != nil {
			panic(err)
		}
		x, err := Open("")
		if err != nil {
			panic(err)
		}
		if _, err := x.Grab(h, func() {}); err != nil {
			panic(err)
		}
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin)
		return
	}
	if os.Getenv("X11_TEST_STALL") != "" {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
		stallImage()
		return
	}
	os.Exit(m.Run())
}

// stallImage owns the clipboard, offers a PNG image, and when asked for it announces an INCR transfer that never
// comes.
func stallImage() {
	c, err := xgb.NewConn()
	if err != nil {
		panic(err)
	}
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		if err != nil {
			panic(err)
		}
		return r.Atom
	}
	clipboard, targets, pngType, incr := atom("CLIPBOARD"), atom("TARGETS"), atom("image/png"), atom("INCR")
	id, _ := c.NewId()
	win := xproto.Window(id)
	screen := xproto.Setup(c).DefaultScreen(c)
	if err := xproto.CreateWindowChecked(c, 0, win, screen.Root, 0, 0, 1, 1, 0, xproto.WindowClassInputOutput,
		screen.RootVisual, 0, nil).Check(); err != nil {
		panic(err)
	}
	xproto.SetSelectionOwner(c, win, clipboard, xproto.TimeCurrentTime)
	if r, err := xproto.GetSelectionOwner(c, clipboard).Reply(); err != nil || r.Owner != win {
		panic("did not get the clipboard")
	}
	os.Stdout.WriteString("ready\n")
	for {
		ev, err := c.WaitForEvent()
		if ev == nil && err == nil {
			return
		}
		req, ok := ev.(xproto.SelectionRequestEvent)
		if !ok {
			continue
		}
		switch req.Target {
		case targets:
			xproto.ChangeProperty(c, xproto.PropModeReplace, req.Requestor, req.Property, xproto.AtomAtom, 32, 2,
				binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(targets)), uint32(pngType)))
		case pngType:
			xproto.ChangeProperty(c, xproto.PropModeReplace, req.Requestor, req.Property, incr, 32, 1,
				binary.LittleEndian.AppendUint32(nil, 1<<20))
		default:
			req.Property = xproto.AtomNone
		}
		reply := xproto.SelectionNotifyEvent{Time: req.Time, Requestor: req.Requestor, Selection: req.Selection,
			Target: req.Target, Property: req.Property}
		xproto.SendEvent(c, false, req.Requestor, 0, string(reply.Bytes()))
	}
}

// elsewhere runs the test binary as another program with env set, until the test ends.
func elsewhere(t *testing.T, display, env string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "DISPLAY="+display, env)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("the other process (%s) did not start: %q", env, line)
	}
}

func TestEveryKeyOfACombinationHasAKeysym(t *testing.T) {
	keys := append([]string{"A", "Z", "0", "9", "F1", "F24"}, desktop.NamedKeys...)
	for _, k := range keys {
		h, err := desktop.ParseHotkey("Ctrl+" + k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keysym(h.Key); err != nil {
			t.Error(err)
		}
	}
	if got := modMask(desktop.Ctrl | desktop.Alt | desktop.Shift | desktop.Super); got != modControl|modAlt|modShift|modSuper {
		t.Errorf("mask %b", got)
	}
}

// xvfb starts a private X server for the test and returns its display name.
func xvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "800x600x24")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("Xvfb (installed by `make test`): %v", err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

func open(t *testing.T, display string) *Conn {
	t.Helper()
	x, err := Open(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Close)
	return x
}

// run runs an X client program (xdotool, xclip) on the display. Its output goes to a file, not a pipe: xclip leaves
// a child behind that owns the selection and would hold a pipe open.
func run(t *testing.T, display, stdin string, name string, args ...string) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("%s %v: %v %s", name, args, err, b)
	}
}

func TestOpenWithoutDisplay(t *testing.T) {
	if _, err := Open(":4077"); err == nil {
		t.Fatal("opened a display that does not exist")
	}
}

func TestHotkeyFiresAndConflicts(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	h, _ := desktop.ParseHotkey("Ctrl+Alt+G")
	pressed := make(chan struct{}, 4)
	ungrab, err := x.Grab(h, func() { pressed <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	press := func(when string) {
		t.Helper()
		run(t, d, "", "xdotool", "key", "ctrl+alt+g")
		select {
		case <-pressed:
		case <-time.After(5 * time.Second):
			t.Fatal("the hotkey did not fire " + when)
		}
	}
	press("")
	// Num Lock on must not matter.
	run(t, d, "", "xdotool", "key", "Num_Lock")
	time.Sleep(500 * time.Millisecond) // past the key-repeat guard
	press("with Num Lock on")
	run(t, d, "", "xdotool", "key", "Num_Lock")

	// Released, the keys are free for another program, and then taken for us.
	ungrab()
	elsewhere(t, d, "X11_TEST_GRAB=Ctrl+Alt+G")
	if _, err := x.Grab(h, func() {}); !errors.Is(err, desktop.ErrTaken) {
		t.Fatalf("grabbing keys another program holds: %v, want desktop.ErrTaken", err)
	}
	h2, _ := desktop.ParseHotkey("Ctrl+Alt+F8")
	if u, err := x.Grab(h2, func() {}); err != nil {
		t.Fatalf("another combination: %v", err)
	} else {
		u()
	}
}

// copyWith makes xclip own a selection with text, and waits until it answers: xclip forks, and its child may take
// the selection a moment after the command returns.
func copyWith(t *testing.T, x *Conn, display, which, text string) {
	t.Helper()
	run(t, display, text, "xclip", "-selection", strings.ToLower(which))
	waitFor(t, "xclip to take the "+which+" selection", func() bool {
		got, err := x.ReadSelection(which, 4<<20)
		return err == nil && got == text
	})
}

// waitFor polls ok for two seconds: xclip's child takes a selection a moment after xclip returns.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestReadSelections(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	if s, err := x.ReadSelection(desktop.Primary, 1<<20); s != "" || err != nil {
		t.Fatalf("an empty PRIMARY gave %q, %v", s, err)
	}
	copyWith(t, x, d, desktop.Clipboard, "안녕하세요, world")
	copyWith(t, x, d, desktop.Primary, "selected 텍스트")
	if s, err := x.ReadSelection(desktop.Clipboard, 1<<20); s != "안녕하세요, world" || err != nil {
		t.Errorf("CLIPBOARD: %q, %v", s, err)
	}
	if s, err := x.ReadSelection(desktop.Primary, 1<<20); s != "selected 텍스트" || err != nil {
		t.Errorf("PRIMARY: %q, %v", s, err)
	}
	desktoptest.TooLarge(t, x, func(text string) { copyWith(t, x, d, desktop.Clipboard, text) })
	// An older program's Latin-1 STRING comes out as UTF-8.
	copyFile(t, d, "STRING", []byte("caf\xe9 cr\xe8me"), func() bool {
		s, err := x.ReadSelection(desktop.Clipboard, 1<<20)
		return s == "café crème" && err == nil
	})
}

// countChunks counts the chunks of INCR transfers until the test ends.
func countChunks(t *testing.T) *int {
	n := new(int)
	testIncrChunk = func(int) { *n++ }
	t.Cleanup(func() { testIncrChunk = nil })
	return n
}

// xclip sends in INCR chunks what is over a quarter of the server's largest request: 1 MB on Xvfb.
const xclipChunk = 1 << 20

func TestReadSelectionInChunks(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	chunks := countChunks(t)
	text := strings.Repeat("한글 text ", 200_000) // 2.6 MB
	copyWith(t, x, d, desktop.Clipboard, text)
	all := *chunks
	if all < len(text)/xclipChunk {
		t.Fatalf("%d bytes came in %d INCR chunks, want at least %d", len(text), all, len(text)/xclipChunk)
	}
	if _, err := x.ReadSelection(desktop.Clipboard, len(text)-1); !errors.Is(err, desktop.ErrTooLarge) {
		t.Fatalf("%d bytes with a limit one short: %v", len(text), err)
	}
	// A transfer refused midway is drained to its end.
	*chunks = 0
	if _, err := x.ReadSelection(desktop.Clipboard, len(text)/2); !errors.Is(err, desktop.ErrTooLarge) {
		t.Fatalf("%d bytes with a limit of half: %v", len(text), err)
	}
	if *chunks != all {
		t.Fatalf("the refused transfer ran %d chunks of %d", *chunks, all)
	}
	if s, err := x.ReadSelection(desktop.Clipboard, len(text)); s != text || err != nil {
		t.Fatalf("after the refusal: %d bytes, %v", len(s), err)
	}
}

// noisePNG encodes w×h pixels of noise, which PNG cannot compress: the file is as large as the pixels.
func noisePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// copyFile makes xclip own the clipboard with data as target, and waits until ready says the clipboard has it.
func copyFile(t *testing.T, display, target string, data []byte, ready func() bool) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "copied")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, display, "", "xclip", "-selection", "clipboard", "-t", target, "-i", f)
	waitFor(t, "xclip to take the clipboard with "+target, ready)
}

func TestReadClipboardImage(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	if _, err := x.ReadClipboardImage(1 << 20); !errors.Is(err, desktop.ErrNoImage) {
		t.Fatalf("an empty clipboard: %v, want desktop.ErrNoImage", err)
	}
	copyWith(t, x, d, desktop.Clipboard, "text only")
	if _, err := x.ReadClipboardImage(1 << 20); !errors.Is(err, desktop.ErrNoImage) {
		t.Fatalf("a clipboard of text: %v, want desktop.ErrNoImage", err)
	}

	chunks := countChunks(t)
	pic := noisePNG(t, 1000, 800) // 3.2 MB
	var got []byte
	copyFile(t, d, "image/png", pic, func() bool {
		var err error
		got, err = x.ReadClipboardImage(8 << 20)
		return err == nil && len(got) > 0
	})
	if !bytes.Equal(got, pic) {
		t.Fatalf("read %d bytes, not the %d of the PNG copied", len(got), len(pic))
	}
	if *chunks < len(pic)/xclipChunk {
		t.Fatalf("%d bytes came in %d INCR chunks, want at least %d", len(pic), *chunks, len(pic)/xclipChunk)
	}
	if _, err := x.ReadClipboardImage(len(pic) - 1); !errors.Is(err, desktop.ErrTooLarge) {
		t.Fatalf("a %d-byte image with a limit one short: %v, want desktop.ErrTooLarge", len(pic), err)
	}
	if got, err := x.ReadClipboardImage(len(pic)); !bytes.Equal(got, pic) || err != nil {
		t.Fatalf("after the refusal: %d bytes, %v", len(got), err)
	}
	// xclip answers a request for text with the PNG too (in chunks, and typed image/png): that is no text.
	for _, max := range []int{64 << 10, 8 << 20} {
		if text, err := x.ReadSelection(desktop.Clipboard, max); text != "" || err != nil {
			t.Fatalf("the text of a copied image, up to %d bytes: %d bytes, %v; want none", max, len(text), err)
		}
	}
	small := noisePNG(t, 20, 20)
	copyFile(t, d, "image/png", small, func() bool {
		got, err := x.ReadClipboardImage(1 << 20)
		return err == nil && bytes.Equal(got, small)
	})
	if text, err := x.ReadSelection(desktop.Clipboard, 1<<20); text != "" || err != nil {
		t.Fatalf("the text of a small copied image: %q, %v; want none", text, err)
	}

	// An image in a format no decoder reads is named, not mistaken for no image. (Text first, so that what is not
	// ErrNoImage comes from the new owner.)
	copyWith(t, x, d, desktop.Clipboard, "text again")
	var err error
	copyFile(t, d, "image/tiff", []byte("II*\x00"), func() bool {
		_, err = x.ReadClipboardImage(1 << 20)
		return !errors.Is(err, desktop.ErrNoImage)
	})
	if err == nil || !strings.Contains(err.Error(), "offers image/tiff") {
		t.Fatalf("a TIFF image: %v, want an error naming image/tiff", err)
	}
}

func TestStalledTransfer(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	elsewhere(t, d, "X11_TEST_STALL=1")
	start := time.Now()
	_, err := x.ReadClipboardImage(8 << 20)
	if err == nil || !strings.Contains(err.Error(), "stopped sending") {
		t.Fatalf("a transfer that stalls: %v, want an error that it stopped", err)
	}
	if took := time.Since(start); took < stall || took > 2*stall {
		t.Errorf("gave up after %v, want %v", took, stall)
	}
}

func TestWatchClipboard(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	desktoptest.WatchClipboard(t, x, func(text string) { run(t, d, text, "xclip", "-selection", "clipboard") })
}

func TestPointer(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	run(t, d, "", "xdotool", "mousemove", "123", "321")
	if px, py, err := x.Pointer(); err != nil || px != 123 || py != 321 {
		t.Fatalf("pointer at %d,%d (%v), want 123,321", px, py, err)
	}
	if w, h := x.ScreenSize(); w != 800 || h != 600 {
		t.Fatalf("screen %dx%d", w, h)
	}
}

func TestCapture(t *testing.T) {
	d := xvfb(t)
	x := open(t, d)
	// A window of a known colour, across the border of the first two strips (327 rows of this 800-pixel screen).
	id, err := x.c.NewId()
	if err != nil {
		t.Fatal(err)
	}
	screen := xproto.Setup(x.c).DefaultScreen(x.c)
	win := xproto.Window(id)
	if err := xproto.CreateWindowChecked(x.c, screen.RootDepth, win, x.root, 100, 300, 200, 100, 0,
		xproto.WindowClassInputOutput, screen.RootVisual, xproto.CwBackPixel, []uint32{0x3366cc}).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xproto.MapWindowChecked(x.c, win).Check(); err != nil {
		t.Fatal(err)
	}
	want := color.RGBA{0x33, 0x66, 0xcc, 0xff}
	for i := 0; ; i++ {
		img, err := x.Capture()
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != 800 || img.Bounds().Dy() != 600 {
			t.Fatalf("captured %v of an 800×600 screen", img.Bounds())
		}
		inside := []color.RGBA{img.RGBAAt(100, 300), img.RGBAAt(299, 399), img.RGBAAt(200, 326), img.RGBAAt(200, 327)}
		outside := []color.RGBA{img.RGBAAt(99, 300), img.RGBAAt(100, 299), img.RGBAAt(300, 399), img.RGBAAt(299, 400)}
		if !slices.ContainsFunc(inside, func(c color.RGBA) bool { return c != want }) &&
			!slices.Contains(outside, want) {
			return
		}
		if i == 50 {
			t.Fatalf("the window's corners and middle are %v, around it %v; want %v inside only", inside, outside, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
