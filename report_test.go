package fieldprint

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	nov := MonthPeriod(Date{2026, 11, 20})
	if nov.From != (Date{2026, 11, 1}) || nov.To != (Date{2026, 11, 30}) || nov.Days() != 30 {
		t.Errorf("November: %v, %d days", nov, nov.Days())
	}
	if prev := nov.Previous(); prev.From != (Date{2026, 10, 2}) || prev.To != (Date{2026, 10, 31}) {
		t.Errorf("the 30 days before November: %v", prev)
	}
	if feb := MonthPeriod(Date{2028, 2, 10}); feb.To != (Date{2028, 2, 29}) {
		t.Errorf("a leap February: %v", feb)
	}
	for _, tt := range []struct {
		from, to string
		want     Period
		err      string
	}{
		{"2026-11", "", Period{Date{2026, 11, 1}, Date{2026, 11, 30}}, ""},
		{"2026-11-01..2026-11-15", "", Period{Date{2026, 11, 1}, Date{2026, 11, 15}}, ""},
		{"2026-11-01", "2026-11-07", Period{Date{2026, 11, 1}, Date{2026, 11, 7}}, ""},
		{"2026-11-07", "2026-11-01", Period{}, "ends (2026-11-01) before it begins"},
		{"2025-01-01", "2026-12-31", Period{}, "at most 400"},
		{"November", "", Period{}, "give a month (2026-11)"},
		{"2026-11-01", "tomorrow", Period{}, "YYYY-MM-DD"},
	} {
		p, err := ParsePeriod(tt.from, tt.to)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q %q: %v, want %q", tt.from, tt.to, err, tt.err)
			}
		case err != nil || p != tt.want:
			t.Errorf("%q %q: %v %v", tt.from, tt.to, p, err)
		}
	}
}

func TestPercentile(t *testing.T) {
	f := Figure{Wait: true}
	if _, ok := f.Percentile(50); ok || f.Value() != "none measured" {
		t.Errorf("empty: %q", f.Value())
	}
	for _, d := range []int{9, 1, 3, 7, 5, 2, 4, 8, 6, 10} {
		f.Items = append(f.Items, ReportItem{Days: d})
	}
	if m, _ := f.Percentile(50); m != 5 {
		t.Errorf("median of 1..10: %d", m)
	}
	if p, _ := f.Percentile(90); p != 9 {
		t.Errorf("90th percentile of 1..10: %d", p)
	}
	if v := f.Value(); v != "median 5 days, 90th percentile 9 days (10 measured)" {
		t.Errorf("value %q", v)
	}
	f.Items = f.Items[:1]
	if m, _ := f.Percentile(50); m != 9 {
		t.Errorf("one item: %d", m)
	}
}

func TestPrintEventOf(t *testing.T) {
	for _, tt := range []struct {
		e       AuditEntry
		doc     string
		copy    int
		reprint bool
		ok      bool
	}{
		{AuditEntry{Action: ActionLetterPrint, Note: "appointment letter, copy 1, sha256 ab"}, "appointment letter", 1, false, true},
		{AuditEntry{Action: ActionLetterPrint, Note: "appointment letter in a batch of 12, copy 3, sha256 ab; reprint: lost"}, "appointment letter", 3, true, true},
		{AuditEntry{Action: ActionRecordPrint, Note: "denial letter, copy 2, sha256 ab"}, "denial letter", 2, true, true},
		{AuditEntry{Action: ActionRecordPrint, Note: "record, copy 1, sha256 ab"}, "record", 1, false, true},
		{AuditEntry{Action: ActionStampPrint, Note: "copy 1"}, "stamped notice", 1, false, true},
		{AuditEntry{Action: ActionStampPrint, Note: "copy 4"}, "stamped notice", 4, true, true},
		{AuditEntry{Action: ActionRequestCreate}, "", 0, false, false},
	} {
		ev, ok := PrintEventOf(tt.e)
		if ok != tt.ok || ok && (ev.Document != tt.doc || ev.Copy != tt.copy || ev.Reprint != tt.reprint) {
			t.Errorf("%+v: %+v %v", tt.e, ev, ok)
		}
	}
	if (PrintEvent{Document: "record"}).Letter() || !(PrintEvent{Document: "missing-documents letter"}).Letter() {
		t.Error("Letter")
	}
}

