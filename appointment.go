package fieldprint

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Appointment audit actions. Persisted: never rename.
const (
	ActionAppointmentBook       = "appointment.book"
	ActionAppointmentReschedule = "appointment.reschedule"
	ActionAppointmentCancel     = "appointment.cancel"
	ActionLetterPrint           = "letter.print"
)

// ApptStatus is where one person's appointment stands. Persisted: never rename.
type ApptStatus string

const (
	ApptBooked    ApptStatus = "booked"
	ApptCheckedIn ApptStatus = "checked-in"
	ApptCollected ApptStatus = "collected"
	ApptMissed    ApptStatus = "missed"
	ApptCancelled ApptStatus = "cancelled"
	ApptWalkIn    ApptStatus = "walk-in"
)

func (s ApptStatus) Label() string {
	switch s {
	case ApptBooked:
		return "Booked"
	case ApptCheckedIn:
		return "Checked in"
	case ApptCollected:
		return "Collected"
	case ApptMissed:
		return "Missed"
	case ApptCancelled:
		return "Cancelled"
	case ApptWalkIn:
		return "Walk-in"
	}
	return string(s)
}

// Current reports whether the appointment is the person's live one: booked,
// under way or done. Missed and cancelled ones are history.
func (s ApptStatus) Current() bool {
	return s == ApptBooked || s == ApptCheckedIn || s == ApptCollected || s == ApptWalkIn
}

// HoldsSlot reports whether the appointment occupies its station and time.
// A walk-in is seen between appointments and holds none.
func (s ApptStatus) HoldsSlot() bool {
	return s == ApptBooked || s == ApptCheckedIn || s == ApptCollected || s == ApptMissed
}

// Appointment is one person's time at one station.
type Appointment struct {
	ID       int        `json:"id"` // 1, 2, ... within the request
	PersonID int        `json:"person"`
	Day      Date       `json:"day"`
	Start    TimeOfDay  `json:"start"`
	Minutes  int        `json:"minutes"` // the slot length when booked
	Station  int        `json:"station"` // 1-based
	Status   ApptStatus `json:"status"`
	// Reschedules counts how often this appointment was moved.
	Reschedules int `json:"reschedules,omitempty"`
	// Printed counts appointment letters printed showing this time.
	Printed  int       `json:"printed,omitempty"`
	BookedAt time.Time `json:"booked_at"`
	BookedBy string    `json:"booked_by"`
	Reason   string    `json:"reason,omitempty"` // why it was last moved or cancelled
	// CancelledBy is the staff member who cancelled it; empty when the system
	// did (a withdrawal, a person taken off the household). Only a staff
	// cancellation makes the person's next booking a move (see Rebooking).
	CancelledBy string `json:"cancelled_by,omitempty"`
	// The collection day: arrival, what was captured, a miss, the stamp.
	WalkIn     bool        `json:"walk_in,omitempty"` // checked in without a slot after a miss
	CheckIn    *CheckIn    `json:"check_in,omitempty"`
	Collection *Collection `json:"collection,omitempty"`
	MissedAt   time.Time   `json:"missed_at,omitzero"`
	Stamp      string      `json:"stamp,omitempty"` // the stamped notice's code once printed
	// FromImport: a collection before Fieldprint, brought from the office's
	// tracker (see Request.ImportedCollection): it holds no slot, and no
	// stamped notice certifies it.
	FromImport bool `json:"from_import,omitempty"`
}

// End is when the slot ends.
func (ap Appointment) End() TimeOfDay { return ap.Start + TimeOfDay(ap.Minutes) }

// When is "2026-12-03 08:15" for lists and the audit trail.
func (ap Appointment) When() string {
	return fmt.Sprintf("%s %s", ap.Day, ap.Start)
}

// Describe is the appointment as an audit value.
func (ap Appointment) Describe() string {
	return fmt.Sprintf("%s %s-%s station %d", ap.Day, ap.Start, ap.End(), ap.Station)
}

// Booking is a slot chosen for a person.
type Booking struct {
	PersonID int       `json:"person"`
	Day      Date      `json:"day"`
	Start    TimeOfDay `json:"start"`
	Station  int       `json:"station"`
}

func (b Booking) String() string { return fmt.Sprintf("%s %s station %d", b.Day, b.Start, b.Station) }

// SlotUse is an appointment as the calendar sees it: who holds which slot.
type SlotUse struct {
	Day      Date       `json:"day"`
	Start    TimeOfDay  `json:"start"`
	Minutes  int        `json:"minutes"`
	Station  int        `json:"station"`
	Request  RequestID  `json:"request_id"`
	Number   string     `json:"request"`
	PersonID int        `json:"person"`
	Category Category   `json:"category"`
	Status   ApptStatus `json:"status"`
}

