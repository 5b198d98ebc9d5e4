// Package etcdstore keeps the storage contract (fieldprint.Storage) on an
// etcd server: the office's shared store, which several desks use at once
// (package etcdstore/server runs it, embedded in `fieldprint serve`).
//
// The key space lives under one namespace in etcd:
//
//	fp/k/<key>      the contract's key -> its value (the key's revision is
//	                etcd's ModRevision; a transaction is one etcd revision)
//	fp/seq/<name>   a named sequence's last number (uint64 big-endian)
//	fp/commit       rewritten by every update that writes: its ModRevision
//	                is the revision of the newest write (see Update)
//
// A View reads one etcd revision (the first read's, every later read
// pinned to it with WithRev): a consistent snapshot. An Update is an
// optimistic transaction: it reads at one revision like a View, keeps its
// writes in memory (later reads see them), records what it read, and
// commits with one etcd Txn: If(nothing read changed) Then(the writes).
// When the comparison fails, another desk changed something fn read, and
// fn runs again on fresh data, as the contract says. What it read is
// compared so (at most maxCompares comparisons, else the whole store):
//
//   - a key read with Get (present or not): its ModRevision is still the
//     one read (0: still absent);
//   - a range walked by Scan: every key seen still has the ModRevision it
//     had (so a deleted one fails), and no key in the walked range has a
//     ModRevision after the snapshot (so a new or changed one fails);
//   - a Count (it sees no keys): nothing was written since the snapshot,
//     compared on fp/commit, as is everything when the comparisons would
//     be too many.
//
// So two desks changing the same request never both win: the second runs
// again on what the first wrote.
//
// The contract's limits are etcd's defaults (128 writes, 1.5 MiB a
// transaction); the comparisons and fp/commit come on top, which is why the
// office server (package server) runs with larger MaxTxnOps and
// MaxRequestBytes than etcd's defaults.
package etcdstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The namespace of the office's data in etcd.
const (
	Namespace  = "fp/"
	dataPrefix = Namespace + "k/"
	seqPrefix  = Namespace + "seq/"
	commitKey  = Namespace + "commit"
)

// Limits this client keeps beyond the contract's: a transaction's
// comparisons (past them it compares the whole store), and how many times
// an update runs again before it gives up.
const (
	maxCompares = 512
	maxAttempts = 64
	// ServerMaxTxnOps and ServerMaxRequestBytes are what the office server
	// must allow: the contract's writes, the sequences and fp/commit, and the
	// comparisons; the contract's bytes and the comparisons' keys.
	ServerMaxTxnOps       = 1024
	ServerMaxRequestBytes = 2 << 20
)

// Store is the storage contract on an etcd client.
type Store struct {
	c       *clientv3.Client
	timeout time.Duration
	own     bool // Close closes c

	host string // the server's host:port, for messages
	desk string // this desk's name, for messages

	ctx    context.Context // ends when the store closes (watches end with it)
	cancel context.CancelFunc
	once   sync.Once

	p *presence // whether the server answers (away.go)

	trips atomic.Uint64 // requests sent (RoundTrips)

	hintMu sync.Mutex
	hints  map[string]string // a range's end -> where a reversed scan may start (page)
}

var _ fp.Storage = (*Store)(nil)

// Timeout is how long one request to the server may take by default.
const Timeout = 10 * time.Second

// New runs the contract on c; Close closes c when own is true.
func New(c *clientv3.Client, own bool) *Store {
	ctx, cancel := context.WithCancel(context.Background())
	host := "(unknown)"
	if eps := c.Endpoints(); len(eps) > 0 {
		host = hostOf(eps[0])
	}
	return &Store{c: c, timeout: Timeout, own: own, ctx: ctx, cancel: cancel, host: host, p: newPresence()}
}

// Client is the etcd client the store runs on.
func (s *Store) Client() *clientv3.Client { return s.c }

// RoundTrips is how many requests the store has sent the server (reads and
// commits; not the watch): what a benchmark reports per operation.
func (s *Store) RoundTrips() uint64 { return s.trips.Load() }

