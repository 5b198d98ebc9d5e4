package workflow

import (
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/store/disk"
)

// twoDesks opens two desks of an office server over one store (here a
// bbolt file both use at once, as two desks use the server): the key store
// in the key space, each desk named.
func twoDesks(t *testing.T) (a, b *Desk) {
	t.Helper()
	dir := t.TempDir()
	kv, err := disk.OpenKV(filepath.Join(dir, "office.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kv.Close() })
	open := func(name string) *Desk {
		d, err := New(kv, disk.Folder{Dir: filepath.Join(dir, "scans")}, filepath.Join(dir, name+"-stamp.key"), "the office server")
		if err != nil {
			t.Fatal(err)
		}
		d.Now = fixedNow
		d.UseServerDesk(name)
		return d
	}
	a, b = open("Intake 1"), open("Director")
	if err := ensureStaff(a); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// Two desks: a search at one finds what the other recorded after the
// first desk built its index; an edit of an old version names the person
// and the desk that changed the request first; every entry names its desk.
func TestTwoDesksSearchConflictAudit(t *testing.T) {
	a, b := twoDesks(t)
	clerkA, err := a.Authenticate(clerk.Name, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	clerkB, err := b.Authenticate(clerk.Name, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, total, err := b.FindRequests(fp.RequestFilter{Search: "Nguyen"}); err != nil || total != 0 {
		t.Fatalf("before any request: %d found (%v)", total, err)
	}
	r, err := a.CreateRequest(clerkA, mustParse(t, fixture.Request()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, total, err := b.FindRequests(fp.RequestFilter{Search: "Nguyen"})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
		t.Fatalf("the other desk's search after the request was recorded: %d rows of %d (%v)", len(rows), total, err)
	}
	got, err := b.FindRequestByID(r.ID)
	if err != nil {
		t.Fatalf("the other desk reads the new request: %v", err)
	}
	// The name changes at one desk: the other's search follows.
	edit := *got
	edit.Applicant.FullName = "Tran Van Binh"
	if _, err := a.UpdateRequest(clerkA, r.ID, got.Version, &edit, fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := b.FindRequests(fp.RequestFilter{Search: "Nguyen"}); total != 0 {
		t.Errorf("the old name still finds the request at the other desk (%d)", total)
	}
	if _, total, _ := b.FindRequests(fp.RequestFilter{Search: "Tran Binh"}); total != 1 {
		t.Errorf("the new name does not find the request at the other desk (%d)", total)
	}
	// The other desk edits the version it read: refused, naming who and where.
	stale := *got
	stale.Basis = "typed at the director's desk"
	_, err = b.UpdateRequest(clerkB, r.ID, got.Version, &stale, fp.SaveOptions{})
	want := r.Number + " was changed by mlopez at Intake 1 at 09:30 after you opened it"
	if fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), want) {
		t.Errorf("the stale edit: %v, want a conflict saying %q", err, want)
	}
	// Reloaded, the edit goes through, and names this desk.
	fresh, err := b.FindRequestByID(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	stale.Version, stale.Applicant = fresh.Version, fresh.Applicant
	if _, err := b.UpdateRequest(clerkB, r.ID, fresh.Version, &stale, fp.SaveOptions{}); err != nil {
		t.Fatalf("the edit after reloading: %v", err)
	}
	es, err := b.RequestAudit(r.Number)
	if err != nil || len(es) < 2 {
		t.Fatalf("the request's entries: %d (%v)", len(es), err)
	}
	desks := map[string]int{}
	for _, e := range es {
		desks[e.Desk]++
	}
	if len(desks) != 2 || desks["Intake 1"] != 2 || desks["Director"] != 1 {
		t.Errorf("the request's entries name the desks %v, want Intake 1 twice and Director once", desks)
	}
	if _, problem, err := b.VerifyAudit(nil); err != nil || problem != nil {
		t.Errorf("the audit chain: %v %v", problem, err)
	}
}
