package workflow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

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
// requests); a record cut by a crash is the last one, and is dropped.
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
	// sealedByKey begins a value sealed under a request's own key: the
	// key's id (8 bytes) follows, then vault.Seal's output (which begins
	// with 1: a value sealed under the office's records key).
	sealedByKey = 0x02
)

// keyStore is the per-request keys in memory while the office is unlocked.
type keyStore struct {
	mu     sync.Mutex
	path   string
	kek    vault.Key
	keys   map[uint64]vault.Key
	pool   []uint64 // made and durable, not handed out yet
	next   uint64   // the next key id to make
	size   int64    // the file's length up to its last whole record
	loaded bool
}

// errKeyGone: the key a value was sealed under was shredded by a purge.
var errKeyGone = fp.Errorf(fp.ENOTFOUND, "this request's data was purged: only its number, category, dates and outcome are kept")

// load reads the key store (under the key derived from office); a missing
// file is an empty store.
func (ks *keyStore) load(office *vault.Key) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.kek = vault.Derive(office, keysPurpose)
	ks.keys, ks.pool, ks.next, ks.size = map[uint64]vault.Key{}, nil, 1, 0
	if ks.path == "" {
		ks.loaded = true
		return nil
	}
	data, err := os.ReadFile(ks.path)
	if errors.Is(err, os.ErrNotExist) {
		ks.loaded = true
		return nil
	}
	if err != nil {
		return fp.Internal("the requests' key store cannot be read", err)
	}
	keys, good, err := parseKeyStore(data, &ks.kek)
	if err != nil {
		return err
	}
	for id, k := range keys {
		ks.keys[id] = k
		ks.next = max(ks.next, id+1)
	}
	ks.size = int64(good)
	ks.loaded = true
	return nil
}

// parseKeyStore reads a key store's bytes: the keys and the length of its
// whole records (a last record cut short is left out).
func parseKeyStore(data []byte, kek *vault.Key) (map[uint64]vault.Key, int, error) {
	keys := map[uint64]vault.Key{}
	if len(data) == 0 {
		return keys, 0, nil
	}
	if !bytes.HasPrefix(data, keysMagic) {
		return nil, 0, fp.Errorf(fp.EINTERNAL, "the requests' key store is not a key store (damaged or replaced): restore the newest backup")
	}
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
		plain, err := vault.Open(kek, data[off+4:off+4+n], []byte(keysAAD))
		if err != nil {
			if off+4+n == len(data) {
				break // the last record, torn
			}
			return nil, 0, fp.Errorf(fp.EINTERNAL, "the requests' key store does not open with this office's key (damaged, or another office's): restore the newest backup")
		}
		for p := plain; len(p) > 0; {
			id, w := binary.Uvarint(p)
			if w <= 0 || len(p)-w < vault.KeySize {
				return nil, 0, fp.Errorf(fp.EINTERNAL, "the requests' key store is damaged: restore the newest backup")
			}
			var k vault.Key
			copy(k[:], p[w:w+vault.KeySize])
			keys[id] = k
			p = p[w+vault.KeySize:]
		}
		off += 4 + n
	}
	return keys, off, nil
}

// encodeKeys is one record's payload.
func encodeKeys(ids []uint64, keys map[uint64]vault.Key) []byte {
	out := make([]byte, 0, len(ids)*(binary.MaxVarintLen64+vault.KeySize))
	for _, id := range ids {
		k := keys[id]
		out = binary.AppendUvarint(out, id)
		out = append(out, k[:]...)
	}
	return out
}

func keysRecord(kek *vault.Key, payload []byte) []byte {
	sealed := vault.Seal(kek, payload, []byte(keysAAD))
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(sealed))), sealed...)
}

