package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// intakeScreen is a new request's form prefilled from an applicant's
// e-mail: the request form itself (its fields, checks and Save), a notice
// of where the values came from, and the message's attachments, each with
// the checklist item it goes to and a preview. Nothing is stored until the
// clerk saves: then the request is recorded, the message kept with it and
// the chosen attachments attached.
type intakeScreen struct {
	ui    *UI
	form  *requestScreen
	name  string // the file as it was dropped or chosen
	raw   []byte
	msg   *fp.Message
	draft fp.IntakeDraft
	dups  []fp.Duplicate

	tabs    *container.AppTabs
	mailTab *container.TabItem
	rows    []*intakeRow
	preview *fyne.Container
	shown   int // the part previewed (-1: none)
	content fyne.CanvasObject
	// done: saved, or the clerk chose to leave it: nothing is left unsaved.
	done bool
}

// intakeRow is one attachment and the item it goes to.
type intakeRow struct {
	part   int
	choice *widget.Select
	keys   []string // the choice's options' item keys ("" = not attached)
}

const notAttached = "Not attached"

// isMessageFile reports whether a dropped or chosen file is an e-mail.
func isMessageFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".eml" || ext == ".msg"
}

// intakeDrop takes an e-mail dropped onto the window to a new request from
// it; it reports whether one was dropped (the rest go to the checklist).
func (u *UI) intakeDrop(uris []fyne.URI) bool {
	i := slices.IndexFunc(uris, func(x fyne.URI) bool { return isMessageFile(x.Name()) })
	if i < 0 {
		return false
	}
	x := uris[i]
	if x.Scheme() != "file" {
		u.showError(fp.Errorf(fp.EINVALID, "%s is not a file on this computer: save it to a folder first, then drop it", x.Name()))
		return true
	}
	data, err := fp.ReadInputFile(x.Path(), fp.MaxMessageBytes, "a saved e-mail is at most 50 MB: save its attachments and attach them one by one")
	if err != nil {
		u.showError(err)
		return true
	}
	u.OpenMessage(x.Name(), data)
	return true
}

// chooseMessage is "New request from e-mail…": a saved message picked in
// the file dialog.
func (u *UI) chooseMessage() {
	if !u.actor.CanHandleCases() {
		return
	}
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(fp.Internal("the file cannot be opened", err))
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := fp.ReadLimited(rc.URI().Name(), rc, fp.MaxMessageBytes)
		if err != nil {
			u.showError(err)
			return
		}
		u.OpenMessage(rc.URI().Name(), data)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".eml", ".EML", ".msg", ".MSG"}))
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}

// OpenMessage reads a saved e-mail (off the UI thread: every attachment is
// checked like a scan) and shows the new request it prefills, once any
// unsaved form is dealt with. A message already taken in opens nothing new.
func (u *UI) OpenMessage(name string, raw []byte) {
	u.touch()
	if err := fp.CheckEdit(u.actor, nil); err != nil {
		u.showError(err)
		return
	}
	u.leave(func() {
		var m *fp.Message
		var number string
		var dups []fp.Duplicate
		var err error
		u.background("Reading "+fp.DisplayName(name), func() {
			if m, err = workflow.ParseMessage(name, raw); err != nil {
				return
			}
			if number, err = u.db.MessageImported(m.ImportKey()); err != nil || number != "" {
				return
			}
			d := fp.DraftFromMessage(m, u.db.Location(), u.today())
			dups, err = u.duplicates(d.Probe(), d.Input.Email, 0)
		}, func() {
			if err != nil {
				u.showError(err)
				return
			}
			if number != "" {
				u.showTakenIn(number)
				return
			}
			s := newIntakeScreen(u, name, raw, m, dups)
			u.showForm(s.form)
			u.editing = s
		})
	})
}

// showTakenIn says the message was taken in before and offers its request.
func (u *UI) showTakenIn(number string) {
	dialog.ShowCustomConfirm("Already taken in", "Open "+number, "Close",
		widget.NewLabel("This e-mail was already taken into "+number+": it is not taken in twice."), func(open bool) {
			if !open {
				return
			}
			if r, err := u.db.FindRequestByNumber(number); err != nil {
				u.showError(err)
			} else {
				u.OpenRequest(r.ID)
			}
		}, u.win)
}

