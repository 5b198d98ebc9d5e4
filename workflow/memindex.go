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
//     bytes); the number of its receipt numbers of the canonical form,
//     each as a 6-byte number (pack), the number of the others,
//     each as a word; its A-number (a byte: 0 none, 1 a 4-byte number, 2
//     a word). A record replaced or purged stays until the dead bytes are
//     half the arena, then the arena is copied without them;
//   - the postings: one per identifier, sorted by identifier then
//     request. A name's word is where it is in arena and the request's
//     slot (slotOf); a receipt number or A-number of the canonical form
//     is held in its posting, as a number in the identifiers' order, so a
//     prefix walk reads one array in order (at 1,000,000 requests, reading
//     each identifier from the arena, which is in id order, cost a cache
//     miss a posting); the rare other forms are kept like words.
//
// A prefix search finds the range of its postings with two binary
// searches, then reads only their slots.

// posting is one identifier of one request kept in the arena: off, where
// the identifier is in the arena; slot, the request (memIndex.idOf).
type posting struct{ off, slot uint32 }

// rposting is a receipt number of the canonical form: its number
// (pack, 48 bits) split into hi and lo, so the posting is 12 bytes.
type rposting struct {
	lo, slot uint32
	hi       uint16
}

func (p rposting) key() uint64 { return uint64(p.hi)<<32 | uint64(p.lo) }

func newRPosting(n uint64, slot uint32) rposting {
	return rposting{lo: uint32(n), slot: slot, hi: uint16(n >> 32)}
}

// aposting is an A-number of the canonical form: its nine digits.
type aposting struct{ num, slot uint32 }

// postings are the index's sorted lists (or one request's part of them).
type postings struct {
	names    []posting
	receipts []rposting // of the canonical form
	oddRcpts []posting  // any other form (kept as it was stored: never lose a hit)
	anumbers []aposting // of the canonical form
	oddANums []posting
}

// The canonical forms (fp.ParseReceiptNumber, fp.ParseANumber) as
// shapes: L a letter A-Z, D a digit, any other byte itself.
const receiptShape, aNumberShape = "LLLDDDDDDDDDD", "ADDDDDDDDD"

// packRange is the range [lo, lo+span) of the numbers (pack) of the
// identifiers of shape that start with p; ok false: none does. Numbers
// are in the identifiers' order, so a prefix is a range.
func packRange(shape, p string) (lo, span uint64, ok bool) {
	if len(p) > len(shape) {
		return 0, 0, false
	}
	span = 1
	for i := 0; i < len(shape); i++ {
		radix := uint64(1)
		switch shape[i] {
		case 'L':
			radix = 26
		case 'D':
			radix = 10
		}
		lo *= radix
		if i >= len(p) {
			span *= radix
			continue
		}
		switch c := p[i]; shape[i] {
		case 'L':
			if c < 'A' || c > 'Z' {
				return 0, 0, false
			}
			lo += uint64(c - 'A')
		case 'D':
			if c < '0' || c > '9' {
				return 0, 0, false
			}
			lo += uint64(c - '0')
		default:
			if c != shape[i] {
				return 0, 0, false
			}
		}
	}
	return lo, span, true
}

// pack is the number of identifier s of shape (ok false: s is not of it).
func pack(shape, s string) (uint64, bool) {
	if len(s) != len(shape) {
		return 0, false
	}
	n, _, ok := packRange(shape, s)
	return n, ok
}

// unpack is the identifier of shape whose number is n.
func unpack(shape string, n uint64) string {
	b := []byte(shape)
	for i := len(b) - 1; i >= 0; i-- {
		switch shape[i] {
		case 'L':
			b[i] = 'A' + byte(n%26)
			n /= 26
		case 'D':
			b[i] = '0' + byte(n%10)
			n /= 10
		}
	}
	return string(b)
}

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

	postings
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
	packed := 0
	for _, r := range id.Receipts {
		if _, ok := pack(receiptShape, r); ok {
			packed++
		}
	}
	m.arena = binary.AppendUvarint(m.arena, uint64(packed))
	for _, r := range id.Receipts {
		if n, ok := pack(receiptShape, r); ok {
			m.arena = binary.BigEndian.AppendUint16(m.arena, uint16(n>>32))
			m.arena = binary.BigEndian.AppendUint32(m.arena, uint32(n))
		}
	}
	m.arena = binary.AppendUvarint(m.arena, uint64(len(id.Receipts)-packed))
	for _, r := range id.Receipts {
		if _, ok := pack(receiptShape, r); !ok {
			m.arena = appendKey(m.arena, r)
		}
	}
	if n, ok := pack(aNumberShape, id.ANumber); ok {
		m.arena = binary.BigEndian.AppendUint32(append(m.arena, 1), uint32(n))
	} else if id.ANumber != "" {
		m.arena = appendKey(append(m.arena, 2), id.ANumber)
	} else {
		m.arena = append(m.arena, 0)
	}
	return off
}