// take hands out a new key, durable on the disk before it returns.
func (ks *keyStore) take() (uint64, vault.Key, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return 0, vault.Key{}, ErrLocked
	}
	if len(ks.pool) == 0 {
		if err := ks.grow(); err != nil {
			return 0, vault.Key{}, err
		}
	}
	id := ks.pool[0]
	ks.pool = ks.pool[1:]
	return id, ks.keys[id], nil
}

// grow makes keysBatch keys and appends them to the file, synced.
func (ks *keyStore) grow() error {
	ids := make([]uint64, keysBatch)
	made := map[uint64]vault.Key{}
	for i := range ids {
		k, err := vault.NewKey()
		if err != nil {
			return err
		}
		ids[i] = ks.next + uint64(i)
		made[ids[i]] = k
	}
	if ks.path != "" {
		rec := keysRecord(&ks.kek, encodeKeys(ids, made))
		if err := ks.append(rec); err != nil {
			return fp.Internal("a new request's key could not be stored: check the disk has space", err)
		}
		ks.size += int64(len(rec))
	}
	for id, k := range made {
		ks.keys[id] = k
	}
	ks.next += keysBatch
	ks.pool = append(ks.pool, ids...)
	return nil
}

func (ks *keyStore) append(rec []byte) error {
	f, err := os.OpenFile(ks.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if ks.size == 0 {
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Write(keysMagic); err != nil {
			return err
		}
		ks.size = int64(len(keysMagic))
	} else if err := f.Truncate(ks.size); err != nil { // a torn record goes
		return err
	}
	if _, err := f.WriteAt(rec, ks.size); err != nil {
		return err
	}
	return f.Sync()
}

// get is the key with id (false: shredded, or never made here).
func (ks *keyStore) get(id uint64) (vault.Key, bool, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return vault.Key{}, false, ErrLocked
	}
	k, ok := ks.keys[id]
	return k, ok, nil
}

// shred rewrites the key store without ids: a new file written whole,
// synced and renamed over the old one.
func (ks *keyStore) shred(ids []uint64) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if !ks.loaded {
		return ErrLocked
	}
	keep := make(map[uint64]vault.Key, len(ks.keys))
	for id, k := range ks.keys {
		keep[id] = k
	}
	for _, id := range ids {
		delete(keep, id)
	}
	data := encodeKeyStore(&ks.kek, keep)
	if ks.path != "" {
		if err := writeFileSync(ks.path, data); err != nil {
			return fp.Internal("the requests' key store could not be rewritten: check the disk has space, then run the purge again", err)
		}
		syncDir(filepath.Dir(ks.path))
	}
	for _, id := range ids {
		k := ks.keys[id]
		k.Wipe()
		delete(ks.keys, id)
	}
	pool := ks.pool[:0]
	for _, id := range ks.pool {
		if _, ok := ks.keys[id]; ok {
			pool = append(pool, id)
		}
	}
	ks.pool, ks.size = pool, int64(len(data))
	return nil
}

// encodeKeyStore is a whole key store holding keys.
func encodeKeyStore(kek *vault.Key, keys map[uint64]vault.Key) []byte {
	ids := make([]uint64, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := bytes.Clone(keysMagic)
	for len(ids) > 0 {
		n := min(len(ids), 1<<16)
		out = append(out, keysRecord(kek, encodeKeys(ids[:n], keys))...)
		ids = ids[n:]
	}
	return out
}

// snapshot is the key store's bytes as they are on the disk now (for a
// backup).
func (ks *keyStore) snapshot() ([]byte, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.path == "" {
		return nil, nil
	}
	f, err := os.Open(ks.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max(ks.size, 0)))
}

// wipe forgets every key (the office is locked).
func (ks *keyStore) wipe() {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for id, k := range ks.keys {
		k.Wipe()
		delete(ks.keys, id)
	}
	ks.kek.Wipe()
	ks.pool, ks.loaded = nil, false
}

// withoutKeys is a key store's bytes (as in a backup) rewritten without
// ids, under the office key; n is how many of ids it held.
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
	return encodeKeyStore(&kek, keys), n, nil
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
