package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/workflow"
	bolt "go.etcd.io/bbolt"
)

// A migration moves the database from version-1 to version, in one transaction.
type migration struct {
	version int
	name    string
	apply   func(tx *bolt.Tx, now time.Time) error // now: the database's clock
}

// migrations in order. Never edit one that has shipped: add another.
var migrations = []migration{
	{1, "create the request buckets and indexes", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bMeta, bRequests, bSummaries, bNumbers, bCounters} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		ib, err := tx.CreateBucketIfNotExists(bIdx)
		if err != nil {
			return err
		}
		for _, b := range [][]byte{iReceived, iStatus, iCategory, iReceipt, iANumber, iName} {
			if _, err := ib.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{2, "add accounts, the audit chain, print counters and settings", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bUsers, bAudit, bPrints, bSettings} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iAudit)
		return err
	}},
	{3, "add document checklists: attached files, household ids, checklist counts in the queue", func(tx *bolt.Tx, now time.Time) error {
		if _, err := tx.CreateBucketIfNotExists(bFiles); err != nil {
			return err
		}
		if _, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iComplete); err != nil {
			return err
		}
		return migrate3Records(tx, fp.DateOf(now))
	}},
	{4, "add appointments: the slot index and the scheduling settings (defaults until saved)", func(tx *bolt.Tx, _ time.Time) error {
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iSlots)
		return err
	}},
	{5, "add the collection day: walk-ins, stamped notices and the keys that sign them", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bStamps, bStampKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iWalkIns)
		return err
	}},
	{6, "count failed sign-ins of names without an account", func(tx *bolt.Tx, _ time.Time) error {
		_, err := tx.CreateBucketIfNotExists([]byte("signins"))
		return err
	}},
}

// The buckets of the older layout that migrations create and read.
var (
	bMeta      = []byte("meta")
	bRequests  = []byte("requests")
	bSummaries = []byte("summaries")
	bNumbers   = []byte("numbers")
	bCounters  = []byte("counters")
	bIdx       = []byte("idx")
	bUsers     = []byte("users")
	bAudit     = []byte("audit")
	bPrints    = []byte("prints")
	bSettings  = []byte("settings")
	bFiles     = []byte("files")
	bStamps    = []byte("stamps")
	bStampKeys = []byte("stampkeys")
	bSignIns   = []byte("signins")
	kSchema    = []byte("schema")

	iReceived = []byte("received")
	iStatus   = []byte("status")
	iCategory = []byte("category")
	iReceipt  = []byte("receipt")
	iANumber  = []byte("anumber")
	iName     = []byte("name")
	iAudit    = []byte("audit")
	iComplete = []byte("complete")
	iSlots    = []byte("slots")
	iWalkIns  = []byte("walkins")
)

// legacyVersion is the last schema of the bucket layout; the key space the
// workflow writes is workflow.Schema.
func legacyVersion() int { return migrations[len(migrations)-1].version }

