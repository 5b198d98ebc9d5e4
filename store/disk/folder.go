package disk

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// Folder keeps attachments' bytes as files in a folder beside the database,
// one per distinct content, named by SHA-256 (ab/ab12…ef), mode 0600 in
// 0700 folders: requests stay small and hot, identical files are stored
// once, and a file let go of is deleted from the disk, not left in bbolt's
// free pages. (A filesystem delete does not shred the blocks: keep the data
// folder on an encrypted disk.)
type Folder struct{ Dir string }

func (f Folder) path(sum string) string { return filepath.Join(f.Dir, sum[:2], sum) }

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// Write stores data under sum unless an intact copy is there (temp file,
// fsync, rename, fsync of the folder), and reports whether it created it.
func (f Folder) Write(sum string, data []byte) (bool, error) {
	if !validSum(sum) {
		return false, os.ErrInvalid
	}
	path := f.path(sum)
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data)) {
		return false, nil
	}
	dir := filepath.Dir(path)
	if err := writeSynced(dir, path, data); err != nil {
		return false, err
	}
	syncDir(dir) // make the rename itself durable
	return true, nil
}

// WriteBatch is Write of many files (distinct sums) with the same
// guarantee, cheaper: each file is written to a temporary file, synced and
// renamed into place on a few goroutines at once (the file system joins
// their syncs), then each folder that gained a file is synced once rather
// than once per file. Every file is durable when it returns; on an error
// the files it created are removed again.
func (f Folder) WriteBatch(sums []string, data [][]byte) ([]bool, error) {
	for _, s := range sums {
		if !validSum(s) {
			return nil, os.ErrInvalid
		}
	}
	created := make([]bool, len(sums))
	errs := make([]error, len(sums))
	var mu sync.Mutex
	dirs := map[string]bool{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(batchWriters, len(sums)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(sums) {
					return
				}
				path := f.path(sums[i])
				if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data[i])) {
					continue
				}
				dir := filepath.Dir(path)
				if err := writeSynced(dir, path, data[i]); err != nil {
					errs[i] = err
					continue
				}
				created[i] = true
				mu.Lock()
				dirs[dir] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err == nil && len(dirs) > 0 {
		dirs[f.Dir] = true // a folder made for the batch is an entry of f.Dir
		for d := range dirs {
			syncDir(d)
		}
	}
	if err != nil {
		for i, c := range created {
			if c {
				os.Remove(f.path(sums[i]))
			}
		}
		return nil, err
	}
	return created, nil
}

// batchWriters files at most are written and synced at once by WriteBatch.
const batchWriters = 8

// writeSynced writes data to a temporary file in dir, syncs it and renames
// it to path (the rename is not synced: the caller syncs dir).
func writeSynced(dir, path string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// syncDir makes the renames in dir durable, where the system allows it
// (as Write does).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (f Folder) Read(sum string) ([]byte, error) {
	if !validSum(sum) {
		return nil, os.ErrInvalid
	}
	return os.ReadFile(f.path(sum))
}

func (f Folder) Size(sum string) (int64, error) {
	if !validSum(sum) {
		return 0, os.ErrInvalid
	}
	st, err := os.Stat(f.path(sum))
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func (f Folder) Remove(sum string) error {
	if !validSum(sum) {
		return os.ErrInvalid
	}
	return os.Remove(f.path(sum))
}

// List names every stored file; temporary files left by an interrupted
// write are removed on the way.
func (f Folder) List() ([]string, error) {
	dirs, err := os.ReadDir(f.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		sub := filepath.Join(f.Dir, d.Name())
		files, _ := os.ReadDir(sub)
		for _, e := range files {
			switch {
			case strings.HasPrefix(e.Name(), ".tmp-"):
				os.Remove(filepath.Join(sub, e.Name()))
			case validSum(e.Name()):
				out = append(out, e.Name())
			}
		}
	}
	return out, nil
}
