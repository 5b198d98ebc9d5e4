package ui

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// requestScreen is the intake form for a new request and the detail/edit form
// of an existing one.
type requestScreen struct {
	ui  *UI
	req *fp.Request // nil for a new request
	// loaded is what the form showed when opened or last saved: unsaved
	// changes are any difference from it.
	loaded fp.RequestInput

	received, basis, receipts, anumber  *widget.Entry
	name, dob, email, phone             *widget.Entry
	passport                            passportFields // the applicant's
	ascDate, ascPlace, departure, rnote *widget.Entry
	category, notice, rasked            *widget.RadioGroup

	household    []*householdRow
	householdBox *fyne.Container
	hhSection    *fyne.Container
	otherSection *fyne.Container

	areas    map[*widget.Entry]fyne.CanvasObject // multi-line entries -> the textArea that wraps them
	errs     map[*widget.Label][]string          // a message line -> the field keys it speaks for
	errOrder []*widget.Label                     // the message lines top to bottom
	scroll   *container.Scroll                   // the Details tab's fields
	touched  map[string]bool
	tried    bool // a save was attempted: show every problem
	warnings *widget.Label
	blocked  []string // decisions shown disabled, and why
	message  *widget.Label
	presence *widget.Label // who else has it open (an office server)
	saveBtn  *widget.Button
	content  fyne.CanvasObject
	filling  bool // widgets are being set programmatically

	header     *fyne.Container // number, status, decisions, documents to print
	historyBox *fyne.Container
	tabs       *container.AppTabs // details and documents (saved requests only)
	docsTab    *container.TabItem
	docs       *docsPanel
	// The Appointments tab, for requests marked eligible and later.
	schedTab *container.TabItem
	sched    *schedulePanel
}

type householdRow struct {
	id        int // the stored member's id: keeps their documents with them
	name, dob *widget.Entry
	passport  passportFields
	age       *widget.Label
	errs      *widget.Label
	remove    *iconButton
	box       *fyne.Container
}

// passportFields are the four passport entries of one person.
type passportFields struct {
	number, expiry, nationality, sex *widget.Entry
}

func (p passportFields) entries() []*widget.Entry {
	return []*widget.Entry{p.number, p.expiry, p.nationality, p.sex}
}

func (p passportFields) input() fp.PassportInput {
	return fp.PassportInput{Number: p.number.Text, Expiry: p.expiry.Text, Nationality: p.nationality.Text, Sex: p.sex.Text}
}

func (p passportFields) set(in fp.PassportInput) {
	p.number.SetText(in.Number)
	p.expiry.SetText(in.Expiry)
	p.nationality.SetText(in.Nationality)
	p.sex.SetText(in.Sex)
}

// newPassportFields makes the entries; field maps a key to the person's field key.
func (f *requestScreen) newPassportFields(field func(string) string) passportFields {
	mk := func(key, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.OnChanged = func(string) { f.changed(field(key)) }
		return e
	}
	p := passportFields{mk(fp.FieldPassport, "Passport no."), mk(fp.FieldPassportExpiry, "Expires YYYY-MM-DD"),
		mk(fp.FieldNationality, "Nat. (CHN)"), mk(fp.FieldSex, "F/M/X")}
	p.number.TextStyle.Monospace = true
	return p
}

// row lays the passport entries out in one line.
func (p passportFields) row() fyne.CanvasObject {
	w := func(width float32, e *widget.Entry) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(width, e.MinSize().Height), e)
	}
	return container.NewHBox(w(150, p.number), w(190, p.expiry), w(120, p.nationality), w(80, p.sex))
}

// passportKeys are the field keys of one person's passport entries.
func passportKeys(field func(string) string) []string {
	return []string{field(fp.FieldPassport), field(fp.FieldPassportExpiry), field(fp.FieldNationality), field(fp.FieldSex)}
}

var categoryOptions, noticeOptions []string

func init() {
	for _, c := range fp.Categories {
		categoryOptions = append(categoryOptions, c.Label())
	}
	for _, n := range fp.NoticeTypes {
		noticeOptions = append(noticeOptions, n.Label())
	}
}

