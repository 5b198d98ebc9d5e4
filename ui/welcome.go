package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newWelcome is what an empty database opens on: what Fieldprint is and the
// three ways to start.
func newWelcome(u *UI) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Welcome to Fieldprint", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel("This office has no requests yet.\n\n" +
		"• Record the first request (Ctrl+N).\n" +
		"• Or import the office's spreadsheet tracker from a terminal:\n    fieldprint import tracker.csv --user " + u.actor.Name + "\n\n" +
		"To look around a realistic office first, open a new database and choose \"Load demo data\":\n    fieldprint --db /tmp/demo.db")
	text.Wrapping = fyne.TextWrapWord
	newBtn := widget.NewButtonWithIcon("Record a request", theme.ContentAddIcon(), func() { u.Navigate(navNew) })
	newBtn.Importance = widget.HighImportance
	if !u.actor.CanHandleCases() {
		// An administrator records no requests: what there is to do instead.
		text.SetText("This office has no requests yet. Clerks and directors record them.\n\n" +
			"As the administrator, set the office up first:\n" +
			"• Users: add the clerks' and directors' accounts, each with the person's full name.\n" +
			"• Settings: the letterhead, public hours, stations and appointment rules.")
		users := widget.NewButtonWithIcon("Users", theme.AccountIcon(), func() { u.Navigate(navUsers) })
		users.Importance = widget.HighImportance
		settings := widget.NewButtonWithIcon("Settings", theme.SettingsIcon(), func() { u.Navigate(navSettings) })
		return container.NewPadded(container.NewVBox(title, text, container.NewHBox(users, settings)))
	}
	return container.NewPadded(container.NewVBox(title, text, container.NewHBox(newBtn)))
}
