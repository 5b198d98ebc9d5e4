package fieldprint

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseTimeOfDay(t *testing.T) {
	for _, c := range []struct {
		in   string
		want TimeOfDay
		err  bool
	}{
		{"08:30", 510, false}, {"8:30", 510, false}, {" 0830 ", 510, false}, {"00:00", 0, false}, {"24:00", 1440, false},
		{"23:59", 1439, false}, {"24:01", 0, true}, {"8", 0, true}, {"8:5", 0, true}, {"08:60", 0, true}, {"", 0, true},
		{"８:30", 0, true}, {"-1:00", 0, true}, {"08:30pm", 0, true}, {"12345", 0, true},
	} {
		got, err := ParseTimeOfDay(c.in)
		if (err != nil) != c.err || !c.err && got != c.want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v", c.in, got, err)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ParseTimeOfDay(%q): code %s", c.in, ErrorCode(err))
		}
	}
}

func TestParseWindows(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"08:00-12:00", "08:00-12:00", ""},
		{"8:00 - 12:00; 13:00-15:30", "08:00-12:00, 13:00-15:30", ""},
		{"", "", ""},
		{"12:00-08:00", "", "closes before it opens"},
		{"08:00", "", "write them as 08:00-12:00"},
		{"08:00-25:00", "", "not a time of day"},
	} {
		ws, err := ParseWindows(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(ErrorMessage(err), c.err) {
				t.Errorf("ParseWindows(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || FormatWindows(ws) != c.want {
			t.Errorf("ParseWindows(%q) = %q, %v", c.in, FormatWindows(ws), err)
		}
	}
}

func office(mut func(*Scheduling)) Scheduling {
	s := DefaultScheduling()
	s.TimeZone, s.Default = "UTC", false
	if mut != nil {
		mut(&s)
	}
	return s
}

func TestSchedulingNormalize(t *testing.T) {
	for _, c := range []struct {
		name  string
		mut   func(*Scheduling)
		field string // "" = valid
	}{
		{"defaults", nil, ""},
		{"zone", func(s *Scheduling) { s.TimeZone = "Asia/Shanghai" }, ""},
		{"bad zone", func(s *Scheduling) { s.TimeZone = "China" }, FieldTimeZone},
		{"no stations", func(s *Scheduling) { s.Stations = 0 }, FieldStations},
		{"21 stations", func(s *Scheduling) { s.Stations = 21 }, FieldStations},
		{"slot 4", func(s *Scheduling) { s.SlotMinutes = 4 }, FieldSlotMinutes},
		{"slot 121", func(s *Scheduling) { s.SlotMinutes = 121 }, FieldSlotMinutes},
		{"no hours", func(s *Scheduling) { s.Hours = WeekHours{} }, FieldHours},
		{"overlap", func(s *Scheduling) { s.Hours[time.Monday] = []Window{{480, 720}, {700, 800}} }, HoursField(time.Monday)},
		{"shorter than a slot", func(s *Scheduling) { s.Hours[time.Tuesday] = []Window{{480, 490}} }, HoursField(time.Tuesday)},
		{"reversed", func(s *Scheduling) { s.Hours[time.Friday] = []Window{{720, 480}} }, HoursField(time.Friday)},
		{"reserve 101", func(s *Scheduling) { s.PriorityReserve = 101 }, FieldReserve},
		{"reserve -1", func(s *Scheduling) { s.PriorityReserve = -1 }, FieldReserve},
		{"walk-in 91", func(s *Scheduling) { s.WalkInDays = 91 }, FieldWalkInDays},
		{"limit 11", func(s *Scheduling) { s.RescheduleLimit = 11 }, FieldRescheduleLimit},
		{"cutoff 169", func(s *Scheduling) { s.RescheduleCutoffHours = 169 }, FieldCutoffHours},
		{"missed mode", func(s *Scheduling) { s.MissedMode = "sometimes" }, FieldMissedMode},
		{"closed twice", func(s *Scheduling) {
			s.Closed = []ClosedDay{{Date{2026, 12, 25}, "Christmas"}, {Date{2026, 12, 25}, "Christmas Day"}}
		}, FieldClosed},
		{"closed undated", func(s *Scheduling) { s.Closed = []ClosedDay{{Name: "Holiday"}} }, FieldClosed},
	} {
		_, err := office(c.mut).Normalize()
		var got string
		if e, ok := err.(*Error); ok && len(e.Fields) > 0 {
			got = e.Fields[0].Field
		}
		if got != c.field {
			t.Errorf("%s: field %q (%v), want %q", c.name, got, err, c.field)
		}
	}
	s, _ := office(func(s *Scheduling) {
		s.Hours[time.Monday] = []Window{{780, 900}, {480, 720}}
		s.Closed = []ClosedDay{{Date{2026, 12, 25}, "  Christmas   Day "}, {Date{2026, 1, 1}, ""}}
	}).Normalize()
	if s.Hours[time.Monday][0].Open != 480 || s.Closed[0].Date != (Date{2026, 1, 1}) || s.Closed[1].Name != "Christmas Day" {
		t.Errorf("not sorted and cleaned: %+v %+v", s.Hours[time.Monday], s.Closed)
	}
}

func TestCapacity(t *testing.T) {
	s := office(func(s *Scheduling) {
		s.Stations = 3
		s.Hours[time.Monday] = []Window{{8 * 60, 11 * 60}, {13 * 60, 14*60 + 10}} // 12 + 4 slots
		s.Closed = []ClosedDay{{Date{2026, 12, 25}, "Christmas Day"}}
	})
	monday, friday, saturday := Date{2026, 11, 23}, Date{2026, 12, 25}, Date{2026, 11, 28}
	if c := s.Capacity(monday); c != 48 {
		t.Errorf("capacity %d, want 48", c)
	}
	if l := s.OtherLimit(monday); l != 36 { // 25% of 48 = 12 kept
		t.Errorf("other limit %d, want 36", l)
	}
	s.PriorityReserve = 30 // 14.4 kept, rounded up: 15
	if l := s.OtherLimit(monday); l != 33 {
		t.Errorf("other limit %d, want 33", l)
	}
	if ok, why := s.OpenOn(friday); ok || why != "closed: Christmas Day" || s.Capacity(friday) != 0 {
		t.Errorf("Christmas: %v %q", ok, why)
	}
	if ok, why := s.OpenOn(saturday); ok || !strings.Contains(why, "Saturdays") {
		t.Errorf("Saturday: %v %q", ok, why)
	}
	if ss := s.Sessions(monday); len(ss) != 2 || ss[1].Starts[len(ss[1].Starts)-1] != 13*60+45 {
		t.Errorf("sessions %+v", ss)
	}
}

func family(n int) *Request {
	r := &Request{ID: 1, Number: "FP-2026-00001", Category: CategoryAdoption, Status: StatusReadyToSchedule,
		Applicant: Person{FullName: "A", DateOfBirth: Date{1980, 1, 1}}}
	for i := 1; i < n; i++ {
		r.Household = append(r.Household, Person{ID: i, FullName: string(rune('A' + i)), DateOfBirth: Date{1980, 1, 1}})
	}
	return r
}

func ids(r *Request) []int {
	var out []int
	for _, p := range r.ToFingerprint(Date{2026, 11, 20}) {
		out = append(out, p.ID)
	}
	return out
}

func TestNextAvailable(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) // a Friday
	s := office(func(s *Scheduling) {
		s.Stations = 2
		for _, d := range WeekdayOrder[:5] {
			s.Hours[d] = []Window{{8 * 60, 9 * 60}, {13 * 60, 14 * 60}} // 8 slots a session
		}
	})
	monday := Date{2026, 11, 23}
	use := func(d Date, start TimeOfDay, station int, cat Category) SlotUse {
		return SlotUse{Day: d, Start: start, Minutes: 15, Station: station, Request: 99, Category: cat, Status: ApptBooked}
	}
	for _, c := range []struct {
		name   string
		people int
		cat    Category
		booked []SlotUse
		want   []string // "day start station"
	}{
		{"one person, empty calendar", 1, CategoryAdoption, nil, []string{"2026-11-23 08:00 station 1"}},
		{"household side by side, then the next slot", 3, CategoryAdoption, nil,
			[]string{"2026-11-23 08:00 station 1", "2026-11-23 08:00 station 2", "2026-11-23 08:15 station 1"}},
		{"a gap breaks the run", 3, CategoryAdoption, []SlotUse{use(monday, 8*60+15, 1, CategoryMilitary), use(monday, 8*60+15, 2, CategoryMilitary)},
			[]string{"2026-11-23 08:30 station 1", "2026-11-23 08:30 station 2", "2026-11-23 08:45 station 1"}},
		{"morning too full for 5 together: the afternoon", 5, CategoryAdoption,
			[]SlotUse{use(monday, 8*60+15, 1, CategoryMilitary), use(monday, 8*60+15, 2, CategoryMilitary), use(monday, 8*60+45, 1, CategoryMilitary), use(monday, 8*60+45, 2, CategoryMilitary)},
			[]string{"2026-11-23 13:00 station 1", "2026-11-23 13:00 station 2", "2026-11-23 13:15 station 1", "2026-11-23 13:15 station 2", "2026-11-23 13:30 station 1"}},
		{"the 8:45 of one station is not the 9:00 of the next window", 2, CategoryMilitary,
			[]SlotUse{use(monday, 8*60, 1, CategoryMilitary), use(monday, 8*60, 2, CategoryMilitary), use(monday, 8*60+15, 1, CategoryMilitary), use(monday, 8*60+15, 2, CategoryMilitary),
				use(monday, 8*60+30, 1, CategoryMilitary), use(monday, 8*60+30, 2, CategoryMilitary), use(monday, 8*60+45, 1, CategoryMilitary)},
			[]string{"2026-11-23 13:00 station 1", "2026-11-23 13:00 station 2"}},
	} {
		r := family(c.people)
		r.Category = c.cat
		got, err := NextAvailable(s, r, ids(r), now, Date{}, func(d Date) ([]SlotUse, error) {
			var out []SlotUse
			for _, u := range c.booked {
				if u.Day == d {
					out = append(out, u)
				}
			}
			return out, nil
		})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var s []string
		for _, b := range got {
			s = append(s, b.String())
		}
		if strings.Join(s, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s:\n got %v\nwant %v", c.name, s, c.want)
		}
		for i, b := range got {
			if b.PersonID != ids(r)[i] {
				t.Errorf("%s: slot %d for person %d", c.name, i, b.PersonID)
			}
		}
	}
	// A household larger than any day: refused with what to do.
	r := family(40)
	if _, err := NextAvailable(s, r, ids(r), now, Date{}, func(Date) ([]SlotUse, error) { return nil, nil }); ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "pick slots by hand") {
		t.Errorf("40 people: %v", err)
	}
}

