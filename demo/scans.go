package demo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	fp "github.com/fieldprint/fieldprint"
)

// PassportScan draws a stand-in for a scanned passport biographic page: a
// PNG with the holder's details and a machine-readable zone, so the demo's
// preview shows what a clerk reads while verifying.
//
// The demo writes one per person (hundreds of thousands for a large demo
// office), so the page is drawn from a blank made once, the text blitted
// from the bitmap font's masks, and the PNG encoder's buffers reused; the
// pixels are those font.Drawer would draw, encoded as image/png would.
func PassportScan(p fp.Person, number string, expiry fp.Date) []byte {
	img := passportBlank()
	ascii := asciiUpper(p.FullName)
	text(img, 210, 90, "Name: "+ascii)
	text(img, 210, 120, "Date of birth: "+p.DateOfBirth.String())
	text(img, 210, 150, "Passport No.: "+number)
	text(img, 210, 180, "Date of expiry: "+expiry.String())
	l1, l2 := mrz(ascii, number, p.DateOfBirth, expiry)
	text(img, 20, 365, l1)
	text(img, 20, 395, l2)
	out := encodePNG(img)
	blanks.Put(img)
	return out
}

// The passport page's colours: four, paletted, a fraction of the bytes and
// of the encoding and decoding time of RGBA.
var (
	paper, photo, white, ink = color.RGBA{0xf3, 0xee, 0xe0, 0xff}, color.RGBA{0xc9, 0xc3, 0xb5, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0x20, 0x20, 0x30, 0xff}
	palette                  = color.Palette{paper, photo, white, ink}
	inkIndex                 = uint8(3)
)

// blank is the passport page without its holder: paper, the photo, the
// zone's band and the heading.
var blank = sync.OnceValue(func() *image.Paletted {
	const w, h = 640, 420
	img := image.NewPaletted(image.Rect(0, 0, w, h), palette)
	draw.Draw(img, image.Rect(24, 70, 184, 280), &image.Uniform{photo}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 330, w, h), &image.Uniform{white}, image.Point{}, draw.Src)
	text(img, 24, 40, "PASSPORT  (DEMO SCAN - NOT A REAL DOCUMENT)")
	return img
})

// blanks are pages to draw on, reused (the demo draws them on several
// goroutines).
var blanks sync.Pool

// passportBlank is a copy of blank to draw a holder's details on.
func passportBlank() *image.Paletted {
	b := blank()
	img, _ := blanks.Get().(*image.Paletted)
	if img == nil {
		img = &image.Paletted{Pix: make([]uint8, len(b.Pix)), Stride: b.Stride, Rect: b.Rect, Palette: b.Palette}
	}
	copy(img.Pix, b.Pix)
	return img
}

// encodePNG writes a page of at most four colours as a 2-bit paletted PNG,
// rows unfiltered, compressed at zlib's best speed: what image/png writes
// for it, without asking the image for each pixel's index (most of
// image/png's time here), its compressor reused.
func encodePNG(img *image.Paletted) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var out bytes.Buffer
	out.Grow(16 << 10)
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 2, 3 // bit depth 2, colour type 3 (palette)
	chunk("IHDR", ihdr)
	plte := make([]byte, 0, 3*len(img.Palette))
	for _, c := range img.Palette {
		r, g, b, _ := c.RGBA()
		plte = append(plte, uint8(r>>8), uint8(g>>8), uint8(b>>8))
	}
	chunk("PLTE", plte)
	zw := zlibWriters.Get().(*zlibWriter)
	zw.buf.Reset()
	zw.w.Reset(&zw.buf)
	row := make([]byte, 1+(w+3)/4) // filter byte 0 (none), then 4 pixels a byte
	for y := 0; y < h; y++ {
		pix := img.Pix[y*img.Stride : y*img.Stride+w]
		packed := row[1:]
		x := 0
		for ; x+4 <= w; x += 4 {
			p := pix[x : x+4 : x+4]
			packed[x/4] = (p[0]&3)<<6 | (p[1]&3)<<4 | (p[2]&3)<<2 | p[3]&3
		}
		if x < w {
			packed[x/4] = 0
			for ; x < w; x++ {
				packed[x/4] |= (pix[x] & 3) << (6 - 2*uint(x%4))
			}
		}
		zw.w.Write(row)
	}
	zw.w.Close()
	chunk("IDAT", zw.buf.Bytes())
	zlibWriters.Put(zw)
	chunk("IEND", nil)
	return out.Bytes()
}

type zlibWriter struct {
	buf bytes.Buffer
	w   *zlib.Writer
}

var zlibWriters = sync.Pool{New: func() any {
	z := &zlibWriter{}
	z.w, _ = zlib.NewWriterLevel(&z.buf, zlib.BestSpeed)
	return z
}}

// text writes s in ink at (x, y) (the baseline), as font.Drawer with
// basicfont.Face7x13 does: the font's masks are fully on or off, so a
// pixel is ink or left as it is.
func text(img *image.Paletted, x, y int, s string) {
	face := basicfont.Face7x13
	mask := face.Mask.(*image.Alpha)
	dot := fixed.P(x, y)
	for _, r := range s {
		dr, _, mp, adv, _ := face.Glyph(dot, r)
		dot.X += adv
		for py := dr.Min.Y; py < dr.Max.Y; py++ {
			if py < img.Rect.Min.Y || py >= img.Rect.Max.Y {
				continue
			}
			row := img.Pix[img.PixOffset(0, py):]
			mrow := mask.Pix[mask.PixOffset(mp.X, mp.Y+py-dr.Min.Y):]
			for px := dr.Min.X; px < dr.Max.X; px++ {
				if px < img.Rect.Min.X || px >= img.Rect.Max.X {
					continue
				}
				switch a := mrow[px-dr.Min.X]; a {
				case 0:
				case 0xff:
					row[px-img.Rect.Min.X] = inkIndex
				default: // not in this font; blended as draw.Over would
					draw.DrawMask(img, image.Rect(px, py, px+1, py+1), image.NewUniform(ink), image.Point{}, mask, image.Pt(mp.X+px-dr.Min.X, mp.Y+py-dr.Min.Y), draw.Over)
				}
			}
		}
	}
}

// PassportMRZ is the machine-readable zone PassportScan prints, as a
// counter reader types it.
func PassportMRZ(p fp.Person, number string, expiry fp.Date) string {
	l1, l2 := mrz(asciiUpper(p.FullName), number, p.DateOfBirth, expiry)
	return l1 + "\n" + l2
}

// NoticeScan makes a stand-in for a scanned I-797C receipt notice as a PDF.
// Its page (a few lines of text) is not compressed: a compressor costs
// gofpdf a megabyte of memory to save a few hundred bytes, and the demo
// makes one notice per request.
func NoticeScan(r *fp.Request, title string) []byte {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.SetCreationDate(fixedDate)
	pdf.SetCompression(false)
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
