package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// importScreen moves an office in from its tracker, in the steps of the
// CLI's import: the file read (encoding and separator found, or chosen),
// its columns mapped to Fieldprint's fields, its categories and statuses
// mapped to Fieldprint's, the date order confirmed when the dates do not
// tell, the rows previewed as they will be stored with every problem by
// line; then all rows imported behind a progress bar, or none. The domain
// reads and maps (fp.ReadTracker, fp.TrackerMapping); the workflow checks
// and writes (CheckImport, ImportRows); this screen only shows and asks.
type importScreen struct {
	ui    *UI
	name  string
	data  []byte
	saved fp.TrackerMapping

	file     *fp.TrackerFile
	readErrs []fp.LineError
	m        fp.TrackerMapping
	rows     []fp.ImportRow
	plans    []fp.ImportPlan
	problems []fp.LineError

	encoding  *widget.Select
	separator *widget.Select
	about     *widget.Label
	columns   *fyne.Container
	values    *fyne.Container
	preview   *widget.Table
	previewed []fp.TrackerPreview
	report    *widget.Label // problems and warnings, by line
	summary   *widget.Label // the line above the buttons
	importBtn *widget.Button
	tabs      *container.AppTabs
	content   fyne.CanvasObject
	filling   bool // widgets are being set programmatically
}

const (
	encAuto = "Found from the file"
	sepAuto = "Found from the file"
	notMap  = "(choose the field)"
)

// previewColumns: the preview table's columns and their widths.
var previewColumns = []struct {
	title string
	width float32
}{{"Line", 55}, {"Applicant", 190}, {"Category", 85}, {"Received", 100}, {"Status", 150}, {"Appointment", 150}, {"Missing", 240}, {"Notes", 220}}

func newImportScreen(u *UI, name string, data []byte) *importScreen {
	s := &importScreen{ui: u, name: name, data: data, columns: container.NewVBox(), values: container.NewVBox()}
	saved, err := u.db.TrackerMapping()
	if err != nil {
		u.showError(err)
	}
	s.saved = saved
	s.encoding = widget.NewSelect(append([]string{encAuto}, labelsOf(fp.TrackerEncodings, fp.EncodingLabel)...), func(string) { s.onReread() })
	s.separator = widget.NewSelect([]string{sepAuto, "Commas", "Semicolons", "Tabs", "Vertical bars"}, func(string) { s.onReread() })
	s.filling = true
	s.encoding.SetSelected(encAuto)
	s.separator.SetSelected(sepAuto)
	s.filling = false
	s.about = widget.NewLabel("")
	s.about.Wrapping = fyne.TextWrapWord
	s.report = widget.NewLabel("")
	s.report.Wrapping = fyne.TextWrapWord
	s.report.TextStyle.Monospace = true
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.preview = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.previewed), len(previewColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { s.previewCell(id, o.(*widget.Label)) })
	s.preview.ShowHeaderColumn = false
	s.preview.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.preview.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(previewColumns[id.Col].title)
		}
	}
	for i, c := range previewColumns {
		s.preview.SetColumnWidth(i, c.width)
	}

	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { u.showQueue() })
	s.importBtn = widget.NewButtonWithIcon("Import", theme.UploadIcon(), s.onImport)
	s.importBtn.Importance = widget.HighImportance
	fixed := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	file := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Encoding"), fixed(250, s.encoding),
		widget.NewLabel("Cells separated by"), fixed(170, s.separator)), nil)
	head := container.NewVBox(heading("Import "+name), s.about, file)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("1 Columns", theme.ListIcon(), container.NewVScroll(s.columns)),
		container.NewTabItemWithIcon("2 Values and dates", theme.SettingsIcon(), container.NewVScroll(s.values)),
		container.NewTabItemWithIcon("3 Preview and problems", theme.VisibilityIcon(),
			container.NewVSplit(s.preview, container.NewVScroll(s.report))),
	)
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(cancel, s.importBtn), s.summary)
	s.content = container.NewBorder(head, bottom, nil, nil, s.tabs)
	s.read()
	return s
}

