package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/internal/fixture/desk"
	"github.com/fieldprint/fieldprint/store"
)

var clerk = fp.Actor{Name: "mlopez", Role: fp.RoleClerk}

const testPassword = fixture.Password

var fixedNow = fixture.Now

// openUI builds the real main window on a temp bbolt file, on the sign-in
// (or first-run) screen.
func openUI(t *testing.T) (*UI, *store.DB) {
	t.Helper()
	a := test.NewTempApp(t)
	db := desk.Empty(t)
	u := New(a, db, "test.db")
	u.Now = fixedNow
	u.DemoCount = 40
	u.inline = true
	u.win.Resize(fyne.NewSize(1180, 760))
	return u, db
}

// newTestUI is openUI with a clerk's account, signed in.
func newTestUI(t *testing.T) (*UI, *store.DB) {
	t.Helper()
	u, db := openUI(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Staff Member", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	root := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := db.CreateUser(&root, fp.NewUser{Name: clerk.Name, FullName: "Staff Member", Role: clerk.Role, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	signIn(t, u, clerk.Name, testPassword)
	if u.actor != clerk {
		t.Fatalf("not signed in: %+v", u.actor)
	}
	return u, db
}

// demoUI is openUI with the demo office loaded, signed in as its clerk.
func demoUI(t *testing.T) (*UI, *store.DB) {
	t.Helper()
	u, db := openUI(t)
	if _, err := demo.Load(db, u.DemoCount, u.today()); err != nil {
		t.Fatal(err)
	}
	u.showSignIn("")
	signIn(t, u, demo.Clerk.Name, demo.Password)
	return u, db
}

// signIn types into the sign-in form shown in the window.
func signIn(t *testing.T, u *UI, name, password string) {
	t.Helper()
	u.showSignIn("")
	content := u.win.Content()
	entries := []*widget.Entry{}
	find(t, content, func(e *widget.Entry) bool { entries = append(entries, e); return false })
	if len(entries) < 2 {
		t.Fatal("no sign-in form")
	}
	test.Type(entries[0], name)
	test.Type(entries[1], password)
	test.Tap(button(t, content, "Sign in"))
	// An administrator's first sign-in on a database without the office
	// data key makes it and shows its recovery key first.
	if d := topOverlay(u); d != nil {
		if c, ok := find(t, d, func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "I have written") }); ok {
			test.Tap(c)
			test.Tap(button(t, d, "Done"))
		}
	}
}

// find walks the tree below o for the first object that ok accepts.
func find[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject, ok func(T) bool) (T, bool) {
	if v, is := o.(T); is && ok(v) {
		return v, true
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.TempWidgetRenderer(t, c).Objects()
	}
	for _, k := range kids {
		if v, found := find(t, k, ok); found {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// errText is the message shown under the field key ("" when none).
func errText(f *requestScreen, key string) string {
	for l, keys := range f.errs {
		for _, k := range keys {
			if k == key {
				return l.Text
			}
		}
	}
	return ""
}

// findAll lists every T below o.
func findAll[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject) []T {
	var out []T
	find(t, o, func(v T) bool { out = append(out, v); return false })
	return out
}

func button(t *testing.T, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	b, ok := find(t, o, func(b *widget.Button) bool { return b.Text == label })
	if !ok {
		t.Fatalf("no button %q", label)
	}
	return b
}

// topOverlay is the dialog being shown, or nil.
func topOverlay(u *UI) fyne.CanvasObject { return u.win.Canvas().Overlays().Top() }

func fillValid(u *UI, name, anumber string) {
	f := u.form
	test.Type(f.name, name)
	test.Type(f.dob, "1985-04-12")
	f.category.SetSelected(fp.Category319b.Label())
	test.Type(f.basis, "Spouse of a consular officer, INA 319(b)")
	f.notice.SetSelected(fp.NoticeReceipt.Label())
	test.Type(f.anumber, anumber)
	test.Type(f.email, "applicant@example.com")
}

func TestFirstRunDemoThenSignIn(t *testing.T) {
	u, db := openUI(t)
	// A new database shows no queue, only the first-run choices.
	if _, ok := find(t, u.win.Content(), func(b *widget.Button) bool { return b.Text == "Create administrator" }); !ok {
		t.Fatal("a new database does not open on the first-run screen")
	}
	test.Tap(button(t, u.win.Content(), "Load demo data instead"))
	if n, _ := db.CountRequests(); n != 40 {
		t.Fatalf("%d requests after loading demo data", n)
	}
	note, ok := find(t, u.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, demo.Password) })
	if !ok || !strings.Contains(note.Text, "director") {
		t.Fatal("the sign-in screen does not give the demo accounts")
	}
	signIn(t, u, "director", "wrong password!")
	if u.actor.Name != "" {
		t.Fatal("signed in with a wrong password")
	}
	if _, ok := find(t, u.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "wrong") }); !ok {
		t.Error("no message for a wrong password")
	}
	signIn(t, u, "director", demo.Password)
	if u.actor != demo.Director || u.body.Objects[0] != u.queue.content || len(u.queue.rows) == 0 {
		t.Fatalf("after sign-in: actor %+v", u.actor)
	}
	if !strings.Contains(u.win.Title(), "director (director)") {
		t.Errorf("title %q does not name the user", u.win.Title())
	}
}

