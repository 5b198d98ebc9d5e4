package fieldprint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // office time zones resolve the same on every machine
)

// ActionSchedulingUpdate audits a change of the office's capacity and rules.
const ActionSchedulingUpdate = "office.scheduling"

// TimeOfDay is a wall-clock time in the office's time zone, in minutes after
// midnight. It is written "08:30".
type TimeOfDay int

// ParseTimeOfDay accepts "8:30", "08:30" and "0830".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	c := strings.TrimSpace(s)
	var h, m int
	var rest string
	if strings.Contains(c, ":") {
		hs, ms, _ := strings.Cut(c, ":")
		if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
			return 0, Errorf(EINVALID, "%q is not a time: use 24-hour HH:MM, e.g. 08:30 or 14:00", s)
		}
		fmt.Sscanf(hs+" "+ms, "%d %d%s", &h, &m, &rest)
	} else if len(c) == 4 && allDigits(c) {
		fmt.Sscanf(c[:2]+" "+c[2:], "%d %d", &h, &m)
	} else {
		return 0, Errorf(EINVALID, "%q is not a time: use 24-hour HH:MM, e.g. 08:30 or 14:00", s)
	}
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, Errorf(EINVALID, "%q is not a time of day: hours run 00 to 23, minutes 00 to 59", s)
	}
	return TimeOfDay(h*60 + m), nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

func (t TimeOfDay) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "a time must be written as \"HH:MM\", e.g. \"08:30\"")
	}
	v, err := ParseTimeOfDay(s)
	*t = v
	return err
}

// Window is one stretch of public hours, e.g. 08:00-12:00.
type Window struct {
	Open, Close TimeOfDay
}

func (w Window) String() string { return w.Open.String() + "-" + w.Close.String() }

// ParseWindow reads "08:00-12:00".
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "-")
	if !ok {
		return Window{}, Errorf(EINVALID, "%q is not opening hours: write them as 08:00-12:00", s)
	}
	o, err := ParseTimeOfDay(a)
	if err != nil {
		return Window{}, err
	}
	c, err := ParseTimeOfDay(b)
	if err != nil {
		return Window{}, err
	}
	if c <= o {
		return Window{}, Errorf(EINVALID, "%q closes before it opens: write the earlier time first, e.g. 08:00-12:00", s)
	}
	return Window{o, c}, nil
}