func labelsOf(keys []string, label func(string) string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = label(k)
	}
	return out
}

// chosenEncoding and chosenSeparator are what the selects ask for ("", 0: find).
func (s *importScreen) chosenEncoding() string {
	for _, e := range fp.TrackerEncodings {
		if fp.EncodingLabel(e) == s.encoding.Selected {
			return e
		}
	}
	return ""
}

func (s *importScreen) chosenSeparator() rune {
	if i := slices.Index(s.separator.Options, s.separator.Selected); i > 0 {
		return fp.TrackerSeparators[i-1]
	}
	return 0
}

// read reads the file as the selects say and suggests its mapping: the
// office's saved choices, then what this screen chose before (a re-read
// keeps them), then the names.
func (s *importScreen) read() {
	s.file, s.readErrs = fp.ReadTrackerAs(s.name, s.data, s.chosenEncoding(), s.chosenSeparator(), s.saved)
	if s.file != nil {
		s.m = fp.SuggestMapping(s.file, s.m.Merge(s.saved))
		if e := s.chosenEncoding(); e != "" {
			s.m.Encoding = e
		}
	}
	s.drawColumns()
	s.drawValues()
	s.recompute()
}

func (s *importScreen) onReread() {
	if s.filling {
		return
	}
	s.ui.touch()
	s.read()
}

