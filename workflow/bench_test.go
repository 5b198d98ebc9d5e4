package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/vault"
	bolt "go.etcd.io/bbolt"
)

// Benchmarks run against one database of benchRequests demo requests, built
// once per test binary (the first benchmark pays for it, outside its timer)
// and removed by TestMain. Targets (docs/PERFORMANCE.md): search < 5 ms, a
// queue page < 50 ms, Open < 300 ms.
//
//	go test -run '^$' -bench . -benchmem ./workflow
//
// FIELDPRINT_BENCH_REQUESTS sets another size (10000, 1000000) to see how
// each cost grows. FIELDPRINT_BENCH_DB=FILE keeps the database in FILE and
// uses it again in the next run instead of building it (minutes at 100,000).

var benchRequests = benchSize()

func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("FIELDPRINT_BENCH_REQUESTS")); err == nil && n >= 1000 {
		return n
	}
	return 100_000
}

var big struct {
	once     sync.Once
	err      error
	dir      string
	path     string
	db       *Desk  // open between benchmarks; nil while BenchmarkOpen runs
	receipt  string // a receipt number that is in the file
	anumber  string // an A-number that is in the file
	build    time.Duration
	creates  int // requests added by BenchmarkCreateRequest, for unique identifiers
	fileSize int64
	cleanup  []string // more folders TestMain removes
	// reportChecked: the report was compared with the export once.
	reportChecked bool
	order         auditOrder // how far the audit trail strays from time order
}

