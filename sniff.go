package fieldprint

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Accepted attachment types, recognised by content.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// MaxAttachmentBytes is the default size limit of one attached file.
const MaxAttachmentBytes = 20 << 20

// Image limits. A 300 dpi scan of a legal page is 2550x4200, so these leave
// room for any honest scan or phone photo. The decoder's memory is capped
// separately, by decoded bytes (maxDecodeBytes, sniff_image.go).
const (
	maxImageSide   = 12000
	maxImagePixels = 50_000_000
)

// FileInfo is what SniffFile learned about an accepted file.
type FileInfo struct {
	Type          string // one of the Type constants
	Size          int64
	Width, Height int // images only
}

// typeByExt is what a name's extension claims; other extensions claim nothing.
var typeByExt = map[string]string{
	".pdf": TypePDF, ".jpg": TypeJPEG, ".jpeg": TypeJPEG, ".jpe": TypeJPEG, ".png": TypePNG,
}

var typeNoun = map[string]string{TypePDF: "a PDF", TypeJPEG: "a JPEG image", TypePNG: "a PNG image"}
var typeExt = map[string]string{TypePDF: ".pdf", TypeJPEG: ".jpg", TypePNG: ".png"}

// SniffFile decides from data (the whole file) whether it may be attached.
// name is the file's name as the person chose it, used for messages and to
// catch a file whose extension claims another accepted type. maxBytes <= 0
// means MaxAttachmentBytes. Every refusal is an EINVALID *Error.
//
// A PDF's objects are parsed, compressed object streams included, and it is
// refused if encrypted, if it carries active content or if it cannot be
// parsed within budget (checkPDF, sniff_pdf.go). An image is refused if
// decoding it would take more than maxDecodeBytes, if anything but padding
// follows its end, or if it does not decode (checkImage, sniff_image.go).
func SniffFile(name string, data []byte, maxBytes int64) (FileInfo, error) {
	base := displayName(name)
	if maxBytes <= 0 {
		maxBytes = MaxAttachmentBytes
	}
	info := FileInfo{Size: int64(len(data))}
	if info.Size == 0 {
		return FileInfo{}, refuseFile(nil, "%s is empty (0 bytes): scan the page again or choose another file", base)
	} else if info.Size > maxBytes {
		return FileInfo{}, refuseFile(nil, "%s is %s, over the %s limit for one file: %s", base, sizeMB(info.Size), sizeMB(maxBytes), shrinkAdvice)
	}

	var err error
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		info.Type, err = TypePDF, checkPDF(base, data)
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		info.Type = TypeJPEG
		info.Width, info.Height, err = checkImage(base, data, true)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		info.Type = TypePNG
		info.Width, info.Height, err = checkImage(base, data, false)
	default:
		if what, advice := describeContent(data); what != "" {
			return FileInfo{}, refuseFile(nil, "%s is %s, not a PDF, JPEG or PNG file (the only kinds that can be attached): %s", base, what, advice)
		}
		return FileInfo{}, refuseFile(nil, "%s is not a PDF, JPEG or PNG file (the only kinds that can be attached) and its kind is not recognised: scan the page again as PDF or JPEG", base)
	}
	if err != nil {
		return FileInfo{}, err
	}

	// Content is checked first so a damaged file is reported once, not after a rename.
	// The name matters because the system viewer opens files by extension.
	ext := path.Ext(base)
	if claimed := typeByExt[strings.ToLower(ext)]; claimed != "" && claimed != info.Type {
		return FileInfo{}, refuseFile(nil, "%s is really %s: rename it %s and attach it again", base, typeNoun[info.Type], strings.TrimSuffix(base, ext)+typeExt[info.Type])
	}
	return info, nil
}

// ReadLimited reads at most maxBytes+1 from r so an over-size file is refused
// without reading it all. maxBytes <= 0 means MaxAttachmentBytes.
func ReadLimited(name string, r io.Reader, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = MaxAttachmentBytes
	}
	n := maxBytes
	if n < math.MaxInt64 {
		n++
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, Internal(fmt.Sprintf("%s could not be read: check that it is still there and attach it again", displayName(name)), err)
	}
	if int64(len(data)) > maxBytes {
		return data, refuseFile(nil, "%s is over the %s limit for one file: %s", displayName(name), sizeMB(maxBytes), shrinkAdvice)
	}
	return data, nil
}

const shrinkAdvice = "scan it again at a lower resolution (200 to 300 dpi) or as JPEG"

// refuseFile builds the EINVALID error; cause is kept for the log, never shown.
func refuseFile(cause error, format string, args ...any) *Error {
	e := Errorf(EINVALID, format, args...)
	e.Err = cause
	return e
}