func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		s.cancel()
		if s.own {
			err = s.c.Close()
		}
	})
	return err
}

// call runs one request with the store's timeout. While the server is
// away (away.go) it is refused at once, unsent (errNotSent); one on its
// way when the server goes away ends at once (errEnded).
func (s *Store) call(fn func(ctx context.Context) error) error {
	s.trips.Add(1)
	gone := s.goneCh()
	select {
	case <-gone:
		return errNotSent
	default:
	}
	base, cancelBase := context.WithCancelCause(s.ctx)
	defer cancelBase(nil)
	ctx, cancel := context.WithTimeout(base, s.timeout)
	defer cancel()
	go func() {
		select {
		case <-gone:
			cancelBase(errEnded)
		case <-ctx.Done():
		}
	}()
	err := fn(ctx)
	if err != nil && errors.Is(context.Cause(base), errEnded) {
		return fmt.Errorf("%w: %v", errEnded, err)
	}
	return err
}

// Why a request to an away server failed: refused before it was sent, or
// ended on its way.
var (
	errNotSent = fmt.Errorf("%w: refused unsent", errAway)
	errEnded   = fmt.Errorf("%w: ended on its way", errAway)
)

// What a failed request was: a read (a view's, or a change's before it
// commits: nothing of the change was sent), or a change's commit.
type mode int

const (
	reading mode = iota
	changing
	committing
)

// unreachable words a failed request for people, naming the server (its
// host and port, never a key or a value: etcd's errors name neither).
// A commit that failed otherwise than by a refusal of the server may have
// been applied or not (the server may have applied it and gone before it
// answered): it says so, and the caller reads again before trying again.
func (s *Store) unreachable(err error, m mode) error {
	switch {
	case errors.Is(err, rpctypes.ErrTooManyOps), errors.Is(err, rpctypes.ErrRequestTooLarge),
		errors.Is(err, rpctypes.ErrGRPCTooManyOps), errors.Is(err, rpctypes.ErrGRPCRequestTooLarge):
		return fp.Internal("a change is over the office server's limits", fmt.Errorf("%w: %v", fp.ErrTxnTooBig, err))
	case errors.Is(err, rpctypes.ErrNoSpace), errors.Is(err, rpctypes.ErrGRPCNoSpace):
		return fp.Internal("the office server's database is full: its administrator must compact, defragment and disarm it (see OFFICE-SERVER.md)", err)
	case refused(err):
		return fp.Errorf(fp.EFORBIDDEN, "the office server %s does not admit this desk%s: ask its administrator to add it (fieldprint desk add); nothing was changed", s.host, s.deskLabel())
	case isTLS(err):
		return fp.Errorf(fp.EFORBIDDEN, "this desk's file is not of the office server %s (their certificates do not match): ask the server's administrator for this desk's file (fieldprint desk add); nothing was changed", s.host)
	case errors.Is(err, errNotSent):
		return s.awayError(m != reading, false)
	case errors.Is(err, errEnded):
		return s.awayError(m != reading, m == committing)
	case m == committing:
		return fp.Internal("the office server "+s.host+" did not confirm your change: it may or may not have been saved; it is kept on screen — reload to see whether it was saved, then try again", unavailable(err))
	case m == changing:
		return fp.Internal("the office server "+s.host+" does not answer: your change was not saved; it is kept on screen — check the network or ask your IT contact, then try again", unavailable(err))
	}
	return fp.Internal("the office server "+s.host+" does not answer: check the network or ask your IT contact; nothing was changed", unavailable(err))
}

// unavailable marks err as the server's not answering (fp.ErrUnavailable).
func unavailable(err error) error { return fmt.Errorf("%w: %w", fp.ErrUnavailable, err) }

// refused: the server refused the desk (removed, or not admitted).
func refused(err error) bool {
	return errors.Is(err, rpctypes.ErrPermissionDenied) || errors.Is(err, rpctypes.ErrGRPCPermissionDenied) ||
		errors.Is(err, rpctypes.ErrUserNotFound) || errors.Is(err, rpctypes.ErrGRPCUserNotFound) ||
		errors.Is(err, rpctypes.ErrAuthFailed) || errors.Is(err, rpctypes.ErrGRPCAuthFailed)
}

