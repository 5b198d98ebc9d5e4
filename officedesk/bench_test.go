package officedesk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/officedesk"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/workflow"
	"go.uber.org/zap"
)

// The office server side by side with a desk's own file (bbolt), on the
// same machine, through the same workflow: a save, a queue page and a
// name search with FIELDPRINT_BENCH_OFFICE requests (default 10,000;
// 100,000 takes minutes to build on each), and the time a change at one
// desk takes to be seen at another (the server only).
//
//	go test -tags ci -run '^$' -bench . -benchtime 300x ./officedesk
//
// FIELDPRINT_BENCH_KEEP=DIR keeps the two offices in DIR to measure them
// again (fieldprint.db and server/ there, with the desks' files).
//
// The server fsyncs as in production (no UnsafeNoFsync).

type benchOffice struct {
	desk  *workflow.Desk
	clerk fp.Actor
	close func()
	trips func() uint64 // requests sent to the server (nil: a file)
}

var (
	benchOnce    sync.Once
	benchOffices map[string]*benchOffice
	benchErr     error
	benchServer  *server.Server
	benchDir     string
	benchFiles   []string
)

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("FIELDPRINT_BENCH_OFFICE")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// fill makes the office's accounts and imports n demo requests in batches
// of 1,000 (the workflow writes them in transactions within the limits).
func fill(d *workflow.Desk, n int) (fp.Actor, error) {
	root := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := d.CreateUser(nil, fp.NewUser{Name: root.Name, FullName: "Rosa Ortiz", Role: root.Role, Password: fixture.Password}); err != nil {
		return fp.Actor{}, err
	}
	if _, err := d.SetUpKeys(root, fixture.Password); err != nil {
		return fp.Actor{}, err
	}
	if _, err := d.CreateUser(&root, fp.NewUser{Name: "mlopez", FullName: "María López", Role: fp.RoleClerk, Password: fixture.Password}); err != nil {
		return fp.Actor{}, err
	}
	clerk, err := d.Authenticate("mlopez", fixture.Password)
	if err != nil {
		return fp.Actor{}, err
	}
	rs, err := demo.Requests(n, fp.DateOf(fixture.Now()), 2026)
	if err != nil {
		return fp.Actor{}, err
	}
	for i := 0; i < len(rs); i += 1000 {
		if _, err := d.ImportRequests(clerk, rs[i:min(i+1000, len(rs))], fp.SaveOptions{}); err != nil {
			return fp.Actor{}, err
		}
	}
	return clerk, nil
}

func benchSetUp(b *testing.B) map[string]*benchOffice {
	benchOnce.Do(func() {
		benchOffices = map[string]*benchOffice{}
		n := benchN()
		// FIELDPRINT_BENCH_KEEP=DIR keeps both offices in DIR (built the
		// first time, measured again the next: building 100,000 requests
		// on the server takes half an hour).
		dir := os.Getenv("FIELDPRINT_BENCH_KEEP")
		_, statErr := os.Stat(filepath.Join(dir, "fieldprint.db"))
		kept := dir != "" && statErr == nil
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "fieldprint-office-bench-"); err != nil {
				benchErr = err
				return
			}
			benchDir = dir
		}
		fillOrSignIn := func(d *workflow.Desk) (fp.Actor, error) {
			if kept {
				return d.Authenticate("mlopez", fixture.Password)
			}
			return fill(d, n)
		}
		began := time.Now()
		db, err := store.Open(filepath.Join(dir, "fieldprint.db"))
		if err != nil {
			benchErr = err
			return
		}
		db.Now = fixture.Now
		clerk, err := fillOrSignIn(db.Desk)
		if err != nil {
			benchErr = err
			return
		}
		benchOffices["bbolt"] = &benchOffice{desk: db.Desk, clerk: clerk, close: func() { db.Close() }}
		if !kept {
			fmt.Fprintf(os.Stderr, "bbolt: %d requests in %v\n", n, time.Since(began).Round(time.Second))
		}

		began = time.Now()
		s, err := server.Start(server.Config{Dir: filepath.Join(dir, "server"), Listen: "127.0.0.1:0", Logger: zap.NewNop()})
		if err != nil {
			benchErr = err
			return
		}
		benchServer = s
		for _, name := range []string{"Desk A", "Desk B"} {
			p := filepath.Join(dir, name+".desk")
			benchFiles = append(benchFiles, p)
			if kept {
				continue
			}
			data, err := s.AddDesk(name)
			if err != nil {
				benchErr = err
				return
			}
			os.WriteFile(p, data, 0o600)
		}
		o, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: benchFiles[0], StampKey: filepath.Join(dir, "stamp.key")})
		if err != nil {
			benchErr = err
			return
		}
		o.Now = fixture.Now
		if clerk, err = fillOrSignIn(o.Desk); err != nil {
			benchErr = err
			return
		}
		benchOffices["server"] = &benchOffice{desk: o.Desk, clerk: clerk, close: func() { o.Close() }, trips: o.RoundTrips}
		if !kept {
			fmt.Fprintf(os.Stderr, "office server: %d requests in %v\n", n, time.Since(began).Round(time.Second))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchOffices
}

