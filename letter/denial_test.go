package letter

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

var guangzhou = fp.Office{
	Name:           "USCIS Guangzhou Field Office",
	Address:        "43 Hua Jiu Road, Zhujiang New Town\nTianhe District, Guangzhou 510623\nChina",
	Phone:          "+86 20 3814 5000",
	Email:          "guangzhou.uscis@uscis.dhs.gov",
	Signatory:      "Jane Doe",
	SignatoryTitle: "Field Office Director",
}

var decided = printed.Add(-26 * time.Hour) // November 19, 2026

const longReason = "You left the United States on October 18, two days before your appointment at the Los Angeles " +
	"Application Support Center, and did not ask USCIS to reschedule it before you left. The office has very few " +
	"appointments each week and must keep them for active-duty military families, spouses of U.S. government " +
	"employees serving abroad and adoptive parents. Your appointment in the United States can be rescheduled by USCIS, " +
	"and the cost of travelling back to attend it is not, on its own, a reason the office can accept."

type denialCase struct {
	in     fp.RequestInput
	reason string
}

var denialCases = map[string]denialCase{
	// An "All others" request the director turned down, with a long reason.
	"denial-other": {
		in: fp.RequestInput{
			Received: "2026-10-15", Category: "All others", Basis: "ASC appointment in Los Angeles; left the U.S. for a family emergency.",
			NoticeType: "appointment", ReceiptNumbers: "IOE0987654321", ANumber: "A-087-654-321",
			FullName: "Nguyễn Thị Minh Khai", DateOfBirth: "1985-04-12", Email: "khai@example.com",
			ASCDate: "2026-10-20", ASCPlace: "Los Angeles ASC", DepartureReason: "A family emergency in Guangzhou.",
			RescheduleAsked: "no", RescheduleNote: "Did not know a reschedule was possible.",
		},
		reason: longReason,
	},
	// An adoptive household (the household is not listed in a denial), no A-number, two receipts.
	"denial-household": {
		in: fp.RequestInput{
			Received: "2026-11-02", Category: "adoption", Basis: "I-600A filed from Guangzhou.",
			NoticeType: "receipt", ReceiptNumbers: "IOE0912345678; NBC2612345678",
			FullName: "Łukasz Żółć", DateOfBirth: "1980-01-30", Email: "lukasz.zolc@example.pl",
			Household: []fp.PersonInput{
				{FullName: "Zofia Żółć", DateOfBirth: "1982-03-15"},
				{FullName: "José Müller", DateOfBirth: "1955-07-04"},
			},
		},
		reason: "The I-600A receipt notice you sent is for a petition filed with the National Benefits Center, " +
			"which has already scheduled your biometrics in the United States for December 3.",
	},
}

func deniedRequest(t *testing.T, c denialCase) *fp.Request {
	t.Helper()
	r := request(t, c.in)
	r.Status = fp.StatusDenied
	r.History = []fp.Transition{
		{At: printed.Add(-72 * time.Hour), By: "mlopez", To: fp.StatusNew, Reason: "request recorded"},
		{At: printed.Add(-48 * time.Hour), By: "mlopez", From: fp.StatusNew, To: fp.StatusDirectorReview},
		{At: decided, By: "jdoe", From: fp.StatusDirectorReview, To: fp.StatusDenied, Reason: c.reason},
	}
	return r
}

