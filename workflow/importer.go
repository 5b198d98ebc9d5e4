package workflow

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

var _ fp.TrackerService = (*Desk)(nil)

// kTrackerMapping is where the last import's mapping is kept
// (settings/tracker-mapping), suggested again for the next file.
var kTrackerMapping = []byte("tracker-mapping")

// TrackerMapping is the mapping saved by the last import (empty: none yet).
func (db *Desk) TrackerMapping() (m fp.TrackerMapping, err error) {
	err = db.view(func(tx *tx) error { m, err = trackerMappingTx(tx); return err })
	return m, err
}

func trackerMappingTx(tx *tx) (fp.TrackerMapping, error) {
	var m fp.TrackerMapping
	v := tx.Bucket(bSettings).Get(kTrackerMapping)
	if v == nil {
		return m, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fp.Internal("the saved import mapping cannot be read", err)
	}
	return m, nil
}

// CheckImport checks rows as ImportRows will, writing nothing, and returns
// every problem by line (what a person can fix: a duplicate, a booking the
// calendar refuses, a history that contradicts itself) and each row's plan
// (its status, what is booked, its warnings). err is a failure that is not
// a row's (the actor may not import, the store cannot be read).
func (db *Desk) CheckImport(a fp.Actor, rows []fp.ImportRow, opt fp.SaveOptions) (plans []fp.ImportPlan, problems []fp.LineError, err error) {
	err = db.view(func(tx *tx) error {
		plans, problems, _, err = db.checkImportTx(tx, a, rows, opt, false)
		return err
	})
	return plans, problems, err
}

// checkImportTx is CheckImport in tx; first stops at the first problem,
// returned as the error it is (firstErr).
func (db *Desk) checkImportTx(tx *tx, a fp.Actor, rows []fp.ImportRow, opt fp.SaveOptions, first bool) (plans []fp.ImportPlan, problems []fp.LineError, firstErr, err error) {
	a, err = authorize(tx, a)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := fp.CheckEdit(a, nil); err != nil {
		return nil, nil, nil, err
	}
	s, err := schedulingTx(tx)
	if err != nil {
		return nil, nil, nil, err
	}
	now, today := db.Now(), db.today()
	plans = make([]fp.ImportPlan, len(rows))
	seen := map[string]fp.ImportRow{} // identifier -> the row that has it
	// The slots rows take: every person's of the rows before, and the
	// applicant's of every row whose time and station the file gives (a
	// household's other adults never take a slot a later row names).
	booked := map[fp.Date][]fp.SlotUse{}
	held := func(i int) fp.RequestID { return fp.RequestID(math.MaxUint64 - uint64(i)) } // rows are not yet numbered
	for i, row := range rows {
		if ap := row.Appointment; ap != nil && ap.HasTime && ap.Station > 0 && row.Request != nil {
			booked[ap.Day] = append(booked[ap.Day], fp.SlotUse{Day: ap.Day, Start: ap.Start, Minutes: s.SlotMinutes, Station: ap.Station,
				Request: held(i), Category: row.Request.Category, Status: fp.ApptBooked, Number: rowName(row)})
		}
	}
	for i, row := range rows {
		if first && len(problems) > 0 {
			break
		}
		bad := func(column string, err error) {
			if firstErr == nil {
				firstErr = importRowError(row, err)
			}
			problems = append(problems, fp.LineError{Line: row.Line, Column: column, Message: fp.ErrorMessage(err)})
		}
		if row.Request == nil {
			return nil, nil, nil, fp.Internal("an import row has no request", nil)
		}
		c := *row.Request
		if err := normalize(&c, today); err != nil {
			bad("", err)
			continue
		}
		if !opt.AllowDuplicates {
			ds, err := duplicatesTx(tx, &c)
			if err != nil {
				return nil, nil, nil, err
			}
			for _, d := range ds {
				bad(identColumn(d.Identifier), fp.Errorf(fp.ECONFLICT, "%s", d.String()))
			}
			for _, id := range c.Identifiers() {
				if o, ok := seen[id]; ok {
					bad(identColumn(id), fp.Errorf(fp.ECONFLICT, "%s is on %s too: one person must not get two requests", id, rowName(o)))
				} else {
					seen[id] = row
				}
			}
		}
		plan, err := fp.PlanImport(s, row, now)
		if err != nil {
			bad("", err)
			continue
		}
		if b := plan.Book; b != nil {
			uses, err := dayUsesTx(tx, b.Day)
			if err != nil {
				return nil, nil, nil, err
			}
			for _, u := range booked[b.Day] {
				if u.Request != held(i) || u.PersonID != 0 {
					uses = append(uses, u)
				}
			}
			c.ID, c.Status = held(i), plan.Status
			bs := fp.ImportBookings(s, &c, *b, uses)
			if err := fp.CheckBookings(s, &c, bs, map[fp.Date][]fp.SlotUse{b.Day: uses}, nil, now); err != nil {
				bad(fp.FieldAppointment, err)
				continue
			}
			for _, k := range bs {
				if k.PersonID != 0 || b.Station == 0 { // the applicant's is held already when the file names it
					booked[b.Day] = append(booked[b.Day], fp.SlotUse{Day: k.Day, Start: k.Start, Minutes: s.SlotMinutes, Station: k.Station,
						Request: c.ID, PersonID: k.PersonID, Category: c.Category, Status: fp.ApptBooked, Number: rowName(row)})
				}
			}
			plan.Bookings = bs
		}
		plans[i] = plan
	}
	fp.SortLineErrors(problems)
	return plans, problems, firstErr, nil
}

