package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store"
)

// The crawler presses every control a person can reach: for each role, on
// every screen and every tab of a request in each status, it taps every
// enabled button, check box, choice, tab, list row and menu item it finds in
// the widget tree, then goes into the dialogs that opens and presses theirs
// too (their Cancel, and their OK with nothing filled in: the error paths). It
// fails on a panic, on a dialog that closes on an error (losing what was
// typed), on anything wider or taller than a 1024x700 screen, and on a store
// that no longer passes its consistency check.

// crawlSize is the smallest screen the window must fit.
var crawlSize = fyne.NewSize(1024, 700)

// control is one thing a person can press.
type control struct {
	label string
	obj   fyne.CanvasObject
	press func()
}

// cheap reports whether pressing ctl only changes what is typed or chosen
// (no dialog, no other screen): such controls are pressed one after the
// other on one opening of the screen.
func (ctl control) cheap() bool {
	return strings.HasPrefix(ctl.label, "choose ") || strings.HasPrefix(ctl.label, "check ")
}

// controls lists what can be pressed below o, in tree order, skipping what
// is hidden or disabled.
func controls(o fyne.CanvasObject) []control {
	var out []control
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Button:
			if !w.Disabled() && w.OnTapped != nil {
				out = append(out, control{buttonLabel(w), w, func() { test.Tap(w) }})
			}
			return
		case *widget.Check:
			if !w.Disabled() {
				out = append(out, control{"check " + w.Text, w, func() { test.Tap(w) }})
			}
			return
		case *widget.Select:
			if !w.Disabled() {
				for i, opt := range w.Options {
					out = append(out, control{"choose " + opt, w, func() { w.SetSelectedIndex(i) }})
				}
			}
			return
		case *widget.RadioGroup:
			if !w.Disabled() {
				for _, opt := range w.Options {
					out = append(out, control{"choose " + opt, w, func() { w.SetSelected(opt) }})
				}
			}
			return
		case *widget.Hyperlink:
			out = append(out, control{"link " + w.Text, w, func() { test.Tap(w) }})
			return
		case *widget.Entry:
			if !w.Disabled() && w.OnSubmitted != nil {
				out = append(out, control{"Enter in " + w.PlaceHolder, w, func() { w.OnSubmitted(w.Text) }})
			}
			return
		case *widget.Table:
			if w.Length != nil {
				if rows, cols := w.Length(); rows > 0 && cols > 0 && w.OnSelected != nil {
					out = append(out, control{"first row", w, func() { w.Select(widget.TableCellID{Row: 0, Col: 0}) }})
				}
			}
			return
		case *widget.List:
			if w.Length != nil && w.Length() > 0 && w.OnSelected != nil {
				out = append(out, control{"first item", w, func() { w.Select(0) }})
			}
			return
		case *container.AppTabs:
			for i, it := range w.Items {
				out = append(out, control{"tab " + it.Text, w, func() { w.SelectIndex(i) }})
			}
			if sel := w.Selected(); sel != nil {
				walk(sel.Content)
			}
			return
		case *fyne.Container:
			for _, k := range w.Objects {
				walk(k)
			}
			return
		}
		// The project's own tappable widgets.
		if tp, ok := o.(fyne.Tappable); ok && strings.HasPrefix(reflect.TypeOf(o).Elem().PkgPath(), "github.com/fieldprint/") {
			if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
				out = append(out, control{fmt.Sprintf("%T", o), o, func() { test.Tap(tp) }})
			}
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, k := range test.WidgetRenderer(w).Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	return out
}

func buttonLabel(b *widget.Button) string {
	if b.Text != "" {
		return b.Text
	}
	if b.Icon != nil {
		return "icon " + b.Icon.Name()
	}
	return "(unnamed button)"
}

// crawler explores one UI as one role.
type crawler struct {
	t        *testing.T
	u        *UI
	db       *store.DB
	role     string
	account  fp.Actor        // who is signed in, "" before anyone is
	explored map[string]bool // role, screen kind and press path already explored
	presses  int
}

// top is the layer a person can reach: the top dialog, or the window.
func (c *crawler) top() fyne.CanvasObject {
	if o := c.u.win.Canvas().Overlays().Top(); o != nil {
		return o
	}
	return c.u.win.Content()
}

