package ui

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
	"github.com/fieldprint/fieldprint/workflow"
)

// docsPanel is a request's Documents tab: the checklist on the left, the
// selected scan on the right (so a clerk reads the numbers while verifying),
// the passport MRZ reader and the missing-documents request.
type docsPanel struct {
	f        *requestScreen
	ui       *UI
	items    []fp.ChecklistItem
	selected string // checklist key shown in the preview
	// checking is the key of the item being verified: its check sits above
	// the scan, so the clerk reads the page while comparing (a dialog would
	// dim it).
	checking string
	// shown: the preview has been drawn. Decoding a scan costs time, so it
	// waits until the Documents tab is opened.
	shown   bool
	list    *fyne.Container
	left    *container.Scroll
	preview *fyne.Container
	zoom    float32
	image   *canvas.Image
	mrzFor  *widget.Select
	mrz     *widget.Entry
	mrzMsg  *widget.Label
	summary *widget.Label
	ask     *widget.Button
	hint    *widget.Label
	content fyne.CanvasObject
}

func newDocsPanel(f *requestScreen) *docsPanel {
	d := &docsPanel{f: f, ui: f.ui, zoom: 1}
	d.items = f.req.Checklist(f.ui.today())
	d.list = container.NewVBox()
	d.preview = container.NewStack()
	// Show first what needs the clerk: a file to check, then a rejected one.
	for _, want := range []fp.DocState{fp.DocReceived, fp.DocRejected, fp.DocVerified} {
		for _, it := range d.items {
			if it.Doc.State == want && d.selected == "" {
				d.selected = it.Key
			}
		}
	}

	summary := widget.NewLabel("")
	summary.TextStyle.Bold = true
	summary.Wrapping = fyne.TextWrapWord
	ask := widget.NewButtonWithIcon("Ask for missing documents", theme.MailComposeIcon(), d.askMissing)
	hint := widget.NewLabel("")
	hint.SizeName = theme.SizeNameCaptionText
	hint.Wrapping = fyne.TextWrapWord
	d.summary, d.ask, d.hint = summary, ask, hint

	d.mrzFor = widget.NewSelect(d.people(), nil)
	d.mrzFor.SetSelectedIndex(0)
	d.mrz = widget.NewMultiLineEntry()
	d.mrz.TextStyle.Monospace = true
	d.mrz.SetMinRowsVisible(2)
	d.mrz.SetPlaceHolder("Scan the passport with the reader, or paste the two lines at the bottom of the bio page")
	d.mrz.OnChanged = func(s string) {
		// A reader types both lines and the Enter between them: read at once.
		if len(strings.Join(strings.Fields(s), "")) == 88 {
			d.readMRZ()
		}
	}
	d.mrzMsg = newErrLabel()
	d.mrzMsg.Hide()
	readBtn := widget.NewButtonWithIcon("Read", theme.ConfirmIcon(), d.readMRZ)
	mrzBox := container.NewVBox(heading("Passport machine-readable zone"),
		container.NewBorder(nil, nil, widget.NewLabel("For"), nil, d.mrzFor),
		container.NewBorder(nil, nil, nil, readBtn, d.mrz), d.mrzMsg)
	if f.req != nil && fp.CheckEdit(f.ui.actor, f.req) != nil {
		d.mrz.Disable()
		readBtn.Disable()
	}

	d.left = container.NewVScroll(container.NewVBox(d.list, widget.NewSeparator(), mrzBox))
	left := container.NewBorder(container.NewVBox(summary, container.NewBorder(nil, nil, nil, ask, hint), widget.NewSeparator()),
		nil, nil, nil, d.left)
	split := container.NewHSplit(left, d.preview)
	split.Offset = 0.48
	d.content = split
	d.refresh()
	return d
}

// show draws the preview the first time the tab is opened.
func (d *docsPanel) show() {
	if !d.shown {
		d.shown = true
		d.showPreview()
	}
}

// people are the MRZ reader's choices: the applicant and each household member.
// They come from the stored request: the panel is built before the form is filled.
func (d *docsPanel) people() []string {
	r := d.f.req
	out := []string{"Applicant: " + r.Applicant.FullName}
	for i, h := range r.Household {
		out = append(out, fmt.Sprintf("Member %d: %s", i+1, h.FullName))
	}
	return out
}

