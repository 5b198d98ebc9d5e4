package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// calendarScreen shows the month, each day coloured by how full it is (with
// the numbers written, never colour alone), and the chosen day's slots per
// station with who is booked.
type calendarScreen struct {
	ui       *UI
	month    fp.Date // the first of the month shown
	day      fp.Date // the day shown on the right
	title    *widget.Label
	grid     *fyne.Container
	dayTitle *widget.Label
	dayInfo  *widget.Label
	slots    *fyne.Container
	letters  *widget.Button
	content  fyne.CanvasObject
	sched    fp.Scheduling
	cells    map[fp.Date]*dayCell
}

// Fullness colours: calm, with the words in the cell.
var (
	colFree   = color.NRGBA{0xd8, 0xf0, 0xe0, 0xff} // green: plenty of room
	colBusy   = color.NRGBA{0xfb, 0xe8, 0xc4, 0xff} // amber: half full or more
	colFull   = color.NRGBA{0xf6, 0xcf, 0xcf, 0xff} // red: full
	colClosed = color.NRGBA{0xe6, 0xe8, 0xeb, 0xff} // grey: closed
	colChosen = color.NRGBA{0x2b, 0x6c, 0xb0, 0xff}
)

func loadColor(l fp.DayLoad) color.Color {
	switch {
	case !l.Open:
		return colClosed
	case l.Free() == 0:
		return colFull
	case l.Booked*2 >= l.Capacity:
		return colBusy
	}
	return colFree
}

func loadWords(l fp.DayLoad) string {
	switch {
	case !l.Open:
		return "closed"
	case l.Free() == 0:
		return fmt.Sprintf("full (%d)", l.Capacity)
	}
	return fmt.Sprintf("%d/%d free", l.Free(), l.Capacity)
}

// dayCell is one day of the month grid: tap it to see the day.
type dayCell struct {
	widget.BaseWidget
	load   fp.DayLoad
	bg     *canvas.Rectangle
	border *canvas.Rectangle
	num    *canvas.Text
	words  *canvas.Text
	onTap  func()
}

func newDayCell(onTap func()) *dayCell {
	c := &dayCell{bg: canvas.NewRectangle(colClosed), border: canvas.NewRectangle(color.Transparent),
		num: canvas.NewText("", color.Black), words: canvas.NewText("", color.NRGBA{0x33, 0x33, 0x33, 0xff}), onTap: onTap}
	c.bg.CornerRadius, c.border.CornerRadius = 4, 4
	c.border.StrokeWidth = 2
	c.num.TextStyle.Bold = true
	c.words.TextSize = theme.CaptionTextSize()
	c.ExtendBaseWidget(c)
	return c
}

func (c *dayCell) set(l fp.DayLoad, inMonth, chosen, today, past bool) {
	c.load = l
	c.bg.FillColor = loadColor(l)
	c.num.Text = fmt.Sprint(l.Day.D)
	if today {
		c.num.Text += " · today"
	}
	c.words.Text = loadWords(l)
	if name, ok := strings.CutPrefix(l.Note, "closed: "); ok {
		c.words.Text = shorten(name, 10) // the holiday's name
	} else if past && l.Open {
		c.words.Text = fmt.Sprintf("%d booked", l.Booked) // past: greyed
		c.bg.FillColor = colClosed
	}
	c.border.StrokeColor = color.Transparent
	if chosen {
		c.border.StrokeColor = colChosen
	}
	fade := uint8(0xff)
	if !inMonth {
		fade = 0x80
	}
	c.num.Color = color.NRGBA{0x11, 0x11, 0x11, fade}
	c.words.Color = color.NRGBA{0x33, 0x33, 0x33, fade}
	c.Refresh()
}

func (c *dayCell) Tapped(*fyne.PointEvent) {
	if c.onTap != nil {
		c.onTap()
	}
}

func (c *dayCell) CreateRenderer() fyne.WidgetRenderer {
	box := container.NewStack(c.bg, c.border, container.NewPadded(container.NewVBox(c.num, c.words)))
	return widget.NewSimpleRenderer(box)
}

