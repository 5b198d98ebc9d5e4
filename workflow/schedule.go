package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

var _ fp.ScheduleService = (*Desk)(nil)

var (
	kScheduling = []byte("scheduling")
	iSlots      = []byte("slots")
)

// slotKey is date(8) start(2, minutes) station(1): a day's slots in time order.
func slotKey(d fp.Date, start fp.TimeOfDay, station int) []byte {
	k := make([]byte, 0, 11)
	k = append(k, dateKey(d)...)
	k = binary.BigEndian.AppendUint16(k, uint16(start))
	return append(k, byte(station))
}

// slotValue is id(8) person(2) minutes(2) status 0x00 category 0x00 number.
func slotValue(r *fp.Request, ap fp.Appointment) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(r.ID))
	v = binary.BigEndian.AppendUint16(v, uint16(ap.PersonID))
	v = binary.BigEndian.AppendUint16(v, uint16(ap.Minutes))
	return cat(v, []byte(ap.Status), sep, []byte(r.Category), sep, []byte(r.Number))
}

func decodeSlot(k, v []byte) (fp.SlotUse, error) {
	if len(k) != 11 {
		return fp.SlotUse{}, fmt.Errorf("slot entry %x has a bad shape", k)
	}
	d, err := keyDate(k)
	if err != nil {
		return fp.SlotUse{}, err
	}
	return decodeSlotOn(d, k, v)
}

// decodeSlotOn decodes an entry of day d (known from the prefix scanned).
// k and v may be a scan's transient bytes: nothing of them is kept.
func decodeSlotOn(d fp.Date, k, v []byte) (fp.SlotUse, error) {
	if len(k) != 11 || len(v) < 14 {
		return fp.SlotUse{}, fmt.Errorf("slot entry %x has a bad shape", k)
	}
	rest := v[12:]
	i := bytes.IndexByte(rest, 0)
	j := -1
	if i >= 0 {
		j = bytes.IndexByte(rest[i+1:], 0)
	}
	if j < 0 {
		return fp.SlotUse{}, fmt.Errorf("slot entry %x has a bad value", k)
	}
	j += i + 1
	return fp.SlotUse{Day: d, Start: fp.TimeOfDay(binary.BigEndian.Uint16(k[8:10])), Station: int(k[10]),
		Request: fp.RequestID(binary.BigEndian.Uint64(v)), PersonID: int(binary.BigEndian.Uint16(v[8:])),
		Minutes: int(binary.BigEndian.Uint16(v[10:])), Status: apptStatusOf(rest[:i]), Category: categoryOf(rest[i+1 : j]),
		Number: string(rest[j+1:])}, nil
}

// apptStatusOf and categoryOf return the known constants without
// allocating (a calendar month decodes thousands of entries).
func apptStatusOf(b []byte) fp.ApptStatus {
	switch string(b) {
	case string(fp.ApptBooked):
		return fp.ApptBooked
	case string(fp.ApptCheckedIn):
		return fp.ApptCheckedIn
	case string(fp.ApptCollected):
		return fp.ApptCollected
	case string(fp.ApptMissed):
		return fp.ApptMissed
	case string(fp.ApptCancelled):
		return fp.ApptCancelled
	case string(fp.ApptWalkIn):
		return fp.ApptWalkIn
	}
	return fp.ApptStatus(b)
}

func categoryOf(b []byte) fp.Category {
	for _, c := range fp.Categories {
		if string(b) == string(c) {
			return c
		}
	}
	return fp.Category(b)
}

// slotEntries are r's appointments that hold a slot, and its walk-ins, for
// indexEntries.
func slotEntries(r *fp.Request) []entry {
	var es []entry
	for _, ap := range r.Appointments {
		switch {
		case ap.FromImport: // history: no slot
		case ap.WalkIn && ap.Status != fp.ApptCancelled:
			es = append(es, entry{iWalkIns, walkInKey(ap.Day, r.ID, ap.ID), slotValue(r, ap)})
		case ap.Status.HoldsSlot():
			es = append(es, entry{iSlots, slotKey(ap.Day, ap.Start, ap.Station), slotValue(r, ap)})
		}
	}
	return es
}

