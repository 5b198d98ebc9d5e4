// Package ui is Fieldprint's Fyne interface: one file per screen. Screens talk
// to the domain's services, never to the database.
package ui

import (
	"fmt"
	"log"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/assets"
	"github.com/fieldprint/fieldprint/workflow"
)

// Store is what the screens need of the database.
type Store interface {
	fp.RequestService
	fp.UserService
	fp.AuditService
	fp.OfficeService
	fp.DocumentService
	fp.ScheduleService
	fp.CollectionService
	fp.IntakeService
	fp.TrackerService
	// Report is how the office is doing (directors and administrators);
	// RequestSummaries the rows of the requests behind one of its numbers.
	Report(a fp.Actor, p fp.Period) (fp.Report, error)
	RequestSummaries(ids []fp.RequestID) ([]fp.RequestSummary, error)
	// CheckImport checks tracker rows as ImportRows will, writing nothing.
	CheckImport(a fp.Actor, rows []fp.ImportRow, opt fp.SaveOptions) ([]fp.ImportPlan, []fp.LineError, error)
	Profile() (fp.Profile, error)
	LetterRequests(day fp.Date, unprinted bool) ([]*fp.Request, error)
	SetClock(c fp.Clock) fp.Clock
	CountByStatus() (map[fp.Status]int, error)
	RequestAudit(number string) ([]fp.AuditEntry, error)
	// Location is the office's time zone: every time on screen is in it.
	Location() *time.Location
	// The demo office (first-run choice) is marked, and says so in the title.
	MarkDemo() error
	IsDemo() bool
	LoadRequests(f fp.RequestFilter) ([]*fp.Request, error)
	// Records and scans from before the office's data key are sealed after
	// the first sign-in (workflow/seal.go).
	NeedsSealing() (bool, error)
	SealExisting(progress func(done, total int)) error
	WarmSearch() error
	// Retention, legal holds and the purge (workflow/purge.go).
	Retention() (fp.Retention, error)
	SetRetention(a fp.Actor, r fp.Retention) error
	SetHold(a fp.Actor, id fp.RequestID, on bool, reason string) (*fp.Request, error)
	DueForDestruction(a fp.Actor) (workflow.PurgeReport, error)
	ConfirmPurge(first fp.Actor, second, password string) (workflow.PurgeConfirmation, error)
	PurgeConfirmed(first fp.Actor, c workflow.PurgeConfirmation, opt workflow.PurgeOptions) (workflow.PurgeReport, error)
	PurgeDueNow(a fp.Actor) (workflow.PurgeReport, bool, error)
	DestructionReports(a fp.Actor) ([]workflow.PurgeReport, error)
}

// UI is the main window and the screens in it.
type UI struct {
	app   fyne.App
	win   fyne.Window
	db    Store
	actor fp.Actor
	// who is the signed-in person as paper names them (full name, badge).
	who string
	// Now is the clock for "today" and ages; tests fix it.
	Now func() time.Time
	// DemoCount is how many requests "Load demo data" creates.
	DemoCount int
	// inline runs background work on the calling goroutine (tests).
	inline bool
	// Restorer restores a backup from Settings (cmd wires it; backup.go).
	Restorer Restorer
	// Joiner connects this desk to an office server (cmd wires it: the
	// first-run screen's "Join an office server…"): the office there and
	// the window title's place, or why not.
	Joiner func(server, deskFile string) (Store, string, error)
	// backupStatus says under the navigation that the daily backup failed.
	backupStatus *widget.Label
	backingUp    bool
	purging      bool // the daily purge is running
	// awayStatus says under the navigation that the office server is away.
	awayStatus *widget.Label
	// renewStatus says under it that this desk's certificate for the
	// office server ends soon, and what the IT person runs.
	renewStatus *widget.Label
	// refreshShown fills the screen on show again (a change at another desk).
	refreshShown func()
	// release ends the open request's "open at this desk" mark (Presence).
	release func()
	// onLive is what a change at another desk does (liveRefresh; tests
	// count it: Fyne's test driver runs it on the follower's goroutine).
	onLive func()
	// IdleAfter locks the window after this long without activity (0: never).
	IdleAfter  time.Duration
	lastActive time.Time
	locked     bool

	nav     map[string]*widget.Button
	navBox  *fyne.Container
	body    *fyne.Container
	main    fyne.CanvasObject // navigation and body, shown once signed in
	place   string
	current string

	queue *queueScreen
	// importer is the last import screen opened (tests drive it).
	importer *importScreen
	// reports is the last Reports screen opened (tests read it).
	reports *reportsScreen
	// purge is the last Retention screen opened (tests drive it).
	purge   *purgeScreen
	form    *requestScreen // the open request form, nil when none
	editing editor         // the open screen with typed changes to keep: a form, the settings
	welcome fyne.CanvasObject
}

