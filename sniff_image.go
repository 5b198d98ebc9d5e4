package fieldprint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
)

// maxDecodeBytes bounds the memory the standard decoders may allocate to check
// one image. It is counted in decoded bytes, not pixels: a 16-bit PNG takes 8
// bytes a pixel, a progressive CMYK JPEG about 24. 256 MB still takes an 8-bit
// 50-megapixel PNG (200 MB) and any baseline JPEG within the pixel limits.
const maxDecodeBytes = 256 << 20

// maxImagePadding is how much padding (bytes that are all 0x00 or all 0xFF)
// may follow the end of an image. Some cameras and scanner drivers fill their
// buffer up to a block size; a run of one byte value carries nothing, so up to
// 64 kB of it is accepted. Anything else after the end is refused: another
// file appended to a picture (a ZIP, a PDF, a program) is how polyglots are
// made. Samsung's trailers (a timestamp, a motion-photo video) are refused too;
// MPF secondary images (depth and HDR gain maps) are accepted only when the
// primary image's MPF index accounts for every byte and each one is itself a
// complete JPEG that decodes within the budget (see checkMPF).
const maxImagePadding = 64 << 10

var errImageStructure = errors.New("image: bad structure")

// jpegLayout is what walkJPEG learned from a JPEG's markers.
type jpegLayout struct {
	end           int  // offset just past the EOI marker
	sof           byte // the first frame marker (0xc0 baseline, 0xc2 progressive, …), 0 if none
	width, height int
	nComp         int
	hv            [4]byte // sampling factors of each component, h<<4 | v
	id            [4]byte // component identifiers
	jfif          bool    // an APP0 JFIF segment
	adobe         bool    // an APP14 Adobe segment, with its colour transform
	transform     byte
	mpf, mpfLen   int // the MP header (after "MPF\0") of the first APP2 MPF segment
}

// walkJPEG follows a JPEG's segments and entropy-coded data to the first EOI
// marker, exactly where image/jpeg stops reading: bytes that are not a
// marker between segments are skipped as it does, and in entropy-coded data
// only 0xFF00 (a stuffed byte) and the restart markers do not end it. It
// returns what it learned so far with an error when no EOI is found.
func walkJPEG(data []byte) (j jpegLayout, err error) {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return j, errImageStructure
	}
	pos := 2
	for {
		// Skip to a marker: 0xFF not followed by 0x00, then fill bytes.
		for pos+1 < len(data) && (data[pos] != 0xff || data[pos+1] == 0) {
			pos++
		}
		for pos < len(data) && data[pos] == 0xff {
			pos++
		}
		if pos >= len(data) {
			return j, errImageStructure
		}
		m := data[pos]
		pos++
		switch {
		case m == 0xd9: // EOI
			j.end = pos
			return j, nil
		case m >= 0xd0 && m <= 0xd7: // RST: no length
			continue
		}
		if pos+2 > len(data) {
			return j, errImageStructure
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 || pos+n > len(data) {
			return j, errImageStructure
		}
		seg := data[pos+2 : pos+n]
		switch {
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc: // SOFn
			if j.sof == 0 && len(seg) >= 6 {
				j.sof = m
				j.height = int(binary.BigEndian.Uint16(seg[1:]))
				j.width = int(binary.BigEndian.Uint16(seg[3:]))
				j.nComp = int(seg[5])
				if j.nComp > 4 || len(seg) < 6+3*j.nComp {
					j.nComp = 0
				}
				for i := range j.nComp {
					j.id[i], j.hv[i] = seg[6+3*i], seg[7+3*i]
				}
			}
		case m == 0xe0: // APP0
			j.jfif = j.jfif || bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case m == 0xe2: // APP2
			if j.mpf == 0 && bytes.HasPrefix(seg, []byte("MPF\x00")) {
				j.mpf, j.mpfLen = pos+2+4, len(seg)-4
			}
		case m == 0xee: // APP14
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				j.adobe, j.transform = true, seg[11]
			}
		}
		pos += n
		if m == 0xda { // SOS: entropy-coded data follows, up to the next real marker
			for {
				i := bytes.IndexByte(data[pos:], 0xff)
				if i < 0 {
					return j, errImageStructure
				}
				pos += i
				k := pos + 1
				for k < len(data) && data[k] == 0xff {
					k++
				}
				if k >= len(data) {
					return j, errImageStructure
				}
				if b := data[k]; b == 0 || b >= 0xd0 && b <= 0xd7 {
					pos = k + 1
					continue
				}
				pos = k - 1
				break
			}
		}
	}
}

