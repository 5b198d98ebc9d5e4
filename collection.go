package fieldprint

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Collection-day audit actions. Persisted: never rename.
const (
	ActionCheckIn    = "appointment.check-in"
	ActionCollect    = "appointment.collect"
	ActionMissed     = "appointment.missed"
	ActionStampPrint = "stamp.print"
	ActionStampKey   = "stamp.key"
)

// SystemUser is who automatic changes (missed at closing time) are audited as.
const SystemUser = "fieldprint"

// FingerprintValidity is how long FBI fingerprint checks for adoption cases last.
const FingerprintValidity = 15 // months

// IDKind is the identity document seen at check-in. Persisted: never rename.
type IDKind string

const (
	IDPassport         IDKind = "passport"
	IDGovernment       IDKind = "government-id"
	IDBirthCertificate IDKind = "birth-certificate"
	IDSchool           IDKind = "school-id"
	IDExpired          IDKind = "expired-id"
	IDCopy             IDKind = "id-copy"
	IDImmigration      IDKind = "immigration-document"
)

// IDKinds: a valid photo ID first, then the alternatives applicants are told
// they may bring when they have none (seed 001).
var IDKinds = []IDKind{IDPassport, IDGovernment, IDBirthCertificate, IDSchool, IDExpired, IDCopy, IDImmigration}

func (k IDKind) Label() string {
	switch k {
	case IDPassport:
		return "Passport"
	case IDGovernment:
		return "Other valid government photo ID"
	case IDBirthCertificate:
		return "Birth certificate"
	case IDSchool:
		return "School ID"
	case IDExpired:
		return "Expired ID"
	case IDCopy:
		return "Copy or photo of an ID"
	case IDImmigration:
		return "Immigration document with a photo"
	}
	return string(k)
}

// Alternative reports whether k is one of the alternatives to a valid photo ID.
func (k IDKind) Alternative() bool { return k != IDPassport && k != IDGovernment }

func ParseIDKind(s string) (IDKind, error) { return parseKey(s, IDKinds, "a kind of ID") }

// Capture is one biometric taken. Persisted: never rename.
type Capture string

const (
	CaptureFingerprints Capture = "fingerprints"
	CapturePhoto        Capture = "photo"
	CaptureSignature    Capture = "signature"
)

var Captures = []Capture{CaptureFingerprints, CapturePhoto, CaptureSignature}

// BiometricCodes are the codes USCIS notices print: what each requires.
var BiometricCodes = map[int][]Capture{
	1: {CaptureFingerprints},                                 // ten prints
	2: {CapturePhoto, CaptureSignature, CaptureFingerprints}, // photo, signature, index print
	3: {CapturePhoto, CaptureFingerprints},                   // photo, index print, ten prints
}

// CodeLabel says what a biometric code stands for.
func CodeLabel(code int) string {
	switch code {
	case 1:
		return "code 1: ten prints"
	case 2:
		return "code 2: photo, signature, index print"
	case 3:
		return "code 3: photo, index print, ten prints"
	}
	return ""
}

// ParseCaptures reads "fingerprints,photo,signature" (any order, any case).
func ParseCaptures(s string) ([]Capture, error) {
	var out []Capture
	for _, p := range SplitList(s) {
		c, err := parseKey(p, Captures, "a biometric")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return sortCaptures(out), nil
}

func sortCaptures(cs []Capture) []Capture {
	slices.SortFunc(cs, func(a, b Capture) int { return slices.Index(Captures, a) - slices.Index(Captures, b) })
	return cs
}

// CapturesText is "fingerprints, photo and signature".
func CapturesText(cs []Capture) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// CheckIn is what the officer saw when the person arrived.
type CheckIn struct {
	At          time.Time `json:"at"`
	By          string    `json:"by"`
	ID          IDKind    `json:"id"`
	IDNote      string    `json:"id_note,omitempty"` // its number or a description
	NameMatches bool      `json:"name_matches"`
	Note        string    `json:"note,omitempty"` // required when the name does not match
	// Override is a director's reason for seeing a walk-in outside public hours.
	Override string `json:"override,omitempty"`
}

// Collection is what was captured, by whom, when.
type Collection struct {
	At time.Time `json:"at"`
	By string    `json:"by"` // the officer's account
	// Officer is the officer as paper names them (full name, badge), as the
	// account said when the biometrics were collected.
	Officer  string    `json:"officer,omitempty"`
	Captured []Capture `json:"captured"`
	Code     int       `json:"code,omitempty"` // biometric code 1, 2 or 3 when the notice gives one
}

// CheckInInput is a check-in as typed or scanned at the counter.
type CheckInInput struct {
	PersonID    int
	ID          IDKind
	IDNote      string
	NameMatches bool
	Note        string
	// Override and Reason: a director sees a walk-in outside public hours.
	Override bool
	Reason   string
}

// CollectInput is what the officer records after capturing biometrics.
type CollectInput struct {
	PersonID int
	Captured []Capture
	Code     int
}

// CheckCollection says whether a may check people in and record collection on r.
func CheckCollection(a Actor, r *Request) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if !a.CanHandleCases() {
		return Errorf(EFORBIDDEN, "an %s account does not check people in: sign in as a clerk or director", a.Role)
	}
	if r.Status != StatusScheduled && r.Status != StatusReadyToSchedule {
		return Errorf(EFORBIDDEN, "%s is %s: only a request with appointments (or a missed one to walk in for) is checked in", r.Number, r.Status.Label())
	}
	return nil
}

