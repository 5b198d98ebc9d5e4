package store

import (
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

func TestFirstAccountMustBeAdmin(t *testing.T) {
	db, _ := openEmpty(t)
	if _, err := db.CreateUser(nil, "mlopez", fp.RoleClerk, testPassword); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("first account as clerk: %v", err)
	}
	if _, err := db.CreateUser(nil, "root", fp.RoleAdmin, "short"); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if _, err := db.CreateUser(nil, "root", fp.RoleAdmin, "password12345"); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("common password: %v", err)
	}
	if _, err := db.CreateUser(nil, "Root", fp.RoleAdmin, testPassword); err != nil {
		t.Fatal(err)
	}
	// Once an account exists, creating one needs an administrator.
	if _, err := db.CreateUser(nil, "eve", fp.RoleAdmin, testPassword); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("second bootstrap: %v", err)
	}
	if _, err := db.CreateUser(&fp.Actor{Name: "root", Role: fp.RoleAdmin}, "mlopez", fp.RoleClerk, testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(&clerk, "eve", fp.RoleDirector, testPassword); fp.ErrorCode(err) != fp.EFORBIDDEN {
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
	db.bolt.View(func(tx *bolt.Tx) error {
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
	if _, err := db.CreateUser(&admin, "akumar", fp.RoleDirector, testPassword); err != nil {
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