func (u SlotUse) overlaps(start TimeOfDay, minutes, station int) bool {
	return u.Station == station && start < u.Start+TimeOfDay(u.Minutes) && u.Start < start+TimeOfDay(minutes)
}

// ToFingerprint lists the people of r who need a slot as of day on: the
// applicant and every household member who is an adult on the household's
// appointment day (FingerprintDay), not on the day the request was entered.
func (r *Request) ToFingerprint(on Date) []Person { return r.adultsOn(r.FingerprintDay(on)) }

// adultsOn is the applicant and the household's adults on day.
func (r *Request) adultsOn(day Date) []Person {
	out := []Person{r.Applicant}
	for _, h := range r.Household {
		if h.Adult(day) {
			out = append(out, h)
		}
	}
	return out
}

// FingerprintDay is the day r's household is judged on: the latest day of
// its live appointments (the appointment day), or on when nobody has one. A
// member who turns 18 before that day is an adult for the appointment:
// fingerprinted, booked, on the letter. Done appointments stay live, so a
// birthday after the collection changes nothing.
func (r *Request) FingerprintDay(on Date) Date {
	day, found := on, false
	for _, ap := range r.Appointments {
		if ap.Status.Current() && (!found || ap.Day.After(day)) {
			day, found = ap.Day, true
		}
	}
	return day
}

// horizon is the last day an appointment given from on can fall on (or the
// appointment day, if later): whoever is an adult by then may be
// fingerprinted, so their passport is on the checklist from intake (the
// documents are locked once the request is eligible).
func (r *Request) horizon(on Date) Date {
	if d := r.FingerprintDay(on); d.After(on.AddDays(MaxBookingDays)) {
		return d
	}
	return on.AddDays(MaxBookingDays)
}

// ComingOfAge lists the household members who are not fingerprinted as of
// on but turn 18 within the booking horizon: they are fingerprinted if the
// appointment is on or after their 18th birthday (and may be booked then).
func (r *Request) ComingOfAge(on Date) []Person {
	day, last := r.FingerprintDay(on), r.horizon(on)
	var out []Person
	for _, h := range r.Household {
		if !h.Adult(day) && h.Adult(last) {
			out = append(out, h)
		}
	}
	return out
}

// CurrentAppointment returns the person's live appointment, if any.
func (r *Request) CurrentAppointment(personID int) (Appointment, bool) {
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		if ap := r.Appointments[i]; ap.PersonID == personID && ap.Status.Current() {
			return ap, true
		}
	}
	return Appointment{}, false
}

// Unbooked lists the people to fingerprint who have no live appointment.
func (r *Request) Unbooked(on Date) []Person {
	var out []Person
	for _, p := range r.ToFingerprint(on) {
		if _, ok := r.CurrentAppointment(p.ID); !ok {
			out = append(out, p)
		}
	}
	return out
}

// Reschedules counts how often the person's appointments were moved: direct
// reschedules, and bookings after a staff cancellation. Cancelled
// appointments stay in the record, so the count survives a cancellation.
func (r *Request) Reschedules(personID int) int {
	n := 0
	for _, ap := range r.Appointments {
		if ap.PersonID == personID {
			n += ap.Reschedules
		}
	}
	return n
}

// Schedule is each person to fingerprint with their live appointment, in
// household order: the appointment letter's table.
type ScheduledPerson struct {
	Person      Person
	Appointment Appointment
	Booked      bool
}

func (r *Request) Schedule(on Date) []ScheduledPerson {
	var out []ScheduledPerson
	for _, p := range r.ToFingerprint(on) {
		ap, ok := r.CurrentAppointment(p.ID)
		out = append(out, ScheduledPerson{p, ap, ok})
	}
	return out
}

// LetterPrinted reports whether an appointment letter showing every live
// appointment has been printed (a reschedule makes the letter due again).
func (r *Request) LetterPrinted(on Date) bool {
	for _, sp := range r.Schedule(on) {
		if sp.Booked && sp.Appointment.Printed == 0 {
			return false
		}
	}
	return true
}