func renderDenial(t *testing.T, c denialCase) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Denial(&b, deniedRequest(t, c), guangzhou, c.reason, decided,
		Options{Now: printed, PrintedBy: "mlopez", Deterministic: true}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDenialGolden compares with testdata/denial-*.pdf; go test ./letter -update rewrites them.
func TestDenialGolden(t *testing.T) {
	for name, c := range denialCases {
		got := renderDenial(t, c)
		if again := renderDenial(t, c); !bytes.Equal(got, again) {
			t.Fatalf("%s: two renderings differ: output is not deterministic", name)
		}
		golden(t, name, got)
	}
}

// pdfText is the text of pdf as pdftotext reads it, its whitespace collapsed
// so wrapped lines join; lines holding drop are left out.
func pdfText(t *testing.T, pdf []byte, drop ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
lines:
	for _, l := range strings.Split(string(out), "\n") {
		for _, d := range drop {
			if strings.Contains(l, d) {
				continue lines
			}
		}
		keep = append(keep, l)
	}
	return strings.Join(strings.Fields(strings.Join(keep, "\n")), " ") // wrapped lines joined
}

// TestDenialText reads the letters back with pdftotext, when it is installed,
// and checks every field is there with its diacritics intact.
func TestDenialText(t *testing.T) {
	common := []string{
		"U.S. Department of Homeland Security · U.S. Citizenship and Immigration Services",
		"USCIS Guangzhou Field Office", "43 Hua Jiu Road, Zhujiang New Town", "Tianhe District, Guangzhou 510623", "China",
		"+86 20 3814 5000", "guangzhou.uscis@uscis.dhs.gov",
		"November 20, 2026", "Our reference: FP-2026-00042", "On November 19, 2026",
		"cannot collect your biometrics for this request", "The reason for this decision is:",
		"biometrics appointment scheduled by USCIS in the United States still stands",
		"1-800-375-5283", "myUSCIS", "“Reschedule Biometrics.”", "reschedule it before the appointment date",
		"If you miss it, your case can be delayed or denied.",
		"concerns only where your biometrics are collected. It is not a decision on the immigration benefit",
		"Sincerely, Jane Doe Field Office Director",
		"FP-2026-00042 · denial letter · page 1 of 1",
	}
	for name, want := range map[string][]string{
		"denial-other": {"Nguyễn Thị Minh Khai", "By e-mail: khai@example.com", "Dear Nguyễn Thị Minh Khai:",
			"Applicant: Nguyễn Thị Minh Khai", "A-number: A-087-654-321", "Receipt number: IOE0987654321",
			longReason},
		"denial-household": {"Łukasz Żółć", "By e-mail: lukasz.zolc@example.pl", "Dear Łukasz Żółć:",
			"Applicant: Łukasz Żółć", "Receipt numbers: IOE0912345678, NBC2612345678",
			"already scheduled your biometrics in the United States for December 3."},
	} {
		text := pdfText(t, renderDenial(t, denialCases[name]))
		for _, w := range append(common, want...) {
			if !strings.Contains(text, w) {
				t.Errorf("%s: pdftotext output lacks %q", name, w)
			}
		}
		if name == "denial-household" {
			for _, no := range []string{"A-number", "Zofia", "José Müller"} {
				if strings.Contains(text, no) {
					t.Errorf("%s: letter shows %q, which it should not", name, no)
				}
			}
		}
	}
}

// TestDenialLongReason: a reason far too long for one page goes on, whole, on a second.
func TestDenialLongReason(t *testing.T) {
	c := denialCases["denial-other"]
	c.reason = strings.Repeat(longReason+"\n", 6)
	text := pdfText(t, renderDenial(t, c), "· denial letter ·") // without the footers, which cut into the quote
	if got := strings.Count(text, "cost of travelling back to attend it is not, on its own"); got != 6 {
		t.Errorf("reason appears %d times, want 6", got)
	}
	if full := pdfText(t, renderDenial(t, c)); !strings.Contains(full, "page 2 of 2") || !strings.Contains(full, "Sincerely, Jane Doe") {
		t.Errorf("long letter lacks its second page or closing:\n%s", text)
	}
}

// TestDenialRefused: what the letter cannot be printed without is refused
// with EINVALID, and nothing is written.
func TestDenialRefused(t *testing.T) {
	c := denialCases["denial-other"]
	noName, noAddress, noSignatory := guangzhou, guangzhou, guangzhou
	noName.Name = "  "
	noAddress.Address = "\n \n"
	noSignatory.Signatory = ""
	withdrawn := deniedRequest(t, c)
	withdrawn.Status = fp.StatusWithdrawn
	for _, tc := range []struct {
		name   string
		r      *fp.Request
		o      fp.Office
		reason string
		says   string // part of the message telling what to fix
	}{
		{"blank reason", deniedRequest(t, c), guangzhou, " \n\t", "has no reason"},
		{"empty reason", deniedRequest(t, c), guangzhou, "", "has no reason"},
		{"not denied", withdrawn, guangzhou, c.reason, "is Withdrawn, not denied"},
		{"no request", nil, guangzhou, c.reason, "no request"},
		{"office without name", deniedRequest(t, c), noName, c.reason, "lacks the office name"},
		{"office without address", deniedRequest(t, c), noAddress, c.reason, "lacks the postal address"},
		{"office without signatory", deniedRequest(t, c), noSignatory, c.reason, "lacks the name of the person who signs letters"},
		{"empty office", deniedRequest(t, c), fp.Office{}, c.reason, "office name (e.g. “USCIS Guangzhou Field Office”), the postal address (one line per row, country last) and the name of the person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Denial(&b, tc.r, tc.o, tc.reason, decided, Options{Now: printed, PrintedBy: "mlopez", Deterministic: true})
			if fp.ErrorCode(err) != fp.EINVALID {
				t.Fatalf("got %v (code %q), want an %s error", err, fp.ErrorCode(err), fp.EINVALID)
			}
			if msg := fp.ErrorMessage(err); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written; want none", b.Len())
			}
		})
	}
}

func TestOfficeValidate(t *testing.T) {
	if err := checkOffice(guangzhou); err != nil {
		t.Errorf("complete office refused: %v", err)
	}
	o := guangzhou
	o.Phone, o.Email, o.SignatoryTitle = "", "", ""
	if err := checkOffice(o); err != nil {
		t.Errorf("phone, e-mail and title are optional, yet: %v", err)
	}
}

// TestDenialNFC: a name typed with combining accents (NFD) comes out composed.
func TestDenialNFC(t *testing.T) {
	c := denialCases["denial-other"]
	c.in.FullName = "Nguye\u0302\u0303n Thi\u0323 Minh Khai"
	text := pdfText(t, renderDenial(t, c))
	if !strings.Contains(text, "Dear Nguyễn Thị Minh Khai:") {
		t.Errorf("the decomposed name is not printed composed:\n%s", text)
	}
}
