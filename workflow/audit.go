package workflow

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// appendAudit adds e to the chain inside tx, so the entry commits or rolls
// back with the change it records.
func (db *Desk) appendAudit(tx *tx, e fp.AuditEntry) error {
	b := tx.Bucket(bAudit)
	e.Seq, e.PrevHash = 1, fp.GenesisHash
	var last fp.AuditEntry
	if k, v := b.Cursor().Last(); k != nil {
		if err := json.Unmarshal(v, &last); err != nil {
			return fmt.Errorf("audit head unreadable: %w", err)
		}
		e.Seq, e.PrevHash = binary.BigEndian.Uint64(k)+1, last.Hash
	}
	e.At = db.Now().UTC()
	if e.Seq > 1 {
		if err := noteAuditOrder(tx, last.At, e.At); err != nil {
			return err
		}
	}
	e.Hash = e.ComputeHash()
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if e.Request != "" {
		if err := idx(tx, iAudit).Put(cat([]byte(e.Request), sep, u64(e.Seq)), []byte{}); err != nil {
			return err
		}
	}
	return b.Put(u64(e.Seq), v)
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
		c := tx.Bucket(bAudit).Cursor()
		for k, v := c.Last(); k != nil && (f.Limit == 0 || len(out) < f.Limit); k, v = c.Prev() {
			var e fp.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fp.Internal("an audit entry cannot be read: run fieldprint audit verify", err)
			}
			if f.Match(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// RequestAudit returns the entries about one request, oldest first: its
// history. It reads them through idx/audit, not by scanning the chain.
func (db *Desk) RequestAudit(number string) (out []fp.AuditEntry, err error) {
	err = db.view(func(tx *tx) error {
		ab := tx.Bucket(bAudit)
		var ferr error
		each(idx(tx, iAudit), cat([]byte(number), sep), func(k, _ []byte) {
			var e fp.AuditEntry
			if err := json.Unmarshal(ab.Get(k[len(k)-8:]), &e); err != nil && ferr == nil {
				ferr = fp.Internal("an audit entry cannot be read: run fieldprint audit verify", err)
			}
			out = append(out, e)
		})
		return ferr
	})
	return out, err
}

// VerifyAudit walks the whole chain. A broken chain is reported as a problem,
// not an error: the error is for a database that cannot be read at all.
func (db *Desk) VerifyAudit(cp *fp.Checkpoint) (head fp.Checkpoint, problem *fp.AuditProblem, err error) {
	err = db.view(func(tx *tx) error {
		v := fp.NewChainVerifier(cp)
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
			return nil
		})
		if err != nil && err != errStop {
			return err
		}
		if problem == nil {
			head, problem = v.Done()
		}
		return nil
	})
	return head, problem, err
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
