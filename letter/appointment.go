package letter

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"

	fp "github.com/fieldprint/fieldprint"
)

// The appointment letter tells the applicant when and where every person of
// the request is fingerprinted, what to bring (seed 001: the notice, a photo
// ID or the listed alternatives), to arrive 15 minutes early and how to ask
// for a reschedule. It carries a barcode of the request number for check-in
// and a box where the office records the visit and stamps the letter.

// apptLetter is one letter of a batch, checked and ready to draw.
type apptLetter struct {
	r        *fp.Request
	schedule []fp.ScheduledPerson
}

// checkAppointment refuses, with EINVALID, what cannot get an appointment
// letter: no request, one that is not scheduled, and one where a person to
// fingerprint has no appointment.
func checkAppointment(r *fp.Request, s fp.Scheduling, opt Options) (apptLetter, error) {
	if r == nil {
		return apptLetter{}, fp.Errorf(fp.EINVALID, "no request given for the appointment letter")
	}
	if r.Status != fp.StatusScheduled {
		return apptLetter{}, fp.Errorf(fp.EINVALID, "%s is %s, not scheduled: an appointment letter is printed once every person to fingerprint has an appointment", r.Number, r.Status.Label())
	}
	sched := r.Schedule(s.Today(opt.Now))
	var unbooked []string
	for _, sp := range sched {
		if !sp.Booked {
			unbooked = append(unbooked, personName(sp.Person))
		}
	}
	switch len(unbooked) {
	case 0:
		return apptLetter{r, sched}, nil
	case 1:
		return apptLetter{}, fp.Errorf(fp.EINVALID, "%s: %s has no appointment: book one before printing the appointment letter", r.Number, unbooked[0])
	}
	return apptLetter{}, fp.Errorf(fp.EINVALID, "%s: %s have no appointment: book theirs before printing the appointment letter", r.Number, andList(unbooked))
}

// Appointment writes the appointment letter for r: letterhead, date
// (opt.Now), our reference, the applicant and their USCIS numbers, a table
// of every person to fingerprint with their day, time (office time, s's zone)
// and station, where to come, what to bring, to arrive 15 minutes early, how
// to ask for a reschedule (s's cut-off and limit), a barcode of the request
// number for check-in, a box for the office's notes and stamp, and the
// signatory. Staff user names stay off the letter: it goes to the applicant.
//
// It refuses, with an EINVALID error and without writing anything, a request
// that is not scheduled or where a person has no appointment, and an
// incomplete office profile.
func Appointment(w io.Writer, r *fp.Request, o fp.Office, s fp.Scheduling, opt Options) error {
	l, err := checkAppointment(r, s, opt)
	if err != nil {
		return err
	}
	if err := checkOffice(o); err != nil {
		return err
	}
	d := newDoc(opt, "")
	d.SetTitle(r.Number+" appointment letter", true)
	d.SetSubject("Biometrics appointment at the "+strings.TrimSpace(o.Name), true)
	d.SetAuthor(strings.TrimSpace(o.Name), true)
	f := d.letterFooter()
	f.start(r.Number + " · appointment letter")
	d.appointment(l, o, s, opt)
	f.end()
	return d.finish(w)
}

// Appointments writes the appointment letters of rs as one PDF, each letter
// starting on a new page with its own page numbers, in the order given;
// progress, if not nil, is called after each letter. It refuses, as
// Appointment does and before writing anything, the whole batch if one
// request cannot have its letter.
func Appointments(w io.Writer, rs []*fp.Request, o fp.Office, s fp.Scheduling, opt Options, progress func(done, total int)) error {
	if len(rs) == 0 {
		return fp.Errorf(fp.EINVALID, "no requests given: choose the scheduled requests whose appointment letters to print")
	}
	ls := make([]apptLetter, len(rs))
	for i, r := range rs {
		l, err := checkAppointment(r, s, opt)
		if err != nil {
			return err
		}
		ls[i] = l
	}
	if err := checkOffice(o); err != nil {
		return err
	}
	d := newDoc(opt, "")
	d.SetTitle(fmt.Sprintf("Appointment letters (%d)", len(rs)), true)
	d.SetSubject("Biometrics appointments at the "+strings.TrimSpace(o.Name), true)
	d.SetAuthor(strings.TrimSpace(o.Name), true)
	f := d.letterFooter()
	for i, l := range ls {
		label := l.r.Number + " · appointment letter"
		if len(ls) > 1 { // "1 of 1" beside "page 1, continued" reads as a contradiction
			label = fmt.Sprintf("%s %d of %d", label, i+1, len(ls))
		}
		f.start(label)
		d.appointment(l, o, s, opt)
		f.end()
		if d.Err() {
			break
		}
		if progress != nil {
			progress(i+1, len(ls))
		}
	}
	return d.finish(w)
}