// isTLS: the connection failed on certificates (a desk's file of another
// office, a server's certificate of another CA).
func isTLS(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "x509:") || strings.Contains(msg, "tls: ") || strings.Contains(msg, "certificate")
}

func (s *Store) deskLabel() string {
	if s.desk == "" {
		return ""
	}
	return " (" + s.desk + ")"
}

func (s *Store) Revision() (int64, error) {
	var rev int64
	err := s.call(func(ctx context.Context) error {
		r, err := s.c.Get(ctx, commitKey, clientv3.WithCountOnly())
		if err == nil {
			rev = r.Header.Revision
		}
		return err
	})
	if err != nil {
		return 0, s.unreachable(err, reading)
	}
	return rev, nil
}

func (s *Store) View(fn func(fp.Reader) error) error {
	return fn(&txn{s: s})
}

// Update runs fn as an optimistic transaction (see the package comment),
// again on fresh data after a conflict, at most maxAttempts times.
func (s *Store) Update(fn func(fp.Writer) error) error {
	for attempt := 0; ; attempt++ {
		t := &txn{s: s, write: true}
		err := fn(t)
		if errors.Is(err, errStale) {
			continue // a read was compacted away: read again
		}
		if err != nil {
			return err
		}
		ok, err := t.commit()
		if err != nil || ok {
			return err
		}
		if attempt+1 >= maxAttempts {
			return fp.Errorf(fp.ECONFLICT, "other desks kept changing the same data: nothing was saved, try again")
		}
		if attempt >= 2 { // contended: step back a little, at random
			time.Sleep(time.Duration(rand.Int64N(int64(min(attempt, 10)) * int64(2*time.Millisecond))))
		}
	}
}

// errStale is a read of a revision compacted meanwhile (an update runs
// again).
var errStale = errors.New("the snapshot was compacted")

// txn is one transaction: a view's reads, or an update's reads, writes and
// read set.
type txn struct {
	s     *Store
	rev   int64 // the snapshot: set by the first read
	write bool

	// An update's writes: key -> value (nil: deleted), and sequences'
	// new last numbers.
	writes map[string][]byte
	keys   []string // the written keys, sorted
	seqs   map[string]uint64
	ops    int            // keys written (each once)
	bytes  int            // their keys and last values
	sizes  map[string]int // what bytes counts for each key written

	// What an update read: key -> ModRevision seen (0: absent); ranges
	// walked; whole: compare the whole store.
	reads  map[string]int64
	ranges [][2]string
	whole  bool
}

// get reads at the snapshot (fixing it at the first read).
func (t *txn) get(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if t.rev > 0 {
		opts = append(opts, clientv3.WithRev(t.rev), clientv3.WithSerializable())
	}
	var resp *clientv3.GetResponse
	err := t.s.call(func(ctx context.Context) (err error) {
		resp, err = t.s.c.Get(ctx, key, opts...)
		return err
	})
	if err != nil {
		return nil, t.readErr(err)
	}
	if t.rev == 0 {
		t.rev = resp.Header.Revision
	}
	return resp, nil
}

// readErr words a failed read: the view's revision compacted away (an
// update runs again on fresh data), or the server not answering.
func (t *txn) readErr(err error) error {
	if errors.Is(err, rpctypes.ErrCompacted) || errors.Is(err, rpctypes.ErrGRPCCompacted) {
		if t.write {
			return errStale
		}
		return fp.Internal("the office server dropped the revision this view reads: try again", err)
	}
	m := reading
	if t.write {
		m = changing
	}
	return t.s.unreachable(err, m)
}

func (t *txn) read(key string, modRev int64) {
	if !t.write {
		return
	}
	if t.reads == nil {
		t.reads = map[string]int64{}
	}
	if _, ok := t.reads[key]; !ok {
		t.reads[key] = modRev
	}
}

