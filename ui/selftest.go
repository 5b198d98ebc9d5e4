package ui

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// SelfTest is "fieldprint self-test": a working day in the real window,
// driven the way a person would (typing into the sign-in form, pressing the
// sidebar, the tabs, Attach and the file dialog's Cancel), which a headless
// test cannot stand in for: the real driver crashed on a dialog that every
// headless test opened without trouble. After each step it waits for the
// frame to be drawn, captures the window and fails when the picture is one
// colour (a black or blank window), when the window is no longer the size
// asked for, or when its content or a dialog needs more room than it has.
type SelfTest struct {
	Size fyne.Size // the window's size
	Dir  string    // where each screen is written as NAME-WxH.png; "" writes none
	Out  io.Writer // one line per step
	X11  bool      // capture through the X server (selftest_x11.go), not OpenGL

	step     atomic.Value // string: what is being done now (for a timeout's message)
	steps    int
	blank    bool // a capture was one colour
	problems []string
	written  map[string]bool
}

// Step says what the self-test is doing now.
func (st *SelfTest) Step() string {
	s, _ := st.step.Load().(string)
	return s
}

// selfTestStatuses are the statuses a request is opened in, each tab of it:
// open for changes, before the director, booked, and closed (the headless
// TestEveryButton goes through every status).
var selfTestStatuses = []fp.Status{fp.StatusNew, fp.StatusDirectorReview, fp.StatusScheduled, fp.StatusCompleted}

// selfTestNames are the file names of the sidebar's screens.
var selfTestNames = map[string]string{navQueue: "queue", navNew: "new-request", navToday: "today", navCalendar: "calendar",
	navReview: "review", navReports: "reports", navAudit: "audit", navVerify: "verify", navSettings: "settings", navUsers: "users", navPurge: "retention"}

// errStop ends the run: after a panic, or without a button it must press, the next steps mean nothing.
type errStop struct{ msg string }

func (e errStop) Error() string { return e.msg }

// SelfTest shows the window at st.Size on u's database, which must be new
// and empty, and drives it from a goroutine: the first-run screen's demo
// office, then each demo account. Call it on the main goroutine before the
// app runs; done gets nil or what failed, on the driving goroutine, and
// should quit the app.
func (u *UI) SelfTest(st *SelfTest, done func(error)) {
	st.written = map[string]bool{}
	st.step.Store("opening the window")
	u.IdleAfter = 0
	u.win.Resize(st.Size)
	u.win.Show()
	go func() {
		start := time.Now()
		err := u.selfTest(st)
		if err == nil && len(st.problems) > 0 {
			err = fp.Errorf(fp.EINTERNAL, "self-test at %s failed: %d %s (above)", st.sizeName(), len(st.problems), plural(len(st.problems), "problem", "problems"))
		}
		if err == nil {
			fmt.Fprintf(st.Out, "self-test at %s passed: %d steps in %.1f s\n", st.sizeName(), st.steps, time.Since(start).Seconds())
		}
		done(err)
	}()
}

func (st *SelfTest) sizeName() string {
	return fmt.Sprintf("%.0fx%.0f", st.Size.Width, st.Size.Height)
}

