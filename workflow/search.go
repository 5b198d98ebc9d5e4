package workflow

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

// FindRequests returns one page of queue rows matching f and the count of all
// matches. Rows are found, filtered, ordered and counted from index keys and
// values alone; only the rows of the page are decoded.
func (db *Desk) FindRequests(f fp.RequestFilter) (rows []fp.RequestSummary, total int, err error) {
	err = db.view(func(tx *tx) error {
		if strings.TrimSpace(f.Search) != "" {
			m, err := db.memIndexFor(tx)
			if err != nil {
				return err
			}
			if m != nil {
				// A commit on another goroutine changes the index in place.
				db.mem.mu.RLock()
				defer db.mem.mu.RUnlock()
			}
			rows, total, err = searchTx(tx, m, f)
			return err
		}
		rows, total, err = scanTx(tx, f)
		return err
	})
	return rows, total, err
}

func wanted[T ~string](set []T, v []byte) bool {
	if len(set) == 0 {
		return true
	}
	for _, s := range set {
		if string(s) == string(v) {
			return true
		}
	}
	return false
}

// stream is one ordered run of index keys ending in "date id".
type stream struct {
	c      *cursor
	prefix []byte
	k, v   []byte
	match  func(v []byte) bool
}

// countKey is where the number of requests of status s and category c is
// kept (counts/ s 0 c), up to date in every write transaction, so a queue's
// "Showing 500 of N" costs a few reads, not a walk over every match.
func countKey(s fp.Status, c fp.Category) []byte { return cat([]byte(s), sep, []byte(c)) }

func addCount(tx *tx, s fp.Status, c fp.Category, delta int) error {
	b := tx.Bucket(bCounts)
	k := countKey(s, c)
	n := int64(0)
	if v := b.Get(k); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	if n += int64(delta); n <= 0 {
		return b.Delete(k)
	}
	return b.Put(k, u64(uint64(n)))
}

// countTx is how many requests have one of statuses and one of categories
// (empty: any), from the counts.
func countTx(tx *tx, statuses []fp.Status, categories []fp.Category) int {
	total := 0
	tx.Bucket(bCounts).ForEach(func(k, v []byte) error {
		st, ct, _ := bytes.Cut(k, sep)
		if len(v) == 8 && wanted(statuses, st) && wanted(categories, ct) {
			total += int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return total
}

// scanTx merges one cursor per index prefix: each prefix is already in
// received order (its keys end in date+id), so the merge yields queue order
// with no sort and no gathering of ids beyond the page.
func scanTx(tx *tx, f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	var streams []*stream
	add := func(bucket, prefix []byte, match func([]byte) bool) {
		streams = append(streams, &stream{c: idx(tx, bucket).Cursor(), prefix: prefix, match: match})
	}
	switch {
	case f.Incomplete: // a short list by nature: filter it by value
		complete := idx(tx, iComplete)
		add(iIncomplete, nil, func(v []byte) bool {
			st, ct, _ := bytes.Cut(v, sep)
			return wanted(f.Statuses, st) && wanted(f.Categories, ct)
		})
		if f.DocsComplete {
			s := streams[0]
			match := s.match
			s.match = func(v []byte) bool { return match(v) && complete.Get(s.k[len(s.k)-16:]) != nil }
		}
	case f.DocsComplete: // a short list by nature: filter it by value
		add(iComplete, nil, func(v []byte) bool {
			st, ct, _ := bytes.Cut(v, sep)
			return wanted(f.Statuses, st) && wanted(f.Categories, ct)
		})
	case len(f.Statuses) > 0 && (len(f.Categories) == 0 || len(f.Statuses) <= len(f.Categories)):
		for _, s := range f.Statuses {
			add(iStatus, cat([]byte(s), sep), func(v []byte) bool { return wanted(f.Categories, v) })
		}
	case len(f.Categories) > 0:
		for _, c := range f.Categories {
			add(iCategory, cat([]byte(c), sep), func(v []byte) bool { return wanted(f.Statuses, v) })
		}
	default:
		add(iReceived, nil, func([]byte) bool { return true })
	}
	for _, s := range streams {
		s.k, s.v = first(s.c, s.prefix, f.Newest)
	}
	// The counts give the total: the walk stops at the end of the page
	// (the short list of complete requests is counted as it is walked).
	counted := !f.DocsComplete && !f.Incomplete
	var ids []fp.RequestID
	total := 0
	for {
		if counted && f.Limit > 0 && len(ids) == f.Limit {
			break
		}
		var best *stream
		for _, s := range streams {
			if s.k == nil {
				continue
			}
			if best == nil || (bytes.Compare(tail(s.k), tail(best.k)) < 0) != f.Newest {
				best = s
			}
		}
		if best == nil {
			break
		}
		if best.match(best.v) {
			if total >= f.Offset && (f.Limit == 0 || len(ids) < f.Limit) {
				ids = append(ids, keyID(best.k))
			}
			total++
		}
		best.k, best.v = next(best.c, best.prefix, f.Newest)
	}
	if counted {
		total = countTx(tx, f.Statuses, f.Categories)
	}
	rows, err := summaries(tx, ids)
	return rows, total, err
}

// tail is the "date id" end of an ordered index key.
func tail(k []byte) []byte { return k[len(k)-16:] }

func keyID(k []byte) fp.RequestID { return fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:])) }