func (t *txn) Get(key []byte) ([]byte, int64, error) {
	if v, ok := t.writes[string(key)]; ok {
		if v == nil {
			return nil, 0, nil
		}
		// Not committed: its revision is not known yet, but it is after
		// the snapshot.
		return bytes.Clone(v), t.rev + 1, nil
	}
	k := dataPrefix + string(key)
	resp, err := t.get(k)
	if err != nil {
		return nil, 0, err
	}
	if len(resp.Kvs) == 0 {
		t.read(k, 0)
		return nil, 0, nil
	}
	kv := resp.Kvs[0]
	t.read(k, kv.ModRevision)
	v := kv.Value
	if v == nil {
		v = []byte{}
	}
	return v, kv.ModRevision, nil
}

// Pages of a scan: small first (a cursor that wants one key costs little
// and compares little), twice as many each time, up to scanMaxPage.
const (
	scanFirstPage = 16
	scanMaxPage   = 1024
)

func (t *txn) Scan(prefix, from []byte, reverse bool, fn func(k, v []byte) (bool, error)) error {
	// The range [lo, hi) in etcd's keys.
	lo := dataPrefix + string(prefix)
	hi := clientv3.GetPrefixRangeEnd(lo)
	switch {
	case !reverse && from != nil && string(from) > string(prefix):
		lo = dataPrefix + string(from)
	case reverse && from != nil:
		if end := dataPrefix + string(from) + "\x00"; end < hi {
			hi = end
		}
	}
	if lo >= hi {
		return nil
	}
	// The written keys in [lo, hi), in the scan's order.
	var mine []string
	if len(t.keys) > 0 {
		a, _ := slices.BinarySearch(t.keys, lo[len(dataPrefix):])
		b, _ := slices.BinarySearch(t.keys, hi[len(dataPrefix):])
		mine = slices.Clone(t.keys[a:b])
		if reverse {
			slices.Reverse(mine)
		}
	}
	// emit hands fn a written key (a deleted one is skipped).
	emit := func(k string) (bool, error) {
		v := t.writes[k]
		if v == nil {
			return true, nil
		}
		return fn([]byte(k), v)
	}
	before := func(a, b string) bool { // a comes before b in the scan's order
		if reverse {
			return a > b
		}
		return a < b
	}
	size := int64(scanFirstPage)
	hint, top := "", hi
	if reverse {
		hint = t.s.tailHint(top)
	}
	var st *stream
	defer func() { st.close() }()
	for seen := 0; ; {
		kvs, full, err := t.page(lo, hi, size, reverse, seen, top, &hint, &st)
		if err != nil {
			return err
		}
		// What this page covers: [lo, hi) when it is the last, else up to
		// and including its last key; less when fn stops early: up to the
		// last key fn was given (or the one written key).
		covLo, covHi := lo, hi
		if full {
			covTo(&covLo, &covHi, string(kvs[len(kvs)-1].Key), reverse)
		}
		record := func(upTo int) {
			if !t.write {
				return
			}
			t.ranges = append(t.ranges, [2]string{covLo, covHi})
			for _, kv := range kvs[:upTo] {
				t.read(string(kv.Key), kv.ModRevision)
			}
		}
		for i, kv := range kvs {
			k := string(kv.Key[len(dataPrefix):])
			for len(mine) > 0 && before(mine[0], k) {
				more, err := emit(mine[0])
				if err != nil || !more {
					covTo(&covLo, &covHi, dataPrefix+mine[0], reverse)
					record(i)
					return err
				}
				mine = mine[1:]
			}
			var more bool
			if len(mine) > 0 && mine[0] == k {
				more, err = emit(k)
				mine = mine[1:]
			} else {
				v := kv.Value
				if v == nil {
					v = []byte{}
				}
				more, err = fn(kv.Key[len(dataPrefix):], v)
			}
			if err != nil || !more {
				covTo(&covLo, &covHi, string(kv.Key), reverse)
				record(i + 1)
				return err
			}
		}
		record(len(kvs))
		if !full {
			for _, k := range mine { // past every stored key: nothing more was read
				if more, err := emit(k); err != nil || !more {
					return err
				}
			}
			return nil
		}
		last := string(kvs[len(kvs)-1].Key)
		if reverse {
			hi = last
		} else {
			lo = last + "\x00"
		}
		size = min(2*size, scanMaxPage)
		seen += len(kvs)
	}
}