// selfTest runs every step; it returns an error only when the run cannot go on.
func (u *UI) selfTest(st *SelfTest) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fp.Errorf(fp.EINTERNAL, "self-test: %s: panic: %v\n%s", st.Step(), r, debug.Stack())
		}
	}()
	// A new database opens on the first-run screen; the first frame takes a moment.
	if err := u.stCheck(st, "first-run", "the first-run screen", 10*time.Second); err != nil {
		return err
	}
	if st.blank {
		// Nothing else can be seen either. Mesa's llvmpipe (a PC without a
		// graphics driver, or Xvfb) draws the window but reads back black.
		return errStop{"the window showed nothing for 10 s. If this PC has no graphics driver (Mesa's llvmpipe), " +
			"the window may be fine yet read back black: run fieldprint self-test --capture x11 (needs xwd), or with GALLIUM_DRIVER=softpipe"}
	}
	if err := u.stPress(st, "Load demo data instead", func() *widget.Button { return stButton(u.win.Content(), "Load demo data instead") }); err != nil {
		return err
	}
	if err := u.stCheck(st, "signin", "the sign-in screen with the demo accounts", 0); err != nil {
		return err
	}
	extras := false // search, a save attempt, unsaved changes, asking for documents: once
	for i, a := range demo.Accounts {
		if i > 0 {
			if err := u.stPress(st, "Switch user", func() *widget.Button { return stButton(u.win.Content(), "Switch user") }); err != nil {
				return err
			}
		}
		if err := u.stSignIn(st, a); err != nil {
			return err
		}
		if err := u.stCheck(st, "queue", a.Name+": signed in", 0); err != nil {
			return err
		}
		for _, name := range navOrder {
			var b *widget.Button
			if err := u.stDo(st, "looking for "+name, func() {
				if u.nav[name].Visible() && !u.nav[name].Disabled() {
					b = u.nav[name]
				}
			}); err != nil {
				return err
			}
			if b == nil {
				continue
			}
			if err := u.stPress(st, name, func() *widget.Button { return b }); err != nil {
				return err
			}
			if err := u.stCheck(st, selfTestNames[name], a.Name+": "+name, 0); err != nil {
				return err
			}
		}
		if a.Role == fp.RoleDirector {
			if err := u.stReports(st, a); err != nil {
				return err
			}
		}
		can := a.CanHandleCases()
		if can && !extras {
			extras = true
			if err := u.stExtras(st, a); err != nil {
				return err
			}
		}
		if err := u.stRequests(st, a); err != nil {
			return err
		}
	}
	return nil
}

// stDo runs fn on the UI thread and turns a panic into the error that ends
// the run. A panic elsewhere on the UI thread (drawing) ends the process.
func (u *UI) stDo(st *SelfTest, what string, fn func()) error {
	st.step.Store(what)
	var p any
	var stack []byte
	fyne.DoAndWait(func() {
		defer func() {
			if p = recover(); p != nil {
				stack = debug.Stack()
			}
		}()
		fn()
	})
	if p != nil {
		msg := fmt.Sprintf("%s: panic: %v", what, p)
		st.fail(msg)
		return errStop{fmt.Sprintf("%s\n%s", msg, stack)}
	}
	return nil
}

// stPress presses the button find returns (on the UI thread, as a click does).
func (u *UI) stPress(st *SelfTest, label string, find func() *widget.Button) error {
	found := true
	err := u.stDo(st, "pressing "+label, func() {
		b := find()
		if b == nil || !b.Visible() || b.Disabled() {
			found = false
			return
		}
		b.Tapped(&fyne.PointEvent{Position: fyne.NewPos(b.Size().Width/2, b.Size().Height/2)})
	})
	if err != nil {
		return err
	}
	if !found {
		st.fail(fmt.Sprintf("%s: no %q button to press", st.Step(), label))
		return errStop{fmt.Sprintf("the %q button is missing: the self-test cannot go on", label)}
	}
	return nil
}

// stType puts the focus in e and types text, one key at a time.
func (u *UI) stType(st *SelfTest, what string, e *widget.Entry, text string) error {
	ok := true
	err := u.stDo(st, "typing into "+what, func() {
		c := u.win.Canvas()
		c.Focus(e)
		if c.Focused() != e {
			ok = false
			return
		}
		for _, r := range text {
			c.Focused().TypedRune(r)
		}
	})
	if err == nil && !ok {
		st.fail(fmt.Sprintf("typing into %s: it does not take the focus", what))
	}
	return err
}

// stSignIn signs a in through the sign-in form's own entries and button.
func (u *UI) stSignIn(st *SelfTest, a fp.Actor) error {
	var name, password *widget.Entry
	if err := u.stDo(st, "finding the sign-in form", func() {
		var entries []*widget.Entry
		stWalk(u.win.Content(), func(o fyne.CanvasObject) bool {
			if e, ok := o.(*widget.Entry); ok {
				entries = append(entries, e)
			}
			return false
		})
		if len(entries) == 2 {
			name, password = entries[0], entries[1]
		}
	}); err != nil {
		return err
	}
	if name == nil {
		st.fail("no sign-in form (a user name and a password entry)")
		return errStop{"no sign-in form: the self-test cannot go on"}
	}
	if err := u.stType(st, "the user name", name, a.Name); err != nil {
		return err
	}
	if err := u.stType(st, "the password", password, demo.Password); err != nil {
		return err
	}
	if err := u.stPress(st, "Sign in", func() *widget.Button { return stButton(u.win.Content(), "Sign in") }); err != nil {
		return err
	}
	var who string
	_ = u.stDo(st, "signing in as "+a.Name, func() { who = u.actor.Name })
	if who != a.Name {
		st.fail(fmt.Sprintf("signing in as %s through the sign-in form did not work", a.Name))
		return errStop{"cannot sign in: the self-test cannot go on"}
	}
	return nil
}

