package fieldprint

import "testing"

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