// ParseWindows reads a day's hours, windows separated by commas or
// semicolons: "08:00-12:00, 13:00-15:00". Empty means closed.
func ParseWindows(s string) ([]Window, error) {
	var out []Window
	for _, p := range SplitList(s) {
		w, err := ParseWindow(p)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// FormatWindows is the inverse of ParseWindows.
func FormatWindows(ws []Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, ", ")
}

// WeekHours are the public hours per weekday, indexed by time.Weekday.
type WeekHours [7][]Window

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekdayOrder is Monday first, as offices plan their week.
var WeekdayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// MarshalJSON writes {"mon": ["08:00-12:00"], ...}, Monday first.
func (h WeekHours) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, d := range WeekdayOrder {
		if i > 0 {
			b.WriteByte(',')
		}
		ws := make([]string, len(h[d]))
		for j, w := range h[d] {
			ws[j] = w.String()
		}
		k, _ := json.Marshal(weekdayKeys[d])
		v, _ := json.Marshal(ws)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (h *WeekHours) UnmarshalJSON(b []byte) error {
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		return Errorf(EINVALID, "hours must be an object of weekdays, e.g. {\"mon\": [\"08:00-12:00\"]}")
	}
	var out WeekHours
	for k, ws := range m {
		d := slices.Index(weekdayKeys[:], strings.ToLower(k))
		if d < 0 {
			return Errorf(EINVALID, "%q is not a weekday: use mon, tue, wed, thu, fri, sat, sun", k)
		}
		for _, s := range ws {
			w, err := ParseWindow(s)
			if err != nil {
				return Errorf(EINVALID, "hours on %s: %s", k, ErrorMessage(err))
			}
			out[d] = append(out[d], w)
		}
	}
	*h = out
	return nil
}

// ClosedDay is a date the office does not open: a holiday, training, a move.
type ClosedDay struct {
	Date Date   `json:"date"`
	Name string `json:"name,omitempty"`
}

// Missed-appointment handling: automatically at closing time, or when a clerk closes the day.
const (
	MissedAtClosing = "at-closing"
	MissedByClerk   = "by-clerk"
)

// Scheduling is an office's capacity and its appointment rules. Offices
// differ and change, so this is configuration an administrator sets.
type Scheduling struct {
	// TimeZone is the IANA name of the office's zone, e.g. Asia/Shanghai;
	// appointment times are wall-clock times there. Empty: this computer's zone.
	TimeZone    string      `json:"time_zone"`
	Stations    int         `json:"stations"`
	SlotMinutes int         `json:"slot_minutes"`
	Hours       WeekHours   `json:"hours"`
	Closed      []ClosedDay `json:"closed_dates"`
	// PriorityReserve is the percentage of each day's capacity kept for the
	// military, 319b and adoption categories: "All others" never take it.
	PriorityReserve int `json:"priority_reserve_percent"`
	// WalkInDays: how long after a missed appointment a person may walk in.
	WalkInDays int `json:"walk_in_days"`
	// RescheduleLimit and RescheduleCutoffHours bind clerks; a director may override.
	RescheduleLimit       int    `json:"reschedule_limit"`
	RescheduleCutoffHours int    `json:"reschedule_cutoff_hours"`
	MissedMode            string `json:"missed_mode"`

	// Default is true while nobody has saved the settings (not stored).
	Default bool `json:"-"`
}

// DefaultScheduling is what a new database starts with.
func DefaultScheduling() Scheduling {
	s := Scheduling{Stations: 1, SlotMinutes: 15, PriorityReserve: 25, WalkInDays: 21,
		RescheduleLimit: 2, RescheduleCutoffHours: 12, MissedMode: MissedByClerk, Default: true}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
		s.Hours[d] = []Window{{8 * 60, 12 * 60}}
	}
	return s
}

// Field keys of Scheduling problems.
const (
	FieldTimeZone        = "time_zone"
	FieldStations        = "stations"
	FieldSlotMinutes     = "slot_minutes"
	FieldHours           = "hours"
	FieldClosed          = "closed_dates"
	FieldReserve         = "priority_reserve_percent"
	FieldWalkInDays      = "walk_in_days"
	FieldRescheduleLimit = "reschedule_limit"
	FieldCutoffHours     = "reschedule_cutoff_hours"
	FieldMissedMode      = "missed_mode"
)

// HoursField names one weekday's hours.
func HoursField(d time.Weekday) string { return FieldHours + "." + weekdayKeys[d] }