// drawColumns lists every column: its name, its first values, its field.
func (s *importScreen) drawColumns() {
	s.columns.RemoveAll()
	if s.file == nil {
		s.columns.Add(widget.NewLabel("The file could not be read: see the problems below, or choose its encoding and separator above."))
		s.columns.Refresh()
		return
	}
	intro := widget.NewLabel("Each column of the tracker goes to one field of Fieldprint (or is left out). The choices are suggested from the names and from this office's last import, and kept for the next one.")
	intro.Wrapping = fyne.TextWrapWord
	s.columns.Add(intro)
	options := []string{}
	for _, f := range fp.TrackerFields {
		options = append(options, f.Label)
	}
	for i, h := range s.file.Header {
		name := widget.NewLabelWithStyle(h, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateEllipsis
		sample := widget.NewLabel(strings.Join(s.file.Samples(i, 3), " | "))
		sample.Truncation = fyne.TextTruncateEllipsis
		pick := widget.NewSelect(options, nil)
		pick.PlaceHolder = notMap
		if f := s.m.Field(h); f != "" {
			pick.SetSelected(fp.TrackerFieldLabel(f))
		}
		pick.OnChanged = func(label string) { s.onColumn(h, label) }
		left := container.NewHBox(container.NewGridWrap(fyne.NewSize(170, name.MinSize().Height), name),
			container.NewGridWrap(fyne.NewSize(260, pick.MinSize().Height), pick))
		s.columns.Add(container.NewBorder(nil, nil, left, nil, sample))
	}
	s.columns.Refresh()
}

func (s *importScreen) onColumn(header, label string) {
	for _, f := range fp.TrackerFields {
		if f.Label == label {
			s.m.SetColumn(header, f.Key)
		}
	}
	s.ui.touch()
	s.drawValues() // a category or status column brings its values
	s.recompute()
}

// drawValues asks what the dates, names, categories and statuses mean.
func (s *importScreen) drawValues() {
	s.values.RemoveAll()
	if s.file == nil {
		s.values.Refresh()
		return
	}
	say := func(text string) {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		s.values.Add(l)
	}
	ev := s.m.DateEvidence(s.file)
	if ev.Either.Text != "" || ev.Order() != fp.DatesUnknown {
		s.values.Add(heading("Dates"))
		switch {
		case ev.Conflict():
			say(fmt.Sprintf("The dates mix two orders: %q (line %d) is day first, %q (line %d) month first. Correct them in the spreadsheet.",
				ev.DayFirst.Text, ev.DayFirst.Line, ev.MonthFirst.Text, ev.MonthFirst.Line))
		case ev.Order() == fp.DayFirst:
			say(fmt.Sprintf("%q (line %d) can only be day first: the dates are read so.", ev.DayFirst.Text, ev.DayFirst.Line))
		case ev.Order() == fp.MonthFirst:
			say(fmt.Sprintf("%q (line %d) can only be month first: the dates are read so.", ev.MonthFirst.Text, ev.MonthFirst.Line))
		default:
			say(fmt.Sprintf("No date in the file tells whether day or month comes first: is %q (line %d) day first or month first? Choose:", ev.Either.Text, ev.Either.Line))
		}
		order := widget.NewRadioGroup([]string{fp.DayFirst.Label(), fp.MonthFirst.Label()}, nil)
		order.SetSelected(map[fp.DateOrder]string{fp.DayFirst: fp.DayFirst.Label(), fp.MonthFirst: fp.MonthFirst.Label()}[s.m.DateOrder])
		order.OnChanged = func(v string) {
			s.m.DateOrder = fp.DatesUnknown
			for _, o := range []fp.DateOrder{fp.DayFirst, fp.MonthFirst} {
				if o.Label() == v {
					s.m.DateOrder = o
				}
			}
			s.recompute()
		}
		if ev.Order() != fp.DatesUnknown && !ev.Conflict() {
			order.Disable() // the dates prove it
		}
		s.values.Add(order)
	}
	if s.mapped(fp.FieldFullName) {
		s.values.Add(heading("Names"))
		names := widget.NewCheck("Names are written \"SURNAME, Given\": store them as \"Given SURNAME\"", func(on bool) {
			s.m.NameOrder = fp.NamesAsWritten
			if on {
				s.m.NameOrder = fp.NamesSurnameFirst
			}
			s.recompute()
		})
		s.filling = true
		names.SetChecked(s.m.NameOrder == fp.NamesSurnameFirst)
		s.filling = false
		s.values.Add(names)
	}
	for _, field := range []string{fp.FieldCategory, fp.FieldStatus} {
		vs := s.m.Distinct(s.file, field)
		if len(vs) == 0 {
			continue
		}
		var options []string
		var keys []string
		if field == fp.FieldCategory {
			s.values.Add(heading("Categories"))
			for _, c := range fp.Categories {
				options, keys = append(options, c.Label()), append(keys, string(c))
			}
		} else {
			s.values.Add(heading("Statuses"))
			for _, st := range fp.Statuses {
				options, keys = append(options, st.Label()), append(keys, string(st))
			}
		}
		for _, v := range vs {
			text := widget.NewLabel(fmt.Sprintf("%q · %d %s", v.Text, v.Rows, plural(v.Rows, "row", "rows")))
			text.Truncation = fyne.TextTruncateEllipsis
			pick := widget.NewSelect(options, nil)
			pick.PlaceHolder = "(choose what it means)"
			if k, ok := s.m.Value(field, v.Text); ok {
				if i := slices.Index(keys, k); i >= 0 {
					pick.SetSelected(options[i])
				}
			}
			pick.OnChanged = func(label string) {
				if i := slices.Index(options, label); i >= 0 {
					s.m.SetValue(field, v.Text, keys[i])
				}
				s.ui.touch()
				s.recompute()
			}
			s.values.Add(container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(300, pick.MinSize().Height), pick), text))
		}
	}
	if len(s.values.Objects) == 0 {
		say("Nothing to choose here: no category, status or date needs it.")
	}
	s.values.Refresh()
}

func (s *importScreen) mapped(field string) bool {
	for _, h := range s.file.Header {
		if s.m.Field(h) == field {
			return true
		}
	}
	return false
}

