package disk

import (
	"errors"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/windows"
)

// release takes the pages of tx's file mapping out of the process's
// working set: VirtualUnlock on a range that is not locked does exactly
// that, and then reports ERROR_NOT_LOCKED. Windows counts a mapped view's
// resident pages in the working set as Linux counts them in RSS; they stay
// in the file cache (the standby list) and come back on the next read. A
// read transaction holds bbolt's mapping in place (no remap until it ends).
func release(tx *bolt.Tx) error {
	start, n := tx.DB().Info().Data, uintptr(tx.Size())
	if start == 0 || n == 0 {
		return nil
	}
	if err := windows.VirtualUnlock(start, n); err != nil && !errors.Is(err, windows.ERROR_NOT_LOCKED) {
		return err
	}
	return nil
}
