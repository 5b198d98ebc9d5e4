package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/workflow"
)

const backupArgs = "[--to FOLDER|FILE.fpbackup] --user ADMIN | status | set --folder FOLDER [--keep-daily N] [--keep-weekly N] [--auto=false] --user ADMIN"

// cmdBackup: fieldprint backup [--to …] | status | set ….
func cmdBackup(e env, args []string) error {
	if len(args) > 0 && (args[0] == "status" || args[0] == "set") {
		if args[0] == "status" {
			return backupStatus(e, args[1:])
		}
		return backupSet(e, args[1:])
	}
	fs, dbFlag := newFlags(e, "backup", backupArgs+" [--db PATH]")
	to := fs.String("to", "", "the folder to write the backup into, or the backup file (ending .fpbackup); default: the backup folder set")
	user := userFlag(fs)
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if err := fileOnly(*dbFlag, "fieldprint backup"); err != nil {
		return err
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newProgress(e.stderr, "Backing up")
	file, counts, err := db.BackupNow(a, *to, workflow.BackupOptions{Progress: p.show})
	p.done()
	if err != nil {
		return err
	}
	st, _ := os.Stat(file)
	fmt.Fprintf(e.stdout, "Backup written: %s\n  %d records, %d scanned files (%s), the stamp key; %s in all, encrypted\n",
		file, counts.Keys, counts.Files, megabytes(int64(counts.FileBytes)), megabytes(st.Size()))
	fmt.Fprintln(e.stdout, "It opens with the office's recovery key or an administrator's password: fieldprint restore FILE")
	return nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func backupStatus(e env, args []string) error {
	fs, dbFlag := newFlags(e, "backup status", "[--db PATH]")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if err := fileOnly(*dbFlag, "fieldprint backup status"); err != nil {
		return err
	}
	path := dbPath(*dbFlag)
	c, err := backup.LoadConfig(backup.ConfigPath(path))
	if err != nil {
		return err
	}
	folder := c.Folder
	if folder == "" {
		folder = "(none set: fieldprint backup set --folder FOLDER)"
	}
	auto := "off"
	if c.Auto {
		auto = "on (the window backs up once a day while someone is signed in)"
	}
	fmt.Fprintf(e.stdout, "Database:       %s\nBackup folder:  %s\nKeeps:          %d daily, %d weekly\nAutomatic:      %s\n", path, folder, c.Daily, c.Weekly, auto)
	if !c.Last.IsZero() {
		fmt.Fprintf(e.stdout, "Last backup:    %s: %s\n", c.Last.Local().Format("2006-01-02 15:04"), c.Result)
	}
	if c.Folder != "" {
		list, _ := backup.List(c.Folder)
		fmt.Fprintf(e.stdout, "In the folder:  %d backups\n", len(list))
		for _, f := range list {
			state := "complete"
			if err := backup.CheckFrames(f.Path); err != nil {
				state = fp.ErrorMessage(err)
			}
			fmt.Fprintf(e.stdout, "  %s  %s\n", f.Path, state)
		}
	}
	return nil
}

func backupSet(e env, args []string) error {
	fs, dbFlag := newFlags(e, "backup set", "--folder FOLDER [--keep-daily N] [--keep-weekly N] [--auto=false] --user ADMIN [--db PATH]")
	folder := fs.String("folder", "", "the backup folder: a USB drive or the office share (a full path)")
	daily := fs.Int("keep-daily", backup.DefaultRotation.Daily, "how many daily backups to keep")
	weekly := fs.Int("keep-weekly", backup.DefaultRotation.Weekly, "how many weekly backups to keep after them")
	auto := fs.Bool("auto", true, "the window backs up once a day while someone is signed in")
	user := userFlag(fs)
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if err := fileOnly(*dbFlag, "fieldprint backup set"); err != nil {
		return err
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetBackupConfig(a, *folder, backup.Rotation{Daily: *daily, Weekly: *weekly}, *auto); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Backups of %s go to %s (keeping %d daily and %d weekly)\n", db.Path(), *folder, *daily, *weekly)
	return nil
}

// cmdRestore: fieldprint restore FILE [--admin NAME] [--yes].
func cmdRestore(e env, args []string) error {
	fs, dbFlag := newFlags(e, "restore", "FILE [--admin NAME] [--yes] [--db PATH]")
	admin := fs.String("admin", "", "open the backup with this administrator's password (as it was when the backup was made) instead of the recovery key")
	yes := fs.Bool("yes", false, "replace the office without asking once the backup is checked")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if err := fileOnly(*dbFlag, "fieldprint restore"); err != nil {
		return err
	}
	path := dbPath(*dbFlag)
	var s workflow.BackupSecret
	if *admin != "" {
		s.Admin = *admin
		if s.Password, err = readPassword(e, "Password of "+*admin+" when the backup was made: "); err != nil {
			return err
		}
	} else if s.RecoveryKey, err = readSecret(e, "Recovery key (ten groups of four, from the office safe): "); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Checking the backup %s and building the office from it beside %s (nothing is replaced yet)…\n", pos[0], path)
	p := newProgress(e.stderr, "Checking and restoring")
	prep, err := store.Prepare(pos[0], path, s, p.show)
	p.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "The backup is whole: made %s by Fieldprint %s, %d records, %d scanned files.\n",
		prep.Header.Created.Local().Format("2006-01-02 15:04"), prep.Header.Version, prep.Counts.Keys, prep.Counts.Files)
	if !*yes {
		fmt.Fprintf(e.stderr, "Replace the office at %s with it? Type yes: ", path)
		line, _ := e.lines.ReadString('\n')
		if strings.TrimSpace(strings.ToLower(line)) != "yes" {
			prep.Discard()
			return fp.Errorf(fp.EINVALID, "nothing was restored: the office is as it was")
		}
	}
	aside, err := prep.Swap(time.Now())
	if err != nil {
		prep.Discard()
		return err
	}
	fmt.Fprintf(e.stdout, "Restored. The office it replaced is kept in %s for %d days.\nEveryone signs in again; the passwords are those of the backup's day.\n", aside, int(store.KeepReplaced.Hours()/24))
	return nil
}

// progress prints a percentage on one line of stderr, at most every
// whole percent.
type progress struct {
	w    io.Writer
	what string
	last int
}

func newProgress(w io.Writer, what string) *progress { return &progress{w: w, what: what, last: -1} }

func (p *progress) show(done float64) {
	if n := int(done * 100); n != p.last {
		p.last = n
		fmt.Fprintf(p.w, "\r%s… %3d%%", p.what, n)
	}
}

func (p *progress) done() {
	if p.last >= 0 {
		fmt.Fprintln(p.w)
	}
}

// restoreOpen restores a backup over the office *db has open, for the
// window: the backup is checked and the new office built while *db stays
// open; then *db is closed, the new office swapped in and opened. *db is
// then the office open (the old one if the restore failed).
func restoreOpen(db **store.DB, file string, s workflow.BackupSecret, progress func(float64)) (*store.DB, error) {
	path := (*db).Path()
	prep, err := store.Prepare(file, path, s, progress)
	if err != nil {
		return *db, err
	}
	(*db).Close()
	_, err = prep.Swap(time.Now())
	if err != nil {
		prep.Discard()
	}
	reopened, oerr := store.Open(path)
	if oerr != nil {
		return nil, oerr
	}
	*db = reopened
	return reopened, err
}