// stRequests opens a request in each status and each of its tabs; on the
// first Documents tab with an Attach button it opens the file dialog and
// closes it with its Cancel.
func (u *UI) stRequests(st *SelfTest, a fp.Actor) error {
	attached := false
	for _, status := range selfTestStatuses {
		rows, _, err := u.db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{status}, Limit: 1})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			continue // the demo office has none today
		}
		id, number := rows[0].ID, rows[0].Number
		if err := u.stDo(st, a.Name+": opening "+number, func() { u.OpenRequest(id) }); err != nil {
			return err
		}
		var tabs []string
		if err := u.stDo(st, a.Name+": "+number+"'s tabs", func() {
			if u.form != nil && u.form.tabs != nil {
				for _, t := range u.form.tabs.Items {
					tabs = append(tabs, t.Text)
				}
			}
		}); err != nil {
			return err
		}
		if len(tabs) == 0 {
			st.fail(fmt.Sprintf("%s: %s did not open on its tabs", a.Name, number))
			continue
		}
		for i, tab := range tabs {
			kind := strings.ToLower(strings.Fields(tab + " tab")[0])
			where := fmt.Sprintf("%s: %s request %s, %s tab", a.Name, status, number, kind)
			if err := u.stDo(st, where, func() { u.form.tabs.SelectIndex(i) }); err != nil {
				return err
			}
			if err := u.stCheck(st, "request-"+string(status)+"-"+kind, where, 0); err != nil {
				return err
			}
			if attached || kind != "documents" {
				continue
			}
			var attach *widget.Button
			if err := u.stDo(st, where+": Attach", func() {
				if f := u.form; f != nil && f.docs != nil {
					if b := stButton(f.docs.content, "Attach"); b != nil && !b.Disabled() {
						attach = b
					}
				}
			}); err != nil {
				return err
			}
			if attach == nil {
				continue // this role, or this status, attaches nothing
			}
			attached = true
			if err := u.stDialog(st, "file-dialog", where+": Attach's file dialog", "Attach", func() *widget.Button { return attach }, lang.L("Cancel")); err != nil {
				return err
			}
		}
	}
	if !attached && a.CanHandleCases() {
		st.fail(a.Name + ": no request had an Attach button to press")
	}
	return nil
}

// stDialog presses open, checks the dialog it shows, closes it with its
// button labelled close and checks the window it leaves.
func (u *UI) stDialog(st *SelfTest, name, where, open string, find func() *widget.Button, close string) error {
	var before fyne.CanvasObject
	if err := u.stDo(st, where, func() { before = u.win.Canvas().Overlays().Top() }); err != nil {
		return err
	}
	if err := u.stPress(st, open, find); err != nil {
		return err
	}
	var dlg fyne.CanvasObject
	if err := u.stDo(st, where, func() { dlg = u.win.Canvas().Overlays().Top() }); err != nil {
		return err
	}
	if dlg == nil || dlg == before {
		st.fail(where + ": pressing " + open + " showed no dialog")
		return nil
	}
	if err := u.stCheckDialog(st, name, where); err != nil {
		return err
	}
	if err := u.stPress(st, close, func() *widget.Button { return stButton(dlg, close) }); err != nil {
		return err
	}
	var still bool
	if err := u.stDo(st, where, func() {
		for _, o := range u.win.Canvas().Overlays().List() {
			still = still || o == dlg
		}
	}); err != nil {
		return err
	}
	if still {
		st.fail(where + ": " + close + " did not close the dialog")
	}
	return u.stCheck(st, "", where+", closed", 0)
}

