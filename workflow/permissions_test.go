package workflow

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/demo"
)

// mutators lists every exported *Desk method that changes data, with how to
// call it as an actor. TestPermissionMatrix fails when a method that looks
// mutating is missing here, so a new operation cannot skip the matrix.
var mutators = map[string]func(t *testing.T, db *Desk, a fp.Actor) error{
	"CreateRequest": func(t *testing.T, db *Desk, a fp.Actor) error {
		in := sample()
		in.ReceiptNumbers, in.ANumber = "YSC2612340001", "A222333444"
		_, err := db.CreateRequest(a, mustParse(t, in), fp.SaveOptions{})
		return err
	},
	"ImportRequests": func(t *testing.T, db *Desk, a fp.Actor) error {
		in := sample()
		in.ReceiptNumbers, in.ANumber = "YSC2612340002", "A222333445"
		_, err := db.ImportRequests(a, []*fp.Request{mustParse(t, in)}, fp.SaveOptions{})
		return err
	},
	"ImportRows": func(t *testing.T, db *Desk, a fp.Actor) error {
		in := sample()
		in.ReceiptNumbers, in.ANumber, in.Basis, in.Incomplete = "YSC2612340003", "A222333446", "", true
		_, err := db.ImportRows(a, []fp.ImportRow{{Line: 2, File: "tracker.csv", Request: mustParse(t, in), Status: fp.StatusDirectorReview, Notes: "waiting"}}, fp.ImportOptions{})
		return err
	},
	"UpdateRequest": func(t *testing.T, db *Desk, a fp.Actor) error {
		r, _ := db.FindRequestByNumber("FP-2026-00001")
		in := r.Input()
		in.Phone = "+86 20 1234 5678"
		_, err := db.UpdateRequest(a, r.ID, r.Version, mustParse(t, in), fp.SaveOptions{})
		return err
	},
	"TransitionRequest": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.TransitionRequest(a, 1, fp.StatusAwaitingDocuments, "")
		return err
	},
	"AttachFile": func(t *testing.T, db *Desk, a fp.Actor) error {
		r, _ := db.FindRequestByID(1)
		_, err := db.AttachFile(a, 1, "passport/0", "passport.png", scan(r, fp.ChecklistItem{Kind: fp.DocPassport}))
		return err
	},
	"DetachFile": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.DetachFile(a, 1, "notice")
		return err
	},
	"JudgeDocument": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.JudgeDocument(a, 1, "notice", fp.Verdict{Verified: true, Shows: "A012345678"})
		return err
	},
	"TransitionRequests": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.TransitionRequests(a, []fp.StatusChange{{ID: 1, To: fp.StatusAwaitingDocuments}})
		return err
	},
	"AttachFiles": func(t *testing.T, db *Desk, a fp.Actor) error {
		r, _ := db.FindRequestByID(1)
		_, err := db.AttachFiles(a, []fp.FileToAttach{{ID: 1, Item: "passport/0", Name: "passport.png", Data: scan(r, fp.ChecklistItem{Kind: fp.DocPassport})}})
		return err
	},
	"JudgeDocuments": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.JudgeDocuments(a, []fp.Judgement{{ID: 1, Item: "notice", Verdict: fp.Verdict{Verified: true, Shows: "A012345678"}}})
		return err
	},
	"RecordPrint": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.RecordPrint(a, 1, "record", "00")
		return err
	},
	"CreateUser": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.CreateUser(&a, fp.NewUser{Name: "newcomer", FullName: "Staff Member", Role: fp.RoleClerk, Password: testPassword})
		return err
	},
	"DisableUser": func(t *testing.T, db *Desk, a fp.Actor) error { return db.DisableUser(a, "akumar") },
	"SetUpKeys": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.SetUpKeys(a, testPassword)
		return err
	},
	"NewRecoveryKey": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.NewRecoveryKey(a)
		return err
	},
	"UnlockUser": func(t *testing.T, db *Desk, a fp.Actor) error { return db.UnlockUser(a, "akumar") },
	"SetBackupConfig": func(t *testing.T, db *Desk, a fp.Actor) error {
		dir := t.TempDir()
		db.BackupSettings = filepath.Join(dir, "fieldprint.db-backup.json")
		return db.SetBackupConfig(a, dir, backup.DefaultRotation, true)
	},
	"EnableUser": func(t *testing.T, db *Desk, a fp.Actor) error { return db.EnableUser(a, "retired") },
	"SetRetention": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetRetention(a, fp.Retention{Completed: 24, Denied: 12, Withdrawn: 6})
	},
	"SetHold": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.SetHold(a, 1, true, "inquiry 7")
		return err
	},
	"PurgeByHand": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.PurgeByHand(a, secondPerson(a), testPassword, PurgeOptions{})
		return err
	},
	"PurgeConfirmed": func(t *testing.T, db *Desk, a fp.Actor) error {
		c, err := db.ConfirmPurge(a, secondPerson(a), testPassword)
		if err != nil {
			return err
		}
		if _, err := db.PurgeConfirmed(a, c, PurgeOptions{}); err != nil {
			return err
		}
		// A confirmation is good once.
		if _, err := db.PurgeConfirmed(a, c, PurgeOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
			t.Errorf("a confirmation used twice: %v", err)
		}
		return nil
	},
	"PurgeDueNow": func(t *testing.T, db *Desk, a fp.Actor) error {
		// A schedule set (without the audit entry SetRetention writes).
		if err := db.update(func(tx *tx) error { return tx.Bucket(bSettings).Put(kRetain, []byte(`{"withdrawn_months":6}`)) }); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.PurgeDueNow(a)
		return err
	},
	"SetUserDetails": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetUserDetails(a, "akumar", "Anil Kumar", "GZ-0042")
	},
	"SetPassword": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetPassword(a, "akumar", "a brand new passphrase")
	},
	"SetOffice": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetOffice(a, fp.Office{Name: "USCIS Nairobi Field Office", Address: "Gigiri, Nairobi", Signatory: "A. Director"})
	},
	"SetScheduling": func(t *testing.T, db *Desk, a fp.Actor) error {
		s := fp.DefaultScheduling()
		s.Stations = 2
		return db.SetScheduling(a, s)
	},
	"SetProfile": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetProfile(a, fp.Profile{Office: fp.Office{Name: "USCIS Nairobi Field Office", Address: "Gigiri, Nairobi", Signatory: "A. Director"},
			Scheduling: fp.DefaultScheduling()})
	},
	"Book": func(t *testing.T, db *Desk, a fp.Actor) error {
		bs, err := db.ProposeSlots(1, fp.Date{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Book(a, 1, bs, "", false)
		return err
	},
	"Reschedule": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.Reschedule(a, 1, 0, fp.Booking{Day: fp.Date{Y: 2026, M: 11, D: 24}, Start: 9 * 60, Station: 1}, "the applicant asked", false)
		return err
	},
	"CancelAppointment": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.CancelAppointment(a, 1, 0, "the applicant asked", false)
		return err
	},
	"RecordLetters": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.RecordLetters(a, []fp.RequestID{1}, "00", "", false)
		return err
	},
	"CheckInPerson": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.CheckInPerson(a, 1, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true})
		return err
	},
	"Collect": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.Collect(a, 1, fp.CollectInput{PersonID: 0, Captured: []fp.Capture{fp.CaptureFingerprints}})
		return err
	},
	"CloseDay": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, err := db.CloseDay(a, day("2026-11-23"))
		return err
	},
	"IssueStamp": func(t *testing.T, db *Desk, a fp.Actor) error {
		_, _, err := db.IssueStamp(a, 1, 0)
		return err
	},
	"SetCheckpointFolder": func(t *testing.T, db *Desk, a fp.Actor) error {
		return db.SetCheckpointFolder(a, t.TempDir())
	},
}

