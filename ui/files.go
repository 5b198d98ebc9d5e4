package ui

import (
	"os"
	"path/filepath"
	"time"

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

// writeRecord renders r's record sheet to a file, written whole or not at all.
func writeRecord(r *fp.Request, now time.Time, by string) (string, error) {
	dir, err := outputDir()
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".record-*")
	if err != nil {
		return "", fp.Internal("cannot write the record", err)
	}
	defer os.Remove(tmp.Name())
	if err := letter.Record(tmp, r, letter.Options{Now: now, PrintedBy: by}); err != nil {
		tmp.Close()
		return "", fp.Internal("cannot render the record", err)
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
