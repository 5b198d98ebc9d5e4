package fieldprint

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// dayOffice: UTC, weekday mornings 08:00-12:00, a 21-day walk-in window.
func dayOffice() Scheduling { return office(nil) }

func booked(day Date, start TimeOfDay) *Request {
	r := family(2)
	r.Status = StatusScheduled
	r.Appointments = []Appointment{
		{ID: 1, PersonID: 0, Day: day, Start: start, Minutes: 15, Station: 1, Status: ApptBooked},
		{ID: 2, PersonID: 1, Day: day, Start: start, Minutes: 15, Station: 2, Status: ApptBooked},
	}
	return r
}

func TestCheckInRules(t *testing.T) {
	s := dayOffice()
	monday := Date{2026, 11, 23}
	at := time.Date(2026, 11, 23, 8, 5, 0, 0, time.UTC)
	ok := CheckInInput{PersonID: 0, ID: IDPassport, IDNote: "E12345678", NameMatches: true}
	for _, c := range []struct {
		name string
		r    func() *Request
		in   CheckInInput
		now  time.Time
		code string
		msg  string
	}{
		{"on the day", func() *Request { return booked(monday, 8*60) }, ok, at, "", ""},
		{"an alternative ID", func() *Request { return booked(monday, 8*60) }, CheckInInput{ID: IDSchool, NameMatches: true}, at, "", ""},
		{"no ID", func() *Request { return booked(monday, 8*60) }, CheckInInput{NameMatches: true}, at, EINVALID, "say which ID"},
		{"mismatch without a note", func() *Request { return booked(monday, 8*60) }, CheckInInput{ID: IDPassport}, at, EINVALID, "write a note"},
		{"mismatch with a note", func() *Request { return booked(monday, 8*60) }, CheckInInput{ID: IDPassport, Note: "Married name on the passport; marriage certificate seen."}, at, "", ""},
		{"the day before", func() *Request { return booked(monday, 8*60) }, ok, at.Add(-24 * time.Hour), EFORBIDDEN, "not today"},
		{"twice", func() *Request {
			r := booked(monday, 8*60)
			r.CheckIn(s, ok, Actor{"c", RoleClerk}, at)
			return r
		}, ok, at, ECONFLICT, "was checked in at 08:05"},
		{"nobody booked", func() *Request { r := family(1); r.Status = StatusReadyToSchedule; return r }, ok, at, EFORBIDDEN, "no appointment today"},
		{"unknown person", func() *Request { return booked(monday, 8*60) }, CheckInInput{PersonID: 9, ID: IDPassport, NameMatches: true}, at, EINVALID, "no person 9"},
	} {
		r := c.r()
		ap, err := r.CheckIn(s, c.in, Actor{"clerk", RoleClerk}, c.now)
		if ErrorCode(err) != c.code || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q %q", c.name, err, c.code, c.msg)
			continue
		}
		if err == nil && (ap.Status != ApptCheckedIn || ap.CheckIn.By != "clerk" || ap.CheckIn.ID != c.in.ID) {
			t.Errorf("%s: checked in as %+v", c.name, ap)
		}
	}
}

func TestWalkInWindow(t *testing.T) {
	s := dayOffice() // 21 days
	missedOn := Date{2026, 11, 23}
	r := booked(missedOn, 8*60)
	if n := len(r.MarkMissed(missedOn, time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))); n != 2 {
		t.Fatalf("marked %d missed", n)
	}
	if n := len(r.MarkMissed(missedOn, time.Now())); n != 0 {
		t.Errorf("marking missed twice changed %d", n)
	}
	in := CheckInInput{PersonID: 0, ID: IDPassport, NameMatches: true}
	// Inside the window, on an open day: a walk-in with no slot.
	inside := time.Date(2026, 12, 14, 9, 40, 0, 0, time.UTC) // 21 days later, a Monday
	w := *r
	ap, err := w.CheckIn(s, in, Actor{"clerk", RoleClerk}, inside)
	if err != nil || !ap.WalkIn || ap.Status != ApptWalkIn || ap.Station != 0 || ap.Day != (Date{2026, 12, 14}) || ap.Start != 9*60+40 {
		t.Fatalf("walk-in inside the window: %+v %v", ap, err)
	}
	if ap, err := w.Collect(s, CollectInput{PersonID: 0, Captured: []Capture{CaptureFingerprints, CapturePhoto}}, "officer", inside.Add(10*time.Minute)); err != nil || ap.Status != ApptCollected {
		t.Fatalf("collect a walk-in: %+v %v", ap, err)
	}
	// The day after the window: refused, book anew.
	outside := time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)
	o := *r
	if _, err := o.CheckIn(s, in, Actor{"clerk", RoleClerk}, outside); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "ended on 2026-12-14: book a new appointment") {
		t.Errorf("walk-in after the window: %v", err)
	}
	// Inside the window but on a Saturday: not an open day.
	sat := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if _, err := o.CheckIn(s, in, Actor{"clerk", RoleClerk}, sat); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "open days") {
		t.Errorf("walk-in on a Saturday: %v", err)
	}
}