// letterFooter numbers the pages of each letter of a document on its own:
// "page 1 of 1" on a letter of one page; on a longer one, "page 1, continued
// on the next page", ..., "page 2 of 2". A footer is drawn when the next page
// starts or the document closes, by which time whether the letter goes on is
// known, so no page total has to be guessed (gofpdf's one {nb} alias counts
// the whole document, and an alias per letter is replaced on every page).
type letterFooter struct {
	d     *doc
	label string
	first int  // the letter's first page
	ended bool // the letter is complete: the next footer is its last
	next  string
}

func (d *doc) letterFooter() *letterFooter {
	f := &letterFooter{d: d}
	d.SetFooterFunc(f.footer)
	d.SetHeaderFunc(f.header)
	return f
}

// start begins a letter on a new page. The page break draws the footer of
// the letter before, so the new letter takes over in the header.
func (f *letterFooter) start(label string) {
	f.next = label
	f.d.AddPage()
}

// end marks the letter complete, before the next starts or the document closes.
func (f *letterFooter) end() { f.ended = true }

func (f *letterFooter) footer() {
	d := f.d
	p := d.PageNo() - f.first + 1
	s := fmt.Sprintf("%s · page %d, continued on the next page", f.label, p)
	if f.ended {
		s = fmt.Sprintf("%s · page %d of %d", f.label, p, p)
	}
	d.SetY(-margin + 18)
	d.font("", 8)
	d.SetTextColor(110, 110, 110)
	d.CellFormat(d.width, 10, d.t(s), "", 0, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// header starts a letter on its first page and marks the pages after it,
// which have no letterhead.
func (f *letterFooter) header() {
	d := f.d
	if f.next != "" {
		f.label, f.first, f.ended, f.next = f.next, d.PageNo(), false, ""
		return
	}
	d.font("", 8)
	d.SetTextColor(110, 110, 110)
	d.SetY(margin - 22)
	d.CellFormat(d.width, 10, d.t(f.label+" (continued)"), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetY(margin)
}

// Layout of the appointment letter, in points.
const (
	// A module (the narrowest bar) of 1.2 pt, 1/60 inch, is 5 dots of a
	// 300-dpi printer: FP-2026-00042 (180 modules) is 216 pt wide. A longer
	// number gets narrower bars, within barcodeMaxW.
	barcodeModule, barcodeMaxW = 1.2, 260.0
	barcodeH                   = 44.0
	officeBoxW                 = 270.0
	stampSide                  = 104.0 // about 1.5 inch: room for an office's rubber stamp
	officeBoxH                 = 14 + 2*8 + stampSide
)

// appointment draws one letter, starting on the current page.
func (d *doc) appointment(l apptLetter, o fp.Office, s fp.Scheduling, opt Options) {
	r := l.r
	office := strings.TrimSpace(o.Name)
	name := strings.TrimSpace(r.Applicant.FullName)
	household := len(l.schedule) > 1

	// The check-in barcode goes on the right of the letterhead, or, if the
	// office's lines leave no room there, beside the addressee.
	const letterTop = 40 // the letterhead sits a little higher than the text margin
	bc, err := code128.Encode(r.Number)
	if err != nil {
		d.SetError(fmt.Errorf("the barcode of %s: %w", r.Number, err))
		return
	}
	barcodeW := min(float64(bc.Bounds().Dx())*barcodeModule, barcodeMaxW)
	beside := d.barcodeBesideLetterhead(o, barcodeW)
	if beside {
		d.checkInBarcode(bc, margin+d.width-barcodeW, letterTop+15, barcodeW)
	}
	d.SetXY(margin, letterTop)
	d.letterhead(o)
	d.Ln(12)

	if beside {
		d.font("", 10)
		d.CellFormat(d.width/2, 13, d.t(longDate(opt.Now)), "", 0, "L", false, 0, "")
		d.CellFormat(d.width/2, 13, d.t("Our reference: "+r.Number), "", 1, "R", false, 0, "")
		d.Ln(8)
		d.addressee(d.width, r)
	} else {
		top := d.GetY()
		d.checkInBarcode(bc, margin+d.width-barcodeW, top+2, barcodeW)
		d.SetXY(margin, top)
		leftW := d.width - barcodeW - 24
		d.font("", 10)
		d.CellFormat(leftW, 13, d.t(longDate(opt.Now)), "", 1, "L", false, 0, "")
		d.CellFormat(leftW, 13, d.t("Our reference: "+r.Number), "", 1, "L", false, 0, "")
		d.Ln(8)
		d.addressee(leftW, r)
		d.SetY(max(d.GetY(), top+2+barcodeH+12))
	}
	d.Ln(8)

	d.font("B", 14)
	d.CellFormat(d.width, 18, d.t("Biometrics appointment"), "", 1, "L", false, 0, "")
	d.Ln(3)

	re := requestRe(r, office, name)
	re = append(re[:1:1], append([][2]string{{"Request:", r.Number}}, re[1:]...)...)
	re = append(re, [2]string{"Category:", r.Category.Label()})
	d.reBlock(re)
	d.Ln(8)

	if name == "" {
		d.para("Dear Applicant:")
	} else {
		d.para("Dear " + name + ":")
	}
	// When and where: the table, the office's time zone and address.
	when := "at the time below"
	if household {
		when = fmt.Sprintf("of the %d people below, each at the time shown", len(l.schedule))
	}
	if tz := strings.TrimSpace(s.TimeZone); tz != "" {
		ap := l.schedule[0].Appointment
		when += ", local time in " + tz + " (UTC" + s.At(ap.Day, ap.Start).Format("-07:00") + ")"
	} else {
		when += ", the office's local time"
	}
	addr := strings.Join(addressLines(o), ", ")
	if household {
		d.para("The " + office + " will collect the biometrics (fingerprints, photo and signature) " + when + ". " +
			"Each must come in person to the office, " + addr + ", and arrive 15 minutes early, so that their documents " +
			"can be checked before their appointment.")
	} else {
		d.para("The " + office + " will collect your biometrics (fingerprints, photo and signature) " + when + ". " +
			"Come in person to the office, " + addr + ", and arrive 15 minutes early, so that your documents " +
			"can be checked before your appointment.")
	}

	widths := []float64{d.width - 136 - 66 - 44, 136, 66, 44}
	rows := make([][]string, len(l.schedule))
	for i, sp := range l.schedule {
		ap := sp.Appointment
		who := personName(sp.Person)
		if household && i == 0 {
			who += " (applicant)"
		}
		rows[i] = []string{who, ap.Day.Time().Format("Monday, January 2, 2006"),
			ap.Start.String() + "–" + ap.End().String(), fmt.Sprintf("%d", ap.Station)}
	}
	d.keep(d.tableHeight(widths, rows))
	d.table(widths, []string{"Person", "Date", "Time", "Station"}, rows)
	d.Ln(6)

	own := "Your passport or another valid government-issued photo ID."
	if household {
		own = "Every person listed above brings their own passport or another valid government-issued photo ID."
	}
	d.bulletSection("What to bring", []string{
		"This letter: show its barcode at check-in.",
		"Your USCIS notice (receipt notice I-797C, Request for Evidence I-797E or biometrics appointment notice). " +
			"The officer stamps it as proof of your biometrics: keep it safe.",
		own,
		"No valid government-issued ID? Bring as many of these as you have: birth certificate, school ID, " +
			"expired IDs, a copy or photo of an ID, an immigration document (best one with a photo).",
	})

	// The last section goes with the closing: a signature never stands alone.
	cannot := rescheduleText(r.Number, o, s)
	d.keep(d.sectionHeight(cannot) + 4 + officeBoxH)
	d.section("If you cannot come", cannot)
	d.closingBlock(o, len(l.schedule))
}

// barcodeBesideLetterhead reports whether the barcode, with its number under it, fits
// to the right of the office's name, address and contacts in the letterhead.
func (d *doc) barcodeBesideLetterhead(o fp.Office, barcodeW float64) bool {
	room := d.width - barcodeW - 18
	d.font("B", 13)
	if d.GetStringWidth(d.t(strings.TrimSpace(o.Name))) > room {
		return false
	}
	lines := addressLines(o)
	if c := contactLine(o); c != "" {
		lines = append(lines, c)
	}
	d.font("", 9)
	for _, l := range lines {
		if d.GetStringWidth(d.t(l)) > room {
			return false
		}
	}
	// The office's block (see letterhead) is as tall as the barcode and its number.
	return 17+11.5*float64(len(lines)) >= barcodeH+12
}

// addressee is the applicant's name, and e-mail address if any, wrapping in w.
func (d *doc) addressee(w float64, r *fp.Request) {
	d.font("B", 10)
	d.MultiCell(w, 13, d.t(strings.TrimSpace(r.Applicant.FullName)), "", "L", false)
	if e := strings.TrimSpace(r.Email); e != "" {
		d.font("", 10)
		d.MultiCell(w, 13, d.t("By e-mail: "+e), "", "L", false)
	}
}

// rescheduleText says how to ask for another appointment under s's rules.
func rescheduleText(number string, o fp.Office, s fp.Scheduling) string {
	var how []string
	if e := strings.TrimSpace(o.Email); e != "" {
		how = append(how, "e-mail "+e)
	}
	if p := strings.TrimSpace(o.Phone); p != "" {
		how = append(how, "call "+p)
	}
	if len(how) == 0 {
		how = []string{"contact us"}
	}
	t := "To reschedule, " + strings.Join(how, " or ") + " before your appointment"
	if h := s.RescheduleCutoffHours; h > 0 {
		t += fmt.Sprintf(", at least %d %s before it", h, plural(h, "hour", "hours"))
	}
	t += ", quoting our reference " + number + ". "
	switch n := s.RescheduleLimit; {
	case n == 0:
		t += "Appointments are rescheduled only in exceptional circumstances. "
	case n == 1:
		t += "An appointment can be rescheduled once. "
	case n == 2:
		t += "An appointment can be rescheduled at most twice. "
	default:
		t += fmt.Sprintf("An appointment can be rescheduled at most %d times. ", n)
	}
	return t + "If you miss your appointment, your case can be delayed or denied."
}

// checkInBarcode draws bc, the request number as a Code 128 barcode, at x,
// y, w wide, with the number printed under it, for the clerk's scanner at
// check-in.
//
// The bars are drawn as filled rectangles rather than as an image (the way
// gofpdf's contrib/barcode places them): they print sharp at any
// resolution, and a batch stays deterministic, which it would not with one
// image per letter, since gofpdf orders images of equal width at random.
func (d *doc) checkInBarcode(bc barcode.Barcode, x, y, w float64) {
	n := bc.Bounds().Dx()
	module := w / float64(n)
	d.SetFillColor(0, 0, 0)
	for i := 0; i < n; {
		if !dark(bc.At(i, 0)) {
			i++
			continue
		}
		j := i
		for j < n && dark(bc.At(j, 0)) {
			j++
		}
		d.Rect(x+float64(i)*module, y, float64(j-i)*module, barcodeH, "F")
		i = j
	}
	d.font("", 9)
	d.SetXY(x, y+barcodeH+1)
	d.CellFormat(w, 11, d.t(bc.Content()), "", 0, "C", false, 0, "")
}

// dark reports whether c is a bar rather than a space.
func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

// tableHeight is how tall table draws widths and rows (see doc.table).
func (d *doc) tableHeight(widths []float64, rows [][]string) float64 {
	const lh, pad = 11.0, 2.0
	d.font("", 9)
	h := 16.0
	for _, r := range rows {
		n := 1
		for i, c := range r {
			n = max(n, len(d.SplitText(d.t(c), widths[i]-2*pad)))
		}
		h += float64(n)*lh + 2*pad
	}
	return h
}

// keep starts a new page unless h more points fit on this one.
func (d *doc) keep(h float64) {
	if _, pageH := d.GetPageSize(); d.GetY()+h > pageH-margin {
		d.AddPage()
	}
}

// paraHeight is how tall para draws s in width w.
func (d *doc) paraHeight(s string, w float64) float64 {
	d.font("", 10)
	return float64(len(d.SplitText(d.t(s), w)))*bodyLH + 5
}

// sectionHeight is how tall section draws text under its title.
func (d *doc) sectionHeight(text string) float64 { return 4 + bodyLH + 2 + d.paraHeight(text, d.width) }

// section is a subheading and a paragraph kept on one page.
func (d *doc) section(title, text string) {
	d.keep(d.sectionHeight(text))
	d.subheading(title)
	d.para(text)
}

// bulletSection is a subheading and a list kept on one page.
func (d *doc) bulletSection(title string, items []string) {
	h := 4 + bodyLH + 2 + 4.0
	for _, it := range items {
		h += d.paraHeight(it, d.width-26) - 5 + 2
	}
	d.keep(h)
	d.subheading(title)
	for _, it := range items {
		d.bullet(it)
	}
	d.Ln(4)
}

// closingBlock is the signature on the left and, on the right, the box the
// office fills in on the day, with a square for its stamp; the two stay
// together, on the next page if need be.
func (d *doc) closingBlock(o fp.Office, people int) {
	d.Ln(4)
	d.keep(officeBoxH)
	top := d.GetY()

	d.para("Sincerely,")
	d.Ln(24) // room for the signature
	sigW := d.width - officeBoxW - 18
	d.font("B", 10)
	d.MultiCell(sigW, bodyLH, d.t(strings.TrimSpace(o.Signatory)), "", "L", false)
	if t := strings.TrimSpace(o.SignatoryTitle); t != "" {
		d.font("", 10)
		d.MultiCell(sigW, bodyLH, d.t(t), "", "L", false)
	}
	d.font("", 10)
	d.MultiCell(sigW, bodyLH, d.t(strings.TrimSpace(o.Name)), "", "L", false)

	// The office-use box.
	x := margin + d.width - officeBoxW
	d.SetDrawColor(0, 45, 98)
	d.SetLineWidth(0.8)
	d.Rect(x, top, officeBoxW, officeBoxH, "D")
	d.SetFillColor(232, 236, 241)
	d.Rect(x, top, officeBoxW, 14, "FD")
	d.SetLineWidth(0.567)
	d.SetDrawColor(0, 0, 0)
	d.SetXY(x+6, top+2)
	d.font("B", 8)
	d.CellFormat(officeBoxW-12, 10, "OFFICE USE ONLY", "", 0, "L", false, 0, "")

	const pad = 8.0
	sx, sy := x+officeBoxW-pad-stampSide, top+14+pad
	d.SetDrawColor(150, 150, 150)
	d.SetDashPattern([]float64{3, 2}, 0)
	d.Rect(sx, sy, stampSide, stampSide, "D")
	d.SetDashPattern([]float64{}, 0)
	d.SetTextColor(150, 150, 150)
	d.font("", 7)
	d.SetXY(sx, sy+stampSide/2-5)
	d.CellFormat(stampSide, 10, "Collection stamp", "", 0, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)

	collected := "Biometrics collected"
	if people > 1 {
		collected = fmt.Sprintf("Biometrics collected (of %d people)", people)
	}
	lx, lw := x+pad, sx-x-2*pad
	const row = stampSide / 4
	for i, label := range []string{"Checked in (date, time)", "ID seen (type, number)", collected, "Officer"} {
		y := sy + float64(i)*row
		d.SetXY(lx, y)
		d.font("", 7.5)
		d.CellFormat(lw, 9, d.t(label), "", 0, "L", false, 0, "")
		d.SetDrawColor(120, 120, 120)
		d.Line(lx, y+row-3, lx+lw, y+row-3)
	}
	d.SetDrawColor(0, 0, 0)
	d.SetXY(margin, max(d.GetY(), top+officeBoxH))
}

// personName is a person's name, or a placeholder if none was recorded.
func personName(p fp.Person) string {
	if n := strings.TrimSpace(p.FullName); n != "" {
		return n
	}
	return "(name not recorded)"
}

// andList joins names: "A", "A and B", "A, B and C".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
