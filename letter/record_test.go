package letter

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var printed = time.Date(2026, 11, 20, 10, 4, 0, 0, time.UTC)

func request(t *testing.T, in fp.RequestInput) *fp.Request {
	t.Helper()
	r, _, err := in.Parse(fp.DateOf(printed))
	if err != nil {
		t.Fatal(err)
	}
	r.Number, r.Status = "FP-2026-00042", fp.StatusWithdrawn
	r.History = []fp.Transition{
		{At: printed.Add(-72 * time.Hour), By: "mlopez", To: fp.StatusNew, Reason: "request recorded"},
		{At: printed.Add(-48 * time.Hour), By: "mlopez", From: fp.StatusNew, To: fp.StatusAwaitingDocuments},
		{At: printed.Add(-1 * time.Hour), By: "jchen", From: fp.StatusAwaitingDocuments, To: fp.StatusWithdrawn,
			Reason: "The applicant wrote that she will return to the United States in December and attend the rescheduled ASC appointment in Los Angeles instead; no further action."},
	}
	return r
}

var household = fp.RequestInput{
	Received: "2026-11-02", Category: "adoption", Basis: "I-600A filed from Guangzhou; every adult of the household needs fingerprints.",
	NoticeType: "receipt", ReceiptNumbers: "IOE0912345678; NBC2612345678", ANumber: "A12345678",
	FullName: "Nguyễn Thị Minh Khai", DateOfBirth: "1985-04-12", Email: "khai@example.com", Phone: "+86 20 8518 7700",
	Household: []fp.PersonInput{
		{FullName: "Łukasz Żółć", DateOfBirth: "1980-01-30"},
		{FullName: "José Müller", DateOfBirth: "1955-07-04"},
		{FullName: "Trần Văn Đức", DateOfBirth: "2001-12-24"},
	},
}

var other = fp.RequestInput{
	Received: "2026-10-15", Category: "All others", Basis: "ASC appointment in Los Angeles; left the U.S. for a family emergency.",
	NoticeType: "appointment", ReceiptNumbers: "IOE0987654321", FullName: "Wanjiru Mwangi", DateOfBirth: "1990-02-28",
	Email: "w.mwangi@example.com", ASCDate: "2026-10-20", ASCPlace: "Los Angeles ASC",
	DepartureReason: "Mother hospitalised in Nairobi after a stroke; flew out two days before the appointment.",
	RescheduleAsked: "no", RescheduleNote: "Left within 24 hours; did not know a reschedule was possible.",
}

func render(t *testing.T, r *fp.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Record(&b, r, Options{Now: printed, PrintedBy: "mlopez", Deterministic: true}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with testdata/NAME.pdf, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".pdf")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./letter -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./letter -update and look at it)", name, path)
	}
}

// TestRecordGolden compares with testdata/*.pdf; go test ./letter -update rewrites them.
func TestRecordGolden(t *testing.T) {
	for name, in := range map[string]fp.RequestInput{"record-household": household, "record-other": other} {
		got := render(t, request(t, in))
		if again := render(t, request(t, in)); !bytes.Equal(got, again) {
			t.Fatalf("%s: two renderings differ: output is not deterministic", name)
		}
		golden(t, name, got)
	}
}

// TestRecordText reads the PDF back with pdftotext, when it is installed,
// and checks every field is there with its diacritics intact.
func TestRecordText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(path, render(t, request(t, household)), 0o600)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ") // wrapped lines joined
	for _, want := range []string{"FP-2026-00042", "Status: Withdrawn", "2026-11-02 (18 days ago)", "Adoptive parents",
		"IOE0912345678, NBC2612345678", "A-012-345-678", "Nguyễn Thị Minh Khai", "Łukasz Żółć", "José Müller", "Trần Văn Đức",
		"khai@example.com", "+86 20 8518 7700", "Receipt notice (I-797C)", "from Awaiting documents to Withdrawn",
		"she will return to the United States in December and attend the rescheduled ASC appointment", "printed 2026-11-20 10:04 by mlopez", "page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}
