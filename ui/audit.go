package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

const auditLimit = 500

var auditActions = []string{"All actions", fp.ActionRequestCreate, fp.ActionRequestEdit, fp.ActionRequestTransition,
	fp.ActionRecordPrint, fp.ActionSignIn, fp.ActionSignInFailed, fp.ActionLockout, fp.ActionUserCreate,
	fp.ActionUserDisable, fp.ActionUserUnlock, fp.ActionUserPassword,
	fp.ActionKeysSetUp, fp.ActionKeysRecovery, fp.ActionKeysRecover, fp.ActionRequestEncrypt,
	fp.ActionBackup, fp.ActionBackupFailed, fp.ActionBackupSettings}

// auditScreen lets directors and administrators read and verify the audit trail.
type auditScreen struct {
	ui               *UI
	user, from, to   *widget.Entry
	action           *widget.Select
	status, verified *widget.Label
	entries          []fp.AuditEntry
	asker            *newest[auditQuestion, auditAnswer]
	list             *widget.List
	content          fyne.CanvasObject
}

func newAuditScreen(u *UI) *auditScreen {
	s := &auditScreen{ui: u, user: widget.NewEntry(), from: widget.NewEntry(), to: widget.NewEntry(),
		status: widget.NewLabel(""), verified: widget.NewLabel("")}
	s.asker = &newest[auditQuestion, auditAnswer]{ui: u, ask: s.ask, show: s.show}
	s.user.SetPlaceHolder("user")
	s.from.SetPlaceHolder("from YYYY-MM-DD")
	s.to.SetPlaceHolder("to YYYY-MM-DD")
	for _, e := range []*widget.Entry{s.user, s.from, s.to} {
		e.OnChanged = func(string) { s.refresh() }
	}
	s.action = widget.NewSelect(auditActions, func(string) { s.refresh() })
	s.action.SetSelectedIndex(0)
	s.verified.Wrapping = fyne.TextWrapWord
	s.verified.Hide() // until a verification has been run
	s.list = widget.NewList(func() int { return len(s.entries) },
		func() fyne.CanvasObject {
			row := container.New(auditColumns{})
			for range auditSamples {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				row.Add(l)
			}
			return row
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := s.entries[i]
			for k, text := range []string{fmt.Sprintf("#%d", e.Seq), s.ui.when(e.At), e.Who(), e.Action, e.Request, e.Describe()} {
				o.(*fyne.Container).Objects[k].(*widget.Label).SetText(text)
			}
		})
	verify := widget.NewButtonWithIcon("Verify the chain", theme.ConfirmIcon(), s.verify)
	fixed := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	filters := container.NewHBox(fixed(120, s.user), fixed(200, s.action), fixed(150, s.from), fixed(150, s.to))
	s.status.Wrapping = fyne.TextWrapWord
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		if i >= 0 && i < len(s.entries) {
			s.showEntry(s.entries[i])
		}
	}
	s.content = container.NewBorder(
		container.NewVBox(heading("Audit trail"), container.NewBorder(nil, nil, filters, verify), s.status, s.verified),
		nil, nil, nil, s.list)
	return s
}

// auditSamples are the widest texts of a row's columns but the last (the
// details, which take the rest): a number, a time, a user name (longer ones
// are cut), an action and a request number.
var auditSamples = []string{"#9999999", "2026-12-31 23:59", "director-01", fp.ActionAppointmentReschedule, "FP-2026-100000", ""}

// auditColumns lines a row's labels up in columns, so the request numbers
// and the details start at the same place on every row.
type auditColumns struct{}

func (auditColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := size.Width - x // the details: the rest
		if i < len(objs)-1 {
			w = min(w, labelWidth(auditSamples[i], fyne.TextStyle{})+theme.Padding()) // a gap, and no cut by rounding
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(max(0, w), size.Height))
		x += w
	}
}

func (auditColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(0, h)
}