func TestFirstRunCreatesAdministrator(t *testing.T) {
	u, db := openUI(t)
	entries := []*widget.Entry{}
	find(t, u.win.Content(), func(e *widget.Entry) bool { entries = append(entries, e); return false })
	test.Type(entries[0], "admin.gz")
	test.Type(entries[2], "short")
	test.Type(entries[3], "short")
	test.Tap(button(t, u.win.Content(), "Create administrator"))
	if n, _ := db.CountUsers(); n != 0 {
		t.Fatal("a short password was accepted")
	}
	entries[2].SetText(testPassword)
	entries[3].SetText(testPassword)
	test.Tap(button(t, u.win.Content(), "Create administrator"))
	if n, _ := db.CountUsers(); n != 0 {
		t.Fatal("an administrator without a full name was accepted")
	}
	test.Type(entries[1], "Wei Zhang")
	test.Tap(button(t, u.win.Content(), "Create administrator"))
	if n, _ := db.CountUsers(); n != 1 {
		t.Fatal("administrator not created")
	}
	recoveryKeyShown(t, u)
	signIn(t, u, "admin.gz", testPassword)
	if u.actor.Role != fp.RoleAdmin || u.nav[navNew].Visible() || u.nav[navReview].Visible() || !u.nav[navAudit].Visible() {
		t.Fatalf("admin: %+v, navigation new %v review %v audit %v", u.actor, u.nav[navNew].Visible(), u.nav[navReview].Visible(), u.nav[navAudit].Visible())
	}
}

func TestSwitchUserHidesPersonalData(t *testing.T) {
	u, _ := demoUI(t)
	r := u.queue.rows[0]
	u.SwitchUser()
	if u.actor.Name != "" {
		t.Fatal("still signed in")
	}
	if _, ok := find(t, u.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, r.FullName) }); ok {
		t.Fatal("an applicant's name is on screen after signing out")
	}
	u.Navigate(navQueue) // the menu shortcuts do nothing without a sign-in
	u.FocusSearch()
	if u.win.Content() == u.main {
		t.Fatal("the queue came back without a sign-in")
	}
}

func TestIntakeSavesAndNormalises(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	if u.form == nil || u.form.req != nil {
		t.Fatal("new request form not shown")
	}
	fillValid(u, "José  Müller", "a-12-345-678")
	test.Type(u.form.receipts, "ioe 0912345678")
	u.Save()
	if n, _ := db.CountRequests(); n != 1 {
		t.Fatalf("%d requests stored", n)
	}
	r, err := db.FindRequestByNumber("FP-2026-00001")
	if err != nil {
		t.Fatal(err)
	}
	if r.Applicant.FullName != "José Müller" || r.ANumber != "A012345678" || r.ReceiptNumbers[0] != "IOE0912345678" || r.Received.String() != "2026-11-20" {
		t.Fatalf("stored %+v", r)
	}
	// The form now shows the stored request, normalised, and nothing is unsaved.
	if u.form.req == nil || u.form.anumber.Text != "A012345678" || u.form.dirty() {
		t.Fatalf("form after save: req=%v anumber=%q dirty=%v", u.form.req, u.form.anumber.Text, u.form.dirty())
	}
	if !strings.Contains(u.form.message.Text, "FP-2026-00001") {
		t.Errorf("message %q", u.form.message.Text)
	}
}

