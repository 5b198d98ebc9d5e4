package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// todayScreen is the collection day at the counter: the day's appointments
// with their status, a scan field for the letter's barcode, and check-in,
// collection and the stamped notice, person by person.
type todayScreen struct {
	ui       *UI
	day      fp.Date
	sched    fp.Scheduling
	title    *widget.Label
	dayEntry *widget.Entry
	scan     *widget.Entry
	summary  *widget.Label
	message  *widget.Label
	list     *fyne.Container
	closeBtn *widget.Button
	content  fyne.CanvasObject
	rows     []fp.DayRow
}

func newTodayScreen(u *UI) *todayScreen {
	s := &todayScreen{ui: u, day: u.today(), list: container.NewVBox()}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.dayEntry = widget.NewEntry()
	s.dayEntry.SetPlaceHolder("YYYY-MM-DD")
	s.dayEntry.OnSubmitted = func(text string) {
		d, err := fp.ParseDate(text)
		if err != nil {
			u.showError(err)
			return
		}
		s.day = d
		s.refresh()
	}
	s.scan = widget.NewEntry()
	s.scan.SetPlaceHolder("Scan the letter's barcode, or type a name, receipt number, A-number or FP number, then Enter")
	s.scan.OnSubmitted = s.onScan
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	sheet := widget.NewButtonWithIcon("Day sheet (PDF)", theme.DocumentPrintIcon(), s.onDaySheet)
	s.closeBtn = widget.NewButtonWithIcon("Close the day", theme.CancelIcon(), s.onCloseDay)
	verify := widget.NewButtonWithIcon("Check a stamp", theme.ConfirmIcon(), func() { u.Navigate(navVerify) })
	fixed := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	head := container.NewBorder(nil, nil, container.NewHBox(s.title, fixed(130, s.dayEntry)), container.NewHBox(sheet, s.closeBtn, verify))
	scanRow := container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, s.scan)
	s.content = container.NewBorder(container.NewVBox(head, scanRow, s.summary, s.message, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(s.list))
	return s
}

func (s *todayScreen) refresh() {
	u := s.ui
	if _, err := u.db.CloseDaysAutomatically(); err != nil {
		u.showError(err)
	}
	var err error
	if s.sched, err = u.db.Scheduling(); err != nil {
		u.showError(err)
		return
	}
	if s.rows, err = u.db.Day(s.day); err != nil {
		u.showError(err)
		return
	}
	title := s.day.Time().Format("Monday 2 January 2006")
	if s.day == s.sched.Today(u.Now()) {
		title = "Today, " + title
	}
	s.title.SetText(title)
	s.dayEntry.SetText(s.day.String())
	counts := map[fp.ApptStatus]int{}
	for _, r := range s.rows {
		counts[r.Appointment.Status]++
	}
	parts := []string{}
	for _, st := range []fp.ApptStatus{fp.ApptBooked, fp.ApptCheckedIn, fp.ApptWalkIn, fp.ApptCollected, fp.ApptMissed} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], strings.ToLower(st.Label())))
		}
	}
	switch {
	case len(s.rows) == 0:
		open, why := s.sched.OpenOn(s.day)
		if !open {
			s.summary.SetText("The office is " + why + ". Walk-ins are seen on open days only.")
		} else {
			s.summary.SetText("Nobody is booked on this day. Walk-ins after a missed appointment can still be checked in: scan or search above.")
		}
	default:
		s.summary.SetText(fmt.Sprintf("%d %s: %s. Walk-ins are seen after the scheduled applicants.", len(s.rows), plural(len(s.rows), "person", "people"), strings.Join(parts, ", ")))
	}
	if s.sched.MissedMode == fp.MissedAtClosing {
		s.closeBtn.Hide()
	} else {
		s.closeBtn.Show()
	}
	s.list.RemoveAll()
	if len(s.rows) > 0 {
		s.list.Add(dayRow(bold("Time"), bold("Station"), bold("Request"), bold("Status"), bold("Person"), container.NewHBox()))
	}
	for _, r := range s.rows {
		s.list.Add(s.row(r))
	}
	s.addWalkIns()
	s.list.Refresh()
	u.win.Canvas().Focus(s.scan)
}

// dayRow lays out one line of the day: fixed columns on the left, the
// actions on the right, the name taking what is left.
func dayRow(when, station, number, status, person, actions fyne.CanvasObject) fyne.CanvasObject {
	fixed := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, max(o.MinSize().Height, 36)), o)
	}
	return container.NewBorder(nil, nil,
		container.NewHBox(fixed(70, when), fixed(100, station), fixed(140, number), fixed(120, status)), actions, person)
}

