package workflow

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// Benchmarks run against one database of benchRequests demo requests, built
// once per test binary (the first benchmark pays for it, outside its timer)
// and removed by TestMain. Targets (docs/PERFORMANCE.md): search < 5 ms, a
// queue page < 50 ms, Open < 300 ms.
//
//	go test -run '^$' -bench . -benchmem ./workflow
//
// FIELDPRINT_BENCH_REQUESTS sets another size (10000, 1000000) to see how
// each cost grows.

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
	os.Exit(code)
}

// buildBig writes the demo requests through ImportRequests in calls of
// 10,000, then moves 3 in 10 to awaiting documents and 1 in 10 to
// withdrawn, like demo.Load, many per transaction.
func buildBig() error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "fieldprint-bench-")
	if err != nil {
		return err
	}
	big.dir, big.path = dir, filepath.Join(dir, "fieldprint.db")
	db, err := Open(big.path)
	if err != nil {
		return err
	}
	db.Now = fixedNow
	if err := ensureStaff(db); err != nil {
		return err
	}
	rs, err := demo.Requests(benchRequests, fp.DateOf(fixedNow()), 2026)
	if err != nil {
		return err
	}
	const batch = 10_000
	var saved []*fp.Request
	for i := 0; i < len(rs); i += batch {
		out, err := db.ImportRequests(clerk, rs[i:min(i+batch, len(rs))], fp.SaveOptions{})
		if err != nil {
			return err
		}
		saved = append(saved, out...)
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
		return putRequest(tx, old, &r, db.today())
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

// bigDB returns the open 100,000-request database.
func bigDB(b *testing.B) *Desk {
	b.Helper()
	big.once.Do(func() {
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
		big.db = db
	}
	b.ResetTimer()
	return big.db
}

func benchFind(b *testing.B, f fp.RequestFilter, wantSome bool) {
	db := bigDB(b)
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

// BenchmarkRequestHistory is what opening a request's form reads: its audit
// entries, through idx/audit, among the 100,000 requests' entries.
func BenchmarkRequestHistory(b *testing.B) {
	db := bigDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es, err := db.RequestAudit("FP-2026-05000")
		if err != nil || len(es) == 0 {
			b.Fatalf("%d entries, %v", len(es), err)
		}
	}
}
