package store

import (
	"fmt"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
)

// The backup settings of an office on this desk live beside its database
// (backup.ConfigPath, set as the Desk's BackupSettings): they must be read
// when the database cannot be.

// withBackupHint adds to the error of a damaged database the newest
// backup in its backup folder and the command that restores it.
func withBackupHint(path string, err error) error {
	e, ok := err.(*fp.Error)
	if !ok || e.Code != fp.EINTERNAL || !strings.Contains(e.Message, " is damaged") {
		return err
	}
	c, cerr := backup.LoadConfig(backup.ConfigPath(path))
	hint := ""
	switch f, found := backup.Newest(c.Folder); {
	case cerr != nil || c.Folder == "":
		hint = " No backup folder is set for it."
	case !found:
		hint = fmt.Sprintf(" There is no complete backup in its backup folder %s.", c.Folder)
	default:
		hint = fmt.Sprintf(" The newest backup is %s (made %s UTC): restore it with\n  fieldprint restore %q --db %q",
			f.Path, f.Made.Format("2006-01-02 15:04"), f.Path, path)
	}
	out := *e
	out.Message += hint
	return &out
}
