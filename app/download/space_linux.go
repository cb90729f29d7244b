package download

import (
	"errors"
	"syscall"
)

// freeSpace is the bytes an unprivileged user may still write to dir's file system; ok is false when unknown.
func freeSpace(dir string) (free int64, ok bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// isDiskFull tells a write that failed because the file system is full.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
