package fieldprint

import (
	"strings"
	"time"
	"unicode/utf8"
)

// User is a staff account. The password hash is the store's business; the
// lockout counters live here so restarting the app does not reset them.
type User struct {
	Name         string      `json:"name"`
	Role         Role        `json:"role"`
	Disabled     bool        `json:"disabled,omitempty"`
	PasswordHash string      `json:"password_hash"`
	Failures     []time.Time `json:"failures,omitempty"` // failed sign-ins inside the lockout window
	LockedUntil  time.Time   `json:"locked_until,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	CreatedBy    string      `json:"created_by"`
}

// Lockout rule: LockFailures failed sign-ins within LockWindow lock the
// account for LockFor.
const (
	LockFailures      = 5
	LockWindow        = 15 * time.Minute
	LockFor           = 15 * time.Minute
	MinPasswordLength = 12
	maxPasswordLength = 128
)

// Actor returns who the user acts as.
func (u *User) Actor() Actor { return Actor{Name: u.Name, Role: u.Role} }

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// RegisterFailure records a failed sign-in and reports whether it locked the account.
func (u *User) RegisterFailure(now time.Time) bool {
	kept := u.Failures[:0]
	for _, t := range u.Failures {
		if now.Sub(t) < LockWindow {
			kept = append(kept, t)
		}
	}
	u.Failures = append(kept, now)
	if len(u.Failures) >= LockFailures {
		u.LockedUntil = now.Add(LockFor)
		u.Failures = nil
		return true
	}
	return false
}

// RegisterSuccess clears the failure count.
func (u *User) RegisterSuccess() { u.Failures, u.LockedUntil = nil, time.Time{} }

// ParseRole accepts clerk, director or admin.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleClerk, RoleDirector, RoleAdmin:
		return r, nil
	}
	return "", Errorf(EINVALID, "role %q is not known: use clerk, director or admin", s)
}

// NormalizeUserName returns the account name in canonical form: lower-case
// letters, digits, dot, dash and underscore, 2 to 32 characters.
func NormalizeUserName(s string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if len(n) < 2 || len(n) > 32 {
		return "", Errorf(EINVALID, "user name %q must be 2 to 32 characters, e.g. mlopez", s)
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return "", Errorf(EINVALID, "user name %q may hold only letters a-z, digits, dot, dash and underscore, e.g. mlopez", s)
		}
	}
	return n, nil
}

// commonPasswords are refused whatever their length: the top of public
// breach lists at 12 characters or more, and words an office would reach for.
var commonPasswords = map[string]bool{
	"123456789012": true, "1234567890123": true, "12345678901234": true, "qwertyuiop12": true,
	"qwertyuiopasdfgh": true, "password1234": true, "password12345": true, "password123456": true,
	"passwordpassword": true, "iloveyou1234": true, "administrator": true, "administrator1": true,
	"changeme1234": true, "letmein12345": true, "welcome12345": true, "welcome123456": true,
	"qwerty123456": true, "abc123456789": true, "111111111111": true, "000000000000": true,
	"aaaaaaaaaaaa": true, "asdfghjkl123": true, "1q2w3e4r5t6y": true, "zaq12wsxcde3": true,
	"fieldprint123": true, "fieldprint2026": true, "fingerprints1": true, "biometrics123": true,
	"uscis1234567": true, "uscispassword": true, "homeland1234": true, "passw0rd1234": true,
	"p@ssw0rd1234": true, "p@ssword1234": true, "sunshine1234": true, "football1234": true,
	"baseball1234": true, "princess1234": true, "superman1234": true, "trustno11234": true,
}

// CheckPassword applies the password policy and says how to comply.
func CheckPassword(user, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return Errorf(EINVALID, "the password has %d characters; use at least %d (a short sentence is easy to remember)", n, MinPasswordLength)
	case n > maxPasswordLength:
		return Errorf(EINVALID, "the password is longer than %d characters", maxPasswordLength)
	case commonPasswords[strings.ToLower(pw)]:
		return Errorf(EINVALID, "that password is on lists of common passwords; choose another")
	case user != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(user)):
		return Errorf(EINVALID, "the password must not contain the user name")
	case strings.Count(pw, string([]rune(pw)[0])) == n:
		return Errorf(EINVALID, "the password repeats one character; choose another")
	}
	return nil
}

// CheckManageUsers says whether a may create, disable or unlock accounts.
func CheckManageUsers(a Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only an administrator manages accounts; %s is a %s", a.Name, a.Role)
	}
	return nil
}

// UserService manages accounts and sign-in.
type UserService interface {
	// CountUsers lets the first run create the first admin without signing in.
	CountUsers() (int, error)
	// CreateUser is allowed to an admin, or to anyone while there are no users
	// (then only an admin account may be created).
	CreateUser(a *Actor, name string, role Role, password string) (*User, error)
	ListUsers() ([]User, error)
	DisableUser(a Actor, name string) error
	UnlockUser(a Actor, name string) error
	// SetPassword: an admin for anyone, a user for themself.
	SetPassword(a Actor, name, password string) error
	// Authenticate checks a password, counting failures and locking as the rule says.
	Authenticate(name, password string) (Actor, error)
}

// AuditService reads and verifies the audit chain.
type AuditService interface {
	FindAudit(a Actor, f AuditFilter) ([]AuditEntry, error)
	VerifyAudit(cp *Checkpoint) (Checkpoint, *AuditProblem, error)
	// RecordPrint audits that a document about a request was printed.
	RecordPrint(a Actor, id RequestID, document, sha256 string) (copy int, err error)
}
