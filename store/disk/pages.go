//go:build linux || windows

package disk

import bolt "go.etcd.io/bbolt"

const releasesPages = true

// ReleasePages takes the file's pages out of this process's resident
// memory (Linux: madvise(MADV_DONTNEED) over bbolt's mapping of the file;
// Windows: VirtualUnlock, which takes a range that is not locked out of the
// working set). The mapping is read-only and shared, so nothing is lost:
// the system's file cache keeps the pages, and the next read maps the ones
// it touches again (from the cache, without reading the disk while they
// are cached).
//
// A walk over one index maps far more than it reads: each fault maps the
// cached pages around the one touched too (the kernel's fault-around, 64
// KiB), and an index's pages are scattered over the file. Building the
// search index at 100,000 requests left some 150-500 MB of the file in
// the window's RSS this way. A release is due once transactions pause
// (releaseSoon).
func (kv *KV) ReleasePages() error {
	return kv.bolt.View(release)
}

// ReleasePages is KV.ReleasePages from inside a read transaction, for a
// long walk (the search index's build) to let go of what it has read as
// it goes.
func (t *kvTxn) ReleasePages() error {
	if t.write {
		return nil
	}
	return release(t.tx)
}

// release drops this process's resident pages of tx's file mapping (drop:
// pages_linux.go, pages_windows.go). A read transaction holds bbolt's
// mapping in place (no remap until it ends), so the range is the mapping's.
func release(tx *bolt.Tx) error {
	start, n := tx.DB().Info().Data, uintptr(tx.Size())
	if start == 0 || n == 0 {
		return nil
	}
	return drop(start, n)
}