// reset closes every dialog and drops unsaved edits, so a screen opens fresh.
func (c *crawler) reset() {
	for i := 0; i < 20 && c.u.win.Canvas().Overlays().Top() != nil; i++ {
		c.u.win.Canvas().Overlays().Top().Hide()
		c.u.win.Canvas().Overlays().Remove(c.u.win.Canvas().Overlays().Top())
	}
	if f := c.u.form; f != nil {
		f.discard()
	}
	if c.u.locked {
		c.u.unlock()
	}
	if c.account.Name != "" && c.u.actor.Name != c.account.Name {
		c.u.signedIn(c.account) // after Switch user: the same person again
	}
}

// press presses one control and reports a panic as a test failure.
func (c *crawler) press(where string, ctl control) (ok bool) {
	c.presses++
	defer func() {
		if r := recover(); r != nil {
			c.t.Errorf("%s: %s: pressing %q panicked: %v\n%s", c.role, where, ctl.label, r, debug.Stack())
			ok = false
		}
	}()
	ctl.press()
	return true
}

// fits fails when the window's content or the top dialog needs more room
// than the smallest screen: the window would grow past the screen's edge.
func (c *crawler) fits(where string) {
	// The window pads its content on every side: that much less room.
	room := crawlSize.SubtractWidthHeight(2*theme.Padding(), 2*theme.Padding())
	for _, o := range append([]fyne.CanvasObject{c.u.win.Content()}, c.u.win.Canvas().Overlays().List()...) {
		if m := o.MinSize(); m.Width > room.Width || m.Height > room.Height {
			c.t.Errorf("%s: %s: needs %.0fx%.0f, more than the %.0fx%.0f a %.0fx%.0f window has", c.role, where, m.Width, m.Height, room.Width, room.Height, crawlSize.Width, crawlSize.Height)
		}
	}
}

// anyBelow reports whether match accepts an object below o (visible ones
// only), walking containers and widgets' rendered parts.
func anyBelow(o fyne.CanvasObject, match func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if match(o) {
		return true
	}
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		kids = w.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	for _, k := range kids {
		if anyBelow(k, match) {
			return true
		}
	}
	return false
}

// isErrorDialog reports whether o is an error message (dialog.ShowError).
func isErrorDialog(o fyne.CanvasObject) bool {
	return anyBelow(o, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && l.Text == "Error"
	})
}

// isForm reports whether o holds something typed or chosen.
func isForm(o fyne.CanvasObject) bool {
	for _, ctl := range controls(o) {
		if strings.HasPrefix(ctl.label, "choose ") || strings.HasPrefix(ctl.label, "check ") {
			return true
		}
	}
	return anyBelow(o, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && !e.Disabled()
	})
}

// isFileDialog: Fyne's own file chooser; only its Cancel is ours to test.
func isFileDialog(o fyne.CanvasObject) bool {
	for _, ctl := range controls(o) {
		if ctl.label == "Home" || ctl.label == "icon home.svg" {
			return true
		}
	}
	return false
}

// replay opens the screen and presses path (labels checked); it reports
// whether every press happened as recorded.
func (c *crawler) replay(open func(), where string, path []string, idx []int) bool {
	c.reset()
	open()
	for k := range path {
		cs := controls(c.top())
		if idx[k] >= len(cs) || cs[idx[k]].label != path[k] {
			return false // the screen changed since (a request moved on): skip
		}
		if !c.press(where, cs[idx[k]]) {
			return false
		}
	}
	return true
}

// skip says which controls of a screen are pressed elsewhere: the sidebar
// (pressed from the queue, where it is explored once), a request's tabs (each
// tab is a screen of its own) and the request's header on every tab but the
// first it was seen on.
func (c *crawler) skip(kind, group string, depth int, ctl control, seen map[string]int) bool {
	if depth > 0 {
		return false
	}
	if b, ok := ctl.obj.(*widget.Button); ok && kind != navQueue {
		for _, nb := range c.u.nav {
			if nb == b {
				return true
			}
		}
		if b.Text == "Switch user" {
			return true
		}
	}
	if strings.HasPrefix(ctl.label, "tab ") {
		return true
	}
	seen[ctl.label]++
	key := fmt.Sprintf("%s|%s|%s#%d", c.role, group, ctl.label, seen[ctl.label])
	if c.explored[key] {
		return true
	}
	c.explored[key] = true
	return false
}

