package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/officedesk"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/ui"
	"github.com/fieldprint/fieldprint/workflow"
)

// windowGCPercent is the window's GOGC, unless $GOGC sets one. Its heap is
// mostly long-lived and holds few pointers (the search index has none, the
// fonts' tables and the requests' keys are bytes): collecting when it has
// grown by half rather than Go's default doubling marks about the same
// small set of pointers twice as often, and keeps the heap's garbage
// smaller. At 100,000 requests: 25 collections instead of 12 over a
// keystroke self-test round (0.4 s of CPU instead of 0.23 s in 15 s), and
// ~40 MB less RSS (docs/PERFORMANCE.md, issue 18).
const windowGCPercent = 50

func windowGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(windowGCPercent)
	}
}

// runGUI opens the main window on the chosen database.
func runGUI(e env, args []string) error {
	windowGC()
	fs, dbFlag := newFlags(e, "fieldprint", "[--db PATH] [--lock-after DURATION]")
	lockAfter := fs.Duration("lock-after", 10*time.Minute, "lock the window after this long without activity (0 never)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	a := app.NewWithID("gov.uscis.fieldprint")
	fail := func(err error) error {
		// Say it in a window too: the GUI may have been started from a menu.
		w := a.NewWindow("Fieldprint cannot start")
		l := widget.NewLabel(fp.ErrorMessage(err))
		l.Wrapping = fyne.TextWrapWord
		w.SetContent(l)
		w.Resize(fyne.NewSize(520, 140))
		w.ShowAndRun()
		return err
	}
	if conn.server == "off" { // forget the remembered server: this desk's own file again
		if err := forgetServer(); err != nil {
			return fail(fp.Errorf(fp.EINTERNAL, "the remembered office server cannot be forgotten: %v", err))
		}
	}
	cfg, on, err := serverFor(*dbFlag)
	if err != nil {
		return fail(err)
	}
	if on {
		return runOnServer(a, cfg, *lockAfter, fail)
	}
	path := dbPath(*dbFlag)
	db, err := store.Open(path)
	if err != nil {
		return fail(err)
	}
	defer func() { db.Close() }()
	u := ui.New(a, db, filepath.Base(path))
	u.IdleAfter = *lockAfter
	var joined *officedesk.Office
	defer func() {
		if joined != nil {
			joined.Close()
		}
	}()
	// The first-run screen's "Join an office server…": this desk's empty
	// file gives way to the office on the server, remembered for next time.
	u.Joiner = func(server, deskFile string) (ui.Store, string, error) {
		cfg := officedesk.Config{DeskFile: deskFile, StampKey: serverStampKey()}
		var err error
		if cfg.Server, err = etcdstore.Endpoint(server); err != nil {
			return nil, "", err
		}
		o, err := officedesk.Open(cfg)
		if err != nil {
			return nil, "", err
		}
		if err := remember(cfg); err != nil {
			o.Close()
			return nil, "", fp.Errorf(fp.EINTERNAL, "connected, but the office server cannot be remembered in %s: %v", dataDir(), err)
		}
		joined = o
		return serverStore{o, o}, "office server " + o.Server() + ", desk " + o.Name(), nil
	}
	u.Restorer = func(file string, s workflow.BackupSecret, progress func(float64)) (ui.Store, error) {
		open, err := restoreOpen(&db, file, s, progress) // backup.go
		if open == nil {
			return nil, err // not a nil *store.DB in the interface
		}
		return open, err
	}
	u.ShowAndRun()
	return nil
}

// runOnServer opens the window on the office server (the same window: the
// screens take a ui.Store), remembering the server when --server named it.
func runOnServer(a fyne.App, cfg officedesk.Config, lockAfter time.Duration, fail func(error) error) error {
	o, err := officedesk.Open(cfg)
	if err != nil {
		return fail(err)
	}
	defer o.Close()
	if conn.server != "" {
		if err := remember(cfg); err != nil {
			return fail(fp.Errorf(fp.EINTERNAL, "connected, but the office server cannot be remembered in %s: %v", dataDir(), err))
		}
	}
	// Only the screens' interface: backups and restores are the server's
	// (the Settings screen shows no backup panel).
	u := ui.New(a, serverStore{o, o}, "office server "+o.Server()+", desk "+o.Name())
	u.IdleAfter = lockAfter
	u.ShowAndRun()
	return nil
}

// serverStore is the office on its server as the window gets it: the
// screens' interface only (the Settings screen then shows no backup panel:
// the server's backups are the server's), and what a shared office adds:
// the server away and back, other desks' changes, who has a request open
// where, and the desk's certificate near its end.
type serverStore struct {
	ui.Store
	o *officedesk.Office
}

var (
	_ ui.Away     = serverStore{}
	_ ui.Live     = serverStore{}
	_ ui.Presence = serverStore{}
	_ ui.Renewal  = serverStore{}
)

func (s serverStore) OnAway(fn func(since time.Time, away bool)) { s.o.OnAway(fn) }
func (s serverStore) Changes() <-chan struct{}                   { return s.o.Changes() }
func (s serverStore) OpenAt(number, who string) (release func()) { return s.o.OpenAt(number, who) }
func (s serverStore) OpenElsewhere(number string) []string       { return s.o.OpenElsewhere(number) }
func (s serverStore) RenewalWarning(now time.Time) string        { return s.o.RenewalWarning(now) }
