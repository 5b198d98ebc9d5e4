package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/ui"
)

// cmdSelfTest opens the real window on a throw-away demo office and drives
// it through every screen each demo account has (ui.SelfTest): what an
// office's IT runs on a new PC, and what make test runs under Xvfb.
func cmdSelfTest(e env, args []string) error {
	fs := flag.NewFlagSet("self-test", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	shots := fs.String("screenshots", "", "write each screen as a PNG into this directory")
	sizeFlag := fs.String("size", "1366x768", "the window's size, WIDTHxHEIGHT")
	timeout := fs.Duration("timeout", 2*time.Minute, "fail when the whole run takes longer")
	keystrokes := fs.Int("keystrokes", 0, "instead: time each key typed into the queue's search, to the list drawn, on a demo office of this many requests (scripts/keystroke-latency.sh)")
	keysDB := fs.String("db", "", "with --keystrokes: the office to use, made there when it does not exist yet (kept for the next run)")
	rounds := fs.Int("rounds", 3, "with --keystrokes: how many times the words are typed")
	capture := fs.String("capture", "gl", "how the window is captured: gl (what OpenGL drew) or x11 (what the X server shows, needs xwd: for renderers GL cannot read back, such as Mesa's llvmpipe)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: fieldprint self-test [--screenshots DIR] [--size WxH] [--timeout D] [--capture gl|x11] [--keystrokes N [--db PATH] [--rounds N]]\n")
		fs.PrintDefaults()
	}
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "fieldprint self-test: --size: %v\n", err)
		return errUsage
	}
	if *capture != "gl" && *capture != "x11" {
		fmt.Fprintf(e.stderr, "fieldprint self-test: --capture: %q is neither gl nor x11\n", *capture)
		return errUsage
	}
	if !realWindow {
		return fp.Errorf(fp.EINVALID, "self-test needs the real window: this fieldprint was built for tests (-tags ci); build it with make build")
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			return fp.Errorf(fp.EINVALID, "cannot create %s: %v", *shots, errText(err))
		}
	}
	// Everything in a temporary directory: the database, and Fyne's settings
	// and preferences (the user's own are neither read nor written).
	tmp, err := os.MkdirTemp("", "fieldprint-self-test-")
	if err != nil {
		return fp.Internal("cannot create a temporary directory", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "config")); err != nil {
		return fp.Internal("cannot set XDG_CONFIG_HOME", err)
	}
	isolateWindowsSettings(tmp) // Fyne's settings on Windows ignore XDG_CONFIG_HOME (selftest_windows.go)
	if *keystrokes > 0 {
		path := *keysDB
		if path == "" {
			path = filepath.Join(tmp, "keystrokes.db")
		}
		return keystrokeTest(e, path, *keystrokes, *rounds, size, *timeout)
	}
	db, err := store.Open(filepath.Join(tmp, "self-test.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	a := app.NewWithID("gov.uscis.fieldprint")
	u := ui.New(a, db, "self-test")
	st := &ui.SelfTest{Size: size, Dir: *shots, Out: e.stdout, X11: *capture == "x11"}
	// The window's thread may hang: then nothing can quit the app.
	watchdog := time.AfterFunc(*timeout, func() {
		fmt.Fprintf(e.stderr, "fieldprint: self-test: not finished after %s (at: %s)\n", *timeout, st.Step())
		os.RemoveAll(tmp)
		os.Exit(1)
	})
	defer watchdog.Stop()
	result := make(chan error, 1)
	u.SelfTest(st, func(err error) {
		result <- err
		fyne.Do(a.Quit)
	})
	mistakes := &fyneMistakes{out: e.stderr}
	log.SetOutput(mistakes)
	a.Run()
	fyneQuiet()
	writeMemProfile()
	select {
	case err = <-result:
	default:
		err = fp.Errorf(fp.EINTERNAL, "self-test: the window closed before the self-test finished (at: %s)", st.Step())
	}
	if n := mistakes.count(); err == nil && n > 0 {
		err = fp.Errorf(fp.EINTERNAL, "self-test: the window was asked %d times to focus a field that is not on screen (Fyne's log above says where)", n)
	}
	if err != nil {
		var e *fp.Error
		if !errors.As(err, &e) {
			err = fp.Errorf(fp.EINTERNAL, "self-test: %v", err)
		}
		return err
	}
	if errs := db.Check(); len(errs) > 0 {
		return fp.Errorf(fp.EINTERNAL, "self-test: the database fails its consistency check: %v", errors.Join(errs...))
	}
	return nil
}

// fyneMistakes passes Fyne's log through and counts the errors that are the
// program's own mistake in the real window, which the tests' software canvas
// does not report: a focus asked for a field that is not on screen.
type fyneMistakes struct {
	out io.Writer
	mu  sync.Mutex
	n   int
}

func (m *fyneMistakes) Write(p []byte) (int, error) {
	m.mu.Lock()
	if bytes.Contains(p, []byte("Failed to focus")) {
		m.n++
	}
	m.mu.Unlock()
	return m.out.Write(p)
}

func (m *fyneMistakes) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// fyneQuiet silences Fyne's log once the window has closed: its watcher
// of the preferences file outlives the app (Quit stops only the settings'
// one) and reports the temporary folder's removal as errors.
func fyneQuiet() { log.SetOutput(io.Discard) }

// parseSize reads WIDTHxHEIGHT.
func parseSize(s string) (fyne.Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	wi, err1 := strconv.Atoi(w)
	hi, err2 := strconv.Atoi(h)
	if !ok || err1 != nil || err2 != nil || wi < 320 || hi < 240 || wi > 16384 || hi > 16384 {
		return fyne.Size{}, fmt.Errorf("%q is not WIDTHxHEIGHT in pixels (e.g. 1366x768, at least 320x240)", s)
	}
	return fyne.NewSize(float32(wi), float32(hi)), nil
}

// keystrokeTest is self-test --keystrokes: the office at path (made with n
// demo requests when new), the window signed in as the demo clerk, each key
// of a few searches timed to the frame that shows its answer.
func keystrokeTest(e env, path string, n, rounds int, size fyne.Size, timeout time.Duration) error {
	windowGC() // measured as the window runs
	_, statErr := os.Stat(path)
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	if os.IsNotExist(statErr) {
		if err := bigDemo(e, db, n); err != nil {
			return err
		}
	}
	count, err := db.CountRequests()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "office: %d requests in %s\n", count, path)
	a := app.NewWithID("gov.uscis.fieldprint")
	u := ui.New(a, db, "keystrokes")
	kt := &ui.KeystrokeTest{Size: size, Out: e.stdout, As: demo.Clerk, Pass: demo.Password, Rounds: rounds,
		Words: []string{"nguyen thi", "wang li", "garcia", "IOE0", "mwangi", "sharma"},
		Pause: 60 * time.Millisecond, Burst: 12 * time.Millisecond, Mem: func() string { return rss(path) }}
	watchdog := time.AfterFunc(timeout, func() {
		fmt.Fprintf(e.stderr, "fieldprint: self-test --keystrokes: not finished after %s\n", timeout)
		os.Exit(1)
	})
	defer watchdog.Stop()
	stop, err := startCPUProfile()
	if err != nil {
		return err
	}
	defer stop()
	result := make(chan error, 1)
	u.KeystrokeTest(kt, func(err error) {
		result <- err
		fyne.Do(a.Quit)
	})
	a.Run()
	fyneQuiet()
	writeMemProfile()
	select {
	case err = <-result:
	default:
		err = fp.Errorf(fp.EINTERNAL, "self-test --keystrokes: the window closed before the test finished")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "fieldprint: self-test --keystrokes: %v\n", err) // a measurement tool: the whole error
	}
	return err
}

