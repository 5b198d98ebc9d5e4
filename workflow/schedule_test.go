package workflow

import (
	"fmt"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// testScheduling is a small office on UTC: 2 stations, 15-minute slots,
// weekday mornings 08:00-10:00 (16 places a day), 25% kept for priority cases.
func testScheduling() fp.Scheduling {
	s := fp.DefaultScheduling()
	s.TimeZone, s.Stations, s.Default = "UTC", 2, false
	for _, d := range fp.WeekdayOrder[:5] {
		s.Hours[d] = []fp.Window{{Open: 8 * 60, Close: 10 * 60}}
	}
	s.Closed = []fp.ClosedDay{{Date: fp.Date{Y: 2026, M: 11, D: 26}, Name: "Thanksgiving Day"}}
	return s
}

func setScheduling(t testing.TB, db *Desk, s fp.Scheduling) {
	t.Helper()
	if err := db.SetScheduling(admin, s); err != nil {
		t.Fatal(err)
	}
}

// makeReady verifies request id's checklist and marks it eligible.
func makeReady(t testing.TB, db *Desk, id fp.RequestID) *fp.Request {
	t.Helper()
	completeChecklist(t, db, clerk, id)
	r, err := db.TransitionRequest(clerk, id, fp.StatusReadyToSchedule, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// makeBooked makes request id ready and books its people at the next slots.
func makeBooked(t testing.TB, db *Desk, id fp.RequestID) *fp.Request {
	t.Helper()
	makeReady(t, db, id)
	bs, err := db.ProposeSlots(id, fp.Date{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.Book(clerk, id, bs, "", false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newRequest creates a request from in with unique identifiers.
func newRequest(t testing.TB, db *Desk, in fp.RequestInput, n int) *fp.Request {
	t.Helper()
	in.ReceiptNumbers = strings.Replace("IOE09000000NN", "NN", string(rune('0'+n/10))+string(rune('0'+n%10)), 1)
	in.ANumber = ""
	r, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func day(s string) fp.Date { d, _ := fp.ParseDate(s); return d }

func TestBookNextAvailableAndReadBack(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1) // applicant and one adult
	makeReady(t, db, r.ID)
	bs, err := db.ProposeSlots(r.ID, fp.Date{})
	if err != nil {
		t.Fatal(err)
	}
	// Friday now: the next open day is Monday, both stations at 08:00.
	want := []fp.Booking{{PersonID: 0, Day: day("2026-11-23"), Start: 8 * 60, Station: 1}, {PersonID: 1, Day: day("2026-11-23"), Start: 8 * 60, Station: 2}}
	if len(bs) != 2 || bs[0] != want[0] || bs[1] != want[1] {
		t.Fatalf("proposed %v, want %v", bs, want)
	}
	got, err := db.Book(clerk, r.ID, bs, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != fp.StatusScheduled || len(got.Appointments) != 2 {
		t.Fatalf("after booking: %s, %+v", got.Status, got.Appointments)
	}
	db = reopen(t, db, path)
	back, _ := db.FindRequestByID(r.ID)
	ap, ok := back.CurrentAppointment(1)
	if !ok || ap.Day != day("2026-11-23") || ap.Start != 8*60 || ap.Station != 2 || ap.Minutes != 15 || ap.BookedBy != "mlopez" {
		t.Fatalf("read back %+v", back.Appointments)
	}
	us, _ := db.DayUses(day("2026-11-23"))
	if len(us) != 2 || us[0].Number != r.Number || us[1].PersonID != 1 || us[0].Category != fp.CategoryAdoption {
		t.Fatalf("day uses %+v", us)
	}
	hist, _ := db.RequestAudit(r.Number)
	last := hist[len(hist)-1]
	if last.Action != fp.ActionRequestTransition || hist[len(hist)-2].Action != fp.ActionAppointmentBook ||
		!strings.Contains(hist[len(hist)-2].Describe(), "booked Łukasz Żółć for 2026-11-23 08:00-08:15 station 2") {
		t.Errorf("history: %s / %s", hist[len(hist)-2].Describe(), last.Describe())
	}
	checkClean(t, db)
}

func TestDoubleBookingImpossible(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	a := newRequest(t, db, sample(), 1)
	b := newRequest(t, db, sample(), 2)
	makeReady(t, db, a.ID)
	makeReady(t, db, b.ID)
	slot := fp.Booking{PersonID: 0, Day: day("2026-11-23"), Start: 8 * 60, Station: 1}
	if _, err := db.Book(clerk, a.ID, []fp.Booking{slot}, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Book(clerk, b.ID, []fp.Booking{slot}, "", false); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Fatalf("double booking: %v", err)
	}
	// Two people of one request in one slot, a second slot for a booked person.
	two := []fp.Booking{{PersonID: 0, Day: day("2026-11-23"), Start: 9 * 60, Station: 1}, {PersonID: 1, Day: day("2026-11-23"), Start: 9 * 60, Station: 1}}
	if _, err := db.Book(clerk, b.ID, two, "", false); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("two people in one slot: %v", err)
	}
	if _, err := db.Book(clerk, a.ID, []fp.Booking{{PersonID: 0, Day: day("2026-11-24"), Start: 8 * 60, Station: 1}}, "", false); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("second slot for a booked person: %v", err)
	}
	// Proposals skip the taken slot.
	bs, _ := db.ProposeSlots(b.ID, fp.Date{})
	for _, x := range bs {
		if x.Day == slot.Day && x.Start == slot.Start && x.Station == slot.Station {
			t.Errorf("proposed the taken slot: %v", bs)
		}
	}
	checkClean(t, db)
}

func TestBookingRefusals(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	one := func(d string, start fp.TimeOfDay, station int) []fp.Booking {
		return []fp.Booking{{PersonID: 0, Day: day(d), Start: start, Station: station}}
	}
	if _, err := db.Book(clerk, r.ID, one("2026-11-23", 8*60, 1), "", false); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "eligible") {
		t.Errorf("booking a new request: %v", err)
	}
	makeReady(t, db, r.ID)
	for _, c := range []struct {
		name string
		bs   []fp.Booking
		code string
		msg  string
	}{
		{"closed day", one("2026-11-26", 8*60, 1), fp.EINVALID, "Thanksgiving Day"},
		{"weekend", one("2026-11-21", 8*60, 1), fp.EINVALID, "no public hours on Saturdays"},
		{"off grid", one("2026-11-23", 8*60+5, 1), fp.EINVALID, "every 15 minutes"},
		{"after hours", one("2026-11-23", 10*60, 1), fp.EINVALID, "not a slot"},
		{"no station 3", one("2026-11-23", 8*60, 3), fp.EINVALID, "has 2"},
		{"past", one("2026-11-20", 8*60, 1), fp.EINVALID, "already begun"},
		{"unknown person", []fp.Booking{{PersonID: 7, Day: day("2026-11-23"), Start: 8 * 60, Station: 1}}, fp.EINVALID, "no person 7"},
		{"nothing", nil, fp.EINVALID, "at least one"},
		{"too far", one("2027-12-01", 8*60, 1), fp.EINVALID, "more than a year"},
	} {
		if _, err := db.Book(clerk, r.ID, c.bs, "", false); fp.ErrorCode(err) != c.code || !strings.Contains(fp.ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %s with %q", c.name, err, c.code, c.msg)
		}
	}
	if _, err := db.Book(admin, r.ID, one("2026-11-23", 8*60, 1), "", false); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("an admin booked: %v", err)
	}
	if got, _ := db.FindRequestByID(r.ID); len(got.Appointments) != 0 || got.Status != fp.StatusReadyToSchedule {
		t.Errorf("refused bookings changed the request: %+v", got.Appointments)
	}
	checkClean(t, db)
}

func TestPriorityReserveKeepsOthersOut(t *testing.T) {
	db, _ := openTemp(t)
	s := testScheduling()
	s.Stations = 1
	for _, d := range fp.WeekdayOrder[:5] {
		s.Hours[d] = []fp.Window{{Open: 8 * 60, Close: 9 * 60}} // 4 places a day
	}
	s.PriorityReserve = 50 // "All others" take at most 2
	setScheduling(t, db, s)
	other := func(n int) *fp.Request {
		in := sample()
		in.Category, in.Household = "other", nil
		in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked, in.RescheduleNote = "2026-12-01", "Los Angeles ASC", "Family emergency", "no", "Left at once"
		r := newRequest(t, db, in, n)
		completeChecklist(t, db, clerk, r.ID)
		if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusDirectorReview, "exception"); err != nil {
			t.Fatal(err)
		}
		r, err := db.TransitionRequest(director, r.ID, fp.StatusReadyToSchedule, "urgent")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	monday := day("2026-11-23")
	for i, start := range []fp.TimeOfDay{8 * 60, 8*60 + 15} {
		r := other(i + 1)
		if _, err := db.Book(clerk, r.ID, []fp.Booking{{Day: monday, Start: start, Station: 1}}, "", false); err != nil {
			t.Fatal(err)
		}
	}
	third := other(3)
	_, err := db.Book(clerk, third.ID, []fp.Booking{{Day: monday, Start: 8*60 + 30, Station: 1}}, "", false)
	if fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "may take 2 of the day's 4 places") {
		t.Fatalf("third All others on a day with a 50%% reserve: %v", err)
	}
	// Next available skips to Tuesday for the exception, but a priority
	// request still gets Monday's kept places.
	bs, err := db.ProposeSlots(third.ID, fp.Date{})
	if err != nil || bs[0].Day != day("2026-11-24") {
		t.Errorf("next available for All others: %v %v", bs, err)
	}
	prio := newRequest(t, db, sample(), 9)
	makeReady(t, db, prio.ID)
	bs, err = db.ProposeSlots(prio.ID, fp.Date{})
	if err != nil || bs[0].Day != monday || bs[0].Start != 8*60+30 || bs[1].Start != 8*60+45 {
		t.Errorf("next available for adoption: %v %v", bs, err)
	}
	loads, _ := db.Loads(monday, monday)
	if l := loads[0]; l.Capacity != 4 || l.Booked != 2 || l.Other != 2 || l.FreeForOther() != 0 || l.Free() != 2 {
		t.Errorf("load %+v", l)
	}
}

func TestRescheduleRules(t *testing.T) {
	db, _ := openTemp(t)
	s := testScheduling()
	s.RescheduleLimit = 1
	setScheduling(t, db, s)
	r := newRequest(t, db, sample(), 1)
	makeReady(t, db, r.ID)
	if _, err := db.Book(clerk, r.ID, []fp.Booking{
		{PersonID: 0, Day: day("2026-11-23"), Start: 8 * 60, Station: 1}, {PersonID: 1, Day: day("2026-11-23"), Start: 8 * 60, Station: 2}}, "", false); err != nil {
		t.Fatal(err)
	}
	to := fp.Booking{Day: day("2026-11-24"), Start: 8 * 60, Station: 1}
	if _, err := db.Reschedule(clerk, r.ID, 0, to, "", false); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("reschedule without a reason: %v", err)
	}
	// Moving within one's own slot's time on another station is allowed.
	got, err := db.Reschedule(clerk, r.ID, 0, to, "the applicant asked", false)
	if err != nil {
		t.Fatal(err)
	}
	if ap, _ := got.CurrentAppointment(0); ap.Day != to.Day || ap.Reschedules != 1 {
		t.Errorf("moved %+v", ap)
	}
	us, _ := db.DayUses(day("2026-11-23"))
	if len(us) != 1 || us[0].PersonID != 1 {
		t.Errorf("the old slot was not freed: %+v", us)
	}
	// Limit 1 reached: a clerk is refused, a director must override.
	again := fp.Booking{Day: day("2026-11-25"), Start: 8 * 60, Station: 1}
	if _, err := db.Reschedule(clerk, r.ID, 0, again, "asked again", false); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "Only the director can override") {
		t.Errorf("clerk beyond the limit: %v", err)
	}
	if _, err := db.Reschedule(director, r.ID, 0, again, "asked again", false); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "override") {
		t.Errorf("director without override: %v", err)
	}
	if _, err := db.Reschedule(director, r.ID, 0, again, "hospital stay, letter seen", true); err != nil {
		t.Errorf("director override: %v", err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC) } // Sunday 21:00, 11 h before Monday 08:00
	if _, err := db.Reschedule(clerk, r.ID, 1, fp.Booking{Day: day("2026-11-27"), Start: 8 * 60, Station: 1}, "asked", false); fp.ErrorCode(err) != fp.EFORBIDDEN ||
		!strings.Contains(fp.ErrorMessage(err), "less than 12 hours") {
		t.Errorf("clerk within the cut-off: %v", err)
	}
	hist, _ := db.RequestAudit(r.Number)
	e := hist[len(hist)-1]
	if e.Action != fp.ActionAppointmentReschedule || !strings.HasPrefix(e.Note, "director's override: hospital stay") ||
		!strings.Contains(e.Describe(), "moved Nguyễn Thị Minh Khai from 2026-11-24 08:00-08:15 station 1 to 2026-11-25 08:00-08:15 station 1") {
		t.Errorf("override audit: %s", e.Describe())
	}
	checkClean(t, db)
}

