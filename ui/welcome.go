package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldprint/fieldprint/demo"
)

// newWelcome is what an empty database opens on: what Fieldprint is and the
// three ways to start.
func newWelcome(u *UI) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Welcome to Fieldprint", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel("This database has no requests yet. Fieldprint keeps the office's requests to have " +
		"biometrics (fingerprints, photo, signature) collected here: intake, document checks and the triage queue.\n\n" +
		"• Record the first request (Ctrl+N).\n" +
		"• Import the office's spreadsheet tracker from a terminal: fieldprint import tracker.csv\n" +
		"• Or load demo data to look around: a realistic office with requests in every category.")
	text.Wrapping = fyne.TextWrapWord
	demoBtn := widget.NewButtonWithIcon("Load demo data", theme.DownloadIcon(), func() { u.loadDemo() })
	newBtn := widget.NewButtonWithIcon("Record a request", theme.ContentAddIcon(), func() { u.Navigate(navNew) })
	newBtn.Importance = widget.HighImportance
	return container.NewPadded(container.NewVBox(title, text, container.NewHBox(newBtn, demoBtn)))
}

func (u *UI) loadDemo() {
	rs, err := demo.Load(u.db, u.DemoCount, u.today())
	if err != nil {
		u.showError(err)
		return
	}
	u.showQueue()
	dialog.ShowInformation("Demo data loaded", fmt.Sprintf("Created %d demo requests, %s to %s.", len(rs), rs[0].Number, rs[len(rs)-1].Number), u.win)
}
