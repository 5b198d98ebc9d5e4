package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// The director's Reports screen: every number on it opens a list of
// exactly that many requests; a chart's week and day open theirs; a row
// opens the request. Clerks have no Reports button.
func TestReportsScreen(t *testing.T) {
	u, _ := demoUI(t)
	if u.nav[navReports].Visible() {
		t.Error("a clerk sees Reports")
	}
	signIn(t, u, demo.Director.Name, demo.Password)
	if !u.nav[navReports].Visible() {
		t.Fatal("the director has no Reports")
	}
	u.Navigate(navReports)
	s := u.reports
	if s == nil || len(s.rep.Figures) == 0 || !strings.Contains(s.message.Text, "Every number opens the requests behind it") {
		t.Fatalf("reports: %+v", s)
	}
	opened := 0
	for _, b := range findAll[*widget.Button](t, s.body) {
		if b.OnTapped == nil || strings.Contains(b.Text, "none") {
			continue
		}
		test.Tap(b)
		l := s.lastList
		if l == nil {
			t.Fatalf("%q opened no list", b.Text)
		}
		n := 0
		for _, c := range b.Text {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		if strings.Contains(b.Text, "(n ") { // a wait: its list is the measured ones
			n = 0
			i := strings.Index(b.Text, "(n ")
			for _, c := range b.Text[i+3:] {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int(c-'0')
			}
		}
		if l.Length() != n {
			t.Errorf("%q opens a list of %d", b.Text, l.Length())
		}
		opened++
		for topOverlay(u) != nil {
			u.win.Canvas().Overlays().Remove(topOverlay(u))
		}
	}
	if opened < len(s.rep.Figures) { // this period's and the previous one's, less the waits nobody had
		t.Errorf("%d numbers opened, want at least %d", opened, len(s.rep.Figures))
	}
	// A week of the chart opens that week's requests; a row opens a request.
	bars := findAll[*bar](t, s.body)
	if len(bars) == 0 {
		t.Fatal("no chart")
	}
	for _, b := range bars {
		if b.text.Text != "" && b.text.Text != "0" && !strings.Contains(b.text.Text, "/") && !strings.Contains(b.text.Text, "closed") {
			test.Tap(b)
			break
		}
	}
	if s.lastList == nil || s.lastList.Length() == 0 {
		t.Fatal("a week's bar opened nothing")
	}
	s.lastList.Select(0)
	if u.form == nil || u.form.req == nil {
		t.Error("a row of the list opened no request")
	}
	// The previous month too.
	u.Navigate(navReports)
	u.reports.period.SetSelected(periodLastMonth)
	if want := fp.MonthPeriod(fp.MonthPeriod(u.today()).From.AddDays(-1)); u.reports.rep.Period != want {
		t.Errorf("last month: %v", u.reports.rep.Period)
	}
}