func TestInvalidInputIsRefusedWithFieldMessages(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Wanjiru Mwangi", "A12345678")
	test.Type(u.form.receipts, "GUZ2018123456")
	if !strings.Contains(errText(u.form, fp.FieldReceiptNumbers), "Department of State") {
		t.Fatalf("receipt message %q", errText(u.form, fp.FieldReceiptNumbers))
	}
	u.Save()
	if n, _ := db.CountRequests(); n != 0 {
		t.Fatal("an invalid request was stored")
	}
	if !strings.HasPrefix(u.form.message.Text, "Not saved") {
		t.Errorf("message %q", u.form.message.Text)
	}
	// Untouched fields show nothing until a save is tried; then everything.
	u.Navigate(navNew)
	test.Tap(button(t, topOverlay(u), "Discard changes"))
	if errText(u.form, fp.FieldBasis) != "" {
		t.Error("an untouched field shows an error before any save")
	}
	u.Save()
	if errText(u.form, fp.FieldBasis) == "" {
		t.Error("after a save attempt the empty basis is not flagged")
	}
}

func TestAdoptionHouseholdAndOtherSections(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	f := u.form
	if f.hhSection.Visible() || f.otherSection.Visible() {
		t.Fatal("category sections shown before a category is chosen")
	}
	fillValid(u, "Nguyễn Thị Minh Khai", "A23456789")
	f.category.SetSelected(fp.CategoryAdoption.Label())
	if !f.hhSection.Visible() {
		t.Fatal("household section hidden for adoption")
	}
	test.Tap(button(t, f.hhSection, "Add member"))
	test.Type(f.household[0].name, "Trần Văn Đức")
	test.Type(f.household[0].dob, "2012-01-01") // a minor: listed, not fingerprinted
	if !strings.Contains(f.household[0].age.Text, "age 14: under 18, not fingerprinted") {
		t.Errorf("minor's age label %q", f.household[0].age.Text)
	}
	test.Tap(button(t, f.hhSection, "Add member"))
	test.Type(f.household[1].name, "Lê Thị Hoa")
	test.Type(f.household[1].dob, "1979-02-03")
	test.Type(f.household[1].passport.number, "c1234567")
	test.Type(f.household[1].passport.expiry, "2030-01-01")
	if f.household[1].age.Text != "age 47" {
		t.Errorf("adult's age label %q", f.household[1].age.Text)
	}
	u.Save()
	r, err := db.FindRequestByNumber("FP-2026-00001")
	if err != nil || len(r.Household) != 2 || r.Household[0].FullName != "Trần Văn Đức" || r.Household[1].Passport.Number != "C1234567" {
		t.Fatalf("household not stored: %v %+v", err, r)
	}
	if r.People(u.today()) != 2 || len(r.Checklist(u.today())) != 4 {
		t.Errorf("people %d, checklist %d items (the child needs none)", r.People(u.today()), len(r.Checklist(u.today())))
	}

	u.Navigate(navNew)
	fillValid(u, "Omar Haddad", "A34567890")
	u.form.category.SetSelected(fp.CategoryOther.Label())
	if !u.form.otherSection.Visible() {
		t.Fatal("All others section hidden")
	}
	u.Save()
	if errText(u.form, fp.FieldDepartureReason) == "" {
		t.Error("missing departure reason not flagged")
	}
}

func TestDuplicateAsksBeforeSaving(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Li Na Wang", "A45678901")
	u.Save()
	u.Navigate(navNew)
	fillValid(u, "Li Na Wang", "45678901")
	u.Save()
	d := topOverlay(u)
	if d == nil {
		t.Fatal("no duplicate warning")
	}
	if n, _ := db.CountRequests(); n != 1 {
		t.Fatal("duplicate stored before confirmation")
	}
	test.Tap(button(t, d, "Save anyway"))
	if n, _ := db.CountRequests(); n != 2 {
		t.Fatalf("%d requests after confirming", n)
	}
}

