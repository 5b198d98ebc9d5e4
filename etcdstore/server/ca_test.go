package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/deskcert"
)

// A CA within a year of its end: the server says so at start (CAWarning,
// for fieldprint serve's standard error) and in its log, naming the date.
func TestCANearItsEnd(t *testing.T) {
	dir := t.TempDir()
	ends := time.Now().Add(100 * 24 * time.Hour).UTC()
	deskcert.IssueCA(t, dir, ends)
	s, err := server.Start(server.Config{Dir: dir, Listen: "127.0.0.1:0", UnsafeNoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	w := s.CAWarning()
	s.Close()
	if !strings.Contains(w, "ends on "+ends.Format("2006-01-02")) || !strings.Contains(w, "certificate authority") {
		t.Errorf("the warning: %q", w)
	}
	log, _ := os.ReadFile(filepath.Join(dir, server.LogFile))
	if !strings.Contains(string(log), "ends on "+ends.Format("2006-01-02")) {
		t.Errorf("not in the log: %q", log)
	}
	if got, err := server.CAEnds(dir); err != nil || !got.Equal(ends.Truncate(time.Second)) {
		t.Errorf("CAEnds: %v (%v)", got, err)
	}
	if w := server.CAWarning(dir, ends, ends.Add(-366*24*time.Hour)); w != "" {
		t.Errorf("a warning more than a year before: %q", w)
	}
}
