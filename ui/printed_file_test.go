package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"FP-2026-00042 José Müller stamped notice": "FP-2026-00042 José Müller stamped notice",
		`a/b\c:d*e?f"g<h>i|j` + "\tk":              "a-b-c-d-e-f-g-h-i-j-k",
		"Nguyễn Thị Minh Khai 阮":                   "Nguyễn Thị Minh Khai 阮",
	} {
		if got := safeFileName(in); got != want {
			t.Errorf("safeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A printed file that cannot be replaced (on Windows: open in a viewer that
// locks it; here: a directory in its place) is written beside it.
func TestWritePrintedBesideALockedFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Users", "José Müller", "print")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "FP-2026-00042 record.pdf")
	if got, err := writePrinted(path, []byte("one")); err != nil || got != path {
		t.Fatalf("first: %q %v", got, err)
	}
	if got, err := writePrinted(path, []byte("two")); err != nil || got != path {
		t.Fatalf("again: %q %v", got, err)
	}
	if runtime.GOOS == "windows" {
		return // a directory in the way is another error there; the rename rule is the same
	}
	blocked := filepath.Join(dir, "FP-2026-00043 record.pdf")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	got, err := writePrinted(blocked, []byte("three"))
	if want := filepath.Join(dir, "FP-2026-00043 record (2).pdf"); err != nil || got != want {
		t.Fatalf("blocked: %q %v, want %q", got, err, want)
	}
	if b, _ := os.ReadFile(got); string(b) != "three" {
		t.Errorf("written %q", b)
	}
}
