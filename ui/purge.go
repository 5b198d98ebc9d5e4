package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// purgeScreen is Retention (directors and administrators): how long closed
// requests' data is kept (the administrator sets it), what is due for
// destruction now, the purge by hand that a director and an administrator
// confirm together, and the destruction reports.
type purgeScreen struct {
	ui                       *UI
	completed, denied, wdrwn *widget.Entry
	saveBtn, purgeBtn        *widget.Button
	due                      *widget.Label
	reports                  *widget.List
	report                   *widget.Label
	saveReport               *widget.Button
	list                     []workflow.PurgeReport
	shown                    int // the report on display (-1: none)
	content                  fyne.CanvasObject
}

func newPurgeScreen(u *UI) *purgeScreen {
	s := &purgeScreen{ui: u, shown: -1}
	number := func() *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder("0")
		return e
	}
	s.completed, s.denied, s.wdrwn = number(), number(), number()
	s.saveBtn = widget.NewButtonWithIcon("Save retention", theme.DocumentSaveIcon(), s.onSave)
	why := widget.NewLabel("When a closed request's period has passed, the daily purge destroys its applicant data: the request's own key is erased, " +
		"so its record, scans, stamps and the details of its history can never be read again, here or in the backups in the backup folder. " +
		"Its number, category, dates and outcome are kept, so counts and the audit trail still hold. A request on legal hold is never purged.")
	why.Wrapping = fyne.TextWrapWord
	s.due = widget.NewLabel("")
	s.due.Wrapping = fyne.TextWrapWord
	s.purgeBtn = widget.NewButtonWithIcon("Purge now…", theme.DeleteIcon(), s.onPurge)
	s.purgeBtn.Importance = widget.DangerImportance
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), func() { s.refresh() })
	s.report = widget.NewLabel("Choose a report to read it.")
	s.report.Wrapping = fyne.TextWrapWord
	s.report.TextStyle = fyne.TextStyle{Monospace: true}
	s.saveReport = widget.NewButtonWithIcon("Save report…", theme.DocumentSaveIcon(), s.onSaveReport)
	s.saveReport.Disable()
	s.reports = widget.NewList(func() int { return len(s.list) },
		func() fyne.CanvasObject {
			return widget.NewLabel("No. 000 · 2026-01-01 00:00 · by hand · 000 requests")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := s.list[i]
			how := "by hand"
			if r.Automatic {
				how = "daily"
			}
			o.(*widget.Label).SetText(fmt.Sprintf("No. %d · %s · %s · %d %s", r.Run, u.when(r.At), how, len(r.Purged), plural(len(r.Purged), "request", "requests")))
		})
	s.reports.OnSelected = func(i widget.ListItemID) { s.show(i) }
	months := func(e *widget.Entry) fyne.CanvasObject {
		unit := widget.NewLabel("months after it closed (0: kept)")
		return container.NewHBox(container.NewGridWrap(fyne.NewSize(120, e.MinSize().Height), e), unit)
	}
	schedule := widget.NewForm(
		widget.NewFormItem("Completed requests", months(s.completed)),
		widget.NewFormItem("Denied requests", months(s.denied)),
		widget.NewFormItem("Withdrawn requests", months(s.wdrwn)),
	)
	// A director reads the periods the administrator set: readable, not greyed out.
	top := container.NewVBox(heading("Retention and purge"), why, container.NewThemeOverride(schedule, readableFields{}), container.NewHBox(s.saveBtn),
		heading("Due for destruction now"), s.due, container.NewHBox(s.purgeBtn, refresh), heading("Destruction reports"))
	reportBox := container.NewBorder(nil, container.NewHBox(s.saveReport), nil, nil, container.NewVScroll(s.report))
	split := container.NewHSplit(s.reports, reportBox)
	split.Offset = 0.4
	s.content = container.NewBorder(top, nil, nil, nil, split)
	if u.actor.Role != fp.RoleAdmin {
		for _, e := range []*widget.Entry{s.completed, s.denied, s.wdrwn} {
			e.Disable()
		}
		s.saveBtn.Disable()
	}
	return s
}

func (s *purgeScreen) refresh() {
	r, err := s.ui.db.Retention()
	if err != nil {
		s.ui.showError(err)
	}
	s.completed.SetText(strconv.Itoa(r.Completed))
	s.denied.SetText(strconv.Itoa(r.Denied))
	s.wdrwn.SetText(strconv.Itoa(r.Withdrawn))
	prev, err := s.ui.db.DueForDestruction(s.ui.actor)
	switch {
	case err != nil:
		s.due.SetText(fp.ErrorMessage(err))
		s.purgeBtn.Disable()
	case len(prev.Purged) == 0:
		text := "Nothing is due."
		if !r.Set() {
			text = "Nothing is due: no retention period is set, so nothing is destroyed until an administrator sets one."
		}
		s.due.SetText(text + heldText(prev.Held))
		s.purgeBtn.Disable()
	default:
		var ns []string
		for _, t := range prev.Purged {
			ns = append(ns, t.Number)
		}
		s.due.SetText(fmt.Sprintf("%d %s due: %s. The daily purge destroys them; a director and an administrator can do it now together.",
			len(ns), plural(len(ns), "request's data is", "requests' data are"), firstOf(ns, 12)) + heldText(prev.Held))
		s.purgeBtn.Enable()
	}
	if s.list, err = s.ui.db.DestructionReports(s.ui.actor); err != nil {
		s.ui.showError(err)
	}
	s.reports.Refresh()
	if s.shown >= len(s.list) {
		s.shown = -1
	}
	if len(s.list) == 0 {
		s.report.SetText("No purge has destroyed anything yet: each one that does leaves its report here.")
	} else if s.shown < 0 {
		s.report.SetText("Choose a report to read it.")
	}
}

