package cli

import (
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
