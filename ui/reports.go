package ui

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
)

// reportsScreen shows how the office is doing (directors and
// administrators): the report of a period against the one before it, its
// numbers each opening the list of requests behind it (the list is the
// number: one computation, Desk.Report), and charts where people would
// rather look than read. It exports the report as CSV and PDF.
type reportsScreen struct {
	ui      *UI
	period  *widget.Select
	rep     fp.Report
	body    *fyne.Container
	scroll  *container.Scroll
	span    *widget.Label // the period against the one before
	message *widget.Label // the places used and what to do, or where the PDF went
	content fyne.CanvasObject
	// lastList is the list of the last numbers opened (tests count its rows).
	lastList *widget.List
}

const (
	periodThisMonth = "This month"
	periodLastMonth = "Last month"
	period30        = "Last 30 days"
	period90        = "Last 90 days"
)

// categoryColor: the categories' colours, as in the PDF.
var categoryColor = map[fp.Category]color.Color{
	fp.CategoryMilitary: color.NRGBA{43, 108, 176, 255}, fp.Category319b: color.NRGBA{44, 122, 123, 255},
	fp.CategoryAdoption: color.NRGBA{183, 121, 31, 255}, fp.CategoryOther: color.NRGBA{107, 70, 193, 255},
}

func newReportsScreen(u *UI) *reportsScreen {
	// One line each: a wrapped label's height is known only once laid out,
	// and the second line would cover the scrolled figures.
	s := &reportsScreen{ui: u, body: container.NewVBox(), span: widget.NewLabel(""), message: widget.NewLabel("")}
	s.span.Truncation, s.message.Truncation = fyne.TextTruncateEllipsis, fyne.TextTruncateEllipsis
	s.period = widget.NewSelect([]string{periodThisMonth, periodLastMonth, period30, period90}, func(string) { s.refresh() })
	csvBtn := widget.NewButtonWithIcon("Export CSV…", theme.DownloadIcon(), s.onCSV)
	pdfBtn := widget.NewButtonWithIcon("PDF…", theme.DocumentPrintIcon(), s.onPDF)
	top := container.NewBorder(nil, nil, container.NewHBox(heading("Reports"), container.NewGridWrap(fyne.NewSize(180, s.period.MinSize().Height), s.period)),
		container.NewHBox(csvBtn, pdfBtn))
	s.scroll = container.NewVScroll(s.body)
	s.content = container.NewBorder(container.NewVBox(top, s.span, s.message), nil, nil, nil, s.scroll)
	return s
}

// chosen is the period the select asks for, in office days.
func (s *reportsScreen) chosen() fp.Period {
	today := s.ui.today()
	switch s.period.Selected {
	case periodLastMonth:
		return fp.MonthPeriod(fp.MonthPeriod(today).From.AddDays(-1))
	case period30:
		return fp.Period{From: today.AddDays(-29), To: today}
	case period90:
		return fp.Period{From: today.AddDays(-89), To: today}
	}
	return fp.MonthPeriod(today)
}

func (s *reportsScreen) refresh() {
	if s.period.Selected == "" {
		s.period.SetSelected(periodThisMonth) // runs refresh again
		return
	}
	rep, err := s.ui.db.Report(s.ui.actor, s.chosen())
	if err != nil {
		s.ui.showError(err)
		return
	}
	s.rep = rep
	used, avail := rep.Available()
	pct := 0
	if avail > 0 {
		pct = used * 100 / avail
	}
	s.span.SetText(fmt.Sprintf("%s (%d days), against the %d days before (%s).", rep.Period, rep.Period.Days(), rep.Previous.Days(), rep.Previous))
	s.message.SetText(fmt.Sprintf("Places used: %d of %d (%d%%). Every number opens the requests behind it.", used, avail, pct))
	s.body.RemoveAll()
	s.body.Add(s.figures())
	s.body.Add(heading("Requests received each week, by category"))
	s.body.Add(s.weeklyChart())
	s.body.Add(heading("Days from request to decision, week by week (median; the red line is the 90th percentile)"))
	s.body.Add(s.waitChart())
	s.body.Add(heading("Places used each day, in the calendar's colours"))
	s.body.Add(s.capacityChart())
	s.body.Refresh()
}