// FollowSchedule returns the status r moves to after its appointments
// changed, if any: every person collected completes it; every person booked
// makes it scheduled; a person without a live appointment (cancelled,
// missed, or added to the household) sends it back.
func (r *Request) FollowSchedule(on Date) (Status, string, bool) {
	missing := len(r.Unbooked(on))
	switch {
	case (r.Status == StatusScheduled || r.Status == StatusReadyToSchedule) && r.Collected(on):
		n := len(r.ToFingerprint(on))
		return StatusCompleted, fmt.Sprintf("biometrics collected from every person (%d %s)", n, plural(n, "person", "people")), true
	case r.Status == StatusReadyToSchedule && missing == 0:
		n := len(r.ToFingerprint(on))
		return StatusScheduled, fmt.Sprintf("every person to fingerprint has an appointment (%d %s)", n, plural(n, "person", "people")), true
	case r.Status == StatusScheduled && missing > 0:
		return StatusReadyToSchedule, fmt.Sprintf("%d %s without an appointment", missing, plural(missing, "person", "people")), true
	}
	return "", "", false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DropAppointments cancels the booked appointments of people r no longer
// fingerprints (removed from the household) and returns what was freed.
func (r *Request) DropAppointments(on Date, reason string) []Appointment {
	keep := map[int]bool{}
	for _, p := range r.ToFingerprint(on) {
		keep[p.ID] = true
	}
	var freed []Appointment
	r.Appointments = slices.Clone(r.Appointments)
	for i, ap := range r.Appointments {
		if ap.Status == ApptBooked && (!keep[ap.PersonID] || !r.Status.Open()) {
			// The system's own cancellation: CancelledBy stays empty, not a move.
			r.Appointments[i].Status, r.Appointments[i].Reason = ApptCancelled, reason
			freed = append(freed, ap)
		}
	}
	return freed
}

// CheckScheduling says whether a may book, move or cancel r's appointments.
func CheckScheduling(a Actor, r *Request) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if !a.CanHandleCases() {
		return Errorf(EFORBIDDEN, "an %s account does not book appointments: sign in as a clerk or director", a.Role)
	}
	if r.Status != StatusReadyToSchedule && r.Status != StatusScheduled {
		return Errorf(EFORBIDDEN, "%s is %s: only a request marked eligible (ready to schedule) gets appointments", r.Number, r.Status.Label())
	}
	return nil
}

// MaxBookingDays is how far ahead appointments are given.
const MaxBookingDays = 366

// CheckBookings checks new slots for r against the office's hours, closed
// days, stations, the priority reserve and the day's other appointments
// (uses, by day). moving lists people whose current slots are being given
// up in the same change (a reschedule), so their own slots do not clash.
func CheckBookings(s Scheduling, r *Request, bs []Booking, uses map[Date][]SlotUse, moving []int, now time.Time) error {
	if len(bs) == 0 {
		return Errorf(EINVALID, "choose at least one slot")
	}
	today := s.Today(now)
	people := map[int]Person{} // everyone who may be fingerprinted within the horizon
	for _, p := range r.adultsOn(r.horizon(today)) {
		people[p.ID] = p
	}
	self := func(u SlotUse) bool { return u.Request == r.ID && slices.Contains(moving, u.PersonID) }
	seen := map[int]bool{}
	otherNew := map[Date]int{}
	for i, b := range bs {
		p, ok := people[b.PersonID]
		switch {
		case !ok:
			return Errorf(EINVALID, "%s has no person %d to fingerprint: book the applicant and the household's adults", r.Number, b.PersonID)
		case seen[b.PersonID]:
			return Errorf(EINVALID, "%s is given two slots: one person needs one", p.FullName)
		}
		seen[b.PersonID] = true
		if _, has := r.CurrentAppointment(b.PersonID); has && !slices.Contains(moving, b.PersonID) {
			return Errorf(ECONFLICT, "%s already has an appointment: reschedule it instead", p.FullName)
		}
		if b.PersonID != 0 && !p.Adult(b.Day) {
			return Errorf(EINVALID, "%s is under 18 on %s (18 on %s): only the household's adults are fingerprinted; book them on or after that day, or leave them out", p.FullName, b.Day, p.Turns18())
		}
		if b.Station < 1 || b.Station > s.Stations {
			return Errorf(EINVALID, "station %d does not exist: the office has %d", b.Station, s.Stations)
		}
		if ok, why := s.OpenOn(b.Day); !ok {
			return Errorf(EINVALID, "%s %s: the office has %s; choose another day", b.Day, b.Day.Time().Weekday(), strings.Replace(why, "closed: ", "closed for ", 1))
		}
		if !slices.ContainsFunc(s.Sessions(b.Day), func(ss Session) bool { return slices.Contains(ss.Starts, b.Start) }) {
			return Errorf(EINVALID, "%s is not a slot on %s: slots are every %d minutes within the public hours %s", b.Start, b.Day, s.SlotMinutes, FormatWindows(s.Hours[b.Day.Time().Weekday()]))
		}
		if !s.At(b.Day, b.Start).After(now) {
			return Errorf(EINVALID, "%s %s has already begun: choose a later slot", b.Day, b.Start)
		}
		if today.DaysUntil(b.Day) > MaxBookingDays {
			return Errorf(EINVALID, "%s is more than a year ahead: appointments are given within %d days", b.Day, MaxBookingDays)
		}
		for _, u := range uses[b.Day] {
			if u.Status.HoldsSlot() && !self(u) && u.overlaps(b.Start, s.SlotMinutes, b.Station) {
				return Errorf(ECONFLICT, "station %d at %s %s is taken (%s): choose another slot", b.Station, b.Day, b.Start, u.Number)
			}
		}
		for _, o := range bs[:i] {
			if o.Day == b.Day && o.Station == b.Station && o.Start == b.Start {
				return Errorf(ECONFLICT, "two people are given station %d at %s %s", b.Station, b.Day, b.Start)
			}
		}
		if r.Category == CategoryOther {
			otherNew[b.Day]++
		}
	}
	if err := r.checkNewAdults(bs, moving, today); err != nil {
		return err
	}
	for day, n := range otherNew {
		used := 0
		for _, u := range uses[day] {
			if u.Category == CategoryOther && u.Status.HoldsSlot() && !self(u) {
				used++
			}
		}
		if limit := s.OtherLimit(day); used+n > limit {
			return Errorf(EFORBIDDEN, "%s: \"All others\" may take %d of the day's %d places (%d%% is kept for military, 319(b) and adoption) and %d are taken: choose another day",
				day, limit, s.Capacity(day), s.PriorityReserve, used)
		}
	}
	return nil
}

