package workflow

import (
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

func TestFirstAccountMustBeAdmin(t *testing.T) {
	db, _ := openEmpty(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "mlopez", FullName: "Staff Member", Role: fp.RoleClerk, Password: testPassword}); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("first account as clerk: %v", err)
	}
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Staff Member", Role: fp.RoleAdmin, Password: "short"}); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Staff Member", Role: fp.RoleAdmin, Password: "password12345"}); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("common password: %v", err)
	}
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "Root", FullName: "Staff Member", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	// Once an account exists, creating one needs an administrator.
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "eve", FullName: "Staff Member", Role: fp.RoleAdmin, Password: testPassword}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("second bootstrap: %v", err)
	}
	if _, err := db.CreateUser(&fp.Actor{Name: "root", Role: fp.RoleAdmin}, fp.NewUser{Name: "mlopez", FullName: "Staff Member", Role: fp.RoleClerk, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(&clerk, fp.NewUser{Name: "eve", FullName: "Staff Member", Role: fp.RoleDirector, Password: testPassword}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk created an account: %v", err)
	}
	us, _ := db.ListUsers()
	if len(us) != 2 || us[0].PasswordHash != "" {
		t.Fatalf("ListUsers %+v", us)
	}
}

func TestPasswordHashIsArgon2idAtOWASPMinimum(t *testing.T) {
	// The one test at the production cost: every other test hashes cheaply.
	saved := PasswordCost
	PasswordCost = ProductionCost
	defer func() { PasswordCost = saved }()
	db, _ := openTemp(t)
	var hash string
	db.view(func(tx *tx) error {
		u, err := getUser(tx, "mlopez")
		if err == nil {
			hash = u.PasswordHash
		}
		return err
	})
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", hash)
	}
	if !checkPasswordHash(hash, testPassword) || checkPasswordHash(hash, testPassword+"x") {
		t.Fatal("hash does not verify")
	}
}

func TestLockoutSurvivesReopen(t *testing.T) {
	db, path := openTemp(t)
	start := fixedNow()
	now := start
	db.Now = func() time.Time { return now }
	for i := 0; i < fp.LockFailures-1; i++ {
		if _, err := db.Authenticate("mlopez", "wrong password!"); fp.ErrorCode(err) != fp.EFORBIDDEN {
			t.Fatalf("attempt %d: %v", i, err)
		}
		now = now.Add(time.Minute)
	}
	db = reopen(t, db, path)
	db.Now = func() time.Time { return now }
	_, err := db.Authenticate("mlopez", "wrong password!")
	if !strings.Contains(fp.ErrorMessage(err), "locked") {
		t.Fatalf("fifth failure did not lock: %v", err)
	}
	db = reopen(t, db, path)
	db.Now = func() time.Time { return now }
	if _, err := db.Authenticate("mlopez", testPassword); !strings.Contains(fp.ErrorMessage(err), "locked") {
		t.Fatalf("the right password opened a locked account after a restart: %v", err)
	}
	// An admin unlocks; or the lock runs out.
	if err := db.UnlockUser(clerk, "mlopez"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk unlocked: %v", err)
	}
	if err := db.UnlockUser(admin, "mlopez"); err != nil {
		t.Fatal(err)
	}
	if a, err := db.Authenticate("MLopez", testPassword); err != nil || a != clerk {
		t.Fatalf("after unlock: %v %v", a, err)
	}
	// Failures spread over more than the window do not lock.
	for i := 0; i < 2*fp.LockFailures; i++ {
		now = now.Add(4 * time.Minute)
		if _, err := db.Authenticate("jchen", "wrong password!"); strings.Contains(fp.ErrorMessage(err), "locked") {
			t.Fatalf("locked by failures %v apart", 4*time.Minute)
		}
	}
}

func TestDisabledAccountCannotAct(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.DisableUser(admin, "mlopez"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate("mlopez", testPassword); !strings.Contains(fp.ErrorMessage(err), "disabled") {
		t.Fatalf("sign-in: %v", err)
	}
	// A session signed in before the account was disabled cannot act either.
	if _, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("disabled account saved a request: %v", err)
	}
	if _, err := db.CreateRequest(fp.Actor{Name: "ghost", Role: fp.RoleDirector}, mustParse(t, sample()), fp.SaveOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a made-up actor saved a request: %v", err)
	}
	if err := db.DisableUser(admin, "root"); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("admin disabled themself: %v", err)
	}
}

func TestForgedRoleIsIgnored(t *testing.T) {
	db, _ := openTemp(t)
	in := sample()
	in.Category, in.Household = "other", nil
	in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked = "2026-10-01", "Los Angeles ASC", "family emergency", "yes"
	r, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	forged := fp.Actor{Name: "mlopez", Role: fp.RoleDirector} // the clerk claims to be a director
	if _, err := db.TransitionRequest(forged, r.ID, fp.StatusReadyToSchedule, "approved"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("forged director role decided an All others request: %v", err)
	}
}

