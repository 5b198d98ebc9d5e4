package workflow

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/vault"
)

// A purge destroys the applicant data of closed requests whose retention
// has passed (fp.PurgeDue), or of closed requests two people (a director
// and an administrator) choose, by crypto-shredding: each request's key
// (reqkeys.go) is erased from the key store, which is rewritten whole, so
// its record, queue row, identity, stamps, e-mail records, audit details
// and scans can never be opened again, wherever a copy lingers (the
// database's free pages, a backup). What is deleted besides is deleted
// for tidiness, not for secrecy. A tombstone without personal data stays
// (purged/), so the number, category, dates and outcome still count, and
// the audit chain still verifies (a purge entry ends a request's record).
//
// In order, each step safe to repeat after a crash:
//  1. per request, one transaction: the tombstone, the purge entry, the
//     record and everything about it deleted, its key id (and its scans'
//     key ids) added to meta/purge-pending;
//  2. the key store rewritten without the pending ids, then
//     meta/purge-pending cleared (a run stopped before this finishes at
//     the next run: FinishPurge);
//  3. the scans deleted;
//  4. every backup in the backup folder rewritten without those keys;
//  5. the destruction report (purges/) and its audit entry.

var (
	bPurged  = []byte("purged")
	bPurges  = []byte("purges")
	kPending = []byte("purge-pending")
	kPurgeOn = []byte("purge-day") // the day the automatic purge last ran
	kRetain  = []byte("retention")
)

// PurgeOptions says what a purge run destroys.
type PurgeOptions struct {
	// Requests, by hand: these closed requests, even before their
	// retention has passed (not on hold). Empty: every request due.
	Requests []fp.RequestID
	// DryRun lists what would be purged and changes nothing.
	DryRun bool
	// Progress is told how many requests are done of how many.
	Progress func(done, total int)
}

// PurgeReport is the destruction report of one purge run: no personal data.
type PurgeReport struct {
	Run       uint64         `json:"run"`
	At        time.Time      `json:"at"`
	Automatic bool           `json:"automatic"`
	By        []string       `json:"by"`
	DryRun    bool           `json:"dry_run,omitempty"`
	Purged    []fp.Tombstone `json:"purged"`
	Held      []string       `json:"held,omitempty"` // due, but on legal hold
	Keys      int            `json:"keys"`           // keys shredded
	Files     int            `json:"files"`          // scans deleted
	Backups   []BackupShred  `json:"backups,omitempty"`
}

// BackupShred is what a purge did to one backup in the backup folder.
type BackupShred struct {
	File string `json:"file"`
	Keys int    `json:"keys"`            // keys of purged requests taken out of it
	Err  string `json:"error,omitempty"` // why it could not be rewritten
}

// Text is the report as people read it (and the CLI prints it).
func (p PurgeReport) Text(loc *time.Location) string {
	var b strings.Builder
	how := "by hand, confirmed by " + strings.Join(p.By, " and ")
	if p.Automatic {
		how = "automatic (the daily purge of the retention schedule)"
	}
	title := "Destruction report"
	if p.DryRun {
		title = "Purge preview (nothing was destroyed)"
	} else {
		title += fmt.Sprintf(" no. %d", p.Run)
	}
	fmt.Fprintf(&b, "%s\n%s, %s\n\n", title, p.At.In(loc).Format("2006-01-02 15:04"), how)
	if len(p.Purged) == 0 {
		b.WriteString("No request's data was due for destruction.\n")
	} else {
		fmt.Fprintf(&b, "%d %s destroyed (only these facts are kept):\n", len(p.Purged), plural(len(p.Purged), "request's data", "requests' data"))
		fmt.Fprintf(&b, "  %-14s %-18s %-10s %-10s %s\n", "Number", "Category", "Received", "Closed", "Outcome")
		for _, t := range p.Purged {
			fmt.Fprintf(&b, "  %-14s %-18s %-10s %-10s %s\n", t.Number, t.Category, t.Received, t.Closed, t.Outcome)
		}
	}
	if len(p.Held) > 0 {
		fmt.Fprintf(&b, "\nKept on legal hold although due: %s\n", strings.Join(p.Held, ", "))
	}
	if !p.DryRun {
		fmt.Fprintf(&b, "\n%d %s shredded, %d %s deleted.\n", p.Keys, plural(p.Keys, "key", "keys"), p.Files, plural(p.Files, "scan", "scans"))
		for _, s := range p.Backups {
			if s.Err != "" {
				fmt.Fprintf(&b, "Backup %s NOT rewritten: %s\n", s.File, s.Err)
			} else {
				fmt.Fprintf(&b, "Backup %s rewritten: %d %s taken out.\n", s.File, s.Keys, plural(s.Keys, "key", "keys"))
			}
		}
		b.WriteString("\nCopies of backups kept elsewhere (moved or copied out of the backup folder) still hold the purged\nrequests' keys: destroy them, or keep them only as long as the retention schedule allows.\n")
	}
	return b.String()
}