// duplicates lists the open requests (other than except) that share an
// identifier of r or the sender's address.
func (u *UI) duplicates(r *fp.Request, email string, except fp.RequestID) ([]fp.Duplicate, error) {
	r.ID = except
	dups, err := u.db.FindDuplicates(r)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(email) == "" {
		return dups, nil
	}
	open, err := u.db.LoadRequests(fp.RequestFilter{Statuses: fp.OpenStatuses()})
	if err != nil {
		return nil, err
	}
	for _, d := range fp.SameSender(open, email, except, u.today()) {
		if !slices.ContainsFunc(dups, func(x fp.Duplicate) bool { return x.Other.ID == d.Other.ID }) {
			dups = append(dups, d)
		}
	}
	return dups, nil
}

func newIntakeScreen(u *UI, name string, raw []byte, m *fp.Message, dups []fp.Duplicate) *intakeScreen {
	s := &intakeScreen{ui: u, name: name, raw: raw, msg: m, dups: dups, shown: -1}
	s.draft = fp.DraftFromMessage(m, u.db.Location(), u.today())
	f := newRequestScreen(u, nil)
	s.form = f
	f.fill(s.draft.Input)
	for _, k := range s.draft.Filled {
		f.touched[k] = true // what came from the message shows its problems at once
	}
	f.validate()
	f.saveBtn.OnTapped = func() { s.save(nil) }

	s.preview = container.NewStack()
	s.mailTab = container.NewTabItemWithIcon(fmt.Sprintf("E-mail and attachments (%d)", len(m.Parts)), theme.MailComposeIcon(), s.mailPanel())
	s.tabs = container.NewAppTabs(container.NewTabItemWithIcon("Details", theme.DocumentIcon(), f.scroll), s.mailTab)
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t == s.mailTab {
			s.refreshItems()
		}
	}
	back := widget.NewButtonWithIcon("Queue", theme.NavigateBackIcon(), func() { u.Navigate(navQueue) })
	f.content = container.NewBorder(container.NewVBox(f.header, s.banner(), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, container.NewHBox(f.saveBtn, back, layout.NewSpacer()), nil, f.message)),
		nil, nil, s.tabs)
	s.content = f.content
	return s
}

// banner says where the values came from, what is a guess, and which open
// request may be the same applicant's.
func (s *intakeScreen) banner() fyne.CanvasObject {
	m, d := s.msg, s.draft
	from := "From the e-mail of " + m.Sender()
	if !d.Received.IsZero() {
		from += ", sent " + d.Received.Format("2006-01-02 15:04") + " office time"
	}
	head := widget.NewLabel(from + ". Nothing is saved until you Save: check each field against the scans.")
	head.Wrapping = fyne.TextWrapWord
	head.TextStyle.Bold = true
	guess := widget.NewLabel("")
	guess.Wrapping = fyne.TextWrapWord
	guess.Importance = widget.WarningImportance
	switch {
	case d.Guess != "":
		guess.SetText(fmt.Sprintf("Category %s is a guess from the words %s: confirm it.", d.Guess.Short(), quoteAll(d.GuessWords)))
	default:
		guess.SetText("No category could be guessed from the message: choose it.")
	}
	if d.NoticeGuess != "" {
		guess.SetText(guess.Text + " The notice type is a guess too.")
	}
	box := container.NewVBox(head, guess)
	for i, dup := range s.dups {
		if i == 3 {
			break
		}
		l := widget.NewLabel("Possibly the same applicant: " + dup.String() + ".")
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.DangerImportance
		add := widget.NewButtonWithIcon("Add the attachments to "+dup.Other.Number, theme.ContentAddIcon(), func() { s.addTo(dup.Other.ID) })
		box.Add(container.NewBorder(nil, nil, nil, add, l))
	}
	return box
}

func quoteAll(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	return strings.Join(q, ", ")
}

