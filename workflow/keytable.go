package workflow

import (
	"slices"

	"github.com/fieldprint/fieldprint/vault"
)

// keyTable is the request keys by id while the office is unlocked: most
// in two sorted arrays (40 bytes a key; a map took ~84, 84 MB at 1,000,000
// requests), the ones added since the arrays were last merged in a small
// map, so adding a key does not shift the arrays (ids are random). The
// key store's mutex guards it.
type keyTable struct {
	ids    []uint64 // sorted
	keys   []vault.Key
	recent map[uint64]vault.Key
}

// mergeAt is how many recent keys are merged into the arrays: an eighth
// of them, at least mergeMin (a merge moves every key once).
func (t *keyTable) mergeAt() int { return max(mergeMin, len(t.ids)/8) }

var mergeMin = 1024

func (t *keyTable) get(id uint64) (vault.Key, bool) {
	if i, ok := slices.BinarySearch(t.ids, id); ok {
		return t.keys[i], true
	}
	k, ok := t.recent[id]
	return k, ok
}

func (t *keyTable) has(id uint64) bool {
	_, ok := t.get(id)
	return ok
}

func (t *keyTable) len() int { return len(t.ids) + len(t.recent) }

// put adds or replaces id's key.
func (t *keyTable) put(id uint64, k vault.Key) {
	if i, ok := slices.BinarySearch(t.ids, id); ok {
		t.keys[i] = k
		return
	}
	if t.recent == nil {
		t.recent = map[uint64]vault.Key{}
	}
	t.recent[id] = k
	if len(t.recent) >= t.mergeAt() {
		t.merge()
	}
}

// putAll adds or replaces keys' keys; many (the store read at sign-in) go
// straight into the arrays, without a map of them all again.
func (t *keyTable) putAll(keys map[uint64]vault.Key) {
	var add []uint64
	for id, k := range keys {
		if i, ok := slices.BinarySearch(t.ids, id); ok {
			t.keys[i] = k
		} else if _, ok := t.recent[id]; ok {
			t.recent[id] = k
		} else {
			add = append(add, id)
		}
	}
	if len(add)+len(t.recent) < t.mergeAt() {
		for _, id := range add {
			t.put(id, keys[id])
		}
		return
	}
	for id := range t.recent {
		add = append(add, id)
	}
	t.mergeIn(add, func(id uint64) vault.Key {
		if k, ok := keys[id]; ok {
			return k
		}
		return t.recent[id]
	})
}

// merge moves the recent keys into the arrays.
func (t *keyTable) merge() {
	add := make([]uint64, 0, len(t.recent))
	for id := range t.recent {
		add = append(add, id)
	}
	t.mergeIn(add, func(id uint64) vault.Key { return t.recent[id] })
}

// mergeIn puts the keys of add (ids not in the arrays; key gives each
// one's) into the arrays, from the back, in place when they have room
// (arrays outgrown are wiped), and drops the recent keys.
func (t *keyTable) mergeIn(add []uint64, key func(uint64) vault.Key) {
	slices.Sort(add)
	n, k := len(t.ids), len(add)
	ids, keys := t.ids, t.keys
	if cap(ids) < n+k || cap(keys) < n+k {
		c := n + k // the store read at sign-in: exactly
		if n > 0 {
			c += c / 8
		}
		ids, keys = make([]uint64, n, c), make([]vault.Key, n, c)
		copy(ids, t.ids)
		copy(keys, t.keys)
		clear(t.keys)
	}
	ids, keys = ids[:n+k], keys[:n+k]
	i, j := n-1, k-1
	for w := n + k - 1; j >= 0; w-- {
		if i >= 0 && ids[i] > add[j] {
			ids[w], keys[w] = ids[i], keys[i]
			i--
		} else {
			ids[w], keys[w] = add[j], key(add[j])
			j--
		}
	}
	t.ids, t.keys = ids, keys
	t.wipeRecent()
}

// wipeRecent overwrites the recent keys (ranging over a map gives copies)
// and drops the map.
func (t *keyTable) wipeRecent() {
	for id := range t.recent {
		t.recent[id] = vault.Key{}
	}
	t.recent = nil
}

// remove wipes and forgets the keys of ids (one pass over the arrays: a
// purge may take many).
func (t *keyTable) remove(ids []uint64) {
	gone := map[uint64]bool{}
	for _, id := range ids {
		if _, ok := t.recent[id]; ok {
			t.recent[id] = vault.Key{}
			delete(t.recent, id)
		} else if _, ok := slices.BinarySearch(t.ids, id); ok {
			gone[id] = true
		}
	}
	if len(gone) == 0 {
		return
	}
	w := 0
	for i, id := range t.ids {
		if !gone[id] {
			t.ids[w], t.keys[w] = id, t.keys[i]
			w++
		}
	}
	clear(t.keys[w:])
	t.ids, t.keys = t.ids[:w], t.keys[:w]
}

// each calls fn with every key, in no order.
func (t *keyTable) each(fn func(id uint64, k vault.Key)) {
	for i, id := range t.ids {
		fn(id, t.keys[i])
	}
	for id, k := range t.recent {
		fn(id, k)
	}
}

// wipe forgets every key, its bytes overwritten.
func (t *keyTable) wipe() {
	clear(t.keys[:cap(t.keys)])
	t.wipeRecent()
	t.ids, t.keys = nil, nil
}
