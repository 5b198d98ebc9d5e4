package letter

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// reportOf is November 2026 at the Guangzhou office: requests every
// weekday, decisions with their waits, a full day, letters and stamps.
func reportOf(t *testing.T) fp.Report {
	t.Helper()
	s := officeHours
	src := fp.ReportSource{Scheduling: s, Uses: map[fp.Date][]fp.SlotUse{}}
	cats := fp.Categories
	id := fp.RequestID(0)
	for d := (fp.Date{Y: 2026, M: 10, D: 2}); !d.After(fp.Date{Y: 2026, M: 11, D: 30}); d = d.AddDays(1) {
		for i := 0; i < d.D%4+1; i++ {
			id++
			src.Received = append(src.Received, fp.ReceivedEntry{Request: id, Day: d, Category: cats[(d.D+i)%4], Status: fp.StatusNew})
			if d.D%3 == 0 && d.M == 11 {
				src.Decisions = append(src.Decisions, fp.DecisionEvent{Request: id, Number: fmt.Sprintf("FP-2026-%05d", id), Category: cats[(d.D+i)%4],
					Received: d.AddDays(-(d.D%9 + 2*i)), Day: d, From: fp.StatusNew, To: fp.StatusReadyToSchedule})
			}
		}
	}
	for d := (fp.Date{Y: 2026, M: 11, D: 2}); !d.After(fp.Date{Y: 2026, M: 11, D: 27}); d = d.AddDays(1) {
		n := d.D % 7 * 3
		if d == (fp.Date{Y: 2026, M: 11, D: 17}) {
			n = 24 // a full day: 12 slots on 2 stations
		}
		for i := 0; i < n; i++ {
			src.Uses[d] = append(src.Uses[d], fp.SlotUse{Day: d, Start: fp.TimeOfDay(8*60 + 30 + 15*(i/2)), Station: i%2 + 1, Request: fp.RequestID(i + 1), Status: fp.ApptCollected})
		}
	}
	src.Prints = []fp.PrintEvent{{Request: 1, Number: "FP-2026-00001", Day: fp.Date{Y: 2026, M: 11, D: 3}, Document: "appointment letter", Copy: 1},
		{Request: 1, Number: "FP-2026-00001", Day: fp.Date{Y: 2026, M: 11, D: 4}, Document: "appointment letter", Copy: 2, Reprint: true},
		{Request: 2, Number: "FP-2026-00002", Day: fp.Date{Y: 2026, M: 11, D: 5}, Document: "stamped notice", Copy: 1}}
	rep, err := fp.BuildReport(fp.MonthPeriod(fp.Date{Y: 2026, M: 11, D: 1}), src)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

var reportOptions = Options{Now: time.Date(2026, 12, 1, 3, 50, 0, 0, time.UTC), PrintedBy: "James Chen (GZ-0007)", Deterministic: true}

func renderReport(t *testing.T, rep fp.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Report(&b, rep, guangzhou, officeHours, reportOptions); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReportGolden compares with testdata/report.pdf; go test ./letter -update rewrites it.
func TestReportGolden(t *testing.T) {
	rep := reportOf(t)
	got := renderReport(t, rep)
	if again := renderReport(t, rep); !bytes.Equal(got, again) {
		t.Fatal("two renderings differ: output is not deterministic")
	}
	golden(t, "report", got)
}

// TestReportText reads the report back: the period, every figure with its
// number, the previous period's and the change, the charts' words.
func TestReportText(t *testing.T) {
	rep := reportOf(t)
	pages := pdfPages(t, renderReport(t, rep))
	if len(pages) != 2 {
		t.Fatalf("%d pages", len(pages))
	}
	text := strings.Join(pages, "\n")
	used, avail := rep.Available()
	for _, w := range []string{
		"Office report: November 1, 2026 – November 30, 2026",
		fmt.Sprintf("Places used: %d of %d", used, avail),
		fmt.Sprintf("Requests received %d %d %s", rep.Figure(fp.FigReceived, false).Count(), rep.Figure(fp.FigReceived, true).Count(), rep.Change(fp.FigReceived)),
		"Letters printed 2 0 +2", "Reprints (printed again) 1 0 +1", "Stamped notices issued 1 0 +1",
		"Requests received each week, by category", "Military", "All others",
		"Days from request to decision, week by week", "Places used each day",
		"Nov 17", "24 of 24 used", "closed",
		"Office report · November 1, 2026 – November 30, 2026 · printed December 1, 2026 11:50 Asia/Shanghai by James Chen (GZ-0007) · page 1 of 2",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the report lacks %q", w)
		}
	}
	m, _ := rep.Figure(fp.FigDecisionWait, false).Percentile(50)
	if !strings.Contains(text, fmt.Sprintf("Time from request to decision %d d", m)) {
		t.Errorf("the wait's median %d is not in:\n%s", m, pages[0])
	}
}

// A period with nothing received and nothing decided says so on its
// charts rather than drawing empty frames (and the table says 0).
func TestReportEmptyCharts(t *testing.T) {
	rep, err := fp.BuildReport(fp.MonthPeriod(fp.Date{Y: 2027, M: 2, D: 1}), fp.ReportSource{Scheduling: officeHours})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pdfPages(t, renderReport(t, rep)), "\n")
	for _, w := range []string{"No request was received in this period.", "No decision was made in this period.", "Requests received 0 0 no change"} {
		if !strings.Contains(text, w) {
			t.Errorf("the empty report lacks %q", w)
		}
	}
	if text := strings.Join(pdfPages(t, renderReport(t, reportOf(t))), "\n"); strings.Contains(text, "No request was") || strings.Contains(text, "No decision was") {
		t.Error("November's charts say they are empty")
	}
}