const (
	navQueue    = "Queue"
	navNew      = "New request"
	navReview   = "Director review"
	navAudit    = "Audit trail"
	navReports  = "Reports"
	navCalendar = "Calendar"
	navToday    = "Today"
	navVerify   = "Check a stamp"
	navSettings = "Settings"
	navPurge    = "Retention"
	navUsers    = "Users"
)

// navOrder is the sidebar, top to bottom (each role sees its part of it).
var navOrder = []string{navQueue, navNew, navToday, navCalendar, navReview, navReports, navAudit, navPurge, navVerify, navSettings, navUsers}

// New builds the main window on db. place names the office or database in
// the window title. The window opens on the sign-in form.
func New(a fyne.App, db Store, place string) *UI {
	u := &UI{app: a, db: db, place: place, Now: time.Now, DemoCount: 60, IdleAfter: 10 * time.Minute, nav: map[string]*widget.Button{}}
	u.onLive = u.liveRefresh
	icon := fyne.NewStaticResource("icon.png", assets.IconPNG)
	a.SetIcon(icon)
	a.Settings().SetTheme(newOfficeTheme(a.Preferences()))
	u.win = a.NewWindow("Fieldprint")
	u.win.SetIcon(icon)

	navBox := container.NewVBox()
	u.navBox = navBox
	for _, name := range navOrder {
		b := widget.NewButton(name, func() { u.Navigate(name) })
		b.Alignment = widget.ButtonAlignLeading
		u.nav[name] = b
		navBox.Add(b)
	}
	u.nav[navQueue].SetIcon(theme.ListIcon())
	u.nav[navNew].SetIcon(theme.ContentAddIcon())
	u.nav[navReview].SetIcon(theme.ConfirmIcon())
	u.nav[navAudit].SetIcon(theme.HistoryIcon())
	u.nav[navReports].SetIcon(theme.DocumentIcon())
	u.nav[navCalendar].SetIcon(theme.GridIcon())
	u.nav[navSettings].SetIcon(theme.SettingsIcon())
	u.nav[navUsers].SetIcon(theme.AccountIcon())
	u.nav[navToday].SetIcon(theme.LoginIcon())
	u.nav[navVerify].SetIcon(theme.ConfirmIcon())
	u.nav[navPurge].SetIcon(theme.DeleteIcon())
	u.body = container.NewStack()
	u.queue = newQueueScreen(u)
	switchUser := widget.NewButtonWithIcon("Switch user", theme.LogoutIcon(), func() { u.SwitchUser() })
	u.backupStatus = widget.NewLabel("")
	u.backupStatus.Importance, u.backupStatus.Wrapping = widget.DangerImportance, fyne.TextWrapWord
	u.backupStatus.Hide()
	u.awayStatus = widget.NewLabel("")
	u.awayStatus.Importance, u.awayStatus.Wrapping = widget.DangerImportance, fyne.TextWrapWord
	u.awayStatus.Hide()
	u.renewStatus = widget.NewLabel("")
	u.renewStatus.Importance, u.renewStatus.Wrapping = widget.WarningImportance, fyne.TextWrapWord
	u.renewStatus.Hide()
	side := container.NewBorder(nil, container.NewVBox(
		widget.NewLabelWithStyle("Ctrl+N new · Ctrl+F find\nCtrl+S save", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		u.awayStatus, u.renewStatus, u.backupStatus, switchUser), nil, nil, navBox)
	u.main = container.NewBorder(nil, nil, container.NewHBox(side, widget.NewSeparator()), nil, u.body)
	u.win.SetMainMenu(u.menu())
	u.win.SetCloseIntercept(func() { u.leave(func() { u.win.Close() }) })
	u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.onDrop(uris) })
	u.win.Resize(fyne.NewSize(
		float32(a.Preferences().FloatWithFallback("window.width", 1180)),
		float32(a.Preferences().FloatWithFallback("window.height", 760))))
	u.showSignIn("")
	u.follow(db)
	return u
}

