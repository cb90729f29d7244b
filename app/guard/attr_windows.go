package guard

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
