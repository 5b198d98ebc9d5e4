package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// The Retention screen: the administrator sets the periods (a bad one is
// refused), the purge by hand needs the second person's name, password and
// the confirmation, and shows its destruction report; a director sees the
// periods but cannot change them; a legal hold is put and released from
// the request, with a reason.
func TestRetentionScreenAndPurge(t *testing.T) {
	u, db := demoUI(t)
	later := fixedNow().AddDate(3, 0, 0)
	db.Now = func() time.Time { return later }
	u.Now = db.Now
	u.SwitchUser()
	signIn(t, u, demo.Admin.Name, demo.Password)
	u.Navigate(navPurge)
	s := u.purge
	if s == nil || s.saveBtn.Disabled() || !s.purgeBtn.Disabled() || !strings.Contains(s.due.Text, "no retention period is set") {
		t.Fatalf("a new office's Retention screen: %+v", s)
	}
	s.completed.SetText("two")
	test.Tap(s.saveBtn)
	if r, _ := db.Retention(); r.Set() || topOverlay(u) == nil {
		t.Fatalf("a bad period saved: %+v", r)
	}
	closeDialogs(u)
	for _, e := range []*widget.Entry{s.completed, s.denied, s.wdrwn} {
		e.SetText("12")
	}
	test.Tap(s.saveBtn)
	if r, _ := db.Retention(); r != (fp.Retention{Completed: 12, Denied: 12, Withdrawn: 12}) {
		t.Fatalf("retention %+v", r)
	}
	if s.purgeBtn.Disabled() || !strings.Contains(s.due.Text, "due:") {
		t.Fatalf("nothing due three years on: %q", s.due.Text)
	}
	closed, _, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusCompleted, fp.StatusDenied, fp.StatusWithdrawn}})

	// The purge dialog: Cancel, then each refusal keeps the dialog open.
	test.Tap(s.purgeBtn)
	d := topOverlay(u)
	test.Tap(button(t, d, "Cancel"))
	if topOverlay(u) != nil {
		t.Fatal("Cancel left the dialog open")
	}
	test.Tap(s.purgeBtn)
	d = topOverlay(u)
	test.Tap(button(t, d, "Destroy"))
	if topOverlay(u) != d {
		t.Fatal("the dialog closed without the second person")
	}
	entries := findAll[*widget.Entry](t, d)
	test.Type(entries[0], demo.Director.Name)
	test.Type(entries[1], "wrong password!")
	test.Tap(button(t, d, "Destroy"))
	if topOverlay(u) != d {
		t.Fatal("the dialog closed without the confirmation")
	}
	check, _ := find(t, d, func(c *widget.Check) bool { return true })
	test.Tap(check)
	test.Tap(button(t, d, "Destroy"))
	if n, _ := db.DestructionReports(demo.Admin); len(n) != 0 {
		t.Fatal("a wrong second password purged")
	}
	closeDialogs(u)
	test.Tap(s.purgeBtn)
	d = topOverlay(u)
	entries = findAll[*widget.Entry](t, d)
	test.Type(entries[0], demo.Director.Name)
	test.Type(entries[1], demo.Password)
	check, _ = find(t, d, func(c *widget.Check) bool { return true })
	test.Tap(check)
	test.Tap(button(t, d, "Destroy"))
	reps, _ := db.DestructionReports(demo.Admin)
	if len(reps) != 1 || len(reps[0].Purged) != len(closed) {
		t.Fatalf("purge by hand: %d reports, %d closed", len(reps), len(closed))
	}
	if top := topOverlay(u); top == nil {
		t.Fatal("no destruction report shown")
	} else if _, ok := find(t, top, func(l *widget.Label) bool { return strings.Contains(l.Text, closed[0].Number) }); !ok {
		t.Fatal("the report does not name the purged requests")
	}
	closeDialogs(u)
	if len(s.list) != 1 || !s.saveReport.Disabled() {
		t.Fatalf("reports list %d", len(s.list))
	}
	s.reports.Select(0)
	if !strings.Contains(s.report.Text, "Destruction report no. 1") || s.saveReport.Disabled() {
		t.Fatalf("report shown: %q", s.report.Text)
	}
	test.Tap(s.saveReport)
	closeDialogs(u)

	// A director: the periods read only; a legal hold on an open request.
	u.SwitchUser()
	signIn(t, u, demo.Director.Name, demo.Password)
	u.Navigate(navPurge)
	if !u.purge.saveBtn.Disabled() || !u.purge.completed.Disabled() {
		t.Fatal("a director can change the retention")
	}
	if c := valueContrast(t, u.purge.completed); c < 4.5 {
		t.Errorf("the director reads the retention period at %.1f:1", c)
	}
	open, _, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusNew}, Limit: 1})
	u.OpenRequest(open[0].ID)
	test.Tap(button(t, u.form.content, "Legal hold…"))
	test.Tap(button(t, topOverlay(u), "Cancel"))
	test.Tap(button(t, u.form.content, "Legal hold…"))
	d = topOverlay(u)
	test.Tap(button(t, d, "Hold"))
	if topOverlay(u) != d {
		t.Fatal("a hold without a reason")
	}
	area, _ := find(t, d, func(*textArea) bool { return true })
	test.Type(area, "inquiry 7")
	test.Tap(button(t, d, "Hold"))
	if r, _ := db.FindRequestByID(open[0].ID); r.Hold == nil || r.Hold.Reason != "inquiry 7" {
		t.Fatalf("hold %+v", r.Hold)
	}
	if _, ok := find(t, u.form.content, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "On legal hold since") }); !ok {
		t.Fatal("the hold is not shown")
	}
	test.Tap(button(t, u.form.content, "Release legal hold…"))
	d = topOverlay(u)
	area, _ = find(t, d, func(*textArea) bool { return true })
	test.Type(area, "inquiry closed")
	test.Tap(button(t, d, "Release"))
	if r, _ := db.FindRequestByID(open[0].ID); r.Hold != nil {
		t.Fatal("not released")
	}
	// A clerk sees neither the screen nor the button.
	u.SwitchUser()
	signIn(t, u, demo.Clerk.Name, demo.Password)
	if u.nav[navPurge].Visible() {
		t.Fatal("a clerk sees Retention")
	}
	u.OpenRequest(open[0].ID)
	if _, ok := find(t, u.form.content, func(b *widget.Button) bool { return strings.Contains(b.Text, "legal hold") }); ok {
		t.Fatal("a clerk sees the legal hold button")
	}
}
