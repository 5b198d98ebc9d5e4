package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// appendAudit adds e to the chain inside tx, so the entry commits or rolls
// back with the change it records. It is written, numbered and linked when
// the transaction ends (see seal), with the digest of the request record
// as the transaction leaves it.
func (db *Desk) appendAudit(tx *tx, e fp.AuditEntry) error {
	if tx.w == nil {
		return fp.Internal("an audit entry in a read transaction", errReadOnly)
	}
	e.At = db.Now().UTC()
	e.Desk = db.deskName
	tx.pending = append(tx.pending, e)
	return nil
}

// The audit trail is appended in time order as long as the clock only goes
// forward; a desk's clock set back, two desks' clocks a little apart, or
// the demo playing last week write an entry earlier than one before it.
// meta/audit-order keeps how far the trail strays, so that a report can
// still find a stretch of days by bisection (scanAudit): the latest time
// written before the last step back (max) and the largest step back
// (back), as two big-endian int64s (Unix nanoseconds, nanoseconds). Every
// entry is then at most back earlier than any entry before it. A store
// without the key (written before it existed) is measured once at open
// (measureAuditOrder); until then a report reads the whole trail.
var kAuditOrder = []byte("audit-order")

type auditOrder struct {
	max  time.Time
	back time.Duration
}

func (o auditOrder) encode() []byte {
	var ns int64 // the zero time (no step back yet) as 0
	if !o.max.IsZero() {
		ns = o.max.UnixNano()
	}
	return append(u64(uint64(ns)), u64(uint64(o.back))...)
}

// readAuditOrder reads meta/audit-order; known is false without it.
func readAuditOrder(tx *tx) (o auditOrder, known bool) {
	v := tx.Bucket(bMeta).Get(kAuditOrder)
	if len(v) != 16 {
		return o, false
	}
	o.back = time.Duration(binary.BigEndian.Uint64(v[8:]))
	if ns := int64(binary.BigEndian.Uint64(v[:8])); ns != 0 {
		o.max = time.Unix(0, ns).UTC()
	}
	return o, o.back >= 0
}

// step takes in an entry at at after one at prev; it says whether o changed.
func (o *auditOrder) step(prev, at time.Time) bool {
	top := prev
	if o.max.After(top) {
		top = o.max // entries since the last step back are in order: the latest is prev or max
	}
	if !at.Before(top) {
		return false
	}
	o.max, o.back = top, max(o.back, top.Sub(at))
	return true
}

// noteAuditOrder records an entry at at appended after one at prev.
func noteAuditOrder(tx *tx, prev, at time.Time) error {
	o, _ := readAuditOrder(tx)
	if !o.step(prev, at) {
		return nil
	}
	return tx.Bucket(bMeta).Put(kAuditOrder, o.encode())
}

// measureAuditOrder walks the trail once and says how far it strays.
func measureAuditOrder(tx *tx) (auditOrder, error) {
	var o auditOrder
	var prev time.Time
	first := true
	err := tx.Bucket(bAudit).ForEach(func(_, v []byte) error {
		at, ok := auditAt(v)
		if !ok {
			return fp.Internal("an audit entry cannot be read: run fieldprint audit verify", nil)
		}
		if !first {
			o.step(prev, at)
		}
		prev, first = at, false
		return nil
	})
	return o, err
}

// FindAudit returns matching entries, newest first. Directors and admins only.
func (db *Desk) FindAudit(a fp.Actor, f fp.AuditFilter) (out []fp.AuditEntry, err error) {
	err = db.view(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if a.Role != fp.RoleDirector && a.Role != fp.RoleAdmin {
			return fp.Errorf(fp.EFORBIDDEN, "the audit trail is for directors and administrators")
		}
		return auditNewestFirst(tx, func(v []byte) (bool, error) {
			var e fp.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return false, fp.Internal("an audit entry cannot be read: run fieldprint audit verify", err)
			}
			tx.openDetails(&e)
			if f.Match(e) {
				out = append(out, e)
			}
			return f.Limit == 0 || len(out) < f.Limit, nil
		})
	})
	return out, err
}

