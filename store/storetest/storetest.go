// Package storetest is the storage contract (fieldprint.Storage) as one
// table of semantics every backend must pass: bbolt for one desk, etcd for
// an office's desks. A backend's test calls Run with a function that opens
// (or reopens) its store in a folder.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// T is what a case needs of a test: *testing.T, or a recorder that checks
// the suite fails on a broken backend.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// Opener opens the store kept in dir; opening the same dir again after
// Close is a restart.
type Opener func(t T, dir string) fp.Storage

// Case is one semantic of the contract.
type Case struct {
	Name string
	Test func(t T, open Opener)
}

// Run runs every case against a backend.
func Run(t *testing.T, open Opener) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) { c.Test(t, open) })
	}
}

func mustOpen(t T, open Opener, dir string) fp.Storage {
	t.Helper()
	s := open(t, dir)
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t T, s fp.Storage, kvs ...string) {
	t.Helper()
	if err := s.Update(func(w fp.Writer) error {
		for i := 0; i+1 < len(kvs); i += 2 {
			if err := w.Put([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("put: %v", err)
	}
}

func get(t T, s fp.Storage, key string) (string, int64) {
	t.Helper()
	var v []byte
	var rev int64
	if err := s.View(func(r fp.Reader) error {
		var err error
		v, rev, err = r.Get([]byte(key))
		return err
	}); err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return string(v), rev
}

func scan(t T, s fp.Storage, prefix, from string, reverse bool, limit int) []string {
	t.Helper()
	var out []string
	var a []byte
	if from != "" {
		a = []byte(from)
	}
	if err := s.View(func(r fp.Reader) error {
		return r.Scan([]byte(prefix), a, reverse, func(k, v []byte) (bool, error) {
			out = append(out, string(k)+"="+string(v))
			return limit == 0 || len(out) < limit, nil
		})
	}); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

func same(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// differ says where got first differs from want.
func differ(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("key %d is %s, want %s", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d keys, want %d", len(got), len(want))
}

// Cases are the contract, one semantic each.
var Cases = []Case{
	{"absent keys read as nothing", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		if v, rev := get(t, s, "nothing"); v != "" || rev != 0 {
			t.Errorf("absent key: %q at %d", v, rev)
		}
	}},
	{"ordered prefix scans", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		put(t, s, "b/2", "x", "a/1", "1", "a/3", "3", "a/2", "2", "a", "root", "a0", "next", "b/1", "y", "a/\xff", "ff")
		for _, tc := range []struct {
			prefix, from string
			reverse      bool
			limit        int
			want         []string
		}{
			{"a/", "", false, 0, []string{"a/1=1", "a/2=2", "a/3=3", "a/\xff=ff"}},
			{"a/", "", true, 0, []string{"a/\xff=ff", "a/3=3", "a/2=2", "a/1=1"}},
			{"a/", "a/1", false, 0, []string{"a/1=1", "a/2=2", "a/3=3", "a/\xff=ff"}},
			{"a/", "a/1\x00", false, 0, []string{"a/2=2", "a/3=3", "a/\xff=ff"}},
			{"a/", "a/3", true, 0, []string{"a/3=3", "a/2=2", "a/1=1"}},
			{"a/", "a/25", true, 0, []string{"a/2=2", "a/1=1"}},
			{"a/", "b", true, 1, []string{"a/\xff=ff"}},
			{"a/", "a", false, 1, []string{"a/1=1"}},
			{"a/", "a/", true, 0, nil},
			{"a/", "", false, 2, []string{"a/1=1", "a/2=2"}},
			{"a/", "a/0", false, 1, []string{"a/1=1"}},
			{"b/", "", true, 1, []string{"b/2=x"}},
			{"c/", "", false, 0, nil},
			{"", "", false, 3, []string{"a=root", "a/1=1", "a/2=2"}},
			{"", "", true, 2, []string{"b/2=x", "b/1=y"}},
		} {
			if tc.limit == 0 && !tc.reverse && tc.from == "" {
				var n int
				s.View(func(r fp.Reader) error { var err error; n, err = r.Count([]byte(tc.prefix)); return err })
				if n != len(tc.want) {
					t.Errorf("count %q: %d, want %d", tc.prefix, n, len(tc.want))
				}
			}
			if got := scan(t, s, tc.prefix, tc.from, tc.reverse, tc.limit); !same(got, tc.want) {
				t.Errorf("scan %q from %q reverse %v: %q, want %q", tc.prefix, tc.from, tc.reverse, got, tc.want)
			}
		}
	}},
	{"revisions", func(t T, open Opener) {
		dir := t.TempDir()
		s := open(t, dir)
		r0, _ := s.Revision()
		put(t, s, "x", "1", "y", "1")
		_, rx := get(t, s, "x")
		_, ry := get(t, s, "y")
		if rx <= r0 || rx != ry {
			t.Errorf("one update, two revisions: x %d, y %d (store was %d)", rx, ry, r0)
		}
		put(t, s, "x", "2")
		_, rx2 := get(t, s, "x")
		_, ry2 := get(t, s, "y")
		if rx2 <= rx || ry2 != ry {
			t.Errorf("after writing x: x %d (was %d), y %d (was %d)", rx2, rx, ry2, ry)
		}
		if now, _ := s.Revision(); now != rx2 {
			t.Errorf("store revision %d, newest write %d", now, rx2)
		}
		// A read-only update changes no revision.
		s.Update(func(w fp.Writer) error { _, _, err := w.Get([]byte("x")); return err })
		if now, _ := s.Revision(); now != rx2 {
			t.Errorf("an update that wrote nothing moved the revision to %d", now)
		}
		s.Close()
		s = mustOpen(t, open, dir)
		if v, rev := get(t, s, "x"); v != "2" || rev != rx2 {
			t.Errorf("after a restart x is %q at %d, want 2 at %d", v, rev, rx2)
		}
		put(t, s, "z", "1")
		if _, rz := get(t, s, "z"); rz <= rx2 {
			t.Errorf("a revision after a restart went back: %d after %d", rz, rx2)
		}
	}},
	{"updates commit whole or not at all", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		put(t, s, "keep", "1")
		before, _ := s.Revision()
		boom := errors.New("boom")
		err := s.Update(func(w fp.Writer) error {
			if err := w.Put([]byte("keep"), []byte("2")); err != nil {
				return err
			}
			if err := w.Put([]byte("new"), []byte("1")); err != nil {
				return err
			}
			if v, _, _ := w.Get([]byte("new")); string(v) != "1" {
				t.Errorf("a transaction does not read its own write: %q", v)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("the update's error: %v", err)
		}
		if v, _ := get(t, s, "keep"); v != "1" {
			t.Errorf("a failed update changed keep to %q", v)
		}
		if v, _ := get(t, s, "new"); v != "" {
			t.Errorf("a failed update wrote new")
		}
		if after, _ := s.Revision(); after != before {
			t.Errorf("a failed update moved the revision from %d to %d", before, after)
		}
	}},
	{"deletes", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		put(t, s, "a", "1", "b", "2")
		if err := s.Update(func(w fp.Writer) error {
			if err := w.Delete([]byte("a")); err != nil {
				return err
			}
			return w.Delete([]byte("never")) // deleting nothing is no error
		}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if got := scan(t, s, "", "", false, 0); !same(got, []string{"b=2"}) {
			t.Errorf("after delete: %q", got)
		}
	}},
	{"limits are etcd's", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		big := bytes.Repeat([]byte("x"), fp.MaxValueBytes+1)
		if err := s.Update(func(w fp.Writer) error { return w.Put([]byte("big"), big) }); !errors.Is(err, fp.ErrTxnTooBig) {
			t.Errorf("a value of %d bytes: %v, want ErrTxnTooBig", len(big), err)
		}
		if err := s.Update(func(w fp.Writer) error { return w.Put([]byte("max"), big[:fp.MaxValueBytes]) }); err != nil {
			t.Errorf("a value of the largest size was refused: %v", err)
		}
		err := s.Update(func(w fp.Writer) error {
			for i := 0; i <= fp.MaxTxnOps; i++ {
				if err := w.Put([]byte(fmt.Sprintf("op/%03d", i)), []byte("1")); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, fp.ErrTxnTooBig) {
			t.Errorf("%d writes in one transaction: %v, want ErrTxnTooBig", fp.MaxTxnOps+1, err)
		}
		if got := scan(t, s, "op/", "", false, 0); len(got) != 0 {
			t.Errorf("a refused transaction left %d keys", len(got))
		}
		if err := s.Update(func(w fp.Writer) error {
			for i := 0; i < fp.MaxTxnOps; i++ {
				if err := w.Put([]byte(fmt.Sprintf("op/%03d", i)), []byte("1")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Errorf("%d writes in one transaction were refused: %v", fp.MaxTxnOps, err)
		}
		// Bytes: as many largest values as fit in MaxTxnBytes pass, one more is refused whole.
		fit := fp.MaxTxnBytes / (fp.MaxValueBytes + 16)
		putBig := func(n int) error {
			return s.Update(func(w fp.Writer) error {
				for i := 0; i < n; i++ {
					if err := w.Put([]byte(fmt.Sprintf("big/%03d", i)), big[:fp.MaxValueBytes]); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := putBig(fit + 1); !errors.Is(err, fp.ErrTxnTooBig) {
			t.Errorf("%d values of %d bytes in one transaction: %v, want ErrTxnTooBig", fit+1, fp.MaxValueBytes, err)
		}
		if got := scan(t, s, "big/", "", false, 0); len(got) != 0 {
			t.Errorf("a transaction over the byte limit left %d keys", len(got))
		}
		if err := putBig(fit); err != nil {
			t.Errorf("%d values of %d bytes in one transaction were refused: %v", fit, fp.MaxValueBytes, err)
		}
	}},
	{"a key written again counts once", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		if err := s.Update(func(w fp.Writer) error { return w.Put([]byte("gone/1"), []byte("x")) }); err != nil {
			t.Fatalf("put: %v", err)
		}
		// MaxTxnOps keys, each written 4 times with values that fill the
		// byte limit once (not 4 times); one put then deleted; one deleted
		// that was there.
		big := bytes.Repeat([]byte("v"), fp.MaxTxnBytes/fp.MaxTxnOps-64)
		sizes := []int{len(big), len(big), 1, len(big) / 2}
		err := s.Update(func(w fp.Writer) error {
			for round := range 4 {
				for i := 0; i < fp.MaxTxnOps-2; i++ {
					v := big[:sizes[round]]
					if err := w.Put([]byte(fmt.Sprintf("op/%03d", i)), v); err != nil {
						return err
					}
				}
				if err := w.Put([]byte("temp"), []byte("t")); err != nil {
					return err
				}
				if err := w.Delete([]byte("temp")); err != nil {
					return err
				}
				if err := w.Delete([]byte("gone/1")); err != nil {
					return err
				}
			}
			if v, _, err := w.Get([]byte("op/000")); err != nil || len(v) != len(big)/2 {
				return fmt.Errorf("read back %d bytes, %v", len(v), err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%d keys written 4 times each in one transaction: %v", fp.MaxTxnOps, err)
		}
		if got := scan(t, s, "", "", false, 0); len(got) != fp.MaxTxnOps-2 {
			t.Errorf("%d keys after, want %d", len(got), fp.MaxTxnOps-2)
		}
		err = s.Update(func(w fp.Writer) error {
			for i := 0; i <= fp.MaxTxnOps; i++ {
				for range 2 {
					if err := w.Put([]byte(fmt.Sprintf("more/%03d", i)), []byte("1")); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if !errors.Is(err, fp.ErrTxnTooBig) {
			t.Errorf("%d keys written twice: %v, want ErrTxnTooBig", fp.MaxTxnOps+1, err)
		}
	}},
	{"sequences survive restarts", func(t T, open Opener) {
		dir := t.TempDir()
		s := open(t, dir)
		next := func(s fp.Storage, name string) uint64 {
			t.Helper()
			var n uint64
			if err := s.Update(func(w fp.Writer) error {
				var err error
				n, err = w.Sequence(name)
				return err
			}); err != nil {
				t.Fatalf("sequence: %v", err)
			}
			return n
		}
		a1, a2, b1 := next(s, "a"), next(s, "a"), next(s, "b")
		if a1 != 1 || a2 != 2 || b1 != 1 {
			t.Errorf("sequences a %d %d, b %d; want 1 2 and 1", a1, a2, b1)
		}
		s.Close()
		s = mustOpen(t, open, dir)
		if a3 := next(s, "a"); a3 <= a2 {
			t.Errorf("after a restart sequence a gave %d again (had %d)", a3, a2)
		}
	}},
	{"reversed walks stay right as a long range grows and shrinks", func(t T, open Opener) {
		// A backend may start a reversed walk where an earlier one ended
		// (etcd sorts a whole range to read it backwards): walks of a range
		// longer than a page, again and again between appends, deletions of
		// the newest keys and inserts below them, with and without writes
		// of the walk's own update, each against a model.
		s := mustOpen(t, open, t.TempDir())
		model := map[string]string{}
		key := func(i int) string { return fmt.Sprintf("r/%06d", i) }
		write := func(puts []int, dels []int) {
			t.Helper()
			if err := s.Update(func(w fp.Writer) error {
				for _, i := range puts {
					if err := w.Put([]byte(key(i)), []byte(fmt.Sprint(i))); err != nil {
						return err
					}
				}
				for _, i := range dels {
					if err := w.Delete([]byte(key(i))); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatalf("write: %v", err)
			}
			for _, i := range puts {
				model[key(i)] = fmt.Sprint(i)
			}
			for _, i := range dels {
				delete(model, key(i))
			}
		}
		want := func(m map[string]string, from string, limit int) []string {
			var keys []string
			for k := range m {
				if from == "" || k <= from {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			slices.Reverse(keys)
			var out []string
			for _, k := range keys {
				if limit > 0 && len(out) == limit {
					break
				}
				out = append(out, k+"="+m[k])
			}
			return out
		}
		for i := 0; i < 600; i += 100 {
			var puts []int
			for j := i; j < i+100; j++ {
				puts = append(puts, 2*j)
			}
			write(puts, nil)
		}
		top := 2 * 599
		for round := 0; round < 24; round++ {
			switch round % 4 {
			case 0: // appends
				write([]int{top + 2, top + 4, top + 6}, nil)
				top += 6
			case 1: // the newest keys deleted, past where a walk ended
				var dels []int
				for j := 0; j < 40; j++ {
					dels = append(dels, top-2*j)
				}
				write(nil, dels)
				top -= 80
			case 2: // keys inserted below the top
				write([]int{top - 1, top - 31, top - 301}, nil)
			case 3: // a deletion deep down
				write(nil, []int{top - 600})
			}
			for _, limit := range []int{1, 7, 40, 300, 0} {
				if got, w := scan(t, s, "r/", "", true, limit), want(model, "", limit); !same(got, w) {
					t.Fatalf("round %d, reversed walk of %d: %s", round, limit, differ(got, w))
				}
			}
			from := key(top - 50)
			if got, w := scan(t, s, "r/", from, true, 20), want(model, from, 20); !same(got, w) {
				t.Fatalf("round %d, reversed walk from %s: %s", round, from, differ(got, w))
			}
			// Within an update: its own writes and deletions are walked too.
			mine := maps.Clone(model)
			var got []string
			if err := s.Update(func(w fp.Writer) error {
				got = nil
				for _, i := range []int{top + 1, top - 3} {
					if err := w.Put([]byte(key(i)), []byte("mine")); err != nil {
						return err
					}
					mine[key(i)] = "mine"
				}
				if err := w.Delete([]byte(key(top))); err != nil {
					return err
				}
				delete(mine, key(top))
				return w.Scan([]byte("r/"), nil, true, func(k, v []byte) (bool, error) {
					got = append(got, string(k)+"="+string(v))
					return len(got) < 60, nil
				})
			}); err != nil {
				t.Fatalf("update: %v", err)
			}
			if w := want(mine, "", 60); !same(got, w) {
				t.Fatalf("round %d, reversed walk in an update: %s", round, differ(got, w))
			}
			model = mine
			top++
		}
	}},
	{"no lost update between concurrent writers", func(t T, open Opener) {
		s := mustOpen(t, open, t.TempDir())
		put(t, s, "count", "0")
		const writers, each = 4, 10
		var wg sync.WaitGroup
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < each; j++ {
					err := s.Update(func(w fp.Writer) error {
						v, _, err := w.Get([]byte("count"))
						if err != nil {
							return err
						}
						var n int
						fmt.Sscan(string(v), &n)
						return w.Put([]byte("count"), []byte(fmt.Sprint(n+1)))
					})
					if err != nil {
						t.Errorf("increment: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		if v, _ := get(t, s, "count"); v != fmt.Sprint(writers*each) {
			t.Errorf("%d increments made %s", writers*each, v)
		}
	}},
	{"watch reports changes in order and resumes after a restart", func(t T, open Opener) {
		dir := t.TempDir()
		s := open(t, dir)
		start, _ := s.Revision()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := s.Watch(ctx, []byte("w/"), start)
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
		put(t, s, "w/1", "a", "other", "x")
		put(t, s, "w/2", "b")
		s.Update(func(w fp.Writer) error { return w.Delete([]byte("w/1")) })
		want := []string{"put w/1=a", "put w/2=b", "delete w/1"}
		got, last := receive(t, ch, len(want))
		if !same(got, want) {
			t.Errorf("watched %q, want %q", got, want)
		}
		cancel()
		s.Close()
		// A reader that saw up to last misses nothing written meanwhile.
		s2 := open(t, dir)
		put(t, s2, "w/3", "c")
		s2.Close()
		s3 := mustOpen(t, open, dir)
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		ch2, err := s3.Watch(ctx2, []byte("w/"), last)
		if err != nil {
			t.Fatalf("watch after a restart: %v", err)
		}
		if got, _ := receive(t, ch2, 1); !same(got, []string{"put w/3=c"}) {
			t.Errorf("after a restart: %q", got)
		}
		// And what happens next arrives too.
		put(t, s3, "w/4", "d")
		if got, _ := receive(t, ch2, 1); !same(got, []string{"put w/4=d"}) {
			t.Errorf("live after a restart: %q", got)
		}
	}},
}

// receive takes n changes from ch, or fails after a few seconds.
func receive(t T, ch <-chan fp.KeyChange, n int) ([]string, int64) {
	t.Helper()
	var out []string
	var last int64
	timeout := time.After(5 * time.Second)
	for len(out) < n {
		select {
		case c, ok := <-ch:
			if !ok {
				t.Fatalf("the watch ended after %q", out)
			}
			if c.Revision < last {
				t.Errorf("revision %d after %d", c.Revision, last)
			}
			last = c.Revision
			if c.Deleted {
				out = append(out, "delete "+string(c.Key))
			} else {
				out = append(out, "put "+string(c.Key)+"="+string(c.Value))
			}
		case <-timeout:
			t.Fatalf("waited for %d changes, got %q", n, out)
		}
	}
	return out, last
}