// decodeBytes is what image/jpeg allocates to decode the picture: one plane
// per component over whole MCUs, 256 bytes of coefficients per 8x8 block when
// progressive, and a 4-byte-a-pixel copy for CMYK and RGB pictures.
func (j *jpegLayout) decodeBytes() int64 {
	if j.nComp == 0 {
		return 0
	}
	h0, v0 := 1, 1
	if j.nComp > 1 {
		h0, v0 = max(1, int(j.hv[0]>>4)), max(1, int(j.hv[0]&15))
	}
	mcus := int64((j.width+8*h0-1)/(8*h0)) * int64((j.height+8*v0-1)/(8*v0))
	blocks := int64(0)
	for i := range j.nComp {
		if j.nComp == 1 {
			blocks++
		} else {
			blocks += int64(j.hv[i]>>4) * int64(j.hv[i]&15)
		}
	}
	planes := blocks * mcus * 64
	n := planes
	if j.sof == 0xc2 {
		n += 4 * planes
	}
	rgb := !j.jfif && (j.adobe && j.transform == 0 || j.id == [4]byte{'R', 'G', 'B'})
	if j.nComp == 4 || j.nComp == 3 && rgb {
		n += 4 * int64(j.width) * int64(j.height)
	}
	return n
}

func (j *jpegLayout) detail() string {
	var d []string
	if j.sof == 0xc2 {
		d = append(d, "progressive")
	}
	if j.nComp == 4 {
		d = append(d, "CMYK")
	}
	return strings.Join(d, " ")
}

// pngLayout is what walkPNG learned from a PNG's chunks.
type pngLayout struct {
	end                         int // offset just past IEND's CRC
	width, height               int
	depth, colorType, interlace byte
	transparent                 bool // a tRNS chunk before the image data
	ihdr                        bool
}

// walkPNG follows a PNG's chunks to IEND (it does not check CRCs; png.Decode
// does). It returns what it learned so far with an error if IEND is missing.
func walkPNG(data []byte) (p pngLayout, err error) {
	pos, idat := 8, false
	for {
		if pos+12 > len(data) {
			return p, errImageStructure
		}
		n := binary.BigEndian.Uint32(data[pos:])
		if n > 0x7fffffff || int64(pos)+12+int64(n) > int64(len(data)) {
			return p, errImageStructure
		}
		body := data[pos+8 : pos+8+int(n)]
		switch string(data[pos+4 : pos+8]) {
		case "IHDR":
			if pos == 8 && n == 13 {
				p.ihdr = true
				p.width = int(binary.BigEndian.Uint32(body))
				p.height = int(binary.BigEndian.Uint32(body[4:]))
				p.depth, p.colorType, p.interlace = body[8], body[9], body[12]
			}
		case "tRNS":
			p.transparent = p.transparent || !idat
		case "IDAT":
			idat = true
		case "IEND":
			p.end = pos + 12 + int(n)
			return p, nil
		}
		pos += 12 + int(n)
	}
}

// decodeBytes is what image/png allocates: the picture in the Go image type
// for its colour type and depth, twice over when interlaced (a full-size
// picture plus the seven passes).
func (p *pngLayout) decodeBytes() int64 {
	if !p.ihdr {
		return 0
	}
	var bpp int64
	switch p.colorType {
	case 0: // grey; with a transparent colour it becomes NRGBA
		bpp = 1
		if p.transparent {
			bpp = 4
		}
	case 2, 4, 6: // RGB, grey + alpha, RGBA
		bpp = 4
	case 3: // palette
		bpp = 1
	default:
		return 0 // png.DecodeConfig has refused it
	}
	if p.depth == 16 {
		bpp *= 2
	}
	n := bpp * int64(p.width) * int64(p.height)
	if p.interlace != 0 {
		n *= 2
	}
	return n
}

func (p *pngLayout) detail() string {
	var d []string
	if p.depth == 16 {
		d = append(d, "16 bits per channel")
	}
	if p.interlace != 0 {
		d = append(d, "interlaced")
	}
	return strings.Join(d, ", ")
}

// imageProblem is why checkImageData refused.
type imageProblem int

const (
	imageOK imageProblem = iota
	imageDamaged
	imageEmpty
	imageTooLarge
	imageTooDeep
	imageTrailer
)

type imageResult struct {
	problem       imageProblem
	width, height int
	decodeBytes   int64
	detail        string
	trailer       int // bytes after the end
	err           error
}

