package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

func firstWith(t *testing.T, u *UI, st fp.Status) fp.RequestSummary {
	t.Helper()
	rows, n, _ := u.db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{st}})
	if n == 0 {
		t.Fatalf("the demo has no %s request", st)
	}
	return rows[0]
}

func TestBookFromTheAppointmentsTab(t *testing.T) {
	u, db := demoUI(t)
	row := firstWith(t, u, fp.StatusReadyToSchedule)
	u.OpenRequest(row.ID)
	f := u.form
	if f.schedTab == nil || f.tabs.Selected() != f.schedTab {
		t.Fatal("a request ready to schedule does not open on its Appointments tab")
	}
	if f.sched.bookBtn.Visible() {
		t.Error("Book shown before any slot was proposed")
	}
	test.Type(f.sched.notBefore, "2026-12-07")
	test.Tap(button(t, f.sched.content, "Next available"))
	if len(f.sched.proposal) != row.People || f.sched.proposal[0].Day.Before(fp.Date{Y: 2026, M: 12, D: 7}) {
		t.Fatalf("proposal %+v for %d people, not before 2026-12-07", f.sched.proposal, row.People)
	}
	test.Tap(button(t, f.sched.content, "Book these slots"))
	r, _ := db.FindRequestByID(row.ID)
	if r.Status != fp.StatusScheduled || len(r.Unbooked(u.today())) != 0 {
		t.Fatalf("after booking: %s, unbooked %v", r.Status, r.Unbooked(u.today()))
	}
	if !strings.Contains(u.form.message.Text, "is scheduled: print the appointment letter") || u.form.tabs.Selected() != u.form.schedTab {
		t.Errorf("after booking the form says %q", u.form.message.Text)
	}
}

// A request that opens on its Appointments tab puts the focus in the date
// that slots are found from, not in the name on the hidden Details tab
// (which Fyne's window refuses, logging an error); one that opens on Details
// puts it in the name.
func TestOpenFocusesWhatIsShown(t *testing.T) {
	u, _ := demoUI(t)
	u.OpenRequest(firstWith(t, u, fp.StatusReadyToSchedule).ID)
	if u.form.tabs.Selected() != u.form.schedTab {
		t.Fatal("a request ready to schedule does not open on its Appointments tab")
	}
	if got := u.win.Canvas().Focused(); got != u.form.sched.notBefore {
		t.Errorf("opening on the Appointments tab focused %T, not the date to find slots from", got)
	}
	u.OpenRequest(firstWith(t, u, fp.StatusNew).ID)
	if u.form.tabs.SelectedIndex() != 0 || u.win.Canvas().Focused() != u.form.name {
		t.Error("a new request does not open on Details with the focus in the name")
	}
}

func TestRescheduleAndCancelFromTheTab(t *testing.T) {
	u, db := demoUI(t)
	row := firstWith(t, u, fp.StatusScheduled)
	r, _ := db.FindRequestByID(row.ID)
	ap, _ := r.CurrentAppointment(0)
	u.OpenRequest(row.ID)
	// Reschedule the applicant: pick the next day's first free slot.
	test.Tap(button(t, u.form.sched.content, "Reschedule"))
	d := topOverlay(u)
	day, _ := find(t, d, func(e *widget.Entry) bool { return e.Text == ap.Day.String() })
	if day == nil {
		t.Fatal("the reschedule dialog does not start on the current day")
	}
	target := ap.Day.AddDays(1)
	for ok, _ := demo.Scheduling().OpenOn(target); !ok; ok, _ = demo.Scheduling().OpenOn(target) {
		target = target.AddDays(1)
	}
	day.SetText(target.String())
	area, _ := find(t, d, func(*textArea) bool { return true })
	test.Type(area, "The applicant asked by phone.")
	test.Tap(button(t, d, "Reschedule"))
	r, _ = db.FindRequestByID(row.ID)
	if moved, _ := r.CurrentAppointment(0); moved.Day != target || moved.Reschedules != 1 {
		t.Fatalf("not moved to %s: %+v (message %q)", target, moved, u.form.message.Text)
	}
	// Cancel asks for a reason, then frees the slot.
	test.Tap(button(t, u.form.sched.content, "Cancel"))
	d = topOverlay(u)
	area, _ = find(t, d, func(*textArea) bool { return true })
	test.Type(area, "Travelling that week.")
	test.Tap(button(t, d, "Cancel appointment"))
	r, _ = db.FindRequestByID(row.ID)
	if r.Status != fp.StatusReadyToSchedule {
		t.Fatalf("after cancelling: %s", r.Status)
	}
	if !strings.Contains(u.form.message.Text, "the slot is free") {
		t.Errorf("message %q", u.form.message.Text)
	}
}

func TestCalendarShowsTheDayAndOpensARequest(t *testing.T) {
	u, db := demoUI(t)
	row := firstWith(t, u, fp.StatusScheduled)
	r, _ := db.FindRequestByID(row.ID)
	ap, _ := r.CurrentAppointment(0)
	u.showDay(ap.Day)
	if u.current != navCalendar {
		t.Fatal("the calendar is not shown")
	}
	if _, ok := find(t, u.body, func(c *dayCell) bool {
		return c.load.Day == ap.Day && c.load.Booked > 0 && strings.Contains(c.words.Text, " free") || strings.HasPrefix(c.words.Text, "full")
	}); !ok {
		t.Error("the month does not show the day's load in words")
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "places booked") }); !ok {
		t.Error("no summary of the day")
	}
	b, ok := find(t, u.body, func(b *slotButton) bool { return strings.HasPrefix(b.label.Text, r.Applicant.FullName) })
	if !ok {
		t.Fatalf("%s is not in the day view", r.Applicant.FullName)
	}
	test.Tap(b)
	if u.form == nil || u.form.req.ID != r.ID {
		t.Fatal("tapping a booked slot does not open the request")
	}
	// A closed day says so.
	u.showDay(fp.Date{Y: 2026, M: 12, D: 25})
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "Christmas Day") }); !ok {
		t.Error("Christmas is not shown as closed")
	}
}