// signedIn shows the main window for a, who has just given their password.
func (u *UI) signedIn(a fp.Actor) {
	u.actor, u.locked = a, false
	u.loadWho()
	u.touch()
	u.setTitle()
	u.setRenewal()
	u.win.SetContent(u.main)
	// What each role sees; the store refuses the rest anyway, this only says so early.
	show := func(name string, on bool) {
		if on {
			u.nav[name].Show()
		} else {
			u.nav[name].Hide()
		}
	}
	show(navNew, a.CanHandleCases())
	show(navReview, a.Role == fp.RoleDirector)
	show(navAudit, a.Role == fp.RoleDirector || a.Role == fp.RoleAdmin)
	show(navReports, a.Role == fp.RoleDirector || a.Role == fp.RoleAdmin)
	show(navPurge, a.Role == fp.RoleDirector || a.Role == fp.RoleAdmin)
	show(navCalendar, a.CanHandleCases())
	show(navToday, a.CanHandleCases())
	show(navSettings, a.Role == fp.RoleAdmin)
	show(navUsers, a.Role == fp.RoleAdmin)
	u.navBox.Refresh() // lay the shown buttons out again, without the gaps of the hidden
	// The person starts from a fresh queue, not the last one's search and
	// sort, with the buttons their role has.
	u.queue = newQueueScreen(u)
	u.showQueue()
	u.sealIfNeeded()
	if !u.inline {
		go u.warmSearch() // the first search then finds its index ready
	}
}

// warmSearch builds the search index in memory, then gives back to the
// system what the build used: it allocates several times what the index
// keeps (69 MB for 9 MB at 100,000 requests, about 1.5 GB at 1,000,000),
// and Go would hold the difference for minutes.
func (u *UI) warmSearch() error {
	err := u.db.WarmSearch()
	debug.FreeOSMemory()
	return err
}

// sealIfNeeded encrypts what an office kept in the clear before it had its
// data key, the first time someone signs in after the key was made.
func (u *UI) sealIfNeeded() {
	if need, err := u.db.NeedsSealing(); err != nil || !need {
		return
	}
	var err error
	u.backgroundProgress("Encrypting the office's records and scans", func(progress func(done, total int)) {
		err = u.db.SealExisting(progress)
	}, func() {
		if err != nil {
			u.showError(err)
		}
	})
}

// loadWho reads how paper names the signed-in person.
func (u *UI) loadWho() {
	u.who = u.actor.Name
	if acc, err := u.db.FindUser(u.actor.Name); err == nil {
		u.who = acc.Display()
	}
}

// SwitchUser hides everything and asks for a sign-in: a director signing in
// at a clerk's desk, or the end of a shift.
func (u *UI) SwitchUser() {
	u.leave(func() { u.showSignIn("Signed out. Sign in to continue.") })
}

