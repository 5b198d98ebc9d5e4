package disk

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// A panic inside bbolt (here: a bucket the tree does not have, as when a
// damaged page hides it) is reported as a damaged database; a panic in
// Fieldprint's own code is not blamed on the file.
func TestGuardTurnsPanicsIntoErrors(t *testing.T) {
	db, path := openTemp(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		tx.Bucket([]byte("no such bucket")).Get([]byte("k"))
		return nil
	})
	if fp.ErrorCode(err) != fp.EINTERNAL || fp.ErrorMessage(err) != "the database "+path+" is damaged: restore a copy of the file, or ask your IT contact" {
		t.Errorf("panic in bbolt: %v", err)
	}
	if !FromGuard(err) {
		t.Error("the error does not say it came from the guard (callers keep its words)")
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		panic("a bug in Fieldprint, not the file's doing")
	})
	if msg := fp.ErrorMessage(err); fp.ErrorCode(err) != fp.EINTERNAL || strings.Contains(msg, path+" is damaged") || !strings.Contains(msg, path) || !strings.Contains(msg, "fieldprint check") {
		t.Errorf("panic in Fieldprint: %v", err)
	}
	// The database is still usable afterwards: both transactions were rolled back.
	if err := db.View(func(r fp.Reader) error { _, _, err := r.Get([]byte("x")); return err }); err != nil {
		t.Fatal(err)
	}
}

// The file shrinks under an open database (another program, a full disk on
// a network share): reading a page it no longer holds raises SIGBUS, which
// must become an error, not a crash.
func TestGuardRecoversAFaultOnATruncatedFile(t *testing.T) {
	db, path := openTemp(t)
	var last []byte
	for i := 0; i < 200; i++ { // enough records to fill pages past the first few
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("filler"))
			if err != nil {
				return err
			}
			last = u64(uint64(i))
			return b.Put(last, make([]byte, 1000))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Truncate(path, 4*int64(os.Getpagesize())); err != nil {
		t.Fatal(err)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n := 0
		return tx.Bucket([]byte("filler")).ForEach(func(k, v []byte) error {
			for _, c := range v {
				n += int(c)
			}
			return nil
		})
	})
	if fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(fp.ErrorMessage(err), "the database "+path+" is damaged") {
		t.Fatalf("read past the end of a truncated file: %v", err)
	}
	db.Close()
	// Opened again, it is refused before any page is read.
	if _, err := OpenKV(path); fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(fp.ErrorMessage(err), "the database "+path+" is damaged") {
		t.Fatalf("open: %v", err)
	}
}

func TestOpenRefusesAnEmptyOrForeignFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty.db":   "",
		"tracker.db": "received,full_name\n2026-01-01,Ana\n",
		"big.db":     strings.Repeat("not a database\n", 2000),
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		_, err := OpenKV(path)
		if msg := fp.ErrorMessage(err); fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(msg, "the database "+path+" is") ||
			!strings.Contains(msg, "restore a copy of the file, or ask your IT contact") {
			t.Errorf("%s: %v", name, err)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("%s: the file was changed", name)
		}
	}
}

// openTemp opens a KV file in a temporary folder.
func openTemp(t *testing.T) (*KV, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	kv, err := OpenKV(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kv.Close() })
	return kv, path
}

// pageHeader reads the header of page id: its own id, flags and overflow.
func pageHeader(b []byte, ps int, id int) (self uint64, flags uint16, overflow uint32) {
	h := b[id*ps:]
	return binary.NativeEndian.Uint64(h), binary.NativeEndian.Uint16(h[8:]), binary.NativeEndian.Uint32(h[12:])
}