// figures is the table: each figure (the column as wide as the longest),
// its number (a button opening the list), the previous period's and the
// change.
func (s *reportsScreen) figures() fyne.CanvasObject {
	cols := &columnsLayout{widths: []float32{200, 210, 170, 100}}
	grid := container.New(cols)
	bold := func(t string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	grid.Add(bold("Figure"))
	grid.Add(bold("This period"))
	grid.Add(bold("Before"))
	grid.Add(bold("Change"))
	for _, f := range s.rep.Figures {
		before := s.rep.Figure(f.Key, true)
		label := widget.NewLabel(f.Label)
		cols.widths[0] = max(cols.widths[0], label.MinSize().Width)
		grid.Add(label)
		grid.Add(s.countButton(f, s.rep.Period))
		grid.Add(s.countButton(before, s.rep.Previous))
		grid.Add(widget.NewLabel(s.rep.Change(f.Key)))
	}
	return grid
}

// short is a figure's number in a few words.
func short(f fp.Figure) string {
	if !f.Wait {
		if n := f.Flagged(); n > 0 {
			return fmt.Sprintf("%d (%d flagged)", f.Count(), n)
		}
		return fmt.Sprint(f.Count())
	}
	m, ok := f.Percentile(50)
	if !ok {
		return "none measured"
	}
	p, _ := f.Percentile(90)
	return fmt.Sprintf("%d d · 90%%: %d d (n %d)", m, p, f.Count())
}

func (s *reportsScreen) countButton(f fp.Figure, p fp.Period) fyne.CanvasObject {
	b := widget.NewButton(short(f), func() { s.showList(f.Label+", "+p.String(), f.Items) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return b
}

// showList opens the requests behind a number: as many rows as the number.
func (s *reportsScreen) showList(title string, items []fp.ReportItem) {
	ids := make([]fp.RequestID, len(items))
	for i, it := range items {
		ids[i] = it.Request
	}
	sums, err := s.ui.db.RequestSummaries(ids)
	if err != nil {
		s.ui.showError(err)
		return
	}
	rows := map[fp.RequestID]fp.RequestSummary{}
	for _, r := range sums {
		rows[r.ID] = r
	}
	var d *dialog.CustomDialog
	list := widget.NewList(func() int { return len(items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			it := items[i]
			r := rows[it.Request]
			n := it.Number
			if n == "" {
				n = r.Number
			}
			flag := ""
			if it.Flag {
				flag = "  ⚑ "
			}
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s  %s — %s%s", it.Day, n, r.FullName, it.Detail, flag))
		})
	list.OnSelected = func(i widget.ListItemID) {
		list.UnselectAll()
		if id := items[i].Request; id != 0 {
			d.Hide()
			s.ui.OpenRequest(id)
		}
	}
	s.lastList = list
	intro := widget.NewLabel(fmt.Sprintf("%d %s. Choose one to open it.", len(items), plural(len(items), "entry", "entries")))
	if len(items) == 0 {
		intro.SetText("None.")
	}
	d = dialog.NewCustom(fmt.Sprintf("%s: %d", title, len(items)), "Close", container.NewBorder(intro, nil, nil, nil, list), s.ui.win)
	win := s.ui.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(760, win.Width-40), min(520, win.Height-40)))
	d.Show()
}

// bar is a tappable block of a chart (its list opens on a tap).
type bar struct {
	widget.BaseWidget
	rect  *canvas.Rectangle
	text  *canvas.Text
	onTap func()
}

func newBar(fill color.Color, text string, onTap func()) *bar {
	b := &bar{rect: canvas.NewRectangle(fill), text: canvas.NewText(text, color.NRGBA{0x11, 0x11, 0x11, 0xff}), onTap: onTap}
	b.text.TextSize = theme.TextSize() - 2
	b.text.Alignment = fyne.TextAlignCenter
	b.ExtendBaseWidget(b)
	return b
}

func (b *bar) Tapped(*fyne.PointEvent) {
	if b.onTap != nil {
		b.onTap()
	}
}

func (b *bar) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(b.rect, container.NewCenter(b.text)))
}

// chart places its objects at fixed positions in a fixed size.
type chart struct{ size fyne.Size }

