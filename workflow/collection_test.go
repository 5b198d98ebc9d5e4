package workflow

import (
	"crypto/ed25519"
	"os"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

func setOffice(t testing.TB, db *Desk) {
	t.Helper()
	if err := db.SetOffice(admin, fp.Office{Name: "USCIS Guangzhou Field Office", Address: "43 Hua Jiu Road\nGuangzhou", Signatory: "M. Ellison"}); err != nil {
		t.Fatal(err)
	}
}

func at(date string, hh, mm int) func() time.Time {
	d := day(date)
	return func() time.Time { return time.Date(d.Y, d.M, d.D, hh, mm, 0, 0, time.UTC) }
}

// TestCollectionDay runs a whole day through the services: book, check in,
// collect, stamp, verify; a missed appointment recovered as a walk-in inside
// the window and refused after it.
func TestCollectionDay(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling()) // UTC, 2 stations, 08:00-10:00, walk-in window 21 days
	setOffice(t, db)
	family := newRequest(t, db, sample(), 1) // applicant + one adult
	single := newRequest(t, db, sample(), 2)
	makeReady(t, db, family.ID)
	makeReady(t, db, single.ID)
	monday := day("2026-11-23")
	if _, err := db.Book(clerk, family.ID, []fp.Booking{{PersonID: 0, Day: monday, Start: 8 * 60, Station: 1}, {PersonID: 1, Day: monday, Start: 8 * 60, Station: 2}}, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Book(clerk, single.ID, []fp.Booking{{PersonID: 0, Day: monday, Start: 8*60 + 15, Station: 1}, {PersonID: 1, Day: monday, Start: 8*60 + 15, Station: 2}}, "", false); err != nil {
		t.Fatal(err)
	}

	// Monday 08:02: the family arrives; the applicant's passport carries her married name.
	db.Now = at("2026-11-23", 8, 2)
	if _, err := db.CheckInPerson(clerk, family.ID, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport}); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("a name mismatch without a note: %v", err)
	}
	if _, err := db.CheckInPerson(clerk, family.ID, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, IDNote: "E12345678", Note: "Married name; marriage certificate seen."}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckInPerson(clerk, family.ID, fp.CheckInInput{PersonID: 1, ID: fp.IDExpired, NameMatches: true}); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.Day(monday)
	if len(rows) != 4 || rows[0].Appointment.Status != fp.ApptCheckedIn || rows[2].Appointment.Status != fp.ApptBooked || rows[0].Person.FullName != "Nguyễn Thị Minh Khai" {
		t.Fatalf("the day: %+v", rows)
	}
	db.Now = at("2026-11-23", 8, 14)
	all := []fp.Capture{fp.CaptureFingerprints, fp.CapturePhoto, fp.CaptureSignature}
	if _, err := db.Collect(director, family.ID, fp.CollectInput{PersonID: 0, Captured: all, Code: 3}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.IssueStamp(clerk, family.ID, 1); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a stamp before collection: %v", err)
	}
	r, err := db.Collect(clerk, family.ID, fp.CollectInput{PersonID: 1, Captured: []fp.Capture{fp.CaptureFingerprints}, Code: 1})
	if err != nil || r.Status != fp.StatusCompleted {
		t.Fatalf("everyone collected: %s %v", r.Status, err)
	}

	// The stamped notice: signed once, copies counted, verifiable by code and by QR.
	st, n, err := db.IssueStamp(clerk, family.ID, 0)
	if err != nil || n != 1 || st.Facts.Officer != "James Chen (badge GZ-0007)" || st.Facts.Person != "Nguyễn Thị Minh Khai" || st.Facts.Code != 3 {
		t.Fatalf("stamp: %+v %d %v", st, n, err)
	}
	again, n, _ := db.IssueStamp(clerk, family.ID, 0)
	if n != 2 || again.Code != st.Code {
		t.Errorf("reprint: copy %d, code %s then %s", n, st.Code, again.Code)
	}
	if fi, err := os.Stat(db.StampKeyPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key file: %v", err)
	}
	db = reopen(t, db, path)
	db.Now = at("2026-11-23", 8, 20)
	for _, code := range []string{st.Code, strings.ToLower(strings.ReplaceAll(st.Code, "-", "")), st.QRText()} {
		c, err := db.VerifyStamp(code)
		if err != nil || !c.Genuine || !c.Recorded || c.Copies != 2 || c.Facts.Person != st.Facts.Person {
			t.Errorf("verify %q: %+v %v", code[:min(len(code), 20)], c, err)
		}
	}
	forged := st
	forged.Facts.Collected = forged.Facts.Collected.AddDate(0, 0, -7)
	if c, err := db.VerifyStamp(forged.QRText()); err != nil || c.Genuine || !strings.Contains(c.Problem, "NOT GENUINE") {
		t.Errorf("a changed date: %+v %v", c, err)
	}
	forged = st
	forged.Facts.Person = "Someone Else"
	if c, _ := db.VerifyStamp(forged.QRText()); c.Genuine {
		t.Error("a changed name verified")
	}
	otherKey := fp.SignStamp(ed25519.NewKeyFromSeed(make([]byte, 32)), st.Facts)
	if c, _ := db.VerifyStamp(otherKey.QRText()); c.Genuine || !strings.Contains(c.Problem, "never used") {
		t.Errorf("another key: %+v", c)
	}
	if _, err := db.VerifyStamp("ABCDE-FGHIJ"); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Errorf("unknown code: %v", err)
	}

	// Nobody from the second request came. Closing before 10:00 is refused.
	if _, err := db.CloseDay(clerk, monday); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("closing an open day: %v", err)
	}
	db.Now = at("2026-11-23", 10, 5)
	if n, err := db.CloseDay(clerk, monday); err != nil || n != 2 {
		t.Fatalf("close day: %d %v", n, err)
	}
	if n, err := db.CloseDay(clerk, monday); err != nil || n != 0 {
		t.Errorf("closing twice: %d %v", n, err)
	}
	r, _ = db.FindRequestByID(single.ID)
	if r.Status != fp.StatusReadyToSchedule {
		t.Errorf("after a miss: %s", r.Status)
	}
	hist, _ := db.RequestAudit(r.Number)
	var missedEntry fp.AuditEntry
	for _, e := range hist {
		if e.Action == fp.ActionMissed {
			missedEntry = e
		}
	}
	if !strings.Contains(missedEntry.Describe(), "may walk in until 2026-12-14") {
		t.Errorf("history of the miss: %q", missedEntry.Describe())
	}

	// A walk-in 10 days later: seen, collected, completed; both in the history.
	db.Now = at("2026-12-03", 9, 30)
	if may, _ := db.MayWalkIn(day("2026-12-03")); len(may) != 2 || may[0].Number != single.Number {
		t.Errorf("who may walk in: %+v", may)
	}
	if may, _ := db.MayWalkIn(day("2026-12-15")); len(may) != 0 {
		t.Errorf("after the window: %+v", may)
	}
	_, err = db.CheckInPerson(clerk, single.ID, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = db.Day(day("2026-12-03"))
	if len(rows) != 1 || !rows[0].Appointment.WalkIn || rows[0].Appointment.Status != fp.ApptWalkIn {
		t.Fatalf("walk-ins of the day: %+v", rows)
	}
	if us, _ := db.DayUses(day("2026-12-03")); len(us) != 0 {
		t.Errorf("a walk-in took a slot: %+v", us)
	}
	if _, err := db.Collect(clerk, single.ID, fp.CollectInput{PersonID: 0, Captured: all}); err != nil {
		t.Fatal(err)
	}
	// The other person comes a day after the window: refused, book anew.
	db.Now = at("2026-12-15", 9, 0)
	if _, err := db.CheckInPerson(clerk, single.ID, fp.CheckInInput{PersonID: 1, ID: fp.IDPassport, NameMatches: true}); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "book a new appointment") {
		t.Errorf("after the window: %v", err)
	}
	bs, err := db.ProposeSlots(single.ID, fp.Date{})
	if err != nil || len(bs) != 1 || bs[0].PersonID != 1 {
		t.Fatalf("booking anew: %v %v", bs, err)
	}
	hist, _ = db.RequestAudit(single.Number)
	var said []string
	for _, e := range hist {
		said = append(said, e.Action)
	}
	if s := strings.Join(said, " "); !strings.Contains(s, fp.ActionMissed) || !strings.Contains(s, fp.ActionCheckIn) || !strings.Contains(s, fp.ActionCollect) {
		t.Errorf("history lacks the miss or the walk-in: %s", s)
	}
	checkClean(t, db)
}

