package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore/server"
)

// The sweep removes blobs nothing refers to that are older than the grace
// period, and keeps a recent one (a desk may be about to refer to it) and
// one the office refers to.
func TestSweepBlobs(t *testing.T) {
	s := startT(t)
	st := deskT(t, s, "intake")
	put := func(sum string, age time.Duration) string {
		p := filepath.Join(s.Dir(), "blobs", sum[:2], sum)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("sealed"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		os.Chtimes(p, old, old)
		return p
	}
	orphan := put(strings.Repeat("a", 64), server.BlobGrace+time.Minute)
	recent := put(strings.Repeat("b", 64), time.Minute)
	used := put(strings.Repeat("c", 64), server.BlobGrace+time.Minute)
	if err := st.Update(func(w fp.Writer) error { return w.Put([]byte("files/"+strings.Repeat("c", 64)), []byte("{}")) }); err != nil {
		t.Fatal(err)
	}
	n, err := s.SweepBlobs(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("the sweep removed %d (%v), want 1", n, err)
	}
	for p, want := range map[string]bool{orphan: false, recent: true, used: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", filepath.Base(p)[:4], err == nil, want)
		}
	}
}