// showEntry shows one entry whole: a list row has room for its start only.
func (s *auditScreen) showEntry(e fp.AuditEntry) {
	lines := []string{
		fmt.Sprintf("Entry %d, %s (office time)", e.Seq, s.ui.when(e.At)),
		"By: " + e.Who(),
		"Action: " + e.Action,
	}
	if e.Request != "" {
		lines = append(lines, "Request: "+e.Request)
	}
	if e.Subject != "" {
		lines = append(lines, "Subject: "+e.Subject)
	}
	lines = append(lines, "", e.Describe())
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	open := widget.NewButtonWithIcon("Open the request", theme.DocumentIcon(), func() {
		d.Hide()
		if r, err := s.ui.db.FindRequestByNumber(e.Request); err == nil {
			s.ui.OpenRequest(r.ID)
		} else {
			s.ui.showError(err)
		}
	})
	buttons := []fyne.CanvasObject{widget.NewButton("Close", func() { d.Hide() })}
	if e.Request != "" && s.ui.actor.CanHandleCases() {
		buttons = append(buttons, open)
	}
	cd := dialog.NewCustomWithoutButtons(fmt.Sprintf("Audit entry %d", e.Seq), container.NewVScroll(text), s.ui.win)
	cd.SetButtons(buttons)
	d = cd
	cd.Resize(fyne.NewSize(600, 360))
	cd.Show()
}

func (s *auditScreen) refresh() {
	if s.content == nil {
		return
	}
	f := fp.AuditFilter{User: strings.ToLower(strings.TrimSpace(s.user.Text)), Limit: auditLimit}
	if s.action.SelectedIndex() > 0 {
		f.Action = s.action.Selected
	}
	for _, d := range []struct {
		e   *widget.Entry
		dst *fp.Date
	}{{s.from, &f.From}, {s.to, &f.To}} {
		if strings.TrimSpace(d.e.Text) == "" {
			continue
		}
		v, err := fp.ParseDate(d.e.Text)
		if err != nil {
			s.asker.Drop()
			s.status.SetText(fp.ErrorMessage(err))
			return
		}
		*d.dst = v
	}
	// Off the UI thread: a user name that matches nothing reads the whole
	// trail (a second or more on a large office) at every key typed.
	s.asker.Ask(auditQuestion{who: s.ui.actor, f: f})
}

type auditQuestion struct {
	who fp.Actor
	f   fp.AuditFilter
}

type auditAnswer struct {
	es  []fp.AuditEntry
	err error
}

func (s *auditScreen) ask(q auditQuestion) (a auditAnswer) {
	a.es, a.err = s.ui.db.FindAudit(q.who, q.f)
	return a
}

func (s *auditScreen) show(_ int, _ auditQuestion, a auditAnswer) {
	es, err := a.es, a.err
	if err != nil {
		s.status.SetText(fp.ErrorMessage(err))
		s.entries = nil
		s.list.Refresh()
		return
	}
	s.entries = es
	switch {
	case len(es) == 0:
		s.status.SetText("No entries match these filters.")
	case len(es) == auditLimit:
		s.status.SetText(fmt.Sprintf("The newest %d matching entries: narrow the dates to see older ones", auditLimit))
	default:
		s.status.SetText(fmt.Sprintf("%d entries, newest first", len(es)))
	}
	s.list.Refresh()
}

// verify checks the chain, every request record against it, and the
// newest signed checkpoint in the office's checkpoint folder.
func (s *auditScreen) verify() {
	s.verified.Show()
	rep, err := s.ui.db.VerifyHistory()
	switch {
	case err != nil:
		s.ui.showError(err)
		return
	case rep.Problem != nil:
		s.verified.Importance = widget.DangerImportance
	case len(rep.Warnings) > 0:
		s.verified.Importance = widget.WarningImportance
	default:
		s.verified.Importance = widget.SuccessImportance
	}
	s.verified.SetText(s.ui.db.DescribeReport(rep))
}