// page reads the next page of a scan of [lo, hi): up to size keys from lo
// up, or from hi down when reverse; full: there may be more.
//
// etcd reads a whole range to sort it (txn.Range fetches everything when
// the order is not ascending keys), so a reversed page costs the whole
// range: the audit trail's head, read by every save, grew with the office
// (20 ms at 3,000 requests). A reversed scan of a prefix therefore starts
// from the Store's hint, a key some way below the range's end (about as
// far down as an earlier walk went, at most tailHintMax keys): the keys
// from it up to hi, ascending (cheap), reversed, are the first page when
// they are not too many. Below the hint (a longer walk down) or without
// one, pages are read sorted, and the hint is set from what they find.
// The hint only chooses where to read: what is read is the snapshot's,
// checked like any page.
func (t *txn) page(lo, hi string, size int64, reverse bool, seen int, top string, hint *string, st **stream) ([]*mvccpb.KeyValue, bool, error) {
	if !reverse {
		if *st == nil {
			var err error
			if *st, err = t.openStream(lo, hi); err != nil {
				return nil, false, err
			}
		}
		return (*st).next(t)
	}
	if h := *hint; h != "" {
		*hint = "" // the first page only
		if lo <= h && h < hi {
			resp, err := t.get(h, clientv3.WithRange(hi), clientv3.WithLimit(tailHintMax))
			if err != nil {
				return nil, false, err
			}
			if n := len(resp.Kvs); !resp.More && n > 0 && n <= tailHintMax {
				kvs := slices.Clone(resp.Kvs)
				slices.Reverse(kvs)
				if n > tailHintMax*7/8 { // the hint lags: move it up
					t.s.setTailHint(top, string(kvs[tailHintMax/2].Key))
				}
				return kvs, string(kvs[n-1].Key) > lo, nil
			}
		}
	}
	opts := []clientv3.OpOption{clientv3.WithRange(hi), clientv3.WithLimit(size)}
	if reverse {
		opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
	}
	resp, err := t.get(lo, opts...)
	if err != nil {
		return nil, false, err
	}
	if reverse && resp.More && len(resp.Kvs) > 0 && seen+len(resp.Kvs) <= tailHintMax*3/4 {
		// The hint for the next reversed scan from top (a range longer
		// than a page): this page's lowest key, so that the hinted page
		// holds about as many keys as this walk has read.
		t.s.setTailHint(top, string(resp.Kvs[len(resp.Kvs)-1].Key))
	}
	return resp.Kvs, resp.More && len(resp.Kvs) > 0, nil
}

// stream is a forward scan's pages as one etcd range stream. A Get with a
// limit has the server count the rest of its range too (to answer its
// Count), so each page of a long range cost the whole range: a queue page
// over a 100,000-request index took seconds. A stream's chunks are read
// without counting, sized by the server; the scan takes them as its pages
// and ends the stream when it has what it wants.
type stream struct {
	ch     clientv3.GetStreamChan
	cancel context.CancelFunc
	gone   <-chan struct{}
}

func (t *txn) openStream(lo, hi string) (*stream, error) {
	if t.rev == 0 { // the snapshot the stream reads: fixed by a point read
		if _, err := t.get(lo); err != nil {
			return nil, err
		}
	}
	gone := t.s.goneCh()
	select {
	case <-gone:
		return nil, t.readErr(errNotSent)
	default:
	}
	t.s.trips.Add(1)
	ctx, cancel := context.WithCancel(t.s.ctx)
	ch, err := t.s.c.GetStream(ctx, lo, clientv3.WithRange(hi), clientv3.WithRev(t.rev), clientv3.WithSerializable())
	if err != nil {
		cancel()
		return nil, t.readErr(err)
	}
	return &stream{ch: ch, cancel: cancel, gone: gone}, nil
}

