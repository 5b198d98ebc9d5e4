package workflow

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// busyDB has a chain of at least 20 entries of every kind.
func busyDB(t *testing.T) (*Desk, string) {
	db, path := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := r.Input()
	in.Phone = "+86 20 8518 7700"
	if r, err = db.UpdateRequest(clerk, r.ID, r.Version, mustParse(t, in), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	db.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, "")
	db.TransitionRequest(clerk, r.ID, fp.StatusDirectorReview, "needs the director")
	db.Authenticate("mlopez", "wrong password!")
	db.Authenticate("mlopez", testPassword)
	db.RecordPrint(clerk, r.ID, "record", "ab12")
	for i := 0; i < 8; i++ {
		db.Authenticate("jchen", testPassword)
	}
	return db, path
}

func TestEveryChangeIsAudited(t *testing.T) {
	db, _ := busyDB(t)
	all, err := db.FindAudit(director, fp.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range all {
		seen[e.Action]++
	}
	for _, a := range []string{fp.ActionUserCreate, fp.ActionRequestCreate, fp.ActionRequestEdit, fp.ActionRequestTransition,
		fp.ActionSignIn, fp.ActionSignInFailed, fp.ActionRecordPrint} {
		if seen[a] == 0 {
			t.Errorf("no %s entry", a)
		}
	}
	edits, _ := db.FindAudit(director, fp.AuditFilter{Action: fp.ActionRequestEdit})
	if len(edits) != 1 || len(edits[0].Changes) != 1 || edits[0].Changes[0].Field != "phone" || edits[0].Changes[0].New != "+86 20 8518 7700" ||
		edits[0].User != "mlopez" || edits[0].Request != "FP-2026-00001" {
		t.Fatalf("edit entry %+v", edits)
	}
	if _, err := db.FindAudit(clerk, fp.AuditFilter{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a clerk read the audit trail: %v", err)
	}
	hist, _ := db.RequestAudit("FP-2026-00001")
	if len(hist) != 5 { // create, edit, 2 transitions, print
		t.Errorf("request history has %d entries", len(hist))
	}
	// A refused change writes nothing, audit included.
	n := len(all)
	db.TransitionRequest(clerk, 1, fp.StatusReadyToSchedule, "")
	if again, _ := db.FindAudit(director, fp.AuditFilter{}); len(again) != n {
		t.Errorf("a refused transition changed the audit trail: %d -> %d", n, len(again))
	}
}

func TestAuditVerifyAndCheckpoint(t *testing.T) {
	db, _ := busyDB(t)
	head, problem, err := db.VerifyAudit(nil)
	if err != nil || problem != nil || head.Count < 15 {
		t.Fatalf("verify: %v %v %+v", err, problem, head)
	}
	if _, problem, _ := db.VerifyAudit(&head); problem != nil {
		t.Fatalf("verify against its own checkpoint: %v", problem)
	}
	cp, err := fp.ParseCheckpoint(head.String())
	if err != nil || cp != head {
		t.Fatalf("checkpoint round trip: %v", err)
	}
}

// tamper edits the raw audit bucket.
func tamper(t *testing.T, db *Desk, fn func(b *bucket)) {
	t.Helper()
	if err := db.update(func(tx *tx) error { fn(tx.Bucket(bAudit)); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestAuditTampering(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(b *bucket)
		want uint64 // first bad entry
		cp   bool   // detectable only against a checkpoint
	}{
		{"flip a byte", func(b *bucket) {
			v := append([]byte(nil), b.Get(u64(7))...)
			i := strings.Index(string(v), `"user":"`) + 8
			v[i] ^= 0x01
			b.Put(u64(7), v)
		}, 7, false},
		{"delete an entry", func(b *bucket) { b.Delete(u64(9)) }, 9, false},
		{"reorder two entries", func(b *bucket) {
			a, c := append([]byte(nil), b.Get(u64(10))...), append([]byte(nil), b.Get(u64(11))...)
			b.Put(u64(10), c)
			b.Put(u64(11), a)
		}, 10, false},
		{"duplicate an entry", func(b *bucket) {
			// Shift 12.. up by one and store a copy of 12 again at 13.
			c := b.Cursor()
			k, _ := c.Last()
			for n := binary.BigEndian.Uint64(k); n >= 12; n-- {
				b.Put(u64(n+1), append([]byte(nil), b.Get(u64(n))...))
			}
		}, 13, false},
		// With every hash recomputed, the records no longer point at their
		// entries; against the checkpoint, the entry named is the one it vouches for.
		{"rewrite the first entry and rehash everything", nil, 0, true},
		{"truncate the tail", func(b *bucket) {
			c := b.Cursor()
			k, _ := c.Last()
			b.Delete(k)
			k, _ = c.Last()
			b.Delete(k)
		}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := busyDB(t)
			head, _, _ := db.VerifyAudit(nil)
			if tc.fn == nil {
				rewriteChain(t, db)
			} else {
				tamper(t, db, tc.fn)
			}
			want := tc.want
			switch {
			case want == 0 && tc.fn == nil:
				want = head.Count
			case want == 0:
				want = head.Count - 1 // the first removed entry
			}
			_, problem, err := db.VerifyAudit(nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.cp && tc.fn == nil {
				// Every hash recomputed: the chain holds, but the request
				// records point at entries that are no longer there.
				if problem == nil || problem.Request != "FP-2026-00001" {
					t.Fatalf("a rehashed chain passed against its records: %v", problem)
				}
				_, problem, _ = db.VerifyAudit(&head)
			} else if tc.cp {
				if problem != nil {
					t.Fatalf("without a checkpoint this tampering is invisible, yet: %v", problem)
				}
				_, problem, _ = db.VerifyAudit(&head)
			}
			if problem == nil || problem.Seq != want {
				t.Fatalf("problem %v, want entry %d", problem, want)
			}
		})
	}
}

// rewriteChain changes entry 1 and recomputes every hash after it: only a
// checkpoint kept outside the machine can tell.
func rewriteChain(t *testing.T, db *Desk) {
	tamper(t, db, func(b *bucket) {
		prev := fp.GenesisHash
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var e fp.AuditEntry
			jsonUnmarshal(t, v, &e)
			if e.Seq == 1 {
				e.User = "someone-else"
			}
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			prev = e.Hash
			b.Put(append([]byte(nil), k...), jsonMarshal(t, e))
		}
	})
}

func jsonUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func jsonMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An administrator prints no applicant's document, whatever the way in:
// record sheets and letters (RecordPrint), appointment letters
// (RecordLetters), stamped notices (IssueStamp). Nothing is counted or audited.
func TestAdminPrintsNoApplicantDocuments(t *testing.T) {
	db, path := openTemp(t)
	setScheduling(t, db, testScheduling())
	setOffice(t, db)
	r := newRequest(t, db, sample(), 1)
	makeBooked(t, db, r.ID)
	db.Now = at("2026-11-23", 8, 1)
	if _, err := db.CheckInPerson(clerk, r.ID, fp.CheckInInput{PersonID: 0, ID: fp.IDPassport, NameMatches: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collect(clerk, r.ID, fp.CollectInput{PersonID: 0, Captured: []fp.Capture{fp.CaptureFingerprints}}); err != nil {
		t.Fatal(err)
	}
	before, _, _ := db.VerifyAudit(nil)
	for name, printAs := range map[string]func(fp.Actor) error{
		"record sheet": func(a fp.Actor) error { _, err := db.RecordPrint(a, r.ID, "record", "ab12"); return err },
		"letter":       func(a fp.Actor) error { _, err := db.RecordPrint(a, r.ID, "denial letter", "ab12"); return err },
		"appointment letters": func(a fp.Actor) error {
			_, err := db.RecordLetters(a, []fp.RequestID{r.ID}, "ab12", "", true)
			return err
		},
		"stamped notice": func(a fp.Actor) error { _, _, err := db.IssueStamp(a, r.ID, 0); return err },
	} {
		if err := printAs(admin); fp.ErrorCode(err) != fp.EFORBIDDEN || fp.ErrorMessage(err) != "an administrator account does not print applicants' letters: sign in as a clerk or director" {
			t.Errorf("%s by an administrator: %v", name, err)
		}
	}
	if after, _, _ := db.VerifyAudit(nil); after.Count != before.Count {
		t.Errorf("refused printings wrote %d audit entries", after.Count-before.Count)
	}
	db = reopen(t, db, path)
	if n, err := db.RecordPrint(clerk, r.ID, "record", "ab12"); err != nil || n != 1 {
		t.Errorf("the clerk's first copy is copy %d (%v)", n, err)
	}
	if back, _ := db.FindRequestByID(r.ID); back.Appointments[0].Stamp != "" || back.Appointments[1].Printed != 0 {
		t.Errorf("a refused printing changed the request: %+v", back.Appointments)
	}
	checkClean(t, db)
}

// auditHead reads one key on a desk's own file: it must still be the
// newest entry (the chain's length), and nil on an empty trail.
func TestAuditHeadIsTheNewestEntry(t *testing.T) {
	empty, _ := openEmpty(t)
	empty.view(func(tx *tx) error {
		if k, v := auditHead(tx); k != nil || v != nil {
			t.Errorf("empty trail: head %x", k)
		}
		return nil
	})
	db, _ := busyDB(t)
	n := 0
	err := db.view(func(tx *tx) error {
		n = tx.Bucket(bAudit).Count()
		k, v := auditHead(tx)
		var e fp.AuditEntry
		if len(k) != 8 || binary.BigEndian.Uint64(k) != uint64(n) || json.Unmarshal(v, &e) != nil || e.Seq != uint64(n) {
			t.Errorf("head %x (seq %d) of %d entries", k, e.Seq, n)
		}
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("%d entries, %v", n, err)
	}
}
