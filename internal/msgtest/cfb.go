// Package msgtest writes Outlook message files (.msg) for tests: a small
// writer of Microsoft's Compound File Binary format ([MS-CFB], version 3,
// 512-byte sectors) and the MAPI property layout of [MS-OXMSG] on top of
// it, plus the few byte edits the hostile cases need. Only tests import it.
package msgtest

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf16"
)

// Entry is a stream (Data) or a storage (Storage, with Children) of a
// compound file.
type Entry struct {
	Name     string
	Storage  bool
	Data     []byte
	Children []*Entry
}

// Stream and Storage build entries.
func Stream(name string, data []byte) *Entry { return &Entry{Name: name, Data: data} }

func Storage(name string, children ...*Entry) *Entry {
	return &Entry{Name: name, Storage: true, Children: children}
}

const (
	sectorSize = 512
	miniSize   = 64
	miniCutoff = 4096
	// Special sector numbers ([MS-CFB] 2.1).
	FATSect    = 0xFFFFFFFD
	EndOfChain = 0xFFFFFFFE
	FreeSect   = 0xFFFFFFFF
	noStream   = 0xFFFFFFFF
)

// dirEntry is an entry as laid out: its directory ID's place in the list.
type dirEntry struct {
	e                  *Entry
	typ                byte // 1 storage, 2 stream, 5 root
	left, right, child uint32
	start              uint32
	size               uint64
}

