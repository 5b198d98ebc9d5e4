package fieldprint

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzSniffFile(f *testing.F) {
	for _, dir := range []string{hostileDir, "testdata/accepted"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && e.Name() != "README.md" {
				f.Add(e.Name(), data)
			}
		}
	}
	f.Add("tiny.png", sniffPNG(f, 3, 2))
	f.Add("scan", sniffJPEG(f, 17, 9))
	f.Add("notice.PDF", sniffPDF("", ""))
	f.Add(`C:\scans\js.pdf`, sniffPDF("/OpenAction << /S /J#61vaScript /JS (1) >> ", ""))
	f.Add("notes.txt", []byte("Passport to follow.\n"))
	// What must still be accepted: gofpdf's output, a PDF 1.5 with an object
	// stream and an xref stream, a JPEG with an MPF secondary image, a 16-bit PNG.
	f.Add("gofpdf.pdf", gofpdfScan(f, false))
	f.Add("gofpdf-z.pdf", gofpdfScan(f, true))
	f.Add("pdf15.pdf", pdf15(f, "/Type /ObjStm", []string{"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"}))
	f.Add("mpf.jpg", withMPF(sniffJPEG(f, 17, 9), sniffJPEG(f, 8, 8)))
	f.Add("deep.png", png16Small(f))

	f.Fuzz(func(t *testing.T, name string, data []byte) {
		info, err := SniffFile(name, data, MaxAttachmentBytes)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("refusal %v has code %q, want %q", err, ErrorCode(err), EINVALID)
			}
			if msg := ErrorMessage(err); msg == "" || !strings.Contains(msg, displayName(name)) {
				t.Fatalf("message %q does not name %q", msg, displayName(name))
			}
			if info != (FileInfo{}) {
				t.Fatalf("refusal returned %+v", info)
			}
			return
		}
		if info.Size != int64(len(data)) {
			t.Fatalf("Size = %d, want %d", info.Size, len(data))
		}
		switch info.Type {
		case TypePDF:
			if info.Width != 0 || info.Height != 0 {
				t.Fatalf("PDF with dimensions %+v", info)
			}
		case TypeJPEG, TypePNG:
			if info.Width <= 0 || info.Height <= 0 || info.Width > maxImageSide || info.Height > maxImageSide ||
				int64(info.Width)*int64(info.Height) > maxImagePixels {
				t.Fatalf("accepted image of %d x %d", info.Width, info.Height)
			}
		default:
			t.Fatalf("accepted unknown type %q", info.Type)
		}
		if claimed := typeByExt[strings.ToLower(path.Ext(displayName(name)))]; claimed != "" && claimed != info.Type {
			t.Fatalf("accepted %s named %q", info.Type, name)
		}
	})
}
