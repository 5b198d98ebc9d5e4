package letter

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	fp "github.com/fieldprint/fieldprint"
)

// The missing-documents letter asks the applicant for what the request's
// checklist still lacks. It exists twice, as a PDF (Missing) and as the text
// of an e-mail (MissingText), and both are drawn from one description of its
// content, missingLetter: the wording lives only there.

// blockKind is how a part of the letter's body is set.
type blockKind int

const (
	blockPara    blockKind = iota // a paragraph
	blockHeading                  // a bold line introducing a part
	blockBullet                   // an item of an unnumbered list
	blockItem                     // a numbered document: text is its name, lines say why and what to send
)

type block struct {
	kind  blockKind
	text  string
	lines []string // blockItem only
}

// missingContent is everything the letter says, in order, before layout.
type missingContent struct {
	subject   string
	reference string      // the request number, "Our reference: …"
	name      string      // the applicant, addressee of the letter
	email     string      // the applicant's, "" if none
	re        [][2]string // the "Re:" block: label, value; the first has no label
	greeting  string
	body      []block
	closing   string
	signature []string // signatory, then title if any
}

// missingLetter checks that the letter can be written and describes it.
// It refuses, with EINVALID, a request with nothing outstanding on day on,
// one past the stage where documents are asked for, and an office profile
// without what the letter needs (its e-mail address included: that is where
// the documents go).
func missingLetter(r *fp.Request, o fp.Office, on fp.Date) (*missingContent, error) {
	if r == nil {
		return nil, fp.Errorf(fp.EINVALID, "no request given for the missing-documents letter")
	}
	switch r.Status {
	case fp.StatusNew, fp.StatusAwaitingDocuments, fp.StatusDirectorReview:
	default:
		return nil, fp.Errorf(fp.EINVALID, "request %s is %s: documents are asked for only while a request is being checked, before it is decided", r.Number, r.Status.Label())
	}
	items := r.Outstanding(on)
	if len(items) == 0 {
		return nil, fp.Errorf(fp.EINVALID, "%s has nothing missing: every required document has been received, so there is nothing to ask the applicant for", r.Number)
	}
	if err := checkOffice(o); err != nil {
		return nil, err
	}
	office, officeEmail := strings.TrimSpace(o.Name), strings.TrimSpace(o.Email)
	if officeEmail == "" {
		return nil, fp.Errorf(fp.EINVALID, "the office profile lacks the office e-mail address, where applicants send their documents: an administrator must fill it in under the office settings before a missing-documents letter can be printed")
	}

	name := strings.TrimSpace(r.Applicant.FullName)
	m := &missingContent{
		subject:   r.Number + ": documents needed for your biometrics request (" + office + ")",
		reference: r.Number,
		name:      name,
		email:     strings.TrimSpace(r.Email),
		re:        requestRe(r, office, name),
		greeting:  "Dear Applicant:",
		closing:   "Sincerely,",
		signature: []string{strings.TrimSpace(o.Signatory)},
	}
	if name != "" {
		m.greeting = "Dear " + name + ":"
	}
	if t := strings.TrimSpace(o.SignatoryTitle); t != "" {
		m.signature = append(m.signature, t)
	}

	para := func(s string) { m.body = append(m.body, block{kind: blockPara, text: s}) }
	heading := func(s string) { m.body = append(m.body, block{kind: blockHeading, text: s}) }
	bullet := func(s string) { m.body = append(m.body, block{kind: blockBullet, text: s}) }

	need := "the following documents:"
	if len(items) == 1 {
		need = "the following document:"
	}
	para("Thank you for asking the " + office + " to collect your biometrics (fingerprints, photo and signature). " +
		"We cannot consider your request until we have every document it requires. We still need " + need)
	household := false
	for _, it := range items {
		m.body = append(m.body, block{kind: blockItem, text: it.Label(), lines: []string{sentence(it.Problem()), whatToSend(it)}})
		household = household || it.Kind == fp.DocPassport && it.PersonID != 0
	}
	if household {
		para("Every adult of your household who is to be fingerprinted must send the biographic page of their own passport.")
	}

	heading("How to send the documents")
	para("Send them by e-mail to " + officeEmail + ", with our reference " + r.Number + " in the subject line, " +
		"attaching a scan of each document:")
	bullet("one file per document, in PDF, JPEG or PNG format;")
	bullet("the whole page, with nothing cut off, sharp enough for every word and number to be read;")
	bullet(fmt.Sprintf("each file no larger than %d MB.", fp.MaxAttachmentBytes>>20))

	heading("What happens next")
	para("Your request waits until we have received every document listed above: we cannot schedule your " +
		"biometrics appointment before then. When the documents arrive, we will check them and contact you " +
		"about the next step.")
	if c := contactPhrase(o); c != "" {
		para("If you have questions about this letter, contact us " + c + " and quote our reference " + r.Number + ".")
	}
	return m, nil
}

