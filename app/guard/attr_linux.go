package guard

import "syscall"

// childAttr ends the window with its parent, which a session's end may kill first.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} }

// crashSignal tells a signal that a crash raises from one that someone sent.
func crashSignal(s syscall.Signal) bool {
	switch s {
	case syscall.SIGABRT, syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGILL, syscall.SIGFPE, syscall.SIGTRAP:
		return true
	}
	return false
}
