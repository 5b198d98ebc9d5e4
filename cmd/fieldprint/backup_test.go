package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldprint/fieldprint/demo"
)

// Backup and restore from the command line: the folder set, a backup made
// and listed, refused for a clerk, restored on another desk with the
// recovery key (after a yes), refused with a wrong one.
func TestBackupCommands(t *testing.T) {
	dir := t.TempDir()
	path, other, usb := filepath.Join(dir, "office.db"), filepath.Join(dir, "new", "office.db"), filepath.Join(dir, "usb")
	if code, _, errs := fieldprint(t, "", "demo", "--requests", "8", "--db", path); code != 0 {
		t.Fatal(errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	code, out, errs := fieldprint(t, "", "keys", "new-recovery", "--user", "admin", "--db", path)
	rk := recoveryKeyRE.FindString(out)
	if code != 0 || rk == "" {
		t.Fatalf("new-recovery: %q %q", out, errs)
	}
	if code, _, errs := fieldprint(t, "", "backup", "--user", "admin", "--db", path); code == 0 || !strings.Contains(errs, "no backup folder is set") {
		t.Fatalf("backup with no folder: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "backup", "set", "--folder", usb, "--user", "clerk", "--db", path); code == 0 || !strings.Contains(errs, "administrator") {
		t.Fatalf("backup set by a clerk: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "backup", "set", "--folder", usb, "--keep-daily", "3", "--user", "admin", "--db", path); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs = fieldprint(t, "", "backup", "--user", "admin", "--db", path)
	if code != 0 || !strings.Contains(out, "Backup written: "+usb) || !strings.Contains(errs, "100%") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	file := strings.Fields(strings.SplitN(out, "Backup written: ", 2)[1])[0]
	code, out, _ = fieldprint(t, "", "backup", "status", "--db", path)
	if code != 0 || !strings.Contains(out, "3 daily") || !strings.Contains(out, file+"  complete") {
		t.Fatalf("status: %q", out)
	}
	if code, _, errs := fieldprint(t, rk+"\nno\n", "restore", file, "--db", other); code == 0 || !strings.Contains(errs, "nothing was restored") {
		t.Fatalf("restore not confirmed: %d %q", code, errs)
	}
	if _, err := os.Stat(other); err == nil {
		t.Fatal("a restore not confirmed wrote the database")
	}
	if code, _, errs := fieldprint(t, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH-IIII-JJJJ\n", "restore", file, "--db", other); code == 0 || !strings.Contains(errs, "recovery key") {
		t.Fatalf("restore with a wrong key: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, rk+"\nyes\n", "restore", file, "--db", other)
	if code != 0 || !strings.Contains(out, "The backup is whole") || !strings.Contains(out, "Restored.") {
		t.Fatalf("restore: %d %q %q", code, out, errs)
	}
	if code, out, _ := fieldprint(t, "", "list", "--db", other); code != 0 || !strings.Contains(out, "8 request(s)") {
		t.Fatalf("list of the restored office: %q", out)
	}
	if code, out, errs := fieldprint(t, "", "check", "--db", other); code != 0 {
		t.Fatalf("check: %q %q", out, errs)
	}
	// With an administrator's password, over the office itself.
	if code, out, errs := fieldprint(t, "", "restore", file, "--admin", "admin", "--yes", "--db", path); code != 0 || !strings.Contains(out, "replaced-") {
		t.Fatalf("restore --admin: %d %q %q", code, out, errs)
	}
}
