//go:build !windows

package ui

import (
	"errors"
	"os/exec"
	"strings"
)

// shellOpen is Windows' (shell_windows.go); elsewhere the app's OpenURL
// opens files (openFile).
func shellOpen(string) error { return errors.New("shellOpen is for Windows") }

// systemPrinter prints with CUPS' lp where it is installed (Fyne has no print
// dialog); unavailable says why Print is off when it is not.
func systemPrinter() (print func(path string) (string, error), unavailable string) {
	lp, err := exec.LookPath("lp")
	if err != nil {
		return nil, "No printing system (CUPS) was found on this computer: print from the viewer."
	}
	return func(path string) (string, error) {
		out, err := exec.Command(lp, "--", path).CombinedOutput()
		if err != nil {
			return "", errors.New(strings.TrimSpace(string(out)))
		}
		return strings.TrimSpace(string(out)), nil
	}, ""
}