func TestCloseDaysAutomatically(t *testing.T) {
	db, _ := openTemp(t)
	s := testScheduling()
	s.MissedMode = fp.MissedAtClosing
	setScheduling(t, db, s)
	r := newRequest(t, db, sample(), 1)
	r = makeBooked(t, db, r.ID)
	ap, _ := r.CurrentAppointment(0)
	if n, err := db.CloseDaysAutomatically(); err != nil || n != 0 {
		t.Fatalf("before the day: %d %v", n, err)
	}
	db.Now = at(ap.Day.String(), 10, 0) // closing time
	n, err := db.CloseDaysAutomatically()
	if err != nil || n != 2 {
		t.Fatalf("at closing time: %d %v", n, err)
	}
	if n, _ := db.CloseDaysAutomatically(); n != 0 {
		t.Errorf("a second run marked %d", n)
	}
	hist, _ := db.RequestAudit(r.Number)
	if e := hist[len(hist)-1]; e.User != fp.SystemUser || e.Action != fp.ActionRequestTransition {
		t.Errorf("last entry %+v", e)
	}
	checkClean(t, db)
}

func TestExpiringFingerprints(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling())
	r := newRequest(t, db, sample(), 1)
	r = makeBooked(t, db, r.ID)
	ap, _ := r.CurrentAppointment(0)
	db.Now = at(ap.Day.String(), 8, 1)
	for _, id := range []int{0, 1} {
		if _, err := db.CheckInPerson(clerk, r.ID, fp.CheckInInput{PersonID: id, ID: fp.IDPassport, NameMatches: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Collect(clerk, r.ID, fp.CollectInput{PersonID: id, Captured: []fp.Capture{fp.CaptureFingerprints}}); err != nil {
			t.Fatal(err)
		}
	}
	if es, _ := db.ExpiringFingerprints(60); len(es) != 0 {
		t.Errorf("just collected, already expiring: %+v", es)
	}
	db.Now = func() time.Time { return time.Date(2028, 1, 1, 9, 0, 0, 0, time.UTC) } // 15 months minus ~50 days
	es, _ := db.ExpiringFingerprints(60)
	if want := fp.DateOf(ap.Day.Time().AddDate(0, 15, 0)); len(es) != 1 || es[0].Summary.ID != r.ID || es[0].Expires != want {
		t.Errorf("expiring: %+v", es)
	}
}

// A walk-in comes while the office is open, in the office's zone: at 21:54
// it is refused with the next opening time, unless the director overrides,
// which the history records.
func TestWalkInOnlyWhileOpen(t *testing.T) {
	db, path := openTemp(t)
	s := testScheduling()
	s.TimeZone = "Asia/Shanghai"
	for _, d := range fp.WeekdayOrder[:5] {
		s.Hours[d] = []fp.Window{{Open: 8*60 + 30, Close: 11*60 + 30}}
	}
	setScheduling(t, db, s)
	shanghai := s.Location()
	office := func(date string, hh, mm int) func() time.Time {
		d := day(date)
		return func() time.Time { return time.Date(d.Y, d.M, d.D, hh, mm, 0, 0, shanghai) }
	}
	r := newRequest(t, db, sample(), 1)
	makeReady(t, db, r.ID)
	monday := day("2026-11-23")
	if _, err := db.Book(clerk, r.ID, []fp.Booking{{PersonID: 0, Day: monday, Start: 8*60 + 30, Station: 1}, {PersonID: 1, Day: monday, Start: 8*60 + 30, Station: 2}}, "", false); err != nil {
		t.Fatal(err)
	}
	db.Now = office("2026-11-23", 12, 0)
	if n, err := db.CloseDay(clerk, monday); err != nil || n != 2 {
		t.Fatalf("close day: %d %v", n, err)
	}
	// A week later at 21:54 office time, the applicant walks in.
	db.Now = office("2026-11-30", 21, 54)
	in := fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true}
	if _, err := db.CheckInPerson(clerk, r.ID, in); fp.ErrorCode(err) != fp.EFORBIDDEN ||
		!strings.Contains(fp.ErrorMessage(err), "walk-ins are seen while the office is open (today 08:30-11:30) and it is 21:54; the office opens again Tuesday 1 December 08:30") {
		t.Errorf("a walk-in at 21:54: %v", err)
	}
	if _, err := db.CheckInPerson(director, r.ID, in); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "confirm the override") {
		t.Errorf("the director without the override: %v", err)
	}
	if got, _ := db.FindRequestByID(r.ID); len(got.Appointments) != 2 {
		t.Fatalf("a refused walk-in was recorded: %+v", got.Appointments)
	}
	in.Override, in.Reason = true, "flew in from Urumqi tonight; the director stayed to see her"
	if _, err := db.CheckInPerson(director, r.ID, in); err != nil {
		t.Fatalf("the director's override: %v", err)
	}
	hist, _ := db.RequestAudit(r.Number)
	if e := hist[len(hist)-1]; e.Action != fp.ActionCheckIn || e.Note != "director's override: a walk-in outside public hours: "+in.Reason {
		t.Errorf("audit of the override: %s %q", e.Action, e.Note)
	}
	if _, err := db.Collect(director, r.ID, fp.CollectInput{PersonID: 0, Captured: []fp.Capture{fp.CaptureFingerprints}}); err != nil {
		t.Fatal(err)
	}
	// Łukasz comes the next morning, in public hours: a walk-in as usual.
	db.Now = office("2026-12-01", 9, 0)
	if _, err := db.CheckInPerson(clerk, r.ID, fp.CheckInInput{PersonID: 1, ID: fp.IDPassport, NameMatches: true}); err != nil {
		t.Fatalf("a walk-in in public hours: %v", err)
	}
	db = reopen(t, db, path)
	back, _ := db.FindRequestByID(r.ID)
	ap, _ := back.CurrentAppointment(0)
	if !ap.WalkIn || ap.CheckIn.Override != in.Reason || ap.Status != fp.ApptCollected {
		t.Errorf("read back %+v", ap)
	}
	checkClean(t, db)
}