func (c chart) Layout([]fyne.CanvasObject, fyne.Size) {}
func (c chart) MinSize([]fyne.CanvasObject) fyne.Size { return c.size }

func place(o fyne.CanvasObject, x, y, w, h float32) fyne.CanvasObject {
	o.Move(fyne.NewPos(x, y))
	o.Resize(fyne.NewSize(w, h))
	return o
}

func chartText(s string, size float32) *canvas.Text {
	t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	t.TextSize = size
	return t
}

// weeklyChart stacks each week's requests by category; a week opens its list.
func (s *reportsScreen) weeklyChart() fyne.CanvasObject {
	const w, h, top = 640, 150, 16
	c := container.New(chart{fyne.NewSize(w, h+top+40)})
	most := 1
	for _, wk := range s.rep.Weeks {
		most = max(most, len(wk.Items))
	}
	if s.rep.Figure(fp.FigReceived, false).Count() == 0 {
		c.Add(place(chartText("No request was received in this period.", 13), 10, top+h/2, w, 18))
	}
	bw := float32(min(70, (w-20)/max(1, len(s.rep.Weeks)))) - 10
	for i, wk := range s.rep.Weeks {
		x := float32(10 + i*int(bw+10))
		y := float32(top + h)
		for _, cat := range fp.Categories {
			n := wk.Received[cat]
			if n == 0 {
				continue
			}
			bh := float32(h * n / most)
			c.Add(place(newBar(categoryColor[cat], "", func() {
				s.showList(fmt.Sprintf("Received %s to %s", wk.From, wk.To), wk.Items)
			}), x, y-bh, bw, bh))
			y -= bh
		}
		c.Add(place(newBar(color.Transparent, fmt.Sprint(len(wk.Items)), func() {
			s.showList(fmt.Sprintf("Received %s to %s", wk.From, wk.To), wk.Items)
		}), x, y-top, bw, top))
		c.Add(place(chartText(wk.From.Time().Format("Jan 2"), 11), x, top+h+4, bw, 14))
	}
	x := float32(10)
	for _, cat := range fp.Categories {
		sw := canvas.NewRectangle(categoryColor[cat])
		c.Add(place(sw, x, top+h+24, 10, 10))
		c.Add(place(chartText(cat.Short(), 11), x+14, top+h+21, 90, 14))
		x += 110
	}
	return container.NewHBox(c)
}

// waitChart shows each week's median wait for a decision, its 90th
// percentile as a red line; a week opens its decisions.
func (s *reportsScreen) waitChart() fyne.CanvasObject {
	const w, h, top = 640, 110, 16
	c := container.New(chart{fyne.NewSize(w, h+top+36)})
	most := 1
	for _, wk := range s.rep.Weeks {
		if p, ok := wk.Decisions.Percentile(90); ok {
			most = max(most, p)
		}
	}
	if s.rep.Figure(fp.FigDecisionWait, false).Count() == 0 {
		c.Add(place(chartText("No decision was made in this period.", 13), 10, top+h/2, w, 18))
	}
	bw := float32(min(70, (w-20)/max(1, len(s.rep.Weeks)))) - 10
	for i, wk := range s.rep.Weeks {
		x := float32(10 + i*int(bw+10))
		open := func() { s.showList(fmt.Sprintf("Decisions %s to %s", wk.From, wk.To), wk.Decisions.Items) }
		if m, ok := wk.Decisions.Percentile(50); ok {
			p, _ := wk.Decisions.Percentile(90)
			bh := float32(h * m / most)
			c.Add(place(newBar(color.NRGBA{74, 85, 104, 255}, "", open), x, top+h-bh, bw, bh))
			c.Add(place(newBar(color.Transparent, fmt.Sprint(m), open), x, top+h-bh-top, bw, top))
			line := canvas.NewRectangle(color.NRGBA{166, 43, 43, 255})
			c.Add(place(line, x, top+h-float32(h*p/most), bw, 2))
		}
		c.Add(place(chartText(wk.From.Time().Format("Jan 2"), 11), x, top+h+4, bw, 14))
		c.Add(place(chartText(fmt.Sprintf("n %d", wk.Decisions.Count()), 11), x, top+h+18, bw, 14))
	}
	return container.NewHBox(c)
}