// walkInKey is date(8) id(8) appointment(2): a day's walk-ins, by request.
func walkInKey(d fp.Date, id fp.RequestID, ap int) []byte {
	return binary.BigEndian.AppendUint16(cat(dateKey(d), idKey(id)), uint16(ap))
}

func dayUsesTx(tx *tx, d fp.Date) ([]fp.SlotUse, error) {
	var out []fp.SlotUse
	var ferr error
	eachBrief(idx(tx, iSlots), dateKey(d), func(k, v []byte) {
		u, err := decodeSlotOn(d, k, v)
		if err != nil && ferr == nil {
			ferr = fp.Internal("the calendar cannot be read: run a database check", err)
		}
		if out == nil {
			out = make([]fp.SlotUse, 0, 16)
		}
		out = append(out, u)
	})
	return out, ferr
}

func schedulingTx(tx *tx) (fp.Scheduling, error) {
	s := fp.DefaultScheduling()
	v := tx.Bucket(bSettings).Get(kScheduling)
	if v == nil {
		return s, nil
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fp.Internal("the office's scheduling settings cannot be read", err)
	}
	s.Default = false
	return s, nil
}

// Scheduling returns the office's capacity and rules (the defaults, marked
// Default, until an administrator saves them).
func (db *Desk) Scheduling() (s fp.Scheduling, err error) {
	err = db.view(func(tx *tx) error { s, err = schedulingTx(tx); return err })
	return s, err
}

func (db *Desk) SetScheduling(a fp.Actor, s fp.Scheduling) error {
	s, err := s.Normalize()
	if err != nil {
		return err
	}
	err = wrap(db.update(func(tx *tx) error {
		a, err := requireAdmin(tx, a, "the office's hours and capacity")
		if err != nil {
			return err
		}
		return db.putScheduling(tx, a, s)
	}), "the settings were not saved")
	if err == nil {
		db.zone.Store(s.Location())
	}
	return err
}

// SetProfile saves letterhead and scheduling in one transaction.
func (db *Desk) SetProfile(a fp.Actor, p fp.Profile) error {
	p, err := p.Normalize()
	if err != nil {
		return err
	}
	err = wrap(db.update(func(tx *tx) error {
		a, err := requireAdmin(tx, a, "the office profile")
		if err != nil {
			return err
		}
		if err := db.putOffice(tx, a, p.Office); err != nil {
			return err
		}
		return db.putScheduling(tx, a, p.Scheduling)
	}), "the office profile was not saved")
	if err == nil {
		db.zone.Store(p.Scheduling.Location())
	}
	return err
}

func requireAdmin(tx *tx, a fp.Actor, what string) (fp.Actor, error) {
	a, err := authorize(tx, a)
	if err != nil {
		return a, err
	}
	if a.Role != fp.RoleAdmin {
		return a, fp.Errorf(fp.EFORBIDDEN, "only an administrator changes %s; %s is a %s", what, a.Name, a.Role)
	}
	return a, nil
}

func (db *Desk) putScheduling(tx *tx, a fp.Actor, s fp.Scheduling) error {
	old, err := schedulingTx(tx)
	if err != nil {
		return err
	}
	// Every appointment still to come must fit the new hours and stations
	// (and keep its zone): from today in the earlier of the two zones.
	from := s.Today(db.Now())
	if d := old.Today(db.Now()); d.Before(from) {
		from = d
	}
	var booked []fp.SlotUse
	c := idx(tx, iSlots).Cursor()
	for k, v := c.Seek(dateKey(from)); k != nil; k, v = c.Next() {
		u, err := decodeSlot(k, v)
		if err != nil {
			return fp.Internal("the calendar cannot be read", err)
		}
		booked = append(booked, u)
	}
	if err := fp.CheckSettingsKeepBookings(old, s, booked); err != nil {
		return err
	}
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bSettings).Put(kScheduling, v); err != nil {
		return err
	}
	changes := jsonDiff(old, s)
	if len(changes) == 0 && !old.Default {
		return nil
	}
	note := ""
	if old.Default {
		note = "first saved (the defaults until now)"
	}
	return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionSchedulingUpdate, Changes: changes, Note: note})
}