func (d *docsPanel) refresh() {
	r, today := d.f.req, d.ui.today()
	c := r.Completeness(today)
	d.summary.SetText(fmt.Sprintf("%s required documents verified · %d received to check · %d missing · %d rejected",
		c, c.Received, c.Missing, c.Rejected))
	if len(r.Outstanding(today)) == 0 || fp.CheckPrint(d.ui.actor) != nil {
		d.ask.Disable()
	} else {
		d.ask.Enable()
	}
	d.hint.SetText("Drop scans onto this window, or use Attach. PDF, JPEG or PNG, up to 20 MB.")
	if err := fp.CheckDocuments(d.ui.actor, r); err != nil {
		d.hint.SetText(fp.ErrorMessage(err))
	}
	if d.mrzFor != nil { // the household may have changed
		i := d.mrzFor.SelectedIndex()
		d.mrzFor.Options = d.people()
		d.mrzFor.SetSelectedIndex(max(0, min(i, len(d.mrzFor.Options)-1)))
	}
	d.list.RemoveAll()
	locked := fp.CheckDocuments(d.ui.actor, d.f.req) != nil
	for _, it := range d.items {
		d.list.Add(d.row(it, locked))
	}
	d.list.Refresh()
	if d.shown {
		d.showPreview()
	}
}

// stateText says where an item stands, with who and when.
func (u *UI) stateText(it fp.ChecklistItem) (string, widget.Importance) {
	doc := it.Doc
	when := func() string { return " by " + doc.By + " on " + u.when(doc.At) }
	switch doc.State {
	case fp.DocVerified:
		s := "Verified" + when()
		if doc.Shows != "" {
			s += " (shows " + doc.Shows + ")"
		}
		return s, widget.SuccessImportance
	case fp.DocRejected:
		s := "Rejected: " + doc.Reason.Label() + when()
		if doc.Note != "" {
			s += ". " + doc.Note
		}
		return s, widget.DangerImportance
	case fp.DocReceived:
		return "Received, to check", widget.WarningImportance
	}
	if !it.Required {
		return "Optional, not received", widget.LowImportance
	}
	return "Missing", widget.DangerImportance
}

func (d *docsPanel) row(it fp.ChecklistItem, locked bool) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(it.Label(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	text, imp := d.ui.stateText(it)
	state := widget.NewLabel(text)
	state.Importance = imp
	state.Wrapping = fyne.TextWrapWord
	info := container.NewVBox(title, state)
	if it.Warning != "" {
		w := widget.NewLabel(capitalize(it.Warning) + ".")
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.WarningImportance
		info.Add(w)
	}
	if f := it.Doc.File; f != nil {
		l := widget.NewLabel(fmt.Sprintf("%s · %s · %s · added by %s", f.Name, kindOf(f.Type), size(f.Size), f.AddedBy))
		l.SizeName = theme.SizeNameCaptionText
		l.Truncation = fyne.TextTruncateEllipsis
		info.Add(l)
	}
	buttons := container.NewHBox()
	attach := widget.NewButtonWithIcon("Attach", theme.ContentAddIcon(), func() { d.chooseFile(it.Key) })
	buttons.Add(attach)
	if it.Doc.File != nil {
		view := widget.NewButtonWithIcon("View", theme.VisibilityIcon(), func() { d.selected = it.Key; d.refresh() })
		verify := widget.NewButtonWithIcon("Verify", theme.ConfirmIcon(), func() { d.verify(it) })
		reject := widget.NewButtonWithIcon("Reject", theme.CancelIcon(), func() { d.reject(it) })
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { d.detach(it) })
		if it.Doc.State == fp.DocVerified {
			verify.Disable()
		}
		buttons.Objects = []fyne.CanvasObject{view, verify, reject, attach, remove}
		if locked {
			verify.Disable()
			reject.Disable()
			remove.Disable()
		}
		if d.selected == it.Key {
			view.Importance = widget.HighImportance
		}
	}
	if locked {
		attach.Disable()
	}
	return container.NewVBox(info, buttons, widget.NewSeparator())
}

func kindOf(t string) string {
	switch t {
	case fp.TypePDF:
		return "PDF"
	case fp.TypeJPEG:
		return "JPEG"
	case fp.TypePNG:
		return "PNG"
	}
	return t
}

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func (d *docsPanel) item(key string) (fp.ChecklistItem, bool) {
	for _, it := range d.items {
		if it.Key == key {
			return it, true
		}
	}
	return fp.ChecklistItem{}, false
}

