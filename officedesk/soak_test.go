package officedesk_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/officedesk"
	"go.uber.org/zap"
)

// The soak test: an office server (a process of its own, killed with
// SIGKILL and started again at random moments) and three desks (processes
// of their own) making random changes to the same ten requests: book,
// reschedule, cancel, check in, verify or reject a document, decide
// (await, triage, refer, deny). Each desk reports every change it tried:
// saved (with the request's new version), not saved (the desk said so),
// or perhaps saved (the desk said it may or may not be). At the end:
//
//   - every change reported saved is in its request's audit, once, at the
//     desk that made it, in the order of the versions it was saved at;
//   - no change reported not saved is there; a perhaps-saved one at most
//     once;
//   - no two changes were saved at the same version of a request, and
//     each desk's versions of a request only grow;
//   - every desk reads the same requests, audit and counts, and the audit
//     chain verifies at each.
//
// It runs for soakDefault in make test; FIELDPRINT_SOAK_SECONDS sets how
// long the desks work (a few minutes: FIELDPRINT_SOAK_SECONDS=300), and
// FIELDPRINT_SOAK_SEED reproduces a run's choices (the kills' timing and
// the desks' picks; the machine's timing still varies).
const (
	envSoakRole    = "FIELDPRINT_SOAK_ROLE" // "server" or "desk"
	envSoakSeed    = "FIELDPRINT_SOAK_SEED"
	envSoakSeconds = "FIELDPRINT_SOAK_SECONDS"
	soakDefault    = 15 * time.Second
	soakRequests   = 10
)

// The office's clock at every desk: a Wednesday morning in the demo
// office's time zone (Asia/Shanghai, 09:30), so appointments today can be
// checked in.
var soakNow = time.Date(2026, 11, 18, 1, 30, 0, 0, time.UTC)

// attempt is one change a desk tried, as it reports it.
type attempt struct {
	Desk    string `json:"desk"`
	Token   string `json:"token"` // in the change's reason or note: finds it in the audit
	Request string `json:"request"`
	What    string `json:"what"`
	Outcome string `json:"outcome"` // saved, not-saved, perhaps
	Version uint64 `json:"version,omitempty"`
	Away    bool   `json:"away,omitempty"` // refused because the server was away
	Millis  int64  `json:"ms"`
	Message string `json:"message,omitempty"`
}

// deskState is what a desk reads at the end.
type deskState struct {
	Desk     string                `json:"desk"`
	Requests map[string]reqState   `json:"requests"`
	Counts   map[fp.Status]int     `json:"counts"`
	Audit    map[string][]auditRef `json:"audit"`
	Verified string                `json:"verified"` // "" when the chain verifies
}

type reqState struct {
	Version uint64    `json:"version"`
	Status  fp.Status `json:"status"`
	Sum     string    `json:"sum"` // SHA-256 of the request as read
}

type auditRef struct {
	Seq    uint64   `json:"seq"`
	Action string   `json:"action"`
	Desk   string   `json:"desk"`
	Tokens []string `json:"tokens,omitempty"`
}

var soakToken = regexp.MustCompile(`soak [0-9]+-[0-9]+`)

