package letter

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// stampKey is the office key of the tests: a fixed seed, so the signature,
// the code and the QR code are the same every run.
var stampKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

// stampFacts: Khai's biometrics, collected at 08:38 Guangzhou time.
func stampFacts() fp.StampFacts {
	return fp.StampFacts{
		Office: guangzhou.Name, Request: "FP-2026-00042", Person: "Nguyễn Thị Minh Khai",
		DateOfBirth: fp.Date{Y: 1985, M: time.April, D: 12},
		Collected:   time.Date(2026, 12, 1, 8, 38, 0, 0, officeHours.Location()),
		Officer:     "jchen", Captured: []fp.Capture{fp.CaptureFingerprints, fp.CapturePhoto, fp.CaptureSignature}, Code: 3,
	}
}

var stampOptions = Options{Now: time.Date(2026, 12, 1, 0, 41, 0, 0, time.UTC), PrintedBy: "jchen", Deterministic: true}

func renderStamp(t testing.TB, st fp.Stamp) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := StampedNotice(&b, st, guangzhou, officeHours, stampOptions); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestStampGolden compares with testdata/stamp.pdf; go test ./letter -update rewrites it.
func TestStampGolden(t *testing.T) {
	st := fp.SignStamp(stampKey, stampFacts())
	got := renderStamp(t, st)
	if again := renderStamp(t, fp.SignStamp(stampKey, stampFacts())); !bytes.Equal(got, again) {
		t.Fatal("two renderings differ: output is not deterministic")
	}
	golden(t, "stamp", got)
}

// TestStampText reads the notice back with pdftotext, when it is installed:
// one page with every certified fact, how to check it, and the stamp block.
func TestStampText(t *testing.T) {
	st := fp.SignStamp(stampKey, stampFacts())
	pages := pdfPages(t, renderStamp(t, st))
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	text := pages[0]
	for _, w := range []string{
		"U.S. Department of Homeland Security · U.S. Citizenship and Immigration Services",
		"USCIS Guangzhou Field Office", "43 Hua Jiu Road, Zhujiang New Town", "guangzhou.uscis@uscis.dhs.gov",
		"December 1, 2026", "Our reference: FP-2026-00042", "Proof of biometrics collection",
		"The USCIS Guangzhou Field Office certifies that it collected the biometrics below.",
		"Person: Nguyễn Thị Minh Khai", "Date of birth: April 12, 1985", "Request number: FP-2026-00042",
		"Collected: Tuesday, December 1, 2026 at 08:38, Asia/Shanghai time (UTC+08:00)", "Officer: jchen",
		"Captured: Fingerprints, photo and signature", "Biometric code: Code 3: photo, index print, ten prints",
		"This notice is signed by the office with its digital key. Anyone can check this notice: scan the QR code, or give the code " +
			st.Code + " to the office; the office checks it with “fieldprint verify”.",
		"USCIS GUANGZHOU FIELD OFFICE", "BIOMETRICS COLLECTED", "December 1, 2026 · 08:38", "VERIFICATION CODE",
		"Signed with the office key " + fp.KeyID(stampKey.Public().(ed25519.PublicKey)),
		"FP-2026-00042 · proof of biometrics collection · " + st.Code + " · page 1 of 1",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	// The large code is drawn a letter per cell: pdftotext may space it out.
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), "VERIFICATIONCODE"+st.Code) {
		t.Errorf("the stamp does not show the code %s under its label:\n%s", st.Code, text)
	}
}

