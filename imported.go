package fieldprint

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Origin is where an imported request came from: the office's tracker file,
// the line of its row, and the notes the tracker kept about it.
type Origin struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Notes string `json:"notes,omitempty"`
	// Status is the status as the tracker wrote it ("Pending docs").
	Status string `json:"status,omitempty"`
}

// String is "tracker.csv line 12", as the history says it.
func (o *Origin) String() string {
	if o == nil {
		return ""
	}
	return fmt.Sprintf("%s line %d", o.File, o.Line)
}

// CompletableFields are the facts an office's tracker rarely holds and a
// person can complete later: an import leaves them empty and flags the
// request "incomplete — from import" (Request.Incomplete). Everything else
// a row needs (name, category, a receipt number or A-number) or gives
// (a wrong value anywhere) stops the import with the line named.
var CompletableFields = []string{
	FieldDateOfBirth, FieldBasis, FieldNoticeType, FieldEmail,
	FieldASCDate, FieldASCPlace, FieldDepartureReason, FieldRescheduleAsked, FieldRescheduleNote,
}

// IncompleteLabel names a missing field in words.
func IncompleteLabel(field string) string {
	switch field {
	case FieldDateOfBirth:
		return "date of birth"
	case FieldBasis:
		return "basis"
	case FieldNoticeType:
		return "notice type"
	case FieldEmail:
		return "e-mail or phone"
	case FieldASCDate:
		return "the U.S. ASC appointment's date"
	case FieldASCPlace:
		return "the U.S. ASC appointment's place"
	case FieldDepartureReason:
		return "why the applicant left the U.S."
	case FieldRescheduleAsked:
		return "whether a reschedule was asked for"
	case FieldRescheduleNote:
		return "why no reschedule was asked for"
	}
	return strings.ReplaceAll(field, "_", " ")
}

// IncompleteText lists r's missing fields in words ("date of birth, basis").
func (r *Request) IncompleteText() string {
	out := make([]string, len(r.Incomplete))
	for i, f := range r.Incomplete {
		out[i] = IncompleteLabel(f)
	}
	return strings.Join(out, ", ")
}

// CheckComplete refuses step (a decision, a booking) on a request an import
// left incomplete, naming what is missing and where to fill it.
func (r *Request) CheckComplete(step string) error {
	if len(r.Incomplete) == 0 {
		return nil
	}
	return Errorf(EFORBIDDEN, "%s is incomplete — from import: %s %s missing. Fill %s on the Details tab before %s",
		r.Number, r.IncompleteText(), plural(len(r.Incomplete), "is", "are"), plural(len(r.Incomplete), "it", "them"), step)
}

// completeForDecision is the guard of the decisions (eligible, approve, deny).
func completeForDecision(_ Actor, r *Request, _ Date) error {
	return r.CheckComplete("deciding")
}

// ImportPlan is what a row's history becomes: the status the request starts
// in, the appointment to book (still to come), the day biometrics were
// collected (past), and what the clerk should read.
type ImportPlan struct {
	Status Status
	Book   *ImportedAppointment
	// Bookings are the slots Book gives each person (the workflow fills
	// them when it checks the import against the calendar).
	Bookings  []Booking
	Collected Date
	Warnings  []string
}

