package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/x11"
)

// uiLatency pings an X11 window every 2 ms, as a window manager asks whether it responds, until it is told to
// stop, and prints the longest and the median wait for an answer: how long the window was frozen at worst.
func uiLatency(window string, stdout io.Writer) error {
	id, err := strconv.ParseUint(window, 0, 32)
	if err != nil {
		return fmt.Errorf("ui-latency: %q is not a window ID", window)
	}
	conn, err := app.OpenDesktop()
	if err != nil {
		return err
	}
	defer conn.Close()
	pinger, ok := conn.(*x11.Conn)
	if !ok {
		return errors.New("ui-latency: needs X11")
	}
	stop := make(chan struct{})
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	go func() { <-signals; close(stop) }()
	r, err := pinger.MeasureResponsiveness(uint32(id), 2*time.Millisecond, stop)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	return nil
}