func TestUnsavedChangesAreNotLostSilently(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Priya Sharma", "A56789012")
	u.Navigate(navQueue)
	d := topOverlay(u)
	if d == nil || u.form == nil {
		t.Fatal("left a dirty form without asking")
	}
	test.Tap(button(t, d, "Keep editing"))
	if u.form == nil || u.form.name.Text != "Priya Sharma" {
		t.Fatal("keep editing lost the form")
	}
	u.Navigate(navQueue)
	test.Tap(button(t, topOverlay(u), "Save"))
	if n, _ := db.CountRequests(); n != 1 {
		t.Fatal("save from the unsaved-changes dialog did not save")
	}
	if u.form != nil || u.body.Objects[0] != u.queue.content {
		t.Fatal("did not go on to the queue after saving")
	}
}

func TestQueueSearchAndFilters(t *testing.T) {
	u, _ := demoUI(t)
	all := u.queue.total
	word := fp.SearchTokens(u.queue.rows[0].FullName)[0] // an open request: the queue's default
	test.Type(u.queue.search, strings.ToUpper(word[:3]))
	if u.queue.total == 0 || u.queue.total >= all {
		t.Fatalf("search %q: %d of %d", word[:3], u.queue.total, all)
	}
	for _, row := range u.queue.rows {
		if !strings.Contains(" "+fp.Fold(row.FullName), " "+word[:3]) {
			t.Errorf("row %s %q does not match %q", row.Number, row.FullName, word[:3])
		}
	}
	u.queue.search.SetText("")
	u.queue.status.SetSelected(fp.StatusWithdrawn.Label())
	for _, row := range u.queue.rows {
		if row.Status != fp.StatusWithdrawn {
			t.Fatalf("row %s is %s", row.Number, row.Status)
		}
	}
	if u.queue.total == 0 {
		t.Fatal("no withdrawn demo requests")
	}
	// The default filter shows only open requests, oldest first.
	u.queue.status.SetSelected(filterOpen)
	for i, row := range u.queue.rows {
		if !row.Status.Open() || i > 0 && row.Received.Before(u.queue.rows[i-1].Received) {
			t.Fatalf("row %d %s %s out of place", i, row.Number, row.Status)
		}
	}
	u.queue.search.SetText("zzzz")
	if u.queue.list.Objects[0] != u.queue.empty || !strings.Contains(u.queue.empty.Text, "zzzz") {
		t.Error("no empty-state message for a search without matches")
	}
}

func TestWithdrawNeedsReason(t *testing.T) {
	u, db := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Kamau Mwangi", "A67890123")
	u.Save()
	id := u.form.req.ID
	test.Tap(button(t, u.form.content, "Withdraw"))
	d := topOverlay(u)
	area, ok := find(t, d, func(*textArea) bool { return true })
	if !ok {
		t.Fatal("no reason field")
	}
	if area.AcceptsTab() {
		t.Error("Tab would be typed into the reason instead of moving on")
	}
	test.Type(area, "Applicant returned to the U.S.")
	test.Tap(button(t, d, "Withdraw"))
	r, _ := db.FindRequestByID(id)
	if r.Status != fp.StatusWithdrawn || r.History[len(r.History)-1].Reason != "Applicant returned to the U.S." {
		t.Fatalf("status %s history %+v", r.Status, r.History)
	}
	if !u.form.saveBtn.Disabled() {
		t.Error("a withdrawn request can still be edited")
	}
}

func TestWindowCapture(t *testing.T) {
	u, _ := demoUI(t)
	img := u.win.Canvas().Capture()
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 700 {
		t.Fatalf("capture %v", b)
	}
}

func TestRecordPDF(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	u, _ := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Łukasz Żółć", "A78901234")
	u.Save()
	test.Tap(button(t, u.form.content, "Record (PDF)"))
	path := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "fieldprint", "print", "FP-2026-00001 record.pdf")
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("no PDF at %s: %v", path, err)
	}
	if !strings.Contains(u.form.message.Text, path) {
		t.Errorf("message %q", u.form.message.Text)
	}
}