// CFB writes the compound file holding children in its root storage. The
// layout is fixed: the directory from sector 0, then the mini FAT, the mini
// stream, the large streams, and last the FAT (at most 109 FAT sectors,
// about 7 MB, so no DIFAT sectors).
func CFB(children ...*Entry) []byte {
	root := &Entry{Name: "Root Entry", Storage: true, Children: children}
	var dir []*dirEntry
	var add func(e *Entry) uint32
	add = func(e *Entry) uint32 {
		id := uint32(len(dir))
		d := &dirEntry{e: e, typ: 2, left: noStream, right: noStream, child: noStream, start: EndOfChain}
		if e.Storage {
			d.typ = 1
		}
		dir = append(dir, d)
		if e.Storage {
			kids := slices.Clone(e.Children)
			slices.SortFunc(kids, func(a, b *Entry) int { return compareNames(a.Name, b.Name) })
			ids := make([]uint32, len(kids))
			for i, k := range kids {
				ids[i] = add(k)
			}
			d.child = tree(dir, ids)
		}
		return id
	}
	add(root)
	dir[0].typ = 5

	// The mini stream: every stream under the cutoff, 64 bytes a sector.
	var mini []byte
	var miniFAT []uint32
	var large []*dirEntry
	for _, d := range dir[1:] {
		if d.typ != 2 || len(d.e.Data) == 0 {
			continue
		}
		d.size = uint64(len(d.e.Data))
		if len(d.e.Data) >= miniCutoff {
			large = append(large, d)
			continue
		}
		d.start = uint32(len(mini) / miniSize)
		n := (len(d.e.Data) + miniSize - 1) / miniSize
		for i := range n {
			next := uint32(EndOfChain)
			if i < n-1 {
				next = d.start + uint32(i) + 1
			}
			miniFAT = append(miniFAT, next)
		}
		mini = append(mini, pad(d.e.Data, miniSize)...)
	}

	// Sectors in order; fat holds each one's next.
	var sectors [][]byte
	var fat []uint32
	chain := func(data []byte) uint32 {
		if len(data) == 0 {
			return EndOfChain
		}
		data = pad(data, sectorSize)
		start := uint32(len(sectors))
		for i := 0; i < len(data); i += sectorSize {
			sectors = append(sectors, data[i:i+sectorSize])
			fat = append(fat, uint32(len(sectors)))
		}
		fat[len(fat)-1] = EndOfChain
		return start
	}
	dirBytes := make([]byte, (len(dir)+3)/4*sectorSize)
	for i := len(dir); i < len(dirBytes)/128; i++ { // unused entries link nowhere
		for j := 68; j < 80; j++ {
			dirBytes[i*128+j] = 0xFF
		}
	}
	dirStart := chain(dirBytes) // filled in below, once every start is known
	miniFATBytes := make([]byte, len(miniFAT)*4)
	for i, v := range miniFAT {
		binary.LittleEndian.PutUint32(miniFATBytes[i*4:], v)
	}
	miniFATStart := chain(miniFATBytes)
	dir[0].start = chain(mini)
	dir[0].size = uint64(len(mini))
	for _, d := range large {
		d.start = chain(d.e.Data)
	}
	// The FAT itself: enough sectors for every sector, its own included.
	nFAT := 1
	for (len(sectors)+nFAT)*4 > nFAT*sectorSize {
		nFAT++
	}
	fatStart := uint32(len(sectors))
	for range nFAT {
		fat = append(fat, FATSect)
	}
	fatBytes := make([]byte, nFAT*sectorSize)
	for i := range fatBytes {
		fatBytes[i] = 0xFF // free
	}
	for i, v := range fat {
		binary.LittleEndian.PutUint32(fatBytes[i*4:], v)
	}
	for i := 0; i < nFAT; i++ {
		sectors = append(sectors, fatBytes[i*sectorSize:(i+1)*sectorSize])
	}
	for i, d := range dir {
		writeDirEntry(dirBytes[i*128:], d)
	}
	for i := 0; i < len(dirBytes); i += sectorSize {
		copy(sectors[int(dirStart)+i/sectorSize], dirBytes[i:])
	}

	h := make([]byte, sectorSize)
	copy(h, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	binary.LittleEndian.PutUint16(h[24:], 0x003E) // minor version
	binary.LittleEndian.PutUint16(h[26:], 3)      // major version
	binary.LittleEndian.PutUint16(h[28:], 0xFFFE) // byte order
	binary.LittleEndian.PutUint16(h[30:], 9)      // 512-byte sectors
	binary.LittleEndian.PutUint16(h[32:], 6)      // 64-byte mini sectors
	binary.LittleEndian.PutUint32(h[44:], uint32(nFAT))
	binary.LittleEndian.PutUint32(h[48:], dirStart)
	binary.LittleEndian.PutUint32(h[56:], miniCutoff)
	binary.LittleEndian.PutUint32(h[60:], miniFATStart)
	binary.LittleEndian.PutUint32(h[64:], uint32((len(miniFATBytes)+sectorSize-1)/sectorSize))
	binary.LittleEndian.PutUint32(h[68:], EndOfChain) // no DIFAT sectors
	for i := range 109 {
		v := uint32(FreeSect)
		if i < nFAT {
			v = fatStart + uint32(i)
		}
		binary.LittleEndian.PutUint32(h[76+i*4:], v)
	}
	out := h
	for _, s := range sectors {
		out = append(out, s...)
	}
	return out
}

// tree links the sorted siblings ids as a balanced binary tree (all
// black: readers follow the links and do not check the colours) and
// returns its root.
func tree(dir []*dirEntry, ids []uint32) uint32 {
	if len(ids) == 0 {
		return noStream
	}
	mid := len(ids) / 2
	d := dir[ids[mid]]
	d.left = tree(dir, ids[:mid])
	d.right = tree(dir, ids[mid+1:])
	return ids[mid]
}

// compareNames orders siblings as [MS-CFB] 2.6.4 does: shorter names
// first, then by upper-case code points.
func compareNames(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	if len(ua) != len(ub) {
		return len(ua) - len(ub)
	}
	return strings.Compare(strings.ToUpper(a), strings.ToUpper(b))
}

func writeDirEntry(b []byte, d *dirEntry) {
	name := utf16.Encode([]rune(d.e.Name))
	if len(name) > 31 {
		panic("compound file names are at most 31 characters: " + d.e.Name)
	}
	for i, c := range name {
		binary.LittleEndian.PutUint16(b[i*2:], c)
	}
	binary.LittleEndian.PutUint16(b[64:], uint16(len(name)+1)*2)
	b[66] = d.typ
	b[67] = 1 // black
	binary.LittleEndian.PutUint32(b[68:], d.left)
	binary.LittleEndian.PutUint32(b[72:], d.right)
	binary.LittleEndian.PutUint32(b[76:], d.child)
	binary.LittleEndian.PutUint32(b[116:], d.start)
	binary.LittleEndian.PutUint64(b[120:], d.size)
}

func pad(b []byte, n int) []byte {
	if r := len(b) % n; r != 0 {
		return append(slices.Clone(b), make([]byte, n-r)...)
	}
	return b
}

// The edits below work on files CFB wrote (no DIFAT sectors) and return a
// changed copy.

// fat reads the FAT of file.
func fat(file []byte) []uint32 {
	var out []uint32
	for i := range int(binary.LittleEndian.Uint32(file[44:])) {
		s := binary.LittleEndian.Uint32(file[76+i*4:])
		off := int(s+1) * sectorSize
		for j := 0; j < sectorSize; j += 4 {
			out = append(out, binary.LittleEndian.Uint32(file[off+j:]))
		}
	}
	return out
}

// dirSectors lists the directory's sectors.
func dirSectors(file []byte) []uint32 {
	f := fat(file)
	var out []uint32
	for s := binary.LittleEndian.Uint32(file[48:]); s != EndOfChain && len(out) < len(f); s = f[s] {
		out = append(out, s)
	}
	return out
}

// setFAT sets the FAT's entry for sector s to next.
func setFAT(file []byte, s, next uint32) {
	fs := binary.LittleEndian.Uint32(file[76+int(s)/(sectorSize/4)*4:])
	binary.LittleEndian.PutUint32(file[int(fs+1)*sectorSize+int(s)%(sectorSize/4)*4:], next)
}

// entries are the offsets of the directory entries named name.
func entries(file []byte, name string) []int {
	var out []int
	for _, s := range dirSectors(file) {
		for e := int(s+1) * sectorSize; e < int(s+2)*sectorSize; e += 128 {
			n := int(binary.LittleEndian.Uint16(file[e+64:]))/2 - 1
			if n < 0 || n > 31 {
				continue
			}
			u := make([]uint16, n)
			for i := range u {
				u[i] = binary.LittleEndian.Uint16(file[e+i*2:])
			}
			if string(utf16.Decode(u)) == name {
				out = append(out, e)
			}
		}
	}
	return out
}

// SetStreamSize makes the directory entry of every stream named name say
// it holds size bytes.
func SetStreamSize(file []byte, name string, size uint64) []byte {
	file = slices.Clone(file)
	for _, e := range entries(file, name) {
		binary.LittleEndian.PutUint64(file[e+120:], size)
	}
	return file
}

// CycleDirectory links the directory's last sector back to its first.
func CycleDirectory(file []byte) []byte {
	file = slices.Clone(file)
	ds := dirSectors(file)
	setFAT(file, ds[len(ds)-1], ds[0])
	return file
}

// LoopStream makes the first sector of the large stream named name lead to
// itself, and the stream say it holds size bytes: a reader that follows the
// chain without counting reads that one sector over and over.
func LoopStream(file []byte, name string, size uint64) []byte {
	file = slices.Clone(file)
	for _, e := range entries(file, name) {
		if binary.LittleEndian.Uint64(file[e+120:]) < miniCutoff {
			continue // in the mini stream
		}
		binary.LittleEndian.PutUint64(file[e+120:], size)
		start := binary.LittleEndian.Uint32(file[e+116:])
		setFAT(file, start, start)
	}
	return file
}

// ShareStream points every stream named name at the sectors of the
// largest one: many directory entries, one copy of the bytes.
func ShareStream(file []byte, name string) []byte {
	file = slices.Clone(file)
	es := entries(file, name)
	big := -1
	for _, e := range es {
		if big < 0 || binary.LittleEndian.Uint64(file[e+120:]) > binary.LittleEndian.Uint64(file[big+120:]) {
			big = e
		}
	}
	for _, e := range es {
		copy(file[e+116:e+128], file[big+116:big+128])
	}
	return file
}
