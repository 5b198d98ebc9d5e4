package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// printRequestLetter prints one request's appointment letter; printing it
// again for the same appointments asks why.
func (u *UI) printRequestLetter(r *fp.Request) {
	u.touch()
	name := r.Number
	if r.LetterPrinted(u.today()) {
		u.askReason("Print the appointment letter of "+r.Number+" again", "Print again", func(reason string) error {
			u.printLetters(name, []*fp.Request{r}, false, reason)
			return nil
		})
		return
	}
	u.printLetters(name, []*fp.Request{r}, false, "")
}

// printDayLetters prints every appointment letter for day as one PDF.
func (u *UI) printDayLetters(d fp.Date) {
	u.touch()
	rs, err := u.db.LetterRequests(d, false)
	if err != nil {
		u.showError(err)
		return
	}
	u.printLetters(d.String(), rs, true, "")
}

// printUnprintedLetters prints every letter not printed yet as one PDF.
func (u *UI) printUnprintedLetters() {
	u.touch()
	rs, err := u.db.LetterRequests(fp.Date{}, true)
	if err != nil {
		u.showError(err)
		return
	}
	u.printLetters("not yet printed "+u.today().String(), rs, true, "")
}

// printLetters prints rs as one PDF through the workflow behind a progress
// bar (one printing recorded per request), writes it whole and opens it.
func (u *UI) printLetters(who string, rs []*fp.Request, batch bool, reason string) {
	if len(rs) == 0 {
		dialog.ShowInformation("Nothing to print", "There are no appointment letters to print: every scheduled request's letter has been printed, or nobody is booked that day.", u.win)
		return
	}
	var p workflow.Printed
	var path string
	var err error
	u.backgroundProgress(fmt.Sprintf("Preparing %d %s", len(rs), plural(len(rs), "letter", "letters")), func(progress func(done, total int)) {
		p, path, err = u.printDoc(who, workflow.Document{Kind: workflow.Appointments, Requests: rs, Reason: reason, Batch: batch, Progress: progress})
	}, func() {
		if err != nil {
			u.showError(err)
			return
		}
		if f := u.form; f != nil && len(rs) == 1 && f.req != nil && f.req.ID == rs[0].ID {
			if r, err := u.db.FindRequestByID(rs[0].ID); err == nil {
				f.update(r, tabAppointments, fmt.Sprintf("Appointment letter written (copy %d): %s", p.Copy, path))
			}
		}
		u.offerPrint(path, fmt.Sprintf("%d %s", len(rs), plural(len(rs), "letter", "letters")), u.openFile(path))
	})
}

// offerPrint says where the PDF is and sends it to the default printer with
// lp where CUPS is installed (Fyne has no print dialog).
func (u *UI) offerPrint(path, what string, opened bool) {
	msg := widget.NewLabel(fmt.Sprintf("%s written to\n%s\n%s", what, path, openedIn(opened)))
	msg.Wrapping = fyne.TextWrapWord
	printFile, noPrinter := systemPrinter()
	var d *dialog.CustomDialog
	printBtn := widget.NewButtonWithIcon("Print", theme.DocumentPrintIcon(), func() {
		out, err := printFile(path)
		d.Hide()
		if err != nil {
			u.showError(fp.Errorf(fp.EINVALID, "the printer refused the file: %v", err))
			return
		}
		dialog.ShowInformation("Sent to the printer", out, u.win)
	})
	printBtn.Importance = widget.HighImportance
	if noPrinter != "" {
		printBtn.Disable()
		msg.SetText(msg.Text + "\n" + noPrinter)
	}
	d = dialog.NewCustomWithoutButtons("Ready to print", msg, u.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Close", func() { d.Hide() }), printBtn})
	d.Resize(fyne.NewSize(560, 230))
	d.Show()
}

// backgroundProgress is background with a progress bar that work advances.
func (u *UI) backgroundProgress(title string, work func(progress func(done, total int)), done func()) {
	if u.inline {
		work(func(int, int) {})
		done()
		return
	}
	bar := widget.NewProgressBar()
	d := dialog.NewCustomWithoutButtons(title, container.NewPadded(bar), u.win)
	d.Show()
	go func() {
		work(func(n, total int) {
			if n == total || n%max(1, total/100) == 0 { // a hundred redraws at most
				fyne.Do(func() { bar.Max = float64(total); bar.SetValue(float64(n)) })
			}
		})
		fyne.Do(func() {
			d.Hide()
			done()
		})
	}()
}
