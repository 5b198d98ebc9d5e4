package store

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// The crash test re-executes this test binary as a child that saves requests
// one transaction at a time and reports each save on stdout once the call has
// returned. The parent kills it with SIGKILL at a random moment and then
// checks that the file opens, that bbolt and the indexes are consistent, and
// that every reported save is there and can be found.
//
// Reproduce a failing run with FIELDPRINT_CRASH_SEED=<seed printed in the log>.

const (
	envCrashChild = "FIELDPRINT_CRASH_CHILD" // database path; set only in the child
	envCrashIter  = "FIELDPRINT_CRASH_ITER"  // iteration number, makes identifiers unique
	envCrashSeed  = "FIELDPRINT_CRASH_SEED"
)

// crashSaved is what the child reported about one request after its last
// completed call.
type crashSaved struct {
	id      fp.RequestID
	number  string
	version uint64
	status  fp.Status
	idents  []string // receipt numbers and A-number, canonical
}

// parseCrashLine reads "saved <id> <number> <version> <status> <ident>...".
func parseCrashLine(line string) (crashSaved, bool) {
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "saved" {
		return crashSaved{}, false
	}
	id, err1 := strconv.ParseUint(f[1], 10, 64)
	v, err2 := strconv.ParseUint(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return crashSaved{}, false
	}
	return crashSaved{id: fp.RequestID(id), number: f[2], version: v, status: fp.Status(f[4]), idents: f[5:]}, true
}

func crashReport(r *fp.Request) {
	var b strings.Builder
	fmt.Fprintf(&b, "saved %d %s %d %s", r.ID, r.Number, r.Version, r.Status)
	for _, id := range r.Identifiers() {
		b.WriteString(" " + id)
	}
	b.WriteString("\n")
	// os.Stdout is unbuffered: one write(2) per line, done before the next call.
	if _, err := os.Stdout.WriteString(b.String()); err != nil {
		os.Exit(3)
	}
}

// TestCrashChild is the child's body; it does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(envCrashChild)
	if path == "" {
		t.Skip("only runs as the child of TestCrashSafety")
	}
	iter, err := strconv.Atoi(os.Getenv(envCrashIter))
	if err != nil || iter < 0 || iter > 999 {
		fmt.Fprintln(os.Stderr, "bad", envCrashIter)
		os.Exit(2)
	}
	db, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	db.Now = fixedNow
	if err := ensureStaff(db); err != nil {
		fmt.Fprintln(os.Stderr, "staff:", err)
		os.Exit(2)
	}
	os.Stdout.WriteString("ready\n")
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(2)
	}
	// Bounded, so that a child whose parent died does not run forever.
	deadline := time.Now().Add(2 * time.Minute)
	for j := 0; j < 100000 && time.Now().Before(deadline); j++ {
		in := sample()
		in.Household, in.Category, in.Basis = nil, "military", "Spouse of a service member stationed abroad; crash test."
		in.FullName = fmt.Sprintf("Crash Tester %s", strings.Repeat("x", 1+j%7))
		in.ReceiptNumbers = fmt.Sprintf("IOE%03d%07d", iter, j)
		in.ANumber = ""
		if j%3 == 0 { // some requests carry only an A-number
			in.ReceiptNumbers, in.ANumber = "", fmt.Sprintf("A%03d%06d", iter+1, j)
		}
		r, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
		if err != nil {
			fail("create", err)
		}
		crashReport(r)
		if j%4 == 1 { // edit: new name, one more receipt number
			ed := r.Input()
			ed.FullName = "Edited Crash Tester"
			ed.ReceiptNumbers = strings.Join(append(strings.Split(ed.ReceiptNumbers, "; "), fmt.Sprintf("NBC%03d%07d", iter, j)), "; ")
			if r, err = db.UpdateRequest(clerk, r.ID, r.Version, mustParse(t, ed), fp.SaveOptions{}); err != nil {
				fail("update", err)
			}
			crashReport(r)
		}
		if j%5 == 2 {
			if r, err = db.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, ""); err != nil {
				fail("transition", err)
			}
			crashReport(r)
		}
	}
	db.Close()
	os.Exit(0)
}

