package workflow

import (
	"math/rand/v2"
	"testing"

	"github.com/fieldprint/fieldprint/vault"
)

// The key table holds what a map would, through puts, bulk puts, merges
// (small here), removals and a wipe.
func TestKeyTableAgainstMap(t *testing.T) {
	defer func(n int) { mergeMin = n }(mergeMin)
	mergeMin = 8
	rng := rand.New(rand.NewPCG(9, 10))
	var tb keyTable
	model := map[uint64]vault.Key{}
	key := func() (k vault.Key) {
		for i := range k {
			k[i] = byte(rng.IntN(256))
		}
		return k
	}
	id := func() uint64 { return 1 + uint64(rng.IntN(3000)) }
	check := func(round int) {
		t.Helper()
		if tb.len() != len(model) {
			t.Fatalf("round %d: %d keys, want %d", round, tb.len(), len(model))
		}
		for id, want := range model {
			if k, ok := tb.get(id); !ok || k != want {
				t.Fatalf("round %d: key %d %v %v", round, id, ok, k == want)
			}
		}
		seen := 0
		tb.each(func(id uint64, k vault.Key) {
			if model[id] != k {
				t.Fatalf("round %d: each gave %d wrong", round, id)
			}
			seen++
		})
		for i := 1; i < len(tb.ids); i++ {
			if tb.ids[i-1] >= tb.ids[i] {
				t.Fatalf("round %d: ids out of order", round)
			}
		}
		if seen != len(model) {
			t.Fatalf("round %d: each gave %d keys, want %d", round, seen, len(model))
		}
		for range 20 {
			id := id()
			_, want := model[id]
			if tb.has(id) != want {
				t.Fatalf("round %d: has(%d) %v", round, id, !want)
			}
		}
	}
	for round := range 300 {
		switch rng.IntN(5) {
		case 0, 1:
			for range rng.IntN(30) {
				id, k := id(), key()
				tb.put(id, k)
				model[id] = k
			}
		case 2:
			many := map[uint64]vault.Key{}
			for range rng.IntN(200) {
				many[id()] = key()
			}
			tb.putAll(many)
			for id, k := range many {
				model[id] = k
			}
		case 3:
			var ids []uint64
			for range rng.IntN(40) {
				ids = append(ids, id())
			}
			tb.remove(ids)
			for _, id := range ids {
				delete(model, id)
			}
		case 4:
			if rng.IntN(20) == 0 {
				keys := tb.keys[:cap(tb.keys)]
				tb.wipe()
				for _, k := range keys {
					if k != (vault.Key{}) {
						t.Fatal("a key left in memory after the wipe")
					}
				}
				clear(model)
			}
		}
		check(round)
	}
}
