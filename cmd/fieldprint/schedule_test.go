package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// demoDB makes a demo database and signs the CLI in as its clerk.
func demoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, _, errs := fieldprint(t, "", "demo", "--requests", "40", "--db", path); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	return path
}

func readyRequest(t *testing.T, path string) fp.RequestSummary {
	t.Helper()
	code, out, errs := fieldprint(t, "", "list", "--db", path, "--status", "ready-to-schedule", "--format", "json")
	var rows []fp.RequestSummary
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("no request ready to schedule: %d %s %s", code, out, errs)
	}
	for _, r := range rows {
		if r.People == 1 {
			return r
		}
	}
	return rows[0]
}

func TestBookRescheduleCancelCalendar(t *testing.T) {
	path := demoDB(t)
	row := readyRequest(t, path)
	from := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
	code, out, errs := fieldprint(t, "", "book", row.Number, "--next-available", "--from", from, "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, row.Number+" scheduled") || !strings.Contains(out, "station") {
		t.Fatalf("book: %d %q %q", code, out, errs)
	}
	db, err := storeOpen(path)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := db.FindRequestByNumber(row.Number)
	db.Close()
	ap, _ := r.CurrentAppointment(0)
	if ap.Day.Before(fp.Date{Y: 2000}) || ap.Day.String() < from {
		t.Fatalf("booked %v, asked not before %s", ap, from)
	}
	// Reschedule by name to the next Monday-to-Thursday morning a week later.
	to := ap.Day.AddDays(7)
	for open, _ := demo.Scheduling().OpenOn(to); !open || to.Time().Weekday() == time.Friday; open, _ = demo.Scheduling().OpenOn(to) {
		to = to.AddDays(1) // Fridays close at 10:30
	}
	at := to.String() + " 11:15"
	code, _, errs = fieldprint(t, "", "reschedule", row.Number, "--at", at, "--user", "clerk", "--db", path)
	if code != 1 || !strings.Contains(errs, "say why") {
		t.Errorf("reschedule without a reason: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, "", "reschedule", row.Number, "--person", strings.Fields(row.FullName)[0], "--at", at, "--reason", "applicant asked", "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, to.String()+" 11:15-11:30") {
		t.Fatalf("reschedule: %d %q %q", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "calendar", "--from", to.String(), "--to", to.String(), "--detail", "--db", path)
	if code != 0 || !strings.Contains(out, "11:15") || !strings.Contains(out, row.Number) {
		t.Errorf("calendar: %d %q %q", code, out, errs)
	}
	code, out, _ = fieldprint(t, "", "calendar", "--from", to.String(), "--to", to.String(), "--format", "json", "--db", path)
	var days []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &days) != nil || len(days) != 1 || days[0]["capacity"].(float64) != 24 {
		t.Errorf("calendar json: %d %s", code, out)
	}
	code, out, errs = fieldprint(t, "", "cancel", row.Number, "--reason", "travelling", "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, "ready-to-schedule") || !strings.Contains(out, "no appointment") {
		t.Errorf("cancel: %d %q %q", code, out, errs)
	}
	// Bad slots get a reason, not a crash.
	for _, c := range []struct{ at, msg string }{
		{"tomorrow 9am", "not a date"},
		{"2026-13-01 08:00", "not a date"},
		{to.String() + " 8:31", "not a slot"},
		{to.String(), "day and time"},
	} {
		if code, _, errs := fieldprint(t, "", "book", row.Number, "--at", c.at, "--user", "clerk", "--db", path); code != 1 || !strings.Contains(errs, c.msg) {
			t.Errorf("book --at %q: %d %q, want %q", c.at, code, errs, c.msg)
		}
	}
	if code, _, _ := fieldprint(t, "", "book", row.Number, "--user", "clerk", "--db", path); code != 2 {
		t.Errorf("book with neither --at nor --next-available: exit %d", code)
	}
}

func TestOfficeExportImport(t *testing.T) {
	path := demoDB(t)
	file := filepath.Join(t.TempDir(), "office.json")
	if code, out, errs := fieldprint(t, "", "office", "export", "-o", file, "--db", path); code != 0 || !strings.Contains(out, "Wrote") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	b, _ := os.ReadFile(file)
	// A second desk: a new database takes the whole profile in one step.
	other := filepath.Join(t.TempDir(), "other.db")
	withClerk(t, other)
	if code, _, errs := fieldprint(t, "", "office", "import", file, "--user", "ana", "--db", other); code != 1 || !strings.Contains(errs, "administrator") {
		t.Errorf("a clerk imported the profile: %d %q", code, errs)
	}
	if code, out, errs := fieldprint(t, "", "office", "import", file, "--user", "boss", "--db", other); code != 0 || !strings.Contains(out, "2 stations, 15-minute slots") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, again, _ := fieldprint(t, "", "office", "export", "--db", other)
	if code != 0 || again != string(b) {
		t.Errorf("the imported profile differs:\n%s\n%s", b, again)
	}
	// A bad file is refused whole, naming the field.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"stations": 2`, `"stations": 0`, 1)), 0o644)
	code, _, errs := fieldprint(t, "", "office", "import", bad, "--user", "boss", "--db", other)
	if code != 1 || !strings.Contains(errs, "stations: must be 1 to 20") || !strings.Contains(errs, "nothing changed") {
		t.Errorf("bad import: %d %q", code, errs)
	}
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"name": "USCIS Guangzhou Field Office",`, `"name": "",`, 1)), 0o644)
	if code, _, errs := fieldprint(t, "", "office", "import", bad, "--user", "boss", "--db", other); code != 1 || !strings.Contains(errs, "name: is required") {
		t.Errorf("import without a name: %d %q", code, errs)
	}
	if code, after, _ := fieldprint(t, "", "office", "export", "--db", other); code != 0 || after != string(b) {
		t.Errorf("a refused import changed the profile")
	}
}

func TestAppointmentLetters(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	row := readyRequest(t, path)
	if code, _, errs := fieldprint(t, "", "book", row.Number, "--next-available", "--user", "clerk", "--db", path); code != 0 {
		t.Fatalf("book: %s", errs)
	}
	one := filepath.Join(dir, "one.pdf")
	code, out, errs := fieldprint(t, "", "letter", row.Number, "-o", one, "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, "appointment letter for "+row.Number+" (copy 1)") {
		t.Fatalf("letter: %d %q %q", code, out, errs)
	}
	if b, err := os.ReadFile(one); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("no PDF: %v", err)
	}
	os.Remove(one)
	code, _, errs = fieldprint(t, "", "letter", row.Number, "-o", one, "--user", "clerk", "--db", path)
	if code != 1 || !strings.Contains(errs, "printed already") {
		t.Errorf("reprint without a reason: %d %q", code, errs)
	}
	if _, err := os.Stat(one); err == nil {
		t.Error("a refused reprint wrote the file")
	}
	if code, out, _ := fieldprint(t, "", "letter", row.Number, "-o", one, "--reason", "lost in the post", "--user", "clerk", "--db", path); code != 0 || !strings.Contains(out, "(copy 2)") {
		t.Errorf("reprint: %d %q", code, out)
	}
	// Every other letter of the demo is due: one PDF with all of them.
	all := filepath.Join(dir, "all.pdf")
	code, out, errs = fieldprint(t, "", "letters", "--unprinted", "-o", all, "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, "appointment letters") {
		t.Fatalf("letters --unprinted: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "letters", "--unprinted", "-o", all, "--user", "clerk", "--db", path); code != 1 || !strings.Contains(errs, "no appointment letters") {
		t.Errorf("nothing left to print: %d %q", code, errs)
	}
	db, _ := storeOpen(path)
	r, _ := db.FindRequestByNumber(row.Number)
	db.Close()
	ap, _ := r.CurrentAppointment(0)
	day := filepath.Join(dir, "day.pdf")
	if code, out, errs := fieldprint(t, "", "letters", "--date", ap.Day.String(), "-o", day, "--user", "clerk", "--db", path); code != 0 || !strings.Contains(out, "Wrote") {
		t.Errorf("letters --date: %d %q %q", code, out, errs)
	}
	if code, _, _ := fieldprint(t, "", "letters", "-o", day, "--user", "clerk", "--db", path); code != 2 {
		t.Errorf("letters without --date or --unprinted: exit %d", code)
	}
}

// Cancelling and booking again is a reschedule through the CLI too: past
// the limit only the director books again, with --override and a reason.
func TestCancelAndBookAgainNeedsTheDirector(t *testing.T) {
	path := demoDB(t)
	row := readyRequest(t, path)
	who := strings.Fields(row.FullName)[0]
	from := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
	book := func(args ...string) (int, string, string) {
		return fieldprint(t, "", append([]string{"book", row.Number, "--next-available", "--from", from, "--db", path}, args...)...)
	}
	cancel := func() {
		t.Helper()
		if code, _, errs := fieldprint(t, "", "cancel", row.Number, "--person", who, "--reason", "the applicant asked", "--user", "clerk", "--db", path); code != 0 {
			t.Fatalf("cancel: %d %q", code, errs)
		}
	}
	if code, _, errs := book("--user", "clerk"); code != 0 {
		t.Fatalf("book: %d %q", code, errs)
	}
	for range 2 { // the limit is 2
		cancel()
		if code, _, errs := book("--user", "clerk"); code != 0 {
			t.Fatalf("booking again within the limit: %d %q", code, errs)
		}
	}
	cancel() // allowed past the limit: the booking after it is the move
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--user", "clerk"}, "and a new booking after a cancellation is a move. Only the director can override"},
		{[]string{"--user", "clerk", "--override", "--reason", "please"}, "Only the director can override"},
		{[]string{"--user", "director"}, "confirm the override"},
		{[]string{"--user", "director", "--override"}, "say why you override"},
	} {
		if code, _, errs := book(c.args...); code != 1 || !strings.Contains(errs, c.msg) {
			t.Errorf("book %v: %d %q, want %q", c.args, code, errs, c.msg)
		}
	}
	code, out, errs := book("--user", "director", "--override", "--reason", "hospital stay, letter seen")
	if code != 0 || !strings.Contains(out, row.Number+" scheduled") {
		t.Fatalf("the director's override: %d %q %q", code, out, errs)
	}
	code, out, _ = fieldprint(t, "", "audit", "list", "--request", row.Number, "--action", fp.ActionAppointmentBook, "--user", "director", "--db", path)
	if code != 0 || !strings.Contains(out, "director's override: hospital stay, letter seen; booked again after a cancellation: a reschedule") {
		t.Errorf("the history: %d %q", code, out)
	}
}

// An administrator prints no applicant's document from the CLI either, and
// no file is written.
func TestAdminPrintsNoLetters(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	code, out, _ := fieldprint(t, "", "list", "--db", path, "--status", "scheduled", "--format", "json")
	var rows []fp.RequestSummary
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("no scheduled request: %d %s", code, out)
	}
	file := filepath.Join(dir, "out.pdf")
	for _, args := range [][]string{
		{"record", rows[0].Number, "-o", file},
		{"letter", rows[0].Number, "-o", file},
		{"stamp", rows[0].Number, "-o", file},
		{"letters", "--unprinted", "-o", file},
	} {
		code, _, errs := fieldprint(t, "", append(args, "--user", "admin", "--db", path)...)
		if code != 1 || !strings.Contains(errs, "an administrator account does not print applicants' letters: sign in as a clerk or director") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
		if _, err := os.Stat(file); err == nil {
			t.Fatalf("%v wrote %s", args, file)
		}
	}
	if code, _, errs := fieldprint(t, "", "record", rows[0].Number, "-o", file, "--user", "clerk", "--db", path); code != 0 {
		t.Errorf("the clerk's record: %d %q", code, errs)
	}
}
