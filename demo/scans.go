package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	fp "github.com/fieldprint/fieldprint"
)

// PassportScan draws a stand-in for a scanned passport biographic page: a
// PNG with the holder's details and a machine-readable zone, so the demo's
// preview shows what a clerk reads while verifying.
func PassportScan(p fp.Person, number string, expiry fp.Date) []byte {
	const w, h = 640, 420
	// Four colours, paletted: a fraction of the bytes and of the encoding and
	// decoding time of RGBA, which matters when the demo writes thousands.
	paper, photo, white, ink := color.RGBA{0xf3, 0xee, 0xe0, 0xff}, color.RGBA{0xc9, 0xc3, 0xb5, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0x20, 0x20, 0x30, 0xff}
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{paper, photo, white, ink})
	draw.Draw(img, image.Rect(24, 70, 184, 280), &image.Uniform{photo}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 330, w, h), &image.Uniform{white}, image.Point{}, draw.Src)
	text := func(x, y int, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: basicfont.Face7x13,
			Dot: fixed.P(x, y)}
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
	var buf bytes.Buffer
	(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	return buf.Bytes()
}

// PassportMRZ is the machine-readable zone PassportScan prints, as a
// counter reader types it.
func PassportMRZ(p fp.Person, number string, expiry fp.Date) string {
	l1, l2 := mrz(asciiUpper(p.FullName), number, p.DateOfBirth, expiry)
	return l1 + "\n" + l2
}

// NoticeScan makes a stand-in for a scanned I-797C receipt notice as a PDF.
func NoticeScan(r *fp.Request, title string) []byte {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.SetCreationDate(fixedDate)
	pdf.SetCompression(true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 24, title)
	pdf.Ln(30)
	pdf.SetFont("Helvetica", "", 11)
	lines := []string{"DEMO SCAN - NOT A REAL DOCUMENT", "", "Applicant: " + asciiUpper(r.Applicant.FullName)}
	for _, rn := range r.ReceiptNumbers {
		lines = append(lines, "Receipt Number: "+string(rn))
	}
	if r.ANumber != "" {
		lines = append(lines, "A-Number: "+r.ANumber.Display())
	}
	for _, l := range lines {
		pdf.Cell(0, 16, l)
		pdf.Ln(16)
	}
	var buf bytes.Buffer
	pdf.Output(&buf)
	return buf.Bytes()
}

// asciiUpper writes a name as a machine-readable zone would: A-Z only.
func asciiUpper(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToUpper(fp.Fold(s)), func(r rune) bool { return r < 'A' || r > 'Z' }), " ")
}

var fixedDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// mrz builds the two TD3 lines for the demo passport, check digits included.
func mrz(name, number string, dob, exp fp.Date) (string, string) {
	parts := strings.Fields(name)
	surname, given := parts[len(parts)-1], strings.Join(parts[:len(parts)-1], "<")
	l1 := pad("P<UTO"+surname+"<<"+given, 44)
	num := pad(number, 9)
	yymmdd := func(d fp.Date) string { return fmt.Sprintf("%02d%02d%02d", d.Y%100, d.M, d.D) }
	b, e := yymmdd(dob), yymmdd(exp)
	personal := strings.Repeat("<", 14)
	l2 := num + check(num) + "UTO" + b + check(b) + "<" + e + check(e) + personal + check(personal)
	composite := l2[0:10] + l2[13:20] + l2[21:43]
	return l1, l2 + check(composite)
}

func pad(s string, n int) string {
	s = strings.ReplaceAll(s, " ", "<")
	if len(s) > n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func check(s string) string {
	weights := []int{7, 3, 1}
	sum := 0
	for i, c := range s {
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * weights[i%3]
	}
	return fmt.Sprint(sum % 10)
}
