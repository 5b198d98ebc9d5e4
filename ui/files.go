package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/ui/letter"
)

// outputDir is where printed documents go before the viewer opens them: the
// user's cache directory, readable only by the user (they hold personal data).
func outputDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "fieldprint", "print")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fp.Internal("cannot create the folder for printed documents", err)
	}
	return dir, nil
}

// writeRecord renders r's record sheet to a file, written whole or not at
// all, and audits the printing with the file's SHA-256.
func (u *UI) writeRecord(r *fp.Request) (string, error) {
	dir, err := outputDir()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := letter.Record(&buf, r, letter.Options{Now: u.Now(), PrintedBy: u.actor.Name}); err != nil {
		return "", fp.Internal("cannot render the record", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if _, err := u.db.RecordPrint(u.actor, r.ID, "record", hex.EncodeToString(sum[:])); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".record-*")
	if err != nil {
		return "", fp.Internal("cannot write the record", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return "", fp.Internal("cannot write the record", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fp.Internal("cannot write the record", err)
	}
	path := filepath.Join(dir, r.Number+".pdf")
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fp.Internal("cannot write the record", err)
	}
	return path, nil
}
