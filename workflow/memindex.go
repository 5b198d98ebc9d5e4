package workflow

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

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

// The index in memory keeps no pointer per request, so the garbage
// collector has almost nothing to scan, and as few bytes as it can: at
// 100,000 requests it was 43 MB of strings, maps and slices of strings
// (BenchmarkSearchIndexBuild reports the bytes a request costs).
//
//   - ents[id]: the request's received day (YYYYMMDD as a number), its
//     status and category (an index into combos, each pair kept once) and
//     where its identity record starts in arena;
//   - arena: every request's identity record, one after the other: the
//     number of its name's words, each word (a uvarint length, then its
//     bytes), the number of its receipt numbers, each, then its A-number
//     (length 0: none). A record replaced or purged stays until the dead
//     bytes are half the arena, then the arena is copied without them;
//   - names, receipts, anumbers: one posting per identifier, sorted by
//     identifier then request: where the identifier is in arena, and the
//     request's slot (slotOf). A prefix search is a binary search.

// posting is one identifier of one request: off, where the identifier is
// in the arena; slot, the request (memIndex.idOf).
type posting struct{ off, slot uint32 }

// ent is what the index keeps of one request: its received day and its
// status and category (combos[sc]; sc 0: no row), and the offset of its
// identity record in the arena (0: none).
type ent struct{ day, rec, sc uint32 }

// combo is a status and its category, as the received index's value holds them.
type combo struct{ status, category []byte }

type memIndex struct {
	// ents by id (ids come from a sequence: dense); far holds the rare id
	// past maxDense, so a damaged key cannot make the slice huge.
	ents    []ent
	far     map[fp.RequestID]ent
	farIDs  []fp.RequestID // slot maxDense+1+i is farIDs[i]
	farSlot map[fp.RequestID]uint32
	combos  []combo // combos[0]: none
	comboOf map[string]uint32
	arena   []byte // arena[0]: none
	dead    int    // bytes of arena in records no longer used
	idents  int    // requests with an identity record

	names, receipts, anumbers []posting
}

// maxDense is the largest id kept in memIndex.ents (ids past it: far).
const maxDense = 1 << 26

func newMemIndex() *memIndex {
	return &memIndex{far: map[fp.RequestID]ent{}, farSlot: map[fp.RequestID]uint32{},
		combos: []combo{{}}, comboOf: map[string]uint32{}, arena: []byte{0}}
}

func (m *memIndex) ent(id fp.RequestID) ent {
	if id < fp.RequestID(len(m.ents)) {
		return m.ents[id]
	}
	if id > maxDense {
		return m.far[id]
	}
	return ent{}
}

func (m *memIndex) setEnt(id fp.RequestID, e ent) {
	if id > maxDense {
		if e == (ent{}) {
			delete(m.far, id)
		} else {
			m.far[id] = e
		}
		return
	}
	if int(id) >= len(m.ents) {
		if e == (ent{}) {
			return
		}
		m.ents = append(m.ents, make([]ent, int(id)+1-len(m.ents)+len(m.ents)/4)...)
	}
	m.ents[id] = e
}

// row is request id's row value as the received index holds it (date(8)
// status 0x00 category), nil when it is not in the index.
func (m *memIndex) row(id fp.RequestID) []byte {
	e := m.ent(id)
	if e.sc == 0 {
		return nil
	}
	c := m.combos[e.sc]
	return cat(dayKey(e.day), c.status, sep, c.category)
}

// setRow sets id's row from its value (nil: out of the index).
func (m *memIndex) setRow(id fp.RequestID, v []byte) {
	if len(v) < 8 {
		m.putRow(id, nil, nil)
		return
	}
	m.putRow(id, v[:8], v[8:])
}

// putRow sets id's row from its date key and "status 0x00 category" (date
// nil: out of the index).
func (m *memIndex) putRow(id fp.RequestID, date, sc []byte) {
	e := m.ent(id)
	if date == nil {
		e.day, e.sc = 0, 0
	} else {
		e.day, e.sc = dayNumber(date), m.combo(sc)
	}
	m.setEnt(id, e)
}

