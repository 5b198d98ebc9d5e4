package workflow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Desk carries out every action of the office over the storage contract:
// the same on one desk's bbolt file as on an office's server.
//
// The key space, as buckets (prefix "name/"; ids are uint64 big-endian,
// 8 bytes; dates "YYYYMMDD"):
//
//	meta/schema, meta/demo      schema version of this layout; the demo mark
//	meta/audit-order            how far the audit trail strays from time order (audit.go)
//	requests/  id -> 0x01, the 32-byte hash of the audit entry that last changed it,
//	           JSON fieldprint.Request (the record, its checklist and appointments); see records.go
//	summaries/ id -> JSON fieldprint.RequestSummary (queue rows)
//	numbers/   "FP-2026-00042" -> id
//	counters/  "2026" -> uint64: last sequence used for that year's numbers
//	counts/    status 0x00 category -> uint64: requests of that status and category (the queue's totals)
//	users/     name -> JSON fieldprint.User (full name, badge, argon2id hash, lockout counters)
//	signins/   name without an account -> failures and lock only
//	audit/     seq -> JSON fieldprint.AuditEntry, a SHA-256 hash chain
//	prints/    "FP-…" 0x00 document -> uint64: copies printed
//	settings/office, settings/scheduling -> JSON letterhead; hours and rules
//	settings/checkpoints -> JSON: the folder signed checkpoints go to
//	idx/received/  date id -> status 0x00 category
//	idx/status/    status 0x00 date id -> category
//	idx/category/  category 0x00 date id -> status
//	idx/receipt/   receipt-number id -> date status 0x00 category     } an office without
//	idx/anumber/   a-number id -> date status 0x00 category           } its data key only
//	idx/name/      folded-name-token 0x00 id -> date status 0x00 category }
//	idx/ident/     id -> sealed identity: name words, receipts, A-number (memindex.go)
//	idx/dup/       keyed hash of a receipt or A-number (16) id -> ∅ (the duplicate check)
//	idx/audit/     "FP-…" 0x00 seq -> ∅
//	idx/complete/  date id -> status 0x00 category (checklist complete, waiting for a decision)
//	idx/incomplete/ date id -> status 0x00 category (an import left fields to complete)
//	idx/slots/     date start(uint16) station(1) -> the holder (see slotEntries)
//	idx/walkins/   date id appointment(uint16) -> as slots/
//	stamps/    "ABCDE-FGHIJ" -> JSON fieldprint.Stamp
//	stampkeys/ key id -> Ed25519 public key
//	files/     sha256 -> JSON: type, size, how many checklist items use it
//	keys/user/<name>, keys/recovery -> the office data key's slots (keys.go)
//	meta/sealed                 every record sealed (seal.go)
//	keyids/    id -> key id: the request's own key in the key store (reqkeys.go)
//	purged/    id -> JSON tombstone: number, category, dates, outcome (purge.go)
//	purges/    seq -> JSON destruction report of one purge run (purge.go)
//
// Once the office has its data key, the values of requests/ (the body),
// summaries/, idx/ident/, stamps/, mail/, the details of audit/ entries
// about requests, and the files' bytes are sealed (seal.go).
//
// Attachments' bytes are not in the key space: Files keeps them.
type Desk struct {
	s     fp.Storage
	files Files
	// The audit trail's length when this desk last looked (auditHead).
	auditSeen atomic.Uint64
	// Where, for messages, the office's data is ("the database /home/…").
	where string
	// KeyFile is where the stamp signing key lives (beside the data, never in it).
	KeyFile string
	// Now is the clock for timestamps and "today"; tests fix it.
	Now fp.Clock
	// BackupSettings is the file of the backup settings, outside the key
	// space (backupfile.go; the store sets it).
	BackupSettings string
	// SetAsideKeyStores lists the key stores of offices a restore set
	// aside beside the database (the store sets it): a purge shreds the
	// purged keys in them too.
	SetAsideKeyStores func() []string
	// MaxFileBytes is the size limit of one attached file.
	MaxFileBytes int64
	// deskName is this desk's name on an office server (UseServerDesk);
	// empty on one desk's own file.
	deskName string
	filesMu  sync.Mutex     // one attach or detach at a time: file writes and their references
	sweeping sync.WaitGroup // a sweep after an unclean stop (SweepInBackground)
	pins     pins           // files kept while a backup copies them (backup.go)
	zone     atomic.Pointer[time.Location]
	wait     func(time.Duration)
	cp       checkpoints // the signed checkpoints of the history
	mem      memState    // the search index in memory of an office with its key (memindex.go)
	// officeKey is the office data key while someone is signed in (zero:
	// locked). Never written anywhere: keys.go.
	keyMu      sync.RWMutex
	officeKey  vault.Key
	recordsKey vault.Key     // derived from officeKey: seals records and files (seal.go)
	identKey   vault.Key     // derived from officeKey: keyed hashes of identifiers (memindex.go)
	reqKeys    keyStore      // each request's own key, while unlocked (reqkeys.go)
	confirms   confirmations // second persons' confirmations of a purge by hand (purge.go)
}