// recompute turns the rows into requests as now mapped, checks them against
// the database, and shows the preview, the problems and what Import does.
func (s *importScreen) recompute() {
	if s.filling {
		return
	}
	s.rows, s.plans, s.problems = nil, nil, s.readErrs
	if s.file != nil {
		s.about.SetText(s.name + ": " + s.file.Describe() + ".")
		var more []fp.LineError
		s.rows, s.problems = s.m.Rows(s.file, s.ui.today())
		plans, checked, err := s.ui.db.CheckImport(s.ui.actor, s.rows, fp.SaveOptions{})
		if err != nil {
			s.ui.showError(err)
			return
		}
		s.plans, more = plans, checked
		s.problems = append(s.problems, more...)
		fp.SortLineErrors(s.problems)
	} else {
		s.about.SetText(s.name + " could not be read as it is.")
	}
	s.previewed = s.previewed[:0]
	for i, row := range s.rows {
		p := row.Preview()
		if i < len(s.plans) {
			p.Status = s.plans[i].Status.Label()
			if len(s.plans[i].Bookings) > 0 {
				p.Status = fp.StatusScheduled.Label()
			}
		}
		s.previewed = append(s.previewed, p)
	}
	var lines []string
	for _, p := range s.problems {
		lines = append(lines, p.Error())
	}
	warnings := s.warnings()
	lines = append(lines, warnings...)
	if len(lines) == 0 {
		lines = []string{"No problem and no warning: every row imports as shown above."}
	}
	s.report.SetText(strings.Join(firstLines(lines, 300), "\n"))
	s.preview.Refresh()
	switch n := len(s.problems); {
	case n > 0:
		s.summary.SetText(fmt.Sprintf("%d %s: %s Nothing is imported until %s fixed (in the steps above, or in the spreadsheet).",
			n, plural(n, "problem", "problems"), s.problems[0].Error()+".", plural(n, "it is", "they are")))
		s.summary.Importance = widget.DangerImportance
		s.importBtn.SetText("Import")
		s.importBtn.Disable()
	default:
		inc := 0
		for _, r := range s.rows {
			if len(r.Request.Incomplete) > 0 {
				inc++
			}
		}
		text := fmt.Sprintf("%d %s ready to import", len(s.rows), plural(len(s.rows), "request", "requests"))
		if inc > 0 {
			text += fmt.Sprintf("; %d will be incomplete — from import (facts to fill later)", inc)
		}
		if len(warnings) > 0 {
			text += fmt.Sprintf("; %d %s to read on the Preview tab", len(warnings), plural(len(warnings), "warning", "warnings"))
		}
		s.summary.SetText(text + ".")
		s.summary.Importance = widget.MediumImportance
		s.importBtn.SetText(fmt.Sprintf("Import %d %s", len(s.rows), plural(len(s.rows), "request", "requests")))
		s.importBtn.Enable()
	}
	s.summary.Refresh()
}

// warnings are the rows' and their plans' warnings, by line.
func (s *importScreen) warnings() []string {
	var out []string
	for i, row := range s.rows {
		ws := row.Warnings
		if i < len(s.plans) {
			ws = append(slices.Clone(ws), s.plans[i].Warnings...)
		}
		for _, w := range ws {
			out = append(out, fmt.Sprintf("line %d: warning: %s", row.Line, w))
		}
	}
	return out
}

// firstLines keeps n lines and counts the rest.
func firstLines(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	return append(lines[:n:n], fmt.Sprintf("… and %d more", len(lines)-n))
}

func (s *importScreen) previewCell(id widget.TableCellID, l *widget.Label) {
	if id.Row < 0 || id.Row >= len(s.previewed) {
		return
	}
	p := s.previewed[id.Row]
	l.SetText([]string{fmt.Sprint(p.Line), p.Name, p.Category, p.Received, p.Status, p.Appointment, p.Missing,
		strings.ReplaceAll(p.Notes, "\n", " / ")}[id.Col])
}

