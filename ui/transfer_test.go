package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// A tracker imports from the window like from the CLI: every problem listed
// by line and nothing imported, or every row.
func TestImportFromTheWindow(t *testing.T) {
	u, db := newTestUI(t)
	head := "full_name,date_of_birth,category,basis,notice_type,receipt_number,email\n"
	bad := head + "Ana García,1980-05-05,military,Spouse of a soldier,receipt,IOE0912345678,ana@example.com\n" +
		"Li Wei,1980-13-45,military,Spouse of a soldier,receipt,GUZ2018123456,li@example.com\n"
	u.importCSV("tracker.csv", []byte(bad))
	s := u.importer
	if !strings.HasPrefix(s.summary.Text, "2 problems: line 3: date_of_birth") || !s.importBtn.Disabled() ||
		!strings.Contains(s.report.Text, "line 3: receipt_number") {
		t.Fatalf("problems: %q\n%s", s.summary.Text, s.report.Text)
	}
	test.Tap(s.importBtn)
	if n, _ := db.CountRequests(); n != 0 {
		t.Fatal("a file with problems was partly imported")
	}
	good := head + "Ana García,1980-05-05,military,Spouse of a soldier,receipt,IOE0912345678,ana@example.com\n" +
		"Li Wei,1980-03-05,319b,Spouse of a consular officer,receipt,IOE0912345679,li@example.com\n"
	u.importCSV("tracker.csv", []byte(good))
	s = u.importer
	if s.summary.Text != "2 requests ready to import." || s.importBtn.Text != "Import 2 requests" {
		t.Fatalf("ready: %q %q", s.summary.Text, s.importBtn.Text)
	}
	test.Tap(s.importBtn)
	if n, _ := db.CountRequests(); n != 2 {
		t.Fatalf("%d requests after the import", n)
	}
	if text := strings.Join(labels(t, u.win.Content()), "\n"); !strings.Contains(text, "Imported 2 requests from tracker.csv, FP-2026-00001 to FP-2026-00002") ||
		!strings.Contains(text, "Nothing needs attention.") {
		t.Fatalf("result:\n%s", text)
	}
	// The same file again: both rows are duplicates of open requests.
	u.importCSV("tracker.csv", []byte(good))
	if text := u.importer.report.Text; !strings.Contains(text, "is already on FP-2026-00001") {
		t.Fatalf("duplicates: %s", text)
	}
	if n, _ := db.CountRequests(); n != 2 {
		t.Fatal("duplicates imported")
	}
}