// Kinds of identifier, as eachKey gives them.
const (
	kName = iota
	kReceipt
	kOddReceipt
	kANumber
	kOddANumber
)

// eachKey calls fn (when not nil) with every identifier of the record at
// rec: its kind, and where it is in the arena (a word) or its number (a
// receipt number or A-number of the canonical form); it returns the
// record's length in bytes.
func (m *memIndex) eachKey(rec uint32, fn func(kind int, off uint32, n uint64)) int {
	a, p := m.arena, int(rec)
	count := func() int {
		n, w := binary.Uvarint(a[p:])
		p += w
		return int(n)
	}
	word := func(kind int) {
		if fn != nil {
			fn(kind, uint32(p), 0)
		}
		p += count()
	}
	for range count() {
		word(kName)
	}
	for range count() {
		if fn != nil {
			fn(kReceipt, 0, uint64(binary.BigEndian.Uint16(a[p:]))<<32|uint64(binary.BigEndian.Uint32(a[p+2:])))
		}
		p += 6
	}
	for range count() {
		word(kOddReceipt)
	}
	p++
	switch a[p-1] {
	case 1:
		if fn != nil {
			fn(kANumber, 0, uint64(binary.BigEndian.Uint32(a[p:])))
		}
		p += 4
	case 2:
		word(kOddANumber)
	}
	return p - int(rec)
}

// postingsOf appends the postings of the record at rec (0: none) for slot
// to into.
func (m *memIndex) postingsOf(rec, slot uint32, into postings) postings {
	if rec == 0 {
		return into
	}
	m.eachKey(rec, func(kind int, off uint32, n uint64) {
		switch kind {
		case kName:
			into.names = append(into.names, posting{off, slot})
		case kReceipt:
			into.receipts = append(into.receipts, newRPosting(n, slot))
		case kOddReceipt:
			into.oddRcpts = append(into.oddRcpts, posting{off, slot})
		case kANumber:
			into.anumbers = append(into.anumbers, aposting{uint32(n), slot})
		case kOddANumber:
			into.oddANums = append(into.oddANums, posting{off, slot})
		}
	})
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
	for _, l := range [][]posting{m.names, m.oddRcpts, m.oddANums} {
		for i := range l {
			l[i].off += moved[l[i].slot]
		}
	}
	m.arena, m.dead = arena, 0
}

