package cli

import (
	"errors"
	"io"
)

// uiLatency measures through X11's window manager ping, which Windows does not have.
func uiLatency(string, io.Writer) error { return errors.New("ui-latency: needs X11") }
