package disk

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// KV is the storage contract (fp.Storage) on one bbolt file: the flat,
// ordered key space the workflow runs on, the same on one desk as on an
// office's etcd server.
//
// Buckets of a KV file:
//
//	kv/      key -> revision (uint64 big-endian, 8 bytes) + value
//	kvmeta/  "rev" -> uint64: the newest revision
//	         "seq/" name -> uint64: the last number of that sequence
//	kvlog/   revision (8 bytes) + 0 (uint16) -> the revision's changes: 'B',
//	         their count (uint32), then for each key written, its last
//	         change in the revision: 'P' or 'D', key length (uint16), key,
//	         value length (uint32), value. (Files from before
//	         hold one change per record: index in the revision as the key's
//	         last two bytes, 'P' or 'D', key length, key, value; still read.)
//	         The change feed, kept for watchers that resume after a restart;
//	         the oldest revisions beyond kvLogKeep are dropped (a watch from
//	         before them is refused).
type KV struct {
	bolt  boltDB
	path  string
	clean bool // the file was as Fieldprint closed it: no crash since

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced at every commit that wrote
	closed   chan struct{}
	closeErr error
	once     sync.Once

	// pages: a release of the file's pages from the process's memory,
	// due once transactions pause (releaseSoon, pages_linux.go).
	pagesMu    sync.Mutex
	pagesTimer *time.Timer
	pagesOff   bool      // closed: no more releases
	pagesFirst time.Time // the first transaction since the last release
	pagesLast  time.Time // the latest transaction
}

var (
	bKV     = []byte("kv")
	bKVMeta = []byte("kvmeta")
	bKVLog  = []byte("kvlog")
	kRev    = []byte("rev")
)

// The change feed keeps the changes of the last kvLogKeep revisions, at
// most kvLogEntries of them: days of an office's work (a watcher away
// longer reads everything again) in a small part of the file, since every
// entry holds a copy of the value written.
const (
	kvLogKeep    = 1_000
	kvLogEntries = 20_000
)

var kLogCount = []byte("logcount") // in kvmeta: the entries the feed holds

var _ fp.Storage = (*KV)(nil)

// OpenKV opens (creating if needed) a KV file at path.
func OpenKV(path string) (*KV, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fp.Internal("cannot create the folder for the database "+path, err)
	}
	b, clean, err := openBolt(path, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		return nil, openError(path, err)
	}
	kv := &KV{bolt: boltDB{b, path}, path: path, clean: clean, changed: make(chan struct{}), closed: make(chan struct{})}
	ready := false
	kv.bolt.View(func(tx *bolt.Tx) error {
		ready = tx.Bucket(bKV) != nil && tx.Bucket(bKVMeta) != nil && tx.Bucket(bKVLog) != nil
		return nil
	})
	if ready { // opening an up-to-date file writes nothing
		return kv, nil
	}
	err = kv.bolt.Update(func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bKV, bKVMeta, bKVLog} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fp.Internal("cannot prepare the database "+path, err)
	}
	return kv, nil
}

// ClosedCleanly reports whether the file was opened as Fieldprint closed it:
// no crash, copy or other program's write since (then its page tree was not
// walked, and nothing a crash leaves behind needs sweeping).
func (kv *KV) ClosedCleanly() bool { return kv.clean }

func (kv *KV) Close() error {
	kv.once.Do(func() {
		kv.pagesMu.Lock()
		kv.pagesOff = true
		if kv.pagesTimer != nil {
			kv.pagesTimer.Stop()
		}
		kv.pagesMu.Unlock()
		close(kv.closed)
		if kv.closeErr = kv.bolt.Close(); kv.closeErr == nil {
			stampClean(kv.path)
		}
	})
	return kv.closeErr
}

func (kv *KV) Revision() (rev int64, err error) {
	err = kv.bolt.View(func(tx *bolt.Tx) error { rev = revision(tx); return nil })
	return rev, err
}