// Files keeps attachments' bytes outside the key space, named by SHA-256.
type Files interface {
	// Write stores data under sum, durably, before it returns, and reports
	// whether it created it (an intact copy may be there already).
	Write(sum string, data []byte) (created bool, err error)
	Read(sum string) ([]byte, error)
	// Size is the stored size (an error when it is not stored).
	Size(sum string) (int64, error)
	Remove(sum string) error
	// List names every stored file (for the sweep after a crash and the check).
	List() ([]string, error)
}

// BatchFiles is Files that stores many files at once more cheaply than
// one by one (disk.Folder: the files synced together, each folder once).
type BatchFiles interface {
	// WriteBatch is Write of each sums[i] and data[i] (distinct sums):
	// every file is durable when it returns; on an error it leaves none
	// of those it created.
	WriteBatch(sums []string, data [][]byte) (created []bool, err error)
}

var (
	bMeta      = []byte("meta")
	bRequests  = []byte("requests")
	bSummaries = []byte("summaries")
	bNumbers   = []byte("numbers")
	bCounters  = []byte("counters")
	bIdx       = []byte("idx")
	bUsers     = []byte("users")
	bSignIns   = []byte("signins")
	bAudit     = []byte("audit")
	bPrints    = []byte("prints")
	bSettings  = []byte("settings")
	bFiles     = []byte("files")
	bCounts    = []byte("counts")
	kOffice    = []byte("office")
	kDemo      = []byte("demo")

	iReceived   = []byte("received")
	iStatus     = []byte("status")
	iCategory   = []byte("category")
	iReceipt    = []byte("receipt")
	iANumber    = []byte("anumber")
	iName       = []byte("name")
	iAudit      = []byte("audit")
	iComplete   = []byte("complete")
	iIncomplete = []byte("incomplete")
)

// view runs fn on a consistent snapshot.
func (db *Desk) view(fn func(*tx) error) error {
	return db.s.View(func(r fp.Reader) (err error) {
		defer catchRead(&err)
		return fn(&tx{r: r, rk: db.sealer(), desk: db})
	})
}

