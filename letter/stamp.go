package letter

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	fp "github.com/fieldprint/fieldprint"
)

// The stamped notice is what the applicant keeps as proof that biometrics
// were collected: the facts the office certifies, and a stamp block with the
// short code and a QR code of the signed facts, so anyone can check it.

// Layout of the stamp block, in points.
const (
	stampQRW     = 168.0 // the QR code without its quiet zone: about 2.3 inches
	stampQuiet   = 4     // modules of white around the QR code (ISO/IEC 18004)
	stampPad     = 12.0  // inside the inner rule
	stampRuleGap = 3.0   // between the two rules
)

// StampedNotice writes the notice of st: the office letterhead, the date
// printed (opt.Now, office time), the title "Proof of biometrics
// collection", the certified facts (person, date of birth, request number,
// date and time of collection in office time with its zone named, officer,
// what was captured and the biometric code if any), how anyone can check
// the notice, and the stamp block: a double-ruled box with the office name,
// BIOMETRICS COLLECTED, the date, the short code and a QR code holding
// exactly st.QRText(), with the id of the signing key. It fits one page.
//
// It refuses, with an EINVALID error and without writing anything, an
// incomplete office profile and a stamp without its code or signature, or
// whose code is not its signature's.
func StampedNotice(w io.Writer, st fp.Stamp, o fp.Office, s fp.Scheduling, opt Options) error {
	if err := checkOffice(o); err != nil {
		return err
	}
	if strings.TrimSpace(st.Code) == "" || len(st.Signature) == 0 {
		return fp.Errorf(fp.EINVALID, "the stamp of %s has no code or no signature: record the collection and issue the stamp again", st.Facts.Request)
	}
	if st.Code != fp.ShortCode(st.Signature) {
		return fp.Errorf(fp.EINVALID, "the stamp of %s has code %s, which is not its signature's: issue the stamp again", st.Facts.Request, st.Code)
	}
	code, err := qr.Encode(st.QRText(), qr.M, qr.Auto)
	if err != nil {
		return fp.Errorf(fp.EINVALID, "the stamp of %s does not fit in a QR code: %v", st.Facts.Request, err)
	}
	f := st.Facts
	office := strings.TrimSpace(o.Name)
	d := newDoc(opt, f.Request+" · proof of biometrics collection · "+st.Code)
	d.SetTitle("Proof of biometrics collection "+st.Code, true)
	d.SetSubject(f.Request+": biometrics collected at the "+office, true)
	d.SetAuthor(office, true)
	d.SetAutoPageBreak(false, margin) // one page, drawn to fit
	d.AddPage()
	d.SetXY(margin, 40)
	d.letterhead(o)
	d.Ln(12)

	loc := s.Location()
	d.font("", 10)
	d.CellFormat(d.width/2, 13, d.t(longDate(opt.Now.In(loc))), "", 0, "L", false, 0, "")
	d.CellFormat(d.width/2, 13, d.t("Our reference: "+f.Request), "", 1, "R", false, 0, "")
	d.Ln(10)

	d.font("B", 16)
	d.CellFormat(d.width, 20, d.t("Proof of biometrics collection"), "", 1, "L", false, 0, "")
	d.Ln(4)
	d.para("The " + office + " certifies that it collected the biometrics below. Keep this notice: it is your " +
		"proof that your biometrics were collected. Show it to USCIS if you are asked for one.")
	d.Ln(2)

	collected := f.Collected
	d.field("Person:", f.Person)
	born := ""
	if !f.DateOfBirth.IsZero() {
		born = longDate(f.DateOfBirth.Time())
	}
	d.field("Date of birth:", born)
	d.field("Request number:", f.Request)
	d.field("Collected:", collected.Format("Monday, January 2, 2006")+" at "+collected.Format("15:04")+", "+stampZone(s, collected))
	d.field("Officer:", f.Officer)
	d.field("Captured:", capitalize(fp.CapturesText(f.Captured)))
	if f.Code != 0 {
		d.field("Biometric code:", capitalize(fp.CodeLabel(f.Code)))
	}
	d.Ln(8)

	d.para("This notice is signed by the office with its digital key. Anyone can check this notice: scan the QR code, " +
		"or give the code " + st.Code + " to the office; the office checks it with “fieldprint verify”. " +
		"A notice whose details were changed, or copied from another notice, fails the check.")
	d.Ln(8)

	d.stampBlock(st, office, code)
	if d.PageNo() != 1 || d.GetY() > 792-margin {
		d.SetError(fmt.Errorf("the stamped notice of %s does not fit on one page", f.Request))
	}
	return d.finish(w)
}