// explore presses every control of the layer reached by path, each on a
// freshly opened screen (cheap ones one after the other), and goes into
// the dialogs they open.
func (c *crawler) explore(kind, group string, open func(), path []string, idx []int) {
	where := kind
	if len(path) > 0 {
		where += " > " + strings.Join(path, " > ")
	}
	if !c.replay(open, where, path, idx) {
		return
	}
	layer := c.top()
	cs := controls(layer)
	fileDialog := len(path) > 0 && isFileDialog(layer)
	seen := map[string]int{}
	var todo []int
	for i, ctl := range cs {
		if c.skip(kind, group, len(path), ctl, seen) || fileDialog && ctl.label != "Cancel" {
			continue
		}
		if ctl.cheap() {
			// On this opening, as found now (an earlier choice may have
			// rebuilt part of the screen).
			if now := controls(c.top()); i < len(now) && now[i].label == ctl.label && c.press(where+" > "+ctl.label, now[i]) {
				c.fits(where + " > " + ctl.label)
			}
			continue
		}
		todo = append(todo, i)
	}
	for _, i := range todo {
		ctl := cs[i]
		p, x := append(append([]string{}, path...), ctl.label), append(append([]int{}, idx...), i)
		here := where + " > " + ctl.label
		if !c.replay(open, here, path, idx) {
			return
		}
		before := c.top()
		if now := controls(before); i >= len(now) || now[i].label != ctl.label {
			continue // the screen changed since (a request moved on)
		} else {
			ctl = now[i] // the freshly built widget, not the one replaced
		}
		wasForm := len(path) > 0 && isForm(before)
		if !c.press(here, ctl) {
			continue
		}
		c.fits(here)
		after := c.u.win.Canvas().Overlays()
		if wasForm && after.Top() != nil && isErrorDialog(after.Top()) && !slices.Contains(after.List(), before) {
			c.t.Errorf("%s: %s: the dialog closed on an error, losing what was typed", c.role, here)
		}
		// Into the dialog this opened, once per role, screen group and path.
		key := c.role + "|" + group + "|" + strings.Join(p, ">")
		if top := after.Top(); top != nil && top != before && len(path) < 3 && !c.explored[key] {
			c.explored[key] = true
			c.explore(kind, group, open, p, x)
		}
	}
}

// crawlScreen explores one screen and then checks the store.
func (c *crawler) crawlScreen(kind, group string, open func()) {
	before := c.presses
	c.explore(kind, group, open, nil, nil)
	if testing.Verbose() {
		c.t.Logf("%s: %s: %d presses", c.role, kind, c.presses-before)
	}
	c.reset()
	locked := !c.db.Unlocked()
	if locked { // nobody signed in: the encrypted records are checked as the demo administrator
		if _, err := c.db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
			c.t.Errorf("%s: after %s: signing in to check: %v", c.role, kind, err)
		}
	}
	for _, err := range c.db.Check() {
		c.t.Errorf("%s: after %s: store check: %v", c.role, kind, err)
	}
	if locked {
		c.db.Lock()
	}
}