// onTheDay books request 1 for Monday 2026-11-23 08:00 (UTC) and sets the clock there.
func onTheDay(t *testing.T, db *Desk, hh, mm int) {
	setScheduling(t, db, testScheduling())
	makeBooked(t, db, 1)
	db.Now = at("2026-11-23", hh, mm)
}

func checkedIn(t *testing.T, db *Desk) {
	onTheDay(t, db, 8, 1)
	if _, err := db.CheckInPerson(clerk, 1, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true}); err != nil {
		t.Fatal(err)
	}
}

// setups bring request 1 to where an operation applies, as the real clerk,
// before the audit trail is counted.
var setups = map[string]func(t *testing.T, db *Desk){
	"Book":              func(t *testing.T, db *Desk) { makeReady(t, db, 1) },
	"SetUpKeys":         forgetKeys,
	"Reschedule":        func(t *testing.T, db *Desk) { makeBooked(t, db, 1) },
	"CancelAppointment": func(t *testing.T, db *Desk) { makeBooked(t, db, 1) },
	"RecordLetters":     func(t *testing.T, db *Desk) { makeBooked(t, db, 1) },
	"CheckInPerson":     func(t *testing.T, db *Desk) { onTheDay(t, db, 8, 1) },
	"Collect":           checkedIn,
	"CloseDay":          func(t *testing.T, db *Desk) { onTheDay(t, db, 13, 0) },
	"IssueStamp": func(t *testing.T, db *Desk) {
		checkedIn(t, db)
		setOffice(t, db)
		if _, err := db.Collect(clerk, 1, fp.CollectInput{PersonID: 0, Captured: []fp.Capture{fp.CaptureFingerprints}}); err != nil {
			t.Fatal(err)
		}
	},
}