// next is the stream's next chunk; full: more follow.
func (st *stream) next(t *txn) ([]*mvccpb.KeyValue, bool, error) {
	timer := time.NewTimer(t.s.timeout)
	defer timer.Stop()
	select {
	case r, ok := <-st.ch:
		switch {
		case !ok:
			return nil, false, t.readErr(errors.New("the range stream ended early"))
		case r.Err() != nil:
			return nil, false, t.readErr(r.Err())
		case r.RangeResponse == nil:
			return nil, false, t.readErr(errors.New("an empty range stream answer"))
		}
		return r.Kvs, r.Header == nil && len(r.Kvs) > 0, nil
	case <-st.gone:
		return nil, false, t.readErr(fmt.Errorf("%w: a range stream", errEnded))
	case <-timer.C:
		return nil, false, t.readErr(context.DeadlineExceeded)
	}
}

// close ends the stream; what the server had sent meanwhile is drained
// (etcd's client hands the stream's end to its channel and waits until it
// is taken).
func (st *stream) close() {
	if st == nil {
		return
	}
	st.cancel()
	go func() {
		for range st.ch {
		}
	}()
}

// tailHint is where a reversed scan from top (a range's end) may start
// (page); "" when none is known.
func (s *Store) tailHint(top string) string {
	s.hintMu.Lock()
	defer s.hintMu.Unlock()
	return s.hints[top]
}

func (s *Store) setTailHint(top, key string) {
	s.hintMu.Lock()
	defer s.hintMu.Unlock()
	if s.hints == nil || len(s.hints) >= maxTailHints {
		s.hints = map[string]string{} // few ranges are walked backwards: start again
	}
	s.hints[top] = key
}

// maxTailHints bounds the hints a Store keeps.
const maxTailHints = 256

// tailHintMax is how many keys a hinted first page may hold (more: the
// hint is too far down, read sorted).
const tailHintMax = 256

// covTo narrows the range [lo, hi) a scan covered to end at key
// (included): forward the end moves down to it, reversed the start up.
func covTo(lo, hi *string, key string, reverse bool) {
	if reverse {
		*lo = max(*lo, key)
	} else {
		*hi = min(*hi, key+"\x00")
	}
}

func (t *txn) Count(prefix []byte) (int, error) {
	k := dataPrefix + string(prefix)
	resp, err := t.get(k, clientv3.WithRange(clientv3.GetPrefixRangeEnd(k)), clientv3.WithCountOnly())
	if err != nil {
		return 0, err
	}
	n := int(resp.Count)
	if !t.write {
		return n, nil
	}
	t.whole = true // a count sees no keys: any write may change it
	for key, v := range t.writes {
		if !bytes.HasPrefix([]byte(key), prefix) {
			continue
		}
		r, err := t.get(dataPrefix+key, clientv3.WithCountOnly())
		if err != nil {
			return 0, err
		}
		switch stored := r.Count > 0; {
		case stored && v == nil:
			n--
		case !stored && v != nil:
			n++
		}
	}
	return n, nil
}

var errLimit = errors.New("limit")

// count keeps the contract's limits, as the bbolt backend counts them: a
// key written again counts once, at the size of its last value (the
// commit sends one operation a key, its last).
func (t *txn) count(key string, size int) error {
	if !t.write {
		return fp.Internal("a write in a read transaction", errLimit)
	}
	old, again := t.sizes[key]
	if !again && t.ops+1 > fp.MaxTxnOps {
		return fp.Internal(fmt.Sprintf("a change writes more than %d keys at once", fp.MaxTxnOps), fp.ErrTxnTooBig)
	}
	if t.bytes-old+size > fp.MaxTxnBytes {
		return fp.Internal(fmt.Sprintf("a change writes more than %d bytes at once", fp.MaxTxnBytes), fp.ErrTxnTooBig)
	}
	if !again {
		t.ops++
	}
	if t.sizes == nil {
		t.sizes = map[string]int{}
	}
	t.bytes += size - old
	t.sizes[key] = size
	return nil
}

func (t *txn) set(key string, v []byte) {
	if t.writes == nil {
		t.writes = map[string][]byte{}
	}
	if _, ok := t.writes[key]; !ok {
		i, _ := slices.BinarySearch(t.keys, key)
		t.keys = slices.Insert(t.keys, i, key)
	}
	t.writes[key] = v
}

