package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
)

// A file sealed with a passphrase (an export someone asked to encrypt):
//
//	"FPSEALED1\n"
//	header length   uint32, big-endian (at most 4 KiB)
//	header          JSON: {"slot": a password Slot wrapping the file's key}
//	body            Seal(file key, data, fileAAD)
//
// The file's key is random; the passphrase only unwraps it (argon2id, the
// slot's cost), so the same passphrase never keys two files.

// FileMagic begins a file sealed with a passphrase.
const FileMagic = "FPSEALED1\n"

const (
	maxFileHeader = 4 << 10
	fileSlotAAD   = "fieldprint sealed file"
	fileBodyAAD   = "fieldprint sealed file body"
)

// ErrNotSealedFile: the data does not begin like a sealed file.
var ErrNotSealedFile = errors.New("this is not a file sealed with a passphrase")

// ErrDamagedFile: a sealed file cut short or altered.
var ErrDamagedFile = errors.New("the sealed file is damaged or cut short")

// IsSealedFile reports whether data begins like a file SealFile made.
func IsSealedFile(data []byte) bool { return bytes.HasPrefix(data, []byte(FileMagic)) }

// SealFile encrypts data under a new key wrapped with passphrase at cost c.
func SealFile(data []byte, passphrase string, c Cost) ([]byte, error) {
	k, err := NewKey()
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	slot, err := PasswordSlot(&k, passphrase, c, []byte(fileSlotAAD))
	if err != nil {
		return nil, err
	}
	h, err := json.Marshal(struct {
		Slot Slot `json:"slot"`
	}{slot})
	if err != nil {
		return nil, err
	}
	out := append([]byte(FileMagic), binary.BigEndian.AppendUint32(nil, uint32(len(h)))...)
	out = append(out, h...)
	return append(out, Seal(&k, data, []byte(fileBodyAAD))...), nil
}

// OpenFile decrypts a file SealFile made: ErrNotSealedFile, ErrDamagedFile
// or ErrWrongSecret when it cannot.
func OpenFile(file []byte, passphrase string) ([]byte, error) {
	if !IsSealedFile(file) {
		return nil, ErrNotSealedFile
	}
	rest := file[len(FileMagic):]
	if len(rest) < 4 {
		return nil, ErrDamagedFile
	}
	n := binary.BigEndian.Uint32(rest)
	if n > maxFileHeader || int(n) > len(rest)-4 {
		return nil, ErrDamagedFile
	}
	var h struct {
		Slot Slot `json:"slot"`
	}
	if err := json.Unmarshal(rest[4:4+n], &h); err != nil {
		return nil, ErrDamagedFile
	}
	c := h.Slot.Cost
	// A cost far above what Fieldprint writes (19 MiB, 2 passes) is not a
	// file it wrote, and must not make opening it take a machine's memory.
	if c.MemoryKiB > 256<<10 || c.Time > 16 || c.Threads > 16 {
		return nil, ErrDamagedFile
	}
	k, err := h.Slot.OpenPassword(passphrase, []byte(fileSlotAAD))
	if err != nil {
		return nil, ErrWrongSecret
	}
	defer k.Wipe()
	plain, err := Open(&k, rest[4+n:], []byte(fileBodyAAD))
	if err != nil {
		return nil, ErrDamagedFile
	}
	return plain, nil
}
