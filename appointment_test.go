package fieldprint

import (
	"strings"
	"testing"
	"time"
)

// A cancellation is half of a move: within the cut-off only a director
// cancels, by overriding with a reason; past the limit it is allowed.
func TestCheckCancel(t *testing.T) {
	s := office(nil) // limit 2, cut-off 12 h
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	clerk, director := Actor{"c", RoleClerk}, Actor{"d", RoleDirector}
	for _, c := range []struct {
		name       string
		a          Actor
		before     time.Duration
		status     ApptStatus
		override   bool
		reason     string
		code       string
		msg        string
		overridden bool
	}{
		{"clerk, 2 days before", clerk, 48 * time.Hour, ApptBooked, false, "travelling", "", "", false},
		{"clerk, no reason", clerk, 48 * time.Hour, ApptBooked, false, " ", EINVALID, "say why", false},
		{"clerk, 11 h before", clerk, 11 * time.Hour, ApptBooked, false, "travelling", EFORBIDDEN, "cannot be cancelled by a clerk: it is less than 12 hours away", false},
		{"clerk cannot override", clerk, 11 * time.Hour, ApptBooked, true, "travelling", EFORBIDDEN, "Only the director can override", false},
		{"director must confirm", director, 11 * time.Hour, ApptBooked, false, "travelling", EFORBIDDEN, "cancelling it is an override", false},
		{"director overrides", director, 11 * time.Hour, ApptBooked, true, "hospital, letter seen", "", "", true},
		{"director, no reason", director, 11 * time.Hour, ApptBooked, true, "", EINVALID, "say why", false},
		{"director, outside the cut-off", director, 48 * time.Hour, ApptBooked, true, "asked", "", "", false},
		{"checked in", clerk, 48 * time.Hour, ApptCheckedIn, false, "asked", EFORBIDDEN, "only a booked appointment", false},
	} {
		ap := Appointment{ID: 1, Day: Date{2026, 11, 23}, Start: 8 * 60, Minutes: 15, Station: 1, Status: c.status}
		overridden, err := CheckCancel(c.a, s, ap, c.reason, c.override, at.Add(-c.before))
		if ErrorCode(err) != c.code || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) || err == nil && overridden != c.overridden {
			t.Errorf("%s: %v (overridden %v), want %q %q", c.name, err, overridden, c.code, c.msg)
		}
	}
}