// An office's Excel tracker in the window: the columns and values mapped
// as suggested, each choice changeable; the semicolon file's date order
// asked and confirmed; the import brings the history along and lists the
// incomplete requests, which the queue's filter shows.
func TestImportTrackerFromTheWindow(t *testing.T) {
	u, db := newTestUI(t)
	b, err := os.ReadFile("../testdata/tracker/office_semicolon_1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	u.importCSV("office.csv", b)
	s := u.importer
	if !strings.Contains(s.about.Text, "Windows-1252 (Western European), cells separated by semicolons, 3 rows") {
		t.Errorf("about: %q", s.about.Text)
	}
	if !s.importBtn.Disabled() || !strings.Contains(s.summary.Text, "choose the tracker's date order") {
		t.Fatalf("ambiguous dates: %q", s.summary.Text)
	}
	// The Values tab asks; the day-first choice makes every row good.
	order, ok := find(t, s.values, func(r *widget.RadioGroup) bool { return true })
	if !ok {
		t.Fatal("no date order to choose")
	}
	order.SetSelected(fp.DayFirst.Label())
	if s.importBtn.Disabled() || s.summary.Text != "3 requests ready to import; 3 will be incomplete — from import (facts to fill later)." {
		t.Fatalf("day first: %q", s.summary.Text)
	}
	if len(s.previewed) != 3 || s.previewed[2].Name != "Jürgen SCHÄFER" || s.previewed[2].Status != "Scheduled" || s.previewed[2].Appointment != "2026-12-07 08:30" {
		t.Errorf("preview %+v", s.previewed)
	}
	// A column left out, and a status mapped otherwise, change the preview.
	sel, _ := find(t, s.columns, func(w *widget.Select) bool { return w.Selected == fp.TrackerFieldLabel(fp.FieldNotes) })
	sel.SetSelected(fp.TrackerFieldLabel(fp.FieldIgnore))
	if s.previewed[0].Notes != "" {
		t.Errorf("notes left out, still %q", s.previewed[0].Notes)
	}
	sel.SetSelected(fp.TrackerFieldLabel(fp.FieldNotes))
	test.Tap(s.importBtn)
	if n, _ := db.CountRequests(); n != 3 {
		t.Fatalf("%d requests after the import", n)
	}
	text := strings.Join(labels(t, u.win.Content()), "\n")
	if !strings.Contains(text, "Incomplete — from import: 3") || !strings.Contains(text, "José MÜLLER — missing: basis, notice type, date of birth") {
		t.Fatalf("result:\n%s", text)
	}
	test.Tap(button(t, u.win.Content(), "Show the incomplete in the queue"))
	if u.queue.status.Selected != filterInc || u.queue.total != 3 || !strings.HasSuffix(u.queue.rows[0].FullName, "MÜLLER") {
		t.Fatalf("queue: %q %d", u.queue.status.Selected, u.queue.total)
	}
	// The request says where it came from and what is missing; its
	// Appointments tab does not book while facts are missing.
	rows, _, _ := db.FindRequests(fp.RequestFilter{Search: "Schäfer"})
	u.OpenRequest(rows[0].ID)
	text = strings.Join(labels(t, u.win.Content()), "\n")
	if !strings.Contains(text, "Imported from office.csv line 4 · status in the tracker: \"Scheduled\"") ||
		!strings.Contains(text, "Incomplete — from import: basis, notice type, date of birth missing") {
		t.Fatalf("request:\n%s", text)
	}
	// The mapping is kept: the next file of this office needs no choice.
	u.importCSV("office.csv", b)
	if u.importer.m.DateOrder != fp.DayFirst {
		t.Errorf("the date order was not kept: %q", u.importer.m.DateOrder)
	}
	for _, err := range db.Check() {
		t.Error(err)
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

// An export sealed with a passphrase: the dialog refuses two different or
// too short passphrases (keeping what was typed); the import asks for the
// passphrase, refuses a wrong one in its dialog, and opens with the right one.
func TestSealedExportAndImport(t *testing.T) {
	u, db := newTestUI(t)
	u.onExport()
	d := topOverlay(u)
	check, _ := find(t, d, func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "Encrypt") })
	test.Tap(check)
	pw := findAll[*widget.Entry](t, d)
	test.Type(pw[0], "short")
	test.Type(pw[1], "shorter")
	test.Tap(button(t, d, "Choose where…"))
	if topOverlay(u) != d {
		t.Fatal("two different passphrases accepted")
	}
	pw[1].SetText("short")
	test.Tap(button(t, d, "Choose where…"))
	if topOverlay(u) != d {
		t.Fatal("a short passphrase accepted")
	}
	closeDialogs(u)

	head := "full_name,date_of_birth,category,basis,notice_type,receipt_number,email\n"
	plain := head + "Qqcanary Zzcanary,1980-05-05,military,Spouse of a soldier,receipt,IOE0912345678,ana@example.com\n"
	sealed, err := workflow.SealExport([]byte(plain), "three long words")
	if err != nil || strings.Contains(string(sealed), "Qqcanary") {
		t.Fatalf("sealed: %v", err)
	}
	u.importer = nil
	u.importCSV("export.csv.fpsealed", sealed)
	d = topOverlay(u)
	e, _ := find(t, d, func(*widget.Entry) bool { return true })
	test.Type(e, "not the passphrase")
	test.Tap(button(t, d, "Open"))
	if topOverlay(u) != d || u.importer != nil {
		t.Fatal("a wrong passphrase opened the export")
	}
	e.SetText("three long words")
	test.Tap(button(t, d, "Open"))
	if u.importer == nil || u.importer.summary.Text != "1 request ready to import." {
		t.Fatalf("the export did not open: %v", u.importer)
	}
	test.Tap(u.importer.importBtn)
	if n, _ := db.CountRequests(); n != 1 {
		t.Fatalf("%d requests imported", n)
	}
}
