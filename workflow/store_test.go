package workflow

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/internal/fixture"
)

var (
	clerk    = fp.Actor{Name: "mlopez", Role: fp.RoleClerk}
	director = fp.Actor{Name: "jchen", Role: fp.RoleDirector}
	admin    = fp.Actor{Name: "root", Role: fp.RoleAdmin}
)

const testPassword = fixture.Password

// The test accounts' people: stamped notices print their names and badges.
var (
	staffNames  = map[string]string{"root": "Rosa Ortiz", "mlopez": "María López", "jchen": "James Chen"}
	staffBadges = map[string]string{"mlopez": "GZ-1042", "jchen": "GZ-0007"}
)

// ensureStaff creates the test accounts that do not exist yet, in an
// office with its data key.
func ensureStaff(db *Desk) error { return staff(db, true) }

// openStaffed is openTemp with or without the office data key (without:
// the store keeps the name, receipt and A-number indexes).
func openStaffed(t *testing.T, keys bool) *Desk {
	t.Helper()
	db, _ := openEmpty(t)
	if err := staff(db, keys); err != nil {
		t.Fatal(err)
	}
	return db
}

func staff(db *Desk, keys bool) error {
	if n, _ := db.CountUsers(); n == 0 {
		if _, err := db.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: staffNames[admin.Name], Role: admin.Role, Password: testPassword}); err != nil {
			return err
		}
		if keys {
			if _, err := db.SetUpKeys(admin, testPassword); err != nil {
				return err
			}
		}
	}
	have := map[string]bool{}
	us, err := db.ListUsers()
	if err != nil {
		return err
	}
	for _, u := range us {
		have[u.Name] = true
	}
	for _, a := range []fp.Actor{clerk, director} {
		if have[a.Name] {
			continue // hashing a password costs 19 MiB and tens of milliseconds
		}
		if _, err := db.CreateUser(&admin, fp.NewUser{Name: a.Name, FullName: staffNames[a.Name], Badge: staffBadges[a.Name], Role: a.Role, Password: testPassword}); err != nil && fp.ErrorCode(err) != fp.ECONFLICT {
			return err
		}
	}
	return nil
}

var fixedNow = fixture.Now

