package fieldprint

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// How the office is doing, for a period and the one before it: what it
// received, how long requests waited for a decision and for an
// appointment, what the director decided on "All others", how the
// appointments went, how full the days were, what was printed, what was
// purged. Every number is the length of the list of requests behind it
// (Figure.Items), so the count and its drill-down never disagree. The
// workflow gathers the events (Desk.Report); BuildReport is the rule.

// ActionRequestPurge is what a purge of an applicant's data records in the
// audit trail (the purge itself comes with the data-protection work); the
// report counts these entries.
const ActionRequestPurge = "request.purge"

// Period is a span of the office's days, both ends included.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// MaxReportDays bounds a report's period: a year and a little.
const MaxReportDays = 400

// Days is how many days p spans.
func (p Period) Days() int { return p.From.DaysUntil(p.To) + 1 }

// Contains says whether d is one of p's days. Dates compare as YYYYMMDD
// numbers (a Date is a real day: DateOf, ParseDate), which a report does
// hundreds of thousands of times.
func (p Period) Contains(d Date) bool {
	k := d.ordinal()
	return k >= p.From.ordinal() && k <= p.To.ordinal()
}

// ordinal is d as the number YYYYMMDD, in the order of the days.
func (d Date) ordinal() int { return d.Y*10000 + int(d.M)*100 + d.D }

// Previous is the period of the same length just before p.
func (p Period) Previous() Period {
	return Period{From: p.From.AddDays(-p.Days()), To: p.From.AddDays(-1)}
}

func (p Period) String() string { return p.From.String() + " to " + p.To.String() }

// Validate refuses an empty, reversed or too long period.
func (p Period) Validate() error {
	switch {
	case p.From.IsZero() || p.To.IsZero():
		return Errorf(EINVALID, "a report needs a first and a last day (YYYY-MM-DD)")
	case p.To.Before(p.From):
		return Errorf(EINVALID, "the period ends (%s) before it begins (%s): swap the dates", p.To, p.From)
	case p.Days() > MaxReportDays:
		return Errorf(EINVALID, "the period has %d days: a report covers at most %d", p.Days(), MaxReportDays)
	}
	return nil
}

// MonthPeriod is the calendar month of d.
func MonthPeriod(d Date) Period {
	first := Date{d.Y, d.M, 1}
	return Period{From: first, To: DateOf(first.Time().AddDate(0, 1, -1))}
}

// ParsePeriod reads a period as people give it: "2026-11" (a month),
// "2026-11-01..2026-11-30" or two dates (from, to).
func ParsePeriod(from, to string) (Period, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if a, b, ok := strings.Cut(from, ".."); ok && to == "" {
		from, to = a, b
	}
	if to == "" {
		if t, err := time.Parse("2006-01", from); err == nil {
			return MonthPeriod(DateOf(t)), nil
		}
		return Period{}, Errorf(EINVALID, "%q is not a period: give a month (2026-11) or the first and last day (2026-11-01..2026-11-30)", from)
	}
	f, err := ParseDate(from)
	if err != nil {
		return Period{}, err
	}
	t, err := ParseDate(to)
	if err != nil {
		return Period{}, err
	}
	p := Period{f, t}
	return p, p.Validate()
}

// ReportItem is one thing a figure counts: a request, the day it happened,
// and what it was.
type ReportItem struct {
	Request RequestID `json:"request_id"`
	Number  string    `json:"request,omitempty"`
	Day     Date      `json:"day"`
	// Detail says what happened, in words ("denied", "Łukasz Żółć 09:15
	// station 2", "appointment letter, copy 2").
	Detail string `json:"detail,omitempty"`
	// Days is the wait a waiting-time figure measures.
	Days int `json:"days,omitempty"`
	// Flag marks an item worth a look: rescheduled two times or more.
	Flag bool `json:"flag,omitempty"`
}