// requestRe is the "Re:" block identifying the request: the applicant and
// the USCIS numbers they will recognise.
func requestRe(r *fp.Request, office, name string) [][2]string {
	re := [][2]string{
		{"", "Your request to have biometrics collected at the " + office},
		{"Applicant:", name},
	}
	if a := r.ANumber.Display(); a != "" {
		re = append(re, [2]string{"A-number:", a})
	}
	rns := make([]string, len(r.ReceiptNumbers))
	for i, rn := range r.ReceiptNumbers {
		rns[i] = string(rn)
	}
	if len(rns) == 1 {
		re = append(re, [2]string{"Receipt number:", rns[0]})
	} else if len(rns) > 1 {
		re = append(re, [2]string{"Receipt numbers:", strings.Join(rns, ", ")})
	}
	return re
}

// whatToSend tells the applicant what would satisfy the item (DOMAIN.md,
// "What a request must contain").
func whatToSend(it fp.ChecklistItem) string {
	switch it.Kind {
	case fp.DocNotice:
		return "Send a USCIS notice that shows your receipt number or A-number: a receipt notice (Form I-797C), " +
			"a Request for Evidence (Form I-797E) or a biometrics appointment notice."
	case fp.DocPassport:
		return "Send the page of the passport with the photo and personal details. The passport must be valid."
	case fp.DocASCNotice:
		return "Send the notice of the biometrics appointment USCIS scheduled for you at an Application Support " +
			"Center in the United States."
	case fp.DocSupporting:
		return "This document is not required, but if you want it considered with your request, send it again: " +
			"orders, an assignment letter or adoption papers."
	}
	return ""
}

// sentence capitalises s and ends it with a full stop: "not received" is
// printed "Not received.".
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Missing writes the missing-documents letter for r: letterhead, date
// (opt.Now), our reference, the applicant and their USCIS numbers, the
// numbered list of what is missing or was not accepted and why, how to send
// it, what happens next, and the signatory. The list is r.Outstanding(on).
//
// Staff user names stay off the letter: it goes to the applicant.
// It refuses, with an EINVALID error and without writing anything, a request
// with nothing outstanding (a letter with an empty list must never go out),
// a request already decided, and an incomplete office profile, which must
// include the office's e-mail address.
func Missing(w io.Writer, r *fp.Request, o fp.Office, on fp.Date, opt Options) error {
	m, err := missingLetter(r, o, on)
	if err != nil {
		return err
	}

	d := newDoc(opt, r.Number+" · missing-documents letter")
	d.SetTitle(r.Number+" missing-documents letter", true)
	d.SetSubject(m.subject, true)
	d.SetAuthor(strings.TrimSpace(o.Name), true)
	d.AddPage()
	d.SetY(40) // the letterhead sits a little higher than the text margin

	d.letterhead(o)
	d.Ln(12)

	d.font("", 10)
	d.CellFormat(d.width/2, 13, d.t(longDate(opt.Now)), "", 0, "L", false, 0, "")
	d.CellFormat(d.width/2, 13, d.t("Our reference: "+m.reference), "", 1, "R", false, 0, "")
	d.Ln(8)

	// Addressee: the name wraps, however long.
	d.font("B", 10)
	d.MultiCell(d.width, 13, d.t(m.name), "", "L", false)
	if m.email != "" {
		d.font("", 10)
		d.CellFormat(d.width, 13, d.t("By e-mail: "+m.email), "", 1, "L", false, 0, "")
	}
	d.Ln(8)

	d.reBlock(m.re)
	d.Ln(10)

	d.para(m.greeting)
	// The closing and signature stay together, with the last paragraph, on
	// the next page if need be: a signature never stands alone.
	closing := 4 + bodyLH + 5 + 24 + float64(len(m.signature))*bodyLH
	n := 0
	for i, b := range m.body {
		switch b.kind {
		case blockPara:
			if i == len(m.body)-1 {
				d.font("", 10)
				h := float64(len(d.SplitText(d.t(b.text), d.width)))*bodyLH + 5
				if _, pageH := d.GetPageSize(); d.GetY()+h+closing > pageH-margin {
					d.AddPage()
				}
			}
			d.para(b.text)
		case blockHeading:
			d.subheading(b.text)
		case blockBullet:
			d.bullet(b.text)
			if i+1 < len(m.body) && m.body[i+1].kind != blockBullet {
				d.Ln(4) // the list ends: a paragraph's gap
			}
		case blockItem:
			n++
			d.numbered(n, b.text, b.lines)
		}
	}

	if _, pageH := d.GetPageSize(); d.GetY()+closing > pageH-margin {
		d.AddPage()
	}
	d.Ln(4)
	d.para(m.closing)
	d.Ln(24) // room for the signature
	for i, s := range m.signature {
		if i == 0 {
			d.font("B", 10)
		} else {
			d.font("", 10)
		}
		d.CellFormat(d.width, bodyLH, d.t(s), "", 1, "L", false, 0, "")
	}
	return d.finish(w)
}

