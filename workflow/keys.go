package workflow

import (
	"encoding/json"
	"errors"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// The office data key is never stored in the clear: it is kept wrapped once
// per account (under a key derived from the account's password) and once
// under the recovery key printed at setup, like a disk's key slots. Signing
// in unlocks it into the Desk's memory; signing out forgets it.
var (
	bKeys       = []byte("keys")
	kRecovery   = []byte("recovery")
	slotUserPre = []byte("user/")
)

func userSlotKey(name string) []byte { return cat(slotUserPre, []byte(name)) }

// slotAAD binds a slot to its place: a slot copied onto another account or
// into the recovery place does not open.
func slotAAD(k []byte) []byte { return cat([]byte("fieldprint key slot "), k) }

func getSlot(tx *tx, k []byte) (*vault.Slot, error) {
	v := tx.Bucket(bKeys).Get(k)
	if v == nil {
		return nil, nil
	}
	var s vault.Slot
	if err := json.Unmarshal(v, &s); err != nil {
		where := "the database"
		if tx.desk != nil {
			where = tx.desk.where
		}
		return nil, fp.Internal(where+" is damaged: a key slot cannot be read; restore the newest backup, or ask your IT contact", err)
	}
	return &s, nil
}

func putSlot(tx *tx, k []byte, s vault.Slot) error {
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.Bucket(bKeys).Put(k, v)
}

func keysSetUp(tx *tx) bool { return tx.Bucket(bKeys).Get(kRecovery) != nil }

// KeysSetUp reports whether the office has its data key (made with the first
// administrator, or by an administrator's first sign-in on a database from
// before keys).
func (db *Desk) KeysSetUp() (ok bool, err error) {
	err = db.view(func(tx *tx) error { ok = keysSetUp(tx); return nil })
	return ok, err
}

// Unlocked reports whether the office key is in memory (someone signed in).
func (db *Desk) Unlocked() bool {
	db.keyMu.RLock()
	defer db.keyMu.RUnlock()
	return !db.officeKey.IsZero()
}

// Lock forgets the office key: signing out, the idle lock, closing.
func (db *Desk) Lock() {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	db.officeKey.Wipe()
	db.recordsKey.Wipe()
	db.identKey.Wipe()
	db.reqKeys.wipe()
	db.memDrop()
}

func (db *Desk) unlock(k vault.Key) {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	db.officeKey = k
	db.recordsKey = vault.Derive(&k, "fieldprint records and files")
	db.identKey = vault.Derive(&k, "fieldprint identifier hashes")
	db.reqKeys.wipe()
	db.memDrop()
}

// officeKeyCopy is the key to wrap a new slot with, or ErrLocked.
func (db *Desk) officeKeyCopy() (vault.Key, error) {
	db.keyMu.RLock()
	defer db.keyMu.RUnlock()
	if db.officeKey.IsZero() {
		return vault.Key{}, ErrLocked
	}
	return db.officeKey, nil
}

// ErrLocked: the office has its data key and nobody is signed in on this
// desk, so its records can be neither read nor written.
var ErrLocked = fp.Errorf(fp.EFORBIDDEN, "the office's data is encrypted and locked on this desk: sign in first")

func slotCost() vault.Cost {
	c := PasswordCost
	return vault.Cost{MemoryKiB: c.MemoryKiB, Time: c.Time, Threads: c.Threads}
}

// passwordSlot wraps the office key for name's password (slow: argon2id;
// call it outside a transaction).
func (db *Desk) passwordSlot(name, password string) (vault.Slot, error) {
	k, err := db.officeKeyCopy()
	if err != nil {
		return vault.Slot{}, err
	}
	defer k.Wipe()
	s, err := vault.PasswordSlot(&k, password, slotCost(), slotAAD(userSlotKey(name)))
	if err != nil {
		return s, fp.Internal("cannot make the account's key slot", err)
	}
	return s, nil
}

// newOfficeKeys makes the office key, its recovery key and the first slot
// for admin's password, unlocks the Desk with it, and returns what to write.
func (db *Desk) newOfficeKeys(admin, password string) (user, recovery vault.Slot, r vault.RecoveryKey, err error) {
	office, err := vault.NewKey()
	if err != nil {
		return user, recovery, r, fp.Internal("cannot make the office's data key", err)
	}
	defer office.Wipe()
	if r, err = vault.NewRecoveryKey(); err != nil {
		return user, recovery, r, fp.Internal("cannot make the recovery key", err)
	}
	if user, err = vault.PasswordSlot(&office, password, slotCost(), slotAAD(userSlotKey(admin))); err != nil {
		return user, recovery, r, fp.Internal("cannot make the account's key slot", err)
	}
	return user, vault.RecoverySlot(&office, r, slotAAD(kRecovery)), r, nil
}

// writeOfficeKeys stores the first slots, refusing when another desk or
// window made keys meanwhile.
func (db *Desk) writeOfficeKeys(tx *tx, admin string, user, recovery vault.Slot) error {
	if keysSetUp(tx) {
		return fp.Errorf(fp.ECONFLICT, "this office's data key was made meanwhile: sign in again")
	}
	if err := putSlot(tx, userSlotKey(admin), user); err != nil {
		return err
	}
	if tx.Bucket(bRequests).Count() == 0 && tx.Bucket(bFiles).Count() == 0 && tx.Bucket(bMail).Count() == 0 {
		// Nothing in the clear to seal: sealed from the first record on.
		if err := tx.Bucket(bMeta).Put(kSealed, []byte{1}); err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(kKeyed, []byte{1}); err != nil {
			return err
		}
	}
	return putSlot(tx, kRecovery, recovery)
}

// SetUpKeys makes the office's data key on a database from before keys, at
// an administrator's sign-in (password checked again), and returns the
// recovery key to show once. The other accounts get their slot when an
// administrator sets a new password for them.
func (db *Desk) SetUpKeys(a fp.Actor, password string) (string, error) {
	var hash string
	err := db.view(func(tx *tx) error {
		actor, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if err := fp.CheckManageUsers(actor); err != nil {
			return err
		}
		if keysSetUp(tx) {
			return fp.Errorf(fp.ECONFLICT, "this office's data key is already made")
		}
		u, err := getUser(tx, actor.Name)
		if err != nil {
			return err
		}
		hash = u.PasswordHash
		return nil
	})
	if err != nil {
		return "", wrap(err, "the office's data key was not made")
	}
	if !checkPasswordHash(hash, password) {
		return "", errSignIn
	}
	user, recovery, r, err := db.newOfficeKeys(a.Name, password)
	if err != nil {
		return "", err
	}
	err = db.update(func(tx *tx) error {
		if err := db.writeOfficeKeys(tx, a.Name, user, recovery); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionKeysSetUp, Subject: "office",
			Note: "office data key made; recovery key issued; key slot for " + a.Name})
	})
	if err != nil {
		return "", wrap(err, "the office's data key was not made")
	}
	return r.String(), db.unlockWith(password, a.Name)
}

