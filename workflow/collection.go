package workflow

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

var _ fp.CollectionService = (*Desk)(nil)

var (
	bStamps        = []byte("stamps")
	bStampKeys     = []byte("stampkeys")
	iWalkIns       = []byte("walkins")
	kMissedThrough = []byte("missed_through") // meta: the last day closed automatically
)

// Day lists the appointments of day: slots in time and station order, then
// the walk-ins in the order they arrived.
func (db *Desk) Day(day fp.Date) (out []fp.DayRow, err error) {
	err = db.view(func(tx *tx) error { out, err = dayRowsTx(tx, day); return err })
	return out, err
}

func dayRowsTx(tx *tx, day fp.Date) ([]fp.DayRow, error) {
	uses, err := dayUsesTx(tx, day)
	if err != nil {
		return nil, err
	}
	cache := map[fp.RequestID]*fp.Request{}
	// row finds the appointment of request id that match accepts.
	row := func(id fp.RequestID, match func(fp.Appointment) bool) (fp.DayRow, error) {
		r, ok := cache[id]
		if !ok {
			var err error
			if r, err = getRequest(tx, id); err != nil {
				return fp.DayRow{}, err
			}
			cache[id] = r
		}
		for _, ap := range r.Appointments {
			if match(ap) {
				p, _ := r.Person(ap.PersonID)
				return fp.DayRow{Request: r.ID, Number: r.Number, Category: r.Category, Person: p, Appointment: ap}, nil
			}
		}
		return fp.DayRow{}, fp.Internal("the calendar and a request disagree: run a database check", fmt.Errorf("%s has no such appointment on %s", r.Number, day))
	}
	var out []fp.DayRow
	for _, u := range uses {
		rw, err := row(u.Request, func(ap fp.Appointment) bool {
			return !ap.WalkIn && ap.Status.HoldsSlot() && ap.Day == day && ap.Start == u.Start && ap.Station == u.Station
		})
		if err != nil {
			return nil, err
		}
		out = append(out, rw)
	}
	var walks []fp.DayRow
	var ferr error
	each(idx(tx, iWalkIns), dateKey(day), func(k, _ []byte) {
		if ferr != nil || len(k) != 18 {
			return
		}
		apID := int(binary.BigEndian.Uint16(k[16:]))
		rw, err := row(fp.RequestID(binary.BigEndian.Uint64(k[8:16])), func(ap fp.Appointment) bool { return ap.ID == apID })
		ferr = err
		walks = append(walks, rw)
	})
	if ferr != nil {
		return nil, ferr
	}
	// Walk-ins are seen after the scheduled applicants, in order of arrival.
	sort.SliceStable(walks, func(i, j int) bool { return walks[i].Appointment.Start < walks[j].Appointment.Start })
	return append(out, walks...), nil
}

// MayWalkIn lists the missed appointments of the walk-in window before day
// whose people have no appointment since: who may still walk in.
func (db *Desk) MayWalkIn(day fp.Date) (out []fp.DayRow, err error) {
	err = db.view(func(tx *tx) error {
		s, err := schedulingTx(tx)
		if err != nil {
			return err
		}
		for d := day.AddDays(-s.WalkInDays); d.Before(day); d = d.AddDays(1) {
			rows, err := dayRowsTx(tx, d)
			if err != nil {
				return err
			}
			for _, row := range rows {
				if row.Appointment.Status != fp.ApptMissed {
					continue
				}
				r, err := getRequest(tx, row.Request)
				if err != nil {
					return err
				}
				last, _ := r.LastMissed(row.Person.ID)
				if _, booked := r.CurrentAppointment(row.Person.ID); !booked && last.ID == row.Appointment.ID && r.Status.Open() {
					out = append(out, row)
				}
			}
		}
		return nil
	})
	return out, err
}