// Figure is one number of the report and the list behind it: the number is
// always len(Items).
type Figure struct {
	Key   string       `json:"key"`
	Label string       `json:"label"`
	Items []ReportItem `json:"items"`
	// Wait: the figure measures days (Items' Days): its median and 90th
	// percentile are what people read.
	Wait bool `json:"wait,omitempty"`
}

// Count is how many items the figure counts.
func (f Figure) Count() int { return len(f.Items) }

// Flagged is how many items are flagged.
func (f Figure) Flagged() int {
	n := 0
	for _, it := range f.Items {
		if it.Flag {
			n++
		}
	}
	return n
}

// Percentile is the q-th percentile (0 < q <= 100) of the items' Days by
// the nearest-rank method (the median of 1, 2, 3, 4 is 2; of 1..5 is 3);
// ok is false without items.
func (f Figure) Percentile(q float64) (days int, ok bool) {
	if len(f.Items) == 0 {
		return 0, false
	}
	ds := make([]int, len(f.Items))
	for i, it := range f.Items {
		ds[i] = it.Days
	}
	slices.Sort(ds)
	rank := int(math.Ceil(q / 100 * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1], true
}

// Value is the figure as people read it: the count, or for a wait its
// median and 90th percentile in days.
func (f Figure) Value() string {
	if !f.Wait {
		return strconv.Itoa(f.Count())
	}
	m, ok := f.Percentile(50)
	if !ok {
		return "none measured"
	}
	p, _ := f.Percentile(90)
	return fmt.Sprintf("median %d days, 90th percentile %d days (%d measured)", m, p, f.Count())
}

// The figures' keys, in the report's order.
const (
	FigReceived       = "received"
	FigDecided        = "decided"
	FigDecisionWait   = "wait.decision"
	FigOtherApproved  = "other.approved"
	FigOtherDenied    = "other.denied"
	FigAppointWait    = "wait.appointment"
	FigBooked         = "appointments.booked"
	FigCompleted      = "appointments.completed"
	FigMissed         = "appointments.missed"
	FigRescheduled    = "appointments.rescheduled"
	FigCapacityUsed   = "capacity.used"
	FigLetters        = "letters.printed"
	FigReprints       = "reprints"
	FigStamps         = "stamps.issued"
	FigPurges         = "purges"
	figReceivedPrefix = "received."
)

// FigReceivedIn is the key of the requests received in category c.
func FigReceivedIn(c Category) string { return figReceivedPrefix + string(c) }

// Report is the office's report for Period, with the same figures for
// Previous (the period of the same length before it) to compare.
type Report struct {
	Period   Period   `json:"period"`
	Previous Period   `json:"previous"`
	Figures  []Figure `json:"figures"`
	Before   []Figure `json:"previous_figures"`
	// Days is each day of the period: its capacity and the places used.
	Days []DayLoad `json:"days"`
	// Weeks are the weeks (Monday to Sunday) the period touches: requests
	// received by category, and decisions with their waits.
	Weeks []ReportWeek `json:"weeks"`
}

// ReportWeek is one week of the charts, cut to the period.
type ReportWeek struct {
	From, To Date
	Received map[Category]int `json:"received"`
	// Items are the requests received that week (the bar's drill-down).
	Items []ReportItem `json:"items"`
	// Decisions are the week's decisions and their waits (the trend).
	Decisions Figure `json:"decisions"`
}

// Figure returns the figure of key (for the period, or with before the
// previous period's).
func (r Report) Figure(key string, before bool) Figure {
	fs := r.Figures
	if before {
		fs = r.Before
	}
	for _, f := range fs {
		if f.Key == key {
			return f
		}
	}
	return Figure{Key: key}
}

// Available is how many places the period's days offered; Used how many
// were taken.
func (r Report) Available() (used, available int) {
	for _, d := range r.Days {
		used += d.Booked
		available += d.Capacity
	}
	return used, available
}

// Change says how a figure moved from the previous period: "+3", "−2",
// "no change", or for a wait its median's move in days.
func (r Report) Change(key string) string {
	now, was := r.Figure(key, false), r.Figure(key, true)
	a, b := now.Count(), was.Count()
	if now.Wait {
		m1, ok1 := now.Percentile(50)
		m0, ok0 := was.Percentile(50)
		if !ok1 || !ok0 {
			return "—"
		}
		a, b = m1, m0
		switch {
		case a == b:
			return "same median"
		case a > b:
			return fmt.Sprintf("+%d days", a-b)
		}
		return fmt.Sprintf("-%d days", b-a)
	}
	switch {
	case a == b:
		return "no change"
	case a > b:
		return fmt.Sprintf("+%d", a-b)
	}
	return fmt.Sprintf("-%d", b-a)
}

// ReceivedEntry is a request as the received index holds it.
type ReceivedEntry struct {
	Request  RequestID
	Day      Date
	Category Category
	Status   Status
}

// DecisionEvent is a status change out of the waiting statuses into ready
// to schedule (marked eligible, or approved by the director) or denied,
// as the audit trail recorded it, with the request's received day.
type DecisionEvent struct {
	Request  RequestID
	Number   string
	Category Category
	Received Date
	Day      Date   // the office's day of the change
	From, To Status // the change
}

// IsDecision says whether a change from one status to another is a
// decision: out of new, awaiting documents or director review, into ready
// to schedule or denied.
func IsDecision(from, to Status) bool {
	return (from == StatusNew || from == StatusAwaitingDocuments || from == StatusDirectorReview) &&
		(to == StatusReadyToSchedule || to == StatusDenied)
}

// PrintEvent is a printing the audit trail recorded: a letter (appointment,
// denial, missing documents), a stamped notice, or a record sheet.
type PrintEvent struct {
	Request  RequestID
	Number   string
	Day      Date
	Document string // "appointment letter", "denial letter", "stamped notice", "record", …
	Copy     int    // the copy number (0: not said)
	Reprint  bool   // printed again
}

// Letter says whether the document is a letter to the applicant.
func (e PrintEvent) Letter() bool { return strings.Contains(e.Document, "letter") }

// PrintEventOf reads a printing from its audit entry (letter.print,
// record.print, stamp.print) as the workflow writes them; ok is false for
// any other entry.
func PrintEventOf(e AuditEntry) (PrintEvent, bool) {
	ev := PrintEvent{Number: e.Request}
	copyOf := func(s string) int {
		_, rest, _ := strings.Cut(s, "copy ")
		end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(rest)
		}
		n, _ := strconv.Atoi(rest[:end])
		return n
	}
	switch e.Action {
	case ActionLetterPrint: // "appointment letter[ in a batch of N], copy N, sha256 …[; reprint[: reason]]"
		ev.Document, ev.Copy = "appointment letter", copyOf(e.Note)
		ev.Reprint = strings.Contains(e.Note, "; reprint")
	case ActionRecordPrint: // "DOCUMENT, copy N, sha256 …"
		doc, _, _ := strings.Cut(e.Note, ", copy ")
		ev.Document, ev.Copy = doc, copyOf(e.Note)
		ev.Reprint = ev.Copy > 1
	case ActionStampPrint: // "copy N"
		ev.Document, ev.Copy = "stamped notice", copyOf(e.Note)
		ev.Reprint = ev.Copy > 1
	default:
		return ev, false
	}
	return ev, true
}

