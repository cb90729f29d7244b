package guard

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }

// crashSignal: Windows ends a process with an exit status, not a signal.
func crashSignal(syscall.Signal) bool { return false }
