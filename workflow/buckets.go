package workflow

import (
	"bytes"
	"sync"

	fp "github.com/fieldprint/fieldprint"
)

// The workflow keeps its data in the storage contract's flat key space,
// laid out as named buckets: a bucket is a key prefix, its name and a "/"
// ("requests/", "idx/status/"), and a key in it follows the prefix. This
// file gives a transaction the few bucket and cursor operations the
// workflow is written with, over any backend.

// tx is one transaction: reads always, writes in an update.
type tx struct {
	r       fp.Reader
	w       fp.Writer                  // nil in a read-only view
	ops     int                        // keys written, as the storage contract counts them (each once)
	bytes   int                        // their keys and last values
	written map[string]int             // the bytes counted for each key written
	scratch []byte                     // Get's key
	rk      sealer                     // the records key, when the office key is unlocked (seal.go)
	keys    int8                       // officeHasKeys: 0 not asked, 1 no, 2 yes
	mem     map[fp.RequestID]memChange // for the search index in memory, after commit
	desk    *Desk                      // whose index in memory this transaction may use

	// What seal writes at the end of an update: audit entries, and request
	// records by id (in order of first write); head is the chain's length after.
	pending []fp.AuditEntry
	staged  map[fp.RequestID]staged
	order   []fp.RequestID
	head    uint64
}

// Bucket is the top-level bucket name.
func (t *tx) Bucket(name []byte) *bucket {
	return &bucket{t: t, prefix: prefixOf(nil, name)}
}

// prefixes keeps every bucket prefix made (a few dozen names): a bucket is
// named on nearly every read, and its prefix need not be built each time.
var prefixes struct {
	sync.RWMutex
	m map[string]map[string][]byte // parent prefix -> name -> prefix
}

func prefixOf(parent, name []byte) []byte {
	prefixes.RLock()
	p, ok := prefixes.m[string(parent)][string(name)]
	prefixes.RUnlock()
	if ok {
		return p
	}
	p = append(append(append([]byte(nil), parent...), name...), '/')
	prefixes.Lock()
	defer prefixes.Unlock()
	if prefixes.m == nil {
		prefixes.m = map[string]map[string][]byte{}
	}
	if prefixes.m[string(parent)] == nil {
		prefixes.m[string(parent)] = map[string][]byte{}
	}
	prefixes.m[string(parent)][string(name)] = p
	return p
}

// bucket is a key prefix.
type bucket struct {
	t      *tx
	prefix []byte
}

// Bucket is a bucket inside b.
func (b *bucket) Bucket(name []byte) *bucket {
	return &bucket{t: b.t, prefix: prefixOf(b.prefix, name)}
}

func (b *bucket) key(k []byte) []byte { return append(append([]byte(nil), b.prefix...), k...) }

// Get returns k's value, nil when there is none. A read error (a damaged
// store) is kept on the transaction and ends it (see tx.err).
func (b *bucket) Get(k []byte) []byte {
	// The key is built in the transaction's scratch space: a backend's Get
	// does not keep it, and Get calls nothing that could reuse it meanwhile.
	b.t.scratch = append(append(b.t.scratch[:0], b.prefix...), k...)
	v, _, err := b.t.r.Get(b.t.scratch)
	if err != nil {
		panic(readError{err})
	}
	if v == nil {
		return nil
	}
	if len(v) == 0 {
		return []byte{} // present, empty: an index entry
	}
	return v
}

func (b *bucket) Put(k, v []byte) error {
	if b.t.w == nil {
		return fp.Internal("a write in a read transaction", errReadOnly)
	}
	if v == nil {
		v = []byte{}
	}
	key := b.key(k)
	b.t.count(key, len(key)+len(v))
	return b.t.w.Put(key, v)
}

func (b *bucket) Delete(k []byte) error {
	if b.t.w == nil {
		return fp.Internal("a write in a read transaction", errReadOnly)
	}
	key := b.key(k)
	b.t.count(key, len(key))
	return b.t.w.Delete(key)
}

// count notes a write as the storage contract counts it: a key written
// again counts once, at the size of its last value (batch work sizes its
// transactions by it: inChunks).
func (t *tx) count(key []byte, size int) {
	old, again := t.written[string(key)]
	if !again {
		if t.written == nil {
			t.written = map[string]int{}
		}
		t.ops++
	}
	t.bytes += size - old
	t.written[string(key)] = size
}

// ForEach calls fn with every key of b (the prefix taken off), in order.
// k and v stay valid for the transaction, as bbolt's do.
func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	var a arena
	return b.t.r.Scan(b.prefix, nil, false, func(k, v []byte) (bool, error) {
		return true, fn(a.copy(k[len(b.prefix):]), a.copy(v))
	})
}

// arena copies the keys and values a scan hands out (valid only during its
// callback) into shared blocks: one allocation for many small keys. Blocks
// start small (a short scan stays cheap) and double up to 16 KiB.
type arena struct{ block []byte }

