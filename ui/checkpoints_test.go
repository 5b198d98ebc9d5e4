package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// The checkpoint folder is shown and cleared in Settings, and the Audit
// screen's verification reads the signed checkpoints there.
func TestCheckpointFolderAndVerification(t *testing.T) {
	u, db := openUI(t)
	admin := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := db.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: "Staff Member", Role: admin.Role, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, "root", testPassword)
	label := func(part string) (*widget.Label, bool) {
		return find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, part) && l.Visible() })
	}
	u.Navigate(navSettings)
	if _, ok := label("None: no checkpoint is written"); !ok {
		t.Fatal("Settings does not say that no checkpoint folder is set")
	}
	u.Navigate(navAudit)
	verify, _ := find(t, u.body, func(b *widget.Button) bool { return b.Text == "Verify the chain" })
	test.Tap(verify)
	if l, ok := label("Verified: "); !ok || !strings.Contains(l.Text, "no checkpoint folder") || l.Importance != widget.WarningImportance {
		t.Fatalf("verification without a folder: %v", l)
	}

	dir := t.TempDir()
	if err := db.SetCheckpointFolder(admin, dir); err != nil { // what "Choose folder…" calls with the folder chosen
		t.Fatal(err)
	}
	u.Navigate(navSettings)
	if _, ok := label(dir); !ok {
		t.Fatal("Settings does not show the checkpoint folder")
	}
	u.Navigate(navAudit)
	verify, _ = find(t, u.body, func(b *widget.Button) bool { return b.Text == "Verify the chain" })
	test.Tap(verify)
	if l, ok := find(t, u.body, func(l *widget.Label) bool {
		return strings.HasPrefix(l.Text, "Verified: ") || strings.HasPrefix(l.Text, "The history does not verify")
	}); !ok || !strings.Contains(l.Text, "signed checkpoint") || l.Importance != widget.SuccessImportance {
		t.Fatalf("verification against the folder: %v %q", ok, l.Text)
	}

	u.Navigate(navSettings)
	stop, _ := find(t, u.body, func(b *widget.Button) bool { return b.Text == "Stop writing checkpoints" })
	test.Tap(stop)
	if got, _ := db.CheckpointFolder(); got != "" {
		t.Fatalf("the folder is still %q", got)
	}
	if _, ok := label("None: no checkpoint is written"); !ok {
		t.Fatal("Settings still shows a folder")
	}
}