// onImport imports every row behind a progress bar, then shows what needs
// attention.
func (s *importScreen) onImport() {
	u := s.ui
	u.touch()
	if len(s.problems) > 0 || len(s.rows) == 0 {
		s.tabs.SelectIndex(2)
		return
	}
	rows, m, warnings := s.rows, s.m, s.warnings()
	var saved []*fp.Request
	var err error
	u.backgroundProgress(fmt.Sprintf("Importing %d %s from %s", len(rows), plural(len(rows), "request", "requests"), s.name), func(progress func(done, total int)) {
		saved, err = u.db.ImportRows(u.actor, rows, fp.ImportOptions{Mapping: &m, Progress: progress})
	}, func() {
		if err != nil {
			u.showError(err)
			return
		}
		r := newImportResult(u, s.name, saved, warnings)
		u.showScreen(navQueue, func() {}, r.content)
	})
}

// importResult says what was imported and lists what needs attention: the
// requests left incomplete (each opens), and the warnings.
type importResult struct {
	content fyne.CanvasObject
}

func newImportResult(u *UI, name string, saved []*fp.Request, warnings []string) *importResult {
	list := container.NewVBox()
	var incomplete []*fp.Request
	for _, r := range saved {
		if len(r.Incomplete) > 0 {
			incomplete = append(incomplete, r)
		}
	}
	intro := fmt.Sprintf("Imported %d %s from %s, %s to %s. Each one's history says it was imported, from which line.",
		len(saved), plural(len(saved), "request", "requests"), name, saved[0].Number, saved[len(saved)-1].Number)
	const most = 200 // the rest is counted, not drawn
	if len(incomplete) > 0 {
		list.Add(heading(fmt.Sprintf("Incomplete — from import: %d", len(incomplete))))
		l := widget.NewLabel("Fill these facts when they are known: until then the request cannot be decided or booked.")
		l.Wrapping = fyne.TextWrapWord
		list.Add(l)
		for i, r := range incomplete {
			if i == most {
				list.Add(widget.NewLabel(fmt.Sprintf("… and %d more: see the queue's filter.", len(incomplete)-most)))
				break
			}
			open := widget.NewButtonWithIcon("Open", theme.NavigateNextIcon(), func() { u.OpenRequest(r.ID) })
			what := widget.NewLabel(fmt.Sprintf("%s  %s — missing: %s", r.Number, r.Applicant.FullName, r.IncompleteText()))
			what.Truncation = fyne.TextTruncateEllipsis
			list.Add(container.NewBorder(nil, nil, nil, open, what))
		}
	}
	if len(warnings) > 0 {
		list.Add(heading(fmt.Sprintf("Warnings: %d", len(warnings))))
		w := widget.NewLabel(strings.Join(firstLines(warnings, most), "\n"))
		w.Wrapping = fyne.TextWrapWord
		list.Add(w)
	}
	if len(incomplete) == 0 && len(warnings) == 0 {
		list.Add(widget.NewLabel("Nothing needs attention."))
	}
	head := widget.NewLabel(intro)
	head.Wrapping = fyne.TextWrapWord
	show := widget.NewButtonWithIcon("Show the incomplete in the queue", theme.ListIcon(), func() { u.showQueueFiltered(filterInc) })
	if len(incomplete) == 0 {
		show.Disable()
	}
	done := widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), func() { u.showQueue() })
	done.Importance = widget.HighImportance
	return &importResult{content: container.NewBorder(container.NewVBox(heading("Imported"), head),
		container.NewHBox(layout.NewSpacer(), show, done), nil, nil, container.NewVScroll(list))}
}

// showQueueFiltered shows the queue with the status filter set to filter.
func (u *UI) showQueueFiltered(filter string) {
	u.queue.status.SetSelected(filter)
	u.showQueue()
}