func newRequestScreen(u *UI, r *fp.Request) *requestScreen {
	f := &requestScreen{ui: u, req: r, errs: map[*widget.Label][]string{}, touched: map[string]bool{}, areas: map[*widget.Entry]fyne.CanvasObject{}}
	entry := func(key, placeholder string, multi bool) *widget.Entry {
		e := widget.NewEntry()
		if multi {
			ta := newTextArea()
			e = &ta.Entry
			e.SetMinRowsVisible(3)
			f.areas[e] = ta
		}
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { f.changed(key) }
		return e
	}
	f.received = entry(fp.FieldReceived, "YYYY-MM-DD (empty: today)", false)
	f.basis = entry(fp.FieldBasis, "Why the applicant asks this office to collect biometrics", true)
	f.receipts = entry(fp.FieldReceiptNumbers, "e.g. IOE0912345678; separate several with ;", false)
	f.anumber = entry(fp.FieldANumber, "e.g. A012345678 or A-012-345-678", false)
	f.name = entry(fp.FieldFullName, "As in the passport", false)
	f.dob = entry(fp.FieldDateOfBirth, "YYYY-MM-DD", false)
	f.email = entry(fp.FieldEmail, "name@example.com", false)
	f.phone = entry(fp.FieldPhone, "+86 20 8518 7700", false)
	f.passport = f.newPassportFields(func(k string) string { return k })
	f.ascDate = entry(fp.FieldASCDate, "YYYY-MM-DD", false)
	f.ascPlace = entry(fp.FieldASCPlace, "e.g. Los Angeles ASC", false)
	f.departure = entry(fp.FieldDepartureReason, "The urgent circumstances that forced departure from the U.S.", true)
	f.rnote = entry(fp.FieldRescheduleNote, "What was asked for, or why nothing was", true)
	for _, e := range []*widget.Entry{f.receipts, f.anumber} {
		e.TextStyle.Monospace = true
	}
	f.category = widget.NewRadioGroup(categoryOptions, func(string) { f.changed(fp.FieldCategory); f.showSections() })
	f.notice = widget.NewRadioGroup(noticeOptions, func(string) { f.changed(fp.FieldNoticeType) })
	f.rasked = widget.NewRadioGroup([]string{"Yes", "No"}, func(string) { f.changed(fp.FieldRescheduleAsked) })
	f.rasked.Horizontal = true

	f.warnings = widget.NewLabel("")
	f.warnings.Wrapping = fyne.TextWrapWord
	f.warnings.Importance = widget.WarningImportance
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { f.save(nil) })
	f.saveBtn.Importance = widget.HighImportance

	row := func(label, key string, w fyne.CanvasObject) *widget.FormItem {
		if e, ok := w.(*widget.Entry); ok && f.areas[e] != nil {
			w = f.areas[e] // the widget itself, so its AcceptsTab is the one asked
		}
		return widget.NewFormItem(label, container.NewVBox(w, container.New(tight{}, f.errLine(key))))
	}
	main := widget.NewForm(
		row("Applicant's full name", fp.FieldFullName, f.name),
		row("Date of birth", fp.FieldDateOfBirth, f.dob),
		widget.NewFormItem("Passport", container.NewVBox(f.passport.row(),
			container.New(tight{}, f.errLine(fp.FieldPassport, fp.FieldPassportExpiry, fp.FieldNationality, fp.FieldSex)))),
		row("Category", fp.FieldCategory, f.category),
		row("Basis", fp.FieldBasis, f.basis),
		row("Notice supplied", fp.FieldNoticeType, f.notice),
		row("Receipt number(s)", fp.FieldReceiptNumbers, f.receipts),
		row("A-number", fp.FieldANumber, f.anumber),
		row("E-mail", fp.FieldEmail, f.email),
		row("Phone", fp.FieldPhone, f.phone),
		row("Received", fp.FieldReceived, f.received),
	)

	f.householdBox = container.NewVBox()
	addAdult := widget.NewButtonWithIcon("Add member", theme.ContentAddIcon(), func() {
		row := f.addHousehold(fp.PersonInput{})
		f.changed(fp.FieldHousehold)
		f.ui.win.Canvas().Focus(row.name)
	})
	f.hhSection = container.NewVBox(
		heading("Household members"),
		widget.NewLabel("Everyone living in the household besides the applicant. Adults (18 and over) are fingerprinted;\nchildren are listed only."),
		f.householdBox, f.errLine(fp.FieldHousehold),
		container.NewHBox(addAdult))

	f.otherSection = container.NewVBox(
		heading("For the director: why this office (All others)"),
		widget.NewForm(
			row("U.S. ASC appointment date", fp.FieldASCDate, f.ascDate),
			row("ASC place", fp.FieldASCPlace, f.ascPlace),
			row("Why they left the U.S.", fp.FieldDepartureReason, f.departure),
			row("Expedite/reschedule asked before leaving?", fp.FieldRescheduleAsked, f.rasked),
			row("Details", fp.FieldRescheduleNote, f.rnote),
		))

	f.header = container.NewVBox()
	f.drawHeader()
	back := widget.NewButtonWithIcon("Queue", theme.NavigateBackIcon(), func() { u.Navigate(navQueue) })
	buttons := container.NewHBox(f.saveBtn, back, layout.NewSpacer())

	body := container.NewVBox(main, f.hhSection, f.otherSection, f.warnings)
	f.scroll = container.NewVScroll(body)
	var center fyne.CanvasObject = container.NewThemeOverride(f.scroll, readableFields{})
	if r != nil {
		f.historyBox = container.NewVBox()
		f.drawHistory()
		body.Add(f.historyBox)
		f.docs = newDocsPanel(f)
		c := r.Completeness(u.today())
		f.docsTab = container.NewTabItemWithIcon("Documents "+c.String(), theme.FileIcon(), f.docs.content)
		f.tabs = container.NewAppTabs(container.NewTabItemWithIcon("Details", theme.DocumentIcon(), center), f.docsTab)
		f.tabs.OnSelected = func(t *container.TabItem) {
			if t == f.docsTab {
				f.docs.show() // the scan is decoded when first looked at
			}
		}
		f.drawSchedule()
		if f.schedTab != nil && (r.Status == fp.StatusReadyToSchedule || r.Status == fp.StatusScheduled) {
			f.tabs.Select(f.schedTab) // what there is to do with it now
		}
		center = f.tabs
	}
	f.content = container.NewBorder(container.NewVBox(f.header, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, buttons, nil, f.message)),
		nil, nil, center)

	if r != nil {
		f.fill(r.Input())
		if err := fp.CheckEdit(u.actor, r); err != nil {
			f.setReadOnly(fp.ErrorMessage(err))
		}
	} else {
		f.fill(fp.RequestInput{})
	}
	return f
}

