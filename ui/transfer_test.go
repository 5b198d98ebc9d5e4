package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A tracker imports from the window like from the CLI: every problem listed
// by line and nothing imported, or every row after one question.
func TestImportFromTheWindow(t *testing.T) {
	u, db := newTestUI(t)
	head := "full_name,date_of_birth,category,basis,notice_type,receipt_number,email\n"
	bad := head + "Ana García,1980-05-05,military,Spouse of a soldier,receipt,IOE0912345678,ana@example.com\n" +
		"Li Wei,1980-13-45,military,Spouse of a soldier,receipt,GUZ2018123456,li@example.com\n"
	u.importCSV("tracker.csv", []byte(bad))
	d := topOverlay(u)
	if d == nil {
		t.Fatal("no report of the problems")
	}
	text := strings.Join(labels(t, d), "\n")
	if !strings.Contains(text, "Nothing was imported: 2 problems in tracker.csv") || !strings.Contains(text, "line 3: date_of_birth") || !strings.Contains(text, "line 3: receipt_number") {
		t.Fatalf("report:\n%s", text)
	}
	if n, _ := db.CountRequests(); n != 0 {
		t.Fatal("a file with problems was partly imported")
	}
	test.Tap(button(t, d, "Close"))
	good := head + "Ana García,1980-05-05,military,Spouse of a soldier,receipt,IOE0912345678,ana@example.com\n" +
		"Li Wei,1980-03-05,319b,Spouse of a consular officer,receipt,IOE0912345679,li@example.com\n"
	u.importCSV("tracker.csv", []byte(good))
	d = topOverlay(u)
	if !strings.Contains(strings.Join(labels(t, d), "\n"), "holds 2 requests, all valid") {
		t.Fatalf("question: %q", labels(t, d))
	}
	test.Tap(button(t, d, "Import"))
	if n, _ := db.CountRequests(); n != 2 {
		t.Fatalf("%d requests after the import", n)
	}
	// The same file again: both rows are duplicates of open requests.
	for topOverlay(u) != nil {
		u.win.Canvas().Overlays().Remove(topOverlay(u))
	}
	u.importCSV("tracker.csv", []byte(good))
	if text := strings.Join(labels(t, topOverlay(u)), "\n"); !strings.Contains(text, "is already on FP-2026-00001") {
		t.Fatalf("duplicates: %s", text)
	}
	if n, _ := db.CountRequests(); n != 2 {
		t.Fatal("duplicates imported")
	}
}

// labels lists the text of every label below o.
func labels(t *testing.T, o fyne.CanvasObject) []string {
	var out []string
	for _, l := range findAll[*widget.Label](t, o) {
		out = append(out, l.Text)
	}
	return out
}