// Retention is the office's retention schedule.
func (db *Desk) Retention() (r fp.Retention, err error) {
	err = db.view(func(tx *tx) error { r, err = retentionTx(tx); return err })
	return r, err
}

func retentionTx(tx *tx) (fp.Retention, error) {
	var r fp.Retention
	if v := tx.Bucket(bSettings).Get(kRetain); v != nil {
		if err := json.Unmarshal(v, &r); err != nil {
			return r, fp.Internal("the retention schedule cannot be read", err)
		}
	}
	return r, nil
}

// SetRetention sets how long closed requests are kept (administrators;
// audited).
func (db *Desk) SetRetention(a fp.Actor, r fp.Retention) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := db.update(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if err := fp.CheckRetention(a); err != nil {
			return err
		}
		old, err := retentionTx(tx)
		if err != nil || old == r {
			return err
		}
		v, _ := json.Marshal(r)
		if err := tx.Bucket(bSettings).Put(kRetain, v); err != nil {
			return err
		}
		var changes []fp.Change
		for _, c := range []struct {
			f        string
			old, new int
		}{{"completed", old.Completed, r.Completed}, {"denied", old.Denied, r.Denied}, {"withdrawn", old.Withdrawn, r.Withdrawn}} {
			if c.old != c.new {
				changes = append(changes, fp.Change{Field: c.f + " (months)", Old: fmt.Sprint(c.old), New: fmt.Sprint(c.new)})
			}
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRetention, Subject: "office", Changes: changes})
	})
	return wrap(err, "the retention schedule was not saved")
}

// SetHold puts request id on legal hold (on) or releases it, with a reason
// (directors and administrators; audited).
func (db *Desk) SetHold(a fp.Actor, id fp.RequestID, on bool, reason string) (*fp.Request, error) {
	reason = strings.TrimSpace(reason)
	check := func(a fp.Actor, r *fp.Request) error {
		if err := fp.CheckHold(a, reason); err != nil {
			return err
		}
		if on == (r.Hold != nil) {
			if on {
				return fp.Errorf(fp.ECONFLICT, "%s is on legal hold already (%s)", r.Number, r.Hold.Reason)
			}
			return fp.Errorf(fp.ECONFLICT, "%s is not on legal hold", r.Number)
		}
		return nil
	}
	failed := "the legal hold was not changed"
	return db.changeRequest(a, id, failed, check, func(tx *tx, a fp.Actor, r *fp.Request, on2 fp.Date) (fp.AuditEntry, error) {
		if on {
			r.Hold = &fp.LegalHold{Reason: reason, By: a.Name, At: db.Now().UTC()}
			return fp.AuditEntry{Action: fp.ActionHoldOn, Changes: []fp.Change{{Field: "legal hold", New: "on"}}, Note: reason}, nil
		}
		r.Hold = nil
		return fp.AuditEntry{Action: fp.ActionHoldOff, Changes: []fp.Change{{Field: "legal hold", Old: "on"}}, Note: reason}, nil
	})
}

// Tombstone is what is kept of the purged request numbered number.
func (db *Desk) Tombstone(number string) (t fp.Tombstone, ok bool, err error) {
	err = db.view(func(tx *tx) error {
		v := tx.Bucket(bPurged).Get([]byte(number))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &t)
	})
	return t, ok, err
}

