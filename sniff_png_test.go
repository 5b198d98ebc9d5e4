package fieldprint

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// pngOpts describe a PNG written by rawPNG: its header, the chunks before
// and after the image data, and the image data itself.
type pngOpts struct {
	w, h, depth, colorType, interlace int
	plte, trns                        []byte // nil: none
	before, after                     [][2]string
	filter                            func(y int) byte // nil: 0 on every row
	extra                             []byte           // decompressed bytes after the last row
	drop                              int              // decompressed bytes of the last row left out
	split                             []int            // IDAT chunk sizes before the last (0: an empty one)
	garbage                           []byte           // bytes after the zlib stream in the last IDAT
	emptyBlocks                       int              // empty stored blocks after the rows
	badAdler                          bool
}

// rawPNG writes a PNG by hand, so the variants png.Encode never writes
// (interlaced, split image data, odd filters, trailing bytes) can be made.
func rawPNG(o pngOpts) []byte {
	bpp := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[o.colorType] * o.depth
	rng := rand.New(rand.NewPCG(uint64(o.w), uint64(o.h)))
	var raw []byte
	passes := [][4]int{{1, 1, 0, 0}}
	if o.interlace == 1 {
		passes = passes[:0]
		for _, p := range pngPasses {
			passes = append(passes, p)
		}
	}
	y := 0
	for _, s := range passes {
		w := (o.w - s[2] + s[0] - 1) / s[0]
		h := (o.h - s[3] + s[1] - 1) / s[1]
		if w == 0 || h == 0 {
			continue
		}
		for range h {
			f := byte(0)
			if o.filter != nil {
				f = o.filter(y)
			}
			row := make([]byte, (bpp*w+7)/8)
			for i := range row {
				row[i] = byte(rng.IntN(4)) // small values: palette indexes stay in range
			}
			raw = append(append(raw, f), row...)
			y++
		}
	}
	raw = append(raw[:len(raw)-o.drop], o.extra...)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Flush()
	for range o.emptyBlocks {
		zw.Flush() // an empty stored block each
	}
	zw.Close()
	idat := z.Bytes()
	if o.badAdler {
		idat[len(idat)-1] ^= 1
	}
	idat = append(idat, o.garbage...)
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(o.w)), uint32(o.h))
	out := withPNGChunk([]byte(pngSignature), "IHDR", append(ihdr, byte(o.depth), byte(o.colorType), 0, 0, byte(o.interlace)))
	for _, c := range o.before {
		out = withPNGChunk(out, c[0], []byte(c[1]))
	}
	if o.plte != nil {
		out = withPNGChunk(out, "PLTE", o.plte)
	}
	if o.trns != nil {
		out = withPNGChunk(out, "tRNS", o.trns)
	}
	for _, n := range o.split {
		n = min(n, len(idat))
		out = withPNGChunk(out, "IDAT", idat[:n])
		idat = idat[n:]
	}
	out = withPNGChunk(out, "IDAT", idat)
	for _, c := range o.after {
		out = withPNGChunk(out, c[0], []byte(c[1]))
	}
	return withPNGChunk(out, "IEND", nil)
}