func revision(tx *bolt.Tx) int64 {
	if v := tx.Bucket(bKVMeta).Get(kRev); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

func (kv *KV) View(fn func(fp.Reader) error) error {
	defer kv.releaseSoon()
	return kv.bolt.View(func(tx *bolt.Tx) error { return fn(&kvTxn{tx: tx}) })
}

// releaseAfter is how long the file must go without a transaction before
// the pages they mapped are let go (ReleasePages): reading maps them into
// the process, and they would otherwise stay there until the file is
// closed. A release costs well under a millisecond for what a second of
// queries maps (0.5 ms for 33 MB mapped, 20-30 ms for a whole 500 MB file,
// measured here), but every page read again after it costs a fault: a
// release every quarter of a second while someone typed made each
// keystroke's query fault its pages back in (7 ms of a 16 ms query at
// 100,000 requests). So pages go once the desk is quiet, and at the latest
// releaseAtMost after the first transaction of a busy spell.
var (
	releaseAfter  = time.Second
	releaseAtMost = 10 * time.Second
)

// releaseSoon notes a transaction and makes sure a release is due.
func (kv *KV) releaseSoon() {
	if !releasesPages {
		return
	}
	kv.pagesMu.Lock()
	defer kv.pagesMu.Unlock()
	if kv.pagesOff {
		return
	}
	kv.pagesLast = time.Now()
	if kv.pagesTimer != nil {
		return
	}
	kv.pagesFirst = kv.pagesLast
	kv.pagesTimer = time.AfterFunc(releaseAfter, kv.releaseDue)
}

// releaseDue releases the pages if no transaction ran for releaseAfter or
// the spell has lasted releaseAtMost, and otherwise waits for the rest.
func (kv *KV) releaseDue() {
	kv.pagesMu.Lock()
	if kv.pagesOff { // closed
		kv.pagesTimer = nil
		kv.pagesMu.Unlock()
		return
	}
	now := time.Now()
	if wait := releaseAfter - now.Sub(kv.pagesLast); wait > 0 && now.Sub(kv.pagesFirst) < releaseAtMost {
		kv.pagesTimer = time.AfterFunc(wait, kv.releaseDue)
		kv.pagesMu.Unlock()
		return
	}
	kv.pagesTimer = nil
	kv.pagesMu.Unlock()
	kv.ReleasePages() // only memory: a failure (the file closed meanwhile) changes nothing
}

// Update runs fn in one bbolt write transaction: bbolt has one writer at a
// time, so fn never has to run again.
func (kv *KV) Update(fn func(fp.Writer) error) error {
	defer kv.releaseSoon()
	wrote := false
	err := kv.bolt.Update(func(tx *bolt.Tx) error {
		// Most keys are written in order (records, queue rows, the audit
		// chain and the date-led indexes take ever larger keys), so pages
		// are split full, not half full: the file is a third smaller.
		tx.Bucket(bKV).FillPercent = 0.9
		tx.Bucket(bKVLog).FillPercent = 0.9
		t := &kvTxn{tx: tx, write: true, rev: revision(tx) + 1}
		if err := fn(t); err != nil {
			return err
		}
		if t.ops == 0 {
			return nil
		}
		wrote = true
		if err := tx.Bucket(bKVMeta).Put(kRev, u64(uint64(t.rev))); err != nil {
			return err
		}
		if len(t.changes) > 0 { // one record for the revision: one write, not one per change
			k := binary.BigEndian.AppendUint16(u64(uint64(t.rev)), 0)
			if err := tx.Bucket(bKVLog).Put(k, t.logRecord()); err != nil {
				return err
			}
		}
		return trimLog(tx, t.rev, len(t.changes))
	})
	if err == nil && wrote {
		kv.mu.Lock()
		close(kv.changed)
		kv.changed = make(chan struct{})
		kv.mu.Unlock()
	}
	return err
}

// trimLog drops the oldest changes: those older than kvLogKeep revisions
// before rev, and as many more as keep the feed within kvLogEntries after
// added new ones.
func trimLog(tx *bolt.Tx, rev int64, added int) error {
	meta := tx.Bucket(bKVMeta)
	n := added
	if v := meta.Get(kLogCount); len(v) == 8 {
		n += int(binary.BigEndian.Uint64(v))
	}
	limit := u64(uint64(max(rev-kvLogKeep+1, 0)))
	c := tx.Bucket(bKVLog).Cursor()
	for k, v := c.First(); k != nil && (n > kvLogEntries || bytes.Compare(k[:8], limit) < 0); k, v = c.First() {
		changes := 1 // a record of one change (written before batches)
		if len(v) >= 5 && v[0] == logBatch {
			changes = int(binary.BigEndian.Uint32(v[1:5]))
		}
		if err := c.Delete(); err != nil {
			return err
		}
		n -= changes
	}
	return meta.Put(kLogCount, u64(uint64(max(n, 0))))
}

// logFrom is the oldest revision the feed still holds in full: a watch
// from before it would miss changes.
func logFrom(tx *bolt.Tx) int64 {
	if k, _ := tx.Bucket(bKVLog).Cursor().First(); len(k) == 10 {
		rev := int64(binary.BigEndian.Uint64(k[:8]))
		if binary.BigEndian.Uint16(k[8:]) != 0 {
			rev++ // that revision lost its first changes
		}
		return rev
	}
	return revision(tx) + 1
}

// kvTxn is one transaction seen through the contract.
type kvTxn struct {
	tx    *bolt.Tx
	write bool
	rev   int64 // the revision this write transaction's changes get
	ops   int   // keys written (each once, however often)
	bytes int   // their keys and last values
	// changes are the change feed's entries: each key written, in the
	// order first written, with its last change (written indexes them).
	changes []kvChange
	written map[string]int
}

// kvChange is a key's last change in a transaction ('P' or 'D') and the
// bytes the limits count for it.
type kvChange struct {
	op    byte
	key   string
	value []byte
	size  int
}

// logBatch begins a change-feed record holding all of a revision's
// changes; a record that begins with 'P' or 'D' is one change (the format
// before, still read).
const logBatch = 'B'

func (t *kvTxn) Get(key []byte) ([]byte, int64, error) {
	v := t.tx.Bucket(bKV).Get(key)
	if v == nil {
		return nil, 0, nil
	}
	if len(v) < 8 {
		return nil, 0, fp.Internal("a stored value is damaged", fmt.Errorf("value of %d bytes", len(v)))
	}
	return bytes.Clone(v[8:]), int64(binary.BigEndian.Uint64(v[:8])), nil
}

func (t *kvTxn) Scan(prefix, from []byte, reverse bool, fn func(k, v []byte) (bool, error)) error {
	c := t.tx.Bucket(bKV).Cursor()
	var k, v []byte
	switch {
	case !reverse:
		start := prefix
		if bytes.Compare(from, prefix) > 0 {
			start = from
		}
		k, v = c.Seek(start)
	default:
		// The last key at or before from, or before the first key past the prefix.
		end := prefixEnd(prefix)
		if from != nil && (end == nil || bytes.Compare(from, end) < 0) {
			if k, v = c.Seek(from); k != nil && bytes.Equal(k, from) {
				break
			}
			end = from
		}
		if end == nil {
			k, v = c.Last()
		} else if k, _ = c.Seek(end); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = step(c, reverse) {
		if len(v) < 8 {
			return fp.Internal("a stored value is damaged", fmt.Errorf("value of %d bytes", len(v)))
		}
		more, err := fn(k, v[8:]) // valid until fn returns (the contract)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t *kvTxn) Count(prefix []byte) (int, error) {
	n := 0
	c := t.tx.Bucket(bKV).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n, nil
}

func step(c *bolt.Cursor, reverse bool) ([]byte, []byte) {
	if reverse {
		return c.Prev()
	}
	return c.Next()
}

var errKVLimit = errors.New("limit")

// count keeps the limits for a write of key (size bytes with its value).
// A key written again counts once, at its last size: the transaction
// commits only each key's last value (as etcd's, whose limit this is).
func (t *kvTxn) count(key []byte, size int) error {
	if !t.write {
		return fp.Internal("a write in a read transaction", errKVLimit)
	}
	old := 0
	if i, again := t.written[string(key)]; again {
		old = t.changes[i].size
	} else if t.ops+1 > fp.MaxTxnOps {
		return fp.Internal(fmt.Sprintf("a change writes more than %d keys at once", fp.MaxTxnOps), fp.ErrTxnTooBig)
	}
	if t.bytes-old+size > fp.MaxTxnBytes {
		return fp.Internal(fmt.Sprintf("a change writes more than %d bytes at once", fp.MaxTxnBytes), fp.ErrTxnTooBig)
	}
	t.bytes += size - old
	return nil
}

func (t *kvTxn) Put(key, value []byte) error {
	switch {
	case len(key) == 0:
		return fp.Internal("an empty key", errKVLimit)
	case len(value) > fp.MaxValueBytes:
		return fp.Internal(fmt.Sprintf("a value of %d bytes is over the %d-byte limit", len(value), fp.MaxValueBytes), fp.ErrTxnTooBig)
	}
	size := len(key) + len(value)
	if err := t.count(key, size); err != nil {
		return err
	}
	stored := append(u64(uint64(t.rev)), value...)
	if err := t.tx.Bucket(bKV).Put(key, stored); err != nil {
		return err
	}
	t.log('P', key, stored[8:], size) // bbolt keeps stored until the commit
	return nil
}

func (t *kvTxn) Delete(key []byte) error {
	if !t.write {
		return fp.Internal("a write in a read transaction", errKVLimit)
	}
	b := t.tx.Bucket(bKV)
	if b.Get(key) == nil {
		return nil // nothing to delete: nothing changes, nothing is reported
	}
	if err := t.count(key, len(key)); err != nil {
		return err
	}
	if err := b.Delete(key); err != nil {
		return err
	}
	t.log('D', key, nil, len(key))
	return nil
}

// log notes key's change for the change feed: its last one replaces one
// made before in this transaction.
func (t *kvTxn) log(op byte, key, value []byte, size int) {
	if i, again := t.written[string(key)]; again {
		t.changes[i].op, t.changes[i].value, t.changes[i].size = op, value, size
		return
	}
	if t.written == nil {
		t.written = map[string]int{}
	}
	k := string(key)
	t.written[k] = len(t.changes)
	t.changes = append(t.changes, kvChange{op, k, value, size})
	t.ops++
}

// logRecord is the change feed's record of the transaction's changes:
// logBatch, their count (4 bytes), then op, key length (2), key, value
// length (4), value each.
func (t *kvTxn) logRecord() []byte {
	n := 5
	for _, c := range t.changes {
		n += 7 + len(c.key) + len(c.value)
	}
	b := binary.BigEndian.AppendUint32(append(make([]byte, 0, n), logBatch), uint32(len(t.changes)))
	for _, c := range t.changes {
		b = binary.BigEndian.AppendUint16(append(b, c.op), uint16(len(c.key)))
		b = binary.BigEndian.AppendUint32(append(b, c.key...), uint32(len(c.value)))
		b = append(b, c.value...)
	}
	return b
}

func (t *kvTxn) Sequence(name string) (uint64, error) {
	if !t.write {
		return 0, fp.Internal("a sequence in a read transaction", errKVLimit)
	}
	b := t.tx.Bucket(bKVMeta)
	key := append([]byte("seq/"), name...)
	var n uint64
	if v := b.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put(key, u64(n))
}

// Watch follows the change feed: first what is kept after from, then each
// commit as it happens.
func (kv *KV) Watch(ctx context.Context, prefix []byte, from int64) (<-chan fp.KeyChange, error) {
	var now, oldest int64
	err := kv.bolt.View(func(tx *bolt.Tx) error { now, oldest = revision(tx), logFrom(tx); return nil })
	if err != nil {
		return nil, err
	}
	if from == 0 {
		from = now
	}
	if from < now && from+1 < oldest {
		return nil, fp.Errorf(fp.ECONFLICT, "the changes since revision %d are no longer kept: read everything again", from)
	}
	out := make(chan fp.KeyChange, 64)
	go func() {
		defer close(out)
		next := from + 1
		for {
			kv.mu.Lock()
			wake := kv.changed
			kv.mu.Unlock()
			var batch []fp.KeyChange
			err := kv.bolt.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bKVLog).Cursor()
				for k, v := c.Seek(u64(uint64(next))); k != nil; k, v = c.Next() {
					chs, err := decodeChanges(k, v)
					if err != nil {
						return err
					}
					for _, ch := range chs {
						next = ch.Revision + 1
						if bytes.HasPrefix(ch.Key, prefix) {
							batch = append(batch, ch)
						}
					}
				}
				return nil
			})
			if err != nil {
				return
			}
			for _, ch := range batch {
				select {
				case out <- ch:
				case <-ctx.Done():
					return
				case <-kv.closed:
					return
				}
			}
			select {
			case <-wake:
			case <-ctx.Done():
				return
			case <-kv.closed:
				return
			}
		}
	}()
	return out, nil
}

