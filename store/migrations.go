package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	fp "github.com/fieldprint/fieldprint"
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

// SchemaVersion is the version this build writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

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

// Version returns the schema version stored in the file.
func (db *DB) Version() (v int) {
	db.bolt.View(func(tx *bolt.Tx) error { v = schemaVersion(tx); return nil })
	return v
}

func (db *DB) migrate() error {
	return db.migrateTo(SchemaVersion())
}

func (db *DB) migrateTo(target int) error {
	var cur int
	if err := db.bolt.View(func(tx *bolt.Tx) error { cur = schemaVersion(tx); return nil }); err != nil {
		return err
	}
	if cur > SchemaVersion() {
		return fp.Errorf(fp.EINVALID, "the database %s was written by a newer Fieldprint (schema %d, this one knows %d): update Fieldprint", db.path, cur, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= cur || m.version > target {
			continue
		}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if err := m.apply(tx, db.Now()); err != nil {
				return err
			}
			return tx.Bucket(bMeta).Put(kSchema, u64(uint64(m.version)))
		})
		if fromGuard(err) {
			return err
		} else if err != nil {
			return fp.Internal(fmt.Sprintf("cannot upgrade the database %s to schema %d (%s); it is unchanged", db.path, m.version, m.name), err)
		}
	}
	return nil
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
