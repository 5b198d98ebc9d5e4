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
			r.CheckIn(s, ok, "c", at)
			return r
		}, ok, at, ECONFLICT, "was checked in at 08:05"},
		{"nobody booked", func() *Request { r := family(1); r.Status = StatusReadyToSchedule; return r }, ok, at, EFORBIDDEN, "no appointment today"},
		{"unknown person", func() *Request { return booked(monday, 8*60) }, CheckInInput{PersonID: 9, ID: IDPassport, NameMatches: true}, at, EINVALID, "no person 9"},
	} {
		r := c.r()
		ap, err := r.CheckIn(s, c.in, "clerk", c.now)
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
	ap, err := w.CheckIn(s, in, "clerk", inside)
	if err != nil || !ap.WalkIn || ap.Status != ApptWalkIn || ap.Station != 0 || ap.Day != (Date{2026, 12, 14}) || ap.Start != 9*60+40 {
		t.Fatalf("walk-in inside the window: %+v %v", ap, err)
	}
	if ap, err := w.Collect(s, CollectInput{PersonID: 0, Captured: []Capture{CaptureFingerprints, CapturePhoto}}, "officer", inside.Add(10*time.Minute)); err != nil || ap.Status != ApptCollected {
		t.Fatalf("collect a walk-in: %+v %v", ap, err)
	}
	// The day after the window: refused, book anew.
	outside := time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)
	o := *r
	if _, err := o.CheckIn(s, in, "clerk", outside); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "ended on 2026-12-14: book a new appointment") {
		t.Errorf("walk-in after the window: %v", err)
	}
	// Inside the window but on a Saturday: not an open day.
	sat := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if _, err := o.CheckIn(s, in, "clerk", sat); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "open days") {
		t.Errorf("walk-in on a Saturday: %v", err)
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
			r.CheckIn(s, CheckInInput{ID: IDPassport, NameMatches: true}, "clerk", at)
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
		r.CheckIn(s, CheckInInput{PersonID: id, ID: IDPassport, NameMatches: true}, "clerk", at)
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