// Normalize checks the settings and returns them cleaned (windows and
// closed dates sorted), or the problems keyed by field.
func (s Scheduling) Normalize() (Scheduling, error) {
	var fe FieldErrors
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if _, err := s.loadLocation(); err != nil {
		fe.Add(FieldTimeZone, "%q is not a time zone: use an IANA name such as Asia/Shanghai, America/Mexico_City, Asia/Kolkata or Africa/Nairobi", s.TimeZone)
	}
	if s.Stations < 1 || s.Stations > 20 {
		fe.Add(FieldStations, "must be 1 to 20: the number of biometrics stations that take people at the same time")
	}
	if s.SlotMinutes < 5 || s.SlotMinutes > 120 {
		fe.Add(FieldSlotMinutes, "must be 5 to 120 minutes (15 is usual)")
	}
	open := false
	for d := range s.Hours {
		ws := slices.Clone(s.Hours[d])
		slices.SortFunc(ws, func(a, b Window) int { return int(a.Open - b.Open) })
		for i, w := range ws {
			switch {
			case w.Close <= w.Open || w.Open < 0 || w.Close > 24*60:
				fe.Add(HoursField(time.Weekday(d)), "%s is not a stretch of hours: write the opening time first, e.g. 08:00-12:00", w)
			case i > 0 && w.Open < ws[i-1].Close:
				fe.Add(HoursField(time.Weekday(d)), "%s overlaps %s: make them one stretch or separate them", w, ws[i-1])
			case s.SlotMinutes >= 5 && int(w.Close-w.Open) < s.SlotMinutes:
				fe.Add(HoursField(time.Weekday(d)), "%s is shorter than one %d-minute slot", w, s.SlotMinutes)
			}
		}
		if len(ws) > 0 {
			open = true
		}
		s.Hours[d] = ws
	}
	if !open {
		fe.Add(FieldHours, "give public hours on at least one weekday, e.g. mon 08:00-12:00")
	}
	closed := slices.Clone(s.Closed)
	slices.SortFunc(closed, func(a, b ClosedDay) int { return a.Date.Time().Compare(b.Date.Time()) })
	s.Closed = closed[:0]
	for _, c := range closed {
		name, ok := cleanText(c.Name, false)
		if !ok {
			fe.Add(FieldClosed, "the name of %s contains a control character; retype it", c.Date)
		}
		switch {
		case c.Date.IsZero():
			fe.Add(FieldClosed, "a closed day has no date: write it as YYYY-MM-DD")
		case len(s.Closed) > 0 && s.Closed[len(s.Closed)-1].Date == c.Date:
			fe.Add(FieldClosed, "%s is listed twice", c.Date)
		default:
			s.Closed = append(s.Closed, ClosedDay{c.Date, name})
		}
	}
	if s.PriorityReserve < 0 || s.PriorityReserve > 100 {
		fe.Add(FieldReserve, "must be a percentage, 0 to 100")
	}
	if s.WalkInDays < 0 || s.WalkInDays > 90 {
		fe.Add(FieldWalkInDays, "must be 0 to 90 days (3 weeks is usual)")
	}
	if s.RescheduleLimit < 0 || s.RescheduleLimit > 10 {
		fe.Add(FieldRescheduleLimit, "must be 0 to 10 (USCIS allows 2)")
	}
	if s.RescheduleCutoffHours < 0 || s.RescheduleCutoffHours > 168 {
		fe.Add(FieldCutoffHours, "must be 0 to 168 hours (USCIS uses 12)")
	}
	switch s.MissedMode {
	case MissedAtClosing, MissedByClerk:
	case "":
		s.MissedMode = MissedByClerk
	default:
		fe.Add(FieldMissedMode, "%q is not known: use %s or %s", s.MissedMode, MissedAtClosing, MissedByClerk)
	}
	return s, fe.Err()
}

func (s Scheduling) loadLocation() (*time.Location, error) {
	if s.TimeZone == "" {
		return time.Local, nil
	}
	if strings.EqualFold(s.TimeZone, "local") {
		return nil, fmt.Errorf("local is not a zone name")
	}
	return time.LoadLocation(s.TimeZone)
}

// Location is the office's time zone (this computer's when unset or unknown).
func (s Scheduling) Location() *time.Location {
	if l, err := s.loadLocation(); err == nil {
		return l
	}
	return time.Local
}

// At is the instant of wall-clock time t on day d at the office.
func (s Scheduling) At(d Date, t TimeOfDay) time.Time {
	return time.Date(d.Y, d.M, d.D, int(t)/60, int(t)%60, 0, 0, s.Location())
}

// Today is the office's calendar day at instant now.
func (s Scheduling) Today(now time.Time) Date { return DateOf(now.In(s.Location())) }

// ClosedOn returns the closed day d is, if it is one.
func (s Scheduling) ClosedOn(d Date) (ClosedDay, bool) {
	i, ok := slices.BinarySearchFunc(s.Closed, d, func(c ClosedDay, d Date) int { return c.Date.Time().Compare(d.Time()) })
	if ok {
		return s.Closed[i], true
	}
	return ClosedDay{}, false
}

