package ui

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
)

// printRequestLetter prints one request's appointment letter; printing it
// again for the same appointments asks why.
func (u *UI) printRequestLetter(r *fp.Request) {
	u.touch()
	name := r.Number + " appointment letter"
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
	u.printLetters("appointment letters "+d.String(), rs, true, "")
}

// printUnprintedLetters prints every letter not printed yet as one PDF.
func (u *UI) printUnprintedLetters() {
	u.touch()
	rs, err := u.db.LetterRequests(fp.Date{}, true)
	if err != nil {
		u.showError(err)
		return
	}
	u.printLetters("appointment letters not yet printed "+u.today().String(), rs, true, "")
}

// printLetters renders rs as one PDF behind a progress bar, audits the
// printing (one entry per request, the file's SHA-256, copy numbers), writes
// the file whole and opens it in the system viewer.
func (u *UI) printLetters(name string, rs []*fp.Request, batch bool, reason string) {
	if len(rs) == 0 {
		dialog.ShowInformation("Nothing to print", "There are no appointment letters to print: every scheduled request's letter has been printed, or nobody is booked that day.", u.win)
		return
	}
	o, err := u.db.Office()
	if err != nil {
		u.showError(err)
		return
	}
	s, err := u.db.Scheduling()
	if err != nil {
		u.showError(err)
		return
	}
	var buf bytes.Buffer
	var renderErr error
	opt := u.letterOptions()
	u.backgroundProgress(fmt.Sprintf("Preparing %d %s", len(rs), plural(len(rs), "letter", "letters")), func(progress func(done, total int)) {
		renderErr = letter.Appointments(&buf, rs, o, s, opt, progress)
	}, func() {
		if renderErr != nil {
			if fp.ErrorCode(renderErr) == fp.EINTERNAL {
				renderErr = fp.Internal("cannot render the letters", renderErr)
			}
			u.showError(renderErr)
			return
		}
		ids := make([]fp.RequestID, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
		}
		copies, err := u.db.RecordLetters(u.actor, ids, fp.Fingerprint(buf.Bytes()), reason, batch)
		if err != nil {
			u.showError(err)
			return
		}
		dir, err := outputDir()
		if err != nil {
			u.showError(err)
			return
		}
		path := filepath.Join(dir, name+".pdf")
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			u.showError(fp.Internal("cannot write the letters", err))
			return
		}
		if f := u.form; f != nil && len(rs) == 1 && f.req != nil && f.req.ID == rs[0].ID {
			if r, err := u.db.FindRequestByID(rs[0].ID); err == nil {
				f.reopenOn(r, "schedule", fmt.Sprintf("Appointment letter written (copy %d): %s", copies[r.ID], path))
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
	lp, lpErr := exec.LookPath("lp")
	var d *dialog.CustomDialog
	printBtn := widget.NewButtonWithIcon("Print", theme.DocumentPrintIcon(), func() {
		out, err := exec.Command(lp, "--", path).CombinedOutput()
		d.Hide()
		if err != nil {
			u.showError(fp.Errorf(fp.EINVALID, "the printer refused the file: %s", strings.TrimSpace(string(out))))
			return
		}
		dialog.ShowInformation("Sent to the printer", strings.TrimSpace(string(out)), u.win)
	})
	printBtn.Importance = widget.HighImportance
	if lpErr != nil {
		printBtn.Disable()
		msg.SetText(msg.Text + "\nNo printing system (CUPS) was found on this computer: print from the viewer.")
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