// numbered sets item n of a numbered list: its number hanging in the margin
// of the list, its title in bold, then its lines, all wrapping under the
// title. An item is never split across pages.
func (d *doc) numbered(n int, title string, lines []string) {
	const indent, gap = 14.0, 18.0
	x, w := margin+indent+gap, d.width-indent-gap
	d.font("B", 10)
	head := d.SplitText(d.t(title), w)
	d.font("", 10)
	var rest []string
	for _, l := range lines {
		if l != "" {
			rest = append(rest, d.SplitText(d.t(l), w)...)
		}
	}
	if _, pageH := d.GetPageSize(); d.GetY()+float64(len(head)+len(rest))*bodyLH > pageH-margin {
		d.AddPage()
	}
	y := d.GetY()
	d.font("B", 10)
	d.SetXY(margin+indent, y)
	d.CellFormat(gap, bodyLH, fmt.Sprintf("%d.", n), "", 0, "L", false, 0, "")
	for i, l := range head {
		d.SetXY(x, y+float64(i)*bodyLH)
		d.CellFormat(w, bodyLH, l, "", 0, "L", false, 0, "")
	}
	d.font("", 10)
	for i, l := range rest {
		d.SetXY(x, y+float64(len(head)+i)*bodyLH)
		d.CellFormat(w, bodyLH, l, "", 0, "L", false, 0, "")
	}
	d.SetXY(margin, y+float64(len(head)+len(rest))*bodyLH)
	d.Ln(7)
}

// textWidth is the longest line of MissingText, in characters.
const textWidth = 72

// MissingText is the body of the missing-documents request as plain text, the
// same words the PDF prints, ready to paste into an e-mail: short lines, the
// documents numbered, no staff user names, names composed (NFC). The
// letterhead and date are left to the e-mail; the office name closes the
// signature instead. It refuses what Missing refuses.
func MissingText(r *fp.Request, o fp.Office, on fp.Date) (subject, body string, err error) {
	m, err := missingLetter(r, o, on)
	if err != nil {
		return "", "", err
	}
	var out []string // paragraphs, separated by a blank line
	out = append(out, "Our reference: "+m.reference)

	// The "Re:" block, each label followed by one space: an e-mail is read
	// in a proportional font, where values lined up with spaces are not.
	var re []string
	for i, l := range m.re {
		lead := "    "
		if i == 0 {
			lead = "Re: "
		}
		if l[0] == "" {
			re = append(re, wrapText(l[1], lead, "    "))
			continue
		}
		re = append(re, wrapText(l[1], lead+l[0]+" ", "        "))
	}
	out = append(out, strings.Join(re, "\n"), wrapText(m.greeting, "", ""))

	n := 0
	for i, b := range m.body {
		switch b.kind {
		case blockPara, blockHeading:
			out = append(out, wrapText(b.text, "", ""))
		case blockBullet:
			l := wrapText(b.text, "- ", "  ")
			if i > 0 && m.body[i-1].kind == blockBullet {
				out[len(out)-1] += "\n" + l // one list, no blank lines inside
			} else {
				out = append(out, l)
			}
		case blockItem:
			n++
			num := fmt.Sprintf("%d. ", n)
			pad := strings.Repeat(" ", len(num))
			item := []string{wrapText(b.text, num, pad)}
			for _, l := range b.lines {
				if l != "" {
					item = append(item, wrapText(l, pad, pad))
				}
			}
			out = append(out, strings.Join(item, "\n"))
		}
	}
	out = append(out, m.closing, strings.Join(append(m.signature, strings.TrimSpace(o.Name)), "\n"))
	return norm.NFC.String(m.subject), norm.NFC.String(strings.Join(out, "\n\n") + "\n"), nil
}

// wrapText breaks s into lines of at most textWidth characters (a longer
// word has a line of its own), the first starting with first, the others
// with rest.
func wrapText(s, first, rest string) string {
	var b strings.Builder
	line, words := first, 0
	for _, w := range strings.Fields(norm.NFC.String(s)) {
		if words > 0 && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > textWidth {
			b.WriteString(line + "\n")
			line, words = rest, 0
		}
		if words > 0 {
			line += " "
		}
		line += w
		words++
	}
	b.WriteString(line)
	return b.String()
}