// checkNewAdults decides who is fingerprinted for the appointment day: a
// household member who is under 18 today but 18 by the household's latest
// appointment day once bs are booked is an adult for that appointment, so
// they must already have an appointment or be booked in bs. (Adults of today
// may still be booked one at a time: they are on the list the clerk sees.)
// moving lists people whose current appointments bs replace.
func (r *Request) checkNewAdults(bs []Booking, moving []int, today Date) error {
	day := bs[0].Day
	for _, b := range bs {
		if b.Day.After(day) {
			day = b.Day
		}
	}
	for _, ap := range r.Appointments {
		if ap.Status.Current() && !slices.Contains(moving, ap.PersonID) && ap.Day.After(day) {
			day = ap.Day
		}
	}
	for _, h := range r.Household {
		if h.Adult(today) || !h.Adult(day) || slices.ContainsFunc(bs, func(b Booking) bool { return b.PersonID == h.ID }) {
			continue
		}
		if _, has := r.CurrentAppointment(h.ID); has && !slices.Contains(moving, h.ID) {
			continue
		}
		return Errorf(EINVALID, "%s turns 18 on %s, before the appointment on %s, and is fingerprinted with the household: book %s too (Next available books everyone together), or choose a day before %s",
			h.FullName, h.Turns18(), day, h.FullName, h.Turns18())
	}
	return nil
}

// overrideRule applies a rule that binds clerks (rule says how it binds):
// a clerk is refused (cannot says what they cannot do); a director sets it
// aside only by confirming the override (doing names the act) and giving the
// reason that goes into the history as "director's override: ...".
func overrideRule(a Actor, rule, cannot, doing, reason string, override bool) error {
	switch {
	case a.Role != RoleDirector:
		return Errorf(EFORBIDDEN, "%s: %s. Only the director can override", cannot, rule)
	case !override:
		return Errorf(EFORBIDDEN, "%s: %s is an override, recorded with your reason; confirm the override", rule, doing)
	case strings.TrimSpace(reason) == "":
		return Errorf(EINVALID, "%s: say why you override it; the reason goes into the request's history", rule)
	}
	return nil
}

// cutoffRule says how the cut-off binds ap at now ("" when it does not).
func cutoffRule(s Scheduling, ap Appointment, now time.Time) string {
	if cut := s.At(ap.Day, ap.Start).Add(-time.Duration(s.RescheduleCutoffHours) * time.Hour); !now.Before(cut) {
		return fmt.Sprintf("it is less than %d hours away (%s)", s.RescheduleCutoffHours, ap.When())
	}
	return ""
}

// CheckReschedule applies the reschedule rules to moving ap: a reason is
// always needed; within the cut-off before the appointment, or once the
// person has been moved the limit's number of times, only a director may
// move it, and only by overriding with that reason. overridden says the
// director set a rule aside (the audit records it as such).
func CheckReschedule(a Actor, s Scheduling, r *Request, ap Appointment, reason string, override bool, now time.Time) (overridden bool, err error) {
	if strings.TrimSpace(reason) == "" {
		return false, Errorf(EINVALID, "say why the appointment moves: the reason goes into the request's history")
	}
	if ap.Status != ApptBooked {
		return false, Errorf(EFORBIDDEN, "the appointment on %s is %s: only a booked appointment can be moved", ap.When(), ap.Status.Label())
	}
	rule := cutoffRule(s, ap, now)
	if n := r.Reschedules(ap.PersonID); n >= s.RescheduleLimit {
		rule = fmt.Sprintf("it has been rescheduled %d %s already (the limit is %d)", n, plural(n, "time", "times"), s.RescheduleLimit)
	}
	if rule == "" {
		return false, nil
	}
	return true, overrideRule(a, rule, "this appointment cannot be rescheduled by a clerk", "rescheduling it", reason, override)
}

