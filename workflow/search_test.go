package workflow

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
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
	fresh := func() *memIndex {
		return &memIndex{far: map[fp.RequestID][]byte{}, idents: map[fp.RequestID]identity{}}
	}
	one, batch := fresh(), fresh()
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
		for i, l := range [][2][]posting{{one.names, batch.names}, {one.receipts, batch.receipts}, {one.anumbers, batch.anumbers}} {
			if !slices.Equal(l[0], l[1]) {
				t.Fatalf("round %d list %d: one by one %v, batch %v", round, i, l[0], l[1])
			}
		}
		for rid := range changes {
			if !bytes.Equal(one.row(rid), batch.row(rid)) {
				t.Fatalf("round %d: row %d", round, rid)
			}
		}
	}
}
