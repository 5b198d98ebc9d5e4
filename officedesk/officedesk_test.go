package officedesk_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/officedesk"
	"go.uber.org/zap"
)

// startServer runs an office server in a temporary folder on a free
// loopback port.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.Start(server.Config{Dir: t.TempDir(), Listen: "127.0.0.1:0", Logger: zap.NewNop(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatalf("start the server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// deskFile issues a desk's file, as `fieldprint desk add` does.
func deskFile(t *testing.T, s *server.Server, name string) string {
	t.Helper()
	data, err := s.AddDesk(name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".desk")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func connect(t *testing.T, s *server.Server, file string) *officedesk.Office {
	t.Helper()
	o, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: file, StampKey: filepath.Join(t.TempDir(), "stamp.key")})
	if err != nil {
		t.Fatalf("connect with %s: %v", filepath.Base(file), err)
	}
	o.Now = fixture.Now
	t.Cleanup(func() { o.Close() })
	return o
}

// Two desks on one server, as the window and the commands open them: what
// one records the other reads and finds; a scan attached at one is read
// at the other through the server (sealed on its disk); an edit of an old
// version names the person and the desk that changed the request first;
// every audit entry names its desk and the chain verifies.
func TestTwoDesksOnTheServer(t *testing.T) {
	s := startServer(t)
	a := connect(t, s, deskFile(t, s, "Intake 1"))
	b := connect(t, s, deskFile(t, s, "Director"))
	if a.Name() != "Intake 1" || b.DeskName() != "Director" {
		t.Fatalf("desk names %q %q", a.Name(), b.DeskName())
	}

	setUpOffice(t, a)
	clerkA, err := a.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	clerkB, err := b.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatalf("sign in at the second desk: %v", err)
	}
	// The second desk searched before the request existed: its index in
	// memory must catch up.
	if _, total, err := b.FindRequests(fp.RequestFilter{Search: "Nguyen"}); err != nil || total != 0 {
		t.Fatalf("search before: %d (%v)", total, err)
	}

	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.CreateRequest(clerkA, in, fp.SaveOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := b.FindRequestByID(r.ID)
	if err != nil || got.Applicant.FullName != r.Applicant.FullName {
		t.Fatalf("read at the other desk: %v", err)
	}
	rows, total, err := b.FindRequests(fp.RequestFilter{Search: "Nguyen"})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
		t.Fatalf("search at the other desk: %d rows of %d (%v)", len(rows), total, err)
	}

	// A scan attached at intake, read at the director's desk.
	notice := demo.NoticeScan(r, "I-797C")
	if r, err = a.AttachFile(clerkA, r.ID, "notice", "notice.pdf", notice); err != nil {
		t.Fatalf("attach: %v", err)
	}
	it, _ := r.FindItem("notice", fp.DateOf(fixture.Now()))
	if it.Doc.File == nil {
		t.Fatal("the scan is not on the checklist")
	}
	sum := it.Doc.File.SHA256
	data, err := b.ReadFile(sum)
	if err != nil || !bytes.Equal(data, notice) {
		t.Fatalf("the scan read at the other desk: %d bytes (%v)", len(data), err)
	}
	blob := filepath.Join(s.Dir(), "blobs", sum[:2], sum)
	stored, err := os.ReadFile(blob)
	if err != nil {
		t.Fatalf("the server keeps no blob for the scan: %v", err)
	}
	if bytes.Contains(stored, notice[:64]) || bytes.Contains(stored, []byte("Nguy")) {
		t.Error("the server's blob holds the scan in the clear")
	}
	// A blob damaged on the server's disk is reported, never shown.
	bad := bytes.Clone(stored)
	bad[len(bad)-1] ^= 1
	if err := os.WriteFile(blob, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ReadFile(sum); err == nil {
		t.Error("a damaged blob was read without complaint")
	}
	if err := os.WriteFile(blob, stored, 0o600); err != nil {
		t.Fatal(err)
	}
	if errs := b.Check(); len(errs) > 0 {
		t.Errorf("the office's check: %v", errs)
	}

	// Both desks edit the version they read: the second is told who
	// changed it, where and when.
	cur, err := b.FindRequestByID(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	editA, editB := *cur, *cur
	editA.Basis, editB.Basis = "edited at intake", "typed at the director's desk"
	if _, err := a.UpdateRequest(clerkA, r.ID, cur.Version, &editA, fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = b.UpdateRequest(clerkB, r.ID, cur.Version, &editB, fp.SaveOptions{})
	want := r.Number + " was changed by mlopez at Intake 1 at " + fixture.Now().Format("15:04") + " after you opened it"
	if fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), want) {
		t.Errorf("the second edit: %v, want a conflict saying %q", err, want)
	}
	fresh, err := b.FindRequestByID(r.ID)
	if err != nil || fresh.Basis != "edited at intake" {
		t.Fatalf("after the conflict: %q (%v)", fresh.Basis, err)
	}
	editB.Version = fresh.Version
	if _, err := b.UpdateRequest(clerkB, r.ID, fresh.Version, &editB, fp.SaveOptions{}); err != nil {
		t.Fatalf("the edit after reloading: %v", err)
	}

	es, err := a.RequestAudit(r.Number)
	if err != nil {
		t.Fatal(err)
	}
	desks := map[string]int{}
	for _, e := range es {
		desks[e.Desk]++
	}
	if desks["Intake 1"] != 3 || desks["Director"] != 1 || len(desks) != 2 {
		t.Errorf("the request's audit entries name the desks %v; want Intake 1 three times (record, attach, edit) and Director once", desks)
	}
	if _, problem, err := a.VerifyAudit(nil); err != nil || problem != nil {
		t.Errorf("the audit chain: %v %v", problem, err)
	}

	// The server's disk holds no applicant's data in the clear.
	a.Close()
	b.Close()
	s.Close()
	canaries := []string{"Nguy", "Khai", "A012345678", "IOE0912345678", "typed at the", "edited at intake"}
	filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
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

// A server that does not answer, a desk's file of another office, a file
// that is no desk's: each is said plainly, naming the server, and nothing
// is changed.
func TestConnectRefusals(t *testing.T) {
	s := startServer(t)
	file := deskFile(t, s, "Intake 1")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	began := time.Now()
	_, err = officedesk.Open(officedesk.Config{Server: "https://" + dead, DeskFile: file})
	want := "the office server " + dead + " does not answer: check the network or ask your IT contact; nothing was changed"
	if err == nil || fp.ErrorMessage(err) != want {
		t.Errorf("a server that does not answer: %v, want %q", err, want)
	}
	if took := time.Since(began); took > 15*time.Second {
		t.Errorf("it took %v to say so", took)
	}

	other := startServer(t)
	_, err = officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: deskFile(t, other, "Intake 1")})
	if fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "this desk's file is not of the office server "+strings.TrimPrefix(s.URL(), "https://")) {
		t.Errorf("a desk's file of another office: %v", err)
	}

	// A desk removed (its certificate's record deleted on the server, as
	// OFFICE-SERVER.md says) is not admitted.
	gone := deskFile(t, s, "Old counter")
	if err := os.Remove(filepath.Join(s.Dir(), "desks", "Old counter.crt")); err != nil {
		t.Fatal(err)
	}
	if _, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: gone}); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "does not admit this desk") {
		t.Errorf("a removed desk: %v", err)
	}

	junk := filepath.Join(t.TempDir(), "notes.desk")
	os.WriteFile(junk, []byte("hello"), 0o600)
	if _, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: junk}); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "not a desk's file") {
		t.Errorf("a file that is no desk's: %v", err)
	}
	if _, err := officedesk.Open(officedesk.Config{Server: "http://" + dead, DeskFile: file}); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("a plain http address: %v", err)
	}
}