// displayName is the base name to show. Names may come from Windows, so both
// separators count; control and bidi characters are dropped so a name cannot
// garble the message or disguise its extension ("scan\u202egpj.exe").
func displayName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name))
	if name == "" {
		return "The file"
	}
	return name
}

// sizeMB rounds up to 0.1 MB so a file just over the limit never reads as equal to it.
func sizeMB(n int64) string {
	s := fmt.Sprintf("%.1f", math.Ceil(float64(n)*10/(1<<20))/10)
	return strings.TrimSuffix(s, ".0") + " MB"
}

func damagedImage(base string, err error) *Error {
	var ju jpeg.UnsupportedError
	var pu png.UnsupportedError
	if errors.As(err, &ju) || errors.As(err, &pu) {
		return refuseFile(err, "%s uses an unusual image variant that cannot be shown: open it and save it again as a standard JPEG or PNG", base)
	}
	return refuseFile(err, "%s is damaged or incomplete: it cannot be read as an image. Copy or download it again, or scan the page again", base)
}

// describeContent names what a refused file looks like, when that is cheap to
// tell, with what to do instead. Strong signatures come before the text test,
// weak two-byte ones ("MZ", "BM") after it, since text can start with those.
func describeContent(data []byte) (what, advice string) {
	has := func(prefix string) bool { return bytes.HasPrefix(data, []byte(prefix)) }
	at := func(off int, s string) bool { return len(data) >= off+len(s) && string(data[off:off+len(s)]) == s }
	const (
		saveAsPDF   = "open it and save it as PDF (File > Save As), then attach the PDF"
		saveAsImage = "open it and save or export it as JPEG or PNG, then attach that"
		program     = "a program"
		programTodo = "do not open it; tell your supervisor, and ask for the document as PDF, JPEG or PNG"
	)
	switch {
	case has("PK\x03\x04"), has("PK\x05\x06"), has("PK\x07\x08"):
		return "a ZIP archive or a Word, Excel or PowerPoint document", "if it is a document, " + saveAsPDF + "; if it is a ZIP archive, extract the scans and attach them one by one"
	case has("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		return "an older Word, Excel or Outlook file", saveAsPDF
	case has(`{\rtf`):
		return "a Word (RTF) document", saveAsPDF
	case has("GIF87a"), has("GIF89a"):
		return "a GIF image", saveAsImage
	case has("RIFF") && at(8, "WEBP"):
		return "a WebP image", saveAsImage
	case at(4, "ftyp"):
		switch string(data[8:min(12, len(data))]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1":
			return "a HEIC/HEIF photo (the iPhone camera format)", "export it as JPEG and attach that (to avoid this, set the iPhone's Settings > Camera > Formats to Most Compatible)"
		case "avif", "avis":
			return "an AVIF image", saveAsImage
		}
		return "a video or other media file", "attach a scan or a photo of the page instead"
	case has("II*\x00"), has("MM\x00*"):
		return "a TIFF image", "set the scanner to PDF or JPEG and scan the page again, or open it and save it as PDF"
	case has("\x7fELF"), has("\xfe\xed\xfa\xce"), has("\xfe\xed\xfa\xcf"), has("\xce\xfa\xed\xfe"), has("\xcf\xfa\xed\xfe"), has("\xca\xfe\xba\xbe"), has("#!"):
		return program, programTodo
	case has("\x1f\x8b"), has("7z\xbc\xaf\x27\x1c"), has("Rar!\x1a\x07"):
		return "a compressed archive", "extract it and attach the PDF, JPEG or PNG files inside one by one"
	case bytes.Contains(data[:min(1024, len(data))], []byte("%PDF-")):
		return "a PDF with extra data in front of it", "open it, print it to a new PDF and attach that"
	case isHTML(data):
		return "a web page (HTML), often what a browser saves when a download fails", "download the document again, or print the page to PDF"
	case isText(data):
		return "plain text", "print it to PDF, or scan the paper"
	case has("MZ"):
		return program, programTodo
	case has("BM") && at(15, "\x00\x00\x00") && (data[14] == 12 || data[14] == 40 || data[14] >= 52 && data[14] <= 124):
		return "a BMP image", saveAsImage
	}
	return "", ""
}

func isHTML(data []byte) bool {
	head := bytes.ToLower(data[:min(1024, len(data))])
	rest := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(rest, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

// isText reports whether the first 512 bytes are UTF-8 (or UTF-16 with a BOM)
// without control characters other than layout ones.
func isText(data []byte) bool {
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return true
	}
	head := data[:min(512, len(data))]
	for i := 0; i < 3 && len(head) < len(data) && !utf8.Valid(head); i++ {
		head = head[:len(head)-1] // the cut may split a character
	}
	if !utf8.Valid(head) {
		return false
	}
	for _, c := range head {
		if c < ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}