// rowName is how a message names a row of the import.
func rowName(row fp.ImportRow) string {
	if row.File != "" {
		return fmt.Sprintf("line %d", row.Line)
	}
	return fmt.Sprintf("request %d of the batch", row.Line)
}

// identColumn is the column of an identifier: an A-number or a receipt number.
func identColumn(id string) string {
	if strings.HasPrefix(id, "A") {
		return fp.FieldANumber
	}
	return fp.FieldReceiptNumbers
}

// ImportRows records rows with their history, all or none: every row is
// checked first (CheckImport), so what a person can fix refuses the whole
// import and writes nothing; then they are written, in as many
// transactions as the storage contract's limits allow. Each request says
// in its history that it was imported, from which file and line; it
// starts in the status its plan gives, with a past collection recorded and
// an appointment still to come booked through the booking rules (then it
// is scheduled). opt.Mapping is saved for the next file.
func (db *Desk) ImportRows(a fp.Actor, rows []fp.ImportRow, opt fp.ImportOptions) ([]*fp.Request, error) {
	var plans []fp.ImportPlan
	err := db.view(func(tx *tx) error {
		var firstErr, err error
		plans, _, firstErr, err = db.checkImportTx(tx, a, rows, opt.SaveOptions, true)
		if err != nil {
			return err
		}
		return firstErr
	})
	if err != nil {
		return nil, wrap(err, "nothing was imported")
	}
	out := make([]*fp.Request, len(rows))
	done, err := db.inChunksProgress(len(rows), func(tx *tx, i int) error {
		c := *rows[i].Request
		if err := db.importTx(tx, a, &c, rows[i], plans[i], opt.SaveOptions); err != nil {
			return importRowError(rows[i], err)
		}
		out[i] = &c
		if i == 0 && opt.Mapping != nil {
			saved, err := trackerMappingTx(tx)
			if err != nil {
				return err
			}
			v, err := json.Marshal(opt.Mapping.Merge(saved))
			if err != nil {
				return err
			}
			return tx.Bucket(bSettings).Put(kTrackerMapping, v)
		}
		return nil
	}, opt.Progress)
	if err != nil && done == 0 {
		return nil, wrap(err, "nothing was imported")
	} else if err != nil {
		return nil, wrap(err, fmt.Sprintf("only the first %d rows were imported (%s to %s)", done, out[0].Number, out[done-1].Number))
	}
	return out, nil
}

// importTx records one row: the request in its plan's status, with its
// origin and a past collection; then the appointment to come, booked (the
// request scheduled once everyone has a slot).
func (db *Desk) importTx(tx *tx, a fp.Actor, r *fp.Request, row fp.ImportRow, plan fp.ImportPlan, opt fp.SaveOptions) error {
	if err := db.recordTx(tx, a, r, opt, &plan, row.Origin()); err != nil {
		return err
	}
	b := plan.Book
	if b == nil {
		return nil
	}
	a, err := authorize(tx, a)
	if err != nil {
		return err
	}
	s, err := schedulingTx(tx)
	if err != nil {
		return err
	}
	uses, err := dayUsesTx(tx, b.Day)
	if err != nil {
		return err
	}
	old := *r
	bs := plan.Bookings // as checked against the calendar and the other rows
	if err := fp.CheckBookings(s, r, bs, map[fp.Date][]fp.SlotUse{b.Day: uses}, nil, db.Now()); err != nil {
		return err
	}
	var ch []fp.Change
	for _, ap := range r.Book(s, bs, a.Name, db.Now()) {
		ch = append(ch, fp.Change{Field: personName(r, ap.PersonID), New: ap.Describe()})
	}
	note := "the appointment in the tracker"
	if o := row.Origin(); o != nil {
		note += ", " + o.String()
	}
	if err := db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionAppointmentBook, Request: r.Number, Changes: ch, Note: note}); err != nil {
		return err
	}
	on := db.today()
	if err := db.followSchedule(tx, a, r, on); err != nil {
		return err
	}
	r.Version++
	return putRequest(tx, &old, r, on)
}