// bytes is about how much memory the index holds (its slices' capacity;
// the maps of ids past maxDense counted at 64 bytes an entry).
func (m *memIndex) bytes() int {
	n := cap(m.ents)*int(unsafe.Sizeof(ent{})) + cap(m.arena) + cap(m.farIDs)*8 + (len(m.far)+len(m.farSlot))*64
	n += (cap(m.names) + cap(m.oddRcpts) + cap(m.oddANums)) * int(unsafe.Sizeof(posting{}))
	n += cap(m.receipts)*int(unsafe.Sizeof(rposting{})) + cap(m.anumbers)*int(unsafe.Sizeof(aposting{}))
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

func cmpR(a, b rposting) int {
	if c := cmp.Compare(a.key(), b.key()); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

func cmpA(a, b aposting) int {
	if c := cmp.Compare(a.num, b.num); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

// setLists makes the postings of a build the index's lists: sorted, each
// posting once (a word twice in one name: one posting; remove takes out
// one), without the room the build's appends left.
func (m *memIndex) setLists(p postings) {
	m.names = fit(sortOnce(p.names, m.cmp))
	m.receipts = fit(sortOnce(p.receipts, cmpR))
	m.oddRcpts = fit(sortOnce(p.oddRcpts, m.cmp))
	m.anumbers = fit(sortOnce(p.anumbers, cmpA))
	m.oddANums = fit(sortOnce(p.oddANums, m.cmp))
}

func sortOnce[P any](l []P, cmp func(a, b P) int) []P {
	slices.SortFunc(l, cmp)
	return slices.CompactFunc(l, func(a, b P) bool { return cmp(a, b) == 0 })
}

// fit is l without the room appending left, when that is over an eighth.
func fit[P any](l []P) []P {
	if cap(l)-len(l) > len(l)/8 {
		return slices.Clone(l)
	}
	return l
}

// sorted reports whether every list is in order, as the binary searches need.
func (m *memIndex) sorted() bool {
	return slices.IsSortedFunc(m.names, m.cmp) && slices.IsSortedFunc(m.receipts, cmpR) &&
		slices.IsSortedFunc(m.oddRcpts, m.cmp) && slices.IsSortedFunc(m.anumbers, cmpA) &&
		slices.IsSortedFunc(m.oddANums, m.cmp)
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
	var into postings
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
	m.setLists(into)
	m.arena = fit(m.arena)
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

// removeSorted takes p out of the sorted list l.
func removeSorted[P any](l []P, p P, cmp func(a, b P) int) []P {
	if i, found := slices.BinarySearchFunc(l, p, cmp); found {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// insertSorted puts p into the sorted list l, once.
func insertSorted[P any](l []P, p P, cmp func(a, b P) int) []P {
	if i, found := slices.BinarySearchFunc(l, p, cmp); !found {
		return slices.Insert(l, i, p)
	}
	return l
}

// replace takes gone out of the sorted list l and puts come in, one by one.
func replace[P any](l, gone, come []P, cmp func(a, b P) int) []P {
	for _, p := range gone {
		l = removeSorted(l, p, cmp)
	}
	for _, p := range come {
		l = insertSorted(l, p, cmp)
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
	old := m.postingsOf(m.ent(rid).rec, slot, postings{})
	rec := m.putRecord(*c.ident)
	come := m.postingsOf(rec, slot, postings{})
	m.names = replace(m.names, old.names, come.names, m.cmp)
	m.receipts = replace(m.receipts, old.receipts, come.receipts, cmpR)
	m.oddRcpts = replace(m.oddRcpts, old.oddRcpts, come.oddRcpts, m.cmp)
	m.anumbers = replace(m.anumbers, old.anumbers, come.anumbers, cmpA)
	m.oddANums = replace(m.oddANums, old.oddANums, come.oddANums, m.cmp)
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
	var gone, come postings
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
	m.names = merge(m.names, gone.names, come.names, m.cmp)
	m.receipts = merge(m.receipts, gone.receipts, come.receipts, cmpR)
	m.oddRcpts = merge(m.oddRcpts, gone.oddRcpts, come.oddRcpts, m.cmp)
	m.anumbers = merge(m.anumbers, gone.anumbers, come.anumbers, cmpA)
	m.oddANums = merge(m.oddANums, gone.oddANums, come.oddANums, m.cmp)
	m.compact()
}

// merge is l (sorted) without gone and with come, sorted, each posting
// once: what removing gone then inserting come one by one gives. It works
// in l's array: a binary search for each posting gone or come, and the
// runs between them moved once (copy), not compared.
func merge[P any](l, gone, come []P, cmp func(a, b P) int) []P {
	same := func(a, b P) bool { return cmp(a, b) == 0 }
	if len(gone) > 0 {
		slices.SortFunc(gone, cmp)
		gone = slices.CompactFunc(gone, same)
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
		l = l[:w]
	}
	if len(come) == 0 {
		return l
	}
	slices.SortFunc(come, cmp)
	come = slices.CompactFunc(come, same)
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

// The searches find (memIndex.find) runs.
const (
	findName = iota
	findReceipt
	findANumber
)

// find calls fn with the slot of every request whose identifier of the
// search (findName, findReceipt, findANumber) starts with p, once per
// posting: a range found by binary searches, then the postings read in
// order without their identifiers.
func (m *memIndex) find(search int, p string, fn func(slot uint32)) {
	switch search {
	case findName:
		m.prefix(m.names, p, fn)
	case findReceipt:
		if lo, span, ok := packRange(receiptShape, p); ok {
			l := m.receipts
			i := sort.Search(len(l), func(i int) bool { return l[i].key() >= lo })
			n := sort.Search(len(l)-i, func(j int) bool { return l[i+j].key() >= lo+span })
			for _, x := range l[i : i+n] {
				fn(x.slot)
			}
		}
		m.prefix(m.oddRcpts, p, fn)
	case findANumber:
		if lo, span, ok := packRange(aNumberShape, p); ok {
			l := m.anumbers
			i := sort.Search(len(l), func(i int) bool { return uint64(l[i].num) >= lo })
			n := sort.Search(len(l)-i, func(j int) bool { return uint64(l[i+j].num) >= lo+span })
			for _, x := range l[i : i+n] {
				fn(x.slot)
			}
		}
		m.prefix(m.oddANums, p, fn)
	}
}

// prefix calls fn for every posting of l whose identifier starts with p.
func (m *memIndex) prefix(l []posting, p string, fn func(slot uint32)) {
	i := sort.Search(len(l), func(i int) bool { return string(m.key(l[i].off)) >= p })
	// From i on every identifier is >= p: those starting with p come first.
	n := sort.Search(len(l)-i, func(j int) bool {
		k := m.key(l[i+j].off)
		return len(k) < len(p) || string(k[:len(p)]) != p
	})
	for _, x := range l[i : i+n] {
		fn(x.slot)
	}
}

// hits adds to into the requests whose identifier of the search (find)
// starts with p.
func (m *memIndex) hits(search int, p string, into hits) {
	m.find(search, p, func(slot uint32) {
		id := m.idOf(slot)
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

// search calls fn once with every request (and its received day) whose
// name, receipt number, A-number or request number matches q, as
// searchHits finds them, and whose status and category want accepts,
// without a map of hits: a set of bits of the index's ids. want is asked
// once per status and category pair, not per match (420,000 matches of a
// receipt prefix at 1,000,000 requests).
func (m *memIndex) search(tx *tx, q string, want func(c combo) bool, fn func(id fp.RequestID, day uint32)) {
	found := m.newSet()
	c := fp.SqueezeUpper(q)
	// Request number typed in full.
	if n, err := fp.ParseNumber(q); err == nil && strings.HasPrefix(c, "FP") {
		if v := tx.Bucket(bNumbers).Get([]byte(n)); len(v) == 8 {
			id := fp.RequestID(binary.BigEndian.Uint64(v))
			if m.ent(id).sc != 0 {
				found.add(id)
			} else if s, err := getSummary(tx, id); err == nil && want(combo{[]byte(s.Status), []byte(s.Category)}) {
				fn(id, dayNumber(dateKey(s.Received))) // not in the index yet
			}
		}
	}
	add := func(slot uint32) { found.add(m.idOf(slot)) }
	if len(c) >= 3 && isUpper(c[:3]) && isDigits(c[3:]) && len(c) <= 13 {
		m.find(findReceipt, c, add)
	}
	if d := strings.TrimPrefix(c, "A"); len(d) >= 3 && len(d) <= 9 && isDigits(d) {
		m.find(findANumber, "A"+d, add)
		if len(d) >= 7 {
			if a, err := fp.ParseANumber(d); err == nil && string(a) != "A"+d {
				m.find(findANumber, string(a), add)
			}
		}
	}
	var names *idSet
	for _, w := range fp.SearchTokens(q) {
		word := m.newSet()
		m.find(findName, w, func(slot uint32) { word.add(m.idOf(slot)) })
		if names == nil {
			names = word
		} else {
			names.and(word)
		}
	}
	if names != nil {
		found.or(names)
	}
	verdict := make([]int8, len(m.combos)) // by pair: 0 not asked yet, 1 wanted, -1 not
	found.each(func(id fp.RequestID) {
		e := m.ent(id)
		if e.sc == 0 {
			return
		}
		w := verdict[e.sc]
		if w == 0 {
			w = -1
			if want(m.combos[e.sc]) {
				w = 1
			}
			verdict[e.sc] = w
		}
		if w > 0 {
			fn(id, e.day)
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