// ReportSource is what the workflow gathers for BuildReport, for both
// periods (from the first day of the previous period to the last of this).
type ReportSource struct {
	Received  []ReceivedEntry
	Decisions []DecisionEvent
	Prints    []PrintEvent
	Purges    []ReportItem
	// Requests are the requests with an appointment on one of the days.
	Requests []*Request
	// Uses are the booked slots of each day of both periods.
	Uses       map[Date][]SlotUse
	Scheduling Scheduling
}

// BuildReport counts the report of p from src: the rule of every figure.
//
//   - Received: requests whose received day is in the period, by category.
//   - Decided: decisions (IsDecision) made in the period; the wait is from
//     the received day to the decision's day.
//   - All others approved / denied: the period's decisions on "All others"
//     requests into ready to schedule, and into denied.
//   - Waiting for an appointment: for each request whose applicant's first
//     appointment (not cancelled, not a collection brought by an import)
//     falls in the period, the days from the request's latest decision
//     into ready to schedule before it to that day.
//   - Appointments booked: every person's appointment on a day of the
//     period (not cancelled, not a walk-in, not from an import); completed:
//     collected on such a day (walk-ins included); missed; rescheduled: the
//     booked ones whose person was moved at least once, flagged from two.
//   - Capacity used: the places taken on each day against the day's places.
//   - Letters printed: each letter to an applicant printed in the period
//     (a batch counts each request's); reprints: each document printed
//     again (letters, stamped notices); stamped notices issued: first
//     copies. Purges: each request purged.
func BuildReport(p Period, src ReportSource) (Report, error) {
	if err := p.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{Period: p, Previous: p.Previous()}
	rep.Figures = figures(p, src)
	rep.Before = figures(rep.Previous, src)
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		rep.Days = append(rep.Days, src.Scheduling.Load(d, src.Uses[d]))
	}
	first := p.From.AddDays(-int((p.From.Time().Weekday() + 6) % 7)) // the Monday of its first week
	for start := first; !start.After(p.To); start = start.AddDays(7) {
		rep.Weeks = append(rep.Weeks, ReportWeek{From: maxDate(start, p.From), To: minDate(start.AddDays(6), p.To), Received: map[Category]int{},
			Decisions: Figure{Key: FigDecisionWait, Label: "Time from request to decision", Wait: true, Items: []ReportItem{}}})
	}
	week := func(d Date) *ReportWeek { // nil: not in the period
		if !p.Contains(d) {
			return nil
		}
		return &rep.Weeks[first.DaysUntil(d)/7]
	}
	for _, it := range rep.Figure(FigReceived, false).Items {
		if w := week(it.Day); w != nil {
			w.Items = append(w.Items, it)
		}
	}
	for _, e := range src.Received {
		if w := week(e.Day); w != nil {
			w.Received[e.Category]++
		}
	}
	for _, it := range rep.Figure(FigDecisionWait, false).Items {
		if w := week(it.Day); w != nil {
			w.Decisions.Items = append(w.Decisions.Items, it)
		}
	}
	return rep, nil
}

func maxDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b Date) Date {
	if a.Before(b) {
		return a
	}
	return b
}

// figures counts every figure of one period.
func figures(p Period, src ReportSource) []Figure {
	fig := func(key, label string) Figure { return Figure{Key: key, Label: label, Items: []ReportItem{}} }
	received := fig(FigReceived, "Requests received")
	byCat := map[Category]*Figure{}
	var cats []Figure
	for _, c := range Categories {
		cats = append(cats, fig(FigReceivedIn(c), "Received: "+c.Short()))
	}
	for i := range cats {
		byCat[Categories[i]] = &cats[i]
	}
	in := map[Category]int{} // the lists' lengths, to make them once
	for _, e := range src.Received {
		if p.Contains(e.Day) {
			in[e.Category]++
			in[""]++
		}
	}
	received.Items = make([]ReportItem, 0, in[""])
	for c, f := range byCat {
		f.Items = make([]ReportItem, 0, in[c])
	}
	for _, e := range src.Received {
		if !p.Contains(e.Day) {
			continue
		}
		it := ReportItem{Request: e.Request, Day: e.Day, Detail: e.Category.Short()}
		received.Items = append(received.Items, it)
		if f := byCat[e.Category]; f != nil {
			f.Items = append(f.Items, it)
		}
	}

	decided := fig(FigDecided, "Decisions made")
	wait := fig(FigDecisionWait, "Time from request to decision")
	wait.Wait = true
	approved := fig(FigOtherApproved, "All others approved")
	denied := fig(FigOtherDenied, "All others denied")
	for _, e := range src.Decisions {
		if !p.Contains(e.Day) || !IsDecision(e.From, e.To) {
			continue
		}
		what := "marked eligible"
		switch {
		case e.To == StatusDenied:
			what = "denied"
		case e.From == StatusDirectorReview:
			what = "approved by the director"
		}
		it := ReportItem{Request: e.Request, Number: e.Number, Day: e.Day, Detail: what}
		decided.Items = append(decided.Items, it)
		if !e.Received.IsZero() {
			it.Days = e.Received.DaysUntil(e.Day)
			it.Detail = fmt.Sprintf("%s after %d %s", what, it.Days, plural(it.Days, "day", "days"))
			wait.Items = append(wait.Items, it)
		}
		if e.Category == CategoryOther {
			if e.To == StatusDenied {
				denied.Items = append(denied.Items, it)
			} else {
				approved.Items = append(approved.Items, it)
			}
		}
	}

	apWait := fig(FigAppointWait, "Time from decision to appointment")
	apWait.Wait = true
	booked := fig(FigBooked, "Appointments booked")
	completed := fig(FigCompleted, "Appointments completed")
	missed := fig(FigMissed, "Appointments missed")
	moved := fig(FigRescheduled, "Appointments rescheduled (two or more flagged)")
	for _, r := range src.Requests {
		first, hasFirst := r.firstAppointment()
		if hasFirst && p.Contains(first.Day) {
			if d, ok := r.decidedBefore(first.Day, src.Scheduling.Location()); ok {
				n := d.DaysUntil(first.Day)
				apWait.Items = append(apWait.Items, ReportItem{Request: r.ID, Number: r.Number, Day: first.Day, Days: n,
					Detail: fmt.Sprintf("decided %s, appointment %s: %d %s", d, first.Day, n, plural(n, "day", "days"))})
			}
		}
		for _, ap := range r.Appointments {
			if ap.Status == ApptCancelled || ap.FromImport || !p.Contains(ap.Day) {
				continue
			}
			who, _ := r.Person(ap.PersonID)
			it := ReportItem{Request: r.ID, Number: r.Number, Day: ap.Day,
				Detail: fmt.Sprintf("%s, %s %s station %d, %s", who.FullName, ap.Day, ap.Start, ap.Station, strings.ToLower(ap.Status.Label()))}
			if ap.WalkIn {
				it.Detail = fmt.Sprintf("%s, %s walk-in, %s", who.FullName, ap.Day, strings.ToLower(ap.Status.Label()))
			}
			switch ap.Status {
			case ApptCollected:
				completed.Items = append(completed.Items, it)
			case ApptMissed:
				missed.Items = append(missed.Items, it)
			}
			if ap.WalkIn {
				continue
			}
			booked.Items = append(booked.Items, it)
			if n := r.Reschedules(ap.PersonID); n > 0 {
				it.Detail += fmt.Sprintf(", moved %d×", n)
				it.Flag = n >= 2
				moved.Items = append(moved.Items, it)
			}
		}
	}
	used := fig(FigCapacityUsed, "Places used")
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		for _, u := range src.Uses[d] {
			if u.Status.HoldsSlot() {
				used.Items = append(used.Items, ReportItem{Request: u.Request, Number: u.Number, Day: d,
					Detail: fmt.Sprintf("%s %s station %d, %s", d, u.Start, u.Station, strings.ToLower(u.Status.Label()))})
			}
		}
	}

	letters := fig(FigLetters, "Letters printed")
	reprints := fig(FigReprints, "Reprints (printed again)")
	stamps := fig(FigStamps, "Stamped notices issued")
	for _, e := range src.Prints {
		if !p.Contains(e.Day) {
			continue
		}
		it := ReportItem{Request: e.Request, Number: e.Number, Day: e.Day, Detail: e.Document}
		if e.Copy > 0 {
			it.Detail += fmt.Sprintf(", copy %d", e.Copy)
		}
		if e.Letter() {
			letters.Items = append(letters.Items, it)
		}
		if e.Reprint && (e.Letter() || e.Document == "stamped notice") {
			reprints.Items = append(reprints.Items, it)
		}
		if e.Document == "stamped notice" && !e.Reprint {
			stamps.Items = append(stamps.Items, it)
		}
	}
	purges := fig(FigPurges, "Requests purged")
	for _, it := range src.Purges {
		if p.Contains(it.Day) {
			purges.Items = append(purges.Items, it)
		}
	}
	out := []Figure{received}
	out = append(out, cats...)
	out = append(out, decided, wait, approved, denied, apWait, booked, completed, missed, moved, used, letters, reprints, stamps, purges)
	for i := range out {
		sortItems(out[i].Items)
	}
	return out
}