// combo is the number of the status and category pair sc, kept once.
func (m *memIndex) combo(sc []byte) uint32 {
	if i, ok := m.comboOf[string(sc)]; ok {
		return i
	}
	st, ct, _ := bytes.Cut(sc, sep)
	m.combos = append(m.combos, combo{bytes.Clone(st), bytes.Clone(ct)})
	i := uint32(len(m.combos) - 1)
	m.comboOf[string(sc)] = i
	return i
}

// dayKey is the date key (YYYYMMDD) of a day number (dayNumber).
func dayKey(n uint32) []byte {
	k := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		k[i] = byte('0' + n%10)
		n /= 10
	}
	return k
}

// slotOf is the slot postings give request id: the id itself up to
// maxDense, a number past it for the rare id beyond.
func (m *memIndex) slotOf(id fp.RequestID) uint32 {
	if id <= maxDense {
		return uint32(id)
	}
	if s, ok := m.farSlot[id]; ok {
		return s
	}
	m.farIDs = append(m.farIDs, id)
	s := uint32(maxDense + len(m.farIDs))
	m.farSlot[id] = s
	return s
}

func (m *memIndex) idOf(slot uint32) fp.RequestID {
	if slot <= maxDense {
		return fp.RequestID(slot)
	}
	return m.farIDs[slot-maxDense-1]
}

// key is the identifier at off in the arena.
func (m *memIndex) key(off uint32) []byte {
	a := m.arena[off:]
	if n := a[0]; n < 0x80 {
		return a[1 : 1+int(n)]
	}
	n, w := binary.Uvarint(a)
	return a[w : w+int(n)]
}

func appendKey(a []byte, s string) []byte {
	return append(binary.AppendUvarint(a, uint64(len(s))), s...)
}

// putRecord appends identity id to the arena: where its record starts,
// 0 for an identity with nothing to find it by.
func (m *memIndex) putRecord(id identity) uint32 {
	if len(id.Tokens) == 0 && len(id.Receipts) == 0 && id.ANumber == "" {
		return 0
	}
	if len(m.arena) > math.MaxUint32-1<<20 {
		panic("the search index in memory is over 4 GB") // some 80 million requests
	}
	off := uint32(len(m.arena))
	m.arena = binary.AppendUvarint(m.arena, uint64(len(id.Tokens)))
	for _, t := range id.Tokens {
		m.arena = appendKey(m.arena, t)
	}
	m.arena = binary.AppendUvarint(m.arena, uint64(len(id.Receipts)))
	for _, r := range id.Receipts {
		m.arena = appendKey(m.arena, r)
	}
	m.arena = appendKey(m.arena, id.ANumber)
	return off
}

// eachKey calls fn (when not nil) with the list (0 names, 1 receipts, 2
// A-numbers) and offset of every identifier of the record at rec, and
// returns the record's length in bytes.
func (m *memIndex) eachKey(rec uint32, fn func(list int, off uint32)) int {
	a, p := m.arena, int(rec)
	skip := func() {
		n, w := binary.Uvarint(a[p:])
		p += w + int(n)
	}
	for list := range 2 {
		n, w := binary.Uvarint(a[p:])
		p += w
		for range n {
			if fn != nil {
				fn(list, uint32(p))
			}
			skip()
		}
	}
	if a[p] != 0 && fn != nil {
		fn(2, uint32(p))
	}
	skip()
	return p - int(rec)
}

// postingsOf appends the postings of the record at rec (0: none) for slot
// to into, by list.
func (m *memIndex) postingsOf(rec, slot uint32, into [3][]posting) [3][]posting {
	if rec != 0 {
		m.eachKey(rec, func(l int, off uint32) { into[l] = append(into[l], posting{off, slot}) })
	}
	return into
}

// setRecord makes rec (0: none) id's identity record; the one before is dead.
func (m *memIndex) setRecord(id fp.RequestID, rec uint32) {
	e := m.ent(id)
	if e.rec != 0 {
		m.dead += m.eachKey(e.rec, nil)
		m.idents--
	}
	if rec != 0 {
		m.idents++
	}
	e.rec = rec
	m.setEnt(id, e)
}