// drawHeader draws the number, status and age, the decisions the person
// may make (blocked ones with the reason) and the documents to print.
func (f *requestScreen) drawHeader() {
	u, r := f.ui, f.req
	title := "New request"
	if r != nil {
		title = r.Number
	}
	head := container.NewHBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: r != nil}))
	f.header.Objects = []fyne.CanvasObject{head}
	f.blocked = nil
	if r == nil {
		f.header.Refresh()
		return
	}
	b := newBadge()
	b.set(r.Status)
	head.Add(b.box)
	head.Add(widget.NewLabel(fmt.Sprintf("received %s, %d days ago · %d %s", r.Received, r.Age(u.today()), r.People(u.today()), plural(r.People(u.today()), "person", "people"))))
	docs := container.NewHBox(widget.NewButtonWithIcon("Record (PDF)", theme.DocumentPrintIcon(), func() { f.print(f.ui.printRecord) }))
	switch r.Status {
	case fp.StatusDenied:
		docs.Add(widget.NewButtonWithIcon("Denial letter (PDF)", theme.MailSendIcon(), func() { f.print(f.ui.printLetter) }))
	case fp.StatusScheduled:
		docs.Add(widget.NewButtonWithIcon("Appointment letter (PDF)", theme.MailSendIcon(), func() { f.ui.printRequestLetter(f.req) }))
	case fp.StatusAwaitingDocuments:
		if len(r.Outstanding(u.today())) > 0 {
			docs.Add(widget.NewButtonWithIcon("Ask for documents", theme.MailComposeIcon(), func() { f.docs.askMissing() }))
		}
	}
	// Decisions and documents wrap onto a second line on a narrow window.
	row := container.New(layout.NewRowWrapLayout(), f.actions().Objects...)
	if fp.CheckPrint(u.actor) == nil { // an administrator prints nothing of an applicant's
		for _, o := range docs.Objects {
			row.Add(o)
		}
	}
	if u.actor.Role == fp.RoleDirector || u.actor.Role == fp.RoleAdmin {
		label := "Legal hold…"
		if r.Hold != nil {
			label = "Release legal hold…"
		}
		row.Add(widget.NewButtonWithIcon(label, theme.WarningIcon(), f.onHold))
	}
	f.header.Add(row)
	if h := r.Hold; h != nil {
		l := widget.NewLabel(fmt.Sprintf("On legal hold since %s (%s): %s. No purge destroys its data while the hold is on.", u.when(h.At), h.By, h.Reason))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		f.header.Add(l)
	}
	if len(r.Incomplete) > 0 {
		l := widget.NewLabel("Incomplete — from import: " + r.IncompleteText() + " missing. Fill " + plural(len(r.Incomplete), "it", "them") +
			" on the Details tab; decisions and booking wait for " + plural(len(r.Incomplete), "it", "them") + ".")
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		f.header.Add(l)
	}
	if o := r.Origin; o != nil {
		text := "Imported from " + o.String()
		if o.Status != "" {
			text += fmt.Sprintf(" · status in the tracker: %q", o.Status)
		}
		if o.Notes != "" {
			text += " · notes: " + strings.ReplaceAll(o.Notes, "\n", " / ")
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		f.header.Add(l)
	}
	for _, why := range f.blocked {
		l := widget.NewLabel(why)
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		l.Importance = widget.WarningImportance
		f.header.Add(l)
	}
	if f.presence != nil {
		f.header.Add(f.presence)
	}
	f.header.Refresh()
}

