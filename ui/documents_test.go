package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// openNew records a military request through the form and returns it open.
func openNew(t *testing.T) (*UI, *fp.Request) {
	t.Helper()
	u, db := newTestUI(t)
	u.Navigate(navNew)
	fillValid(u, "Anna Maria Eriksson", "A12345678")
	u.Save()
	r, err := db.FindRequestByNumber("FP-2026-00001")
	if err != nil {
		t.Fatal(err)
	}
	u.OpenRequest(r.ID)
	return u, r
}

func rowOf(t *testing.T, u *UI, label string) fyne.CanvasObject {
	t.Helper()
	for _, o := range u.form.docs.list.Objects {
		if _, ok := find(t, o, func(l *widget.Label) bool { return l.Text == label }); ok {
			return o
		}
	}
	t.Fatalf("no checklist row %q", label)
	return nil
}

// A clerk attaches, previews, verifies and rejects through the Documents tab,
// and the request's status follows.
func TestDocumentsTab(t *testing.T) {
	u, r := openNew(t)
	if u.form.docsTab.Text != "Documents 0/2" {
		t.Errorf("tab %q", u.form.docsTab.Text)
	}
	passport := demo.PassportScan(r.Applicant, "L898902C3", fp.Date{Y: 2031, M: 1, D: 1})
	u.form.docs.attach("passport/0", "passport.png", passport)
	if u.form.tabs.Selected() != u.form.docsTab || !strings.Contains(u.form.message.Text, "Attached passport.png") {
		t.Fatalf("after attaching: tab %q, message %q", u.form.tabs.Selected().Text, u.form.message.Text)
	}
	// The image is shown beside the checklist, zoomable.
	img, ok := find(t, u.form.docs.preview, func(*canvas.Image) bool { return true })
	if !ok {
		t.Fatal("no image preview")
	}
	w := img.MinSize().Width
	test.Tap(button(t, u.form.docs.preview, "+"))
	if img.MinSize().Width <= w {
		t.Errorf("zoom in: width %v then %v", w, img.MinSize().Width)
	}
	// Verify opens the check above the scan (which stays in view): with no
	// passport recorded there is nothing to compare the page with.
	test.Tap(button(t, rowOf(t, u, "Passport biographic page: Anna Maria Eriksson"), "Verify"))
	check := func() *widget.Entry {
		e, ok := find(t, u.form.docs.preview, func(e *widget.Entry) bool { return e.MultiLine })
		if !ok {
			t.Fatal("no check above the scan")
		}
		return e
	}
	problem := func() string {
		l, _ := find(t, u.form.docs.preview, func(l *widget.Label) bool {
			return l.Visible() && l.Importance == widget.DangerImportance && l.Text != ""
		})
		if l == nil {
			return ""
		}
		return l.Text
	}
	check()
	test.Tap(button(t, u.form.docs.preview, "Verify"))
	if !strings.Contains(problem(), "record Anna Maria Eriksson's passport number and expiry first") || topOverlay(u) != nil {
		t.Fatalf("verify with no passport recorded: %q", problem())
	}
	// The clerk reads the zone into the Details tab and saves.
	test.Type(u.form.docs.mrz, demo.PassportMRZ(r.Applicant, "L898902C3", fp.Date{Y: 2031, M: 1, D: 1}))
	u.Save()
	test.Tap(button(t, rowOf(t, u, "Passport biographic page: Anna Maria Eriksson"), "Verify"))
	// One click is not a check; nor is someone else's passport, expired in 2012.
	test.Tap(button(t, u.form.docs.preview, "Verify"))
	if !strings.Contains(problem(), "still to confirm: full name, date of birth, passport number, expiry date") {
		t.Fatalf("verify with one click: %q", problem())
	}
	test.Type(check(), "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	if p := problem(); !strings.Contains(p, "not the one recorded for Anna Maria Eriksson") || !strings.Contains(p, "expires 2012-04-15") {
		t.Fatalf("someone else's passport: %q", p)
	}
	got, _ := u.db.FindRequestByID(r.ID)
	if it, _ := got.FindItem("passport/0", u.today()); it.Doc.State != fp.DocReceived {
		t.Fatalf("a foreign passport was verified: %+v", it.Doc)
	}
	// Each detail compared by eye (the zone cleared).
	check().SetText("")
	for _, chk := range findAll[*widget.Check](t, u.form.docs.preview) {
		test.Tap(chk)
	}
	test.Tap(button(t, u.form.docs.preview, "Verify"))
	got, _ = u.db.FindRequestByID(r.ID)
	if it, _ := got.FindItem("passport/0", u.today()); it.Doc.State != fp.DocVerified || it.Doc.By != clerk.Name || !strings.Contains(it.Doc.Checked, "by eye") {
		t.Fatalf("passport after Verify: %+v (%q)", it.Doc, problem())
	}
	// Checking has begun and the notice is missing: the request waits for it.
	if got.Status != fp.StatusAwaitingDocuments || !strings.Contains(u.form.message.Text, "now Awaiting documents") {
		t.Fatalf("after verifying with the notice missing: %s, %q", got.Status, u.form.message.Text)
	}
	// The notice: verified only with the number it shows.
	u.form.docs.attach("notice", "notice.pdf", demo.NoticeScan(r, "I-797C"))
	test.Tap(button(t, rowOf(t, u, fp.DocNotice.Label()), "Reject"))
	d := topOverlay(u)
	reason, _ := find(t, d, func(*widget.RadioGroup) bool { return true })
	reason.SetSelected(capitalize(fp.RejectIllegible.Label()))
	test.Tap(button(t, d, "Reject"))
	got, _ = u.db.FindRequestByID(r.ID)
	if it, _ := got.FindItem("notice", u.today()); got.Status != fp.StatusAwaitingDocuments || it.Doc.Reason != fp.RejectIllegible {
		t.Fatalf("after rejecting the notice: %s, %+v", got.Status, it.Doc)
	}
	if _, ok := find(t, u.form.content, func(b *widget.Button) bool { return b.Text == "Ask for documents" }); !ok {
		t.Error("no Ask for documents button while awaiting documents")
	}
	u.form.docs.attach("notice", "notice2.pdf", demo.NoticeScan(r, "I-797C again"))
	test.Tap(button(t, rowOf(t, u, fp.DocNotice.Label()), "Verify"))
	if topOverlay(u) != nil {
		t.Fatal("the notice check covers the scan with a dialog")
	}
	test.Tap(button(t, u.form.docs.preview, "Verify"))
	if !strings.Contains(problem(), "say which one it shows") {
		t.Fatalf("notice verified without a number: %q", problem())
	}
	shows, _ := find(t, u.form.docs.preview, func(*widget.RadioGroup) bool { return true })
	shows.SetSelected("A012345678")
	test.Tap(button(t, u.form.docs.preview, "Verify"))
	got, _ = u.db.FindRequestByID(r.ID)
	if got.Status != fp.StatusNew || !got.Completeness(u.today()).Complete() || u.form.docsTab.Text != "Documents 2/2" {
		t.Fatalf("complete: status %s, %s, tab %q", got.Status, got.Completeness(u.today()), u.form.docsTab.Text)
	}
	if _, ok := find(t, u.form.content, func(b *widget.Button) bool { return b.Text == "Mark eligible" }); !ok {
		t.Error("a complete checklist does not offer Mark eligible")
	}
}