// sortItems orders a list by day, then request, then detail.
func sortItems(items []ReportItem) {
	order := func(a, b ReportItem) int {
		return cmp.Or(cmp.Compare(a.Day.ordinal(), b.Day.ordinal()), cmp.Compare(a.Request, b.Request), strings.Compare(a.Detail, b.Detail))
	}
	if !slices.IsSortedFunc(items, order) { // the received index gives them in order
		slices.SortStableFunc(items, order)
	}
}

// firstAppointment is the applicant's first appointment that counts: not
// cancelled, not a collection an import brought.
func (r *Request) firstAppointment() (Appointment, bool) {
	var first Appointment
	found := false
	for _, ap := range r.Appointments {
		if ap.PersonID != 0 || ap.Status == ApptCancelled || ap.FromImport {
			continue
		}
		if !found || ap.Day.Before(first.Day) {
			first, found = ap, true
		}
	}
	return first, found
}

// decidedBefore is the office's day of r's latest decision into ready to
// schedule on or before day (in the office's zone loc).
func (r *Request) decidedBefore(day Date, loc *time.Location) (Date, bool) {
	var out Date
	found := false
	for _, h := range r.History {
		if h.To != StatusReadyToSchedule || !IsDecision(h.From, h.To) {
			continue
		}
		if d := DateOf(h.At.In(loc)); !d.After(day) {
			out, found = d, true
		}
	}
	return out, found
}

