package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

var _ fp.RequestService = (*Desk)(nil)

type entry struct {
	bucket     []byte
	key, value []byte
}

// indexEntries is the single definition of what r contributes to the indexes.
// Search-index values carry the row's order and filter keys (date, status,
// category) so a search can filter, sort and count without decoding records.
// The checklist count comes from the row's summary (sum), so removing a
// record's entries never depends on the day they are removed.
//
// In an office with its data key (sealed) the name, receipt and A-number
// entries are not in the store: they are the request's sealed identity
// (memindex.go).
//
// h is the office's identifier-hash key (nil: an office without its key).
func indexEntries(r *fp.Request, sum fp.RequestSummary, h *vault.Key) []entry {
	id, day := idKey(r.ID), dateKey(r.Received)
	st, ct := []byte(r.Status), []byte(r.Category)
	row := cat(day, st, sep, ct)
	es := []entry{
		{iReceived, cat(day, id), cat(st, sep, ct)},
		{iStatus, cat(st, sep, day, id), ct},
		{iCategory, cat(ct, sep, day, id), st},
	}
	if waitsForDecision(r.Status) && sum.Docs.Complete() {
		es = append(es, entry{iComplete, cat(day, id), cat(st, sep, ct)})
	}
	if len(r.Incomplete) > 0 {
		es = append(es, entry{iIncomplete, cat(day, id), cat(st, sep, ct)})
	}
	if h == nil {
		es = append(es, identEntries(r, row)...)
	} else {
		es = append(es, dupEntries(r, h)...)
	}
	return append(es, slotEntries(r)...)
}

// identEntries are the name, receipt and A-number entries of an office
// without its key (with it, they are the sealed identity: memindex.go).
func identEntries(r *fp.Request, row []byte) []entry {
	var es []entry
	id := idKey(r.ID)
	for _, rn := range r.ReceiptNumbers {
		es = append(es, entry{iReceipt, cat([]byte(rn), id), row})
	}
	if r.ANumber != "" {
		es = append(es, entry{iANumber, cat([]byte(r.ANumber), id), row})
	}
	for i, t := range fp.SearchTokens(r.Applicant.FullName) {
		if i == maxNameTokens {
			break
		}
		es = append(es, entry{iName, cat([]byte(t), sep, id), row})
	}
	return es
}

// maxNameTokens words of a name at most are indexed for search (a name of
// 150 characters could have 50): real names have far fewer, and the cap
// keeps a request's index entries, all rewritten when its status changes,
// within the storage contract's writes per transaction.
const maxNameTokens = 16

func getRequest(tx *tx, id fp.RequestID) (*fp.Request, error) {
	var body []byte
	if s, ok := tx.staged[id]; ok { // written in this transaction
		body = s.body
	} else {
		v := tx.Bucket(bRequests).Get(idKey(id))
		if v == nil {
			return nil, fp.Errorf(fp.ENOTFOUND, "request %d does not exist", id)
		}
		var err error
		if _, body, err = splitRecord(v); err != nil {
			return nil, fp.Internal(fmt.Sprintf("request %d cannot be read", id), err)
		}
	}
	plain, err := tx.Bucket(bRequests).opened(idKey(id), body)
	if err != nil {
		return nil, err
	}
	r := &fp.Request{}
	if err := json.Unmarshal(plain, r); err != nil {
		return nil, fp.Internal(fmt.Sprintf("request %d cannot be read", id), err)
	}
	return r, nil
}

// waitsForDecision: the statuses the "complete, waiting for decision" queue covers.
func waitsForDecision(s fp.Status) bool {
	return s == fp.StatusNew || s == fp.StatusAwaitingDocuments || s == fp.StatusDirectorReview
}