// A walk-in comes while the office is open: public hours of an open day in
// the office's zone. Outside them it is refused with the next opening time,
// unless a director overrides with a reason.
func TestWalkInDuringPublicHours(t *testing.T) {
	s := office(func(s *Scheduling) {
		s.TimeZone = "Asia/Shanghai"
		for _, d := range WeekdayOrder[:5] {
			s.Hours[d] = []Window{{8*60 + 30, 11*60 + 30}}
		}
	})
	shanghai := s.Location()
	missed := booked(Date{2026, 11, 23}, 8*60+30)
	missed.MarkMissed(Date{2026, 11, 23}, time.Date(2026, 11, 23, 12, 0, 0, 0, shanghai))
	clerk, director := Actor{"c", RoleClerk}, Actor{"d", RoleDirector}
	in := CheckInInput{PersonID: 0, ID: IDPassport, NameMatches: true}
	over := in
	over.Override, over.Reason = true, "came from the airport; the director stayed on"
	for _, c := range []struct {
		name     string
		a        Actor
		in       CheckInInput
		at       time.Time // office time
		code     string
		msg      string
		override string
	}{
		{"Monday 21:54", clerk, in, time.Date(2026, 11, 30, 21, 54, 0, 0, shanghai), EFORBIDDEN,
			"a clerk cannot check in a walk-in now: walk-ins are seen while the office is open (today 08:30-11:30) and it is 21:54; the office opens again Tuesday 1 December 08:30. Only the director can override", ""},
		{"before opening", clerk, in, time.Date(2026, 11, 30, 8, 29, 0, 0, shanghai), EFORBIDDEN, "opens again Monday 30 November 08:30", ""},
		{"at opening", clerk, in, time.Date(2026, 11, 30, 8, 30, 0, 0, shanghai), "", "", ""},
		{"the last minute", clerk, in, time.Date(2026, 11, 30, 11, 29, 0, 0, shanghai), "", "", ""},
		{"at closing", clerk, in, time.Date(2026, 11, 30, 11, 30, 0, 0, shanghai), EFORBIDDEN, "opens again Tuesday 1 December 08:30", ""},
		{"Friday evening", clerk, in, time.Date(2026, 12, 4, 19, 0, 0, 0, shanghai), EFORBIDDEN, "opens again Monday 7 December 08:30", ""},
		{"Saturday", clerk, in, time.Date(2026, 11, 28, 9, 0, 0, 0, shanghai), EFORBIDDEN, "walk-ins are seen on open days, and today is not one (no public hours on Saturdays); the office opens again Monday 30 November 08:30", ""},
		{"a clerk's override", clerk, over, time.Date(2026, 11, 30, 21, 54, 0, 0, shanghai), EFORBIDDEN, "Only the director", ""},
		{"the director must confirm", director, in, time.Date(2026, 11, 30, 21, 54, 0, 0, shanghai), EFORBIDDEN, "seeing a walk-in now is an override", ""},
		{"the director overrides", director, over, time.Date(2026, 11, 30, 21, 54, 0, 0, shanghai), "", "", over.Reason},
		{"the director's override needs a reason", director, CheckInInput{PersonID: 0, ID: IDPassport, NameMatches: true, Override: true}, time.Date(2026, 11, 30, 21, 54, 0, 0, shanghai), EINVALID, "say why", ""},
		{"an override within hours is none", director, over, time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai), "", "", ""},
	} {
		r := *missed
		ap, err := r.CheckIn(s, c.in, c.a, c.at)
		if ErrorCode(err) != c.code || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q %q", c.name, err, c.code, c.msg)
			continue
		}
		if err == nil && (!ap.WalkIn || ap.CheckIn.Override != c.override) {
			t.Errorf("%s: %+v, override %q", c.name, ap, ap.CheckIn.Override)
		}
	}
	// A booked appointment is checked in before the doors open (arrive 15 minutes early).
	r := booked(Date{2026, 11, 30}, 8*60+30)
	if _, err := r.CheckIn(s, in, clerk, time.Date(2026, 11, 30, 8, 15, 0, 0, shanghai)); err != nil {
		t.Errorf("arriving early for a booked appointment: %v", err)
	}
}