func TestSoakThreeDesks(t *testing.T) {
	switch os.Getenv(envSoakRole) {
	case "server":
		soakServer()
		return
	case "desk":
		soakDesk()
		return
	}
	if testing.Short() {
		t.Skip("the soak test starts five processes")
	}
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv(envSoakSeed), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (%s=%d reproduces this run's choices)", seed, envSoakSeed, seed)
	rng := rand.New(rand.NewPCG(seed, 15))
	length := soakDefault
	if s, err := strconv.Atoi(os.Getenv(envSoakSeconds)); err == nil && s > 0 {
		length = time.Duration(s) * time.Second
	}

	// The office: ten demo requests, three desks, made with the server in
	// this process; from then on the server runs as a process of its own.
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	began := time.Now()
	s, err := server.Start(server.Config{Dir: dir, Listen: addr, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Desk 1", "Desk 2", "Desk 3"}
	files := map[string]string{}
	for _, n := range names {
		files[n] = deskFile(t, s, n)
	}
	o, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: files[names[0]], StampKey: filepath.Join(t.TempDir(), "stamp.key")})
	if err != nil {
		t.Fatal(err)
	}
	o.Now = func() time.Time { return soakNow }
	if _, err := demo.Load(o, soakRequests, fp.DateOf(soakNow.In(mustZone(t)))); err != nil {
		t.Fatalf("the demo office: %v", err)
	}
	o.Close()
	url := s.URL()
	s.Close()
	t.Logf("the office made in %v", time.Since(began).Round(time.Millisecond))

	srv := startSoakServer(t, dir, addr)
	defer func() { srv.kill() }()

	type deskProc struct {
		name  string
		cmd   *exec.Cmd
		in    io.WriteCloser
		lines []string      // its reports, all kept (read after eof)
		eof   chan struct{} // closed when its output ends
		done  chan struct{} // closed at its "done"
	}
	var desks []*deskProc
	for i, n := range names {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSoakThreeDesks$")
		cmd.Env = append(os.Environ(), envSoakRole+"=desk", "SOAK_DESK="+n, "SOAK_FILE="+files[n], "SOAK_URL="+url,
			"SOAK_STAMP="+filepath.Join(dir, fmt.Sprintf("stamp%d.key", i)),
			"SOAK_MILLIS="+strconv.FormatInt(length.Milliseconds(), 10), "SOAK_SEED="+strconv.FormatUint(seed+uint64(i)+1, 10),
			"SOAK_N="+strconv.Itoa(i+1))
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Its output is read as it comes, whatever its length: a desk whose
		// changes are refused at once while the server is away reports
		// thousands a second, and must never wait on a full pipe.
		d := &deskProc{name: n, cmd: cmd, in: in, eof: make(chan struct{}), done: make(chan struct{})}
		go func() {
			defer close(d.eof)
			sc := bufio.NewScanner(out)
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				line := sc.Text()
				if line == "soak:done" {
					close(d.done)
					continue
				}
				if strings.HasPrefix(line, "soak:") {
					d.lines = append(d.lines, line)
				}
			}
		}()
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		desks = append(desks, d)
	}

	// Kill the server at random moments while the desks work; start it
	// again after a random pause.
	allDone := make(chan struct{})
	go func() {
		for _, d := range desks {
			<-d.done
		}
		close(allDone)
	}()
	kills := 0
	var downFor time.Duration
	deadline := time.After(length + 3*time.Minute)
work:
	for {
		select {
		case <-allDone:
			break work
		case <-deadline:
			for _, d := range desks { // where each stuck desk is: its goroutines, on stderr
				select {
				case <-d.done:
				default:
					d.cmd.Process.Signal(syscall.SIGQUIT)
				}
			}
			time.Sleep(time.Second)
			t.Fatal("the desks did not finish (the goroutines of those that did not are above)")
		case <-time.After(time.Duration(300+rng.IntN(2200)) * time.Millisecond):
		}
		srv.kill()
		kills++
		pause := time.Duration(100+rng.IntN(1400)) * time.Millisecond
		time.Sleep(pause)
		downFor += pause
		srv = startSoakServer(t, dir, addr)
	}
	t.Logf("the server was killed %d times, down %v in all (plus its restarts)", kills, downFor.Round(time.Millisecond))

	// Every desk reads the office as it is now.
	var attempts []attempt
	states := map[string]deskState{}
	for _, d := range desks {
		io.WriteString(d.in, "dump\n")
	}
	for _, d := range desks {
		<-d.eof
		for _, line := range d.lines {
			body := strings.TrimPrefix(line, "soak:")
			switch {
			case strings.HasPrefix(body, "attempt "):
				var a attempt
				if err := json.Unmarshal([]byte(body[len("attempt "):]), &a); err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				attempts = append(attempts, a)
			case strings.HasPrefix(body, "state "):
				var st deskState
				if err := json.Unmarshal([]byte(body[len("state "):]), &st); err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				states[d.name] = st
			}
		}
		if err := d.cmd.Wait(); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
	}
	checkSoak(t, names, attempts, states, kills)
}

func mustZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation(demo.Scheduling().TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// checkSoak checks what the desks reported against what they read.
func checkSoak(t *testing.T, names []string, attempts []attempt, states map[string]deskState, kills int) {
	t.Helper()
	byOutcome := map[string]int{}
	byWhat := map[string]int{}
	var awayMillis []int64
	for _, a := range attempts {
		byOutcome[a.Outcome]++
		if a.Outcome == "saved" {
			byWhat[a.What]++
		}
		if a.Away {
			awayMillis = append(awayMillis, a.Millis)
		}
	}
	slices.Sort(awayMillis)
	t.Logf("%d changes tried: %v; saved: %v", len(attempts), byOutcome, byWhat)
	why := map[string]int{}
	for _, a := range attempts {
		if a.Outcome != "saved" {
			why[soakToken.ReplaceAllString(a.Message, "TOKEN")]++
		}
	}
	for m, k := range why {
		t.Logf("%3d× %s", k, m)
	}
	if len(awayMillis) > 0 {
		t.Logf("%d refused as the server was away, in %d ms at the median, %d ms at most", len(awayMillis), awayMillis[len(awayMillis)/2], awayMillis[len(awayMillis)-1])
	}
	if byOutcome["saved"] < 10 || kills < 2 {
		t.Errorf("too little happened to tell anything: %d saved, %d kills", byOutcome["saved"], kills)
	}

	// Every desk reads the same office, and its audit chain verifies.
	first := states[names[0]]
	for _, n := range names {
		st, ok := states[n]
		if !ok {
			t.Fatalf("%s read nothing at the end", n)
		}
		if st.Verified != "" {
			t.Errorf("%s: the audit chain does not verify: %s", n, st.Verified)
		}
		a, _ := json.Marshal(struct {
			R map[string]reqState
			C map[fp.Status]int
			A map[string][]auditRef
		}{st.Requests, st.Counts, st.Audit})
		b, _ := json.Marshal(struct {
			R map[string]reqState
			C map[fp.Status]int
			A map[string][]auditRef
		}{first.Requests, first.Counts, first.Audit})
		if string(a) != string(b) {
			t.Errorf("%s reads another office than %s:\n%s\n%s", n, names[0], a, b)
		}
	}

	// Where each token is in the audit.
	type place struct {
		request string
		seq     uint64
		desk    string
	}
	found := map[string][]place{}
	for number, es := range first.Audit {
		for _, e := range es {
			for _, tok := range e.Tokens {
				found[tok] = append(found[tok], place{number, e.Seq, e.Desk})
			}
		}
	}
	type saved struct {
		version uint64
		token   string
		seq     uint64
	}
	perRequest := map[string][]saved{}
	lastVersion := map[[2]string]uint64{}
	for _, a := range attempts {
		at := found[a.Token]
		switch a.Outcome {
		case "saved":
			if len(at) != 1 || at[0].request != a.Request || at[0].desk != a.Desk {
				t.Errorf("%s saved %q (%s, version %d), and the audit has it %d times: %v", a.Desk, a.Token, a.What, a.Version, len(at), at)
				continue
			}
			perRequest[a.Request] = append(perRequest[a.Request], saved{a.Version, a.Token, at[0].seq})
			k := [2]string{a.Desk, a.Request}
			if a.Version <= lastVersion[k] {
				t.Errorf("%s saved version %d of a request after version %d", a.Desk, a.Version, lastVersion[k])
			}
			lastVersion[k] = a.Version
		case "not-saved":
			if len(at) != 0 {
				t.Errorf("%s was told %q (%s) was not saved, and the audit has it: %q", a.Desk, a.Token, a.What, a.Message)
			}
		case "perhaps":
			if len(at) > 1 {
				t.Errorf("%q (%s) is in the audit %d times", a.Token, a.What, len(at))
			}
		default:
			t.Errorf("an attempt with the outcome %q", a.Outcome)
		}
	}
	for number, ss := range perRequest {
		slices.SortFunc(ss, func(a, b saved) int { return int(a.version) - int(b.version) })
		for i := range ss {
			if i > 0 && ss[i].version == ss[i-1].version {
				t.Errorf("two changes were both saved as version %d of a request: %s and %s", ss[i].version, ss[i-1].token, ss[i].token)
			}
			if i > 0 && ss[i].seq <= ss[i-1].seq {
				t.Errorf("version %d of a request comes before version %d in the audit", ss[i].version, ss[i-1].version)
			}
		}
		if v := first.Requests[number].Version; v < ss[len(ss)-1].version {
			t.Errorf("a request is at version %d, after a change saved as version %d", v, ss[len(ss)-1].version)
		}
	}
}

// soakServerProc is the server's process.
type soakServerProc struct {
	cmd *exec.Cmd
}

func (p *soakServerProc) kill() {
	if p == nil || p.cmd == nil {
		return
	}
	p.cmd.Process.Kill() // SIGKILL
	p.cmd.Wait()
	p.cmd = nil
}

// startSoakServer runs the server in dir on addr in a process of its own
// and waits until it serves.
func startSoakServer(t *testing.T, dir, addr string) *soakServerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoakThreeDesks$")
	cmd.Env = append(os.Environ(), envSoakRole+"=server", "SOAK_DIR="+dir, "SOAK_ADDR="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "soak:ready" {
				ready <- nil
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("the server ended before it served")
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Wait()
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the server did not start within a minute")
	}
	return &soakServerProc{cmd: cmd}
}

// soakServer is the server's process: it serves until it is killed.
func soakServer() {
	s, err := server.Start(server.Config{Dir: os.Getenv("SOAK_DIR"), Listen: os.Getenv("SOAK_ADDR"), Logger: zap.NewNop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak server:", err)
		os.Exit(2)
	}
	fmt.Println("soak:ready")
	err = <-s.Done()
	fmt.Fprintln(os.Stderr, "soak server stopped:", err)
	os.Exit(2)
}

// soakDesk is a desk's process: it makes random changes until its time is
// up, reporting each, says "done", and at "dump" on its input reads the
// office and reports it.
func soakDesk() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "soak desk %s: "+format+"\n", append([]any{os.Getenv("SOAK_DESK")}, args...)...)
		os.Exit(2)
	}
	name, n := os.Getenv("SOAK_DESK"), os.Getenv("SOAK_N")
	seed, _ := strconv.ParseUint(os.Getenv("SOAK_SEED"), 10, 64)
	millis, _ := strconv.ParseInt(os.Getenv("SOAK_MILLIS"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 15))
	out := bufio.NewWriter(os.Stdout)
	say := func(kind string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(out, "soak:%s %s\n", kind, b)
		out.Flush()
	}
	// again retries what fails while the server is away or restarting.
	again := func(what string, fn func() error) {
		until := time.Now().Add(2 * time.Minute)
		for {
			err := fn()
			if err == nil {
				return
			}
			if time.Now().After(until) {
				fail("%s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var o *officedesk.Office
	again("connect", func() (err error) {
		o, err = officedesk.Open(officedesk.Config{Server: os.Getenv("SOAK_URL"), DeskFile: os.Getenv("SOAK_FILE"), StampKey: os.Getenv("SOAK_STAMP")})
		return err
	})
	o.Now = func() time.Time { return soakNow }
	var clerk, director fp.Actor
	again("sign in", func() (err error) { clerk, err = o.Authenticate(demo.Clerk.Name, demo.Password); return err })
	again("sign in", func() (err error) { director, err = o.Authenticate(demo.Director.Name, demo.Password); return err })
	var ids []fp.RequestID
	again("list", func() error {
		rows, _, err := o.FindRequests(fp.RequestFilter{Limit: 100})
		ids = nil
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return err
	})
	slices.Sort(ids)
	today := fp.DateOf(soakNow.In(o.Location()))

	// What each request was when last read: while the server is away a
	// clerk still has it on screen, and tries changes on it.
	shown := map[fp.RequestID]*fp.Request{}
	end := time.Now().Add(time.Duration(millis) * time.Millisecond)
	for i := 1; time.Now().Before(end); i++ {
		id := ids[rng.IntN(len(ids))]
		r, err := o.FindRequestByID(id)
		if err == nil {
			shown[id] = r
		} else if r = shown[id]; r == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		tok := fmt.Sprintf("soak %s-%d", n, i)
		what, change := pickChange(rng, o, r, clerk, director, today, tok)
		if change == nil {
			continue
		}
		a := attempt{Desk: name, Token: tok, Request: r.Number, What: what}
		began := time.Now()
		got, err := change()
		a.Millis = time.Since(began).Milliseconds()
		msg := fp.ErrorMessage(err)
		switch {
		case err == nil:
			a.Outcome, a.Version = "saved", got.Version
		case strings.Contains(msg, "may or may not"):
			a.Outcome, a.Message = "perhaps", msg
		default:
			a.Outcome, a.Message = "not-saved", msg
			a.Away = strings.Contains(msg, "does not answer since")
		}
		say("attempt", a)
	}
	fmt.Fprintln(out, "soak:done")
	out.Flush()

	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "dump" {
		fail("no dump asked for")
	}
	st := deskState{Desk: name, Requests: map[string]reqState{}, Audit: map[string][]auditRef{}}
	again("read the office", func() error {
		for _, id := range ids {
			r, err := o.FindRequestByID(id)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(r)
			sum := sha256.Sum256(b)
			st.Requests[r.Number] = reqState{Version: r.Version, Status: r.Status, Sum: hex.EncodeToString(sum[:])}
			es, err := o.RequestAudit(r.Number)
			if err != nil {
				return err
			}
			var refs []auditRef
			for _, e := range es {
				text := e.Note
				for _, c := range e.Changes {
					text += "\x00" + c.Old + "\x00" + c.New
				}
				refs = append(refs, auditRef{Seq: e.Seq, Action: e.Action, Desk: e.Desk, Tokens: soakToken.FindAllString(text, -1)})
			}
			st.Audit[r.Number] = refs
		}
		var err error
		st.Counts, err = o.CountByStatus()
		if err != nil {
			return err
		}
		_, problem, err := o.VerifyAudit(nil)
		if err != nil {
			return err
		}
		if problem != nil {
			st.Verified = fmt.Sprintf("%+v", *problem)
		}
		return nil
	})
	say("state", st)
	o.Close()
	os.Exit(0)
}

// pickChange chooses a change a clerk or the director could make to r now,
// with tok in its reason or note; nil when there is none.
func pickChange(rng *rand.Rand, o *officedesk.Office, r *fp.Request, clerk, director fp.Actor, today fp.Date, tok string) (string, func() (*fp.Request, error)) {
	type option struct {
		what string
		fn   func() (*fp.Request, error)
	}
	var opts []option
	add := func(what string, fn func() (*fp.Request, error)) { opts = append(opts, option{what, fn}) }
	switch r.Status {
	case fp.StatusReadyToSchedule:
		add("book", func() (*fp.Request, error) {
			bs, err := o.ProposeSlots(r.ID, today.AddDays(rng.IntN(2)))
			if err != nil {
				return nil, err
			}
			return o.Book(director, r.ID, bs, tok, true) // past the reschedule limit: the director's override
		})
	case fp.StatusScheduled:
		for _, p := range r.ToFingerprint(today) {
			ap, ok := r.CurrentAppointment(p.ID)
			if !ok || ap.Status != fp.ApptBooked {
				continue
			}
			add("reschedule", func() (*fp.Request, error) {
				bs, err := o.ProposeSlots(r.ID, today.AddDays(rng.IntN(5)))
				if err != nil {
					return nil, err
				}
				for _, b := range bs {
					if b.PersonID == p.ID {
						return o.Reschedule(director, r.ID, p.ID, b, tok, true)
					}
				}
				return nil, fp.Errorf(fp.ENOTFOUND, "no slot proposed")
			})
			add("cancel", func() (*fp.Request, error) { return o.CancelAppointment(director, r.ID, p.ID, tok, true) })
			if ap.Day == today {
				add("check in", func() (*fp.Request, error) {
					return o.CheckInPerson(clerk, r.ID, fp.CheckInInput{PersonID: p.ID, ID: fp.IDPassport, IDNote: tok, NameMatches: true})
				})
			}
		}
	case fp.StatusNew, fp.StatusAwaitingDocuments, fp.StatusDirectorReview:
		for _, it := range r.Checklist(today) {
			if it.Doc.File == nil {
				continue
			}
			add("reject a document", func() (*fp.Request, error) {
				return o.JudgeDocument(clerk, r.ID, it.Key, fp.Verdict{Reason: fp.RejectIllegible, Note: tok})
			})
			if it.Kind == fp.DocNotice {
				add("verify a document", func() (*fp.Request, error) {
					return o.JudgeDocument(clerk, r.ID, it.Key, fp.Verdict{Verified: true, Shows: r.Identifiers()[0], Note: tok})
				})
			}
		}
		switch r.Status {
		case fp.StatusNew:
			add("decide: await", func() (*fp.Request, error) { return o.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, tok) })
			add("decide: refer", func() (*fp.Request, error) { return o.TransitionRequest(clerk, r.ID, fp.StatusDirectorReview, tok) })
		case fp.StatusAwaitingDocuments:
			add("decide: triage", func() (*fp.Request, error) { return o.TransitionRequest(clerk, r.ID, fp.StatusNew, tok) })
		case fp.StatusDirectorReview:
			if rng.IntN(4) == 0 { // a denial ends the request's changes: rarely
				add("decide: deny", func() (*fp.Request, error) { return o.TransitionRequest(director, r.ID, fp.StatusDenied, tok) })
			}
		}
	}
	if len(opts) == 0 {
		return "", nil
	}
	c := opts[rng.IntN(len(opts))]
	return c.what, c.fn
}
