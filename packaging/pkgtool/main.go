// Command pkgtool makes the parts of Fieldprint's packages that are not
// compiled: icons at every size, the Windows icon, stable GUIDs, a zip with
// fixed timestamps. make dist runs it (packaging/dist.sh); every output is
// the same bytes for the same input.
//
//	pkgtool version                     the version (FyneApp.toml's, as the binary says it)
//	pkgtool icons DIR                   DIR/NxN/apps/gov.uscis.fieldprint.png for the hicolor sizes
//	pkgtool ico FILE.ico                the icon at 16…256 pixels in one .ico (PNG entries)
//	pkgtool guid TEXT...                a name-based GUID (UUID version 5) of the words: stable for the same words
//	pkgtool zip FILE.zip DIR            DIR's files (not DIR itself), sorted, dated $SOURCE_DATE_EPOCH
package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/draw"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/assets"
)

// AppID names the icon, the .desktop file and the metainfo (FyneApp.toml's ID).
const AppID = "gov.uscis.fieldprint"

// HicolorSizes are the icon theme's fixed-size folders up to the source
// icon's 256 pixels (a larger one would only be blurred up).
var HicolorSizes = []int{16, 22, 24, 32, 48, 64, 128, 256}

// icoSizes are the sizes Windows picks from for the Start menu, the task bar,
// Explorer's views and Apps & features.
var icoSizes = []int{16, 24, 32, 48, 64, 256}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pkgtool:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: pkgtool version | icons DIR | ico FILE | guid TEXT... | zip FILE DIR")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "version" && len(rest) == 0:
		fmt.Println(fp.Version())
		return nil
	case cmd == "icons" && len(rest) == 1:
		return writeIcons(rest[0])
	case cmd == "ico" && len(rest) == 1:
		b, err := ico()
		if err != nil {
			return err
		}
		return os.WriteFile(rest[0], b, 0o644)
	case cmd == "guid" && len(rest) > 0:
		fmt.Println(guid(strings.Join(rest, " ")))
		return nil
	case cmd == "zip" && len(rest) == 2:
		return writeZip(rest[0], rest[1])
	}
	return fmt.Errorf("unknown command or wrong arguments: %q", args)
}

// scaled is the application icon at size×size pixels.
func scaled(size int) (image.Image, error) {
	src, err := png.Decode(bytes.NewReader(assets.IconPNG))
	if err != nil {
		return nil, fmt.Errorf("assets/icon.png: %w", err)
	}
	if b := src.Bounds(); b.Dx() == size && b.Dy() == size {
		return src, nil
	}
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst, nil
}

func encodePNG(size int) ([]byte, error) {
	img, err := scaled(size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeIcons(dir string) error {
	for _, n := range HicolorSizes {
		b, err := encodePNG(n)
		if err != nil {
			return err
		}
		d := filepath.Join(dir, fmt.Sprintf("%dx%d", n, n), "apps")
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, AppID+".png"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ico writes an ICONDIR with one PNG-compressed entry per size (Windows
// Vista and later read PNG entries at every size).
func ico() ([]byte, error) {
	var head, body bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&head, le, [3]uint16{0, 1, uint16(len(icoSizes))}) // reserved, type icon, count
	offset := 6 + 16*len(icoSizes)
	for _, n := range icoSizes {
		b, err := encodePNG(n)
		if err != nil {
			return nil, err
		}
		dim := uint8(n)
		if n >= 256 {
			dim = 0 // 0 means 256
		}
		_ = binary.Write(&head, le, struct {
			W, H, Colors, Reserved uint8
			Planes, Bits           uint16
			Size, Offset           uint32
		}{dim, dim, 0, 0, 1, 32, uint32(len(b)), uint32(offset + body.Len())})
		body.Write(b)
	}
	return append(head.Bytes(), body.Bytes()...), nil
}

// guid is a UUID version 5 (SHA-1, RFC 9562) of text in a namespace of our
// own, upper case as WiX writes GUIDs.
func guid(text string) string {
	ns := [16]byte{0x6b, 0x3e, 0x1f, 0x52, 0x0c, 0x7a, 0x4d, 0x1e, 0x9a, 0x61, 0x2f, 0x8e, 0x44, 0x0d, 0xf1, 0x0e}
	h := sha1.Sum(append(ns[:], text...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
}

// writeZip zips dir's regular files, sorted, each dated SOURCE_DATE_EPOCH
// (or 1980-01-01), with no extra fields: the same files give the same bytes.
func writeZip(out, dir string) error {
	when := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		when = time.Unix(sec, 0).UTC()
	}
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: when}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
