package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// settingsScreen is the administrator's office profile: the letterhead, the
// public hours and capacity, and the appointment rules. It exports and
// imports the whole profile as one JSON file.
type settingsScreen struct {
	ui      *UI
	banner  *widget.Label
	message *widget.Label
	entries map[string]*widget.Entry
	hours   [7]*widget.Entry
	missed  *widget.RadioGroup
	errs    map[string]*widget.Label
	saveBtn *widget.Button
	content fyne.CanvasObject
	loaded  fp.Profile
	shown   map[string]string // what the fields held when filled: unsaved changes differ
	// The signed checkpoints' folder: saved as soon as it is chosen.
	cpFolder, cpStatus *widget.Label
	cpChoose, cpNone   *widget.Button
}

const (
	missedClosing = "Automatically at closing time"
	missedClerk   = "When a clerk closes the day"
)

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{ui: u, entries: map[string]*widget.Entry{}, errs: map[string]*widget.Label{}}
	s.banner = widget.NewLabel("")
	s.banner.Wrapping = fyne.TextWrapWord
	s.banner.Importance = widget.WarningImportance
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord

	entry := func(key, placeholder string, multi bool) fyne.CanvasObject {
		var e *widget.Entry
		var w fyne.CanvasObject
		if multi {
			ta := newTextArea()
			ta.SetMinRowsVisible(3)
			e, w = &ta.Entry, ta
		} else {
			e = widget.NewEntry()
			w = e
		}
		e.SetPlaceHolder(placeholder)
		s.entries[key] = e
		return container.NewVBox(w, s.errLine(key))
	}
	item := func(label, key, placeholder string, multi bool) *widget.FormItem {
		return widget.NewFormItem(label, entry(key, placeholder, multi))
	}
	letterhead := widget.NewForm(
		item("Office name", "name", "e.g. USCIS Guangzhou Field Office", false),
		item("Address", "address", "One line per row, country last", true),
		item("Phone", "phone", "+86 20 3814 5000", false),
		item("E-mail", "email", "office@example.org", false),
		item("Letters signed by", "signatory", "The field office director's name", false),
		item("Title", "signatory_title", "Field Office Director", false),
	)
	capacity := widget.NewForm(
		item("Time zone", fp.FieldTimeZone, "IANA name, e.g. Asia/Shanghai (empty: this computer's)", false),
		item("Stations", fp.FieldStations, "How many people are fingerprinted at once", false),
		item("Slot length (minutes)", fp.FieldSlotMinutes, "15", false),
		item("Kept for priority categories (%)", fp.FieldReserve, "Share of each day All others can never take", false),
	)
	hours := widget.NewForm()
	for _, d := range fp.WeekdayOrder {
		e := widget.NewEntry()
		e.SetPlaceHolder("closed, or e.g. 08:00-12:00, 13:00-15:00")
		s.hours[d] = e
		hours.Append(d.String(), container.NewVBox(e, s.errLine(fp.HoursField(d))))
	}
	closed := widget.NewForm(item("Closed days", fp.FieldClosed, "One per line: 2026-12-25 Christmas Day", true))
	s.entries[fp.FieldClosed].SetMinRowsVisible(10)
	s.missed = widget.NewRadioGroup([]string{missedClerk, missedClosing}, nil)
	rules := widget.NewForm(
		item("Reschedules allowed", fp.FieldRescheduleLimit, "2", false),
		item("No reschedule within (hours)", fp.FieldCutoffHours, "12", false),
		item("Walk-in window after a miss (days)", fp.FieldWalkInDays, "21", false),
		widget.NewFormItem("Missed appointments marked", container.NewVBox(s.missed, s.errLine(fp.FieldMissedMode))),
	)
	note := widget.NewLabel("Clerks are held to the reschedule limit and cut-off; the director may override with a recorded reason.")
	note.Wrapping = fyne.TextWrapWord

	s.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { s.onSave() })
	s.saveBtn.Importance = widget.HighImportance
	export := widget.NewButtonWithIcon("Export…", theme.DownloadIcon(), s.onExport)
	imp := widget.NewButtonWithIcon("Import…", theme.UploadIcon(), s.onImport)
	s.cpFolder, s.cpStatus = widget.NewLabel(""), widget.NewLabel("")
	s.cpFolder.Wrapping, s.cpStatus.Wrapping = fyne.TextWrapBreak, fyne.TextWrapWord
	s.cpChoose = widget.NewButtonWithIcon("Choose folder…", theme.FolderOpenIcon(), s.onChooseCheckpointFolder)
	s.cpNone = widget.NewButtonWithIcon("Stop writing checkpoints", theme.ContentClearIcon(), func() { s.setCheckpointFolder("") })
	cpNote := widget.NewLabel(fmt.Sprintf("Fieldprint signs the audit trail's length and newest entry with the office's key and writes it to this folder every %d entries, after an hour, and when it closes: choose a USB drive or the office share, not the database's own folder. \"fieldprint audit verify\" and the Audit screen check the history against the newest one.", fp.CheckpointEvery))
	cpNote.Wrapping = fyne.TextWrapWord
	checkpoints := container.NewVBox(cpNote, widget.NewForm(widget.NewFormItem("Folder", s.cpFolder)), container.NewHBox(s.cpChoose, s.cpNone), s.cpStatus)
	left := container.NewVBox(heading("Letterhead"), letterhead, heading("Capacity"), capacity, heading("Appointment rules"), rules, note,
		heading("Signed checkpoints of the audit trail"), checkpoints)
	if bp := newBackupPanel(u); bp != nil && u.actor.Role == fp.RoleAdmin {
		left.Add(bp.content) // backup.go
	}
	right := container.NewVBox(heading("Public hours"), hours, heading("Closed days"), closed)
	s.content = container.NewBorder(
		container.NewVBox(heading("Office settings"), s.banner, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, container.NewHBox(s.saveBtn, export, imp), nil, s.message)),
		nil, nil,
		container.NewVScroll(container.NewVBox(left, right)))
	if u.actor.Role != fp.RoleAdmin {
		s.saveBtn.Disable()
		imp.Disable()
		s.cpChoose.Disable()
		s.cpNone.Disable()
	}
	return s
}