func schemaVersion(tx *bolt.Tx) int {
	m := tx.Bucket(bMeta)
	if m == nil {
		return 0
	}
	if v := m.Get(kSchema); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

// migrateLegacy brings a file of the bucket layout up to date: the bucket
// migrations it has not had, one transaction each, then the move of every
// bucket into the key space (one transaction: the file is either all in
// the old layout or all in the new). A file without the old layout's meta
// bucket (new, or moved already) is left alone.
func migrateLegacy(kv *disk.KV, path string, now func() time.Time) error {
	cur := -1
	if err := kv.RawView(func(tx *bolt.Tx) error {
		if tx.Bucket(bMeta) != nil {
			cur = schemaVersion(tx)
		}
		return nil
	}); err != nil {
		return err
	}
	if cur < 0 {
		return nil
	}
	if cur > legacyVersion() {
		return fp.Errorf(fp.EINVALID, "the database %s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", path, cur, workflow.Schema)
	}
	if err := migrateTo(kv, path, legacyVersion(), now); err != nil {
		return err
	}
	err := kv.Raw(moveToKeySpace)
	if disk.FromGuard(err) {
		return err
	} else if err != nil {
		return fp.Internal(fmt.Sprintf("cannot upgrade the database %s to schema %d (move to the key space); it is unchanged", path, workflow.Schema), err)
	}
	return nil
}

// migrateTo runs the bucket migrations after the file's schema up to target.
func migrateTo(kv *disk.KV, path string, target int, now func() time.Time) error {
	var cur int
	if err := kv.Raw(func(tx *bolt.Tx) error { cur = schemaVersion(tx); return nil }); err != nil {
		return err
	}
	for _, m := range migrations {
		if m.version <= cur || m.version > target {
			continue
		}
		err := kv.Raw(func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucketIfNotExists(bMeta); err != nil {
				return err
			}
			if err := m.apply(tx, now()); err != nil {
				return err
			}
			return tx.Bucket(bMeta).Put(kSchema, u64(uint64(m.version)))
		})
		if disk.FromGuard(err) {
			return err
		} else if err != nil {
			return fp.Internal(fmt.Sprintf("cannot upgrade the database %s to schema %d (%s); it is unchanged", path, m.version, m.name), err)
		}
	}
	return nil
}

