package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

func mailData(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func intakeOpen(t *testing.T, u *UI) *intakeScreen {
	t.Helper()
	s, ok := u.editing.(*intakeScreen)
	if !ok || u.form != s.form {
		t.Fatalf("no intake screen open (editing %T)", u.editing)
	}
	return s
}

// A message dropped onto the window becomes a prefilled new request; Save
// records it with its attachments and the message; the same message is not
// taken in twice; the applicant's second message goes to the same request.
func TestIntakeFromEmail(t *testing.T) {
	u, db := newTestUI(t)
	u.OpenMessage("gmail.eml", mailData(t, "gmail.eml"))
	s := intakeOpen(t, u)
	f := s.form
	for got, want := range map[string]string{
		f.name.Text: "Wei Zhang", f.dob.Text: "1985-04-12", f.email.Text: "wei.zhang.1985@gmail.com", f.phone.Text: "+86 138 0013 8000",
		f.receipts.Text: "IOE0912345678", f.anumber.Text: "A-212-345-678", f.received.Text: "2026-11-02",
		f.category.Selected: fp.Category319b.Label(), f.notice.Selected: fp.NoticeReceipt.Label(),
	} {
		if got != want {
			t.Errorf("prefilled %q, want %q", got, want)
		}
	}
	if !strings.Contains(f.basis.Text, "INA 319(b)") {
		t.Errorf("basis %q", f.basis.Text)
	}
	if _, ok := find(t, f.content, func(l *widget.Label) bool { return strings.Contains(l.Text, "is a guess from the words") }); !ok {
		t.Error("the category is not marked as a guess")
	}
	if len(s.rows) != 2 || s.rows[0].key() != "notice" || s.rows[1].key() != "passport/0" {
		t.Fatalf("attachments' items: %+v", s.rows)
	}
	s.tabs.Select(s.mailTab)
	test.Tap(button(t, s.mailTab.Content, "View"))
	if len(s.preview.Objects) == 0 || s.shown != 0 {
		t.Error("no preview")
	}
	if n, _ := db.CountRequests(); n != 0 {
		t.Fatal("something was saved before Save")
	}
	test.Tap(f.saveBtn)
	if u.form == nil || u.form.req == nil {
		t.Fatalf("not saved: %q", f.message.Text)
	}
	r := u.form.req
	if r.Number != "FP-2026-00001" || r.Category != fp.Category319b || len(r.Documents) != 2 {
		t.Fatalf("saved %s %s with %d documents", r.Number, r.Category, len(r.Documents))
	}
	if !strings.Contains(u.form.message.Text, "Recorded FP-2026-00001 from the e-mail") || !strings.Contains(u.form.message.Text, "2 of 2 attachments attached") {
		t.Errorf("message %q", u.form.message.Text)
	}
	if u.form.tabs.Selected() != u.form.docsTab {
		t.Error("the Documents tab is not shown after intake")
	}
	if n, err := db.MessageImported("<CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com>"); n != r.Number || err != nil {
		t.Errorf("message key: %q %v", n, err)
	}
	if u.editing.dirty() {
		t.Error("the saved request shows as unsaved")
	}

	// The same message again: no new screen, a dialog offering the request.
	u.OpenMessage("gmail.eml", mailData(t, "gmail.eml"))
	if top := topOverlay(u); top == nil {
		t.Fatal("no dialog for a message taken in before")
	} else if _, ok := find(t, top, func(l *widget.Label) bool { return strings.Contains(l.Text, "already taken into FP-2026-00001") }); !ok {
		t.Error("the dialog does not name the request")
	}
	u.win.Canvas().Overlays().Top().Hide()
	u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())

	// The follow-up from the same sender: offered to the open request.
	u.OpenMessage("gmail-followup.eml", mailData(t, "gmail-followup.eml"))
	s = intakeOpen(t, u)
	test.Tap(button(t, s.content, "Add the attachments to FP-2026-00001"))
	test.Tap(button(t, topOverlay(u), "Add"))
	r, _ = db.FindRequestByNumber("FP-2026-00001")
	var sup *fp.Document
	for i := range r.Documents {
		if r.Documents[i].Item == "supporting" {
			sup = &r.Documents[i]
		}
	}
	if sup == nil || sup.File.Name != "new passport page.jpg" || u.form.req == nil || u.form.req.ID != r.ID {
		t.Fatalf("the follow-up's attachment: %+v", r.Documents)
	}
	if n, _ := db.CountRequests(); n != 1 {
		t.Errorf("%d requests", n)
	}
	for _, err := range db.Check() {
		t.Error(err)
	}
}