// unlockWith opens name's slot with password into memory.
func (db *Desk) unlockWith(password, name string) error {
	var slot *vault.Slot
	err := db.view(func(tx *tx) (err error) { slot, err = getSlot(tx, userSlotKey(name)); return err })
	if err != nil {
		return err
	}
	if slot == nil {
		return errNoSlot(name)
	}
	k, err := slot.OpenPassword(password, slotAAD(userSlotKey(name)))
	if err != nil {
		return fp.Internal("the account's key slot in "+db.where+" does not open with its password (damaged, or copied from another office): ask an administrator to set a new password", err)
	}
	db.unlock(k)
	return nil
}

func errNoSlot(name string) error {
	return fp.Errorf(fp.EFORBIDDEN, "the account %s has no key to this office's data yet: ask an administrator to set a new password for it on the Users screen", name)
}

// NewRecoveryKey replaces the recovery key (the printed one is lost or was
// seen): the old one stops opening anything. An administrator, signed in.
func (db *Desk) NewRecoveryKey(a fp.Actor) (string, error) {
	k, err := db.officeKeyCopy()
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	r, err := vault.NewRecoveryKey()
	if err != nil {
		return "", fp.Internal("cannot make the recovery key", err)
	}
	slot := vault.RecoverySlot(&k, r, slotAAD(kRecovery))
	err = db.update(func(tx *tx) error {
		actor, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if err := fp.CheckManageUsers(actor); err != nil {
			return err
		}
		if !keysSetUp(tx) {
			return fp.Errorf(fp.EINVALID, "this office has no data key yet: an administrator makes it by signing in")
		}
		if err := putSlot(tx, kRecovery, slot); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: actor.Name, Action: fp.ActionKeysRecovery, Subject: "office",
			Note: "new recovery key issued; the previous one no longer opens the office's data"})
	})
	if err != nil {
		return "", wrap(err, "the recovery key was not replaced")
	}
	return r.String(), nil
}

