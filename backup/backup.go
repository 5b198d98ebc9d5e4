// Package backup is the file format of an office's backup: one file,
// encrypted and self-checking, written as a stream and read as one.
//
//	"FPBACKUP"                 8 bytes, the magic
//	header length              uint32, big-endian (at most 1 MiB)
//	header                     JSON: Header (format, a random id, when, schema, version, key slots)
//	SHA-256 of the three above 32 bytes: damage to the header is told from a wrong key
//	frames, until the end frame:
//	  kind                     'D' (data) or 'E' (the last one)
//	  length                   uint32, big-endian (at most Chunk + vault.Overhead)
//	  sealed chunk             vault.Seal(key, chunk, AAD)
//
// Each chunk's associated data is the header's SHA-256, the chunk's index
// and its kind: a changed header, a chunk moved, dropped or taken from
// another backup (another random id, another header hash), a file cut after
// any chunk or with bytes added after the end frame does not read.
//
// The chunks' plaintext, taken together, is a stream of records:
//
//	'K' key value              one key/value of the storage contract
//	'N' name uint64            one named sequence's last number
//	'F' name data sha256       one attachment's bytes (as stored), and their SHA-256
//	'X' name data sha256       one other file of the office (the stamp key)
//	'Z' counts                 how many of each came before: the end
//
// (strings and byte strings are a uvarint length and the bytes.) The
// package knows nothing of the office: the workflow chooses what goes in,
// the key and the key slots that open it.
package backup

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Magic begins every backup file.
const Magic = "FPBACKUP"

// Format is the version of the layout this package writes and reads.
const Format = 1

// ChunkSize is the plaintext of one chunk (the header says it: tests
// write smaller ones to have many).
var ChunkSize = 1 << 20

const (
	maxHeader  = 1 << 20
	maxChunk   = 16 << 20
	maxKey     = 64 << 10
	maxValue   = 2 * fp.MaxValueBytes
	maxName    = 1 << 10
	maxFile    = 1 << 30
	idSize     = 16
	headerHash = sha256.Size
)

// Header is what a backup says of itself in the clear: no personal data,
// only what is needed to open it and to tell whether this Fieldprint can.
type Header struct {
	Format    int       `json:"format"`
	ID        []byte    `json:"id"` // random: binds the chunks to this file
	Created   time.Time `json:"created"`
	Schema    int       `json:"schema"`     // the key layout's version
	Version   string    `json:"fieldprint"` // the Fieldprint that wrote it
	ChunkSize int       `json:"chunk"`
	// Slots wrap the key the chunks are sealed with (opaque names chosen by
	// the workflow: the recovery slot, administrators' password slots).
	Slots map[string]vault.Slot `json:"slots"`
	// Kind is what was backed up: "" an office (a desk's database),
	// KindServer an office server's folder (etcdstore/server).
	Kind string `json:"kind,omitempty"`
}

// KindServer is the Kind of an office server's backup.
const KindServer = "office-server"

// Counts is what the end record says the stream held.
type Counts struct {
	Keys, Sequences, Files, Extras uint64
	// FileBytes is the attachments' bytes.
	FileBytes uint64
}

// damaged is the error for a backup file that cannot be read: damaged, cut short, altered or
// not a backup. Its message says which, for people.
func damaged(format string, a ...any) error {
	return fp.Errorf(fp.EINVALID, "this backup file cannot be used: "+format+"; nothing was changed. Use another backup (the one before it)", a...)
}

// ErrNotBackup is a file that is not a Fieldprint backup at all.
var ErrNotBackup = fp.Errorf(fp.EINVALID, "this file is not a Fieldprint backup (its first bytes say otherwise): choose the backup file, named fieldprint-backup-….fpbackup")

// Writer writes one backup: the header, then records, sealed chunk by chunk.
type Writer struct {
	w      io.Writer
	key    vault.Key
	hash   [headerHash]byte
	buf    []byte
	index  uint64
	counts Counts
	err    error
	closed bool
}

// NewWriter writes h's header (with a fresh random id, the format and chunk
// size set) to w, and returns the writer of its records, sealed with key.
func NewWriter(w io.Writer, h Header, key *vault.Key) (*Writer, error) {
	h.Format, h.ChunkSize = Format, ChunkSize
	h.ID = make([]byte, idSize)
	if _, err := rand.Read(h.ID); err != nil {
		return nil, err
	}
	h.Created = h.Created.UTC().Round(time.Second)
	js, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	head.WriteString(Magic)
	binary.Write(&head, binary.BigEndian, uint32(len(js)))
	head.Write(js)
	sum := sha256.Sum256(head.Bytes())
	head.Write(sum[:])
	if _, err := w.Write(head.Bytes()); err != nil {
		return nil, err
	}
	return &Writer{w: w, key: *key, hash: sum, buf: make([]byte, 0, ChunkSize)}, nil
}

func chunkAAD(hash [headerHash]byte, index uint64, kind byte) []byte {
	a := append([]byte("fieldprint backup chunk "), hash[:]...)
	a = binary.BigEndian.AppendUint64(a, index)
	return append(a, kind)
}

