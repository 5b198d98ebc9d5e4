package fieldprint

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// User is a staff account. The password hash is the store's business; the
// lockout counters live here so restarting the app does not reset them.
type User struct {
	Name string `json:"name"`
	// FullName and Badge are who the person is on paper: a stamped notice
	// and a day sheet print them, not the login name.
	FullName     string      `json:"full_name,omitempty"`
	Badge        string      `json:"badge,omitempty"`
	Role         Role        `json:"role"`
	Disabled     bool        `json:"disabled,omitempty"`
	PasswordHash string      `json:"password_hash"`
	Failures     []time.Time `json:"failures,omitempty"` // failed sign-ins inside the lockout window
	LockedUntil  time.Time   `json:"locked_until,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	CreatedBy    string      `json:"created_by"`
	// HasKey: the account has a slot of the office data key (filled when
	// read, never stored here). Without one it cannot sign in once the
	// office has keys, until an administrator sets a new password.
	HasKey bool `json:"-"`
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

// Display is the person as paper names them: "Ana López (badge 4411)", the
// full name alone, or the login name for an account made before full names.
func (u User) Display() string {
	n := u.FullName
	if n == "" {
		n = u.Name
	}
	if u.Badge != "" {
		n += " (badge " + u.Badge + ")"
	}
	return n
}

// NewUser is an account as an administrator creates it.
type NewUser struct {
	Name     string // the login name
	FullName string
	Badge    string // optional: a badge or officer number
	Role     Role
	Password string
}

// CheckPersonDetails normalises a staff member's full name and badge.
func CheckPersonDetails(fullName, badge string) (string, string, error) {
	name, ok := cleanText(fullName, false)
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case !ok:
		return "", "", Errorf(EINVALID, "the full name contains a control character; retype it")
	case name == "":
		return "", "", Errorf(EINVALID, "give the person's full name: stamped notices and day sheets print it")
	case utf8.RuneCountInString(name) > 80:
		return "", "", Errorf(EINVALID, "the full name is longer than 80 characters")
	}
	badge = strings.ToUpper(strings.TrimSpace(badge))
	if len(badge) > 20 {
		return "", "", Errorf(EINVALID, "the badge or officer number is longer than 20 characters")
	}
	for _, r := range badge {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return "", "", Errorf(EINVALID, "the badge or officer number %q may hold only letters, digits and dashes", badge)
		}
	}
	return name, badge, nil
}

// LastAdminDelay is how long each sign-in of the only enabled administrator
// waits once failures would lock any other account. It is never locked:
// nobody could unlock it, and anyone could lock the office out of its own
// accounts by typing wrong passwords. A delay slows a guesser and still lets
// the real administrator in.
const LastAdminDelay = 10 * time.Second

// SignInDelay is how long an attempt to sign in to u waits before its
// password is checked: LastAdminDelay for the last administrator after
// LockFailures recent failures, otherwise nothing.
func (u *User) SignInDelay(now time.Time, lastAdmin bool) time.Duration {
	if !lastAdmin {
		return 0
	}
	recent := 0
	for _, t := range u.Failures {
		if now.Sub(t) < LockWindow {
			recent++
		}
	}
	if recent >= LockFailures {
		return LastAdminDelay
	}
	return 0
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// RegisterFailure records a failed sign-in and reports whether it locked
// the account. The last enabled administrator is never locked (see
// LastAdminDelay): its failures are only counted.
func (u *User) RegisterFailure(now time.Time, lastAdmin bool) bool {
	kept := u.Failures[:0]
	for _, t := range u.Failures {
		if now.Sub(t) < LockWindow {
			kept = append(kept, t)
		}
	}
	u.Failures = append(kept, now)
	if lastAdmin {
		return false
	}
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

// DemoPassword is the demo accounts' password, published in the README: a
// real account may never have it.
const DemoPassword = "demo-only-not-secret"

// CheckPassword applies the password policy and says how to comply. demo:
// the account is in a demo database, where the published password is the point.
func CheckPassword(user, pw string, demo bool) error {
	n := utf8.RuneCountInString(pw)
	lower, reversed := strings.ToLower(pw), []rune(strings.ToLower(user))
	slices.Reverse(reversed)
	switch {
	case pw == DemoPassword && !demo:
		return Errorf(EINVALID, "that is the demo accounts' password, printed in the instructions: choose another")
	case user != "" && len(reversed) > 2 && strings.Contains(lower, string(reversed)):
		return Errorf(EINVALID, "the password must not contain the user name, backwards either")
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
	CreateUser(a *Actor, n NewUser) (*User, error)
	// ListUsers and FindUser return accounts without their password hashes.
	ListUsers() ([]User, error)
	FindUser(name string) (User, error)
	// SetUserDetails changes a person's full name and badge: an admin for
	// anyone, a user for themself.
	SetUserDetails(a Actor, name, fullName, badge string) error
	// DisableUser refuses the last enabled administrator; EnableUser lets a
	// disabled account sign in again.
	DisableUser(a Actor, name string) error
	EnableUser(a Actor, name string) error
	UnlockUser(a Actor, name string) error
	// SetPassword: an admin for anyone, a user for themself.
	SetPassword(a Actor, name, password string) error
	// Authenticate checks a password, counting failures and locking as the
	// rule says, and unlocks the office's data key with it.
	Authenticate(name, password string) (Actor, error)
	// KeysSetUp: the office has its data key. SetUpKeys makes it at an
	// administrator's sign-in on a database from before keys and returns the
	// recovery key to show once; NewRecoveryKey replaces that key; Recover
	// sets an administrator's password with it. Lock forgets the key.
	KeysSetUp() (bool, error)
	SetUpKeys(a Actor, password string) (recoveryKey string, err error)
	NewRecoveryKey(a Actor) (string, error)
	Recover(recoveryKey, name, password string) error
	Lock()
}

// AuditService reads and verifies the audit chain.
type AuditService interface {
	FindAudit(a Actor, f AuditFilter) ([]AuditEntry, error)
	VerifyAudit(cp *Checkpoint) (Checkpoint, *AuditProblem, error)
	// VerifyHistory verifies the chain, every request record against it,
	// and the newest signed checkpoint in the office's checkpoint folder.
	VerifyHistory() (AuditReport, error)
	// DescribeReport words a verification for people.
	DescribeReport(AuditReport) string
	// CheckpointFolder is where signed checkpoints are written ("": none);
	// SetCheckpointFolder (administrators) changes it; CheckpointError is
	// the last failure to write one (nil: none).
	CheckpointFolder() (string, error)
	SetCheckpointFolder(a Actor, dir string) error
	CheckpointError() error
	// RecordPrint audits that a document about a request was printed.
	RecordPrint(a Actor, id RequestID, document, sha256 string) (copy int, err error)
}