// Recover sets a new password for the administrator name with the recovery
// key (every administrator's password forgotten, or the only one locked
// out), and unlocks the Desk.
func (db *Desk) Recover(recoveryKey, name, password string) error {
	r, err := vault.ParseRecoveryKey(recoveryKey)
	if err != nil {
		return fp.Errorf(fp.EINVALID, "%s", err.Error())
	}
	n, err := fp.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if err := fp.CheckPassword(n, password, db.IsDemo()); err != nil {
		return err
	}
	var slot *vault.Slot
	err = db.view(func(tx *tx) (err error) {
		slot, err = getSlot(tx, kRecovery)
		return err
	})
	if err != nil {
		return err
	}
	if slot == nil {
		return fp.Errorf(fp.EINVALID, "this office has no recovery key yet: it is made with the office's data key at an administrator's sign-in")
	}
	office, err := slot.OpenRecovery(r, slotAAD(kRecovery))
	if errors.Is(err, vault.ErrWrongSecret) {
		return fp.Errorf(fp.EFORBIDDEN, "this recovery key does not open this office's data: it belongs to another office, or was replaced by a newer one")
	} else if err != nil {
		return err
	}
	defer office.Wipe()
	hash, err := hashPassword(password)
	if err != nil {
		return fp.Internal("cannot hash the password", err)
	}
	user, err := vault.PasswordSlot(&office, password, slotCost(), slotAAD(userSlotKey(n)))
	if err != nil {
		return fp.Internal("cannot make the account's key slot", err)
	}
	err = db.update(func(tx *tx) error {
		u, err := getUser(tx, n)
		if err != nil {
			return err
		}
		if u.Role != fp.RoleAdmin {
			return fp.Errorf(fp.EFORBIDDEN, "the recovery key resets an administrator's password only: %s is a %s; an administrator resets the others on the Users screen", n, u.Role)
		}
		u.PasswordHash, u.Disabled = hash, false
		u.RegisterSuccess()
		if err := putUser(tx, u); err != nil {
			return err
		}
		if err := putSlot(tx, userSlotKey(n), user); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: n, Action: fp.ActionKeysRecover, Subject: n,
			Changes: []fp.Change{{Field: "password", New: "set with the recovery key"}}})
	})
	if err != nil {
		return wrap(err, "the password was not set")
	}
	db.unlock(office)
	return nil
}

// slotIfKeys makes name's slot for password when the office has keys (nil
// when it has none yet); it needs the key unlocked.
func (db *Desk) slotIfKeys(name, password string) (*vault.Slot, error) {
	set, err := db.KeysSetUp()
	if err != nil || !set {
		return nil, err
	}
	s, err := db.passwordSlot(name, password)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// putSlotIfKeys writes slot (from slotIfKeys before the transaction),
// refusing when keys were made in between.
func putSlotIfKeys(tx *tx, name string, slot *vault.Slot) error {
	if slot == nil {
		if keysSetUp(tx) {
			return fp.Errorf(fp.ECONFLICT, "this office's data key was made meanwhile: try again")
		}
		return nil
	}
	return putSlot(tx, userSlotKey(name), *slot)
}