// bigDemo makes a demo office of n requests quickly: demo.Load's whole
// story for the first few hundred, then the rest imported as they come
// (new requests, in the import's batches).
func bigDemo(e env, db *store.DB, n int) error {
	start := time.Now()
	first := min(n, 300)
	if _, err := demo.Load(db, first, db.Today()); err != nil {
		return err
	}
	if n > first {
		rs, err := demo.Requests(n-first, db.Today(), 2027)
		if err != nil {
			return err
		}
		if _, err := db.ImportRequests(demo.Clerk, rs, fp.SaveOptions{AllowDuplicates: true}); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "office of %d demo requests made in %.1f s\n", n, time.Since(start).Seconds())
	return nil
}

// rss is the process's resident memory (Linux; "unknown" elsewhere):
// Rss and its anonymous and file-backed parts from /proc/self/smaps_rollup
// (exact: /proc/self/status's VmRSS, RssAnon and RssFile are the kernel's
// approximate counters, seen tens of MB off here), the peak so far (VmHWM);
// then how much of the file-backed part is the database file's mapping
// (the office's pages, which the kernel's page cache holds anyway), and
// the Go runtime's share of the anonymous part: the heap's live bytes at
// the last collection, and all the memory the runtime holds from the
// system (heap with its free spans not yet returned, stacks, its own
// structures) less what it returned.
func rss(db string) string {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return "unknown"
	}
	kb := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[2] == "kB" {
			kb[strings.TrimSuffix(f[0], ":")], _ = strconv.Atoi(f[1])
		}
	}
	out := []string{fmt.Sprintf("Rss %d kB (anonymous %d, file-backed %d)", kb["Rss"], kb["Anonymous"], kb["Rss"]-kb["Anonymous"])}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				out = append(out, "peak "+strings.Join(strings.Fields(line)[1:], " "))
			}
		}
	}
	if abs, err := filepath.Abs(db); err == nil {
		if kb, ok := mappedKB(abs); ok {
			out = append(out, fmt.Sprintf("the database file %d kB of it", kb))
		}
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[1].Value.Kind() == metrics.KindUint64 && s[2].Value.Kind() == metrics.KindUint64 {
		out = append(out, fmt.Sprintf("Go: heap live %d kB, held from the system %d kB",
			s[0].Value.Uint64()>>10, (s[1].Value.Uint64()-s[2].Value.Uint64())>>10))
	}
	if s[3].Value.Kind() == metrics.KindFloat64 && s[4].Value.Kind() == metrics.KindFloat64 && s[5].Value.Kind() == metrics.KindUint64 {
		out = append(out, fmt.Sprintf("%d collections so far, %.2f s of CPU (Go code: %.2f s)",
			s[5].Value.Uint64(), s[3].Value.Float64(), s[4].Value.Float64()))
	}
	return strings.Join(out, ", ")
}

// mappedKB is the resident size of the process's mappings of the file at
// path (the Rss lines of /proc/self/smaps).
func mappedKB(path string) (int, bool) {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, false
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path // a mapping's first line: its range, …, its file
		case in && len(f) == 3 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			kb += n
		}
	}
	return kb, true
}

// writeMemProfile writes what the window's heap holds at the end to
// $FIELDPRINT_MEMPROFILE, when set.
func writeMemProfile() {
	if prof := os.Getenv("FIELDPRINT_MEMPROFILE"); prof != "" {
		if f, err := os.Create(prof); err == nil {
			runtime.GC()
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}

// startCPUProfile writes a CPU profile of the run to $FIELDPRINT_CPUPROFILE,
// when set (where a demo's or a keystroke's time goes), until stop.
func startCPUProfile() (stop func(), err error) {
	prof := os.Getenv("FIELDPRINT_CPUPROFILE")
	if prof == "" {
		return func() {}, nil
	}
	f, err := os.Create(prof)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
