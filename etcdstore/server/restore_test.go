package server_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/vault"
)

func getKV(t *testing.T, s fp.Storage, key string) (string, int64) {
	t.Helper()
	var v []byte
	var rev int64
	if err := s.View(func(r fp.Reader) error {
		var err error
		v, rev, err = r.Get([]byte(key))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return string(v), rev
}

// A restore stopped after any one of its renames (a power cut): the
// folder is not left half-restored: the next start finishes it from its
// journal, and serves the backup's state at a revision above every one
// the desks saw.
func TestRestoreStoppedHalfWay(t *testing.T) {
	cost := vault.Cost{MemoryKiB: 1024, Time: 1, Threads: 1}
	for stopAfter := 0; stopAfter < 3; stopAfter++ {
		dir := t.TempDir()
		s := start(t, dir)
		st := desk(t, s, "test")
		putKV(t, st, "a", "at the backup")
		file := filepath.Join(t.TempDir(), "b.fpbackup")
		if _, err := server.Backup(context.Background(), dir, file, "a passphrase long enough", cost); err != nil {
			t.Fatal(err)
		}
		putKV(t, st, "a", "after the backup")
		_, seen := getKV(t, st, "a")
		st.Close()
		s.Close()

		n := 0
		undo := server.SetRename(func(from, to string) error {
			if n == stopAfter {
				return errors.New("the power went")
			}
			n++
			return os.Rename(from, to)
		})
		_, err := server.Restore(dir, file, "a passphrase long enough")
		undo()
		if err == nil {
			t.Fatalf("stop after %d renames: the restore did not stop", stopAfter)
		}
		if _, err := os.Stat(filepath.Join(dir, "restore.journal")); err != nil {
			t.Fatalf("stop after %d renames: no journal left: %v", stopAfter, err)
		}

		s = start(t, dir)
		st = desk(t, s, "test")
		v, _ := getKV(t, st, "a")
		if v != "at the backup" {
			t.Errorf("stop after %d renames: after the start %q", stopAfter, v)
		}
		putKV(t, st, "b", "new")
		if _, rev := getKV(t, st, "b"); rev <= seen+server.RevisionBump-10 {
			t.Errorf("stop after %d renames: a new change at revision %d, a desk saw %d", stopAfter, rev, seen)
		}
		if _, err := os.Stat(filepath.Join(dir, "restore.journal")); !os.IsNotExist(err) {
			t.Errorf("stop after %d renames: the journal is still there: %v", stopAfter, err)
		}
		st.Close()
		s.Close()
	}
}