// update runs fn as one transaction (run again by a backend with several
// writers when another changed what it read), then writes its audit
// entries and request records together (seal).
func (db *Desk) update(fn func(*tx) error) error {
	var head uint64
	var changes map[fp.RequestID]memChange
	err := db.s.Update(func(w fp.Writer) (err error) {
		defer catchRead(&err)
		t := &tx{r: w, w: w, rk: db.sealer(), desk: db}
		if err := fn(t); err != nil {
			return err
		}
		if err := t.seal(); err != nil {
			return err
		}
		if len(t.mem) > 0 && db.shared() { // other desks' indexes in memory catch up (memindex.go)
			if err := t.Bucket(bMeta).Put(kSearchRev, []byte{}); err != nil {
				return err
			}
		}
		head, changes = t.head, t.mem
		return nil
	})
	if err == nil {
		db.memCommitted(changes)
	}
	if err == nil && head > 0 {
		db.committed(head)
	}
	return err
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func idKey(id fp.RequestID) []byte { return u64(uint64(id)) }

func dateKey(d fp.Date) []byte {
	if d.Y < 0 || d.Y > 9999 {
		return []byte(fmt.Sprintf("%04d%02d%02d", d.Y, d.M, d.D))
	}
	// By hand: the calendar makes one for every day it reads.
	k := make([]byte, 8)
	put := func(at, n, w int) {
		for i := at + w - 1; i >= at; i-- {
			k[i] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, d.Y, 4)
	put(4, int(d.M), 2)
	put(6, d.D, 2)
	return k
}

// keyDate reads the date of a dateKey (the first 8 bytes of k).
func keyDate(k []byte) (fp.Date, error) {
	if len(k) < 8 {
		return fp.Date{}, fmt.Errorf("date key %x is too short", k)
	}
	n := 0
	for _, c := range k[:8] {
		if c < '0' || c > '9' {
			return fp.Date{}, fmt.Errorf("date key %x is not a date", k)
		}
		n = n*10 + int(c-'0')
	}
	d := fp.Date{Y: n / 10000, M: time.Month(n / 100 % 100), D: n % 100}
	if fp.DateOf(d.Time()) != d {
		return fp.Date{}, fmt.Errorf("date key %x is not a date", k)
	}
	return d, nil
}

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

func idx(tx *tx, name []byte) *bucket { return tx.Bucket(bIdx).Bucket(name) }

// wrap words a failed write for people: what was not done.
func wrap(err error, what string) error {
	if fp.ErrorCode(err) != fp.EINTERNAL {
		return err
	}
	if e, ok := err.(*fp.Error); ok && e.Message != "" && e.Message != "internal error" {
		return err // already says what happened (a damaged store, say)
	}
	return fp.Internal(what+": the change could not be written", err)
}

// inChunks runs step for items 0..n-1, as many per transaction as the
// storage contract's limits allow: the first alone, then as many as fit in
// three quarters of the limits at the cost per item of the transaction
// before (at most maxChunk); a transaction refused as too big runs again
// with half as many (and none as large runs after it). The cost is the keys written, each once: actions on
// one request in one transaction share its record, queue row, counts and
// index entries, so a batch of them costs less per item than one alone.
// It returns how many items were written; an error stops it (those
// written stay written).
func (db *Desk) inChunks(n int, step func(tx *tx, i int) error) (done int, err error) {
	return db.inChunksProgress(n, step, nil)
}

// inChunksProgress is inChunks telling progress (nil: nobody) how many
// items are written after each transaction commits.
func (db *Desk) inChunksProgress(n int, step func(tx *tx, i int) error, progress func(done, total int)) (done int, err error) {
	size, ceiling := 1, maxChunk
	for done < n {
		end := min(done+size, n)
		var ops, bytes int
		err := db.update(func(tx *tx) error {
			for i := done; i < end; i++ {
				if err := step(tx, i); err != nil {
					return err
				}
			}
			if err := tx.seal(); err != nil { // counted with the rest
				return err
			}
			ops, bytes = tx.ops, tx.bytes
			return nil
		})
		if errors.Is(err, fp.ErrTxnTooBig) && end-done > 1 {
			size = (end - done) / 2
			ceiling = end - done - 1 // so the batch does not try it again
			continue
		}
		if err != nil {
			return done, err
		}
		items := end - done
		done = end
		if progress != nil {
			progress(done, n)
		}
		opsPer, bytesPer := max(1, (ops+items-1)/items), max(1, (bytes+items-1)/items)
		size = max(1, min(maxChunk, ceiling, fp.MaxTxnOps*3/4/opsPer, fp.MaxTxnBytes*3/4/bytesPer))
	}
	return done, nil
}

// maxChunk items at most go in one transaction of inChunks.
const maxChunk = 200
