package letter

import (
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

// Office is the office profile printed in the letterhead and signature of
// letters to applicants. It is configuration, not code: offices open and close.
type Office struct {
	Name           string // "USCIS Guangzhou Field Office"
	Address        string // one or more lines separated by "\n"
	Phone          string
	Email          string
	Signatory      string // who signs letters, e.g. the field office director
	SignatoryTitle string // "Field Office Director"
}

// Validate reports, in one message, every field a letter cannot do without.
func (o Office) Validate() error {
	var missing []string
	if strings.TrimSpace(o.Name) == "" {
		missing = append(missing, "the office name (e.g. “USCIS Guangzhou Field Office”)")
	}
	if len(o.addressLines()) == 0 {
		missing = append(missing, "the postal address (one line per row, country last)")
	}
	if strings.TrimSpace(o.Signatory) == "" {
		missing = append(missing, "the name of the person who signs letters (usually the field office director)")
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fp.Errorf(fp.EINVALID, "the office profile lacks %s: an administrator must fill it in under the office settings before letters can be printed", missing[0])
	}
	return fp.Errorf(fp.EINVALID, "the office profile lacks %s and %s: an administrator must fill them in under the office settings before letters can be printed",
		strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}

// addressLines splits Address into its non-blank lines.
func (o Office) addressLines() []string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(o.Address, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// contactLine is the phone and e-mail joined for the letterhead, "" if neither is set.
func (o Office) contactLine() string {
	var parts []string
	if p := strings.TrimSpace(o.Phone); p != "" {
		parts = append(parts, "Tel. "+p)
	}
	if e := strings.TrimSpace(o.Email); e != "" {
		parts = append(parts, e)
	}
	return strings.Join(parts, "   ·   ")
}

// letterhead draws the office block at the top of the page: the agency line,
// the office name in bold, its address and contacts, and a rule under them.
func (d *doc) letterhead(o Office) {
	d.SetTextColor(70, 70, 70)
	d.font("", 8)
	d.CellFormat(d.width, 11, d.t("U.S. Department of Homeland Security · U.S. Citizenship and Immigration Services"), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
	d.font("B", 13)
	d.CellFormat(d.width, 17, d.t(strings.TrimSpace(o.Name)), "", 1, "L", false, 0, "")
	d.font("", 9)
	for _, l := range o.addressLines() {
		d.CellFormat(d.width, 11.5, d.t(l), "", 1, "L", false, 0, "")
	}
	if c := o.contactLine(); c != "" {
		d.CellFormat(d.width, 11.5, d.t(c), "", 1, "L", false, 0, "")
	}
	d.Ln(5)
	y := d.GetY()
	d.SetLineWidth(1.2)
	d.SetDrawColor(0, 45, 98) // a dark blue, like DHS letterhead
	d.Line(margin, y, margin+d.width, y)
	d.SetLineWidth(0.3)
	d.Line(margin, y+2.5, margin+d.width, y+2.5)
	d.SetDrawColor(0, 0, 0)
	d.SetLineWidth(0.567) // gofpdf's default: 0.2 mm
	d.SetY(y + 2.5)
}
