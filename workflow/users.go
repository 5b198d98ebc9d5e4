package workflow

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
	"golang.org/x/crypto/argon2"
)

var _ fp.UserService = (*Desk)(nil)
var _ fp.AuditService = (*Desk)(nil)

// HashCost is the argon2id work of a new password hash. A stored hash keeps
// the parameters it was made with, so they can be raised later without
// invalidating anyone's password.
type HashCost struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// ProductionCost is OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane).
var ProductionCost = HashCost{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// TestCost is what tests hash with: the same code path at a fraction of the work.
var TestCost = HashCost{MemoryKiB: 64, Time: 1, Threads: 1}

// PasswordCost is the cost of hashes made from now on. Tests lower it (the
// production cost has a test of its own): thousands of sign-ins under -race
// would otherwise take minutes.
var PasswordCost = ProductionCost

const argonKeyLen = 32

// hashPassword returns a PHC-style string that records its parameters.
func hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	c := PasswordCost
	return phc(c, salt, argon2.IDKey([]byte(pw), salt, c.Time, c.MemoryKiB, c.Threads, argonKeyLen)), nil
}

func phc(c HashCost, salt, key []byte) string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, c.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

func checkPasswordHash(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func getUser(tx *tx, name string) (*fp.User, error) {
	v := tx.Bucket(bUsers).Get([]byte(name))
	if v == nil {
		return nil, fp.Errorf(fp.ENOTFOUND, "there is no user %q", name)
	}
	u := &fp.User{}
	if err := json.Unmarshal(v, u); err != nil {
		return nil, fp.Internal("an account cannot be read", err)
	}
	return u, nil
}

func putUser(tx *tx, u *fp.User) error {
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return tx.Bucket(bUsers).Put([]byte(u.Name), v)
}

// authorize checks, inside the transaction that will act, that a is a real,
// enabled account, and returns it with its current role: a caller cannot act
// as someone who does not exist or has been disabled since signing in.
func authorize(tx *tx, a fp.Actor) (fp.Actor, error) {
	if err := a.Validate(); err != nil {
		return a, err
	}
	u, err := getUser(tx, a.Name)
	if fp.ErrorCode(err) == fp.ENOTFOUND {
		return a, fp.Errorf(fp.EFORBIDDEN, "%q is not a Fieldprint account: sign in as a member of staff", a.Name)
	} else if err != nil {
		return a, err
	}
	if u.Disabled {
		return a, fp.Errorf(fp.EFORBIDDEN, "the account %s is disabled", a.Name)
	}
	return u.Actor(), nil
}

func (db *Desk) CountUsers() (n int, err error) {
	err = db.view(func(tx *tx) error { n = tx.Bucket(bUsers).Count(); return nil })
	return n, err
}

// CreateUser creates an account. With a nil actor it is the first run: allowed
// only while there are no accounts, and only for an admin.
func (db *Desk) CreateUser(a *fp.Actor, n fp.NewUser) (*fp.User, error) {
	name, err := fp.NormalizeUserName(n.Name)
	if err != nil {
		return nil, err
	}
	if _, err := fp.ParseRole(string(n.Role)); err != nil {
		return nil, err
	}
	full, badge, err := fp.CheckPersonDetails(n.FullName, n.Badge)
	if err != nil {
		return nil, err
	}
	if err := fp.CheckPassword(name, n.Password, db.IsDemo()); err != nil {
		return nil, err
	}
	hash, err := hashPassword(n.Password) // slow on purpose: outside the write lock
	if err != nil {
		return nil, fp.Internal("cannot hash the password", err)
	}
	u := &fp.User{Name: name, FullName: full, Badge: badge, Role: n.Role, PasswordHash: hash, CreatedAt: db.Now().UTC()}
	slot, err := db.slotIfKeys(name, n.Password)
	if err != nil {
		return nil, wrap(err, "the account was not created")
	}
	err = db.update(func(tx *tx) error {
		if a == nil {
			if tx.Bucket(bUsers).Count() > 0 {
				return fp.Errorf(fp.EFORBIDDEN, "accounts already exist: sign in as an administrator to add one")
			}
			if n.Role != fp.RoleAdmin {
				return fp.Errorf(fp.EINVALID, "the first account must be an administrator (--role admin)")
			}
			u.CreatedBy = name
		} else {
			actor, err := authorize(tx, *a)
			if err != nil {
				return err
			}
			if err := fp.CheckManageUsers(actor); err != nil {
				return err
			}
			u.CreatedBy = actor.Name
		}
		if tx.Bucket(bUsers).Get([]byte(name)) != nil {
			return fp.Errorf(fp.ECONFLICT, "the user %s already exists", name)
		}
		if err := putUser(tx, u); err != nil {
			return err
		}
		if err := putSlotIfKeys(tx, name, slot); err != nil {
			return err
		}
		u.HasKey = slot != nil
		return db.appendAudit(tx, fp.AuditEntry{User: u.CreatedBy, Action: fp.ActionUserCreate, Subject: name,
			Changes: []fp.Change{{Field: "role", New: string(n.Role)}, {Field: "full name", New: full}}})
	})
	if err != nil {
		return nil, wrap(err, "the account was not created")
	}
	return u, nil
}

// FindUser returns one account, without its password hash.
func (db *Desk) FindUser(name string) (u fp.User, err error) {
	n, err := fp.NormalizeUserName(name)
	if err != nil {
		return u, err
	}
	err = db.view(func(tx *tx) error {
		x, err := getUser(tx, n)
		if err == nil {
			u = *x
			u.PasswordHash = ""
			u.HasKey = tx.Bucket(bKeys).Get(userSlotKey(n)) != nil
		}
		return err
	})
	return u, err
}

// SetUserDetails changes a person's full name and badge.
func (db *Desk) SetUserDetails(a fp.Actor, name, fullName, badge string) error {
	full, b, err := fp.CheckPersonDetails(fullName, badge)
	if err != nil {
		return err
	}
	return db.changeUser(a, name, true, fp.ActionUserDetails, func(tx *tx, u *fp.User) ([]fp.Change, error) {
		var ch []fp.Change
		if u.FullName != full {
			ch = append(ch, fp.Change{Field: "full name", Old: u.FullName, New: full})
		}
		if u.Badge != b {
			ch = append(ch, fp.Change{Field: "badge", Old: u.Badge, New: b})
		}
		if len(ch) == 0 {
			return nil, fp.Errorf(fp.ECONFLICT, "nothing changed: the account already has that name and badge")
		}
		u.FullName, u.Badge = full, b
		return ch, nil
	})
}

// lastAdmin reports whether u is the only enabled administrator.
func lastAdmin(tx *tx, u *fp.User) bool {
	if u.Role != fp.RoleAdmin || u.Disabled {
		return false
	}
	others := 0
	tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
		var o fp.User
		if json.Unmarshal(v, &o) == nil && o.Name != u.Name && o.Role == fp.RoleAdmin && !o.Disabled {
			others++
		}
		return nil
	})
	return others == 0
}

