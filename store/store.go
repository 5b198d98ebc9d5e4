// Package store opens an office's data on one desk: a bbolt file (the key
// space of the storage contract, store/disk) with its attachments in a
// folder beside it and the stamp signing key in a file beside it, run by
// the workflow. A file written by Fieldprint before the key space (schemas
// 1 to 6, one bbolt bucket per kind of record) is brought up to date in
// place the first time it opens (migrations.go).
//
//	fieldprint.db           the key space (see workflow.Desk for its layout)
//	fieldprint.db-scans/    attachments, ab/ab12…ef by SHA-256
//	fieldprint.db-stamp.key the office's private key for stamped notices
//	fieldprint.db-closed    present after a clean close: the next open skips the page walk
//	fieldprint.db-backup.json the backup folder and rotation, the last backup's result (backup.go)
//	fieldprint.db-restore.journal, .fieldprint.db-restoring/, fieldprint.db-replaced-*/: a restore (restore.go)
package store

import (
	"path/filepath"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/workflow"
)

// DB is an open office on this desk: the workflow on the file.
type DB struct {
	*workflow.Desk
	kv   *disk.KV
	path string
}

// OpenTimeout is how long Open waits for another process to release the file.
var OpenTimeout = time.Second

// Open opens (creating if needed) the office's data at path and brings a
// file of an older layout up to date. After a stop that was not clean it
// sweeps the attachments a crash may have left behind, in the background
// (Check and Close wait for it); after a clean close it does not look at
// the scans folder at all, so opening costs the same whatever the number
// of scans.
func Open(path string) (*DB, error) {
	disk.OpenTimeout = OpenTimeout
	if err := finishRestore(path); err != nil { // restore.go
		return nil, err
	}
	kv, err := disk.OpenKV(path)
	if err != nil {
		return nil, withBackupHint(path, err)
	}
	if err := migrateLegacy(kv, path, time.Now); err != nil {
		kv.Close()
		return nil, err
	}
	if err := migrateKeySpace(kv, path, time.Now); err != nil {
		kv.Close()
		return nil, err
	}
	desk, err := workflow.New(kv, disk.Folder{Dir: path + "-scans"}, workflow.KeyFileBeside(path), "the database "+path)
	if err != nil {
		kv.Close()
		if fp.ErrorCode(err) == fp.EINTERNAL && !disk.FromGuard(err) {
			return nil, withBackupHint(path, disk.Damaged(path, err)) // its settings or layout record is garbled
		}
		return nil, err
	}
	desk.BackupSettings = backup.ConfigPath(path)
	desk.UseKeyFile(workflow.KeyStoreBeside(path))
	desk.SetAsideKeyStores = func() []string {
		found, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(filepath.Base(path))+replacedInfix+"*", filepath.Base(workflow.KeyStoreBeside(path))))
		return found
	}
	removeReplaced(path, time.Now())
	db := &DB{Desk: desk, kv: kv, path: path}
	if !kv.ClosedCleanly() {
		db.SweepInBackground()
	}
	return db, nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// ScansDir is where the bytes of attached files live.
func (db *DB) ScansDir() string { return db.path + "-scans" }

// Check runs bbolt's check of the file, then the workflow's of every index
// and file reference. It returns every problem found.
func (db *DB) Check() []error {
	if errs := db.kv.CheckFile(); len(errs) > 0 {
		return errs // a damaged file is not walked further
	}
	return db.Desk.Check()
}