// CheckCancel says whether a may cancel ap. A reason is always needed.
// Cancelling is half of a move (the next booking is the other half, see
// CheckRebookings), so within the cut-off only a director cancels, by
// overriding with the reason. Past the reschedule limit a cancellation is
// allowed: it is the booking after it that the limit stops.
func CheckCancel(a Actor, s Scheduling, ap Appointment, reason string, override bool, now time.Time) (overridden bool, err error) {
	if strings.TrimSpace(reason) == "" {
		return false, Errorf(EINVALID, "say why the appointment is cancelled: the reason goes into the request's history")
	}
	if ap.Status != ApptBooked {
		return false, Errorf(EFORBIDDEN, "the appointment on %s is %s: only a booked appointment can be cancelled", ap.When(), ap.Status.Label())
	}
	rule := cutoffRule(s, ap, now)
	if rule == "" {
		return false, nil
	}
	return true, overrideRule(a, rule, "this appointment cannot be cancelled by a clerk", "cancelling it", reason, override)
}

// Rebooking returns the person's latest appointment and whether booking
// them now is a move: that appointment was cancelled by staff. A
// cancellation followed by a new booking counts like a reschedule, however
// long the person stayed without an appointment; after a miss, a
// withdrawal or the system's own cancellation a booking is not a move.
func (r *Request) Rebooking(personID int) (Appointment, bool) {
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		if ap := r.Appointments[i]; ap.PersonID == personID {
			return ap, ap.Status == ApptCancelled && ap.CancelledBy != ""
		}
	}
	return Appointment{}, false
}

// CheckRebookings applies the reschedule limit to the bookings of bs that
// are moves (Rebooking): once a person has been moved the limit's number of
// times, only a director books them again, by overriding with a reason.
// overridden says a rule was set aside.
func CheckRebookings(a Actor, s Scheduling, r *Request, bs []Booking, reason string, override bool) (overridden bool, err error) {
	var rules []string
	for _, b := range bs {
		if _, move := r.Rebooking(b.PersonID); !move {
			continue
		}
		if n := r.Reschedules(b.PersonID); n >= s.RescheduleLimit {
			p, _ := r.Person(b.PersonID)
			rules = append(rules, fmt.Sprintf("%s's appointment has been moved %d %s already (the limit is %d), and a new booking after a cancellation is a move",
				p.FullName, n, plural(n, "time", "times"), s.RescheduleLimit))
		}
	}
	if len(rules) == 0 {
		return false, nil
	}
	return true, overrideRule(a, strings.Join(rules, "; "), "a clerk cannot book them again", "booking again", reason, override)
}

// Book adds appointments for bs to r (already checked with CheckBookings
// and CheckRebookings). A booking that is a move (Rebooking) counts as one
// reschedule of the person and carries the cancellation's reason.
func (r *Request) Book(s Scheduling, bs []Booking, by string, at time.Time) []Appointment {
	r.Appointments = slices.Clone(r.Appointments)
	next := 1
	for _, ap := range r.Appointments {
		next = max(next, ap.ID+1)
	}
	var out []Appointment
	for _, b := range bs {
		ap := Appointment{ID: next, PersonID: b.PersonID, Day: b.Day, Start: b.Start, Minutes: s.SlotMinutes, Station: b.Station,
			Status: ApptBooked, BookedAt: at.UTC(), BookedBy: by}
		if prev, move := r.Rebooking(b.PersonID); move {
			ap.Reschedules, ap.Reason = 1, prev.Reason
		}
		next++
		r.Appointments = append(r.Appointments, ap)
		out = append(out, ap)
	}
	return out
}

// Move gives the person's booked appointment a new slot and counts the move.
func (r *Request) Move(s Scheduling, personID int, b Booking, reason, by string, at time.Time) (old, moved Appointment, err error) {
	r.Appointments = slices.Clone(r.Appointments)
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		ap := &r.Appointments[i]
		if ap.PersonID == personID && ap.Status == ApptBooked {
			old = *ap
			ap.Day, ap.Start, ap.Station, ap.Minutes = b.Day, b.Start, b.Station, s.SlotMinutes
			ap.Reschedules++
			ap.Printed = 0
			ap.Reason, ap.BookedAt, ap.BookedBy = strings.TrimSpace(reason), at.UTC(), by
			return old, *ap, nil
		}
	}
	return old, moved, Errorf(ENOTFOUND, "%s has no booked appointment for that person", r.Number)
}

