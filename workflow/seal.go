package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Encryption at rest sits here, in the workflow's encoding of what it
// stores, so every backend only ever receives ciphertext. Once the office
// has its data key, request records, queue summaries, the search
// identities (memindex.go), audit details, stamped notices' records, the
// records of messages taken in and the attached files are sealed
// (vault.Seal) under a key derived from the office key, each bound to its
// place: the record's full key, the entry's sequence, the file's SHA-256.
// A value written before the key existed is JSON (it begins with '{') and
// is read as it is until SealExisting seals it; a sealed value begins with
// vault's version byte.

// kSealed in meta/: every record and file was sealed (SealExisting ran, or
// the key was made before there was any); from then on the check reports a
// record in the clear.
var kSealed = []byte("sealed")

// fileMagic begins a sealed file: a scan's own bytes (a PDF, an image, a
// message) may begin with anything, so one byte would not tell.
var fileMagic = []byte("FPSEAL1\n")

// sealedFileOverhead is what sealing adds to a file's size.
const sealedFileOverhead = 8 + vault.Overhead

// sealer is the records key of one transaction (ok false: locked).
type sealer struct {
	k  vault.Key
	h  vault.Key // keys the hashes of identifiers (duplicates: memindex.go)
	ok bool
}

func (db *Desk) sealer() sealer {
	db.keyMu.RLock()
	defer db.keyMu.RUnlock()
	if db.officeKey.IsZero() {
		return sealer{}
	}
	return sealer{k: db.recordsKey, h: db.identKey, ok: true}
}

// officeHasKeys is keysSetUp, asked once per transaction.
func (t *tx) officeHasKeys() bool {
	if t.keys == 0 {
		t.keys = 1
		if keysSetUp(t) {
			t.keys = 2
		}
	}
	return t.keys == 2
}

func isSealed(v []byte) bool { return len(v) > 0 && v[0] != '{' }

// PutSealed writes plain sealed under the records key, or as it is in an
// office without a key yet. An office with a key and nobody signed in on
// this desk cannot be written to.
func (b *bucket) PutSealed(k, plain []byte) error {
	v, err := b.sealValue(k, plain)
	if err != nil {
		return err
	}
	return b.Put(k, v)
}

// sealValue is what PutSealed writes under k (a request record's body
// goes behind its audit mark: records.go).
func (b *bucket) sealValue(k, plain []byte) ([]byte, error) {
	t := b.t
	if t.rk.ok {
		return vault.Seal(&t.rk.k, plain, b.key(k)), nil
	}
	if t.officeHasKeys() {
		return nil, ErrLocked
	}
	return plain, nil
}

// decodeRecord reads a stored request record (its audit mark, then its
// body, sealed or not) under key k into r.
func (t *tx) decodeRecord(k, v []byte, r any) error {
	_, body, err := splitRecord(v)
	if err != nil {
		return err
	}
	if body, err = t.Bucket(bRequests).opened(k, body); err != nil {
		return err
	}
	return json.Unmarshal(body, r)
}

// recordBody is a stored record's body (nil when it cannot be split).
func recordBody(v []byte) []byte {
	_, body, err := splitRecord(v)
	if err != nil {
		return nil
	}
	return body
}

// opened returns the plain value of v stored under k.
func (b *bucket) opened(k, v []byte) ([]byte, error) {
	if !isSealed(v) {
		return v, nil
	}
	if !b.t.rk.ok {
		return nil, ErrLocked
	}
	p, err := vault.Open(&b.t.rk.k, v, b.key(k))
	if err != nil {
		return nil, fp.Internal("a stored record does not open with the office's key: it was damaged, moved or written by another office; run a database check", err)
	}
	return p, nil
}

// GetOpened is Get and opened (nil, nil when k is not there).
func (b *bucket) GetOpened(k []byte) ([]byte, error) {
	v := b.Get(k)
	if v == nil {
		return nil, nil
	}
	return b.opened(k, v)
}

