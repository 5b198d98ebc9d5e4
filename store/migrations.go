package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// A migration moves the database from version-1 to version, in one transaction.
type migration struct {
	version int
	name    string
	apply   func(tx *bolt.Tx) error
}

// migrations in order. Never edit one that has shipped: add another.
var migrations = []migration{
	{1, "create the request buckets and indexes", func(tx *bolt.Tx) error {
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
	{2, "add accounts, the audit chain, print counters and settings", func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bUsers, bAudit, bPrints, bSettings} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iAudit)
		return err
	}},
	{3, "add document checklists: attached files, household ids, checklist counts in the queue", func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bFiles); err != nil {
			return err
		}
		if _, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iComplete); err != nil {
			return err
		}
		// Household members get ids (their checklist rows' keys) and every
		// queue row its checklist count, written back through putRequest.
		var rs []*fp.Request
		err := tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
			r := &fp.Request{}
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("record %x: %w", k, err)
			}
			rs = append(rs, r)
			return nil
		})
		if err != nil {
			return err
		}
		on := fp.DateOf(time.Now())
		for _, r := range rs {
			old := *r
			r.NumberHousehold()
			if err := putRequest(tx, &old, r, on); err != nil {
				return err
			}
		}
		return nil
	}},
	{4, "add appointments: the slot index and the scheduling settings (defaults until saved)", func(tx *bolt.Tx) error {
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iSlots)
		return err
	}},
	{5, "add the collection day: walk-ins, stamped notices and the keys that sign them", func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bStamps, bStampKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		_, err := tx.Bucket(bIdx).CreateBucketIfNotExists(iWalkIns)
		return err
	}},
	{6, "count failed sign-ins of names without an account", func(tx *bolt.Tx) error {
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
			if err := m.apply(tx); err != nil {
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