// TestStampWithoutCode: no biometric code and no date of birth: no code
// line, a dash for the date of birth; another zone than the office's is
// shown as an offset only.
func TestStampWithoutCode(t *testing.T) {
	f := stampFacts()
	f.Code, f.DateOfBirth = 0, fp.Date{}
	f.Collected = f.Collected.In(time.FixedZone("", 3*3600))
	text := pdfText(t, renderStamp(t, fp.SignStamp(stampKey, f)))
	for _, w := range []string{"Date of birth: —", "Collected: Tuesday, December 1, 2026 at 03:38, UTC+03:00"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	if strings.Contains(text, "Biometric code") {
		t.Error("a notice without a biometric code shows one")
	}
}

// TestStampQR scans the QR code off the printed page, when pdftoppm and
// zbarimg (zbar-tools) are installed: it holds exactly st.QRText(), whose
// facts verify against the office's public key; with a long name and a long
// office name too, still on one page.
func TestStampQR(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	long := stampFacts()
	long.Person, long.Office = longName, "USCIS Guatemala City Field Office of the United States Embassy"
	longOffice := guangzhou
	longOffice.Name = long.Office
	for name, tc := range map[string]struct {
		f fp.StampFacts
		o fp.Office
	}{"stamp": {stampFacts(), guangzhou}, "long": {long, longOffice}} {
		st := fp.SignStamp(stampKey, tc.f)
		var b bytes.Buffer
		if err := StampedNotice(&b, st, tc.o, officeHours, stampOptions); err != nil {
			t.Fatal(err)
		}
		if n := pageCount(t, b.Bytes()); n != 1 {
			t.Errorf("%s: %d pages, want 1", name, n)
		}
		dir := t.TempDir()
		path := filepath.Join(dir, name+".pdf")
		os.WriteFile(path, b.Bytes(), 0o600)
		// 150 dpi: half as fine as an office printer.
		if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, name+".png")).Output()
		if err != nil {
			t.Fatalf("%s: zbarimg finds no QR code: %v", name, err)
		}
		got := strings.TrimRight(string(out), "\n")
		if got != st.QRText() {
			t.Fatalf("%s: the QR code reads\n%q\nwant\n%q", name, got, st.QRText())
		}
		f, sig, err := fp.ParseQRText(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Canonical(), st.Facts.Canonical()) || !f.Collected.Equal(st.Facts.Collected) {
			t.Errorf("%s: the QR code certifies\n%s\nwant\n%s", name, f.Canonical(), st.Facts.Canonical())
		}
		if err := fp.VerifySignature(stampKey.Public().(ed25519.PublicKey), f, sig); err != nil {
			t.Errorf("%s: the scanned stamp does not verify: %v", name, err)
		}
	}
}

// TestStampRefused: an incomplete office profile, a stamp without its code
// or signature, or with another's code, is refused with EINVALID and
// nothing is written.
func TestStampRefused(t *testing.T) {
	good := fp.SignStamp(stampKey, stampFacts())
	noCode, noSig, wrongCode := good, good, good
	noCode.Code = " "
	noSig.Signature = nil
	other := stampFacts()
	other.Person = "José Müller"
	wrongCode.Code = fp.SignStamp(stampKey, other).Code
	noSignatory := guangzhou
	noSignatory.Signatory = ""
	for _, tc := range []struct {
		name string
		st   fp.Stamp
		o    fp.Office
		says string
	}{
		{"empty office", good, fp.Office{}, "lacks the office name"},
		{"office without signatory", good, noSignatory, "lacks the name of the person who signs letters"},
		{"no code", noCode, guangzhou, "the stamp of FP-2026-00042 has no code or no signature"},
		{"no signature", noSig, guangzhou, "the stamp of FP-2026-00042 has no code or no signature"},
		{"another stamp's code", wrongCode, guangzhou, "which is not its signature's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := StampedNotice(&b, tc.st, tc.o, officeHours, stampOptions)
			if fp.ErrorCode(err) != fp.EINVALID {
				t.Fatalf("got %v (code %q), want an %s error", err, fp.ErrorCode(err), fp.EINVALID)
			}
			if msg := fp.ErrorMessage(err); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written, want none", b.Len())
			}
		})
	}
}

// The verification code stays in its width whatever its letters: a wider
// one is drawn smaller, a narrower one at its size.
func TestSpacedCodeFits(t *testing.T) {
	draw := func(code string, w float64) float64 {
		d := newDoc(apptOptions, "")
		d.AddPage()
		return d.spacedCode(code, 100, 100, w, 26)
	}
	limit := draw("NAPBU-SBI6K", 1000)
	wide, narrow := draw("WWWWW-WWWWW", 1000), draw("IIIII-IIIII", 1000)
	if !(narrow < limit && limit < wide) {
		t.Fatalf("natural widths %.1f, %.1f, %.1f", narrow, limit, wide)
	}
	if got := draw("WWWWW-WWWWW", limit); got > limit+0.01 || got < limit-1 {
		t.Errorf("the widest code drawn %.1f points wide in %.1f", got, limit)
	}
	if got := draw("IIIII-IIIII", limit); got != narrow {
		t.Errorf("a narrow code drawn %.1f points wide, not at its size (%.1f)", got, narrow)
	}
}