// compact copies the arena without its dead records once they are half of
// it, and points the postings to where their identifiers moved.
func (m *memIndex) compact() {
	if m.dead < compactMin || m.dead < len(m.arena)/2 {
		return
	}
	arena := make([]byte, 1, len(m.arena)-m.dead)
	moved := map[uint32]uint32{} // slot: new record - old record (mod 2^32)
	move := func(id fp.RequestID, e *ent) {
		if e.rec == 0 {
			return
		}
		at := uint32(len(arena))
		arena = append(arena, m.arena[e.rec:int(e.rec)+m.eachKey(e.rec, nil)]...)
		moved[m.slotOf(id)] = at - e.rec
		e.rec = at
	}
	for id := range m.ents {
		move(fp.RequestID(id), &m.ents[id])
	}
	for id, e := range m.far {
		move(id, &e)
		m.far[id] = e
	}
	for _, l := range []*[]posting{&m.names, &m.receipts, &m.anumbers} {
		for i := range *l {
			(*l)[i].off += moved[(*l)[i].slot]
		}
	}
	m.arena, m.dead = arena, 0
}

// bytes is about how much memory the index holds (its slices' capacity;
// the maps of ids past maxDense counted at 64 bytes an entry).
func (m *memIndex) bytes() int {
	n := cap(m.ents)*int(unsafe.Sizeof(ent{})) + cap(m.arena) + cap(m.farIDs)*8 + (len(m.far)+len(m.farSlot))*64
	for _, l := range m.lists() {
		n += cap(*l) * int(unsafe.Sizeof(posting{}))
	}
	return n
}

// compactMin: the arena is not copied for less dead bytes than this.
var compactMin = 1 << 20

// cmp orders postings by identifier, then slot.
func (m *memIndex) cmp(a, b posting) int {
	if c := bytes.Compare(m.key(a.off), m.key(b.off)); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

func (m *memIndex) lists() [3]*[]posting { return [3]*[]posting{&m.names, &m.receipts, &m.anumbers} }

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
				m.putRow(rid, k[:8], c.Value)
			} else if e := m.ent(rid); e.sc != 0 && e.day == dayNumber(k[:8]) {
				m.putRow(rid, nil, nil)
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
		}
	}
	db.mem.idx = nil // the feed ended before reaching rev
	return false
}

func buildMemIndex(tx *tx) (*memIndex, error) {
	m := newMemIndex()
	// The walks map the file's pages into the process (and the pages
	// around each: 64 KiB a fault), hundreds of MB at 100,000 requests:
	// a backend that can lets go of them every few thousand requests.
	release, _ := tx.r.(interface{ ReleasePages() error })
	read := 0
	eachBrief(idx(tx, iReceived), nil, func(k, v []byte) {
		if len(k) == 16 {
			m.putRow(fp.RequestID(binary.BigEndian.Uint64(k[8:])), k[:8], v)
		}
		if read++; read%16384 == 0 && release != nil {
			release.ReleasePages()
		}
	})
	b := idx(tx, iIdent)
	var ferr error
	var id identity
	var into [3][]posting
	b.t.r.Scan(b.prefix, nil, false, func(k, v []byte) (bool, error) {
		if k = k[len(b.prefix):]; len(k) != 8 {
			return true, nil
		}
		if read++; read%4096 == 0 && release != nil {
			release.ReleasePages()
		}
		plain, err := b.opened(k, v)
		if err == errKeyGone {
			return true, nil // purged: a backup from before the purge was restored (the next purge finishes it)
		}
		if err == nil {
			id = identity{Tokens: id.Tokens[:0], Receipts: id.Receipts[:0]}
			err = decodeIdentity(plain, &id)
		}
		if err != nil {
			if ferr == nil {
				ferr = fp.Internal("a search index entry cannot be read: run a database check", err)
			}
			return true, nil
		}
		rid := fp.RequestID(binary.BigEndian.Uint64(k))
		rec := m.putRecord(id)
		m.setRecord(rid, rec)
		into = m.postingsOf(rec, m.slotOf(rid), into)
		return true, nil
	})
	for i, l := range m.lists() {
		slices.SortFunc(into[i], m.cmp)
		// A word twice in one name: one posting (remove takes out one).
		*l = slices.CompactFunc(into[i], func(a, b posting) bool { return m.cmp(a, b) == 0 })
		if cap(*l)-len(*l) > len(*l)/8 { // no room kept for growth the build needed
			*l = slices.Clone(*l)
		}
	}
	if cap(m.arena)-len(m.arena) > len(m.arena)/8 {
		m.arena = slices.Clone(m.arena)
	}
	return m, ferr
}