// putRequest writes r and its indexes as of day on, replacing old's index
// entries. Only what changed is written: an edit writes a few keys, and even
// a status change on the largest request stays within the storage
// contract's writes per transaction.
func putRequest(tx *tx, old, r *fp.Request, on fp.Date) error {
	stale := map[string]entry{} // old's index entries by bucket and key
	var oldSum []byte
	if old != nil {
		s, err := getSummary(tx, old.ID)
		if err != nil {
			return err
		}
		if oldSum, err = tx.Bucket(bSummaries).GetOpened(idKey(old.ID)); err != nil {
			return err
		}
		// Until every record is sealed, old may still have the entries
		// of an office without its key: both kinds go.
		var modes []*vault.Key
		switch {
		case !tx.rk.ok:
			modes = []*vault.Key{nil}
		case tx.Bucket(bMeta).Get(kSealed) != nil:
			modes = []*vault.Key{&tx.rk.h}
		default:
			modes = []*vault.Key{nil, &tx.rk.h}
		}
		for _, h := range modes {
			for _, e := range indexEntries(old, s, h) {
				stale[string(e.bucket)+"/"+string(e.key)] = e
			}
		}
	}
	if tx.rk.ok {
		if err := putIdentity(tx, old, r); err != nil {
			return err
		}
	}
	summary := r.Summary(on)
	var puts []entry
	for _, e := range indexEntries(r, summary, tx.rk.hashKey()) {
		k := string(e.bucket) + "/" + string(e.key)
		if o, ok := stale[k]; ok {
			delete(stale, k)
			if bytes.Equal(o.value, e.value) {
				continue // unchanged
			}
		}
		puts = append(puts, e)
	}
	for _, e := range stale {
		if err := idx(tx, e.bucket).Delete(e.key); err != nil {
			return err
		}
	}
	for _, e := range puts {
		if err := idx(tx, e.bucket).Put(e.key, e.value); err != nil {
			return err
		}
	}
	rec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sum, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	body, err := tx.Bucket(bRequests).sealValueFor(r.ID, idKey(r.ID), rec)
	if err != nil {
		return err
	}
	tx.stageRecord(r.ID, r.Number, body) // written by seal, with its entry's hash
	if old == nil || old.Status != r.Status || old.Category != r.Category {
		if old != nil {
			if err := addCount(tx, old.Status, old.Category, -1); err != nil {
				return err
			}
		}
		if err := addCount(tx, r.Status, r.Category, 1); err != nil {
			return err
		}
	}
	if !bytes.Equal(sum, oldSum) {
		if err := tx.Bucket(bSummaries).PutSealedFor(r.ID, idKey(r.ID), sum); err != nil {
			return err
		}
	}
	if old == nil || old.Number != r.Number {
		return tx.Bucket(bNumbers).Put([]byte(r.Number), idKey(r.ID))
	}
	return nil
}

func (db *Desk) today() fp.Date { return db.Today() }

// Today is the office's day now (in its time zone, not the workstation's).
func (db *Desk) Today() fp.Date { return fp.DateOf(db.Now().In(db.Location())) }

// Location is the office's time zone: every time a person reads is in it.
func (db *Desk) Location() *time.Location {
	if l := db.zone.Load(); l != nil {
		return l
	}
	return time.Local
}

// ReloadSettings reads again what the desk keeps of the office's settings
// (its time zone): after another desk changed them on the office server.
func (db *Desk) ReloadSettings() error { return db.loadZone() }

// loadZone reads the office's zone from the settings (after Open, and after
// every change of them).
func (db *Desk) loadZone() error {
	s, err := db.Scheduling()
	if err != nil {
		return err
	}
	db.zone.Store(s.Location())
	return nil
}

// FindRequestByID returns one request.
func (db *Desk) FindRequestByID(id fp.RequestID) (r *fp.Request, err error) {
	err = db.view(func(tx *tx) error { r, err = getRequest(tx, id); return err })
	return r, err
}

// FindRequestByNumber accepts the number as staff type it (FP-2026-00042, fp 2026 42).
func (db *Desk) FindRequestByNumber(number string) (r *fp.Request, err error) {
	n, err := fp.ParseNumber(number)
	if err != nil {
		return nil, err
	}
	err = db.view(func(tx *tx) error {
		v := tx.Bucket(bNumbers).Get([]byte(n))
		if v == nil {
			var t fp.Tombstone
			if b := tx.Bucket(bPurged).Get([]byte(n)); b != nil && json.Unmarshal(b, &t) == nil {
				return fp.Errorf(fp.ENOTFOUND, "%s was purged on %s (destruction report %d): only its number, category (%s), dates (received %s, closed %s) and outcome (%s) are kept",
					n, t.PurgedAt.In(db.Location()).Format("2006-01-02"), t.Run, t.Category, t.Received, t.Closed, t.Outcome)
			}
			return fp.Errorf(fp.ENOTFOUND, "there is no request %s", n)
		}
		r, err = getRequest(tx, fp.RequestID(binary.BigEndian.Uint64(v)))
		return err
	})
	return r, err
}