// DestructionReports are the destruction reports, newest first.
func (db *Desk) DestructionReports(a fp.Actor) (out []PurgeReport, err error) {
	err = db.view(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if a.Role != fp.RoleAdmin && a.Role != fp.RoleDirector {
			return fp.Errorf(fp.EFORBIDDEN, "only a director or an administrator reads the destruction reports")
		}
		return tx.Bucket(bPurges).ForEach(func(k, v []byte) error {
			var p PurgeReport
			if err := json.Unmarshal(v, &p); err != nil {
				return fp.Internal("a destruction report cannot be read", err)
			}
			out = append(out, p)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Run > out[j].Run })
	return out, err
}

// PurgeDueNow is the automatic daily purge (the window runs it once a day
// for whoever is signed in: the schedule is the administrator's decision);
// ran false when it had run today already or there is no schedule.
func (db *Desk) PurgeDueNow(a fp.Actor) (rep PurgeReport, ran bool, err error) {
	today := db.Today()
	var skip bool
	err = db.view(func(tx *tx) error {
		if a, err = authorize(tx, a); err != nil {
			return err
		}
		r, err := retentionTx(tx)
		// An office without its data key yet has nothing sealed to shred:
		// its first administrator's sign-in makes the key.
		skip = err != nil || !keysSetUp(tx) || !r.Set() && tx.Bucket(bMeta).Get(kPending) == nil ||
			bytes.Equal(tx.Bucket(bMeta).Get(kPurgeOn), []byte(today.String()))
		return err
	})
	if err != nil || skip {
		return rep, false, err
	}
	rep, err = db.purge([]fp.Actor{a}, true, PurgeOptions{})
	if err == nil {
		err = db.update(func(tx *tx) error { return tx.Bucket(bMeta).Put(kPurgeOn, []byte(today.String())) })
	}
	return rep, err == nil, err
}

// PurgeByHand runs a purge confirmed by two people: first (signed in) and
// second, who confirms with their password on the same desk; one is a
// director, the other an administrator (ConfirmPurge, then PurgeConfirmed).
func (db *Desk) PurgeByHand(first fp.Actor, second, password string, opt PurgeOptions) (PurgeReport, error) {
	c, err := db.ConfirmPurge(first, second, password)
	if err != nil {
		return PurgeReport{}, err
	}
	return db.PurgeConfirmed(first, c, opt)
}

// PurgeConfirmation is the second person's confirmation of a purge by
// hand: good once, on this desk, for a few minutes.
type PurgeConfirmation struct{ token string }

// confirmations are the purge confirmations not used yet.
type confirmations struct {
	mu sync.Mutex
	m  map[string]confirmation
}

type confirmation struct {
	first, second fp.Actor
	until         time.Time
}

// confirmFor is how long a confirmation stays good.
const confirmFor = 5 * time.Minute

// ConfirmPurge checks that first and second are a director and an
// administrator and that second's password is right (a sign-in, audited
// and counted against the lockout like any other).
func (db *Desk) ConfirmPurge(first fp.Actor, second, password string) (PurgeConfirmation, error) {
	var a fp.Actor
	err := db.view(func(tx *tx) (err error) { a, err = authorize(tx, first); return err })
	if err != nil {
		return PurgeConfirmation{}, err
	}
	// The two roles are checked before the second password is: a refused
	// purge writes no sign-in.
	n, _ := fp.NormalizeUserName(second)
	var b0 fp.Actor
	err = db.view(func(tx *tx) error {
		u, err := getUser(tx, n)
		if err != nil {
			return fp.Errorf(fp.EFORBIDDEN, "the second person's confirmation failed: the user name or password is wrong")
		}
		b0 = u.Actor()
		return nil
	})
	if err != nil {
		return PurgeConfirmation{}, err
	}
	if err := fp.CheckPurgeBy(a, b0); err != nil {
		return PurgeConfirmation{}, err
	}
	b, err := db.Authenticate(second, password)
	if err != nil {
		return PurgeConfirmation{}, fp.Errorf(fp.EFORBIDDEN, "the second person's confirmation failed: %s", fp.ErrorMessage(err))
	}
	if err := fp.CheckPurgeBy(a, b); err != nil {
		return PurgeConfirmation{}, err
	}
	var raw [16]byte
	rand.Read(raw[:])
	t := hex.EncodeToString(raw[:])
	db.confirms.mu.Lock()
	defer db.confirms.mu.Unlock()
	if db.confirms.m == nil {
		db.confirms.m = map[string]confirmation{}
	}
	db.confirms.m[t] = confirmation{a, b, db.Now().Add(confirmFor)}
	return PurgeConfirmation{t}, nil
}

// PurgeConfirmed runs the purge by hand c confirms (once).
func (db *Desk) PurgeConfirmed(first fp.Actor, c PurgeConfirmation, opt PurgeOptions) (PurgeReport, error) {
	db.confirms.mu.Lock()
	k, ok := db.confirms.m[c.token]
	delete(db.confirms.m, c.token)
	db.confirms.mu.Unlock()
	if !ok || k.first.Name != first.Name || db.Now().After(k.until) {
		return PurgeReport{}, fp.Errorf(fp.EFORBIDDEN, "the second person's confirmation is not valid (used already, or older than %d minutes): confirm again", int(confirmFor.Minutes()))
	}
	return db.purge([]fp.Actor{k.first, k.second}, false, opt)
}

// DueForDestruction lists what a purge would destroy now (and what a legal
// hold keeps), destroying nothing: directors and administrators.
func (db *Desk) DueForDestruction(a fp.Actor) (PurgeReport, error) {
	err := db.view(func(tx *tx) (err error) {
		if a, err = authorize(tx, a); err != nil {
			return err
		}
		if a.Role != fp.RoleDirector && a.Role != fp.RoleAdmin {
			return fp.Errorf(fp.EFORBIDDEN, "only a director or an administrator sees what is due for destruction")
		}
		return nil
	})
	if err != nil {
		return PurgeReport{}, err
	}
	return db.purge([]fp.Actor{a}, false, PurgeOptions{DryRun: true})
}

// candidate is a request a purge looks at.
type candidate struct {
	id     fp.RequestID
	tomb   fp.Tombstone
	orphan bool     // its key went with an earlier purge (a backup restored since)
	mail   [][]byte // the keys of the e-mails taken into it (mail/)
}

// purge runs one purge: by, automatic says how it was decided.
func (db *Desk) purge(by []fp.Actor, automatic bool, opt PurgeOptions) (PurgeReport, error) {
	if _, err := db.keyStore(); err != nil {
		return PurgeReport{}, err
	}
	rep := PurgeReport{At: db.Now().UTC(), Automatic: automatic, DryRun: opt.DryRun}
	for _, a := range by {
		rep.By = append(rep.By, a.Name)
	}
	if !opt.DryRun {
		if err := db.FinishPurge(); err != nil {
			return rep, err
		}
	}
	var todo []candidate
	err := db.view(func(tx *tx) error {
		ret, err := retentionTx(tx)
		if err != nil {
			return err
		}
		today, loc := db.Today(), db.Location()
		consider := func(id fp.RequestID) error {
			r, err := getRequest(tx, id)
			if err == errKeyGone {
				// Its key went with an earlier purge (a backup from before
				// it was restored): it is finished now, from its index entry.
				t, ok := orphanTombstone(tx, id)
				if ok {
					todo = append(todo, candidate{id: id, tomb: t, orphan: true})
				}
				return nil
			}
			if err != nil {
				return err
			}
			if len(opt.Requests) > 0 {
				if err := fp.CheckPurgeEarly(r); err != nil {
					return err
				}
			} else if due, _ := fp.PurgeDue(r, ret, today, loc); !due {
				if r.Hold != nil {
					r.Hold = nil
					if due, _ := fp.PurgeDue(r, ret, today, loc); due {
						rep.Held = append(rep.Held, r.Number)
					}
				}
				return nil
			}
			closed, _ := r.ClosedOn(loc)
			todo = append(todo, candidate{id: id, tomb: fp.Tombstone{Number: r.Number, Category: r.Category, Received: r.Received, Closed: closed, Outcome: r.Status}})
			return nil
		}
		if len(opt.Requests) > 0 {
			for _, id := range opt.Requests {
				if err := consider(id); err != nil {
					return err
				}
			}
			mailOf(tx, todo)
			return nil
		}
		defer func() { mailOf(tx, todo) }()
		for _, s := range []fp.Status{fp.StatusCompleted, fp.StatusDenied, fp.StatusWithdrawn} {
			p := cat([]byte(s), sep)
			var ids []fp.RequestID
			eachBrief(idx(tx, iStatus), p, func(k, _ []byte) {
				if len(k) >= len(p)+8 {
					ids = append(ids, fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:])))
				}
			})
			for _, id := range ids {
				if err := consider(id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return rep, wrap(err, "nothing was purged")
	}
	if opt.DryRun {
		for _, c := range todo {
			rep.Purged = append(rep.Purged, c.tomb)
		}
		return rep, nil
	}
	how := "automatic"
	if !automatic {
		how = "by hand, confirmed by " + strings.Join(rep.By, " and ")
	}
	actor := "fieldprint"
	if !automatic {
		actor = by[0].Name
	}
	if len(todo) == 0 {
		err := db.update(func(tx *tx) error {
			return db.appendAudit(tx, fp.AuditEntry{User: actor, Action: fp.ActionPurgeRun, Subject: "office",
				Note: fmt.Sprintf("purge (%s): nothing was due", how)})
		})
		return rep, err
	}
	// The run's number: reserved now, so every tombstone names its report.
	err = db.update(func(tx *tx) error {
		seq, err := tx.Bucket(bPurges).NextSequence()
		rep.Run = seq
		return err
	})
	if err != nil {
		return rep, wrap(err, "nothing was purged")
	}
	var release []string
	orphans := map[fp.RequestID]bool{}
	for i, c := range todo {
		c.tomb.PurgedAt, c.tomb.Run = rep.At, rep.Run
		var rel []string
		err := db.update(func(tx *tx) error {
			var err error
			rel, err = db.purgeOne(tx, actor, rep.Run, c)
			return err
		})
		if err != nil {
			return rep, wrap(err, fmt.Sprintf("the purge stopped after %d of %d requests (run it again to finish)", i, len(todo)))
		}
		release = append(release, rel...)
		if c.orphan {
			orphans[c.id] = true
		}
		rep.Purged = append(rep.Purged, c.tomb)
		if opt.Progress != nil {
			opt.Progress(i+1, len(todo))
		}
	}
	if len(orphans) > 0 {
		var rel []string
		err := db.update(func(tx *tx) error {
			var err error
			rel, err = db.sweepOrphans(tx, orphans)
			return err
		})
		if err != nil {
			return rep, wrap(err, "the purge of requests restored from a backup was not finished (run it again)")
		}
		release = append(release, rel...)
	}
	keys, backups, err := db.shredPending()
	if err != nil {
		return rep, err
	}
	rep.Keys, rep.Backups = keys, backups
	for _, s := range release {
		db.removeFile(s)
		rep.Files++
	}
	err = db.update(func(tx *tx) error {
		v, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bPurges).Put(u64(rep.Run), v); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: actor, Action: fp.ActionPurgeRun, Subject: "office",
			Note: fmt.Sprintf("destruction report %d (%s): %d %s purged, %d keys shredded, %d scans deleted, %d backups rewritten",
				rep.Run, how, len(rep.Purged), plural(len(rep.Purged), "request", "requests"), rep.Keys, rep.Files, rewritten(rep.Backups))})
	})
	return rep, wrap(err, "the purge was done but its report was not saved")
}