// allowed is the rule for each operation, by role (a fresh request in "new").
// secondPerson is the other of a purge's two people: the director for an
// administrator, the administrator for anyone else.
func secondPerson(a fp.Actor) string {
	if a.Role == fp.RoleAdmin {
		return director.Name
	}
	return admin.Name
}

var allowed = map[string][]fp.Role{
	"CreateRequest":       {fp.RoleClerk, fp.RoleDirector},
	"ImportRequests":      {fp.RoleClerk, fp.RoleDirector},
	"ImportRows":          {fp.RoleClerk, fp.RoleDirector},
	"UpdateRequest":       {fp.RoleClerk, fp.RoleDirector},
	"TransitionRequest":   {fp.RoleClerk, fp.RoleDirector},
	"AttachFile":          {fp.RoleClerk, fp.RoleDirector},
	"DetachFile":          {fp.RoleClerk, fp.RoleDirector},
	"JudgeDocument":       {fp.RoleClerk, fp.RoleDirector},
	"TransitionRequests":  {fp.RoleClerk, fp.RoleDirector},
	"AttachFiles":         {fp.RoleClerk, fp.RoleDirector},
	"JudgeDocuments":      {fp.RoleClerk, fp.RoleDirector},
	"RecordPrint":         {fp.RoleClerk, fp.RoleDirector},
	"CreateUser":          {fp.RoleAdmin},
	"SetUpKeys":           {fp.RoleAdmin},
	"NewRecoveryKey":      {fp.RoleAdmin},
	"DisableUser":         {fp.RoleAdmin},
	"UnlockUser":          {fp.RoleAdmin},
	"EnableUser":          {fp.RoleAdmin},
	"SetUserDetails":      {fp.RoleAdmin},
	"SetPassword":         {fp.RoleAdmin},
	"SetOffice":           {fp.RoleAdmin},
	"SetBackupConfig":     {fp.RoleAdmin},
	"SetScheduling":       {fp.RoleAdmin},
	"SetProfile":          {fp.RoleAdmin},
	"Book":                {fp.RoleClerk, fp.RoleDirector},
	"Reschedule":          {fp.RoleClerk, fp.RoleDirector},
	"CancelAppointment":   {fp.RoleClerk, fp.RoleDirector},
	"RecordLetters":       {fp.RoleClerk, fp.RoleDirector},
	"CheckInPerson":       {fp.RoleClerk, fp.RoleDirector},
	"Collect":             {fp.RoleClerk, fp.RoleDirector},
	"CloseDay":            {fp.RoleClerk, fp.RoleDirector},
	"IssueStamp":          {fp.RoleClerk, fp.RoleDirector},
	"SetCheckpointFolder": {fp.RoleAdmin},
	"SetRetention":        {fp.RoleAdmin},
	"SetHold":             {fp.RoleDirector, fp.RoleAdmin},
	"PurgeByHand":         {fp.RoleDirector, fp.RoleAdmin},
	"PurgeConfirmed":      {fp.RoleDirector, fp.RoleAdmin},
	"PurgeDueNow":         {fp.RoleClerk, fp.RoleDirector, fp.RoleAdmin},
}

