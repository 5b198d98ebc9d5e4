package workflow

import (
	"encoding/binary"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Schema is the version of the key layout this build writes (continuing the
// numbers of the bbolt bucket layout it replaced at 7).
const Schema = 10

// KeyFileBeside is where a store kept in the file path keeps the stamp
// signing key: beside it, never inside the database it signs for.
func KeyFileBeside(path string) string { return path + "-stamp.key" }

// New runs the office's workflow on s, with attachments' bytes in files and
// the stamp signing key in the file keyFile; where names the data in
// messages ("the database …"). A new, empty store gets the current layout; a
// store written by a newer Fieldprint is refused.
func New(s fp.Storage, files Files, keyFile, where string) (*Desk, error) {
	d := &Desk{s: s, files: files, KeyFile: keyFile, where: where, Now: time.Now, MaxFileBytes: fp.MaxAttachmentBytes, wait: time.Sleep}
	d.reqKeys.backing = spaceKeys{d} // an office server's; a desk's own file: UseKeyFile
	if err := d.view(func(tx *tx) error {
		if k, _ := auditHead(tx); len(k) == 8 {
			d.cp.openHead = binary.BigEndian.Uint64(k)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if v := d.Version(); v > Schema {
		return nil, fp.Errorf(fp.EINVALID, "%s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", where, v, Schema)
	} else if v == Schema { // up to date: nothing is written (but the audit's order, once)
		if err := d.measureAuditOrder(); err != nil {
			return nil, err
		}
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
		case binary.BigEndian.Uint64(v) < Schema:
			return fp.Errorf(fp.EINVALID, "%s has schema %d: it is upgraded by the store that keeps it (store.Open for a file), not here", where, binary.BigEndian.Uint64(v))
		case binary.BigEndian.Uint64(v) > Schema:
			return fp.Errorf(fp.EINVALID, "%s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", where, binary.BigEndian.Uint64(v), Schema)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := d.measureAuditOrder(); err != nil {
		return nil, err
	}
	if err := d.loadZone(); err != nil {
		return nil, err
	}
	return d, nil
}

var kSchema = []byte("schema")

// measureAuditOrder writes meta/audit-order for a store written before it
// existed, from one walk of the audit trail; a store that has it is left
// alone.
func (d *Desk) measureAuditOrder() error {
	known := false
	if err := d.view(func(tx *tx) error { _, known = readAuditOrder(tx); return nil }); err != nil || known {
		return err
	}
	return d.update(func(tx *tx) error {
		if _, known := readAuditOrder(tx); known {
			return nil // another desk measured it
		}
		o, err := measureAuditOrder(tx)
		if err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kAuditOrder, o.encode())
	})
}

// Close writes the session's last signed checkpoint (when the office has
// a checkpoint folder) and closes the store.
func (db *Desk) Close() error {
	db.sweeping.Wait()
	db.checkpointOnClose()
	return db.s.Close()
}

// UseServerDesk says that the store is an office server's, shared with
// other desks, and that this desk is name there (its certificate's name):
// every audit entry written here names it, a conflict names the desk that
// changed a request first, and the search index in memory follows the
// other desks' changes (memindex.go). Call it before anyone signs in.
func (db *Desk) UseServerDesk(name string) { db.deskName = name }

// DeskName is this desk's name on an office server ("" on one desk's own
// file).
func (db *Desk) DeskName() string { return db.deskName }

// shared: other desks write the same store.
func (db *Desk) shared() bool { return db.deskName != "" }

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
	db.sweeping.Wait() // what a crash left is swept before it is counted
	var errs []error
	err := db.view(func(tx *tx) error {
		if tx.officeHasKeys() && !tx.rk.ok && tx.Bucket(bRequests).Count() > 0 {
			errs = append(errs, fp.Errorf(fp.EFORBIDDEN, "the office's records are encrypted: sign in to check them (in the command line: FIELDPRINT_USER=NAME fieldprint check)"))
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