func (db *Desk) ListUsers() (out []fp.User, err error) {
	err = db.view(func(tx *tx) error {
		return tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
			var u fp.User
			if err := json.Unmarshal(v, &u); err != nil {
				return fp.Internal("an account cannot be read", err)
			}
			u.PasswordHash = ""
			u.HasKey = tx.Bucket(bKeys).Get(userSlotKey(u.Name)) != nil
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// changeUser applies fn to an account as an admin (or, with self, the user
// themself), with its audit entry, in one transaction.
func (db *Desk) changeUser(a fp.Actor, name string, self bool, action string, fn func(tx *tx, u *fp.User) ([]fp.Change, error)) error {
	name, err := fp.NormalizeUserName(name)
	if err != nil {
		return err
	}
	err = db.update(func(tx *tx) error {
		actor, err := authorize(tx, a)
		if err != nil {
			return err
		}
		if !(self && actor.Name == name) {
			if err := fp.CheckManageUsers(actor); err != nil {
				return err
			}
		}
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		changes, err := fn(tx, u)
		if err != nil {
			return err
		}
		if err := putUser(tx, u); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: actor.Name, Action: action, Subject: name, Changes: changes})
	})
	return wrap(err, "the account was not changed")
}

func (db *Desk) DisableUser(a fp.Actor, name string) error {
	return db.changeUser(a, name, false, fp.ActionUserDisable, func(tx *tx, u *fp.User) ([]fp.Change, error) {
		if u.Name == a.Name {
			return nil, fp.Errorf(fp.EINVALID, "you cannot disable your own account")
		}
		if u.Disabled {
			return nil, fp.Errorf(fp.ECONFLICT, "the account %s is already disabled", u.Name)
		}
		if lastAdmin(tx, u) {
			return nil, fp.Errorf(fp.EFORBIDDEN, "%s is the only enabled administrator: add or enable another administrator first, or nobody could manage the accounts", u.Name)
		}
		u.Disabled = true
		// Its key slot goes too: the password it knew opens nothing now.
		if err := tx.Bucket(bKeys).Delete(userSlotKey(u.Name)); err != nil {
			return nil, err
		}
		return []fp.Change{{Field: "disabled", Old: "false", New: "true"}}, nil
	})
}

// EnableUser lets a disabled account sign in again.
func (db *Desk) EnableUser(a fp.Actor, name string) error {
	return db.changeUser(a, name, false, fp.ActionUserEnable, func(_ *tx, u *fp.User) ([]fp.Change, error) {
		if !u.Disabled {
			return nil, fp.Errorf(fp.ECONFLICT, "the account %s is not disabled", u.Name)
		}
		u.Disabled = false
		u.RegisterSuccess() // a fresh start: old failures do not lock it at once
		return []fp.Change{{Field: "disabled", Old: "true", New: "false"}}, nil
	})
}

func (db *Desk) UnlockUser(a fp.Actor, name string) error {
	return db.changeUser(a, name, false, fp.ActionUserUnlock, func(_ *tx, u *fp.User) ([]fp.Change, error) {
		u.RegisterSuccess()
		return nil, nil
	})
}

func (db *Desk) SetPassword(a fp.Actor, name, password string) error {
	n, err := fp.NormalizeUserName(name)
	if err != nil {
		return err
	}
	if err := fp.CheckPassword(n, password, db.IsDemo()); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return fp.Internal("cannot hash the password", err)
	}
	slot, err := db.slotIfKeys(n, password)
	if err != nil {
		return wrap(err, "the password was not changed")
	}
	return db.changeUser(a, n, true, fp.ActionUserPassword, func(tx *tx, u *fp.User) ([]fp.Change, error) {
		u.PasswordHash = hash
		if err := putSlotIfKeys(tx, n, slot); err != nil {
			return nil, err
		}
		return []fp.Change{{Field: "password", New: "changed"}}, nil
	})
}

