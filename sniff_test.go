package fieldprint

import (
	"archive/zip"
	"bytes"
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
	objs := append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + ">>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
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

// pngHeader is a PNG signature and an IHDR chunk (8-bit RGBA) with a correct
// CRC: all a decoder reads before it knows the picture's size.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	return withPNGChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", append(ihdr, 8, 6, 0, 0, 0))
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
		"zip-as.jpg":      zipped.Bytes(),
		"truncated.pdf":   sniffPDF("", "")[:300],
		"encrypted.pdf":   sniffPDF("", "/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ", "<< /Filter /Standard /V 1 /R 2 /P -3904 /O <00> /U <00> >>"),
		"heic-as.jpg":     append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 32)...),
		"huge-dims.jpg":   withJPEGSize(t, jpg, 60000, 60000),
	}
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
		{"fonts.pdf", sniffPDF("/JSFont /F1 /EncryptedLooking /Launcher /EFX ", ""), pdfInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SniffFile(tt.name, tt.data, MaxAttachmentBytes)
			if err != nil {
				t.Fatalf("SniffFile refused: %v", err)
			}
			tt.want.Size = int64(len(tt.data))
			if got != tt.want {
				t.Errorf("SniffFile = %+v, want %+v", got, tt.want)
			}
		})
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
		{"all.pdf", sniffPDF("/AA << /O << /S /Launch >> /C << /S /JavaScript /JS (1) >> >> /EmbeddedFiles 1 0 R ", ""), 0, []string{"(JavaScript, an action that starts a program, embedded files)"}},
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
		wantRefused(t, p, serr, d.Name())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHugeDimensionsRefusedBeforeDecoding checks that a header declaring
// 10^10 pixels is refused from the header alone: decoding would need 40 GB.
func TestHugeDimensionsRefusedBeforeDecoding(t *testing.T) {
	for name, data := range map[string][]byte{
		"huge-dims.png": pngHeader(100000, 100000),
		"huge.jpg":      withJPEGSize(t, sniffJPEG(t, 64, 48), 60000, 60000),
		// Within each side limit but not the pixel limit, with an IDAT chunk so
		// that png.Decode would allocate the 576 MB picture before failing.
		"many.png": withPNGChunk(pngHeader(maxImageSide, maxImageSide), "IDAT", []byte("\x78\x01\x01\x00\x00\xff\xff")),
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
		if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 64<<10 {
			t.Errorf("%s: refusal allocated %d bytes per run, want next to nothing", name, perRun)
		}
		if allocs := testing.AllocsPerRun(runs, func() { SniffFile(name, data, MaxAttachmentBytes) }); allocs > 50 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
}
