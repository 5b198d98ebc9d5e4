package disk

import (
	"errors"

	"golang.org/x/sys/windows"
)

// drop takes the range out of the process's working set: VirtualUnlock on
// a range that is not locked does exactly that, and then reports
// ERROR_NOT_LOCKED. Windows counts a mapped view's resident pages in the
// working set as Linux counts them in RSS; they stay in the file cache
// (the standby list) and come back on the next read.
func drop(start, n uintptr) error {
	if err := windows.VirtualUnlock(start, n); err != nil && !errors.Is(err, windows.ERROR_NOT_LOCKED) {
		return err
	}
	return nil
}
