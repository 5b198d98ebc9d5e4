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
	words := interner{}

	// Received: the index is in day order; its values say status and category.
	end := dateKey(all.To.AddDays(1))
	c := idx(tx, iReceived).Cursor()
	for k, v := c.Seek(dateKey(all.From)); len(k) == 16 && bytes.Compare(k[:8], end) < 0; k, v = c.Next() {
		st, ct, _ := bytes.Cut(v, sep)
		src.Received = append(src.Received, fp.ReceivedEntry{Request: keyID(k), Day: dayOf(k),
			Status: fp.Status(words.of(st)), Category: fp.Category(words.of(ct))})
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

	// The audit trail's stretch of those days: only the entries whose
	// action counts are read further, and each request looked up once.
	loc := s.Location()
	from := time.Date(all.From.Y, all.From.M, all.From.D, 0, 0, 0, 0, loc)
	to := time.Date(all.To.Y, all.To.M, all.To.D+1, 0, 0, 0, 0, loc)
	numbers := map[string]fp.RequestID{}
	idOf := func(number string) fp.RequestID {
		id, ok := numbers[number]
		if !ok {
			id = numberID(tx, number)
			numbers[number] = id
		}
		return id
	}
	return src, scanAudit(tx, from, to, func(v []byte, at func() (time.Time, bool)) error {
		act := auditAction(v)
		switch act {
		case fp.ActionRequestTransition:
			if !bytes.Contains(v, []byte(`"new":"ready-to-schedule"`)) && !bytes.Contains(v, []byte(`"new":"denied"`)) {
				return nil // not a decision: not worth decoding
			}
		case fp.ActionLetterPrint, fp.ActionRecordPrint, fp.ActionStampPrint, fp.ActionRequestPurge:
		default:
			return nil
		}
		t, ok := at()
		if !ok {
			return fp.Internal("an audit entry cannot be read: run fieldprint audit verify", nil)
		}
		if t.Before(from) || !t.Before(to) {
			return nil // beside the stretch, written while a clock was behind
		}
		number, _ := jsonField(v, "request")
		day := fp.DateOf(t.In(loc))
		id := idOf(number)
		switch act {
		case fp.ActionRequestTransition:
			from, to, ok := statusChange(v)
			if !ok || !fp.IsDecision(from, to) {
				return nil
			}
			ev := fp.DecisionEvent{Request: id, Number: number, Day: day, From: from, To: to}
			if sum, err := tx.Bucket(bSummaries).GetOpened(idKey(id)); id != 0 && sum != nil && err == nil {
				c, _ := jsonField(sum, "category")
				r, _ := jsonField(sum, "received")
				ev.Category = fp.Category(words.of([]byte(c)))
				ev.Received, _ = fp.ParseDate(r)
			}
			src.Decisions = append(src.Decisions, ev)
		case fp.ActionRequestPurge:
			src.Purges = append(src.Purges, fp.ReportItem{Number: number, Day: day, Detail: "purged"})
		default:
			note, _ := jsonField(v, "note")
			if ev, ok := fp.PrintEventOf(fp.AuditEntry{Action: act, Request: number, Note: note}); ok {
				ev.Request, ev.Day = id, day
				src.Prints = append(src.Prints, ev)
			}
		}
		return nil
	})
}

// jsonField reads the string value of key in an encoded JSON object
// without decoding the rest: the first "key":"…" in v. Inside a JSON string
// every quote is escaped, so the pattern can only be a key; the object's
// nested objects must not have a key of that name (an audit entry's
// changes have field, old and new; a queue row's nested counts none of
// the keys read here). ok is false when the key is not there or its value
// is not a well-formed string.
func jsonField(v []byte, key string) (string, bool) {
	pat := make([]byte, 0, len(key)+6)
	pat = append(append(append(pat, '"'), key...), `":"`...)
	i := bytes.Index(v, pat)
	if i < 0 {
		return "", false
	}
	start := i + len(pat)
	escaped := false
	for j := start; j < len(v); j++ {
		switch v[j] {
		case '\\':
			escaped = true
			j++ // the escaped character
		case '"':
			if !escaped {
				return string(v[start:j]), true
			}
			var out string
			if err := json.Unmarshal(v[start-1:j+1], &out); err != nil {
				return "", false
			}
			return out, true
		}
	}
	return "", false
}

// statusChange reads the status change of an encoded transition entry:
// its change {"field":"status","old":"…","new":"…"} (fp.Change's order).
func statusChange(v []byte) (from, to fp.Status, ok bool) {
	i := bytes.Index(v, []byte(`{"field":"status"`))
	if i < 0 {
		return "", "", false
	}
	ch := v[i:]
	if j := bytes.IndexByte(ch, '}'); j >= 0 {
		ch = ch[:j+1] // one change (statuses hold no braces)
	}
	was, _ := jsonField(ch, "old")
	is, ok := jsonField(ch, "new")
	return fp.Status(was), fp.Status(is), ok
}

// interner gives the same string for the same bytes: an index's few
// statuses and categories, read hundreds of thousands of times.
type interner map[string]string

func (in interner) of(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
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

// scanAudit calls fn with every entry that may have been written from from
// (inclusive) to to (exclusive), in the trail's order; at reads the entry's
// time (fn checks it: an entry near the ends may fall outside). The trail
// is in time order but for the steps back meta/audit-order measures (at
// most back), so the stretch lies between the entries bisection finds for
// from-back and for to+back: every entry before the first is before from,
// every entry from the second on is at or after to. A trail not yet
// measured is read whole.
func scanAudit(tx *tx, from, to time.Time, fn func(v []byte, at func() (time.Time, bool)) error) error {
	b := tx.Bucket(bAudit)
	k, _ := auditHead(tx)
	if k == nil {
		return nil
	}
	last := binary.BigEndian.Uint64(k)
	lo, hi := uint64(1), last+1
	if o, known := readAuditOrder(tx); known {
		var err error
		if lo, err = bisectAudit(b, from.Add(-o.back), last); err != nil {
			return err
		}
		if hi, err = bisectAudit(b, to.Add(o.back), last); err != nil {
			return err
		}
	}
	if lo >= hi {
		return nil
	}
	var ferr error
	err := tx.r.Scan(b.prefix, b.key(u64(lo)), false, func(k, v []byte) (bool, error) {
		if k = k[len(b.prefix):]; len(k) != 8 {
			return true, nil // not an entry's key
		}
		if binary.BigEndian.Uint64(k) >= hi {
			return false, nil
		}
		ferr = fn(v, func() (time.Time, bool) { return auditAt(v) })
		return ferr == nil, nil
	})
	if err != nil {
		return fp.Internal("the audit trail cannot be read", err)
	}
	return ferr
}

// bisectAudit finds, among the entries 1..last, one that follows an entry
// before t (or is the first) and is at or after t (or follows the last).
func bisectAudit(b *bucket, t time.Time, last uint64) (uint64, error) {
	lo, hi := uint64(1), last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		at, ok := auditAt(b.Get(u64(mid)))
		if !ok {
			return 0, fp.Internal("an audit entry cannot be read: run fieldprint audit verify", nil)
		}
		if at.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
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
			if err == errKeyGone {
				continue // purged
			}
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// dayOf is the date an index key begins with (zero for a damaged key,
// which the check names).
func dayOf(k []byte) fp.Date {
	d, _ := keyDate(k)
	return d
}