// reportSource is a month of an office with one of each thing a figure
// counts, and one of each thing it must not.
func reportSource(t *testing.T) (Period, ReportSource) {
	t.Helper()
	s := DefaultScheduling()
	s.TimeZone = "UTC"
	s.Stations = 2
	nov := MonthPeriod(Date{2026, 11, 1})
	at := func(d Date, h int) time.Time { return time.Date(d.Y, d.M, d.D, h, 0, 0, 0, time.UTC) }
	day := func(m time.Month, d int) Date { return Date{2026, m, d} }
	src := ReportSource{Scheduling: s, Uses: map[Date][]SlotUse{}}
	src.Received = []ReceivedEntry{
		{1, day(11, 2), CategoryMilitary, StatusCompleted},
		{2, day(11, 3), CategoryOther, StatusReadyToSchedule},
		{3, day(11, 30), CategoryAdoption, StatusNew},
		{4, day(10, 31), CategoryOther, StatusDenied}, // the previous period
		{5, day(12, 1), CategoryMilitary, StatusNew},  // after
	}
	src.Decisions = []DecisionEvent{
		{1, "FP-2026-00001", CategoryMilitary, day(11, 2), day(11, 4), StatusNew, StatusReadyToSchedule},
		{2, "FP-2026-00002", CategoryOther, day(11, 3), day(11, 13), StatusDirectorReview, StatusReadyToSchedule},
		{4, "FP-2026-00004", CategoryOther, day(10, 31), day(11, 20), StatusDirectorReview, StatusDenied},
		{6, "FP-2026-00006", CategoryOther, day(10, 1), day(10, 10), StatusNew, StatusDenied},                  // previous period
		{7, "FP-2026-00007", CategoryMilitary, day(11, 1), day(11, 5), StatusNew, StatusAwaitingDocuments},     // not a decision
		{8, "FP-2026-00008", CategoryMilitary, day(11, 1), day(11, 6), StatusReadyToSchedule, StatusScheduled}, // not a decision
	}
	r1 := &Request{ID: 1, Number: "FP-2026-00001", Category: CategoryMilitary, Received: day(11, 2), Applicant: Person{FullName: "Ann Lee"},
		History: []Transition{{At: at(day(11, 2), 9), To: StatusNew}, {At: at(day(11, 4), 10), From: StatusNew, To: StatusReadyToSchedule}},
		Appointments: []Appointment{
			{ID: 1, Day: day(11, 9), Start: 8 * 60, Station: 1, Status: ApptCancelled},
			{ID: 2, Day: day(11, 16), Start: 8 * 60, Station: 1, Status: ApptMissed, Reschedules: 1},
			{ID: 3, Day: day(11, 18), Start: 8 * 60, Station: 1, Status: ApptCollected, WalkIn: true},
		}}
	r2 := &Request{ID: 2, Number: "FP-2026-00002", Category: CategoryOther, Received: day(11, 3), Applicant: Person{FullName: "Bo Lee"},
		Household: []Person{{ID: 1, FullName: "Cy Lee"}},
		History:   []Transition{{At: at(day(11, 13), 10), From: StatusDirectorReview, To: StatusReadyToSchedule}},
		Appointments: []Appointment{
			{ID: 1, Day: day(11, 23), Start: 9 * 60, Station: 1, Status: ApptCollected, Reschedules: 2},
			{ID: 2, PersonID: 1, Day: day(11, 23), Start: 9 * 60, Station: 2, Status: ApptCollected},
			{ID: 3, Day: day(12, 2), Start: 9 * 60, Station: 1, Status: ApptBooked}, // after the period
		}}
	r3 := &Request{ID: 3, Number: "FP-2026-00003", Category: CategoryMilitary, Received: day(9, 1),
		Appointments: []Appointment{{ID: 1, Day: day(11, 10), Status: ApptCollected, FromImport: true}}}
	src.Requests = []*Request{r1, r2, r3}
	src.Uses[day(11, 16)] = []SlotUse{{Day: day(11, 16), Start: 8 * 60, Station: 1, Request: 1, Number: "FP-2026-00001", Status: ApptMissed}}
	src.Uses[day(11, 23)] = []SlotUse{{Day: day(11, 23), Start: 9 * 60, Station: 1, Request: 2, Status: ApptCollected, Category: CategoryOther},
		{Day: day(11, 23), Start: 9 * 60, Station: 2, Request: 2, PersonID: 1, Status: ApptCollected, Category: CategoryOther}}
	src.Prints = []PrintEvent{
		{1, "FP-2026-00001", day(11, 5), "appointment letter", 1, false},
		{1, "FP-2026-00001", day(11, 10), "appointment letter", 2, true},
		{2, "FP-2026-00002", day(11, 23), "stamped notice", 1, false},
		{2, "FP-2026-00002", day(11, 24), "stamped notice", 2, true},
		{4, "FP-2026-00004", day(11, 21), "denial letter", 1, false},
		{1, "FP-2026-00001", day(11, 21), "record", 3, true}, // a record sheet: not a letter
		{2, "FP-2026-00002", day(10, 21), "appointment letter", 1, false},
	}
	src.Purges = []ReportItem{{Number: "FP-2025-00009", Day: day(11, 28)}}
	return nov, src
}

