package ui

import (
	"encoding/binary"
	"image/color"
	"testing"
)

// xwdOf is an X window dump of a w×h 32-bit TrueColor picture, as xwd
// writes Xvfb's (LSBFirst, masks 0xff0000, 0xff00, 0xff), every pixel px.
func xwdOf(w, h int, px func(x, y int) uint32) []byte {
	name := []byte("Fieldprint\x00")
	hd := make([]uint32, 25)
	hd[0] = uint32(100 + len(name))
	hd[1], hd[2], hd[3], hd[4], hd[5] = 7, 2, 24, uint32(w), uint32(h)
	hd[7], hd[8], hd[9], hd[10], hd[11], hd[12] = 0, 32, 0, 32, 32, uint32(w*4)
	hd[13], hd[14], hd[15], hd[16], hd[17], hd[18] = 4, 0xff0000, 0xff00, 0xff, 8, 256
	var b []byte
	for _, v := range hd {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, name...)
	for y := range h {
		for x := range w {
			b = binary.LittleEndian.AppendUint32(b, px(x, y))
		}
	}
	return b
}

func TestDecodeXWD(t *testing.T) {
	img, err := decodeXWD(xwdOf(3, 2, func(x, y int) uint32 { return uint32(x)<<16 | uint32(y)<<8 | 0x7f }))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
		t.Fatalf("%v", b)
	}
	if got, want := img.RGBAAt(2, 1), (color.RGBA{2, 1, 0x7f, 0xff}); got != want {
		t.Fatalf("pixel (2,1) %v, want %v", got, want)
	}
	good := xwdOf(2, 2, func(x, y int) uint32 { return 0 })
	for name, bad := range map[string][]byte{
		"empty":      nil,
		"header cut": good[:60],
		"pixels cut": good[:len(good)-1],
		"version 6":  func() []byte { b := append([]byte(nil), good...); b[7] = 6; return b }(),
		"16 bits":    func() []byte { b := append([]byte(nil), good...); b[47] = 16; return b }(),
		"no masks":   func() []byte { b := append([]byte(nil), good...); copy(b[56:68], make([]byte, 12)); return b }(),
	} {
		if _, err := decodeXWD(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func FuzzDecodeXWD(f *testing.F) {
	f.Add(xwdOf(2, 2, func(x, y int) uint32 { return uint32(x * y) }))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := decodeXWD(b)
		if err == nil && img.Bounds().Empty() {
			t.Fatal("an empty picture without an error")
		}
	})
}
