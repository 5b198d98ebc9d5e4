package letter

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	fp "github.com/fieldprint/fieldprint"
)

// checkedOn is the day the checklist is read for the letter: the day it is printed.
var checkedOn = fp.DateOf(printed)

// docStep records one document on a request: a file attached to the item,
// then, unless verdict is nil, a clerk's judgement of it.
type docStep struct {
	key     string
	file    string
	verdict *fp.Verdict
}

type missingCase struct {
	in   fp.RequestInput
	docs []docStep
}

const longName = "Maria da Conceição Aparecida Vasconcelos de Albuquerque Cavalcanti " +
	"Wolfeschlegelsteinhausenbergerdorff-Nguyễn Thị Minh Khai dos Santos Żółć"

var missingCases = map[string]missingCase{
	// One applicant: the notice never came, the passport scan cannot be read.
	"missing-single": {
		in: fp.RequestInput{
			Received: "2026-11-10", Category: "military", Basis: "Spouse of an active-duty service member stationed in Guangzhou.",
			NoticeType: "receipt", ReceiptNumbers: "IOE0987654321", ANumber: "A-087-654-321",
			FullName: "Nguyễn Thị Minh Khai", DateOfBirth: "1985-04-12", Email: "khai@example.com",
			Passport: fp.PassportInput{Number: "E12345678", Expiry: "2031-05-01"},
		},
		docs: []docStep{{key: "passport/0", file: "passport.jpg", verdict: &fp.Verdict{Reason: fp.RejectIllegible,
			Note: "the lower half of the page is cut off and the photo is blurred"}}},
	},
	// An adoptive household of five adults (and a child, who is not
	// fingerprinted): the notice and the applicant's passport are verified,
	// one passport waits to be checked, two never came, one has expired, and
	// the optional supporting paper was the wrong one.
	"missing-household": {
		in: fp.RequestInput{
			Received: "2026-11-02", Category: "adoption", Basis: "I-600A filed from Guangzhou.",
			NoticeType: "receipt", ReceiptNumbers: "IOE0912345678; NBC2612345678",
			FullName: "Łukasz Żółć", DateOfBirth: "1980-01-30", Email: "lukasz.zolc@example.pl",
			Passport: fp.PassportInput{Number: "EK1234567", Expiry: "2030-02-02"},
			Household: []fp.PersonInput{
				{FullName: "Zofia Żółć", DateOfBirth: "1982-03-15"},
				{FullName: "José Müller", DateOfBirth: "1955-07-04"},
				{FullName: "Trần Văn Đức", DateOfBirth: "2001-12-24"},
				{FullName: "Anna Kowalska-Żółć", DateOfBirth: "1998-06-09"},
				{FullName: "Kasia Żółć", DateOfBirth: "2014-09-01"},
			},
		},
		docs: []docStep{
			{key: "notice", file: "I-797C.pdf", verdict: &fp.Verdict{Verified: true, Shows: "IOE0912345678"}},
			{key: "passport/0", file: "lukasz.pdf", verdict: &fp.Verdict{Verified: true, Confirmed: fp.PassportChecks}},
			{key: "passport/1", file: "zofia.pdf"},
			{key: "passport/4", file: "anna.jpg", verdict: &fp.Verdict{Reason: fp.RejectExpired}},
			{key: "supporting", file: "home-study.pdf", verdict: &fp.Verdict{Reason: fp.RejectWrongDoc,
				Note: "this is the agency's invoice, not the home study"}},
		},
	},
	// "All others", a name as long as a name may be, a notice for another case.
	"missing-longname": {
		in: fp.RequestInput{
			Received: "2026-10-15", Category: "All others", Basis: "ASC appointment in Los Angeles; left the U.S. for a family emergency.",
			NoticeType: "appointment", ReceiptNumbers: "IOE0987654321", ANumber: "A12345678",
			FullName: longName, DateOfBirth: "1985-04-12", Email: "maria.cavalcanti@example.com.br",
			ASCDate: "2026-10-20", ASCPlace: "Los Angeles ASC", DepartureReason: "A family emergency in Guangzhou.",
			RescheduleAsked: "no", RescheduleNote: "Did not know a reschedule was possible.",
		},
		docs: []docStep{{key: "notice", file: "notice.png", verdict: &fp.Verdict{Reason: fp.RejectMismatch,
			Note: "the notice is for receipt number EAC2190000001, which is not on your request"}}},
	},
}

