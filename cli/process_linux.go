package cli

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// peakRSSMiB is the most memory this process has held.
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes
}

// detach makes cmd outlive this process: a window started by a desktop shortcut's command.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// needDisplay says why no window can open: no X11 or Wayland display (over SSH, in CI).
func needDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); the commands work without one: gugugo --help")
	}
	return nil
}
