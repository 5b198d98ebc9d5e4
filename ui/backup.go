package ui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/workflow"
)

// Backups is what the backup part of Settings and the daily automatic
// backup need: a store on this desk's disk (store.DB).
type Backups interface {
	BackupConfig() (backup.Config, error)
	SetBackupConfig(a fp.Actor, folder string, r backup.Rotation, auto bool) error
	BackupDue(now time.Time) bool
	BackupNow(a fp.Actor, to string, opt workflow.BackupOptions) (string, backup.Counts, error)
}

// Restorer restores a backup over the open office (cmd wires it: the
// window opens no store). It checks the backup whole and builds the office
// it holds while the open one stays in use, then closes the open store,
// puts the new office in its place and opens it; it returns the store now
// open (the old one when anything failed before the swap) and the error.
type Restorer func(file string, s workflow.BackupSecret, progress func(float64)) (Store, error)

func (u *UI) backups() (Backups, bool) {
	b, ok := u.db.(Backups)
	return b, ok
}

// backupPanel is the Backups part of the Settings screen (administrators).
type backupPanel struct {
	ui      *UI
	b       Backups
	folder  *widget.Entry
	daily   *widget.Entry
	weekly  *widget.Entry
	auto    *widget.Check
	last    *widget.Label
	content fyne.CanvasObject
}

func newBackupPanel(u *UI) *backupPanel {
	b, ok := u.backups()
	if !ok {
		return nil
	}
	p := &backupPanel{ui: u, b: b}
	p.folder = widget.NewEntry()
	p.folder.SetPlaceHolder("e.g. a USB drive or the office share: E:\\Fieldprint")
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), p.onChooseFolder)
	p.daily, p.weekly = widget.NewEntry(), widget.NewEntry()
	p.auto = widget.NewCheck("Back up automatically once a day while someone is signed in", nil)
	p.last = widget.NewLabel("")
	p.last.Wrapping = fyne.TextWrapWord
	save := widget.NewButtonWithIcon("Save backup settings", theme.DocumentSaveIcon(), p.onSave)
	now := widget.NewButtonWithIcon("Back up now", theme.UploadIcon(), p.onBackUpNow)
	now.Importance = widget.HighImportance
	restore := widget.NewButtonWithIcon("Restore…", theme.HistoryIcon(), u.onRestore)
	form := widget.NewForm(
		widget.NewFormItem("Backup folder", container.NewBorder(nil, nil, nil, choose, p.folder)),
		widget.NewFormItem("Keep daily", p.daily),
		widget.NewFormItem("and weekly", p.weekly),
	)
	why := widget.NewLabel("One encrypted file per backup: the requests, their scans and the stamp key. It opens with the recovery key " +
		"from the office safe, or an administrator's password of that day, on this desk or another.")
	why.Wrapping = fyne.TextWrapWord
	p.content = container.NewVBox(heading("Backups"), why, form, p.auto, p.last, container.NewHBox(save, now, restore))
	p.refresh()
	return p
}

func (p *backupPanel) refresh() {
	c, err := p.b.BackupConfig()
	if err != nil {
		p.last.SetText(fp.ErrorMessage(err))
	}
	p.folder.SetText(c.Folder)
	p.daily.SetText(strconv.Itoa(c.Daily))
	p.weekly.SetText(strconv.Itoa(c.Weekly))
	p.auto.SetChecked(c.Auto)
	switch {
	case c.Last.IsZero():
		p.last.SetText("No backup made yet.")
		p.last.Importance = widget.WarningImportance
	case c.LastOK.Equal(c.Last):
		p.last.SetText("Last backup " + p.ui.when(c.Last) + ": " + c.Result)
		p.last.Importance = widget.MediumImportance
	default:
		p.last.SetText("Last backup " + p.ui.when(c.Last) + " " + c.Result)
		p.last.Importance = widget.DangerImportance
	}
	p.last.Refresh()
}

func (p *backupPanel) onChooseFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err == nil && l != nil {
			p.folder.SetText(l.Path())
		}
	}, p.ui.win)
	d.Show()
}

func (p *backupPanel) onSave() {
	p.ui.touch()
	daily, err1 := strconv.Atoi(strings.TrimSpace(p.daily.Text))
	weekly, err2 := strconv.Atoi(strings.TrimSpace(p.weekly.Text))
	if err1 != nil || err2 != nil {
		p.ui.showError(fp.Errorf(fp.EINVALID, "how many backups to keep is a number: e.g. 7 daily and 4 weekly"))
		return
	}
	if err := p.b.SetBackupConfig(p.ui.actor, p.folder.Text, backup.Rotation{Daily: daily, Weekly: weekly}, p.auto.Checked); err != nil {
		p.ui.showError(err)
		return
	}
	p.refresh()
}

func (p *backupPanel) onBackUpNow() {
	p.ui.touch()
	var file string
	var err error
	p.ui.withProgress("Backing up", func(progress func(float64)) {
		file, _, err = p.b.BackupNow(p.ui.actor, "", workflow.BackupOptions{Progress: progress})
	}, func() {
		p.refresh()
		if err != nil {
			p.ui.showError(err)
			return
		}
		p.ui.setBackupStatus("")
		dialog.ShowInformation("Backup made", "The backup is written:\n"+file, p.ui.win)
	})
}