func missingRequest(t *testing.T, c missingCase) *fp.Request {
	t.Helper()
	r := request(t, c.in)
	r.Status = fp.StatusAwaitingDocuments
	r.History = []fp.Transition{
		{At: printed.Add(-72 * time.Hour), By: "mlopez", To: fp.StatusNew, Reason: "request recorded"},
		{At: printed.Add(-2 * time.Hour), By: "jchen", From: fp.StatusNew, To: fp.StatusAwaitingDocuments, Reason: "checklist 0/2: 1 missing, 1 rejected"},
	}
	for i, s := range c.docs {
		typ := map[string]string{".pdf": fp.TypePDF, ".jpg": fp.TypeJPEG, ".png": fp.TypePNG}[filepath.Ext(s.file)]
		a := fp.Attachment{SHA256: fmt.Sprintf("%064x", i+1), Name: s.file, Type: typ, Size: 245_760,
			AddedAt: printed.Add(-30 * time.Hour), AddedBy: "mlopez"}
		if _, err := r.Attach(s.key, a, checkedOn); err != nil {
			t.Fatal(err)
		}
		if s.verdict != nil {
			if err := r.Judge(s.key, *s.verdict, "jchen", printed.Add(-2*time.Hour), checkedOn); err != nil {
				t.Fatal(err)
			}
		}
	}
	return r
}

