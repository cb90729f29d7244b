package download

import "golang.org/x/sys/windows"

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