func TestSeparationOfDuties(t *testing.T) {
	db, _ := openTemp(t)
	if _, err := db.CreateUser(&admin, fp.NewUser{Name: "akumar", FullName: "Staff Member", Role: fp.RoleDirector, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	second := fp.Actor{Name: "akumar", Role: fp.RoleDirector}
	r, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	completeChecklist(t, db, clerk, r.ID)
	if _, err := db.TransitionRequest(director, r.ID, fp.StatusDirectorReview, "needs a decision"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransitionRequest(director, r.ID, fp.StatusReadyToSchedule, "fine"); fp.ErrorCode(err) != fp.EFORBIDDEN ||
		!strings.Contains(fp.ErrorMessage(err), "separation of duties") {
		t.Fatalf("a director approved their own referral: %v", err)
	}
	got, err := db.TransitionRequest(second, r.ID, fp.StatusReadyToSchedule, "capacity allows it")
	if err != nil || got.Status != fp.StatusReadyToSchedule {
		t.Fatalf("another director: %v", err)
	}
}

// The demo mark: only an empty file takes it, and only a marked file
// accepts the published demo password.
func TestDemoMark(t *testing.T) {
	db, _ := openEmpty(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Rosa Ortiz", Role: fp.RoleAdmin, Password: fp.DemoPassword}); fp.ErrorCode(err) != fp.EINVALID ||
		!strings.Contains(fp.ErrorMessage(err), "demo accounts' password") {
		t.Fatalf("the demo password on a real account: %v", err)
	}
	if err := db.MarkDemo(); err != nil || !db.IsDemo() {
		t.Fatalf("mark: %v", err)
	}
	if _, err := db.CreateUser(nil, fp.NewUser{Name: "root", FullName: "Rosa Ortiz", Role: fp.RoleAdmin, Password: fp.DemoPassword}); err != nil {
		t.Fatalf("the demo password in the demo: %v", err)
	}
	real, _ := openTemp(t)
	if err := real.MarkDemo(); fp.ErrorCode(err) != fp.ECONFLICT || real.IsDemo() {
		t.Fatalf("a database with accounts marked as the demo: %v", err)
	}
}

// The only administrator cannot be locked out by anyone typing wrong
// passwords: failures are counted and audited, and once they would lock
// another account each attempt waits LastAdminDelay; the right password
// still opens it. With a second administrator the lock applies again.
func TestLastAdminIsSlowedNotLocked(t *testing.T) {
	db, _ := openTemp(t)
	now := fixedNow()
	db.Now = func() time.Time { return now }
	var waited []time.Duration
	db.wait = func(d time.Duration) { waited = append(waited, d) }
	for i := 0; i < 3*fp.LockFailures; i++ {
		_, err := db.Authenticate("root", "wrong password!")
		if fp.ErrorMessage(err) != "the user name or password is wrong" {
			t.Fatalf("attempt %d on the only administrator: %v", i, err)
		}
	}
	if len(waited) != 2*fp.LockFailures || waited[0] != fp.LastAdminDelay {
		t.Fatalf("waited %v", waited)
	}
	if a, err := db.Authenticate("root", testPassword); err != nil || a != admin {
		t.Fatalf("the right password after an attack: %v %v", a, err)
	}
	es, _ := db.FindAudit(admin, fp.AuditFilter{Action: fp.ActionSignInFailed, User: "root"})
	if len(es) != 3*fp.LockFailures {
		t.Errorf("%d failures audited", len(es))
	}
	// Nor can another administrator disable them.
	if err := db.DisableUser(fp.Actor{Name: "mlopez", Role: fp.RoleAdmin}, "root"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk claiming admin disabled the administrator: %v", err)
	}
	// A second administrator: now the first one locks like anyone.
	if _, err := db.CreateUser(&admin, fp.NewUser{Name: "second", FullName: "Sam Second", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	var err error
	for i := 0; i < fp.LockFailures; i++ {
		_, err = db.Authenticate("root", "wrong password!")
	}
	if !strings.Contains(fp.ErrorMessage(err), "locked") {
		t.Fatalf("with two administrators: %v", err)
	}
	// And the last one standing cannot be disabled.
	second := fp.Actor{Name: "second", Role: fp.RoleAdmin}
	if err := db.DisableUser(second, "root"); err != nil {
		t.Fatal(err)
	}
	if err := db.DisableUser(admin, "second"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a disabled administrator disabled the last one: %v", err)
	}
	if err := db.EnableUser(second, "root"); err != nil {
		t.Fatal(err)
	}
	if err := db.DisableUser(admin, "second"); err != nil {
		t.Fatalf("with another administrator: %v", err)
	}
	if err := db.DisableUser(admin, "root"); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("disabled oneself: %v", err)
	}
	checkClean(t, db)
}

// A name without an account gets the same answers as one with: counted,
// audited, "locked" after five tries, with the same words.
func TestUnknownNamesAnsweredAlike(t *testing.T) {
	db, _ := openTemp(t)
	now := fixedNow()
	db.Now = func() time.Time { return now }
	var known, unknown []string
	for i := 0; i < fp.LockFailures+1; i++ {
		_, a := db.Authenticate("mlopez", "wrong password!")
		_, b := db.Authenticate("mlopeez", "wrong password!")
		known = append(known, strings.ReplaceAll(fp.ErrorMessage(a), "mlopez", "NAME"))
		unknown = append(unknown, strings.ReplaceAll(fp.ErrorMessage(b), "mlopeez", "NAME"))
	}
	if strings.Join(known, "\n") != strings.Join(unknown, "\n") {
		t.Errorf("answers differ:\nknown:   %q\nunknown: %q", known, unknown)
	}
	es, _ := db.FindAudit(admin, fp.AuditFilter{Action: fp.ActionSignInFailed, User: "mlopeez"})
	if len(es) != fp.LockFailures+1 {
		t.Errorf("%d failures of the unknown name audited", len(es))
	}
	checkClean(t, db)
}

// One sign-in of a known and of an unknown name: the same argon2id work
// (at the production cost; the figure is in docs/PERFORMANCE.md).
func BenchmarkSignIn(b *testing.B) {
	saved := PasswordCost
	PasswordCost = ProductionCost
	defer func() { PasswordCost = saved }()
	db, _ := openTemp(b)
	for _, name := range []string{"mlopez", "nobody"} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				db.Authenticate(name, "wrong password!") // both lock after five: the same path on
				// (the hash is checked before the lock is looked at)
			}
		})
	}
}
