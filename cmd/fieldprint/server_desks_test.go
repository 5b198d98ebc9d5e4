package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldprint/fieldprint/demo"
)

// Every command works on the office server with --server and --desk-file
// (or $FIELDPRINT_SERVER and $FIELDPRINT_DESK_FILE): what one desk records
// another lists, the audit trail names the desks, backups are refused (the
// server's are the server's), a server that does not answer is said so.
func TestCommandsOnTheServer(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // no remembered server
	os.Unsetenv("FIELDPRINT_DB")
	t.Setenv("FIELDPRINT_USER", "")
	os.Unsetenv("FIELDPRINT_USER")
	s := startServer(t, t.TempDir())
	defer s.Close()
	issue := func(name string) string {
		data, err := s.AddDesk(name)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), name+".desk")
		os.WriteFile(p, data, 0o600)
		return p
	}
	intake, director := issue("Intake 1"), issue("Director")

	code, out, errs := fieldprint(t, "", "--server", s.URL(), "--desk-file", intake, "demo", "--requests", "4")
	if code != 0 || !strings.Contains(out, "Created 4 demo requests") || !strings.Contains(out, "the office server") {
		t.Fatalf("demo on the server: %d %q %q", code, out, errs)
	}
	// The other desk, by the environment.
	t.Setenv("FIELDPRINT_SERVER", strings.TrimPrefix(s.URL(), "https://"))
	t.Setenv("FIELDPRINT_DESK_FILE", director)
	t.Setenv("FIELDPRINT_USER", demo.Director.Name)
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	code, out, errs = fieldprint(t, "", "list")
	if code != 0 || !strings.Contains(out, "4 request(s)") {
		t.Fatalf("list at the other desk: %d %q %q", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "audit", "list", "--user", demo.Admin.Name)
	if code != 0 || !strings.Contains(out, "at Intake 1") {
		t.Errorf("the audit trail does not name the desk: %d %q %q", code, out, errs)
	}
	if code, out, errs = fieldprint(t, "", "check"); code != 0 || !strings.Contains(out, "no problems found") {
		t.Errorf("check on the server: %d %q %q", code, out, errs)
	}
	if code, _, errs = fieldprint(t, "", "backup"); code != 1 || !strings.Contains(errs, "backed up on the server") {
		t.Errorf("backup on the server: %d %q", code, errs)
	}
	// --db still opens this desk's own file.
	if code, out, _ = fieldprint(t, "", "list", "--db", filepath.Join(t.TempDir(), "own.db")); code != 0 || !strings.Contains(out, "0 request(s)") {
		t.Errorf("--db beside a server: %d %q", code, out)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	code, _, errs = fieldprint(t, "", "--server", "https://"+dead, "list")
	if want := "the office server " + dead + " does not answer: check the network or ask your IT contact; nothing was changed"; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("a server that does not answer: %d %q, want %q", code, errs, want)
	}
	os.Unsetenv("FIELDPRINT_DESK_FILE")
	if code, _, errs = fieldprint(t, "", "--server", s.URL(), "list"); code != 1 || !strings.Contains(errs, "--desk-file") {
		t.Errorf("a server without a desk's file: %d %q", code, errs)
	}
}