// CheckInPerson records a person's arrival (and ID seen) on request id.
func (db *Desk) CheckInPerson(a fp.Actor, id fp.RequestID, in fp.CheckInInput) (*fp.Request, error) {
	return db.changeRequest(a, id, "the check-in was not recorded", fp.CheckCollection, func(tx *tx, a fp.Actor, r *fp.Request, _ fp.Date) (fp.AuditEntry, error) {
		s, err := schedulingTx(tx)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		ap, err := r.CheckIn(s, in, a, db.Now())
		if err != nil {
			return fp.AuditEntry{}, err
		}
		what := "checked in at " + ap.Describe()
		if ap.WalkIn {
			what = "walk-in on " + ap.Day.String() + " (" + ap.Reason + ")"
		}
		ch := []fp.Change{{Field: personName(r, in.PersonID), New: what}, {Field: "id", New: ap.CheckIn.ID.Label() + strings.TrimSuffix(" "+ap.CheckIn.IDNote, " ")}}
		if !ap.CheckIn.NameMatches {
			ch = append(ch, fp.Change{Field: "name_mismatch", New: ap.CheckIn.Note})
		}
		note := ""
		if ap.CheckIn.Override != "" {
			note = "director's override: a walk-in outside public hours: " + ap.CheckIn.Override
		}
		return fp.AuditEntry{Action: fp.ActionCheckIn, Changes: ch, Note: note}, nil
	})
}

// Collect records the biometrics captured for a checked-in person.
func (db *Desk) Collect(a fp.Actor, id fp.RequestID, in fp.CollectInput) (*fp.Request, error) {
	return db.changeRequest(a, id, "the collection was not recorded", fp.CheckCollection, func(tx *tx, a fp.Actor, r *fp.Request, _ fp.Date) (fp.AuditEntry, error) {
		s, err := schedulingTx(tx)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		ap, err := r.Collect(s, in, a.Name, db.Now())
		if err != nil {
			return fp.AuditEntry{}, err
		}
		officer := officerName(tx, a.Name)
		for i := range r.Appointments {
			if r.Appointments[i].ID == ap.ID && r.Appointments[i].Collection != nil {
				c := *r.Appointments[i].Collection
				c.Officer = officer
				r.Appointments[i].Collection = &c
			}
		}
		what := fp.CapturesText(ap.Collection.Captured)
		if ap.Collection.Code != 0 {
			what += " (biometric " + fp.CodeLabel(ap.Collection.Code) + ")"
		}
		return fp.AuditEntry{Action: fp.ActionCollect, Changes: []fp.Change{{Field: personName(r, in.PersonID), New: what}}}, nil
	})
}

// CloseDay marks day's unresolved appointments missed, once the office's
// hours that day are over. Running it again changes nothing.
func (db *Desk) CloseDay(a fp.Actor, day fp.Date) (n int, err error) {
	err = db.update(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if !a.CanHandleCases() {
			return fp.Errorf(fp.EFORBIDDEN, "an %s account does not close the day: sign in as a clerk or director", a.Role)
		}
		s, err := schedulingTx(tx)
		if err != nil {
			return err
		}
		if !s.DayClosed(day, db.Now()) {
			return fp.Errorf(fp.EFORBIDDEN, "%s is not over yet: close it after the public hours end", day)
		}
		n, err = db.markMissedTx(tx, a, s, day)
		return err
	})
	return n, wrap(err, "the day was not closed")
}