// CountRequests is how many requests the office holds. It adds up the
// counts kept by status and category (counts/, checked by Check): counting
// the records would read every one of them, the whole
// file's worth of pages (385 MB of the window's memory at 100,000).
func (db *Desk) CountRequests() (n int, err error) {
	err = db.view(func(tx *tx) error { n = countTx(tx, nil, nil); return nil })
	return n, err
}

// CountByStatus returns how many requests are in each status, from the
// counts kept by status and category.
func (db *Desk) CountByStatus() (map[fp.Status]int, error) {
	out := map[fp.Status]int{}
	err := db.view(func(tx *tx) error {
		for _, s := range fp.Statuses {
			if n := countTx(tx, []fp.Status{s}, nil); n > 0 {
				out[s] = n
			}
		}
		return nil
	})
	return out, err
}

func duplicatesTx(tx *tx, r *fp.Request) ([]fp.Duplicate, error) {
	var out []fp.Duplicate
	seen := map[fp.RequestID]bool{}
	check := func(bucket []byte, ident string) error {
		c := idx(tx, bucket).Cursor()
		p := []byte(ident)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			if len(k) != len(p)+8 {
				continue
			}
			id := fp.RequestID(binary.BigEndian.Uint64(k[len(p):]))
			if id == r.ID || seen[id] {
				continue
			}
			s, err := getSummary(tx, id)
			if err == errKeyGone {
				continue // purged: closed
			}
			if err != nil {
				return err
			}
			if s.Status.Open() {
				seen[id] = true
				out = append(out, fp.Duplicate{Identifier: ident, Other: s})
			}
		}
		return nil
	}
	// An office with its key: exact lookups of keyed hashes in idx/dup
	// (an office without, or records not sealed yet: the plain indexes).
	found := func(ident string, id fp.RequestID) error {
		if id == r.ID || seen[id] {
			return nil
		}
		s, err := getSummary(tx, id)
		if err == errKeyGone {
			return nil // purged: closed
		}
		if err != nil {
			return err
		}
		if s.Status.Open() {
			seen[id] = true
			out = append(out, fp.Duplicate{Identifier: ident, Other: s})
		}
		return nil
	}
	h := tx.rk.hashKey()
	if h == nil && tx.officeHasKeys() {
		return nil, ErrLocked
	}
	inStore := h == nil || tx.Bucket(bMeta).Get(kSealed) == nil
	hashed := func(kind byte, ident string) error {
		if h == nil {
			return nil
		}
		var ids []fp.RequestID
		eachBrief(idx(tx, iDup), dupHash(h, kind, ident), func(k, _ []byte) {
			if len(k) == 24 {
				ids = append(ids, keyID(k))
			}
		})
		for _, id := range ids {
			if err := found(ident, id); err != nil {
				return err
			}
		}
		return nil
	}
	for _, rn := range r.ReceiptNumbers {
		if inStore {
			if err := check(iReceipt, string(rn)); err != nil {
				return nil, err
			}
		}
		if err := hashed('r', string(rn)); err != nil {
			return nil, err
		}
	}
	if r.ANumber != "" {
		if inStore {
			if err := check(iANumber, string(r.ANumber)); err != nil {
				return nil, err
			}
		}
		if err := hashed('a', string(r.ANumber)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *Desk) FindDuplicates(r *fp.Request) (out []fp.Duplicate, err error) {
	err = db.view(func(tx *tx) error { out, err = duplicatesTx(tx, r); return err })
	return out, err
}

func duplicateError(ds []fp.Duplicate) error {
	msgs := make([]string, len(ds))
	for i, d := range ds {
		msgs[i] = d.String()
	}
	return fp.Errorf(fp.ECONFLICT, "possible duplicate: %s. Open that request instead, or confirm that this is a different application", strings.Join(msgs, "; "))
}

// createTx assigns id and number to r and writes it.
func (db *Desk) createTx(tx *tx, a fp.Actor, r *fp.Request, opt fp.SaveOptions) error {
	return db.recordTx(tx, a, r, opt, nil, nil)
}

// recordTx is createTx; an imported request (plan set) starts in the
// plan's status with its origin and a past collection, and its history
// says where it came from.
func (db *Desk) recordTx(tx *tx, a fp.Actor, r *fp.Request, opt fp.SaveOptions, plan *fp.ImportPlan, origin *fp.Origin) error {
	a, err := authorize(tx, a)
	if err != nil {
		return err
	}
	if err := fp.CheckEdit(a, nil); err != nil {
		return err
	}
	if err := normalize(r, db.today()); err != nil {
		return err
	}
	if !opt.AllowDuplicates {
		ds, err := duplicatesTx(tx, r)
		if err != nil {
			return err
		}
		if len(ds) > 0 {
			return duplicateError(ds)
		}
	}
	seq, err := tx.Bucket(bRequests).NextSequence()
	if err != nil {
		return err
	}
	year := strconv.Itoa(r.Received.Y)
	cb := tx.Bucket(bCounters)
	n := uint64(1)
	if v := cb.Get([]byte(year)); len(v) == 8 {
		n = binary.BigEndian.Uint64(v) + 1
	}
	if err := cb.Put([]byte(year), u64(n)); err != nil {
		return err
	}
	now := db.Now().UTC()
	r.ID, r.Number, r.Status, r.Version = fp.RequestID(seq), fp.FormatNumber(r.Received.Y, n), fp.StatusNew, 1
	r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy = now, a.Name, now, a.Name
	r.History = []fp.Transition{{At: now, By: a.Name, To: fp.StatusNew, Reason: "request recorded"}}
	changes := fp.Diff(nil, r)
	var notes []string
	if plan != nil {
		r.Origin, r.Status = origin, plan.Status
		why := "imported"
		if origin != nil {
			why = "imported from " + origin.String()
			if origin.Status != "" {
				why += fmt.Sprintf("; status in the tracker: %q", origin.Status)
			}
		}
		r.History[0].To, r.History[0].Reason = plan.Status, why
		notes = append(notes, why)
		if plan.Status != fp.StatusNew {
			changes = append(changes, fp.Change{Field: "status", New: string(plan.Status)})
		}
		if !plan.Collected.IsZero() {
			s, err := schedulingTx(tx)
			if err != nil {
				return err
			}
			r.ImportedCollection(s, plan.Collected, a.Name, now)
			changes = append(changes, fp.Change{Field: "collected", New: plan.Collected.String()})
		}
		if len(r.Incomplete) > 0 {
			notes = append(notes, "incomplete — from import: "+r.IncompleteText()+" missing")
		}
	}
	if err := putRequest(tx, nil, r, db.today()); err != nil {
		return err
	}
	if opt.AllowDuplicates {
		notes = append(notes, "saved although a receipt number or A-number is on another open request (confirmed)")
	}
	return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRequestCreate, Request: r.Number,
		Changes: changes, Note: strings.Join(notes, "; ")})
}