// Files dropped onto the window go to the open request, asking which item;
// a refused file shows why and stores nothing.
func TestDropFiles(t *testing.T) {
	u, r := openNew(t)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "scan.pdf"), filepath.Join(dir, "photo.jpg")
	os.WriteFile(good, demo.NoticeScan(r, "dropped"), 0o600)
	os.WriteFile(bad, demo.NoticeScan(r, "a PDF named .jpg"), 0o600)
	u.onDrop([]fyne.URI{storage.NewFileURI(good), storage.NewFileURI(bad)})
	d := topOverlay(u)
	if d == nil {
		t.Fatal("no question which item the file is")
	}
	test.Tap(button(t, d, "Attach")) // the first missing item: the notice
	got, _ := u.db.FindRequestByID(r.ID)
	if it, _ := got.FindItem("notice", u.today()); it.Doc.File == nil || it.Doc.File.Name != "scan.pdf" {
		t.Fatalf("dropped file not attached: %+v", it.Doc)
	}
	d = topOverlay(u)
	if d == nil {
		t.Fatal("the second file was not asked about")
	}
	test.Tap(button(t, d, "Attach"))
	errText, ok := find(t, topOverlay(u), func(l *widget.Label) bool { return strings.Contains(l.Text, "hoto.jpg is really a PDF") })
	if !ok {
		t.Fatalf("no refusal shown (%v)", errText)
	}
	got, _ = u.db.FindRequestByID(r.ID)
	if len(got.Documents) != 1 {
		t.Errorf("the refused file changed the checklist: %+v", got.Documents)
	}
	// On a new, unsaved request a drop is refused with what to do.
	u.form.discard()
	u.Navigate(navNew)
	u.onDrop([]fyne.URI{storage.NewFileURI(good)})
	if _, ok := find(t, topOverlay(u), func(l *widget.Label) bool { return strings.Contains(l.Text, "ave the new request first") }); !ok {
		t.Error("dropping onto a new request did not say to save first")
	}
}

