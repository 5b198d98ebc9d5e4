package workflow

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// A request record is stored as recordMark, the 32 bytes of the hash of
// the audit entry that last changed it, then the record's body: its JSON.
// (The body is whatever encoding the workflow writes: the encryption of
// records at rest changes only the body, and the entry's Record digest
// covers the body as stored, so the chain verifies without the key.)
// A body without the mark (schema 7 and before) carries no entry.
const recordMark = 0x01

func recordValue(entryHash string, body []byte) ([]byte, error) {
	h, err := hex.DecodeString(entryHash)
	if err != nil || len(h) != 32 {
		return nil, fmt.Errorf("entry hash %q is not a SHA-256", entryHash)
	}
	return append(append([]byte{recordMark}, h...), body...), nil
}

// splitRecord returns the entry hash a stored record carries ("" for none)
// and its body.
func splitRecord(v []byte) (entryHash string, body []byte, err error) {
	if len(v) == 0 || v[0] != recordMark {
		return "", v, nil
	}
	if len(v) < 33 {
		return "", nil, fmt.Errorf("a record of %d bytes", len(v))
	}
	return hex.EncodeToString(v[1:33]), v[33:], nil
}

// staged is a request record written in this transaction, kept until seal
// writes it with its newest entry's hash.
type staged struct {
	number string
	body   []byte
}

// stageRecord keeps r's body for seal (getRequest reads it from there).
func (t *tx) stageRecord(id fp.RequestID, number string, body []byte) {
	if t.staged == nil {
		t.staged = map[fp.RequestID]staged{}
	}
	if _, ok := t.staged[id]; !ok {
		t.order = append(t.order, id)
	}
	t.staged[id] = staged{number, body}
}

// seal writes the transaction's audit entries and request records, tied
// to each other: every entry about a request records the digest of that
// request's record as this transaction leaves it, and every record written
// carries the hash of its request's newest entry. A record written without
// an entry about it is refused: every change of a request is audited.
// An entry about a request this transaction did not rewrite (a print, an
// e-mail kept) rewrites its record with the new entry's hash.
func (t *tx) seal() error {
	if len(t.pending) == 0 && len(t.staged) == 0 {
		return nil
	}
	type rec struct {
		id   fp.RequestID
		body []byte
	}
	recs := map[string]rec{} // by number: the records the entries name
	for _, id := range t.order {
		s := t.staged[id]
		recs[s.number] = rec{id, s.body}
	}
	for _, e := range t.pending {
		if e.Request == "" || e.Action == fp.ActionRequestPurge {
			continue // a purge ends the request's record
		}
		if _, ok := recs[e.Request]; ok {
			continue
		}
		k := t.Bucket(bNumbers).Get([]byte(e.Request))
		if len(k) != 8 {
			return fp.Internal("an audit entry names a request that has no record", fmt.Errorf("entry about %s", e.Request))
		}
		_, body, err := splitRecord(t.Bucket(bRequests).Get(k))
		if err != nil || body == nil {
			return fp.Internal("a request record cannot be read", fmt.Errorf("record %d: %v", binary.BigEndian.Uint64(k), err))
		}
		recs[e.Request] = rec{fp.RequestID(binary.BigEndian.Uint64(k)), body}
	}
	b := t.Bucket(bAudit)
	seq, prev := uint64(0), fp.GenesisHash
	var prevAt time.Time // the time of the entry before, for meta/audit-order
	if k, v := auditHead(t); k != nil {
		var last struct { // of fp.AuditEntry, what the next entry needs
			At   time.Time `json:"at"`
			Hash string    `json:"hash"`
		}
		if err := json.Unmarshal(v, &last); err != nil || len(k) != 8 {
			return fmt.Errorf("audit head unreadable: %v", err)
		}
		seq, prev, prevAt = binary.BigEndian.Uint64(k), last.Hash, last.At
	}
	newest := map[string]string{}
	var named []string // in order of first entry
	for _, e := range t.pending {
		seq++
		e.Seq, e.PrevHash = seq, prev
		if seq > 1 {
			if err := noteAuditOrder(t, prevAt, e.At); err != nil {
				return err
			}
		}
		prevAt = e.At
		if e.Request != "" && e.Action != fp.ActionRequestPurge {
			e.Record = fp.RecordDigest(recs[e.Request].body)
		}
		if err := t.sealDetails(&e, recs[e.Request].id); err != nil {
			return err
		}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		v, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if e.Request != "" && e.Action != fp.ActionRequestPurge {
			if _, ok := newest[e.Request]; !ok {
				named = append(named, e.Request)
			}
			newest[e.Request] = e.Hash
		}
		if e.Request != "" {
			if err := idx(t, iAudit).Put(cat([]byte(e.Request), sep, u64(e.Seq)), []byte{}); err != nil {
				return err
			}
		}
		if err := b.Put(u64(e.Seq), v); err != nil {
			return err
		}
	}
	for _, id := range t.order {
		if _, ok := newest[t.staged[id].number]; !ok {
			return fp.Internal("a request was written without an audit entry", fmt.Errorf("request %d", id))
		}
	}
	for _, number := range named {
		r := recs[number]
		v, err := recordValue(newest[number], r.body)
		if err != nil {
			return err
		}
		if err := t.Bucket(bRequests).Put(idKey(r.id), v); err != nil {
			return err
		}
	}
	if len(t.pending) > 0 {
		t.head = seq
	}
	t.pending, t.staged, t.order = nil, nil, nil
	return nil
}