// drawSchedule adds or refreshes the Appointments tab, for requests marked
// eligible and later.
func (f *requestScreen) drawSchedule() {
	r, today := f.req, f.ui.today()
	if !showsSchedule(r) {
		return
	}
	if f.sched == nil {
		f.sched = newSchedulePanel(f)
		f.schedTab = container.NewTabItemWithIcon("", theme.GridIcon(), f.sched.content)
		f.tabs.Append(f.schedTab)
	} else {
		f.sched.proposal = nil
		f.sched.refresh()
	}
	sp := r.Schedule(today)
	f.schedTab.Text = fmt.Sprintf("Appointments %d/%d", len(sp)-len(r.Unbooked(today)), len(sp))
}

// requestTab names the tab to show after a change.
type requestTab int

const (
	tabStay requestTab = iota // the tab the person is on
	tabDocuments
	tabAppointments
)

// update shows r, just changed by an action on this screen, in place: the
// header, the tab panels, their titles and the history redraw; edits typed
// on the Details tab and not saved are kept. A change of what the person
// may edit (the request closed) builds the screen again.
func (f *requestScreen) update(r *fp.Request, tab requestTab, msg string) {
	if (fp.CheckEdit(f.ui.actor, f.req) == nil) != (fp.CheckEdit(f.ui.actor, r) == nil) {
		next := newRequestScreen(f.ui, r)
		f.ui.showForm(next)
		next.say(msg)
		return
	}
	edits, dirty := f.input(), f.dirty()
	f.req = r
	f.fill(r.Input()) // what is stored, normalised
	if dirty {
		loaded := f.loaded
		f.fill(edits)
		f.loaded = loaded
		f.validate()
	}
	f.drawHeader()
	f.drawHistory()
	f.docs.items = r.Checklist(f.ui.today())
	f.docs.refresh()
	f.docsTab.Text = "Documents " + r.Completeness(f.ui.today()).String()
	f.drawSchedule()
	switch {
	case tab == tabDocuments:
		f.tabs.Select(f.docsTab)
	case tab == tabAppointments && f.schedTab != nil:
		f.tabs.Select(f.schedTab)
	}
	f.tabs.Refresh()
	f.say(msg)
}