// PlanImport decides, as of now in the office's calendar s, what row's
// history becomes. A wrong or contradictory value is an error naming it; a
// history the status leaves no room for is a warning.
//
//   - An appointment still to come is booked through the booking rules; the
//     request starts ready to schedule and is scheduled once everyone has a
//     slot. It needs a time, and a status that allows it (none, ready to
//     schedule, scheduled; on a denied or withdrawn request it is dropped).
//   - A past appointment with the status completed, or a collection date,
//     records the collection on that day (it holds no slot: its time and
//     station are history). A past appointment of a request still open needs
//     the status completed, or none but ready to schedule to book again.
//   - A scheduled request without an appointment starts ready to schedule.
func PlanImport(s Scheduling, row ImportRow, now time.Time) (ImportPlan, error) {
	today := s.Today(now)
	p := ImportPlan{Status: row.Status, Collected: row.Collected}
	st := row.Status
	label := func() string {
		if k := ValueKey(row.StatusText); k != "" && k != ValueKey(st.Label()) && k != ValueKey(string(st)) {
			return fmt.Sprintf("%q (%s)", row.StatusText, st.Label())
		}
		return st.Label()
	}
	if c := row.Collected; !c.IsZero() {
		switch {
		case c.After(today):
			return p, Errorf(EINVALID, "biometrics collected on %s, a day still to come: check the date", c)
		case st == "":
			p.Status = StatusCompleted
		case st != StatusCompleted:
			return p, Errorf(EINVALID, "biometrics were collected on %s but the status is %s: give the status completed, or leave the date out", c, label())
		}
	}
	if ap := row.Appointment; ap != nil {
		future := ap.Day.After(today) || ap.Day == today && ap.HasTime && s.At(ap.Day, ap.Start).After(now)
		switch {
		case future && !ap.HasTime:
			return p, Errorf(EINVALID, "the appointment on %s has no time: give the time (09:30) so it can be booked in the calendar", ap.Day)
		case future && (st == "" || st == StatusReadyToSchedule || st == StatusScheduled):
			p.Status, p.Book = StatusReadyToSchedule, ap
		case future && st == StatusCompleted:
			return p, Errorf(EINVALID, "the status is %s but the appointment on %s is still to come: correct the status or the date", label(), ap.Day)
		case future && (st == StatusDenied || st == StatusWithdrawn):
			p.Warnings = append(p.Warnings, fmt.Sprintf("the appointment of %s is not booked: the request is %s", ap, st.Label()))
		case future:
			return p, Errorf(EINVALID, "the appointment on %s is still to come but the status is %s: only a request marked eligible is booked; give the status scheduled, or leave the date out", ap.Day, label())
		case st == StatusCompleted || st == "" && !row.Collected.IsZero():
			if !row.Collected.IsZero() && row.Collected != ap.Day {
				return p, Errorf(EINVALID, "the appointment was on %s but biometrics were collected on %s: give one date", ap.Day, row.Collected)
			}
			p.Status, p.Collected = StatusCompleted, ap.Day
		case st == "" || st == StatusScheduled || st == StatusReadyToSchedule:
			return p, Errorf(EINVALID, "the appointment on %s has passed but the status is %s: give the status completed if biometrics were collected, or ready-to-schedule and no date to book again", ap.Day, label())
		default:
			p.Warnings = append(p.Warnings, fmt.Sprintf("the past appointment of %s is not brought over: the request is %s", ap, st.Label()))
		}
	}
	switch {
	case p.Status == "":
		p.Status = StatusNew
	case p.Status == StatusScheduled && p.Book == nil:
		p.Status = StatusReadyToSchedule
		p.Warnings = append(p.Warnings, "the tracker says scheduled but gives no appointment: imported as ready to schedule, to be booked")
	}
	return p, nil
}

// ImportBookings gives the people r fingerprints on ap's day the slots of
// the tracker's appointment: the applicant ap's time (and station, or the
// first free one at that time), each other adult the next free slot from
// that time on,
// side by side on the stations first. uses are the day's booked slots. A
// slot that is not on the grid or taken is left for CheckBookings to refuse.
func ImportBookings(s Scheduling, r *Request, ap ImportedAppointment, uses []SlotUse) []Booking {
	taken := func(start TimeOfDay, station int, chosen []Booking) bool {
		for _, u := range uses {
			if u.Status.HoldsSlot() && u.overlaps(start, s.SlotMinutes, station) {
				return true
			}
		}
		return slices.ContainsFunc(chosen, func(b Booking) bool { return b.Start == start && b.Station == station })
	}
	var starts []TimeOfDay
	for _, ss := range s.Sessions(ap.Day) {
		for _, t := range ss.Starts {
			if t >= ap.Start {
				starts = append(starts, t)
			}
		}
	}
	var out []Booking
	for i, p := range r.ToFingerprint(ap.Day) {
		b := Booking{PersonID: p.ID, Day: ap.Day, Start: ap.Start, Station: ap.Station}
		try := starts
		if i == 0 { // the applicant keeps the tracker's time (and station)
			try = []TimeOfDay{ap.Start}
		}
		found := i == 0 && ap.Station > 0
		for _, t := range try {
			for st := 1; st <= s.Stations && !found; st++ {
				if !taken(t, st, out) {
					b.Start, b.Station, found = t, st, true
				}
			}
			if found {
				break
			}
		}
		if !found && b.Station == 0 {
			b.Station = 1 // no free slot: CheckBookings says so
		}
		out = append(out, b)
	}
	return out
}

// ImportedCollection is the record of biometrics collected before the
// import, on day, of each person fingerprinted: it holds no slot (its time
// and station are not known), and no stamped notice can certify it.
func (r *Request) ImportedCollection(s Scheduling, day Date, by string, at time.Time) {
	r.Appointments = slices.Clone(r.Appointments)
	next := 1
	for _, ap := range r.Appointments {
		next = max(next, ap.ID+1)
	}
	for _, p := range r.adultsOn(day) {
		r.Appointments = append(r.Appointments, Appointment{ID: next, PersonID: p.ID, Day: day, Minutes: s.SlotMinutes,
			Status: ApptCollected, BookedAt: at.UTC(), BookedBy: by, FromImport: true,
			Collection: &Collection{At: s.At(day, 0).UTC(), By: by}})
		next++
	}
}
