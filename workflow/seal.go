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

// fileMagicKeyed begins a file sealed under a key of its own (reqkeys.go).
var fileMagicKeyed = []byte("FPSEAL2\n")

// sealedFileOverhead is what sealing adds to a file's size.
const sealedFileOverhead = 8 + 9 + vault.Overhead

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

// PutSealedFor writes plain, a value about request id, sealed under that
// request's own key (reqkeys.go), so a purge can shred it.
func (b *bucket) PutSealedFor(id fp.RequestID, k, plain []byte) error {
	v, err := b.sealValueFor(id, k, plain)
	if err != nil {
		return err
	}
	return b.Put(k, v)
}

// sealValueFor is what PutSealedFor writes under k.
func (b *bucket) sealValueFor(id fp.RequestID, k, plain []byte) ([]byte, error) {
	t := b.t
	if !t.rk.ok {
		return b.sealValue(k, plain)
	}
	kid, key, err := t.requestKey(id)
	if err != nil {
		return nil, err
	}
	return sealUnder(kid, &key, plain, b.key(k)), nil
}

// bKeyIDs names each request's key: id -> key id (8 bytes).
var bKeyIDs = []byte("keyids")

// requestKey is the key request id's data is sealed under, made (and
// named in keyids/) the first time.
func (t *tx) requestKey(id fp.RequestID) (uint64, vault.Key, error) {
	ks, err := t.desk.keyStore()
	if err != nil {
		return 0, vault.Key{}, err
	}
	b := t.Bucket(bKeyIDs)
	if v := b.Get(idKey(id)); len(v) == 8 {
		kid := binary.BigEndian.Uint64(v)
		k, ok, err := ks.get(kid)
		if err != nil {
			return 0, vault.Key{}, err
		}
		if !ok {
			return 0, vault.Key{}, errKeyGone
		}
		return kid, k, nil
	}
	kid, k, err := ks.take(t)
	if err != nil {
		return 0, vault.Key{}, err
	}
	if err := b.Put(idKey(id), u64(kid)); err != nil {
		return 0, vault.Key{}, err
	}
	return kid, k, nil
}

// requestKeyID is the id of request id's key (false: it has none).
func requestKeyID(t *tx, id fp.RequestID) (uint64, bool) {
	if v := t.Bucket(bKeyIDs).Get(idKey(id)); len(v) == 8 {
		return binary.BigEndian.Uint64(v), true
	}
	return 0, false
}