// pngCases are PNGs png.Decode accepts and refuses, of every kind it reads.
func pngCases(t testing.TB) map[string][]byte {
	cases := map[string][]byte{}
	// png.Encode's output of every image type it writes.
	pal := func(n int) color.Palette {
		p := make(color.Palette, n)
		for i := range p {
			p[i] = color.NRGBA{uint8(i * 40), uint8(i), 0, uint8(255 - i)}
		}
		return p
	}
	r := image.Rect(0, 0, 23, 17)
	imgs := map[string]image.Image{
		"gray": image.NewGray(r), "gray16": image.NewGray16(r), "rgba": image.NewRGBA(r), "nrgba": image.NewNRGBA(r),
		"rgba64": image.NewRGBA64(r), "nrgba64": image.NewNRGBA64(r),
		"pal2": image.NewPaletted(r, pal(2)), "pal4": image.NewPaletted(r, pal(4)), "pal16": image.NewPaletted(r, pal(16)), "pal256": image.NewPaletted(r, pal(256)),
	}
	for name, img := range imgs {
		if m, ok := img.(interface{ Set(x, y int, c color.Color) }); ok {
			for y := range 17 {
				for x := range 23 {
					m.Set(x, y, color.NRGBA{uint8(x * 11), uint8(y * 13), uint8(x ^ y), uint8(128 + x)})
				}
			}
		}
		for _, level := range []png.CompressionLevel{png.DefaultCompression, png.NoCompression, png.BestSpeed} {
			var b bytes.Buffer
			if err := (&png.Encoder{CompressionLevel: level}).Encode(&b, img); err != nil {
				t.Fatal(err)
			}
			cases[name+"-"+string(rune('0'-level))] = b.Bytes()
		}
	}
	cases["tiny"] = sniffPNG(t, 3, 2)
	cases["deep"] = png16Small(t)
	plte := bytes.Repeat([]byte{9, 8, 7}, 4)
	filters := func(y int) byte { return byte(y % 5) }
	for _, il := range []int{0, 1} {
		for _, d := range []struct{ depth, ct int }{{1, 0}, {2, 0}, {4, 0}, {8, 0}, {16, 0}, {8, 2}, {16, 2}, {1, 3}, {2, 3}, {4, 3}, {8, 3}, {8, 4}, {16, 4}, {8, 6}, {16, 6}} {
			for _, size := range [][2]int{{1, 1}, {9, 3}, {13, 11}} {
				o := pngOpts{w: size[0], h: size[1], depth: d.depth, colorType: d.ct, interlace: il, filter: filters}
				if d.ct == 3 {
					o.plte = plte
				}
				name := string(rune('a'+d.ct)) + string(rune('0'+d.depth%10)) + string(rune('0'+il)) + string(rune('a'+size[0]))
				cases[name] = rawPNG(o)
			}
		}
	}
	base := pngOpts{w: 40, h: 30, depth: 2, colorType: 3, plte: plte, filter: filters}
	with := func(name string, f func(o *pngOpts)) {
		o := base
		f(&o)
		cases[name] = rawPNG(o)
	}
	with("base", func(o *pngOpts) {})
	with("bad-filter", func(o *pngOpts) { o.filter = func(y int) byte { return byte(5 * (y / 29)) } })
	with("filter-255", func(o *pngOpts) { o.filter = func(int) byte { return 255 } })
	with("too-much-data", func(o *pngOpts) { o.extra = []byte{0} })
	with("too-little-data", func(o *pngOpts) { o.drop = 1 })
	with("a-row-too-few", func(o *pngOpts) { o.drop = 11 })
	with("garbage-after-stream", func(o *pngOpts) { o.garbage = []byte("xyz") })
	with("much-garbage-after-stream", func(o *pngOpts) { o.garbage = bytes.Repeat([]byte("x"), 9000) })
	with("split", func(o *pngOpts) { o.split = []int{1, 0, 5, 100} })
	with("split-garbage", func(o *pngOpts) { o.split = []int{3}; o.garbage = []byte{1, 2} })
	with("empty-blocks", func(o *pngOpts) { o.emptyBlocks = 3 })
	with("many-empty-blocks", func(o *pngOpts) { o.emptyBlocks = 120 })
	with("bad-adler", func(o *pngOpts) { o.badAdler = true })
	with("idat-after", func(o *pngOpts) { o.after = [][2]string{{"IDAT", "junk"}, {"IDAT", ""}} })
	with("text-after", func(o *pngOpts) { o.after = [][2]string{{"tEXt", "Comment\x00hi"}} })
	with("critical-unknown", func(o *pngOpts) { o.before = [][2]string{{"XXXX", "?"}} })
	with("trns-palette", func(o *pngOpts) { o.trns = []byte{0, 128} })
	with("trns-palette-long", func(o *pngOpts) { o.trns = make([]byte, 257) })
	with("plte-after-trns", func(o *pngOpts) { o.plte = nil; o.before = [][2]string{{"tRNS", "a"}, {"PLTE", "abc"}} })
	with("no-plte", func(o *pngOpts) { o.plte = nil })
	with("plte-too-long", func(o *pngOpts) { o.plte = bytes.Repeat([]byte{1, 2, 3}, 5) })
	with("plte-ragged", func(o *pngOpts) { o.plte = []byte{1, 2, 3, 4} })
	with("two-ihdr", func(o *pngOpts) { o.before = [][2]string{{"IHDR", "0123456789abc"}} })
	with("iend-early", func(o *pngOpts) { o.before = [][2]string{{"IEND", ""}} })
	with("grey-trns", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 8, colorType: 0, trns: []byte{0, 3}} })
	with("grey-trns-bad", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 8, colorType: 0, trns: []byte{0, 3, 4}} })
	with("grey-plte", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 8, colorType: 0, plte: plte} })
	with("rgb-plte-trns", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 8, colorType: 2, plte: plte, trns: make([]byte, 6)} })
	with("rgba-trns", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 8, colorType: 6, trns: make([]byte, 8)} })
	with("bad-depth", func(o *pngOpts) { *o = pngOpts{w: 5, h: 5, depth: 3, colorType: 0} })
	with("interlaced-tiny", func(o *pngOpts) { *o = pngOpts{w: 2, h: 1, depth: 8, colorType: 6, interlace: 1} })
	// A bad CRC in each chunk of a good file.
	good := cases["base"]
	for pos := 8; pos < len(good); {
		n := int(binary.BigEndian.Uint32(good[pos:]))
		b := bytes.Clone(good)
		b[pos+8+n] ^= 0x80
		cases["bad-crc-"+string(good[pos+4:pos+8])] = b
		pos += 12 + n
	}
	cases["truncated"] = good[:len(good)-5]
	cases["signature-only"] = []byte(pngSignature)
	// The hostile and accepted corpus's PNGs.
	for _, dir := range []string{hostileDir, "testdata/accepted"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && bytes.HasPrefix(data, []byte(pngSignature)) {
				cases[e.Name()] = data
			}
		}
	}
	return cases
}