// jsonDiff compares two values field by field through their JSON.
func jsonDiff(old, new any) []fp.Change {
	flat := func(v any) map[string]string {
		b, _ := json.Marshal(v)
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		out := map[string]string{}
		for k, raw := range m {
			out[k] = strings.Trim(string(raw), `"`)
		}
		return out
	}
	a, b := flat(old), flat(new)
	var keys []string
	for k := range b {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []fp.Change
	for _, k := range keys {
		if a[k] != b[k] {
			out = append(out, fp.Change{Field: k, Old: a[k], New: b[k]})
		}
	}
	return out
}

// DayUses returns the appointments that hold slots on day, in time order.
func (db *Desk) DayUses(day fp.Date) (out []fp.SlotUse, err error) {
	err = db.view(func(tx *tx) error { out, err = dayUsesTx(tx, day); return err })
	return out, err
}

// Loads returns how full every day from from to to (inclusive) is.
func (db *Desk) Loads(from, to fp.Date) (out []fp.DayLoad, err error) {
	if to.Before(from) || from.DaysUntil(to) > 400 {
		return nil, fp.Errorf(fp.EINVALID, "choose a range of at most 400 days, the first day before the last")
	}
	err = db.view(func(tx *tx) error {
		s, err := schedulingTx(tx)
		if err != nil {
			return err
		}
		for d := from; !d.After(to); d = d.AddDays(1) {
			us, err := dayUsesTx(tx, d)
			if err != nil {
				return err
			}
			out = append(out, s.Load(d, us))
		}
		return nil
	})
	return out, err
}

// ProposeSlots runs "next available" for the people of request id who have no appointment.
func (db *Desk) ProposeSlots(id fp.RequestID, notBefore fp.Date) (out []fp.Booking, err error) {
	err = db.view(func(tx *tx) error {
		r, err := getRequest(tx, id)
		if err != nil {
			return err
		}
		if err := r.CheckComplete("booking"); err != nil {
			return err
		}
		s, err := schedulingTx(tx)
		if err != nil {
			return err
		}
		out, err = fp.Propose(s, r, db.Now(), notBefore, func(d fp.Date) ([]fp.SlotUse, error) { return dayUsesTx(tx, d) })
		return err
	})
	return out, err
}

// scheduleChange is one appointment action inside its transaction.
type scheduleChange func(tx *tx, a fp.Actor, s fp.Scheduling, r *fp.Request) (fp.AuditEntry, error)

// changeSchedule runs fn through changeRequest with the scheduling checks
// and the office's settings.
func (db *Desk) changeSchedule(a fp.Actor, id fp.RequestID, failed string, fn scheduleChange) (*fp.Request, error) {
	return db.changeRequest(a, id, failed, fp.CheckScheduling, func(tx *tx, a fp.Actor, r *fp.Request, _ fp.Date) (fp.AuditEntry, error) {
		s, err := schedulingTx(tx)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		return fn(tx, a, s, r)
	})
}

// usesFor loads the booked slots of every day the bookings touch.
func usesFor(tx *tx, bs []fp.Booking) (map[fp.Date][]fp.SlotUse, error) {
	out := map[fp.Date][]fp.SlotUse{}
	for _, b := range bs {
		if _, ok := out[b.Day]; ok {
			continue
		}
		us, err := dayUsesTx(tx, b.Day)
		if err != nil {
			return nil, err
		}
		out[b.Day] = us
	}
	return out, nil
}

func personName(r *fp.Request, id int) string {
	p, _ := r.Person(id)
	return p.FullName
}

// Book gives the people of request id the slots bs, all or none. Booking a
// person again after a staff cancellation is a move (fp.CheckRebookings):
// past the reschedule limit only a director books, with override and reason.
func (db *Desk) Book(a fp.Actor, id fp.RequestID, bs []fp.Booking, reason string, override bool) (*fp.Request, error) {
	return db.changeSchedule(a, id, "nothing was booked", func(tx *tx, a fp.Actor, s fp.Scheduling, r *fp.Request) (fp.AuditEntry, error) {
		uses, err := usesFor(tx, bs)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		if err := r.CheckComplete("booking"); err != nil {
			return fp.AuditEntry{}, err
		}
		if err := fp.CheckBookings(s, r, bs, uses, nil, db.Now()); err != nil {
			return fp.AuditEntry{}, err
		}
		overridden, err := fp.CheckRebookings(a, s, r, bs, reason, override)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		cancelled := map[int]fp.Appointment{}
		for _, b := range bs {
			if prev, move := r.Rebooking(b.PersonID); move {
				cancelled[b.PersonID] = prev
			}
		}
		var ch []fp.Change
		for _, ap := range r.Book(s, bs, a.Name, db.Now()) {
			c := fp.Change{Field: personName(r, ap.PersonID), New: ap.Describe()}
			if prev, ok := cancelled[ap.PersonID]; ok {
				c.Old = prev.Describe() // "moved X from the cancelled slot to the new one"
			}
			ch = append(ch, c)
		}
		note := strings.TrimSpace(reason)
		if overridden {
			note = "director's override: " + note
		}
		if len(cancelled) > 0 {
			note = strings.TrimPrefix(note+"; booked again after a cancellation: a reschedule", "; ")
		}
		return fp.AuditEntry{Action: fp.ActionAppointmentBook, Changes: ch, Note: note}, nil
	})
}

// Reschedule moves one person's appointment to b.
func (db *Desk) Reschedule(a fp.Actor, id fp.RequestID, personID int, b fp.Booking, reason string, override bool) (*fp.Request, error) {
	return db.changeSchedule(a, id, "the appointment was not moved", func(tx *tx, a fp.Actor, s fp.Scheduling, r *fp.Request) (fp.AuditEntry, error) {
		ap, ok := r.CurrentAppointment(personID)
		if !ok {
			return fp.AuditEntry{}, fp.Errorf(fp.ENOTFOUND, "%s has no appointment to reschedule for %s: book one", r.Number, personName(r, personID))
		}
		now := db.Now()
		if err := r.CheckComplete("moving an appointment"); err != nil {
			return fp.AuditEntry{}, err
		}
		overridden, err := fp.CheckReschedule(a, s, r, ap, reason, override, now)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		b.PersonID = personID
		uses, err := usesFor(tx, []fp.Booking{b})
		if err != nil {
			return fp.AuditEntry{}, err
		}
		if err := fp.CheckBookings(s, r, []fp.Booking{b}, uses, []int{personID}, now); err != nil {
			return fp.AuditEntry{}, err
		}
		old, moved, err := r.Move(s, personID, b, reason, a.Name, now)
		if err != nil {
			return fp.AuditEntry{}, err
		}
		note := strings.TrimSpace(reason)
		if overridden {
			note = "director's override: " + note
		}
		return fp.AuditEntry{Action: fp.ActionAppointmentReschedule, Note: note,
			Changes: []fp.Change{{Field: personName(r, personID), Old: old.Describe(), New: moved.Describe()}}}, nil
	})
}

// CancelAppointment cancels one person's appointment; the slot is free at
// once. Within the cut-off only a director cancels, with override and reason;
// booking the person again later is a move (see Book).
func (db *Desk) CancelAppointment(a fp.Actor, id fp.RequestID, personID int, reason string, override bool) (*fp.Request, error) {
	return db.changeSchedule(a, id, "the appointment was not cancelled", func(tx *tx, a fp.Actor, s fp.Scheduling, r *fp.Request) (fp.AuditEntry, error) {
		ap, ok := r.CurrentAppointment(personID)
		if !ok {
			return fp.AuditEntry{}, fp.Errorf(fp.ENOTFOUND, "%s has no appointment for %s to cancel", r.Number, personName(r, personID))
		}
		overridden, err := fp.CheckCancel(a, s, ap, reason, override, db.Now())
		if err != nil {
			return fp.AuditEntry{}, err
		}
		if ap, err = r.Cancel(personID, reason, a.Name); err != nil {
			return fp.AuditEntry{}, err
		}
		note := strings.TrimSpace(reason)
		if overridden {
			note = "director's override: " + note
		}
		return fp.AuditEntry{Action: fp.ActionAppointmentCancel, Note: note,
			Changes: []fp.Change{{Field: personName(r, personID), Old: ap.Describe()}}}, nil
	})
}

// followSchedule moves r's status when its appointments call for it.
func (db *Desk) followSchedule(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) error {
	if to, why, ok := r.FollowSchedule(on); ok {
		return db.moveStatus(tx, a, r, to, why)
	}
	return nil
}

// RecordLetters audits the appointment letters of ids printed as one file.
// Each request's copy counter goes up; letters already printed for the same
// appointments are reprints and need a reason. Every letter is checked
// before any is recorded; a day's batch is then recorded in as many
// transactions as the storage contract needs.
func (db *Desk) RecordLetters(a fp.Actor, ids []fp.RequestID, sum, reason string, batch bool) (copies map[fp.RequestID]int, err error) {
	on := db.today()
	check := func(tx *tx, id fp.RequestID) (fp.Actor, *fp.Request, bool, error) {
		a, err := authorize(tx, a)
		if err != nil {
			return a, nil, false, err
		}
		if err := fp.CheckPrint(a); err != nil {
			return a, nil, false, err
		}
		old, err := getRequest(tx, id)
		if err != nil {
			return a, nil, false, err
		}
		reprint, err := fp.CheckLetter(old, on, reason, batch)
		return a, old, reprint, err
	}
	err = db.view(func(tx *tx) error {
		for _, id := range ids {
			if _, _, _, err := check(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "the printing was not recorded")
	}
	copies = map[fp.RequestID]int{}
	done, err := db.inChunks(len(ids), func(tx *tx, i int) error {
		a, old, reprint, err := check(tx, ids[i])
		if err != nil {
			return err
		}
		r := *old
		r.Appointments = slices.Clone(old.Appointments)
		for i := range r.Appointments {
			if r.Appointments[i].Status == fp.ApptBooked {
				r.Appointments[i].Printed++
			}
		}
		pb := tx.Bucket(bPrints)
		key := []byte(r.Number + "\x00appointment letter")
		n := 0
		if v := pb.Get(key); len(v) == 8 {
			n = int(binary.BigEndian.Uint64(v))
		}
		n++
		if err := pb.Put(key, u64(uint64(n))); err != nil {
			return err
		}
		copies[ids[i]] = n
		note := fmt.Sprintf("appointment letter, copy %d, sha256 %s", n, sum)
		if batch {
			note = fmt.Sprintf("appointment letter in a batch of %d, copy %d, sha256 %s", len(ids), n, sum)
		}
		if reprint {
			note += "; reprint"
			if strings.TrimSpace(reason) != "" {
				note += ": " + strings.TrimSpace(reason)
			}
		}
		if err := db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionLetterPrint, Request: r.Number, Note: note}); err != nil {
			return err
		}
		r.Version++
		return putRequest(tx, old, &r, on)
	})
	switch {
	case err != nil && done == 0:
		return nil, wrap(err, "the printing was not recorded")
	case err != nil:
		// Changed since the check (or a failing disk): what is recorded stays
		// recorded, and the letters are not handed out.
		return nil, wrap(err, fmt.Sprintf("the printing of %d of the %d letters was recorded, the rest not, and nothing was printed: print them again (those %d count as reprints)", done, len(ids), done))
	}
	return copies, nil
}

// LetterRequests returns the scheduled requests with an appointment on day
// (or, with unprinted, every scheduled request whose letter is not printed
// yet), in appointment order.
func (db *Desk) LetterRequests(day fp.Date, unprinted bool) (out []*fp.Request, err error) {
	err = db.view(func(tx *tx) error {
		seen := map[fp.RequestID]bool{}
		add := func(id fp.RequestID) error {
			if seen[id] {
				return nil
			}
			seen[id] = true
			r, err := getRequest(tx, id)
			if err != nil {
				return err
			}
			if r.Status == fp.StatusScheduled && (!unprinted || !r.LetterPrinted(db.today())) {
				out = append(out, r)
			}
			return nil
		}
		if !unprinted {
			us, err := dayUsesTx(tx, day)
			if err != nil {
				return err
			}
			for _, u := range us {
				if err := add(u.Request); err != nil {
					return err
				}
			}
			return nil
		}
		// Every live slot from today on, in time order.
		c := idx(tx, iSlots).Cursor()
		for k, v := c.Seek(dateKey(db.today())); k != nil; k, v = c.Next() {
			u, err := decodeSlot(k, v)
			if err != nil {
				return fp.Internal("the calendar cannot be read", err)
			}
			if u.Status == fp.ApptBooked {
				if err := add(u.Request); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
