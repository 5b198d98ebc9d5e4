package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// TestCollectionDayAtTheCounter scans a letter's barcode, checks the person
// in, records the collection, prints the stamped notice and checks it.
func TestCollectionDayAtTheCounter(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	u, db := demoUI(t)
	row := firstWith(t, u, fp.StatusScheduled)
	r, _ := db.FindRequestByID(row.ID)
	ap, _ := r.CurrentAppointment(0)
	// The morning of the appointment, office time.
	morning := demo.Scheduling().At(ap.Day, 8*60).Add(-10 * time.Minute)
	u.Now = func() time.Time { return morning }
	db.Now = u.Now
	u.Navigate(navToday)
	if u.current != navToday {
		t.Fatal("no Today screen")
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, r.Applicant.FullName) }); !ok {
		t.Fatalf("%s is not on the day's list", r.Applicant.FullName)
	}
	scan, ok := find(t, u.body, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, "Scan the letter's barcode") })
	if !ok {
		t.Fatal("no scan field")
	}
	if u.win.Canvas().Focused() != scan {
		t.Error("the scan field does not have the focus: a barcode scanner types into whatever has it")
	}
	test.Type(scan, r.Number)
	scan.OnSubmitted(scan.Text)
	d := topOverlay(u)
	if d == nil {
		t.Fatal("scanning the barcode does not open the check-in")
	}
	radio, _ := find(t, d, func(*widget.RadioGroup) bool { return true })
	radio.SetSelected(fp.IDPassport.Label())
	test.Tap(button(t, d, "Check in")) // the name is not confirmed: refused, nothing saved
	if got, _ := db.FindRequestByID(r.ID); func() bool { a, _ := got.CurrentAppointment(0); return a.Status != fp.ApptBooked }() {
		t.Fatal("checked in without confirming the name or a note")
	}
	test.Tap(button(t, u.body, "Check in"))
	d = topOverlay(u)
	radio, _ = find(t, d, func(*widget.RadioGroup) bool { return true })
	radio.SetSelected(fp.IDPassport.Label())
	check, _ := find(t, d, func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "The name on the ID matches") })
	check.SetChecked(true)
	test.Tap(button(t, d, "Check in"))
	got, _ := db.FindRequestByID(r.ID)
	if a, _ := got.CurrentAppointment(0); a.Status != fp.ApptCheckedIn || a.CheckIn.ID != fp.IDPassport || a.CheckIn.By != "clerk" {
		t.Fatalf("after check-in: %+v", a)
	}
	// Collection: everything captured, by the signed-in officer.
	test.Tap(button(t, u.body, "Collected…"))
	test.Tap(button(t, topOverlay(u), "Record"))
	got, _ = db.FindRequestByID(r.ID)
	a, _ := got.CurrentAppointment(0)
	if a.Status != fp.ApptCollected || len(a.Collection.Captured) != 3 || a.Collection.By != "clerk" {
		t.Fatalf("after collection: %+v", a.Collection)
	}
	// The stamped notice is written, then checked on the Verify screen.
	test.Tap(button(t, u.body, "Stamped notice"))
	got, _ = db.FindRequestByID(r.ID)
	a, _ = got.CurrentAppointment(0)
	matches, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "fieldprint", "print", "*stamped notice "+a.Stamp+".pdf"))
	if a.Stamp == "" || len(matches) != 1 {
		t.Fatalf("stamp %q, files %v", a.Stamp, matches)
	}
	u.Navigate(navVerify)
	code, _ := find(t, u.body, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, "The code on the stamp") })
	test.Type(code, strings.ToLower(a.Stamp))
	test.Tap(button(t, u.body, "Check"))
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "It certifies that "+r.Applicant.FullName) }); !ok {
		t.Error("the verify screen does not say what the stamp certifies")
	}
	code.SetText("ZZZZZ-ZZZZZ")
	test.Tap(button(t, u.body, "Check"))
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "NOT FOUND") }); !ok {
		t.Error("an unknown code is not refused")
	}
}

func TestTodayShowsAClosedDay(t *testing.T) {
	u, db := demoUI(t)
	christmas := demo.Scheduling().At(fp.Date{Y: 2026, M: 12, D: 25}, 9*60)
	u.Now = func() time.Time { return christmas }
	db.Now = u.Now
	u.Navigate(navToday)
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "closed: Christmas Day") }); !ok {
		t.Error("Christmas does not say the office is closed")
	}
}