func rewritten(bs []BackupShred) (n int) {
	for _, b := range bs {
		if b.Err == "" {
			n++
		}
	}
	return n
}

// orphanTombstone is the tombstone of a request whose key is gone, from
// its clear index entry (received/: date id -> status 0x00 category).
func orphanTombstone(tx *tx, id fp.RequestID) (fp.Tombstone, bool) {
	var t fp.Tombstone
	var found bool
	eachBrief(idx(tx, iReceived), nil, func(k, v []byte) {
		if found || len(k) != 16 || fp.RequestID(binary.BigEndian.Uint64(k[8:])) != id {
			return
		}
		st, ct, ok := bytes.Cut(v, sep)
		if !ok {
			return
		}
		d, err := fp.ParseDate(fmt.Sprintf("%s-%s-%s", k[0:4], k[4:6], k[6:8]))
		if err != nil {
			return
		}
		t = fp.Tombstone{Category: fp.Category(ct), Outcome: fp.Status(st), Received: d}
		found = true
	})
	if !found {
		return t, false
	}
	tx.Bucket(bNumbers).ForEach(func(k, v []byte) error {
		if len(v) == 8 && fp.RequestID(binary.BigEndian.Uint64(v)) == id {
			t.Number = string(k)
		}
		return nil
	})
	return t, t.Number != ""
}

