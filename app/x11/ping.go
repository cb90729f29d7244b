package x11

import (
	"fmt"
	"slices"
	"time"

	"github.com/jezek/xgb/xproto"
)

// Responsiveness is how promptly a window's event loop answered pings: the longest wait is the longest time the
// window was frozen, to within the interval between pings.
type Responsiveness struct {
	Pings           int
	Longest, Median time.Duration
}

func (r Responsiveness) String() string {
	return fmt.Sprintf("%d pings, longest answer %.1f ms, median %.1f ms", r.Pings,
		float64(r.Longest.Microseconds())/1000, float64(r.Median.Microseconds())/1000)
}

// MeasureResponsiveness pings window every interval until stop is closed, the way a window manager asks whether a
// window still responds (_NET_WM_PING, which GLFW answers from the event loop it runs between frames), and
// measures how long each answer took. A ping still unanswered at the end counts as answered then.
func (x *Conn) MeasureResponsiveness(window uint32, every time.Duration, stop <-chan struct{}) (Responsiveness, error) {
	var protocols, ping xproto.Atom
	for name, atom := range map[string]*xproto.Atom{"WM_PROTOCOLS": &protocols, "_NET_WM_PING": &ping} {
		r, err := xproto.InternAtom(x.c, false, uint16(len(name)), name).Reply()
		if err != nil {
			return Responsiveness{}, fmt.Errorf("X11: %w", err)
		}
		*atom = r.Atom
	}
	// The answer goes to the root window, to clients that listen for its children's changes.
	if err := xproto.ChangeWindowAttributesChecked(x.c, x.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return Responsiveness{}, fmt.Errorf("X11: %w", err)
	}
	defer xproto.ChangeWindowAttributes(x.c, x.root, xproto.CwEventMask, []uint32{xproto.EventMaskNoEvent})
	pongs := make(chan [2]uint32, 1024)
	x.mu.Lock()
	x.pongs, x.pingAtom = pongs, ping
	x.mu.Unlock()
	defer func() {
		x.mu.Lock()
		x.pongs = nil
		x.mu.Unlock()
	}()
	sent := map[uint32]time.Time{}
	var waits []time.Duration
	answer := func(seq uint32, at time.Time) {
		if t, ok := sent[seq]; ok {
			waits = append(waits, at.Sub(t))
			delete(sent, seq)
		}
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for seq := uint32(1); ; seq++ {
		msg := xproto.ClientMessageEvent{Format: 32, Window: xproto.Window(window), Type: protocols,
			Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(ping), seq, window, 0, 0})}
		if err := xproto.SendEventChecked(x.c, false, xproto.Window(window), xproto.EventMaskNoEvent, string(msg.Bytes())).Check(); err != nil {
			return Responsiveness{}, fmt.Errorf("X11: pinging window %#x: %w", window, err)
		}
		sent[seq] = time.Now()
	wait:
		for {
			select {
			case p := <-pongs:
				if p[1] == window { // not another client's ping of another window
					answer(p[0], time.Now())
				}
			case <-tick.C:
				break wait
			case <-stop:
				end := time.Now()
				for s := range sent {
					answer(s, end)
				}
				slices.Sort(waits)
				return Responsiveness{Pings: len(waits), Longest: waits[len(waits)-1], Median: waits[len(waits)/2]}, nil
			}
		}
	}
}