func heldText(held []string) string {
	if len(held) == 0 {
		return ""
	}
	return fmt.Sprintf(" Kept on legal hold although due: %s.", firstOf(held, 12))
}

// firstOf lists at most n items, and how many more.
func firstOf(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func (s *purgeScreen) show(i int) {
	if i < 0 || i >= len(s.list) {
		return
	}
	s.shown = i
	s.report.SetText(s.list[i].Text(s.ui.db.Location()))
	s.saveReport.Enable()
}

func (s *purgeScreen) onSave() {
	s.ui.touch()
	var r fp.Retention
	for _, f := range []struct {
		name string
		e    *widget.Entry
		dst  *int
	}{{"completed", s.completed, &r.Completed}, {"denied", s.denied, &r.Denied}, {"withdrawn", s.wdrwn, &r.Withdrawn}} {
		n, err := strconv.Atoi(strings.TrimSpace(f.e.Text))
		if err != nil {
			s.ui.showError(fp.Errorf(fp.EINVALID, "the retention of %s requests is a number of months (0: kept), not %q", f.name, f.e.Text))
			return
		}
		*f.dst = n
	}
	if err := s.ui.db.SetRetention(s.ui.actor, r); err != nil {
		s.ui.showError(err)
		return
	}
	s.refresh()
}

// onPurge asks for the second person and their password, then purges
// what is due and shows the destruction report.
func (s *purgeScreen) onPurge() {
	s.ui.touch()
	other := "an administrator"
	if s.ui.actor.Role == fp.RoleAdmin {
		other = "a director"
	}
	name := widget.NewEntry()
	name.SetPlaceHolder(other + "'s user name")
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder("their password, typed by them")
	sure := widget.NewCheck("The data cannot be recovered afterwards, from here or from the backups in the backup folder", nil)
	var confirmed workflow.PurgeConfirmation
	what := widget.NewLabel(s.due.Text)
	what.Wrapping = fyne.TextWrapWord
	d := s.ui.newFormDialog("Purge closed requests' data", "Destroy", []*widget.FormItem{
		widget.NewFormItem("", what),
		widget.NewFormItem("Second person", name),
		widget.NewFormItem("Password", password),
		widget.NewFormItem("", sure),
	}, func() error {
		switch {
		case strings.TrimSpace(name.Text) == "" || password.Text == "":
			return fp.Errorf(fp.EINVALID, "a purge by hand needs %s too: they type their user name and password here", other)
		case !sure.Checked:
			return fp.Errorf(fp.EINVALID, "tick the box to confirm that the data is destroyed for good")
		}
		c, err := s.ui.db.ConfirmPurge(s.ui.actor, strings.TrimSpace(name.Text), password.Text)
		confirmed = c
		return err
	})
	d.then = func() { s.purgeNow(confirmed) }
	d.show(s.ui, 560)
}

// purgeNow runs the purge by hand behind a progress bar, then shows its
// destruction report (or why it was refused).
func (s *purgeScreen) purgeNow(c workflow.PurgeConfirmation) {
	var rep workflow.PurgeReport
	var err error
	s.ui.withProgress("Purging", func(progress func(float64)) {
		rep, err = s.ui.db.PurgeConfirmed(s.ui.actor, c, workflow.PurgeOptions{
			Progress: func(done, total int) { progress(float64(done) / float64(max(total, 1))) }})
	}, func() {
		s.refresh()
		if err != nil {
			s.ui.showError(err)
			return
		}
		s.ui.showText("Destruction report", rep.Text(s.ui.db.Location()))
	})
}

// onSaveReport writes the report on display to a text file.
func (s *purgeScreen) onSaveReport() {
	if s.shown < 0 {
		return
	}
	r := s.list[s.shown]
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write([]byte(r.Text(s.ui.db.Location()))); err != nil {
			s.ui.showError(fp.Errorf(fp.EINVALID, "the report was not saved: %v", err))
		}
	}, s.ui.win)
	d.SetFileName(fmt.Sprintf("destruction-report-%d.txt", r.Run))
	d.Show()
}

// showText shows a long text (a report) in a dialog with a scroll.
func (u *UI) showText(title, text string) {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Monospace: true}
	d := dialog.NewCustom(title, "Close", container.NewVScroll(l), u.win)
	win := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(760, win.Width-40), min(520, win.Height-40)))
	d.Show()
}

// autoPurge runs the daily purge of the retention schedule once a day, as
// whoever is signed in (the schedule is the administrator's decision).
func (u *UI) autoPurge() {
	if u.actor.Name == "" || u.locked || u.purging {
		return
	}
	u.purging = true
	a := u.actor
	go func() {
		_, _, err := u.db.PurgeDueNow(a)
		fyne.Do(func() {
			u.purging = false
			if err != nil {
				u.logError(err)
				u.setBackupStatus("The daily purge failed: " + fp.ErrorMessage(err))
			}
		})
	}()
}

// onHold puts the open request on legal hold or releases it.
func (f *requestScreen) onHold() {
	on := f.req.Hold == nil
	title, action := "Put "+f.req.Number+" on legal hold", "Hold"
	if !on {
		title, action = "Release "+f.req.Number+" from legal hold", "Release"
	}
	f.ui.askReason(title, action, func(reason string) error {
		r, err := f.ui.db.SetHold(f.ui.actor, f.req.ID, on, reason)
		if err != nil {
			return err
		}
		msg := r.Number + " is on legal hold: no purge destroys its data."
		if !on {
			msg = r.Number + " is released from legal hold."
		}
		f.update(r, tabStay, msg)
		return nil
	})
}