func TestCancelFreesSlotAndStatusFollows(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	r = makeBooked(t, db, r.ID)
	ap, _ := r.CurrentAppointment(1)
	if _, err := db.CancelAppointment(clerk, r.ID, 1, " ", false); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("cancel without a reason: %v", err)
	}
	got, err := db.CancelAppointment(clerk, r.ID, 1, "travelling that week", false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != fp.StatusReadyToSchedule {
		t.Errorf("status after a cancellation: %s", got.Status)
	}
	us, _ := db.DayUses(ap.Day)
	for _, u := range us {
		if u.PersonID == 1 {
			t.Errorf("cancelled slot still held: %+v", us)
		}
	}
	// Another request takes the freed slot at once.
	other := newRequest(t, db, sample(), 2)
	makeReady(t, db, other.ID)
	if _, err := db.Book(clerk, other.ID, []fp.Booking{{PersonID: 0, Day: ap.Day, Start: ap.Start, Station: ap.Station}}, "", false); err != nil {
		t.Errorf("the freed slot: %v", err)
	}
	// Withdrawing a scheduled request frees every slot.
	bs, _ := db.ProposeSlots(r.ID, fp.Date{})
	if got, err = db.Book(clerk, r.ID, bs, "", false); err != nil || got.Status != fp.StatusScheduled {
		t.Fatal(err)
	}
	got, err = db.TransitionRequest(clerk, r.ID, fp.StatusWithdrawn, "the family returned to the U.S.")
	if err != nil {
		t.Fatal(err)
	}
	for _, ap := range got.Appointments {
		if ap.Status != fp.ApptCancelled {
			t.Errorf("appointment left after withdrawal: %+v", ap)
		}
	}
	checkClean(t, db)
}

