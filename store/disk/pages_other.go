//go:build !linux

package disk

const releasesPages = false

// ReleasePages does nothing here (see pages_linux.go): Windows counts a
// mapped view's pages in the working set too, and would need its own call.
func (kv *KV) ReleasePages() error { return nil }

// ReleasePages does nothing here either.
func (t *kvTxn) ReleasePages() error { return nil }
