package workflow

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Once the office has its data key, the search indexes hold no name, number
// or receipt in the clear: each request's identifiers (its name's words,
// receipt numbers, A-number) are stored sealed under idx/ident/<id>, and the
// searches run on an index in memory built from them when someone signed in
// first searches (idx/received gives every row's date, status and
// category without decrypting). It is kept up to date by this desk's own
// writes after each commit and dropped when the desk locks. An office
// without a key keeps the name, receipt and A-number indexes in the store
// as before (indexEntries).
var iIdent = []byte("ident")

// iDup: the duplicate check's exact lookups, without the identifiers:
// idx/dup/<keyed hash of kind and identifier (16 bytes)><id>, empty values;
// written in the transaction like every index, so a batch sees its own.
var iDup = []byte("dup")

// dupHash is the keyed hash of one identifier of a kind ('r' receipt
// number, 'a' A-number).
func dupHash(h *vault.Key, kind byte, ident string) []byte {
	m := hmac.New(sha256.New, h[:])
	m.Write([]byte{kind})
	m.Write([]byte(ident))
	return m.Sum(nil)[:16]
}

// dupEntries are r's duplicate-check entries in an office with its key.
func dupEntries(r *fp.Request, h *vault.Key) []entry {
	id := idKey(r.ID)
	var es []entry
	for _, rn := range r.ReceiptNumbers {
		es = append(es, entry{iDup, cat(dupHash(h, 'r', string(rn)), id), []byte{}})
	}
	if r.ANumber != "" {
		es = append(es, entry{iDup, cat(dupHash(h, 'a', string(r.ANumber)), id), []byte{}})
	}
	return es
}

// hashKey is the identifier-hash key, nil when locked.
func (s *sealer) hashKey() *vault.Key {
	if !s.ok {
		return nil
	}
	return &s.h
}

// identity is what a request is found by.
type identity struct {
	Tokens   []string `json:"t,omitempty"`
	Receipts []string `json:"r,omitempty"`
	ANumber  string   `json:"a,omitempty"`
}

func identityOf(r *fp.Request) identity {
	var id identity
	for i, t := range fp.SearchTokens(r.Applicant.FullName) {
		if i == maxNameTokens {
			break
		}
		id.Tokens = append(id.Tokens, t)
	}
	for _, rn := range r.ReceiptNumbers {
		id.Receipts = append(id.Receipts, string(rn))
	}
	id.ANumber = string(r.ANumber)
	return id
}

func (a identity) equal(b identity) bool {
	return strings.Join(a.Tokens, "\x00") == strings.Join(b.Tokens, "\x00") &&
		strings.Join(a.Receipts, "\x00") == strings.Join(b.Receipts, "\x00") && a.ANumber == b.ANumber
}

// posting is one identifier of one request, kept sorted by key then id.
type posting struct {
	key string
	id  fp.RequestID
}

type memIndex struct {
	rows                      map[fp.RequestID][]byte // date(8) status 0x00 category, as hits hold
	idents                    map[fp.RequestID]identity
	names, receipts, anumbers []posting
}

// memChange is what a committed write does to the index: the request's new
// row, and its identity when that changed.
type memChange struct {
	row   []byte
	ident *identity
	gone  bool // purged: out of the index
}

// memState is the Desk's index and what keeps it right.
type memState struct {
	mu  sync.RWMutex
	idx *memIndex
	gen uint64 // commits that changed requests since the desk opened
	rev int64  // on an office server: the revision of meta/search-rev idx holds
}

// On an office server other desks change requests too: every transaction
// that changes what the index holds rewrites meta/search-rev (a write
// without a read: it makes no two transactions conflict), so a search
// that finds its revision newer than the index's catches up first, from
// the store's change feed (or builds the index again when the feed no
// longer reaches back).
var kSearchRev = []byte("search-rev")

// searchRev is the revision of meta/search-rev in tx's snapshot.
func searchRev(tx *tx) (int64, error) {
	_, rev, err := tx.r.Get(tx.Bucket(bMeta).key(kSearchRev))
	return rev, err
}

// rowOf is r's row value, as the received index holds it with its date.
func rowOf(r *fp.Request) []byte {
	return cat(dateKey(r.Received), []byte(r.Status), sep, []byte(r.Category))
}