func TestEditHouseholdFollowsAppointments(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	r = makeBooked(t, db, r.ID)
	// Take the adult off the household: their appointment is cancelled.
	in := r.Input()
	in.Household = nil
	got, err := db.UpdateRequest(clerk, r.ID, r.Version, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != fp.StatusScheduled || len(got.Unbooked(db.today())) != 0 {
		t.Errorf("after removing a member: %s", got.Status)
	}
	if _, ok := got.CurrentAppointment(1); ok {
		t.Error("the removed member kept an appointment")
	}
	// Add another adult: the request needs a slot for them.
	in = got.Input()
	in.Household = []fp.PersonInput{{FullName: "José Müller", DateOfBirth: "1955-07-04", Passport: fp.PassportInput{Number: "C01234567", Expiry: "2030-04-04"}}}
	got, err = db.UpdateRequest(clerk, r.ID, got.Version, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != fp.StatusReadyToSchedule || len(got.Unbooked(db.today())) != 1 {
		t.Errorf("after adding a member: %s, unbooked %v", got.Status, got.Unbooked(db.today()))
	}
	checkClean(t, db)
}

func TestLetterPrintsAndReprints(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	r = makeBooked(t, db, r.ID)
	due, _ := db.LetterRequests(fp.Date{}, true)
	if len(due) != 1 || due[0].ID != r.ID {
		t.Fatalf("letters due: %v", due)
	}
	c, err := db.RecordLetters(clerk, []fp.RequestID{r.ID}, "aa", "", false)
	if err != nil || c[r.ID] != 1 {
		t.Fatalf("first print: %v %v", c, err)
	}
	if due, _ := db.LetterRequests(fp.Date{}, true); len(due) != 0 {
		t.Errorf("a printed letter is still due: %v", due)
	}
	if _, err := db.RecordLetters(clerk, []fp.RequestID{r.ID}, "bb", "", false); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "printed already") {
		t.Errorf("reprint without a reason: %v", err)
	}
	if c, err := db.RecordLetters(clerk, []fp.RequestID{r.ID}, "bb", "applicant lost it", false); err != nil || c[r.ID] != 2 {
		t.Errorf("reprint: %v %v", c, err)
	}
	hist, _ := db.RequestAudit(r.Number)
	if e := hist[len(hist)-1]; e.Action != fp.ActionLetterPrint || e.Note != "appointment letter, copy 2, sha256 bb; reprint: applicant lost it" {
		t.Errorf("audit note %q", e.Note)
	}
	// A reschedule makes the letter due again.
	ap, _ := r.CurrentAppointment(0)
	if _, err := db.Reschedule(clerk, r.ID, 0, fp.Booking{Day: ap.Day.AddDays(4), Start: 8 * 60, Station: 1}, "asked", false); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.LetterRequests(fp.Date{}, true); len(due) != 1 {
		t.Errorf("letter not due after a reschedule: %v", due)
	}
	if byDay, _ := db.LetterRequests(ap.Day.AddDays(4), false); len(byDay) != 1 {
		t.Errorf("letters for the day: %v", byDay)
	}
}

func TestSchedulingDefaultsUntilSaved(t *testing.T) {
	db, path := openTemp(t)
	s, err := db.Scheduling()
	if err != nil || !s.Default || s.SlotMinutes != 15 || s.Stations != 1 {
		t.Fatalf("new database: %+v %v", s, err)
	}
	bad := testScheduling()
	bad.Stations, bad.TimeZone = 0, "Mars/Olympus"
	err = db.SetScheduling(admin, bad)
	if fp.ErrorCode(err) != fp.EINVALID || len(err.(*fp.Error).Fields) != 2 {
		t.Errorf("bad settings: %v", err)
	}
	setScheduling(t, db, testScheduling())
	db = reopen(t, db, path)
	s, _ = db.Scheduling()
	if s.Default || s.Stations != 2 || s.TimeZone != "UTC" || len(s.Closed) != 1 || s.Closed[0].Name != "Thanksgiving Day" {
		t.Errorf("read back %+v", s)
	}
	es, _ := db.FindAudit(admin, fp.AuditFilter{Action: fp.ActionSchedulingUpdate})
	if len(es) != 1 || !strings.Contains(es[0].Note, "first saved") {
		t.Errorf("audit %+v", es)
	}
}

func TestSettingsKeepBookings(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	makeBooked(t, db, r.ID) // Monday 2026-11-23 08:00, stations 1 and 2
	for name, change := range map[string]func(*fp.Scheduling){
		"one station": func(s *fp.Scheduling) { s.Stations = 1 },
		"Monday closed": func(s *fp.Scheduling) {
			s.Closed = append(s.Closed, fp.ClosedDay{Date: day("2026-11-23"), Name: "Storm"})
		},
		"later opening":   func(s *fp.Scheduling) { s.Hours[1] = []fp.Window{{Open: 9 * 60, Close: 12 * 60}} },
		"no Monday hours": func(s *fp.Scheduling) { s.Hours[1] = nil },
	} {
		s := testScheduling()
		change(&s)
		err := db.SetScheduling(admin, s)
		if fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), r.Number+" on 2026-11-23 08:00 station") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A longer day, more stations or another slot length keep every booking.
	s := testScheduling()
	s.Stations, s.SlotMinutes, s.Hours[1] = 3, 20, []fp.Window{{Open: 7 * 60, Close: 12 * 60}}
	if err := db.SetScheduling(admin, s); err != nil {
		t.Errorf("a wider day refused: %v", err)
	}
}