// purgeOne destroys one request in tx: returns the scans nothing holds any more.
func (db *Desk) purgeOne(tx *tx, actor string, run uint64, c candidate) ([]string, error) {
	var pending []uint64
	if v := tx.Bucket(bMeta).Get(kPending); v != nil {
		if err := json.Unmarshal(v, &pending); err != nil {
			return nil, fp.Internal("the purge's list of keys to shred cannot be read", err)
		}
	}
	id := c.id
	kid, hasKey := requestKeyID(tx, id)
	r, err := getRequest(tx, id)
	gone := err == errKeyGone
	if err != nil && !gone {
		return nil, err
	}
	var release []string
	if !gone {
		if r.Status.Open() || r.Hold != nil {
			return nil, fp.Errorf(fp.ECONFLICT, "%s changed meanwhile (reopened, or put on legal hold): it was not purged", r.Number)
		}
		sum, err := getSummary(tx, id)
		if err != nil {
			return nil, err
		}
		var stale []entry
		for _, h := range []*vault.Key{nil, &tx.rk.h} {
			stale = append(stale, indexEntries(r, sum, h)...)
		}
		for _, e := range stale {
			if err := idx(tx, e.bucket).Delete(e.key); err != nil {
				return nil, err
			}
		}
		if err := addCount(tx, r.Status, r.Category, -1); err != nil {
			return nil, err
		}
		for _, ap := range r.Appointments {
			if ap.Stamp != "" {
				if err := tx.Bucket(bStamps).Delete([]byte(ap.Stamp)); err != nil {
					return nil, err
				}
			}
		}
		var sums []string
		for _, d := range r.Documents {
			if d.File != nil {
				sums = append(sums, d.File.SHA256)
			}
		}
		for _, k := range c.mail {
			m, err := getMail(tx, string(k))
			if err != nil || m == nil || m.Request != r.Number {
				continue // gone or changed meanwhile
			}
			sums = append(sums, m.SHA256)
			if err := tx.Bucket(bMail).Delete(k); err != nil {
				return nil, err
			}
		}
		for _, s := range sums {
			unused, err := refFile(tx, s, -1, nil)
			if err != nil {
				return nil, err
			}
			if unused {
				release = append(release, s)
				if data, err := db.files.Read(s); err == nil {
					if fk, ok := fileKeyID(data); ok {
						pending = append(pending, fk)
					}
				}
			}
		}
	} else {
		if err := addCount(tx, c.tomb.Outcome, c.tomb.Category, -1); err != nil {
			return nil, err
		}
		day := dateKey(c.tomb.Received)
		for _, e := range []entry{
			{iReceived, cat(day, idKey(id)), nil},
			{iStatus, cat([]byte(c.tomb.Outcome), sep, day, idKey(id)), nil},
			{iCategory, cat([]byte(c.tomb.Category), sep, day, idKey(id)), nil},
		} {
			if err := idx(tx, e.bucket).Delete(e.key); err != nil {
				return nil, err
			}
		}
	}
	for _, b := range [][]byte{bRequests, bSummaries, bKeyIDs} {
		if err := tx.Bucket(b).Delete(idKey(id)); err != nil {
			return nil, err
		}
	}
	if err := idx(tx, iIdent).Delete(idKey(id)); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bNumbers).Delete([]byte(c.tomb.Number)); err != nil {
		return nil, err
	}
	if hasKey {
		pending = append(pending, kid)
	}
	v, err := json.Marshal(pending)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bMeta).Put(kPending, v); err != nil {
		return nil, err
	}
	t, err := json.Marshal(c.tomb)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bPurged).Put([]byte(c.tomb.Number), t); err != nil {
		return nil, err
	}
	if tx.mem == nil {
		tx.mem = map[fp.RequestID]memChange{}
	}
	tx.mem[id] = memChange{gone: true}
	note := fmt.Sprintf("applicant data destroyed (destruction report %d); kept: number, category, dates, outcome", run)
	if gone {
		note = fmt.Sprintf("finished (destruction report %d): its key went with an earlier purge; kept: number, category, dates, outcome", run)
	}
	return release, db.appendAudit(tx, fp.AuditEntry{User: actor, Action: fp.ActionRequestPurge, Request: c.tomb.Number,
		Changes: []fp.Change{{Field: "category", Old: string(c.tomb.Category)}, {Field: "received", Old: c.tomb.Received.String()},
			{Field: "closed", Old: c.tomb.Closed.String()}, {Field: "outcome", Old: string(c.tomb.Outcome)}},
		Note: note})
}

