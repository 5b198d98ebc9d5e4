package ui

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// The office's tracker comes in and goes out from the queue, as with the
// CLI's import and export: the same checks, all rows or none.

// onImport asks for a CSV file and imports it.
func (u *UI) onImport() {
	if err := fp.CheckEdit(u.actor, nil); err != nil {
		u.showError(err)
		return
	}
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(fp.Errorf(fp.EINVALID, "the file cannot be opened: %v", err))
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := fp.ReadLimited(rc.URI().Name(), rc, fp.MaxImportBytes)
		if err != nil {
			u.showError(err)
			return
		}
		u.importCSV(rc.URI().Name(), data)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV"}))
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}

// importCSV checks a whole tracker file, lists its problems by line (nothing
// is imported then), or asks once and imports every row in one transaction.
func (u *UI) importCSV(name string, data []byte) {
	rows, problems := fp.ParseImportCSV(bytes.NewReader(data), u.today())
	dups, err := fp.ImportDuplicates(u.db, rows)
	if err != nil {
		u.showError(err)
		return
	}
	problems = append(problems, dups...)
	fp.SortLineErrors(problems)
	var warnings []string
	for _, r := range rows {
		for _, w := range r.Warnings {
			warnings = append(warnings, fmt.Sprintf("line %d: %s", r.Line, w))
		}
	}
	if len(problems) > 0 {
		lines := make([]string, 0, len(problems))
		for _, p := range problems {
			lines = append(lines, p.Error())
		}
		u.showLines(fmt.Sprintf("%s was not imported", name),
			fmt.Sprintf("Nothing was imported: %d %s in %s. Fix %s in the spreadsheet and import the whole file again.",
				len(problems), plural(len(problems), "problem", "problems"), name, plural(len(problems), "it", "them")),
			append(lines, warnings...))
		return
	}
	if len(rows) == 0 {
		u.showError(fp.Errorf(fp.EINVALID, "%s has no requests in it: the first line names the columns, one request per line after it", name))
		return
	}
	intro := fmt.Sprintf("%s holds %d %s, all valid. Import them all now?", name, len(rows), plural(len(rows), "request", "requests"))
	if len(warnings) > 0 {
		intro += fmt.Sprintf(" Read the %d %s first.", len(warnings), plural(len(warnings), "warning", "warnings"))
	}
	u.confirmLines("Import "+name, intro, warnings, "Import", func() {
		rs := make([]*fp.Request, len(rows))
		for i, r := range rows {
			rs[i] = r.Request
		}
		var saved []*fp.Request
		var err error
		u.background(fmt.Sprintf("Importing %d requests", len(rs)), func() {
			saved, err = u.db.ImportRequests(u.actor, rs, fp.SaveOptions{})
		}, func() {
			if err != nil {
				u.showError(err)
				return
			}
			u.showQueue()
			dialog.ShowInformation("Imported", fmt.Sprintf("Imported %d requests, %s to %s.", len(saved), saved[0].Number, saved[len(saved)-1].Number), u.win)
		})
	})
}

// showLines shows a message and a scrolling list of lines.
func (u *UI) showLines(title, intro string, lines []string) {
	u.confirmLines(title, intro, lines, "", nil)
}

// confirmLines shows intro and lines; with an action, a button does it.
func (u *UI) confirmLines(title, intro string, lines []string, action string, do func()) {
	head := widget.NewLabel(intro)
	head.Wrapping = fyne.TextWrapWord
	const most = 500 // the rest is counted, not drawn
	shown := lines
	if len(shown) > most {
		shown = append(shown[:most:most], fmt.Sprintf("… and %d more", len(lines)-most))
	}
	body := widget.NewLabel(strings.Join(shown, "\n"))
	body.Wrapping = fyne.TextWrapWord
	body.TextStyle.Monospace = true
	var d *dialog.CustomDialog
	buttons := []fyne.CanvasObject{widget.NewButton("Close", func() { d.Hide() })}
	if do != nil {
		buttons[0].(*widget.Button).SetText("Cancel")
		b := widget.NewButtonWithIcon(action, theme.ConfirmIcon(), func() { d.Hide(); do() })
		b.Importance = widget.HighImportance
		buttons = append(buttons, b)
	}
	content := fyne.CanvasObject(head)
	if len(lines) > 0 {
		content = container.NewBorder(head, nil, nil, nil, container.NewVScroll(body))
	}
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons(buttons)
	win := u.win.Canvas().Size()
	h := float32(200)
	if len(lines) > 0 {
		h = 520
	}
	d.Resize(fyne.NewSize(min(760, win.Width-40), min(h, win.Height-40)))
	d.Show()
}

// onExport asks which format, then where, and writes every request.
func (u *UI) onExport() {
	format := widget.NewRadioGroup([]string{"CSV (opens in a spreadsheet; imports again as is)", "JSON (every field, statuses and history)"}, nil)
	format.SetSelected(format.Options[0])
	d := u.newFormDialog("Export every request", "Choose where…", []*widget.FormItem{widget.NewFormItem("Format", format)}, func() error {
		csv := format.Selected == format.Options[0]
		rs, err := u.db.LoadRequests(fp.RequestFilter{})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		ext := ".json"
		if csv {
			ext, err = ".csv", fp.WriteCSV(&buf, rs)
		} else {
			err = fp.WriteExportJSON(&buf, rs)
		}
		if err != nil {
			return fp.Internal("the export could not be made", err)
		}
		u.saveFile("fieldprint-export-"+u.today().String()+ext, ext, buf.Bytes(), fmt.Sprintf("%d requests exported", len(rs)))
		return nil
	})
	d.show(u, 520)
}

// saveFile asks where to save data and writes it there.
func (u *UI) saveFile(name, ext string, data []byte, done string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(fp.Errorf(fp.EINVALID, "the file cannot be written: %v", err))
			return
		}
		if w == nil {
			return // cancelled
		}
		if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
			w.Close()
			u.showError(fp.Errorf(fp.EINVALID, "the file %s could not be written whole (%v): choose another place and export again", w.URI().Name(), err))
			return
		}
		if err := w.Close(); err != nil {
			u.showError(fp.Errorf(fp.EINVALID, "the file %s could not be written whole (%v): choose another place and export again", w.URI().Name(), err))
			return
		}
		dialog.ShowInformation("Exported", done+" to "+w.URI().Path()+". It holds applicants' personal data: keep it on an encrypted disk and delete it when done.", u.win)
	}, u.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}