func TestCheckReschedule(t *testing.T) {
	s := office(nil) // limit 2, cut-off 12 h
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	clerk, director := Actor{"c", RoleClerk}, Actor{"d", RoleDirector}
	for _, c := range []struct {
		name     string
		a        Actor
		before   time.Duration // now = appointment - before
		done     int           // reschedules so far
		override bool
		reason   string
		code     string
	}{
		{"clerk, 2 days before", clerk, 48 * time.Hour, 0, false, "asked", ""},
		{"clerk, 12 h 1 min before", clerk, 12*time.Hour + time.Minute, 1, false, "asked", ""},
		{"clerk, exactly 12 h before", clerk, 12 * time.Hour, 0, false, "asked", EFORBIDDEN},
		{"clerk, 2 h before", clerk, 2 * time.Hour, 0, false, "asked", EFORBIDDEN},
		{"clerk, limit reached", clerk, 48 * time.Hour, 2, false, "asked", EFORBIDDEN},
		{"clerk cannot override", clerk, 2 * time.Hour, 0, true, "asked", EFORBIDDEN},
		{"director must say override", director, 2 * time.Hour, 0, false, "asked", EFORBIDDEN},
		{"director overrides the cut-off", director, 2 * time.Hour, 0, true, "hospital", ""},
		{"director overrides the limit", director, 48 * time.Hour, 5, true, "hospital", ""},
		{"no reason", clerk, 48 * time.Hour, 0, false, " ", EINVALID},
		{"director, no reason", director, 2 * time.Hour, 0, true, "", EINVALID},
	} {
		r := family(1)
		r.Appointments = []Appointment{{ID: 1, Day: Date{2026, 11, 23}, Start: 8 * 60, Minutes: 15, Station: 1, Status: ApptBooked, Reschedules: c.done}}
		_, err := CheckReschedule(c.a, s, r, r.Appointments[0], c.reason, c.override, at.Add(-c.before))
		if ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
}

func TestFollowSchedule(t *testing.T) {
	on := Date{2026, 11, 20}
	r := family(2)
	if _, _, ok := r.FollowSchedule(on); ok {
		t.Error("moved with nobody booked")
	}
	r.Appointments = []Appointment{{ID: 1, PersonID: 0, Day: on, Status: ApptBooked}}
	if _, _, ok := r.FollowSchedule(on); ok {
		t.Error("moved with one of two booked")
	}
	r.Appointments = append(r.Appointments, Appointment{ID: 2, PersonID: 1, Day: on, Status: ApptBooked})
	if to, _, ok := r.FollowSchedule(on); !ok || to != StatusScheduled {
		t.Errorf("all booked: %s %v", to, ok)
	}
	r.Status = StatusScheduled
	r.Appointments[1].Status = ApptCancelled
	if to, why, ok := r.FollowSchedule(on); !ok || to != StatusReadyToSchedule || why != "1 person without an appointment" {
		t.Errorf("one cancelled: %s %q %v", to, why, ok)
	}
	// A minor is listed but never needs a slot.
	r.Household = append(r.Household, Person{ID: 2, FullName: "Child", DateOfBirth: Date{2015, 1, 1}})
	if n := len(r.Unbooked(on)); n != 1 {
		t.Errorf("unbooked %d, want 1", n)
	}
}

func TestProfileRoundTrip(t *testing.T) {
	p := Profile{Office{Name: "USCIS Nairobi Field Office", Address: "Gigiri\nNairobi", Signatory: "A. Director"}, office(nil)}
	p.Closed = []ClosedDay{{Date{2026, 12, 25}, "Christmas Day"}}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name": "USCIS Nairobi Field Office"`, `"stations": 1`, `"mon": [`, `"08:00-12:00"`, `"date": "2026-12-25"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("export lacks %s:\n%s", want, b)
		}
	}
	back, err := ParseProfile(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != p.Name || back.SlotMinutes != 15 || FormatWindows(back.Hours[time.Monday]) != "08:00-12:00" || back.Closed[0].Name != "Christmas Day" {
		t.Errorf("round trip: %+v", back)
	}
	for _, c := range []struct{ name, in, msg string }{
		{"not JSON", "stations: 2", "broken near byte"},
		{"misspelt", `{"stationz": 2}`, `unknown field "stationz"`},
		{"wrong type", `{"stations": "two"}`, `field "stations" should be int`},
		{"bad hours", `{"hours": {"mon": ["12:00-08:00"]}}`, "hours on mon"},
		{"bad weekday", `{"hours": {"monday": ["08:00-12:00"]}}`, `"monday" is not a weekday`},
		{"missing name", strings.Replace(string(b), `"USCIS Nairobi Field Office"`, `""`, 1), "name: is required"},
		{"two objects", string(b) + string(b), "more than one"},
	} {
		_, err := ParseProfile([]byte(c.in))
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

func FuzzParseProfile(f *testing.F) {
	b, _ := json.Marshal(Profile{Office{Name: "X", Address: "Y", Signatory: "Z"}, DefaultScheduling()})
	f.Add(b)
	f.Add([]byte(`{"hours": {"mon": ["08:00-12:00", "13:00-15:00"]}, "closed_dates": [{"date": "2026-12-25"}]}`))
	f.Add([]byte(`{"stations": 1e9}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		// Whatever is accepted exports and reads back as the same profile.
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseProfile(out)
		if err != nil {
			t.Fatalf("accepted profile does not read back: %v\n%s", err, out)
		}
		if b2, _ := json.Marshal(back); string(b2) != string(out) {
			t.Fatalf("round trip changed the profile:\n%s\n%s", out, b2)
		}
	})
}

func FuzzParseWindows(f *testing.F) {
	for _, s := range []string{"08:00-12:00", "8:00-12:00; 13:00-15:00", "0800-1200", "24:00-25:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := ParseWindows(s)
		if err != nil {
			return
		}
		for _, w := range ws {
			if w.Open < 0 || w.Close > 24*60 || w.Close <= w.Open {
				t.Fatalf("accepted %q as %v", s, w)
			}
		}
		back, err := ParseWindows(FormatWindows(ws))
		if err != nil || FormatWindows(back) != FormatWindows(ws) {
			t.Fatalf("%q does not round trip: %v", s, err)
		}
	})
}

func TestSchedulingInput(t *testing.T) {
	s := office(func(s *Scheduling) {
		s.Hours[time.Monday] = []Window{{480, 720}, {780, 900}}
		s.Closed = []ClosedDay{{Date{2026, 12, 25}, "Christmas Day"}, {Date{2027, 1, 1}, ""}}
	})
	back, err := s.Input().Parse()
	if err != nil {
		t.Fatal(err)
	}
	if FormatWindows(back.Hours[time.Monday]) != "08:00-12:00, 13:00-15:00" || len(back.Closed) != 2 || back.Closed[0].Name != "Christmas Day" || back.Stations != 1 {
		t.Errorf("round trip %+v", back)
	}
	in := s.Input()
	in.Stations, in.PriorityReserve, in.Hours[time.Tuesday], in.Closed = "two", "30%", "9-12", "2026-12-25 Christmas\n25/12/2026 Christmas"
	_, err = in.Parse()
	fe := err.(*Error).Fields
	for _, f := range []string{FieldStations, HoursField(time.Tuesday), FieldClosed} {
		if len(fe.For(f)) == 0 {
			t.Errorf("no problem reported for %s: %v", f, fe)
		}
	}
	if len(fe.For(FieldReserve)) != 0 {
		t.Errorf("30%% refused: %v", fe)
	}
}
