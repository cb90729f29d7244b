package download

import (
	"errors"

	"golang.org/x/sys/windows"
)

// freeSpace is the bytes this user may still write to dir's volume; ok is false when unknown.
func freeSpace(dir string) (free int64, ok bool) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false
	}
	var avail, total, all uint64
	if windows.GetDiskFreeSpaceEx(p, &avail, &total, &all) != nil {
		return 0, false
	}
	return int64(avail), true
}

// isDiskFull tells a write that failed because the volume is full.
func isDiskFull(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}