// mailPanel lists the attachments (each with its item and a View button),
// the notes, and the preview beside them.
func (s *intakeScreen) mailPanel() fyne.CanvasObject {
	list := container.NewVBox()
	if len(s.msg.Parts) == 0 {
		list.Add(widget.NewLabel("The message has no attachments: ask the applicant for the notice and the passport page."))
	}
	items := fp.IntakeItems(s.form.input(), s.ui.today())
	suggested := fp.SuggestItems(s.msg, items)
	for i, p := range s.msg.Parts {
		title := widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Truncation = fyne.TextTruncateEllipsis
		if p.Refused != nil {
			why := widget.NewLabel("Refused: " + fp.ErrorMessage(p.Refused))
			why.Wrapping = fyne.TextWrapWord
			why.Importance = widget.DangerImportance
			list.Add(container.NewVBox(title, why, widget.NewSeparator()))
			continue
		}
		row := &intakeRow{part: i, choice: widget.NewSelect(nil, nil)}
		s.rows = append(s.rows, row)
		s.setOptions(row, items, suggested[i])
		info := widget.NewLabel(fmt.Sprintf("%s · %s", kindOf(p.Info.Type), size(p.Info.Size)))
		info.SizeName = theme.SizeNameCaptionText
		view := widget.NewButtonWithIcon("View", theme.VisibilityIcon(), func() { s.show(i) })
		list.Add(container.NewVBox(title, info, container.NewBorder(nil, nil, widget.NewLabel("Attach as"), view, row.choice), widget.NewSeparator()))
	}
	if len(s.draft.Notes) > 0 {
		list.Add(heading("Notes"))
		for _, n := range s.draft.Notes {
			l := widget.NewLabel("• " + capitalize(n) + ".")
			l.Wrapping = fyne.TextWrapWord
			l.SizeName = theme.SizeNameCaptionText
			list.Add(l)
		}
	}
	s.showPreview()
	split := container.NewHSplit(container.NewVScroll(list), s.preview)
	split.Offset = 0.5
	return split
}

// setOptions offers the checklist's items (and "Not attached") and selects
// key when it is one of them.
func (s *intakeScreen) setOptions(row *intakeRow, items []fp.ChecklistItem, key string) {
	opts, keys := []string{notAttached}, []string{""}
	sel := 0
	for _, it := range items {
		opts = append(opts, it.Label())
		keys = append(keys, it.Key)
		if it.Key == key {
			sel = len(keys) - 1
		}
	}
	row.keys = keys
	row.choice.Options = opts
	row.choice.SetSelectedIndex(sel)
}

// refreshItems offers the items of the checklist as the form stands now
// (a category or household changed since), keeping each choice when it
// still exists.
func (s *intakeScreen) refreshItems() {
	items := fp.IntakeItems(s.form.input(), s.ui.today())
	for _, row := range s.rows {
		s.setOptions(row, items, row.key())
	}
}

func (row *intakeRow) key() string {
	if i := row.choice.SelectedIndex(); i >= 0 && i < len(row.keys) {
		return row.keys[i]
	}
	return ""
}

// plan is what the clerk chose: each attachment and its item.
func (s *intakeScreen) plan() []fp.IntakeAttach {
	var out []fp.IntakeAttach
	for _, row := range s.rows {
		if k := row.key(); k != "" {
			out = append(out, fp.IntakeAttach{Part: row.part, Item: k})
		}
	}
	return out
}

func (s *intakeScreen) show(i int) {
	s.shown = i
	s.showPreview()
}