func (w *Writer) frame(kind byte) error {
	sealed := vault.Seal(&w.key, w.buf, chunkAAD(w.hash, w.index, kind))
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(sealed)))
	w.index++
	w.buf = w.buf[:0]
	if _, err := w.w.Write(head[:]); err != nil {
		return err
	}
	_, err := w.w.Write(sealed)
	return err
}

// write adds p to the stream, sealing each full chunk.
func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("backup: write after Close")
	}
	for len(p) > 0 {
		n := min(len(p), ChunkSize-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		p = p[n:]
		if len(w.buf) == ChunkSize {
			if w.err = w.frame('D'); w.err != nil {
				return w.err
			}
		}
	}
	return nil
}

func (w *Writer) bytes(tag byte, parts ...[]byte) error {
	var head [1 + binary.MaxVarintLen64]byte
	head[0] = tag
	n := 1
	for i, p := range parts {
		n += binary.PutUvarint(head[n:], uint64(len(p)))
		if i == 0 {
			if err := w.write(head[:n]); err != nil {
				return err
			}
		} else if err := w.write(head[1:n]); err != nil {
			return err
		}
		if err := w.write(p); err != nil {
			return err
		}
		n = 1
	}
	return nil
}

// Put adds one key/value.
func (w *Writer) Put(key, value []byte) error {
	w.counts.Keys++
	return w.bytes('K', key, value)
}

// Sequence adds one named sequence's last number.
func (w *Writer) Sequence(name string, n uint64) error {
	w.counts.Sequences++
	if err := w.bytes('N', []byte(name)); err != nil {
		return err
	}
	return w.write(binary.BigEndian.AppendUint64(nil, n))
}

// File adds one attachment's stored bytes under its name.
func (w *Writer) File(name string, data []byte) error {
	w.counts.Files++
	w.counts.FileBytes += uint64(len(data))
	return w.file('F', name, data)
}

// Extra adds another file of the office (the stamp key) under a name.
func (w *Writer) Extra(name string, data []byte) error {
	w.counts.Extras++
	return w.file('X', name, data)
}

func (w *Writer) file(tag byte, name string, data []byte) error {
	if err := w.bytes(tag, []byte(name), data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	return w.write(sum[:])
}

// Counts is what was written so far.
func (w *Writer) Counts() Counts { return w.counts }

// Close writes the end record and the last chunk. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	c := w.counts
	var end []byte
	end = append(end, 'Z')
	for _, n := range []uint64{c.Keys, c.Sequences, c.Files, c.Extras, c.FileBytes} {
		end = binary.BigEndian.AppendUint64(end, n)
	}
	if err := w.write(end); err != nil {
		return err
	}
	w.closed = true
	if w.err = w.frame('E'); w.err != nil {
		return w.err
	}
	w.key.Wipe()
	return nil
}

// ReadHeader reads and checks a backup's header (no key needed). It returns
// the header and its hash (what the chunks are bound to).
func ReadHeader(r io.Reader) (*Header, [headerHash]byte, error) {
	var hash [headerHash]byte
	head := make([]byte, len(Magic)+4)
	if _, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, hash, ErrNotBackup
		}
		return nil, hash, err
	}
	if string(head[:len(Magic)]) != Magic {
		return nil, hash, ErrNotBackup
	}
	n := binary.BigEndian.Uint32(head[len(Magic):])
	if n == 0 || n > maxHeader {
		return nil, hash, damaged("its header is damaged (a length of %d bytes)", n)
	}
	js := make([]byte, int(n)+headerHash)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, hash, damaged("it is cut short inside its header")
	}
	h := sha256.New()
	h.Write(head)
	h.Write(js[:n])
	h.Sum(hash[:0])
	if !bytes.Equal(hash[:], js[n:]) {
		return nil, hash, damaged("its header is damaged (its checksum does not match)")
	}
	var hd Header
	if err := json.Unmarshal(js[:n], &hd); err != nil {
		return nil, hash, damaged("its header cannot be read")
	}
	switch {
	case hd.Format > Format:
		return nil, hash, fp.Errorf(fp.EINVALID, "this backup was written by a newer Fieldprint (%s, backup format %d; this one reads %d): restore it with that version or newer", hd.Version, hd.Format, Format)
	case hd.Format < 1 || len(hd.ID) != idSize || hd.ChunkSize < 1 || hd.ChunkSize > maxChunk:
		return nil, hash, damaged("its header is not one Fieldprint writes")
	}
	return &hd, hash, nil
}

// Reader reads the records of a backup whose header was read.
type Reader struct {
	c      *chunks
	br     *bufio.Reader
	counts Counts
	done   bool
}

// NewReader reads the records after the header h (hash from ReadHeader)
// from r, opening each chunk with key.
func NewReader(r io.Reader, h *Header, hash [headerHash]byte, key *vault.Key) *Reader {
	c := &chunks{r: r, key: *key, hash: hash, max: h.ChunkSize + vault.Overhead}
	return &Reader{c: c, br: bufio.NewReaderSize(c, 64<<10)}
}