// decodeIdentity reads an identity's JSON (json.Marshal of identity)
// into id, reusing its slices; the strings of words without escapes are
// read directly, any other form through encoding/json. The index's build
// decodes one per request: encoding/json made most of its garbage.
func decodeIdentity(b []byte, id *identity) error {
	if bytes.IndexByte(b, '\\') >= 0 {
		return json.Unmarshal(b, id)
	}
	s := string(b)
	str := func() (string, bool) { // s starts with a quoted string without escapes
		if len(s) < 2 || s[0] != '"' {
			return "", false
		}
		i := strings.IndexByte(s[1:], '"')
		if i < 0 {
			return "", false
		}
		v := s[1 : 1+i]
		s = s[2+i:]
		return v, true
	}
	list := func(into []string) ([]string, bool) {
		if !strings.HasPrefix(s, "[") {
			return into, false
		}
		s = s[1:]
		for !strings.HasPrefix(s, "]") {
			v, ok := str()
			if !ok {
				return into, false
			}
			into = append(into, v)
			if strings.HasPrefix(s, ",") && !strings.HasPrefix(s, ",]") {
				s = s[1:]
			} else if !strings.HasPrefix(s, "]") {
				return into, false
			}
		}
		s = s[1:]
		return into, true
	}
	ok := strings.HasPrefix(s, "{")
	if ok {
		s = s[1:]
	}
	for ok && !strings.HasPrefix(s, "}") {
		var name string
		if name, ok = str(); !ok || !strings.HasPrefix(s, ":") {
			ok = false
			break
		}
		s = s[1:]
		switch name {
		case "t":
			id.Tokens, ok = list(id.Tokens)
		case "r":
			id.Receipts, ok = list(id.Receipts)
		case "a":
			id.ANumber, ok = str()
		default:
			ok = false
		}
		if ok && strings.HasPrefix(s, ",") && !strings.HasPrefix(s, ",}") {
			s = s[1:]
		} else if ok && !strings.HasPrefix(s, "}") {
			ok = false
		}
	}
	if !ok || s != "}" {
		*id = identity{Tokens: id.Tokens[:0], Receipts: id.Receipts[:0]}
		return json.Unmarshal(b, id) // another form: the standard library's reading (or its error)
	}
	return nil
}

