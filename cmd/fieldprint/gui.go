package main

import (
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/ui"
	"github.com/fieldprint/fieldprint/workflow"
)

// runGUI opens the main window on the chosen database.
func runGUI(e env, args []string) error {
	fs, dbFlag := newFlags(e, "fieldprint", "[--db PATH] [--lock-after DURATION]")
	lockAfter := fs.Duration("lock-after", 10*time.Minute, "lock the window after this long without activity (0 never)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	a := app.NewWithID("gov.uscis.fieldprint")
	path := dbPath(*dbFlag)
	db, err := store.Open(path)
	if err != nil {
		// Say it in a window too: the GUI may have been started from a menu.
		w := a.NewWindow("Fieldprint cannot start")
		l := widget.NewLabel(fp.ErrorMessage(err))
		l.Wrapping = fyne.TextWrapWord
		w.SetContent(l)
		w.Resize(fyne.NewSize(520, 140))
		w.ShowAndRun()
		return err
	}
	defer func() { db.Close() }()
	u := ui.New(a, db, filepath.Base(path))
	u.IdleAfter = *lockAfter
	u.Restorer = func(file string, s workflow.BackupSecret, progress func(float64)) (ui.Store, error) {
		open, err := restoreOpen(&db, file, s, progress) // backup.go
		if open == nil {
			return nil, err // not a nil *store.DB in the interface
		}
		return open, err
	}
	u.ShowAndRun()
	return nil
}