// say puts a success message in the message line.
func (f *requestScreen) say(msg string) {
	f.message.SetText(msg)
	f.message.Importance = widget.SuccessImportance
	f.message.Refresh()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func heading(s string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errLine is the red message line under a field. It keeps its room when
// empty, so the form does not jump (and a click land in the wrong field) as
// messages come and go.
func (f *requestScreen) errLine(keys ...string) *widget.Label {
	l := newErrLabel()
	f.errs[l] = keys
	f.errOrder = append(f.errOrder, l)
	return l
}

// showFirstError scrolls the fields so the topmost message is in view.
func (f *requestScreen) showFirstError() {
	lines := f.errOrder
	for _, h := range f.household {
		lines = append(lines, h.errs)
	}
	d := fyne.CurrentApp().Driver()
	var first fyne.CanvasObject
	top := float32(0)
	for _, l := range lines {
		if l.Text == "" || !l.Visible() {
			continue
		}
		y := d.AbsolutePositionForObject(l).Y
		if first == nil || y < top {
			first, top = l, y
		}
	}
	if first == nil || f.scroll == nil {
		return
	}
	// The field is a line or two above its message.
	y := top - d.AbsolutePositionForObject(f.scroll).Y + f.scroll.Offset.Y - 3*theme.TextSize()
	f.scroll.ScrollToOffset(fyne.NewPos(0, max(0, y)))
}

// tight lays out one label without the padding above and below its text:
// a message line that is usually empty then takes a line's height, not a
// field's.
type tight struct{}

func (tight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	return fyne.NewSize(m.Width, max(0, m.Height-2*theme.InnerPadding()))
}

func (tight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p := theme.InnerPadding()
	objs[0].Move(fyne.NewPos(0, -p))
	objs[0].Resize(fyne.NewSize(size.Width, size.Height+2*p))
}

// newErrLabel is a wrapping red line: messages are long and must not widen the form.
func newErrLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func (f *requestScreen) addHousehold(p fp.PersonInput) *householdRow {
	i := len(f.household)
	field := func(k string) string { return fp.HouseholdField(i, k) }
	hr := &householdRow{id: p.ID, name: widget.NewEntry(), dob: widget.NewEntry(), passport: f.newPassportFields(field), age: widget.NewLabel("")}
	hr.name.SetPlaceHolder("Full name as in the passport")
	hr.dob.SetPlaceHolder("YYYY-MM-DD")
	hr.name.SetText(p.FullName)
	hr.dob.SetText(p.DateOfBirth)
	hr.passport.set(p.Passport)
	hr.name.OnChanged = func(string) { f.changed(field(fp.FieldFullName)) }
	hr.dob.OnChanged = func(string) { f.changed(field(fp.FieldDateOfBirth)); f.showAge(hr) }
	hr.errs = newErrLabel()
	remove := newIconButton(theme.DeleteIcon(), "Remove this member", func() { f.removeHousehold(hr) })
	hr.remove = remove
	dob := container.NewGridWrap(fyne.NewSize(140, hr.dob.MinSize().Height), hr.dob)
	hr.box = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(fmt.Sprintf("Member %d", i+1)), container.NewHBox(dob, hr.age, remove), hr.name),
		container.NewHBox(widget.NewLabel("Passport"), hr.passport.row()),
		hr.errs)
	f.showAge(hr)
	f.household = append(f.household, hr)
	f.householdBox.Add(hr.box)
	return hr
}

// showAge says beside the birth date whether the member is fingerprinted.
func (f *requestScreen) showAge(hr *householdRow) {
	d, err := fp.ParseDate(hr.dob.Text)
	switch {
	case err != nil || d.After(f.ui.today()):
		hr.age.SetText("")
	case (fp.Person{DateOfBirth: d}).Adult(f.ui.today()):
		hr.age.SetText(fmt.Sprintf("age %d", d.AgeOn(f.ui.today())))
	default:
		hr.age.SetText(fmt.Sprintf("age %d: under 18, not fingerprinted", d.AgeOn(f.ui.today())))
	}
}

func (f *requestScreen) removeHousehold(hr *householdRow) {
	in := f.input()
	var keep []fp.PersonInput
	for i, h := range f.household {
		if h != hr {
			keep = append(keep, in.Household[i])
		}
	}
	f.setHousehold(keep)
	f.changed(fp.FieldHousehold)
}

func (f *requestScreen) setHousehold(ps []fp.PersonInput) {
	f.household = nil
	f.householdBox.RemoveAll()
	for _, p := range ps {
		f.addHousehold(p)
	}
}