func TestSettingsScreen(t *testing.T) {
	u, db := openUI(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Staff Member", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, "root", testPassword)
	if !u.nav[navSettings].Visible() {
		t.Fatal("no Settings for the administrator")
	}
	u.Navigate(navSettings)
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "are the defaults") && l.Visible() }); !ok {
		t.Fatal("a new database's settings are not marked as defaults")
	}
	entry := func(placeholder string) *widget.Entry {
		if e, ok := find(t, u.body, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, placeholder) }); ok {
			return e
		}
		if a, ok := find(t, u.body, func(a *textArea) bool { return strings.HasPrefix(a.PlaceHolder, placeholder) }); ok {
			return &a.Entry
		}
		t.Fatalf("no entry %q", placeholder)
		return nil
	}
	test.Type(entry("e.g. USCIS"), "USCIS Nairobi Field Office")
	test.Type(entry("One line per row"), "United Nations Avenue, Gigiri\nNairobi, Kenya")
	test.Type(entry("The field office director"), "Amina Odhiambo")
	stations := entry("How many people")
	stations.SetText("zero")
	test.Tap(button(t, u.body, "Save"))
	if s, _ := db.Scheduling(); !s.Default {
		t.Fatal("invalid settings were saved")
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "not a whole number") && l.Visible() }); !ok {
		t.Error("no message under Stations")
	}
	stations.SetText("3")
	entry("One per line").SetText("2026-12-12 Jamhuri Day")
	test.Tap(button(t, u.body, "Save"))
	s, _ := db.Scheduling()
	if s.Default || s.Stations != 3 || len(s.Closed) != 1 || s.Closed[0].Name != "Jamhuri Day" {
		t.Fatalf("saved %+v", s)
	}
	if o, _ := db.Office(); o.Name != "USCIS Nairobi Field Office" {
		t.Errorf("office %+v", o)
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "are the defaults") && l.Visible() }); ok {
		t.Error("still marked as defaults after saving")
	}
}

func TestDirectorSeesFreeCapacity(t *testing.T) {
	u, _ := demoUI(t)
	signIn(t, u, demo.Director.Name, demo.Password)
	u.Navigate(navReview)
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "Free places, next four weeks") }); !ok {
		t.Error("no free capacity on the review screen")
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "If approved, the earliest free") }); !ok {
		t.Error("no earliest slot next to a referred request")
	}
}

func TestAppointmentLetterFromTheForm(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	u, db := demoUI(t)
	row := firstWith(t, u, fp.StatusScheduled)
	u.OpenRequest(row.ID)
	test.Tap(button(t, u.form.content, "Appointment letter (PDF)"))
	path := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "fieldprint", "print", row.Number+" appointment letter.pdf")
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("no letter at %s: %v", path, err)
	}
	es, _ := db.RequestAudit(row.Number)
	if last := es[len(es)-1]; last.Action != fp.ActionLetterPrint || !strings.Contains(last.Note, "copy 1") {
		t.Fatalf("printing not audited: %+v", last)
	}
	// Printing it again asks why.
	test.Tap(button(t, u.form.content, "Appointment letter (PDF)"))
	d := topOverlay(u)
	area, ok := find(t, d, func(*textArea) bool { return true })
	if !ok {
		t.Fatal("a reprint does not ask for a reason")
	}
	test.Type(area, "The applicant lost the first one.")
	test.Tap(button(t, d, "Print again"))
	es, _ = db.RequestAudit(row.Number)
	if last := es[len(es)-1]; !strings.Contains(last.Note, "copy 2") || !strings.Contains(last.Note, "reprint: The applicant lost") {
		t.Fatalf("reprint not audited: %+v", last)
	}
}

// Leaving the settings with changes not saved asks first, like a form.
func TestSettingsAskBeforeLosingChanges(t *testing.T) {
	u, db := demoUI(t)
	signIn(t, u, demo.Admin.Name, demo.Password)
	u.Navigate(navSettings)
	s, ok := u.editing.(*settingsScreen)
	if !ok {
		t.Fatal("the settings screen is not guarded")
	}
	s.entries[fp.FieldStations].SetText("9")
	u.Navigate(navQueue)
	d := topOverlay(u)
	if d == nil || u.current != navSettings {
		t.Fatal("left the settings without asking")
	}
	test.Tap(button(t, d, "Keep editing"))
	if s.entries[fp.FieldStations].Text != "9" {
		t.Fatal("keep editing lost the change")
	}
	u.Navigate(navQueue)
	test.Tap(button(t, topOverlay(u), "Discard changes"))
	if u.current != navQueue {
		t.Fatal("discard did not leave")
	}
	if sch, _ := db.Scheduling(); sch.Stations == 9 {
		t.Fatal("discarded changes were saved")
	}
}