// A cancellation followed by a new booking is a reschedule: the count
// survives the cancel, the limit stops the booking after it, and the cut-off
// stops a clerk's cancellation; only a director overrides, recorded as such.
func TestCancelAndBookAgainIsAReschedule(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling()) // limit 2, cut-off 12 hours
	r := newRequest(t, db, sample(), 1)
	makeReady(t, db, r.ID)
	slot := func(d string, id int) []fp.Booking {
		return []fp.Booking{{PersonID: id, Day: day(d), Start: 8 * 60, Station: id + 1}}
	}
	if _, err := db.Book(clerk, r.ID, append(slot("2026-11-23", 0), slot("2026-11-23", 1)...), "", false); err != nil {
		t.Fatal(err)
	}
	// Two rounds of cancel and book by a clerk: one reschedule each.
	for i, d := range []string{"2026-11-24", "2026-11-25"} {
		if _, err := db.CancelAppointment(clerk, r.ID, 0, "the applicant asked", false); err != nil {
			t.Fatal(err)
		}
		got, err := db.Book(clerk, r.ID, slot(d, 0), "", false)
		if err != nil {
			t.Fatal(err)
		}
		if n := got.Reschedules(0); n != i+1 {
			t.Errorf("after %d cancellations and bookings: %d reschedules", i+1, n)
		}
	}
	// The limit reached: the cancellation is allowed, the booking after it is not.
	if _, err := db.CancelAppointment(clerk, r.ID, 0, "asked once more", false); err != nil {
		t.Fatalf("a cancellation past the limit: %v", err)
	}
	to := slot("2026-11-27", 0)
	for _, c := range []struct {
		a        fp.Actor
		reason   string
		override bool
		code     string
		msg      string
	}{
		{clerk, "", false, fp.EFORBIDDEN, "moved 2 times already (the limit is 2), and a new booking after a cancellation is a move. Only the director can override"},
		{clerk, "please", true, fp.EFORBIDDEN, "Only the director can override"},
		{director, "", false, fp.EFORBIDDEN, "confirm the override"},
		{director, " ", true, fp.EINVALID, "say why you override"},
	} {
		if _, err := db.Book(c.a, r.ID, to, c.reason, c.override); fp.ErrorCode(err) != c.code || !strings.Contains(fp.ErrorMessage(err), c.msg) {
			t.Errorf("%s booking again (override %v): %v, want %q", c.a.Role, c.override, err, c.msg)
		}
	}
	if _, err := db.Book(director, r.ID, to, "surgery on the 25th, hospital letter seen", true); err != nil {
		t.Fatalf("the director's override: %v", err)
	}
	hist, _ := db.RequestAudit(r.Number)
	var e fp.AuditEntry
	for _, h := range hist {
		if h.Action == fp.ActionAppointmentBook {
			e = h
		}
	}
	if e.Note != "director's override: surgery on the 25th, hospital letter seen; booked again after a cancellation: a reschedule" ||
		!strings.Contains(e.Describe(), "moved Nguyễn Thị Minh Khai from 2026-11-25 08:00-08:15 station 1 to 2026-11-27 08:00-08:15 station 1") {
		t.Errorf("audit of the override: %q", e.Describe())
	}
	// A direct reschedule is past the limit too.
	if _, err := db.Reschedule(clerk, r.ID, 0, slot("2026-11-30", 0)[0], "asked", false); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a clerk's reschedule past the limit: %v", err)
	}
	db = reopen(t, db, path)
	back, _ := db.FindRequestByID(r.ID)
	cancelledBy := 0
	for _, ap := range back.Appointments {
		if ap.Status == fp.ApptCancelled && ap.CancelledBy == clerk.Name {
			cancelledBy++
		}
	}
	if back.Reschedules(0) != 3 || cancelledBy != 3 || back.Status != fp.StatusScheduled {
		t.Errorf("read back: %d reschedules, %d staff cancellations, %s", back.Reschedules(0), cancelledBy, back.Status)
	}

	// Sunday 21:00, 11 hours before Łukasz's Monday 08:00: a clerk cannot cancel.
	db.Now = at("2026-11-22", 21, 0)
	if _, err := db.CancelAppointment(clerk, r.ID, 1, "asked", false); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "cannot be cancelled by a clerk: it is less than 12 hours away") {
		t.Errorf("a clerk within the cut-off: %v", err)
	}
	if _, err := db.CancelAppointment(director, r.ID, 1, "asked", false); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("the director without the override: %v", err)
	}
	if _, err := db.CancelAppointment(director, r.ID, 1, "flight cancelled, ticket seen", true); err != nil {
		t.Fatalf("the director's override: %v", err)
	}
	hist, _ = db.RequestAudit(r.Number)
	if e := hist[len(hist)-2]; e.Action != fp.ActionAppointmentCancel || e.Note != "director's override: flight cancelled, ticket seen" {
		t.Errorf("audit of the cancellation: %s %q", e.Action, e.Note)
	}

	// The system's own cancellation is not a move: Łukasz taken off the
	// household by mistake and put back is booked afresh.
	other := newRequest(t, db, sample(), 2)
	other = makeBooked(t, db, other.ID)
	in := other.Input()
	in.Household = nil
	if other, _ = db.UpdateRequest(clerk, other.ID, other.Version, mustParse(t, in), fp.SaveOptions{}); len(other.Household) != 0 {
		t.Fatal("not taken off")
	}
	in.Household = sample().Household
	other, err := db.UpdateRequest(clerk, other.ID, other.Version, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Book(clerk, other.ID, slot("2026-11-24", 1), "", false)
	if err != nil || got.Reschedules(1) != 0 {
		t.Errorf("booked again after the system's cancellation: %v, %d reschedules", err, got.Reschedules(1))
	}
	checkClean(t, db)
}