// showPreview shows the selected image, zoomable, or offers the system
// viewer for a PDF; above it, the check of the item being verified.
func (d *docsPanel) showPreview() {
	it, ok := d.item(d.selected)
	if !ok || it.Doc.File == nil {
		msg := widget.NewLabel("Select View on a received document to see it here.")
		msg.Alignment = fyne.TextAlignCenter
		msg.Wrapping = fyne.TextWrapWord
		d.preview.Objects = []fyne.CanvasObject{container.NewCenter(msg)}
		d.preview.Refresh()
		return
	}
	file := *it.Doc.File
	title := widget.NewLabelWithStyle(it.Label(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	top := container.NewVBox(title)
	if d.checking == it.Key {
		top.Add(d.checkBox(it))
	}
	data, err := d.ui.db.ReadFile(file.SHA256)
	if err != nil {
		msg := widget.NewLabel(fp.ErrorMessage(err))
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = widget.DangerImportance
		d.preview.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, msg)}
		d.preview.Refresh()
		return
	}
	open := widget.NewButtonWithIcon("Open in viewer", theme.ComputerIcon(), func() { d.openExternal(it, data) })
	if !file.IsImage() {
		msg := widget.NewLabel(fmt.Sprintf("%s is a PDF (%s). It opens in the system's PDF viewer.", file.Name, size(file.Size)))
		msg.Wrapping = fyne.TextWrapWord
		d.preview.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, container.NewVBox(msg, container.NewHBox(open)))}
		d.preview.Refresh()
		return
	}
	d.image = canvas.NewImageFromResource(fyne.NewStaticResource(file.Name, data))
	d.image.FillMode = canvas.ImageFillContain
	d.image.ScaleMode = canvas.ImageScaleSmooth
	w, h := float32(file.Width), float32(file.Height)
	if w <= 0 || h <= 0 {
		w, h = 4, 3
	}
	scroll := container.NewScroll(d.image)
	setZoom := func(z float32) {
		d.zoom = max(0.25, min(z, 8))
		base := float32(440) // fit-width size at zoom 1: the preview is half of the smallest window
		d.image.SetMinSize(fyne.NewSize(base*d.zoom, base*d.zoom*h/w))
		scroll.Refresh()
	}
	setZoom(d.zoom)
	zoomLabel := func(s string, z func() float32) *widget.Button {
		return widget.NewButton(s, func() { setZoom(z()) })
	}
	top.Add(container.NewHBox(
		zoomLabel("−", func() float32 { return d.zoom / 1.25 }),
		zoomLabel("+", func() float32 { return d.zoom * 1.25 }),
		zoomLabel("Fit", func() float32 { return 1 }),
		zoomLabel("200%", func() float32 { return 2 }),
		layout.NewSpacer(), open))
	d.preview.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, scroll)}
	d.preview.Refresh()
}