// fill sets every widget from in without marking anything touched.
func (f *requestScreen) fill(in fp.RequestInput) {
	f.filling = true
	defer func() { f.filling = false }()
	f.received.SetText(in.Received)
	f.basis.SetText(in.Basis)
	f.receipts.SetText(in.ReceiptNumbers)
	f.anumber.SetText(in.ANumber)
	f.name.SetText(in.FullName)
	f.dob.SetText(in.DateOfBirth)
	f.email.SetText(in.Email)
	f.phone.SetText(in.Phone)
	f.passport.set(in.Passport)
	f.ascDate.SetText(in.ASCDate)
	f.ascPlace.SetText(in.ASCPlace)
	f.departure.SetText(in.DepartureReason)
	f.rnote.SetText(in.RescheduleNote)
	f.category.SetSelected("")
	for _, c := range fp.Categories {
		if string(c) == in.Category {
			f.category.SetSelected(c.Label())
		}
	}
	f.notice.SetSelected("")
	for _, n := range fp.NoticeTypes {
		if string(n) == in.NoticeType {
			f.notice.SetSelected(n.Label())
		}
	}
	switch in.RescheduleAsked {
	case "yes":
		f.rasked.SetSelected("Yes")
	case "no":
		f.rasked.SetSelected("No")
	default:
		f.rasked.SetSelected("")
	}
	f.setHousehold(in.Household)
	f.loaded = f.input()
	f.touched = map[string]bool{}
	f.tried = false
	f.showSections()
	f.validate()
}

// input reads the widgets. Sections hidden for the chosen category are left
// out, so what is saved is what the clerk can see.
func (f *requestScreen) input() fp.RequestInput {
	in := fp.RequestInput{
		// An imported request's gaps may stay empty until they are known.
		Incomplete: f.req != nil && len(f.req.Incomplete) > 0,
		Received:   f.received.Text, Basis: f.basis.Text, ReceiptNumbers: f.receipts.Text, ANumber: f.anumber.Text,
		FullName: f.name.Text, DateOfBirth: f.dob.Text, Email: f.email.Text, Phone: f.phone.Text,
		Passport: f.passport.input(),
	}
	for _, c := range fp.Categories {
		if c.Label() == f.category.Selected {
			in.Category = string(c)
		}
	}
	for _, n := range fp.NoticeTypes {
		if n.Label() == f.notice.Selected {
			in.NoticeType = string(n)
		}
	}
	if in.Category == string(fp.CategoryAdoption) {
		for _, h := range f.household {
			in.Household = append(in.Household, fp.PersonInput{ID: h.id, FullName: h.name.Text, DateOfBirth: h.dob.Text, Passport: h.passport.input()})
		}
	}
	if in.Category == string(fp.CategoryOther) {
		in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleNote = f.ascDate.Text, f.ascPlace.Text, f.departure.Text, f.rnote.Text
		in.RescheduleAsked = strings.ToLower(f.rasked.Selected)
	}
	return in
}

func (f *requestScreen) dirty() bool {
	if f.req != nil && fp.CheckEdit(f.ui.actor, f.req) != nil {
		return false
	}
	return !reflect.DeepEqual(f.input(), f.loaded)
}

func (f *requestScreen) discard() { f.fill(f.loaded) }

func (f *requestScreen) what() string {
	if f.req == nil {
		return "this new request"
	}
	return f.req.Number
}

func (f *requestScreen) showSections() {
	if f.hhSection == nil || f.otherSection == nil {
		return
	}
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(f.hhSection, f.category.Selected == fp.CategoryAdoption.Label())
	show(f.otherSection, f.category.Selected == fp.CategoryOther.Label())
}

func (f *requestScreen) changed(key string) {
	if f.filling {
		return
	}
	f.touched[key] = true
	f.ui.touch()
	f.message.SetText("")
	f.validate()
}

// validate runs the domain's Parse and shows, under each field the clerk has
// touched (every field after a save attempt), what is wrong and how to fix it.
func (f *requestScreen) validate() (*fp.Request, []string, fp.FieldErrors) {
	r, warns, err := f.input().Parse(f.ui.today())
	var fe fp.FieldErrors
	var e *fp.Error
	if errors.As(err, &e) {
		fe = e.Fields
	}
	for t, keys := range f.errs {
		var msgs []string
		for _, key := range keys {
			if f.tried || f.touched[key] {
				msgs = append(msgs, fe.For(key)...)
			}
		}
		t.SetText(capitalize(strings.Join(msgs, "; ")))
	}
	for i, h := range f.household {
		var msgs []string
		field := func(k string) string { return fp.HouseholdField(i, k) }
		for _, k := range append([]string{field(fp.FieldFullName), field(fp.FieldDateOfBirth)}, passportKeys(field)...) {
			if f.tried || f.touched[k] {
				msgs = append(msgs, fe.For(k)...)
			}
		}
		h.errs.SetText(capitalize(strings.Join(msgs, "; ")))
	}
	if r != nil && len(r.Incomplete) > 0 {
		warns = append([]string{"Still missing (the import left it empty): " + r.IncompleteText()}, warns...)
	}
	f.warnings.SetText(strings.Join(warns, "\n"))
	if len(warns) == 0 {
		f.warnings.Hide()
	} else {
		f.warnings.Show()
	}
	return r, warns, fe
}