// checkImageData checks one JPEG (isJPEG) or PNG image: its declared size,
// the memory decoding it takes, data after its end (for a JPEG, MPF secondary
// images are checked when mpf is set), then a full decode (a PNG's that
// pngDecodes vouches for is not repeated).
func checkImageData(data []byte, isJPEG, mpf bool) imageResult {
	config, decode := png.DecodeConfig, png.Decode
	if isJPEG {
		config, decode = jpeg.DecodeConfig, jpeg.Decode
	}
	// The header is read first: a few hundred bytes can declare a picture that
	// would take gigabytes to decode.
	cfg, err := config(bytes.NewReader(data))
	if err != nil {
		return imageResult{problem: imageDamaged, err: err}
	}
	r := imageResult{width: cfg.Width, height: cfg.Height}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		r.problem = imageEmpty
		return r
	} else if w > maxImageSide || h > maxImageSide || int64(w)*int64(h) > maxImagePixels {
		r.problem = imageTooLarge
		return r
	}
	var j jpegLayout
	var end int
	if isJPEG {
		j, err = walkJPEG(data)
		end, r.decodeBytes, r.detail = j.end, j.decodeBytes(), j.detail()
	} else {
		var p pngLayout
		p, err = walkPNG(data)
		end, r.decodeBytes, r.detail = p.end, p.decodeBytes(), p.detail()
	}
	if r.decodeBytes > maxDecodeBytes { // even if the walk failed: decoders allocate first
		r.problem = imageTooDeep
		return r
	}
	if err != nil {
		r.problem, r.err = imageDamaged, err
		return r
	}
	// A PNG ends with IEND's CRC, nothing after; a JPEG may have padding or MPF images.
	if rest := data[end:]; len(rest) > 0 && !(isJPEG && (isPadding(rest) || mpf && checkMPF(data, j))) {
		r.problem, r.trailer = imageTrailer, len(rest)
		return r
	}
	if !isJPEG && pngDecodes(data) { // as strict as png.Decode, without the picture
		return r
	}
	if _, err := decode(bytes.NewReader(data)); err != nil {
		r.problem, r.err = imageDamaged, err
	}
	return r
}

func checkImage(base string, data []byte, isJPEG bool) (w, h int, err error) {
	r := checkImageData(data, isJPEG, true)
	switch r.problem {
	case imageDamaged:
		return 0, 0, damagedImage(base, r.err)
	case imageEmpty:
		return 0, 0, refuseFile(nil, "%s declares a picture of %d x %d pixels, which is empty: scan the page again", base, r.width, r.height)
	case imageTooLarge:
		return 0, 0, refuseFile(nil, "%s declares a picture of %d x %d pixels, over the limit of %d pixels a side and %d megapixels: scan it again at 300 dpi or less",
			base, r.width, r.height, maxImageSide, maxImagePixels/1_000_000)
	case imageTooDeep:
		detail := ""
		if r.detail != "" {
			detail = " (" + r.detail + ")"
		}
		return 0, 0, refuseFile(nil, "%s declares a picture of %d x %d pixels%s that needs %s of memory to check, over the %s limit: scan it again at a lower resolution (200 to 300 dpi) or save it as JPEG",
			base, r.width, r.height, detail, sizeMB(r.decodeBytes), sizeMB(maxDecodeBytes))
	case imageTrailer:
		return 0, 0, refuseFile(nil, "%s has %d bytes of other data after the end of the image (another file hidden in it?): open it and save it again as a new picture, or scan the page again", base, r.trailer)
	}
	return r.width, r.height, nil
}

// isPadding reports whether b is at most maxImagePadding bytes, all 0x00 or all 0xFF.
func isPadding(b []byte) bool {
	if len(b) > maxImagePadding {
		return false
	}
	for _, c := range b {
		if c != b[0] || c != 0 && c != 0xff {
			return false
		}
	}
	return true
}

// checkMPF reports whether everything after a JPEG's end is the secondary
// images its APP2 MPF index declares (CIPA DC-007), with at most padding
// around them, each a complete JPEG that passes checkImageData on its own.
func checkMPF(data []byte, j jpegLayout) bool {
	if j.mpf == 0 || j.mpfLen < 8 {
		return false
	}
	mp := data[j.mpf : j.mpf+j.mpfLen]
	var bo binary.ByteOrder
	switch string(mp[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return false
	}
	ifd := int64(bo.Uint32(mp[4:]))
	if ifd+2 > int64(len(mp)) {
		return false
	}
	var entries []byte
	for i, n := int64(0), int64(bo.Uint16(mp[ifd:])); i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(mp)) {
			return false
		}
		if bo.Uint16(mp[e:]) != 0xb002 { // MP Entry
			continue
		}
		count, off := int64(bo.Uint32(mp[e+4:])), int64(bo.Uint32(mp[e+8:]))
		if count%16 != 0 || count > 16*64 || off+count > int64(len(mp)) {
			return false
		}
		entries = mp[off : off+count]
	}
	type span struct{ start, end int64 }
	var images []span
	for i := 16; i+16 <= len(entries); i += 16 { // entry 0 is the primary image
		size, off := int64(bo.Uint32(entries[i+4:])), int64(bo.Uint32(entries[i+8:]))
		if size > 0 {
			start := int64(j.mpf) + off // offsets count from the MP header
			images = append(images, span{start, start + size})
		}
	}
	if len(images) == 0 {
		return false
	}
	slices.SortFunc(images, func(a, b span) int { return int(a.start - b.start) })
	pos := int64(j.end)
	for _, s := range images {
		if s.start < pos || s.end > int64(len(data)) || !isPadding(data[pos:s.start]) {
			return false
		}
		if r := checkImageData(data[s.start:s.end], true, false); r.problem != imageOK {
			return false
		}
		pos = s.end
	}
	return isPadding(data[pos:])
}
