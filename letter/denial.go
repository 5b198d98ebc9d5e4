package letter

import (
	"fmt"
	"io"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Denial renders the letter telling the applicant that the office will not
// collect biometrics for the request: why (reason, as the director gave it),
// that the biometrics appointment USCIS scheduled in the United States stands
// and how to reschedule it, and that this is not a decision on the benefit.
//
// decidedAt dates the decision (from the request's history). Staff user
// names stay off the letter: it goes to the applicant.
// It refuses, with an EINVALID error and without writing anything, a blank
// reason, a request that is not denied, or an incomplete office profile.
func Denial(w io.Writer, r *fp.Request, o fp.Office, reason string, decidedAt time.Time, opt Options) error {
	if r == nil {
		return fp.Errorf(fp.EINVALID, "no request given for the denial letter")
	}
	if r.Status != fp.StatusDenied {
		return fp.Errorf(fp.EINVALID, "request %s is %s, not denied: a denial letter can only be printed once the request has been denied", r.Number, r.Status.Label())
	}
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if reason == "" {
		return fp.Errorf(fp.EINVALID, "the denial of request %s has no reason: the letter must tell the applicant why; record the director's reason first", r.Number)
	}
	if err := checkOffice(o); err != nil {
		return err
	}

	d := newDoc(opt, r.Number+" · denial letter")
	d.SetTitle(r.Number+" denial letter", true)
	d.SetSubject("Biometrics collection at the field office: request denied", true)
	d.SetAuthor(strings.TrimSpace(o.Name), true)
	d.AddPage()
	d.SetY(40) // the letterhead sits a little higher than the text margin

	d.letterhead(o)
	d.Ln(12)

	name := strings.TrimSpace(r.Applicant.FullName)
	d.font("", 10)
	d.CellFormat(d.width/2, 13, d.t(longDate(opt.Now)), "", 0, "L", false, 0, "")
	d.CellFormat(d.width/2, 13, d.t("Our reference: "+r.Number), "", 1, "R", false, 0, "")
	d.Ln(8)

	// Addressee.
	d.font("B", 10)
	d.CellFormat(d.width, 13, d.t(name), "", 1, "L", false, 0, "")
	if e := strings.TrimSpace(r.Email); e != "" {
		d.font("", 10)
		d.CellFormat(d.width, 13, d.t("By e-mail: "+e), "", 1, "L", false, 0, "")
	}
	d.Ln(8)

	re := requestRe(r, strings.TrimSpace(o.Name), name)
	d.reBlock(re)
	d.Ln(10)

	d.font("", 10)
	if name == "" {
		d.para("Dear Applicant:")
	} else {
		d.para("Dear " + name + ":")
	}

	decided := "The"
	if !decidedAt.IsZero() {
		decided = "On " + longDate(decidedAt) + ", the"
	}
	d.para(fmt.Sprintf("You asked the %s to collect your biometrics (fingerprints, photo and signature) at the field office "+
		"instead of at a USCIS Application Support Center in the United States. %s field office decided that it "+
		"cannot collect your biometrics for this request.", strings.TrimSpace(o.Name), decided))

	d.para("The reason for this decision is:")
	d.quote(reason)

	d.subheading("What this means for you")
	d.para("Your biometrics appointment scheduled by USCIS in the United States still stands. Go to it as shown on your " +
		"appointment notice, with the notice and a photo ID such as your passport, and arrive 15 minutes early. " +
		"If you miss it, your case can be delayed or denied.")
	d.para("If you cannot go, ask USCIS to reschedule it before the appointment date:")
	d.bullet("By phone: USCIS Contact Center, 1-800-375-5283; say “Reschedule biometrics appointment.”")
	d.bullet("Online: sign in to your myUSCIS account, open “My Account” (on a phone: “Menu”, then “Account actions”) " +
		"and choose “Reschedule Biometrics.” This is not possible less than 12 hours before the appointment " +
		"or after two reschedules; call instead.")
	d.Ln(4)

	d.para("This decision concerns only where your biometrics are collected. It is not a decision on the immigration " +
		"benefit you applied for, which USCIS decides separately.")
	if c := contactPhrase(o); c != "" {
		d.para("If you have questions about this letter, contact us " + c + " and quote our reference " + r.Number + ".")
	}

	// The closing and signature stay together, on the next page if need be.
	const closing = 4 + bodyLH + 5 + 24 + 2*bodyLH
	if _, pageH := d.GetPageSize(); d.GetY()+closing > pageH-margin {
		d.AddPage()
	}
	d.Ln(4)
	d.para("Sincerely,")
	d.Ln(24) // room for the signature
	d.font("B", 10)
	d.CellFormat(d.width, bodyLH, d.t(strings.TrimSpace(o.Signatory)), "", 1, "L", false, 0, "")
	if t := strings.TrimSpace(o.SignatoryTitle); t != "" {
		d.font("", 10)
		d.CellFormat(d.width, bodyLH, d.t(t), "", 1, "L", false, 0, "")
	}
	return d.finish(w)
}

// longDate writes a date as US letters do: "November 20, 2026".
func longDate(t time.Time) string { return t.Format("January 2, 2006") }

// contactPhrase is "at +86 … or guangzhou…@…", "" when the office has neither.
func contactPhrase(o fp.Office) string {
	var parts []string
	if p := strings.TrimSpace(o.Phone); p != "" {
		parts = append(parts, p)
	}
	if e := strings.TrimSpace(o.Email); e != "" {
		parts = append(parts, e)
	}
	if len(parts) == 0 {
		return ""
	}
	return "at " + strings.Join(parts, " or ")
}

// Letter body helpers: 10 pt text, 13 pt lines.
const bodyLH = 13.0

// para is a paragraph of body text followed by a small gap.
func (d *doc) para(s string) {
	d.font("", 10)
	d.MultiCell(d.width, bodyLH, d.t(s), "", "L", false)
	d.Ln(5)
}

// subheading is a bold line introducing a part of a letter.
func (d *doc) subheading(s string) {
	d.Ln(2)
	d.font("B", 10)
	d.CellFormat(d.width, bodyLH, d.t(s), "", 1, "L", false, 0, "")
	d.Ln(2)
}

// bullet is an indented item with a bullet that wraps under its own text.
func (d *doc) bullet(s string) {
	const indent, gap = 14.0, 12.0
	d.font("", 10)
	y := d.GetY()
	d.SetXY(margin+indent, y)
	d.CellFormat(gap, bodyLH, "•", "", 0, "L", false, 0, "")
	d.SetXY(margin+indent+gap, y)
	d.MultiCell(d.width-indent-gap, bodyLH, d.t(s), "", "L", false)
	d.Ln(2)
}

// quote sets text given by someone else as its own indented paragraph with
// a rule on its left, so it reads as quoted. Line breaks in s are kept; a
// quote too long for the page goes on, with its rule, on the next.
func (d *doc) quote(s string) {
	const indent, pad = 16.0, 8.0
	x, w := margin+indent+pad, d.width-2*indent-pad
	d.font("", 10)
	var lines []string
	for _, p := range strings.Split(d.t(s), "\n") {
		if p = strings.TrimSpace(p); p == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, d.SplitText(p, w)...)
	}
	d.SetFillColor(0, 45, 98)
	_, pageH := d.GetPageSize()
	top := d.GetY()
	for _, l := range lines {
		if d.GetY()+bodyLH > pageH-margin {
			d.Rect(margin+indent, top, 2, d.GetY()-top, "F")
			d.AddPage()
			d.font("", 10)
			top = d.GetY()
		}
		d.SetX(x)
		d.CellFormat(w, bodyLH, l, "", 2, "L", false, 0, "")
	}
	d.Rect(margin+indent, top, 2, d.GetY()-top, "F")
	d.SetX(margin)
	d.Ln(8)
}

// reBlock is the "Re:" block: "Re:" beside the first line, the labelled
// lines under it aligned with its text.
func (d *doc) reBlock(lines [][2]string) {
	const reW, labelW = 30.0, 92.0
	for i, l := range lines {
		y := d.GetY()
		if i == 0 {
			d.font("B", 10)
			d.CellFormat(reW, bodyLH, "Re:", "", 0, "L", false, 0, "")
		}
		x := margin + reW
		if l[0] != "" {
			d.font("", 10)
			d.SetXY(x, y)
			d.CellFormat(labelW, bodyLH, d.t(l[0]), "", 0, "L", false, 0, "")
			x += labelW
		}
		d.font("B", 10)
		d.SetXY(x, y)
		d.MultiCell(margin+d.width-x, bodyLH, d.t(l[1]), "", "L", false)
	}
}