// stExtras: the queue's search as one types, a new request's save
// attempt, leaving it unsaved, the missing-documents request, and the
// import of a tracker (ui/selftest_import.go).
func (u *UI) stExtras(st *SelfTest, a fp.Actor) error {
	if err := u.stPress(st, navQueue, func() *widget.Button { return u.nav[navQueue] }); err != nil {
		return err
	}
	if err := u.stType(st, "the queue's search", u.queue.search, "dang"); err != nil {
		return err
	}
	if err := u.stCheck(st, "search", a.Name+": searching the queue", 0); err != nil {
		return err
	}
	if err := u.stDo(st, "clearing the search", func() { u.queue.search.SetText("") }); err != nil {
		return err
	}
	if err := u.stPress(st, navNew, func() *widget.Button { return u.nav[navNew] }); err != nil {
		return err
	}
	var f *requestScreen
	_ = u.stDo(st, "the new request form", func() { f = u.form })
	if f == nil {
		st.fail(a.Name + ": New request opened no form")
		return nil
	}
	if err := u.stType(st, "the applicant's name", f.name, "Jose Muller"); err != nil {
		return err
	}
	if err := u.stPress(st, "Save", func() *widget.Button { return f.saveBtn }); err != nil {
		return err
	}
	if err := u.stCheck(st, "form", a.Name+": a new request after a save attempt", 0); err != nil {
		return err
	}
	if err := u.stDialog(st, "form-unsaved", a.Name+": leaving a form with unsaved changes", navQueue,
		func() *widget.Button { return u.nav[navQueue] }, "Discard changes"); err != nil {
		return err
	}
	// The missing-documents request of a request awaiting documents.
	rows, _, err := u.db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusAwaitingDocuments}, Limit: 1})
	if err != nil || len(rows) == 0 {
		return err
	}
	id := rows[0].ID
	ok := false
	if err := u.stDo(st, a.Name+": the Documents tab of "+rows[0].Number, func() {
		u.OpenRequest(id)
		if u.form != nil && u.form.docsTab != nil {
			u.form.tabs.Select(u.form.docsTab)
			ok = true
		}
	}); err != nil || !ok {
		return err
	}
	if err := u.stCheck(st, "request-awaiting-documents-documents", a.Name+": the Documents tab of "+rows[0].Number, 0); err != nil {
		return err
	}
	if err := u.stDialog(st, "ask-documents", a.Name+": asking for missing documents", "Ask for missing documents",
		func() *widget.Button { return stButton(u.form.docs.content, "Ask for missing documents") }, "Close"); err != nil {
		return err
	}
	if err := u.stIntake(st, a); err != nil {
		return err
	}
	return u.stImport(st, a)
}

// stReports shows the last 30 days' report scrolled to its charts, and the
// list behind the appointments booked.
func (u *UI) stReports(st *SelfTest, a fp.Actor) error {
	if err := u.stPress(st, navReports, func() *widget.Button { return u.nav[navReports] }); err != nil {
		return err
	}
	where := a.Name + ": the last 30 days' charts"
	var booked *widget.Button
	if err := u.stDo(st, where, func() {
		s := u.reports
		s.period.SetSelected(period30)
		grid := s.body.Objects[0] // laid out at its MinSize, once drawn
		s.scroll.Offset = fyne.NewPos(0, grid.MinSize().Height+theme.Padding())
		s.scroll.Refresh()
		for i, f := range s.rep.Figures {
			if f.Key == fp.FigBooked {
				booked, _ = grid.(*fyne.Container).Objects[4*(i+1)+1].(*widget.Button)
			}
		}
	}); err != nil {
		return err
	}
	if err := u.stCheck(st, "reports-charts", where, 0); err != nil {
		return err
	}
	return u.stDialog(st, "reports-list", a.Name+": the appointments booked in the last 30 days", "the appointments booked",
		func() *widget.Button { return booked }, "Close")
}

