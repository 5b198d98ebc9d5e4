package workflow

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// trackerDesk is a desk whose calendar is in UTC, weekday mornings 08:00 to
// 12:00, one station (the default hours).
func trackerDesk(t *testing.T) (*Desk, string) {
	t.Helper()
	db, path := openTemp(t)
	s := fp.DefaultScheduling()
	s.TimeZone = "UTC"
	if err := db.SetScheduling(admin, s); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// readTracker reads a tracker of testdata/tracker with the mapping the
// desk suggests for it; order sets the date order when it is not known.
func readTracker(t *testing.T, db *Desk, name string, order fp.DateOrder) ([]fp.ImportRow, fp.TrackerMapping) {
	t.Helper()
	b, err := os.ReadFile("../testdata/tracker/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := fp.ReadTracker(name, b, "", 0)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	saved, err := db.TrackerMapping()
	if err != nil {
		t.Fatal(err)
	}
	m := fp.SuggestMapping(f, saved)
	if m.DateOrder == fp.DatesUnknown {
		m.DateOrder = order
	}
	rows, errs := m.Rows(f, db.Today())
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs)
	}
	return rows, m
}

func findRequest(t *testing.T, db *Desk, name string) *fp.Request {
	t.Helper()
	rows, _, err := db.FindRequests(fp.RequestFilter{Search: name})
	if err != nil || len(rows) != 1 {
		t.Fatalf("search %q: %d rows, %v", name, len(rows), err)
	}
	r, err := db.FindRequestByID(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// An office moves in from its Excel tracker: statuses, a past collection,
// appointments still to come booked in the calendar, notes, and each
// record's history saying which file and line it came from; gaps flag the
// request "incomplete — from import", listed in its own filter, and block
// decisions and booking with the field named. All of it survives a reopen
// and the export, which imports again into a new office alike.
func TestImportTracker(t *testing.T) {
	db, path := trackerDesk(t)
	rows, m := readTracker(t, db, "office_excel_utf8.csv", "")
	plans, problems, err := db.CheckImport(clerk, rows, fp.SaveOptions{})
	if err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
	if len(plans) != len(rows) || plans[1].Book == nil || plans[0].Collected != (fp.Date{Y: 2026, M: 10, D: 15}) {
		t.Fatalf("plans %+v", plans)
	}
	var progress []int
	saved, err := db.ImportRows(clerk, rows, fp.ImportOptions{Mapping: &m, Progress: func(done, total int) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 7 || len(progress) == 0 || progress[len(progress)-1] != 7 {
		t.Fatalf("%d saved, progress %v", len(saved), progress)
	}
	db = reopen(t, db, path)
	db.Now = fixedNow

	want := map[string]fp.Status{"José": fp.StatusCompleted, "Khai": fp.StatusScheduled, "Łukasz": fp.StatusAwaitingDocuments,
		"García": fp.StatusDirectorReview, "Min-jun": fp.StatusNew, "Priya": fp.StatusWithdrawn, "Okafor": fp.StatusScheduled}
	line := map[string]int{"José": 2, "Khai": 3, "Łukasz": 4, "García": 5, "Min-jun": 7, "Priya": 8, "Okafor": 9} // García's notes take two lines
	for name, st := range want {
		r := findRequest(t, db, name)
		if r.Status != st {
			t.Errorf("%s: %s, want %s", name, r.Status, st)
		}
		if r.Origin == nil || r.Origin.File != "office_excel_utf8.csv" || r.Origin.Line != line[name] {
			t.Errorf("%s: origin %+v", name, r.Origin)
		}
		if h := r.History[0]; !strings.Contains(h.Reason, "imported from office_excel_utf8.csv line ") || h.By != clerk.Name {
			t.Errorf("%s: history %+v", name, h)
		}
		es, _ := db.RequestAudit(r.Number)
		if len(es) == 0 || !strings.Contains(es[0].Describe(), "imported from office_excel_utf8.csv line") {
			t.Errorf("%s: the history does not say where it came from: %+v", name, es)
		}
		if len(r.Incomplete) == 0 {
			t.Errorf("%s: not flagged incomplete (no date of birth)", name)
		}
	}
	// The past collection is history, on its day; it holds no slot.
	jose := findRequest(t, db, "José")
	if ap, ok := jose.CurrentAppointment(0); !ok || ap.Status != fp.ApptCollected || !ap.FromImport || ap.Day != (fp.Date{Y: 2026, M: 10, D: 15}) {
		t.Errorf("José's collection: %+v", jose.Appointments)
	}
	if jose.Origin.Notes != "Stamped notice handed over" || jose.Origin.Status != "Done" {
		t.Errorf("José's notes: %+v", jose.Origin)
	}
	if _, _, err := db.IssueStamp(clerk, jose.ID, 0); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(err.Error(), "before Fieldprint") {
		t.Errorf("a stamp for a collection before Fieldprint: %v", err)
	}
	// The appointments to come are in the calendar.
	uses, _ := db.DayUses(fp.Date{Y: 2026, M: 12, D: 2})
	khai := findRequest(t, db, "Khai")
	if len(uses) != 1 || uses[0].Request != khai.ID || uses[0].Start != 9*60 || uses[0].Station != 1 {
		t.Errorf("2026-12-02: %+v", uses)
	}
	if uses, _ := db.DayUses(fp.Date{Y: 2026, M: 10, D: 15}); len(uses) != 0 {
		t.Errorf("the past collection holds a slot: %+v", uses)
	}
	es, _ := db.RequestAudit(khai.Number)
	var words []string
	for _, e := range es {
		words = append(words, e.Describe())
	}
	if len(es) != 3 || !strings.Contains(words[1], "booked Thị Minh Khai NGUYỄN for 2026-12-02 09:00-09:15 station 1 — the appointment in the tracker, office_excel_utf8.csv line 3") ||
		!strings.Contains(words[2], "to Scheduled") {
		t.Errorf("Khai's history: %q", words)
	}
	// Incomplete: its own filter, and the steps that need the facts refused.
	inc, total, err := db.FindRequests(fp.RequestFilter{Incomplete: true})
	if err != nil || total != 7 || len(inc) != 7 || !inc[0].Incomplete {
		t.Errorf("incomplete filter: %d of %d, %v", len(inc), total, err)
	}
	if _, total, _ := db.FindRequests(fp.RequestFilter{Incomplete: true, Statuses: []fp.Status{fp.StatusScheduled}}); total != 2 {
		t.Errorf("incomplete and scheduled: %d", total)
	}
	if _, total, _ := db.FindRequests(fp.RequestFilter{Incomplete: true, Search: "nguyen"}); total != 1 {
		t.Errorf("incomplete, searched: %d", total)
	}
	if _, err := db.Reschedule(clerk, khai.ID, 0, fp.Booking{Day: fp.Date{Y: 2026, M: 12, D: 3}, Start: 9 * 60, Station: 1}, "asked", false); fp.ErrorCode(err) != fp.EFORBIDDEN ||
		!strings.Contains(err.Error(), "incomplete — from import: basis, notice type, date of birth are missing") {
		t.Errorf("moving an incomplete request's appointment: %v", err)
	}
	kim := findRequest(t, db, "Min-jun")
	if _, err := db.TransitionRequest(director, kim.ID, fp.StatusDenied, "no"); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(err.Error(), "e-mail or phone") {
		t.Errorf("deciding an incomplete request: %v", err)
	}
	// Completing it clears the flag, and says so.
	in := kim.Input()
	in.DateOfBirth, in.Basis, in.NoticeType, in.Email = "1990-01-02", "Active-duty U.S. Army", "receipt", "kim@example.mil"
	fields, _, err := in.Parse(db.Today())
	if err != nil {
		t.Fatal(err)
	}
	kim, err = db.UpdateRequest(clerk, kim.ID, kim.Version, fields, fp.SaveOptions{})
	if err != nil || len(kim.Incomplete) != 0 {
		t.Fatalf("completing: %v %q", err, kim.Incomplete)
	}
	es, _ = db.RequestAudit(kim.Number)
	if last := es[len(es)-1]; !strings.Contains(last.Note, "complete now") {
		t.Errorf("the edit that completes it: %+v", last)
	}
	if _, total, _ := db.FindRequests(fp.RequestFilter{Incomplete: true}); total != 6 {
		t.Errorf("incomplete after completing one: %d", total)
	}
	// The mapping is kept for the next file.
	if got, _ := db.TrackerMapping(); got.Field("Appt date") != fp.FieldAppointment || got.DateOrder != fp.DayFirst {
		t.Errorf("saved mapping %+v", got)
	}
	checkClean(t, db)

	// The export carries it all, and imports again into a new office alike.
	all, _ := db.LoadRequests(fp.RequestFilter{})
	var buf bytes.Buffer
	if err := fp.WriteCSV(&buf, all); err != nil {
		t.Fatal(err)
	}
	again, problems2 := fp.ParseImportCSV(bytes.NewReader(buf.Bytes()), db.Today())
	if len(problems2) > 0 {
		t.Fatalf("the export does not import: %v\n%s", problems2, buf.String())
	}
	for i := range again {
		again[i].File = "export.csv"
	}
	db2, _ := trackerDesk(t)
	if _, err := db2.ImportRows(clerk, again, fp.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, st := range want {
		if name == "Min-jun" {
			st = fp.StatusNew
		}
		a, b := findRequest(t, db, name), findRequest(t, db2, name)
		if b.Status != st || !slices.Equal(a.Incomplete, b.Incomplete) || a.Origin.Notes != b.Origin.Notes {
			t.Errorf("%s re-imported: %s %q %q, was %s %q %q", name, b.Status, b.Incomplete, b.Origin.Notes, a.Status, a.Incomplete, a.Origin.Notes)
		}
		ap1, ok1 := a.CurrentAppointment(0)
		ap2, ok2 := b.CurrentAppointment(0)
		if ok1 != ok2 || ap1.Day != ap2.Day || ap1.Status != ap2.Status || ap1.Start != ap2.Start && !ap1.FromImport {
			t.Errorf("%s re-imported appointment %+v, was %+v", name, ap2, ap1)
		}
	}
	checkClean(t, db2)
}

// The other ways Excel saves the tracker import alike: UTF-16 with tabs,
// and semicolons in Windows-1252 whose dates need the order chosen.
func TestImportTrackerVariants(t *testing.T) {
	db, _ := trackerDesk(t)
	rows, _ := readTracker(t, db, "office_unicode.txt", "")
	if _, err := db.ImportRows(clerk, rows, fp.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := findRequest(t, db, "Łukasz"); r.Applicant.FullName != "Łukasz ŻÓŁĆ" || r.Status != fp.StatusAwaitingDocuments {
		t.Errorf("UTF-16: %q %s", r.Applicant.FullName, r.Status)
	}
	db, _ = trackerDesk(t)
	rows, _ = readTracker(t, db, "office_semicolon_1252.csv", fp.DayFirst)
	if _, err := db.ImportRows(clerk, rows, fp.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	r := findRequest(t, db, "Schäfer")
	if ap, ok := r.CurrentAppointment(0); !ok || ap.When() != "2026-12-07 08:30" || r.Status != fp.StatusScheduled {
		t.Errorf("semicolons, day first: %+v %s", r.Appointments, r.Status)
	}
	if r := findRequest(t, db, "María José"); r.Applicant.FullName != "María José GARCÍA HERNÁNDEZ" || r.Origin.Notes != "Père hospitalisé; départ urgent" {
		t.Errorf("Windows-1252: %q %q", r.Applicant.FullName, r.Origin.Notes)
	}
	checkClean(t, db)
}

// What the calendar refuses stops the whole import with the line named: a
// slot that is not on the grid, a slot taken by another request or by an
// earlier row, a day the office is closed; nothing is written.
func TestImportTrackerRefusals(t *testing.T) {
	db, _ := trackerDesk(t)
	taken, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransitionRequest(clerk, taken.ID, fp.StatusDirectorReview, "check"); err != nil {
		t.Fatal(err)
	}
	// Book 2026-12-02 08:00 directly in the store: it is taken.
	if err := db.update(func(tx *tx) error {
		old, _ := getRequest(tx, taken.ID)
		r := *old
		r.Status = fp.StatusScheduled
		s, _ := schedulingTx(tx)
		r.Book(s, []fp.Booking{{Day: fp.Date{Y: 2026, M: 12, D: 2}, Start: 8 * 60, Station: 1}}, clerk.Name, db.Now())
		if err := putRequest(tx, old, &r, db.Today()); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: clerk.Name, Action: fp.ActionAppointmentBook, Request: r.Number})
	}); err != nil {
		t.Fatal(err)
	}
	head := "Name,Receipt,Category,Status,Appt date\n"
	for _, tt := range []struct {
		name, rows, want string
	}{
		{"taken by a request", "Ann Lee,IOE0912345670,military,Scheduled,2026-12-02 08:00\n", "line 2: station 1 at 2026-12-02 08:00 is taken (" + taken.Number + ")"},
		{"taken by an earlier row", "Ann Lee,IOE0912345670,military,Scheduled,2026-12-02 09:00\nBo Lee,IOE0912345671,military,Scheduled,2026-12-02 09:00\n",
			"line 3: station 1 at 2026-12-02 09:00 is taken (line 2)"},
		{"not a slot", "Ann Lee,IOE0912345670,military,Scheduled,2026-12-02 09:07\n", "line 2: 09:07 is not a slot on 2026-12-02"},
		{"a Saturday", "Ann Lee,IOE0912345670,military,Scheduled,2026-12-05 09:00\n", "line 2: 2026-12-05 Saturday: the office has no public hours on Saturdays"},
		{"past, still scheduled", "Ann Lee,IOE0912345670,military,Scheduled,2026-11-02 09:00\n", "line 2: the appointment on 2026-11-02 has passed"},
		{"duplicate of a stored request", "Ann Lee,ioe-09-123-45678,military,New,\n", "line 2: IOE0912345678 is already on " + taken.Number},
	} {
		f, errs := fp.ReadTracker("t.csv", []byte(head+tt.rows), "", 0)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rows, errs := fp.SuggestMapping(f, fp.TrackerMapping{}).Rows(f, db.Today())
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tt.name, errs)
		}
		line, msg, _ := strings.Cut(strings.TrimPrefix(tt.want, "line "), ": ")
		_, problems, err := db.CheckImport(clerk, rows, fp.SaveOptions{})
		if err != nil || len(problems) != 1 || fmt.Sprint(problems[0].Line) != line || !strings.Contains(problems[0].Message, msg) {
			t.Errorf("%s: check %v %v, want %q", tt.name, problems, err, tt.want)
		}
		if _, err := db.ImportRows(clerk, rows, fp.ImportOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: import %v, want %q", tt.name, err, tt.want)
		}
		if n, _ := db.CountRequests(); n != 1 {
			t.Fatalf("%s: %d requests after a refused import", tt.name, n)
		}
	}
	checkClean(t, db)
}