// At check-in, a member who turned 18 after the request was received and
// has no appointment must be booked first: they are fingerprinted with the
// household.
func TestCheckInNeedsNewAdultsBooked(t *testing.T) {
	s := dayOffice()
	clerk := Actor{"c", RoleClerk}
	in := CheckInInput{PersonID: 0, ID: IDPassport, NameMatches: true}
	dec1, dec7 := Date{2026, 12, 1}, Date{2026, 12, 7}
	at := func(d Date) time.Time { return time.Date(d.Y, d.M, d.D, 8, 5, 0, 0, time.UTC) }
	for _, c := range []struct {
		name string
		apps []Appointment
		now  time.Time
		code string
	}{
		{"before the birthday", []Appointment{{ID: 1, PersonID: 0, Day: dec1, Start: 8 * 60, Status: ApptBooked}, {ID: 2, PersonID: 1, Day: dec1, Start: 8 * 60, Status: ApptBooked}}, at(dec1), ""},
		{"the teen booked with the household", []Appointment{{ID: 1, PersonID: 0, Day: dec7, Start: 8 * 60, Status: ApptBooked}, {ID: 2, PersonID: 2, Day: dec7, Start: 8 * 60, Status: ApptBooked}}, at(dec7), ""},
		{"the household booked without the teen", []Appointment{{ID: 1, PersonID: 0, Day: dec7, Start: 8 * 60, Status: ApptBooked}}, at(dec7), EFORBIDDEN},
		{"a walk-in after the birthday", []Appointment{{ID: 1, PersonID: 0, Day: dec1, Start: 8 * 60, Status: ApptMissed}}, at(dec7), EFORBIDDEN},
		{"the walk-in once the teen is booked", []Appointment{{ID: 1, PersonID: 0, Day: dec1, Start: 8 * 60, Status: ApptMissed}, {ID: 2, PersonID: 2, Day: dec7, Start: 9 * 60, Status: ApptBooked}}, at(dec7), ""},
	} {
		r := teenFamily()
		r.Status = StatusScheduled
		r.Appointments = c.apps
		_, err := r.CheckIn(s, in, clerk, c.now)
		if ErrorCode(err) != c.code || err != nil && !strings.Contains(ErrorMessage(err), "Teen turned 18 on 2026-12-05 and is fingerprinted with the household, but has no appointment: book Teen first") {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
}

func TestCollectRules(t *testing.T) {
	s := dayOffice()
	monday := Date{2026, 11, 23}
	at := time.Date(2026, 11, 23, 8, 5, 0, 0, time.UTC)
	all := []Capture{CaptureSignature, CaptureFingerprints, CapturePhoto}
	for _, c := range []struct {
		name     string
		checkIn  bool
		captured []Capture
		code     int
		want     string
		msg      string
	}{
		{"all three, code 2", true, all, 2, "", ""},
		{"prints only, code 1", true, []Capture{CaptureFingerprints}, 1, "", ""},
		{"code 3 without a photo", true, []Capture{CaptureFingerprints}, 3, EINVALID, "includes the photo"},
		{"code 4", true, all, 4, EINVALID, "1, 2 or 3"},
		{"nothing captured", true, nil, 0, EINVALID, "say what was captured"},
		{"not checked in", false, all, 0, EFORBIDDEN, "check"},
	} {
		r := booked(monday, 8*60)
		if c.checkIn {
			r.CheckIn(s, CheckInInput{ID: IDPassport, NameMatches: true}, Actor{"clerk", RoleClerk}, at)
		}
		ap, err := r.Collect(s, CollectInput{PersonID: 0, Captured: c.captured, Code: c.code}, "officer", at.Add(5*time.Minute))
		if ErrorCode(err) != c.want || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q %q", c.name, err, c.want, c.msg)
			continue
		}
		if err == nil && (ap.Collection.By != "officer" || ap.Collection.Captured[0] != CaptureFingerprints) {
			t.Errorf("%s: %+v (captures are kept in fingerprints, photo, signature order)", c.name, ap.Collection)
		}
	}
	// Every person collected completes the request.
	r := booked(monday, 8*60)
	for _, id := range []int{0, 1} {
		r.CheckIn(s, CheckInInput{PersonID: id, ID: IDPassport, NameMatches: true}, Actor{"clerk", RoleClerk}, at)
		r.Collect(s, CollectInput{PersonID: id, Captured: all}, "officer", at)
	}
	if to, _, ok := r.FollowSchedule(monday); !ok || to != StatusCompleted {
		t.Errorf("all collected: %s %v", to, ok)
	}
	r.Category = CategoryAdoption
	if exp, ok := r.FingerprintsExpire(); !ok || exp != (Date{2028, 2, 23}) {
		t.Errorf("fingerprints expire %s %v, want 2028-02-23", exp, ok)
	}
}

func TestDayClosed(t *testing.T) {
	s := dayOffice() // 08:00-12:00 on weekdays, UTC
	monday := Date{2026, 11, 23}
	for _, c := range []struct {
		now    time.Time
		closed bool
	}{
		{time.Date(2026, 11, 23, 11, 59, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC), false},
	} {
		if got := s.DayClosed(monday, c.now); got != c.closed {
			t.Errorf("DayClosed(monday, %s) = %v", c.now, got)
		}
	}
}

func testStamp(t testing.TB, priv ed25519.PrivateKey) Stamp {
	t.Helper()
	loc := time.FixedZone("CST", 8*3600)
	return SignStamp(priv, StampFacts{Office: "USCIS Guangzhou Field Office", Request: "FP-2026-00042", Person: "Nguyễn Thị Minh Khai",
		DateOfBirth: Date{1985, 4, 12}, Collected: time.Date(2026, 12, 1, 8, 47, 0, 0, loc), Officer: "mlopez",
		Captured: []Capture{CaptureFingerprints, CapturePhoto, CaptureSignature}, Code: 3})
}

func TestStampSignAndVerify(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	st := testStamp(t, priv)
	if _, ok := NormalizeShortCode(strings.ToLower(strings.ReplaceAll(st.Code, "-", " "))); !ok || len(st.Code) != 11 {
		t.Fatalf("short code %q", st.Code)
	}
	f, sig, err := ParseQRText(st.QRText())
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifySignature(pub, f, sig); err != nil {
		t.Fatalf("a genuine stamp: %v", err)
	}
	if !strings.Contains(f.Describe(), "Nguyễn Thị Minh Khai had fingerprints, photo and signature collected at USCIS Guangzhou Field Office on 2026-12-01 at 08:47") {
		t.Errorf("describe: %s", f.Describe())
	}
	// Any certified fact changed fails.
	for name, change := range map[string]func(*StampFacts){
		"date":      func(f *StampFacts) { f.Collected = f.Collected.AddDate(0, 0, 1) },
		"time":      func(f *StampFacts) { f.Collected = f.Collected.Add(time.Minute) },
		"name":      func(f *StampFacts) { f.Person = "Nguyen Thi Minh Khai" },
		"birth":     func(f *StampFacts) { f.DateOfBirth = Date{1986, 4, 12} },
		"request":   func(f *StampFacts) { f.Request = "FP-2026-00043" },
		"officer":   func(f *StampFacts) { f.Officer = "jchen" },
		"captured":  func(f *StampFacts) { f.Captured = f.Captured[:1] },
		"code":      func(f *StampFacts) { f.Code = 1 },
		"office":    func(f *StampFacts) { f.Office = "USCIS Beijing Field Office" },
		"line feed": func(f *StampFacts) { f.Person += "\n" },
	} {
		g := f
		g.Captured = append([]Capture(nil), f.Captured...)
		change(&g)
		forged := Stamp{Facts: g, Signature: sig}
		gf, gs, err := ParseQRText(forged.QRText())
		if err == nil {
			err = VerifySignature(pub, gf, gs)
		}
		if err == nil {
			t.Errorf("a changed %s verified", name)
		} else if name != "line feed" && !strings.Contains(ErrorMessage(err), "NOT GENUINE") {
			t.Errorf("a changed %s: %v", name, err)
		}
	}
	// Signed with another key: refused even when it names this office's key id.
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	fake := testStamp(t, other)
	if err := VerifySignature(pub, fake.Facts, fake.Signature); err == nil || !strings.Contains(ErrorMessage(err), "not this office's key") {
		t.Errorf("another key: %v", err)
	}
	fake.Facts.KeyID = KeyID(pub)
	if err := VerifySignature(pub, fake.Facts, fake.Signature); err == nil || !strings.Contains(ErrorMessage(err), "does not match") {
		t.Errorf("another key claiming this one: %v", err)
	}
	for _, bad := range []string{"", "hello", "FPSTAMP1:", "FPSTAMP1:abc.def", "FPSTAMP1:" + strings.Repeat("A", 40) + "." + strings.Repeat("B", 86)} {
		if _, _, err := ParseQRText(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseQRText(%q): %v", bad, err)
		}
	}
}

func FuzzParseQRText(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	f.Add(testStamp(f, priv).QRText())
	f.Add("FPSTAMP1:dj1GUFNUQU1QMQ.AAAA")
	f.Add("FPSTAMP1:.")
	f.Fuzz(func(t *testing.T, s string) {
		facts, sig, err := ParseQRText(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("code %s", ErrorCode(err))
			}
			return
		}
		// What parses re-encodes to facts that parse the same.
		back, _, err := ParseQRText(Stamp{Facts: facts, Signature: sig}.QRText())
		if err != nil || string(back.Canonical()) != string(facts.Canonical()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