// writeFile stores a file's bytes, sealed once the office has its key.
func (db *Desk) writeFile(sum string, data []byte) (bool, error) {
	if s := db.sealer(); s.ok {
		sealed := append(bytes.Clone(fileMagic), vault.Seal(&s.k, data, fileAAD(sum))...)
		return db.files.Write(sum, sealed)
	}
	if set, err := db.KeysSetUp(); err != nil {
		return false, err
	} else if set {
		return false, ErrLocked
	}
	return db.files.Write(sum, data)
}

// readFile returns a stored file's plain bytes.
func (db *Desk) readFile(sum string) ([]byte, error) {
	data, err := db.files.Read(sum)
	if err != nil || !bytes.HasPrefix(data, fileMagic) {
		return data, err
	}
	s := db.sealer()
	if !s.ok {
		return nil, ErrLocked
	}
	return vault.Open(&s.k, data[len(fileMagic):], fileAAD(sum))
}

func fileAAD(sum string) []byte { return []byte("fieldprint file " + sum) }

// NeedsSealing reports whether records or files from before the office's
// key are still in the clear (SealExisting seals them).
func (db *Desk) NeedsSealing() (need bool, err error) {
	err = db.view(func(tx *tx) error {
		need = keysSetUp(tx) && tx.Bucket(bMeta).Get(kSealed) == nil
		return nil
	})
	return need, err
}

// SealExisting seals every record, summary, message record and file still
// in the clear, in transactions within the storage contract's limits,
// reporting progress (done of total); it can be interrupted and run again.
// It needs the office key unlocked (someone signed in on this desk).
func (db *Desk) SealExisting(progress func(done, total int)) error {
	if !db.sealer().ok {
		return ErrLocked
	}
	type item struct {
		bucket []byte
		key    []byte
	}
	var items []item
	var files []string
	err := db.view(func(tx *tx) error {
		for _, b := range [][]byte{bRequests, bSummaries, bMail, bStamps} {
			tx.Bucket(b).ForEach(func(k, v []byte) error {
				if bytes.Equal(b, bRequests) {
					v = recordBody(v)
				}
				if v != nil && !isSealed(v) {
					items = append(items, item{b, bytes.Clone(k)})
				}
				return nil
			})
		}
		return tx.Bucket(bFiles).ForEach(func(k, _ []byte) error { files = append(files, string(k)); return nil })
	})
	if err != nil {
		return err
	}
	total := len(items) + len(files)
	done := 0
	report := func() {
		if progress != nil {
			progress(done, total)
		}
	}
	report()
	if _, err := db.inChunks(len(items), func(tx *tx, i int) error {
		b := tx.Bucket(items[i].bucket)
		v := b.Get(items[i].key)
		if bytes.Equal(items[i].bucket, bRequests) {
			return db.encryptRecord(tx, items[i].key, v)
		}
		if v == nil || isSealed(v) {
			return nil // changed meanwhile: written sealed already
		}
		return b.PutSealed(items[i].key, v)
	}); err != nil {
		return wrap(err, "the records were not all sealed; sign in again to finish")
	}
	done += len(items)
	report()
	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	for _, sum := range files {
		data, err := db.files.Read(sum)
		if err != nil {
			return fp.Internal("a stored file cannot be read to seal it: run a database check", err)
		}
		if !bytes.HasPrefix(data, fileMagic) {
			if fp.Fingerprint(data) != sum {
				return fp.Errorf(fp.EINTERNAL, "the stored file %s… is damaged (its content no longer matches its SHA-256): run a database check", sum[:12])
			}
			if _, err := db.writeFile(sum, data); err != nil {
				return fp.Internal("a stored file could not be sealed: check the disk has space", err)
			}
		}
		done++
		if done%64 == 0 {
			report()
		}
	}
	report()
	return db.update(func(tx *tx) error { return tx.Bucket(bMeta).Put(kSealed, []byte{1}) })
}