// teenInput is sample() with Zofia, who turns 18 on 2026-12-05.
func teenInput() fp.RequestInput {
	in := sample()
	in.Household = append(in.Household, fp.PersonInput{FullName: "Zofia Żółć", DateOfBirth: "2008-12-05", Passport: fp.PassportInput{Number: "EZ1234567", Expiry: "2031-01-01"}})
	return in
}

// Who is fingerprinted is decided for the appointment day: a member who is
// 17 at intake is flagged, asked for a passport, and booked with the
// household when the appointment falls on or after her 18th birthday.
func TestNewAdultIsBookedForTheAppointmentDay(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling())
	_, warns, _ := teenInput().Parse(db.today())
	if !strings.Contains(strings.Join(warns, "\n"), "Zofia Żółć turns 18 on 2026-12-05: fingerprinted if the appointment is on or after that day") {
		t.Errorf("no flag at intake: %q", warns)
	}
	r := newRequest(t, db, teenInput(), 1)
	rows, _, _ := db.FindRequests(fp.RequestFilter{Search: r.Number})
	if len(rows) != 1 || rows[0].People != 2 || rows[0].Docs.Required != 4 {
		t.Fatalf("queue row at intake: %+v", rows)
	}
	makeReady(t, db, r.ID) // her passport verified with the others
	household := func(d string, ids ...int) []fp.Booking {
		var bs []fp.Booking
		for _, id := range ids {
			bs = append(bs, fp.Booking{PersonID: id, Day: day(d), Start: 8 * 60, Station: id%2 + 1})
		}
		return bs
	}
	if _, err := db.Book(clerk, r.ID, household("2026-12-07", 0, 1), "", false); fp.ErrorCode(err) != fp.EINVALID ||
		!strings.Contains(fp.ErrorMessage(err), "Zofia Żółć turns 18 on 2026-12-05, before the appointment on 2026-12-07") {
		t.Errorf("the household without her after her birthday: %v", err)
	}
	if _, err := db.Book(clerk, r.ID, household("2026-12-03", 2), "", false); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "under 18 on 2026-12-03") {
		t.Errorf("her alone before her birthday: %v", err)
	}
	bs, err := db.ProposeSlots(r.ID, day("2026-12-07"))
	if err != nil || len(bs) != 3 {
		t.Fatalf("next available from 7 December: %v %v", bs, err)
	}
	got, err := db.Book(clerk, r.ID, bs, "", false)
	if err != nil || got.Status != fp.StatusScheduled {
		t.Fatalf("booking the three: %v", err)
	}
	db = reopen(t, db, path)
	back, _ := db.FindRequestByID(r.ID)
	if sp := back.Schedule(db.today()); len(sp) != 3 || !sp[2].Booked || sp[2].Person.FullName != "Zofia Żółć" {
		t.Errorf("the letter's table: %+v", sp)
	}
	if rows, _, _ := db.FindRequests(fp.RequestFilter{Search: r.Number}); rows[0].People != 3 || rows[0].Docs.String() != "4/4" {
		t.Errorf("queue row once booked: %+v", rows[0])
	}

	// Booked before her birthday, the household goes without her; moving it
	// past the birthday needs her booked too.
	early := newRequest(t, db, teenInput(), 2)
	makeReady(t, db, early.ID)
	if got, err = db.Book(clerk, early.ID, household("2026-12-01", 0, 1), "", false); err != nil || got.Status != fp.StatusScheduled || got.People(db.today()) != 2 {
		t.Fatalf("before her birthday: %v", err)
	}
	if _, err := db.Reschedule(clerk, early.ID, 0, household("2026-12-08", 0)[0], "asked", false); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "book Zofia Żółć too") {
		t.Errorf("moved past her birthday without her: %v", err)
	}
	checkClean(t, db)
}