// showPreview shows the chosen attachment: a picture scaled to fit, or for a
// PDF, a button that opens it in the system's viewer. It only ever shows
// files SniffFile accepted.
func (s *intakeScreen) showPreview() {
	if s.shown < 0 || s.shown >= len(s.msg.Parts) || s.msg.Parts[s.shown].Refused != nil {
		l := widget.NewLabel("Select View on an attachment to see it here.")
		l.Wrapping = fyne.TextWrapWord
		l.Alignment = fyne.TextAlignCenter
		s.preview.Objects = []fyne.CanvasObject{container.NewCenter(l)}
		s.preview.Refresh()
		return
	}
	p := s.msg.Parts[s.shown]
	title := widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	open := widget.NewButtonWithIcon("Open in viewer", theme.ComputerIcon(), func() { s.openExternal(p) })
	if p.Info.Type == fp.TypePDF {
		l := widget.NewLabel(fmt.Sprintf("%s is a PDF (%s). It opens in the system's PDF viewer.", p.Name, size(p.Info.Size)))
		l.Wrapping = fyne.TextWrapWord
		s.preview.Objects = []fyne.CanvasObject{container.NewBorder(title, nil, nil, nil, container.NewVBox(l, container.NewHBox(open)))}
		s.preview.Refresh()
		return
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource(p.Name, p.Data))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(fyne.NewSize(200, 200))
	s.preview.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(title, container.NewHBox(layout.NewSpacer(), open)), nil, nil, nil, img)}
	s.preview.Refresh()
}

// openExternal writes a copy to the user's private print folder and opens it.
func (s *intakeScreen) openExternal(p fp.MailPart) {
	dir, err := outputDir()
	if err != nil {
		s.ui.showError(err)
		return
	}
	path := filepath.Join(dir, "e-mail "+strings.ReplaceAll(p.Name, "/", "-"))
	if err := writeFileAtomic(path, p.Data); err != nil {
		s.ui.showError(fp.Internal("cannot write the copy for the viewer", err))
		return
	}
	if !s.ui.openFile(path) {
		s.ui.showError(fp.Errorf(fp.EINVALID, "no viewer could be opened on this computer: the copy is in %s", path))
	}
}

// The editor interface: a prefilled form is unsaved work until it is saved
// or discarded.
func (s *intakeScreen) dirty() bool { return !s.done }
func (s *intakeScreen) discard()    { s.done = true; s.form.discard() }
func (s *intakeScreen) what() string {
	return "the request from the e-mail of " + s.msg.Sender()
}

// save checks the form and the attachments' items, asks about a possible
// duplicate (offering to add the attachments to it), then takes the
// message in. then runs once saved (nil: show the saved request).
func (s *intakeScreen) save(then func()) {
	f := s.form
	f.tried = true
	r, _, fe := f.validate()
	if len(fe) > 0 {
		f.message.SetText(fmt.Sprintf("Not saved: %d %s to fix, marked in red.", len(fe), plural(len(fe), "problem", "problems")))
		f.message.Importance = widget.DangerImportance
		f.message.Refresh()
		s.tabs.SelectIndex(0)
		f.showFirstError()
		return
	}
	s.refreshItems()
	plan := s.plan()
	if err := fp.CheckIntakePlan(s.msg, plan, fp.IntakeItems(f.input(), s.ui.today())); err != nil {
		f.message.SetText("Not saved: " + fp.ErrorMessage(err))
		f.message.Importance = widget.DangerImportance
		f.message.Refresh()
		s.tabs.Select(s.mailTab)
		return
	}
	dups, err := s.ui.duplicates(r, r.Email, 0)
	if err != nil {
		s.ui.showError(err)
		return
	}
	if len(dups) == 0 {
		s.commit(r, 0, plan, false, then)
		return
	}
	lines := make([]string, len(dups))
	for i, d := range dups {
		lines[i] = "• " + d.String()
	}
	msg := widget.NewLabel("This may be a person who already has an open request:\n" + strings.Join(lines, "\n") +
		"\n\nAdd the e-mail's attachments to that request, or save a new request if this is a different application.")
	msg.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	addBtn := widget.NewButtonWithIcon("Add to "+dups[0].Other.Number, theme.ContentAddIcon(), func() { dlg.Hide(); s.addTo(dups[0].Other.ID) })
	addBtn.Importance = widget.HighImportance
	newBtn := widget.NewButton("Save as a new request", func() { dlg.Hide(); s.commit(r, 0, plan, true, then) })
	cancel := widget.NewButton("Don't save", func() { dlg.Hide(); f.message.SetText("Not saved: possible duplicate.") })
	dlg = dialog.NewCustomWithoutButtons("Possible duplicate", msg, s.ui.win)
	dlg.SetButtons([]fyne.CanvasObject{cancel, newBtn, addBtn})
	dlg.Resize(fyne.NewSize(600, 280))
	dlg.Show()
}