// normalize runs r's fields through the same Parse as the form and the import,
// so a caller that builds a Request by hand cannot store what they would refuse.
func normalize(r *fp.Request, today fp.Date) error {
	p, _, err := r.Input().Parse(today)
	if err != nil {
		return err
	}
	r.SetFields(p)
	return nil
}

func (db *Desk) CreateRequest(a fp.Actor, r *fp.Request, opt fp.SaveOptions) (*fp.Request, error) {
	c := *r
	c.Incomplete, c.Origin = nil, nil // only an import leaves fields to complete
	err := db.update(func(tx *tx) error { return db.createTx(tx, a, &c, opt) })
	if err != nil {
		return nil, wrap(err, "the request was not saved")
	}
	return &c, nil
}

// ImportRequests creates every request, all or none: ImportRows with rows
// that bring no history (the demo, the benchmarks).
func (db *Desk) ImportRequests(a fp.Actor, rs []*fp.Request, opt fp.SaveOptions) ([]*fp.Request, error) {
	rows := make([]fp.ImportRow, len(rs))
	for i, r := range rs {
		rows[i] = fp.ImportRow{Line: i + 1, Request: r}
	}
	return db.ImportRows(a, rows, fp.ImportOptions{SaveOptions: opt})
}

// importRowError says which row failed (its line in the file, or its
// place in the batch), keeping the domain code and message.
func importRowError(row fp.ImportRow, err error) error {
	var e *fp.Error
	if errors.As(err, &e) && e.Code != fp.EINTERNAL {
		c := *e
		if row.File != "" {
			c.Message = fmt.Sprintf("line %d: %s", row.Line, e.Message)
		} else {
			c.Message = fmt.Sprintf("request %d of the batch: %s", row.Line, e.Message)
		}
		return &c
	}
	return err
}