// A new time zone would move every booked appointment in real time: it is
// refused while anything is booked.
func TestTimeZoneChangeKeepsBookings(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling()) // UTC
	r := newRequest(t, db, sample(), 1)
	makeBooked(t, db, r.ID) // Monday 2026-11-23 08:00 UTC, two people
	s := testScheduling()
	s.TimeZone = "Asia/Shanghai"
	err := db.SetScheduling(admin, s)
	if fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), "the time zone cannot change from UTC to Asia/Shanghai while 2 appointments are booked") {
		t.Fatalf("a new zone with bookings: %v", err)
	}
	if err := db.SetProfile(admin, fp.Profile{Office: fp.Office{Name: "USCIS Guangzhou Field Office", Address: "Guangzhou", Signatory: "M. Ellison"}, Scheduling: s}); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("a new zone through the profile: %v", err)
	}
	db = reopen(t, db, path)
	if got, _ := db.Scheduling(); got.TimeZone != "UTC" {
		t.Fatalf("the zone changed: %s", got.TimeZone)
	}
	// Nothing booked: the zone may change.
	for _, id := range []int{0, 1} {
		if _, err := db.CancelAppointment(clerk, r.ID, id, "the office moves", false); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetScheduling(admin, s); err != nil {
		t.Fatalf("a new zone with nothing booked: %v", err)
	}
	db = reopen(t, db, path)
	if got, _ := db.Scheduling(); got.TimeZone != "Asia/Shanghai" {
		t.Errorf("read back %s", got.TimeZone)
	}
	checkClean(t, db)
}