// shredPending rewrites the key store without the keys purges listed,
// then every backup in the backup folder and the key store of every
// office a restore set aside, then clears the list (kept until all that
// is done: a crash in between is finished by the next run). It returns
// how many keys the store held and what was done to each backup.
func (db *Desk) shredPending() (int, []BackupShred, error) {
	var pending []uint64
	err := db.view(func(tx *tx) error {
		if v := tx.Bucket(bMeta).Get(kPending); v != nil {
			return json.Unmarshal(v, &pending)
		}
		return nil
	})
	if err != nil || len(pending) == 0 {
		return 0, nil, err
	}
	ks, err := db.keyStore()
	if err != nil {
		return 0, nil, err
	}
	n := 0
	for _, id := range pending {
		if _, ok, _ := ks.get(id); ok {
			n++
		}
	}
	if err := ks.shred(pending); err != nil {
		return 0, nil, err
	}
	drop := map[uint64]bool{}
	for _, id := range pending {
		drop[id] = true
	}
	backups := db.shredBackups(drop)
	db.shredSetAside(drop)
	return n, backups, db.update(func(tx *tx) error { return tx.Bucket(bMeta).Delete(kPending) })
}

// FinishPurge completes a purge a crash stopped between its transactions
// and the rewrites of the key store and the backups (run at every purge).
func (db *Desk) FinishPurge() error {
	_, _, err := db.shredPending()
	return err
}