// OpenOn says whether the office takes appointments on d, and if not, why.
func (s Scheduling) OpenOn(d Date) (bool, string) {
	if c, ok := s.ClosedOn(d); ok {
		if c.Name != "" {
			return false, "closed: " + c.Name
		}
		return false, "closed"
	}
	if len(s.Hours[d.Time().Weekday()]) == 0 {
		return false, "no public hours on " + d.Time().Weekday().String() + "s"
	}
	return true, ""
}

// Session is the slot start times of one window of public hours.
type Session struct {
	Window Window
	Starts []TimeOfDay
}

// Sessions returns d's slot grid, window by window (none when closed).
func (s Scheduling) Sessions(d Date) []Session {
	if ok, _ := s.OpenOn(d); !ok || s.SlotMinutes <= 0 {
		return nil
	}
	var out []Session
	for _, w := range s.Hours[d.Time().Weekday()] {
		ss := Session{Window: w}
		for t := w.Open; t+TimeOfDay(s.SlotMinutes) <= w.Close; t += TimeOfDay(s.SlotMinutes) {
			ss.Starts = append(ss.Starts, t)
		}
		out = append(out, ss)
	}
	return out
}

// OpenAt reports whether instant now falls within the public hours of an
// open day, in the office's time zone.
func (s Scheduling) OpenAt(now time.Time) bool {
	d := s.Today(now)
	if open, _ := s.OpenOn(d); !open {
		return false
	}
	for _, w := range s.Hours[d.Time().Weekday()] {
		if !now.Before(s.At(d, w.Open)) && now.Before(s.At(d, w.Close)) {
			return true
		}
	}
	return false
}