// capacityChart is the period's days as a calendar: each open day's places
// used of offered in the calendar's colours; a day opens its appointments.
func (s *reportsScreen) capacityChart() fyne.CanvasObject {
	const cw, ch = 92, 40
	used := s.rep.Figure(fp.FigCapacityUsed, false)
	rows := 1
	for i, l := range s.rep.Days {
		if i > 0 && l.Day.Time().Weekday() == 1 {
			rows++
		}
	}
	c := container.New(chart{fyne.NewSize(7*cw, float32(rows*ch+18))})
	for i, wd := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		c.Add(place(chartText(wd, 11), float32(i*cw+4), 0, cw, 14))
	}
	row := 0
	for i, l := range s.rep.Days {
		col := int((l.Day.Time().Weekday() + 6) % 7)
		if i > 0 && col == 0 {
			row++
		}
		var items []fp.ReportItem
		for _, it := range used.Items {
			if it.Day == l.Day {
				items = append(items, it)
			}
		}
		words := l.Day.Time().Format("Jan 2") + " closed"
		if l.Open {
			words = fmt.Sprintf("%s: %d/%d", l.Day.Time().Format("Jan 2"), l.Booked, l.Capacity)
		}
		c.Add(place(newBar(loadColor(l), words, func() { s.showList("Places used on "+l.Day.String(), items) }), float32(col*cw+1), float32(18+row*ch+1), cw-2, ch-2))
	}
	return container.NewHBox(c)
}

// onCSV saves the figures as CSV (the CLI's report --format csv).
func (s *reportsScreen) onCSV() {
	var buf bytes.Buffer
	if err := fp.WriteReportCSV(&buf, s.rep); err != nil {
		s.ui.showError(fp.Internal("the report could not be written", err))
		return
	}
	s.ui.saveFile("fieldprint-report-"+s.rep.Period.From.String()+".csv", ".csv", buf.Bytes(), "The report")
}

// onPDF writes the report with its charts and opens it in the viewer.
func (s *reportsScreen) onPDF() {
	u := s.ui
	o, err := u.db.Office()
	if err != nil {
		u.showError(err)
		return
	}
	sch, err := u.db.Scheduling()
	if err != nil {
		u.showError(err)
		return
	}
	var buf bytes.Buffer
	if err := letter.Report(&buf, s.rep, o, sch, letter.Options{Now: u.Now().In(u.db.Location()), PrintedBy: u.who}); err != nil {
		u.showError(fp.Internal("the report could not be drawn", err))
		return
	}
	path, err := u.writeOutput("report-"+s.rep.Period.From.String()+".pdf", buf.Bytes())
	if err != nil {
		u.showError(err)
		return
	}
	s.message.SetText("Written to " + path + " " + openedIn(u.openFile(path)))
}

// columnsLayout lays its objects out in rows of len(widths) columns, each
// column as wide as given.
type columnsLayout struct{ widths []float32 }

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := len(l.widths)
	y := float32(0)
	for i := 0; i < len(objs); i += n {
		h := float32(0)
		for j := 0; j < n && i+j < len(objs); j++ {
			h = max(h, objs[i+j].MinSize().Height)
		}
		x := float32(0)
		for j := 0; j < n && i+j < len(objs); j++ {
			w := l.widths[j]
			objs[i+j].Move(fyne.NewPos(x, y))
			objs[i+j].Resize(fyne.NewSize(w, h))
			x += w
		}
		y += h
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n := len(l.widths)
	var w, h float32
	for _, x := range l.widths {
		w += x
	}
	for i := 0; i < len(objs); i += n {
		rh := float32(0)
		for j := 0; j < n && i+j < len(objs); j++ {
			rh = max(rh, objs[i+j].MinSize().Height)
		}
		h += rh
	}
	return fyne.NewSize(w, h)
}

// writeOutput writes a document to the user's print folder, whole.
func (u *UI) writeOutput(name string, b []byte) (string, error) {
	dir, err := outputDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := writeFileAtomic(path, b); err != nil {
		return "", fp.Internal("cannot write "+name, err)
	}
	return path, nil
}
