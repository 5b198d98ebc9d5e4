package fieldprint

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// phoneScan is a 4000x3000 JPEG with enough detail to be about the size a
// phone photo of a passport page is (a few MB).
func phoneScan(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			img.Y[y*img.YStride+x] = uint8((x*7 ^ y*13) + (x*y)%31)
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(i%97+80), uint8(i%89+90)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkSniffPhotoJPEG: the check every attached photo goes through,
// including the full decode that catches damaged files.
func BenchmarkSniffPhotoJPEG(b *testing.B) {
	data := phoneScan(b)
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data))/(1<<20), "MB/file")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := SniffFile("scan.jpg", data, MaxAttachmentBytes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSniffScanPDF: a scanned page as a PDF (the phone photo above as
// its image, gofpdf, compressed), so the parse walks an 8 MB stream. Nothing
// is decoded: the cost is the object parse and the scans of stream data.
func BenchmarkSniffScanPDF(b *testing.B) {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.AddPage()
	opts := gofpdf.ImageOptions{ImageType: "JPG"}
	pdf.RegisterImageOptionsReader("scan", opts, bytes.NewReader(phoneScan(b)))
	pdf.ImageOptions("scan", 0, 0, 612, 459, false, opts, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data))/(1<<20), "MB/file")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := SniffFile("scan.pdf", data, MaxAttachmentBytes); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMRZ(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := ParseMRZ(specimen, testToday); err != nil {
			b.Fatal(err)
		}
	}
}
