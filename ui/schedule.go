package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// schedulePanel is a request's Appointments tab: everyone to fingerprint
// with their slot, "next available" for those without one, and reschedule
// and cancel per person.
type schedulePanel struct {
	f          *requestScreen
	sched      fp.Scheduling
	notBefore  *widget.Entry
	people     *fyne.Container
	proposal   []fp.Booking
	propBox    *fyne.Container
	proposeBtn *widget.Button
	bookBtn    *widget.Button
	finder     *fyne.Container // hidden when nobody is left to book
	content    fyne.CanvasObject
}

// showsSchedule says whether r has an Appointments tab.
func showsSchedule(r *fp.Request) bool {
	return r.Status == fp.StatusReadyToSchedule || r.Status == fp.StatusScheduled || len(r.Appointments) > 0
}

func newSchedulePanel(f *requestScreen) *schedulePanel {
	p := &schedulePanel{f: f, people: container.NewVBox(), propBox: container.NewVBox()}
	p.notBefore = widget.NewEntry()
	p.notBefore.SetPlaceHolder("not before YYYY-MM-DD (optional)")
	p.proposeBtn = widget.NewButtonWithIcon("Next available", theme.SearchIcon(), p.onPropose)
	p.bookBtn = widget.NewButtonWithIcon("Book these slots", theme.ConfirmIcon(), p.onBook)
	p.bookBtn.Importance = widget.HighImportance
	p.bookBtn.Hide()
	letter := widget.NewButtonWithIcon("Appointment letter (PDF)", theme.DocumentPrintIcon(), func() { f.ui.printRequestLetter(f.req) })
	if f.req.Status != fp.StatusScheduled || fp.CheckPrint(f.ui.actor) != nil {
		letter.Disable()
	}
	calendar := widget.NewButtonWithIcon("Calendar", theme.GridIcon(), func() {
		d := f.ui.today()
		if len(p.proposal) > 0 {
			d = p.proposal[0].Day
		} else if sp := f.req.Schedule(f.ui.today()); len(sp) > 0 && sp[0].Booked {
			d = sp[0].Appointment.Day
		}
		f.ui.showDay(d)
	})
	p.finder = container.NewVBox(widget.NewSeparator(), heading("Find slots"),
		container.NewHBox(container.NewGridWrap(fyne.NewSize(300, p.notBefore.MinSize().Height), p.notBefore), p.proposeBtn, p.bookBtn),
		p.propBox)
	p.content = container.NewBorder(nil, container.NewHBox(letter, calendar, layout.NewSpacer()), nil, nil,
		container.NewVScroll(container.NewVBox(p.people, p.finder)))
	p.refresh()
	return p
}

