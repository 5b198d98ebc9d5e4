package workflow

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"slices"
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
	// rows[id] is request id's date(8) status 0x00 category, as hits hold
	// (ids come from a sequence: dense); far holds the rare id past
	// maxDense, so a damaged key cannot make the slice huge.
	rows                      [][]byte
	far                       map[fp.RequestID][]byte
	idents                    map[fp.RequestID]identity
	names, receipts, anumbers []posting
}

// maxDense is the largest id kept in memIndex.rows (ids past it: far).
const maxDense = 1 << 26

func (m *memIndex) row(id fp.RequestID) []byte {
	if id < fp.RequestID(len(m.rows)) {
		return m.rows[id]
	}
	return m.far[id]
}

func (m *memIndex) setRow(id fp.RequestID, v []byte) {
	if id > maxDense {
		m.far[id] = v
		return
	}
	if int(id) >= len(m.rows) {
		m.rows = append(m.rows, make([][]byte, int(id)+1-len(m.rows)+len(m.rows)/4)...)
	}
	m.rows[id] = v
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
				m.setRow(rid, cat(k[:8], c.Value))
			} else if row := m.row(rid); row != nil && bytes.Equal(row[:8], k[:8]) {
				m.setRow(rid, nil)
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
	m := &memIndex{far: map[fp.RequestID][]byte{}, idents: map[fp.RequestID]identity{}}
	each(idx(tx, iReceived), nil, func(k, v []byte) {
		if len(k) == 16 {
			m.setRow(fp.RequestID(binary.BigEndian.Uint64(k[8:])), cat(k[:8], v))
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
		defer func() { m.setRow(rid, nil); delete(m.idents, rid) }()
	}
	if c.row != nil {
		m.setRow(rid, c.row)
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
	db.mem.idx.applyAll(changes)
}

// applyAll brings the index up to a committed transaction: one change by
// itself (a binary search and a shift), several (an import's batch) in one
// merge per list, so a batch of k costs a pass over the index and a sort
// of k, not k shifts of the whole index.
func (m *memIndex) applyAll(changes map[fp.RequestID]memChange) {
	if len(changes) < 2 {
		for rid, c := range changes {
			m.apply(rid, c)
		}
		return
	}
	var gone, come [3][]posting // names, receipts, A-numbers
	for rid, c := range changes {
		if c.row != nil {
			m.setRow(rid, c.row)
		}
		if c.ident == nil && !c.gone {
			continue
		}
		old := m.idents[rid]
		gone = postingsOf(rid, old, gone)
		if c.gone { // purged: out of the index
			m.setRow(rid, nil)
			delete(m.idents, rid)
			continue
		}
		come = postingsOf(rid, *c.ident, come)
		m.idents[rid] = *c.ident
	}
	for i, l := range []*[]posting{&m.names, &m.receipts, &m.anumbers} {
		*l = mergePostings(*l, gone[i], come[i])
	}
}

// postingsOf appends id's postings to into, by list.
func postingsOf(rid fp.RequestID, id identity, into [3][]posting) [3][]posting {
	for _, t := range id.Tokens {
		into[0] = append(into[0], posting{t, rid})
	}
	for _, r := range id.Receipts {
		into[1] = append(into[1], posting{r, rid})
	}
	if id.ANumber != "" {
		into[2] = append(into[2], posting{id.ANumber, rid})
	}
	return into
}

// mergePostings is l (sorted) without gone and with come, sorted, each
// posting once: what removing gone then inserting come one by one gives.
// It works in l's array: a binary search for each posting gone or come,
// and the runs between them moved once (copy), not compared.
func mergePostings(l, gone, come []posting) []posting {
	cmp := func(a, b posting) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	}
	if len(gone) > 0 {
		slices.SortFunc(gone, cmp)
		gone = slices.Compact(gone)
		w, from := 0, 0 // l[:w] kept; l[from:] not looked at yet
		for _, p := range gone {
			i, found := slices.BinarySearchFunc(l[from:], p, cmp)
			if !found {
				continue
			}
			i += from
			w += copy(l[w:], l[from:i])
			from = i + 1
		}
		w += copy(l[w:], l[from:])
		clear(l[w:]) // no strings kept alive past the end
		l = l[:w]
	}
	if len(come) == 0 {
		return l
	}
	slices.SortFunc(come, cmp)
	come = slices.Compact(come)
	pos := make([]int, 0, len(come))
	k := 0 // those not in l yet, to the front
	for _, p := range come {
		if i, found := slices.BinarySearchFunc(l, p, cmp); !found {
			come[k] = p
			pos = append(pos, i)
			k++
		}
	}
	n := len(l)
	l = slices.Grow(l, k)[:n+k]
	end := n // l[pos[j]:end] moves up by j+1
	for j := k - 1; j >= 0; j-- {
		copy(l[pos[j]+j+1:end+j+1], l[pos[j]:end])
		l[pos[j]+j] = come[j]
		end = pos[j]
	}
	return l
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
		if row := m.row(x.id); row != nil {
			into[x.id] = row
		}
	})
}