// shredBackups rewrites every backup in the backup folder without the
// keys in drop (only those: a backup newer than an office restored from an
// older one holds keys the office does not, and they stay).
func (db *Desk) shredBackups(drop map[uint64]bool) []BackupShred {
	c, err := db.BackupConfig()
	if err != nil || c.Folder == "" {
		return nil
	}
	list, err := backup.List(c.Folder)
	if err != nil {
		return []BackupShred{{File: c.Folder, Err: fp.ErrorMessage(err)}}
	}
	office, err := db.officeKeyCopy()
	if err != nil {
		return nil
	}
	defer office.Wipe()
	var out []BackupShred
	for _, f := range list {
		n, err := rewriteBackup(f.Path, &office, func(id uint64) bool { return !drop[id] })
		s := BackupShred{File: filepath.Base(f.Path), Keys: n}
		if err != nil {
			s.Err = fp.ErrorMessage(err)
		}
		out = append(out, s)
	}
	return out
}

// shredSetAside rewrites, without the keys in drop, the key stores of the
// offices a restore set aside beside the database (SetAsideKeyStores).
func (db *Desk) shredSetAside(drop map[uint64]bool) {
	if db.SetAsideKeyStores == nil {
		return
	}
	office, err := db.officeKeyCopy()
	if err != nil {
		return
	}
	defer office.Wipe()
	for _, path := range db.SetAsideKeyStores() {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if out, n, err := withoutKeys(data, &office, drop); err == nil && n > 0 {
			if writeFileSync(path, out) == nil {
				syncDir(filepath.Dir(path))
			}
		}
	}
}

// errNoKeyStore: a backup made before requests had keys of their own.
// keyStorePrefix begins the keys of a key store kept in the key space.
var keyStorePrefix = append(bytes.Clone(bKeyStore), '/')

var errNoKeyStore = fp.Errorf(fp.EINVALID, "it was made before requests had keys of their own, so the purged requests cannot be destroyed in it: delete it (a newer backup holds the office)")

// rewriteBackup rewrites the backup at path without the keys keep refuses
// (streamed into a new file beside it, synced, renamed over it): how many
// it took out. The key store comes after the database and the scans in a
// backup; a backup that holds no key to take out is left as it was.
func rewriteBackup(path string, office *vault.Key, keep func(uint64) bool) (n int, err error) {
	in, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	h, hash, err := backup.ReadHeader(in)
	if err != nil {
		return 0, err
	}
	key := backupKey(office)
	defer key.Wipe()
	r := backup.NewReader(in, h, hash, &key)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shred-*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w, err := backup.NewWriter(tmp, backup.Header{Created: h.Created, Schema: h.Schema, Version: h.Version, Slots: h.Slots}, &key)
	if err != nil {
		return 0, err
	}
	sawStore := false
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		switch rec.Kind {
		case 'K':
			if bytes.HasPrefix(rec.Key, keyStorePrefix) { // the key space holds the keys (an office server)
				sawStore = true
				kek := vault.Derive(office, keysPurpose)
				keys, perr := openKeyRecords([][]byte{rec.Value}, &kek)
				if perr == nil {
					for id := range keys {
						if !keep(id) {
							delete(keys, id)
							n++
						}
					}
					if recs := sealKeys(&kek, keys); len(recs) > 0 {
						err = w.Put(rec.Key, recs[0])
					}
				}
				kek.Wipe()
				if perr != nil {
					return 0, perr
				}
				break
			}
			err = w.Put(rec.Key, rec.Value)
		case 'N':
			err = w.Sequence(string(rec.Key), rec.N)
		case 'F':
			err = w.File(string(rec.Key), rec.Value)
		case 'X':
			if string(rec.Key) == BackupKeyStore {
				sawStore = true
				kek := vault.Derive(office, keysPurpose)
				keys, _, perr := parseKeyStore(rec.Value, &kek)
				kek.Wipe()
				if perr != nil {
					return 0, perr
				}
				drop := map[uint64]bool{}
				for id := range keys {
					if !keep(id) {
						drop[id] = true
					}
				}
				if len(drop) == 0 {
					return 0, nil // nothing to take out: the file stays
				}
				if rec.Value, n, err = withoutKeys(rec.Value, office, drop); err != nil {
					return 0, err
				}
			}
			err = w.Extra(string(rec.Key), rec.Value)
		}
		if err != nil {
			return 0, err
		}
	}
	if !sawStore {
		return 0, errNoKeyStore
	}
	if n == 0 {
		return 0, nil // nothing taken out: the file stays
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	name := tmp.Name()
	tmp = nil
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return 0, err
	}
	backup.SyncDir(filepath.Dir(path))
	return n, nil
}

