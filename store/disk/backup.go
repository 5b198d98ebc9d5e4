package disk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// What a backup and a restore need of a KV file besides the contract.

// Sequences calls fn with each named sequence's last number, in the
// transaction's snapshot (workflow.SequenceReader).
func (t *kvTxn) Sequences(fn func(name string, last uint64) error) error {
	c := t.tx.Bucket(bKVMeta).Cursor()
	pre := []byte("seq/")
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		if len(v) != 8 {
			continue
		}
		if err := fn(string(k[len(pre):]), binary.BigEndian.Uint64(v)); err != nil {
			return err
		}
	}
	return nil
}

// SetSequences sets named sequences' last numbers (a restore).
func (kv *KV) SetSequences(seqs map[string]uint64) error {
	return kv.bolt.Update(func(tx *bolt.Tx) error {
		for name, n := range seqs {
			if err := SetSequence(tx, name, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Unsynced stops syncing each commit: for a new file built in one go (a
// restore), made durable once at the end by Sync.
func (kv *KV) Unsynced() { kv.bolt.NoSync = true }

// Sync writes the file to the disk and syncs each commit again.
func (kv *KV) Sync() error {
	kv.bolt.NoSync = false
	return kv.bolt.Sync()
}

// InUse reports whether another Fieldprint holds the database at path open
// (a file that does not open at all is not in use: it may be damaged).
func InUse(path string) bool {
	err := guard(path, func() error {
		b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
		if err == nil {
			b.Close()
		}
		return err
	})
	return errors.Is(err, berrors.ErrTimeout)
}
