// Package vault holds the office's key hierarchy's cryptography: the office
// data key, key slots that wrap it under a key derived from a password
// (argon2id) or from the recovery key, and sealing with an authenticated
// cipher (XChaCha20-Poly1305, random nonces, associated data bound). It
// stores nothing and decides no rule: the workflow keeps the slots and says
// who may unlock.
package vault

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of every key here (256 bits).
const KeySize = 32

// Key is a symmetric key. The zero Key is "no key".
type Key [KeySize]byte

// IsZero reports whether k is the zero Key.
func (k *Key) IsZero() bool { return subtle.ConstantTimeCompare(k[:], make([]byte, KeySize)) == 1 }

// Wipe overwrites k (a forgotten key should not stay in memory longer than
// the garbage collector keeps it).
func (k *Key) Wipe() { clear(k[:]) }

// NewKey returns a random key.
func NewKey() (Key, error) {
	var k Key
	_, err := rand.Read(k[:])
	return k, err
}

// sealVersion is the first byte of every sealed value: the cipher and layout,
// so another can follow without guessing.
const sealVersion = 1

// Overhead is what Seal adds to a plaintext: version, nonce and tag.
const Overhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// ErrOpen is any sealed value that does not open: a wrong key, damage, or
// associated data that does not match (a value moved to another record).
var ErrOpen = errors.New("the value does not open with this key: wrong key, or damaged or moved")

// Seal encrypts and authenticates plain under k; aad (for example the
// record's key) is authenticated, not stored.
func Seal(k *Key, plain, aad []byte) []byte {
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		panic(err) // only for a key of the wrong size: Key's size is fixed
	}
	out := make([]byte, 1+aead.NonceSize(), Overhead+len(plain))
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return aead.Seal(out, out[1:], plain, aad)
}

// Open checks and decrypts a value made by Seal with the same k and aad.
func Open(k *Key, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	aead, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, ErrOpen
	}
	n := 1 + aead.NonceSize()
	plain, err := aead.Open(nil, sealed[1:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// Derive returns a key for one purpose from k (HKDF-SHA256), so one office
// key can key a cipher, a keyed hash for indexes and a backup without reuse.
func Derive(k *Key, purpose string) Key {
	b, err := hkdf.Key(sha256.New, k[:], nil, purpose, KeySize)
	if err != nil {
		panic(err) // only for lengths out of range
	}
	var out Key
	copy(out[:], b)
	return out
}

// Cost is the argon2id work of a password slot. A slot keeps the cost it
// was made with.
type Cost struct {
	MemoryKiB uint32 `json:"m"`
	Time      uint32 `json:"t"`
	Threads   uint8  `json:"p"`
}

// Slot is the office key wrapped once: under a password (Salt and Cost set)
// or under the recovery key.
type Slot struct {
	Salt    []byte `json:"salt,omitempty"`
	Cost    Cost   `json:"cost,omitzero"`
	Wrapped []byte `json:"wrapped"`
}

// ErrWrongSecret is a slot that does not open with the password or recovery
// key given.
var ErrWrongSecret = errors.New("the password or recovery key does not open this key slot")

func passwordKEK(pw string, salt []byte, c Cost) Key {
	var k Key
	copy(k[:], argon2.IDKey([]byte(pw), salt, c.Time, c.MemoryKiB, c.Threads, KeySize))
	return k
}

// PasswordSlot wraps office under a key derived from password; aad names
// the slot (its account), so a slot copied to another account does not open.
func PasswordSlot(office *Key, password string, c Cost, aad []byte) (Slot, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Slot{}, err
	}
	kek := passwordKEK(password, salt, c)
	defer kek.Wipe()
	return Slot{Salt: salt, Cost: c, Wrapped: Seal(&kek, office[:], aad)}, nil
}

// OpenPassword unwraps a password slot.
func (s Slot) OpenPassword(password string, aad []byte) (Key, error) {
	if len(s.Salt) == 0 || s.Cost.Time == 0 || s.Cost.MemoryKiB == 0 || s.Cost.Threads == 0 {
		return Key{}, ErrWrongSecret
	}
	kek := passwordKEK(password, s.Salt, s.Cost)
	defer kek.Wipe()
	return s.open(&kek, aad)
}

func (s Slot) open(kek *Key, aad []byte) (Key, error) {
	b, err := Open(kek, s.Wrapped, aad)
	if err != nil || len(b) != KeySize {
		return Key{}, ErrWrongSecret
	}
	var k Key
	copy(k[:], b)
	clear(b)
	return k, nil
}

// RecoverySlot wraps office under the recovery key r.
func RecoverySlot(office *Key, r RecoveryKey, aad []byte) Slot {
	kek := r.kek()
	defer kek.Wipe()
	return Slot{Wrapped: Seal(&kek, office[:], aad)}
}

// OpenRecovery unwraps a recovery slot.
func (s Slot) OpenRecovery(r RecoveryKey, aad []byte) (Key, error) {
	kek := r.kek()
	defer kek.Wipe()
	return s.open(&kek, aad)
}

// RecoveryKey is the secret printed once at setup and kept in the office's
// safe: 160 random bits and a 40-bit check, written as ten groups of four
// letters and digits (base32: no 0/1/8 to confuse with O/I/B).
type RecoveryKey struct{ secret [20]byte }

const recoveryCheck = 5

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryKey returns a random recovery key.
func NewRecoveryKey() (RecoveryKey, error) {
	var r RecoveryKey
	_, err := rand.Read(r.secret[:])
	return r, err
}

func (r RecoveryKey) check() []byte {
	sum := sha256.Sum256(append([]byte("fieldprint recovery key check"), r.secret[:]...))
	return sum[:recoveryCheck]
}

// String is the key as printed: XXXX-XXXX-… (ten groups).
func (r RecoveryKey) String() string {
	s := recoveryEncoding.EncodeToString(append(r.secret[:], r.check()...))
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// kek is the recovery key's wrapping key. 160 random bits need no slow
// derivation (nothing to guess), only an HKDF to the cipher's size.
func (r RecoveryKey) kek() Key {
	b, err := hkdf.Key(sha256.New, r.secret[:], nil, "fieldprint recovery slot", KeySize)
	if err != nil {
		panic(err)
	}
	var k Key
	copy(k[:], b)
	return k
}

// ErrRecoveryKey is text that is not a recovery key: a letter missing, one
// too many, or a typing mistake the check catches.
var ErrRecoveryKey = errors.New("this is not the recovery key as printed: check each group of four (letters A–Z and digits 2–7) and type it again")

// ParseRecoveryKey reads a recovery key as typed: any case, with or without
// the dashes and spaces, 0/1/8 read as O/I/B.
func ParseRecoveryKey(s string) (RecoveryKey, error) {
	s = strings.Map(func(c rune) rune {
		switch {
		case c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return -1
		case c >= 'a' && c <= 'z':
			return c - 'a' + 'A'
		case c == '0':
			return 'O'
		case c == '1':
			return 'I'
		case c == '8':
			return 'B'
		}
		return c
	}, s)
	var r RecoveryKey
	if len(s) != recoveryEncoding.EncodedLen(len(r.secret)+recoveryCheck) {
		return r, ErrRecoveryKey
	}
	b, err := recoveryEncoding.DecodeString(s)
	if err != nil || len(b) != len(r.secret)+recoveryCheck {
		return r, ErrRecoveryKey
	}
	copy(r.secret[:], b)
	if subtle.ConstantTimeCompare(r.check(), b[len(r.secret):]) != 1 {
		return RecoveryKey{}, ErrRecoveryKey
	}
	return r, nil
}