// A day's batch of letters is more than one transaction of the storage
// contract can record: it is checked whole first (one letter that may not
// be printed refuses the batch, nothing recorded), then recorded in as many
// transactions as needed, every letter counted once.
func TestLetterBatchOverTheTransactionLimits(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	const n = 40
	var ids []fp.RequestID
	for i := 1; i <= n; i++ {
		ids = append(ids, makeBooked(t, db, newRequest(t, db, sample(), i).ID).ID)
	}
	// One already printed: the batch without a reason is refused whole.
	if _, err := db.RecordLetters(clerk, ids[5:6], "aa", "", false); err != nil {
		t.Fatal(err)
	}
	entries := func() (n int) {
		db.view(func(tx *tx) error { n = tx.Bucket(bAudit).Count(); return nil })
		return n
	}
	auditBefore := entries()
	if _, err := db.RecordLetters(clerk, ids, "bb", "", false); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("a batch with a reprint and no reason: %v", err)
	}
	if n := entries(); n != auditBefore {
		t.Errorf("a refused batch recorded %d audit entries", n-auditBefore)
	}
	before, _ := db.s.Revision()
	copies, err := db.RecordLetters(clerk, ids, "cc", "", true)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := db.s.Revision()
	if after-before < 2 {
		t.Errorf("%d letters were recorded in %d transaction: the test no longer crosses the limits", n, after-before)
	}
	for i, id := range ids {
		want := 1
		if i == 5 {
			want = 2
		}
		if copies[id] != want {
			t.Errorf("request %d: copy %d, want %d", id, copies[id], want)
		}
	}
	if due, _ := db.LetterRequests(fp.Date{}, true); len(due) != 0 {
		t.Errorf("%d letters still due after the batch", len(due))
	}
	checkClean(t, db)
}

