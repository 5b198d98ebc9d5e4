package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// The search on the index in memory (a set of ids, a heap of the page)
// returns exactly what gathering every hit and sorting them all returns:
// the same rows in the same order and the same count, for every page,
// both orders, and the window's filters.
func TestSearchPageMatchesFullSort(t *testing.T) {
	db, _ := openTemp(t)
	rs, err := demo.Requests(250, fp.DateOf(fixedNow()), 7)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := db.ImportRequests(clerk, rs, fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range saved {
		if i%3 == 1 {
			if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The counts kept by status and category give the totals.
	byStatus, err := db.CountByStatus()
	if n, err2 := db.CountRequests(); err != nil || err2 != nil || n != len(saved) ||
		byStatus[fp.StatusAwaitingDocuments] != (len(saved)+1)/3 || byStatus[fp.StatusNew]+byStatus[fp.StatusAwaitingDocuments] != n {
		t.Fatalf("%d requests, by status %v (%v %v), want %d", n, byStatus, err, err2, len(saved))
	}
	var open []fp.Status
	for _, s := range fp.Statuses {
		if s.Open() {
			open = append(open, s)
		}
	}
	// want: every hit gathered (the map of hits), filtered and sorted.
	want := func(f fp.RequestFilter) ([]fp.RequestID, int) {
		var ids []fp.RequestID
		var vals = map[fp.RequestID][]byte{}
		err := db.view(func(tx *tx) error {
			m, err := db.memIndexFor(tx)
			if err != nil {
				return err
			}
			for id, v := range searchHits(tx, m, f.Search) {
				st, ct := string(v[8:]), ""
				if i := slices.Index(v[8:], 0); i >= 0 {
					st, ct = string(v[8:8+i]), string(v[9+i:])
				}
				if (len(f.Statuses) == 0 || slices.Contains(f.Statuses, fp.Status(st))) &&
					(len(f.Categories) == 0 || slices.Contains(f.Categories, fp.Category(ct))) {
					ids, vals[id] = append(ids, id), v
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(ids, func(a, b fp.RequestID) int {
			c := string(vals[a][:8]) + fmt.Sprintf("%020d", a)
			d := string(vals[b][:8]) + fmt.Sprintf("%020d", b)
			if f.Newest {
				c, d = d, c
			}
			if c < d {
				return -1
			}
			return 1
		})
		total := len(ids)
		ids = ids[min(f.Offset, len(ids)):]
		if f.Limit > 0 && len(ids) > f.Limit {
			ids = ids[:f.Limit]
		}
		return ids, total
	}
	queries := []string{"n", "ng", "nguyen", "wang li", "IOE", "ioe0", "a", "zzz", "A0", "m"}
	for _, q := range queries {
		for _, f := range []fp.RequestFilter{
			{Search: q, Limit: 7},
			{Search: q, Limit: 7, Offset: 7, Newest: true},
			{Search: q, Limit: 100, Statuses: open},
			{Search: q, Statuses: []fp.Status{fp.StatusAwaitingDocuments}, Categories: []fp.Category{fp.CategoryMilitary}},
			{Search: q},
			{Search: q, Limit: 3, Offset: 1000},
		} {
			rows, total, err := db.FindRequests(f)
			if err != nil {
				t.Fatal(err)
			}
			ids, wantTotal := want(f)
			var got []fp.RequestID
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if total != wantTotal || !slices.Equal(got, ids) {
				t.Errorf("%+v: %d %v, want %d %v", f, total, got, wantTotal, ids)
			}
		}
	}
}

// Searches run while this desk's commits change the index in memory.
func TestSearchWhileWriting(t *testing.T) {
	db, _ := openTemp(t)
	rs, err := demo.Requests(60, fp.DateOf(fixedNow()), 8)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := db.ImportRequests(clerk, rs, fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := db.FindRequests(fp.RequestFilter{Search: "n", Limit: 10}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 20 {
		in := sample()
		in.FullName, in.ReceiptNumbers, in.ANumber = fmt.Sprintf("Nadia Writer%c", 'a'+i), fmt.Sprintf("WAC26%08d", i), ""
		if _, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TransitionRequest(clerk, saved[i].ID, fp.StatusAwaitingDocuments, ""); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if _, total, _ := db.FindRequests(fp.RequestFilter{Search: "nadia writer"}); total != 20 {
		t.Fatalf("%d found", total)
	}
}

// A batch of changes merged into the index in memory (an import's
// commit) leaves it as applying them one by one does: new requests,
// renamed ones, a name word kept, numbers changed, rows changed.
func TestMemIndexBatchEqualsOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"nguyen", "thi", "wang", "li", "garcia", "lopez", "mwangi", "njeri"}
	ident := func() identity {
		var id identity
		for range 1 + rng.IntN(3) {
			id.Tokens = append(id.Tokens, words[rng.IntN(len(words))])
		}
		slices.Sort(id.Tokens)
		id.Tokens = slices.Compact(id.Tokens)
		if rng.IntN(2) == 0 {
			id.Receipts = []string{fmt.Sprintf("IOE%010d", rng.IntN(50))}
		}
		if rng.IntN(2) == 0 {
			id.ANumber = fmt.Sprintf("A%09d", rng.IntN(50))
		}
		return id
	}
	one, batch := newMemIndex(), newMemIndex()
	for round := range 20 {
		changes := map[fp.RequestID]memChange{}
		for range 10 + rng.IntN(40) {
			rid := fp.RequestID(1 + rng.IntN(200))
			if round == 19 {
				rid += maxDense // past the dense rows
			}
			c := memChange{row: []byte(fmt.Sprintf("2026%04dnew\x00military", rng.IntN(1000)))}
			if rng.IntN(4) > 0 {
				id := ident()
				c.ident = &id
			}
			changes[rid] = c
		}
		for rid, c := range changes {
			one.apply(rid, c)
		}
		batch.applyAll(changes)
		for i := range 3 {
			if a, b := one.entries(i), batch.entries(i); !slices.Equal(a, b) {
				t.Fatalf("round %d list %d: one by one %v, batch %v", round, i, a, b)
			}
		}
		if one.idents != batch.idents {
			t.Fatalf("round %d: %d identities one by one, %d in batches", round, one.idents, batch.idents)
		}
		for rid := range changes {
			if !bytes.Equal(one.row(rid), batch.row(rid)) {
				t.Fatalf("round %d: row %d", round, rid)
			}
		}
	}
}

// entries is list i (0 names, 1 receipts, 2 A-numbers) as "identifier id"
// lines, sorted.
func (m *memIndex) entries(i int) []string {
	var out []string
	add := func(k string, slot uint32) { out = append(out, fmt.Sprintf("%s %d", k, m.idOf(slot))) }
	words := func(l []posting) {
		for _, p := range l {
			add(string(m.key(p.off)), p.slot)
		}
	}
	switch i {
	case 0:
		words(m.names)
	case 1:
		for _, p := range m.receipts {
			add(unpack(receiptShape, p.key()), p.slot)
		}
		words(m.oddRcpts)
	case 2:
		for _, p := range m.anumbers {
			add(unpack(aNumberShape, uint64(p.num)), p.slot)
		}
		words(m.oddANums)
	}
	slices.Sort(out)
	return out
}

// Identifiers the index holds as words, not numbers (not of the
// canonical form), and the canonical forms' ends.
var (
	oddReceipts = []string{"IOE12345", "IOE01234567890", "ioe0123456789", "IOE 012345678", "LIN", "", "IO", "ZZZ9999999999", "AAA0000000000", "IOE1000000000", "IOE0999999999"}
	oddANumbers = []string{"A12345678", "012345678", "A0123456789", "B012345678", "A", "A000000000", "A999999999", "A100000000", "A099999999"}
)

// find gives exactly the requests with an identifier of its kind that
// starts with the prefix, whether the identifier is a number in its
// posting or, of another form, a word in the arena: no hit lost.
func TestMemIndexFindMatchesPrefixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	m := newMemIndex()
	idents := map[fp.RequestID]identity{}
	batch := map[fp.RequestID]memChange{}
	for rid := fp.RequestID(1); rid <= 400; rid++ {
		var id identity
		for range rng.IntN(3) {
			id.Receipts = append(id.Receipts, fmt.Sprintf("%s%03d%07d", []string{"IOE", "EAC", "AAA", "ZZZ"}[rng.IntN(4)], rng.IntN(20), rng.IntN(1e7)))
		}
		if rng.IntN(4) == 0 {
			id.Receipts = append(id.Receipts, oddReceipts[rng.IntN(len(oddReceipts))])
		}
		switch rng.IntN(4) {
		case 0:
			id.ANumber = oddANumbers[rng.IntN(len(oddANumbers))]
		case 1, 2:
			id.ANumber = fmt.Sprintf("A%03d%06d", rng.IntN(20), rng.IntN(1e6))
		}
		idents[rid] = id
		c := memChange{row: []byte("20260101new\x00"), ident: &id}
		if rid%2 == 0 {
			m.apply(rid, c)
		} else {
			batch[rid] = c
		}
	}
	m.applyAll(batch)
	queries := []string{"IOE0", "ZZZ9999999999", "A", "A9", "Q", "IOE01234567890123", "ioe", "IOE00"}
	for _, id := range idents {
		for _, k := range append(slices.Clone(id.Receipts), id.ANumber) {
			for n := range len(k) + 1 {
				queries = append(queries, k[:n])
			}
		}
	}
	for _, q := range queries {
		for _, search := range []int{findReceipt, findANumber} {
			var want, got []fp.RequestID
			for rid, id := range idents {
				ks := id.Receipts
				if search == findANumber {
					ks = []string{id.ANumber}
					if id.ANumber == "" {
						ks = nil
					}
				}
				if slices.ContainsFunc(ks, func(k string) bool { return strings.HasPrefix(k, q) }) {
					want = append(want, rid)
				}
			}
			m.find(search, q, func(slot uint32) { got = append(got, m.idOf(slot)) })
			slices.Sort(want)
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, want) {
				t.Fatalf("find(%d, %q): %v, want %v", search, q, got, want)
			}
		}
	}
}

// The index in memory holds what its changes say, purges and arena
// copies included: after every round, each list is the one made from
// the identities left, and each row is the last one set.
func TestMemIndexAgainstModel(t *testing.T) {
	defer func(n int) { compactMin = n }(compactMin)
	compactMin = 0 // copy the arena as soon as half of it is dead
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"nguyen", "thi", "wang", "li", "garcia", "lopez", "mwangi", "njeri", "żółć", strings.Repeat("x", 200)}
	idents, rows := map[fp.RequestID]identity{}, map[fp.RequestID][]byte{}
	m, batch := newMemIndex(), newMemIndex()
	compactions := 0
	for round := range 200 {
		changes := map[fp.RequestID]memChange{}
		for range 1 + rng.IntN(12) {
			rid := fp.RequestID(1 + rng.IntN(60))
			if rng.IntN(5) == 0 {
				rid += maxDense + fp.RequestID(rng.IntN(3))<<40 // past the dense rows, past 32 bits
			}
			c := memChange{row: []byte(fmt.Sprintf("2026%04d%s\x00%s", rng.IntN(1000), []string{"new", "withdrawn"}[rng.IntN(2)], []string{"military", "adoption", ""}[rng.IntN(3)]))}
			switch rng.IntN(6) {
			case 0:
				c = memChange{gone: true}
			case 1, 2:
			default:
				var id identity
				for range rng.IntN(4) {
					id.Tokens = append(id.Tokens, words[rng.IntN(len(words))])
				}
				if rng.IntN(2) == 0 {
					id.Receipts = []string{fmt.Sprintf("IOE%010d", rng.IntN(50)), fmt.Sprintf("EAC%010d", rng.IntN(50))}
					if rng.IntN(3) == 0 { // not of the canonical form: kept as a word
						id.Receipts = append(id.Receipts, oddReceipts[rng.IntN(len(oddReceipts))])
					}
				}
				if rng.IntN(2) == 0 {
					id.ANumber = fmt.Sprintf("A%09d", rng.IntN(50))
					if rng.IntN(4) == 0 {
						id.ANumber = oddANumbers[rng.IntN(len(oddANumbers))]
					}
				}
				c.ident = &id
			}
			changes[rid] = c
		}
		for rid, c := range changes {
			switch {
			case c.gone:
				delete(idents, rid)
				delete(rows, rid)
			default:
				rows[rid] = c.row
				if c.ident != nil {
					idents[rid] = *c.ident
				}
			}
		}
		arena := len(m.arena)
		for rid, c := range changes {
			m.apply(rid, c)
		}
		batch.applyAll(changes)
		if len(m.arena) < arena {
			compactions++
		}
		var want [3][]string
		n := 0
		for rid, id := range idents {
			for _, w := range id.Tokens {
				want[0] = append(want[0], fmt.Sprintf("%s %d", w, rid))
			}
			for _, r := range id.Receipts {
				want[1] = append(want[1], fmt.Sprintf("%s %d", r, rid))
			}
			if id.ANumber != "" {
				want[2] = append(want[2], fmt.Sprintf("%s %d", id.ANumber, rid))
			}
			if len(id.Tokens) > 0 || len(id.Receipts) > 0 || id.ANumber != "" {
				n++
			}
		}
		for i := range 3 {
			slices.Sort(want[i])
			want[i] = slices.Compact(want[i])
			for _, x := range []*memIndex{m, batch} {
				if got := x.entries(i); !slices.Equal(got, want[i]) {
					t.Fatalf("round %d list %d:\n got %v\nwant %v", round, i, got, want[i])
				}
			}
		}
		for _, x := range []*memIndex{m, batch} {
			if x.idents != n {
				t.Fatalf("round %d: %d identities, want %d", round, x.idents, n)
			}
			for rid := range changes {
				if got := x.row(rid); !bytes.Equal(got, rows[rid]) {
					t.Fatalf("round %d: row %d %q, want %q", round, rid, got, rows[rid])
				}
			}
			// Every list sorted, as the binary searches need.
			if !x.sorted() {
				t.Fatalf("round %d: a list out of order", round)
			}
		}
	}
	if compactions == 0 {
		t.Fatal("the arena was never copied")
	}
}

// decodeIdentity reads what json.Marshal wrote as encoding/json does, and
// refuses what encoding/json refuses.
func TestDecodeIdentityAsJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"nguyen", "żółć", "o'brien", `a"b`, `back\slash`, "<&>", "\u2028", "\x01", "\xff", "", "IOE0123456789", "A012345678"}
	word := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	var reused identity
	for range 2000 {
		var id identity
		for range rng.IntN(4) {
			id.Tokens = append(id.Tokens, word())
		}
		for range rng.IntN(3) {
			id.Receipts = append(id.Receipts, word())
		}
		if rng.IntN(2) == 0 {
			id.ANumber = word()
		}
		b, err := json.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		var want identity
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		reused = identity{Tokens: reused.Tokens[:0], Receipts: reused.Receipts[:0]}
		if err := decodeIdentity(b, &reused); err != nil || !reused.equal(want) {
			t.Fatalf("%s: %q, %v; want %q", b, reused, err, want)
		}
		for cut := range len(b) { // a damaged record: an error, never a panic
			var got identity
			if decodeIdentity(b[:cut], &got) == nil && json.Unmarshal(b[:cut], &want) != nil {
				t.Fatalf("%s: read, encoding/json refuses it", b[:cut])
			}
		}
	}
	for _, bad := range []string{``, `{`, `{"t":["a"]`, `{"t":["a",]}`, `{"t":["a"]}x`, `{"t":"a"}`, `{"x":1}`, `{"t":["a"],}`, `null`, `{"a":"b"`} {
		var want identity
		wantErr := json.Unmarshal([]byte(bad), &want)
		var got identity
		err := decodeIdentity([]byte(bad), &got)
		if (err == nil) != (wantErr == nil) || err == nil && !got.equal(want) {
			t.Errorf("%s: %q, %v; encoding/json: %q, %v", bad, got, err, want, wantErr)
		}
	}
}