// idSet is a set of request ids: a bit per id up to the index's rows, a
// map for the rare id past them.
type idSet struct {
	bits []uint64
	far  map[fp.RequestID]bool
}

func (m *memIndex) newSet() *idSet { return &idSet{bits: make([]uint64, len(m.rows)/64+1)} }

func (s *idSet) add(id fp.RequestID) {
	if i := uint64(id) / 64; i < uint64(len(s.bits)) {
		s.bits[i] |= 1 << (uint64(id) % 64)
		return
	}
	if s.far == nil {
		s.far = map[fp.RequestID]bool{}
	}
	s.far[id] = true
}

// and keeps only the ids also in o.
func (s *idSet) and(o *idSet) {
	for i := range s.bits {
		s.bits[i] &= o.bits[i]
	}
	for id := range s.far {
		if !o.far[id] {
			delete(s.far, id)
		}
	}
}

func (s *idSet) or(o *idSet) {
	for i := range s.bits {
		s.bits[i] |= o.bits[i]
	}
	for id := range o.far {
		s.add(id)
	}
}

// each calls fn with every id in the set.
func (s *idSet) each(fn func(fp.RequestID)) {
	for i, w := range s.bits {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			fn(fp.RequestID(uint64(i)*64 + uint64(b)))
			w &= w - 1
		}
	}
	for id := range s.far {
		fn(id)
	}
}

// search calls fn once with every request (and its row) whose name,
// receipt number, A-number or request number matches q, as searchHits
// finds them, without a map of hits: a set of bits of the index's ids.
func (m *memIndex) search(tx *tx, q string, fn func(fp.RequestID, []byte)) {
	found := m.newSet()
	c := fp.SqueezeUpper(q)
	// Request number typed in full.
	if n, err := fp.ParseNumber(q); err == nil && strings.HasPrefix(c, "FP") {
		if v := tx.Bucket(bNumbers).Get([]byte(n)); len(v) == 8 {
			id := fp.RequestID(binary.BigEndian.Uint64(v))
			if m.row(id) != nil {
				found.add(id)
			} else if s, err := getSummary(tx, id); err == nil {
				fn(id, cat(dateKey(s.Received), []byte(s.Status), sep, []byte(s.Category))) // not in the index yet
			}
		}
	}
	add := func(x posting) { found.add(x.id) }
	if len(c) >= 3 && isUpper(c[:3]) && isDigits(c[3:]) && len(c) <= 13 {
		prefix(m.receipts, c, add)
	}
	if d := strings.TrimPrefix(c, "A"); len(d) >= 3 && len(d) <= 9 && isDigits(d) {
		prefix(m.anumbers, "A"+d, add)
		if len(d) >= 7 {
			if a, err := fp.ParseANumber(d); err == nil && string(a) != "A"+d {
				prefix(m.anumbers, string(a), add)
			}
		}
	}
	var names *idSet
	for _, w := range fp.SearchTokens(q) {
		word := m.newSet()
		prefix(m.names, w, func(x posting) { word.add(x.id) })
		if names == nil {
			names = word
		} else {
			names.and(word)
		}
	}
	if names != nil {
		found.or(names)
	}
	found.each(func(id fp.RequestID) {
		if v := m.row(id); v != nil {
			fn(id, v)
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