// MinSize leaves the month and the day side by side on a 1024-pixel screen.
func (c *dayCell) MinSize() fyne.Size { return fyne.NewSize(70, 52) }

func newCalendarScreen(u *UI) *calendarScreen {
	today := u.today()
	s := &calendarScreen{ui: u, month: fp.Date{Y: today.Y, M: today.M, D: 1}, day: today, cells: map[fp.Date]*dayCell{}}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { s.shiftMonth(-1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { s.shiftMonth(1) })
	todayBtn := widget.NewButton("Today", func() {
		t := s.ui.today()
		s.month, s.day = fp.Date{Y: t.Y, M: t.M, D: 1}, t
		s.refresh()
	})
	s.grid = container.NewGridWithColumns(7)
	s.dayTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.dayInfo = widget.NewLabel("")
	s.dayInfo.Wrapping = fyne.TextWrapWord
	s.slots = container.NewVBox()
	s.letters = widget.NewButtonWithIcon("Letters for this day (PDF)", theme.DocumentPrintIcon(), func() { s.ui.printDayLetters(s.day) })
	unprinted := widget.NewButtonWithIcon("All letters not yet printed", theme.DocumentPrintIcon(), func() { s.ui.printUnprintedLetters() })
	legend := widget.NewLabel("Green: room · amber: half full or more · red: full · grey: closed")
	legend.SizeName = theme.SizeNameCaptionText

	head := container.NewBorder(nil, nil, container.NewHBox(prev, todayBtn, next), unprinted, s.title)
	weekdays := container.NewGridWithColumns(7)
	for _, d := range fp.WeekdayOrder {
		weekdays.Add(widget.NewLabelWithStyle(d.String()[:3], fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	month := container.NewBorder(container.NewVBox(head, weekdays), legend, nil, nil, s.grid)
	day := container.NewBorder(container.NewVBox(s.dayTitle, s.dayInfo, container.NewHBox(s.letters), widget.NewSeparator()), nil, nil, nil,
		container.NewScroll(s.slots)) // both ways: several stations may not fit a narrow window
	split := container.NewHSplit(month, day)
	split.Offset = 0.56
	s.content = container.NewBorder(heading("Calendar"), nil, nil, nil, split)
	return s
}

func (s *calendarScreen) shiftMonth(n int) {
	t := s.month.Time().AddDate(0, n, 0)
	s.month = fp.DateOf(t)
	if s.day.M != s.month.M || s.day.Y != s.month.Y {
		s.day = s.month
	}
	s.refresh()
}

func (s *calendarScreen) refresh() {
	u := s.ui
	var err error
	if s.sched, err = u.db.Scheduling(); err != nil {
		u.showError(err)
		return
	}
	s.title.SetText(s.month.Time().Format("January 2006"))
	// Six weeks from the Monday on or before the first of the month.
	first := s.month.AddDays(-((int(s.month.Time().Weekday()) + 6) % 7))
	last := first.AddDays(41)
	loads, err := u.db.Loads(first, last)
	if err != nil {
		u.showError(err)
		return
	}
	s.grid.RemoveAll()
	today := u.today()
	for _, l := range loads {
		c := newDayCell(func() { s.day = l.Day; s.refresh() })
		c.set(l, l.Day.M == s.month.M, l.Day == s.day, l.Day == today, l.Day.Before(today))
		s.cells[l.Day] = c
		s.grid.Add(c)
	}
	s.grid.Refresh()
	s.refreshDay()
}

// refreshDay draws the chosen day: one row per slot time, one column per station.
func (s *calendarScreen) refreshDay() {
	u := s.ui
	d := s.day
	s.dayTitle.SetText(d.Time().Format("Monday 2 January 2006"))
	uses, err := u.db.DayUses(d)
	if err != nil {
		u.showError(err)
		return
	}
	l := s.sched.Load(d, uses)
	s.slots.RemoveAll()
	if !l.Open {
		s.dayInfo.SetText("The office is " + l.Note + ". Choose another day.")
		s.letters.Disable()
		s.slots.Refresh()
		return
	}
	s.dayInfo.SetText(fmt.Sprintf("%d of %d places booked, %d free. All others: %d of %d. Times are office time (%s).",
		l.Booked, l.Capacity, l.Free(), l.Other, l.OtherMax, s.sched.Location()))
	if l.Booked == 0 {
		s.letters.Disable()
	} else {
		s.letters.Enable()
	}
	names := map[fp.RequestID]*fp.Request{}
	holder := func(start fp.TimeOfDay, st int) (fp.SlotUse, bool) {
		for _, u := range uses {
			if u.Station == st && u.Start <= start && start < u.Start+fp.TimeOfDay(u.Minutes) {
				return u, true
			}
		}
		return fp.SlotUse{}, false
	}
	// One row per slot time: the time, then the stations side by side (a past
	// day may have used a station the office no longer has).
	stations := s.sched.Stations
	for _, su := range uses {
		stations = max(stations, su.Station)
	}
	header := container.NewGridWithColumns(stations)
	for st := 1; st <= stations; st++ {
		header.Add(widget.NewLabelWithStyle(fmt.Sprintf("Station %d", st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	timeCol := func(text string, style fyne.TextStyle) fyne.CanvasObject {
		l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, style)
		return container.NewGridWrap(fyne.NewSize(64, l.MinSize().Height), l)
	}
	rows := container.NewVBox(container.NewBorder(nil, nil, timeCol("Time", fyne.TextStyle{Bold: true}), nil, header))
	now := u.Now()
	for _, ss := range s.sched.Sessions(d) {
		for _, t := range ss.Starts {
			cells := container.NewGridWithColumns(stations)
			for st := 1; st <= stations; st++ {
				su, taken := holder(t, st)
				if !taken {
					free := widget.NewLabel("free")
					if !s.sched.At(d, t).After(now) {
						free.SetText("—")
					}
					free.Importance = widget.LowImportance
					cells.Add(free)
					continue
				}
				r, ok := names[su.Request]
				if !ok {
					r, _ = u.db.FindRequestByID(su.Request)
					names[su.Request] = r
				}
				who := su.Number
				if r != nil {
					p, _ := r.Person(su.PersonID)
					who = p.FullName
				}
				text := who
				if su.Category == fp.CategoryOther {
					text += " · All others" // what the reserve is about
				}
				if su.Status != fp.ApptBooked {
					text += " · " + su.Status.Label()
				}
				cells.Add(newSlotButton(text, su.Number, func() { u.OpenRequest(su.Request) }))
			}
			rows.Add(container.NewBorder(nil, nil, timeCol(t.String(), fyne.TextStyle{Monospace: true}), nil, cells))
		}
	}
	cols := rows
	s.slots.Add(cols)
	s.slots.Add(layout.NewSpacer())
	s.slots.Refresh()
}

// showDay opens the calendar on day.
func (u *UI) showDay(d fp.Date) {
	u.leave(func() {
		s := newCalendarScreen(u)
		s.month, s.day = fp.Date{Y: d.Y, M: d.M, D: 1}, d
		u.showScreen(navCalendar, s.refresh, s.content)
	})
}

// shorten cuts s to n characters with an ellipsis: a cell's text must not
// spill into the next.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// slotButton is a booked slot: the name, cut with an ellipsis when the
// column is narrow, on a button that opens the request.
type slotButton struct {
	widget.BaseWidget
	label  *widget.Label
	number string
	onTap  func()
}

func newSlotButton(text, number string, onTap func()) *slotButton {
	b := &slotButton{label: widget.NewLabel(text), number: number, onTap: onTap}
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.label.TextStyle.Bold = true
	b.ExtendBaseWidget(b)
	return b
}

func (b *slotButton) Tapped(*fyne.PointEvent) { b.onTap() }

func (b *slotButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (b *slotButton) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	bg.CornerRadius = theme.InputRadiusSize()
	return widget.NewSimpleRenderer(container.NewStack(bg, b.label))
}
