package workflow

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

const newPassword = "a different long passphrase"

func wantCode(t *testing.T, what string, err error, code string, words string) {
	t.Helper()
	if fp.ErrorCode(err) != code || !strings.Contains(fp.ErrorMessage(err), words) {
		t.Fatalf("%s: %v (code %q), want %s saying %q", what, err, fp.ErrorCode(err), code, words)
	}
}

// The office key in its slots: made with the first administrator, opened
// by each account's own password, re-wrapped when a password changes,
// removed with a disabled account, and recoverable with the recovery key.
func TestOfficeKeySlots(t *testing.T) {
	db, path := openEmpty(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: "Rosa Ortiz", Role: fp.RoleAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if set, _ := db.KeysSetUp(); set || db.Unlocked() {
		t.Fatal("keys before the administrator made them")
	}
	_, err := db.SetUpKeys(admin, "not the password at all")
	wantCode(t, "SetUpKeys with a wrong password", err, fp.EFORBIDDEN, "wrong")
	_, err = db.SetUpKeys(clerk, testPassword)
	wantCode(t, "SetUpKeys by a clerk who does not exist", err, fp.EFORBIDDEN, "")
	printed, err := db.SetUpKeys(admin, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.ParseRecoveryKey(printed); err != nil || !db.Unlocked() {
		t.Fatalf("recovery key %q: %v; unlocked %v", printed, err, db.Unlocked())
	}
	_, err = db.SetUpKeys(admin, testPassword)
	wantCode(t, "SetUpKeys twice", err, fp.ECONFLICT, "already")

	// A new account gets its slot from the unlocked key; a locked desk
	// cannot make one.
	if _, err := db.CreateUser(&admin, fp.NewUser{Name: clerk.Name, FullName: "María López", Role: fp.RoleClerk, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	_, err = db.CreateUser(&admin, fp.NewUser{Name: director.Name, FullName: "James Chen", Role: fp.RoleDirector, Password: testPassword})
	wantCode(t, "CreateUser while locked", err, fp.EFORBIDDEN, "sign in first")
	if _, err := db.Authenticate(clerk.Name, testPassword); err != nil || !db.Unlocked() {
		t.Fatalf("the clerk's sign-in: %v, unlocked %v", err, db.Unlocked())
	}
	if _, err := db.CreateUser(&admin, fp.NewUser{Name: director.Name, FullName: "James Chen", Role: fp.RoleDirector, Password: testPassword}); err != nil {
		t.Fatal(err)
	}

	// A new password: the old one opens nothing, the new one does.
	if err := db.SetPassword(admin, clerk.Name, newPassword); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	_, err = db.Authenticate(clerk.Name, testPassword)
	wantCode(t, "the old password", err, fp.EFORBIDDEN, "wrong")
	if db.Unlocked() {
		t.Fatal("a failed sign-in unlocked the desk")
	}
	if _, err := db.Authenticate(clerk.Name, newPassword); err != nil || !db.Unlocked() {
		t.Fatalf("the new password: %v", err)
	}

	// Disabled: the slot goes; enabled again, the account needs a new
	// password before it opens anything.
	if err := db.DisableUser(admin, clerk.Name); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FindUser(clerk.Name); u.HasKey {
		t.Fatal("a disabled account kept its key slot")
	}
	if err := db.EnableUser(admin, clerk.Name); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	_, err = db.Authenticate(clerk.Name, newPassword)
	wantCode(t, "enabled without a slot", err, fp.EFORBIDDEN, "set a new password")
	if db.Unlocked() {
		t.Fatal("a sign-in without a slot unlocked the desk")
	}
	if _, err := db.Authenticate(admin.Name, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(admin, clerk.Name, testPassword); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FindUser(clerk.Name); !u.HasKey {
		t.Fatal("the new password made no slot")
	}

	// A slot moved onto another account does not open there.
	db.update(func(tx *tx) error {
		v := tx.Bucket(bKeys).Get(userSlotKey(admin.Name))
		return tx.Bucket(bKeys).Put(userSlotKey(director.Name), v)
	})
	db.Lock()
	_, err = db.Authenticate(director.Name, testPassword)
	wantCode(t, "a copied slot", err, fp.EINTERNAL, "does not open")

	// Recovery: the administrator's password forgotten.
	other, _ := vault.NewRecoveryKey()
	for _, c := range []struct{ key, name, code, words string }{
		{"ABCD-EFGH", admin.Name, fp.EINVALID, "not the recovery key"},
		{other.String(), admin.Name, fp.EFORBIDDEN, "another office"},
		{printed, clerk.Name, fp.EFORBIDDEN, "administrator's password only"},
		{printed, "nobody", fp.ENOTFOUND, ""},
	} {
		wantCode(t, "Recover "+c.name, db.Recover(c.key, c.name, newPassword), c.code, c.words)
	}
	wantCode(t, "Recover with a short password", db.Recover(printed, admin.Name, "short"), fp.EINVALID, "")
	if db.Unlocked() {
		t.Fatal("a failed recovery unlocked the desk")
	}
	if err := db.Recover(strings.ToLower(printed), admin.Name, newPassword); err != nil || !db.Unlocked() {
		t.Fatalf("Recover: %v", err)
	}
	db = reopen(t, db, path)
	if _, err := db.Authenticate(admin.Name, newPassword); err != nil {
		t.Fatalf("the recovered password after reopening: %v", err)
	}

	// A new recovery key: the printed one stops working.
	fresh, err := db.NewRecoveryKey(admin)
	if err != nil || fresh == printed {
		t.Fatalf("NewRecoveryKey: %q, %v", fresh, err)
	}
	wantCode(t, "the replaced recovery key", db.Recover(printed, admin.Name, testPassword), fp.EFORBIDDEN, "newer one")
	_, err = db.NewRecoveryKey(clerk)
	wantCode(t, "NewRecoveryKey by a clerk", err, fp.EFORBIDDEN, "")

	// Nothing secret is stored: not the key, not a password, not the
	// recovery key, and the audit names no secret.
	key, _ := db.officeKeyCopy()
	var found []string
	db.view(func(tx *tx) error {
		return tx.r.Scan(nil, nil, false, func(k, v []byte) (bool, error) {
			for _, secret := range [][]byte{key[:], []byte(testPassword), []byte(newPassword), []byte(printed), []byte(fresh),
				[]byte(strings.ReplaceAll(printed, "-", "")), []byte(strings.ReplaceAll(fresh, "-", ""))} {
				if bytes.Contains(v, secret) || bytes.Contains(k, secret) {
					found = append(found, string(k))
				}
			}
			return true, nil
		})
	})
	if len(found) > 0 {
		t.Fatalf("secrets stored under %q", found)
	}
	es, _ := db.FindAudit(admin, fp.AuditFilter{})
	actions := map[string]int{}
	for _, e := range es {
		actions[e.Action]++
		b, _ := json.Marshal(e)
		if bytes.Contains(b, []byte(printed)) || bytes.Contains(b, []byte(fresh)) {
			t.Fatalf("audit entry %d holds a recovery key", e.Seq)
		}
	}
	if actions[fp.ActionKeysSetUp] != 1 || actions[fp.ActionKeysRecover] != 1 || actions[fp.ActionKeysRecovery] != 1 {
		t.Fatalf("key actions audited: %v", actions)
	}
	checkClean(t, db)
}
