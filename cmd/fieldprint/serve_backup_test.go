package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/workflow"
)

// fieldprint serve backup and serve restore: a running server backed up
// into a folder, more requests made, the server stopped; a damaged backup
// and a short passphrase are refused; the restore brings back the office
// at the backup (the desk's same file lists what it held then).
func TestServeBackupRestore(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // no remembered server
	os.Unsetenv("FIELDPRINT_DB")
	old := workflow.PasswordCost
	workflow.PasswordCost.MemoryKiB, workflow.PasswordCost.Time = 1024, 1
	defer func() { workflow.PasswordCost = old }()
	dir := t.TempDir()
	s := startServer(t, dir)
	desk, err := s.AddDesk("Intake 1")
	if err != nil {
		t.Fatal(err)
	}
	deskPath := filepath.Join(t.TempDir(), "intake.desk")
	os.WriteFile(deskPath, desk, 0o600)
	if code, out, errs := fieldprint(t, "", "--server", s.URL(), "--desk-file", deskPath, "demo", "--requests", "4"); code != 0 {
		t.Fatalf("demo: %d %q %q", code, out, errs)
	}

	folder := t.TempDir()
	t.Setenv(serverPassphraseEnv, "short")
	if code, _, errs := fieldprint(t, "", "serve", "backup", "--data", dir, "--to", folder); code != 1 || !strings.Contains(errs, "at least 12 characters") {
		t.Errorf("a short passphrase: %d %q", code, errs)
	}
	t.Setenv(serverPassphraseEnv, "correct horse battery staple")
	if code, _, _ := fieldprint(t, "", "serve", "backup", "--data", dir); code != 2 {
		t.Errorf("backup without --to: %d", code)
	}
	code, out, errs := fieldprint(t, "", "serve", "backup", "--data", dir, "--to", folder)
	if code != 0 || !strings.Contains(out, "Backup written: ") || !strings.Contains(out, "from the running server") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	ents, _ := os.ReadDir(folder)
	if len(ents) != 1 || !strings.HasPrefix(ents[0].Name(), "fieldprint-server-") {
		t.Fatalf("the backup folder holds %v", ents)
	}
	file := filepath.Join(folder, ents[0].Name())

	t.Setenv("FIELDPRINT_USER", demo.Director.Name)
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	list := func(url string) string {
		t.Helper()
		code, out, errs := fieldprint(t, "", "--server", url, "--desk-file", deskPath, "list")
		if code != 0 {
			t.Fatalf("list: %d %q %q", code, out, errs)
		}
		return out
	}
	if out := list(s.URL()); !strings.Contains(out, "4 request(s)") {
		t.Fatalf("before: %q", out)
	}
	users := func(url string) string {
		t.Helper()
		code, out, errs := fieldprint(t, "", "--server", url, "--desk-file", deskPath, "user", "list", "--user", demo.Admin.Name)
		if code != 0 {
			t.Fatalf("user list: %d %q %q", code, out, errs)
		}
		return out
	}
	if code, out, errs := fieldprint(t, "the new clerk's password 1\n", "--server", s.URL(), "--desk-file", deskPath,
		"user", "add", "newclerk", "--role", "clerk", "--full-name", "New Clerk", "--password-stdin", "--user", demo.Admin.Name); code != 0 {
		t.Fatalf("a change after the backup: %d %q %q", code, out, errs)
	}
	if !strings.Contains(users(s.URL()), "newclerk") {
		t.Fatal("the new account is not listed")
	}
	if code, _, errs := fieldprint(t, "", "serve", "restore", "--data", dir, file); code != 1 || !strings.Contains(errs, "stop it first") {
		t.Errorf("restore while the server runs: %d %q", code, errs)
	}
	s.Close()

	raw, _ := os.ReadFile(file)
	cut := filepath.Join(t.TempDir(), "cut.fpbackup")
	os.WriteFile(cut, raw[:len(raw)/2], 0o600)
	if code, _, errs := fieldprint(t, "", "serve", "restore", "--data", dir, cut); code != 1 || !strings.Contains(errs, "cut short") || !strings.Contains(errs, "nothing was changed") {
		t.Errorf("a cut backup: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, "", "serve", "restore", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "Restored the office server's backup") || !strings.Contains(out, "is kept in") {
		t.Fatalf("restore: %d %q %q", code, out, errs)
	}
	s = startServer(t, dir)
	defer s.Close()
	if out := list(s.URL()); !strings.Contains(out, "4 request(s)") {
		t.Errorf("after the restore: %q", out)
	}
	if strings.Contains(users(s.URL()), "newclerk") {
		t.Error("an account made after the backup is there after the restore")
	}
}