// save validates, checks for duplicates, asks when one is found, and saves.
// then runs after a successful save.
func (f *requestScreen) save(then func()) {
	if f.req != nil {
		if err := fp.CheckEdit(f.ui.actor, f.req); err != nil {
			f.ui.showError(err)
			return
		}
	}
	f.tried = true
	r, _, fe := f.validate()
	if len(fe) > 0 {
		f.message.SetText(fmt.Sprintf("Not saved: %d %s to fix, marked in red.", len(fe), plural(len(fe), "problem", "problems")))
		f.message.Importance = widget.DangerImportance
		f.message.Refresh()
		if f.tabs != nil {
			f.tabs.SelectIndex(0) // the fields are on the Details tab
		}
		f.showFirstError()
		return
	}
	if f.req != nil {
		r.ID = f.req.ID
	}
	dups, err := f.ui.db.FindDuplicates(r)
	if err != nil {
		f.ui.showError(err)
		return
	}
	if len(dups) == 0 {
		f.commit(r, false, then)
		return
	}
	lines := make([]string, len(dups))
	for i, d := range dups {
		lines[i] = "• " + d.String()
	}
	msg := widget.NewLabel("This may be a person who already has an open request:\n" + strings.Join(lines, "\n") +
		"\n\nOpen the existing request instead, unless this is a different application.")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Possible duplicate", "Save anyway", "Don't save", msg, func(ok bool) {
		if ok {
			f.commit(r, true, then)
		} else {
			f.message.SetText("Not saved: possible duplicate.")
		}
	}, f.ui.win)
	d.Resize(fyne.NewSize(560, 260))
	d.Show()
}

func (f *requestScreen) commit(r *fp.Request, allowDup bool, then func()) {
	opt := fp.SaveOptions{AllowDuplicates: allowDup}
	var saved *fp.Request
	var err error
	if f.req == nil {
		saved, err = f.ui.db.CreateRequest(f.ui.actor, r, opt)
	} else {
		saved, err = f.ui.db.UpdateRequest(f.ui.actor, f.req.ID, f.req.Version, r, opt)
	}
	if err != nil {
		f.ui.showError(err)
		return
	}
	if then != nil {
		f.loaded = f.input() // nothing unsaved is left: leave without asking again
		then()
		return
	}
	if f.req != nil {
		f.loaded = f.input() // saved: the stored, normalised values replace what was typed
		f.update(saved, tabStay, fmt.Sprintf("Saved %s at %s.", saved.Number, f.ui.clock()))
		return
	}
	// A new request becomes a stored one: its tabs appear.
	next := newRequestScreen(f.ui, saved)
	f.ui.showForm(next)
	next.say(fmt.Sprintf("Recorded %s at %s.", saved.Number, f.ui.clock()))
}

// actions are the status changes the acting user may make now.
func (f *requestScreen) actions() *fyne.Container {
	box := container.NewHBox()
	if f.req == nil {
		return box
	}
	for _, dc := range fp.Decisions(f.ui.actor, f.req, f.ui.today()) {
		t := dc.Rule
		icon := theme.MediaPlayIcon()
		if t.To == fp.StatusWithdrawn {
			icon = theme.CancelIcon()
		}
		b := widget.NewButtonWithIcon(t.Action, icon, func() { f.transition(t) })
		if dc.Why != nil {
			b.Disable() // shown, with the reason under the header
			f.blocked = append(f.blocked, t.Action+": "+fp.ErrorMessage(dc.Why))
		}
		box.Add(b)
	}
	return box
}

