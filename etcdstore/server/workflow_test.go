package server_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/workflow"
)

// office opens the workflow on a desk of s. Scans go to a folder shared
// by the test's desks (blobs on the server are a later slice).
func office(t *testing.T, st fp.Storage, scans string) *workflow.Desk {
	t.Helper()
	d, err := workflow.New(st, disk.Folder{Dir: scans}, filepath.Join(t.TempDir(), "stamp.key"), "the office server")
	if err != nil {
		t.Fatal(err)
	}
	d.Now = fixture.Now
	return d
}

// The workflow runs unchanged on the office server: one desk sets the
// office up and records a request, another desk signs in and reads it; two
// desks editing the same version of a request never both win; the audit
// chain both desks wrote verifies.
func TestWorkflowOnTwoDesks(t *testing.T) {
	s := startT(t)
	scans := t.TempDir()
	a := office(t, deskT(t, s, "intake"), scans)
	b := office(t, deskT(t, s, "director"), scans)

	admin := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := a.CreateUser(nil, fp.NewUser{Name: admin.Name, FullName: "Rosa Ortiz", Role: admin.Role, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetUpKeys(admin, fixture.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(&admin, fp.NewUser{Name: "mlopez", FullName: "María López", Role: fp.RoleClerk, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	clerkA, err := a.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.CreateRequest(clerkA, in, fp.SaveOptions{})
	if err != nil {
		t.Fatalf("create a request over etcd: %v", err)
	}

	// The other desk: its own sign-in unlocks the office key there.
	clerkB, err := b.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatalf("sign in at the second desk: %v", err)
	}
	got, err := b.FindRequestByID(r.ID)
	if err != nil {
		t.Fatalf("read at the second desk: %v", err)
	}
	if got.Number != r.Number || got.Applicant.FullName != r.Applicant.FullName {
		t.Errorf("the second desk reads %s %q, the first wrote %s %q", got.Number, got.Applicant.FullName, r.Number, r.Applicant.FullName)
	}
	rows, total, err := b.FindRequests(fp.RequestFilter{Search: "Nguyen"})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
		t.Errorf("search at the second desk: %d rows of %d (%v)", len(rows), total, err)
	}

	// Both desks edit the version they read: the first wins, the second is
	// told it is stale.
	editA, editB := *got, *got
	editA.Basis, editB.Basis = "edited at intake", "edited at the director's desk"
	if _, err := a.UpdateRequest(clerkA, r.ID, got.Version, &editA, fp.SaveOptions{}); err != nil {
		t.Fatalf("the first edit: %v", err)
	}
	if _, err := b.UpdateRequest(clerkB, r.ID, got.Version, &editB, fp.SaveOptions{}); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("the second edit of the same version: %v, want a conflict", err)
	}
	now, err := b.FindRequestByID(r.ID)
	if err != nil || now.Basis != "edited at intake" {
		t.Errorf("after both edits the basis is %q (%v)", now.Basis, err)
	}
	if _, problem, err := b.VerifyAudit(nil); err != nil || problem != nil {
		t.Errorf("the audit chain: %v %v", problem, err)
	}
	if errs := b.Check(); len(errs) > 0 {
		t.Errorf("the office's check: %v", errs)
	}

	// The server's disk (etcd's database and write-ahead log) holds none
	// of the applicant's data in the clear: the desks sealed it.
	s.Close()
	canaries := []string{"Nguy", "Khai", "khai@example.com", "IOE0912345678", "NBC2612345678", "A012345678", "E12345678", "EK1234567", "ukasz", "I-600A", "1985-04-12", "edited at"}
	filepath.WalkDir(filepath.Join(s.Dir(), "etcd"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		for _, c := range canaries {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s holds %q in the clear", path, c)
			}
		}
		return nil
	})
}
