// Package letter renders Fieldprint's printed documents as PDF with gofpdf.
// It imports no Fyne package: the CLI prints through it too.
package letter

import (
	"fmt"
	"io"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldprint/fieldprint/assets"
)

// Options are what every document needs besides its data.
type Options struct {
	Now       time.Time // printed on the document and used as its creation date
	PrintedBy string
	// Deterministic turns off compression and fixes dates so tests can compare bytes.
	Deterministic bool
	// Checkpoint, on a day sheet, is the audit trail's signed checkpoint
	// at printing (fp.SignedCheckpoint.Describe): paper that shows later
	// whether the history was cut or rewritten.
	Checkpoint string
}

const (
	margin   = 54.0 // points: 3/4 inch
	lineH    = 14.0
	fontName = "noto"
)

// doc wraps a gofpdf document set up the same way for every letter: US
// Letter in points, the embedded UTF-8 font in both weights, a footer.
type doc struct {
	*gofpdf.Fpdf
	width float64 // usable width between margins
}

func newDoc(opt Options, footer string) *doc { return newDocOriented(opt, footer, "P") }

// newDocOriented is newDoc in portrait ("P") or landscape ("L") orientation.
func newDocOriented(opt Options, footer, orientation string) *doc {
	pdf := gofpdf.New(orientation, "pt", "Letter", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.AddUTF8FontFromBytes(fontName, "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes(fontName, "B", assets.FontBold)
	pdf.SetCreationDate(opt.Now)
	pdf.SetModificationDate(opt.Now)
	pdf.SetCreator("Fieldprint", true)
	if opt.Deterministic {
		pdf.SetCompression(false)
		pdf.SetCatalogSort(true)
	}
	pdf.AliasNbPages("{nb}")
	d := &doc{Fpdf: pdf}
	w, _ := pdf.GetPageSize()
	d.width = w - 2*margin
	pdf.SetFooterFunc(func() {
		pdf.SetY(-margin + 18)
		d.font("", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(d.width, 10, d.t(fmt.Sprintf("%s · page %d of {nb}", footer, pdf.PageNo())), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	return d
}

// t prepares text for the PDF: gofpdf does no shaping, so combining accents
// must be composed (NFC) or stacked Vietnamese marks collide.
func (d *doc) t(s string) string { return norm.NFC.String(s) }

func (d *doc) font(style string, size float64) { d.SetFont(fontName, style, size) }

// heading is a bold section title with a rule under it.
func (d *doc) heading(s string) {
	if _, pageH := d.GetPageSize(); d.GetY() > pageH-2*margin-4 {
		d.AddPage()
	}
	d.Ln(8)
	d.font("B", 11)
	d.CellFormat(d.width, 16, d.t(s), "B", 1, "L", false, 0, "")
	d.Ln(4)
}

// field is a label and a value that may wrap.
func (d *doc) field(label, value string) {
	if value == "" {
		value = "—"
	}
	const lw = 150.0
	d.font("B", 9.5)
	y := d.GetY()
	d.CellFormat(lw, lineH, d.t(label), "", 0, "L", false, 0, "")
	d.font("", 9.5)
	d.SetXY(margin+lw, y)
	d.MultiCell(d.width-lw, lineH, d.t(value), "", "L", false)
}

// table draws a header row and rows with fixed column widths.
func (d *doc) table(widths []float64, header []string, rows [][]string) {
	d.drawTable(widths, header, rows, false)
}

// drawTable is table; with repeatHeader, a row that goes on a new page has
// the header row drawn again above it.
func (d *doc) drawTable(widths []float64, header []string, rows [][]string, repeatHeader bool) {
	drawHeader := func() {
		d.font("B", 9)
		d.SetFillColor(232, 236, 241)
		for i, h := range header {
			d.CellFormat(widths[i], 16, d.t(h), "1", 0, "L", true, 0, "")
		}
		d.Ln(-1)
		d.font("", 9)
	}
	drawHeader()
	_, pageH := d.GetPageSize()
	const lh, pad = 11.0, 2.0
	for _, r := range rows {
		// Cells wrap: the row is as tall as its longest cell.
		lines := make([][]string, len(r))
		n := 1
		for i, c := range r {
			lines[i] = d.SplitText(d.t(c), widths[i]-2*pad)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		if d.GetY()+h > pageH-margin {
			d.AddPage()
			if repeatHeader {
				drawHeader()
			}
		}
		x, y := d.GetX(), d.GetY()
		for i := range r {
			d.Rect(x, y, widths[i], h, "D")
			for j, l := range lines[i] {
				d.SetXY(x+pad, y+pad+float64(j)*lh)
				d.CellFormat(widths[i]-2*pad, lh, l, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		d.SetXY(margin, y+h)
	}
}

// finish writes the document, or the first error gofpdf recorded.
func (d *doc) finish(w io.Writer) error {
	if err := d.Error(); err != nil {
		return err
	}
	return d.Output(w)
}
