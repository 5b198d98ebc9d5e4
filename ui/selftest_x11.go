package ui

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math/bits"
	"os/exec"

	"fyne.io/fyne/v2/driver"
)

// Capturing the window through the X server (SelfTest.X11): Fyne's Capture
// reads OpenGL's front buffer, which Mesa's llvmpipe does not keep (it
// reads back black), so the self-test had to run on softpipe, whose frames
// take 0.3 s to seconds here. The X server holds what the window shows
// whatever draws it; xwd (x11-apps) dumps it. The picture is then what a
// person sees, not what GL says it drew.

// stWindowID is the window's X11 id (0 when not on X11).
func (u *UI) stWindowID() (id uintptr) {
	if nw, ok := u.win.(driver.NativeWindow); ok {
		nw.RunNative(func(ctx any) {
			if x, ok := ctx.(driver.X11WindowContext); ok {
				id = x.WindowHandle
			}
		})
	}
	return id
}

// stCaptureX11 is the window's picture as the X server shows it.
func stCaptureX11(id uintptr) (*image.RGBA, error) {
	if id == 0 {
		return nil, errors.New("the window is not an X11 window: capture it with OpenGL (no --capture x11)")
	}
	var stderr bytes.Buffer
	cmd := exec.Command("xwd", "-silent", "-id", fmt.Sprintf("0x%x", id))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("xwd (x11-apps: make selftest-deps): %v %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return decodeXWD(out)
}

// decodeXWD reads an X window dump (XWDFileHeader, X11 version 7) of a
// 24- or 32-bit TrueColor ZPixmap, as xwd writes it for Xvfb's screens.
func decodeXWD(b []byte) (*image.RGBA, error) {
	const fields = 25
	if len(b) < fields*4 {
		return nil, errors.New("xwd: shorter than its header")
	}
	h := make([]uint32, fields)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[i*4:])
	}
	size, version, format, w, hgt := h[0], h[1], h[2], h[4], h[5]
	order, bpp, stride := h[7], h[11], h[12]
	masks := [3]uint32{h[14], h[15], h[16]}
	ncolors := h[19]
	switch {
	case version != 7 || format != 2:
		return nil, fmt.Errorf("xwd: version %d format %d, want 7 and 2 (ZPixmap)", version, format)
	case bpp != 32 && bpp != 24:
		return nil, fmt.Errorf("xwd: %d bits a pixel, want 24 or 32", bpp)
	case w == 0 || hgt == 0 || w > 1<<14 || hgt > 1<<14:
		return nil, fmt.Errorf("xwd: a %dx%d picture", w, hgt)
	case uint64(stride) < uint64(w)*uint64(bpp/8):
		return nil, fmt.Errorf("xwd: %d bytes a line for %d pixels", stride, w)
	case masks[0] == 0 || masks[1] == 0 || masks[2] == 0:
		return nil, errors.New("xwd: not TrueColor (no colour masks)")
	}
	start := uint64(size) + uint64(ncolors)*12
	if need := start + uint64(stride)*uint64(hgt); need > uint64(len(b)) || start < fields*4 {
		return nil, fmt.Errorf("xwd: %d bytes, its header says %d", len(b), need)
	}
	img := image.NewRGBA(image.Rect(0, 0, int(w), int(hgt)))
	pix := b[start:]
	step := int(bpp / 8)
	for y := range int(hgt) {
		line := pix[y*int(stride):]
		for x := range int(w) {
			p := line[x*step : x*step+step]
			var v uint32
			if order == 0 { // LSBFirst
				for i := step - 1; i >= 0; i-- {
					v = v<<8 | uint32(p[i])
				}
			} else {
				for i := range step {
					v = v<<8 | uint32(p[i])
				}
			}
			o := img.PixOffset(x, y)
			for c, m := range masks {
				img.Pix[o+c] = uint8((v & m) >> bits.TrailingZeros32(m))
			}
			img.Pix[o+3] = 0xff
		}
	}
	return img, nil
}