func renderMissing(t *testing.T, r *fp.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Missing(&b, r, guangzhou, checkedOn, Options{Now: printed, PrintedBy: "mlopez", Deterministic: true}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func missingText(t *testing.T, r *fp.Request) (string, string) {
	t.Helper()
	subject, body, err := MissingText(r, guangzhou, checkedOn)
	if err != nil {
		t.Fatal(err)
	}
	return subject, body
}

// TestMissingGolden compares with testdata/missing-*.pdf; go test ./letter -update rewrites them.
func TestMissingGolden(t *testing.T) {
	for name, c := range missingCases {
		got := renderMissing(t, missingRequest(t, c))
		if again := renderMissing(t, missingRequest(t, c)); !bytes.Equal(got, again) {
			t.Fatalf("%s: two renderings differ: output is not deterministic", name)
		}
		golden(t, name, got)
	}
}

// missingFooter marks the footer lines, left out where a list crosses a page.
const missingFooter = "· missing-documents letter ·"

// TestMissingListed: what the fixtures are meant to ask for is what
// Outstanding lists, so the letters below test what they claim to.
func TestMissingListed(t *testing.T) {
	for name, want := range map[string][]string{
		"missing-single":    {"notice", "passport/0"},
		"missing-household": {"passport/2", "passport/3", "passport/4", "supporting"},
		"missing-longname":  {"notice", "passport/0", "asc-notice"},
	} {
		var got []string
		for _, it := range missingRequest(t, missingCases[name]).Outstanding(checkedOn) {
			got = append(got, it.Key)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: outstanding %v, want %v", name, got, want)
		}
	}
}

// TestMissingText reads the letters back with pdftotext, when it is
// installed: every outstanding item, numbered, with its problem, and the
// numbers and address the applicant needs; nothing that is in order; no
// staff user name.
func TestMissingText(t *testing.T) {
	common := []string{
		"USCIS Guangzhou Field Office", "November 20, 2026", "Our reference: FP-2026-00042",
		"Send them by e-mail to guangzhou.uscis@uscis.dhs.gov, with our reference FP-2026-00042 in the subject line",
		"one file per document, in PDF, JPEG or PNG format", "the whole page, with nothing cut off",
		"each file no larger than 20 MB.", "Your request waits until we have received every document listed above",
		"we cannot schedule your biometrics appointment before then",
		"contact us at +86 20 3814 5000 or guangzhou.uscis@uscis.dhs.gov and quote our reference FP-2026-00042.",
		"Sincerely, Jane Doe Field Office Director",
	}
	for name, want := range map[string][]string{
		"missing-single": {"Dear Nguyễn Thị Minh Khai:", "By e-mail: khai@example.com", "Applicant: Nguyễn Thị Minh Khai",
			"A-number: A-087-654-321", "Receipt number: IOE0987654321", "We still need the following documents:",
			"Form I-797C", "The passport must be valid."},
		"missing-household": {"Dear Łukasz Żółć:", "Receipt numbers: IOE0912345678, NBC2612345678",
			"Send the page of the passport with the photo and personal details. The passport must be valid.", "Every adult of your household who is to be fingerprinted must send the biographic page of their own passport."},
		"missing-longname": {"Dear " + longName + ":", "Applicant: " + longName, "A-number: A-012-345-678",
			"Application Support Center in the United States"},
	} {
		t.Run(name, func(t *testing.T) {
			r := missingRequest(t, missingCases[name])
			pdf := renderMissing(t, r)
			text := pdfText(t, pdf, missingFooter)
			_, body := missingText(t, r)
			for _, w := range append(common, want...) {
				if !strings.Contains(text, w) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
			for i, it := range r.Outstanding(checkedOn) {
				for _, w := range []string{fmt.Sprintf("%d. %s", i+1, it.Label()), it.Label()} {
					if !strings.Contains(text, w) {
						t.Errorf("pdftotext output lacks the item %q", w)
					}
				}
				if !strings.Contains(strings.ToLower(text), strings.ToLower(it.Problem())) {
					t.Errorf("pdftotext output lacks the problem %q of %s", it.Problem(), it.Label())
				}
			}
			if household := strings.Contains(text, "Every adult of your household"); household != (name == "missing-household") {
				t.Errorf("the household sentence is printed: %v, want it only for the household", household)
			}
			if full := pdfText(t, pdf); !strings.Contains(full, "FP-2026-00042 · missing-documents letter · page 1 of") {
				t.Errorf("footer missing:\n%s", full)
			}
			for _, no := range []string{"mlopez", "jchen", "Zofia", "Kasia", "home-study.pdf", "I-797C.pdf", "anna.jpg"} {
				if strings.Contains(text, no) || strings.Contains(body, no) {
					t.Errorf("letter shows %q, which it should not", no)
				}
			}
		})
	}
}

// TestMissingTextBody: the e-mail text lists the same items, each numbered
// with its problem, in short lines.
func TestMissingTextBody(t *testing.T) {
	for name, c := range missingCases {
		r := missingRequest(t, c)
		subject, body := missingText(t, r)
		if want := "FP-2026-00042: documents needed for your biometrics request (USCIS Guangzhou Field Office)"; subject != want {
			t.Errorf("%s: subject %q, want %q", name, subject, want)
		}
		flat := strings.Join(strings.Fields(body), " ")
		for i, it := range r.Outstanding(checkedOn) {
			if w := fmt.Sprintf("%d. %s %s", i+1, it.Label(), strings.ToUpper(it.Problem()[:1])+it.Problem()[1:]+"."); !strings.Contains(flat, w) {
				t.Errorf("%s: text lacks the item %q:\n%s", name, w, body)
			}
		}
		for _, w := range []string{"Our reference: FP-2026-00042", "guangzhou.uscis@uscis.dhs.gov",
			"Sincerely, Jane Doe Field Office Director USCIS Guangzhou Field Office"} {
			if !strings.Contains(flat, w) {
				t.Errorf("%s: text lacks %q", name, w)
			}
		}
		for _, l := range strings.Split(body, "\n") {
			if utf8.RuneCountInString(l) > textWidth && strings.Contains(strings.TrimSpace(l), " ") {
				t.Errorf("%s: line longer than %d characters: %q", name, textWidth, l)
			}
		}
		if strings.Contains(body, "\n\n\n") || !strings.HasSuffix(body, "Field Office\n") {
			t.Errorf("%s: badly spaced text:\n%s", name, body)
		}
		// An e-mail is read in a proportional font: a label is followed by
		// one space, not padded into a column that would not line up.
		if !strings.Contains(body, "\n    Applicant: "+r.Applicant.FullName) && !strings.Contains(body, "\n    Applicant: "+strings.Fields(r.Applicant.FullName)[0]) {
			t.Errorf("%s: the Re: block does not read \"Applicant: %s\":\n%s", name, r.Applicant.FullName, body)
		}
		if strings.Contains(body, ":  ") {
			t.Errorf("%s: a label padded with spaces:\n%s", name, body)
		}
	}
}

// TestMissingSameWords: every paragraph of the e-mail text is printed, word
// for word, in the PDF (the signature aside: the e-mail signs with the
// office name the PDF has in its letterhead).
func TestMissingSameWords(t *testing.T) {
	for name, c := range missingCases {
		r := missingRequest(t, c)
		pdf := strings.ReplaceAll(pdfText(t, renderMissing(t, r), missingFooter), "• ", "")
		_, body := missingText(t, r)
		paras := strings.Split(strings.TrimSpace(body), "\n\n")
		for _, p := range paras[:len(paras)-1] {
			var lines []string
			for _, l := range strings.Split(p, "\n") {
				lines = append(lines, strings.TrimPrefix(l, "- "))
			}
			if w := strings.Join(strings.Fields(strings.Join(lines, "\n")), " "); !strings.Contains(pdf, w) {
				t.Errorf("%s: the PDF does not print the paragraph\n%s\nit reads:\n%s", name, w, pdf)
			}
		}
	}
}

// TestMissingNFC: names typed with combining accents (NFD) come out composed
// in the PDF and in the text.
func TestMissingNFC(t *testing.T) {
	r := missingRequest(t, missingCases["missing-single"])
	r.Applicant.FullName = "Nguye\u0302\u0303n Thi\u0323 Minh Khai"
	_, body := missingText(t, r)
	for what, text := range map[string]string{"text": body, "pdf": pdfText(t, renderMissing(t, r))} {
		for _, w := range []string{"Dear Nguyễn Thị Minh Khai:", "Passport biographic page: Nguyễn Thị Minh Khai"} {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), w) {
				t.Errorf("%s: the decomposed name is not printed composed (%q):\n%s", what, w, text)
			}
		}
	}
}

// TestMissingRefused: a request with nothing to ask for, or past asking, and
// an office the applicant could not send documents to, are refused with
// EINVALID, by the PDF and the text alike, and nothing is written.
func TestMissingRefused(t *testing.T) {
	complete := missingRequest(t, missingCases["missing-single"])
	for i, key := range []string{"notice", "passport/0"} {
		a := fp.Attachment{SHA256: fmt.Sprintf("%064x", 100+i), Name: key + ".pdf", Type: fp.TypePDF, Size: 1000,
			AddedAt: printed, AddedBy: "mlopez"}
		if _, err := complete.Attach(key, a, checkedOn); err != nil {
			t.Fatal(err)
		}
	}
	unchecked := missingRequest(t, missingCases["missing-single"]) // received, nobody has checked them yet
	for _, key := range []string{"notice", "passport/0"} {
		if err := complete.Judge(key, fp.Verdict{Verified: true, Shows: "IOE0987654321", Confirmed: fp.PassportChecks}, "jchen", printed, checkedOn); err != nil {
			t.Fatal(err)
		}
		a := fp.Attachment{SHA256: fmt.Sprintf("%064x", 200+len(key)), Name: key + ".pdf", Type: fp.TypePDF, Size: 1000,
			AddedAt: printed, AddedBy: "mlopez"}
		if _, err := unchecked.Attach(key, a, checkedOn); err != nil {
			t.Fatal(err)
		}
	}
	scheduled := missingRequest(t, missingCases["missing-single"])
	scheduled.Status = fp.StatusScheduled
	noEmail, noSignatory := guangzhou, guangzhou
	noEmail.Email = " "
	noSignatory.Signatory = ""
	for _, tc := range []struct {
		name string
		r    *fp.Request
		o    fp.Office
		says string // part of the message telling what is wrong
	}{
		{"complete checklist", complete, guangzhou, "FP-2026-00042 has nothing missing: every required document has been received"},
		{"received, not yet checked", unchecked, guangzhou, "has nothing missing"},
		{"scheduled", scheduled, guangzhou, "is Scheduled: documents are asked for only while a request is being checked"},
		{"no request", nil, guangzhou, "no request"},
		{"office without e-mail", missingRequest(t, missingCases["missing-single"]), noEmail, "lacks the office e-mail address, where applicants send their documents"},
		{"office without signatory", missingRequest(t, missingCases["missing-single"]), noSignatory, "lacks the name of the person who signs letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Missing(&b, tc.r, tc.o, checkedOn, Options{Now: printed, PrintedBy: "mlopez", Deterministic: true})
			_, body, terr := MissingText(tc.r, tc.o, checkedOn)
			for what, err := range map[string]error{"Missing": err, "MissingText": terr} {
				if fp.ErrorCode(err) != fp.EINVALID {
					t.Fatalf("%s: got %v (code %q), want an %s error", what, err, fp.ErrorCode(err), fp.EINVALID)
				}
				if msg := fp.ErrorMessage(err); !strings.Contains(msg, tc.says) {
					t.Errorf("%s: message %q does not say %q", what, msg, tc.says)
				}
			}
			if b.Len() != 0 || body != "" {
				t.Errorf("%d bytes written, text %q; want none", b.Len(), body)
			}
		})
	}
}

// TestForRequestMissing: a request awaiting documents gets the
// missing-documents letter; a new one still gets none.
func TestForRequestMissing(t *testing.T) {
	r := missingRequest(t, missingCases["missing-single"])
	opt := Options{Now: printed, PrintedBy: "mlopez", Deterministic: true}
	var b bytes.Buffer
	name, err := ForRequest(&b, r, fp.Office(guangzhou), officeHours, opt)
	if err != nil || name != "missing-documents letter" {
		t.Fatalf("got %q, %v", name, err)
	}
	if !bytes.Equal(b.Bytes(), renderMissing(t, r)) {
		t.Error("ForRequest printed another letter than Missing")
	}
	r.Status = fp.StatusNew
	b.Reset()
	if _, err := ForRequest(&b, r, fp.Office(guangzhou), officeHours, opt); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "no letter") {
		t.Errorf("new request: got %v", err)
	}
}