// stIntake opens an applicant's e-mail as New request from e-mail does
// (the demo's: the name and text in GB2312, a notice and a passport page),
// shows both tabs, the passport page previewed, and leaves it unsaved.
func (u *UI) stIntake(st *SelfTest, a fp.Actor) error {
	if err := u.stPress(st, navQueue, func() *widget.Button { return u.nav[navQueue] }); err != nil {
		return err
	}
	name, raw := demo.Message(u.today())
	where := a.Name + ": a new request from an applicant's e-mail"
	if err := u.stDo(st, where, func() { u.OpenMessage(name, raw) }); err != nil {
		return err
	}
	var s *intakeScreen
	for deadline := time.Now().Add(10 * time.Second); s == nil && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond) // the message is read off the UI thread
		if err := u.stDo(st, where+": reading it", func() { s, _ = u.editing.(*intakeScreen) }); err != nil {
			return err
		}
	}
	if s == nil {
		st.fail(where + ": no intake screen opened within 10 s")
		return nil
	}
	if err := u.stCheck(st, "intake", where, 0); err != nil {
		return err
	}
	if err := u.stDo(st, where+", its attachments", func() {
		s.tabs.Select(s.mailTab)
		for i, p := range s.msg.Parts {
			if p.Refused == nil && p.Info.Type != fp.TypePDF {
				s.show(i)
				break
			}
		}
	}); err != nil {
		return err
	}
	if err := u.stCheck(st, "intake-attachments", where+", its attachments", 0); err != nil {
		return err
	}
	return u.stDialog(st, "", where+": leaving it unsaved", navQueue, func() *widget.Button { return u.nav[navQueue] }, "Discard changes")
}

// stCheck waits for the window to be drawn and checks it: no dialog left
// open, content that fits, a picture that is neither one colour nor another
// size. name, when not "", names the PNG.
func (u *UI) stCheck(st *SelfTest, name, where string, wait time.Duration) error {
	return u.stCheckFrame(st, name, where, wait, false)
}

// stCheckDialog is stCheck with a dialog expected on top.
func (u *UI) stCheckDialog(st *SelfTest, name, where string) error {
	return u.stCheckFrame(st, name, where, 0, true)
}

func (u *UI) stCheckFrame(st *SelfTest, name, where string, wait time.Duration, dialogOpen bool) error {
	st.steps++
	start := time.Now()
	// An earlier screen may have grown the window: ask for the size again
	// (what this screen needs is checked below).
	if err := u.stDo(st, where, func() {
		if u.win.Canvas().Size() != st.Size {
			u.win.Resize(st.Size)
		}
	}); err != nil {
		return err
	}
	if wait == 0 {
		wait = 3 * time.Second
	}
	img, err := u.stFrame(st, where, wait)
	if err != nil {
		return err
	}
	var problems []string
	var stray string
	var scale float32
	if err := u.stDo(st, where, func() {
		c := u.win.Canvas()
		scale = c.Scale()
		// The room the content has at the size asked for (the window's
		// padding and menu bar take the rest).
		s := st.Size.Subtract(c.Size().Subtract(u.win.Content().Size()))
		if m := u.win.Content().MinSize(); m.Width > s.Width+0.5 || m.Height > s.Height+0.5 {
			problems = append(problems, fmt.Sprintf("the content needs %.0fx%.0f, more than the %.0fx%.0f it has: the window grows past the size asked for", m.Width, m.Height, s.Width, s.Height))
		}
		for _, o := range c.Overlays().List() {
			if m, s := o.MinSize(), c.Size(); m.Width > s.Width+0.5 || m.Height > s.Height+0.5 {
				problems = append(problems, fmt.Sprintf("a dialog needs %.0fx%.0f, more than the %.0fx%.0f window", m.Width, m.Height, s.Width, s.Height))
			}
		}
		if top := c.Overlays().Top(); top != nil && !dialogOpen {
			stray = stDialogText(top)
			top.Hide()
			c.Overlays().Remove(top)
		}
	}); err != nil {
		return err
	}
	if stray != "" {
		problems = append(problems, "a dialog opened: "+stray)
	}
	want := image.Pt(int(math.Round(float64(st.Size.Width*scale))), int(math.Round(float64(st.Size.Height*scale))))
	if got := img.Bounds().Size(); stAbs(got.X-want.X) > 1 || stAbs(got.Y-want.Y) > 1 {
		problems = append(problems, fmt.Sprintf("the window is %dx%d pixels, not the %dx%d asked for", got.X, got.Y, want.X, want.Y))
	}
	if c, one := stOneColour(img); one {
		problems = append(problems, fmt.Sprintf("the window is one colour (#%02x%02x%02x): nothing was drawn", c[0], c[1], c[2]))
		st.blank = true
	}
	for _, p := range problems {
		st.fail(where + ": " + p)
	}
	if len(problems) == 0 {
		fmt.Fprintf(st.Out, "ok    %s (%.1f s)\n", where, time.Since(start).Seconds())
	}
	if name != "" && st.Dir != "" && !st.written[name] {
		st.written[name] = true // each screen once, as the first account to open it sees it
		path := filepath.Join(st.Dir, name+"-"+st.sizeName()+".png")
		if err := stWritePNG(path, img); err != nil {
			return fp.Errorf(fp.EINVALID, "cannot write %s: %v", path, err)
		}
	}
	return nil
}

