package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// An administrator adds staff, resets a password, unlocks and disables
// from the Users screen; a mistake shows in the dialog, which keeps what was
// typed.
func TestUsersScreen(t *testing.T) {
	u, db := demoUI(t)
	signIn(t, u, demo.Admin.Name, demo.Password)
	if !u.nav[navUsers].Visible() {
		t.Fatal("no Users screen for the administrator")
	}
	test.Tap(u.nav[navUsers])
	test.Tap(button(t, u.body, "Add account…"))
	d := topOverlay(u)
	entries := findAll[*widget.Entry](t, d)
	test.Type(entries[0], "akumar")
	test.Type(entries[1], "Anil Kumar")
	test.Type(entries[2], "gz-0042")
	test.Type(entries[3], "a long enough phrase")
	test.Type(entries[4], "a long enough phrasE")
	test.Tap(button(t, d, "Add"))
	if topOverlay(u) != d || entries[1].Text != "Anil Kumar" {
		t.Fatal("a mistake closed the dialog or lost what was typed")
	}
	if l, _ := find(t, d, func(l *widget.Label) bool { return strings.Contains(l.Text, "two passwords differ") }); l == nil {
		t.Fatal("no message in the dialog")
	}
	entries[4].SetText("a long enough phrase")
	test.Tap(button(t, d, "Add"))
	acc, err := db.FindUser("akumar")
	if err != nil || acc.Display() != "Anil Kumar (badge GZ-0042)" || acc.Role != fp.RoleClerk {
		t.Fatalf("added %+v %v", acc, err)
	}
	// The only administrator cannot be disabled (not offered for oneself,
	// and refused by the store anyway).
	if err := db.DisableUser(fp.Actor{Name: "akumar", Role: fp.RoleAdmin}, demo.Admin.Name); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("the last administrator was disabled: %v", err)
	}
	// Locked after five wrong passwords: the screen says so and unlocks.
	for i := 0; i < fp.LockFailures; i++ {
		db.Authenticate("akumar", "wrong password!")
	}
	u.Navigate(navUsers)
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Locked until") }); !ok {
		t.Fatal("the locked account is not shown as locked")
	}
	rowFor := func(name string) *widget.Button {
		for _, b := range findAll[*widget.Button](t, u.body) {
			if b.Text == "Unlock" {
				return b
			}
		}
		t.Fatalf("no Unlock for %s", name)
		return nil
	}
	test.Tap(rowFor("akumar"))
	if a, err := db.Authenticate("akumar", "a long enough phrase"); err != nil || a.Name != "akumar" {
		t.Fatalf("after unlock: %v", err)
	}
}