func TestIdleLockKeepsWorkForTheSameUser(t *testing.T) {
	u, db := demoUI(t)
	now := fixedNow()
	u.Now = func() time.Time { return now }
	u.IdleAfter = 10 * time.Minute
	u.touch()
	u.Navigate(navNew)
	test.Type(u.form.name, "Wanjiru Mwangi") // unsaved
	now = now.Add(9 * time.Minute)
	u.checkIdle()
	if u.locked {
		t.Fatal("locked before the idle time")
	}
	now = now.Add(10 * time.Minute)
	u.checkIdle()
	if !u.locked || u.win.Content() == u.main {
		t.Fatal("not locked after the idle time")
	}
	if _, ok := find(t, u.win.Content(), func(e *widget.Entry) bool { return e.Text == "Wanjiru Mwangi" }); ok {
		t.Fatal("personal data visible while locked")
	}
	// Someone else cannot take over the locked session.
	entries := []*widget.Entry{}
	find(t, u.win.Content(), func(e *widget.Entry) bool { entries = append(entries, e); return false })
	entries[0].SetText("director")
	test.Type(entries[1], demo.Password)
	test.Tap(button(t, u.win.Content(), "Sign in"))
	if !u.locked || u.actor != demo.Clerk {
		t.Fatal("another user unlocked the clerk's session")
	}
	entries[0].SetText("clerk")
	test.Type(entries[1], demo.Password)
	test.Tap(button(t, u.win.Content(), "Sign in"))
	if u.locked || u.win.Content() != u.main || u.form == nil || u.form.name.Text != "Wanjiru Mwangi" {
		t.Fatalf("unlocking lost the unsaved form: locked %v main %v form %v", u.locked, u.win.Content() == u.main, u.form != nil)
	}
	_ = db
}

func TestDirectorReviewApproves(t *testing.T) {
	u, db := demoUI(t)
	signIn(t, u, demo.Director.Name, demo.Password)
	u.Navigate(navReview)
	rows, n, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusDirectorReview}})
	if n == 0 {
		t.Fatal("the demo has no referred requests")
	}
	first := rows[0] // oldest first, as the screen lists them
	test.Tap(button(t, u.body, "Approve"))
	d := topOverlay(u)
	area, _ := find(t, d, func(*textArea) bool { return true })
	test.Type(area, "Capacity allows it this month.")
	test.Tap(button(t, d, "Approve"))
	r, _ := db.FindRequestByID(first.ID)
	if r.Status != fp.StatusReadyToSchedule || r.History[len(r.History)-1].By != "director" {
		t.Fatalf("after approval: %s %+v", r.Status, r.History[len(r.History)-1])
	}
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.Contains(l.Text, "Office workload") }); !ok {
		t.Error("no workload line")
	}
}

func TestAuditScreenAndHistory(t *testing.T) {
	u, db := demoUI(t)
	signIn(t, u, demo.Admin.Name, demo.Password)
	u.Navigate(navAudit)
	test.Tap(button(t, u.body, "Verify the chain"))
	if _, ok := find(t, u.body, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Verified:") }); !ok {
		t.Fatal("no verification result")
	}
	signIn(t, u, demo.Clerk.Name, demo.Password)
	rows, _, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusNew}})
	u.OpenRequest(rows[0].ID)
	test.Type(u.form.basis, " Updated by phone.")
	u.Save()
	if _, ok := find(t, u.form.content, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "clerk: changed basis")
	}); !ok {
		t.Fatal("the history does not show the edit")
	}
}

func TestDenialLetterFromTheForm(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	u, db := demoUI(t)
	rows, n, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusDenied}})
	if n == 0 {
		t.Fatal("no denied request in the demo")
	}
	u.OpenRequest(rows[0].ID)
	test.Tap(button(t, u.form.content, "Denial letter (PDF)"))
	path := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "fieldprint", "print", rows[0].Number+" denial letter.pdf")
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("no letter at %s: %v", path, err)
	}
	es, _ := db.RequestAudit(rows[0].Number)
	if last := es[len(es)-1]; last.Action != fp.ActionRecordPrint || !strings.Contains(last.Note, "denial letter, copy 1") {
		t.Fatalf("printing not audited: %+v", last)
	}
}

