package workflow

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// exported is the office's exported data: the JSON export (records,
// histories, appointments) and the audit list.
type exported struct {
	recs  []fp.ExportRecord
	audit []fp.AuditEntry
	loc   *time.Location
	ids   map[fp.RequestID]string // request numbers, for the report's items
}

func exportOf(t testing.TB, db *Desk, a fp.Actor) exported {
	t.Helper()
	rs, err := db.LoadRequests(fp.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fp.WriteExportJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	x := exported{loc: db.Location(), ids: map[fp.RequestID]string{}}
	for _, r := range rs {
		x.ids[r.ID] = r.Number
	}
	if err := json.Unmarshal(buf.Bytes(), &x.recs); err != nil {
		t.Fatal(err)
	}
	if x.audit, err = db.FindAudit(a, fp.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	return x
}

// counts counts what a report of p says from the exported data alone,
// written here again from the report's definitions, not with its code. It
// returns, for each figure, the request numbers it counts (a number as
// often as counted) and, for the waits, the days.
func (x exported) counts(p fp.Period) (numbers map[string][]string, waits map[string][]int) {
	recs, audit, loc := x.recs, x.audit, x.loc
	in := func(d fp.Date) bool { return !d.Before(p.From) && !d.After(p.To) }
	numbers, waits = map[string][]string{}, map[string][]int{}
	add := func(key, n string) { numbers[key] = append(numbers[key], n) }
	waiting := map[fp.Status]bool{fp.StatusNew: true, fp.StatusAwaitingDocuments: true, fp.StatusDirectorReview: true}
	for _, r := range recs {
		if in(r.Received) {
			add(fp.FigReceived, r.Number)
			add(fp.FigReceivedIn(r.Category), r.Number)
		}
		for _, h := range r.History {
			day := fp.DateOf(h.At.In(loc))
			if !waiting[h.From] || (h.To != fp.StatusReadyToSchedule && h.To != fp.StatusDenied) || !in(day) {
				continue
			}
			add(fp.FigDecided, r.Number)
			waits[fp.FigDecisionWait] = append(waits[fp.FigDecisionWait], r.Received.DaysUntil(day))
			if r.Category == fp.CategoryOther && h.To == fp.StatusDenied {
				add(fp.FigOtherDenied, r.Number)
			} else if r.Category == fp.CategoryOther {
				add(fp.FigOtherApproved, r.Number)
			}
		}
		moves := map[int]int{}
		var first *fp.Appointment
		for i, ap := range r.Appointments {
			moves[ap.PersonID] += ap.Reschedules
			if ap.PersonID == 0 && ap.Status != fp.ApptCancelled && !ap.FromImport && (first == nil || ap.Day.Before(first.Day)) {
				first = &r.Appointments[i]
			}
		}
		if first != nil && in(first.Day) {
			var decided fp.Date
			for _, h := range r.History {
				if d := fp.DateOf(h.At.In(loc)); waiting[h.From] && h.To == fp.StatusReadyToSchedule && !d.After(first.Day) {
					decided = d
				}
			}
			if !decided.IsZero() {
				waits[fp.FigAppointWait] = append(waits[fp.FigAppointWait], decided.DaysUntil(first.Day))
			}
		}
		for _, ap := range r.Appointments {
			if ap.Status == fp.ApptCancelled || ap.FromImport || !in(ap.Day) {
				continue
			}
			if ap.Status == fp.ApptCollected {
				add(fp.FigCompleted, r.Number)
			}
			if ap.Status == fp.ApptMissed {
				add(fp.FigMissed, r.Number)
			}
			if ap.WalkIn {
				continue
			}
			add(fp.FigBooked, r.Number)
			add(fp.FigCapacityUsed, r.Number)
			if moves[ap.PersonID] > 0 {
				add(fp.FigRescheduled, r.Number)
			}
		}
	}
	for _, e := range audit {
		if !in(fp.DateOf(e.At.In(loc))) {
			continue
		}
		switch {
		case e.Action == fp.ActionLetterPrint:
			add(fp.FigLetters, e.Request)
			if strings.Contains(e.Note, "; reprint") {
				add(fp.FigReprints, e.Request)
			}
		case e.Action == fp.ActionRecordPrint && strings.Contains(strings.SplitN(e.Note, ",", 2)[0], "letter"):
			add(fp.FigLetters, e.Request)
			if !strings.Contains(e.Note, "copy 1,") {
				add(fp.FigReprints, e.Request)
			}
		case e.Action == fp.ActionStampPrint && e.Note == "copy 1":
			add(fp.FigStamps, e.Request)
		case e.Action == fp.ActionStampPrint:
			add(fp.FigReprints, e.Request)
		case e.Action == fp.ActionRequestPurge:
			add(fp.FigPurges, e.Request)
		}
	}
	return numbers, waits
}

// checkAgainstExport compares every figure of the report, its period's and
// the previous one's, with the count made from the export; it returns how
// many items it compared.
func checkAgainstExport(t testing.TB, db *Desk, rep fp.Report, a fp.Actor) int {
	t.Helper()
	x := exportOf(t, db, a)
	compared := 0
	for _, side := range []struct {
		p       fp.Period
		figures []fp.Figure
	}{{rep.Period, rep.Figures}, {rep.Previous, rep.Before}} {
		numbers, waits := x.counts(side.p)
		for _, f := range side.figures {
			var got []string
			var days []int
			for _, it := range f.Items {
				n := it.Number
				if n == "" {
					n = x.ids[it.Request]
				}
				got = append(got, n)
				days = append(days, it.Days)
			}
			compared += len(got)
			if f.Wait {
				want := waits[f.Key]
				slices.Sort(days)
				slices.Sort(want)
				if !slices.Equal(days, want) && !(len(days) == 0 && len(want) == 0) {
					t.Errorf("%s, %s: the report measured %d waits, the export %d; %s", side.p, f.Key, len(days), len(want), difference(days, want))
				}
				continue
			}
			want := numbers[f.Key]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s, %s: the report counts %d, the export %d; %s", side.p, f.Key, len(got), len(want), difference(got, want))
			}
		}
	}
	return compared
}

// difference says what only one of two sorted lists holds (the first ten).
func difference[T cmp.Ordered](got, want []T) string {
	var only [2][]T
	i, j := 0, 0
	for i < len(got) || j < len(want) {
		switch {
		case j == len(want) || (i < len(got) && got[i] < want[j]):
			only[0] = append(only[0], got[i])
			i++
		case i == len(got) || want[j] < got[i]:
			only[1] = append(only[1], want[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	for k := range only {
		if len(only[k]) > 10 {
			only[k] = only[k][:10]
		}
	}
	return fmt.Sprintf("only in the report %v, only in the export %v", only[0], only[1])
}

// The demo office's report, for its month and for the fortnight around
// today, says what its exported data says, figure by figure and request by
// request; the lists behind the numbers are the numbers.
func TestReportMatchesExport(t *testing.T) {
	db := demoDesk(t, 120)
	today := db.Today()
	// Letters: three printed, one of them again.
	sched, _, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusScheduled}, Limit: 3})
	var ids []fp.RequestID
	for _, r := range sched {
		ids = append(ids, r.ID)
	}
	if _, err := db.RecordLetters(demo.Clerk, ids, "00", "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordLetters(demo.Clerk, ids[:1], "00", "the applicant lost it", false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []fp.Period{fp.MonthPeriod(today), {From: today.AddDays(-10), To: today.AddDays(10)}} {
		rep, err := db.Report(demo.Director, p)
		if err != nil {
			t.Fatal(err)
		}
		n := checkAgainstExport(t, db, rep, demo.Director)
		for _, key := range []string{fp.FigReceived, fp.FigDecided, fp.FigBooked, fp.FigCompleted, fp.FigMissed, fp.FigLetters, fp.FigStamps} {
			if rep.Figure(key, false).Count() == 0 {
				t.Errorf("%s: %s counts nothing in the demo office: the comparison proves little", p, key)
			}
		}
		if n < 100 {
			t.Errorf("%s: only %d items compared", p, n)
		}
	}
	// Last week, which the demo plays with its clock set back after today's
	// entries: its collections and stamped notices are counted.
	week := fp.Period{From: today.AddDays(-10), To: today.AddDays(-1)}
	rep, err := db.Report(demo.Director, week)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstExport(t, db, rep, demo.Director)
	for _, key := range []string{fp.FigCompleted, fp.FigStamps, fp.FigCapacityUsed} {
		if rep.Figure(key, false).Count() == 0 {
			t.Errorf("%s: %s counts nothing in the demo office's last week", week, key)
		}
	}
	// The same week as the period before the next ten days.
	rep, err = db.Report(demo.Director, fp.Period{From: today, To: today.AddDays(9)})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstExport(t, db, rep, demo.Director)
	if rep.Previous != week || rep.Figure(fp.FigCapacityUsed, true).Count() == 0 {
		t.Errorf("the places used in %s, the period before %s: %d", rep.Previous, rep.Period, rep.Figure(fp.FigCapacityUsed, true).Count())
	}
	// Directors and administrators only.
	if _, err := db.Report(demo.Clerk, fp.MonthPeriod(today)); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a clerk's report: %v", err)
	}
	if _, err := db.Report(demo.Admin, fp.MonthPeriod(today)); err != nil {
		t.Errorf("an administrator's report: %v", err)
	}
}

// A decision, a letter and a purge at the edge of a period count in the
// office's day they happened, found by bisecting the audit trail.
func TestReportAuditStretch(t *testing.T) {
	db, _ := trackerDesk(t)
	s, _ := db.Scheduling()
	s.TimeZone = "Asia/Shanghai" // UTC+8: 20:00 UTC is the next office day
	if err := db.SetScheduling(admin, s); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 10, 31, 15, 0, 0, 0, time.UTC) // 23:00 in the office, 31 October
	db.Now = func() time.Time { return clock }
	in := sample()
	in.Received = "2026-10-30"
	r, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * time.Hour) // 01:00 on 1 November in the office
	if _, err := db.TransitionRequest(director, r.ID, fp.StatusDirectorReview, "over to the director"); err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx *tx) error {
		return db.appendAudit(tx, fp.AuditEntry{User: admin.Name, Action: fp.ActionRequestPurge, Request: "FP-2025-00001"})
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := db.Report(director, fp.MonthPeriod(fp.Date{Y: 2026, M: 11, D: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Figure(fp.FigPurges, false); got.Count() != 1 || got.Items[0].Day != (fp.Date{Y: 2026, M: 11, D: 1}) {
		t.Errorf("purges %+v", got.Items)
	}
	if got := rep.Figure(fp.FigReceived, true); got.Count() != 1 {
		t.Errorf("received in October (the previous period): %+v", got.Items)
	}
	rep, _ = db.Report(director, fp.MonthPeriod(fp.Date{Y: 2026, M: 10, D: 1}))
	if got := rep.Figure(fp.FigPurges, false); got.Count() != 0 {
		t.Errorf("October counts November's purge: %+v", got.Items)
	}
}

// An audit trail out of time order (a clock set back, desks' clocks apart)
// loses no entry from a report: meta/audit-order says how far it strays,
// a store without it is read whole and measured at the next open, and
// Check notices an order that understates the trail.
func TestReportAuditOutOfOrder(t *testing.T) {
	db, path := trackerDesk(t) // the accounts and settings written at fixedNow, 20 November
	purge := func(at time.Time, number string) {
		t.Helper()
		db.Now = func() time.Time { return at }
		if err := db.update(func(tx *tx) error {
			return db.appendAudit(tx, fp.AuditEntry{User: admin.Name, Action: fp.ActionRequestPurge, Request: number})
		}); err != nil {
			t.Fatal(err)
		}
	}
	purge(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), "FP-2025-00001")
	stepBack := time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC)
	purge(stepBack, "FP-2025-00002")
	purge(time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC), "FP-2025-00003")
	db.Now = fixedNow
	purged := func(p fp.Period) []string {
		t.Helper()
		rep, err := db.Report(director, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range rep.Figure(fp.FigPurges, false).Items {
			out = append(out, it.Number)
		}
		return out
	}
	october := fp.MonthPeriod(fp.Date{Y: 2026, M: 10, D: 1})
	november := fp.MonthPeriod(fp.Date{Y: 2026, M: 11, D: 1})
	check := func(when string) {
		t.Helper()
		if got := purged(october); !slices.Equal(got, []string{"FP-2025-00002"}) {
			t.Errorf("%s: October's purges %v", when, got)
		}
		if got := purged(november); !slices.Equal(got, []string{"FP-2025-00001", "FP-2025-00003"}) {
			t.Errorf("%s: November's purges %v", when, got)
		}
	}
	check("recorded")
	order := func() (auditOrder, bool) {
		var o auditOrder
		var known bool
		db.view(func(tx *tx) error { o, known = readAuditOrder(tx); return nil })
		return o, known
	}
	want := fixedNow().Sub(stepBack) // the accounts' entries, then a purge on 31 October
	if o, known := order(); !known || o.back != want || !o.max.Equal(fixedNow()) {
		t.Errorf("audit order %+v (known %v), want back %v", o, known, want)
	}
	if errs := db.Check(); len(errs) > 0 {
		t.Errorf("Check: %v", errs)
	}

	// An order that understates the trail: Check says so.
	if err := db.update(func(tx *tx) error { return tx.Bucket(bMeta).Put(kAuditOrder, auditOrder{}.encode()) }); err != nil {
		t.Fatal(err)
	}
	if errs := db.Check(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "steps back") {
		t.Errorf("Check of an understated order: %v", errs)
	}
	// A store from before the order was kept: read whole, measured at open.
	if err := db.update(func(tx *tx) error { return tx.Bucket(bMeta).Delete(kAuditOrder) }); err != nil {
		t.Fatal(err)
	}
	check("without the order")
	if errs := db.Check(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "missing") {
		t.Errorf("Check without the order: %v", errs)
	}
	db = reopen(t, db, path)
	if o, known := order(); !known || o.back != want {
		t.Errorf("measured at open: %+v (known %v), want back %v", o, known, want)
	}
	check("measured at open")
	if errs := db.Check(); len(errs) > 0 {
		t.Errorf("Check: %v", errs)
	}
}

// The report reads an audit entry's request, note and status change, and a
// queue row's category and received day, without decoding them: what it
// reads is what decoding gives, whatever the text holds.
func TestReportReadsEntriesAsDecoded(t *testing.T) {
	notes := []string{"", "copy 1", "appointment letter, copy 2, sha256 00; reprint: the applicant said \"lost\" \\ twice",
		`"note":"copy 9"`, "José Müller <a&b> \u2028 line\nbreak", `{"field":"status","old":"new","new":"denied"}`, "\\", `\"`}
	changes := [][]fp.Change{nil,
		{{Field: "status", Old: "new", New: "ready-to-schedule"}},
		{{Field: "full name", Old: `"request":"FP-2026-99999"`, New: "x"}, {Field: "status", Old: "director-review", New: "denied"}},
		{{Field: "status", New: "new"}}}
	n := 0
	for _, note := range notes {
		for _, ch := range changes {
			for _, req := range []string{"", "FP-2026-00042"} {
				e := fp.AuditEntry{Seq: 7, At: fixedNow(), User: `a"b`, Action: fp.ActionRequestTransition, Request: req, Changes: ch, Note: note, PrevHash: "0", Hash: "1"}
				v, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				if got, ok := jsonField(v, "note"); got != note || ok != (note != "") {
					t.Errorf("note of %s: %q %v", v, got, ok)
				}
				if got, ok := jsonField(v, "request"); got != req || ok != (req != "") {
					t.Errorf("request of %s: %q %v", v, got, ok)
				}
				var want fp.Change
				for _, c := range ch {
					if c.Field == "status" {
						want = c
					}
				}
				from, to, ok := statusChange(v)
				if string(from) != want.Old || string(to) != want.New || ok != (want.New != "") {
					t.Errorf("status change of %s: %q %q %v", v, from, to, ok)
				}
				n++
			}
		}
	}
	for _, bad := range []string{`{"note":"unterminated`, `{"note":"bad \escape"}`, `{"note":`, `"note":"`} {
		if got, ok := jsonField([]byte(bad), "note"); ok {
			t.Errorf("%s: %q read", bad, got)
		}
	}
	r := mustParse(t, sample())
	r.ID, r.Number, r.Applicant.FullName = 9, "FP-2026-00009", `Ana "category":"military" Ruiz`
	v, _ := json.Marshal(r.Summary(fp.DateOf(fixedNow())))
	if c, _ := jsonField(v, "category"); c != string(r.Category) {
		t.Errorf("category of %s: %q", v, c)
	}
	if d, _ := jsonField(v, "received"); d != r.Received.String() {
		t.Errorf("received of %s: %q", v, d)
	}
	if n < 60 {
		t.Errorf("%d entries", n)
	}
}