// memIndexFor returns the index, building it from tx's snapshot when there
// is none; nil when the office keeps its search indexes in the store.
func (db *Desk) memIndexFor(tx *tx) (*memIndex, error) {
	if !tx.officeHasKeys() {
		return nil, nil
	}
	if !tx.rk.ok {
		return nil, ErrLocked
	}
	var rev int64
	if db.shared() {
		var err error
		if rev, err = searchRev(tx); err != nil {
			return nil, err
		}
	}
	db.mem.mu.RLock()
	m, gen, at := db.mem.idx, db.mem.gen, db.mem.rev
	db.mem.mu.RUnlock()
	if m != nil && at >= rev {
		return m, nil
	}
	if m != nil && tx.w == nil && db.memCatchUp(rev) {
		db.mem.mu.RLock()
		m = db.mem.idx
		db.mem.mu.RUnlock()
		if m != nil {
			return m, nil
		}
	}
	m, err := buildMemIndex(tx)
	if err != nil {
		return nil, err
	}
	if tx.w != nil {
		return m, nil // it holds this transaction's writes, which may yet fail
	}
	db.mem.mu.Lock()
	// A commit since tx began is not in this snapshot: the next search
	// builds again from a newer one.
	if db.mem.gen == gen && (db.mem.idx == nil || db.mem.rev < rev) {
		db.mem.idx, db.mem.rev = m, rev
	}
	db.mem.mu.Unlock()
	return m, nil
}

// catchUpWait is how long a catch-up waits for the change feed.
const catchUpWait = 5 * time.Second

// memCatchUp applies the other desks' changes to the index, from the
// revision it holds up to rev (meta/search-rev's); false: the feed does
// not reach back that far or failed (the caller builds the index again).
func (db *Desk) memCatchUp(rev int64) bool {
	db.mem.mu.Lock()
	defer db.mem.mu.Unlock()
	m := db.mem.idx
	if m == nil {
		return false
	}
	if db.mem.rev >= rev {
		return true // another search caught up meanwhile
	}
	if db.mem.rev == 0 { // built before any desk wrote the mark: no revision to go on from
		db.mem.idx = nil
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), catchUpWait)
	defer cancel()
	ch, err := db.s.Watch(ctx, nil, db.mem.rev)
	if err != nil {
		db.mem.idx = nil
		return false
	}
	t := &tx{rk: db.sealer(), desk: db}
	received, ident, mark := idx(t, iReceived), idx(t, iIdent), t.Bucket(bMeta).key(kSearchRev)
	for c := range ch {
		if c.Revision > rev || c.Revision == rev && bytes.Equal(c.Key, mark) {
			// Past it, or at its mark, written after the indexes it
			// covers (the feed gives a transaction's keys in order).
			db.mem.rev = rev
			return true
		}
		switch k := c.Key; {
		case bytes.HasPrefix(k, received.prefix) && len(k) == len(received.prefix)+16:
			k = k[len(received.prefix):]
			rid := fp.RequestID(binary.BigEndian.Uint64(k[8:]))
			if !c.Deleted {
				m.rows[rid] = cat(k[:8], c.Value)
			} else if row := m.rows[rid]; row != nil && bytes.Equal(row[:8], k[:8]) {
				delete(m.rows, rid)
			}
		case bytes.HasPrefix(k, ident.prefix) && len(k) == len(ident.prefix)+8:
			k = k[len(ident.prefix):]
			rid := fp.RequestID(binary.BigEndian.Uint64(k))
			var id identity
			gone := c.Deleted
			if !gone {
				plain, err := ident.opened(k, c.Value)
				if err == errKeyGone {
					gone = true
				} else if err != nil || json.Unmarshal(plain, &id) != nil {
					db.mem.idx = nil
					return false
				}
			}
			m.apply(rid, memChange{ident: &id})
			if gone {
				delete(m.idents, rid)
			}
		}
	}
	db.mem.idx = nil // the feed ended before reaching rev
	return false
}

func buildMemIndex(tx *tx) (*memIndex, error) {
	m := &memIndex{rows: map[fp.RequestID][]byte{}, idents: map[fp.RequestID]identity{}}
	each(idx(tx, iReceived), nil, func(k, v []byte) {
		if len(k) == 16 {
			m.rows[fp.RequestID(binary.BigEndian.Uint64(k[8:]))] = cat(k[:8], v)
		}
	})
	b := idx(tx, iIdent)
	var ferr error
	b.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return nil
		}
		plain, err := b.opened(k, v)
		if err == errKeyGone {
			return nil // purged: a backup from before the purge was restored (the next purge finishes it)
		}
		var id identity
		if err == nil {
			err = json.Unmarshal(plain, &id)
		}
		if err != nil {
			if ferr == nil {
				ferr = fp.Internal("a search index entry cannot be read: run a database check", err)
			}
			return nil
		}
		m.idents[fp.RequestID(binary.BigEndian.Uint64(k))] = id
		return nil
	})
	for rid, id := range m.idents {
		m.add(rid, id)
	}
	for _, l := range []*[]posting{&m.names, &m.receipts, &m.anumbers} {
		sort.Slice(*l, func(i, j int) bool { return less((*l)[i], (*l)[j]) })
	}
	return m, ferr
}

