package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/internal/deskcert"
)

// A desk whose certificate ends within 60 days says so on standard error
// when a command connects (the date and the command to run); desk renew
// writes its new file, which connects without the warning; desk list
// shows each certificate's end and the CA's.
func TestDeskRenew(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // no remembered server
	os.Unsetenv("FIELDPRINT_DB")
	os.Unsetenv("FIELDPRINT_USER")
	dir := t.TempDir()
	s := startServer(t, dir)
	defer s.Close()
	if _, err := s.AddDesk("Intake 1"); err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(30 * 24 * time.Hour).UTC()
	old := filepath.Join(t.TempDir(), "old.desk")
	os.WriteFile(old, deskcert.Issue(t, dir, "Intake 1", soon), 0o600)
	code, out, errs := fieldprint(t, "", "--server", s.URL(), "--desk-file", old, "demo", "--requests", "2")
	if code != 0 {
		t.Fatalf("demo: %d %q %q", code, out, errs)
	}
	if want := "Warning: This desk's certificate for the office server " + strings.TrimPrefix(s.URL(), "https://") + " ends on " + soon.Format("2006-01-02"); !strings.Contains(errs, want) || !strings.Contains(errs, `fieldprint desk renew "Intake 1"`) {
		t.Errorf("no warning at the desk: %q, want %q", errs, want)
	}

	renewed := filepath.Join(t.TempDir(), "intake.desk")
	if code, out, errs := fieldprint(t, "", "desk", "renew", "Intake 1", "--data", dir, "--out", renewed); code != 0 || !strings.Contains(out, `Desk "Intake 1" renewed`) {
		t.Fatalf("renew: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "desk", "renew", "Intake 1", "--data", dir, "--out", renewed); code != 1 || !strings.Contains(errs, "exists already") {
		t.Errorf("renew over an existing file: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "desk", "renew", "Nobody", "--data", dir, "--out", renewed+"2"); code != 1 || !strings.Contains(errs, "no desk") {
		t.Errorf("renew an unknown desk: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, "", "desk", "list", "--data", dir)
	want := "Intake 1  certificate ends " + time.Now().UTC().AddDate(5, 0, 0).Format("2006-01-02") + " (renewed; the previous one admits it until " + soon.Format("2006-01-02") + ")\n"
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "The office's certificate authority ends "+time.Now().UTC().AddDate(20, 0, 0).Format("2006-01-02")) || errs != "" {
		t.Errorf("desk list: %d %q %q, want %q", code, out, errs, want)
	}

	t.Setenv("FIELDPRINT_USER", demo.Director.Name)
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	code, out, errs = fieldprint(t, "", "--server", s.URL(), "--desk-file", renewed, "list")
	if code != 0 || !strings.Contains(out, "2 request(s)") || strings.Contains(errs, "Warning") {
		t.Errorf("the renewed desk: %d %q %q", code, out, errs)
	}
}

// desk list warns on standard error when the office's CA is within a year
// of its end (fieldprint serve says the same at start).
func TestDeskListCANearItsEnd(t *testing.T) {
	dir := t.TempDir()
	ends := time.Now().Add(200 * 24 * time.Hour).UTC()
	deskcert.IssueCA(t, dir, ends)
	code, out, errs := fieldprint(t, "", "desk", "list", "--data", dir)
	if code != 0 || !strings.Contains(out, "The office's certificate authority ends "+ends.Format("2006-01-02")) ||
		!strings.Contains(errs, "Warning: the office's certificate authority") || !strings.Contains(errs, "ends on "+ends.Format("2006-01-02")) {
		t.Errorf("desk list: %d %q %q", code, out, errs)
	}
}