// Cancel cancels the person's booked appointment (already checked with
// CheckCancel) on behalf of staff member by.
func (r *Request) Cancel(personID int, reason, by string) (Appointment, error) {
	r.Appointments = slices.Clone(r.Appointments)
	for i := len(r.Appointments) - 1; i >= 0; i-- {
		ap := &r.Appointments[i]
		if ap.PersonID == personID && ap.Status.Current() {
			if ap.Status != ApptBooked {
				return *ap, Errorf(EFORBIDDEN, "the appointment on %s is %s: only a booked appointment can be cancelled", ap.When(), ap.Status.Label())
			}
			ap.Status, ap.Reason, ap.CancelledBy = ApptCancelled, strings.TrimSpace(reason), by
			return *ap, nil
		}
	}
	return Appointment{}, Errorf(ENOTFOUND, "%s has no appointment for that person to cancel", r.Number)
}

// FindPerson finds a person to fingerprint by name (accents and case
// ignored, a unique part is enough); empty is the only person to
// fingerprint. A household member who turns 18 within the booking horizon
// is found by name too (to book them for a day on or after the birthday).
func (r *Request) FindPerson(s string, on Date) (Person, error) {
	people := r.ToFingerprint(on)
	s = strings.TrimSpace(s)
	if s != "" {
		people = r.adultsOn(r.horizon(on))
	}
	if s == "" {
		if len(people) == 1 {
			return people[0], nil
		}
		return Person{}, Errorf(EINVALID, "%s has %d people to fingerprint: name one (%s)", r.Number, len(people), personNames(people))
	}
	var hits []Person
	for _, p := range people {
		if Fold(p.FullName) == Fold(s) {
			return p, nil
		}
		if strings.Contains(Fold(p.FullName), Fold(s)) {
			hits = append(hits, p)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return Person{}, Errorf(ENOTFOUND, "nobody called %q is fingerprinted on %s: %s", s, r.Number, personNames(people))
	}
	return Person{}, Errorf(EINVALID, "%q matches %s: give more of the name", s, personNames(hits))
}

func personNames(ps []Person) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.FullName
	}
	return strings.Join(names, "; ")
}