func openTemp(t testing.TB) (*Desk, string) {
	t.Helper()
	db, path := openEmpty(t)
	if err := ensureStaff(db); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// openEmpty opens a new database with no accounts.
func openEmpty(t testing.TB) (*Desk, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = fixedNow
	t.Cleanup(func() { db.Close() })
	return db, path
}

func reopen(t testing.TB, db *Desk, path string) *Desk {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db2.Now = fixedNow
	t.Cleanup(func() { db2.Close() })
	// The office key, as a sign-in opens it (without its audit entry, which
	// tests counting entries would see).
	// A test that changed the administrator's password signs in itself.
	if set, _ := db2.KeysSetUp(); set {
		db2.unlockWith(testPassword, admin.Name)
	}
	return db2
}

func mustParse(t testing.TB, in fp.RequestInput) *fp.Request {
	t.Helper()
	r, _, err := in.Parse(fp.DateOf(fixedNow()))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sample() fp.RequestInput { return fixture.Request() }

func checkClean(t *testing.T, db *Desk) {
	t.Helper()
	for _, err := range db.Check() {
		t.Error(err)
	}
}

func TestCreateReopenReadBack(t *testing.T) {
	db, path := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Number != "FP-2026-00001" || r.Status != fp.StatusNew || r.Version != 1 {
		t.Fatalf("got number %s status %s version %d", r.Number, r.Status, r.Version)
	}
	db = reopen(t, db, path)
	got, err := db.FindRequestByNumber("fp 2026 1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Applicant.FullName != "Nguyễn Thị Minh Khai" || got.ANumber != "A012345678" ||
		len(got.ReceiptNumbers) != 2 || got.ReceiptNumbers[0] != "IOE0912345678" || len(got.Household) != 1 ||
		got.CreatedBy != "mlopez" {
		t.Fatalf("read back %+v", got)
	}
	checkClean(t, db)
	if v := db.Version(); v != Schema {
		t.Fatalf("schema %d, want %d", v, Schema)
	}
}

func TestSearch(t *testing.T) {
	db, _ := openTemp(t)
	if _, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	other := sample()
	other.FullName, other.ReceiptNumbers, other.ANumber, other.Category, other.Household = "José Müller", "EAC2512345678", "", "military", nil
	if _, err := db.CreateRequest(clerk, mustParse(t, other), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		want string // number of the only hit, "" for none
	}{
		{"nguyen", "FP-2026-00001"},
		{"NGUYỄN minh", "FP-2026-00001"},
		{"khai ngu", "FP-2026-00001"},
		{"mul", "FP-2026-00002"},
		{"jose muller", "FP-2026-00002"},
		{"IOE-09", "FP-2026-00001"},
		{"eac 25123", "FP-2026-00002"},
		{"A-012-345", "FP-2026-00001"},
		{"12345678", "FP-2026-00001"},
		{"FP-2026-00002", "FP-2026-00002"},
		{"zzz", ""},
		{"minh müller", ""},
	} {
		rows, total, err := db.FindRequests(fp.RequestFilter{Search: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == "" {
			if total != 0 {
				t.Errorf("%q: %d hits, want none", tc.q, total)
			}
			continue
		}
		if total != 1 || rows[0].Number != tc.want {
			t.Errorf("%q: %d hits %v, want %s", tc.q, total, rows, tc.want)
		}
	}
}

func TestUpdateKeepsIndexesConsistent(t *testing.T) {
	db, path := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := r.Input()
	in.FullName, in.ReceiptNumbers, in.ANumber, in.Received = "Trần Văn Đức", "LIN2612345678", "A-987-654-321", "2026-10-01"
	r2, err := db.UpdateRequest(clerk, r.ID, r.Version, mustParse(t, in), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version != 2 {
		t.Fatalf("version %d", r2.Version)
	}
	checkClean(t, db)
	db = reopen(t, db, path)
	checkClean(t, db)
	if _, n, _ := db.FindRequests(fp.RequestFilter{Search: "nguyen"}); n != 0 {
		t.Errorf("old name still found")
	}
	if _, n, _ := db.FindRequests(fp.RequestFilter{Search: "IOE0912345678"}); n != 0 {
		t.Errorf("old receipt still found")
	}
	if rows, n, _ := db.FindRequests(fp.RequestFilter{Search: "tran duc"}); n != 1 || rows[0].Received.String() != "2026-10-01" {
		t.Errorf("new name not found: %v", rows)
	}
	// A stale edit is refused.
	if _, err := db.UpdateRequest(clerk, r.ID, 1, mustParse(t, in), fp.SaveOptions{}); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("stale edit: %v", err)
	}
}

func TestDuplicates(t *testing.T) {
	db, _ := openTemp(t)
	first, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again := sample()
	again.ReceiptNumbers = "YSC2612345678"
	again.ANumber = "A012345678" // same A-number, typed padded
	_, err = db.CreateRequest(clerk, mustParse(t, again), fp.SaveOptions{})
	if fp.ErrorCode(err) != fp.ECONFLICT {
		t.Fatalf("duplicate not refused: %v", err)
	}
	if n, _ := db.CountRequests(); n != 1 {
		t.Fatalf("%d requests after a refused duplicate", n)
	}
	// Once the first is withdrawn it is no longer open: no duplicate.
	if _, err := db.TransitionRequest(clerk, first.ID, fp.StatusWithdrawn, "applicant returned to the U.S."); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRequest(clerk, mustParse(t, again), fp.SaveOptions{}); err != nil {
		t.Fatalf("after withdrawal: %v", err)
	}
	checkClean(t, db)
}

func TestTransitions(t *testing.T) {
	db, path := openTemp(t)
	r, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	for _, tc := range []struct {
		to     fp.Status
		reason string
		code   string
	}{
		{fp.StatusDenied, "not a director's decision", fp.EFORBIDDEN},
		{fp.StatusAwaitingDocuments, "", ""},
		{fp.StatusAwaitingDocuments, "", fp.ECONFLICT},
		{fp.StatusNew, "", ""},
		{fp.StatusWithdrawn, " ", fp.EINVALID},
		{fp.StatusWithdrawn, "duplicate of a paper file", ""},
		{fp.StatusNew, "", fp.EFORBIDDEN},
	} {
		_, err := db.TransitionRequest(clerk, r.ID, tc.to, tc.reason)
		if fp.ErrorCode(err) != tc.code {
			t.Errorf("to %s: got %v, want code %q", tc.to, err, tc.code)
		}
	}
	db = reopen(t, db, path)
	got, _ := db.FindRequestByID(r.ID)
	if got.Status != fp.StatusWithdrawn || len(got.History) != 4 || got.History[3].Reason != "duplicate of a paper file" {
		t.Fatalf("history %+v", got.History)
	}
	if _, err := db.UpdateRequest(clerk, r.ID, got.Version, mustParse(t, sample()), fp.SaveOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("edit of a withdrawn request: %v", err)
	}
	if _, err := db.TransitionRequest(fp.Actor{Name: "root", Role: fp.RoleAdmin}, r.ID, fp.StatusNew, ""); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("admin transition: %v", err)
	}
	checkClean(t, db)
}

func TestImportAllOrNothing(t *testing.T) {
	db, _ := openTemp(t)
	a := mustParse(t, sample())
	b := mustParse(t, sample()) // same identifiers: a duplicate inside the batch
	if _, err := db.ImportRequests(clerk, []*fp.Request{a, b}, fp.SaveOptions{}); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Fatalf("got %v", err)
	}
	if n, _ := db.CountRequests(); n != 0 {
		t.Fatalf("%d requests written by a failed import", n)
	}
	checkClean(t, db)
}

func TestQueueFilterAndOrder(t *testing.T) {
	db, _ := openEmpty(t)
	// 150 requests: every status and category the filters name (the
	// demo's story); 300 took twice as long for no other case.
	if _, err := demo.Load(db, 150, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	checkClean(t, db)
	all, total, err := db.FindRequests(fp.RequestFilter{})
	if err != nil || total != 150 || len(all) != 150 {
		t.Fatalf("all: %d/%d %v", len(all), total, err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Received.Before(all[i-1].Received) {
			t.Fatalf("not oldest first at %d", i)
		}
	}
	for _, f := range []fp.RequestFilter{
		{Statuses: []fp.Status{fp.StatusNew}},
		{Categories: []fp.Category{fp.CategoryAdoption}},
		{Statuses: []fp.Status{fp.StatusNew}, Categories: []fp.Category{fp.CategoryOther, fp.CategoryAdoption}},
		{Statuses: []fp.Status{fp.StatusNew, fp.StatusAwaitingDocuments}, Categories: []fp.Category{fp.CategoryMilitary}},
		{Statuses: []fp.Status{fp.StatusNew, fp.StatusWithdrawn}, Newest: true},
		{Categories: []fp.Category{fp.Category319b}, Newest: true, Offset: 5, Limit: 7},
		{Search: "nguyen", Newest: true},
		{Search: "a", Statuses: []fp.Status{fp.StatusAwaitingDocuments}, Limit: 3, Offset: 2},
		{Limit: 10},
		{Newest: true, Limit: 10, Offset: 145},
		{Statuses: []fp.Status{fp.StatusNew, fp.StatusWithdrawn}, Categories: []fp.Category{fp.CategoryAdoption}, Limit: 4, Offset: 3},
		{Statuses: []fp.Status{fp.StatusDenied}, Limit: 5}, // none
	} {
		got, n, err := db.FindRequests(f)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && !(len(f.Statuses) == 1 && f.Statuses[0] == fp.StatusDenied) {
			t.Errorf("%+v matches nothing in the demo office: the case proves little", f)
		}
		// The brute-force answer from the full list.
		var want []fp.RequestSummary
		for _, s := range all {
			if (len(f.Statuses) == 0 || contains(f.Statuses, s.Status)) && (len(f.Categories) == 0 || contains(f.Categories, s.Category)) &&
				(f.Search == "" || matchesName(f.Search, s.FullName)) {
				want = append(want, s)
			}
		}
		sortSummaries(want, f.Newest)
		if n != len(want) {
			t.Errorf("%+v: total %d, want %d", f, n, len(want))
			continue
		}
		want = want[min(f.Offset, len(want)):]
		if f.Limit > 0 && len(want) > f.Limit {
			want = want[:f.Limit]
		}
		if len(got) != len(want) {
			t.Errorf("%+v: %d rows, want %d", f, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Errorf("%+v: row %d is %s, want %s", f, i, got[i].Number, want[i].Number)
				break
			}
		}
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func matchesName(q, name string) bool {
	toks := fp.SearchTokens(name)
	for _, w := range fp.SearchTokens(q) {
		ok := false
		for _, t := range toks {
			if len(t) >= len(w) && t[:len(w)] == w {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func TestSecondOpenFailsFast(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	_, err := Open(path)
	if fp.ErrorCode(err) != fp.ECONFLICT {
		t.Fatalf("second open: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second open took %v", d)
	}
}

func TestCheckFindsMissingAndStaleIndexEntries(t *testing.T) {
	db := openStaffed(t, false)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db.update(func(tx *tx) error {
		b := idx(tx, iName)
		b.Delete(cat([]byte("nguyen"), sep, idKey(r.ID)))
		return b.Put(cat([]byte("ghost"), sep, idKey(r.ID)), []byte{})
	})
	var stale, missing bool
	for _, err := range db.Check() {
		stale = stale || strings.Contains(err.Error(), "stale entry")
		missing = missing || strings.Contains(err.Error(), "1 entries missing")
	}
	if !stale || !missing {
		t.Fatalf("Check missed the tampering: %v", db.Check())
	}

	// With the office key: the sealed identity is missing, another's is
	// stale, one changed does not match its record.
	db = openStaffed(t, true)
	var rs []*fp.Request
	for i := 0; i < 3; i++ {
		r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{AllowDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	checkClean(t, db)
	db.update(func(tx *tx) error {
		b := idx(tx, iIdent)
		other := b.Get(idKey(rs[1].ID))
		b.Delete(idKey(rs[0].ID))
		b.PutSealed(idKey(rs[2].ID), []byte(`{"t":["ghost"]}`))
		return b.Put(idKey(99), other)
	})
	want := map[string]bool{"stale entry 99": false, "1 entries missing": false, "does not match the record": false}
	for _, err := range db.Check() {
		for w := range want {
			want[w] = want[w] || strings.Contains(err.Error(), w)
		}
	}
	for w, found := range want {
		if !found {
			t.Errorf("Check did not say %q: %v", w, db.Check())
		}
	}
}

// Batch work is written in transactions the storage contract allows: as
// many items as fit, fewer when items are big, one alone when needed; an
// item too big for any transaction stops it with the count written.
func TestInChunks(t *testing.T) {
	db, _ := openTemp(t)
	for _, c := range []struct {
		name        string
		n           int
		keys, bytes func(i int) int // what item i writes
		wantDone    int
		wantErr     bool
		maxTxns     int
	}{
		{"small items", 1000, func(int) int { return 2 }, func(int) int { return 10 }, 1000, false, 1000/48 + 3},
		{"growing items", 300, func(i int) int { return 1 + i/10 }, func(int) int { return 10 }, 300, false, 300},
		{"big values", 20, func(int) int { return 1 }, func(int) int { return 500_000 }, 20, false, 20},
		{"an item over the limits", 10, func(i int) int { return map[bool]int{true: fp.MaxTxnOps + 1, false: 1}[i == 7] }, func(int) int { return 10 }, 7, true, 10},
	} {
		before, _ := db.s.Revision()
		seen := map[int]int{}
		done, err := db.inChunks(c.n, func(tx *tx, i int) error {
			seen[i]++
			b := tx.Bucket([]byte("chunktest"))
			for k := 0; k < c.keys(i); k++ {
				if err := b.Put([]byte(fmt.Sprintf("%s/%d/%d", c.name, i, k)), make([]byte, c.bytes(i))); err != nil {
					return err
				}
			}
			return nil
		})
		after, _ := db.s.Revision()
		if done != c.wantDone || (err != nil) != c.wantErr {
			t.Errorf("%s: %d done, %v; want %d, error %v", c.name, done, err, c.wantDone, c.wantErr)
		}
		if txns := int(after - before); txns > c.maxTxns || (done > 1 && txns < 1) {
			t.Errorf("%s: %d transactions for %d items, want at most %d", c.name, txns, done, c.maxTxns)
		}
		var stored int
		db.view(func(tx *tx) error {
			stored, _ = tx.r.Count([]byte("chunktest/" + c.name + "/"))
			return nil
		})
		want := 0
		for i := 0; i < c.wantDone; i++ {
			want += c.keys(i)
		}
		if stored != want {
			t.Errorf("%s: %d keys stored, want %d (each item once)", c.name, stored, want)
		}
	}
}

// The queue's totals come from counts kept in every write; the check finds
// a count that disagrees with the records.
func TestCheckFindsAWrongCount(t *testing.T) {
	db, _ := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, total, _ := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{r.Status}, Limit: 1}); total != 1 {
		t.Fatalf("total %d, want 1", total)
	}
	if err := db.update(func(tx *tx) error { return addCount(tx, r.Status, r.Category, 1) }); err != nil {
		t.Fatal(err)
	}
	errs := db.Check()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "count of adoption new requests: ") {
		t.Errorf("check after a wrong count: %v", errs)
	}
}
