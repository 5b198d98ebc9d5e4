package fieldprint

import (
	"testing"
	"time"
)

func TestAuditEntryDescribe(t *testing.T) {
	for _, tc := range []struct {
		e    AuditEntry
		want string
	}{
		{AuditEntry{Action: ActionRequestCreate}, "recorded the request"},
		{AuditEntry{Action: ActionRequestEdit, Changes: []Change{{Field: "a_number", Old: "", New: "A012345678"}}}, `changed a number from "" to "A012345678"`},
		{AuditEntry{Action: ActionRequestTransition, Changes: []Change{{Field: "status", Old: "new", New: "withdrawn"}}, Note: "returned to the U.S."}, "from New to Withdrawn — returned to the U.S."},
		{AuditEntry{Action: ActionRecordPrint, Note: "record, copy 2, sha256 ab"}, "printed — record, copy 2, sha256 ab"},
		{AuditEntry{Action: ActionUserCreate, User: "root", Subject: "mlopez", Changes: []Change{{Field: "role", New: "clerk"}}}, "account mlopez; role: clerk"},
		{AuditEntry{Action: ActionSignInFailed, User: "mlopez", Subject: "mlopez", Note: "wrong password"}, "wrong password"},
	} {
		if got := tc.e.Describe(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.e.Action, got, tc.want)
		}
	}
}

// An entry without a desk hashes as it did before entries named desks (the
// hash pinned here was computed by the build before the field existed),
// and the desk, once set, is covered by the hash.
func TestAuditHashWithDesk(t *testing.T) {
	e := AuditEntry{Seq: 7, At: time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC), User: "mlopez", Action: ActionRequestEdit,
		Request: "FP-2026-00042", Sealed: []byte{1, 2, 3}, Record: "ab", PrevHash: GenesisHash}
	const before = "89022544149de52527907ead688d582505d3183ba2448b47c466b516481e8e4d"
	if got := e.ComputeHash(); got != before {
		t.Errorf("an entry without a desk hashes to %s, before desks it was %s: old chains would not verify", got, before)
	}
	e.Desk = "Intake 1"
	withDesk := e.ComputeHash()
	if withDesk == before {
		t.Error("the desk is not covered by the hash")
	}
	e.Desk = "Intake 2"
	if e.ComputeHash() == withDesk {
		t.Error("changing the desk does not change the hash")
	}
}