// A page tree bbolt would walk for ever (a branch pointing back at itself), or
// whose page counts run past the end, is refused at Open, and Check lists it
// instead of looping: walking it would make a cursor descend until memory
// runs out.
func TestOpenRefusesAPageTreeBboltCannotWalk(t *testing.T) {
	db, path := openTemp(t)
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("filler"))
		for i := 0; err == nil && i < 2000; i++ {
			err = b.Put(u64(uint64(i)), make([]byte, 100))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if errs := db.CheckFile(); len(errs) > 0 {
		t.Fatalf("healthy file: %v", errs)
	}
	ps := db.bolt.Info().PageSize
	var branch int
	db.bolt.View(func(tx *bolt.Tx) error { branch = int(tx.Bucket([]byte("filler")).Root()); return nil })
	db.Close()
	orig, _ := os.ReadFile(path)
	leaf := int(binary.NativeEndian.Uint64(orig[branch*ps+16+8:])) // its first child
	if _, flags, _ := pageHeader(orig, ps, branch); flags != 0x01 {
		t.Fatalf("the bucket's root is not a branch page (flags %#x)", flags)
	}
	if _, flags, _ := pageHeader(orig, ps, leaf); flags != 0x02 {
		t.Fatalf("its first child is not a leaf page (flags %#x)", flags)
	}
	for _, c := range []struct {
		name   string
		damage func(b []byte)
		want   string
	}{
		{"a branch pointing at itself", func(b []byte) { binary.NativeEndian.PutUint64(b[branch*ps+16+8:], uint64(branch)) }, "reached twice"},
		{"a page running past the end", func(b []byte) { binary.NativeEndian.PutUint32(b[leaf*ps+12:], 1<<31) }, "overflow pages run past the last page"},
		{"a page in use on the free list", func(b []byte) { binary.NativeEndian.PutUint64(b[firstFree(t, b, ps):], uint64(leaf)) }, "in use, and on the free list too"},
	} {
		b := append([]byte(nil), orig...)
		c.damage(b)
		p := filepath.Join(t.TempDir(), "damaged.db")
		os.WriteFile(p, b, 0o600)
		opened, err := OpenKV(p)
		if err == nil {
			opened.Close()
		}
		if fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(fp.ErrorMessage(err), "the database "+p+" is damaged") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
		// Check on a file opened before the damage lists it.
		raw, err := bolt.Open(p, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		d := &KV{bolt: boltDB{raw, p}, path: p, changed: make(chan struct{}), closed: make(chan struct{})}
		if errs := d.CheckFile(); len(errs) == 0 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s: check: %v", c.name, errs)
		}
		d.Close()
	}
}

// A file closed cleanly and untouched since opens without the page walk; a
// file changed after its close (damaged in place, same size) is walked and
// refused, and so is one with no stamp (a crash, a copy).
func TestCleanCloseSkipsTheWalkOnlyForAnUntouchedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	open := func() (*KV, int64, error) {
		before := treeWalks.Load()
		kv, err := OpenKV(path)
		return kv, treeWalks.Load() - before, err
	}
	kv, _, err := open()
	if err != nil {
		t.Fatal(err)
	}
	var branch int
	if err := kv.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("filler"))
		for i := 0; err == nil && i < 2000; i++ {
			err = b.Put(u64(uint64(i)), make([]byte, 100))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	kv.bolt.View(func(tx *bolt.Tx) error { branch = int(tx.Bucket([]byte("filler")).Root()); return nil })
	ps := kv.bolt.Info().PageSize
	kv.Close()
	kv, walks, err := open()
	if err != nil || walks != 0 {
		t.Fatalf("reopening an untouched file: %v, %d walks", err, walks)
	}
	kv.Close()
	// No stamp (as after a crash): walked.
	os.Remove(path + stampSuffix)
	kv, walks, err = open()
	if err != nil || walks != 1 {
		t.Fatalf("reopening without a stamp: %v, %d walks", err, walks)
	}
	kv.Close()
	// Damaged in place after a clean close: walked, refused.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	self := make([]byte, 8)
	binary.NativeEndian.PutUint64(self, uint64(branch))
	f.WriteAt(self, int64(branch*ps+16+8))
	f.Close()
	kv, walks, err = open()
	if err == nil {
		kv.Close()
	}
	if walks != 1 || !strings.Contains(fp.ErrorMessage(err), "is damaged") {
		t.Errorf("a file damaged after its clean close: %v, %d walks", err, walks)
	}
}

// firstFree is where the first page id of the free list the newest meta
// page names is in the file b (a meta page: header, magic, version, page
// size, flags, root bucket, free list, high-water mark, txid).
func firstFree(t *testing.T, b []byte, ps int) int {
	t.Helper()
	ne := binary.NativeEndian
	fl, txid := ne.Uint64(b[48:]), ne.Uint64(b[64:])
	if t1 := ne.Uint64(b[ps+64:]); t1 > txid {
		fl = ne.Uint64(b[ps+48:])
	}
	at := int(fl) * ps
	if b[at+8] != 0x10 {
		t.Fatalf("page %d is not the free list", fl)
	}
	n, first := int(ne.Uint16(b[at+10:])), at+16
	if n == 0xffff {
		n, first = int(ne.Uint64(b[first:])), first+8
	}
	if n == 0 {
		t.Fatal("the free list is empty")
	}
	return first
}
