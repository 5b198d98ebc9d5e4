package store

import (
	"encoding/json"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// Office returns the office profile; ENOTFOUND until an administrator sets it.
func (db *DB) Office() (o fp.Office, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bSettings).Get(kOffice)
		if v == nil {
			return fp.Errorf(fp.ENOTFOUND, "the office profile is not set: an administrator sets it with \"fieldprint office set\"")
		}
		return json.Unmarshal(v, &o)
	})
	return o, err
}

// SetOffice replaces the office profile (administrators only), audited field by field.
func (db *DB) SetOffice(a fp.Actor, o fp.Office) error {
	o, err := o.Normalize()
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if a.Role != fp.RoleAdmin {
			return fp.Errorf(fp.EFORBIDDEN, "only an administrator changes the office profile")
		}
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
		var changes []fp.Change
		for _, f := range []struct{ name, old, new string }{
			{"name", old.Name, o.Name}, {"address", old.Address, o.Address}, {"phone", old.Phone, o.Phone},
			{"email", old.Email, o.Email}, {"signatory", old.Signatory, o.Signatory}, {"signatory_title", old.SignatoryTitle, o.SignatoryTitle},
		} {
			if f.old != f.new {
				changes = append(changes, fp.Change{Field: f.name, Old: f.old, New: f.new})
			}
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionOfficeUpdate, Changes: changes})
	})
	return wrap(err, "the office profile was not saved")
}