func (db *Desk) UpdateRequest(a fp.Actor, id fp.RequestID, version uint64, fields *fp.Request, opt fp.SaveOptions) (out *fp.Request, err error) {
	var release []string
	db.filesMu.Lock() // an edit may let go of files
	defer db.filesMu.Unlock()
	err = db.update(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		old, err := getRequest(tx, id)
		if err != nil {
			return err
		}
		if err := fp.CheckEdit(a, old); err != nil {
			return err
		}
		if old.Version != version {
			return db.changedMeanwhile(tx, old)
		}
		r := *old
		r.SetFields(fields)
		if err := normalize(&r, db.today()); err != nil {
			return err
		}
		if r.Received.Y != old.Received.Y {
			return fp.Errorf(fp.EINVALID, "the received date cannot move to another year: %s is numbered for %d", old.Number, old.Received.Y)
		}
		if !opt.AllowDuplicates {
			ds, err := duplicatesTx(tx, &r)
			if err != nil {
				return err
			}
			if len(ds) > 0 {
				return duplicateError(ds)
			}
		}
		changes := fp.Diff(old, &r)
		if len(changes) == 0 {
			out = old // nothing changed: no new version, no audit entry
			return nil
		}
		on := db.today()
		before := checkedItems(old)
		dropped := r.Reconcile(old, on)
		if release, err = releaseDropped(tx, dropped); err != nil {
			return err
		}
		note := ""
		if lost := before - checkedItems(&r); lost > 0 {
			note = fmt.Sprintf("%d checked %s to check again or removed with the edit", lost, plural(lost, "document", "documents"))
		}
		if len(old.Incomplete) > 0 && len(r.Incomplete) == 0 {
			note = strings.TrimPrefix(note+"; complete now: every field the import left empty is filled", "; ")
		}
		if freed := r.DropAppointments(on, "no longer fingerprinted on this request"); len(freed) > 0 {
			note = strings.TrimPrefix(note+fmt.Sprintf("; %d %s cancelled with the edit, the slots are free", len(freed), plural(len(freed), "appointment", "appointments")), "; ")
		}
		r.Version++
		r.UpdatedAt, r.UpdatedBy = db.Now().UTC(), a.Name
		out = &r
		if err := db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRequestEdit, Request: r.Number, Changes: changes, Note: note}); err != nil {
			return err
		}
		if err := db.followChecklist(tx, a, &r, on); err != nil {
			return err
		}
		if err := db.followSchedule(tx, a, &r, on); err != nil {
			return err
		}
		return putRequest(tx, old, &r, on)
	})
	if err != nil {
		return nil, wrap(err, "the changes were not saved")
	}
	db.removeScans(release)
	return out, nil
}

func (db *Desk) TransitionRequest(a fp.Actor, id fp.RequestID, to fp.Status, reason string) (out *fp.Request, err error) {
	err = db.update(func(tx *tx) (err error) {
		out, err = db.transitionTx(tx, a, id, to, reason)
		return err
	})
	if err != nil {
		return nil, wrap(err, "the status was not changed")
	}
	return out, nil
}

