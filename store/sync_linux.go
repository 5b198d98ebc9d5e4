package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes everything written under dir durable: one syncfs of its
// file system (a restore writes thousands of files: one fsync each would
// take minutes).
func syncTree(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
