package workflow

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Each request has its own data key (crypto-shredding: purge.go). The keys
// live outside the key space, in a small file beside the database
// (<db>-keys), because a value deleted from the database may linger in its
// free pages, and a file rewritten whole (written, fsynced, renamed over
// the old) leaves the old copy nowhere the office reaches. A purge rewrites
// it without the purged requests' keys; everything sealed under them (the
// record, its queue row, its identity, its stamps and e-mail records, the
// details of its audit entries, its scans, in the database, in its free
// pages and in backups) can then never be opened again.
//
//	"FPKEYS1\n"
//	records: length uint32 big-endian, vault.Seal(file key, payload, keysAAD)
//	payload: (uvarint key id, 32-byte key)...
//
// The file key is derived from the office key, so the file is useless
// without a sign-in. Keys are made 64 at a time (one fsync for 64 new
// requests), or a batch's at once (AttachFiles: takeMany); a record cut by
// a crash is the last one, and is dropped.
// Scans have a key each, named in the sealed file's header, so a scan two
// requests share outlives the first one's purge.

// KeyStoreBeside is the per-request key store of the database at path.
func KeyStoreBeside(path string) string { return path + "-keys" }

// BackupKeyStore is the key store's name among a backup's files.
const BackupKeyStore = "request.keys"

var keysMagic = []byte("FPKEYS1\n")

const (
	keysAAD     = "fieldprint request keys"
	keysPurpose = "fieldprint request key store"
	keysBatch   = 64
	maxKeysRec  = 16 << 20
	keysPerRec  = 4096 // keys in one record of a rewritten store
	// sealedByKey begins a value sealed under a request's own key: the
	// key's id (8 bytes) follows, then vault.Seal's output (which begins
	// with 1: a value sealed under the office's records key).
	sealedByKey = 0x02
)

// keyBacking is where a key store's records live: a file beside the
// database (one desk), or the key space itself (an office server, where
// every desk must read the keys another made; its compaction and
// defragmentation take the old values off the disk).
type keyBacking interface {
	// records are the sealed records, in order (a last record cut by a
	// crash left out).
	records(kek *vault.Key) ([][]byte, error)
	// add stores one record durably: in t when given and the backing is
	// the key space (it commits with what it keys).
	add(t *tx, rec []byte) error
	// replace puts recs in the place of every record, at once.
	replace(recs [][]byte) error
	// pooled: keys are made keysBatch at a time (one fsync for many);
	// otherwise one at a time, in the transaction that uses it.
	pooled() bool
	// snapshot is the store as a backup holds it (nil: in the key space,
	// which the backup holds anyway).
	snapshot() ([]byte, error)
	// where names it in messages.
	where() string
}

// keyStore is the per-request keys in memory while the office is unlocked.
type keyStore struct {
	mu       sync.Mutex
	backing  keyBacking
	kek      vault.Key
	keys     keyTable
	pool     []uint64 // made and durable, not handed out yet
	loaded   bool
	reloaded time.Time // the last reading after a key was not found
	mark     []byte    // where the last reading of an incremental backing ended
}

// incremental is a backing whose records can be read on from where the
// last reading ended (the key space: another desk's new request is found
// by reading its one new record, not every record again).
type incremental interface {
	// recordsAfter returns the records after mark (nil: every record) and
	// the mark to read on from; a store rewritten since mark (a purge)
	// gives every record again.
	recordsAfter(mark []byte) (recs [][]byte, next []byte, err error)
}

// errKeyGone: the key a value was sealed under was shredded by a purge.
var errKeyGone = fp.Errorf(fp.ENOTFOUND, "this request's data was purged: only its number, category, dates and outcome are kept")

// load reads the key store (under the key derived from office).
func (ks *keyStore) load(office *vault.Key) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.kek = vault.Derive(office, keysPurpose)
	ks.keys.wipe()
	ks.pool, ks.mark = nil, nil
	if err := ks.read(); err != nil {
		return err
	}
	ks.loaded = true
	return nil
}

// read adds every key of the backing to the map.
func (ks *keyStore) read() error {
	var recs [][]byte
	var err error
	if inc, ok := ks.backing.(incremental); ok {
		var next []byte
		if recs, next, err = inc.recordsAfter(ks.mark); err == nil {
			ks.mark = next
		}
	} else {
		recs, err = ks.backing.records(&ks.kek)
	}
	if err != nil {
		return err
	}
	keys, err := openKeyRecords(recs, &ks.kek)
	if err != nil {
		return err
	}
	ks.keys.putAll(keys)
	return nil
}