// A cancellation followed by a new booking is one move: the booking is
// checked against the limit, counted, and the count survives the cancel.
func TestRebookingIsAMove(t *testing.T) {
	s := office(nil) // limit 2
	clerk, director := Actor{"c", RoleClerk}, Actor{"d", RoleDirector}
	slot := Booking{PersonID: 0, Day: Date{2026, 11, 30}, Start: 8 * 60, Station: 1}
	cancelled := func(by string, moves int) Appointment {
		return Appointment{ID: 1, Day: Date{2026, 11, 23}, Start: 8 * 60, Minutes: 15, Station: 1, Status: ApptCancelled, CancelledBy: by, Reschedules: moves, Reason: "travelling"}
	}
	for _, c := range []struct {
		name     string
		before   []Appointment
		a        Actor
		override bool
		reason   string
		code     string
		move     bool // the booking counts as a reschedule
	}{
		{"first booking", nil, clerk, false, "", "", false},
		{"after a staff cancellation", []Appointment{cancelled("c", 0)}, clerk, false, "", "", true},
		{"after a moved appointment was cancelled", []Appointment{cancelled("c", 1)}, clerk, false, "", "", true},
		{"the limit reached: a clerk is refused", []Appointment{cancelled("c", 2)}, clerk, false, "", EFORBIDDEN, true},
		{"over two appointments", []Appointment{cancelled("c", 1), {ID: 2, Day: Date{2026, 11, 24}, Status: ApptCancelled, CancelledBy: "c", Reschedules: 1}}, clerk, false, "", EFORBIDDEN, true},
		{"the director must confirm", []Appointment{cancelled("c", 2)}, director, false, "", EFORBIDDEN, true},
		{"the director overrides without a reason", []Appointment{cancelled("c", 2)}, director, true, "", EINVALID, true},
		{"the director overrides", []Appointment{cancelled("c", 2)}, director, true, "surgery, letter seen", "", true},
		{"after the system's own cancellation", []Appointment{cancelled("", 2)}, clerk, false, "", "", false},
		{"after a miss", []Appointment{{ID: 1, Day: Date{2026, 11, 23}, Status: ApptMissed, Reschedules: 2}}, clerk, false, "", "", false},
		{"a miss after a cancellation and a booking", []Appointment{cancelled("c", 0), {ID: 2, Day: Date{2026, 11, 24}, Status: ApptMissed, Reschedules: 1}}, clerk, false, "", "", false},
	} {
		r := family(1)
		r.Appointments = c.before
		before := r.Reschedules(0)
		if _, move := r.Rebooking(0); move != c.move {
			t.Errorf("%s: Rebooking = %v, want %v", c.name, move, c.move)
		}
		overridden, err := CheckRebookings(c.a, s, r, []Booking{slot}, c.reason, c.override)
		if ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
			continue
		}
		if err != nil {
			if c.a.Role == RoleClerk && !strings.Contains(ErrorMessage(err), "moved 2 times already (the limit is 2), and a new booking after a cancellation is a move") {
				t.Errorf("%s: %q", c.name, ErrorMessage(err))
			}
			continue
		}
		if want := c.name == "the director overrides"; overridden != want {
			t.Errorf("%s: overridden %v", c.name, overridden)
		}
		ap := r.Book(s, []Booking{slot}, "c", time.Now())[0]
		if got, want := r.Reschedules(0), before+map[bool]int{true: 1}[c.move]; got != want || (ap.Reason == "travelling") != c.move {
			t.Errorf("%s: %d reschedules after booking (want %d), reason %q", c.name, got, want, ap.Reason)
		}
		if _, move := r.Rebooking(0); move {
			t.Errorf("%s: still a move after booking", c.name)
		}
	}
	// Cancel records who cancelled; the system's own drop does not.
	r := family(2)
	r.Status = StatusScheduled
	r.Appointments = []Appointment{{ID: 1, PersonID: 0, Day: Date{2026, 11, 30}, Status: ApptBooked}, {ID: 2, PersonID: 1, Day: Date{2026, 11, 30}, Status: ApptBooked}}
	if ap, err := r.Cancel(0, " travelling ", "c"); err != nil || ap.CancelledBy != "c" || ap.Reason != "travelling" {
		t.Errorf("cancel: %+v %v", ap, err)
	}
	r.Household = nil
	r.DropAppointments(Date{2026, 11, 20}, "no longer fingerprinted on this request")
	if _, move := r.Rebooking(1); move {
		t.Error("the system's cancellation is a move")
	}
	if _, move := r.Rebooking(0); !move {
		t.Error("the staff cancellation is not a move")
	}
}

// teenFamily: an applicant, an adult spouse and a member who turns 18 on
// 2026-12-05, received 2026-11-02.
func teenFamily() *Request {
	r := family(2)
	r.Received = Date{2026, 11, 2}
	r.Household = append(r.Household, Person{ID: 2, FullName: "Teen", DateOfBirth: Date{2008, 12, 5}})
	return r
}

