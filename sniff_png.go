package fieldprint

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"sync"
)

// pngDecodes reports whether png.Decode would decode data without an error,
// without building the picture: a passport page checked this way costs a
// tenth of a full decode, and none of its megabyte of memory.
//
// It follows png.Decode's reading step by step: the same chunks in the same
// order, each CRC, IHDR, PLTE and tRNS as it checks them, then the image
// data through the same zlib reader over the same IDAT reads, each row read
// in full with its filter type checked. Turning rows into pixels is all it
// leaves out, and that part of png.Decode refuses nothing. false means "not
// sure": the caller then decodes, so a refusal (and its error) is always
// png.Decode's own. FuzzPNGDecodes holds it to that.
func pngDecodes(data []byte) bool {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return false
	}
	// Every chunk up to IEND is read, and its CRC checked, in a decode
	// that succeeds: check them all first.
	for pos := len(pngSignature); ; {
		if pos+12 > len(data) {
			return false
		}
		n := binary.BigEndian.Uint32(data[pos:])
		if n > 0x7fffffff || int64(pos)+12+int64(n) > int64(len(data)) {
			return false
		}
		end := pos + 8 + int(n)
		if crc32.ChecksumIEEE(data[pos+4:end]) != binary.BigEndian.Uint32(data[end:]) {
			return false
		}
		if string(data[pos+4:pos+8]) == "IEND" {
			break
		}
		pos = end + 4
	}
	var p pngState
	for pos := len(pngSignature); p.stage != pngSeenIEND; {
		next, ok := p.chunk(data, pos)
		if !ok {
			return false
		}
		pos = next
	}
	return true
}

const pngSignature = "\x89PNG\r\n\x1a\n"

// png.Decode's stages: which chunks it has seen.
const (
	pngStart = iota
	pngSeenIHDR
	pngSeenPLTE
	pngSeentRNS
	pngSeenIDAT
	pngSeenIEND
)

// pngState is what png.Decode keeps between chunks that decides whether
// it refuses one.
type pngState struct {
	stage                          int
	width, height                  int
	depth, colorType, interlace    byte
	bitsPerPixel                   int  // 0: the depth and colour type png.Decode refuses
	paletted, trueColor, grey, rgb bool // rgb: with or without alpha
}

// chunk checks the chunk at pos (whose CRC is known good) as png.Decode's
// parseChunk does, and returns where reading goes on.
func (p *pngState) chunk(data []byte, pos int) (next int, ok bool) {
	n := int(binary.BigEndian.Uint32(data[pos:]))
	body := data[pos+8 : pos+8+n]
	next = pos + 12 + n
	switch string(data[pos+4 : pos+8]) {
	case "IHDR":
		if p.stage != pngStart || n != 13 || body[10] != 0 || body[11] != 0 || body[12] > 1 {
			return 0, false
		}
		w, h := int32(binary.BigEndian.Uint32(body)), int32(binary.BigEndian.Uint32(body[4:]))
		if w <= 0 || h <= 0 || int64(w)*int64(h) > math.MaxInt64/8 { // png.Decode's "dimension overflow"
			return 0, false
		}
		p.stage, p.width, p.height = pngSeenIHDR, int(w), int(h)
		p.depth, p.colorType, p.interlace = body[8], body[9], body[12]
		p.bitsPerPixel = pngBitsPerPixel(p.depth, p.colorType)
		if p.bitsPerPixel == 0 {
			return 0, false
		}
		p.paletted = p.colorType == 3
		p.trueColor = p.colorType == 2
		p.grey = p.colorType == 0
		p.rgb = p.colorType == 2 || p.colorType == 6
	case "PLTE":
		np := n / 3
		if p.stage != pngSeenIHDR || n%3 != 0 || np <= 0 || np > 256 || np > 1<<p.depth {
			return 0, false
		}
		if !p.paletted && !p.rgb { // grey and grey + alpha have no palette
			return 0, false
		}
		p.stage = pngSeenPLTE
	case "tRNS":
		switch {
		case p.paletted && p.stage != pngSeenPLTE,
			p.trueColor && p.stage != pngSeenIHDR && p.stage != pngSeenPLTE,
			!p.paletted && !p.trueColor && p.stage != pngSeenIHDR:
			return 0, false
		}
		switch {
		case p.grey && n == 2, p.trueColor && n == 6, p.paletted && n <= 256:
		default:
			return 0, false
		}
		p.stage = pngSeentRNS
	case "IDAT":
		if p.stage < pngSeenIHDR || p.stage > pngSeenIDAT || p.stage == pngSeenIHDR && p.paletted {
			return 0, false
		}
		if p.stage == pngSeenIDAT {
			return next, true // png.Decode skips IDAT chunks after the image
		}
		p.stage = pngSeenIDAT
		return p.imageData(data, pos)
	case "IEND":
		if p.stage != pngSeenIDAT || n != 0 {
			return 0, false
		}
		p.stage = pngSeenIEND
	}
	return next, true
}