// openKeyRecords opens sealed records into keys.
func openKeyRecords(recs [][]byte, kek *vault.Key) (map[uint64]vault.Key, error) {
	keys := map[uint64]vault.Key{}
	for _, rec := range recs {
		plain, err := vault.Open(kek, rec, []byte(keysAAD))
		if err != nil {
			return nil, fp.Errorf(fp.EINTERNAL, "the requests' key store does not open with this office's key (damaged, or another office's): restore the newest backup")
		}
		for p := plain; len(p) > 0; {
			id, w := binary.Uvarint(p)
			if w <= 0 || len(p)-w < vault.KeySize {
				return nil, fp.Errorf(fp.EINTERNAL, "the requests' key store is damaged: restore the newest backup")
			}
			var k vault.Key
			copy(k[:], p[w:w+vault.KeySize])
			keys[id] = k
			p = p[w+vault.KeySize:]
		}
	}
	return keys, nil
}

// parseKeyStore reads a key store file's bytes (as in a backup): its keys.
func parseKeyStore(data []byte, kek *vault.Key) (map[uint64]vault.Key, int, error) {
	recs, good, err := fileRecords(data, kek)
	if err != nil {
		return nil, 0, err
	}
	keys, err := openKeyRecords(recs, kek)
	return keys, good, err
}

// fileRecords splits a key store file into its sealed records and the
// length of the whole ones: a last record cut short or torn by a crash is
// left out (kek tells a torn one).
func fileRecords(data []byte, kek *vault.Key) ([][]byte, int, error) {
	if len(data) == 0 {
		return nil, 0, nil
	}
	if !bytes.HasPrefix(data, keysMagic) {
		return nil, 0, fp.Errorf(fp.EINTERNAL, "the requests' key store is not a key store (damaged or replaced): restore the newest backup")
	}
	var recs [][]byte
	off := len(keysMagic)
	for off < len(data) {
		if len(data)-off < 4 {
			break // cut by a crash
		}
		n := int(binary.BigEndian.Uint32(data[off:]))
		if n > maxKeysRec {
			return nil, 0, fp.Errorf(fp.EINTERNAL, "the requests' key store is damaged: restore the newest backup")
		}
		if len(data)-off-4 < n {
			break // cut by a crash
		}
		rec := data[off+4 : off+4+n]
		if off+4+n == len(data) && kek != nil {
			if _, err := vault.Open(kek, rec, []byte(keysAAD)); err != nil {
				break // the last record, torn
			}
		}
		recs = append(recs, rec)
		off += 4 + n
	}
	return recs, off, nil
}

// sealKeys seals ids' keys into records of at most keysPerRec keys.
func sealKeys(kek *vault.Key, keys map[uint64]vault.Key) [][]byte {
	ids := make([]uint64, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return sealSorted(kek, ids, func(id uint64) vault.Key { return keys[id] })
}

// sealSorted seals the keys of ids (sorted; key gives each one's) into
// records of at most keysPerRec keys.
func sealSorted(kek *vault.Key, ids []uint64, key func(uint64) vault.Key) [][]byte {
	var recs [][]byte
	for len(ids) > 0 {
		n := min(len(ids), keysPerRec)
		payload := make([]byte, 0, n*(binary.MaxVarintLen64+vault.KeySize))
		for _, id := range ids[:n] {
			k := key(id)
			payload = binary.AppendUvarint(payload, id)
			payload = append(payload, k[:]...)
		}
		recs = append(recs, vault.Seal(kek, payload, []byte(keysAAD)))
		ids = ids[n:]
	}
	return recs
}

// fileOf is a whole key store file of recs.
func fileOf(recs [][]byte) []byte {
	out := bytes.Clone(keysMagic)
	for _, r := range recs {
		out = binary.BigEndian.AppendUint32(out, uint32(len(r)))
		out = append(out, r...)
	}
	return out
}

// newKeyID is a random key id no key has: ids are random so desks of one
// office never hand out the same one.
func (ks *keyStore) newKeyID() uint64 {
	for {
		var b [8]byte
		rand.Read(b[:])
		id := binary.BigEndian.Uint64(b[:]) >> 1
		if id != 0 && !ks.keys.has(id) {
			return id
		}
	}
}

// take hands out a new key, durable before it is used: from the pool of
// a key store file, or written in t (the key space).
func (ks *keyStore) take(t *tx) (uint64, vault.Key, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return 0, vault.Key{}, ErrLocked
	}
	n := 1
	if ks.backing.pooled() {
		if len(ks.pool) > 0 {
			id := ks.pool[0]
			ks.pool = ks.pool[1:]
			k, _ := ks.keys.get(id)
			return id, k, nil
		}
		n = keysBatch
	}
	made := map[uint64]vault.Key{}
	for range n {
		k, err := vault.NewKey()
		if err != nil {
			return 0, vault.Key{}, err
		}
		made[ks.newKeyID()] = k
	}
	if err := ks.backing.add(t, sealKeys(&ks.kek, made)[0]); storeSaid(err) {
		return 0, vault.Key{}, err
	} else if err != nil {
		return 0, vault.Key{}, fp.Internal("a new request's key could not be stored: check the disk has space", err)
	}
	var first uint64
	for id, k := range made {
		ks.keys.put(id, k)
		if first == 0 {
			first = id
		} else {
			ks.pool = append(ks.pool, id)
		}
	}
	return first, made[first], nil
}