// sweepOrphans deletes what is left of requests purged in a backup restored
// since (their records cannot be opened to say what they held): index
// entries naming them, stamps, e-mail records and scans whose keys are
// gone. It returns the scans to delete.
func (db *Desk) sweepOrphans(tx *tx, ids map[fp.RequestID]bool) ([]string, error) {
	ks, err := db.keyStore()
	if err != nil {
		return nil, err
	}
	named := func(b []byte) bool { return len(b) >= 8 && ids[fp.RequestID(binary.BigEndian.Uint64(b[:8]))] }
	var dels []entry
	collect := func(bucket []byte, match func(k, v []byte) bool) {
		eachBrief(idx(tx, bucket), nil, func(k, v []byte) {
			if match(k, v) {
				dels = append(dels, entry{bucket: bucket, key: bytes.Clone(k)})
			}
		})
	}
	collect(iSlots, func(_, v []byte) bool { return named(v) })
	collect(iWalkIns, func(k, _ []byte) bool { return len(k) >= 16 && named(k[8:]) })
	collect(iComplete, func(k, _ []byte) bool { return len(k) == 16 && named(k[8:]) })
	collect(iIncomplete, func(k, _ []byte) bool { return len(k) == 16 && named(k[8:]) })
	collect(iDup, func(k, _ []byte) bool { return len(k) >= 8 && named(k[len(k)-8:]) })
	for _, e := range dels {
		if err := idx(tx, e.bucket).Delete(e.key); err != nil {
			return nil, err
		}
	}
	gone := func(v []byte) bool {
		kid, ok := keyIDOf(v)
		return ok && !ks.has(kid)
	}
	for _, b := range [][]byte{bStamps, bMail} {
		var keys [][]byte
		tx.Bucket(b).ForEach(func(k, v []byte) error {
			if gone(v) {
				keys = append(keys, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range keys {
			if err := tx.Bucket(b).Delete(k); err != nil {
				return nil, err
			}
		}
	}
	var release []string
	tx.Bucket(bFiles).ForEach(func(k, _ []byte) error {
		if data, err := db.files.Read(string(k)); err == nil {
			if kid, ok := fileKeyID(data); ok && !ks.has(kid) {
				release = append(release, string(k))
			}
		}
		return nil
	})
	for _, s := range release {
		if err := tx.Bucket(bFiles).Delete([]byte(s)); err != nil {
			return nil, err
		}
	}
	return release, nil
}

// mailOf finds, in one pass over mail/, the e-mails taken into each
// candidate (a purge of many requests opens each record once).
func mailOf(tx *tx, todo []candidate) {
	if len(todo) == 0 {
		return
	}
	at := make(map[string]int, len(todo))
	for i, c := range todo {
		at[c.tomb.Number] = i
	}
	b := tx.Bucket(bMail)
	b.ForEach(func(k, v []byte) error {
		if p, err := b.opened(k, v); err == nil {
			var m mailRecord
			if json.Unmarshal(p, &m) == nil {
				if i, ok := at[m.Request]; ok {
					todo[i].mail = append(todo[i].mail, bytes.Clone(k))
				}
			}
		}
		return nil
	})
}
