package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
)

// desk add issues a desk's file from the server's folder; the server,
// started after, admits the desk.
func TestDeskAddAndServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "server")
	if code, _, errs := fieldprint(t, "", "desk", "add", "intake", "--data", dir, "--out", filepath.Join(t.TempDir(), "x.desk")); code != 1 || !strings.Contains(errs, "holds no office server") {
		t.Errorf("desk add before the first start: %d %q", code, errs)
	}
	if code, _, _ := fieldprint(t, "", "serve"); code != 2 {
		t.Errorf("serve without --data: %d", code)
	}
	if code, _, _ := fieldprint(t, "", "desk", "remove", "x"); code != 2 {
		t.Errorf("desk remove without --data: %d", code)
	}
	if code, _, _ := fieldprint(t, "", "desk", "rename", "x"); code != 2 {
		t.Errorf("desk rename: %d", code)
	}
	// The first start makes the certificates (a server stopped at once:
	// serve itself blocks until a signal).
	s := startServer(t, dir)
	s.Close()
	out := filepath.Join(t.TempDir(), "intake.desk")
	code, stdout, errs := fieldprint(t, "", "desk", "add", "intake", "--data", dir, "--out", out)
	if code != 0 || !strings.Contains(stdout, "next starts") {
		t.Fatalf("desk add: %d %q %q", code, stdout, errs)
	}
	if code, _, errs := fieldprint(t, "", "desk", "add", "intake", "--data", dir, "--out", out+"2"); code != 1 || !strings.Contains(errs, "already has a certificate") {
		t.Errorf("the same desk again: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "desk", "add", "../x", "--data", dir, "--out", out+"3"); code != 1 || !strings.Contains(errs, "a desk's name") {
		t.Errorf("a bad desk name: %d %q", code, errs)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("the desk's file: %v %v", fi, err)
	}
	s = startServer(t, dir)
	defer s.Close()
	d, err := etcdstore.ReadDeskFile(out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := etcdstore.Open(s.URL(), d)
	if err != nil {
		t.Fatalf("the desk added while the server was stopped: %v", err)
	}
	st.Close()
	// A desk added while the server runs is admitted at once.
	out2 := filepath.Join(t.TempDir(), "reception.desk")
	if code, stdout, errs := fieldprint(t, "", "desk", "add", "reception", "--data", dir, "--out", out2); code != 0 || !strings.Contains(stdout, "admits it now") {
		t.Fatalf("desk add while serving: %d %q %q", code, stdout, errs)
	}
	if d, err = etcdstore.ReadDeskFile(out2); err != nil {
		t.Fatal(err)
	}
	if st, err = etcdstore.Open(s.URL(), d); err != nil {
		t.Fatalf("the desk added while the server runs: %v", err)
	}
	st.Close()

	// desk remove: the running server refuses the desk at once; desk list
	// says which are admitted and which removed.
	if code, stdout, errs := fieldprint(t, "", "desk", "remove", "reception", "--data", dir); code != 0 || !strings.Contains(stdout, "refuses it now") {
		t.Fatalf("desk remove: %d %q %q", code, stdout, errs)
	}
	if st, err = etcdstore.Open(s.URL(), d); fp.ErrorCode(err) != fp.EFORBIDDEN {
		if err == nil {
			st.Close()
		}
		t.Errorf("the removed desk connects: %v", err)
	}
	if code, _, errs := fieldprint(t, "", "desk", "remove", "reception", "--data", dir); code != 1 || !strings.Contains(errs, "no desk") {
		t.Errorf("removed twice: %d %q", code, errs)
	}
	if code, stdout, errs := fieldprint(t, "", "desk", "list", "--data", dir); code != 0 || !regexp.MustCompile(`^intake  certificate ends \d{4}-\d\d-\d\d\nreception \(removed\)\n1 desk\(s\) admitted, 1 removed.\nThe office's certificate authority ends `).MatchString(stdout) {
		t.Errorf("desk list: %d %q %q", code, stdout, errs)
	}
}
