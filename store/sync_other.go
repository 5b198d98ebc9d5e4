//go:build !linux

package store

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// syncTree makes everything written under dir durable: each file synced
// (and each folder, where the system can open one to sync it).
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && runtime.GOOS == "windows" {
			return nil
		}
		if d.IsDir() {
			if f, err := os.Open(p); err == nil {
				f.Sync() // not every system syncs a folder
				f.Close()
			}
			return nil
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0) // Windows syncs only a file open for writing
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
