package workflow

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// canaryRequest is a request whose every personal field holds a string
// found nowhere else.
func canaryRequest(t *testing.T) *fp.Request {
	in := sample()
	in.FullName, in.Email, in.Phone = "Qqcanaryname Zzcanary", "canarymail@example.org", "+86 20 9999 1234"
	in.ANumber, in.DateOfBirth = "A098765432", "1977-07-17"
	in.Passport.Number = "CANARY123"
	in.Household[0].FullName = "Wwcanaryspouse Xxcanary"
	return mustParse(t, in)
}

// canaryWithScan records canaryRequest with a notice scan attached.
func canaryWithScan(t *testing.T, db *Desk) (*fp.Request, []byte) {
	t.Helper()
	r, err := db.CreateRequest(clerk, canaryRequest(t), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scan := demo.NoticeScan(r, "notice")
	if _, err := db.AttachFile(clerk, r.ID, "notice", "notice.pdf", scan); err != nil {
		t.Fatal(err)
	}
	return r, scan
}

var canaries = []string{"qqcanaryname", "Qqcanaryname", "canarymail", "9999 1234", "098765432", "1977-07-17", "CANARY123", "Wwcanaryspouse", "wwcanaryspouse"}

// where lists the top-level buckets (and idx/ sub-buckets) whose keys or
// values hold any canary.
func whereCanaries(t *testing.T, db *Desk) map[string]bool {
	found := map[string]bool{}
	db.view(func(tx *tx) error {
		return tx.r.Scan(nil, nil, false, func(k, v []byte) (bool, error) {
			for _, c := range canaries {
				if bytes.Contains(k, []byte(c)) || bytes.Contains(v, []byte(c)) {
					parts := strings.SplitN(string(k), "/", 3)
					place := parts[0]
					if place == "idx" && len(parts) > 1 {
						place += "/" + parts[1]
					}
					found[place] = true
				}
			}
			return true, nil
		})
	})
	return found
}

// Records, summaries, message records and files are sealed under the
// office key once it exists: none of them holds personal data in the clear,
// a locked desk reads and writes none of them, and a record moved to
// another key does not open.
func TestRecordsAndFilesAreSealed(t *testing.T) {
	db, path := openTemp(t)
	r, scan := canaryWithScan(t, db)
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, ""); err != nil {
		t.Fatal(err)
	}
	// Nowhere in the clear: records, queue rows, search identities and the
	// audit trail's details are sealed.
	for place := range whereCanaries(t, db) {
		t.Errorf("personal data in the clear under %s/", place)
	}
	// The history reads as it was written, to someone signed in.
	es, err := db.RequestAudit(r.Number)
	if err != nil || len(es) < 3 || !strings.Contains(fmt.Sprint(es[0].Changes), "Qqcanaryname") {
		t.Fatalf("the request's history after sealing: %v %+v", err, es)
	}
	var files int
	filepath.WalkDir(path+"-scans", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
			b, _ := os.ReadFile(p)
			if !bytes.HasPrefix(b, fileMagicKeyed) || bytes.Contains(b, []byte("%PDF")) {
				t.Errorf("stored file %s is not sealed", filepath.Base(p))
			}
		}
		return nil
	})
	if files != 1 {
		t.Fatalf("%d stored files", files)
	}
	if got, err := db.ReadFile(fp.Fingerprint(scan)); err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("ReadFile: %v", err)
	}
	checkClean(t, db)
	if _, problem, err := db.VerifyAudit(nil); problem != nil || err != nil {
		t.Fatalf("the chain with sealed details: %v %v", problem, err)
	}

	// Locked: nothing reads or writes the office's data.
	db.Lock()
	if _, problem, err := db.VerifyAudit(nil); problem != nil || err != nil {
		t.Fatalf("the chain verified without the key: %v %v", problem, err)
	}
	if es, _ := db.RequestAudit(r.Number); len(es) == 0 || !strings.Contains(es[0].Note, "encrypted") {
		t.Fatalf("a locked desk's history: %+v", es)
	}
	if _, err := db.FindRequestByID(r.ID); err != ErrLocked {
		t.Errorf("a locked desk read a request: %v", err)
	}
	if _, _, err := db.FindRequests(fp.RequestFilter{}); err != ErrLocked {
		t.Errorf("a locked desk listed the queue: %v", err)
	}
	if _, err := db.ReadFile(fp.Fingerprint(scan)); err != ErrLocked {
		t.Errorf("a locked desk read a file: %v", err)
	}
	if _, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{AllowDuplicates: true}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a locked desk wrote a request: %v", err)
	}
	if errs := db.Check(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "sign in to check") {
		t.Errorf("check while locked: %v", errs)
	}
	db = reopen(t, db, path)
	if back, err := db.FindRequestByID(r.ID); err != nil || back.Applicant.FullName != "Qqcanaryname Zzcanary" {
		t.Fatalf("after reopening and signing in: %v", err)
	}

	// A sealed record copied over another's does not open there.
	other, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	db.update(func(tx *tx) error {
		b := tx.Bucket(bRequests)
		return b.Put(idKey(other.ID), b.Get(idKey(r.ID)))
	})
	if _, err := db.FindRequestByID(other.ID); fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("a moved record: %v", err)
	}
	if errs := db.Check(); len(errs) == 0 {
		t.Fatal("the check did not notice the moved record")
	}
}