// remove takes p out of the sorted list l.
func (m *memIndex) remove(l []posting, p posting) []posting {
	if i, found := slices.BinarySearchFunc(l, p, m.cmp); found {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// insert puts p into the sorted list l, once.
func (m *memIndex) insert(l []posting, p posting) []posting {
	if i, found := slices.BinarySearchFunc(l, p, m.cmp); !found {
		return slices.Insert(l, i, p)
	}
	return l
}

// apply brings the index up to a committed write.
func (m *memIndex) apply(rid fp.RequestID, c memChange) {
	if c.gone {
		c.ident = &identity{}
		defer func() { m.setRow(rid, nil); m.compact() }()
	}
	if c.row != nil {
		m.setRow(rid, c.row)
	}
	if c.ident == nil {
		return
	}
	slot := m.slotOf(rid)
	old := m.postingsOf(m.ent(rid).rec, slot, [3][]posting{})
	rec := m.putRecord(*c.ident)
	come := m.postingsOf(rec, slot, [3][]posting{})
	for i, l := range m.lists() {
		for _, p := range old[i] {
			*l = m.remove(*l, p)
		}
		for _, p := range come[i] {
			*l = m.insert(*l, p)
		}
	}
	m.setRecord(rid, rec)
	if !c.gone {
		m.compact()
	}
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
		slot := m.slotOf(rid)
		// The old record stays in the arena until compact, after the merge.
		gone = m.postingsOf(m.ent(rid).rec, slot, gone)
		if c.gone { // purged: out of the index
			m.setRecord(rid, 0)
			m.setRow(rid, nil)
			continue
		}
		rec := m.putRecord(*c.ident)
		come = m.postingsOf(rec, slot, come)
		m.setRecord(rid, rec)
	}
	for i, l := range m.lists() {
		*l = m.merge(*l, gone[i], come[i])
	}
	m.compact()
}

// merge is l (sorted) without gone and with come, sorted, each posting
// once: what removing gone then inserting come one by one gives. It works
// in l's array: a binary search for each posting gone or come, and the
// runs between them moved once (copy), not compared.
func (m *memIndex) merge(l, gone, come []posting) []posting {
	same := func(a, b posting) bool { return m.cmp(a, b) == 0 }
	if len(gone) > 0 {
		slices.SortFunc(gone, m.cmp)
		gone = slices.CompactFunc(gone, same)
		w, from := 0, 0 // l[:w] kept; l[from:] not looked at yet
		for _, p := range gone {
			i, found := slices.BinarySearchFunc(l[from:], p, m.cmp)
			if !found {
				continue
			}
			i += from
			w += copy(l[w:], l[from:i])
			from = i + 1
		}
		w += copy(l[w:], l[from:])
		l = l[:w]
	}
	if len(come) == 0 {
		return l
	}
	slices.SortFunc(come, m.cmp)
	come = slices.CompactFunc(come, same)
	pos := make([]int, 0, len(come))
	k := 0 // those not in l yet, to the front
	for _, p := range come {
		if i, found := slices.BinarySearchFunc(l, p, m.cmp); !found {
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

// prefix calls fn for every posting of l whose identifier starts with p.
func (m *memIndex) prefix(l []posting, p string, fn func(posting)) {
	i := sort.Search(len(l), func(i int) bool { return string(m.key(l[i].off)) >= p })
	for ; i < len(l); i++ {
		if k := m.key(l[i].off); len(k) < len(p) || string(k[:len(p)]) != p {
			return
		}
		fn(l[i])
	}
}

// hits adds to into the requests whose identifier in l starts with p.
func (m *memIndex) hits(l []posting, p string, into hits) {
	m.prefix(l, p, func(x posting) {
		id := m.idOf(x.slot)
		if row := m.row(id); row != nil {
			into[id] = row
		}
	})
}

// idSet is a set of request ids: a bit per id up to the index's rows, a
// map for the rare id past them.
type idSet struct {
	bits []uint64
	far  map[fp.RequestID]bool
}

func (m *memIndex) newSet() *idSet { return &idSet{bits: make([]uint64, len(m.ents)/64+1)} }

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
func (m *memIndex) search(tx *tx, q string, fn func(id fp.RequestID, day uint32, c combo)) {
	found := m.newSet()
	c := fp.SqueezeUpper(q)
	// Request number typed in full.
	if n, err := fp.ParseNumber(q); err == nil && strings.HasPrefix(c, "FP") {
		if v := tx.Bucket(bNumbers).Get([]byte(n)); len(v) == 8 {
			id := fp.RequestID(binary.BigEndian.Uint64(v))
			if m.ent(id).sc != 0 {
				found.add(id)
			} else if s, err := getSummary(tx, id); err == nil {
				fn(id, dayNumber(dateKey(s.Received)), combo{[]byte(s.Status), []byte(s.Category)}) // not in the index yet
			}
		}
	}
	add := func(x posting) { found.add(m.idOf(x.slot)) }
	if len(c) >= 3 && isUpper(c[:3]) && isDigits(c[3:]) && len(c) <= 13 {
		m.prefix(m.receipts, c, add)
	}
	if d := strings.TrimPrefix(c, "A"); len(d) >= 3 && len(d) <= 9 && isDigits(d) {
		m.prefix(m.anumbers, "A"+d, add)
		if len(d) >= 7 {
			if a, err := fp.ParseANumber(d); err == nil && string(a) != "A"+d {
				m.prefix(m.anumbers, string(a), add)
			}
		}
	}
	var names *idSet
	for _, w := range fp.SearchTokens(q) {
		word := m.newSet()
		m.prefix(m.names, w, func(x posting) { word.add(m.idOf(x.slot)) })
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
		if e := m.ent(id); e.sc != 0 {
			fn(id, e.day, m.combos[e.sc])
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