func (a *arena) copy(b []byte) []byte {
	if len(b) > 1024 {
		return bytes.Clone(b)
	}
	if len(a.block)+len(b) > cap(a.block) {
		a.block = make([]byte, 0, min(max(2*cap(a.block), 512), 16<<10))
	}
	n := len(a.block)
	a.block = append(a.block, b...)
	return a.block[n:len(a.block):len(a.block)]
}

// Count is how many keys b holds.
func (b *bucket) Count() int {
	n, err := b.t.r.Count(b.prefix)
	if err != nil {
		panic(readError{err})
	}
	return n
}

// NextSequence returns the bucket's next number: 1, 2, 3, …
func (b *bucket) NextSequence() (uint64, error) {
	if b.t.w == nil {
		return 0, fp.Internal("a sequence in a read transaction", errReadOnly)
	}
	return b.t.w.Sequence(string(b.prefix))
}

// Cursor walks b's keys both ways, fetching them a page at a time.
func (b *bucket) Cursor() *cursor { return &cursor{b: b} }

// A cursor fetches 16 keys at first (a Seek that reads one key costs
// little), twice as many each time it goes on, up to 1024 (a walk over a
// whole index restarts its scan rarely).
const (
	cursorFirstPage = 16
	cursorMaxPage   = 1024
)

// errOutOfOrder: a store gave keys out of order (a damaged file).
var errOutOfOrder = fp.Errorf(fp.EINTERNAL, "the database is damaged (its keys are out of order): run fieldprint check, and restore the newest backup")

// cursor is a position among a bucket's keys, as bbolt's cursors are.
type cursor struct {
	b       *bucket
	page    [][2][]byte // keys (prefix taken off) and values fetched
	i       int         // the current position in page
	reverse bool        // the direction page was fetched in
	size    int         // how many keys the next fetch takes
	a       arena
}

// fetch fills the page from the full key from, in a direction; it returns
// the first entry or nils. A fresh position (First, Last, Seek) starts
// small again.
func (c *cursor) fetch(from []byte, reverse bool, skip []byte, goOn bool) ([]byte, []byte) {
	switch {
	case !goOn || c.size == 0:
		c.size = cursorFirstPage
	case c.size < cursorMaxPage:
		c.size *= 2
	}
	c.page, c.i, c.reverse = c.page[:0], 0, reverse
	// Keys come in order, and going on never goes back: a damaged file
	// whose keys are out of order would otherwise make a walk over it go
	// round for ever. (last starts at where the walk goes on from.)
	var last, prev []byte
	if goOn && from != nil {
		last = from
		if !reverse {
			last = from[:len(from)-1] // the key gone on from, without its 0x00
		}
	}
	err := c.b.t.r.Scan(c.b.prefix, from, reverse, func(full, v []byte) (bool, error) {
		if last != nil && (!reverse && bytes.Compare(full, last) <= 0 || reverse && bytes.Compare(full, last) > 0) {
			return false, errOutOfOrder
		}
		k := full[len(c.b.prefix):]
		if skip != nil && bytes.Equal(k, skip) {
			return true, nil
		}
		prev = append(prev[:0], full...)
		last = prev
		c.page = append(c.page, [2][]byte{c.a.copy(k), c.a.copy(v)})
		return len(c.page) < c.size, nil
	})
	if err != nil {
		panic(readError{err})
	}
	return c.current()
}

func (c *cursor) current() ([]byte, []byte) {
	if c.i < 0 || c.i >= len(c.page) {
		return nil, nil
	}
	e := c.page[c.i]
	if len(e[1]) == 0 {
		return e[0], []byte{}
	}
	return e[0], e[1]
}

func (c *cursor) First() ([]byte, []byte) { return c.fetch(nil, false, nil, false) }
func (c *cursor) Last() ([]byte, []byte)  { return c.fetch(nil, true, nil, false) }

// Seek goes to the first key at or after k.
func (c *cursor) Seek(k []byte) ([]byte, []byte) { return c.fetch(c.b.key(k), false, nil, false) }

func (c *cursor) Next() ([]byte, []byte) {
	k, _ := c.current()
	if k == nil {
		return nil, nil
	}
	if !c.reverse && c.i+1 < len(c.page) {
		c.i++
		return c.current()
	}
	return c.fetch(append(c.b.key(k), 0), false, nil, !c.reverse)
}

func (c *cursor) Prev() ([]byte, []byte) {
	k, _ := c.current()
	if k == nil {
		return nil, nil
	}
	if c.reverse && c.i+1 < len(c.page) {
		c.i++
		return c.current()
	}
	return c.fetch(c.b.key(k), true, k, c.reverse)
}

// readError carries a backend's read error out of a bucket operation,
// which (like bbolt's) returns no error; the transaction turns it back into
// its error.
type readError struct{ err error }

type roError struct{}

func (roError) Error() string { return "read-only transaction" }

var errReadOnly error = roError{}

// catchRead ends a transaction function with the read error it met.
func catchRead(err *error) {
	if r := recover(); r != nil {
		re, ok := r.(readError)
		if !ok {
			panic(r)
		}
		*err = re.err
	}
}
