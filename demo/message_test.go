package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// The demo e-mail prefills a complete adoption request: the applicant's
// name in Chinese (from GB2312), the numbers, the birth date, both scans.
func TestMessage(t *testing.T) {
	today := fp.Date{Y: 2026, M: 11, D: 20}
	name, data := Message(today)
	m, err := fp.ParseMessage(name, data)
	if err != nil {
		t.Fatal(err)
	}
	d := fp.DraftFromMessage(m, time.UTC, today)
	in := d.Input
	if in.FullName != "王芳" || in.Email != "wang.fang@outlook.com" || in.Received != "2026-11-19" || in.Category != "adoption" ||
		in.ReceiptNumbers != "IOE-09-456-78123" || in.ANumber != "098765432" || in.DateOfBirth != "1986-03-14" {
		t.Errorf("draft %+v", in)
	}
	var parts []string
	for _, p := range m.Parts {
		if p.Refused != nil {
			t.Errorf("%s refused: %v", p.Name, p.Refused)
		}
		parts = append(parts, p.Name)
	}
	if strings.Join(parts, ", ") != "I-797C receipt notice.pdf, passport.png" || len(m.Notes) != 0 {
		t.Errorf("parts %q, notes %q", parts, m.Notes)
	}
}

// A large demo office is made a batch at a time: the batches give the
// requests one call gives.
func TestRequestsInBatches(t *testing.T) {
	today := fp.Date{Y: 2026, M: 11, D: 20}
	whole, err := Requests(2500, today, 2026)
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(today, 2026)
	var parts []*fp.Request
	for _, n := range []int{1000, 1, 999, 500} {
		rs, err := g.next(n)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, rs...)
	}
	if !reflect.DeepEqual(whole, parts) {
		t.Error("requests made in batches differ from those made at once")
	}
}
