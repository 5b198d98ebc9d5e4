package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/workflow"
)

// The administrator sets the backup folder in Settings, backs up now, then
// restores that backup with an administrator's password: the window
// reopens signed out on the restored office.
func TestBackupFromSettings(t *testing.T) {
	u, db := openUI(t)
	if _, err := demo.Load(db, 5, u.today()); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, demo.Admin.Name, demo.Password)
	u.Navigate(navSettings)
	panel := newBackupPanel(u)
	if panel == nil {
		t.Fatal("no backup panel on a store on the disk")
	}
	folder := filepath.Join(t.TempDir(), "usb")
	panel.folder.SetText(folder)
	panel.daily.SetText("x")
	panel.onSave()
	if c, _ := db.BackupConfig(); c.Folder != "" {
		t.Fatal("a bad count was saved")
	}
	closeDialogs(u)
	panel.daily.SetText("5")
	panel.onSave()
	if c, _ := db.BackupConfig(); c.Folder != folder || c.Daily != 5 {
		t.Fatalf("settings not saved: %+v", c)
	}
	panel.onBackUpNow()
	list, _ := backup.List(folder)
	if len(list) != 1 || !strings.Contains(panel.last.Text, "records") {
		t.Fatalf("backup now: %v, %q", list, panel.last.Text)
	}
	closeDialogs(u)

	cur := db
	u.Restorer = func(file string, s workflow.BackupSecret, progress func(float64)) (Store, error) {
		prep, err := store.Prepare(file, cur.Path(), s, progress)
		if err != nil {
			return cur, err
		}
		cur.Close()
		if _, err := prep.Swap(u.Now()); err != nil {
			return nil, err
		}
		cur, err = store.Open(cur.Path())
		t.Cleanup(func() { cur.Close() })
		return cur, err
	}
	u.onRestore()
	d := u.win.Canvas().Overlays().Top()
	entries := findAll[*widget.Entry](t, d)
	if len(entries) < 4 {
		t.Fatalf("the restore dialog has %d entries", len(entries))
	}
	test.Type(entries[0], list[0].Path)
	test.Type(entries[2], demo.Admin.Name)
	test.Type(entries[3], demo.Password)
	test.Tap(button(t, d, "Restore")) // not confirmed: refused in the dialog
	if u.win.Canvas().Overlays().Top() != d {
		t.Fatal("the dialog closed without the confirmation")
	}
	check, _ := find(t, d, func(c *widget.Check) bool { return true })
	test.Tap(check)
	test.Tap(button(t, d, "Restore"))
	if u.actor.Name != "" || u.db == Store(db) {
		t.Fatalf("after the restore: signed in as %q, same store %v", u.actor.Name, u.db == Store(db))
	}
	if _, err := os.Stat(cur.Path()); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, demo.Admin.Name, demo.Password)
	for _, err := range cur.Check() { // signed in: the records are encrypted
		t.Error(err)
	}
	if u.actor.Name != demo.Admin.Name {
		t.Fatal("cannot sign in on the restored office")
	}
}

func closeDialogs(u *UI) {
	o := u.win.Canvas().Overlays()
	for top := o.Top(); top != nil; top = o.Top() {
		o.Remove(top)
	}
}
