package disk

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store/storetest"
	bolt "go.etcd.io/bbolt"
)

func openKV(t storetest.T, dir string) fp.Storage {
	kv, err := OpenKV(filepath.Join(dir, "kv.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return kv
}

// The bbolt backend keeps the storage contract.
func TestKVConformance(t *testing.T) { storetest.Run(t, openKV) }

// recorder is a test that remembers failures instead of failing.
type recorder struct {
	dir      string
	failed   []string
	cleanups []func()
	mu       sync.Mutex
}

type stop struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(f, a...))
}
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); panic(stop{}) }
func (r *recorder) TempDir() string {
	d, err := os.MkdirTemp(r.dir, "case")
	if err != nil {
		panic(err)
	}
	return d
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) run(c storetest.Case, open storetest.Opener) {
	defer func() {
		for i := len(r.cleanups) - 1; i >= 0; i-- {
			r.cleanups[i]()
		}
		r.cleanups = nil
		if p := recover(); p != nil {
			if _, ok := p.(stop); !ok {
				panic(p)
			}
		}
	}()
	c.Test(r, open)
}

// A backend that forgets its sequences when it restarts, or does not keep
// revisions, fails the suite: the suite can fail.
func TestConformanceCatchesBrokenBackends(t *testing.T) {
	for _, b := range []struct {
		name, catches string // the broken backend, and the case that must catch it
		open          storetest.Opener
	}{
		{"sequences reset on reopen", "sequences survive restarts", func(t storetest.T, dir string) fp.Storage {
			return &forgetfulSequences{KV: openKV(t, dir).(*KV)}
		}},
		{"revisions lost", "revisions", func(t storetest.T, dir string) fp.Storage {
			return &noRevisions{KV: openKV(t, dir).(*KV)}
		}},
		{"writes outside the limits", "limits are etcd's", func(t storetest.T, dir string) fp.Storage {
			return &unlimited{KV: openKV(t, dir).(*KV)}
		}},
	} {
		for _, c := range storetest.Cases {
			if c.Name != b.catches {
				continue
			}
			r := &recorder{dir: t.TempDir()}
			r.run(c, b.open)
			if len(r.failed) == 0 {
				t.Errorf("%s: the case %q passed a broken backend", b.name, c.Name)
			}
		}
	}
}

// forgetfulSequences counts in memory: a restart starts again at 1.
type forgetfulSequences struct {
	*KV
	n map[string]uint64
}

func (f *forgetfulSequences) Update(fn func(fp.Writer) error) error {
	return f.KV.Update(func(w fp.Writer) error { return fn(seqWriter{w, f}) })
}

type seqWriter struct {
	fp.Writer
	f *forgetfulSequences
}

func (w seqWriter) Sequence(name string) (uint64, error) {
	if w.f.n == nil {
		w.f.n = map[string]uint64{}
	}
	w.f.n[name]++
	return w.f.n[name], nil
}

// noRevisions reports every key at revision 1.
type noRevisions struct{ *KV }

func (n *noRevisions) View(fn func(fp.Reader) error) error {
	return n.KV.View(func(r fp.Reader) error { return fn(revReader{r}) })
}

type revReader struct{ fp.Reader }

func (r revReader) Get(k []byte) ([]byte, int64, error) {
	v, _, err := r.Reader.Get(k)
	if v == nil {
		return v, 0, err
	}
	return v, 1, err
}

// unlimited splits big writes over transactions, as a careless backend might.
type unlimited struct{ *KV }

