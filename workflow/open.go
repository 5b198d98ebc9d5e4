package workflow

import (
	"encoding/binary"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Schema is the version of the key layout this build writes (continuing the
// numbers of the bbolt bucket layout it replaced at 7).
const Schema = 8

// upgrades move the key space from version-1 to version, each in the
// transaction that records the new version. Frozen like store's migrations:
// never edit one that has shipped, add another.
var upgrades = []struct {
	version int
	name    string
	apply   func(tx *tx) error
}{
	// The office data key's slots live in keys/, which older builds do not
	// know: one of them changing a password would leave the old password's
	// slot behind. The version keeps them out; nothing stored changes.
	{8, "office data key slots", func(*tx) error { return nil }},
}

// Upgrades is how many versions the key space has had since the move from
// the bucket layout (store's guard counts them against its tests).
func Upgrades() int { return len(upgrades) }

// KeyFileBeside is where a store kept in the file path keeps the stamp
// signing key: beside it, never inside the database it signs for.
func KeyFileBeside(path string) string { return path + "-stamp.key" }

// New runs the office's workflow on s, with attachments' bytes in files and
// the stamp signing key in the file keyFile; where names the data in
// messages ("the database …"). A new, empty store gets the current layout; a
// store written by a newer Fieldprint is refused.
func New(s fp.Storage, files Files, keyFile, where string) (*Desk, error) {
	d := &Desk{s: s, files: files, KeyFile: keyFile, where: where, Now: time.Now, MaxFileBytes: fp.MaxAttachmentBytes, wait: time.Sleep}
	if v := d.Version(); v > Schema {
		return nil, fp.Errorf(fp.EINVALID, "%s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", where, v, Schema)
	} else if v == Schema { // up to date: nothing is written
		if err := d.loadZone(); err != nil {
			return nil, err
		}
		return d, nil
	}
	err := d.update(func(tx *tx) error {
		m := tx.Bucket(bMeta)
		v := m.Get(kSchema)
		switch {
		case v == nil:
			return m.Put(kSchema, u64(Schema))
		case len(v) != 8:
			return fp.Internal("the schema version cannot be read", errReadOnly)
		case binary.BigEndian.Uint64(v) > Schema:
			return fp.Errorf(fp.EINVALID, "%s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", where, binary.BigEndian.Uint64(v), Schema)
		}
		from := binary.BigEndian.Uint64(v)
		for _, up := range upgrades {
			if uint64(up.version) > from {
				if err := up.apply(tx); err != nil {
					return fp.Internal("the database cannot be upgraded ("+up.name+")", err)
				}
			}
		}
		return m.Put(kSchema, u64(Schema))
	})
	if err != nil {
		return nil, err
	}
	if err := d.loadZone(); err != nil {
		return nil, err
	}
	return d, nil
}

var kSchema = []byte("schema")

// Close closes the store.
func (db *Desk) Close() error { return db.s.Close() }

// Where names the office's data in messages.
func (db *Desk) Where() string { return db.where }

// SetClock replaces Now (nil keeps it) and returns the clock it replaced.
// Only the demo uses it, before anyone signs in: Now is not guarded.
func (db *Desk) SetClock(c fp.Clock) fp.Clock {
	old := db.Now
	if c != nil {
		db.Now = c
	}
	return old
}

// Check verifies every index against the records and every file reference
// against the stored files. It returns every problem found.
func (db *Desk) Check() []error {
	var errs []error
	err := db.view(func(tx *tx) error {
		if tx.officeHasKeys() && !tx.seal.ok && tx.Bucket(bRequests).Count() > 0 {
			errs = append(errs, fp.Errorf(fp.EFORBIDDEN, "the office's records are encrypted: sign in to check them (fieldprint check --user NAME)"))
			return nil
		}
		errs = append(errs, checkIndexes(tx, db.today())...)
		errs = append(errs, db.checkFiles(tx)...)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

// Version is the layout version the store holds.
func (db *Desk) Version() (v int) {
	db.view(func(tx *tx) error {
		if b := tx.Bucket(bMeta).Get(kSchema); len(b) == 8 {
			v = int(binary.BigEndian.Uint64(b))
		}
		return nil
	})
	return v
}