// A failed save shows the first problem: the fields scroll to it, and the
// form does not jump as messages appear (their lines keep their room).
func TestFailedSaveShowsTheFirstProblem(t *testing.T) {
	u, _ := newTestUI(t)
	u.win.Resize(fyne.NewSize(1024, 700))
	u.Navigate(navNew)
	f := u.form
	fillValid(u, "Ana García", "A12345678")
	f.name.SetText("")
	before := f.scroll.Content.MinSize().Height
	f.scroll.ScrollToBottom()
	bottom := f.scroll.Offset.Y
	if bottom <= 0 {
		t.Skip("the form fits the window: nothing to scroll")
	}
	u.Save()
	if f.scroll.Offset.Y >= bottom || !strings.Contains(errText(f, fp.FieldFullName), "name") {
		t.Errorf("after a failed save the form is at %v (bottom %v), message %q", f.scroll.Offset.Y, bottom, errText(f, fp.FieldFullName))
	}
	if after := f.scroll.Content.MinSize().Height; after != before {
		t.Errorf("the form's height changed from %v to %v as the message appeared", before, after)
	}
}

// Ctrl+F selects what the search box holds (typing replaces it), and the
// next person after Switch user starts from a fresh queue.
func TestFindSelectsAndSwitchUserResetsTheQueue(t *testing.T) {
	u, _ := demoUI(t)
	test.Type(u.queue.search, "nguyen")
	u.queue.order.SetSelected(orderNew)
	u.FocusSearch()
	if got := u.queue.search.SelectedText(); got != "nguyen" {
		t.Errorf("Ctrl+F selected %q", got)
	}
	u.SwitchUser()
	signIn(t, u, demo.Director.Name, demo.Password)
	if u.queue.search.Text != "" || u.queue.order.Selected != orderOld {
		t.Errorf("after Switch user: search %q, order %q", u.queue.search.Text, u.queue.order.Selected)
	}
}

// Tab walks a household row's fields without stopping on its remove
// button, so Space in the row never removes a member.
func TestTabSkipsTheRemoveButton(t *testing.T) {
	u, _ := newTestUI(t)
	u.Navigate(navNew)
	f := u.form
	f.category.SetSelected(fp.CategoryAdoption.Label())
	test.Tap(button(t, f.content, "Add member"))
	hr := f.household[0]
	c := u.win.Canvas()
	if _, focusable := any(hr.remove).(fyne.Focusable); focusable {
		t.Fatal("the remove button takes the keyboard focus")
	}
	c.Focus(hr.name)
	c.FocusNext()
	if c.Focused() != hr.dob {
		t.Errorf("Tab from the name went to %T, not the birth date", c.Focused())
	}
}

// The first-run screen joins an office server through the Joiner cmd
// wires: a refusal stays in the dialog with what was typed; once
// connected, the window signs in on the office there.
func TestFirstRunJoinsAServer(t *testing.T) {
	u, _ := openUI(t)
	// A window that cannot join says so in the dialog (cmd always wires it).
	test.Tap(button(t, u.win.Content(), "Join an office server…"))
	d := topOverlay(u)
	es := findAll[*widget.Entry](t, d)
	test.Type(es[0], "https://server.example:2379")
	test.Type(es[1], "/media/usb/intake-1.desk")
	test.Tap(button(t, d, "Connect"))
	if topOverlay(u) != d {
		t.Fatal("joined without a way to join")
	}
	test.Tap(button(t, d, "Cancel"))
	other := desk.Empty(t)
	if _, err := demo.Load(other, 3, u.today()); err != nil {
		t.Fatal(err)
	}
	calls := 0
	u.Joiner = func(server, file string) (Store, string, error) {
		calls++
		if calls == 1 {
			return nil, "", fp.Errorf(fp.EINVALID, "the office server %s does not answer", server)
		}
		return other, "office server " + server + ", desk Intake 1", nil
	}
	u.showSignIn("")
	test.Tap(button(t, u.win.Content(), "Join an office server…"))
	d = topOverlay(u)
	test.Tap(button(t, d, "Connect"))
	if calls != 0 || topOverlay(u) != d {
		t.Fatal("joined without an address")
	}
	es = findAll[*widget.Entry](t, d)
	test.Type(es[0], "https://server.example:2379")
	test.Type(es[1], "/media/usb/intake-1.desk")
	test.Tap(button(t, d, "Connect"))
	if calls != 1 || topOverlay(u) != d || es[0].Text != "https://server.example:2379" {
		t.Fatal("a refused connection lost the dialog or its input")
	}
	test.Tap(button(t, d, "Connect"))
	if calls != 2 || u.db != Store(other) || !strings.Contains(u.win.Title(), "office server https://server.example:2379, desk Intake 1") {
		t.Fatalf("not joined: %d calls, title %q", calls, u.win.Title())
	}
	signIn(t, u, demo.Clerk.Name, demo.Password)
	if u.actor.Name != demo.Clerk.Name {
		t.Fatal("no sign-in on the joined office")
	}
}

