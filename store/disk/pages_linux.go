package disk

import "golang.org/x/sys/unix"

// drop: madvise(MADV_DONTNEED) over the range.
func drop(start, n uintptr) error {
	if _, _, e := unix.Syscall(unix.SYS_MADVISE, start, n, unix.MADV_DONTNEED); e != 0 {
		return e
	}
	return nil
}
