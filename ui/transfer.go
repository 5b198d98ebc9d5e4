package ui

import (
	"bytes"
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// The office's tracker comes in and goes out from the queue, as with the
// CLI's import and export: the same checks, all rows or none (the import's
// steps are ui/importer.go).

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
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt", ".TXT", ".tsv", ".TSV", ".fpsealed"}))
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}

// importCSV opens the import screen on a tracker's bytes: mapping, preview
// and problems by line, then every row or none. An export sealed with a
// passphrase asks for it first.
func (u *UI) importCSV(name string, data []byte) {
	if workflow.IsSealedExport(data) {
		pass := widget.NewPasswordEntry()
		pass.SetPlaceHolder("the passphrase chosen at the export")
		d := u.newFormDialog("Open "+name, "Open", []*widget.FormItem{widget.NewFormItem("Passphrase", pass)}, func() error {
			plain, err := workflow.OpenExport(data, pass.Text)
			if err != nil {
				return err
			}
			data = plain
			return nil
		})
		d.then = func() { u.importCSV(name, data) }
		d.show(u, 480)
		return
	}
	u.leave(func() {
		s := newImportScreen(u, name, data)
		u.importer = s
		u.showScreen(navQueue, func() {}, s.content)
	})
}

// onExport asks which format, then where, and writes every request.
func (u *UI) onExport() {
	format := widget.NewRadioGroup([]string{"CSV (opens in a spreadsheet; imports again as is)", "JSON (every field, statuses and history)"}, nil)
	format.SetSelected(format.Options[0])
	seal := widget.NewCheck("Encrypt with a passphrase (to carry or send it)", nil)
	pass, again := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	pass.SetPlaceHolder(fmt.Sprintf("at least %d characters: several words", workflow.MinPassphrase))
	again.SetPlaceHolder("the same passphrase again")
	d := u.newFormDialog("Export every request", "Choose where…", []*widget.FormItem{
		widget.NewFormItem("Format", format),
		widget.NewFormItem("", seal),
		widget.NewFormItem("Passphrase", pass),
		widget.NewFormItem("Again", again),
	}, func() error {
		csv := format.Selected == format.Options[0]
		if seal.Checked && pass.Text != again.Text {
			return fp.Errorf(fp.EINVALID, "the two passphrases differ: type the same one twice")
		}
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
		data, name := buf.Bytes(), "fieldprint-export-"+u.today().String()+ext
		if seal.Checked {
			if data, err = workflow.SealExport(data, pass.Text); err != nil {
				return err
			}
			ext = ".fpsealed"
			name += ext
		}
		u.saveFile(name, ext, data, fmt.Sprintf("%d requests exported", len(rs)))
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