// first positions c on the first (or, reverse, last) key with prefix.
func first(c *cursor, prefix []byte, reverse bool) ([]byte, []byte) {
	var k, v []byte
	if !reverse {
		k, v = c.Seek(prefix)
	} else if end := prefixEnd(prefix); end == nil {
		k, v = c.Last()
	} else if k, _ = c.Seek(end); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	return k, v
}

func next(c *cursor, prefix []byte, reverse bool) ([]byte, []byte) {
	var k, v []byte
	if reverse {
		k, v = c.Prev()
	} else {
		k, v = c.Next()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	return k, v
}

// each calls fn with every key of b that starts with prefix (the bucket's
// prefix taken off) and its value, in order; fn may keep both.
func each(b *bucket, prefix []byte, fn func(k, v []byte)) {
	var a arena
	err := b.t.r.Scan(b.key(prefix), nil, false, func(k, v []byte) (bool, error) {
		fn(a.copy(k[len(b.prefix):]), a.copy(v))
		return true, nil
	})
	if err != nil {
		panic(readError{err})
	}
}

// eachBrief is each for a caller that keeps nothing of k and v: they are valid
// only during fn (no copy made).
func eachBrief(b *bucket, prefix []byte, fn func(k, v []byte)) {
	err := b.t.r.Scan(b.key(prefix), nil, false, func(k, v []byte) (bool, error) {
		fn(k[len(b.prefix):], v)
		return true, nil
	})
	if err != nil {
		panic(readError{err})
	}
}

// prefixEnd returns the first key after every key with prefix p (nil: none).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func summaries(tx *tx, ids []fp.RequestID) ([]fp.RequestSummary, error) {
	rows := make([]fp.RequestSummary, 0, len(ids))
	err := eachSummary(tx, ids, func(s fp.RequestSummary, err error) error {
		if err == errKeyGone {
			return nil // purged in a backup restored since: the next purge finishes it
		}
		if err == nil {
			rows = append(rows, s)
		}
		return err
	})
	return rows, err
}