// dummyHash stands in for an unknown name's hash: checking a password
// against it costs what checking a real one does (no key matches an all-zero
// key), and building it costs nothing, so the first attempt of a process is
// not slower for an unknown name than for a known one.
func dummyHash() string {
	return phc(PasswordCost, make([]byte, 16), make([]byte, argonKeyLen))
}

// errSignIn is the one answer to a wrong name or password: which of the two
// was wrong is not said.
var errSignIn = fp.Errorf(fp.EFORBIDDEN, "the user name or password is wrong")

// Authenticate checks a password. Failures are counted and audited in the
// database, so a restart does not reset them; the fifth within 15 minutes
// locks the account for 15 minutes, except the last enabled administrator's,
// which is slowed instead (fp.LastAdminDelay). A name without an account is
// answered, counted, audited and "locked" exactly like one with: neither the
// time taken nor the words tell which names exist.
func (db *Desk) Authenticate(name, password string) (fp.Actor, error) {
	name, err := fp.NormalizeUserName(name)
	if err != nil {
		return fp.Actor{}, errSignIn
	}
	var hash string
	var delay time.Duration
	var slot *vault.Slot
	var keys bool
	err = db.view(func(tx *tx) error {
		u, known, err := signInRecord(tx, name)
		if err != nil {
			return err
		}
		if known {
			hash = u.PasswordHash
			delay = u.SignInDelay(db.Now(), lastAdmin(tx, u))
		}
		if keys = keysSetUp(tx); keys {
			slot, err = getSlot(tx, userSlotKey(name))
		}
		return err
	})
	if err != nil {
		return fp.Actor{}, err
	}
	if delay > 0 {
		db.wait(delay)
	}
	if hash == "" {
		hash = dummyHash() // the same work for an unknown name
	}
	ok := checkPasswordHash(hash, password) // outside the write lock
	var office vault.Key
	var slotErr error
	if ok && slot != nil {
		office, slotErr = slot.OpenPassword(password, slotAAD(userSlotKey(name)))
	}
	defer office.Wipe()
	var actor fp.Actor
	var result error
	err = db.update(func(tx *tx) error {
		u, known, err := signInRecord(tx, name)
		if err != nil {
			return err
		}
		now := db.Now()
		put := func() error {
			if known {
				return putUser(tx, u)
			}
			return putUnknown(tx, u)
		}
		switch {
		case known && u.Disabled:
			result = fp.Errorf(fp.EFORBIDDEN, "the account %s is disabled: ask an administrator", name)
			return db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionSignInFailed, Subject: name, Note: "account disabled"})
		case u.Locked(now):
			result = fp.Errorf(fp.EFORBIDDEN, "the account %s is locked after %d failed sign-ins until %s: wait, or ask an administrator to unlock it", name, fp.LockFailures, u.LockedUntil.In(db.Location()).Format("15:04"))
			return db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionSignInFailed, Subject: name, Note: "account locked"})
		case !known || !ok || u.PasswordHash != hash:
			last := known && lastAdmin(tx, u)
			locked := u.RegisterFailure(now, last)
			if err := put(); err != nil {
				return err
			}
			result = errSignIn
			note := "wrong password"
			if !known {
				note = "no such account"
			}
			if err := db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionSignInFailed, Subject: name, Note: note}); err != nil {
				return err
			}
			if locked {
				result = fp.Errorf(fp.EFORBIDDEN, "the user name or password is wrong; after %d failed sign-ins the account %s is locked for %d minutes", fp.LockFailures, name, int(fp.LockFor.Minutes()))
				return db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionLockout, Subject: name,
					Note: fmt.Sprintf("locked until %s", u.LockedUntil.UTC().Format("2006-01-02 15:04 UTC"))})
			}
			return nil
		}
		if keys && (slot == nil || slotErr != nil) {
			// The password is right but opens no key: nothing to work on.
			result = errNoSlot(name)
			note := "no key slot"
			if slot != nil {
				result = fp.Internal("the account's key slot in "+db.where+" does not open with its password (damaged, or copied from another office): ask an administrator to set a new password for it", slotErr)
				note = "key slot does not open"
			}
			return db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionSignInFailed, Subject: name, Note: note})
		}
		u.RegisterSuccess()
		if err := putUser(tx, u); err != nil {
			return err
		}
		actor = u.Actor()
		return db.appendAudit(tx, fp.AuditEntry{User: name, Action: fp.ActionSignIn, Subject: name})
	})
	if err != nil {
		return fp.Actor{}, wrap(err, "the sign-in could not be recorded")
	}
	if result == nil && slot != nil {
		db.unlock(office)
	}
	return actor, result
}