// LastMissed returns the person's latest missed appointment, if any.
func (r *Request) LastMissed(personID int) (Appointment, bool) {
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		if ap := r.Appointments[i]; ap.PersonID == personID && ap.Status == ApptMissed {
			return ap, true
		}
	}
	return Appointment{}, false
}

// WalkInUntil is the last day a person who missed ap may walk in.
func (s Scheduling) WalkInUntil(ap Appointment) Date { return ap.Day.AddDays(s.WalkInDays) }

// CheckIn records the person's arrival today: on their booked appointment,
// or as a walk-in within the walk-in window after a missed one (seen after
// the scheduled applicants: a walk-in holds no slot), while the office is
// open unless a director overrides.
func (r *Request) CheckIn(s Scheduling, in CheckInInput, a Actor, now time.Time) (Appointment, error) {
	by := a.Name
	today := s.Today(now)
	p, ok := r.Person(in.PersonID)
	if !ok || !slices.ContainsFunc(r.ToFingerprint(today), func(x Person) bool { return x.ID == in.PersonID }) {
		return Appointment{}, Errorf(EINVALID, "%s has no person %d to fingerprint", r.Number, in.PersonID)
	}
	if !slices.Contains(IDKinds, in.ID) {
		return Appointment{}, Errorf(EINVALID, "say which ID %s showed: a passport or other valid photo ID, or one of the alternatives (birth certificate, school ID, expired ID, a copy or photo of an ID, an immigration document with a photo)", p.FullName)
	}
	note, ok := cleanText(in.Note, true)
	if !ok {
		return Appointment{}, Errorf(EINVALID, "the note contains a control character; retype it")
	}
	idNote, _ := cleanText(in.IDNote, false)
	if !in.NameMatches && note == "" {
		return Appointment{}, Errorf(EINVALID, "the name on the ID does not match %s: write a note saying what differs and why the identity is accepted (or refuse the check-in)", p.FullName)
	}
	if err := r.checkNewAdultsBooked(today); err != nil {
		return Appointment{}, err
	}
	ci := &CheckIn{At: now.UTC(), By: by, ID: in.ID, IDNote: idNote, NameMatches: in.NameMatches, Note: note}
	r.Appointments = slices.Clone(r.Appointments)
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		ap := &r.Appointments[i]
		if ap.PersonID != in.PersonID || !ap.Status.Current() {
			continue
		}
		switch {
		case ap.Status == ApptCollected:
			return *ap, Errorf(ECONFLICT, "%s's biometrics were collected on %s: print the stamped notice again if it is lost", p.FullName, ap.Collection.At.In(s.Location()).Format("2006-01-02 15:04"))
		case ap.Status == ApptCheckedIn || ap.Status == ApptWalkIn:
			return *ap, Errorf(ECONFLICT, "%s was checked in at %s by %s", p.FullName, ap.CheckIn.At.In(s.Location()).Format("15:04"), ap.CheckIn.By)
		case ap.Day != today:
			return *ap, Errorf(EFORBIDDEN, "%s's appointment is on %s, not today: check in on that day, or reschedule it", p.FullName, ap.When())
		}
		ap.Status, ap.CheckIn = ApptCheckedIn, ci
		return *ap, nil
	}
	// No live appointment: a walk-in after a missed one, within the window.
	missed, ok := r.LastMissed(in.PersonID)
	if !ok {
		return Appointment{}, Errorf(EFORBIDDEN, "%s has no appointment today: book one", p.FullName)
	}
	if until := s.WalkInUntil(missed); today.After(until) {
		return Appointment{}, Errorf(EFORBIDDEN, "%s missed the appointment of %s and the walk-in window of %d days ended on %s: book a new appointment", p.FullName, missed.Day, s.WalkInDays, until)
	}
	local := now.In(s.Location())
	var rule string
	if open, why := s.OpenOn(today); !open {
		rule = fmt.Sprintf("walk-ins are seen on open days, and today is not one (%s)", why)
	} else if !s.OpenAt(now) {
		rule = fmt.Sprintf("walk-ins are seen while the office is open (today %s) and it is %s", FormatWindows(s.Hours[today.Time().Weekday()]), local.Format("15:04"))
	}
	if rule != "" {
		if t, ok := s.NextOpening(now); ok {
			rule += "; the office opens again " + t.In(s.Location()).Format("Monday 2 January 15:04")
		}
		if err := overrideRule(a, rule, "a clerk cannot check in a walk-in now", "seeing a walk-in now", in.Reason, in.Override); err != nil {
			return Appointment{}, err
		}
		ci.Override = strings.TrimSpace(in.Reason)
	}
	next := 1
	for _, ap := range r.Appointments {
		next = max(next, ap.ID+1)
	}
	ap := Appointment{ID: next, PersonID: in.PersonID, Day: today, Start: TimeOfDay(local.Hour()*60 + local.Minute()), Minutes: s.SlotMinutes,
		Status: ApptWalkIn, WalkIn: true, BookedAt: now.UTC(), BookedBy: by, CheckIn: ci,
		Reason: fmt.Sprintf("walk-in after the missed appointment of %s", missed.Day)}
	r.Appointments = append(r.Appointments, ap)
	return ap, nil
}