// runCrashChild starts the child, kills it according to the plan, and returns
// every line it printed. It returns only after the child has been reaped, so
// the file lock is free.
func runCrashChild(t *testing.T, path string, iter int, rng *rand.Rand) (lines []string, how string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"="+path, envCrashIter+"="+strconv.Itoa(iter))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	ready := make(chan struct{})
	nsaved := make(chan int, 1<<16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			l := sc.Text()
			mu.Lock()
			lines = append(lines, l)
			mu.Unlock()
			if l == "ready" {
				close(ready)
			} else if strings.HasPrefix(l, "saved ") {
				n++
				select {
				case nsaved <- n:
				default:
				}
			}
		}
	}()

	// Three ways to pick the moment, so kills land during start-up and
	// Open as well as anywhere inside and between write transactions.
	waitFor := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		case <-done:
			return false
		case <-time.After(30 * time.Second):
			return false
		}
	}
	switch mode := rng.IntN(10); {
	case mode == 0:
		d := time.Duration(rng.IntN(40)) * time.Millisecond
		how = fmt.Sprintf("%v after start", d)
		time.Sleep(d)
	case mode < 6:
		d := time.Duration(5+rng.IntN(56)) * time.Millisecond
		how = fmt.Sprintf("%v after ready", d)
		if waitFor(ready) {
			time.Sleep(d)
		}
	default:
		k := 1 + rng.IntN(40)
		how = fmt.Sprintf("after save %d", k)
	wait:
		for {
			select {
			case n := <-nsaved:
				if n >= k {
					break wait
				}
			case <-done:
				break wait
			case <-time.After(30 * time.Second):
				break wait
			}
		}
	}
	select {
	case <-done:
		// The child ended by itself: that is a failure of the child.
		cmd.Wait()
		t.Fatalf("iteration %d: the child exited before it was killed (%s): %s", iter, cmd.ProcessState, stderr.String())
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-done // all output read (the pipe closes when the child dies)
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("iteration %d: the child was not killed by SIGKILL: %v, stderr: %s", iter, err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	return lines, how
}

func TestCrashSafety(t *testing.T) {
	if os.Getenv(envCrashChild) != "" {
		t.Skip("in the child")
	}
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	iterations := 100
	if testing.Short() {
		iterations = 10
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(envCrashSeed); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", envCrashSeed, err)
		}
	}
	t.Logf("seed %d (set %s to repeat)", seed, envCrashSeed)
	rng := rand.New(rand.NewPCG(seed, 0xf1e1d))

	path := t.TempDir() + "/crash.db"
	known := map[fp.RequestID]crashSaved{} // latest reported state of every request
	kills, unreported, lastCount := 0, 0, 0
	start := time.Now()
	for i := 0; i < iterations; i++ {
		lines, how := runCrashChild(t, path, i, rng)
		kills++
		var fresh []fp.RequestID
		for _, l := range lines {
			s, ok := parseCrashLine(l)
			if !ok {
				continue
			}
			if _, seen := known[s.id]; !seen {
				fresh = append(fresh, s.id)
			}
			known[s.id] = s
		}

		db, err := Open(path)
		if err != nil {
			t.Fatalf("iteration %d (killed %s): the database does not open after a crash: %v", i, how, err)
		}
		db.Now = fixedNow
		for _, err := range db.Check() {
			t.Errorf("iteration %d (killed %s): check: %v", i, how, err)
		}
		// At most one call per child can have committed without being reported.
		n, err := db.CountRequests()
		if err != nil || n < len(known) || n > len(known)+i+1 {
			t.Errorf("iteration %d (killed %s): %d requests in the file, %d reported created (%v)", i, how, n, len(known), err)
		}
		if n-len(known) > lastCount {
			unreported++ // this child died between a commit and its report
		}
		lastCount = n - len(known)
		// This child's requests every time, all requests at the end and every tenth time.
		check := fresh
		if i == iterations-1 || i%10 == 9 {
			check = check[:0:0]
			for id := range known {
				check = append(check, id)
			}
		}
		for _, id := range check {
			verifyCrashSaved(t, db, known[id], fmt.Sprintf("iteration %d (killed %s)", i, how))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			t.Fatalf("stopping after iteration %d; seed %d", i, seed)
		}
	}
	t.Logf("%d kills, %d requests reported saved, %d kills fell between a create's commit and its report, %v",
		kills, len(known), unreported, time.Since(start).Round(time.Millisecond))
	if len(known) == 0 {
		t.Fatal("no child ever reported a save: the kills came too early to test anything")
	}
}

// verifyCrashSaved checks that what the child reported is in the file. The
// child may have committed one more change to its last request before it died
// without reporting it, so the stored version may be one ahead.
func verifyCrashSaved(t *testing.T, db *DB, s crashSaved, where string) {
	t.Helper()
	r, err := db.FindRequestByID(s.id)
	if err != nil {
		t.Errorf("%s: reported request %d (%s) is missing: %v", where, s.id, s.number, err)
		return
	}
	if r.Number != s.number {
		t.Errorf("%s: request %d is %s, reported %s", where, s.id, r.Number, s.number)
	}
	if r.Version < s.version || r.Version > s.version+1 {
		t.Errorf("%s: %s is at version %d, reported %d", where, s.number, r.Version, s.version)
	} else if r.Version == s.version && r.Status != s.status {
		t.Errorf("%s: %s is %s at version %d, reported %s", where, s.number, r.Status, r.Version, s.status)
	}
	if byNum, err := db.FindRequestByNumber(s.number); err != nil || byNum.ID != s.id {
		t.Errorf("%s: FindRequestByNumber(%s): %v", where, s.number, err)
	}
	have := map[string]bool{}
	for _, id := range r.Identifiers() {
		have[id] = true
	}
	for _, ident := range s.idents {
		if !have[ident] {
			t.Errorf("%s: %s lost identifier %s (has %v)", where, s.number, ident, r.Identifiers())
		}
		rows, _, err := db.FindRequests(fp.RequestFilter{Search: ident})
		found := false
		for _, row := range rows {
			found = found || row.ID == s.id
		}
		if err != nil || !found {
			t.Errorf("%s: searching %s does not find %s: %v %v", where, ident, s.number, rows, err)
		}
	}
}
