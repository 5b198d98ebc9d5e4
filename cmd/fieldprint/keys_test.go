package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var recoveryKeyRE = regexp.MustCompile(`[A-Z2-7]{4}(-[A-Z2-7]{4}){9}`)

// The office data key from the command line: made with the first
// administrator (its recovery key printed once), listed, replaced, and used
// to set a lost administrator password.
func TestKeysCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "office.db")
	os.Unsetenv("FIELDPRINT_PASSWORD")
	code, out, errs := fieldprint(t, pw+"\n", "user", "add", "boss", "--role", "admin", "--full-name", "Bo Svensson", "--password-stdin", "--db", path)
	first := recoveryKeyRE.FindString(out)
	if code != 0 || first == "" || !strings.Contains(out, "office safe") {
		t.Fatalf("first admin: %d %q %q", code, out, errs)
	}
	if code, out, _ := fieldprint(t, "", "keys", "status", "--db", path); code != 0 || !strings.Contains(out, "data key is made") {
		t.Fatalf("status: %d %q", code, out)
	}
	// A clerk added by the administrator gets a slot and signs in.
	if code, _, errs := fieldprint(t, pw+"\n"+pw+"\n", "user", "add", "ana", "--role", "clerk", "--full-name", "Ana García", "--password-stdin", "--user", "boss", "--db", path); code != 0 {
		t.Fatalf("clerk: %s", errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", pw)
	if code, _, errs := fieldprint(t, "", "keys", "new-recovery", "--user", "ana", "--db", path); code == 0 || !strings.Contains(errs, "administrator") {
		t.Fatalf("new-recovery by a clerk: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, "", "keys", "new-recovery", "--user", "boss", "--db", path)
	second := recoveryKeyRE.FindString(out)
	if code != 0 || second == "" || second == first {
		t.Fatalf("new-recovery: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "keys", "setup", "--user", "boss", "--db", path); code == 0 || !strings.Contains(errs, "already") {
		t.Fatalf("setup twice: %d %q", code, errs)
	}
	// The administrator's password is lost: the automatic sign-in of
	// FIELDPRINT_USER must not stand in the way of the recovery.
	t.Setenv("FIELDPRINT_USER", "boss")
	os.Unsetenv("FIELDPRINT_PASSWORD")
	newPW := "a brand new passphrase 42"
	if code, _, errs := fieldprint(t, first+"\n"+newPW+"\n", "keys", "recover", "boss", "--db", path); code == 0 || !strings.Contains(errs, "newer one") {
		t.Fatalf("recover with the replaced key: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "ABCD-EFGH\n"+newPW+"\n", "keys", "recover", "boss", "--db", path); code == 0 || !strings.Contains(errs, "not the recovery key") {
		t.Fatalf("recover with a mistyped key: %d %q", code, errs)
	}
	if code, out, errs := fieldprint(t, strings.ToLower(second)+"\n"+newPW+"\n", "keys", "recover", "boss", "--db", path); code != 0 || !strings.Contains(out, "Password set") {
		t.Fatalf("recover: %d %q %q", code, out, errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", newPW)
	os.Unsetenv("FIELDPRINT_USER")
	if code, out, errs := fieldprint(t, "", "user", "list", "--db", path); code != 0 || strings.Contains(out, "no key") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	// Disabled and enabled again, the clerk needs a new password.
	for _, args := range [][]string{{"user", "disable", "ana"}, {"user", "enable", "ana"}} {
		if code, _, errs := fieldprint(t, "", append(args, "--user", "boss", "--db", path)...); code != 0 {
			t.Fatalf("%v: %q", args, errs)
		}
	}
	if code, out, _ := fieldprint(t, "", "keys", "status", "--db", path); code != 0 || !strings.Contains(out, "ana has no key slot") {
		t.Fatalf("status after enable: %d %q", code, out)
	}
	if code, out, _ := fieldprint(t, "", "user", "list", "--db", path); code != 0 || !strings.Contains(out, "no key: needs a new password") {
		t.Fatalf("list after enable: %d %q", code, out)
	}
	t.Setenv("FIELDPRINT_PASSWORD", pw)
	if code, _, errs := fieldprint(t, "", "keys", "new-recovery", "--user", "ana", "--db", path); code == 0 || !strings.Contains(errs, "set a new password") {
		t.Fatalf("the clerk without a slot signs in: %d %q", code, errs)
	}
}
