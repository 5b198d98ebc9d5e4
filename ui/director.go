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

// reviewScreen lists the requests referred to the director, oldest first,
// with everything a decision weighs and the office's current workload.
type reviewScreen struct {
	ui       *UI
	workload *widget.Label
	capacity *widget.Label
	list     *fyne.Container
	content  fyne.CanvasObject
}

func newReviewScreen(u *UI) *reviewScreen {
	s := &reviewScreen{ui: u, workload: widget.NewLabel(""), capacity: widget.NewLabel(""), list: container.NewVBox()}
	s.workload.Wrapping = fyne.TextWrapWord
	s.capacity.TextStyle.Monospace = true
	s.content = container.NewBorder(
		container.NewVBox(heading("Director review"), s.workload, s.capacity, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(s.list))
	return s
}

func (s *reviewScreen) refresh() {
	u := s.ui
	counts, err := u.db.CountByStatus()
	if err != nil {
		u.showError(err)
		return
	}
	s.workload.SetText(fmt.Sprintf("Office workload: %d ready to schedule, %d scheduled, %d waiting for documents, %d new. "+
		"\"All others\" are served only in rare circumstances, within this capacity.",
		counts[fp.StatusReadyToSchedule], counts[fp.StatusScheduled], counts[fp.StatusAwaitingDocuments], counts[fp.StatusNew]))
	s.capacity.SetText(s.freeWeeks())
	rows, _, err := u.db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusDirectorReview}})
	if err != nil {
		u.showError(err)
		return
	}
	s.list.RemoveAll()
	if len(rows) == 0 {
		s.list.Add(widget.NewLabel("Nothing is waiting for a decision. Requests appear here when a clerk refers them."))
	}
	for _, row := range rows {
		r, err := u.db.FindRequestByID(row.ID)
		if err != nil {
			u.showError(err)
			return
		}
		s.list.Add(s.card(r))
	}
	s.list.Refresh()
}

// card shows one referred request and the decisions the director may take.
func (s *reviewScreen) card(r *fp.Request) fyne.CanvasObject {
	u := s.ui
	today := u.today()
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s  %s", r.Number, r.Applicant.FullName), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	facts := []string{
		fmt.Sprintf("%s · received %s · waiting %d days · %d %s", r.Category.Label(), r.Received, r.Age(today), r.People(today), plural(r.People(today), "person", "people")),
		"Basis: " + r.Basis,
	}
	for i := len(r.History) - 1; i >= 0; i-- {
		if h := r.History[i]; h.To == fp.StatusDirectorReview {
			facts = append(facts, fmt.Sprintf("Referred by %s on %s: %s", h.By, u.when(h.At), h.Reason))
			break
		}
	}
	if o := r.Other; o != nil {
		asked := map[fp.YesNo]string{fp.Yes: "yes", fp.No: "no"}[o.RescheduleAsked]
		facts = append(facts,
			fmt.Sprintf("U.S. ASC appointment: %s, %s", o.ASCDate, o.ASCPlace),
			"Why they left the U.S.: "+o.DepartureReason,
			fmt.Sprintf("Expedite or reschedule asked before leaving: %s. %s", asked, o.RescheduleNote))
	}
	facts = append(facts, s.earliest(r))
	body := widget.NewLabel(strings.Join(facts, "\n"))
	body.Wrapping = fyne.TextWrapWord

	buttons := container.NewHBox()
	var blocked []string
	for _, dc := range fp.Decisions(u.actor, r, u.today()) {
		t := dc.Rule
		if t.To == fp.StatusWithdrawn {
			continue // withdrawal is on the request itself; here the director decides
		}
		b := widget.NewButton(t.Action, func() {
			u.askReason(t.Action+" "+r.Number, t.Action, func(reason string) error {
				if _, err := u.db.TransitionRequest(u.actor, r.ID, t.To, reason); err != nil {
					return err
				}
				s.refresh()
				return nil
			})
		})
		if t.To == fp.StatusReadyToSchedule {
			b.Importance = widget.HighImportance
			b.SetIcon(theme.ConfirmIcon())
		} else {
			b.Importance = widget.DangerImportance
			b.SetIcon(theme.CancelIcon())
		}
		if dc.Why != nil {
			// Shown, not hidden: the director sees the decision and why it waits.
			b.Disable()
			blocked = append(blocked, t.Action+": "+fp.ErrorMessage(dc.Why))
		}
		buttons.Add(b)
	}
	buttons.Add(layout.NewSpacer())
	buttons.Add(widget.NewButtonWithIcon("Open", theme.DocumentIcon(), func() { u.OpenRequest(r.ID) }))
	card := container.NewVBox(title, body, buttons)
	for _, why := range blocked {
		l := widget.NewLabel(why)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		card.Add(l)
	}
	card.Add(widget.NewSeparator())
	return card
}

// freeWeeks is the free capacity of the next four weeks, week by week: what
// an "All others" approval would compete for.
func (s *reviewScreen) freeWeeks() string {
	u := s.ui
	from := u.today().AddDays(1)
	from = from.AddDays(-((int(from.Time().Weekday()) + 6) % 7)) // Monday
	loads, err := u.db.Loads(from, from.AddDays(27))
	if err != nil {
		return fp.ErrorMessage(err)
	}
	lines := []string{"Free places, next four weeks (all / for All others):"}
	for w := 0; w < 4; w++ {
		var free, other, capacity int
		for _, l := range loads[w*7 : w*7+7] {
			if l.Day.After(u.today()) {
				free, other, capacity = free+l.Free(), other+l.FreeForOther(), capacity+l.Capacity
			}
		}
		lines = append(lines, fmt.Sprintf("  week of %s: %3d / %3d of %d", loads[w*7].Day.Time().Format("Mon 2 Jan"), free, other, capacity))
	}
	return strings.Join(lines, "\n")
}

// earliest says when r's people could come if it were approved now.
func (s *reviewScreen) earliest(r *fp.Request) string {
	bs, err := s.ui.db.ProposeSlots(r.ID, fp.Date{})
	if err != nil || len(bs) == 0 {
		return "If approved: " + fp.ErrorMessage(err)
	}
	line := fmt.Sprintf("If approved, the earliest free %s: %s %s", plural(len(bs), "slot", "slots for everyone"), bs[0].Day.Time().Format("Mon 2 Jan 2006"), bs[0].Start)
	if r.Category == fp.CategoryOther {
		line += " (within the share All others may take)"
	}
	return line
}