func bold(s string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// apptColor: like the request badges, calm fills with the word always shown.
func apptColor(s fp.ApptStatus) color.Color {
	switch s {
	case fp.ApptBooked:
		return color.NRGBA{0x2b, 0x6c, 0xb0, 0xff}
	case fp.ApptCheckedIn, fp.ApptWalkIn:
		return color.NRGBA{0xb7, 0x79, 0x1f, 0xff}
	case fp.ApptCollected:
		return color.NRGBA{0x27, 0x67, 0x49, 0xff}
	case fp.ApptMissed:
		return color.NRGBA{0xa6, 0x2b, 0x2b, 0xff}
	}
	return color.NRGBA{0x71, 0x80, 0x96, 0xff}
}

func apptBadge(s fp.ApptStatus) fyne.CanvasObject {
	bg := canvas.NewRectangle(apptColor(s))
	bg.CornerRadius = 9
	t := canvas.NewText(s.Label(), color.White)
	t.TextStyle.Bold = true
	t.TextSize = theme.TextSize() - 1
	return container.NewHBox(container.NewStack(bg, container.NewPadded(t)), layout.NewSpacer())
}

func (s *todayScreen) row(r fp.DayRow) fyne.CanvasObject {
	u := s.ui
	ap := r.Appointment
	station := fmt.Sprintf("Station %d", ap.Station)
	if ap.WalkIn {
		station = "Walk-in"
	}
	number := widget.NewLabelWithStyle(r.Number, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	person := widget.NewLabel(r.Person.FullName)
	person.Truncation = fyne.TextTruncateEllipsis
	actions := container.NewHBox()
	today := s.day == s.sched.Today(u.Now())
	switch ap.Status {
	case fp.ApptBooked:
		if today {
			b := widget.NewButtonWithIcon("Check in", theme.LoginIcon(), func() { s.checkIn(r.Request, r.Person) })
			b.Importance = widget.HighImportance
			actions.Add(b)
		}
	case fp.ApptCheckedIn, fp.ApptWalkIn:
		b := widget.NewButtonWithIcon("Collected…", theme.ConfirmIcon(), func() { s.collect(r.Request, r.Person) })
		b.Importance = widget.HighImportance
		actions.Add(b)
	case fp.ApptCollected:
		actions.Add(widget.NewButtonWithIcon("Stamped notice", theme.DocumentPrintIcon(), func() { s.ui.printStamp(r.Request, r.Person) }))
	}
	actions.Add(widget.NewButtonWithIcon("", theme.DocumentIcon(), func() { u.OpenRequest(r.Request) }))
	when := ap.Start.String() // a walk-in's arrival
	return dayRow(widget.NewLabelWithStyle(when, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		widget.NewLabel(station), number, apptBadge(ap.Status), person, actions)
}

// addWalkIns lists who missed an appointment within the walk-in window and
// may come today, so the counter knows before they arrive.
func (s *todayScreen) addWalkIns() {
	u := s.ui
	if s.day != s.sched.Today(u.Now()) {
		return
	}
	if open, _ := s.sched.OpenOn(s.day); !open {
		return
	}
	may, err := u.db.MayWalkIn(s.day)
	if err != nil {
		u.showError(err)
		return
	}
	if len(may) == 0 {
		return
	}
	s.list.Add(widget.NewSeparator())
	s.list.Add(heading(fmt.Sprintf("May walk in today (%d): missed an appointment within the last %d days", len(may), s.sched.WalkInDays)))
	for _, r := range may {
		ap := r.Appointment
		btn := widget.NewButtonWithIcon("Check in as walk-in", theme.LoginIcon(), func() { s.checkIn(r.Request, r.Person) })
		until := widget.NewLabel("until " + s.sched.WalkInUntil(ap).Time().Format("2 Jan"))
		s.list.Add(dayRow(widget.NewLabelWithStyle(ap.Day.Time().Format("2 Jan"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
			until, widget.NewLabelWithStyle(r.Number, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}), apptBadge(ap.Status),
			widget.NewLabel(r.Person.FullName), container.NewHBox(btn, widget.NewButtonWithIcon("", theme.DocumentIcon(), func() { u.OpenRequest(r.Request) }))))
	}
}

// onScan takes what a barcode scanner or a person typed: an FP number finds
// the request at once; anything else searches names and identifiers.
func (s *todayScreen) onScan(text string) {
	u := s.ui
	u.touch()
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	s.scan.SetText("")
	var found []fp.RequestSummary
	if n, err := fp.ParseNumber(text); err == nil {
		if r, err := u.db.FindRequestByNumber(n); err == nil {
			found = []fp.RequestSummary{r.Summary(u.today())}
		}
	}
	if len(found) == 0 {
		rows, _, err := u.db.FindRequests(fp.RequestFilter{Search: text, Statuses: []fp.Status{fp.StatusScheduled, fp.StatusReadyToSchedule}, Limit: 20})
		if err != nil {
			u.showError(err)
			return
		}
		found = rows
	}
	switch len(found) {
	case 0:
		s.say(widget.DangerImportance, fmt.Sprintf("Nothing found for %q among requests with appointments. Check the spelling, or search the queue.", text))
	case 1:
		s.chooseToCheckIn(found[0].ID)
	default:
		var d dialog.Dialog
		list := container.NewVBox()
		for _, f := range found {
			list.Add(widget.NewButton(fmt.Sprintf("%s  %s  (%s)", f.Number, f.FullName, f.Status.Label()), func() { d.Hide(); s.chooseToCheckIn(f.ID) }))
		}
		d = dialog.NewCustom(fmt.Sprintf("%d requests match %q", len(found), text), "Close", container.NewVScroll(list), u.win)
		d.Resize(fyne.NewSize(560, 360))
		d.Show()
	}
}

// chooseToCheckIn opens the check-in of the request's first person who has
// not arrived yet (the dialog lets the officer pick another).
func (s *todayScreen) chooseToCheckIn(id fp.RequestID) {
	u := s.ui
	r, err := u.db.FindRequestByID(id)
	if err != nil {
		u.showError(err)
		return
	}
	people := r.ToFingerprint(u.today())
	for _, p := range people {
		ap, ok := r.CurrentAppointment(p.ID)
		if !ok || ap.Status == fp.ApptBooked {
			s.checkIn(id, p)
			return
		}
	}
	s.say(widget.WarningImportance, fmt.Sprintf("%s: everyone is checked in already.", r.Number))
}

func (s *todayScreen) say(imp widget.Importance, msg string) {
	s.message.Importance = imp
	s.message.SetText(msg)
}

// checkIn asks for the ID seen and whether its name matches, then records it.
func (s *todayScreen) checkIn(id fp.RequestID, person fp.Person) {
	u := s.ui
	r, err := u.db.FindRequestByID(id)
	if err != nil {
		u.showError(err)
		return
	}
	people := r.ToFingerprint(u.today())
	names := make([]string, len(people))
	for i, p := range people {
		names[i] = p.FullName
	}
	who := widget.NewSelect(names, nil)
	who.SetSelected(person.FullName)
	kinds := make([]string, len(fp.IDKinds))
	for i, k := range fp.IDKinds {
		kinds[i] = k.Label()
	}
	idKind := widget.NewRadioGroup(kinds, nil)
	idNote := widget.NewEntry()
	idNote.SetPlaceHolder("the ID's number, or what it is")
	matches := widget.NewCheck("The name on the ID matches the request", nil)
	note := newTextArea()
	note.SetPlaceHolder("If it does not: what differs, and why the identity is accepted")
	note.SetMinRowsVisible(2)
	facts := widget.NewLabel(fmt.Sprintf("%s · born %s", r.Number, person.DateOfBirth))
	who.OnChanged = func(name string) {
		for _, p := range people {
			if p.FullName == name {
				facts.SetText(fmt.Sprintf("%s · born %s", r.Number, p.DateOfBirth))
			}
		}
	}
	hint := widget.NewLabel("A passport or other valid photo ID; without one, the alternatives applicants are told they may bring.")
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	items := []*widget.FormItem{
		widget.NewFormItem("Person", container.NewVBox(who, facts)),
		widget.NewFormItem("ID seen", container.NewVBox(idKind, hint)),
		widget.NewFormItem("ID number", idNote),
		widget.NewFormItem("", matches),
		widget.NewFormItem("Note", note),
	}
	override, why := widget.NewCheck("Override: see a walk-in outside public hours (director)", nil), widget.NewEntry()
	if u.actor.Role == fp.RoleDirector {
		why.SetPlaceHolder("why, for the history")
		items = append(items, widget.NewFormItem("", override), widget.NewFormItem("Override reason", why))
	}
	d := u.newFormDialog("Check in", "Check in", items, func() error {
		in := fp.CheckInInput{ID: "", IDNote: idNote.Text, NameMatches: matches.Checked, Note: note.Text, Override: override.Checked, Reason: why.Text}
		for _, p := range people {
			if p.FullName == who.Selected {
				in.PersonID = p.ID
			}
		}
		for _, k := range fp.IDKinds {
			if k.Label() == idKind.Selected {
				in.ID = k
			}
		}
		r, err := u.db.CheckInPerson(u.actor, id, in)
		if err != nil {
			return err
		}
		ap, _ := r.CurrentAppointment(in.PersonID)
		msg := who.Selected + " is checked in."
		if ap.WalkIn {
			msg = who.Selected + " is checked in as a walk-in: seen after the scheduled applicants."
		}
		s.refresh()
		s.say(widget.SuccessImportance, msg)
		return nil
	})
	d.show(u, 620)
}

// collect records what was captured for a checked-in person.
func (s *todayScreen) collect(id fp.RequestID, person fp.Person) {
	u := s.ui
	captured := widget.NewCheckGroup([]string{string(fp.CaptureFingerprints), string(fp.CapturePhoto), string(fp.CaptureSignature)}, nil)
	captured.SetSelected([]string{string(fp.CaptureFingerprints), string(fp.CapturePhoto), string(fp.CaptureSignature)})
	codes := []string{"(no code on the notice)", fp.CodeLabel(1), fp.CodeLabel(2), fp.CodeLabel(3)}
	code := widget.NewSelect(codes, nil)
	code.SetSelectedIndex(0)
	items := []*widget.FormItem{
		widget.NewFormItem("Person", widget.NewLabel(person.FullName)),
		widget.NewFormItem("Captured", captured),
		widget.NewFormItem("Biometric code", code),
		widget.NewFormItem("Officer", widget.NewLabel(u.who)),
	}
	d := u.newFormDialog("Biometrics collected", "Record", items, func() error {
		in := fp.CollectInput{PersonID: person.ID, Code: code.SelectedIndex()}
		for _, c := range captured.Selected {
			in.Captured = append(in.Captured, fp.Capture(c))
		}
		r, err := u.db.Collect(u.actor, id, in)
		if err != nil {
			return err
		}
		s.refresh()
		msg := person.FullName + ": biometrics collected. Print the stamped notice for them to keep."
		if r.Status == fp.StatusCompleted {
			msg += " " + r.Number + " is completed."
		}
		s.say(widget.SuccessImportance, msg)
		return nil
	})
	d.show(u, 520)
}

func (s *todayScreen) onCloseDay() {
	u := s.ui
	if !s.sched.DayClosed(s.day, u.Now()) {
		s.say(widget.WarningImportance, "The public hours of this day are not over yet: close the day after closing time.")
		return
	}
	dialog.ShowConfirm("Close "+s.day.String(), "Everyone booked who has not been collected is marked missed. They may walk in within the walk-in window. Close the day?", func(ok bool) {
		if !ok {
			return
		}
		n, err := u.db.CloseDay(u.actor, s.day)
		if err != nil {
			u.showError(err)
			return
		}
		s.refresh()
		s.say(widget.SuccessImportance, fmt.Sprintf("Day closed: %d %s marked missed.", n, plural(n, "appointment", "appointments")))
	}, u.win)
}

func (s *todayScreen) onDaySheet() {
	u := s.ui
	u.touch()
	_, path, err := u.printDoc("", workflow.Document{Kind: workflow.DaySheet, Day: s.day})
	if err != nil {
		u.showError(err)
		return
	}
	s.say(widget.SuccessImportance, "Day sheet written to "+path+" "+openedIn(u.openFile(path)))
}

// printStamp signs (first time) and prints the stamped notice of a collected person.
func (u *UI) printStamp(id fp.RequestID, person fp.Person) {
	u.touch()
	r, err := u.db.FindRequestByID(id)
	if err != nil {
		u.showError(err)
		return
	}
	p, path, err := u.printDoc(r.Number+" "+person.FullName, workflow.Document{Kind: workflow.StampNotice, Request: id, Person: person.ID})
	if err != nil {
		u.showError(err)
		return
	}
	u.offerPrint(path, fmt.Sprintf("The stamped notice %s of %s (copy %d)", p.Stamp.Code, person.FullName, p.Copy), u.openFile(path))
}
