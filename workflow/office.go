package workflow

import (
	"encoding/json"

	fp "github.com/fieldprint/fieldprint"
)

// Office returns the office profile; ENOTFOUND until an administrator sets it.
func (db *Desk) Office() (o fp.Office, err error) {
	err = db.view(func(tx *tx) error {
		v := tx.Bucket(bSettings).Get(kOffice)
		if v == nil {
			return fp.Errorf(fp.ENOTFOUND, "the office profile is not set: an administrator sets it under Settings or with \"fieldprint office set\"")
		}
		return json.Unmarshal(v, &o)
	})
	return o, err
}

// Profile returns letterhead and scheduling together (an unset letterhead is empty).
func (db *Desk) Profile() (p fp.Profile, err error) {
	err = db.view(func(tx *tx) error {
		if v := tx.Bucket(bSettings).Get(kOffice); v != nil {
			if err := json.Unmarshal(v, &p.Office); err != nil {
				return fp.Internal("the office profile cannot be read", err)
			}
		}
		p.Scheduling, err = schedulingTx(tx)
		return err
	})
	return p, err
}

// SetOffice replaces the office profile (administrators only), audited field by field.
func (db *Desk) SetOffice(a fp.Actor, o fp.Office) error {
	o, err := o.Normalize()
	if err != nil {
		return err
	}
	err = db.update(func(tx *tx) error {
		a, err := requireAdmin(tx, a, "the office profile")
		if err != nil {
			return err
		}
		return db.putOffice(tx, a, o)
	})
	return wrap(err, "the office profile was not saved")
}

func (db *Desk) putOffice(tx *tx, a fp.Actor, o fp.Office) error {
	var old fp.Office
	if v := tx.Bucket(bSettings).Get(kOffice); v != nil {
		json.Unmarshal(v, &old)
	}
	v, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bSettings).Put(kOffice, v); err != nil {
		return err
	}
	changes := jsonDiff(old, o)
	if len(changes) == 0 {
		return nil
	}
	return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionOfficeUpdate, Changes: changes})
}