func (f *requestScreen) transition(t fp.TransitionRule) {
	if f.dirty() {
		f.message.SetText("Save or discard your changes first (Ctrl+S saves).")
		return
	}
	apply := func(reason string) error {
		r, err := f.ui.db.TransitionRequest(f.ui.actor, f.req.ID, t.To, reason)
		if err != nil {
			return err
		}
		f.update(r, tabStay, fmt.Sprintf("%s is now %s.", r.Number, r.Status.Label()))
		return nil
	}
	if !t.NeedsReason {
		if err := apply(""); err != nil {
			f.ui.showError(err)
		}
		return
	}
	f.ui.askReason(t.Action+" "+f.req.Number, t.Action, apply)
}

// drawHistory lists the request's audit trail: every change with who and when.
func (f *requestScreen) drawHistory() {
	box := f.historyBox
	box.Objects = []fyne.CanvasObject{heading("History")}
	entries, err := f.ui.db.RequestAudit(f.req.Number)
	if err != nil {
		box.Add(widget.NewLabel(fp.ErrorMessage(err)))
	}
	for _, e := range entries {
		l := widget.NewLabel(f.ui.when(e.At) + "  " + e.Who() + ": " + e.Describe())
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	box.Refresh()
}

func (f *requestScreen) setReadOnly(why string) {
	for _, e := range append([]*widget.Entry{f.received, f.basis, f.receipts, f.anumber, f.name, f.dob, f.email, f.phone, f.ascDate, f.ascPlace, f.departure, f.rnote}, f.passport.entries()...) {
		e.Disable()
	}
	for _, h := range f.household {
		for _, e := range append([]*widget.Entry{h.name, h.dob}, h.passport.entries()...) {
			e.Disable()
		}
		h.remove.Hide()
	}
	f.category.Disable()
	f.notice.Disable()
	f.rasked.Disable()
	f.saveBtn.Disable()
	f.message.SetText(why)
}

func (f *requestScreen) focusFirst() {
	if f.tabs != nil && f.tabs.SelectedIndex() != 0 {
		// It opened on another tab, where the name is not on screen (Fyne
		// refuses the focus and logs an error): on Appointments, finding
		// slots is what there is to do.
		if f.tabs.Selected() == f.schedTab && f.sched.finder.Visible() {
			f.ui.win.Canvas().Focus(f.sched.notBefore)
		}
		return
	}
	if f.req == nil || !f.received.Disabled() {
		f.ui.win.Canvas().Focus(f.name)
	}
}

// print writes one of the request's documents and opens it in the system PDF
// viewer (Fyne has no print dialog; the viewer prints).
func (f *requestScreen) print(write func(*fp.Request) (string, error)) {
	path, err := write(f.req)
	if err != nil {
		f.ui.showError(err)
		return
	}
	f.message.SetText("Written to " + path + " " + openedIn(f.ui.openFile(path)))
}

// reopen shows r (changed by a document action) in place with the
// Documents tab on top and key selected.
func (f *requestScreen) reopen(r *fp.Request, key, msg string) {
	if key != "" {
		f.docs.selected = key
	}
	f.docs.checking = ""
	f.update(r, tabDocuments, msg)
}

// setPerson puts p into the applicant's (i < 0) or the i-th household
// member's fields, as if typed: the form shows them as unsaved changes.
func (f *requestScreen) setPerson(i int, p fp.PersonInput) {
	if i < 0 {
		f.name.SetText(p.FullName)
		f.dob.SetText(p.DateOfBirth)
		f.passport.set(p.Passport)
	} else if i < len(f.household) {
		h := f.household[i]
		h.name.SetText(p.FullName)
		h.dob.SetText(p.DateOfBirth)
		h.passport.set(p.Passport)
	}
	f.validate()
}

// drawPresence says who else has this request open, at which desk (an
// office server only; refreshed with the other desks' changes).
func (f *requestScreen) drawPresence() {
	p, ok := f.ui.db.(Presence)
	if !ok || f.req == nil {
		return
	}
	others := p.OpenElsewhere(f.req.Number)
	if f.presence == nil {
		f.presence = widget.NewLabel("")
		f.presence.Importance = widget.WarningImportance
		f.presence.Wrapping = fyne.TextWrapWord
		f.header.Add(f.presence)
	}
	if len(others) == 0 {
		f.presence.Hide()
		return
	}
	f.presence.SetText("Also open at another desk: " + strings.Join(others, ", ") + ". Changes made there show here; a save that meets one says so.")
	f.presence.Show()
}