// keyed is a key and its id.
type keyed struct {
	id uint64
	k  vault.Key
}

// takeMany hands out n new keys, durable before it returns: from the pool
// of a key store file and, for the rest, made in one record (one fsync of
// the file, or one transaction in the key space) with a pool's worth more.
func (ks *keyStore) takeMany(n int) ([]keyed, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return nil, ErrLocked
	}
	out := make([]keyed, 0, n)
	for len(out) < n && len(ks.pool) > 0 {
		id := ks.pool[0]
		ks.pool = ks.pool[1:]
		k, _ := ks.keys.get(id)
		out = append(out, keyed{id, k})
	}
	need := n - len(out)
	if need == 0 {
		return out, nil
	}
	if ks.backing.pooled() {
		need += keysBatch
	}
	made := map[uint64]vault.Key{}
	ids := make([]uint64, 0, need)
	for range need {
		k, err := vault.NewKey()
		if err != nil {
			return nil, err
		}
		id := ks.newKeyID()
		for _, dup := made[id]; dup; _, dup = made[id] {
			id = ks.newKeyID()
		}
		made[id] = k
		ids = append(ids, id)
	}
	for _, rec := range sealKeys(&ks.kek, made) {
		if err := ks.backing.add(nil, rec); storeSaid(err) {
			return nil, err
		} else if err != nil {
			return nil, fp.Internal("new keys could not be stored: check the disk has space", err)
		}
	}
	for _, id := range ids {
		ks.keys.put(id, made[id])
		if len(out) < n {
			out = append(out, keyed{id, made[id]})
		} else {
			ks.pool = append(ks.pool, id)
		}
	}
	return out, nil
}

// get is the key with id (false: shredded, or not made here). A key
// another desk made since the store was read is read then (at most once a
// second: a purged request's values ask for keys that are gone).
func (ks *keyStore) get(id uint64) (vault.Key, bool, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return vault.Key{}, false, ErrLocked
	}
	k, ok := ks.keys.get(id)
	_, inc := ks.backing.(incremental) // reading on costs one small read: no need to wait
	if !ok && !ks.backing.pooled() && (inc || time.Since(ks.reloaded) > time.Second) {
		ks.reloaded = time.Now()
		if err := ks.read(); err != nil {
			return vault.Key{}, false, err
		}
		k, ok = ks.keys.get(id)
	}
	return k, ok, nil
}

// has reports whether the key store holds id.
func (ks *keyStore) has(id uint64) bool {
	_, ok, _ := ks.get(id)
	return ok
}

// shred rewrites the key store without ids, at once (a new file synced
// and renamed over the old one; a new generation in the key space).
func (ks *keyStore) shred(ids []uint64) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return ErrLocked
	}
	if !ks.backing.pooled() { // other desks may have made keys since
		if err := ks.read(); err != nil {
			return err
		}
	}
	ks.keys.merge() // every key in the arrays, in order
	gone := map[uint64]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	keep := make([]uint64, 0, len(ks.keys.ids))
	for _, id := range ks.keys.ids {
		if !gone[id] {
			keep = append(keep, id)
		}
	}
	if err := ks.backing.replace(sealSorted(&ks.kek, keep, func(id uint64) vault.Key { k, _ := ks.keys.get(id); return k })); err != nil {
		return fp.Internal("the requests' key store could not be rewritten: check the disk has space, then run the purge again", err)
	}
	ks.keys.remove(ids)
	pool := ks.pool[:0]
	for _, id := range ks.pool {
		if ks.keys.has(id) {
			pool = append(pool, id)
		}
	}
	ks.pool = pool
	return nil
}