// The largest request the domain accepts (10 receipt numbers, a 150-character
// name of many words, 12 adults besides the applicant) goes through its
// heaviest actions, each one transaction within the storage contract's
// limits: create, rename, verify, ready, book 13 people, withdraw.
func TestLargestRequestWithinTheLimits(t *testing.T) {
	for _, keys := range []bool{false, true} {
		t.Run(map[bool]string{false: "without the office key (most index entries)", true: "with the office key"}[keys], func(t *testing.T) {
			largestRequestWithinTheLimits(t, keys)
		})
	}
}

func largestRequestWithinTheLimits(t *testing.T, keys bool) {
	db := openStaffed(t, keys)
	s := testScheduling()
	s.Stations = 8
	setScheduling(t, db, s)
	in := sample()
	var receipts []string
	for i := 0; i < 10; i++ {
		receipts = append(receipts, fmt.Sprintf("IOE09000000%02d", i))
	}
	in.ReceiptNumbers = strings.Join(receipts, "; ")
	words := func(first rune) string {
		var w []string
		for i := 0; len(strings.Join(w, " "))+4 <= 150; i++ {
			w = append(w, string([]rune{first, rune('a' + i%26), rune('a' + i/26)}))
		}
		return strings.Join(w, " ")
	}
	in.FullName = words('B')
	in.Household = nil
	for i := 0; i < 12; i++ {
		in.Household = append(in.Household, fp.PersonInput{FullName: fmt.Sprintf("Adult %c Member", 'A'+i), DateOfBirth: "1970-01-01",
			Passport: fp.PassportInput{Number: fmt.Sprintf("P%07d", i), Expiry: "2031-01-01"}})
	}
	r, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if n := len(indexEntries(r, r.Summary(db.today()), nil)); n < 25 {
		t.Fatalf("the request has only %d index entries: the test no longer tests the largest", n)
	}
	in.FullName = words('C') // every indexed word changes
	r2 := mustParse(t, in)
	if r, err = db.UpdateRequest(clerk, r.ID, r.Version, r2, fp.SaveOptions{}); err != nil {
		t.Fatalf("rename: %v", err)
	}
	r = makeBooked(t, db, r.ID)
	if len(r.Appointments) != 13 {
		t.Fatalf("%d appointments booked, want 13", len(r.Appointments))
	}
	if n := len(indexEntries(r, r.Summary(db.today()), nil)); n < 40 {
		t.Errorf("a booked household has only %d index entries", n)
	}
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusWithdrawn, "the family withdrew"); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	checkClean(t, db)
}
