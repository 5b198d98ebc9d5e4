package letter

import (
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

// checkOffice refuses a letter from an office profile without what every
// letter prints (the rule and its wording are the domain's).
func checkOffice(o fp.Office) error { return o.CheckLetterhead() }

// addressLines splits the address into its non-blank lines.
func addressLines(o fp.Office) []string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(o.Address, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// contactLine is the phone and e-mail joined for the letterhead, "" if neither is set.
func contactLine(o fp.Office) string {
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
func (d *doc) letterhead(o fp.Office) {
	d.SetTextColor(70, 70, 70)
	d.font("", 8)
	d.CellFormat(d.width, 11, d.t("U.S. Department of Homeland Security · U.S. Citizenship and Immigration Services"), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
	d.font("B", 13)
	d.CellFormat(d.width, 17, d.t(strings.TrimSpace(o.Name)), "", 1, "L", false, 0, "")
	d.font("", 9)
	for _, l := range addressLines(o) {
		d.CellFormat(d.width, 11.5, d.t(l), "", 1, "L", false, 0, "")
	}
	if c := contactLine(o); c != "" {
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