func TestBuildReport(t *testing.T) {
	p, src := reportSource(t)
	r, err := BuildReport(p, src)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(key string, before bool) []RequestID {
		var out []RequestID
		for _, it := range r.Figure(key, before).Items {
			out = append(out, it.Request)
		}
		return out
	}
	for _, tt := range []struct {
		key    string
		before bool
		want   []RequestID
	}{
		{FigReceived, false, []RequestID{1, 2, 3}},
		{FigReceivedIn(CategoryOther), false, []RequestID{2}},
		{FigReceivedIn(CategoryAdoption), false, []RequestID{3}},
		{FigReceived, true, []RequestID{4}},
		{FigDecided, false, []RequestID{1, 2, 4}},
		{FigDecided, true, []RequestID{6}},
		{FigOtherApproved, false, []RequestID{2}},
		{FigOtherDenied, false, []RequestID{4}},
		{FigAppointWait, false, []RequestID{1, 2}},
		{FigBooked, false, []RequestID{1, 2, 2}},       // r1's missed; r2's two people (cancelled, walk-in, import, December left out)
		{FigCompleted, false, []RequestID{1, 2, 2}},    // r1's walk-in; r2's two
		{FigMissed, false, []RequestID{1}},             //
		{FigRescheduled, false, []RequestID{1, 2}},     // moved once, and twice
		{FigCapacityUsed, false, []RequestID{1, 2, 2}}, // the slots held
		{FigLetters, false, []RequestID{1, 1, 4}},
		{FigReprints, false, []RequestID{1, 2}},
		{FigStamps, false, []RequestID{2}},
		{FigLetters, true, []RequestID{2}},
	} {
		if got := ids(tt.key, tt.before); !slices.Equal(got, tt.want) {
			t.Errorf("%s (before %v): %v, want %v", tt.key, tt.before, got, tt.want)
		}
	}
	// Waits: received to decision, decision to the first appointment.
	w := r.Figure(FigDecisionWait, false)
	if len(w.Items) != 3 || w.Items[0].Days != 2 || w.Items[1].Days != 10 || w.Items[2].Days != 20 {
		t.Errorf("decision waits %+v", w.Items)
	}
	if m, _ := w.Percentile(50); m != 10 || w.Value() != "median 10 days, 90th percentile 20 days (3 measured)" {
		t.Errorf("median %d, %q", m, w.Value())
	}
	a := r.Figure(FigAppointWait, false)
	// r1: decided 4 November, first appointment that counts 16 November (the cancelled one does not).
	if a.Items[0].Days != 12 || a.Items[1].Days != 10 {
		t.Errorf("appointment waits %+v", a.Items)
	}
	if got := r.Figure(FigRescheduled, false); got.Flagged() != 1 || !got.Items[1].Flag {
		t.Errorf("rescheduled twice is flagged: %+v", got.Items)
	}
	if got := r.Figure(FigPurges, false); got.Count() != 1 || got.Items[0].Number != "FP-2025-00009" {
		t.Errorf("purges %+v", got.Items)
	}
	// Capacity: 21 open weekdays of 16 slots on 2 stations.
	used, avail := r.Available()
	if len(r.Days) != 30 || used != 3 || avail != 21*16*2 {
		t.Errorf("capacity: %d days, %d of %d", len(r.Days), used, avail)
	}
	// Weeks: Monday 26 October's week cut to 1 November, then whole weeks, then 30 November.
	if len(r.Weeks) != 6 || r.Weeks[0].From != (Date{2026, 11, 1}) || r.Weeks[0].To != (Date{2026, 11, 1}) ||
		r.Weeks[1].From != (Date{2026, 11, 2}) || r.Weeks[5].From != (Date{2026, 11, 30}) {
		t.Fatalf("weeks %+v", r.Weeks)
	}
	if r.Weeks[1].Received[CategoryMilitary] != 1 || r.Weeks[1].Received[CategoryOther] != 1 || len(r.Weeks[1].Items) != 2 || r.Weeks[5].Received[CategoryAdoption] != 1 {
		t.Errorf("weekly volume %+v", r.Weeks)
	}
	if len(r.Weeks[1].Decisions.Items) != 1 || len(r.Weeks[2].Decisions.Items) != 1 || len(r.Weeks[3].Decisions.Items) != 1 {
		t.Errorf("weekly decisions %+v", r.Weeks)
	}
	// Changes against the previous period.
	if c := r.Change(FigReceived); c != "+2" {
		t.Errorf("received change %q", c)
	}
	if c := r.Change(FigDecisionWait); c != "+1 days" { // median 10 against 9
		t.Errorf("wait change %q", c)
	}
	if c := r.Change(FigPurges); c != "+1" {
		t.Errorf("purges change %q", c)
	}
	// Every figure's number is its list's length, in both periods: one list.
	for _, fs := range [][]Figure{r.Figures, r.Before} {
		for _, f := range fs {
			if f.Items == nil {
				t.Errorf("%s: a nil list", f.Key)
			}
		}
	}
	if _, err := BuildReport(Period{p.To, p.From}, src); err == nil {
		t.Error("a reversed period was accepted")
	}
}