// withProgress runs work off the UI thread behind a progress bar, then
// done on the UI thread (tests: inline).
func (u *UI) withProgress(title string, work func(progress func(float64)), done func()) {
	if u.inline {
		work(func(float64) {})
		done()
		return
	}
	bar := widget.NewProgressBar()
	d := dialog.NewCustomWithoutButtons(title, container.NewPadded(bar), u.win)
	d.Resize(fyne.NewSize(min(420, u.win.Canvas().Size().Width-40), 120))
	d.Show()
	go func() {
		last := -1
		work(func(f float64) {
			if n := int(f * 100); n != last {
				last = n
				fyne.Do(func() { bar.SetValue(f) })
			}
		})
		fyne.Do(func() {
			d.Hide()
			done()
		})
	}()
}

// onRestore asks for the backup file and the secret that opens it, then
// restores it over the office, which reopens signed out.
func (u *UI) onRestore() {
	u.touch()
	file := widget.NewEntry()
	file.SetPlaceHolder("the backup file, fieldprint-backup-….fpbackup")
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				file.SetText(r.URI().Path())
				r.Close()
			}
		}, u.win)
		if c, err := u.backupConfig(); err == nil && c.Folder != "" {
			if l, err := listerOf(c.Folder); err == nil {
				d.SetLocation(l)
			}
		}
		d.Show()
	})
	key := widget.NewEntry()
	key.SetPlaceHolder("XXXX-XXXX-… from the office safe")
	admin := widget.NewEntry()
	admin.SetPlaceHolder("or an administrator's name…")
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder("…and that administrator's password on the backup's day")
	confirm := widget.NewCheck("Replace this office's data with the backup (everyone signs in again)", nil)
	warn := widget.NewLabel("The backup is checked whole before anything is replaced. The office it replaces is kept in a folder beside the database.")
	warn.Wrapping = fyne.TextWrapWord
	d := u.newFormDialog("Restore a backup", "Restore", []*widget.FormItem{
		widget.NewFormItem("Backup file", container.NewBorder(nil, nil, nil, choose, file)),
		widget.NewFormItem("Recovery key", key),
		widget.NewFormItem("Administrator", admin),
		widget.NewFormItem("Password", password),
		widget.NewFormItem("", confirm),
		widget.NewFormItem("", warn),
	}, func() error {
		s := workflow.BackupSecret{RecoveryKey: strings.TrimSpace(key.Text), Admin: strings.TrimSpace(admin.Text), Password: password.Text}
		switch {
		case strings.TrimSpace(file.Text) == "":
			return fp.Errorf(fp.EINVALID, "choose the backup file first")
		case s.RecoveryKey == "" && (s.Admin == "" || s.Password == ""):
			return fp.Errorf(fp.EINVALID, "type the recovery key, or an administrator's name and password")
		case !confirm.Checked:
			return fp.Errorf(fp.EINVALID, "tick the box to confirm that this office's data is replaced")
		case u.Restorer == nil:
			return fp.Errorf(fp.EINVALID, "this window cannot restore: use the command fieldprint restore FILE")
		}
		u.restore(strings.TrimSpace(file.Text), s)
		return nil
	})
	d.show(u, 600)
}

func listerOf(dir string) (fyne.ListableURI, error) {
	return storage.ListerForURI(storage.NewFileURI(filepath.Clean(dir)))
}

func (u *UI) backupConfig() (backup.Config, error) {
	if b, ok := u.backups(); ok {
		return b.BackupConfig()
	}
	return backup.Config{}, fp.Errorf(fp.EINVALID, "no backups here")
}

// restore runs the Restorer behind a progress bar, then reopens the
// window signed out on the office that is now open.
func (u *UI) restore(file string, s workflow.BackupSecret) {
	var db Store
	var err error
	u.withProgress("Checking the backup and restoring", func(progress func(float64)) {
		db, err = u.Restorer(file, s, progress)
	}, func() {
		if db != nil {
			u.db = db
		}
		if err != nil {
			u.showError(err)
			return
		}
		u.closeForm()
		u.actor = fp.Actor{}
		u.queue = newQueueScreen(u)
		u.setTitle()
		u.showSignIn("The backup is restored. Sign in again, with the passwords of the backup's day.")
	})
}

// setBackupStatus shows a failed automatic backup under the navigation
// ("" clears it).
func (u *UI) setBackupStatus(msg string) {
	if u.backupStatus == nil {
		return
	}
	u.backupStatus.SetText(msg)
	if msg == "" {
		u.backupStatus.Hide()
	} else {
		u.backupStatus.Show()
	}
}

// autoBackup makes the daily backup when it is due, as whoever is signed
// in (the office key their sign-in unlocked is what it needs); a failure
// shows under the navigation until a backup succeeds.
func (u *UI) autoBackup() {
	b, ok := u.backups()
	if !ok || u.actor.Name == "" || u.locked || u.backingUp || !b.BackupDue(time.Now()) {
		return
	}
	u.backingUp = true
	a := u.actor
	go func() {
		_, _, err := b.BackupNow(a, "", workflow.BackupOptions{Automatic: true})
		fyne.Do(func() {
			u.backingUp = false
			if err != nil {
				u.logError(err)
				u.setBackupStatus(fmt.Sprintf("The daily backup failed (%s): %s", u.clock(), fp.ErrorMessage(err)))
				return
			}
			u.setBackupStatus("")
		})
	}()
}