// snapshot is the key store's bytes for a backup (nil: it is in the key
// space, which the backup holds).
func (ks *keyStore) snapshot() ([]byte, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.backing.snapshot()
}

// wipe forgets every key (the office is locked).
func (ks *keyStore) wipe() {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.keys.wipe()
	ks.kek.Wipe()
	ks.pool, ks.loaded = nil, false
}

// withoutKeys is a key store file's bytes (as in a backup) rewritten
// without ids, under the office key; n is how many of ids it held.
func withoutKeys(data []byte, office *vault.Key, ids map[uint64]bool) (out []byte, n int, err error) {
	kek := vault.Derive(office, keysPurpose)
	defer kek.Wipe()
	keys, _, err := parseKeyStore(data, &kek)
	if err != nil {
		return nil, 0, err
	}
	for id := range ids {
		if _, ok := keys[id]; ok {
			delete(keys, id)
			n++
		}
	}
	return fileOf(sealKeys(&kek, keys)), n, nil
}

// fileKeys is a key store in a file beside the database.
type fileKeys struct {
	path string
	size int64 // up to its last whole record
}

func (f *fileKeys) pooled() bool  { return true }
func (f *fileKeys) where() string { return f.path }
func (f *fileKeys) records(kek *vault.Key) ([][]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		f.size = 0
		return nil, nil
	}
	if err != nil {
		return nil, fp.Internal("the requests' key store cannot be read", err)
	}
	recs, good, err := fileRecords(data, kek)
	f.size = int64(good)
	return recs, err
}

func (f *fileKeys) add(_ *tx, rec []byte) error {
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer file.Close()
	if f.size == 0 {
		if err := file.Truncate(0); err != nil {
			return err
		}
		if _, err := file.Write(keysMagic); err != nil {
			return err
		}
		f.size = int64(len(keysMagic))
	} else if err := file.Truncate(f.size); err != nil { // a torn record goes
		return err
	}
	framed := binary.BigEndian.AppendUint32(nil, uint32(len(rec)))
	if _, err := file.WriteAt(append(framed, rec...), f.size); err != nil {
		return err
	}
	if err := file.Sync(); err != nil {
		return err
	}
	f.size += int64(4 + len(rec))
	return nil
}

func (f *fileKeys) replace(recs [][]byte) error {
	data := fileOf(recs)
	if err := writeFileSync(f.path, data); err != nil {
		return err
	}
	syncDir(filepath.Dir(f.path))
	f.size = int64(len(data))
	return nil
}

func (f *fileKeys) snapshot() ([]byte, error) {
	file, err := os.Open(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, max(f.size, 0)))
}

// spaceKeys is a key store in the key space (an office server): records
// under keystore/ by generation and sequence; a rewrite writes a new
// generation, switches meta/keystore-gen to it in one transaction (with
// the records other desks added meanwhile), then deletes the old one.
type spaceKeys struct{ db *Desk }

var (
	bKeyStore = []byte("keystore")
	kKeyGen   = []byte("keystore-gen")
)

func (s spaceKeys) pooled() bool              { return false }
func (s spaceKeys) where() string             { return s.db.where }
func (s spaceKeys) snapshot() ([]byte, error) { return nil, nil }