// moveToKeySpace is schema 7, frozen: every bucket of the old layout
// becomes keys of the key space, "bucket/" (or "idx/name/") and its key,
// with the same values; the requests bucket's sequence becomes the key
// space's sequence "requests/"; the old buckets go.
func moveToKeySpace(tx *bolt.Tx) error {
	var tops [][]byte
	tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		switch string(name) {
		case "kv", "kvmeta", "kvlog":
		default:
			tops = append(tops, bytes.Clone(name))
		}
		return nil
	})
	var copyBucket func(b *bolt.Bucket, prefix []byte) error
	copyBucket = func(b *bolt.Bucket, prefix []byte) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil { // a bucket inside
				return copyBucket(b.Bucket(k), cat(prefix, k, []byte("/")))
			}
			if bytes.Equal(prefix, []byte("meta/")) && bytes.Equal(k, kSchema) {
				return nil // the key space's own version is written below
			}
			return disk.Load(tx, cat(prefix, k), v)
		})
	}
	for _, name := range tops {
		b := tx.Bucket(name)
		if err := copyBucket(b, cat(name, []byte("/"))); err != nil {
			return err
		}
		if s := b.Sequence(); s > 0 {
			if err := disk.SetSequence(tx, string(name)+"/", s); err != nil {
				return err
			}
		}
	}
	// The queue's counts (counts/ status 0x00 category -> uint64), from the
	// received index, whose values are "status 0x00 category".
	counts := map[string]uint64{}
	if idx := tx.Bucket([]byte("idx")); idx != nil {
		if rb := idx.Bucket([]byte("received")); rb != nil {
			rb.ForEach(func(_, v []byte) error { counts[string(v)]++; return nil })
		}
	}
	for k, n := range counts {
		if err := disk.Load(tx, cat([]byte("counts/"), []byte(k)), u64(n)); err != nil {
			return err
		}
	}
	if err := disk.Load(tx, []byte("meta/schema"), u64(7)); err != nil {
		return err
	}
	for _, name := range tops {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// migrate3Records is migration 3's change of the records, frozen as it
// shipped: it works on the stored JSON, not on today's types, so later
// changes of the code cannot change what it does. Household members get
// ids 1, 2, … in order (their checklist rows' keys), and each queue row is
// written again with schema 3's fields, its checklist count included: no
// document existed yet, so every required item is missing (the notice, a
// passport per person fingerprinted on day on, the U.S. ASC notice for
// "All others"). Indexes do not change: no request can be complete.
func migrate3Records(tx *bolt.Tx, on fp.Date) error {
	type person struct {
		ID          int    `json:"id,omitempty"`
		FullName    string `json:"full_name"`
		DateOfBirth string `json:"date_of_birth"`
	}
	rb, sb := tx.Bucket(bRequests), tx.Bucket(bSummaries)
	var keys [][]byte
	rb.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
	for _, k := range keys {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(rb.Get(k), &rec); err != nil {
			return fmt.Errorf("record %x: %w", k, err)
		}
		var hh []map[string]json.RawMessage
		if raw, ok := rec["household"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &hh); err != nil {
				return fmt.Errorf("record %x household: %w", k, err)
			}
		}
		adults := 0
		for i, h := range hh {
			var p person
			b, _ := json.Marshal(h)
			if err := json.Unmarshal(b, &p); err != nil {
				return fmt.Errorf("record %x member %d: %w", k, i, err)
			}
			if p.ID == 0 {
				h["id"] = json.RawMessage(strconv.Itoa(i + 1))
			}
			if d, err := fp.ParseDate(p.DateOfBirth); err != nil || d.AgeOn(on) >= 18 {
				adults++ // no birth date counts as an adult, the safe side
			}
		}
		if hh != nil {
			b, err := json.Marshal(hh)
			if err != nil {
				return err
			}
			rec["household"] = b
		}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := rb.Put(k, v); err != nil {
			return err
		}
		var r struct {
			ID             uint64   `json:"id"`
			Number         string   `json:"number"`
			Status         string   `json:"status"`
			Category       string   `json:"category"`
			Received       string   `json:"received"`
			ANumber        string   `json:"a_number"`
			ReceiptNumbers []string `json:"receipt_numbers"`
			Applicant      person   `json:"applicant"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("record %x: %w", k, err)
		}
		if r.Category != "adoption" {
			adults = 0 // only adoptive households are fingerprinted beside the applicant
		}
		required := 2 + adults // the notice, the applicant's passport, the adults'
		if r.Category == "other" {
			required++ // the U.S. ASC notice
		}
		sum := map[string]any{"id": r.ID, "number": r.Number, "status": r.Status, "category": r.Category,
			"full_name": r.Applicant.FullName, "received": r.Received, "people": 1 + adults,
			"docs": map[string]int{"required": required, "verified": 0, "received": 0, "missing": required, "rejected": 0}}
		if r.ANumber != "" {
			sum["a_number"] = r.ANumber
		}
		if len(r.ReceiptNumbers) > 0 {
			sum["receipt"] = r.ReceiptNumbers[0]
		}
		sv, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		if err := sb.Put(k, sv); err != nil {
			return err
		}
	}
	return nil
}

// keySpaceMigrations move a file already in the key space (schema 7 on)
// up to workflow.Schema, one raw transaction each (all or nothing, free of
// the storage contract's limits). Never edit one that has shipped: add another.
var keySpaceMigrations = []migration{
	{8, "tie every request record to the audit chain", sealRecords},
	// The office data key's slots live under keys/, which older builds do
	// not know: one of them changing a password would leave the old
	// password's slot behind. The version keeps them out; nothing stored
	// changes (the key is made at an administrator's sign-in).
	{9, "office data key slots", func(*bolt.Tx, time.Time) error { return nil }},
	// Each request's data under its own key (crypto-shredding): values
	// begin with 0x02 and a key id, which older builds cannot open. The
	// key store is made at first use; what the office key sealed before is
	// sealed again at the next sign-in (workflow.SealExisting).
	{10, "a key per request", func(*bolt.Tx, time.Time) error { return nil }},
}

// migrateKeySpace runs the key-space migrations the file has not had.
func migrateKeySpace(kv *disk.KV, path string, now func() time.Time) error {
	for _, m := range keySpaceMigrations {
		due := false
		if err := kv.RawView(func(tx *bolt.Tx) error {
			rw, err := disk.NewRewriter(tx)
			if err != nil {
				return nil // not a key space: nothing to do
			}
			v := rw.Get([]byte("meta/schema"))
			due = len(v) == 8 && binary.BigEndian.Uint64(v) == uint64(m.version-1)
			return nil
		}); err != nil {
			return err
		}
		if !due {
			continue // opening an up-to-date file writes nothing
		}
		err := kv.Raw(func(tx *bolt.Tx) error {
			rw, err := disk.NewRewriter(tx)
			if err != nil {
				return err
			}
			v := rw.Get([]byte("meta/schema"))
			if len(v) != 8 || binary.BigEndian.Uint64(v) != uint64(m.version-1) {
				return nil // a new file, one up to date, or one a newer Fieldprint wrote (refused later)
			}
			if err := m.apply(tx, now()); err != nil {
				return err
			}
			return rw.Put([]byte("meta/schema"), u64(uint64(m.version)))
		})
		if disk.FromGuard(err) {
			return err
		} else if err != nil {
			return fp.Internal(fmt.Sprintf("cannot upgrade the database %s to schema %d (%s); it is unchanged", path, m.version, m.name), err)
		}
	}
	return nil
}

// sealRecords is schema 8, frozen: every request record is stored behind
// the hash of the newest audit entry about it, and the entry records the
// record's digest. No entry before schema 8 recorded one, so each record
// gets an entry of its own, "request.seal" by "fieldprint", recording its
// digest as it stands: from then on a record changed without an entry
// differs from its newest entry. A record is stored as 0x01, the entry's
// 32 hash bytes, then the record's JSON as it was. A record that cannot be
// read, or is sealed already, is left as it is (verification names it).
func sealRecords(tx *bolt.Tx, now time.Time) error {
	type change struct {
		Field string `json:"field"`
		Old   string `json:"old,omitempty"`
		New   string `json:"new,omitempty"`
	}
	// The audit entry as schema 8 hashes it: these fields, this order.
	type entry struct {
		Seq      uint64    `json:"seq"`
		At       time.Time `json:"at"`
		User     string    `json:"user"`
		Action   string    `json:"action"`
		Request  string    `json:"request,omitempty"`
		Subject  string    `json:"subject,omitempty"`
		Changes  []change  `json:"changes,omitempty"`
		Note     string    `json:"note,omitempty"`
		Record   string    `json:"record,omitempty"`
		PrevHash string    `json:"prev_hash"`
		Hash     string    `json:"hash"`
	}
	rw, err := disk.NewRewriter(tx)
	if err != nil {
		return err
	}
	seq, prev := uint64(0), strings.Repeat("0", 64)
	err = rw.Scan([]byte("audit/"), func(k, v []byte) error {
		var e entry
		if len(k) == len("audit/")+8 && json.Unmarshal(v, &e) == nil {
			seq, prev = binary.BigEndian.Uint64(k[len("audit/"):]), e.Hash
		}
		return nil
	})
	if err != nil {
		return err
	}
	type record struct{ key, body []byte }
	var recs []record
	err = rw.Scan([]byte("requests/"), func(k, v []byte) error {
		if len(k) == len("requests/")+8 && len(v) > 0 && v[0] == '{' {
			recs = append(recs, record{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range recs {
		var rec struct {
			Number string `json:"number"`
		}
		if json.Unmarshal(r.body, &rec) != nil || rec.Number == "" {
			continue
		}
		digest := sha256.Sum256(r.body)
		seq++
		e := entry{Seq: seq, At: now.UTC(), User: "fieldprint", Action: "request.seal", Request: rec.Number,
			Note: "the record as it stood at the upgrade to schema 8", Record: hex.EncodeToString(digest[:]), PrevHash: prev}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		h := sha256.New()
		h.Write([]byte(e.PrevHash))
		h.Write(b)
		sum := h.Sum(nil)
		e.Hash = hex.EncodeToString(sum)
		if b, err = json.Marshal(e); err != nil {
			return err
		}
		if err := rw.Put(cat([]byte("audit/"), u64(seq)), b); err != nil {
			return err
		}
		if err := rw.Put(cat([]byte("idx/audit/"), []byte(rec.Number), []byte{0}, u64(seq)), []byte{}); err != nil {
			return err
		}
		if err := rw.Put(r.key, cat([]byte{0x01}, sum, r.body)); err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}
