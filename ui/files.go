package ui

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
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

// printDoc prints d through the workflow (rendered, hashed and recorded in
// one step) and writes it whole to the user's print folder, named who (the
// request and person it is for) and what it is.
func (u *UI) printDoc(who string, d workflow.Document) (workflow.Printed, string, error) {
	p, err := workflow.Print(u.db, u.actor, d, u.Now())
	if err != nil {
		return p, "", err
	}
	dir, err := outputDir()
	if err != nil {
		return p, "", err
	}
	name := strings.TrimSpace(who + " " + p.Name)
	path := filepath.Join(dir, safeFileName(name)+".pdf")
	if path, err = writePrinted(path, p.Bytes); err != nil {
		return p, "", fp.Internal("cannot write the "+p.Name+" (the printing is recorded: print it again)", err)
	}
	return p, path, nil
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

// printRecord and printLetter are the two documents a request form offers.
func (u *UI) printRecord(r *fp.Request) (string, error) {
	_, path, err := u.printDoc(r.Number, workflow.Document{Kind: workflow.Record, Request: r.ID})
	return path, err
}

func (u *UI) printLetter(r *fp.Request) (string, error) {
	_, path, err := u.printDoc(r.Number, workflow.Document{Kind: workflow.StatusLetter, Request: r.ID})
	return path, err
}

// openFile opens a written file in the system's viewer and reports whether
// one was started: a message must not say "opened" when nothing opened.
func (u *UI) openFile(path string) bool {
	if runtime.GOOS == "windows" {
		return shellOpen(path) == nil // the shell, not a file:// URL (shell_windows.go)
	}
	if runtime.GOOS != "darwin" {
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
