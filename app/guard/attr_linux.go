package guard

import "syscall"

// childAttr ends the window with its parent, which a session's end may kill first.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} }