// signInRecord is the account called name, or (known false) the failure
// record kept for a name without one.
func signInRecord(tx *tx, name string) (*fp.User, bool, error) {
	u, err := getUser(tx, name)
	if err == nil {
		return u, true, nil
	} else if fp.ErrorCode(err) != fp.ENOTFOUND {
		return nil, false, err
	}
	u = &fp.User{Name: name}
	if v := tx.Bucket(bSignIns).Get([]byte(name)); v != nil {
		if err := json.Unmarshal(v, u); err != nil {
			return nil, false, fp.Internal("a sign-in record cannot be read", err)
		}
	}
	return u, false, nil
}

func putUnknown(tx *tx, u *fp.User) error {
	v, err := json.Marshal(fp.User{Name: u.Name, Failures: u.Failures, LockedUntil: u.LockedUntil})
	if err != nil {
		return err
	}
	return tx.Bucket(bSignIns).Put([]byte(u.Name), v)
}

// IsDemo reports whether the database holds the demo office, where the
// published demo password is allowed.
func (db *Desk) IsDemo() (demo bool) {
	db.view(func(tx *tx) error { demo = tx.Bucket(bMeta).Get(kDemo) != nil; return nil })
	return demo
}

// MarkDemo marks a new, empty database as the demo office (demo.Load does).
func (db *Desk) MarkDemo() error {
	return db.update(func(tx *tx) error {
		if tx.Bucket(bUsers).Count() > 0 || tx.Bucket(bRequests).Count() > 0 {
			return fp.Errorf(fp.ECONFLICT, "this database already holds an office: demo data goes only into a new, empty database")
		}
		return tx.Bucket(bMeta).Put(kDemo, []byte{1})
	})
}