func (p *schedulePanel) refresh() {
	u, r := p.f.ui, p.f.req
	var err error
	if p.sched, err = u.db.Scheduling(); err != nil {
		u.showError(err)
		return
	}
	p.people.RemoveAll()
	can := fp.CheckScheduling(u.actor, r) == nil
	// An import's gaps keep new slots back (the workflow refuses them too):
	// say so here, with the fields to fill.
	book := can && r.CheckComplete("booking") == nil
	if err := r.CheckComplete("booking"); err != nil && can {
		l := widget.NewLabel(fp.ErrorMessage(err))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		p.people.Add(l)
	}
	sp := r.Schedule(u.today())
	booked := 0
	for _, s := range sp {
		if s.Booked {
			booked++
		}
	}
	intro := fmt.Sprintf("Booked: %d of the %d %s to fingerprint.", booked, len(sp), plural(len(sp), "person", "people"))
	if len(sp) == 1 {
		intro = fmt.Sprintf("Booked: %d of 1 person to fingerprint.", booked)
	}
	if err := fp.CheckScheduling(u.actor, r); err != nil && r.Status != fp.StatusScheduled && r.Status != fp.StatusReadyToSchedule {
		intro = fp.ErrorMessage(err)
	}
	p.people.Add(widget.NewLabel(intro))
	// One row per person: the name and the time on the left (wrapping), the
	// actions on the right, so a long line never widens the window.
	grid := container.NewVBox()
	row := func(name, when fyne.CanvasObject, buttons *fyne.Container) {
		if l, ok := when.(*widget.Label); ok {
			l.Wrapping = fyne.TextWrapWord
		}
		grid.Add(container.NewBorder(nil, nil, nil, container.NewCenter(buttons), container.NewVBox(name, when)))
	}
	for _, s := range sp {
		name := widget.NewLabelWithStyle(s.Person.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		when := widget.NewLabel("No appointment yet")
		buttons := container.NewHBox()
		if s.Booked {
			ap := s.Appointment
			when.SetText(fmt.Sprintf("%s %s-%s · station %d · %s", ap.Day.Time().Format("Mon 2 Jan 2006"), ap.Start, ap.End(), ap.Station, ap.Status.Label()))
			if ap.FromImport {
				when.SetText(fmt.Sprintf("Collected on %s, before Fieldprint (imported from %s)", ap.Day.Time().Format("Mon 2 Jan 2006"), r.Origin))
			}
			if n := r.Reschedules(s.Person.ID); n > 0 { // a cancellation and a new booking count too
				when.SetText(when.Text + fmt.Sprintf(" · rescheduled %d×", n))
			}
			if ap.Status == fp.ApptCollected && !ap.FromImport && u.actor.CanHandleCases() {
				buttons.Add(widget.NewButtonWithIcon("Stamped notice", theme.DocumentPrintIcon(), func() { u.printStamp(r.ID, s.Person) }))
			}
			if can && ap.Status == fp.ApptBooked {
				if book {
					buttons.Add(widget.NewButtonWithIcon("Reschedule", theme.HistoryIcon(), func() { p.pickSlot(s.Person, &ap) }))
				}
				cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { p.onCancel(s.Person) })
				cancel.Importance = widget.DangerImportance
				buttons.Add(cancel)
			}
		} else {
			when.Importance = widget.WarningImportance
			if book {
				buttons.Add(widget.NewButtonWithIcon("Pick a slot", theme.ContentAddIcon(), func() { p.pickSlot(s.Person, nil) }))
			}
		}
		row(name, when, buttons)
	}
	for _, m := range r.ComingOfAge(u.today()) { // fingerprinted if the appointment is on or after the 18th birthday
		pick := container.NewHBox()
		if book {
			pick.Add(widget.NewButtonWithIcon("Pick a slot", theme.ContentAddIcon(), func() { p.pickSlot(m, nil) }))
		}
		row(widget.NewLabelWithStyle(m.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(fmt.Sprintf("Turns 18 on %s: fingerprinted if the appointment is on or after that day", m.Turns18())), pick)
	}
	p.people.Add(grid)
	if past := p.past(); past != "" {
		l := widget.NewLabel(past)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		p.people.Add(l)
	}
	unbooked := len(r.Unbooked(u.today()))
	if !book || unbooked == 0 {
		p.finder.Hide()
	} else {
		p.finder.Show()
	}
	p.showProposal()
}

// past lists cancelled and earlier appointments, so the tab tells the whole story.
func (p *schedulePanel) past() string {
	var lines []string
	for _, ap := range p.f.req.Appointments {
		if ap.Status.Current() {
			continue
		}
		who, _ := p.f.req.Person(ap.PersonID)
		l := fmt.Sprintf("%s: %s %s, %s", who.FullName, ap.Day, ap.Start, strings.ToLower(ap.Status.Label()))
		if ap.Reason != "" {
			l += " (" + ap.Reason + ")"
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return ""
	}
	return "Earlier: " + strings.Join(lines, "; ")
}

func (p *schedulePanel) showProposal() {
	p.propBox.RemoveAll()
	if len(p.proposal) == 0 {
		p.bookBtn.Hide()
		if p.finder.Visible() {
			p.propBox.Add(widget.NewLabel("Press Next available: the earliest slots that fit everyone back to back, same morning where possible."))
		}
		return
	}
	for _, b := range p.proposal {
		who, _ := p.f.req.Person(b.PersonID)
		p.propBox.Add(widget.NewLabel(fmt.Sprintf("%s: %s %s, station %d", who.FullName, b.Day.Time().Format("Mon 2 Jan 2006"), b.Start, b.Station)))
	}
	p.bookBtn.Show()
}

func (p *schedulePanel) onPropose() {
	u := p.f.ui
	u.touch()
	var from fp.Date
	if s := strings.TrimSpace(p.notBefore.Text); s != "" {
		d, err := fp.ParseDate(s)
		if err != nil {
			u.showError(err)
			return
		}
		from = d
	}
	bs, err := u.db.ProposeSlots(p.f.req.ID, from)
	if err != nil {
		u.showError(err)
		return
	}
	p.proposal = bs
	p.showProposal()
}

func (p *schedulePanel) onBook() {
	u := p.f.ui
	u.touch()
	r, err := u.db.Book(u.actor, p.f.req.ID, p.proposal, "", false)
	if err != nil {
		u.showError(err)
		return
	}
	p.f.update(r, tabAppointments, fmt.Sprintf("Booked %d %s. %s", len(p.proposal), plural(len(p.proposal), "person", "people"), scheduleNote(r)))
}

func scheduleNote(r *fp.Request) string {
	if r.Status == fp.StatusScheduled {
		return r.Number + " is scheduled: print the appointment letter."
	}
	return r.Number + " is " + r.Status.Label() + "."
}

func (p *schedulePanel) onCancel(person fp.Person) {
	u := p.f.ui
	title, action := "Cancel "+person.FullName+"'s appointment", "Cancel appointment"
	cancel := func(reason string, override bool) error {
		r, err := u.db.CancelAppointment(u.actor, p.f.req.ID, person.ID, reason, override)
		if err != nil {
			return err
		}
		p.f.update(r, tabAppointments, "Cancelled: the slot is free. "+scheduleNote(r))
		return nil
	}
	if u.actor.Role != fp.RoleDirector {
		u.askReason(title, action, func(reason string) error { return cancel(reason, false) })
		return
	}
	// A director may cancel within the cut-off, as an override.
	reason := newTextArea()
	reason.SetPlaceHolder("Why? This goes into the request's history.")
	reason.SetMinRowsVisible(3)
	override := widget.NewCheck(fmt.Sprintf("Override: cancel within %d hours of the time (director)", p.sched.RescheduleCutoffHours), nil)
	d := u.newFormDialog(title, action, []*widget.FormItem{widget.NewFormItem("Reason", reason), widget.NewFormItem("", override)},
		func() error { return cancel(reason.Text, override.Checked) })
	d.show(u, 560)
}

// pickSlot lets the clerk choose a day and a free slot for person: a new
// booking, or a reschedule of current (with a reason; a director may override).
func (p *schedulePanel) pickSlot(person fp.Person, current *fp.Appointment) {
	u := p.f.ui
	day := u.today().AddDays(1)
	for _, b := range p.proposal {
		if b.PersonID == person.ID {
			day = b.Day
		}
	}
	if current != nil && current.Day.After(u.today()) {
		day = current.Day
	}
	dayEntry := widget.NewEntry()
	dayEntry.SetText(day.String())
	info := widget.NewLabel("")
	info.Wrapping = fyne.TextWrapWord
	slots := widget.NewSelect(nil, nil)
	slots.PlaceHolder = "(choose a slot)"
	var options map[string]fp.Booking
	load := func() {
		options = map[string]fp.Booking{}
		slots.Options = nil
		slots.ClearSelected()
		d, err := fp.ParseDate(dayEntry.Text)
		if err != nil {
			info.SetText(fp.ErrorMessage(err))
			slots.Refresh()
			return
		}
		if ok, why := p.sched.OpenOn(d); !ok {
			info.SetText(d.Time().Format("Monday 2 January") + ": the office is " + why + ".")
			slots.Refresh()
			return
		}
		uses, err := u.db.DayUses(d)
		if err != nil {
			info.SetText(fp.ErrorMessage(err))
			return
		}
		var others []fp.SlotUse // the person's own slot does not block a move
		for _, su := range uses {
			if su.Request != p.f.req.ID || su.PersonID != person.ID {
				others = append(others, su)
			}
		}
		for _, ss := range p.sched.Sessions(d) {
			for _, t := range ss.Starts {
				if !p.sched.At(d, t).After(u.Now()) {
					continue
				}
				for _, st := range p.sched.FreeStations(others, t) {
					label := fmt.Sprintf("%s · station %d", t, st)
					options[label] = fp.Booking{PersonID: person.ID, Day: d, Start: t, Station: st}
					slots.Options = append(slots.Options, label)
				}
			}
		}
		l := p.sched.Load(d, uses)
		info.SetText(fmt.Sprintf("%s: %d free of %d.", d.Time().Format("Monday 2 January"), l.Free(), l.Capacity))
		if len(slots.Options) > 0 {
			slots.SetSelectedIndex(0)
		}
		slots.Refresh()
	}
	dayEntry.OnChanged = func(string) { load() }
	step := func(n int) func() {
		return func() {
			if d, err := fp.ParseDate(dayEntry.Text); err == nil {
				dayEntry.SetText(d.AddDays(n).String())
			}
		}
	}
	dayRow := container.NewBorder(nil, nil, widget.NewButtonWithIcon("", theme.NavigateBackIcon(), step(-1)),
		widget.NewButtonWithIcon("", theme.NavigateNextIcon(), step(1)), dayEntry)
	items := []*widget.FormItem{widget.NewFormItem("Day", dayRow), widget.NewFormItem("", info), widget.NewFormItem("Slot", slots)}
	reason := newTextArea()
	reason.SetMinRowsVisible(2)
	override := widget.NewCheck("Override the reschedule rules (director)", nil)
	title, action := "Book "+person.FullName, "Book"
	if _, move := p.f.req.Rebooking(person.ID); move && current == nil {
		items = append(items, widget.NewFormItem("", widget.NewLabel(fmt.Sprintf("Booking again after a cancellation is a reschedule (%d so far; clerks stop at %d).",
			p.f.req.Reschedules(person.ID), p.sched.RescheduleLimit))))
		if u.actor.Role == fp.RoleDirector {
			reason.SetPlaceHolder("Needed to override the reschedule limit.")
			items = append(items, widget.NewFormItem("Reason", reason), widget.NewFormItem("", override))
		}
	}
	if current != nil {
		title, action = "Reschedule "+person.FullName, "Reschedule"
		reason.SetPlaceHolder("Why? This goes into the request's history.")
		items = append(items, widget.NewFormItem("Reason", reason))
		if u.actor.Role == fp.RoleDirector {
			items = append(items, widget.NewFormItem("", override))
		}
		items = append(items, widget.NewFormItem("", widget.NewLabel(fmt.Sprintf("Now %s %s, station %d. Clerks cannot move it within %d hours of the time or after %d reschedules.",
			current.Day, current.Start, current.Station, p.sched.RescheduleCutoffHours, p.sched.RescheduleLimit))))
	}
	d := u.newFormDialog(title, action, items, func() error {
		b, chosen := options[slots.Selected]
		if !chosen {
			return fp.Errorf(fp.EINVALID, "choose a free slot first: pick a day the office is open, then a time")
		}
		var r *fp.Request
		var err error
		if current == nil {
			r, err = u.db.Book(u.actor, p.f.req.ID, []fp.Booking{b}, reason.Text, override.Checked)
		} else {
			r, err = u.db.Reschedule(u.actor, p.f.req.ID, person.ID, b, reason.Text, override.Checked)
		}
		if err != nil {
			return err
		}
		p.f.update(r, tabAppointments, fmt.Sprintf("%s: %s %s, station %d. %s", person.FullName, b.Day, b.Start, b.Station, scheduleNote(r)))
		return nil
	})
	load()
	d.show(u, 560)
}