func TestMain(m *testing.M) {
	PasswordCost = TestCost
	code := m.Run()
	if big.db != nil {
		big.db.Close()
	}
	if big.dir != "" && os.Getenv("FIELDPRINT_BENCH_KEEP") == "" {
		os.RemoveAll(big.dir)
	}
	for _, dir := range big.cleanup {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// buildBig writes the demo requests as an office receives them, day by day
// over the 120 days before today: each day's requests through
// ImportRequests at 08:00, and the history of one request in ten
// (benchHistory) as its days come, so the audit trail is in time order as
// an office's is. Then it moves 3 in 10 to awaiting documents and 1 in 10
// to withdrawn, like demo.Load, many per transaction.
func buildBig() error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "fieldprint-bench-")
	if err != nil {
		return err
	}
	big.dir, big.path = dir, filepath.Join(dir, "fieldprint.db")
	if keep := os.Getenv("FIELDPRINT_BENCH_DB"); keep != "" {
		os.RemoveAll(dir)
		big.dir, big.path = "", keep // kept for the next run
	}
	db, err := Open(big.path)
	if err != nil {
		return err
	}
	rs, err := demo.Requests(benchRequests, fp.DateOf(fixedNow()), 2026)
	if err != nil {
		return err
	}
	slices.SortStableFunc(rs, func(a, b *fp.Request) int { return b.Received.DaysUntil(a.Received) })
	s := fp.DefaultScheduling()
	s.TimeZone, s.Stations = "UTC", 2
	at := func(d fp.Date, min int) time.Time { return s.At(d, fp.TimeOfDay(min)).UTC() }
	db.Now = func() time.Time { return at(rs[0].Received, 7*60) }
	if err := ensureStaff(db); err != nil {
		return err
	}
	if err := db.SetScheduling(admin, s); err != nil {
		return err
	}
	h := &benchHistory{s: s, today: fp.DateOf(fixedNow()), taken: map[fp.Date]int{}}
	var saved []*fp.Request
	for i := 0; i < len(rs); {
		day, k := rs[i].Received, i
		for k < len(rs) && rs[k].Received == day {
			k++
		}
		if err := h.write(db, at(day, 8*60)); err != nil {
			return err
		}
		db.Now = func() time.Time { return at(day, 8*60) }
		out, err := db.ImportRequests(clerk, rs[i:k], fp.SaveOptions{})
		if err != nil {
			return err
		}
		for _, r := range out {
			if len(saved)%10 == 0 {
				h.plan(len(saved), r)
			}
			saved = append(saved, r)
		}
		i = k
	}
	if err := h.write(db, fixedNow()); err != nil {
		return err
	}
	db.Now = fixedNow
	if err := h.records(db); err != nil {
		return err
	}
	// Status changes through the same code as TransitionRequest, many per
	// transaction (one fsync'd transaction each would take a minute here),
	// as many as the storage contract allows.
	if _, err := db.inChunks(len(saved), func(tx *tx, j int) error {
		to, reason := fp.Status(""), ""
		switch j % 10 {
		case 1, 4, 7:
			to = fp.StatusAwaitingDocuments
		case 9:
			to, reason = fp.StatusWithdrawn, "Applicant will return to the U.S."
		default:
			return nil
		}
		old, err := getRequest(tx, saved[j].ID)
		if err != nil {
			return err
		}
		if _, err := fp.CheckTransition(clerk, old, to, reason, db.today()); err != nil {
			return err
		}
		r := *old
		now := db.Now().UTC()
		r.History = append(append([]fp.Transition(nil), old.History...), fp.Transition{At: now, By: clerk.Name, From: old.Status, To: to, Reason: reason})
		r.Status, r.Version, r.UpdatedAt, r.UpdatedBy = to, r.Version+1, now, clerk.Name
		if err := putRequest(tx, old, &r, db.today()); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: clerk.Name, Action: fp.ActionRequestTransition, Request: r.Number,
			Changes: []fp.Change{{Field: "status", Old: string(old.Status), New: string(to)}}, Note: reason})
	}); err != nil {
		return err
	}
	if err := db.view(func(tx *tx) error {
		big.order, _ = readAuditOrder(tx)
		return nil
	}); err != nil {
		return err
	}
	for _, r := range saved[len(saved)/2:] {
		if big.receipt == "" && len(r.ReceiptNumbers) > 0 {
			big.receipt = string(r.ReceiptNumbers[0])
		}
		if big.anumber == "" && r.ANumber != "" {
			big.anumber = string(r.ANumber)
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	if st, err := os.Stat(big.path); err == nil {
		big.fileSize = st.Size()
	}
	big.build = time.Since(start)
	return nil
}

// benchHistory takes one request in ten through what a report counts, as
// the workflow records it (the request's history and appointments, and
// audit entries worded as the workflow words them), without its checks or
// documents: decided 3 to 22 days after it came (a clerk marks it
// eligible; "All others" go to the director, who approves; one in thirty
// is denied by the director), booked at once for the first free place 7 to
// 30 days later in a calendar of 2 stations (weekday mornings, UTC), moved
// once two days later (1 in 40; 1 in 200 twice), its appointment letter
// printed the day after the decision (one in five twice); when the day has
// passed, collected and stamped, or missed (1 in 13). Households are left
// out: one person per request.
type benchHistory struct {
	s     fp.Scheduling
	today fp.Date
	taken map[fp.Date]int // places given on each day
	steps []benchStep     // planned, not yet in the audit trail
	plans map[fp.RequestID][]benchStep
	order []fp.RequestID
}

// benchStep is one thing that happens to a request: its audit entry and
// what it changes in the record.
type benchStep struct {
	at    time.Time
	entry fp.AuditEntry
	apply func(r *fp.Request) // nil: the record does not change
}

// slot is the first free place on or after from.
func (h *benchHistory) slot(from fp.Date) fp.Booking {
	for d := from; ; d = d.AddDays(1) {
		ss := h.s.Sessions(d)
		if len(ss) == 0 || h.taken[d] >= h.s.Capacity(d) {
			continue
		}
		i := h.taken[d]
		h.taken[d]++
		return fp.Booking{Day: d, Start: ss[0].Starts[i/h.s.Stations], Station: i%h.s.Stations + 1}
	}
}

// plan plans the history of the j-th request r (as imported).
func (h *benchHistory) plan(j int, r *fp.Request) {
	decided := r.Received.AddDays(3 + j%20)
	if len(r.Household) > 0 || !decided.Before(h.today) {
		return // a household, or too recent: still new
	}
	s, number, status := h.s, r.Number, r.Status
	at := func(d fp.Date, min int) time.Time { return s.At(d, fp.TimeOfDay(min)).UTC() }
	var steps []benchStep
	add := func(t time.Time, e fp.AuditEntry, apply func(r *fp.Request)) {
		e.Request = number
		steps = append(steps, benchStep{at: t, entry: e, apply: apply})
	}
	move := func(t time.Time, by fp.Actor, to fp.Status, why string) {
		from := status
		status = to
		add(t, fp.AuditEntry{User: by.Name, Action: fp.ActionRequestTransition,
			Changes: []fp.Change{{Field: "status", Old: string(from), New: string(to)}}, Note: why},
			func(r *fp.Request) {
				r.History = append(slices.Clone(r.History), fp.Transition{At: t, By: by.Name, From: from, To: to, Reason: why})
				r.Status, r.UpdatedAt, r.UpdatedBy = to, t, by.Name
			})
	}
	denied := j%30 == 0
	switch {
	case r.Category == fp.CategoryOther:
		move(at(decided, 9*60), clerk, fp.StatusDirectorReview, "Documents complete; the basis needs the director's decision.")
		if denied {
			move(at(decided, 10*60), director, fp.StatusDenied, "Avoiding travel cost is not a ground for collection abroad.")
		} else {
			move(at(decided, 10*60), director, fp.StatusReadyToSchedule, "Urgent departure documented; capacity allows it this month.")
		}
	case denied:
		move(at(decided, 10*60), director, fp.StatusDenied, "Not within the categories served abroad.")
	default:
		move(at(decided, 10*60), clerk, fp.StatusReadyToSchedule, "")
	}
	if denied {
		h.keep(r.ID, steps)
		return
	}
	first := h.slot(decided.AddDays(7 + j%24))
	t := at(decided, 10*60+5)
	add(t, fp.AuditEntry{User: clerk.Name, Action: fp.ActionAppointmentBook,
		Changes: []fp.Change{{Field: "applicant", New: fmt.Sprintf("%s %s station %d", first.Day, first.Start, first.Station)}}},
		func(r *fp.Request) { r.Book(s, []fp.Booking{first}, clerk.Name, t) })
	move(t, clerk, fp.StatusScheduled, "every person to fingerprint has an appointment (1 person)")
	moves := 0
	if j%40 == 0 {
		moves = 1 + boolInt(j%200 == 0)
	}
	b := first
	for m := 1; m <= moves; m++ {
		old, to := b, h.slot(b.Day.AddDays(3))
		t := at(decided.AddDays(2), 11*60+m)
		add(t, fp.AuditEntry{User: clerk.Name, Action: fp.ActionAppointmentReschedule, Note: "the applicant asked",
			Changes: []fp.Change{{Field: "applicant", Old: fmt.Sprintf("%s %s", old.Day, old.Start), New: fmt.Sprintf("%s %s station %d", to.Day, to.Start, to.Station)}}},
			func(r *fp.Request) { r.Move(s, 0, to, "the applicant asked", clerk.Name, t) })
		b = to
	}
	letters := decided.AddDays(1)
	if moves > 0 {
		letters = decided.AddDays(3) // for the appointment as moved
	}
	for copies := 1; copies <= 1+boolInt(j%50 == 0); copies++ {
		note := fmt.Sprintf("appointment letter, copy %d, sha256 00", copies)
		if copies > 1 {
			note += "; reprint: lost"
		}
		add(at(letters, 9*60+copies), fp.AuditEntry{User: clerk.Name, Action: fp.ActionLetterPrint, Note: note},
			func(r *fp.Request) { r.Appointments[len(r.Appointments)-1].Printed++ })
	}
	if b.Day.Before(h.today) {
		if j%13 == 0 {
			t := at(b.Day, 12*60)
			add(t, fp.AuditEntry{User: fp.SystemUser, Action: fp.ActionMissed,
				Changes: []fp.Change{{Field: "applicant", New: "missed"}}},
				func(r *fp.Request) {
					ap := &r.Appointments[len(r.Appointments)-1]
					ap.Status, ap.MissedAt = fp.ApptMissed, t
				})
			move(t, fp.Actor{Name: fp.SystemUser}, fp.StatusReadyToSchedule, "1 person without an appointment")
		} else {
			t := at(b.Day, int(b.Start)+5)
			add(t, fp.AuditEntry{User: director.Name, Action: fp.ActionCollect,
				Changes: []fp.Change{{Field: "applicant", New: fp.CapturesText(fp.Captures) + " (biometric " + fp.CodeLabel(3) + ")"}}},
				func(r *fp.Request) {
					ap := &r.Appointments[len(r.Appointments)-1]
					ap.Status, ap.Collection = fp.ApptCollected, &fp.Collection{At: t, By: director.Name, Captured: fp.Captures, Code: 3}
				})
			move(t, director, fp.StatusCompleted, "biometrics collected from every person (1 person)")
			add(t.Add(time.Minute), fp.AuditEntry{User: clerk.Name, Action: fp.ActionStampPrint, Note: "copy 1",
				Changes: []fp.Change{{Field: "applicant", New: "stamped notice ABCDE-FGHIJ"}}}, nil)
		}
	}
	h.keep(r.ID, steps)
}

// keep keeps the steps of the request id that happen before now, in time
// order (the record takes them in that order too).
func (h *benchHistory) keep(id fp.RequestID, steps []benchStep) {
	slices.SortStableFunc(steps, func(a, b benchStep) int { return a.at.Compare(b.at) })
	for i, st := range steps {
		if !st.at.Before(fixedNow()) {
			steps = steps[:i]
			break
		}
	}
	if h.plans == nil {
		h.plans = map[fp.RequestID][]benchStep{}
	}
	h.plans[id] = steps
	h.order = append(h.order, id)
	h.steps = append(h.steps, steps...)
}

// write appends the audit entries of the steps planned before until, in
// time order, as many per transaction as the storage contract allows.
func (h *benchHistory) write(db *Desk, until time.Time) error {
	slices.SortStableFunc(h.steps, func(a, b benchStep) int { return a.at.Compare(b.at) })
	n := 0
	for n < len(h.steps) && h.steps[n].at.Before(until) {
		n++
	}
	defer func() { h.steps = h.steps[n:] }()
	_, err := db.inChunks(n, func(tx *tx, i int) error {
		db.Now = func() time.Time { return h.steps[i].at }
		return db.appendAudit(tx, h.steps[i].entry)
	})
	return err
}

// records writes every planned request's history and appointments.
func (h *benchHistory) records(db *Desk) error {
	_, err := db.inChunks(len(h.order), func(tx *tx, k int) error {
		id := h.order[k]
		old, err := getRequest(tx, id)
		if err != nil {
			return err
		}
		r := *old
		for _, st := range h.plans[id] {
			if st.apply != nil {
				st.apply(&r)
			}
		}
		r.Version++
		if err := putRequest(tx, old, &r, db.today()); err != nil {
			return err
		}
		// Every record written goes with an entry (records.go): this one
		// after the history, so the trail stays in time order.
		return db.appendAudit(tx, fp.AuditEntry{User: fp.SystemUser, Action: fp.ActionRequestEdit, Request: r.Number,
			Note: "the benchmark's history written into the record"})
	})
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkReportMonth is the month's report (the director's Reports
// screen, fieldprint report): its figures and the previous month's, every
// list behind them. Goal: under 200 ms at 100,000 requests. Once per run,
// before the timing, every figure of both months is compared request by
// request with a count made from the JSON export and the audit list
// (checkAgainstExport), and the figures the comparison rests on must count
// something.
func BenchmarkReportMonth(b *testing.B) {
	db := bigDB(b)
	p := fp.MonthPeriod(fp.DateOf(fixedNow()))
	if !big.reportChecked {
		big.reportChecked = true
		rep, err := db.Report(director, p)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		n := checkAgainstExport(b, db, rep, director)
		for _, key := range []string{fp.FigReceived, fp.FigDecided, fp.FigDecisionWait, fp.FigOtherApproved, fp.FigOtherDenied, fp.FigAppointWait,
			fp.FigBooked, fp.FigCompleted, fp.FigMissed, fp.FigRescheduled, fp.FigCapacityUsed, fp.FigLetters, fp.FigReprints, fp.FigStamps} {
			if rep.Figure(key, false).Count() == 0 || rep.Figure(key, true).Count() == 0 {
				b.Errorf("%s counts nothing in %s or the month before: the comparison proves little", key, p)
			}
		}
		b.Logf("%s and the month before: %d items of %d figures checked against the export in %v (audit trail in time order: %v)",
			p, n, 2*len(rep.Figures), time.Since(start).Round(time.Millisecond), big.order.back == 0)
	}
	items := 0
	for b.Loop() {
		rep, err := db.Report(director, p)
		if err != nil {
			b.Fatal(err)
		}
		items = 0
		for _, f := range rep.Figures {
			items += f.Count()
		}
		for _, f := range rep.Before {
			items += f.Count()
		}
	}
	b.ReportMetric(float64(items), "items")
}

// bigDB returns the open 100,000-request database.
func bigDB(b *testing.B) *Desk {
	b.Helper()
	big.once.Do(func() {
		if keep := os.Getenv("FIELDPRINT_BENCH_DB"); keep != "" {
			if _, err := os.Stat(keep); err == nil {
				big.err = reuseBig(keep)
				return
			}
		}
		big.err = buildBig()
		if big.err == nil {
			fmt.Fprintf(os.Stderr, "store benchmarks: built %d requests in %v, file %.0f MB\n",
				benchRequests, big.build.Round(time.Millisecond), float64(big.fileSize)/(1<<20))
		}
	})
	if big.err != nil {
		b.Fatalf("building the benchmark database: %v", big.err)
	}
	if big.db == nil {
		db, err := Open(big.path)
		if err != nil {
			b.Fatal(err)
		}
		db.Now = fixedNow
		// Signed in, as every reader of an office with its key is.
		if err := db.unlockWith(testPassword, admin.Name); err != nil {
			b.Fatal(err)
		}
		big.db = db
	}
	b.ResetTimer()
	return big.db
}

// BenchmarkSearchIndexBuild is what the first search after signing in
// costs (the window builds it in the background at sign-in): the search
// index in memory made from every request's sealed identity.
func BenchmarkSearchIndexBuild(b *testing.B) {
	db := bigDB(b)
	for b.Loop() {
		db.memDrop()
		if err := db.WarmSearch(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// What the index holds per request: its slices' size, and the live
	// heap it adds (measured after a collection with and without it).
	var ms runtime.MemStats
	heap := func() int64 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	db.memDrop()
	without := heap()
	if err := db.WarmSearch(); err != nil {
		b.Fatal(err)
	}
	with := heap()
	db.mem.mu.RLock()
	n, size := db.mem.idx.idents, db.mem.idx.bytes()
	db.mem.mu.RUnlock()
	if n < benchRequests {
		b.Fatalf("%d identities in the index, %d requests", n, benchRequests)
	}
	b.ReportMetric(float64(size)/float64(n), "index-B/req")
	b.ReportMetric(float64(with-without)/float64(n), "heap-B/req")
}

// reuseBig opens the database a previous run kept in path.
func reuseBig(path string) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	db.Now = fixedNow
	big.path, big.db = path, db
	// Signed in, as every reader of an office with its key is.
	if err := db.unlockWith(testPassword, admin.Name); err != nil {
		return err
	}
	n, err := db.CountRequests()
	if err != nil {
		return err
	}
	big.creates = n // BenchmarkCreateRequest's receipt numbers stay new
	rows, _, err := db.FindRequests(fp.RequestFilter{Offset: n / 2, Limit: 100})
	if err != nil {
		return err
	}
	for _, row := range rows {
		r, err := db.FindRequestByID(row.ID)
		if err != nil {
			return err
		}
		if big.receipt == "" && len(r.ReceiptNumbers) > 0 {
			big.receipt = string(r.ReceiptNumbers[0])
		}
		if big.anumber == "" && r.ANumber != "" {
			big.anumber = string(r.ANumber)
		}
	}
	if err := db.view(func(tx *tx) error { big.order, _ = readAuditOrder(tx); return nil }); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil {
		big.fileSize = st.Size()
	}
	fmt.Fprintf(os.Stderr, "store benchmarks: %s again, %d requests, file %.0f MB\n", path, n, float64(big.fileSize)/(1<<20))
	return nil
}

func benchFind(b *testing.B, f fp.RequestFilter, wantSome bool) {
	db := bigDB(b)
	// The index in memory is built at sign-in (BenchmarkSearchIndexBuild),
	// not by the first search timed.
	if err := db.WarmSearch(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	total := 0
	for b.Loop() {
		var err error
		if _, total, err = db.FindRequests(f); err != nil {
			b.Fatal(err)
		}
	}
	if wantSome && total == 0 {
		b.Fatalf("%+v found nothing", f)
	}
	b.ReportMetric(float64(total), "matches")
}

// The queue's search box: a partial, accent-free name.
func BenchmarkSearchName(b *testing.B) {
	benchFind(b, fp.RequestFilter{Search: "nguy", Limit: 200}, true)
}

func BenchmarkSearchReceipt(b *testing.B) {
	bigDB(b)
	benchFind(b, fp.RequestFilter{Search: big.receipt, Limit: 200}, true)
}

func BenchmarkSearchANumber(b *testing.B) {
	bigDB(b)
	benchFind(b, fp.RequestFilter{Search: big.anumber, Limit: 200}, true)
}

// The queue as it opens: everything, oldest first, first page.
func BenchmarkQueueAll(b *testing.B) {
	benchFind(b, fp.RequestFilter{Limit: 500}, true)
}

func BenchmarkQueueFiltered(b *testing.B) {
	benchFind(b, fp.RequestFilter{Statuses: []fp.Status{fp.StatusNew}, Categories: []fp.Category{fp.CategoryAdoption}, Limit: 500}, true)
}

func BenchmarkQueueTwoStatuses(b *testing.B) {
	benchFind(b, fp.RequestFilter{Statuses: []fp.Status{fp.StatusNew, fp.StatusAwaitingDocuments}, Limit: 500}, true)
}

// windowFilter is the filter the queue screen sends (ui/queue.go): the open
// statuses, oldest first, one page of rows (ui.queuePage) with the count of all.
func windowFilter(search string) fp.RequestFilter {
	f := fp.RequestFilter{Search: search, Limit: 100}
	for _, s := range fp.Statuses {
		if s.Open() {
			f.Statuses = append(f.Statuses, s)
		}
	}
	return f
}

// BenchmarkWindowQueue is what the window asks for: the queue as it opens,
// and each key typed into its search box (n, ng, nguy; a receipt's first
// letters).
func BenchmarkWindowQueue(b *testing.B) {
	for _, q := range []string{"", "n", "ng", "nguy", "nguyen thi", "IOE"} {
		name := q
		if name == "" {
			name = "open"
		}
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			benchFind(b, windowFilter(q), true)
		})
	}
}

// Starting the app: open (and check the schema of) the 100,000-request file.
func BenchmarkOpen(b *testing.B) {
	bigDB(b)
	big.db.Close()
	big.db = nil
	// clean: as Fieldprint left it (the usual start); unclean: after a crash
	// or a copy, when the whole page tree is walked first.
	for _, clean := range []bool{true, false} {
		b.Run(map[bool]string{true: "clean", false: "unclean"}[clean], func(b *testing.B) {
			for b.Loop() {
				if !clean {
					os.Remove(big.path + "-closed")
				}
				db, err := Open(big.path)
				if err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(big.fileSize)/(1<<20), "MB-file")
		})
	}
}

// scanOffice is a small office whose scans folder holds as many files as
// the benchmark office has requests, each counted in files/ (what Open's
// sweep looks up), built once.
var scanOffice struct {
	once sync.Once
	path string
	n    int
	err  error
}

func scansDB(b *testing.B) string {
	b.Helper()
	scanOffice.once.Do(func() {
		dir, err := os.MkdirTemp("", "fieldprint-bench-scans-")
		if err != nil {
			scanOffice.err = err
			return
		}
		big.cleanup = append(big.cleanup, dir)
		scanOffice.path, scanOffice.n = filepath.Join(dir, "scans.db"), benchRequests
		db, err := Open(scanOffice.path)
		if err != nil {
			scanOffice.err = err
			return
		}
		defer db.Close()
		folder := db.files.(disk.Folder)
		sums := make([]string, scanOffice.n)
		for i := range sums {
			data := []byte(fmt.Sprintf("scan %d", i))
			sum := sha256.Sum256(data)
			sums[i] = hex.EncodeToString(sum[:])
			// As Folder.Write names them, without its fsyncs (minutes here).
			sub := filepath.Join(folder.Dir, sums[i][:2])
			if err := os.MkdirAll(sub, 0o700); err != nil {
				scanOffice.err = err
				return
			}
			if err := os.WriteFile(filepath.Join(sub, sums[i]), data, 0o600); err != nil {
				scanOffice.err = err
				return
			}
		}
		_, scanOffice.err = db.inChunks(len(sums), func(tx *tx, i int) error {
			return tx.Bucket(bFiles).Put([]byte(sums[i]), []byte(`{"type":"application/pdf","size":7,"refs":1}`))
		})
	})
	if scanOffice.err != nil {
		b.Fatal(scanOffice.err)
	}
	b.ResetTimer()
	return scanOffice.path
}

// BenchmarkOpenWithScans is opening an office whose scans folder holds as
// many files as the benchmark office has requests: after a clean close
// (the folder is not looked at) and after a crash (Open returns; the sweep
// of the folder runs in the background, timed apart as sweep).
func BenchmarkOpenWithScans(b *testing.B) {
	path := scansDB(b)
	for _, clean := range []bool{true, false} {
		b.Run(map[bool]string{true: "clean", false: "unclean"}[clean], func(b *testing.B) {
			var sweep time.Duration
			for b.Loop() {
				if !clean {
					os.Remove(path + "-closed")
				}
				db, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				start := time.Now()
				db.sweeping.Wait()
				sweep += time.Since(start)
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(scanOffice.n), "scans")
			b.ReportMetric(float64(sweep.Milliseconds())/float64(b.N), "ms-sweep")
		})
	}
}

// One request saved by a clerk (one fsync'd transaction) on the big file.
func BenchmarkCreateRequest(b *testing.B) {
	db := bigDB(b)
	in := sample()
	in.Household, in.ANumber, in.Category = nil, "", "military"
	for b.Loop() {
		big.creates++
		in.ReceiptNumbers = fmt.Sprintf("WAC%010d", big.creates) // demo data never uses WAC
		r, _, err := in.Parse(fp.DateOf(fixedNow()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.CreateRequest(clerk, r, fp.SaveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// recorder notes the sizes of the writes of the transactions run through it.
type recorder struct {
	fp.Storage
	sizes []int // key+value bytes of each put
	dels  int
}

func (r *recorder) Update(fn func(fp.Writer) error) error {
	return r.Storage.Update(func(w fp.Writer) error { return fn(&recWriter{w, r}) })
}

type recWriter struct {
	fp.Writer
	r *recorder
}

func (w *recWriter) Put(k, v []byte) error {
	w.r.sizes = append(w.r.sizes, len(k)+len(v))
	return w.Writer.Put(k, v)
}

func (w *recWriter) Delete(k []byte) error {
	w.r.dels++
	return w.Writer.Delete(k)
}

// pagesWritten is how many pages the commits on s's bbolt file have
// written so far (0 on another backend).
func pagesWritten(s fp.Storage) int64 {
	kv, ok := s.(*disk.KV)
	if !ok {
		return 0
	}
	var n int64
	kv.RawView(func(tx *bolt.Tx) error { st := tx.DB().Stats(); n = st.TxStats.GetPageCount(); return nil })
	return n
}

// BenchmarkSaveVsDiskFloor puts CreateRequest beside the disk's floor for
// it: one fsync'd commit on the same file writing as many new keys of the
// same sizes (under a prefix of its own, written nowhere else), with no
// rule, index, encryption or audit. Each iteration does one of each, so
// both see the same load; ms-create, ms-raw and their ratio are reported
// (the goal: a save at most 2x the floor), the process's CPU time
// for each (steadier than wall time on a shared machine) and the pages each
// commit wrote (a save's keys land in a dozen places of the tree).
func BenchmarkSaveVsDiskFloor(b *testing.B) {
	db := bigDB(b)
	in := sample()
	in.Household, in.ANumber, in.Category = nil, "", "military"
	create := func() {
		big.creates++
		in.ReceiptNumbers = fmt.Sprintf("WAC%010d", big.creates) // demo data never uses WAC
		r, _, err := in.Parse(fp.DateOf(fixedNow()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.CreateRequest(clerk, r, fp.SaveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	rec := &recorder{Storage: db.s}
	db.s = rec
	create()
	db.s = rec.Storage
	bytes := 0
	for _, n := range rec.sizes {
		bytes += n
	}
	value := make([]byte, fp.MaxValueBytes)
	var tCreate, tRaw time.Duration
	var pCreate, pRaw int64             // pages the commits wrote (bbolt's page allocations)
	var cpuCreate, cpuRaw time.Duration // the process's CPU time (with the GC's)
	round := 0
	for b.Loop() {
		round++
		p0 := pagesWritten(db.s)
		c0 := processCPU()
		start := time.Now()
		create()
		tCreate += time.Since(start)
		c1 := processCPU()
		cpuCreate += c1 - c0
		p1 := pagesWritten(db.s)
		pCreate += p1 - p0
		c1 = processCPU()
		start = time.Now()
		err := db.s.Update(func(w fp.Writer) error {
			for j, n := range rec.sizes {
				k := fmt.Appendf(nil, "bench-raw/%08d/%04d", round, j)
				if err := w.Put(k, value[:max(0, n-len(k))]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		tRaw += time.Since(start)
		cpuRaw += processCPU() - c1
		pRaw += pagesWritten(db.s) - p1
	}
	n := float64(b.N)
	b.ReportMetric(float64(tCreate.Microseconds())/1000/n, "ms-create")
	b.ReportMetric(float64(tRaw.Microseconds())/1000/n, "ms-raw")
	b.ReportMetric(float64(tCreate)/float64(tRaw), "ratio")
	b.ReportMetric(float64(cpuCreate.Microseconds())/1000/n, "cpu-ms-create")
	b.ReportMetric(float64(cpuRaw.Microseconds())/1000/n, "cpu-ms-raw")
	b.ReportMetric(float64(pCreate)/n, "pages-create")
	b.ReportMetric(float64(pRaw)/n, "pages-raw")
	b.ReportMetric(float64(len(rec.sizes)), "puts")
	b.ReportMetric(float64(bytes), "bytes")
}

// BenchmarkImport1000 imports 1,000 requests into the big office with the
// search index in memory built (a clerk signed in imports a tracker): the
// import's commits keep the index up to date.
func BenchmarkImport1000(b *testing.B) {
	db := bigDB(b)
	if err := db.WarmSearch(); err != nil {
		b.Fatal(err)
	}
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		rs, err := demo.Requests(1000, fp.DateOf(fixedNow()), uint64(5000+round+big.creates))
		if err != nil {
			b.Fatal(err)
		}
		for i, r := range rs {
			big.creates++
			r.ReceiptNumbers = []fp.ReceiptNumber{fp.ReceiptNumber(fmt.Sprintf("WAC%010d", big.creates))}
			r.ANumber = ""
			_ = i
		}
		b.StartTimer()
		if _, err := db.ImportRequests(clerk, rs, fp.SaveOptions{AllowDuplicates: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestHistory is what opening a request's form reads: its audit
// entries, through idx/audit, among the 100,000 requests' entries.
func BenchmarkRequestHistory(b *testing.B) {
	db := bigDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es, err := db.RequestAudit(fmt.Sprintf("FP-2026-%05d", benchRequests/20))
		if err != nil || len(es) == 0 {
			b.Fatalf("%d entries, %v", len(es), err)
		}
	}
}

// BenchmarkMemIndexSize builds the index in memory alone (no store, no
// sealing) from the identities and rows of benchRequests demo requests,
// made 100,000 at a time, to measure what it holds at sizes whose office
// takes too long to build (1,000,000: FIELDPRINT_BENCH_REQUESTS): its
// bytes per request, and the window's name and receipt prefixes on it
// (the set of ids and the rows; without the page's decoding).
func BenchmarkMemIndexSize(b *testing.B) {
	m := newMemIndex()
	var into postings
	for done := 0; done < benchRequests; {
		n := min(100_000, benchRequests-done)
		rs, err := demo.Requests(n, fp.DateOf(fixedNow()), uint64(2026+done))
		if err != nil {
			b.Fatal(err)
		}
		for i, r := range rs {
			rid := fp.RequestID(done + i + 1)
			if r.Status == "" {
				r.Status = fp.StatusNew // as imported
			}
			m.setRow(rid, rowOf(r))
			rec := m.putRecord(identityOf(r))
			m.setRecord(rid, rec)
			into = m.postingsOf(rec, m.slotOf(rid), into)
		}
		done += n
	}
	m.setLists(into)
	m.names, m.receipts, m.anumbers = slices.Clip(m.names), slices.Clip(m.receipts), slices.Clip(m.anumbers)
	perRequest := float64(m.bytes()) / float64(m.idents)
	for _, q := range []string{"n", "nguy", "IOE"} {
		b.Run(q, func(b *testing.B) {
			search := findName
			if q == "IOE" {
				search = findReceipt
			}
			found := 0
			for b.Loop() {
				set := m.newSet()
				m.find(search, q, func(slot uint32) { set.add(m.idOf(slot)) })
				found = 0
				set.each(func(id fp.RequestID) {
					if e := m.ent(id); e.sc != 0 {
						found++
					}
				})
			}
			b.ReportMetric(float64(found), "matches")
			b.ReportMetric(perRequest, "index-B/req")
		})
	}
	// The window's query on the index, as searchTx makes it but for the
	// page's decoding: the search, the open statuses, a page of 100.
	for _, q := range []string{"n", "nguy", "IOE"} {
		b.Run("window/"+q, func(b *testing.B) {
			f := windowFilter(q)
			total := 0
			for b.Loop() {
				page := pageHeap{keep: f.Limit}
				total = 0
				want := func(c combo) bool { return wanted(f.Statuses, c.status) && wanted(f.Categories, c.category) }
				m.search(nil, q, want, func(id fp.RequestID, day uint32) {
					total++
					page.add(pageItem{day: day, id: id})
				})
				page.sorted()
			}
			b.ReportMetric(float64(total), "matches")
		})
	}
}

// BenchmarkKeyTableSize is the live heap the request keys take while
// unlocked, benchRequests of them: in a map (as the key store held them
// before keyTable) and in the key table, loaded at once (sign-in) and
// added 64 at a time (as new requests take them).
func BenchmarkKeyTableSize(b *testing.B) {
	var ms runtime.MemStats
	heap := func() int64 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	all := make(map[uint64]vault.Key, benchRequests)
	for len(all) < benchRequests {
		all[rng.Uint64()>>1] = vault.Key{byte(len(all))}
	}
	per := func(before int64) float64 { return float64(heap()-before) / float64(benchRequests) }
	for b.Loop() {
		before := heap()
		m := map[uint64]vault.Key{}
		for id, k := range all {
			m[id] = k
		}
		b.ReportMetric(per(before), "map-B/key")
		runtime.KeepAlive(m)
		m = nil
		before = heap()
		var loaded keyTable
		loaded.putAll(all)
		b.ReportMetric(per(before), "loaded-B/key")
		runtime.KeepAlive(&loaded)
		loaded.wipe()
		before = heap()
		var added keyTable
		batch := map[uint64]vault.Key{}
		for id, k := range all {
			if batch[id] = k; len(batch) == keysBatch {
				for id, k := range batch {
					added.put(id, k)
				}
				clear(batch)
			}
		}
		for id, k := range batch {
			added.put(id, k)
		}
		b.ReportMetric(per(before), "added-B/key")
		runtime.KeepAlive(&added)
	}
}