// A change at one desk reaches the other's Changes within a second (the
// window refreshes its screen on it).
func TestChangesReachTheOtherDesk(t *testing.T) {
	s := startServer(t)
	a := connect(t, s, deskFile(t, s, "Intake 1"))
	b := connect(t, s, deskFile(t, s, "Director"))
	setUpOffice(t, a)
	clerk, err := a.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	changes := b.Changes()
	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// A sign-in changes no request: nothing to refresh.
	select {
	case <-changes:
		t.Fatal("a tick without a request changed")
	case <-time.After(300 * time.Millisecond):
	}
	var worst time.Duration
	for i := 0; i < 5; i++ {
		in.ReceiptNumbers = nil
		in.ANumber = fp.ANumber(fmt.Sprintf("A%09d", 100000000+i))
		start := time.Now()
		if _, err := a.CreateRequest(clerk, in, fp.SaveOptions{AllowDuplicates: true}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changes:
			worst = max(worst, time.Since(start))
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d did not reach the other desk", i)
		}
	}
	t.Logf("slowest of 5 changes to reach the other desk: %v", worst)
	b.Close()
	select {
	case _, ok := <-changes:
		for ok {
			_, ok = <-changes
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Changes did not end with the office")
	}
}

// A request open at one desk says so at the other, and lets go when it is
// closed there.
func TestOpenAtAnotherDesk(t *testing.T) {
	s := startServer(t)
	a := connect(t, s, deskFile(t, s, "Intake 1"))
	b := connect(t, s, deskFile(t, s, "Director"))
	release := a.OpenAt("FP-2026-00042", "mlopez")
	if got := b.OpenElsewhere("FP-2026-00042"); len(got) != 1 || got[0] != "mlopez at Intake 1" {
		t.Fatalf("at the other desk: %v", got)
	}
	if got := a.OpenElsewhere("FP-2026-00042"); len(got) != 0 {
		t.Fatalf("a desk sees itself: %v", got)
	}
	if got := b.OpenElsewhere("FP-2026-00043"); len(got) != 0 {
		t.Fatalf("another request: %v", got)
	}
	release()
	if got := b.OpenElsewhere("FP-2026-00042"); len(got) != 0 {
		t.Fatalf("still open after it was closed: %v", got)
	}
}

// setUpOffice makes the office on the server from desk a, as its first
// administrator does: root, the data key, and a clerk, mlopez.
func setUpOffice(t *testing.T, a *officedesk.Office) {
	t.Helper()
	root := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := a.CreateUser(nil, fp.NewUser{Name: root.Name, FullName: "Rosa Ortiz", Role: root.Role, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetUpKeys(root, fixture.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(&root, fp.NewUser{Name: "mlopez", FullName: "María López", Role: fp.RoleClerk, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
}

// The audit trail written from two desks in turns and in bursts: each desk
// finds the trail's newest entry from the last one it saw (auditHead), so
// a burst at one desk is walked past at the other; the chain has no fork,
// and the trail read newest first (by key, on a server) is every entry.
func TestAuditTrailFromTwoDesks(t *testing.T) {
	s := startServer(t)
	a := connect(t, s, deskFile(t, s, "Intake 1"))
	b := connect(t, s, deskFile(t, s, "Intake 2"))
	setUpOffice(t, a)
	root := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	clerk, err := b.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	save := func(d *officedesk.Office, times int) {
		t.Helper()
		for range times {
			n++
			in.ReceiptNumbers = nil
			in.ANumber = fp.ANumber(fmt.Sprintf("A%09d", 200000000+n))
			if _, err := d.CreateRequest(clerk, in, fp.SaveOptions{AllowDuplicates: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, burst := range []int{1, 1, 3, 1, 37, 2, 130, 1} {
		save(a, burst)
		save(b, 1)
	}
	for _, d := range []*officedesk.Office{a, b} {
		head, problem, err := d.VerifyAudit(nil)
		if err != nil || problem != nil {
			t.Fatalf("%s: the chain does not verify: %v %+v", d.Name(), err, problem)
		}
		all, err := d.FindAudit(root, fp.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(all)) != head.Count {
			t.Fatalf("%s: %d entries newest first, the chain has %d", d.Name(), len(all), head.Count)
		}
		for i, e := range all {
			if e.Seq != head.Count-uint64(i) {
				t.Fatalf("%s: entry %d newest first is number %d, want %d", d.Name(), i, e.Seq, head.Count-uint64(i))
			}
		}
		some, err := d.FindAudit(root, fp.AuditFilter{Limit: 7})
		if err != nil || len(some) != 7 || some[0].Seq != head.Count || some[6].Seq != head.Count-6 {
			t.Fatalf("%s: the newest 7: %d entries, %v", d.Name(), len(some), err)
		}
	}
}

// An administrator at one desk moves the office's time zone: a desk that
// follows the office (the window) reads it within a second, and the letters
// it prints then carry the new letterhead (read at each print).
func TestSettingsReachTheOtherDesk(t *testing.T) {
	s := startServer(t)
	a := connect(t, s, deskFile(t, s, "Admin"))
	b := connect(t, s, deskFile(t, s, "Intake 1"))
	setUpOffice(t, a)
	root, err := a.Authenticate("root", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	changes := b.Changes()
	sch, err := a.Scheduling()
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"Africa/Nairobi", "Asia/Kolkata"} {
		sch.TimeZone = zone
		if err := a.SetScheduling(root, sch); err != nil {
			t.Fatal(err)
		}
		within(t, 2*time.Second, "the other desk reads the new time zone "+zone, func() bool {
			select {
			case <-changes:
			default:
			}
			return b.Location().String() == zone
		})
	}
	o := fp.Office{Name: "USCIS Nairobi Field Office", Address: "U.S. Embassy\nUnited Nations Avenue, Gigiri\nNairobi", Signatory: "A. Director", SignatoryTitle: "Field Office Director"}
	if err := a.SetOffice(root, o); err != nil {
		t.Fatal(err)
	}
	within(t, 2*time.Second, "the other desk reads the new letterhead", func() bool {
		got, err := b.Office()
		return err == nil && got.Name == o.Name
	})
}
