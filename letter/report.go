package letter

import (
	"fmt"
	"io"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

// categoryRGB are the categories' colours in the report's charts (the
// Reports screen draws with the same).
var categoryRGB = map[fp.Category][3]int{
	fp.CategoryMilitary: {43, 108, 176}, fp.Category319b: {44, 122, 123},
	fp.CategoryAdoption: {183, 121, 31}, fp.CategoryOther: {107, 70, 193},
}

// loadRGB is a day's colour as the calendar shows it: grey closed, red
// full, amber half full or more, green.
func loadRGB(l fp.DayLoad) [3]int {
	switch {
	case !l.Open:
		return [3]int{230, 232, 235}
	case l.Free() == 0:
		return [3]int{246, 207, 207}
	case l.Booked*2 >= l.Capacity:
		return [3]int{251, 232, 196}
	}
	return [3]int{216, 240, 224}
}

// Report writes the office's report of rep as PDF: the figures against the
// previous period, then the charts (weekly volume by category, the wait
// for a decision week by week, each day's places used in the calendar's
// colours). The numbers are the report's: the lists behind them are in
// the window and "fieldprint report --list".
func Report(w io.Writer, rep fp.Report, o fp.Office, s fp.Scheduling, opt Options) error {
	name := strings.TrimSpace(o.Name)
	if name == "" {
		name = "Fieldprint"
	}
	loc := s.Location()
	period := rep.Period.From.Time().Format("January 2, 2006") + " – " + rep.Period.To.Time().Format("January 2, 2006")
	printed := "printed " + opt.Now.In(loc).Format("January 2, 2006 15:04") + " " + zoneName(s, opt.Now)
	if by := strings.TrimSpace(opt.PrintedBy); by != "" {
		printed += " by " + by
	}
	d := newDoc(opt, "Office report · "+period+" · "+printed)
	d.SetTitle("Office report "+rep.Period.String(), true)
	d.SetSubject("How the "+name+" is doing", true)
	d.SetAuthor(name, true)
	d.AddPage()
	d.font("B", 11)
	d.SetTextColor(0, 45, 98)
	d.CellFormat(d.width, 15, d.t(name), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.font("B", 16)
	d.CellFormat(d.width, 22, d.t("Office report: "+period), "", 1, "L", false, 0, "")
	d.font("", 10)
	used, avail := rep.Available()
	pct := 0
	if avail > 0 {
		pct = used * 100 / avail
	}
	d.MultiCell(d.width, bodyLH, d.t(fmt.Sprintf("%d days, compared with the %d days before (%s to %s). Places used: %d of %d (%d%%).",
		rep.Period.Days(), rep.Previous.Days(), rep.Previous.From, rep.Previous.To, used, avail, pct)), "", "L", false)

	d.heading("Figures")
	rows := [][]string{}
	for _, f := range rep.Figures {
		before := rep.Figure(f.Key, true)
		now, was := f.Value(), before.Value()
		if f.Wait {
			now, was = waitCell(f), waitCell(before)
		}
		label := f.Label
		if f.Key == fp.FigRescheduled && f.Flagged() > 0 {
			label += fmt.Sprintf(" — %d flagged", f.Flagged())
		}
		rows = append(rows, []string{label, now, was, rep.Change(f.Key)})
	}
	d.drawTable([]float64{d.width - 330, 120, 120, 90}, []string{"Figure", "This period", "Before", "Change"}, rows, true)

	d.AddPage()
	d.heading("Requests received each week, by category")
	d.weeklyChart(rep)
	d.heading("Days from request to decision, week by week (median; 90th percentile as a line)")
	d.waitChart(rep)
	d.heading("Places used each day (the calendar's colours)")
	d.capacityChart(rep)
	return d.finish(w)
}

// waitCell is a wait in a table cell: "10 d (90%: 20 d; 3)".
func waitCell(f fp.Figure) string {
	m, ok := f.Percentile(50)
	if !ok {
		return "—"
	}
	p, _ := f.Percentile(90)
	return fmt.Sprintf("%d d (90%%: %d d; n %d)", m, p, f.Count())
}

// weeklyChart draws one stacked bar per week, the week's total above it.
func (d *doc) weeklyChart(rep fp.Report) {
	const h = 150.0
	x0, y0 := margin+30, d.GetY()+10
	most := 1
	for _, w := range rep.Weeks {
		most = max(most, len(w.Items))
	}
	d.axis(x0, y0, h, most, "")
	if rep.Figure(fp.FigReceived, false).Count() == 0 {
		d.emptyChart(y0, h, "No request was received in this period.")
	}
	bw := min(60, (d.width-40)/float64(max(1, len(rep.Weeks)))) - 8
	for i, w := range rep.Weeks {
		x := x0 + 8 + float64(i)*(bw+8)
		y := y0 + h
		for _, c := range fp.Categories {
			n := w.Received[c]
			if n == 0 {
				continue
			}
			bh := h * float64(n) / float64(most)
			rgb := categoryRGB[c]
			d.SetFillColor(rgb[0], rgb[1], rgb[2])
			d.Rect(x, y-bh, bw, bh, "F")
			y -= bh
		}
		d.font("B", 8)
		d.SetXY(x, y-12)
		d.CellFormat(bw, 10, fmt.Sprint(len(w.Items)), "", 0, "C", false, 0, "")
		d.font("", 7.5)
		d.SetXY(x-4, y0+h+3)
		d.CellFormat(bw+8, 9, w.From.Time().Format("Jan 2"), "", 0, "C", false, 0, "")
	}
	d.SetY(y0 + h + 16)
	d.legend()
}

// legend names the categories' colours.
func (d *doc) legend() {
	d.font("", 8.5)
	x := margin + 30
	y := d.GetY()
	for _, c := range fp.Categories {
		rgb := categoryRGB[c]
		d.SetFillColor(rgb[0], rgb[1], rgb[2])
		d.Rect(x, y+2, 9, 9, "F")
		d.SetXY(x+12, y)
		label := c.Short()
		d.CellFormat(d.GetStringWidth(label)+16, 13, d.t(label), "", 0, "L", false, 0, "")
		x += d.GetStringWidth(label) + 30
	}
	d.SetY(y + 18)
}

// waitChart draws each week's median wait as a bar and its 90th
// percentile as a tick, with the number of decisions under it.
func (d *doc) waitChart(rep fp.Report) {
	const h = 110.0
	x0, y0 := margin+30, d.GetY()+10
	most := 1
	for _, w := range rep.Weeks {
		if p, ok := w.Decisions.Percentile(90); ok {
			most = max(most, p)
		}
	}
	d.axis(x0, y0, h, most, "days")
	if rep.Figure(fp.FigDecisionWait, false).Count() == 0 {
		d.emptyChart(y0, h, "No decision was made in this period.")
	}
	bw := min(60, (d.width-40)/float64(max(1, len(rep.Weeks)))) - 8
	for i, w := range rep.Weeks {
		x := x0 + 8 + float64(i)*(bw+8)
		d.font("", 7.5)
		d.SetXY(x-4, y0+h+3)
		d.CellFormat(bw+8, 9, w.From.Time().Format("Jan 2"), "", 0, "C", false, 0, "")
		d.SetXY(x-4, y0+h+12)
		d.CellFormat(bw+8, 9, fmt.Sprintf("n %d", w.Decisions.Count()), "", 0, "C", false, 0, "")
		m, ok := w.Decisions.Percentile(50)
		if !ok {
			continue
		}
		p, _ := w.Decisions.Percentile(90)
		bh := h * float64(m) / float64(most)
		d.SetFillColor(74, 85, 104)
		d.Rect(x, y0+h-bh, bw, bh, "F")
		py := y0 + h - h*float64(p)/float64(most)
		d.SetDrawColor(166, 43, 43)
		d.SetLineWidth(1.5)
		d.Line(x, py, x+bw, py)
		d.SetLineWidth(0.2)
		d.SetDrawColor(0, 0, 0)
		d.font("B", 8)
		d.SetXY(x, y0+h-bh-12)
		d.CellFormat(bw, 10, fmt.Sprint(m), "", 0, "C", false, 0, "")
	}
	d.SetY(y0 + h + 26)
}

// emptyChart says in the middle of a chart why it has no bars.
func (d *doc) emptyChart(y0, h float64, why string) {
	d.font("", 9)
	d.SetTextColor(100, 100, 100)
	d.SetXY(margin, y0+h/2-6)
	d.CellFormat(d.width, 12, d.t(why), "", 0, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// axis draws a chart's baseline and its scale at 0 and top.
func (d *doc) axis(x0, y0, h float64, top int, unit string) {
	d.SetDrawColor(150, 150, 150)
	d.Line(x0, y0+h, margin+d.width, y0+h)
	d.Line(x0, y0, x0, y0+h)
	d.SetDrawColor(0, 0, 0)
	d.font("", 7.5)
	d.SetXY(margin, y0-4)
	d.CellFormat(26, 9, fmt.Sprint(top), "", 0, "R", false, 0, "")
	d.SetXY(margin, y0+h-5)
	d.CellFormat(26, 9, "0", "", 0, "R", false, 0, "")
	if unit != "" {
		d.SetXY(margin, y0+h/2)
		d.CellFormat(26, 9, unit, "", 0, "R", false, 0, "")
	}
}

// capacityChart draws the period's days as a calendar, a row per week,
// each open day's places used and offered written in its cell.
func (d *doc) capacityChart(rep fp.Report) {
	if len(rep.Days) == 0 {
		return
	}
	cw, ch := d.width/7, 30.0
	_, pageH := d.GetPageSize()
	y := d.GetY() + 4
	d.font("B", 8)
	for i, wd := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		d.SetXY(margin+float64(i)*cw, y)
		d.CellFormat(cw, 10, wd, "", 0, "C", false, 0, "")
	}
	y += 12
	for _, l := range rep.Days {
		col := int((l.Day.Time().Weekday() + 6) % 7)
		if col == 0 && l.Day != rep.Days[0].Day {
			y += ch
		}
		if y+ch > pageH-margin {
			d.AddPage()
			y = d.GetY()
		}
		x := margin + float64(col)*cw
		rgb := loadRGB(l)
		d.SetFillColor(rgb[0], rgb[1], rgb[2])
		d.SetDrawColor(255, 255, 255)
		d.Rect(x, y, cw, ch, "FD")
		d.SetDrawColor(0, 0, 0)
		d.font("B", 8)
		d.SetXY(x+3, y+2)
		d.CellFormat(cw-6, 10, l.Day.Time().Format("Jan 2"), "", 0, "L", false, 0, "")
		d.font("", 8)
		d.SetXY(x+3, y+14)
		words := "closed"
		if l.Open {
			words = fmt.Sprintf("%d of %d used", l.Booked, l.Capacity)
		}
		d.CellFormat(cw-6, 10, words, "", 0, "L", false, 0, "")
	}
	d.SetY(y + ch + 6)
	d.font("", 8)
	d.CellFormat(d.width, 10, d.t("Green: less than half full · amber: half full or more · red: full · grey: closed"), "", 1, "L", false, 0, "")
}
