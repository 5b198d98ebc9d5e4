package ui

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/internal/fixture"
)

var recoveryKeyRE = regexp.MustCompile(`[A-Z2-7]{4}(-[A-Z2-7]{4}){9}`)

// recoveryKeyShown reads the key off the recovery key dialog, checks that
// Done waits for the "written down" box, and closes it.
func recoveryKeyShown(t *testing.T, u *UI) string {
	t.Helper()
	d := topOverlay(u)
	if d == nil {
		t.Fatal("no recovery key dialog")
	}
	l, ok := find(t, d, func(l *widget.Label) bool { return recoveryKeyRE.MatchString(l.Text) })
	if !ok {
		t.Fatal("the dialog shows no recovery key")
	}
	done := button(t, d, "Done")
	if !done.Disabled() {
		t.Fatal("Done is enabled before the key is written down")
	}
	c, _ := find(t, d, func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "I have written") })
	test.Tap(c)
	test.Tap(c) // and unticked again: Done waits
	if !done.Disabled() {
		t.Fatal("Done is enabled with the box unticked")
	}
	test.Tap(c)
	test.Tap(done)
	if topOverlay(u) == d {
		t.Fatal("Done did not close the dialog")
	}
	return l.Text
}

// The office data key in the window: made with the first administrator
// (recovery key shown once), on an older database at an administrator's
// sign-in, replaced from the Users screen, and used to set a forgotten
// administrator password from the sign-in screen.
func TestKeysInTheWindow(t *testing.T) {
	u, db := openUI(t)
	u.showSignIn("")
	content := u.win.Content()
	entries := findAll[*widget.Entry](t, content)
	test.Type(entries[0], "root")
	test.Type(entries[1], "Rosa Ortiz")
	test.Type(entries[2], testPassword)
	test.Type(entries[3], testPassword)
	test.Tap(button(t, content, "Create administrator"))
	first := recoveryKeyShown(t, u)
	if set, _ := db.KeysSetUp(); !set {
		t.Fatal("the first administrator made no office key")
	}
	if _, ok := find(t, u.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Administrator created") }); !ok {
		t.Fatal("not back at the sign-in screen after the recovery key")
	}

	// Forgot the password: mistakes stay in the dialog with what was typed.
	signInScreenNow := u.win.Content()
	test.Tap(button(t, signInScreenNow, "Forgot the administrator password?"))
	d := topOverlay(u)
	es := findAll[*widget.Entry](t, d)
	key, name, pw, again := es[0], es[1], es[2], es[3]
	test.Type(key, "ABCD-EFGH")
	name.SetText("root")
	test.Type(pw, "a brand new passphrase")
	test.Type(again, "a brand new passphrase")
	test.Tap(button(t, d, "Set the password"))
	if topOverlay(u) != d || key.Text != "ABCD-EFGH" {
		t.Fatal("a wrong recovery key closed the dialog or lost what was typed")
	}
	if _, ok := find(t, d, func(l *widget.Label) bool { return strings.Contains(l.Text, "not the recovery key") }); !ok {
		t.Fatal("no message for a mistyped recovery key")
	}
	key.SetText(strings.ToLower(first))
	again.SetText("a brand new passphrasE")
	test.Tap(button(t, d, "Set the password"))
	if _, ok := find(t, d, func(l *widget.Label) bool { return strings.Contains(l.Text, "two passwords differ") }); !ok {
		t.Fatal("no message for two different passwords")
	}
	again.SetText("a brand new passphrase")
	test.Tap(button(t, d, "Set the password"))
	if topOverlay(u) == d {
		t.Fatal("the dialog stayed open after the password was set")
	}
	test.Tap(button(t, signInScreenNow, "Forgot the administrator password?"))
	test.Tap(button(t, topOverlay(u), "Cancel"))
	signIn(t, u, "root", "a brand new passphrase")
	if u.actor.Name != "root" {
		t.Fatalf("signed in as %q", u.actor.Name)
	}

	// Users: a new recovery key (Cancel first, then OK).
	test.Tap(u.nav[navUsers])
	test.Tap(button(t, u.body, "New recovery key…"))
	test.Tap(button(t, topOverlay(u), "No"))
	if set, _ := db.KeysSetUp(); !set {
		t.Fatal("keys lost")
	}
	test.Tap(button(t, u.body, "New recovery key…"))
	test.Tap(button(t, topOverlay(u), "Yes"))
	second := recoveryKeyShown(t, u)
	if second == first {
		t.Fatal("the same recovery key again")
	}
	if err := db.Recover(first, "root", testPassword); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("the replaced recovery key still works: %v", err)
	}
	// Signing out forgets the key.
	u.showSignIn("")
	if db.Unlocked() {
		t.Fatal("the office key is still in memory after signing out")
	}
}

// An enabled account without a key slot says so on the Users screen.
func TestUsersScreenShowsAccountsWithoutKey(t *testing.T) {
	u, db := demoUI(t)
	signIn(t, u, demo.Admin.Name, demo.Password)
	if err := db.DisableUser(demo.Admin, demo.Clerk.Name); err != nil {
		t.Fatal(err)
	}
	if err := db.EnableUser(demo.Admin, demo.Clerk.Name); err != nil {
		t.Fatal(err)
	}
	test.Tap(u.nav[navUsers])
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return l.Text == "No key: needs a new password" }); !ok {
		t.Fatal("the account without a key slot is not marked")
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "no key to the office's data") && l.Visible()
	}); !ok {
		t.Fatal("no note about accounts without a key")
	}
}

// An office from before the key: the administrator's first sign-in makes
// it, and the records in the clear are encrypted behind a progress bar.
func TestFirstSignInSealsAnOlderOffice(t *testing.T) {
	u, db := openUI(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Rosa Ortiz", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(&fp.Actor{Name: "root", Role: fp.RoleAdmin}, fp.NewUser{Name: "ana", FullName: "Ana García", Role: fp.RoleClerk, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	r, _, err := fixture.Request().Parse(u.today())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRequest(fp.Actor{Name: "ana", Role: fp.RoleClerk}, r, fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, "root", testPassword)
	if need, _ := db.NeedsSealing(); need {
		t.Fatal("the records are still in the clear after the administrator's sign-in")
	}
	if errs := db.Check(); len(errs) > 0 {
		t.Fatal(errs)
	}
}