// At check-in, a member who turned 18 since the request came must be booked
// first: she is fingerprinted with the household.
func TestCheckInWaitsForTheNewAdult(t *testing.T) {
	db, _ := openTemp(t)
	setScheduling(t, db, testScheduling()) // UTC, 08:00-10:00
	r := newRequest(t, db, teenInput(), 1) // Zofia turns 18 on 2026-12-05
	makeReady(t, db, r.ID)
	tuesday := day("2026-12-01")
	if _, err := db.Book(clerk, r.ID, []fp.Booking{{PersonID: 0, Day: tuesday, Start: 8 * 60, Station: 1}, {PersonID: 1, Day: tuesday, Start: 8 * 60, Station: 2}}, "", false); err != nil {
		t.Fatal(err)
	}
	db.Now = at("2026-12-01", 10, 5)
	if _, err := db.CloseDay(clerk, tuesday); err != nil {
		t.Fatal(err)
	}
	// The applicant walks in on Monday 7 December: Zofia is 18 now.
	db.Now = at("2026-12-07", 9, 0)
	in := fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true}
	if _, err := db.CheckInPerson(clerk, r.ID, in); fp.ErrorCode(err) != fp.EFORBIDDEN ||
		!strings.Contains(fp.ErrorMessage(err), "Zofia Żółć turned 18 on 2026-12-05 and is fingerprinted with the household, but has no appointment: book Zofia Żółć first") {
		t.Fatalf("check-in with the new adult unbooked: %v", err)
	}
	p, err := r.FindPerson("zofia", db.today())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Book(clerk, r.ID, []fp.Booking{{PersonID: p.ID, Day: day("2026-12-07"), Start: 9*60 + 30, Station: 1}}, "", false); err != nil {
		t.Fatalf("booking her today: %v", err)
	}
	got, err := db.CheckInPerson(clerk, r.ID, in)
	if err != nil {
		t.Fatalf("check-in once she is booked: %v", err)
	}
	if got.People(db.today()) != 3 || len(got.Unbooked(db.today())) != 1 { // Łukasz missed and has not come back
		t.Errorf("%d people, unbooked %v", got.People(db.today()), got.Unbooked(db.today()))
	}
	checkClean(t, db)
}