// stFrame waits until two captures in a row are the same picture (what the
// last step changed has been drawn), or until wait has passed (a blinking
// cursor never settles), and returns the last one. A picture of one colour
// is not taken for settled: the first frame may not be drawn yet.
func (u *UI) stFrame(st *SelfTest, where string, wait time.Duration) (*image.RGBA, error) {
	deadline := time.Now().Add(wait)
	var prev *image.RGBA
	for {
		time.Sleep(50 * time.Millisecond) // three frames at 60 a second
		cur, err := u.stCapture(st, where)
		if err != nil {
			return nil, err
		}
		_, one := stOneColour(cur)
		if prev != nil && (!one && string(prev.Pix) == string(cur.Pix) || time.Now().After(deadline)) {
			return cur, nil
		}
		prev = cur
	}
}

// stCapture is the window's picture now.
func (u *UI) stCapture(st *SelfTest, where string) (*image.RGBA, error) {
	var img image.Image
	var id uintptr
	if err := u.stDo(st, where+": capturing the window", func() {
		if st.X11 {
			id = u.stWindowID()
		} else {
			img = u.win.Canvas().Capture()
		}
	}); err != nil {
		return nil, err
	}
	if !st.X11 {
		return stRGBA(img), nil
	}
	cur, err := stCaptureX11(id)
	if err != nil {
		st.fail(where + ": capturing the window: " + err.Error())
		return nil, errStop{err.Error()}
	}
	return cur, nil
}

func (st *SelfTest) fail(msg string) {
	st.problems = append(st.problems, msg)
	fmt.Fprintf(st.Out, "FAIL  %s\n", msg)
}

func stRGBA(img image.Image) *image.RGBA {
	if img == nil {
		return image.NewRGBA(image.Rectangle{})
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

// stOneColour reports whether every pixel of img is the same (an empty
// picture counts as one colour).
func stOneColour(img *image.RGBA) ([4]byte, bool) {
	var c [4]byte
	if len(img.Pix) < 4 {
		return c, true
	}
	copy(c[:], img.Pix)
	for i := 0; i+4 <= len(img.Pix); i += 4 {
		if img.Pix[i] != c[0] || img.Pix[i+1] != c[1] || img.Pix[i+2] != c[2] {
			return c, false
		}
	}
	return c, true
}

func stWritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func stAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// stButton is the first visible button below o labelled text.
func stButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	stWalk(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return true
		}
		return false
	})
	return found
}

// stDialogText is a dialog's first lines, to say which one it is.
func stDialogText(o fyne.CanvasObject) string {
	var texts []string
	stWalk(o, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			texts = append(texts, l.Text)
		}
		return len(texts) >= 2
	})
	if len(texts) == 0 {
		return "(a dialog without text)"
	}
	return strings.Join(texts, ": ")
}

// stWalk visits what is visible below o through the containers and widgets
// whose children are public (a person's view of the tree, without the test
// driver), until visit returns true.
func stWalk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if visit(o) {
		return true
	}
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		kids = w.Objects
	case *widget.PopUp:
		kids = []fyne.CanvasObject{w.Content}
	case *container.Scroll:
		kids = []fyne.CanvasObject{w.Content}
	case *container.Split:
		kids = []fyne.CanvasObject{w.Leading, w.Trailing}
	case *container.AppTabs:
		if s := w.Selected(); s != nil {
			kids = []fyne.CanvasObject{s.Content}
		}
	case *widget.Form:
		for _, it := range w.Items {
			kids = append(kids, it.Widget)
		}
	case *widget.Card:
		kids = []fyne.CanvasObject{w.Content}
	default:
		// Fyne's own wrappers (the overlay a dialog sits in) show their Content.
		if v := reflect.ValueOf(o); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			if f := v.Elem().FieldByName("Content"); f.IsValid() && f.CanInterface() {
				if c, ok := f.Interface().(fyne.CanvasObject); ok {
					kids = []fyne.CanvasObject{c}
				}
			}
		}
	}
	for _, k := range kids {
		if stWalk(k, visit) {
			return true
		}
	}
	return false
}