// NextAvailable proposes slots for people: the earliest day where they fit
// back to back within one stretch of public hours (a household comes
// together), at the same time on several stations where the office has
// them. If the only earlier room is scattered over a day, that day is taken
// unless a back-to-back run exists within a week of it. uses returns a day's
// booked slots. Proposals start tomorrow, or on notBefore if later: the
// applicant needs the letter first (a clerk may still pick a slot today by hand).
func NextAvailable(s Scheduling, r *Request, people []int, now time.Time, notBefore Date, uses func(Date) ([]SlotUse, error)) ([]Booking, error) {
	k := len(people)
	if k == 0 {
		return nil, Errorf(EINVALID, "%s has nobody left to book", r.Number)
	}
	today := s.Today(now)
	var fallback []Booking
	var fallbackDay Date
	first := 1
	if !notBefore.IsZero() && today.DaysUntil(notBefore) > first {
		first = today.DaysUntil(notBefore)
	}
	for i := first; i <= MaxBookingDays; i++ {
		day := today.AddDays(i)
		if !fallbackDay.IsZero() && fallbackDay.DaysUntil(day) > 7 {
			break
		}
		sessions := s.Sessions(day)
		if len(sessions) == 0 {
			continue
		}
		us, err := uses(day)
		if err != nil {
			return nil, err
		}
		holding := 0
		for _, u := range us {
			if u.Status.HoldsSlot() {
				holding++
			}
		}
		if holding+k > s.Capacity(day) {
			// A full day costs one count, not a grid. (After the slot length
			// shrinks, two old appointments may share a new slot: such a day is
			// skipped though it has room; the clerk can still pick it by hand.)
			continue
		}
		if r.Category == CategoryOther {
			used := 0
			for _, u := range us {
				if u.Category == CategoryOther && u.Status.HoldsSlot() {
					used++
				}
			}
			if used+k > s.OtherLimit(day) {
				continue
			}
		}
		// free[t] is the free stations at each start time, per session.
		var all []Booking
		for _, ss := range sessions {
			free := make([][]int, len(ss.Starts))
			for ti, t := range ss.Starts {
				if !s.At(day, t).After(now) {
					continue
				}
				free[ti] = s.FreeStations(us, t)
				for _, st := range free[ti] {
					all = append(all, Booking{Day: day, Start: t, Station: st})
				}
			}
			for ti := range ss.Starts {
				var run []Booking
				for tj := ti; tj < len(ss.Starts) && len(free[tj]) > 0 && len(run) < k; tj++ {
					for _, st := range free[tj] {
						if len(run) < k {
							run = append(run, Booking{Day: day, Start: ss.Starts[tj], Station: st})
						}
					}
				}
				if len(run) == k {
					return assign(run, people), nil
				}
			}
		}
		if fallback == nil && len(all) >= k {
			fallback, fallbackDay = assign(all[:k], people), day
		}
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, Errorf(ECONFLICT, "no day in the next %d days has room for %d %s: pick slots by hand, or add public hours or stations in the settings", MaxBookingDays, k, plural(k, "person", "people"))
}

// Propose is NextAvailable for the people of r without an appointment, from
// tomorrow or notBefore. Who is fingerprinted is decided for the
// appointment day: when the proposed day falls on or after a household
// member's 18th birthday, they are added and the household proposed again.
func Propose(s Scheduling, r *Request, now time.Time, notBefore Date, uses func(Date) ([]SlotUse, error)) ([]Booking, error) {
	today := s.Today(now)
	want := map[int]bool{}
	for _, p := range r.Unbooked(today) {
		want[p.ID] = true
	}
	for range len(r.Household) + 1 {
		var people []int
		for _, p := range r.adultsOn(r.horizon(today)) { // household order
			if want[p.ID] {
				people = append(people, p.ID)
			}
		}
		bs, err := NextAvailable(s, r, people, now, notBefore, uses)
		if err != nil {
			return nil, err
		}
		day := r.FingerprintDay(today)
		for _, b := range bs {
			if b.Day.After(day) {
				day = b.Day
			}
		}
		grown := false
		for _, h := range r.adultsOn(day) {
			if _, has := r.CurrentAppointment(h.ID); !has && !want[h.ID] {
				want[h.ID], grown = true, true
			}
		}
		if !grown {
			return bs, nil
		}
	}
	return nil, Errorf(ECONFLICT, "no slots fit the household of %s together: pick slots by hand", r.Number)
}

func assign(slots []Booking, people []int) []Booking {
	for i := range slots {
		slots[i].PersonID = people[i]
	}
	return slots
}

// DayLoad is how full one day is.
type DayLoad struct {
	Day      Date   `json:"day"`
	Open     bool   `json:"open"`
	Note     string `json:"note,omitempty"` // why it is closed
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked"`
	Other    int    `json:"other"`       // of Booked, "All others"
	OtherMax int    `json:"other_limit"` // what "All others" may take
}

// Free is how many more people the day can take.
func (l DayLoad) Free() int { return max(0, l.Capacity-l.Booked) }

// FreeForOther is how many more "All others" people the day can take.
func (l DayLoad) FreeForOther() int { return max(0, min(l.Free(), l.OtherMax-l.Other)) }

// Load is day's load given its booked slots.
func (s Scheduling) Load(day Date, us []SlotUse) DayLoad {
	open, why := s.OpenOn(day)
	l := DayLoad{Day: day, Open: open, Note: why, Capacity: s.Capacity(day), OtherMax: s.OtherLimit(day)}
	for _, u := range us {
		if u.Status.HoldsSlot() {
			l.Booked++
			if u.Category == CategoryOther {
				l.Other++
			}
		}
	}
	return l
}

// ScheduleService books and moves appointments; the store implements it.
// Every call checks the actor, the request's status and the rules above in
// the transaction that writes. override is a director's decision to set a
// rule that binds clerks aside (the cut-off, the reschedule limit), recorded
// with reason as "director's override".
type ScheduleService interface {
	Scheduling() (Scheduling, error)
	SetScheduling(a Actor, s Scheduling) error
	// SetProfile saves letterhead and scheduling together (Settings, import).
	SetProfile(a Actor, p Profile) error
	DayUses(day Date) ([]SlotUse, error)
	Loads(from, to Date) ([]DayLoad, error)
	// ProposeSlots is Propose: NextAvailable for the people without an
	// appointment (and members who turn 18 by the proposed day), from
	// tomorrow or notBefore (zero: tomorrow).
	ProposeSlots(id RequestID, notBefore Date) ([]Booking, error)
	// Book gives people slots; booking a person again after a staff
	// cancellation is a move (CheckRebookings); reason is needed with override.
	Book(a Actor, id RequestID, bs []Booking, reason string, override bool) (*Request, error)
	Reschedule(a Actor, id RequestID, personID int, b Booking, reason string, override bool) (*Request, error)
	CancelAppointment(a Actor, id RequestID, personID int, reason string, override bool) (*Request, error)
	// RecordLetters audits appointment letters printed for the requests
	// (one file, its SHA-256). Printing one request's letter again needs a
	// reason; a batch (a day's letters) notes the reprints.
	RecordLetters(a Actor, ids []RequestID, sha256, reason string, batch bool) (copies map[RequestID]int, err error)
}

// FreeStations lists the stations free at start on a day with uses.
func (s Scheduling) FreeStations(uses []SlotUse, start TimeOfDay) []int {
	var out []int
	for st := 1; st <= s.Stations; st++ {
		if !slices.ContainsFunc(uses, func(u SlotUse) bool { return u.Status.HoldsSlot() && u.overlaps(start, s.SlotMinutes, st) }) {
			out = append(out, st)
		}
	}
	return out
}

// ParseSlotTime reads "2026-12-03 08:15" (a "T" between works too).
func ParseSlotTime(s string) (Date, TimeOfDay, error) {
	ds, ts, ok := strings.Cut(strings.TrimSpace(strings.Replace(s, "T", " ", 1)), " ")
	if !ok {
		return Date{}, 0, Errorf(EINVALID, "%q is not a slot: write the day and time, e.g. \"2026-12-03 08:15\"", s)
	}
	d, err := ParseDate(ds)
	if err != nil {
		return Date{}, 0, err
	}
	t, err := ParseTimeOfDay(ts)
	if err != nil {
		return Date{}, 0, err
	}
	return d, t, nil
}

// CheckLetter says whether r's appointment letter may be printed now: r must
// be scheduled, and printing one request's letter again for the same
// appointments needs a reason (a batch notes reprints instead).
func CheckLetter(r *Request, on Date, reason string, batch bool) (reprint bool, err error) {
	if r.Status != StatusScheduled {
		return false, Errorf(EFORBIDDEN, "%s is %s: appointment letters are printed for scheduled requests", r.Number, r.Status.Label())
	}
	reprint = r.LetterPrinted(on)
	if reprint && strings.TrimSpace(reason) == "" && !batch {
		return true, Errorf(EINVALID, "the appointment letter of %s was printed already: say why it is printed again (lost, damaged, applicant asked)", r.Number)
	}
	return reprint, nil
}

// Fits reports whether a booked slot still lies within s: an open day, a
// station that exists, and inside one stretch of public hours. (The slot
// grid may change: a booked time keeps its start.)
func (s Scheduling) Fits(u SlotUse) bool {
	if open, _ := s.OpenOn(u.Day); !open || u.Station > s.Stations {
		return false
	}
	for _, w := range s.Hours[u.Day.Time().Weekday()] {
		if u.Start >= w.Open && u.Start+TimeOfDay(u.Minutes) <= w.Close {
			return true
		}
	}
	return false
}

// CheckSettingsKeepBookings refuses new settings s (replacing old) that
// would strand booked appointments (booked: the calendar from today on).
// Appointment times are wall-clock times in the office's zone, so a new
// time zone would move every booked appointment to another real time,
// under the letters already sent: the zone changes only while nothing is
// booked. Hours, stations or open days that leave a booking outside them
// are refused too: it must be moved first, or nobody could see or keep it.
func CheckSettingsKeepBookings(old, s Scheduling, booked []SlotUse) error {
	if old.TimeZone != s.TimeZone {
		n := 0
		for _, u := range booked {
			if u.Status == ApptBooked {
				n++
			}
		}
		if n > 0 {
			zone := func(z string) string {
				if z == "" {
					return "this computer's zone"
				}
				return z
			}
			return Errorf(ECONFLICT, "the time zone cannot change from %s to %s while %d %s booked: appointment times are the office's clock times, so each would move to another real time and the letters sent would be wrong. Change the zone only when nothing is booked: wait until these appointments are done, or reschedule or cancel them first",
				zone(old.TimeZone), zone(s.TimeZone), n, plural(n, "appointment is", "appointments are"))
		}
	}
	var out []string
	for _, u := range booked {
		if u.Status == ApptBooked && !s.Fits(u) {
			out = append(out, fmt.Sprintf("%s on %s %s station %d", u.Number, u.Day, u.Start, u.Station))
		}
	}
	switch {
	case len(out) == 0:
		return nil
	case len(out) > 5:
		out = append(out[:5], fmt.Sprintf("and %d more", len(out)-5))
	}
	return Errorf(ECONFLICT, "these settings would leave booked appointments outside the hours, stations or open days: %s. Reschedule them first (the calendar shows them), then save", strings.Join(out, "; "))
}