// Who is fingerprinted is decided for the appointment day: a member who
// turns 18 before it must be booked with the household, and cannot be
// booked before the birthday.
func TestBookingDecidesAdultsOnTheAppointmentDay(t *testing.T) {
	s := office(func(s *Scheduling) { s.Stations = 3 })
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	dec1, dec7 := Date{2026, 12, 1}, Date{2026, 12, 7}
	at := func(id int, d Date) Booking { return Booking{PersonID: id, Day: d, Start: 8 * 60, Station: id + 1} }
	for _, c := range []struct {
		name   string
		booked []Appointment // live before
		bs     []Booking
		moving []int
		code   string
		msg    string
	}{
		{"before the birthday, without the teen", nil, []Booking{at(0, dec1), at(1, dec1)}, nil, "", ""},
		{"after the birthday, without the teen", nil, []Booking{at(0, dec7), at(1, dec7)}, nil, EINVALID, "Teen turns 18 on 2026-12-05, before the appointment on 2026-12-07, and is fingerprinted with the household: book Teen too"},
		{"after the birthday, with the teen", nil, []Booking{at(0, dec7), at(1, dec7), at(2, dec7)}, nil, "", ""},
		{"the teen before the birthday", nil, []Booking{at(2, dec1)}, nil, EINVALID, "Teen is under 18 on 2026-12-01 (18 on 2026-12-05)"},
		{"the teen alone, after the birthday", nil, []Booking{at(2, dec7)}, nil, "", ""},
		{"one adult of today at a time", nil, []Booking{at(0, dec1)}, nil, "", ""},
		{"a second booking moves the household's day", []Appointment{{ID: 1, PersonID: 0, Day: dec1, Status: ApptBooked}}, []Booking{at(1, dec7)}, nil, EINVALID, "book Teen too"},
		{"a reschedule past the birthday", []Appointment{{ID: 1, PersonID: 0, Day: dec1, Status: ApptBooked}, {ID: 2, PersonID: 1, Day: dec1, Status: ApptBooked}}, []Booking{at(0, dec7)}, []int{0}, EINVALID, "book Teen too"},
		{"the teen booked already", []Appointment{{ID: 1, PersonID: 2, Day: dec7, Status: ApptBooked}}, []Booking{at(0, dec7), at(1, dec7)}, nil, "", ""},
		{"a child is never booked", nil, []Booking{at(3, dec7)}, nil, EINVALID, "no person 3"},
	} {
		r := teenFamily()
		r.Household = append(r.Household, Person{ID: 3, FullName: "Child", DateOfBirth: Date{2016, 1, 1}})
		r.Appointments = c.booked
		err := CheckBookings(s, r, c.bs, nil, c.moving, now)
		if ErrorCode(err) != c.code || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q %q", c.name, err, c.code, c.msg)
		}
	}
	// Once booked for 7 December, the teen is one of the people to fingerprint.
	r := teenFamily()
	today := Date{2026, 11, 20}
	if n, flagged := r.People(today), r.ComingOfAge(today); n != 2 || len(flagged) != 1 || flagged[0].FullName != "Teen" {
		t.Errorf("before booking: %d people, coming of age %v", n, flagged)
	}
	r.Book(s, []Booking{at(0, dec7), at(1, dec7)}, "c", now) // as a booking from before this rule left it
	if r.FingerprintDay(today) != dec7 || r.People(today) != 3 || len(r.Unbooked(today)) != 1 || len(r.ComingOfAge(today)) != 0 {
		t.Errorf("booked for 7 December: day %s, %d people, unbooked %v", r.FingerprintDay(today), r.People(today), r.Unbooked(today))
	}
	if to, _, ok := r.FollowSchedule(today); ok && to == StatusScheduled {
		t.Error("scheduled without the teen")
	}
	if sp := r.Schedule(today); len(sp) != 3 || sp[2].Person.FullName != "Teen" || sp[2].Booked {
		t.Errorf("the letter's table: %+v", sp)
	}
}

// Next available adds the member who turns 18 by the proposed day.
func TestProposeAddsNewAdults(t *testing.T) {
	s := office(func(s *Scheduling) { s.Stations = 2 })
	none := func(Date) ([]SlotUse, error) { return nil, nil }
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		notBefore Date
		people    int
	}{
		{"Monday 23 November: the teen is 17", Date{}, 2},
		{"from 7 December: the teen is 18", Date{2026, 12, 7}, 3},
	} {
		bs, err := Propose(s, teenFamily(), now, c.notBefore, none)
		if err != nil || len(bs) != c.people {
			t.Errorf("%s: %v %v", c.name, bs, err)
			continue
		}
		if err := CheckBookings(s, teenFamily(), bs, nil, nil, now); err != nil {
			t.Errorf("%s: the proposal is refused: %v", c.name, err)
		}
	}
}

// A new time zone would move every booked appointment in real time.
func TestSettingsKeepBookingsZone(t *testing.T) {
	old := office(nil) // UTC
	moved := office(func(s *Scheduling) { s.TimeZone = "Asia/Shanghai" })
	booked := []SlotUse{
		{Day: Date{2026, 11, 23}, Start: 8 * 60, Minutes: 15, Station: 1, Number: "FP-2026-00001", Status: ApptBooked},
		{Day: Date{2026, 11, 23}, Start: 8*60 + 15, Minutes: 15, Station: 1, Number: "FP-2026-00002", Status: ApptBooked},
		{Day: Date{2026, 11, 20}, Start: 8 * 60, Minutes: 15, Station: 1, Number: "FP-2026-00003", Status: ApptCollected},
	}
	for _, c := range []struct {
		name      string
		old, s    Scheduling
		booked    []SlotUse
		code, msg string
	}{
		{"zone with bookings", old, moved, booked, ECONFLICT, "the time zone cannot change from UTC to Asia/Shanghai while 2 appointments are booked"},
		{"zone from unset", office(func(s *Scheduling) { s.TimeZone = "" }), moved, booked[:1], ECONFLICT, "from this computer's zone to Asia/Shanghai while 1 appointment is booked"},
		{"zone with nothing booked", old, moved, booked[2:], "", ""},
		{"same zone", moved, moved, booked, "", ""},
	} {
		err := CheckSettingsKeepBookings(c.old, c.s, c.booked)
		if ErrorCode(err) != c.code || c.msg != "" && !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q %q", c.name, err, c.code, c.msg)
		}
	}
}
