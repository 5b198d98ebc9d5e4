package workflow

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
)

// Backups into a folder: the settings (folder, rotation, the daily
// automatic backup) and the last result live in the file BackupSettings,
// outside the key space, so that they can be read when the data cannot.

// BackupConfig is the backup settings and the last backup's result.
func (db *Desk) BackupConfig() (backup.Config, error) { return backup.LoadConfig(db.BackupSettings) }

// SetBackupConfig changes the backup folder, rotation and the daily
// automatic backup (an administrator).
func (db *Desk) SetBackupConfig(a fp.Actor, folder string, r backup.Rotation, auto bool) error {
	if err := db.MayBackUp(a); err != nil {
		return err
	}
	if r.Daily < 1 || r.Daily > 365 || r.Weekly < 0 || r.Weekly > 520 {
		return fp.Errorf(fp.EINVALID, "keep from 1 to 365 daily backups and from 0 to 520 weekly ones")
	}
	c, _ := backup.LoadConfig(db.BackupSettings) // damaged settings are replaced
	was := c
	c.Folder, c.Rotation, c.Auto = strings.TrimSpace(folder), r, auto
	if c.Folder != "" && !filepath.IsAbs(c.Folder) {
		return fp.Errorf(fp.EINVALID, "give the backup folder as a full path (e.g. /media/usb/fieldprint or E:\\Fieldprint)")
	}
	if err := backup.SaveConfig(db.BackupSettings, c); err != nil {
		return err
	}
	var changes []fp.Change
	for _, ch := range []fp.Change{
		{Field: "folder", Old: was.Folder, New: c.Folder},
		{Field: "keep", Old: fmt.Sprintf("%d daily, %d weekly", was.Daily, was.Weekly), New: fmt.Sprintf("%d daily, %d weekly", c.Daily, c.Weekly)},
		{Field: "automatic", Old: strconv.FormatBool(was.Auto), New: strconv.FormatBool(c.Auto)},
	} {
		if ch.Old != ch.New {
			changes = append(changes, ch)
		}
	}
	err := db.update(func(tx *tx) error {
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionBackupSettings, Subject: "office", Changes: changes})
	})
	return wrap(err, "the backup settings were saved, but not recorded in the audit trail")
}

// BackupDue reports whether the daily automatic backup should run: a
// folder is set, the automatic backup is on, the last success is a day
// old or more, and the last attempt is more than an hour old (a drive
// taken out is not tried again every minute).
func (db *Desk) BackupDue(now time.Time) bool {
	c, err := backup.LoadConfig(db.BackupSettings)
	return err == nil && c.Folder != "" && c.Auto && now.Sub(c.LastOK) >= 24*time.Hour && now.Sub(c.Last) >= time.Hour
}

// BackupNow makes a backup into to (a folder, or a file ending in
// .fpbackup; empty: the backup folder set), then rotates that folder,
// records the result beside the database, and removes the files a
// restore replaced once they are old enough. It returns the file made.
func (db *Desk) BackupNow(a fp.Actor, to string, opt BackupOptions) (string, backup.Counts, error) {
	c, _ := backup.LoadConfig(db.BackupSettings)
	folder := to == ""
	if folder {
		if to = c.Folder; to == "" {
			return "", backup.Counts{}, fp.Errorf(fp.EINVALID, "no backup folder is set: choose one (Settings, Backups; or fieldprint backup --to FOLDER)")
		}
	}
	now := time.Now()
	if opt.Now.IsZero() {
		opt.Now = now
	}
	file, counts, err := db.backupTo(a, to, opt)
	if folder || err == nil {
		c.Last = now
		if err != nil {
			c.Result = "failed: " + fp.ErrorMessage(err)
		} else {
			c.LastOK, c.LastRan = now, file
			c.Result = fmt.Sprintf("made %s: %d records, %d files", filepath.Base(file), counts.Keys, counts.Files)
		}
		backup.SaveConfig(db.BackupSettings, c)
	}
	if err != nil {
		return "", counts, err
	}
	if !strings.HasSuffix(to, ".fpbackup") {
		c.Rotation.Rotate(to)
	}
	return file, counts, nil
}

func (db *Desk) backupTo(a fp.Actor, to string, opt BackupOptions) (string, backup.Counts, error) {
	if err := db.MayBackUpNow(a, opt.Automatic); err != nil {
		return "", backup.Counts{}, err
	}
	p, err := backup.Create(to, opt.Now)
	if err != nil {
		return "", backup.Counts{}, err
	}
	how := "by hand"
	if opt.Automatic {
		how = "automatic, daily"
	}
	// Audited before the snapshot is taken, so the backup holds its own
	// entry and a restore shows when it was made.
	if err := db.update(func(tx *tx) error {
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionBackup, Subject: "office",
			Note: fmt.Sprintf("%s into %s", how, filepath.Base(to))})
	}); err != nil {
		p.Abort()
		return "", backup.Counts{}, err
	}
	counts, err := db.Backup(a, p, opt)
	file := ""
	if err == nil {
		file, err = p.Commit()
	} else {
		p.Abort()
	}
	if err != nil {
		db.update(func(tx *tx) error {
			return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionBackupFailed, Subject: "office", Note: fp.ErrorMessage(err)})
		})
		return "", counts, err
	}
	return file, counts, nil
}
