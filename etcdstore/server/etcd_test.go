package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

func startT(t *testing.T) *server.Server {
	s := start(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	return s
}

func deskT(t *testing.T, s *server.Server, name string) *etcdstore.Store {
	st := desk(t, s, name)
	t.Cleanup(func() { st.Close() })
	return st
}

func putKV(t *testing.T, s fp.Storage, kv ...string) {
	t.Helper()
	if err := s.Update(func(w fp.Writer) error {
		for i := 0; i < len(kv); i += 2 {
			if err := w.Put([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// dial connects with tc and tries one read.
func dial(s *server.Server, tc *tls.Config) error {
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.URL()}, TLS: tc, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = c.Get(ctx, etcdstore.Namespace+"k/x")
	return err
}

func selfSigned(t *testing.T, cn string, isCA bool) (*x509.Certificate, tls.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: isCA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Only a desk the office's CA issued and the server admitted gets in, and
// only to the office's namespace.
func TestOnlyAdmittedDesksGetIn(t *testing.T) {
	s := startT(t)
	data, err := s.AddDesk("Intake 1")
	if err != nil {
		t.Fatal(err)
	}
	d, err := etcdstore.ReadDesk(data)
	if err != nil || d.Name != "Intake 1" {
		t.Fatalf("desk file: %v, %q", err, d.Name)
	}
	if err := dial(s, d.TLS()); err != nil {
		t.Fatalf("an admitted desk: %v", err)
	}
	noCert := &tls.Config{RootCAs: d.TLS().RootCAs, MinVersion: tls.VersionTLS13}
	if err := dial(s, noCert); err == nil {
		t.Errorf("a client without a certificate got in")
	}
	_, stranger := selfSigned(t, "Intake 1", false)
	if err := dial(s, &tls.Config{Certificates: []tls.Certificate{stranger}, RootCAs: d.TLS().RootCAs}); err == nil {
		t.Errorf("a certificate of another CA got in")
	}
	// The desk reads and writes the office's namespace only.
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.URL()}, TLS: d.TLS(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, "elsewhere", "x"); err == nil {
		t.Errorf("a desk wrote outside the office's namespace")
	}
	if _, err := c.UserList(ctx); err == nil {
		t.Errorf("a desk listed the server's users")
	}
	if _, err := c.Put(ctx, etcdstore.Namespace+"k/x", "x"); err != nil {
		t.Errorf("a desk could not write the office's namespace: %v", err)
	}
	// A desk issued by the CA but not admitted (no etcd user) is refused.
	if _, err := s.AddDesk("Intake 1"); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a second desk of the same name: %v", err)
	}
	if err := server.CheckDeskName("root"); err == nil {
		t.Errorf("a desk may be called root (etcd's superuser)")
	}
	for _, bad := range []string{"", " x", "a/b", "..", "x.", strings.Repeat("x", 64), "Zoë"} {
		if server.CheckDeskName(bad) == nil {
			t.Errorf("desk name %q accepted", bad)
		}
	}
}

// The desk's file is refused when it lacks a part.
func TestReadDeskRefusesPartialFiles(t *testing.T) {
	s := startT(t)
	data, err := s.AddDesk("d")
	if err != nil {
		t.Fatal(err)
	}
	blocks := bytes.SplitAfter(data, []byte("-----END"))
	for i := range 3 { // drop each PEM block in turn
		cut := slices.Concat(blocks[:i]...)
		cut = append(cut, slices.Concat(blocks[i+1:]...)...)
		if _, err := etcdstore.ReadDesk(cut); err == nil {
			t.Errorf("a desk file without its block %d was read", i)
		}
	}
}

// conflict runs fn in an update on a; the first time, after fn has read,
// b commits change. The update must run again and see the change.
func conflict(t *testing.T, a, b fp.Storage, fn func(w fp.Writer) (string, error), change func(w fp.Writer) error) (runs int, saw string) {
	t.Helper()
	err := a.Update(func(w fp.Writer) error {
		runs++
		got, err := fn(w)
		if err != nil {
			return err
		}
		saw = got
		if runs == 1 {
			if err := b.Update(change); err != nil {
				t.Fatalf("the other desk's change: %v", err)
			}
		}
		return w.Put([]byte("result"), []byte(got))
	})
	if err != nil {
		t.Fatal(err)
	}
	return runs, saw
}

// What an update read and another desk changed before it committed makes
// it run again: a key read, a key read as absent, a key deleted from a
// scanned range, a key added into it, a count.
func TestConflictsRunTheUpdateAgain(t *testing.T) {
	s := startT(t)
	a, b := deskT(t, s, "a"), deskT(t, s, "b")
	putKV(t, a, "r/1", "one", "r/2", "two", "r/4", "four", "other", "x")
	scanAll := func(w fp.Writer) (string, error) {
		var keys []string
		err := w.Scan([]byte("r/"), nil, false, func(k, v []byte) (bool, error) {
			keys = append(keys, string(k)+"="+string(v))
			return true, nil
		})
		return strings.Join(keys, ","), err
	}
	get := func(key string) func(w fp.Writer) (string, error) {
		return func(w fp.Writer) (string, error) { v, _, err := w.Get([]byte(key)); return string(v), err }
	}
	for _, tc := range []struct {
		name   string
		fn     func(w fp.Writer) (string, error)
		change func(w fp.Writer) error
		want   string
	}{
		{"a key read is changed", get("r/1"), func(w fp.Writer) error { return w.Put([]byte("r/1"), []byte("ONE")) }, "ONE"},
		{"a key read as absent is made", get("r/3"), func(w fp.Writer) error { return w.Put([]byte("r/3"), []byte("three")) }, "three"},
		{"a key scanned is deleted", scanAll, func(w fp.Writer) error { return w.Delete([]byte("r/2")) }, "r/1=ONE,r/3=three,r/4=four"},
		{"a key is added into a scanned range", scanAll, func(w fp.Writer) error { return w.Put([]byte("r/25"), []byte("x")) }, "r/1=ONE,r/25=x,r/3=three,r/4=four"},
		{"a count changes", func(w fp.Writer) (string, error) { n, err := w.Count([]byte("r/")); return fmt.Sprint(n), err },
			func(w fp.Writer) error { return w.Delete([]byte("r/25")) }, "3"},
		{"a sequence moves", func(w fp.Writer) (string, error) { n, err := w.Sequence("s"); return fmt.Sprint(n), err },
			func(w fp.Writer) error { _, err := w.Sequence("s"); return err }, "2"},
	} {
		runs, saw := conflict(t, a, b, tc.fn, tc.change)
		if runs != 2 || saw != tc.want {
			t.Errorf("%s: ran %d times, saw %q; want twice, %q", tc.name, runs, saw, tc.want)
		}
	}
	// A change elsewhere (outside what was read) does not make it run again.
	runs, _ := conflict(t, a, b, get("r/1"), func(w fp.Writer) error { return w.Put([]byte("other"), []byte("y")) })
	if runs != 1 {
		t.Errorf("a change to a key not read made the update run %d times", runs)
	}
	// Nor does a change past the part of a scan the update walked.
	runs, _ = conflict(t, a, b, func(w fp.Writer) (string, error) {
		var first string
		err := w.Scan([]byte("r/"), nil, false, func(k, v []byte) (bool, error) { first = string(k); return false, nil })
		return first, err
	}, func(w fp.Writer) error { return w.Put([]byte("r/9"), []byte("x")) })
	if runs != 1 {
		t.Errorf("a change after the first key of a scan that read one key made the update run %d times", runs)
	}
}

// Scans in an update see its own writes merged in their place, both ways,
// from any key, against a model.
func TestScansSeeTheUpdatesOwnWrites(t *testing.T) {
	s := startT(t)
	st := deskT(t, s, "a")
	model := map[string]string{}
	var kv []string
	for i := range 60 {
		k := fmt.Sprintf("p/%02d", i*2)
		kv = append(kv, k, "old"+k)
		model[k] = "old" + k
	}
	putKV(t, st, kv...)
	rng := mrand.New(mrand.NewPCG(1, 2))
	for round := range 40 {
		err := st.Update(func(w fp.Writer) error {
			m := maps(model)
			for range 20 {
				k := fmt.Sprintf("p/%02d", rng.IntN(120))
				if rng.IntN(3) == 0 {
					delete(m, k)
					if err := w.Delete([]byte(k)); err != nil {
						return err
					}
				} else {
					v := fmt.Sprintf("r%d%s", round, k)
					m[k] = v
					if err := w.Put([]byte(k), []byte(v)); err != nil {
						return err
					}
				}
			}
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range m {
					if !yield(k) {
						return
					}
				}
			})
			from := fmt.Sprintf("p/%02d", rng.IntN(120))
			for _, reverse := range []bool{false, true} {
				var want []string
				for _, k := range keys {
					if !reverse && k >= from || reverse && k <= from {
						want = append(want, k+"="+m[k])
					}
				}
				if reverse {
					slices.Reverse(want)
				}
				var got []string
				if err := w.Scan([]byte("p/"), []byte(from), reverse, func(k, v []byte) (bool, error) {
					got = append(got, string(k)+"="+string(v))
					return true, nil
				}); err != nil {
					return err
				}
				if !slices.Equal(got, want) {
					t.Fatalf("round %d, scan from %s reverse %v:\n got %q\nwant %q", round, from, reverse, got, want)
				}
			}
			if n, err := w.Count([]byte("p/")); err != nil || n != len(m) {
				t.Fatalf("round %d: count %d (%v), want %d", round, n, err, len(m))
			}
			model = m
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// A watch from a compacted revision is refused with a conflict (read
// everything again), and a watch that falls behind a compaction ends.
func TestWatchAfterCompaction(t *testing.T) {
	s := startT(t)
	st := deskT(t, s, "a")
	putKV(t, st, "w/1", "a")
	old, _ := st.Revision()
	putKV(t, st, "w/1", "b")
	putKV(t, st, "w/2", "c")
	now, _ := st.Revision()
	if err := s.Compact(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Watch(context.Background(), []byte("w/"), old); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a watch from a compacted revision: %v, want a conflict", err)
	}
	if _, err := st.Watch(context.Background(), []byte("w/"), now+5); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a watch from a revision the server never had: %v, want a conflict", err)
	}
	ch, err := st.Watch(context.Background(), []byte("w/"), now)
	if err != nil {
		t.Fatalf("a watch from the newest revision: %v", err)
	}
	putKV(t, st, "w/3", "d")
	select {
	case c := <-ch:
		if string(c.Key) != "w/3" || string(c.Value) != "d" {
			t.Errorf("watched %q=%q", c.Key, c.Value)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change watched")
	}
}

// Every update that commits gets its own revision: many desks at once,
// the same counter, no lost update, no revision twice.
func TestDesksAtOnce(t *testing.T) {
	s := startT(t)
	const desks, each = 3, 15
	var stores []fp.Storage
	for i := range desks {
		stores = append(stores, deskT(t, s, fmt.Sprintf("desk-%d", i)))
	}
	putKV(t, stores[0], "n", "0")
	var runs atomic.Int64
	done := make(chan error, desks)
	for _, st := range stores {
		go func() {
			for range each {
				err := st.Update(func(w fp.Writer) error {
					runs.Add(1)
					v, _, err := w.Get([]byte("n"))
					if err != nil {
						return err
					}
					var n int
					fmt.Sscan(string(v), &n)
					seq, err := w.Sequence("ids")
					if err != nil {
						return err
					}
					if err := w.Put([]byte(fmt.Sprintf("id/%03d", seq)), []byte("x")); err != nil {
						return err
					}
					return w.Put([]byte("n"), []byte(fmt.Sprint(n+1)))
				})
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range desks {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	var n, ids int
	stores[1].View(func(r fp.Reader) error {
		v, _, _ := r.Get([]byte("n"))
		fmt.Sscan(string(v), &n)
		ids, _ = r.Count([]byte("id/"))
		return nil
	})
	if n != desks*each || ids != desks*each {
		t.Errorf("%d increments made %d, %d ids", desks*each, n, ids)
	}
	t.Logf("%d updates ran %d times", desks*each, runs.Load())
}

// GetMany reads what Get reads, in one round trip: absent keys as nil, an
// update's own writes, a view's snapshot; a key read by GetMany and
// changed meanwhile makes the update run again.
func TestGetMany(t *testing.T) {
	s := startT(t)
	a, b := deskT(t, s, "a"), deskT(t, s, "b")
	putKV(t, a, "r/1", "one", "r/2", "two", "r/3", "")
	type many interface {
		GetMany([][]byte) ([][]byte, error)
	}
	keys := [][]byte{[]byte("r/3"), []byte("r/9"), []byte("r/1"), []byte("r/2")}
	err := a.View(func(r fp.Reader) error {
		vs, err := r.(many).GetMany(keys)
		if err != nil {
			return err
		}
		putKV(t, b, "r/1", "ONE") // after the view's snapshot
		for i, k := range keys {
			v, _, err := r.Get(k)
			if err != nil {
				return err
			}
			if (v == nil) != (vs[i] == nil) || string(v) != string(vs[i]) {
				t.Errorf("%s: GetMany %q, Get %q", k, vs[i], v)
			}
		}
		if string(vs[2]) != "one" || vs[1] != nil || vs[0] == nil {
			t.Errorf("values %q", vs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, saw := conflict(t, a, b, func(w fp.Writer) (string, error) {
		if err := w.Put([]byte("r/2"), []byte("mine")); err != nil {
			return "", err
		}
		vs, err := w.(many).GetMany([][]byte{[]byte("r/1"), []byte("r/2")})
		if err != nil {
			return "", err
		}
		return string(vs[0]) + "," + string(vs[1]), nil
	}, func(w fp.Writer) error { return w.Put([]byte("r/1"), []byte("changed")) })
	if runs != 2 || saw != "changed,mine" {
		t.Errorf("ran %d times, saw %q; want twice, %q", runs, saw, "changed,mine")
	}
}