// The MRZ reader fills the form; a difference from what is recorded is
// asked about, and a bad check digit is named.
func TestMRZReader(t *testing.T) {
	u, _ := openNew(t)
	d := u.form.docs
	if d.mrzFor.Selected != "Applicant: Anna Maria Eriksson" {
		t.Errorf("MRZ reader offers %q", d.mrzFor.Options)
	}
	test.Type(d.mrz, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<19")
	if !strings.Contains(d.mrzMsg.Text, "final check digit") {
		t.Fatalf("bad composite digit: %q", d.mrzMsg.Text)
	}
	d.mrz.SetText("")
	// fillValid recorded 1985-04-12 as the date of birth: the passport says 1974-08-12.
	test.Type(d.mrz, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	dlg := topOverlay(u)
	if _, ok := find(t, dlg, func(l *widget.Label) bool {
		return strings.Contains(l.Text, `Date of birth: recorded "1985-04-12", passport "1974-08-12"`)
	}); !ok {
		t.Fatal("the difference is not shown")
	}
	test.Tap(button(t, dlg, "Keep recorded"))
	if u.form.dob.Text != "1985-04-12" || u.form.passport.number.Text != "L898902C3" || u.form.passport.nationality.Text != "UTO" {
		t.Errorf("keep recorded: dob %q, passport %q %q", u.form.dob.Text, u.form.passport.number.Text, u.form.passport.nationality.Text)
	}
	if !u.form.dirty() || !strings.Contains(d.mrzMsg.Text, "expired on 2012-04-15") {
		t.Errorf("dirty %v, message %q", u.form.dirty(), d.mrzMsg.Text)
	}
	if !strings.Contains(u.form.warnings.Text, "expired") {
		t.Errorf("the form does not warn of the expired passport: %q", u.form.warnings.Text)
	}
}

// A document action redraws the screen in place: the same form, its tabs
// retitled, and the Details tab's unsaved edits kept.
func TestRequestScreenUpdatesInPlace(t *testing.T) {
	u, r := openNew(t)
	f := u.form
	f.email.SetText("new.address@example.com") // typed, not saved
	f.docs.attach("notice", "notice.pdf", demo.NoticeScan(r, "I-797C"))
	if u.form != f {
		t.Fatal("the request screen was built again")
	}
	if f.email.Text != "new.address@example.com" || !f.dirty() {
		t.Errorf("unsaved edits lost: %q", f.email.Text)
	}
	if f.tabs.Selected() != f.docsTab || !strings.Contains(f.message.Text, "Attached notice.pdf") {
		t.Errorf("tab %q, message %q", f.tabs.Selected().Text, f.message.Text)
	}
	if f.req.Version == r.Version {
		t.Error("the screen still holds the request as it was")
	}
	// Saving keeps the screen too, and shows what was stored.
	u.Save()
	if u.form != f || f.dirty() || !strings.Contains(f.message.Text, "Saved "+r.Number) {
		t.Errorf("after saving: same form %v, dirty %v, message %q", u.form == f, f.dirty(), f.message.Text)
	}
}