// eachSummary calls fn with each id's queue row, or why it cannot be read,
// in ids' order: on an office server the page's rows in one round trip,
// not one each.
func eachSummary(tx *tx, ids []fp.RequestID, fn func(s fp.RequestSummary, err error) error) error {
	if many, ok := tx.r.(manyGetter); ok && len(ids) > 1 {
		b := tx.Bucket(bSummaries)
		keys := make([][]byte, len(ids))
		for i, id := range ids {
			keys[i] = b.key(idKey(id))
		}
		vs, err := many.GetMany(keys)
		if err != nil {
			return err
		}
		for i, v := range vs {
			if err := fn(decodeSummary(tx, ids[i], v)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range ids {
		if err := fn(getSummary(tx, id)); err != nil {
			return err
		}
	}
	return nil
}

// hits maps a request to its search-index value: date(8) status 0x00 category.
type hits map[fp.RequestID][]byte

// prefixHits collects the entries whose keys start with p.
func prefixHits(b *bucket, p []byte, into hits) {
	each(b, p, func(k, v []byte) { into[keyID(k)] = v })
}

// searchHits returns the requests whose name, receipt number, A-number or
// request number matches q.
//
// m is the office's index in memory (nil: an office without its key, whose
// indexes are in the store); until every record is sealed the store's
// entries of the others are searched too.
func searchHits(tx *tx, m *memIndex, q string) hits {
	inStore := m == nil || tx.Bucket(bMeta).Get(kSealed) == nil
	found := hits{}
	c := fp.SqueezeUpper(q)

	// Request number typed in full: its row comes from the received index.
	if n, err := fp.ParseNumber(q); err == nil && strings.HasPrefix(c, "FP") {
		if v := tx.Bucket(bNumbers).Get([]byte(n)); v != nil {
			if s, err := getSummary(tx, fp.RequestID(binary.BigEndian.Uint64(v))); err == nil {
				found[s.ID] = cat(dateKey(s.Received), []byte(s.Status), sep, []byte(s.Category))
			}
		}
	}
	// Receipt numbers: letters then digits, matched by prefix once 3 letters are typed.
	if len(c) >= 3 && isUpper(c[:3]) && isDigits(c[3:]) && len(c) <= 13 {
		if m != nil {
			m.hits(findReceipt, c, found)
		}
		if inStore {
			prefixHits(idx(tx, iReceipt), []byte(c), found)
		}
	}
	// A-numbers: digits with or without A; typed short or padded.
	if d := strings.TrimPrefix(c, "A"); len(d) >= 3 && len(d) <= 9 && isDigits(d) {
		forms := []string{"A" + d}
		if len(d) >= 7 {
			if a, err := fp.ParseANumber(d); err == nil {
				forms = append(forms, string(a))
			}
		}
		for _, a := range forms {
			if m != nil {
				m.hits(findANumber, a, found)
			}
			if inStore {
				prefixHits(idx(tx, iANumber), []byte(a), found)
			}
		}
	}
	// Names: every word must start one of the name's words.
	var names hits
	for _, w := range fp.SearchTokens(q) {
		word := hits{}
		if m != nil {
			m.hits(findName, w, word)
		}
		if inStore {
			prefixHits(idx(tx, iName), []byte(w), word)
		}
		if names == nil {
			names = word
			continue
		}
		for id := range names {
			if _, ok := word[id]; !ok {
				delete(names, id)
			}
		}
	}
	for id, v := range names {
		found[id] = v
	}
	return found
}

// searchTx filters the matches of f.Search by their index values, counts
// them and keeps only the page (a heap of Offset+Limit), so its cost grows
// with the matches, not with sorting them all; only the page is decoded.
func searchTx(tx *tx, m *memIndex, f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	complete, incomplete := idx(tx, iComplete), idx(tx, iIncomplete)
	keep := 0 // all
	if f.Limit > 0 {
		keep = f.Offset + f.Limit
	}
	page := pageHeap{keep: keep, newest: f.Newest}
	total := 0
	want := func(c combo) bool { return wanted(f.Statuses, c.status) && wanted(f.Categories, c.category) }
	consider := func(id fp.RequestID, day uint32) {
		if f.DocsComplete && complete.Get(cat(dayKey(day), idKey(id))) == nil {
			return
		}
		if f.Incomplete && incomplete.Get(cat(dayKey(day), idKey(id))) == nil {
			return
		}
		total++
		page.add(pageItem{day: day, id: id})
	}
	if m != nil && tx.Bucket(bMeta).Get(kSealed) != nil {
		m.search(tx, f.Search, want, consider)
	} else {
		for id, v := range searchHits(tx, m, f.Search) {
			if len(v) >= 8 {
				if st, ct, _ := bytes.Cut(v[8:], sep); want(combo{st, ct}) {
					consider(id, dayNumber(v[:8]))
				}
			}
		}
	}
	list := page.sorted()
	list = list[min(f.Offset, len(list)):]
	ids := make([]fp.RequestID, len(list))
	for i, h := range list {
		ids[i] = h.id
	}
	rows := make([]fp.RequestSummary, 0, len(list))
	err := eachSummary(tx, ids, func(s fp.RequestSummary, err error) error {
		if fp.ErrorCode(err) == fp.ENOTFOUND && m != nil {
			// The index in memory already holds a request committed
			// after this snapshot began: the next query shows it.
			total--
			return nil
		}
		if err == nil {
			rows = append(rows, s)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// dayNumber reads an index value's date (YYYYMMDD) as a number, in order.
func dayNumber(d []byte) uint32 {
	var n uint32
	for _, c := range d {
		n = n*10 + uint32(c-'0')
	}
	return n
}

// pageItem is a match's place in the queue: received day, then id.
type pageItem struct {
	day uint32
	id  fp.RequestID
}

func (a pageItem) before(b pageItem) bool {
	return a.day < b.day || a.day == b.day && a.id < b.id
}

// pageHeap keeps the first keep matches in queue order (all when keep is
// 0): a heap whose root is the last of them, replaced by any match before it.
type pageHeap struct {
	keep   int
	newest bool
	items  []pageItem
}

// after reports whether a comes after b in the queue's order.
func (h *pageHeap) after(a, b pageItem) bool {
	if h.newest {
		return a.before(b)
	}
	return b.before(a)
}

func (h *pageHeap) add(x pageItem) {
	if h.keep == 0 {
		h.items = append(h.items, x)
		return
	}
	if len(h.items) < h.keep {
		h.items = append(h.items, x)
		for i := len(h.items) - 1; i > 0; { // up
			p := (i - 1) / 2
			if !h.after(h.items[i], h.items[p]) {
				break
			}
			h.items[i], h.items[p] = h.items[p], h.items[i]
			i = p
		}
		return
	}
	if !h.after(h.items[0], x) {
		return // after every match kept
	}
	h.items[0] = x
	for i, n := 0, len(h.items); ; { // down
		l, r, big := 2*i+1, 2*i+2, i
		if l < n && h.after(h.items[l], h.items[big]) {
			big = l
		}
		if r < n && h.after(h.items[r], h.items[big]) {
			big = r
		}
		if big == i {
			break
		}
		h.items[i], h.items[big] = h.items[big], h.items[i]
		i = big
	}
}

// sorted returns the matches kept in queue order.
func (h *pageHeap) sorted() []pageItem {
	sort.Slice(h.items, func(i, j int) bool { return h.after(h.items[j], h.items[i]) })
	return h.items
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