// RequestAudit returns the entries about one request, oldest first: its
// history. It reads them through idx/audit, not by scanning the chain.
func (db *Desk) RequestAudit(number string) (out []fp.AuditEntry, err error) {
	err = db.view(func(tx *tx) error {
		ab := tx.Bucket(bAudit)
		var ferr error
		eachBrief(idx(tx, iAudit), cat([]byte(number), sep), func(k, _ []byte) {
			var e fp.AuditEntry
			if err := json.Unmarshal(ab.Get(k[len(k)-8:]), &e); err != nil && ferr == nil {
				ferr = fp.Internal("an audit entry cannot be read: run fieldprint audit verify", err)
			}
			tx.openDetails(&e)
			out = append(out, e)
		})
		return ferr
	})
	return out, err
}

// auditHead is the newest audit entry's key (the chain's length, 8 bytes)
// and value; nil when the trail is empty. The trail's keys are 1..N without
// gaps (an entry is never removed: a purge seals details away and keeps
// the entry). A desk's own file finds N at the end of its tree. An office
// server would read the whole trail to walk it backwards (etcd sorts a
// range to reverse it: seconds at 100,000 requests), so there N is found
// from the last N this desk saw, doubling past it and halving back: two
// reads when no other desk wrote meanwhile, about 2·log2 of what they
// wrote otherwise. In a change, the absent N+1 read is compared at commit:
// another desk's entry meanwhile makes the change run again.
func auditHead(tx *tx) ([]byte, []byte) {
	b := tx.Bucket(bAudit)
	if _, server := tx.r.(manyGetter); !server {
		// One key read, not a cursor's first page (16 entries of a
		// kilobyte copied): every change that writes an entry asks.
		var k, v []byte
		err := tx.r.Scan(b.prefix, nil, true, func(fk, fv []byte) (bool, error) {
			k, v = bytes.Clone(fk[len(b.prefix):]), bytes.Clone(fv)
			return false, nil
		})
		if err != nil {
			panic(readError{err})
		}
		return k, v
	}
	var seen *atomic.Uint64
	if tx.desk != nil {
		seen = &tx.desk.auditSeen
	}
	has := func(i uint64) bool { return i == 0 || b.Get(u64(i)) != nil }
	lo := uint64(0)
	if seen != nil {
		lo = seen.Load()
	}
	if !has(lo) {
		lo = 0 // a shorter trail (a restored server): from the start
	}
	hi, step := lo+1, uint64(1)
	for has(hi) {
		lo, step = hi, step*2
		hi = lo + step
	}
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; has(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return nil, nil
	}
	if seen != nil {
		seen.Store(lo)
	}
	k := u64(lo)
	return k, b.Get(k)
}

// auditNewestFirst calls fn with each audit entry, newest first, until it
// says no more. On an office server the entries are read by their keys
// (N, N-1, …; see auditHead), a page of them per round trip: a reversed
// walk of the range would have the server sort the whole trail per page.
func auditNewestFirst(tx *tx, fn func(v []byte) (bool, error)) error {
	b := tx.Bucket(bAudit)
	many, server := tx.r.(manyGetter)
	if !server {
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if more, err := fn(v); err != nil || !more {
				return err
			}
		}
		return nil
	}
	k, _ := auditHead(tx)
	if k == nil {
		return nil
	}
	for hi := binary.BigEndian.Uint64(k); hi > 0; {
		n := min(hi, auditPage)
		keys := make([][]byte, n)
		for i := range keys {
			keys[i] = b.key(u64(hi - uint64(i)))
		}
		vs, err := many.GetMany(keys)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v == nil {
				continue
			}
			if more, err := fn(v); err != nil || !more {
				return err
			}
		}
		hi -= n
	}
	return nil
}

// auditPage is how many entries a walk newest first reads at once from an
// office server.
const auditPage = 128

