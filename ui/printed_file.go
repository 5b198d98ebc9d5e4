package ui

import (
	"fmt"
	"os"
	"strings"
)

// writePrinted writes a printed document to path, or, when path cannot be
// replaced, beside it as "NAME (2).pdf", "NAME (3).pdf", ... and returns the
// path written. On Windows a PDF viewer (Acrobat among them) holds the file it
// shows open and locked: printing the same letter again while the first copy
// is on screen must not fail.
func writePrinted(path string, b []byte) (string, error) {
	err := writeFileAtomic(path, b)
	if err == nil {
		return path, nil
	}
	if _, statErr := os.Stat(path); statErr != nil {
		return "", err // nothing there to be in the way: a real failure
	}
	base := strings.TrimSuffix(path, ".pdf")
	for n := 2; n <= 20; n++ {
		alt := fmt.Sprintf("%s (%d).pdf", base, n)
		if writeFileAtomic(alt, b) == nil {
			return alt, nil
		}
	}
	return "", err
}

// safeFileName makes name (a request number, a person's name, what the
// document is) a file name on every system: Windows refuses \ / : * ? " < > |
// and control characters in names, Linux only / (and NUL).
func safeFileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '-'
		}
		return r
	}, name)
}