// decodeChanges reads one change-feed record: a revision's batch, or one
// change in the format before.
func decodeChanges(k, v []byte) ([]fp.KeyChange, error) {
	damaged := fp.Internal("the change feed is damaged", errKVLimit)
	if len(k) != 10 || len(v) < 1 {
		return nil, damaged
	}
	if v[0] != logBatch {
		ch, err := decodeChange(k, v)
		return []fp.KeyChange{ch}, err
	}
	if len(v) < 5 {
		return nil, damaged
	}
	rev := int64(binary.BigEndian.Uint64(k[:8]))
	n := int(binary.BigEndian.Uint32(v[1:5]))
	out := make([]fp.KeyChange, 0, min(n, 1024))
	for p := v[5:]; len(p) > 0; {
		if len(p) < 3 {
			return nil, damaged
		}
		op, kl := p[0], int(binary.BigEndian.Uint16(p[1:3]))
		if len(p) < 3+kl+4 {
			return nil, damaged
		}
		key := p[3 : 3+kl]
		vl := int(binary.BigEndian.Uint32(p[3+kl:]))
		if len(p) < 7+kl+vl {
			return nil, damaged
		}
		ch := fp.KeyChange{Revision: rev, Key: bytes.Clone(key)}
		if op == 'D' {
			ch.Deleted = true
		} else {
			ch.Value = bytes.Clone(p[7+kl : 7+kl+vl])
		}
		out = append(out, ch)
		p = p[7+kl+vl:]
	}
	if len(out) != n {
		return nil, damaged
	}
	return out, nil
}