// encryptRecord seals a request record kept in the clear. Its body changes
// (not its content), so it is written like any change of a request: with
// an audit entry recording the new body's digest (records.go).
func (db *Desk) encryptRecord(tx *tx, k, v []byte) error {
	body := recordBody(v)
	if body == nil || isSealed(body) || len(k) != 8 {
		return nil // changed meanwhile, or damaged: the check names it
	}
	var r fp.Request
	if err := json.Unmarshal(body, &r); err != nil || r.Number == "" {
		return nil
	}
	sealed, err := tx.Bucket(bRequests).sealValue(k, body)
	if err != nil {
		return err
	}
	tx.stageRecord(fp.RequestID(binary.BigEndian.Uint64(k)), r.Number, sealed)
	// Its name, receipts and A-number leave the store's indexes for its
	// sealed identity.
	for _, e := range identEntries(&r, nil) {
		if err := idx(tx, e.bucket).Delete(e.key); err != nil {
			return err
		}
	}
	for _, e := range dupEntries(&r, tx.rk.hashKey()) {
		if err := idx(tx, e.bucket).Put(e.key, e.value); err != nil {
			return err
		}
	}
	if err := putIdentity(tx, nil, &r); err != nil {
		return err
	}
	return db.appendAudit(tx, fp.AuditEntry{User: "fieldprint", Action: fp.ActionRequestEncrypt, Request: r.Number,
		Note: "the record kept in the clear before the office's data key, encrypted as it stood"})
}

// auditDetails is what an entry about a request keeps sealed.
type auditDetails struct {
	Changes []fp.Change `json:"changes,omitempty"`
	Note    string      `json:"note,omitempty"`
}

func auditAAD(seq uint64) []byte {
	return []byte("fieldprint audit entry " + strconv.FormatUint(seq, 10))
}

// sealDetails moves the changes and note of an entry about a request into
// Sealed when the office key is unlocked (seq set: before hashing). A
// status change and a print's note ("copy 2") hold no applicant's data and
// stay readable: the reports count decisions and reprints from them
// without the key's cost on every entry.
func (t *tx) sealDetails(e *fp.AuditEntry) error {
	if e.Request == "" || !t.rk.ok {
		return nil
	}
	var keep, hide []fp.Change
	for _, c := range e.Changes {
		if c.Field == "status" {
			keep = append(keep, c)
		} else {
			hide = append(hide, c)
		}
	}
	note := e.Note
	if printAction(e.Action) {
		note = ""
	}
	if len(hide) == 0 && note == "" {
		return nil
	}
	plain, err := json.Marshal(auditDetails{hide, note})
	if err != nil {
		return err
	}
	e.Sealed = vault.Seal(&t.rk.k, plain, auditAAD(e.Seq))
	e.Changes = keep
	if note != "" {
		e.Note = ""
	}
	return nil
}

func printAction(a string) bool {
	return a == fp.ActionLetterPrint || a == fp.ActionRecordPrint || a == fp.ActionStampPrint
}

// openDetails puts a sealed entry's changes and note back for reading; a
// locked desk says they are encrypted.
func (t *tx) openDetails(e *fp.AuditEntry) {
	if len(e.Sealed) == 0 {
		return
	}
	if !t.rk.ok {
		e.Note = "(details encrypted: sign in to read them)"
		return
	}
	plain, err := vault.Open(&t.rk.k, e.Sealed, auditAAD(e.Seq))
	var d auditDetails
	if err == nil {
		err = json.Unmarshal(plain, &d)
	}
	if err != nil {
		e.Note = "(details do not open with the office key: run fieldprint audit verify)"
		return
	}
	e.Changes, e.Sealed = append(e.Changes, d.Changes...), nil
	if d.Note != "" {
		e.Note = d.Note
	}
}