// liveStore is a store another desk changes too, as an office server is.
type liveStore struct {
	Store
	ch chan struct{}
}

func (l liveStore) Changes() <-chan struct{} { return l.ch }

// A change made at another desk shows by itself: the queue reads again, an
// open request without unsaved changes is reloaded, one with unsaved
// changes says so and keeps what was typed.
func TestChangesAtAnotherDeskShow(t *testing.T) {
	a := test.NewTempApp(t)
	db := desk.Empty(t)
	if _, err := demo.Load(db, 5, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan struct{}, 1)
	var seen atomic.Int32
	u := New(a, liveStore{db, ticks}, "office server")
	u.Now, u.inline = fixedNow, true
	u.onLive = func() { seen.Add(1) } // counted here, the refresh run below on this goroutine
	tick := func() {
		t.Helper()
		n := seen.Load()
		ticks <- struct{}{}
		for end := time.Now().Add(3 * time.Second); seen.Load() == n; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatal("the change did not reach the window")
			}
		}
		u.liveRefresh()
	}
	u.win.Resize(fyne.NewSize(1180, 760))
	signIn(t, u, demo.Clerk.Name, demo.Password)
	u.showQueue()
	before := len(u.queue.rows)
	other, err := db.Authenticate(demo.Director.Name, demo.Password) // the other desk's user
	if err != nil {
		t.Fatal(err)
	}
	in := fixture.Request()
	in.ANumber, in.ReceiptNumbers = "A123123123", ""
	r, _, err := in.Parse(fp.DateOf(fixedNow()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRequest(other, r, fp.SaveOptions{AllowDuplicates: true}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(3 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("%s did not show", what)
			}
		}
	}
	tick()
	waitFor("the new request in the queue", func() bool { return len(u.queue.rows) == before+1 })

	id := u.queue.rows[0].ID
	u.OpenRequest(id)
	edit := func(email string) *fp.Request {
		t.Helper()
		cur, _ := db.FindRequestByID(id)
		in := cur.Input()
		in.Email = email
		changed, _, err := in.Parse(fp.DateOf(fixedNow()))
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.UpdateRequest(other, id, cur.Version, changed, fp.SaveOptions{AllowDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cur := edit("first@example.org")
	tick()
	waitFor("the request as changed", func() bool { return u.form.req.Version == cur.Version && u.form.email.Text == "first@example.org" })
	test.Type(u.form.phone, "9")
	edit("second@example.org")
	tick()
	waitFor("the note that it changed", func() bool { return strings.Contains(u.form.message.Text, "since you opened it") })
	if !strings.Contains(u.form.phone.Text, "9") || u.form.email.Text != "first@example.org" {
		t.Fatal("what was typed was lost")
	}
}

// presenceStore is a shared store where another desk has requests open.
type presenceStore struct {
	Store
	opened, released *int
}

func (p presenceStore) OpenAt(number, who string) func() {
	*p.opened++
	return func() { *p.released++ }
}
func (p presenceStore) OpenElsewhere(string) []string { return []string{"jchen at Director"} }

// An open request says who else has it open, at which desk, and lets go of
// its own mark when it is closed.
func TestOpenAtAnotherDeskShows(t *testing.T) {
	a := test.NewTempApp(t)
	db := desk.Empty(t)
	if _, err := demo.Load(db, 3, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	var opened, released int
	u := New(a, presenceStore{db, &opened, &released}, "office server")
	u.Now, u.inline = fixedNow, true
	signIn(t, u, demo.Clerk.Name, demo.Password)
	u.showQueue()
	u.OpenRequest(u.queue.rows[0].ID)
	if opened != 1 {
		t.Fatal("the request was not marked open at this desk")
	}
	if _, ok := find(t, u.form.content, func(l *widget.Label) bool {
		return strings.HasPrefix(l.Text, "Also open at another desk: jchen at Director") && l.Visible()
	}); !ok {
		t.Fatal("who else has it open is not shown")
	}
	u.Navigate(navQueue)
	if released != 1 {
		t.Fatal("closing the request did not let go of its mark")
	}
}

// awayStore is a store on a server that goes away and comes back.
type awayStore struct {
	Store
	fn *func(time.Time, bool)
}

func (a awayStore) OnAway(fn func(time.Time, bool)) { *a.fn = fn }

// The window says at once, under the navigation, that the office server is
// away, and clears it when the server is back.
func TestServerAwayShows(t *testing.T) {
	a := test.NewTempApp(t)
	db := desk.Empty(t)
	if _, err := demo.Load(db, 3, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	var notify func(time.Time, bool)
	u := New(a, awayStore{db, &notify}, "office server")
	u.Now, u.inline = fixedNow, true
	signIn(t, u, demo.Clerk.Name, demo.Password)
	if notify == nil {
		t.Fatal("the window does not follow the server's state")
	}
	since := time.Date(2026, 11, 20, 6, 5, 0, 0, time.UTC)
	notify(since, true)
	deadline := time.Now().Add(2 * time.Second)
	for !u.awayStatus.Visible() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !u.awayStatus.Visible() || !strings.Contains(u.awayStatus.Text, "does not answer since") {
		t.Fatalf("away not shown: %q", u.awayStatus.Text)
	}
	notify(time.Time{}, false)
	for u.awayStatus.Visible() && time.Now().Before(deadline.Add(2*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	if u.awayStatus.Visible() {
		t.Fatal("still shown after the server came back")
	}
}

// renewStore is a store on a server whose desk's certificate ends soon.
type renewStore struct {
	Store
	ends time.Time
}

func (r renewStore) RenewalWarning(now time.Time) string {
	if r.ends.Sub(now) > 60*24*time.Hour {
		return ""
	}
	return "This desk's certificate for the office server ends on " + r.ends.Format("2006-01-02") + ": fieldprint desk renew"
}

// The window says under the navigation, once signed in, that this desk's
// certificate ends soon (the date, the command); not before it is near.
func TestCertificateRenewalShows(t *testing.T) {
	a := test.NewTempApp(t)
	db := desk.Empty(t)
	if _, err := demo.Load(db, 1, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	u := New(a, renewStore{db, fixedNow().AddDate(0, 0, 30)}, "office server")
	u.Now, u.inline = fixedNow, true
	signIn(t, u, demo.Clerk.Name, demo.Password)
	want := "ends on " + fixedNow().AddDate(0, 0, 30).Format("2006-01-02")
	if !u.renewStatus.Visible() || !strings.Contains(u.renewStatus.Text, want) || !strings.Contains(u.renewStatus.Text, "fieldprint desk renew") {
		t.Fatalf("the renewal is not shown: %v %q", u.renewStatus.Visible(), u.renewStatus.Text)
	}

	b := New(test.NewTempApp(t), renewStore{db, fixedNow().AddDate(1, 0, 0)}, "office server")
	b.Now, b.inline = fixedNow, true
	signIn(t, b, demo.Clerk.Name, demo.Password)
	if b.renewStatus.Visible() {
		t.Errorf("shown a year before the end: %q", b.renewStatus.Text)
	}
}

// The audit trail's rows are in columns: each row's request number and
// details start where every other row's do, whatever the action's length.
func TestAuditRowsInColumns(t *testing.T) {
	u, _ := demoUI(t)
	signIn(t, u, demo.Admin.Name, demo.Password)
	u.Navigate(navAudit)
	xs := map[float32]int{}
	rows := 0
	for _, o := range test.LaidOutObjects(u.body) {
		c, ok := o.(*fyne.Container)
		if !ok || len(c.Objects) != len(auditSamples) {
			continue
		}
		if _, ok := c.Layout.(auditColumns); !ok {
			continue
		}
		if l := c.Objects[3].(*widget.Label); l.Text == "" {
			continue // a row not in use
		}
		rows++
		xs[c.Objects[4].Position().X]++
		if c.Objects[5].Position().X <= c.Objects[4].Position().X {
			t.Errorf("a row's details start at %v, before its request number at %v", c.Objects[5].Position().X, c.Objects[4].Position().X)
		}
	}
	if rows < 5 || len(xs) != 1 {
		t.Errorf("%d rows; their request numbers start at %v", rows, xs)
	}
}
