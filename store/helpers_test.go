package store

import (
	"os"
	"path/filepath"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/workflow"
)

// The store's tests are about the file: opening, moving an older layout,
// surviving a crash. What the office does with it is tested in workflow.

var (
	clerk    = fp.Actor{Name: "mlopez", Role: fp.RoleClerk}
	admin    = fp.Actor{Name: "root", Role: fp.RoleAdmin}
	fixedNow = fixture.Now
)

func TestMain(m *testing.M) {
	workflow.PasswordCost = workflow.TestCost
	os.Exit(m.Run())
}

func sample() fp.RequestInput { return fixture.Request() }

func mustParse(t testing.TB, in fp.RequestInput) *fp.Request {
	t.Helper()
	r, _, err := in.Parse(fp.DateOf(fixedNow()))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// openTemp opens a new database with an administrator and a clerk.
func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = fixedNow
	t.Cleanup(func() { db.Close() })
	if err := ensureStaff(db); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// ensureStaff creates the accounts that do not exist yet (a crash test's
// child may have been killed between the two).
func ensureStaff(db *DB) error {
	if n, _ := db.CountUsers(); n == 0 {
		if _, err := db.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: "Rosa Ortiz", Role: admin.Role, Password: fixture.Password}); err != nil {
			return err
		}
	}
	if _, err := db.FindUser(clerk.Name); err == nil {
		return nil
	}
	_, err := db.CreateUser(&admin, fp.NewUser{Name: clerk.Name, FullName: "María López", Role: clerk.Role, Password: fixture.Password})
	return err
}

func checkClean(t *testing.T, db *DB) {
	t.Helper()
	for _, err := range db.Check() {
		t.Error(err)
	}
}