// commit takes the message in: a new request from r (into == 0) or the
// request into, the message kept, the plan attached; then the request shows.
func (s *intakeScreen) commit(r *fp.Request, into fp.RequestID, plan []fp.IntakeAttach, allowDup bool, then func()) {
	u := s.ui
	var out *fp.Request
	var res []fp.IntakeResult
	var err error
	u.background("Saving the request from the e-mail", func() {
		out, res, err = fp.TakeIn(u.db, u.actor, s.msg, s.raw, s.name, r, into, plan, fp.SaveOptions{AllowDuplicates: allowDup})
	}, func() {
		if err != nil && out == nil {
			u.showError(err)
			return
		}
		s.done = true
		verb := "Recorded " + out.Number + " from the e-mail"
		if into != 0 {
			verb = "Added the e-mail to " + out.Number
		}
		var failed []string
		for _, x := range res {
			if x.Err != nil {
				failed = append(failed, fp.ErrorMessage(x.Err))
			}
		}
		msg := fmt.Sprintf("%s at %s: the message is kept with it, %d of %d %s attached.", verb, u.clock(), len(res)-len(failed), len(res), plural(len(res), "attachment", "attachments"))
		if err != nil {
			failed = append(failed, "the message was not kept: "+fp.ErrorMessage(err))
		}
		if then != nil {
			then()
			return
		}
		next := newRequestScreen(u, out)
		u.showForm(next)
		if len(plan) > 0 {
			next.tabs.Select(next.docsTab)
			next.docs.show()
		}
		next.say(msg)
		if len(failed) > 0 {
			next.message.SetText(msg + " Not attached: " + strings.Join(failed, "; "))
			next.message.Importance = widget.DangerImportance
			next.message.Refresh()
		}
	})
}

// addTo asks which item each attachment is for on the open request id (a
// second message from the applicant), then takes the message into it.
func (s *intakeScreen) addTo(id fp.RequestID) {
	u := s.ui
	r, err := u.db.FindRequestByID(id)
	if err != nil {
		u.showError(err)
		return
	}
	items := r.Checklist(u.today())
	suggested := fp.SuggestItems(s.msg, items)
	var rows []*intakeRow
	var form []*widget.FormItem
	for i, p := range s.msg.Parts {
		if p.Refused != nil {
			continue
		}
		row := &intakeRow{part: i, choice: widget.NewSelect(nil, nil)}
		opts, keys := []string{notAttached}, []string{""}
		sel := 0
		for _, it := range items {
			label := it.Label()
			if it.Doc.File != nil {
				label += " (replaces " + it.Doc.File.Name + ")"
			}
			opts, keys = append(opts, label), append(keys, it.Key)
			if it.Key == suggested[i] {
				sel = len(keys) - 1
			}
		}
		row.choice.Options, row.keys = opts, keys
		row.choice.SetSelectedIndex(sel)
		rows = append(rows, row)
		form = append(form, widget.NewFormItem(p.Name, row.choice))
	}
	if len(form) == 0 {
		form = append(form, widget.NewFormItem("", widget.NewLabel("The message has no attachment to add: only the message is kept with "+r.Number+".")))
	}
	d := u.newFormDialog("Add the e-mail to "+r.Number+" ("+r.Applicant.FullName+")", "Add", form, func() error {
		var plan []fp.IntakeAttach
		for _, row := range rows {
			if k := row.key(); k != "" {
				plan = append(plan, fp.IntakeAttach{Part: row.part, Item: k})
			}
		}
		if err := fp.CheckIntakePlan(s.msg, plan, items); err != nil {
			return err
		}
		if err := fp.CheckDocuments(u.actor, r); err != nil && len(plan) > 0 {
			return err
		}
		s.commit(nil, id, plan, false, nil)
		return nil
	})
	d.show(u, 640)
}
