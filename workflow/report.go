package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"sort"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Report gathers the events of p and the period before it and counts them
// with fp.BuildReport: the received index for requests received, the
// calendar's indexes for appointments (their requests read for the rest),
// and the audit trail's stretch of those days for decisions, printings and
// purges. Directors and administrators only: its lists name applicants.
//
// The audit trail is in time order but for the steps back of a clock that
// meta/audit-order measures: its stretch is found by bisecting the sequence
// numbers (scanAudit), and only the entries whose action counts are decoded.
func (db *Desk) Report(a fp.Actor, p fp.Period) (rep fp.Report, err error) {
	if err := p.Validate(); err != nil {
		return rep, err
	}
	var src fp.ReportSource
	err = db.view(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if a.Role != fp.RoleDirector && a.Role != fp.RoleAdmin {
			return fp.Errorf(fp.EFORBIDDEN, "reports are for directors and administrators: sign in as one")
		}
		src, err = db.reportSource(tx, p)
		return err
	})
	if err != nil {
		return rep, err
	}
	return fp.BuildReport(p, src)
}

func (db *Desk) reportSource(tx *tx, p fp.Period) (fp.ReportSource, error) {
	s, err := schedulingTx(tx)
	if err != nil {
		return fp.ReportSource{}, err
	}
	all := fp.Period{From: p.Previous().From, To: p.To}
	src := fp.ReportSource{Scheduling: s, Uses: map[fp.Date][]fp.SlotUse{}}

	// Received: the index is in day order; its values say status and category.
	end := dateKey(all.To.AddDays(1))
	c := idx(tx, iReceived).Cursor()
	for k, v := c.Seek(dateKey(all.From)); len(k) == 16 && bytes.Compare(k[:8], end) < 0; k, v = c.Next() {
		st, ct, _ := bytes.Cut(v, sep)
		src.Received = append(src.Received, fp.ReceivedEntry{Request: keyID(k), Day: keyDate(k[:8]),
			Status: fp.Status(st), Category: fp.Category(ct)})
	}

	// Appointments: the days' slots and walk-ins, then their requests.
	ids := map[fp.RequestID]bool{}
	for d := all.From; !d.After(all.To); d = d.AddDays(1) {
		us, err := dayUsesTx(tx, d)
		if err != nil {
			return src, err
		}
		src.Uses[d] = us
		for _, u := range us {
			ids[u.Request] = true
		}
		each(idx(tx, iWalkIns), dateKey(d), func(k, _ []byte) {
			if len(k) == 18 {
				ids[fp.RequestID(binary.BigEndian.Uint64(k[8:16]))] = true
			}
		})
	}
	order := make([]fp.RequestID, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, id := range order {
		r, err := getRequest(tx, id)
		if err != nil {
			return src, err
		}
		src.Requests = append(src.Requests, r)
	}

	// The audit trail's stretch of those days.
	loc := s.Location()
	from := time.Date(all.From.Y, all.From.M, all.From.D, 0, 0, 0, 0, loc)
	to := time.Date(all.To.Y, all.To.M, all.To.D+1, 0, 0, 0, 0, loc)
	return src, scanAudit(tx, from, to, func(v []byte, at time.Time) error {
		act := auditAction(v)
		switch act {
		case fp.ActionRequestTransition, fp.ActionLetterPrint, fp.ActionRecordPrint, fp.ActionStampPrint, fp.ActionRequestPurge:
		default:
			return nil
		}
		if act == fp.ActionRequestTransition && !bytes.Contains(v, []byte(`"new":"ready-to-schedule"`)) && !bytes.Contains(v, []byte(`"new":"denied"`)) {
			return nil // not a decision: not worth decoding
		}
		var e fp.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fp.Internal("an audit entry cannot be read: run fieldprint audit verify", err)
		}
		day := fp.DateOf(at.In(loc))
		id := numberID(tx, e.Request)
		switch act {
		case fp.ActionRequestTransition:
			for _, ch := range e.Changes {
				if ch.Field != "status" || !fp.IsDecision(fp.Status(ch.Old), fp.Status(ch.New)) {
					continue
				}
				ev := fp.DecisionEvent{Request: id, Number: e.Request, Day: day, From: fp.Status(ch.Old), To: fp.Status(ch.New)}
				if id != 0 {
					if sum, err := getSummary(tx, id); err == nil {
						ev.Category, ev.Received = sum.Category, sum.Received
					}
				}
				src.Decisions = append(src.Decisions, ev)
			}
		case fp.ActionRequestPurge:
			src.Purges = append(src.Purges, fp.ReportItem{Number: e.Request, Day: day, Detail: "purged"})
		default:
			if ev, ok := fp.PrintEventOf(e); ok {
				ev.Request, ev.Day = id, day
				src.Prints = append(src.Prints, ev)
			}
		}
		return nil
	})
}