func (t *txn) Put(key, value []byte) error {
	switch {
	case len(key) == 0:
		return fp.Internal("an empty key", errLimit)
	case len(value) > fp.MaxValueBytes:
		return fp.Internal(fmt.Sprintf("a value of %d bytes is over the %d-byte limit", len(value), fp.MaxValueBytes), fp.ErrTxnTooBig)
	}
	if err := t.count(string(key), len(key)+len(value)); err != nil {
		return err
	}
	v := make([]byte, len(value)) // never nil: nil marks a delete
	copy(v, value)
	t.set(string(key), v)
	return nil
}

func (t *txn) Delete(key []byte) error {
	if !t.write {
		return fp.Internal("a write in a read transaction", errLimit)
	}
	v, _, err := t.Get(key)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // nothing to delete: nothing changes, nothing is reported
	}
	if err := t.count(string(key), len(key)); err != nil {
		return err
	}
	t.set(string(key), nil)
	return nil
}

func (t *txn) Sequence(name string) (uint64, error) {
	if !t.write {
		return 0, fp.Internal("a sequence in a read transaction", errLimit)
	}
	n, ok := t.seqs[name]
	if !ok {
		k := seqPrefix + name
		resp, err := t.get(k)
		if err != nil {
			return 0, err
		}
		if len(resp.Kvs) == 0 {
			t.read(k, 0)
		} else {
			t.read(k, resp.Kvs[0].ModRevision)
			if v := resp.Kvs[0].Value; len(v) == 8 {
				n = binary.BigEndian.Uint64(v)
			}
		}
	}
	n++
	if t.seqs == nil {
		t.seqs = map[string]uint64{}
	}
	t.seqs[name] = n
	return n, nil
}

// Sequences calls fn with each named sequence's last number at the
// snapshot (workflow.SequenceReader, for a backup).
func (t *txn) Sequences(fn func(name string, last uint64) error) error {
	resp, err := t.get(seqPrefix, clientv3.WithPrefix())
	if err != nil {
		return err
	}
	for _, kv := range resp.Kvs {
		if len(kv.Value) != 8 {
			continue
		}
		if err := fn(string(kv.Key[len(seqPrefix):]), binary.BigEndian.Uint64(kv.Value)); err != nil {
			return err
		}
	}
	return nil
}

// commit writes the update if nothing it read changed; false: something
// did (run fn again).
func (t *txn) commit() (bool, error) {
	if len(t.writes) == 0 && len(t.seqs) == 0 {
		return true, nil // wrote nothing: no new revision
	}
	var cmps []clientv3.Cmp
	if t.rev > 0 { // read something: compare it
		if !t.whole && len(t.reads)+len(t.ranges) <= maxCompares {
			for k, rev := range t.reads {
				cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", rev))
			}
			for _, r := range t.ranges {
				cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(r[0]), "<", t.rev+1).WithRange(r[1]))
			}
		} else {
			cmps = []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(commitKey), "<", t.rev+1)}
		}
	}
	ops := make([]clientv3.Op, 0, len(t.writes)+len(t.seqs)+1)
	for _, k := range t.keys {
		if v := t.writes[k]; v != nil {
			ops = append(ops, clientv3.OpPut(dataPrefix+k, string(v)))
		} else {
			ops = append(ops, clientv3.OpDelete(dataPrefix+k))
		}
	}
	for name, n := range t.seqs {
		ops = append(ops, clientv3.OpPut(seqPrefix+name, string(binary.BigEndian.AppendUint64(nil, n))))
	}
	ops = append(ops, clientv3.OpPut(commitKey, ""))
	var resp *clientv3.TxnResponse
	err := t.s.call(func(ctx context.Context) (err error) {
		resp, err = t.s.c.Txn(ctx).If(cmps...).Then(ops...).Commit()
		return err
	})
	if err != nil {
		// A request that timed out or was cut off may have been applied
		// or not: the message says so, and the caller reads again before
		// it tries again.
		return false, t.s.unreachable(err, committing)
	}
	return resp.Succeeded, nil
}