// stampBlock draws the stamp: a double-ruled dark-blue box, the office
// name, BIOMETRICS COLLECTED, the date, the short code in large letters on
// the left, the QR code with its quiet zone on the right, and the key id.
func (d *doc) stampBlock(st fp.Stamp, office string, code barcode.Barcode) {
	n := code.Bounds().Dx()
	module := stampQRW / float64(n)
	// The quiet zone lies in the padding, inside the inner rule.
	inner := stampRuleGap + max(stampPad, stampQuiet*module+2)
	boxH := stampQRW + 2*inner
	x, y := margin, d.GetY()
	// The two rules, as on the letterhead: a heavy outer one, a thin inner one.
	d.SetDrawColor(0, 45, 98)
	d.SetLineWidth(1.6)
	d.Rect(x, y, d.width, boxH, "D")
	d.SetLineWidth(0.5)
	d.Rect(x+stampRuleGap, y+stampRuleGap, d.width-2*stampRuleGap, boxH-2*stampRuleGap, "D")
	d.SetLineWidth(0.567)
	d.SetDrawColor(0, 0, 0)

	// The QR code, vertically centred on the right, its quiet zone inside the box.
	qx := x + d.width - inner - stampQRW
	d.qrCode(code, qx, y+inner, module)

	// The text, on the left.
	tx := x + stampRuleGap + stampPad
	tw := qx - stampQuiet*module - tx - 6
	d.SetTextColor(0, 45, 98)
	d.SetXY(tx, y+stampRuleGap+stampPad)
	d.font("B", 10.5)
	d.MultiCell(tw, 13, d.t(strings.ToUpper(office)), "", "L", false)
	d.Ln(4)
	d.SetX(tx)
	d.font("B", 20)
	d.CellFormat(tw, 24, "BIOMETRICS COLLECTED", "", 1, "L", false, 0, "")
	d.SetX(tx)
	d.font("B", 12)
	c := st.Facts.Collected
	d.CellFormat(tw, 16, d.t(c.Format("January 2, 2006")+" · "+c.Format("15:04")), "", 1, "L", false, 0, "")
	d.Ln(10)
	d.SetX(tx)
	d.font("", 8)
	d.CellFormat(tw, 10, "VERIFICATION CODE", "", 1, "L", false, 0, "")
	d.Ln(2)
	d.spacedCode(st.Code, tx, d.GetY(), tw-18, 26)
	d.SetTextColor(0, 0, 0)
	d.SetXY(tx, y+boxH-stampRuleGap-stampPad-18)
	d.SetTextColor(90, 90, 90)
	d.font("", 7)
	d.MultiCell(tw, 9, d.t("Signed with the office key "+st.Facts.KeyID+". Check: scan the QR code, or fieldprint verify "+st.Code+"."), "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.SetXY(margin, y+boxH)
}

// spacedCode draws s in bold with the same gap after every letter, so a
// code read out one letter at a time shows its letters apart and evenly
// (cells of one width, as a monospaced font has, left narrow letters far
// apart and wide ones close): at size points, or smaller if it would not
// fit in w. It returns the width drawn.
func (d *doc) spacedCode(s string, x, y, w, size float64) float64 {
	const gap = 0.3 // of the size, between letters
	width := func(size float64) float64 {
		d.font("B", size)
		return d.GetStringWidth(s) + size*gap*float64(utf8.RuneCountInString(s)-1)
	}
	if total := width(size); total > w {
		size *= w / total
		d.font("B", size)
	}
	d.SetXY(x, y)
	for _, r := range s {
		d.CellFormat(d.GetStringWidth(string(r))+size*gap, size*1.2, string(r), "", 0, "L", false, 0, "")
	}
	drawn := d.GetX() - x - size*gap // no gap after the last letter
	d.SetXY(x, y+size*1.2)
	return drawn
}

// qrCode draws code with its top left module at x, y, module points a side:
// each row's runs of dark modules as one path, filled at once, so no seam
// shows between neighbouring modules, and, like the check-in barcode, no
// image that would make the output non-deterministic.
func (d *doc) qrCode(code barcode.Barcode, x, y, module float64) {
	b := code.Bounds()
	d.SetFillColor(0, 0, 0)
	for j := b.Min.Y; j < b.Max.Y; j++ {
		for i := b.Min.X; i < b.Max.X; {
			if !dark(code.At(i, j)) {
				i++
				continue
			}
			k := i
			for k < b.Max.X && dark(code.At(k, j)) {
				k++
			}
			x0, y0 := x+float64(i-b.Min.X)*module, y+float64(j-b.Min.Y)*module
			x1, y1 := x0+float64(k-i)*module, y0+module
			d.MoveTo(x0, y0)
			d.LineTo(x1, y0)
			d.LineTo(x1, y1)
			d.LineTo(x0, y1)
			d.ClosePath()
			i = k
		}
	}
	d.DrawPath("F")
}

// stampZone names the zone of t, a time with the office's offset: "Asia/Shanghai
// time (UTC+08:00)", or only the offset when the office's zone has another.
func stampZone(s fp.Scheduling, t time.Time) string {
	off := "UTC" + t.Format("-07:00")
	_, want := t.Zone()
	if tz := strings.TrimSpace(s.TimeZone); tz != "" && s.Location().String() == tz {
		if _, got := t.In(s.Location()).Zone(); got == want {
			return tz + " time (" + off + ")"
		}
	}
	return off
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
