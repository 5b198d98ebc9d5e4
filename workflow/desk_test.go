package workflow

import (
	"path/filepath"
	"testing"

	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store/disk"
)

// Open runs the workflow on a bbolt file at path and a scans folder beside
// it, as store.Open does (the workflow's tests cannot import store: it
// imports them).
func Open(path string) (*Desk, error) {
	kv, err := disk.OpenKV(path)
	if err != nil {
		return nil, err
	}
	d, err := New(kv, disk.Folder{Dir: path + "-scans"}, path+"-stamp.key", "the database "+path)
	if err != nil {
		kv.Close()
		return nil, err
	}
	d.UseKeyFile(KeyStoreBeside(path))
	if !kv.ClosedCleanly() {
		d.SweepInBackground()
	}
	return d, nil
}

// ScansDir is where Open keeps the attachments.
func (db *Desk) ScansDir() string { return db.files.(disk.Folder).Dir }

// demoDesk is a desk with n demo requests at the fixed clock.
func demoDesk(t testing.TB, n int) *Desk {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = fixedNow
	t.Cleanup(func() { db.Close() })
	if _, err := demo.Load(db, n, db.Today()); err != nil {
		t.Fatal(err)
	}
	return db
}

// scanPath is where the Folder keeps the file sum.
func (db *Desk) scanPath(sum string) string {
	return filepath.Join(db.ScansDir(), sum[:2], sum)
}
