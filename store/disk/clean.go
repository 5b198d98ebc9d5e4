package disk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Opening walks the file's whole page tree (guard.go), which costs time in
// proportion to the file. A file Fieldprint closed cleanly and nothing
// touched since need not be walked again: Close leaves a stamp beside it,
// <db>-closed, the SHA-256 of the file's size, modification time and first
// pages (bbolt's two meta pages, rewritten by every commit). Open trusts the
// file without the walk only when it still matches the stamp; after a crash,
// another program's write, a copy or a restore it walks.
const stampSuffix = "-closed"

// treeWalks counts the walks made at open (for the tests).
var treeWalks atomic.Int64

func fileStamp(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	binary.Write(h, binary.BigEndian, fi.Size())
	binary.Write(h, binary.BigEndian, fi.ModTime().UnixNano())
	if _, err := io.Copy(h, io.LimitReader(f, 128<<10)); err != nil { // meta pages of any page size
		return nil, err
	}
	return h.Sum(nil), nil
}

// stampClean records that path was closed cleanly, as it is now. A stamp
// that cannot be written costs only a walk at the next open.
func stampClean(path string) {
	s, err := fileStamp(path)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+stampSuffix+".*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(s)
	if err := tmp.Close(); werr != nil || err != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), path+stampSuffix) != nil {
		os.Remove(tmp.Name())
	}
}

// closedCleanly reports whether path is as Fieldprint left it at its last
// clean close, and takes the stamp away: from now on it is in use.
func closedCleanly(path string) bool {
	want, err := os.ReadFile(path + stampSuffix)
	if err != nil {
		return false
	}
	os.Remove(path + stampSuffix)
	got, err := fileStamp(path)
	return err == nil && bytes.Equal(got, want)
}
