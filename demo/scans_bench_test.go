package demo

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	fp "github.com/fieldprint/fieldprint"
)

func benchRequest(b *testing.B) *fp.Request {
	rs, err := Requests(1, fp.Date{Y: 2026, M: 11, D: 20}, 7)
	if err != nil {
		b.Fatal(err)
	}
	return rs[0]
}

// BenchmarkPassportScan: one passport page as the demo attaches it.
func BenchmarkPassportScan(b *testing.B) {
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		PassportScan(r.Applicant, r.Applicant.Passport.Number, r.Applicant.Passport.Expiry)
	}
}

// BenchmarkNoticeScan: one receipt notice (a small PDF).
func BenchmarkNoticeScan(b *testing.B) {
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		NoticeScan(r, "Notice of Action (I-797C) - Receipt")
	}
}

// BenchmarkSniffScans: the attach's check of both kinds of scan.
func BenchmarkSniffScans(b *testing.B) {
	r := benchRequest(b)
	png := PassportScan(r.Applicant, r.Applicant.Passport.Number, r.Applicant.Passport.Expiry)
	pdf := NoticeScan(r, "Notice of Action (I-797C) - Receipt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fp.SniffFile("p.png", png, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := fp.SniffFile("n.pdf", pdf, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// drawnWithDrawer is the passport page as font.Drawer draws it (how
// PassportScan drew it before it blitted the font's masks itself).
func drawnWithDrawer(p fp.Person, number string, expiry fp.Date) *image.Paletted {
	const w, h = 640, 420
	img := image.NewPaletted(image.Rect(0, 0, w, h), palette)
	draw.Draw(img, image.Rect(24, 70, 184, 280), &image.Uniform{photo}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 330, w, h), &image.Uniform{white}, image.Point{}, draw.Src)
	text := func(x, y int, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	ascii := asciiUpper(p.FullName)
	text(24, 40, "PASSPORT  (DEMO SCAN - NOT A REAL DOCUMENT)")
	text(210, 90, "Name: "+ascii)
	text(210, 120, "Date of birth: "+p.DateOfBirth.String())
	text(210, 150, "Passport No.: "+number)
	text(210, 180, "Date of expiry: "+expiry.String())
	l1, l2 := mrz(ascii, number, p.DateOfBirth, expiry)
	text(20, 365, l1)
	text(20, 395, l2)
	return img
}

// The fast drawing and encoding give the bytes font.Drawer and image/png
// give, for many holders (the pages reused in turn).
func TestPassportScanAsDrawerAndPNG(t *testing.T) {
	rs, err := Requests(40, fp.Date{Y: 2026, M: 11, D: 20}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		for _, p := range append([]fp.Person{r.Applicant}, r.Household...) {
			if p.Passport == nil {
				continue
			}
			var want bytes.Buffer
			if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&want, drawnWithDrawer(p, p.Passport.Number, p.Passport.Expiry)); err != nil {
				t.Fatal(err)
			}
			if got := PassportScan(p, p.Passport.Number, p.Passport.Expiry); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s: the page differs from font.Drawer's encoded by image/png", p.FullName)
			}
		}
	}
}