// refreshCheckpoints shows the folder and the last failure to write to it.
func (s *settingsScreen) refreshCheckpoints() {
	dir, err := s.ui.db.CheckpointFolder()
	if err != nil {
		s.ui.showError(err)
		return
	}
	s.cpStatus.Importance = widget.MediumImportance
	switch werr := s.ui.db.CheckpointError(); {
	case dir == "":
		s.cpFolder.SetText("None: no checkpoint is written, so a history shortened or extended behind Fieldprint's back would not show")
		s.cpNone.Disable()
		s.cpStatus.SetText("")
	case werr != nil:
		s.cpFolder.SetText(dir)
		s.cpStatus.Importance = widget.DangerImportance
		s.cpStatus.SetText("The last checkpoint could not be written: " + fp.ErrorMessage(werr))
	default:
		s.cpFolder.SetText(dir)
		s.cpStatus.SetText("")
	}
	if dir != "" && s.ui.actor.Role == fp.RoleAdmin {
		s.cpNone.Enable()
	}
}

func (s *settingsScreen) onChooseCheckpointFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		s.setCheckpointFolder(u.Path())
	}, s.ui.win)
	d.Resize(fyne.NewSize(min(800, s.ui.win.Canvas().Size().Width-40), min(560, s.ui.win.Canvas().Size().Height-40)))
	d.Show()
}

func (s *settingsScreen) setCheckpointFolder(dir string) {
	if err := s.ui.db.SetCheckpointFolder(s.ui.actor, dir); err != nil {
		s.ui.showError(err)
	}
	s.refreshCheckpoints()
	if dir != "" && s.ui.db.CheckpointError() == nil {
		s.cpStatus.Importance = widget.SuccessImportance
		s.cpStatus.SetText("A signed checkpoint was written to " + dir)
	}
}

func (s *settingsScreen) errLine(key string) *widget.Label {
	l := newErrLabel()
	l.Hide()
	s.errs[key] = l
	return l
}

func (s *settingsScreen) refresh() {
	p, err := s.ui.db.Profile()
	if err != nil {
		s.ui.showError(err)
		return
	}
	s.fill(p)
	s.refreshCheckpoints()
}

func (s *settingsScreen) fill(p fp.Profile) {
	s.loaded = p
	o, in := p.Office, p.Scheduling.Input()
	for k, v := range map[string]string{"name": o.Name, "address": o.Address, "phone": o.Phone, "email": o.Email,
		"signatory": o.Signatory, "signatory_title": o.SignatoryTitle, fp.FieldTimeZone: in.TimeZone,
		fp.FieldStations: in.Stations, fp.FieldSlotMinutes: in.SlotMinutes, fp.FieldReserve: in.PriorityReserve,
		fp.FieldClosed: in.Closed, fp.FieldRescheduleLimit: in.RescheduleLimit, fp.FieldCutoffHours: in.CutoffHours,
		fp.FieldWalkInDays: in.WalkInDays} {
		s.entries[k].SetText(v)
	}
	for d := range s.hours {
		s.hours[d].SetText(in.Hours[d])
	}
	s.missed.SetSelected(map[string]string{fp.MissedAtClosing: missedClosing}[in.MissedMode])
	if s.missed.Selected == "" {
		s.missed.SetSelected(missedClerk)
	}
	switch {
	case p.Scheduling.Default:
		s.banner.SetText("These hours and rules are the defaults (15-minute slots, one station, weekday mornings 08:00-12:00): nobody has saved them yet. Check them and Save.")
		s.banner.Show()
	default:
		s.banner.Hide()
	}
	s.showErrors(nil)
	s.shown = s.fields()
}

// fields is what the form holds, field by field.
func (s *settingsScreen) fields() map[string]string {
	out := map[string]string{"missed": s.missed.Selected}
	for k, e := range s.entries {
		out[k] = e.Text
	}
	for d, e := range s.hours {
		out[fmt.Sprint("hours", d)] = e.Text
	}
	return out
}