func less(a, b posting) bool { return a.key < b.key || a.key == b.key && a.id < b.id }

// add appends id's postings unsorted (the build sorts once).
func (m *memIndex) add(rid fp.RequestID, id identity) {
	for _, t := range id.Tokens {
		m.names = append(m.names, posting{t, rid})
	}
	for _, r := range id.Receipts {
		m.receipts = append(m.receipts, posting{r, rid})
	}
	if id.ANumber != "" {
		m.anumbers = append(m.anumbers, posting{id.ANumber, rid})
	}
}

func insert(l []posting, p posting) []posting {
	i := sort.Search(len(l), func(i int) bool { return !less(l[i], p) })
	if i < len(l) && l[i] == p {
		return l
	}
	l = append(l, posting{})
	copy(l[i+1:], l[i:])
	l[i] = p
	return l
}

func remove(l []posting, p posting) []posting {
	i := sort.Search(len(l), func(i int) bool { return !less(l[i], p) })
	if i < len(l) && l[i] == p {
		return append(l[:i], l[i+1:]...)
	}
	return l
}

// apply brings the index up to a committed write.
func (m *memIndex) apply(rid fp.RequestID, c memChange) {
	if c.gone {
		c.ident = &identity{}
		defer func() { delete(m.rows, rid); delete(m.idents, rid) }()
	}
	if c.row != nil {
		m.rows[rid] = c.row
	}
	if c.ident == nil {
		return
	}
	old := m.idents[rid]
	for _, t := range old.Tokens {
		m.names = remove(m.names, posting{t, rid})
	}
	for _, r := range old.Receipts {
		m.receipts = remove(m.receipts, posting{r, rid})
	}
	if old.ANumber != "" {
		m.anumbers = remove(m.anumbers, posting{old.ANumber, rid})
	}
	for _, t := range c.ident.Tokens {
		m.names = insert(m.names, posting{t, rid})
	}
	for _, r := range c.ident.Receipts {
		m.receipts = insert(m.receipts, posting{r, rid})
	}
	if c.ident.ANumber != "" {
		m.anumbers = insert(m.anumbers, posting{c.ident.ANumber, rid})
	}
	m.idents[rid] = *c.ident
}

// committed applies a transaction's request changes to the index.
func (db *Desk) memCommitted(changes map[fp.RequestID]memChange) {
	if len(changes) == 0 {
		return
	}
	db.mem.mu.Lock()
	defer db.mem.mu.Unlock()
	db.mem.gen++
	if db.mem.idx == nil {
		return
	}
	for rid, c := range changes {
		db.mem.idx.apply(rid, c)
	}
}

// memDrop forgets the index (the desk locked: it holds applicants' names).
func (db *Desk) memDrop() {
	db.mem.mu.Lock()
	defer db.mem.mu.Unlock()
	db.mem.idx = nil
	db.mem.gen++
}

// prefix calls fn for every posting of l whose key starts with p.
func prefix(l []posting, p string, fn func(posting)) {
	i := sort.Search(len(l), func(i int) bool { return l[i].key >= p })
	for ; i < len(l) && strings.HasPrefix(l[i].key, p); i++ {
		fn(l[i])
	}
}

// hits adds to into the requests whose identifier in l starts with p.
func (m *memIndex) hits(l []posting, p string, into hits) {
	prefix(l, p, func(x posting) {
		if row := m.rows[x.id]; row != nil {
			into[x.id] = row
		}
	})
}

// putIdentity writes r's sealed identity when it changed (old nil: new
// request), and notes the change for the index in memory.
func putIdentity(tx *tx, old, r *fp.Request) error {
	id := identityOf(r)
	c := memChange{row: rowOf(r)}
	if old == nil || !identityOf(old).equal(id) || idx(tx, iIdent).Get(idKey(r.ID)) == nil {
		v, err := json.Marshal(id)
		if err != nil {
			return err
		}
		if err := idx(tx, iIdent).PutSealedFor(r.ID, idKey(r.ID), v); err != nil {
			return err
		}
		c.ident = &id
	}
	if tx.mem == nil {
		tx.mem = map[fp.RequestID]memChange{}
	}
	if prev, ok := tx.mem[r.ID]; ok && c.ident == nil {
		c.ident = prev.ident
	}
	tx.mem[r.ID] = c
	return nil
}

// WarmSearch builds the search index in memory ahead of the first search
// (the window calls it in the background after signing in).
func (db *Desk) WarmSearch() error {
	return db.view(func(tx *tx) error {
		_, err := db.memIndexFor(tx)
		return err
	})
}
