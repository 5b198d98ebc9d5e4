//go:build !linux && !windows

package disk

const releasesPages = false

// ReleasePages does nothing here (see pages.go: Linux and Windows only).
func (kv *KV) ReleasePages() error { return nil }

// ReleasePages does nothing here either.
func (t *kvTxn) ReleasePages() error { return nil }