func forEach(b *testing.B, fn func(b *testing.B, o *benchOffice)) {
	offices := benchSetUp(b)
	for _, name := range []string{"bbolt", "server"} {
		b.Run(name, func(b *testing.B) {
			o := offices[name]
			if o.trips == nil {
				fn(b, o)
				return
			}
			before := o.trips()
			fn(b, o)
			b.ReportMetric(float64(o.trips()-before)/float64(b.N), "round-trips/op")
		})
	}
}

// benchCreates numbers the saved requests' receipts: from the clock, so that
// an office kept from an earlier run (FIELDPRINT_BENCH_KEEP) has none of them.
var benchCreates = int(time.Now().Unix() % 1e8 * 10)

// One request saved by a clerk (CreateRequest).
func BenchmarkOfficeSave(b *testing.B) {
	forEach(b, func(b *testing.B, o *benchOffice) {
		in := fixture.Request()
		in.Household, in.ANumber, in.Category = nil, "", "military"
		for b.Loop() {
			benchCreates++
			in.ReceiptNumbers = fmt.Sprintf("WAC%010d", benchCreates) // demo data never uses WAC
			r, _, err := in.Parse(fp.DateOf(fixture.Now()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := o.desk.CreateRequest(o.clerk, r, fp.SaveOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchFind(b *testing.B, f fp.RequestFilter) {
	forEach(b, func(b *testing.B, o *benchOffice) {
		total := 0
		for b.Loop() {
			var err error
			if _, total, err = o.desk.FindRequests(f); err != nil {
				b.Fatal(err)
			}
		}
		if total == 0 {
			b.Fatalf("%+v found nothing", f)
		}
		b.ReportMetric(float64(total), "matches")
	})
}

// The queue as it opens: everything, oldest first, the first page.
func BenchmarkOfficeQueuePage(b *testing.B) { benchFind(b, fp.RequestFilter{Limit: 500}) }

// The queue's search box: a partial, accent-free name.
func BenchmarkOfficeSearchName(b *testing.B) {
	benchFind(b, fp.RequestFilter{Search: "nguy", Limit: 200})
}

// From a change saved at desk A (a status change) until desk B has been told
// by its watch of the office's changes and reads the request at its new
// version: what a live screen will take. p50 and p99 in milliseconds.
func BenchmarkOfficeChangeSeenAtAnotherDesk(b *testing.B) {
	a := benchSetUp(b)["server"]
	o, err := officedesk.Open(officedesk.Config{Server: benchServer.URL(), DeskFile: benchFiles[1], StampKey: filepath.Join(b.TempDir(), "stamp.key")})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	o.Now = fixture.Now
	if _, err := o.Authenticate("mlopez", fixture.Password); err != nil { // unlocks the office's key at desk B
		b.Fatal(err)
	}
	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		b.Fatal(err)
	}
	in.ReceiptNumbers = []fp.ReceiptNumber{fp.ReceiptNumber(fmt.Sprintf("WAC%010d", 9000000000+benchCreates))}
	benchCreates++
	r, err := a.desk.CreateRequest(a.clerk, in, fp.SaveOptions{AllowDuplicates: true}) // a kept office has the A-number already
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes, err := o.StoreForTest().Watch(ctx, nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	to := fp.StatusAwaitingDocuments
	for b.Loop() {
		got, err := a.desk.TransitionRequest(a.clerk, r.ID, to, "")
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now() // saved at desk A
		to = map[fp.Status]fp.Status{fp.StatusAwaitingDocuments: fp.StatusNew, fp.StatusNew: fp.StatusAwaitingDocuments}[to]
		for seen := false; !seen; {
			select {
			case <-changes:
			case <-time.After(10 * time.Second):
				b.Fatal("desk B was not told of the change")
			}
			for len(changes) > 0 { // the rest of the same change
				<-changes
			}
			r2, err := o.FindRequestByID(r.ID)
			if err != nil {
				b.Fatal(err)
			}
			seen = r2.Version >= got.Version
		}
		took = append(took, time.Since(began))
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	b.ReportMetric(ms(took[len(took)-1]), "max-ms")
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, o := range benchOffices {
		o.close()
	}
	if benchServer != nil {
		benchServer.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