// checkNewAdultsBooked refuses a check-in on a day when a household member
// who turned 18 after the request was received is an adult and has no
// appointment: who is fingerprinted is decided for the appointment day, so
// they are fingerprinted with the household. Refused rather than flagged:
// the refusal reaches the clerk on every screen, the new adult can be booked
// at once (today if a slot is free, else another day, which is enough for
// the check-in to go ahead), and nobody is sent home without being told.
func (r *Request) checkNewAdultsBooked(today Date) error {
	for _, h := range r.Household {
		if !h.Adult(today) || r.Received.IsZero() || h.Adult(r.Received) {
			continue
		}
		if _, has := r.CurrentAppointment(h.ID); has {
			continue
		}
		return Errorf(EFORBIDDEN, "%s turned 18 on %s and is fingerprinted with the household, but has no appointment: book %s first (today if a slot is free), then check in",
			h.FullName, h.Turns18(), h.FullName)
	}
	return nil
}

// Collect records what was captured for a checked-in person.
func (r *Request) Collect(s Scheduling, in CollectInput, by string, now time.Time) (Appointment, error) {
	p, ok := r.Person(in.PersonID)
	if !ok {
		return Appointment{}, Errorf(EINVALID, "%s has no person %d", r.Number, in.PersonID)
	}
	caps := sortCaptures(slices.Clone(in.Captured))
	caps = slices.Compact(caps)
	if len(caps) == 0 {
		return Appointment{}, Errorf(EINVALID, "say what was captured for %s: fingerprints, photo, signature", p.FullName)
	}
	for _, c := range caps {
		if !slices.Contains(Captures, c) {
			return Appointment{}, Errorf(EINVALID, "%q is not a biometric: use fingerprints, photo or signature", c)
		}
	}
	if in.Code != 0 {
		need, known := BiometricCodes[in.Code]
		if !known {
			return Appointment{}, Errorf(EINVALID, "biometric code %d is not known: the notice prints 1, 2 or 3", in.Code)
		}
		for _, c := range need {
			if !slices.Contains(caps, c) {
				return Appointment{}, Errorf(EINVALID, "the notice asks for %s, which includes the %s: capture it, or check the code", CodeLabel(in.Code), c)
			}
		}
	}
	r.Appointments = slices.Clone(r.Appointments)
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		ap := &r.Appointments[i]
		if ap.PersonID != in.PersonID || !ap.Status.Current() {
			continue
		}
		switch ap.Status {
		case ApptCheckedIn, ApptWalkIn:
			ap.Status = ApptCollected
			ap.Collection = &Collection{At: now.UTC(), By: by, Captured: caps, Code: in.Code}
			return *ap, nil
		case ApptCollected:
			return *ap, Errorf(ECONFLICT, "%s's biometrics were already recorded as collected", p.FullName)
		}
		return *ap, Errorf(EFORBIDDEN, "check %s in first: the ID is checked before biometrics are taken", p.FullName)
	}
	return Appointment{}, Errorf(EFORBIDDEN, "%s has no appointment to collect on: check them in first", p.FullName)
}