func TestPermissionMatrix(t *testing.T) {
	// Every exported method whose name says it writes must be in the matrix.
	writes := []string{"Create", "Update", "Transition", "Import", "Disable", "Enable", "Unlock", "Set", "Record", "Delete", "Purge", "Book", "Cancel", "Reschedule", "Verify", "Attach", "Detach", "Judge", "CheckIn", "Collect", "Close", "Issue", "Mark"}
	typ := reflect.TypeOf(&Desk{})
	for i := 0; i < typ.NumMethod(); i++ {
		name := typ.Method(i).Name
		for _, w := range writes {
			if strings.HasPrefix(name, w) && name != "VerifyAudit" && name != "VerifyStamp" && name != "VerifyHistory" && name != "VerifySigned" && name != "Close" && name != "CloseDaysAutomatically" && name != "SetClock" && name != "Unlocked" &&
				name != "MarkDemo" { // MarkDemo takes no actor: it marks an empty file only (TestDemoMark)
				if _, ok := mutators[name]; !ok {
					t.Errorf("%s changes data but is not in the permission matrix: add it to mutators and allowed", name)
				}
			}
		}
	}
	actors := []fp.Actor{clerk, director, admin,
		{Name: "ghost", Role: fp.RoleDirector},   // no such account
		{Name: "retired", Role: fp.RoleDirector}, // disabled account
		{Name: "mlopez", Role: fp.RoleAdmin},     // a clerk claiming to be an admin
	}
	// Every case starts from a copy of one office (made once: a few
	// hundred cases each making it took most of the test's time).
	dir := t.TempDir()
	{
		db, err := Open(filepath.Join(dir, "fieldprint.db"))
		if err != nil {
			t.Fatal(err)
		}
		db.Now = fixedNow
		if err := ensureStaff(db); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(&admin, fp.NewUser{Name: "akumar", FullName: "Staff Member", Role: fp.RoleDirector, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(&admin, fp.NewUser{Name: "retired", FullName: "Staff Member", Role: fp.RoleDirector, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if err := db.DisableUser(admin, "retired"); err != nil {
			t.Fatal(err)
		}
		r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AttachFile(clerk, r.ID, "notice", "notice.pdf", demo.NoticeScan(r, "notice")); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for op, call := range mutators {
		for _, a := range actors {
			t.Run(op+"/"+a.Name+"-"+string(a.Role), func(t *testing.T) {
				copied := t.TempDir()
				if err := os.CopyFS(copied, os.DirFS(dir)); err != nil {
					t.Fatal(err)
				}
				db, err := Open(filepath.Join(copied, "fieldprint.db"))
				if err != nil {
					t.Fatal(err)
				}
				db.Now = fixedNow
				t.Cleanup(func() { db.Close() })
				db.unlockWith(testPassword, admin.Name) // the office key, as a sign-in opens it
				if setup := setups[op]; setup != nil {
					setup(t, db)
				}
				before, _, _ := db.VerifyAudit(nil)
				err = call(t, db, a)
				stored := map[string]fp.Role{"mlopez": fp.RoleClerk, "jchen": fp.RoleDirector, "root": fp.RoleAdmin}
				role, real := stored[a.Name]
				want := real && roleIn(role, allowed[op])
				if (err == nil) != want {
					t.Fatalf("allowed %v, got %v", want, err)
				}
				if op == "SetUpKeys" {
					// forgetKeys left records sealed under the key it forgot,
					// which the new key cannot open: verify as a locked desk.
					db.Lock()
				}
				after, problem, _ := db.VerifyAudit(nil)
				if problem != nil {
					t.Fatal(problem)
				}
				if want && after.Count <= before.Count {
					t.Error("allowed change wrote no audit entry")
				}
				if !want && after.Count != before.Count {
					t.Error("refused change wrote to the audit trail")
				}
			})
		}
	}
}

func roleIn(r fp.Role, rs []fp.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// forgetKeys makes the database one from before the office data key.
func forgetKeys(t *testing.T, db *Desk) {
	err := db.update(func(tx *tx) error {
		var ks [][]byte
		tx.Bucket(bKeys).ForEach(func(k, _ []byte) error { ks = append(ks, bytes.Clone(k)); return nil })
		for _, k := range ks {
			if err := tx.Bucket(bKeys).Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