// keyDate reads an index key's YYYYMMDD.
func keyDate(b []byte) fp.Date {
	n := func(b []byte) int {
		v := 0
		for _, c := range b {
			v = v*10 + int(c-'0')
		}
		return v
	}
	return fp.Date{Y: n(b[:4]), M: time.Month(n(b[4:6])), D: n(b[6:8])}
}

// numberID is the request numbered n (0: none, purged).
func numberID(tx *tx, n string) fp.RequestID {
	if v := tx.Bucket(bNumbers).Get([]byte(n)); len(v) == 8 {
		return fp.RequestID(binary.BigEndian.Uint64(v))
	}
	return 0
}

// auditAt reads an encoded entry's time without decoding the rest: the
// encoding writes seq (a number), then "at" (fp.AuditEntry's field order).
func auditAt(v []byte) (time.Time, bool) {
	i := bytes.Index(v, []byte(`"at":"`))
	if i < 0 {
		return time.Time{}, false
	}
	rest := v[i+6:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return t, err == nil
}

// auditAction reads an encoded entry's action the same way ("" unknown).
func auditAction(v []byte) string {
	i := bytes.Index(v, []byte(`"action":"`))
	if i < 0 {
		return ""
	}
	rest := v[i+10:]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return string(rest[:j])
	}
	return ""
}

// scanAudit calls fn with every entry written from from (inclusive) to to
// (exclusive), in the trail's order. The trail is in time order but for
// the steps back meta/audit-order measures (at most back): the first entry
// that can fall in the stretch is found by bisection for from-back, and the
// walk ends at an entry at or after to+back, which no entry after it can
// precede by more. A trail not yet measured is read whole.
func scanAudit(tx *tx, from, to time.Time, fn func(v []byte, at time.Time) error) error {
	b := tx.Bucket(bAudit)
	k, _ := b.Cursor().Last()
	if k == nil {
		return nil
	}
	o, known := readAuditOrder(tx)
	lo := uint64(1)
	if known {
		lo = bisectAudit(b, from.Add(-o.back), binary.BigEndian.Uint64(k))
	}
	c := b.Cursor()
	for k, v := c.Seek(u64(lo)); k != nil; k, v = c.Next() {
		at, ok := auditAt(v)
		if !ok {
			return fp.Internal("an audit entry cannot be read: run fieldprint audit verify", nil)
		}
		if known && !at.Before(to.Add(o.back)) {
			break
		}
		if at.Before(from) || !at.Before(to) {
			continue
		}
		if err := fn(v, at); err != nil {
			return err
		}
	}
	return nil
}

// bisectAudit finds, among the entries 1..last, one that follows an entry
// before t (or is the first) and is at or after t (or follows the last):
// every entry before it is earlier than t plus the trail's step back.
func bisectAudit(b *bucket, t time.Time, last uint64) uint64 {
	lo, hi := uint64(1), last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		at, ok := auditAt(b.Get(u64(mid)))
		if ok && at.Before(t) {
			lo = mid + 1
		} else {
			hi = mid // an entry that cannot be read is looked at by the walk
		}
	}
	return lo
}

// RequestSummaries returns the queue rows of ids, in that order (a purged
// request is left out): a report's list behind one of its numbers.
func (db *Desk) RequestSummaries(ids []fp.RequestID) (out []fp.RequestSummary, err error) {
	err = db.view(func(tx *tx) error {
		for _, id := range ids {
			if id == 0 {
				continue
			}
			s, err := getSummary(tx, id)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}