// checkBox is the check of the item being verified, above its scan: for a
// notice, which number it shows; for a passport page, the recorded details
// to compare one by one, or its machine-readable zone to read. Problems show
// here, and nothing typed is lost.
func (d *docsPanel) checkBox(it fp.ChecklistItem) fyne.CanvasObject {
	msg := newErrLabel()
	msg.Hide()
	box := container.NewVBox()
	if it.Warning != "" {
		w := widget.NewLabel(capitalize(it.Warning) + ".")
		w.Wrapping = fyne.TextWrapWord
		w.Importance = widget.WarningImportance
		box.Add(w)
	}
	var verdict func() fp.Verdict
	var submit func()
	switch it.Kind {
	case fp.DocNotice:
		shows := widget.NewRadioGroup(d.f.req.Identifiers(), nil)
		ask := widget.NewLabel("Which number does the notice show? It must be one on the request.")
		ask.Wrapping = fyne.TextWrapWord
		box.Add(ask)
		box.Add(shows)
		verdict = func() fp.Verdict { return fp.Verdict{Verified: true, Shows: shows.Selected} }
	case fp.DocPassport:
		p, _ := d.f.req.Person(it.PersonID)
		ask := widget.NewLabel("Compare each recorded detail with the page, or scan its machine-readable zone:")
		ask.Wrapping = fyne.TextWrapWord
		box.Add(ask)
		checks := make([]*widget.Check, len(fp.PassportChecks))
		for i, c := range fp.PassportChecks {
			rec := c.Recorded(p)
			if rec == "" {
				rec = "(not recorded)"
			}
			// Tick when the page shows the same: the detail and the value
			// recorded, one line each, cut rather than widening the pane.
			value := widget.NewLabel(c.Label() + ": " + rec)
			value.Truncation = fyne.TextTruncateEllipsis
			checks[i] = widget.NewCheck("", nil)
			box.Add(container.NewBorder(nil, nil, checks[i], nil, value))
		}
		mrz := widget.NewMultiLineEntry()
		mrz.TextStyle.Monospace = true
		mrz.SetMinRowsVisible(2)
		mrz.SetPlaceHolder("Machine-readable zone: scan it with the reader, or type the two lines")
		mrz.OnChanged = func(s string) {
			if len(strings.Join(strings.Fields(s), "")) == 88 {
				submit() // a reader types both lines: check at once
			}
		}
		box.Add(mrz)
		verdict = func() fp.Verdict {
			v := fp.Verdict{Verified: true, MRZ: mrz.Text}
			for i, c := range fp.PassportChecks {
				if checks[i].Checked {
					v.Confirmed = append(v.Confirmed, c)
				}
			}
			return v
		}
	default:
		ask := widget.NewLabel("Does the scan show what this item asks for, legibly?")
		ask.Wrapping = fyne.TextWrapWord
		box.Add(ask)
		verdict = func() fp.Verdict { return fp.Verdict{Verified: true} }
	}
	submit = func() {
		d.ui.touch()
		r, err := d.ui.db.JudgeDocument(d.ui.actor, d.f.req.ID, it.Key, verdict())
		if err != nil {
			d.ui.logError(err)
			msg.SetText(fp.ErrorMessage(err))
			msg.Show()
			return
		}
		d.f.reopen(r, it.Key, fmt.Sprintf("Verified %s.%s", it.Label(), statusNote(d.f.req, r)))
	}
	verify := widget.NewButtonWithIcon("Verify", theme.ConfirmIcon(), submit)
	verify.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.checking = ""; d.showPreview() })
	box.Add(msg)
	box.Add(container.NewHBox(verify, cancel))
	box.Add(widget.NewSeparator())
	return box
}

// openExternal writes a copy with the right extension to the user's private
// print folder and opens it in the system viewer.
func (d *docsPanel) openExternal(it fp.ChecklistItem, data []byte) {
	dir, err := outputDir()
	if err != nil {
		d.ui.showError(err)
		return
	}
	ext := map[string]string{fp.TypePDF: ".pdf", fp.TypeJPEG: ".jpg", fp.TypePNG: ".png"}[it.Doc.File.Type]
	path := filepath.Join(dir, d.f.req.Number+" "+strings.ReplaceAll(it.Key, "/", "-")+ext)
	if err := writeFileAtomic(path, data); err != nil {
		d.ui.showError(fp.Internal("cannot write the copy for the viewer", err))
		return
	}
	if !d.ui.openFile(path) {
		d.ui.showError(fp.Errorf(fp.EINVALID, "no viewer could be opened on this computer: the copy is in %s", path))
	}
}

// chooseFile attaches a file picked in the file dialog to item key.
func (d *docsPanel) chooseFile(key string) {
	dlg := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			d.ui.showError(fp.Internal("the file cannot be opened", err))
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := fp.ReadLimited(rc.URI().Name(), rc, fp.MaxAttachmentBytes)
		if err != nil {
			d.ui.showError(err)
			return
		}
		d.attach(key, rc.URI().Name(), data)
	}, d.ui.win)
	// Show first: a file dialog has no size before it is shown (Resize
	// before Show crashed the window).
	dlg.Show()
	dlg.Resize(fyne.NewSize(900, 600))
}

// dropped asks which checklist item each dropped file is for.
func (d *docsPanel) dropped(uris []fyne.URI) {
	if err := fp.CheckDocuments(d.ui.actor, d.f.req); err != nil {
		d.ui.showError(err)
		return
	}
	if len(uris) == 0 {
		return
	}
	u := uris[0]
	rest := uris[1:]
	var labels []string
	def := ""
	for _, it := range d.items {
		labels = append(labels, it.Label())
		if def == "" && it.Doc.State == fp.DocMissing {
			def = it.Label()
		}
	}
	choice := widget.NewSelect(labels, nil)
	if def != "" {
		choice.SetSelected(def)
	}
	dialog.ShowForm("Attach "+u.Name(), "Attach", "Skip", []*widget.FormItem{widget.NewFormItem("This file is", choice)}, func(ok bool) {
		if ok {
			for _, it := range d.items {
				if it.Label() == choice.Selected {
					d.attachURI(it.Key, u)
				}
			}
		}
		if len(rest) > 0 {
			if f := d.ui.form; f != nil && f.docs != nil {
				f.docs.dropped(rest)
			}
		}
	}, d.ui.win)
}