func (u *UI) setTitle() {
	t := "Fieldprint — " + u.place
	if u.db.IsDemo() {
		t += " (DEMO DATA)"
	}
	if u.actor.Name != "" {
		t += fmt.Sprintf(" — %s (%s)", u.actor.Name, u.actor.Role)
	}
	u.win.SetTitle(t)
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// ShowAndRun shows the window and runs the app until it closes.
func (u *UI) ShowAndRun() {
	go func() {
		for range time.Tick(15 * time.Second) {
			fyne.Do(u.checkIdle)
		}
	}()
	go func() {
		// Missed appointments at closing time, when the office says so.
		for range time.Tick(time.Minute) {
			fyne.Do(func() {
				if u.actor.Name == "" {
					return // the first-run demo may be setting the store's clock
				}
				go func() {
					if _, err := u.db.CloseDaysAutomatically(); err != nil {
						fyne.Do(func() { u.showError(err) })
					}
				}()
			})
		}
	}()
	go func() { // the daily backup, when due (backup.go), and the daily purge (purge.go)
		for range time.Tick(time.Minute) {
			fyne.Do(u.autoBackup)
			fyne.Do(u.autoPurge)
		}
	}()
	u.win.ShowAndRun()
	s := u.win.Canvas().Size()
	u.app.Preferences().SetFloat("window.width", float64(s.Width))
	u.app.Preferences().SetFloat("window.height", float64(s.Height))
}

// menu carries the keyboard shortcuts: menu shortcuts reach the app even
// while a text field has the focus.
func (u *UI) menu() *fyne.MainMenu {
	item := func(label string, key fyne.KeyName, fn func()) *fyne.MenuItem {
		m := fyne.NewMenuItem(label, fn)
		m.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		return m
	}
	signed := func(fn func()) func() {
		return func() {
			if u.actor.Name != "" && !u.locked {
				fn()
			}
		}
	}
	return fyne.NewMainMenu(fyne.NewMenu("Request",
		item("New request", fyne.KeyN, signed(func() { u.Navigate(navNew) })),
		fyne.NewMenuItem("New request from e-mail…", signed(u.chooseMessage)),
		item("Find", fyne.KeyF, signed(u.FocusSearch)),
		item("Save", fyne.KeyS, signed(u.Save)),
	), fyne.NewMenu("Help", fyne.NewMenuItem("About Fieldprint", u.showAbout)))
}

// today is the office's day; when and clock write instants in office time
// (the workstation may be set to another zone: one clock for everything).
func (u *UI) today() fp.Date { return fp.DateOf(u.Now().In(u.db.Location())) }

func (u *UI) when(t time.Time) string { return t.In(u.db.Location()).Format("2006-01-02 15:04") }

func (u *UI) clock() string { return u.Now().In(u.db.Location()).Format("15:04") }

// editor is a screen holding typed changes that leaving it would lose.
type editor interface {
	dirty() bool
	discard()
	// save saves, then runs then (nil: stay) once saved.
	save(then func())
	// what names the changes in the question: "FP-2026-00042", "the office settings".
	what() string
}

// screen builds a screen that is not a request form: how to fill it and
// what to show (nil when name is not one).
func (u *UI) screen(name string) (refresh func(), content fyne.CanvasObject) {
	switch name {
	case navReview:
		s := newReviewScreen(u)
		return s.refresh, s.content
	case navAudit:
		s := newAuditScreen(u)
		return s.refresh, s.content
	case navReports:
		s := newReportsScreen(u)
		u.reports = s
		return s.refresh, s.content
	case navCalendar:
		s := newCalendarScreen(u)
		return s.refresh, s.content
	case navToday:
		s := newTodayScreen(u)
		return s.refresh, s.content
	case navVerify:
		s := newVerifyScreen(u)
		return s.refresh, s.content
	case navPurge:
		s := newPurgeScreen(u)
		u.purge = s
		return s.refresh, s.content
	case navSettings:
		s := newSettingsScreen(u)
		return func() { u.editing = s; s.refresh() }, s.content
	case navUsers:
		s := newUsersScreen(u)
		return s.refresh, s.content
	}
	return nil, nil
}

// Navigate shows a screen, asking first when the open form has unsaved changes.
func (u *UI) Navigate(name string) {
	u.touch()
	u.leave(func() {
		if refresh, content := u.screen(name); content != nil {
			u.showScreen(name, refresh, content)
			return
		}
		switch name {
		case navNew:
			u.showForm(newRequestScreen(u, nil))
		default:
			u.showQueue()
		}
	})
}

// showScreen fills a screen that is not a request form and shows it.
func (u *UI) showScreen(nav string, refresh func(), content fyne.CanvasObject) {
	u.closeForm()
	u.setBody(nav, content)
	u.refreshShown = refresh
	refresh() // once shown, so a screen can put the focus in it
}

// Presence is a store several desks share: who has a request open where.
type Presence interface {
	OpenAt(number, who string) (release func())
	OpenElsewhere(number string) []string
}

// closeForm lets go of the open form (and of its "open here" mark).
func (u *UI) closeForm() {
	if u.release != nil {
		u.release()
		u.release = nil
	}
	u.form, u.editing = nil, nil
}

// Away is a store on a server that can be away: it says when it goes and
// comes back.
type Away interface {
	OnAway(fn func(since time.Time, away bool))
}

// setAway shows (or clears) the standing line that the office server is
// away; when it is back, the screen reads again.
func (u *UI) setAway(since time.Time, away bool) {
	if !away {
		u.awayStatus.Hide()
		u.liveRefresh()
		return
	}
	u.awayStatus.SetText(fmt.Sprintf("The office server does not answer since %s: changes are refused until it is back (what you type stays on screen).",
		since.In(u.db.Location()).Format("15:04")))
	u.awayStatus.Show()
}

// Renewal is a store on a server reached with a certificate that ends:
// RenewalWarning says, near its end, when and what the IT person runs.
type Renewal interface {
	RenewalWarning(now time.Time) string
}

// setRenewal shows (or hides) the standing line that this desk's
// certificate ends soon; it is checked at each sign-in.
func (u *UI) setRenewal() {
	r, ok := u.db.(Renewal)
	if !ok {
		u.renewStatus.Hide()
		return
	}
	if w := r.RenewalWarning(u.Now()); w != "" {
		u.renewStatus.SetText(w)
		u.renewStatus.Show()
	} else {
		u.renewStatus.Hide()
	}
}

// Live is a store other desks change too (an office server): Changes
// ticks when the office's requests change there.
type Live interface{ Changes() <-chan struct{} }

// follow refreshes what the window shows when db changes at another desk
// (nothing for a desk's own file). Ticks closer than liveEvery are one.
func (u *UI) follow(db Store) {
	if a, ok := db.(Away); ok {
		a.OnAway(func(since time.Time, away bool) {
			fyne.Do(func() {
				if u.db == db {
					u.setAway(since, away)
				}
			})
		})
	}
	l, ok := db.(Live)
	if !ok {
		return
	}
	ch := l.Changes()
	go func() {
		for range ch {
			fyne.Do(func() {
				if u.db == db {
					u.onLive()
				}
			})
			time.Sleep(liveEvery)
		}
	}()
}

const liveEvery = 250 * time.Millisecond

// liveRefresh shows what changed at another desk: the list on screen is
// read again; an open request without unsaved changes is reloaded, one
// with unsaved changes says so (the save then meets the conflict check,
// keeping what was typed). Nothing moves under an open dialog.
func (u *UI) liveRefresh() {
	if u.actor.Name == "" || u.locked || u.win.Canvas().Overlays().Top() != nil {
		return
	}
	switch {
	case u.form != nil:
		f := u.form
		if f.req == nil {
			return // a new request: nothing of it is on the server yet
		}
		f.drawPresence()
		r, err := u.db.FindRequestByID(f.req.ID)
		if err != nil || r.Version == f.req.Version {
			return
		}
		if f.dirty() {
			f.message.SetText(fmt.Sprintf("%s was changed at another desk since you opened it: saving shows what changed, keeping what you typed.", r.Number))
			return
		}
		f.update(r, tabStay, fmt.Sprintf("%s was changed at another desk: shown as it is now.", r.Number))
	case u.editing != nil:
		// Settings being edited: left alone.
	case u.current == navQueue && len(u.body.Objects) > 0 && u.body.Objects[0] == u.queue.content:
		u.queue.refresh()
	case u.refreshShown != nil && u.current != navQueue:
		u.refreshShown()
	}
}

// OpenRequest shows the form of an existing request.
func (u *UI) OpenRequest(id fp.RequestID) {
	u.touch()
	u.leave(func() {
		r, err := u.db.FindRequestByID(id)
		if err != nil {
			u.showError(err)
			return
		}
		u.showForm(newRequestScreen(u, r))
	})
}

func (u *UI) showQueue() {
	u.closeForm()
	n, err := u.db.CountRequests()
	if err != nil {
		u.showError(err)
	}
	if n == 0 && err == nil {
		u.welcome = newWelcome(u)
		u.setBody(navQueue, u.welcome)
		return
	}
	u.queue.refresh()
	u.setBody(navQueue, u.queue.content)
}

func (u *UI) showForm(f *requestScreen) {
	u.closeForm()
	u.form, u.editing = f, f
	if p, ok := u.db.(Presence); ok && f.req != nil {
		u.release = p.OpenAt(f.req.Number, u.actor.Name)
		f.drawPresence()
	}
	name := ""
	if f.req == nil {
		name = navNew
	}
	u.setBody(name, f.content)
	f.focusFirst()
}

func (u *UI) setBody(nav string, content fyne.CanvasObject) {
	u.current = nav
	for name, b := range u.nav {
		if name == nav {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
}

// leave runs next once the open screen's unsaved changes are saved or discarded.
func (u *UI) leave(next func()) {
	f := u.editing
	if f == nil || !f.dirty() {
		next()
		return
	}
	what := f.what()
	var d *dialog.CustomDialog
	keep := widget.NewButton("Keep editing", func() { d.Hide() })
	discard := widget.NewButtonWithIcon("Discard changes", theme.DeleteIcon(), func() { d.Hide(); f.discard(); next() })
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() {
		d.Hide()
		f.save(next)
	})
	save.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons("Unsaved changes",
		widget.NewLabel(fmt.Sprintf("You have changed %s without saving.", what)), u.win)
	d.SetButtons([]fyne.CanvasObject{keep, discard, save})
	d.Show()
}

// background runs work off the UI thread behind a progress dialog, then
// done on the UI thread. Tests set inline: the test driver has no UI thread.
func (u *UI) background(title string, work, done func()) {
	if u.inline {
		work()
		done()
		return
	}
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(title, container.NewPadded(bar), u.win)
	d.Show()
	go func() {
		work()
		fyne.Do(func() {
			bar.Stop()
			d.Hide()
			done()
		})
	}()
}

// onDrop takes an e-mail dropped onto the window to a new request from it
// (ui/intake.go), other files to the open request's checklist.
func (u *UI) onDrop(uris []fyne.URI) {
	u.touch()
	if u.actor.CanHandleCases() && !u.locked && u.intakeDrop(uris) {
		return // an e-mail: a new request from it
	}
	switch f := u.form; {
	case f != nil && f.docs != nil:
		f.tabs.Select(f.docsTab)
		f.docs.dropped(uris)
	case f != nil:
		u.showError(fp.Errorf(fp.EINVALID, "save the new request first (Ctrl+S), then drop its documents onto it"))
	default:
		u.showError(fp.Errorf(fp.EINVALID, "open a request first, then drop its documents onto the window"))
	}
}

// Save saves the open form (Ctrl+S).
func (u *UI) Save() {
	u.touch()
	if u.editing != nil {
		u.editing.save(nil)
	}
}

// FocusSearch shows the queue with the cursor in the search box (Ctrl+F).
func (u *UI) FocusSearch() {
	u.leave(func() {
		u.showQueue()
		if u.current == navQueue && u.body.Objects[0] == u.queue.content {
			u.win.Canvas().Focus(u.queue.search)
			// What is there is selected: typing replaces it.
			u.queue.search.TypedShortcut(&fyne.ShortcutSelectAll{})
		}
	})
}

// showError shows what a clerk can act on and logs the full error without
// personal data (domain messages may name people, so only the code is logged).
func (u *UI) showError(err error) {
	u.logError(err)
	dialog.ShowError(fmt.Errorf("%s", fp.ErrorMessage(err)), u.win)
}

// logError logs what staff cannot act on: internal errors, whose text
// never holds a request's content. A refusal is shown, not logged (its
// message may name an applicant).
func (u *UI) logError(err error) {
	if fp.ErrorCode(err) == fp.EINTERNAL {
		log.Printf("fieldprint: internal: %v", err)
	}
}

// askReason asks for the written reason a decision needs, then runs fn with
// it; fn's error shows in the dialog, which keeps the reason typed.
func (u *UI) askReason(title, action string, fn func(reason string) error) {
	area := newTextArea()
	area.SetPlaceHolder("Why? This goes into the request's history.")
	area.SetMinRowsVisible(4)
	d := u.newFormDialog(title, action, []*widget.FormItem{widget.NewFormItem("Reason", area)}, func() error {
		if strings.TrimSpace(area.Text) == "" {
			return fp.Errorf(fp.EINVALID, "write the reason first: it goes into the request's history")
		}
		return fn(area.Text)
	})
	d.show(u, 560)
	u.win.Canvas().Focus(area)
}