// Watch reports every change to a key with prefix after revision from
// (0: from now). A revision the server no longer keeps (compacted) is
// refused with a conflict: read everything again, then watch from the
// revision read. A watch that falls behind a compaction while it runs
// ends (its channel closes before ctx ends): watch again from the last
// revision seen, which is then refused if it is gone.
func (s *Store) Watch(ctx context.Context, prefix []byte, from int64) (<-chan fp.KeyChange, error) {
	now, err := s.Revision()
	if err != nil {
		return nil, err
	}
	gone := fp.Errorf(fp.ECONFLICT, "the changes since revision %d are no longer kept: read everything again", from)
	switch {
	case from == 0:
		from = now
	case from > now: // the server was restored from an older copy
		return nil, gone
	case from < now:
		err := s.call(func(c context.Context) error {
			_, err := s.c.Get(c, commitKey, clientv3.WithRev(from+1), clientv3.WithCountOnly(), clientv3.WithSerializable())
			return err
		})
		if errors.Is(err, rpctypes.ErrCompacted) || errors.Is(err, rpctypes.ErrGRPCCompacted) {
			return nil, gone
		} else if err != nil {
			return nil, s.unreachable(err, reading)
		}
	}
	k := dataPrefix + string(prefix)
	wctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	wch := s.c.Watch(wctx, k, clientv3.WithRange(clientv3.GetPrefixRangeEnd(k)), clientv3.WithRev(from+1))
	out := make(chan fp.KeyChange, 64)
	go func() {
		defer close(out)
		defer stop()
		defer cancel()
		for resp := range wch {
			if resp.Canceled || resp.CompactRevision != 0 || resp.Err() != nil {
				return
			}
			for _, ev := range resp.Events {
				ch := fp.KeyChange{Key: bytes.Clone(ev.Kv.Key[len(dataPrefix):]), Revision: ev.Kv.ModRevision}
				if ev.Type == clientv3.EventTypeDelete {
					ch.Deleted = true
				} else {
					ch.Value = bytes.Clone(ev.Kv.Value)
					if ch.Value == nil {
						ch.Value = []byte{}
					}
				}
				select {
				case out <- ch:
				case <-wctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// hostOf is the host:port of an endpoint ("https://HOST:PORT").
func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return endpoint
}

// GetMany reads several keys in one round trip (one etcd transaction of
// gets, in chunks the server allows): a queue page's rows, which Get
// would read one round trip each. Values come in keys' order, nil for a
// key that is not there; the transaction's own writes are seen.
func (t *txn) GetMany(keys [][]byte) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for start := 0; start < len(keys); start += maxGetMany {
		end := min(start+maxGetMany, len(keys))
		var ops []clientv3.Op
		var at []int
		for i := start; i < end; i++ {
			if v, ok := t.writes[string(keys[i])]; ok {
				if v != nil {
					out[i] = bytes.Clone(v)
				}
				continue
			}
			var opts []clientv3.OpOption
			if t.rev > 0 {
				opts = append(opts, clientv3.WithRev(t.rev))
			}
			ops = append(ops, clientv3.OpGet(dataPrefix+string(keys[i]), opts...))
			at = append(at, i)
		}
		if len(ops) == 0 {
			continue
		}
		var resp *clientv3.TxnResponse
		err := t.s.call(func(ctx context.Context) (err error) {
			resp, err = t.s.c.Txn(ctx).Then(ops...).Commit()
			return err
		})
		if err != nil {
			return nil, t.readErr(err)
		}
		if t.rev == 0 {
			t.rev = resp.Header.Revision
		}
		for j, r := range resp.Responses {
			i := at[j]
			k := dataPrefix + string(keys[i])
			rr := r.GetResponseRange()
			if rr == nil || len(rr.Kvs) == 0 {
				t.read(k, 0)
				continue
			}
			t.read(k, rr.Kvs[0].ModRevision)
			v := rr.Kvs[0].Value
			if v == nil {
				v = []byte{}
			}
			out[i] = v
		}
	}
	return out, nil
}

// maxGetMany is how many gets go in one transaction (the server allows
// ServerMaxTxnOps).
const maxGetMany = 256
