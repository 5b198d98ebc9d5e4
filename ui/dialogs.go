package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// formDialog is a dialog that keeps what was typed when its action fails:
// submit's error is shown inside it, under the fields, and only success or
// Cancel closes it. (Fyne's form dialog closes before its callback runs, so
// an error there would throw the input away.)
type formDialog struct {
	d       *dialog.CustomDialog
	body    fyne.CanvasObject // the fields and the problem line, before scrolling
	problem *widget.Label
	ok      *widget.Button
	// then runs once the dialog is closed after a success: what it shows
	// next (a dialog opened while this one is up would close with it).
	then func()
}

func (u *UI) newFormDialog(title, confirm string, items []*widget.FormItem, submit func() error) *formDialog {
	f := &formDialog{problem: newErrLabel()}
	f.problem.Hide()
	f.ok = widget.NewButtonWithIcon(confirm, theme.ConfirmIcon(), func() {
		u.touch()
		if err := submit(); err != nil {
			u.logError(err)
			f.problem.SetText(fp.ErrorMessage(err))
			f.problem.Show()
			return
		}
		f.d.Hide()
		if f.then != nil {
			f.then()
		}
	})
	f.ok.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { f.d.Hide() })
	f.body = container.NewVBox(widget.NewForm(items...), f.problem)
	// The fields scroll when they are taller than a small screen.
	f.d = dialog.NewCustomWithoutButtons(title, container.NewVScroll(f.body), u.win)
	f.d.SetButtons([]fyne.CanvasObject{cancel, f.ok})
	return f
}

// show opens the dialog at width w (its height follows the fields), never
// wider than the window.
func (f *formDialog) show(u *UI, w float32) {
	win := u.win.Canvas().Size()
	f.d.Resize(fyne.NewSize(min(w, win.Width-40), min(f.body.MinSize().Height+120, win.Height-40)))
	f.d.Show()
}