// transitionTx is TransitionRequest in tx.
func (db *Desk) transitionTx(tx *tx, a fp.Actor, id fp.RequestID, to fp.Status, reason string) (*fp.Request, error) {
	a, err := authorize(tx, a)
	if err != nil {
		return nil, err
	}
	old, err := getRequest(tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := fp.CheckTransition(a, old, to, reason, db.today()); err != nil {
		return nil, err
	}
	r := *old
	now := db.Now().UTC()
	r.History = append(append([]fp.Transition(nil), old.History...),
		fp.Transition{At: now, By: a.Name, From: old.Status, To: to, Reason: strings.TrimSpace(reason)})
	r.Status = to
	r.Version++
	r.UpdatedAt, r.UpdatedBy = now, a.Name
	note := strings.TrimSpace(reason)
	if freed := r.DropAppointments(db.today(), "request "+to.Label()); len(freed) > 0 {
		note += fmt.Sprintf(" (%d %s cancelled, the slots are free)", len(freed), plural(len(freed), "appointment", "appointments"))
	}
	if err := putRequest(tx, old, &r, db.today()); err != nil {
		return nil, err
	}
	return &r, db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRequestTransition, Request: r.Number,
		Changes: []fp.Change{{Field: "status", Old: string(old.Status), New: string(to)}}, Note: note})
}

// checkedItems counts r's verified and rejected documents.
func checkedItems(r *fp.Request) int {
	n := 0
	for _, d := range r.Documents {
		if d.State == fp.DocVerified || d.State == fp.DocRejected {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// wrap keeps domain errors as they are and hides storage failures behind a
// message that says nothing was written.

func getSummary(tx *tx, id fp.RequestID) (fp.RequestSummary, error) {
	return decodeSummary(tx, id, tx.Bucket(bSummaries).Get(idKey(id)))
}

// manyGetter is a backend that reads several keys in one round trip (an
// office server: etcdstore).
type manyGetter interface {
	GetMany(keys [][]byte) ([][]byte, error)
}

// decodeSummary opens request id's stored queue row v.
func decodeSummary(tx *tx, id fp.RequestID, stored []byte) (fp.RequestSummary, error) {
	var s fp.RequestSummary
	if stored == nil {
		return s, fp.Errorf(fp.ENOTFOUND, "request %d has no summary", id)
	}
	v, err := tx.Bucket(bSummaries).opened(idKey(id), stored)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fp.Internal("a queue row cannot be read", err)
	}
	return s, nil
}

// LoadRequests returns the full records matching f, in queue order.
func (db *Desk) LoadRequests(f fp.RequestFilter) ([]*fp.Request, error) {
	rows, _, err := db.FindRequests(f)
	if err != nil {
		return nil, err
	}
	out := make([]*fp.Request, 0, len(rows))
	err = db.view(func(tx *tx) error {
		for _, s := range rows {
			r, err := getRequest(tx, s.ID)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func sortSummaries(rows []fp.RequestSummary, newest bool) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Received != b.Received {
			return a.Received.Before(b.Received) != newest
		}
		return (a.ID < b.ID) != newest
	})
}

// changedMeanwhile is the refusal of an edit of r made from an older
// version: who changed it last, at which desk of an office server, and
// when (from its newest audit entry: the record's UpdatedBy is not set by
// every action).
func (db *Desk) changedMeanwhile(tx *tx, r *fp.Request) error {
	who, desk, at := r.UpdatedBy, "", r.UpdatedAt
	if e, ok := lastEntry(tx, r.Number); ok {
		who, desk, at = e.User, e.Desk, e.At
	}
	by := who
	if desk != "" {
		by += " at " + desk
	}
	return fp.Errorf(fp.ECONFLICT, "%s was changed by %s at %s after you opened it: reload it to see the changes, then edit again", r.Number, by, at.In(db.Location()).Format("15:04"))
}

// lastEntry is the newest audit entry about the request number (its
// details unopened).
func lastEntry(tx *tx, number string) (e fp.AuditEntry, ok bool) {
	b := idx(tx, iAudit)
	prefix := b.key(cat([]byte(number), sep))
	var seq []byte
	err := tx.r.Scan(prefix, nil, true, func(k, _ []byte) (bool, error) {
		if len(k) == len(prefix)+8 {
			seq = bytes.Clone(k[len(prefix):])
		}
		return false, nil
	})
	if err != nil || seq == nil {
		return e, false
	}
	v := tx.Bucket(bAudit).Get(seq)
	return e, v != nil && json.Unmarshal(v, &e) == nil
}