func keyGen(tx *tx) uint64 {
	if v := tx.Bucket(bMeta).Get(kKeyGen); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (s spaceKeys) records(*vault.Key) (recs [][]byte, err error) {
	err = s.db.view(func(tx *tx) error {
		g := u64(keyGen(tx))
		tx.Bucket(bKeyStore).ForEach(func(k, v []byte) error {
			if bytes.HasPrefix(k, g) {
				recs = append(recs, bytes.Clone(v))
			}
			return nil
		})
		return nil
	})
	return recs, err
}

func (s spaceKeys) recordsAfter(mark []byte) (recs [][]byte, next []byte, err error) {
	err = s.db.view(func(tx *tx) error {
		g := u64(keyGen(tx))
		b := tx.Bucket(bKeyStore)
		from := b.key(g)
		if len(mark) == 16 && bytes.Equal(mark[:8], g) {
			from = b.key(append(bytes.Clone(mark), 0))
		}
		next = mark
		if next != nil && !bytes.Equal(next[:8], g) {
			next = nil
		}
		return tx.r.Scan(b.key(g), from, false, func(k, v []byte) (bool, error) {
			if len(k) == len(b.prefix)+16 {
				recs = append(recs, bytes.Clone(v))
				next = bytes.Clone(k[len(b.prefix):])
			}
			return true, nil
		})
	})
	return recs, next, err
}

func (s spaceKeys) add(t *tx, rec []byte) error {
	put := func(tx *tx) error {
		b := tx.Bucket(bKeyStore)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return b.Put(cat(u64(keyGen(tx)), u64(seq)), rec)
	}
	if t != nil && t.w != nil {
		return put(t)
	}
	return s.db.update(put)
}

func (s spaceKeys) replace(recs [][]byte) error {
	var old, next uint64
	if err := s.db.view(func(tx *tx) error { old = keyGen(tx); next = old + 1; return nil }); err != nil {
		return err
	}
	// Leftovers of a rewrite a crash stopped go first.
	if err := s.dropGens(func(g uint64) bool { return g != old }); err != nil {
		return err
	}
	var seen uint64 // the old generation's records copied: up to this sequence
	s.db.view(func(tx *tx) error {
		tx.Bucket(bKeyStore).ForEach(func(k, _ []byte) error {
			if len(k) == 16 && binary.BigEndian.Uint64(k) == old {
				seen = max(seen, binary.BigEndian.Uint64(k[8:]))
			}
			return nil
		})
		return nil
	})
	for i := 0; i < len(recs); {
		n := min(len(recs)-i, 32)
		if err := s.db.update(func(tx *tx) error {
			for j := i; j < i+n; j++ {
				if err := tx.Bucket(bKeyStore).Put(cat(u64(next), u64(uint64(j+1))), recs[j]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		i += n
	}
	if err := s.db.update(func(tx *tx) error {
		// Keys another desk made since: into the new generation too.
		b := tx.Bucket(bKeyStore)
		var late [][]byte
		b.ForEach(func(k, v []byte) error {
			if len(k) == 16 && binary.BigEndian.Uint64(k) == old && binary.BigEndian.Uint64(k[8:]) > seen {
				late = append(late, bytes.Clone(v))
			}
			return nil
		})
		for j, v := range late {
			if err := b.Put(cat(u64(next), u64(uint64(len(recs)+j+1))), v); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kKeyGen, u64(next))
	}); err != nil {
		return err
	}
	return s.dropGens(func(g uint64) bool { return g != next })
}

// dropGens deletes the records of the generations drop names.
func (s spaceKeys) dropGens(drop func(uint64) bool) error {
	var ks [][]byte
	s.db.view(func(tx *tx) error {
		tx.Bucket(bKeyStore).ForEach(func(k, _ []byte) error {
			if len(k) == 16 && drop(binary.BigEndian.Uint64(k)) {
				ks = append(ks, bytes.Clone(k))
			}
			return nil
		})
		return nil
	})
	_, err := s.db.inChunks(len(ks), func(tx *tx, i int) error { return tx.Bucket(bKeyStore).Delete(ks[i]) })
	return err
}

// UseKeyFile keeps the per-request keys in a file (KeyStoreBeside the
// database: one desk); otherwise they live in the key space.
func (db *Desk) UseKeyFile(path string) {
	db.reqKeys.mu.Lock()
	defer db.reqKeys.mu.Unlock()
	db.reqKeys.backing = &fileKeys{path: path}
	db.reqKeys.loaded = false
}

// KeyStorePath is where the per-request keys live.
func (db *Desk) KeyStorePath() string {
	db.reqKeys.mu.Lock()
	defer db.reqKeys.mu.Unlock()
	return db.reqKeys.backing.where()
}

// keyIDOf is the id of the key v (a value or a file's sealed bytes after
// its magic) was sealed under (false: the office's records key, or in the
// clear).
func keyIDOf(v []byte) (uint64, bool) {
	if len(v) < 9 || v[0] != sealedByKey {
		return 0, false
	}
	return binary.BigEndian.Uint64(v[1:9]), true
}

// sealUnder seals plain under the key id.
func sealUnder(id uint64, k *vault.Key, plain, aad []byte) []byte {
	out := make([]byte, 9, 9+vault.Overhead+len(plain))
	out[0] = sealedByKey
	binary.BigEndian.PutUint64(out[1:], id)
	return append(out, vault.Seal(k, plain, aad)...)
}

// openUnder opens a value sealed by sealUnder.
func (db *Desk) openUnder(v, aad []byte) ([]byte, error) {
	id, ok := keyIDOf(v)
	if !ok {
		return nil, fmt.Errorf("not sealed under a request's key")
	}
	ks, err := db.keyStore()
	if err != nil {
		return nil, err
	}
	k, found, err := ks.get(id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errKeyGone
	}
	return vault.Open(&k, v[9:], aad)
}

// syncDir makes a rename in dir durable (where the system allows it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
