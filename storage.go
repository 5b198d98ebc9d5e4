package fieldprint

import (
	"context"
	"errors"
)

// Storage is the contract an office's store keeps for the workflow: the least
// an embedded bbolt file (one desk) and an etcd server (several desks of one
// office) both give, so every action runs unchanged on either.
//
// Keys are ordered bytes; values are opaque. Every key carries the revision
// of the transaction that last wrote it, so an edit can say which version it
// started from (optimistic concurrency). Revisions only grow, survive a
// restart, and number the change feed.
//
// Limits are kept by every backend so the workflow cannot come to depend on
// one being larger: MaxValueBytes per value, MaxTxnOps keys written and
// MaxTxnBytes bytes per transaction (a key written again counts once, at
// its last value: a transaction commits each key's last value, as an etcd
// transaction holds one operation a key). The store.storetest suite is the
// contract's full statement.
type Storage interface {
	// View runs fn on a consistent snapshot.
	View(fn func(Reader) error) error
	// Update runs fn as one serializable transaction and commits every write
	// it made, or none (fn's error, or a limit exceeded, is returned). Reads
	// in fn see its own writes. When another writer changed something fn read
	// before fn committed, fn runs again on fresh data (a backend with one
	// writer at a time never needs to): fn must do nothing but read and
	// write through the transaction.
	Update(fn func(Writer) error) error
	// Watch sends every change to a key with prefix after revision from (0:
	// from now; of a key written several times in one transaction, the
	// last), in revision order, until ctx ends or the store closes; a
	// reader that resumes after a restart with the last revision it saw
	// misses nothing.
	Watch(ctx context.Context, prefix []byte, from int64) (<-chan KeyChange, error)
	// Revision is the store's newest revision.
	Revision() (int64, error)
	Close() error
}

// Reader reads within a transaction.
type Reader interface {
	// Get returns the value of key and the revision that wrote it; a key that
	// does not exist gives nil and 0.
	Get(key []byte) (value []byte, rev int64, err error)
	// Scan calls fn with every key that has prefix, in key order, from the
	// first key at or after from (nil: the first), until fn returns false or
	// an error. Reversed, it goes down from the last key at or before from
	// (nil: the last). To go on after a key k, pass k+0x00 (or, reversed, k
	// and skip it). key and value are valid only until fn returns: copy
	// what you keep (a backend then need not copy every key it walks).
	Scan(prefix, from []byte, reverse bool, fn func(key, value []byte) (more bool, err error)) error
	// Count is how many keys have prefix (without reading their values).
	Count(prefix []byte) (int, error)
}

// Writer reads and writes within a transaction.
type Writer interface {
	Reader
	Put(key, value []byte) error
	Delete(key []byte) error
	// Sequence returns the next number of the named counter: 1, 2, 3, …,
	// never the same twice, whatever restarts or refused updates happen
	// (a refused update may leave a gap).
	Sequence(name string) (uint64, error)
}

// KeyChange is one change the watch reports: a put (Value set) or a
// delete (Deleted), at the revision that made it.
type KeyChange struct {
	Key      []byte
	Value    []byte
	Deleted  bool
	Revision int64
}

// The limits every backend keeps, etcd's defaults: a value, the keys
// written in one transaction and their bytes (etcd's request size). Batch work is
// written in transactions that fit (see workflow's chunks); an action on
// one request stays far within them.
const (
	MaxValueBytes = 1 << 20     // 1 MiB: a value and its key must fit in one request
	MaxTxnOps     = 128         // keys written in one transaction
	MaxTxnBytes   = 1536 * 1024 // 1.5 MiB: the keys written in one transaction and their last values
)

// ErrTxnTooBig is what a backend's refusal of a transaction over the limits
// wraps (errors.Is), so batch work can write fewer at a time.
var ErrTxnTooBig = errors.New("over the storage contract's limits")

// ErrUnavailable is what a backend's failure because its server does not
// answer wraps (errors.Is): its message already says so, and whether the
// change was saved, and the workflow passes it on as it is (not as "check
// the disk").
var ErrUnavailable = errors.New("the office's store does not answer")
