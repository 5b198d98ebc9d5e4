package disk

import (
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// release drops the process's mapped pages of tx's file. A read
// transaction holds bbolt's mapping in place (no remap until it ends), so
// the range is the mapping's.
func release(tx *bolt.Tx) error {
	start, n := tx.DB().Info().Data, uintptr(tx.Size())
	if start == 0 || n == 0 {
		return nil
	}
	if _, _, e := unix.Syscall(unix.SYS_MADVISE, start, n, unix.MADV_DONTNEED); e != 0 {
		return e
	}
	return nil
}