func decodeChange(k, v []byte) (fp.KeyChange, error) {
	if len(k) != 10 || len(v) < 3 {
		return fp.KeyChange{}, fp.Internal("the change feed is damaged", errKVLimit)
	}
	n := int(binary.BigEndian.Uint16(v[1:3]))
	if len(v) < 3+n {
		return fp.KeyChange{}, fp.Internal("the change feed is damaged", errKVLimit)
	}
	ch := fp.KeyChange{Revision: int64(binary.BigEndian.Uint64(k[:8])), Key: bytes.Clone(v[3 : 3+n])}
	if v[0] == 'D' {
		ch.Deleted = true
	} else {
		ch.Value = bytes.Clone(v[3+n:])
	}
	return ch, nil
}

// Path is the file.
func (kv *KV) Path() string { return kv.path }

// Raw runs fn in one guarded bbolt write transaction on the whole file: for
// the store's move of a file written in the older bucket layout (see
// store.Open), which reads those buckets and loads their keys with Load.
func (kv *KV) Raw(fn func(*bolt.Tx) error) error { return kv.bolt.Update(fn) }

// RawView is Raw for reading.
func (kv *KV) RawView(fn func(*bolt.Tx) error) error { return kv.bolt.View(fn) }

// Load writes key = value into the key space of tx as if written at
// revision 1, outside the change feed and the limits: a file's contents
// moved from the older layout, all at once.
func Load(tx *bolt.Tx, key, value []byte) error {
	b := tx.Bucket(bKV)
	if b == nil {
		return fmt.Errorf("no key space in this file")
	}
	if revision(tx) < 1 {
		if err := tx.Bucket(bKVMeta).Put(kRev, u64(1)); err != nil {
			return err
		}
	}
	return b.Put(key, append(u64(1), value...))
}

