package store

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// FindRequests returns one page of queue rows matching f and the count of all
// matches. Without a search it walks one index in received order and decodes
// only the rows of the page; with a search it gathers ids from the identifier
// and name indexes first.
func (db *DB) FindRequests(f fp.RequestFilter) (rows []fp.RequestSummary, total int, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if strings.TrimSpace(f.Search) != "" {
			rows, total, err = searchTx(tx, f)
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

// scanTx picks the narrowest ordered index for the filter and pages through it.
func scanTx(tx *bolt.Tx, f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	type plan struct {
		bucket []byte
		prefix []byte
		match  func(v []byte) bool
	}
	var plans []plan
	switch {
	case len(f.Statuses) > 0 && (len(f.Categories) == 0 || len(f.Statuses) <= len(f.Categories)):
		for _, s := range f.Statuses {
			plans = append(plans, plan{iStatus, cat([]byte(s), sep), func(v []byte) bool { return wanted(f.Categories, v) }})
		}
	case len(f.Categories) > 0:
		for _, c := range f.Categories {
			plans = append(plans, plan{iCategory, cat([]byte(c), sep), func(v []byte) bool { return wanted(f.Statuses, v) }})
		}
	default:
		plans = append(plans, plan{iReceived, nil, func([]byte) bool { return true }})
	}

	if len(plans) == 1 {
		// One ordered index: count everything, decode only the page.
		p := plans[0]
		var ids []fp.RequestID
		total := 0
		each(idx(tx, p.bucket), p.prefix, f.Newest, func(k, v []byte) {
			if !p.match(v) {
				return
			}
			if total >= f.Offset && (f.Limit == 0 || len(ids) < f.Limit) {
				ids = append(ids, fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:])))
			}
			total++
		})
		rows, err := summaries(tx, ids)
		return rows, total, err
	}
	// Several prefixes: gather keys (date+id, no decoding), order, then page.
	type hit struct {
		day []byte
		id  fp.RequestID
	}
	var hits []hit
	for _, p := range plans {
		each(idx(tx, p.bucket), p.prefix, false, func(k, v []byte) {
			if p.match(v) {
				hits = append(hits, hit{k[len(k)-16 : len(k)-8], fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:]))})
			}
		})
	}
	less := func(a, b hit) bool {
		if c := bytes.Compare(a.day, b.day); c != 0 {
			return c < 0
		}
		return a.id < b.id
	}
	sort.Slice(hits, func(i, j int) bool {
		if f.Newest {
			return less(hits[j], hits[i])
		}
		return less(hits[i], hits[j])
	})
	ids := make([]fp.RequestID, 0)
	for i := f.Offset; i < len(hits) && (f.Limit == 0 || len(ids) < f.Limit); i++ {
		ids = append(ids, hits[i].id)
	}
	rows, err := summaries(tx, ids)
	return rows, len(hits), err
}

func each(b *bolt.Bucket, prefix []byte, reverse bool, fn func(k, v []byte)) {
	c := b.Cursor()
	if !reverse {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			fn(k, v)
		}
		return
	}
	var k, v []byte
	if end := prefixEnd(prefix); end == nil {
		k, v = c.Last()
	} else if k, v = c.Seek(end); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		fn(k, v)
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

func summaries(tx *bolt.Tx, ids []fp.RequestID) ([]fp.RequestSummary, error) {
	rows := make([]fp.RequestSummary, 0, len(ids))
	for _, id := range ids {
		s, err := getSummary(tx, id)
		if err != nil {
			return nil, err
		}
		rows = append(rows, s)
	}
	return rows, nil
}

// prefixIDs collects the ids of keys that start with p in an index whose keys
// end in an 8-byte id.
func prefixIDs(b *bolt.Bucket, p []byte, into map[fp.RequestID]bool) {
	each(b, p, false, func(k, _ []byte) {
		into[fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:]))] = true
	})
}

// searchIDs returns the requests whose name, receipt number, A-number or
// request number matches q.
func searchIDs(tx *bolt.Tx, q string) map[fp.RequestID]bool {
	ids := map[fp.RequestID]bool{}
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(q)))

	// Request number typed in full.
	if n, err := fp.ParseNumber(q); err == nil && strings.HasPrefix(c, "FP") {
		if v := tx.Bucket(bNumbers).Get([]byte(n)); v != nil {
			ids[fp.RequestID(binary.BigEndian.Uint64(v))] = true
		}
	}
	// Receipt numbers: letters then digits, matched by prefix once 3 letters are typed.
	if len(c) >= 3 && isUpper(c[:3]) && isDigits(c[3:]) && len(c) <= 13 {
		prefixIDs(idx(tx, iReceipt), []byte(c), ids)
	}
	// A-numbers: digits with or without A; typed short or padded.
	if d := strings.TrimPrefix(c, "A"); len(d) >= 3 && len(d) <= 9 && isDigits(d) {
		prefixIDs(idx(tx, iANumber), []byte("A"+d), ids)
		if len(d) >= 7 {
			if a, err := fp.ParseANumber(d); err == nil {
				prefixIDs(idx(tx, iANumber), []byte(a), ids)
			}
		}
	}
	// Names: every word must start one of the name's words.
	words := fp.SearchTokens(q)
	var names map[fp.RequestID]bool
	for _, w := range words {
		m := map[fp.RequestID]bool{}
		prefixIDs(idx(tx, iName), []byte(w), m)
		if names == nil {
			names = m
			continue
		}
		for id := range names {
			if !m[id] {
				delete(names, id)
			}
		}
	}
	for id := range names {
		ids[id] = true
	}
	return ids
}

func searchTx(tx *bolt.Tx, f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	ids := searchIDs(tx, f.Search)
	var rows []fp.RequestSummary
	for id := range ids {
		s, err := getSummary(tx, id)
		if err != nil {
			return nil, 0, err
		}
		if wanted(f.Statuses, []byte(s.Status)) && wanted(f.Categories, []byte(s.Category)) {
			rows = append(rows, s)
		}
	}
	sortSummaries(rows, f.Newest)
	total := len(rows)
	if f.Offset > len(rows) {
		f.Offset = len(rows)
	}
	rows = rows[f.Offset:]
	if f.Limit > 0 && len(rows) > f.Limit {
		rows = rows[:f.Limit]
	}
	return rows, total, nil
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