// Record is one record of the stream.
type Record struct {
	Kind  byte   // 'K', 'N', 'F', 'X'
	Key   []byte // K: the key; N, F, X: the name
	Value []byte // K: the value; F, X: the bytes
	N     uint64 // N: the number
}

// Next returns the next record; io.EOF after the end record, once the end
// frame was read and nothing follows it and the counts match. Any other
// error says what is wrong with the file.
func (r *Reader) Next() (Record, error) {
	if r.done {
		return Record{}, io.EOF
	}
	tag, err := r.br.ReadByte()
	if err != nil {
		return Record{}, r.streamErr(err)
	}
	var rec Record
	switch tag {
	case 'K':
		if rec.Key, err = r.field(maxKey); err == nil {
			rec.Value, err = r.field(maxValue)
		}
		r.counts.Keys++
	case 'N':
		if rec.Key, err = r.field(maxName); err == nil {
			var b [8]byte
			_, err = io.ReadFull(r.br, b[:])
			rec.N = binary.BigEndian.Uint64(b[:])
		}
		r.counts.Sequences++
	case 'F', 'X':
		if rec.Key, err = r.field(maxName); err == nil {
			rec.Value, err = r.field(maxFile)
		}
		if err == nil {
			var sum [sha256.Size]byte
			if _, err = io.ReadFull(r.br, sum[:]); err == nil && sha256.Sum256(rec.Value) != sum {
				return rec, damaged("a stored file in it does not match its SHA-256")
			}
		}
		if tag == 'F' {
			r.counts.Files++
			r.counts.FileBytes += uint64(len(rec.Value))
		} else {
			r.counts.Extras++
		}
	case 'Z':
		return rec, r.end()
	default:
		return rec, damaged("its content is not in order (record %q)", tag)
	}
	if err != nil {
		return rec, r.streamErr(err)
	}
	rec.Kind = tag
	return rec, nil
}

func (r *Reader) field(limit int) ([]byte, error) {
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, err
	}
	if n > uint64(limit) {
		return nil, damaged("its content is not in order (a length of %d bytes)", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r.br, b)
	return b, err
}

// end checks the end record against what was read, and that the end frame
// was the last thing in the file.
func (r *Reader) end() error {
	var b [5 * 8]byte
	if _, err := io.ReadFull(r.br, b[:]); err != nil {
		return r.streamErr(err)
	}
	var want Counts
	for i, p := range []*uint64{&want.Keys, &want.Sequences, &want.Files, &want.Extras, &want.FileBytes} {
		*p = binary.BigEndian.Uint64(b[8*i:])
	}
	if want != r.counts {
		return damaged("it does not hold what its end says (%d of %d keys, %d of %d files)", r.counts.Keys, want.Keys, r.counts.Files, want.Files)
	}
	if _, err := r.br.ReadByte(); err != io.EOF {
		if err == nil {
			return damaged("its content goes on after its end")
		}
		return r.streamErr(err)
	}
	r.done = true
	return io.EOF
}

// streamErr words an error met reading the stream.
func (r *Reader) streamErr(err error) error {
	var fe *fp.Error
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return damaged("its content ends before its end record")
	}
	return err
}

// Counts is what was read so far.
func (r *Reader) Counts() Counts { return r.counts }

// Offset is how many bytes of the file after the header were read (for a
// progress bar).
func (r *Reader) Offset() int64 { return r.c.offset }

// chunks reads the frames and gives their plaintext.
type chunks struct {
	r      io.Reader
	key    vault.Key
	hash   [headerHash]byte
	max    int
	index  uint64
	plain  []byte
	last   bool // the end frame was read
	offset int64
}

func (c *chunks) Read(p []byte) (int, error) {
	for len(c.plain) == 0 {
		if c.last {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.plain)
	c.plain = c.plain[n:]
	return n, nil
}

func (c *chunks) next() error {
	var head [5]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return damaged("it is cut short after %d chunks (an interrupted copy, or a full disk when it was written)", c.index)
		}
		return err
	}
	kind, n := head[0], binary.BigEndian.Uint32(head[1:])
	if (kind != 'D' && kind != 'E') || n < vault.Overhead || int64(n) > int64(c.max) {
		return damaged("chunk %d is damaged", c.index+1)
	}
	sealed := make([]byte, n)
	if _, err := io.ReadFull(c.r, sealed); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return damaged("it is cut short inside chunk %d (an interrupted copy, or a full disk when it was written)", c.index+1)
		}
		return err
	}
	plain, err := vault.Open(&c.key, sealed, chunkAAD(c.hash, c.index, kind))
	if err != nil {
		return damaged("chunk %d is damaged, altered, or out of its place", c.index+1)
	}
	c.offset += int64(len(head)) + int64(n)
	c.index++
	c.plain, c.last = plain, kind == 'E'
	if c.last {
		// Nothing may follow the end frame.
		var one [1]byte
		if k, _ := io.ReadFull(c.r, one[:]); k > 0 {
			return damaged("bytes were added after its end")
		}
	}
	return nil
}
