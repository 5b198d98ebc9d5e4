package fieldprint

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jung-kurt/gofpdf"
)

var updateHostile = flag.Bool("update-hostile", false, "rewrite testdata/hostile from hostileFiles")

const hostileDir = "testdata/hostile"

// sniffImage is a small picture with some detail, so encoders produce real data.
func sniffImage(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 37), uint8(y * 59), uint8(x ^ y), 255})
		}
	}
	return img
}

func sniffPNG(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, sniffImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sniffJPEG(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, sniffImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sniffPDF is a minimal valid one-page PDF with a correct xref table.
// catalog and trailer add entries to those dictionaries; extra adds objects from 4 on.
func sniffPDF(catalog, trailer string, extra ...string) []byte {
	return sniffPDFPage("", catalog, trailer, extra...)
}

// sniffPDFPage is sniffPDF with entries added to the page's dictionary too.
func sniffPDFPage(page, catalog, trailer string, extra ...string) []byte {
	objs := append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + ">>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page + ">>",
	}, extra...)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, xref)
	return b.Bytes()
}

// gofpdfScan is a PDF as the letters and the demo's scans are made: gofpdf,
// a JPEG image, text, a web link, opening on the first page.
func gofpdfScan(t testing.TB, compress bool) []byte {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.SetCompression(compress)
	pdf.SetCreationDate(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	pdf.SetDisplayMode("fullpage", "single")
	pdf.SetTitle("Scan", true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 24, "I-797C Notice of Action (scan)")
	pdf.Ln(30)
	pdf.SetFont("Helvetica", "", 11)
	pdf.CellFormat(0, 16, "www.uscis.gov", "", 1, "L", false, 0, "https://www.uscis.gov/")
	opts := gofpdf.ImageOptions{ImageType: "JPG"}
	pdf.RegisterImageOptionsReader("page", opts, bytes.NewReader(sniffJPEG(t, 64, 48)))
	pdf.ImageOptions("page", 36, 100, 540, 405, false, opts, 0, "")
	pdf.AddPage()
	pdf.Cell(0, 16, "Page 2")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// png16Small is a 16-bit RGBA PNG within every limit.
func png16Small(t testing.TB) []byte {
	img := image.NewNRGBA64(image.Rect(0, 0, 100, 80))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG signature and an IHDR chunk (8-bit RGBA) with a correct
// CRC: all a decoder reads before it knows the picture's size.
func pngHeader(w, h uint32) []byte { return pngHeaderOf(w, h, 8, 6, 0) }

func pngHeaderOf(w, h uint32, depth, colorType, interlace byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	return withPNGChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", append(ihdr, depth, colorType, 0, 0, interlace))
}

func withPNGChunk(png []byte, typ string, data []byte) []byte {
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(append(chunk, typ...), data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(slices.Clone(png), chunk...)
}

// withJPEGSize rewrites the size declared in a baseline JPEG's SOF0 segment.
func withJPEGSize(t testing.TB, jpg []byte, w, h uint16) []byte {
	i := bytes.Index(jpg, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 segment")
	}
	out := slices.Clone(jpg)
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

// hostileFiles is the committed corpus in testdata/hostile, regenerated with
// go test -run TestHostileCorpusUpToDate -update-hostile
func hostileFiles(t testing.TB) map[string][]byte {
	jpg := sniffJPEG(t, 64, 48)
	pngData := sniffPNG(t, 16, 16)
	// Active content with inert payloads: "void 0" scripts, example.invalid
	// addresses and a .invalid server that can never resolve.
	const jsAction = "<< /S /JavaScript /JS (void 0) >>"
	jsPDF := sniffPDF("/OpenAction 4 0 R ", "", jsAction)
	// Only an ELF header: recognisable, not a program.
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...)
	// A DOS/PE stub header only: enough to be recognised, not a runnable program.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 48)...)
	exe[0x3c] = 0x40
	exe = append(exe, "PE\x00\x00This program cannot be run in DOS mode.\r\n"...)
	return map[string][]byte{
		"zero.pdf":        {},
		"exe-as.pdf":      exe,
		"text-as.png":     []byte("Passport scan to follow by email.\r\nThanks, J.\r\n"),
		"truncated.jpg":   jpg[:len(jpg)/2],
		"huge-dims.png":   pngHeader(100000, 100000),
		"pdf-renamed.jpg": sniffPDF("", ""),
		"html-as.pdf":     []byte("<!DOCTYPE html>\n<html><head><title>Session expired</title></head><body><p>Please sign in again to download this document.</p></body></html>\n"),
		"zip-as.jpg":      hostileZIP(t),
		"truncated.pdf":   sniffPDF("", "")[:300],
		"encrypted.pdf":   sniffPDF("", "/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ", "<< /Filter /Standard /V 1 /R 2 /P -3904 /O <00> /U <00> >>"),
		"heic-as.jpg":     append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 32)...),
		"huge-dims.jpg":   withJPEGSize(t, jpg, 60000, 60000),

		// Issue "Close the loopholes", item 10: active PDF content out of plain sight.
		"js-objstm.pdf": pdf15(t, "/Type /ObjStm",
			[]string{"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", "<< /S /Java#53cript /J#53 (void 0) >>"}),
		"uri-openaction.pdf": sniffPDF("/OpenAction << /S /URI /URI (https://example.invalid/opened) >> ", ""),
		"xfa-submit.pdf": sniffPDF("/AcroForm << /Fields [4 0 R] /XFA 5 0 R >> ", "",
			"<< /FT /Btn /T (send) /Rect [0 0 10 10] /Subtype /Widget /A << /S /SubmitForm /F << /FS /URL /F (https://example.invalid/form) >> >> >>",
			"<< /Length 0 >>\nstream\n\nendstream"),
		"gotor-unc.pdf":     sniffPDF(`/OpenAction << /S /GoToR /F (\\\\fieldprint-test.invalid\\share\\x.pdf) /D [0 /Fit] >> `, ""),
		"aa.pdf":            sniffPDFPage("/AA << /O << /S /URI /URI (https://example.invalid/page) >> >> ", "", ""),
		"richmedia.pdf":     sniffPDFPage("/Annots [4 0 R] ", "", "", "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] /RichMediaContent << /Assets << /Names [] >> >> >>"),
		"zip-after-eof.pdf": append(sniffPDF("", ""), hostileZIP(t)...),
		"bomb-objstm.pdf":   pdf15(t, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R >>" + strings.Repeat(" ", 2<<20), "<< /Type /Pages /Kids [] /Count 0 >>"}),
		// Images must end where their format says.
		"pdf-after-eoi.jpg":     append(slices.Clone(jpg), jsPDF...),
		"mpf-not-image.jpg":     withMPF(jpg, jsPDF),
		"elf-after-iend.png":    append(slices.Clone(pngData), elf...),
		"script-after-iend.png": append(slices.Clone(pngData), "<script>void 0</script>\n#!/bin/sh\n: inert\n"...),
		// Item 13: small files whose pictures take hundreds of MB to decode.
		"16bit-huge.png":       png16Header(t),
		"progressive-cmyk.jpg": progressiveCMYKHeader(7000, 7000),
	}
}

// hostileWhy is part of the refusal message each corpus file must get.
var hostileWhy = map[string]string{
	"zero.pdf":              "is empty",
	"exe-as.pdf":            "a program",
	"text-as.png":           "plain text",
	"truncated.jpg":         "damaged or incomplete",
	"huge-dims.png":         "100000 x 100000 pixels",
	"huge-dims.jpg":         "60000 x 60000 pixels",
	"pdf-renamed.jpg":       "is really a PDF",
	"html-as.pdf":           "a web page",
	"zip-as.jpg":            "ZIP archive",
	"truncated.pdf":         "damaged or incomplete",
	"encrypted.pdf":         "is encrypted",
	"heic-as.jpg":           "HEIC/HEIF",
	"js-objstm.pdf":         "(JavaScript inside a compressed object stream)",
	"uri-openaction.pdf":    "(an action that runs when it is opened)",
	"xfa-submit.pdf":        "a form that sends or loads data, an XFA form",
	"gotor-unc.pdf":         "a link that opens another file, a link to a file on another computer",
	"aa.pdf":                "(actions that run by themselves)",
	"richmedia.pdf":         "(embedded video, sound, 3D or Flash)",
	"zip-after-eof.pdf":     "bytes of other data after the end of the PDF (another file hidden in it?)",
	"bomb-objstm.pdf":       "expand to more than",
	"pdf-after-eoi.jpg":     "bytes of other data after the end of the image (another file hidden in it?)",
	"mpf-not-image.jpg":     "bytes of other data after the end of the image",
	"elf-after-iend.png":    "has 64 bytes of other data after the end of the image",
	"script-after-iend.png": "bytes of other data after the end of the image",
	"16bit-huge.png":        "12000 x 4166 pixels",
	"progressive-cmyk.jpg":  "7000 x 7000 pixels",
}

// hostileZIP is a stored ZIP shaped like a .docx.
func hostileZIP(t testing.TB) []byte {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "<?xml version=\"1.0\"?><!-- %s -->\n", name)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return zipped.Bytes()
}

func zlibBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdf15 builds a PDF 1.5 file the way current writers do: objs (numbered
// from 1; the first is the catalog) compressed in one object stream whose
// dictionary starts with stmDict, and a cross-reference stream with
// PNG-predicted rows instead of an xref table and trailer. top are
// uncompressed objects written before the stream, numbered after objs.
func pdf15(t testing.TB, stmDict string, objs []string, top ...string) []byte {
	var hdr, body bytes.Buffer
	for i, o := range objs {
		fmt.Fprintf(&hdr, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
	}
	stmData := zlibBytes(t, append(hdr.Bytes(), body.Bytes()...))
	n := len(objs)
	stm, xref := n+len(top)+1, n+len(top)+2
	offsets := make([]int, xref+1)
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	for i, o := range top {
		offsets[n+1+i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n+1+i, o)
	}
	offsets[stm] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< %s /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n", stm, stmDict, n, hdr.Len(), len(stmData))
	b.Write(stmData)
	b.WriteString("\nendstream\nendobj\n")
	offsets[xref] = b.Len()
	// Rows of 1+4+2 bytes (type, offset or stream, generation or index),
	// each after a PNG "Up" filter byte, as Acrobat writes them.
	const cols = 7
	var rows []byte
	prev := make([]byte, cols)
	for num := 0; num <= xref; num++ {
		row := make([]byte, cols)
		switch {
		case num == 0:
			binary.BigEndian.PutUint16(row[5:], 0xffff)
		case num <= n:
			row[0] = 2
			binary.BigEndian.PutUint32(row[1:], uint32(stm))
			binary.BigEndian.PutUint16(row[5:], uint16(num-1))
		default:
			row[0] = 1
			binary.BigEndian.PutUint32(row[1:], uint32(offsets[num]))
		}
		rows = append(rows, 2)
		for i := range row {
			rows = append(rows, row[i]-prev[i])
		}
		prev = row
	}
	xrefData := zlibBytes(t, rows)
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Columns %d /Predictor 12 >> /Length %d >>\nstream\n",
		xref, xref+1, cols, len(xrefData))
	b.Write(xrefData)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offsets[xref])
	return b.Bytes()
}

// withMPF adds an APP2 Multi-Picture Format index to a baseline JPEG that
// declares secondaries as further images stored after its end, and appends them,
// as phones store depth maps and HDR gain maps.
func withMPF(primary []byte, secondaries ...[]byte) []byte {
	n := len(secondaries) + 1
	be := binary.BigEndian
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = be.AppendUint16(tiff, 3)
	tiff = append(be.AppendUint32(be.AppendUint16(be.AppendUint16(tiff, 0xb000), 7), 4), "0100"...)
	tiff = be.AppendUint32(be.AppendUint32(be.AppendUint16(be.AppendUint16(tiff, 0xb001), 4), 1), uint32(n))
	entriesAt := len(tiff) + 12 + 4
	tiff = be.AppendUint32(be.AppendUint32(be.AppendUint16(be.AppendUint16(tiff, 0xb002), 7), uint32(16*n)), uint32(entriesAt))
	tiff = be.AppendUint32(tiff, 0) // no next IFD
	seg := be.AppendUint16([]byte{0xff, 0xe2}, uint16(2+4+len(tiff)+16*n))
	seg = append(seg, "MPF\x00"...)
	const mpHeader = 2 + 2 + 2 + 4 // SOI, APP2 marker and length, "MPF\0"
	total := len(primary) + len(seg) + len(tiff) + 16*n
	tiff = be.AppendUint32(be.AppendUint32(be.AppendUint32(tiff, 0x20030000), uint32(total)), 0)
	tiff = be.AppendUint32(tiff, 0)
	at := total
	for _, s := range secondaries {
		tiff = be.AppendUint32(be.AppendUint32(be.AppendUint32(tiff, 0), uint32(len(s))), uint32(at-mpHeader))
		tiff = be.AppendUint32(tiff, 0)
		at += len(s)
	}
	out := append(append(append(slices.Clone(primary[:2]), seg...), tiff...), primary[2:]...)
	for _, s := range secondaries {
		out = append(out, s...)
	}
	return out
}

// png16 is the picture of issue item 13: 12000 x 4166 pixels of 16-bit RGBA,
// all zero, in 0.4 MB. Decoding it makes a 400 MB image. The deflate stream
// is one compressed block of rows repeated (each ends on a byte boundary),
// because compressing 400 MB takes seconds, and a minute under -race.
func png16(t testing.TB) []byte {
	const w, h, rowsPerBlock = 12000, 4166, 8
	rowLen := 1 + w*8
	block := func(rows int) []byte {
		var b bytes.Buffer
		fw, err := flate.NewWriter(&b, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(make([]byte, rows*rowLen))
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	full := block(rowsPerBlock)
	z := []byte{0x78, 0xda}
	for range h / rowsPerBlock {
		z = append(z, full...)
	}
	z = append(z, block(h%rowsPerBlock)...)
	z = append(z, 0x03, 0x00) // a final, empty, fixed-Huffman block
	// The Adler-32 of n zero bytes is (n mod 65521)<<16 | 1.
	z = binary.BigEndian.AppendUint32(z, uint32((h*rowLen)%65521)<<16|1)
	return withPNGChunk(withPNGChunk(pngHeaderOf(w, h, 16, 6, 0), "IDAT", z), "IEND", nil)
}

// png16Header is png16 cut to its first few kB, ended by IEND: small enough
// for the corpus, and enough for png.Decode to allocate the 400 MB picture.
func png16Header(t testing.TB) []byte {
	full := png16(t)
	idat := bytes.Index(full, []byte("IDAT"))
	return withPNGChunk(withPNGChunk(pngHeaderOf(12000, 4166, 16, 6, 0), "IDAT", full[idat+4:idat+4+4096]), "IEND", nil)
}

// progressiveCMYKHeader is the start of a progressive Adobe CMYK JPEG of
// w x h: the headers, the first (DC) scan and a few bytes of its data. Go's
// decoder allocates 4 planes plus 4 bytes a sample of coefficients, 24 bytes
// a pixel, before it reads the scan.
func progressiveCMYKHeader(w, h uint16) []byte {
	be := binary.BigEndian
	b := []byte{0xff, 0xd8}
	b = append(b, 0xff, 0xee, 0x00, 0x0e)
	b = append(b, "Adobe\x00\x64\x00\x00\x00\x00\x00"...) // transform 0: CMYK
	b = append(b, 0xff, 0xc2, 0x00, 0x14, 8)
	b = be.AppendUint16(be.AppendUint16(b, h), w)
	b = append(b, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0)
	b = append(b, 0xff, 0xdb, 0x00, 0x43, 0x00)
	b = append(b, bytes.Repeat([]byte{1}, 64)...)
	b = append(b, 0xff, 0xc4, 0x00, 0x14, 0x00, 1)
	b = append(b, make([]byte, 15)...)
	b = append(b, 0)
	b = append(b, 0xff, 0xda, 0x00, 0x0e, 4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 0, 0)
	b = append(b, make([]byte, 32)...)
	return append(b, 0xff, 0xd9)
}

func wantRefused(t *testing.T, name string, err error, want ...string) {
	t.Helper()
	if ErrorCode(err) != EINVALID {
		t.Fatalf("SniffFile(%q) = %v, want an EINVALID refusal", name, err)
	}
	msg := ErrorMessage(err)
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !strings.Contains(msg, base) {
		t.Errorf("message %q does not name %q", msg, base)
	}
	if base != name && strings.Contains(msg, name) {
		t.Errorf("message %q shows the full path %q", msg, name)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

func TestSniffFileAccepts(t *testing.T) {
	pngData, jpg, pdf := sniffPNG(t, 3, 2), sniffJPEG(t, 40, 30), sniffPDF("", "")
	pngInfo := FileInfo{TypePNG, int64(len(pngData)), 3, 2}
	jpgInfo := FileInfo{TypeJPEG, int64(len(jpg)), 40, 30}
	pdfInfo := FileInfo{Type: TypePDF, Size: int64(len(pdf))}
	tests := []struct {
		name string
		data []byte
		want FileInfo // Size is checked against data
	}{
		{"tiny.png", pngData, pngInfo},
		{"tiny.jpg", jpg, jpgInfo},
		{"notice.pdf", pdf, pdfInfo},
		{"scan", jpg, jpgInfo},
		{"PASSPORT.JPG", jpg, jpgInfo},
		{"photo.JPEG", jpg, jpgInfo},
		{"photo.jpe", jpg, jpgInfo},
		{"Scan.PNG", pngData, pngInfo},
		{"notice.tif", pdf, pdfInfo}, // other extensions: content decides
		{`C:\Users\clerk\Desktop\notice.pdf`, pdf, pdfInfo},
		{"", pngData, pngInfo},
		{"wide.png", sniffPNG(t, maxImageSide, 1), FileInfo{Type: TypePNG, Width: maxImageSide, Height: 1}},
		// Writers may append a little after %%EOF.
		{"updated.pdf", append(slices.Clone(pdf), strings.Repeat(" ", 1000)...), pdfInfo},
		// gofpdf (used for the demo notices) writes an empty embedded-file index into every PDF.
		{"gofpdf.pdf", sniffPDF("/Names <<\n/EmbeddedFiles << /Names [\n  \n] >>\n>> ", ""), pdfInfo},
		{"gofpdf-tight.pdf", sniffPDF("/Names<</EmbeddedFiles<</Names[]>>>>", ""), pdfInfo},
		// Names that merely start like the refused ones are not refused.
		{"fonts.pdf", sniffPDF("/JSFont /F1 /EncryptedLooking /Launcher /EFX true ", ""), pdfInfo},
		// What scanners and gofpdf write, compressed or not; a PDF 1.5 with an
		// xref stream and an object stream holding harmless objects.
		{"gofpdf-plain.pdf", gofpdfScan(t, false), FileInfo{Type: TypePDF}},
		{"gofpdf-compressed.pdf", gofpdfScan(t, true), FileInfo{Type: TypePDF}},
		{"pdf15.pdf", pdf15(t, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] /Outlines 4 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://www.uscis.gov/) >> >>] >>",
			"<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
			"<< /Title (Page 1 \\(front\\)) /Parent 4 0 R /Dest [3 0 R /XYZ 0 792 0] >>"},
			"<< /Length 20 >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream"), FileInfo{Type: TypePDF}},
		// Stream data is not PDF syntax: names inside an image are not looked at.
		{"binary.pdf", sniffPDF("", "", "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode /Length 20 >>\nstream\n/JS (1) /Launch /EF \nendstream"), pdfInfo},
		{"opens-at-page.pdf", sniffPDF("/OpenAction 4 0 R ", "", "<< /S /GoTo /D [3 0 R /Fit] >>"), pdfInfo},
		{"opens-at-name.pdf", sniffPDF("/OpenAction (chapter1) ", ""), pdfInfo},
		// Images: a little padding after the end, an MPF secondary image (a gain map).
		{"padded.jpg", append(slices.Clone(jpg), make([]byte, 16)...), jpgInfo},
		{"mpf.jpg", withMPF(jpg, sniffJPEG(t, 20, 15)), jpgInfo},
		{"deep.png", png16Small(t), FileInfo{Type: TypePNG, Width: 100, Height: 80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SniffFile(tt.name, tt.data, MaxAttachmentBytes)
			if err != nil {
				t.Fatalf("SniffFile refused: %v (%v)", err, errors.Unwrap(err))
			}
			tt.want.Size = int64(len(tt.data))
			if got != tt.want {
				t.Errorf("SniffFile = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSniffFileAcceptsWritten(t *testing.T) {
	entries, err := os.ReadDir("testdata/accepted")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata/accepted", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := SniffFile(e.Name(), data, MaxAttachmentBytes); err != nil {
			t.Errorf("SniffFile refused: %v (%v)", err, errors.Unwrap(err))
		}
	}
}

func TestSniffFileRefuses(t *testing.T) {
	jpg, pngData := sniffJPEG(t, 64, 48), sniffPNG(t, 16, 16)
	pdf := sniffPDF("", "")
	corruptPNG := slices.Clone(pngData)
	corruptPNG[bytes.Index(pngData, []byte("IDAT"))+6] ^= 0xff
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 56)...)
	tests := []struct {
		name string
		data []byte
		max  int64
		want []string
	}{
		{"scan.jpg", nil, 0, []string{"scan.jpg is empty (0 bytes): scan the page again"}},
		{"big.pdf", append(slices.Clone(pdf), make([]byte, 1<<20)...), 1 << 20, []string{"over the 1 MB limit", "1.1 MB", "lower resolution", "JPEG"}},
		{`C:\Users\clerk\Downloads\scan.jpg`, []byte{}, 0, []string{"scan.jpg is empty"}},
		{"/home/clerk/scan.jpg", []byte{}, 0, []string{"scan.jpg is empty"}},

		// Unknown content: say what it looks like and list what is accepted.
		{"form.docx", hostileFiles(t)["zip-as.jpg"], 0, []string{"ZIP archive or a Word", "PDF, JPEG or PNG", "save it as PDF"}},
		{"form.doc", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 100)...), 0, []string{"older Word"}},
		{"letter.rtf", []byte(`{\rtf1\ansi Hello}`), 0, []string{"RTF"}},
		{"anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 0, []string{"GIF image", "JPEG or PNG"}},
		{"IMG_0001.HEIC", hostileFiles(t)["heic-as.jpg"], 0, []string{"HEIC/HEIF", "iPhone", "export it as JPEG"}},
		{"photo.avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00"), 0, []string{"AVIF"}},
		{"clip.mov", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"), 0, []string{"video"}},
		{"photo.webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), 0, []string{"WebP"}},
		{"scan.tif", []byte("II*\x00\x08\x00\x00\x00"), 0, []string{"TIFF", "scanner"}},
		{"scan.tiff", []byte("MM\x00*\x00\x00\x00\x08"), 0, []string{"TIFF"}},
		{"scan.bmp", append([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"), make([]byte, 40)...), 0, []string{"BMP"}},
		{"notes.txt", []byte("Called applicant, will bring passport Tuesday.\n"), 0, []string{"plain text", "print it to PDF"}},
		{"notes-utf16.txt", []byte("\xff\xfeH\x00i\x00"), 0, []string{"plain text"}},
		{"résumé.txt", []byte(strings.Repeat("é", 300)), 0, []string{"plain text"}}, // 512-byte cut inside a character
		{"page.html", []byte("\ufeff  <html><body>hi</body></html>"), 0, []string{"web page"}},
		{"tool", elf, 0, []string{"a program", "do not open it"}},
		{"setup.exe", hostileFiles(t)["exe-as.pdf"], 0, []string{"a program"}},
		{"run.sh", []byte("#!/bin/sh\nrm -rf /\n"), 0, []string{"a program"}},
		{"scans.gz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), 0, []string{"compressed archive"}},
		{"scans.7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), 0, []string{"compressed archive"}},
		{"mail.pdf", append([]byte("X-Attachment-Id: f_1\r\n\r\n\x00"), pdf...), 0, []string{"PDF with extra data in front"}},
		{"noise.bin", []byte{0x00, 0x01, 0x02, 0x03, 0xfe}, 0, []string{"not a PDF, JPEG or PNG", "not recognised"}},

		// Extension claims another accepted type.
		{"passport.jpg", pdf, 0, []string{"passport.jpg is really a PDF: rename it passport.pdf and attach it again"}},
		{"passport.JPEG", pngData, 0, []string{"is really a PNG image: rename it passport.png"}},
		{"notice.png", jpg, 0, []string{"is really a JPEG image: rename it notice.jpg"}},
		{"notice.pdf", jpg, 0, []string{"notice.pdf is really a JPEG image"}},
		{"x.Jpe", pngData, 0, []string{"rename it x.png"}},

		// Images: declared size first, then a full decode.
		{"zero.jpg", withJPEGSize(t, jpg, 0, 48), 0, []string{"0 x 48 pixels, which is empty"}},
		{"zero-h.jpg", withJPEGSize(t, jpg, 64, 0), 0, []string{"64 x 0 pixels"}},
		{"zero.png", pngHeader(0, 10), 0, []string{"damaged or incomplete"}},
		{"huge.png", pngHeader(100000, 100000), 0, []string{"100000 x 100000 pixels", "12000 pixels a side", "50 megapixels"}},
		{"tall.png", pngHeader(1, maxImageSide+1), 0, []string{"1 x 12001 pixels"}},
		{"many.png", pngHeader(7072, 7072), 0, []string{"7072 x 7072 pixels"}}, // 50.01 megapixels, both sides allowed
		{"huge.jpg", withJPEGSize(t, jpg, 60000, 60000), 0, []string{"60000 x 60000 pixels"}},
		{"cut.jpg", jpg[:len(jpg)/2], 0, []string{"cut.jpg is damaged or incomplete: "}},
		{"cut.png", pngData[:len(pngData)-20], 0, []string{"cut.png is damaged or incomplete: "}},
		{"flipped.png", corruptPNG, 0, []string{"damaged or incomplete"}},
		{"header-only.jpg", []byte("\xff\xd8\xff"), 0, []string{"damaged or incomplete"}},
		{"progressive-arith.jpg", []byte("\xff\xd8\xff\xc9\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00"), 0, []string{"unusual image variant"}},

		// PDFs.
		{"cut.pdf", pdf[:len(pdf)-20], 0, []string{"cut.pdf is damaged or incomplete", "end of the PDF is missing"}},
		{"tail.pdf", append(slices.Clone(pdf), make([]byte, 1100)...), 0, []string{"incomplete"}},
		{"locked.pdf", hostileFiles(t)["encrypted.pdf"], 0, []string{"locked.pdf is encrypted", "print it to a new PDF", "scan the paper"}},
		{"js.pdf", sniffPDF("/OpenAction 4 0 R ", "", "<< /S /JavaScript /JS (void 0) >>"), 0, []string{"active content (JavaScript)", "print it to a new PDF"}},
		{"js-only.pdf", sniffPDF("/OpenAction << /S/JS(1) >> ", ""), 0, []string{"(JavaScript)"}},
		{"escaped.pdf", sniffPDF("/OpenAction << /S /J#61vaScript /J#53 (1) >> ", ""), 0, []string{"(JavaScript)"}},
		{"launch.pdf", sniffPDF("/OpenAction << /S /Launch /F (cmd.exe) >> ", ""), 0, []string{"an action that starts a program"}},
		{"attach.pdf", sniffPDF("/Names << /EmbeddedFiles 4 0 R >> ", "", "<< /Names [(a.exe) << /EF << /F 5 0 R >> >>] >>", "<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream"), 0, []string{"(embedded files)"}},
		{"filespec.pdf", sniffPDF("/AF [<< /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >>] ", "", "<< /Length 0 >>\nstream\n\nendstream"), 0, []string{"(embedded files)"}},
		{"stream.pdf", sniffPDF("", "", "<< /Type/EmbeddedFile /Length 0 >>\nstream\n\nendstream"), 0, []string{"(embedded files)"}},
		{"tree.pdf", sniffPDF("/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ", ""), 0, []string{"(embedded files)"}},
		{"tree-ref.pdf", sniffPDF("/Names << /EmbeddedFiles 4 0 R >> ", "", "<< /Names [] >>"), 0, []string{"(embedded files)"}},
		{"all.pdf", sniffPDF("/AA << /O << /S /Launch >> /C << /S /JavaScript /JS (1) >> >> /EmbeddedFiles 1 0 R ", ""), 0, []string{"(JavaScript, an action that starts a program, embedded files, actions that run by themselves)"}},

		// Active content out of plain sight (issue "Close the loopholes", item 10).
		{"objstm.pdf", pdf15(t, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", "<< /S /JavaScript /JS (1) >>"}),
			0, []string{"objstm.pdf contains active content (JavaScript inside a compressed object stream)", "print it to a new PDF", "scan the paper"}},
		{"objstm-hex.pdf", pdf15(t, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R /Names << /J#61v#61Script 3 0 R >> >>", "<< /Type /Pages /Kids [] /Count 0 >>", "<< /Names [(a) << /S /Java#53cript /J#53 (1) >>] >>"}),
			0, []string{"(JavaScript inside a compressed object stream)"}},
		// A viewer reads any stream with /N and /First as an object stream when the xref says so.
		{"objstm-untyped.pdf", pdf15(t, "/Type /XObject", []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", "<< /S /JavaScript /JS (1) >>"}),
			0, []string{"(JavaScript inside a compressed object stream)"}},
		{"both.pdf", pdf15(t, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", "<< /S /JavaScript /JS 4 0 R >>"}, "<< /S /Launch /F (x) >>"),
			0, []string{"(JavaScript inside a compressed object stream, an action that starts a program)"}},
		{"objstm-ascii85.pdf", pdf15(t, "/Type /ObjStm /Filter /ASCII85Decode", []string{"<< /Type /Catalog >>"}), 0, []string{"cannot be checked", "print it to a new PDF"}},
		{"uri.pdf", hostileFiles(t)["uri-openaction.pdf"], 0, []string{"uri.pdf contains active content (an action that runs when it is opened)"}},
		{"uri-ref.pdf", sniffPDF("/OpenAction 4 0 R ", "", "<< /S /URI /URI (https://example.invalid/) >>"), 0, []string{"(an action that runs when it is opened)"}},
		{"uri-next.pdf", sniffPDF("/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [4 0 R] >> ", "", "<< /S /GoTo /D [3 0 R /Fit] /Next << /S /URI /URI (https://example.invalid/) >> >>"), 0, []string{"(an action that runs when it is opened)"}},
		{"print.pdf", sniffPDF("/OpenAction << /S /Named /N /Print >> ", ""), 0, []string{"(an action that runs when it is opened)"}},
		{"xfa.pdf", hostileFiles(t)["xfa-submit.pdf"], 0, []string{"(a form that sends or loads data, an XFA form)"}},
		{"unc.pdf", hostileFiles(t)["gotor-unc.pdf"], 0, []string{"(a link that opens another file, a link to a file on another computer)"}},
		{"unc-link.pdf", sniffPDF("", "", `<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI <5c5c7365727665725c73686172655c78> >> >>`), 0, []string{"(a link to a file on another computer)"}},
		{"file-link.pdf", sniffPDF("", "", `<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (FILE:///C:/x.exe) >> >>`), 0, []string{"(a link to a file on another computer)"}},
		{"js-link.pdf", sniffPDFPage("/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI ( JavaScript:void\\(0\\)) >> >>] ", "", ""), 0, []string{"(JavaScript)"}},
		{"aa.pdf", hostileFiles(t)["aa.pdf"], 0, []string{"(actions that run by themselves)"}},
		{"media.pdf", hostileFiles(t)["richmedia.pdf"], 0, []string{"(embedded video, sound, 3D or Flash)"}},
		{"zip.pdf", hostileFiles(t)["zip-after-eof.pdf"], 0, []string{"zip.pdf has 412 bytes of other data after the end of the PDF (another file hidden in it?)", "print it to a new PDF"}},
		{"cut-update.pdf", append(slices.Clone(pdf), "4 0 obj\n<< /Type /Annot"...), 0, []string{"damaged or incomplete"}},
		{"bomb.pdf", hostileFiles(t)["bomb-objstm.pdf"], 0, []string{"bomb.pdf cannot be checked: its compressed parts expand to more than 1 MB", "print it to a new PDF"}},
		{"junk.pdf", sniffPDF("", "", "<< >>\nendobj\n\x00\x01\x02 garbage\n5 0 obj\n<< >>"), 0, []string{"junk.pdf cannot be checked: its structure is damaged or unusual"}},
		// An object hidden in an image, for viewers that rebuild a broken xref by searching for "N 0 obj".
		{"hidden.pdf", sniffPDF("", "", "<< /Length 44 >>\nstream\n\n9 0 obj << /S /JavaScript /JS (1) >> endobj\nendstream"), 0, []string{"cannot be checked"}},
		// A stream whose /Length reaches past "endstream" hides what follows from a parser that trusts it.
		{"long.pdf", sniffPDF("", "", "<< /Length 60 >>\nstream\nxx\nendstream\nendobj\n5 0 obj\n<< /S /JavaScript /JS (1) >>\nendobj\n\nendstream"), 0, []string{"(JavaScript)"}},
		{"deep.pdf", sniffPDF("", "", strings.Repeat("[", 1000)+strings.Repeat("]", 1000)), 0, []string{"cannot be checked"}},

		// Images end where their format says.
		{"pdf.jpg", hostileFiles(t)["pdf-after-eoi.jpg"], 0, []string{"pdf.jpg has 422 bytes of other data after the end of the image (another file hidden in it?)", "save it again"}},
		{"newline.jpg", append(slices.Clone(jpg), '\r', '\n'), 0, []string{"has 2 bytes of other data"}},
		{"long-padding.jpg", append(slices.Clone(jpg), make([]byte, 65<<10)...), 0, []string{"has 66560 bytes of other data"}},
		{"second.jpg", append(slices.Clone(jpg), jpg...), 0, []string{"bytes of other data after the end of the image"}},
		{"mpf-pdf.jpg", hostileFiles(t)["mpf-not-image.jpg"], 0, []string{"bytes of other data after the end of the image"}},
		{"mpf-extra.jpg", append(withMPF(jpg, jpg), "PK\x05\x06"...), 0, []string{"bytes of other data after the end of the image"}},
		{"elf.png", hostileFiles(t)["elf-after-iend.png"], 0, []string{"elf.png has 64 bytes of other data after the end of the image"}},
		{"zero-after.png", append(slices.Clone(pngData), 0), 0, []string{"has 1 bytes of other data"}},
		{"script.png", hostileFiles(t)["script-after-iend.png"], 0, []string{"other data after the end of the image"}},

		// Memory is budgeted by decoded bytes, not pixels (item 13).
		{"deep.png", png16Header(t), 0, []string{"deep.png declares a picture of 12000 x 4166 pixels (16 bits per channel) that needs 381.5 MB of memory to check, over the 256 MB limit", "lower resolution", "JPEG"}},
		{"interlaced.png", pngHeaderOf(7000, 7000, 8, 6, 1), 0, []string{"7000 x 7000 pixels (interlaced)"}},
		{"cmyk.jpg", progressiveCMYKHeader(7000, 7000), 0, []string{"7000 x 7000 pixels (progressive CMYK) that needs 1121.6 MB", "lower resolution"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := SniffFile(tt.name, tt.data, tt.max)
			if info != (FileInfo{}) {
				t.Errorf("refusal returned info %+v", info)
			}
			wantRefused(t, tt.name, err, tt.want...)
		})
	}
}

func TestSniffFileSizeLimit(t *testing.T) {
	// Built in memory: the limit is MaxAttachmentBytes, too big to commit.
	data := make([]byte, MaxAttachmentBytes+1)
	copy(data, "%PDF-1.4\n")
	copy(data[len(data)-6:], "%%EOF\n")
	_, err := SniffFile("scan.pdf", data, MaxAttachmentBytes)
	wantRefused(t, "scan.pdf", err, "scan.pdf is 20.1 MB, over the 20 MB limit", "lower resolution", "JPEG")
	_, err = SniffFile("scan.pdf", data, 0) // 0 means the default
	wantRefused(t, "scan.pdf", err, "20 MB limit")

	data = data[1:] // exactly at the limit
	copy(data, "%PDF-1.4\n")
	if info, err := SniffFile("scan.pdf", data, MaxAttachmentBytes); err != nil || info.Size != MaxAttachmentBytes {
		t.Errorf("file at the limit: %+v, %v", info, err)
	}
}

// countingReader is an endless file that counts what was read from it.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += int64(len(p))
	return len(p), nil
}

func TestReadLimited(t *testing.T) {
	r := &countingReader{}
	data, err := ReadLimited(`D:\scans\huge.pdf`, r, MaxAttachmentBytes)
	wantRefused(t, "huge.pdf", err, "huge.pdf is over the 20 MB limit", "lower resolution")
	if r.n > MaxAttachmentBytes+1 || int64(len(data)) != MaxAttachmentBytes+1 {
		t.Errorf("read %d bytes, returned %d; want at most the limit + 1", r.n, len(data))
	}

	small := sniffPDF("", "")
	data, err = ReadLimited("a.pdf", bytes.NewReader(small), int64(len(small)))
	if err != nil || !bytes.Equal(data, small) {
		t.Errorf("file at the limit: %d bytes, %v", len(data), err)
	}

	_, err = ReadLimited("/mnt/usb/a.pdf", io.MultiReader(bytes.NewReader(small), iotest.ErrReader(errors.New("device removed"))), 0)
	if ErrorCode(err) != EINTERNAL || !strings.Contains(ErrorMessage(err), "a.pdf could not be read") || strings.Contains(ErrorMessage(err), "/mnt") {
		t.Errorf("read error: %v", err)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"scan.jpg":                "scan.jpg",
		`C:\Users\clerk\scan.jpg`: "scan.jpg",
		"/home/clerk/scan.jpg":    "scan.jpg",
		"  scan.jpg\n":            "scan.jpg",
		"scan\u202egpj.exe":       "scangpj.exe",
		"a\x00b\x1b[31m.pdf":      "ab[31m.pdf",
		"":                        "The file",
		"dir/":                    "The file",
		"паспорт.pdf":             "паспорт.pdf",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSizeMB(t *testing.T) {
	for n, want := range map[int64]string{20 << 20: "20 MB", 20<<20 + 1: "20.1 MB", 1 << 19: "0.5 MB", 1: "0.1 MB", 25 << 20: "25 MB"} {
		if got := sizeMB(n); got != want {
			t.Errorf("sizeMB(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHostileCorpusUpToDate(t *testing.T) {
	want := hostileFiles(t)
	if *updateHostile {
		if err := os.MkdirAll(hostileDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range want {
			if err := os.WriteFile(filepath.Join(hostileDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		data, ok := want[e.Name()]
		if !ok {
			t.Errorf("%s is not generated by hostileFiles: add it there or delete it", e.Name())
			continue
		}
		seen++
		got, err := os.ReadFile(filepath.Join(hostileDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from hostileFiles: run go test -run TestHostileCorpusUpToDate -update-hostile", e.Name())
		}
		if !strings.Contains(hostileReadme(t), "`"+e.Name()+"`") {
			t.Errorf("%s is not described in %s/README.md", e.Name(), hostileDir)
		}
	}
	if seen != len(want) {
		t.Errorf("%s holds %d of the %d generated files: run go test -run TestHostileCorpusUpToDate -update-hostile", hostileDir, seen, len(want))
	}
}

func hostileReadme(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(hostileDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHostileCorpusRefused(t *testing.T) {
	err := filepath.WalkDir(hostileDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(data) > 64<<10 {
			t.Errorf("%s is %d bytes: keep the corpus small", p, len(data))
		}
		_, serr := SniffFile(p, data, MaxAttachmentBytes)
		t.Logf("%s: %s", d.Name(), ErrorMessage(serr))
		why, ok := hostileWhy[d.Name()]
		if !ok {
			t.Errorf("%s has no expected refusal in hostileWhy", d.Name())
		}
		wantRefused(t, p, serr, d.Name(), why)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHugeDimensionsRefusedBeforeDecoding checks that a header declaring
// 10^10 pixels is refused from the header alone (decoding would need 40 GB),
// and that so is a picture whose decoded form exceeds the memory budget
// (maxDecodeBytes). TotalAlloc counts every byte allocated, so it bounds the
// peak from above; -v prints the figures.
func TestHugeDimensionsRefusedBeforeDecoding(t *testing.T) {
	for name, data := range map[string][]byte{
		"huge-dims.png": pngHeader(100000, 100000),
		"huge.jpg":      withJPEGSize(t, sniffJPEG(t, 64, 48), 60000, 60000),
		// Within each side limit but not the pixel limit, with an IDAT chunk so
		// that png.Decode would allocate the 576 MB picture before failing.
		"many.png": withPNGChunk(pngHeader(maxImageSide, maxImageSide), "IDAT", []byte("\x78\x01\x01\x00\x00\xff\xff")),
		// Within both limits, but 8 bytes a pixel (400 MB) for the whole 0.4 MB file
		// (issue item 13), and 24 bytes a pixel for a progressive CMYK JPEG.
		"16bit.png":            png16(t),
		"progressive-cmyk.jpg": progressiveCMYKHeader(7000, 7000),
	} {
		const runs = 20
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range runs {
			if _, err := SniffFile(name, data, MaxAttachmentBytes); ErrorCode(err) != EINVALID {
				t.Fatalf("%s: %v", name, err)
			}
		}
		runtime.ReadMemStats(&after)
		perRun := (after.TotalAlloc - before.TotalAlloc) / runs
		t.Logf("%s (%d bytes): %d bytes allocated per SniffFile", name, len(data), perRun)
		if perRun > 64<<10 {
			t.Errorf("%s: refusal allocated %d bytes per run, want next to nothing", name, perRun)
		}
		if allocs := testing.AllocsPerRun(runs, func() { SniffFile(name, data, MaxAttachmentBytes) }); allocs > 50 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
}
