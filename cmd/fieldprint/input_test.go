//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe nobody writes to blocks whoever opens it for reading. Every
// command that reads an input file must refuse it (and a device, a folder)
// at once, before it opens the database: bbolt lets one process at a time
// have the file, so a hung command would lock the whole office out.
func TestInputFilesMustBeOrdinaryFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "office.db")
	withClerk(t, db)
	fifo := filepath.Join(dir, "scan.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	t.Cleanup(func() {
		// Release any command still blocked on the pipe (before the fix).
		if w, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
			w.Close()
		}
	})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"attach", "FP-2026-00001", "--kind", "notice", fifo, "--user", "ana"}, "scan.pdf is a named pipe (FIFO), not an ordinary file"},
		{[]string{"import", fifo, "--user", "ana"}, "scan.pdf is a named pipe"},
		{[]string{"office", "import", fifo, "--user", "boss"}, "scan.pdf is a named pipe"},
		{[]string{"verify", "X", "--public-key", fifo}, "scan.pdf is a named pipe"},
		{[]string{"attach", "FP-2026-00001", "--kind", "notice", "/dev/zero", "--user", "ana"}, "zero is a device, not an ordinary file"},
		{[]string{"import", dir, "--user", "ana"}, "is a folder, not a file"},
	} {
		done := make(chan string, 1)
		go func() {
			code, out, errs := fieldprint(t, "", append(tc.args, "--db", db)...)
			if code != 1 || !strings.Contains(errs, tc.want) {
				done <- fmt.Sprintf("exit %d %q %q", code, out, errs)
				return
			}
			done <- ""
		}()
		select {
		case bad := <-done:
			if bad != "" {
				t.Errorf("%v: %s, want %q", tc.args[:2], bad, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: still reading after 10 s", tc.args[:2])
		}
	}
	// The database is not held: the next command gets it at once.
	if code, _, errs := fieldprint(t, "", "list", "--db", db); code != 0 {
		t.Fatalf("list: %s", errs)
	}
}