// Dropping an e-mail opens it; an incomplete one is not saved and says why.
func TestIntakeDropAndIncomplete(t *testing.T) {
	u, db := newTestUI(t)
	path := filepath.Join(t.TempDir(), "outlook.eml")
	os.WriteFile(path, mailData(t, "outlook.eml"), 0o600)
	u.onDrop([]fyne.URI{storage.NewFileURI(path)})
	s := intakeOpen(t, u)
	if s.form.name.Text != "王芳" || s.form.category.Selected != fp.CategoryAdoption.Label() {
		t.Errorf("prefilled %q %q", s.form.name.Text, s.form.category.Selected)
	}
	if got := []string{s.rows[0].key(), s.rows[1].key(), s.rows[2].key()}; strings.Join(got, ",") != ",passport/0,notice" {
		t.Errorf("items %v (the logo not attached)", got)
	}
	u.Save() // Ctrl+S
	if n, _ := db.CountRequests(); n != 0 || !strings.Contains(s.form.message.Text, "Not saved") || errText(s.form, fp.FieldDateOfBirth) == "" {
		t.Errorf("an incomplete request was saved: %q", s.form.message.Text)
	}
	// Two files on one item: refused before anything is saved.
	test.Type(s.form.dob, "1980-03-04")
	s.form.notice.SetSelected(fp.NoticeReceipt.Label())
	s.rows[0].choice.SetSelectedIndex(slicesIndex(s.rows[0].keys, "notice"))
	u.Save()
	if n, _ := db.CountRequests(); n != 0 || !strings.Contains(s.form.message.Text, "an item holds one file") {
		t.Errorf("two files on one item: %q", s.form.message.Text)
	}
	s.rows[0].choice.SetSelectedIndex(0)
	u.Save()
	if n, _ := db.CountRequests(); n != 1 || u.form.req == nil || len(u.form.req.Documents) != 2 {
		t.Fatalf("not saved: %q", s.form.message.Text)
	}
	// The same message dragged out of Outlook (.msg, the same Message-ID):
	// already taken in, nothing opened.
	msg := filepath.Join(t.TempDir(), "outlook.msg")
	os.WriteFile(msg, mailData(t, "outlook.msg"), 0o600)
	u.onDrop([]fyne.URI{storage.NewFileURI(msg)})
	if top := topOverlay(u); top == nil || !anyBelow(top, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && strings.Contains(l.Text, "already taken into "+u.form.req.Number)
	}) {
		t.Error("the .msg of a message taken in is not recognised")
	} else {
		top.Hide()
		u.win.Canvas().Overlays().Remove(top)
	}
	// A damaged .msg dropped: refused with the reason, nothing opened.
	bad := filepath.Join(t.TempDir(), "x.msg")
	os.WriteFile(bad, mailData(t, "hostile-outlook.msg"), 0o600)
	u.onDrop([]fyne.URI{storage.NewFileURI(bad)})
	if top := topOverlay(u); top == nil || !isErrorDialog(top) {
		t.Error("a damaged .msg opened no error")
	}
}

// Outlook's .msg, dropped onto the window, prefills the request as the same
// message saved as .eml does, and saves with its attachments.
func TestIntakeFromOutlookMsg(t *testing.T) {
	u, db := newTestUI(t)
	path := filepath.Join(t.TempDir(), "outlook.msg")
	os.WriteFile(path, mailData(t, "outlook.msg"), 0o600)
	u.onDrop([]fyne.URI{storage.NewFileURI(path)})
	s := intakeOpen(t, u)
	f := s.form
	if f.name.Text != "王芳" || f.email.Text != "wang.fang@outlook.com" || f.receipts.Text != "IOE-09-234-56789" || f.received.Text != "2026-11-04" ||
		f.category.Selected != fp.CategoryAdoption.Label() {
		t.Errorf("prefilled %q %q %q %q %q", f.name.Text, f.email.Text, f.receipts.Text, f.received.Text, f.category.Selected)
	}
	if got := []string{s.rows[0].key(), s.rows[1].key(), s.rows[2].key()}; strings.Join(got, ",") != ",passport/0,notice" {
		t.Errorf("items %v (the logo not attached)", got)
	}
	test.Type(f.dob, "1980-03-04")
	f.notice.SetSelected(fp.NoticeReceipt.Label())
	u.Save()
	if n, _ := db.CountRequests(); n != 1 || u.form.req == nil || len(u.form.req.Documents) != 2 {
		t.Fatalf("not saved: %q", f.message.Text)
	}
	if n, err := db.MessageImported("<TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1@TYZPR06MB6190.apcprd06.prod.outlook.com>"); err != nil || n != u.form.req.Number {
		t.Errorf("the message is not kept: %q %v", n, err)
	}
}

// The intake screen passes the crawler: every button, choice and tab, at
// 1024x700, for a message that saves, one that does not, and one with
// refused attachments.
func TestIntakeEveryButton(t *testing.T) {
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	u, db := openUI(t)
	if _, err := demo.Load(db, 20, u.today()); err != nil {
		t.Fatal(err)
	}
	u.win.Resize(crawlSize)
	signIn(t, u, demo.Clerk.Name, demo.Password)
	c := &crawler{t: t, u: u, db: db, role: "clerk", account: demo.Clerk, explored: map[string]bool{}}
	for _, name := range []string{"hostile-misleading.eml", "outlook.eml", "gmail.eml"} {
		for tab := range 2 {
			c.crawlScreen(name+" tab "+string(rune('0'+tab)), name, func() {
				u.editing, u.form = nil, nil
				u.OpenMessage(name, mailData(t, name))
				if s, ok := u.editing.(*intakeScreen); ok {
					s.tabs.SelectIndex(tab)
				}
			})
		}
	}
	t.Logf("%d presses", c.presses)
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