// markMissedTx marks day's unresolved appointments missed, one audit entry
// per request, and moves each request's status as its appointments call for.
func (db *Desk) markMissedTx(tx *tx, a fp.Actor, s fp.Scheduling, day fp.Date) (int, error) {
	rows, err := dayRowsTx(tx, day)
	if err != nil {
		return 0, err
	}
	n := 0
	done := map[fp.RequestID]bool{}
	for _, row := range rows {
		if done[row.Request] {
			continue
		}
		done[row.Request] = true
		old, err := getRequest(tx, row.Request)
		if err != nil {
			return 0, err
		}
		r := *old
		missed := r.MarkMissed(day, db.Now())
		if len(missed) == 0 {
			continue
		}
		n += len(missed)
		var ch []fp.Change
		for _, ap := range missed {
			ch = append(ch, fp.Change{Field: personName(&r, ap.PersonID), Old: ap.Describe(),
				New: fmt.Sprintf("missed; may walk in until %s", s.WalkInUntil(ap))})
		}
		if err := db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionMissed, Request: r.Number, Changes: ch}); err != nil {
			return 0, err
		}
		on := db.today()
		if err := db.followSchedule(tx, a, &r, on); err != nil {
			return 0, err
		}
		r.Version++
		r.UpdatedAt, r.UpdatedBy = db.Now().UTC(), a.Name
		if err := putRequest(tx, old, &r, on); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// CloseDaysAutomatically closes every day whose hours are over, when the
// office marks missed appointments at closing time. It remembers the last
// day closed, so each run reads only the days since.
func (db *Desk) CloseDaysAutomatically() (n int, err error) {
	s, err := db.Scheduling()
	if err != nil || s.MissedMode != fp.MissedAtClosing {
		return 0, err
	}
	now := db.Now()
	today := s.Today(now)
	// Nothing to do (the common case) costs one read transaction.
	var from fp.Date
	db.view(func(tx *tx) error {
		from = missedThrough(tx)
		return nil
	})
	last := today
	if !s.DayClosed(today, now) {
		last = today.AddDays(-1)
	}
	if !from.IsZero() && !from.Before(last) {
		return 0, nil
	}
	err = db.update(func(tx *tx) error {
		system := fp.Actor{Name: fp.SystemUser, Role: fp.RoleClerk}
		for _, d := range unresolvedDays(tx, missedThrough(tx), last) {
			k, err := db.markMissedTx(tx, system, s, d)
			if err != nil {
				return err
			}
			n += k
		}
		return tx.Bucket(bMeta).Put(kMissedThrough, dateKey(last))
	})
	return n, wrap(err, "missed appointments were not marked")
}

func missedThrough(tx *tx) fp.Date {
	v := tx.Bucket(bMeta).Get(kMissedThrough)
	if len(v) != 8 {
		return fp.Date{}
	}
	d, _ := keyDate(v)
	return d
}

// unresolvedDays lists the days after after and up to last that have slots
// or walk-ins, from the indexes.
func unresolvedDays(tx *tx, after, last fp.Date) []fp.Date {
	seen := map[fp.Date]bool{}
	var out []fp.Date
	start := []byte("00000000")
	if !after.IsZero() {
		start = dateKey(after.AddDays(1))
	}
	end := dateKey(last.AddDays(1))
	for _, b := range [][]byte{iSlots, iWalkIns} {
		c := idx(tx, b).Cursor()
		for k, _ := c.Seek(start); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
			d, err := keyDate(k)
			if err == nil && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// StampKeyPath is where the office's private signing key lives: beside the
// database, not in it, readable by the user only.
func (db *Desk) StampKeyPath() string { return db.KeyFile }

// stampKey loads the private key, creating it on first use.
func (db *Desk) stampKey() (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(db.StampKeyPath())
	if errors.Is(err, os.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, err
		}
		data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := writeFileSync(db.StampKeyPath(), data); err != nil {
			return nil, err
		}
		return priv, nil
	} else if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s is not a PEM key", db.StampKeyPath())
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is not an Ed25519 key", db.StampKeyPath())
	}
	return priv, nil
}