// An office from before keys: records and files in the clear until an
// administrator makes the key; SealExisting then seals them all, with
// progress, and the check refuses any record left in the clear afterwards.
func TestSealExisting(t *testing.T) {
	db, path := openEmpty(t)
	if _, err := db.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: "Rosa Ortiz", Role: admin.Role, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(&admin, fp.NewUser{Name: clerk.Name, FullName: "María López", Role: clerk.Role, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	r, scan := canaryWithScan(t, db)
	for i := 0; i < 300; i++ { // more than one transaction's worth
		in := sample()
		in.FullName = "Person Number " + string(rune('A'+i%26))
		if _, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
			t.Fatal(err)
		}
	}
	if !whereCanaries(t, db)["requests"] {
		t.Fatal("the test's records are not in the clear to begin with")
	}
	if need, _ := db.NeedsSealing(); need {
		t.Fatal("sealing asked for before there is a key")
	}
	if _, err := db.SetUpKeys(admin, testPassword); err != nil {
		t.Fatal(err)
	}
	if need, _ := db.NeedsSealing(); !need {
		t.Fatal("an office with records in the clear does not ask to seal them")
	}
	// Still readable meanwhile, and new writes are sealed at once.
	if _, err := db.FindRequestByID(r.ID); err != nil {
		t.Fatal(err)
	}
	db.Lock()
	if err := db.SealExisting(nil); err != ErrLocked {
		t.Fatalf("sealing while locked: %v", err)
	}
	db.unlockWith(testPassword, admin.Name)
	var last [2]int
	calls := 0
	if err := db.SealExisting(func(done, total int) { last = [2]int{done, total}; calls++ }); err != nil {
		t.Fatal(err)
	}
	if last[0] != last[1] || last[1] < 603 || calls < 3 {
		t.Fatalf("progress ended at %v after %d calls", last, calls)
	}
	for place := range whereCanaries(t, db) {
		if place != "audit" {
			t.Errorf("personal data in the clear under %s/ after sealing", place)
		}
	}
	if rows, _, err := db.FindRequests(fp.RequestFilter{Search: "qqcanaryn"}); err != nil || len(rows) != 1 {
		t.Fatalf("the sealed request is not found by name after sealing: %v %v", rows, err)
	}
	if need, _ := db.NeedsSealing(); need {
		t.Fatal("still asks to seal")
	}
	if err := db.SealExisting(nil); err != nil {
		t.Fatalf("sealing twice: %v", err)
	}
	db = reopen(t, db, path)
	if got, err := db.ReadFile(fp.Fingerprint(scan)); err != nil || !bytes.Equal(got, scan) {
		t.Fatalf("the sealed scan: %v", err)
	}
	checkClean(t, db)
	// A record written in the clear afterwards is found.
	db.update(func(tx *tx) error {
		return tx.Bucket(bRequests).Put(idKey(r.ID), []byte(`{"id":1}`))
	})
	found := false
	for _, e := range db.Check() {
		found = found || strings.Contains(e.Error(), "in the clear")
	}
	if !found {
		t.Fatal("the check did not report a record in the clear")
	}
}

// The search index in memory of an office with its key follows this desk's
// writes (new, renamed, status changed), forgets nothing a failed
// transaction wrote, is dropped when the desk locks and rebuilt from the
// sealed identities after signing in again.
func TestSearchIndexInMemory(t *testing.T) {
	db, path := openTemp(t)
	find := func(q string, f fp.RequestFilter) []string {
		t.Helper()
		f.Search = q
		rows, _, err := db.FindRequests(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Number)
		}
		return out
	}
	a, err := db.CreateRequest(clerk, canaryRequest(t), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := find("qqcan", fp.RequestFilter{}); len(got) != 1 || got[0] != a.Number {
		t.Fatalf("by name: %v", got)
	}
	in := sample()
	in.FullName, in.ReceiptNumbers, in.ANumber = "Bertha Oyelaran", "EAC2612345678", "A011222333"
	b, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"oyel", "bertha oye", "EAC26123", "eac 2612345678", "A011222", "11222333"} {
		if got := find(q, fp.RequestFilter{}); len(got) != 1 || got[0] != b.Number {
			t.Errorf("%q: %v", q, got)
		}
	}
	in.FullName = "Bertha Adeyemi"
	if b, err = db.UpdateRequest(clerk, b.ID, b.Version, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
		t.Fatal(err)
	}
	if got := find("oyel", fp.RequestFilter{}); len(got) != 0 {
		t.Errorf("the old name still finds it: %v", got)
	}
	if got := find("adey", fp.RequestFilter{}); len(got) != 1 {
		t.Errorf("the new name: %v", got)
	}
	if _, err := db.TransitionRequest(clerk, b.ID, fp.StatusAwaitingDocuments, ""); err != nil {
		t.Fatal(err)
	}
	if got := find("bertha", fp.RequestFilter{Statuses: []fp.Status{fp.StatusAwaitingDocuments}}); len(got) != 1 {
		t.Errorf("by the new status: %v", got)
	}
	if got := find("bertha", fp.RequestFilter{Statuses: []fp.Status{fp.StatusNew}}); len(got) != 0 {
		t.Errorf("by the old status: %v", got)
	}
	// A duplicate is found through the index in memory.
	if _, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{}); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Fatalf("a duplicate receipt number: %v", err)
	}
	// An import refused as a whole leaves nothing in the index.
	ok, bad := sample(), sample()
	ok.FullName, ok.ReceiptNumbers, ok.ANumber = "Phantom Rowone", "WAC2612345670", ""
	bad.FullName, bad.ReceiptNumbers, bad.ANumber = "Phantom Rowtwo", "EAC2612345678", "" // b's receipt
	if _, err := db.ImportRequests(clerk, []*fp.Request{mustParse(t, ok), mustParse(t, bad)}, fp.SaveOptions{}); err == nil {
		t.Fatal("an import with a duplicate was taken")
	}
	if got := find("phantom", fp.RequestFilter{}); len(got) != 0 {
		t.Fatalf("a refused import is found: %v", got)
	}
	db.Lock()
	if _, _, err := db.FindRequests(fp.RequestFilter{Search: "bertha"}); err != ErrLocked {
		t.Fatalf("a locked desk searched: %v", err)
	}
	db = reopen(t, db, path)
	if got := find("adey", fp.RequestFilter{}); len(got) != 1 {
		t.Errorf("after reopening: %v", got)
	}
	checkClean(t, db)
}

// Searches while other requests are saved: the index in memory changes
// in place at each commit, and a search reads it meanwhile (run with -race).
func TestSearchWhileSaving(t *testing.T) {
	db, _ := openTemp(t)
	if _, err := db.CreateRequest(clerk, canaryRequest(t), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			in := sample()
			in.ReceiptNumbers, in.ANumber = fmt.Sprintf("IOE09%08d", 10000+i), ""
			if _, err := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		if _, _, err := db.FindRequests(fp.RequestFilter{Search: "qqcan"}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