// NextOpening is when public hours next begin after now (false when the
// office has no open day within a year).
func (s Scheduling) NextOpening(now time.Time) (time.Time, bool) {
	today := s.Today(now)
	for i := 0; i <= MaxBookingDays; i++ {
		d := today.AddDays(i)
		if open, _ := s.OpenOn(d); !open {
			continue
		}
		for _, w := range s.Hours[d.Time().Weekday()] {
			if t := s.At(d, w.Open); t.After(now) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// Capacity is how many people d can take: slots times stations.
func (s Scheduling) Capacity(d Date) int {
	n := 0
	for _, ss := range s.Sessions(d) {
		n += len(ss.Starts)
	}
	return n * s.Stations
}

// OtherLimit is how many "All others" people d can take: what the priority
// reserve leaves (the reserve is rounded up, in favour of the priority categories).
func (s Scheduling) OtherLimit(d Date) int {
	c := s.Capacity(d)
	return c - (c*s.PriorityReserve+99)/100
}

// Profile is the whole office profile, the file "fieldprint office export"
// writes: letterhead, capacity and rules in one flat JSON object.
type Profile struct {
	Office
	Scheduling
}

// ParseProfile reads an exported profile. Unknown fields are refused (a
// misspelt key would otherwise be silently ignored) and every field is
// checked; nothing is half-applied.
func ParseProfile(b []byte) (Profile, error) {
	if len(b) > 1<<20 {
		return Profile{}, Errorf(EINVALID, "the profile file is %d bytes; an office profile is a small JSON file (under 1 MB): is it the right file?", len(b))
	}
	// A UTF-8 byte-order mark (Notepad writes one) is fine, as in the CSV
	// import; other encodings are refused with the place, not read as U+FFFD.
	if err := checkUTF8("the profile file", b); err != nil {
		return Profile{}, err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, Errorf(EINVALID, "the profile file is not a Fieldprint office profile: %s", jsonProblem(err))
	}
	if dec.More() {
		return Profile{}, Errorf(EINVALID, "the profile file holds more than one JSON object: export it again with fieldprint office export")
	}
	return p.Normalize()
}

// Normalize checks both halves of the profile.
func (p Profile) Normalize() (Profile, error) {
	var fe FieldErrors
	o, err := p.Office.Normalize()
	if e, ok := err.(*Error); ok {
		fe = append(fe, e.Fields...)
	}
	s, err := p.Scheduling.Normalize()
	if e, ok := err.(*Error); ok {
		fe = append(fe, e.Fields...)
	}
	if err := fe.Err(); err != nil {
		return Profile{}, err
	}
	return Profile{o, s}, nil
}

// jsonProblem turns a decoder error into words a person can act on.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var de *Error
	switch {
	case errors.As(err, &de):
		return de.Message
	case errors.As(err, &se):
		return fmt.Sprintf("the JSON is broken near byte %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field[strings.LastIndex(te.Field, ".")+1:] // the JSON key, not the Go path
		return fmt.Sprintf("field %q should be %s, not a JSON %s", field, te.Type.String(), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + " (check its spelling against an exported profile)"
	}
	return err.Error()
}

// SchedulingInput is the settings as typed in the Settings screen.
type SchedulingInput struct {
	TimeZone, Stations, SlotMinutes string
	Hours                           [7]string // by time.Weekday: "08:00-12:00, 13:00-15:00"
	Closed                          string    // one per line: "2026-12-25 Christmas Day"
	PriorityReserve, WalkInDays     string
	RescheduleLimit, CutoffHours    string
	MissedMode                      string
}

// Input is the inverse of SchedulingInput.Parse.
func (s Scheduling) Input() SchedulingInput {
	in := SchedulingInput{TimeZone: s.TimeZone, Stations: fmt.Sprint(s.Stations), SlotMinutes: fmt.Sprint(s.SlotMinutes),
		PriorityReserve: fmt.Sprint(s.PriorityReserve), WalkInDays: fmt.Sprint(s.WalkInDays),
		RescheduleLimit: fmt.Sprint(s.RescheduleLimit), CutoffHours: fmt.Sprint(s.RescheduleCutoffHours), MissedMode: s.MissedMode}
	for d := range s.Hours {
		in.Hours[d] = FormatWindows(s.Hours[d])
	}
	lines := make([]string, len(s.Closed))
	for i, c := range s.Closed {
		lines[i] = strings.TrimSpace(c.Date.String() + " " + c.Name)
	}
	in.Closed = strings.Join(lines, "\n")
	return in
}

// Parse reads the typed settings; problems are keyed by the Field* names.
func (in SchedulingInput) Parse() (Scheduling, error) {
	var fe FieldErrors
	s := Scheduling{TimeZone: strings.TrimSpace(in.TimeZone), MissedMode: strings.TrimSpace(in.MissedMode)}
	num := func(field, v string, into *int) {
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
		if !allDigits(v) || v == "" || len(v) > 4 {
			fe.Add(field, "%q is not a whole number", v)
			return
		}
		fmt.Sscan(v, into)
	}
	num(FieldStations, in.Stations, &s.Stations)
	num(FieldSlotMinutes, in.SlotMinutes, &s.SlotMinutes)
	num(FieldReserve, in.PriorityReserve, &s.PriorityReserve)
	num(FieldWalkInDays, in.WalkInDays, &s.WalkInDays)
	num(FieldRescheduleLimit, in.RescheduleLimit, &s.RescheduleLimit)
	num(FieldCutoffHours, in.CutoffHours, &s.RescheduleCutoffHours)
	for d := range in.Hours {
		ws, err := ParseWindows(in.Hours[d])
		if err != nil {
			fe.Add(HoursField(time.Weekday(d)), "%s", ErrorMessage(err))
		}
		s.Hours[d] = ws
	}
	for i, line := range strings.Split(strings.ReplaceAll(in.Closed, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ds, name, _ := strings.Cut(line, " ")
		d, err := ParseDate(ds)
		if err != nil {
			fe.Add(FieldClosed, "line %d: %s (write a closed day as 2026-12-25 Christmas Day)", i+1, ErrorMessage(err))
			continue
		}
		s.Closed = append(s.Closed, ClosedDay{Date: d, Name: name})
	}
	if len(fe) > 0 {
		// Report the typing problems with whatever else is wrong.
		if _, err := s.Normalize(); err != nil {
			for _, f := range err.(*Error).Fields {
				if len(fe.For(f.Field)) == 0 {
					fe = append(fe, f)
				}
			}
		}
		return s, fe.Err()
	}
	return s.Normalize()
}