func (d *docsPanel) attachURI(key string, u fyne.URI) {
	if u.Scheme() != "file" {
		d.ui.showError(fp.Errorf(fp.EINVALID, "%s is not a file on this computer: save it to a folder first, then drop or attach it", u.Name()))
		return
	}
	data, err := fp.ReadInputFile(u.Path(), fp.MaxAttachmentBytes, "")
	if err != nil {
		d.ui.showError(err)
		return
	}
	d.attach(key, u.Name(), data)
}

// attach checks and stores the file off the UI thread: decoding a large
// photo to prove it is intact takes about half a second.
func (d *docsPanel) attach(key, name string, data []byte) {
	var r *fp.Request
	var err error
	d.ui.background("Checking "+fp.DisplayName(name), func() {
		r, err = d.ui.db.AttachFile(d.ui.actor, d.f.req.ID, key, name, data)
	}, func() {
		if err != nil {
			d.ui.showError(err)
			return
		}
		it, _ := r.FindItem(key, d.ui.today())
		d.f.reopen(r, key, fmt.Sprintf("Attached %s to %s: check it, then Verify or Reject.", fp.DisplayName(name), it.Label()))
	})
}

// verify opens the item's check above its scan.
func (d *docsPanel) verify(it fp.ChecklistItem) {
	d.selected, d.checking, d.shown = it.Key, it.Key, true
	d.refresh()
}

// statusNote says when a document action moved the request.
func statusNote(before, after *fp.Request) string {
	if before.Status == after.Status {
		return ""
	}
	return " " + after.Number + " is now " + after.Status.Label() + "."
}

func (d *docsPanel) reject(it fp.ChecklistItem) {
	var labels []string
	for _, r := range fp.RejectReasons {
		labels = append(labels, capitalize(r.Label()))
	}
	reason := widget.NewRadioGroup(labels, nil)
	note := widget.NewEntry()
	note.SetPlaceHolder("What the applicant should do, e.g. scan the whole page in good light")
	d2 := d.ui.newFormDialog("Reject "+it.Label(), "Reject",
		[]*widget.FormItem{widget.NewFormItem("Why", reason), widget.NewFormItem("Note", note)}, func() error {
			v := fp.Verdict{Note: note.Text}
			for i, l := range labels {
				if l == reason.Selected {
					v.Reason = fp.RejectReasons[i]
				}
			}
			r, err := d.ui.db.JudgeDocument(d.ui.actor, d.f.req.ID, it.Key, v)
			if err != nil {
				return err
			}
			d.f.reopen(r, it.Key, fmt.Sprintf("Rejected %s.%s", it.Label(), statusNote(d.f.req, r)))
			return nil
		})
	d2.show(d.ui, 560)
}

func (d *docsPanel) detach(it fp.ChecklistItem) {
	dialog.ShowConfirm("Remove file", fmt.Sprintf("Remove %s from %s? The history keeps a record of it.", it.Doc.File.Name, it.Label()), func(ok bool) {
		if !ok {
			return
		}
		r, err := d.ui.db.DetachFile(d.ui.actor, d.f.req.ID, it.Key)
		if err != nil {
			d.ui.showError(err)
			return
		}
		d.f.reopen(r, "", fmt.Sprintf("Removed the file of %s.", it.Label()))
	}, d.ui.win)
}