// crawlRole explores everything the signed-in person can reach.
func (c *crawler) crawlRole() {
	u := c.u
	for _, name := range navOrder {
		if !u.nav[name].Visible() {
			continue
		}
		c.crawlScreen(name, name, func() { u.Navigate(name) })
	}
	// Importing a tracker: each step of the screen, then what it reports.
	if u.actor.CanHandleCases() {
		tracker, err := os.ReadFile("../testdata/tracker/office_excel_utf8.csv")
		if err != nil {
			c.t.Fatal(err)
		}
		for tab := 0; tab < 3; tab++ {
			c.crawlScreen(fmt.Sprintf("import, tab %d", tab), fmt.Sprintf("import %d", tab), func() {
				u.importCSV("office_excel_utf8.csv", tracker)
				u.importer.tabs.SelectIndex(tab)
			})
		}
		c.crawlScreen("import result", "import result", func() {
			rows, _, _ := u.db.FindRequests(fp.RequestFilter{Limit: 3})
			var rs []*fp.Request
			for _, row := range rows {
				r, _ := u.db.FindRequestByID(row.ID)
				r.Incomplete = []string{fp.FieldDateOfBirth}
				rs = append(rs, r)
			}
			u.showScreen(navQueue, func() {}, newImportResult(u, "office.csv", rs, []string{"line 2: warning: a warning"}).content)
		})
	}
	// A request in every status, each of its tabs.
	for _, st := range fp.Statuses {
		rows, _, err := u.db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{st}, Limit: 1})
		if err != nil {
			c.t.Fatal(err)
		}
		if len(rows) == 0 {
			continue
		}
		id := rows[0].ID
		u.OpenRequest(id)
		tabs := 1
		if u.form != nil && u.form.tabs != nil {
			tabs = len(u.form.tabs.Items)
		}
		for tab := 0; tab < tabs; tab++ {
			c.crawlScreen(fmt.Sprintf("%s request, tab %d", st, tab), string(st)+" request", func() {
				u.OpenRequest(id)
				if u.form != nil && u.form.tabs != nil && tab < len(u.form.tabs.Items) {
					u.form.tabs.SelectIndex(tab)
				}
			})
		}
	}
	// The menu's shortcuts, from the queue and from a form.
	for _, from := range []string{navQueue, navNew} {
		for _, m := range u.win.MainMenu().Items {
			for _, it := range m.Items {
				kind := "menu " + it.Label + " from " + from
				c.crawlScreen(kind, kind, func() {
					u.Navigate(from)
					it.Action()
				})
			}
		}
	}
	// The idle lock.
	c.crawlScreen("idle lock", "idle lock", func() { u.lock() })
}

func TestEveryButton(t *testing.T) {
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // what the screens write aside is looked at below
	u, db := openUI(t)
	u.win.Resize(crawlSize)
	c := &crawler{t: t, u: u, db: db, role: "nobody", explored: map[string]bool{}}
	// A new database: the first-run screen (without loading the demo: that
	// button is pressed below, once).
	c.crawlScreen("first run", "first run", func() {
		u.showSignIn("")
	})
	if n, _ := db.CountRequests(); n == 0 {
		if _, err := demo.Load(db, u.DemoCount, u.today()); err != nil {
			t.Fatal(err)
		}
	}
	c.crawlScreen("sign-in", "sign-in", func() { u.showSignIn("") })
	for _, a := range demo.Accounts {
		c.role = string(a.Role)
		c.reset()
		signIn(t, u, a.Name, demo.Password)
		c.account = a
		if u.actor.Name != a.Name {
			t.Fatalf("cannot sign in as %s", a.Name)
		}
		c.crawlRole()
	}
	t.Logf("%d presses", c.presses)
	applicantsNotInTheClear(t, db, tmp)
}

// applicantsNotInTheClear: after every screen was used, the demo
// applicants' names, A-numbers and e-mail addresses are nowhere on disk in
// the clear, not in the database file, the files beside it or the
// temporary folder (the office has its data key from its first account).
func applicantsNotInTheClear(t *testing.T, db *store.DB, tmp string) {
	t.Helper()
	if !db.Unlocked() {
		if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := db.LoadRequests(fp.RequestFilter{})
	if err != nil || len(rs) < 20 {
		t.Fatalf("the demo requests: %d, %v", len(rs), err)
	}
	var canaries []string
	for _, r := range rs[:20] {
		canaries = append(canaries, r.Applicant.FullName, string(r.ANumber), r.Email)
	}
	dir := filepath.Dir(db.Path())
	looked := 0
	for _, root := range []string{dir, tmp} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			looked++
			for _, c := range canaries {
				if len(c) >= 6 && bytes.Contains(b, []byte(c)) {
					t.Errorf("%q in the clear in %s", c, p)
				}
			}
			return nil
		})
	}
	if looked == 0 {
		t.Fatal("no file looked at")
	}
}