func (s *settingsScreen) dirty() bool {
	return s.shown != nil && s.ui.actor.Role == fp.RoleAdmin && !maps.Equal(s.fields(), s.shown)
}

func (s *settingsScreen) discard() { s.fill(s.loaded) }

func (s *settingsScreen) what() string { return "the office settings" }

// save saves and runs then once saved (the settings stay on screen otherwise).
func (s *settingsScreen) save(then func()) {
	if s.onSave() && then != nil {
		then()
	}
}

// profile reads the form.
func (s *settingsScreen) profile() (fp.Profile, error) {
	in := fp.SchedulingInput{TimeZone: s.entries[fp.FieldTimeZone].Text, Stations: s.entries[fp.FieldStations].Text,
		SlotMinutes: s.entries[fp.FieldSlotMinutes].Text, PriorityReserve: s.entries[fp.FieldReserve].Text,
		Closed: s.entries[fp.FieldClosed].Text, RescheduleLimit: s.entries[fp.FieldRescheduleLimit].Text,
		CutoffHours: s.entries[fp.FieldCutoffHours].Text, WalkInDays: s.entries[fp.FieldWalkInDays].Text, MissedMode: fp.MissedByClerk}
	if s.missed.Selected == missedClosing {
		in.MissedMode = fp.MissedAtClosing
	}
	for d := range s.hours {
		in.Hours[d] = s.hours[d].Text
	}
	var fe fp.FieldErrors
	sched, err := in.Parse()
	if e, ok := err.(*fp.Error); ok {
		fe = append(fe, e.Fields...)
	}
	o, err := fp.Office{Name: s.entries["name"].Text, Address: s.entries["address"].Text, Phone: s.entries["phone"].Text,
		Email: s.entries["email"].Text, Signatory: s.entries["signatory"].Text, SignatoryTitle: s.entries["signatory_title"].Text}.Normalize()
	if e, ok := err.(*fp.Error); ok {
		fe = append(fe, e.Fields...)
	}
	return fp.Profile{Office: o, Scheduling: sched}, fe.Err()
}

func (s *settingsScreen) showErrors(fe fp.FieldErrors) {
	for key, l := range s.errs {
		if msgs := fe.For(key); len(msgs) > 0 {
			l.SetText(strings.Join(msgs, "; "))
			l.Show()
		} else {
			l.Hide()
		}
	}
	for _, key := range []string{"name", "address", "phone", "email", "signatory", "signatory_title"} {
		if l, ok := s.errs[key]; ok && len(fe.For(key)) > 0 {
			l.SetText(capitalize(strings.Join(fe.For(key), "; ")))
		}
	}
}

func (s *settingsScreen) onSave() bool {
	s.ui.touch()
	p, err := s.profile()
	if err != nil {
		s.fail(err)
		return false
	}
	if err := s.ui.db.SetProfile(s.ui.actor, p); err != nil {
		s.fail(err)
		return false
	}
	s.refresh()
	s.message.Importance = widget.SuccessImportance
	s.message.SetText("Saved at " + s.ui.clock() + ". Bookings from now on follow these settings; existing appointments keep their times.")
	return true
}

func (s *settingsScreen) fail(err error) {
	var fe fp.FieldErrors
	if e, ok := err.(*fp.Error); ok {
		fe = e.Fields
	}
	s.showErrors(fe)
	s.message.Importance = widget.DangerImportance
	if len(fe) > 0 {
		s.message.SetText(fmt.Sprintf("Nothing was saved: %d %s to fix, shown in red.", len(fe), plural(len(fe), "field", "fields")))
		return
	}
	s.message.SetText("Nothing was saved: " + fp.ErrorMessage(err))
}

func (s *settingsScreen) onExport() {
	p, err := s.ui.db.Profile()
	if err != nil {
		s.ui.showError(err)
		return
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(append(b, '\n')); err != nil {
			s.ui.showError(fp.Errorf(fp.EINVALID, "the profile could not be written: %v", err))
			return
		}
		s.message.Importance = widget.SuccessImportance
		s.message.SetText("Exported to " + w.URI().Path())
	}, s.ui.win)
	d.SetFileName("fieldprint-office-" + s.ui.today().String() + ".json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

func (s *settingsScreen) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, 2<<20))
		if err != nil {
			s.ui.showError(fp.Errorf(fp.EINVALID, "the file could not be read: %v", err))
			return
		}
		s.importBytes(r.URI().Name(), b)
	}, s.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// importBytes checks a profile file whole and shows it in the form to save:
// nothing is stored until the administrator presses Save.
func (s *settingsScreen) importBytes(name string, b []byte) {
	p, err := fp.ParseProfile(b)
	if err != nil {
		s.message.Importance = widget.DangerImportance
		s.message.SetText(name + " was not imported, nothing changed: " + fp.ErrorMessage(err))
		return
	}
	loaded, shown := s.loaded, s.shown
	s.fill(p)
	s.loaded, s.shown = loaded, shown // read, not saved: leaving asks
	s.message.Importance = widget.WarningImportance
	s.message.SetText("Read " + name + ": check the settings shown, then Save to use them.")
}