// writeFileSync writes a new file whole (temp file, fsync, rename), mode 0600.
func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// StampPublicKey returns the office's current public signing key (created on first use).
func (db *Desk) StampPublicKey() (ed25519.PublicKey, error) {
	priv, err := db.stampKey()
	if err != nil {
		return nil, fp.Internal("the office's signing key cannot be read or created beside the database", err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	err = db.update(func(tx *tx) error { return db.registerKey(tx, pub) })
	return pub, wrap(err, "the signing key was not recorded")
}

// registerKey records pub in stampkeys/ (audited the first time), so stamps
// it signs verify from the database even after the key is replaced.
func (db *Desk) registerKey(tx *tx, pub ed25519.PublicKey) error {
	b := tx.Bucket(bStampKeys)
	id := []byte(fp.KeyID(pub))
	if b.Get(id) != nil {
		return nil
	}
	if err := b.Put(id, pub); err != nil {
		return err
	}
	return db.appendAudit(tx, fp.AuditEntry{User: fp.SystemUser, Action: fp.ActionStampKey,
		Changes: []fp.Change{{Field: "key", New: string(id)}}, Note: "new signing key for stamped notices; the private half is " + db.StampKeyPath()})
}

// IssueStamp signs the stamped notice of a collected person the first time
// and audits every printing with its copy number.
func (db *Desk) IssueStamp(a fp.Actor, id fp.RequestID, personID int) (st fp.Stamp, copies int, err error) {
	priv, err := db.stampKey()
	if err != nil {
		return st, 0, fp.Internal("the office's signing key cannot be read or created beside the database", err)
	}
	check := func(a fp.Actor, _ *fp.Request) error { return fp.CheckPrint(a) }
	_, err = db.changeRequest(a, id, "the stamped notice was not recorded", check, func(tx *tx, a fp.Actor, r *fp.Request, _ fp.Date) (fp.AuditEntry, error) {
		ap, ok := r.CurrentAppointment(personID)
		p, _ := r.Person(personID)
		if !ok || ap.Status != fp.ApptCollected || ap.Collection == nil {
			return fp.AuditEntry{}, fp.Errorf(fp.EFORBIDDEN, "%s's biometrics are not recorded as collected: a stamped notice certifies a collection, record it first", p.FullName)
		}
		if ap.FromImport {
			return fp.AuditEntry{}, fp.Errorf(fp.EFORBIDDEN, "%s's biometrics were collected on %s, before Fieldprint (imported from %s): a stamped notice certifies only a collection recorded here", p.FullName, ap.Day, r.Origin)
		}
		sb := tx.Bucket(bStamps)
		if ap.Stamp != "" {
			if err := getJSON(sb, ap.Stamp, &st); err != nil {
				return fp.AuditEntry{}, err
			}
		} else {
			o, err := officeTx(tx)
			if err != nil {
				return fp.AuditEntry{}, err
			}
			s, err := schedulingTx(tx)
			if err != nil {
				return fp.AuditEntry{}, err
			}
			if err := db.registerKey(tx, priv.Public().(ed25519.PublicKey)); err != nil {
				return fp.AuditEntry{}, err
			}
			st = fp.SignStamp(priv, fp.StampFacts{Office: o.Name, Request: r.Number, Person: p.FullName, DateOfBirth: p.DateOfBirth,
				Collected: ap.Collection.At.In(s.Location()).Truncate(time.Minute), Officer: collectionOfficer(tx, ap.Collection),
				Captured: ap.Collection.Captured, Code: ap.Collection.Code})
			st.IssuedAt, st.IssuedBy = db.Now().UTC(), a.Name
			if sb.Get([]byte(st.Code)) != nil {
				return fp.AuditEntry{}, fp.Internal("two stamps share a code", fmt.Errorf("code %s", st.Code))
			}
			for i := range r.Appointments {
				if r.Appointments[i].ID == ap.ID {
					r.Appointments[i].Stamp = st.Code
				}
			}
		}
		st.Copies++
		copies = st.Copies
		v, err := json.Marshal(st)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		if err := sb.PutSealedFor(r.ID, []byte(st.Code), v); err != nil { // it names the person
			return fp.AuditEntry{}, err
		}
		return fp.AuditEntry{Action: fp.ActionStampPrint, Changes: []fp.Change{{Field: p.FullName, New: "stamped notice " + st.Code}},
			Note: fmt.Sprintf("copy %d", copies)}, nil
	})
	if err != nil {
		return fp.Stamp{}, 0, err
	}
	return st, copies, nil
}

func getJSON(b *bucket, key string, v any) error {
	raw, err := b.GetOpened([]byte(key))
	if err != nil {
		return err
	}
	if raw == nil {
		return fp.Errorf(fp.ENOTFOUND, "there is no stamp %s", key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fp.Internal("a stored stamp cannot be read", err)
	}
	return nil
}

func officeTx(tx *tx) (fp.Office, error) {
	var o fp.Office
	v := tx.Bucket(bSettings).Get(kOffice)
	if v == nil {
		return o, fp.Errorf(fp.EINVALID, "the office profile is not set: an administrator must give the office's name under Settings before notices are stamped")
	}
	return o, json.Unmarshal(v, &o)
}

// VerifyStamp checks a stamped notice from its short code (looked up here)
// or its scanned QR text (checked against the office keys recorded here).
func (db *Desk) VerifyStamp(code string) (out fp.StampCheck, err error) {
	err = db.view(func(tx *tx) error {
		keys, stamps := tx.Bucket(bStampKeys), tx.Bucket(bStamps)
		var facts fp.StampFacts
		var sig []byte
		if short, ok := fp.NormalizeShortCode(code); ok {
			var st fp.Stamp
			if err := getJSON(stamps, short, &st); err != nil {
				if fp.ErrorCode(err) == fp.ENOTFOUND {
					return fp.Errorf(fp.ENOTFOUND, "NOT FOUND: no notice with code %s was stamped at this office: check the code, or scan the QR code", short)
				}
				return err
			}
			facts, sig = st.Facts, st.Signature
		} else {
			f, s, err := fp.ParseQRText(code)
			if err != nil {
				return err
			}
			facts, sig = f, s
		}
		out.Facts, out.Code = facts, fp.ShortCode(sig)
		pub := keys.Get([]byte(facts.KeyID))
		if pub == nil {
			out.Problem = fmt.Sprintf("NOT GENUINE: it is signed with key %s, which this office never used", facts.KeyID)
			return nil
		}
		if err := fp.VerifySignature(ed25519.PublicKey(pub), facts, sig); err != nil {
			out.Problem = fp.ErrorMessage(err)
			return nil
		}
		out.Genuine = true
		var st fp.Stamp
		if getJSON(stamps, out.Code, &st) == nil {
			out.Recorded, out.Copies = true, st.Copies
		}
		return nil
	})
	return out, err
}

// ExpiringFingerprints lists completed adoption requests whose fingerprints
// lapse within the next within days (or have lapsed), soonest first.
func (db *Desk) ExpiringFingerprints(within int) (out []fp.ExpiringHousehold, err error) {
	today := db.today()
	err = db.view(func(tx *tx) error {
		p := cat([]byte(fp.CategoryAdoption), sep)
		var ferr error
		each(idx(tx, iCategory), p, func(k, v []byte) {
			if string(v) != string(fp.StatusCompleted) || ferr != nil {
				return
			}
			r, err := getRequest(tx, fp.RequestID(binary.BigEndian.Uint64(k[len(k)-8:])))
			if err != nil {
				ferr = err
				return
			}
			if exp, ok := r.FingerprintsExpire(); ok && !exp.After(today.AddDays(within)) {
				out = append(out, fp.ExpiringHousehold{Summary: r.Summary(today), Expires: exp})
			}
		})
		return ferr
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Expires.Before(out[j].Expires) })
	return out, err
}

// officerName is how paper names the account name: its full name and badge.
func officerName(tx *tx, name string) string {
	if u, err := getUser(tx, name); err == nil {
		return u.Display()
	}
	return name
}

// collectionOfficer is who collected c, as recorded then (or, for a
// collection recorded before accounts had full names, as the account says now).
func collectionOfficer(tx *tx, c *fp.Collection) string {
	if c.Officer != "" {
		return c.Officer
	}
	return officerName(tx, c.By)
}
