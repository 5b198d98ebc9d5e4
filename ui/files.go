package ui

import (
	"bytes"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
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

// writeDocument renders one of r's documents to a file, written whole or not
// at all, and audits the printing with the file's SHA-256 and copy number.
func (u *UI) writeDocument(r *fp.Request, render func(w io.Writer) (string, error)) (string, error) {
	dir, err := outputDir()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	name, err := render(&buf)
	if err != nil {
		if fp.ErrorCode(err) == fp.EINTERNAL {
			return "", fp.Internal("cannot render the "+name, err)
		}
		return "", err
	}
	if _, err := u.db.RecordPrint(u.actor, r.ID, name, fp.Fingerprint(buf.Bytes())); err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Number+" "+name+".pdf")
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return "", fp.Internal("cannot write the "+name, err)
	}
	return path, nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".print-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// letterOptions: documents are dated in office time and name who printed them.
func (u *UI) letterOptions() letter.Options {
	return letter.Options{Now: u.Now().In(u.db.Location()), PrintedBy: u.who}
}

// printRecord and printLetter are the two documents a request form offers.
func (u *UI) printRecord(r *fp.Request) (string, error) {
	return u.writeDocument(r, func(w io.Writer) (string, error) {
		return "record", letter.Record(w, r, u.letterOptions())
	})
}

func (u *UI) printLetter(r *fp.Request) (string, error) {
	o, err := u.db.Office()
	if err != nil {
		return "", err
	}
	s, err := u.db.Scheduling()
	if err != nil {
		return "", err
	}
	return u.writeDocument(r, func(w io.Writer) (string, error) {
		return letter.ForRequest(w, r, o, s, u.letterOptions())
	})
}

// openFile opens a written file in the system's viewer and reports whether
// one was started: a message must not say "opened" when nothing opened.
func (u *UI) openFile(path string) bool {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if _, err := exec.LookPath("xdg-open"); err != nil {
			return false // no desktop opener on this computer
		}
	}
	return u.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}) == nil
}

// openedIn says where a written file is and whether the viewer has it.
func openedIn(opened bool) string {
	if opened {
		return "and opened in the PDF viewer."
	}
	return "No PDF viewer could be opened on this computer: open the file from that folder."
}