// VerifyAudit walks the whole chain. A broken chain is reported as a problem,
// not an error: the error is for a database that cannot be read at all.
// Then every request record is checked against the chain (see
// fp.ChainVerifier.CheckRecord): problem is the first entry that does not
// verify, or else the first record, with how many more records do not.
func (db *Desk) VerifyAudit(cp *fp.Checkpoint) (head fp.Checkpoint, problem *fp.AuditProblem, err error) {
	head, problem, _, err = db.verify(cp, nil, "")
	return head, problem, err
}

// verify is VerifyAudit that also finds the entry that recorded the
// office key keyID (0: none).
func (db *Desk) verify(cp *fp.Checkpoint, older []fp.Checkpoint, keyID string) (head fp.Checkpoint, problem *fp.AuditProblem, keySeq uint64, err error) {
	err = db.view(func(tx *tx) error {
		v := fp.NewChainVerifier(cp)
		v.Also(older...)
		err := tx.Bucket(bAudit).ForEach(func(k, val []byte) error {
			var e fp.AuditEntry
			key := uint64(0)
			if len(k) == 8 {
				key = binary.BigEndian.Uint64(k)
			}
			if err := json.Unmarshal(val, &e); err != nil {
				e = fp.AuditEntry{Seq: key, Hash: "unreadable"}
			}
			if problem = v.Next(key, e); problem != nil {
				return errStop
			}
			if keySeq == 0 && e.Action == fp.ActionStampKey && len(e.Changes) == 1 && e.Changes[0].New == keyID {
				keySeq = e.Seq
			}
			return nil
		})
		if err != nil && err != errStop {
			return err
		}
		if problem == nil {
			head, problem = v.Done()
		}
		if problem != nil {
			return nil // records are checked against a chain that holds
		}
		var first *fp.AuditProblem
		more := 0
		note := func(p *fp.AuditProblem) {
			if first == nil {
				first = p
			} else {
				more++
			}
		}
		// A sealed record names its request only to the office key; without
		// it (nobody signed in) the numbers index says which it is, and the
		// digest still ties it to the chain.
		numbers := map[uint64]string{}
		tx.Bucket(bNumbers).ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				numbers[binary.BigEndian.Uint64(v)] = string(k)
			}
			return nil
		})
		tx.Bucket(bRequests).ForEach(func(k, val []byte) error {
			key := uint64(0)
			if len(k) == 8 {
				key = binary.BigEndian.Uint64(k)
			}
			var r struct {
				ID     uint64 `json:"id"`
				Number string `json:"number"`
			}
			pointer, body, err := splitRecord(val)
			switch {
			case err != nil:
			case isSealed(body) && !tx.rk.ok:
				r.ID, r.Number = key, numbers[key]
			default:
				var plain []byte
				if plain, err = tx.Bucket(bRequests).opened(k, body); err == nil {
					err = json.Unmarshal(plain, &r)
				}
			}
			if err != nil {
				r.ID, r.Number = 0, ""
			}
			if p := v.CheckRecord(key, r.ID, r.Number, pointer, body); p != nil {
				note(p)
			}
			return nil
		})
		for _, p := range v.Missing() {
			note(p)
		}
		if first != nil {
			first.More = more
			problem = first
		}
		return nil
	})
	return head, problem, keySeq, err
}

var errStop = fmt.Errorf("stop")

// RecordPrint audits a printed document and returns its copy number.
func (db *Desk) RecordPrint(a fp.Actor, id fp.RequestID, document, sum string) (copies int, err error) {
	err = db.update(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if err := fp.CheckPrint(a); err != nil {
			return err
		}
		r, err := getRequest(tx, id)
		if err != nil {
			return err
		}
		pb := tx.Bucket(bPrints)
		key := []byte(r.Number + "\x00" + document)
		if v := pb.Get(key); len(v) == 8 {
			copies = int(binary.BigEndian.Uint64(v))
		}
		copies++
		if err := pb.Put(key, u64(uint64(copies))); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRecordPrint, Request: r.Number,
			Note: fmt.Sprintf("%s, copy %d, sha256 %s", document, copies, sum)})
	})
	return copies, wrap(err, "the printing was not recorded")
}