// keyStore is the per-request keys, read at the first use after a sign-in.
func (db *Desk) keyStore() (*keyStore, error) {
	db.keyMu.RLock()
	defer db.keyMu.RUnlock()
	if db.officeKey.IsZero() {
		return nil, ErrLocked
	}
	db.reqKeys.mu.Lock()
	loaded := db.reqKeys.loaded
	db.reqKeys.mu.Unlock()
	if !loaded {
		if err := db.reqKeys.load(&db.officeKey); err != nil {
			return nil, err
		}
	}
	return &db.reqKeys, nil
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
	if _, ok := keyIDOf(v); ok {
		p, err := b.t.desk.openUnder(v, b.key(k))
		if err == vault.ErrOpen {
			return nil, fp.Internal("a stored record does not open with its request's key: it was damaged, moved or written by another office; run a database check", err)
		}
		return p, err
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

// writeFile stores a file's bytes, sealed once the office has its key
// under a key of its own (a purge of the last request using it shreds it).
func (db *Desk) writeFile(sum string, data []byte) (bool, error) {
	if s := db.sealer(); s.ok {
		ks, err := db.keyStore()
		if err != nil {
			return false, err
		}
		kid, k, err := ks.take(nil)
		if err != nil {
			return false, err
		}
		sealed := append(bytes.Clone(fileMagicKeyed), sealUnder(kid, &k, data, fileAAD(sum))...)
		return db.files.Write(sum, sealed)
	}
	if set, err := db.KeysSetUp(); err != nil {
		return false, err
	} else if set {
		return false, ErrLocked
	}
	return db.files.Write(sum, data)
}

// writeFiles is writeFile of many files, cheaper: one file per distinct
// content, every key made in one go (durable before anything is sealed
// under it), the files written through BatchFiles when the store has it
// (every file durable before it returns). created[i] is whether sums[i]
// was written by this call.
func (db *Desk) writeFiles(sums []string, data [][]byte) (created []bool, err error) {
	first := map[string]int{}
	var distinct []int // the first index of each content
	for i, s := range sums {
		if _, ok := first[s]; !ok {
			first[s] = i
			distinct = append(distinct, i)
		}
	}
	names := make([]string, len(distinct))
	blobs := make([][]byte, len(distinct))
	for j, i := range distinct {
		names[j], blobs[j] = sums[i], data[i]
	}
	if s := db.sealer(); s.ok {
		ks, err := db.keyStore()
		if err != nil {
			return nil, err
		}
		keys, err := ks.takeMany(len(distinct))
		if err != nil {
			return nil, err
		}
		for j := range blobs {
			blobs[j] = append(bytes.Clone(fileMagicKeyed), sealUnder(keys[j].id, &keys[j].k, blobs[j], fileAAD(names[j]))...)
		}
	} else if set, err := db.KeysSetUp(); err != nil {
		return nil, err
	} else if set {
		return nil, ErrLocked
	}
	var made []bool
	if bf, ok := db.files.(BatchFiles); ok {
		if made, err = bf.WriteBatch(names, blobs); err != nil {
			return nil, err
		}
	} else {
		made = make([]bool, len(names))
		for j := range names {
			if made[j], err = db.files.Write(names[j], blobs[j]); err != nil {
				for k := range j {
					if made[k] {
						db.files.Remove(names[k])
					}
				}
				return nil, err
			}
		}
	}
	created = make([]bool, len(sums))
	for j, i := range distinct {
		created[i] = made[j]
	}
	return created, nil
}

// readFile returns a stored file's plain bytes.
func (db *Desk) readFile(sum string) ([]byte, error) {
	data, err := db.files.Read(sum)
	if err != nil {
		return data, err
	}
	if bytes.HasPrefix(data, fileMagicKeyed) {
		if !db.sealer().ok {
			return nil, ErrLocked
		}
		return db.openUnder(data[len(fileMagicKeyed):], fileAAD(sum))
	}
	if !bytes.HasPrefix(data, fileMagic) {
		return data, nil
	}
	s := db.sealer()
	if !s.ok {
		return nil, ErrLocked
	}
	return vault.Open(&s.k, data[len(fileMagic):], fileAAD(sum))
}

// fileKeyID is the id of the key a stored file is sealed under.
func fileKeyID(data []byte) (uint64, bool) {
	if !bytes.HasPrefix(data, fileMagicKeyed) {
		return 0, false
	}
	return keyIDOf(data[len(fileMagicKeyed):])
}

func fileAAD(sum string) []byte { return []byte("fieldprint file " + sum) }

// kKeyed in meta/: every request's records and files are sealed under
// keys of their own (reqkeys.go), none under the office's records key.
var kKeyed = []byte("keyed")

// NeedsSealing reports whether records or files from before the office's
// key are still in the clear, or sealed under the office's records key
// rather than their request's own (SealExisting seals them).
func (db *Desk) NeedsSealing() (need bool, err error) {
	err = db.view(func(tx *tx) error {
		need = keysSetUp(tx) && (tx.Bucket(bMeta).Get(kSealed) == nil || tx.Bucket(bMeta).Get(kKeyed) == nil)
		return nil
	})
	return need, err
}

// underOwnKey: v is sealed under a key of its own (not in the clear, not
// under the office's records key).
func underOwnKey(v []byte) bool { _, ok := keyIDOf(v); return ok }

// SealExisting seals every record, summary, identity, message record,
// stamp and file still in the clear or under the office's records key
// under its request's own key, in transactions within the storage
// contract's limits, reporting progress (done of total); it can be
// interrupted and run again. It needs the office key unlocked (someone
// signed in on this desk).
func (db *Desk) SealExisting(progress func(done, total int)) error {
	if !db.sealer().ok {
		return ErrLocked
	}
	type item struct {
		bucket *bucket
		key    []byte
	}
	var items []item
	var files []string
	err := db.view(func(tx *tx) error {
		for _, b := range []*bucket{tx.Bucket(bRequests), tx.Bucket(bSummaries), idx(tx, iIdent), tx.Bucket(bMail), tx.Bucket(bStamps)} {
			name := b.prefix
			b.ForEach(func(k, v []byte) error {
				if bytes.Equal(name, tx.Bucket(bRequests).prefix) {
					v = recordBody(v)
				}
				if v != nil && !underOwnKey(v) {
					items = append(items, item{&bucket{prefix: name}, bytes.Clone(k)})
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
		b := &bucket{t: tx, prefix: items[i].bucket.prefix}
		v := b.Get(items[i].key)
		if bytes.Equal(b.prefix, tx.Bucket(bRequests).prefix) {
			return db.encryptRecord(tx, items[i].key, v)
		}
		if v == nil || underOwnKey(v) {
			return nil // changed meanwhile: written under its key already
		}
		plain, err := b.opened(items[i].key, v)
		if err != nil {
			return err
		}
		id, err := ownerOf(tx, b.prefix, items[i].key, plain)
		if err != nil || id == 0 {
			return err // a value of no request: the check names it
		}
		return b.PutSealedFor(id, items[i].key, plain)
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
		if !bytes.HasPrefix(data, fileMagicKeyed) {
			if data, err = db.readFile(sum); err != nil {
				return fp.Internal("a stored file cannot be read to seal it: run a database check", err)
			}
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
	return db.update(func(tx *tx) error {
		if err := tx.Bucket(bMeta).Put(kSealed, []byte{1}); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kKeyed, []byte{1})
	})
}

// ownerOf is the request a value of the bucket with prefix is about (0:
// none).
func ownerOf(tx *tx, prefix, k, plain []byte) (fp.RequestID, error) {
	var number string
	switch {
	case bytes.Equal(prefix, tx.Bucket(bMail).prefix):
		var rec mailRecord
		if json.Unmarshal(plain, &rec) != nil {
			return 0, nil
		}
		number = rec.Request
	case bytes.Equal(prefix, tx.Bucket(bStamps).prefix):
		var st fp.Stamp
		if json.Unmarshal(plain, &st) != nil {
			return 0, nil
		}
		number = st.Facts.Request
	default: // keyed by the request's id
		if len(k) != 8 {
			return 0, nil
		}
		return fp.RequestID(binary.BigEndian.Uint64(k)), nil
	}
	if v := tx.Bucket(bNumbers).Get([]byte(number)); len(v) == 8 {
		return fp.RequestID(binary.BigEndian.Uint64(v)), nil
	}
	return 0, nil
}

// encryptRecord seals a request record kept in the clear, or under the
// office's records key, under the request's own key. Its body changes (not
// its content), so it is written like any change of a request: with an
// audit entry recording the new body's digest (records.go).
func (db *Desk) encryptRecord(tx *tx, k, v []byte) error {
	body := recordBody(v)
	if body == nil || underOwnKey(body) || len(k) != 8 {
		return nil // changed meanwhile, or damaged: the check names it
	}
	wasPlain := !isSealed(body)
	plain, err := tx.Bucket(bRequests).opened(k, body)
	if err != nil {
		return err
	}
	var r fp.Request
	if err := json.Unmarshal(plain, &r); err != nil || r.Number == "" {
		return nil
	}
	id := fp.RequestID(binary.BigEndian.Uint64(k))
	sealed, err := tx.Bucket(bRequests).sealValueFor(id, k, plain)
	if err != nil {
		return err
	}
	tx.stageRecord(id, r.Number, sealed)
	if !wasPlain {
		return db.appendAudit(tx, fp.AuditEntry{User: "fieldprint", Action: fp.ActionRequestEncrypt, Request: r.Number,
			Note: "the record sealed under the office's key, sealed again under the request's own key (so a purge can destroy it)"})
	}
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
func (t *tx) sealDetails(e *fp.AuditEntry, id fp.RequestID) error {
	if e.Request == "" || !t.rk.ok || e.Action == fp.ActionRequestPurge {
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
	kid, key, err := t.requestKey(id)
	if err != nil {
		return err
	}
	e.Sealed = sealUnder(kid, &key, plain, auditAAD(e.Seq))
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
	var plain []byte
	var err error
	if _, ok := keyIDOf(e.Sealed); ok {
		if plain, err = t.desk.openUnder(e.Sealed, auditAAD(e.Seq)); err == errKeyGone {
			e.Note = "(details destroyed: this request's data was purged)"
			return
		}
	} else {
		plain, err = vault.Open(&t.rk.k, e.Sealed, auditAAD(e.Seq))
	}
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