// pngBitsPerPixel is png.Decode's bits a pixel of a depth and colour type
// (0 for those it does not support).
func pngBitsPerPixel(depth, colorType byte) int {
	switch colorType {
	case 0: // grey
		if depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16 {
			return int(depth)
		}
	case 3: // palette
		if depth == 1 || depth == 2 || depth == 4 || depth == 8 {
			return int(depth)
		}
	case 2: // RGB
		if depth == 8 || depth == 16 {
			return 3 * int(depth)
		}
	case 4: // grey + alpha
		if depth == 8 || depth == 16 {
			return 2 * int(depth)
		}
	case 6: // RGBA
		if depth == 8 || depth == 16 {
			return 4 * int(depth)
		}
	}
	return 0
}

// pngPasses are Adam7's passes: x and y step and offset.
var pngPasses = [7][4]int{{8, 8, 0, 0}, {8, 8, 4, 0}, {4, 8, 0, 4}, {4, 4, 2, 0}, {2, 4, 0, 2}, {2, 2, 1, 0}, {1, 2, 0, 1}}

// maxPNGRow bytes is the longest row pngDecodes reads (maxImageSide pixels
// of 64 bits take 96 kB).
const maxPNGRow = 1 << 20

// zlibReaders keeps the decompressors (32 kB of window each) from one
// check to the next.
var zlibReaders sync.Pool

// imageData reads the image data from the IDAT chunk at pos on, as
// png.Decode's decode does, and returns where the chunks go on after it.
func (p *pngState) imageData(data []byte, pos int) (next int, ok bool) {
	r := &idatReader{data: data, pos: pos + 8, left: binary.BigEndian.Uint32(data[pos:])}
	var z io.ReadCloser
	if pooled, _ := zlibReaders.Get().(io.ReadCloser); pooled != nil {
		if pooled.(zlib.Resetter).Reset(r, nil) != nil {
			return 0, false
		}
		z = pooled
	} else {
		var err error
		if z, err = zlib.NewReader(r); err != nil {
			return 0, false
		}
	}
	defer zlibReaders.Put(z)
	passes := [][4]int{{1, 1, 0, 0}}
	if p.interlace == 1 {
		passes = pngPasses[:]
	}
	var row []byte
	for _, s := range passes {
		w := (p.width - s[2] + s[0] - 1) / s[0]
		h := (p.height - s[3] + s[1] - 1) / s[1]
		if w == 0 || h == 0 {
			continue
		}
		size := 1 + (int64(p.bitsPerPixel)*int64(w)+7)/8
		if size > maxPNGRow { // far over the size limits: left to png.Decode's checks
			return 0, false
		}
		if int64(cap(row)) < size {
			row = make([]byte, size)
		}
		row = row[:size]
		for range h {
			if _, err := io.ReadFull(z, row); err != nil || row[0] > 4 { // 4: Paeth, the last filter type
				return 0, false
			}
		}
	}
	// Nothing may follow the last row, and the last IDAT read must end
	// there (png.Decode's "too much pixel data").
	n, err := 0, error(nil)
	for i := 0; n == 0 && err == nil; i++ {
		if i == 100 {
			return 0, false
		}
		n, err = z.Read(row[:1])
	}
	if err != io.EOF || n != 0 || r.left != 0 || r.err != nil {
		return 0, false
	}
	return r.pos + 4, true // after the last IDAT's CRC
}

// idatReader is png.Decode's reader of the image data: the bodies of
// consecutive IDAT chunks, at most the rest of the current one a read.
// Like it, it is no io.ByteReader, so zlib reads it through the same
// bufio.Reader and asks for the same bytes.
type idatReader struct {
	data []byte
	pos  int    // the next byte of the current chunk's body
	left uint32 // bytes of the current chunk not read yet
	err  error
}

var errPNGData = errors.New("png: not enough pixel data")

func (r *idatReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for r.left == 0 {
		head := r.pos + 4 // past the CRC (known good)
		if head+8 > len(r.data) {
			r.err = io.ErrUnexpectedEOF
			return 0, r.err
		}
		if string(r.data[head+4:head+8]) != "IDAT" {
			r.err = errPNGData
			return 0, r.err
		}
		r.left = binary.BigEndian.Uint32(r.data[head:])
		r.pos = head + 8
	}
	n := min(len(b), int(r.left))
	if r.pos+n > len(r.data) {
		r.err = io.ErrUnexpectedEOF
		return 0, r.err
	}
	copy(b, r.data[r.pos:r.pos+n])
	r.pos += n
	r.left -= uint32(n)
	return n, nil
}