// decodesSmall is png.Decode's verdict, for a picture small enough to
// decode in a test (ok false: too large to try).
func decodesSmall(data []byte) (decodes, ok bool) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err == nil && int64(cfg.Width)*int64(cfg.Height) > 1<<22 {
		return false, false
	}
	_, err = png.Decode(bytes.NewReader(data))
	return err == nil, true
}

// TestPNGDecodesAgreesWithDecode: pngDecodes says yes exactly when
// png.Decode decodes, on every kind of PNG and every damage above, and on
// every one-byte change of a few good files.
func TestPNGDecodesAgreesWithDecode(t *testing.T) {
	cases := pngCases(t)
	accepted := 0
	for name, data := range cases {
		want, _ := decodesSmall(data)
		if got := pngDecodes(data); got != want {
			t.Errorf("%s: pngDecodes = %v, png.Decode decodes: %v", name, got, want)
		}
		if want {
			accepted++
		}
	}
	if accepted < 50 || accepted == len(cases) {
		t.Fatalf("%d of %d cases decode: the cases test too little", accepted, len(cases))
	}
	for _, name := range []string{"base", "split", "interlaced-tiny", "rgba-0", "pal16-1"} {
		good := cases[name]
		for i := range good {
			for _, x := range []byte{0x01, 0x80, 0xff} {
				b := bytes.Clone(good)
				b[i] ^= x
				want, _ := decodesSmall(b)
				if got := pngDecodes(b); got != want {
					t.Fatalf("%s with byte %d ^ %#x: pngDecodes = %v, png.Decode decodes: %v", name, i, x, got, want)
				}
			}
		}
	}
}

// FuzzPNGDecodes: whatever the bytes, pngDecodes vouches only for what
// png.Decode decodes (a refusal is always png.Decode's own).
func FuzzPNGDecodes(f *testing.F) {
	for _, data := range pngCases(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, ok := decodesSmall(data)
		if !ok {
			return
		}
		if got := pngDecodes(data); got && !want {
			t.Fatalf("pngDecodes vouches for a PNG png.Decode refuses")
		}
	})
}

func BenchmarkSniffScanPNG(b *testing.B) {
	// A scanned page as the demo draws it: 2 bits a pixel, 1240 x 1754.
	img := image.NewPaletted(image.Rect(0, 0, 1240, 1754), color.Palette{color.Gray{0}, color.Gray{85}, color.Gray{170}, color.Gray{255}})
	for i := range img.Pix {
		img.Pix[i] = uint8(i/7%3 + i%1240/600)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := SniffFile("page.png", data, 0); err != nil {
			b.Fatal(err)
		}
	}
}
