// Package store keeps Fieldprint's data in one bbolt file and implements the
// services the fieldprint package declares. It is the only package that knows
// buckets, keys and encodings.
//
// Bucket tree (ids are uint64 big-endian, 8 bytes; dates are "YYYYMMDD", 8 bytes):
//
//	meta/
//	    schema                 -> uint64: schema version, see migrations.go
//	    demo                   -> 0x01 when the file holds the demo office (its published password is allowed)
//	requests/                  id -> JSON fieldprint.Request (the record, its checklist and appointments)
//	summaries/                 id -> JSON fieldprint.RequestSummary (queue rows)
//	numbers/                   "FP-2026-00042" -> id
//	users/                     user name -> JSON fieldprint.User (full name, badge, argon2id hash, lockout counters)
//	signins/                   name without an account -> JSON fieldprint.User (failures and lock only): unknown
//	                           names are counted and locked like real ones, so answers do not tell them apart
//	audit/                     seq (uint64) -> JSON fieldprint.AuditEntry, a SHA-256 hash chain
//	prints/                    "FP-2026-00042" 0x00 document -> uint64: copies printed
//	settings/
//	    office                 -> JSON fieldprint.Office (the letterhead)
//	    scheduling             -> JSON fieldprint.Scheduling (hours, stations, rules; absent: defaults)
//	counters/                  "2026" -> uint64: last sequence used for that year's numbers
//	idx/
//	    received/              date id -> status 0x00 category   (queue order, no decoding)
//	    status/                status 0x00 date id -> category
//	    category/              category 0x00 date id -> status
//	    receipt/               receipt-number id -> date status 0x00 category   (13 bytes + id)
//	    anumber/               a-number id -> date status 0x00 category         (10 bytes + id)
//	    name/                  folded-name-token 0x00 id -> date status 0x00 category
//	    audit/                 "FP-2026-00042" 0x00 seq -> ∅   (a request's history without a chain scan)
//	    complete/              date id -> status 0x00 category   (checklist complete, waiting for a decision)
//	    slots/                 date start(uint16 minutes) station(1 byte) -> request id, person id(uint16),
//	                           minutes(uint16), status 0x00 category 0x00 number   (the calendar; one holder per slot)
//	    walkins/               date id appointment(uint16) -> as slots/   (walk-ins hold no slot)
//	stamps/                    "ABCDE-FGHIJ" -> JSON fieldprint.Stamp (signed facts, copies printed)
//	stampkeys/                 key id (hex) -> Ed25519 public key (32 bytes); the private key is
//	                           the file <db>-stamp.key beside the database, never in it
//	files/                     sha256 (hex) -> JSON fileRecord: type, size, how many checklist items use it
//
// Attached scans are not in this file. Their bytes live beside it, one file
// per distinct content, named by SHA-256:
//
//	fieldprint.db-scans/ab/ab12…ef
//
// so requests stay small and hot, identical files are stored once, and when
// the last checklist item using a file lets go of it (replaced, removed, a
// person taken off the household, and later a purge) the file is deleted
// from disk, not left in bbolt's free pages. A file is written (temp file,
// fsync, rename) before the transaction that references it; a crash between
// the two leaves an unreferenced file, which Open removes.
//
// The search indexes' values repeat the row's date, status and category so a
// search filters, sorts and counts from the index and decodes only its page.
//
// Every index entry is written in the transaction that writes its record, from
// the one function indexEntries, and the old entries are removed first.
package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

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
	kOffice    = []byte("office")

	iReceived = []byte("received")
	iStatus   = []byte("status")
	iCategory = []byte("category")
	iReceipt  = []byte("receipt")
	iANumber  = []byte("anumber")
	iName     = []byte("name")
	iAudit    = []byte("audit")
	iComplete = []byte("complete")
	bFiles    = []byte("files")
	bSignIns  = []byte("signins")

	kSchema = []byte("schema")
	kDemo   = []byte("demo")
)

// DB is an open Fieldprint database.
type DB struct {
	bolt boltDB // every transaction guarded: a damaged file is an error, never a crash
	path string
	// Now is the clock used for timestamps and "today"; tests replace it.
	Now fp.Clock
	// MaxFileBytes is the size limit of one attached file.
	MaxFileBytes int64
	filesMu      sync.Mutex // one attach or detach at a time: file writes and their references
	// zone is the office's time zone, kept from the settings: "today" is the
	// office's day, wanted by nearly every write, and the workstation's
	// clock may be set to another zone.
	zone atomic.Pointer[time.Location]
	// wait sleeps before the last administrator's password is checked after
	// repeated failures (time.Sleep; tests count instead).
	wait func(time.Duration)
}

// OpenTimeout is how long Open waits for another process to release the file.
var OpenTimeout = time.Second

// Open opens (creating if needed) the database at path and migrates it to the
// current schema.
func Open(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fp.Internal("cannot create the folder for the database "+path, err)
	}
	b, err := openBolt(path, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		return nil, openError(path, err)
	}
	db := &DB{bolt: boltDB{b, path}, path: path, Now: time.Now, MaxFileBytes: fp.MaxAttachmentBytes, wait: time.Sleep}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, err
	}
	if err := db.loadZone(); err != nil {
		b.Close()
		if fp.ErrorCode(err) == fp.EINTERNAL {
			return nil, damaged(path, err) // the settings record is garbled
		}
		return nil, err
	}
	db.sweepScans()
	return db, nil
}

func (db *DB) Close() error { return db.bolt.Close() }

// SetClock replaces Now (nil keeps it) and returns the clock it replaced.
// Only the demo uses it, before anyone signs in: Now is not guarded.
func (db *DB) SetClock(c fp.Clock) fp.Clock {
	old := db.Now
	if c != nil {
		db.Now = c
	}
	return old
}
func (db *DB) Path() string { return db.path }

// Check runs bbolt's consistency check and verifies every index against the
// records. It returns every problem found.
func (db *DB) Check() []error {
	var errs []error
	err := db.bolt.View(func(tx *bolt.Tx) error {
		// A page tree bbolt cannot walk safely is reported as it is: walking
		// it (bbolt's check, the indexes' check) could loop or never end.
		if errs = verifyTree(tx, db.path); len(errs) > 0 {
			return nil
		}
		// Read every page here first, where a fault on a damaged page is
		// recovered: bbolt's own check reads them on a goroutine of its own.
		readAll(tx)
		for err := range tx.Check(bolt.WithKVStringer(keyLengths{})) {
			errs = append(errs, err)
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

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func idKey(id fp.RequestID) []byte { return u64(uint64(id)) }

func dateKey(d fp.Date) []byte { return []byte(fmt.Sprintf("%04d%02d%02d", d.Y, d.M, d.D)) }

func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var sep = []byte{0}

func idx(tx *bolt.Tx, name []byte) *bolt.Bucket { return tx.Bucket(bIdx).Bucket(name) }