// WriteReportCSV writes rep as CSV, one row per figure: its number now and
// before, the change, for the waits their median and 90th percentile in
// days; then the places offered and used. The CLI and the window export it.
func WriteReportCSV(w io.Writer, rep Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "figure", "from", "to", "count", "previous_count", "change", "median_days", "p90_days", "previous_median_days", "flagged"})
	cell := func(f Figure, q float64) string {
		if v, ok := f.Percentile(q); ok && f.Wait {
			return strconv.Itoa(v)
		}
		return ""
	}
	from, to := rep.Period.From.String(), rep.Period.To.String()
	for _, f := range rep.Figures {
		b := rep.Figure(f.Key, true)
		cw.Write(EscapeCSVCells([]string{f.Key, f.Label, from, to, strconv.Itoa(f.Count()), strconv.Itoa(b.Count()),
			rep.Change(f.Key), cell(f, 50), cell(f, 90), cell(b, 50), strconv.Itoa(f.Flagged())}))
	}
	used, avail := rep.Available()
	cw.Write([]string{"capacity.available", "Places offered", from, to, strconv.Itoa(avail), "", "", "", "", "", ""})
	cw.Write([]string{"capacity.used.places", "Places used", from, to, strconv.Itoa(used), "", "", "", "", "", ""})
	cw.Flush()
	return cw.Error()
}