// MarkMissed turns the booked and checked-in (but not collected)
// appointments of day into missed ones and returns them. Running it again
// finds nothing: it is idempotent.
func (r *Request) MarkMissed(day Date, now time.Time) []Appointment {
	var out []Appointment
	for i, ap := range r.Appointments {
		if ap.Day == day && (ap.Status == ApptBooked || ap.Status == ApptCheckedIn || ap.Status == ApptWalkIn) {
			if len(out) == 0 {
				r.Appointments = slices.Clone(r.Appointments)
			}
			r.Appointments[i].Status, r.Appointments[i].MissedAt = ApptMissed, now.UTC()
			out = append(out, r.Appointments[i])
		}
	}
	return out
}

// DayClosed reports whether day's public hours are over at now (a closed
// day is over once it has passed).
func (s Scheduling) DayClosed(day Date, now time.Time) bool {
	end := s.At(day.AddDays(1), 0)
	if ws := s.Hours[day.Time().Weekday()]; len(ws) > 0 {
		if open, _ := s.OpenOn(day); open {
			end = s.At(day, ws[len(ws)-1].Close)
		}
	}
	return !now.Before(end)
}

// Collected reports whether every person to fingerprint has been collected.
func (r *Request) Collected(on Date) bool {
	for _, p := range r.ToFingerprint(on) {
		ap, ok := r.CurrentAppointment(p.ID)
		if !ok || ap.Status != ApptCollected {
			return false
		}
	}
	return true
}

// FingerprintsExpire is when an adoption household's fingerprints lapse:
// 15 months after the earliest collection among its people.
func (r *Request) FingerprintsExpire() (Date, bool) {
	if r.Category != CategoryAdoption {
		return Date{}, false
	}
	var first time.Time
	for _, ap := range r.Appointments {
		if ap.Status == ApptCollected && ap.Collection != nil && (first.IsZero() || ap.Collection.At.Before(first)) {
			first = ap.Collection.At
		}
	}
	if first.IsZero() {
		return Date{}, false
	}
	return DateOf(first.AddDate(0, FingerprintValidity, 0)), true
}

// DayRow is one line of the day sheet and the Today screen.
type DayRow struct {
	Request     RequestID   `json:"request_id"`
	Number      string      `json:"request"`
	Category    Category    `json:"category"`
	Person      Person      `json:"person"`
	Appointment Appointment `json:"appointment"`
}

// CollectionService is the collection day; the store implements it.
type CollectionService interface {
	// Day lists day's appointments in time order per station, then walk-ins.
	Day(day Date) ([]DayRow, error)
	CheckInPerson(a Actor, id RequestID, in CheckInInput) (*Request, error)
	Collect(a Actor, id RequestID, in CollectInput) (*Request, error)
	// CloseDay marks day's unresolved appointments missed; it returns how many.
	CloseDay(a Actor, day Date) (int, error)
	// CloseDaysAutomatically does the same for every day whose hours are
	// over, when the office's setting says so (audited as SystemUser).
	CloseDaysAutomatically() (int, error)
	// IssueStamp signs (the first time) and audits a printing of the
	// stamped notice of a collected person; it returns the copy number.
	IssueStamp(a Actor, id RequestID, personID int) (Stamp, int, error)
	// MayWalkIn lists the people whose last appointment was missed within
	// the walk-in window ending on day, who have no appointment since.
	MayWalkIn(day Date) ([]DayRow, error)
	// VerifyStamp checks a short code or a scanned QR text.
	VerifyStamp(code string) (StampCheck, error)
	ExpiringFingerprints(within int) ([]ExpiringHousehold, error)
}

// ExpiringHousehold is an adoption request whose fingerprints lapse soon.
type ExpiringHousehold struct {
	Summary RequestSummary `json:"request"`
	Expires Date           `json:"expires"`
}