// readMRZ parses the typed zone and fills the chosen person's details on the
// Details tab; where the passport disagrees with what is recorded, it asks.
func (d *docsPanel) readMRZ() {
	m, err := fp.ParseMRZ(d.mrz.Text, d.ui.today())
	if err != nil {
		d.mrzMsg.SetText(fp.ErrorMessage(err))
		d.mrzMsg.Importance = widget.DangerImportance
		d.mrzMsg.Show()
		d.left.ScrollToBottom() // the reader sits at the bottom: keep its message in view
		return
	}
	idx := d.mrzFor.SelectedIndex() - 1 // -1: the applicant
	in := d.f.input()
	p := fp.PersonInput{FullName: in.FullName, DateOfBirth: in.DateOfBirth, Passport: in.Passport}
	if idx >= 0 && idx < len(in.Household) {
		p = in.Household[idx]
	}
	filled, diffs := m.Apply(p)
	done := func(p fp.PersonInput, note string) {
		d.f.setPerson(idx, p)
		msg := "Passport " + m.PassportNumber + " read: " + note + " Check the Details tab and Save."
		if w := m.ExpiryWarning(d.ui.today()); w != "" {
			msg += " Note: " + w + "."
		}
		d.mrzMsg.SetText(msg)
		d.mrzMsg.Importance = widget.SuccessImportance
		d.mrzMsg.Show()
		d.left.ScrollToBottom()
		d.mrz.SetText("")
	}
	if len(diffs) == 0 {
		done(filled, "the details match what is recorded; empty fields were filled.")
		return
	}
	lines := []string{"The passport differs from what is recorded:"}
	for _, df := range diffs {
		lines = append(lines, fmt.Sprintf("• %s: recorded %q, passport %q", df.Label, df.Recorded, df.Passport))
	}
	lines = append(lines, "", "Use the passport's values, or keep what is recorded (empty fields are filled either way)?")
	msg := widget.NewLabel(strings.Join(lines, "\n"))
	msg.Wrapping = fyne.TextWrapWord
	dlg := dialog.NewCustomConfirm("Passport "+m.PassportNumber, "Use the passport's values", "Keep recorded", msg, func(use bool) {
		if use {
			p := m.UsePassport(p)
			done(p, fmt.Sprintf("%d recorded %s replaced by the passport's.", len(diffs), plural(len(diffs), "value", "values")))
		} else {
			done(filled, "recorded values kept.")
		}
	}, d.ui.win)
	dlg.Resize(fyne.NewSize(620, 320))
	dlg.Show()
}

// askMissing shows what to send the applicant: the e-mail text to copy or
// open in the mail program, and the same request as a PDF letter.
func (d *docsPanel) askMissing() {
	o, err := d.ui.db.Office()
	if err != nil {
		d.ui.showError(err)
		return
	}
	r := d.f.req
	subject, body, err := letter.MissingText(r, o, d.ui.today())
	if err != nil {
		d.ui.showError(err)
		return
	}
	text := widget.NewMultiLineEntry()
	text.SetText(body)
	text.Wrapping = fyne.TextWrapWord
	text.SetMinRowsVisible(14)
	status := widget.NewLabel("")
	var dlg *dialog.CustomDialog
	copyBtn := widget.NewButtonWithIcon("Copy e-mail text", theme.ContentCopyIcon(), func() {
		d.ui.app.Clipboard().SetContent("Subject: " + subject + "\n\n" + text.Text)
		status.SetText("Copied: paste it into the e-mail to " + orNone(r.Email) + ".")
	})
	mailBtn := widget.NewButtonWithIcon("Open in e-mail", theme.MailSendIcon(), func() {
		u := &url.URL{Scheme: "mailto", Opaque: r.Email, RawQuery: "subject=" + url.QueryEscape(subject) + "&body=" + url.QueryEscape(text.Text)}
		u.RawQuery = strings.ReplaceAll(u.RawQuery, "+", "%20") // mail programs read + literally
		d.ui.app.OpenURL(u)
	})
	if r.Email == "" {
		mailBtn.Disable()
		status.SetText("No e-mail address is recorded: print the letter, or add the address on the Details tab.")
	}
	pdfBtn := widget.NewButtonWithIcon("Letter (PDF)", theme.DocumentPrintIcon(), func() {
		dlg.Hide()
		d.f.print(func(r *fp.Request) (string, error) {
			_, path, err := d.ui.printDoc(r.Number, workflow.Document{Kind: workflow.Missing, Request: r.ID})
			return path, err
		})
	})
	closeBtn := widget.NewButton("Close", func() { dlg.Hide() })
	content := container.NewBorder(widget.NewLabelWithStyle("Subject: "+subject, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		status, nil, nil, text)
	dlg = dialog.NewCustomWithoutButtons("Ask "+r.Applicant.FullName+" for documents", content, d.ui.win)
	dlg.SetButtons([]fyne.CanvasObject{closeBtn, pdfBtn, mailBtn, copyBtn})
	dlg.Resize(fyne.NewSize(760, 560))
	dlg.Show()
}

func orNone(s string) string {
	if s == "" {
		return "the applicant"
	}
	return s
}