// SetSequence sets the named sequence's last number (for Load).
func SetSequence(tx *bolt.Tx, name string, n uint64) error {
	return tx.Bucket(bKVMeta).Put(append([]byte("seq/"), name...), u64(n))
}

// CheckFile runs bbolt's consistency check of the file: the page tree walked
// safely first (a damaged one is reported as it is, never walked by bbolt),
// then every page read, then bbolt's own check. It returns every problem.
func (kv *KV) CheckFile() []error {
	var errs []error
	err := kv.bolt.View(func(tx *bolt.Tx) error {
		if errs = verifyTree(tx, kv.path); len(errs) > 0 {
			return nil
		}
		// Read every page here first, where a fault on a damaged page is
		// recovered: bbolt's own check reads them on a goroutine of its own.
		readAll(tx)
		for err := range tx.Check(bolt.WithKVStringer(keyLengths{})) {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

// Damaged is the error for a file that cannot be trusted, naming it.
func Damaged(path string, cause error) *fp.Error { return damaged(path, cause) }

// FromGuard reports whether err came from a transaction the guard stopped
// (a damaged file): such an error already says what happened.
func FromGuard(err error) bool { return fromGuard(err) }

// Rewriter reads and writes the key space of a raw transaction for a
// migration of the key space at open: values as the workflow sees them
// (without their revision); every write gets one new revision, after the
// file's newest, outside the change feed (nothing watches a file while it
// is being opened) and outside the limits (one transaction, all or nothing).
type Rewriter struct {
	b   *bolt.Bucket
	tx  *bolt.Tx
	rev []byte
}

// NewRewriter starts rewriting the key space of tx.
func NewRewriter(tx *bolt.Tx) (*Rewriter, error) {
	b := tx.Bucket(bKV)
	if b == nil || tx.Bucket(bKVMeta) == nil {
		return nil, fmt.Errorf("no key space in this file")
	}
	return &Rewriter{b: b, tx: tx}, nil
}

// Get is key's value (nil: none).
func (r *Rewriter) Get(key []byte) []byte {
	v := r.b.Get(key)
	if len(v) < 8 {
		return nil
	}
	return v[8:]
}

// Put writes key = value at the migration's revision.
func (r *Rewriter) Put(key, value []byte) error {
	if r.rev == nil {
		rev := revision(r.tx) + 1
		if err := r.tx.Bucket(bKVMeta).Put(kRev, u64(uint64(rev))); err != nil {
			return err
		}
		r.rev = u64(uint64(rev))
	}
	return r.b.Put(key, append(bytes.Clone(r.rev), value...))
}

// Scan calls fn with every key with prefix and its value, in order; fn
// may not write (collect first, then Put).
func (r *Rewriter) Scan(prefix []byte, fn func(k, v []byte) error) error {
	c := r.b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) < 8 {
			return fmt.Errorf("a damaged value of %d bytes", len(v))
		}
		if err := fn(k, v[8:]); err != nil {
			return err
		}
	}
	return nil
}