func (u *unlimited) Update(fn func(fp.Writer) error) error {
	var puts [][2][]byte
	err := fn(recordingWriter{&puts})
	if err != nil {
		return err
	}
	for len(puts) > 0 {
		n := min(len(puts), 64)
		if err := u.KV.Update(func(w fp.Writer) error {
			for _, p := range puts[:n] {
				if len(p[1]) > fp.MaxValueBytes {
					p[1] = p[1][:fp.MaxValueBytes]
				}
				if err := w.Put(p[0], p[1]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		puts = puts[n:]
	}
	return nil
}

type recordingWriter struct{ puts *[][2][]byte }

func (r recordingWriter) Get([]byte) ([]byte, int64, error) { return nil, 0, nil }
func (r recordingWriter) Scan([]byte, []byte, bool, func([]byte, []byte) (bool, error)) error {
	return nil
}
func (r recordingWriter) Put(k, v []byte) error {
	*r.puts = append(*r.puts, [2][]byte{k, v})
	return nil
}
func (r recordingWriter) Delete([]byte) error             { return nil }
func (r recordingWriter) Count([]byte) (int, error)       { return 0, nil }
func (r recordingWriter) Sequence(string) (uint64, error) { return 1, nil }

// The change feed stays small: it keeps kvLogKeep revisions and at most
// kvLogEntries changes, and a watch from before what it keeps is refused
// (the watcher reads everything again) rather than missing changes.
func TestChangeFeedIsBounded(t *testing.T) {
	kv, err := OpenKV(filepath.Join(t.TempDir(), "kv.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	kv.bolt.NoSync = true // thousands of commits; durability is not what is tested
	put := func(n int) {
		t.Helper()
		if err := kv.Update(func(w fp.Writer) error {
			for i := 0; i < n; i++ {
				if err := w.Put([]byte(fmt.Sprintf("k/%05d", i)), []byte("v")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	entries := func() (n int, first int64) {
		kv.bolt.View(func(tx *bolt.Tx) error {
			tx.Bucket(bKVLog).ForEach(func(k, v []byte) error { // the changes, not the records
				chs, err := decodeChanges(k, v)
				if err != nil {
					t.Fatal(err)
				}
				n += len(chs)
				return nil
			})
			first = logFrom(tx)
			return nil
		})
		return
	}
	// By entries: big transactions.
	for written := 0; written <= kvLogEntries+fp.MaxTxnOps; written += fp.MaxTxnOps {
		put(fp.MaxTxnOps)
	}
	if n, _ := entries(); n > kvLogEntries {
		t.Errorf("the feed holds %d changes, more than %d", n, kvLogEntries)
	}
	if _, err := kv.Watch(context.Background(), nil, 1); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a watch from revision 1 after trimming: %v", err)
	}
	// By revisions: many small transactions.
	for i := 0; i < kvLogKeep+10; i++ {
		put(1)
	}
	rev, _ := kv.Revision()
	n, first := entries()
	if n > kvLogKeep || first != rev-kvLogKeep+1 {
		t.Errorf("after %d one-key revisions the feed holds %d changes from revision %d (newest %d)", kvLogKeep+10, n, first, rev)
	}
	if _, err := kv.Watch(context.Background(), nil, first-2); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a watch from before the feed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := kv.Watch(ctx, nil, first-1)
	if err != nil {
		t.Fatalf("a watch from the feed's start: %v", err)
	}
	if c := <-ch; c.Revision != first {
		t.Errorf("the first change sent is of revision %d, want %d", c.Revision, first)
	}
}

// A change-feed record of the format before batches (one change, 'P' or
// 'D' first) still reads; a batch reads as its changes; a damaged one is
// refused, never a panic.
func TestChangeFeedRecords(t *testing.T) {
	k := binary.BigEndian.AppendUint16(u64(7), 0)
	old := append(binary.BigEndian.AppendUint16([]byte{'P'}, 3), "a/b"...)
	old = append(old, "value"...)
	chs, err := decodeChanges(k, old)
	if err != nil || len(chs) != 1 || string(chs[0].Key) != "a/b" || string(chs[0].Value) != "value" || chs[0].Revision != 7 {
		t.Fatalf("old record: %+v %v", chs, err)
	}
	tx := &kvTxn{}
	tx.log('P', []byte("x/1"), []byte("zero"), 7)
	tx.log('D', []byte("x/2"), nil, 3)
	tx.log('P', []byte("x/1"), []byte("one"), 6) // a key's last change is the one recorded
	rec := tx.logRecord()
	chs, err = decodeChanges(k, rec)
	if err != nil || len(chs) != 2 || string(chs[0].Value) != "one" || !chs[1].Deleted || string(chs[1].Key) != "x/2" {
		t.Fatalf("batch: %+v %v", chs, err)
	}
	for cut := 1; cut < len(rec); cut++ {
		if _, err := decodeChanges(k, rec[:cut]); err == nil && cut > 5 {
			t.Errorf("a batch cut at %d of %d bytes read", cut, len(rec))
		}
	}
}
