package workflow

import (
	"errors"
	"unicode/utf8"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// An export holds applicants' data: whoever asks may have it sealed with a
// passphrase (vault.SealFile: XChaCha20-Poly1305 under a random key the
// passphrase unwraps through argon2id), to carry on a USB drive or send.
// `fieldprint decrypt` and the import open it with the same passphrase.

// MinPassphrase is the shortest passphrase an export is sealed with.
const MinPassphrase = 12

// SealExport seals data with passphrase.
func SealExport(data []byte, passphrase string) ([]byte, error) {
	if utf8.RuneCountInString(passphrase) < MinPassphrase {
		return nil, fp.Errorf(fp.EINVALID, "the passphrase must be at least %d characters: several words are easiest to type and to say", MinPassphrase)
	}
	out, err := vault.SealFile(data, passphrase, slotCost())
	if err != nil {
		return nil, fp.Internal("the export could not be encrypted", err)
	}
	return out, nil
}

// IsSealedExport reports whether data is an export sealed with a passphrase.
func IsSealedExport(data []byte) bool { return vault.IsSealedFile(data) }

// OpenExport opens an export SealExport made.
func OpenExport(data []byte, passphrase string) ([]byte, error) {
	plain, err := vault.OpenFile(data, passphrase)
	switch {
	case err == nil:
		return plain, nil
	case errors.Is(err, vault.ErrWrongSecret):
		return nil, fp.Errorf(fp.EFORBIDDEN, "this passphrase does not open the file: ask whoever exported it for the passphrase they chose")
	case errors.Is(err, vault.ErrNotSealedFile):
		return nil, fp.Errorf(fp.EINVALID, "this file is not an encrypted Fieldprint export")
	default:
		return nil, fp.Errorf(fp.EINVALID, "the encrypted export is damaged or cut short: export it again")
	}
}
