package officedesk_test

import (
	"github.com/fieldprint/fieldprint/officedesk"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"go.uber.org/zap"
)

// freeAddr is a loopback address nothing listens on (a server stopped and
// started again keeps it).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startAt(t *testing.T, dir, addr string) *server.Server {
	t.Helper()
	s, err := server.Start(server.Config{Dir: dir, Listen: addr, Logger: zap.NewNop(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatalf("start the server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// setUp makes the office's accounts and keys and one request at desk o; it
// returns the clerk, signed in, and the request.
func setUp(t *testing.T, o interface {
	CreateUser(*fp.Actor, fp.NewUser) (*fp.User, error)
	SetUpKeys(fp.Actor, string) (string, error)
	Authenticate(string, string) (fp.Actor, error)
	CreateRequest(fp.Actor, *fp.Request, fp.SaveOptions) (*fp.Request, error)
}) (fp.Actor, *fp.Request) {
	t.Helper()
	root := fp.Actor{Name: "root", Role: fp.RoleAdmin}
	if _, err := o.CreateUser(nil, fp.NewUser{Name: root.Name, FullName: "Rosa Ortiz", Role: root.Role, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.SetUpKeys(root, fixture.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := o.CreateUser(&root, fp.NewUser{Name: "mlopez", FullName: "María López", Role: fp.RoleClerk, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	clerk, err := o.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := fixture.Request().Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.CreateRequest(clerk, in, fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return clerk, r
}

// within fails unless cond holds within d; it says how long it took.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(began)
}

// The server stops: the desk says so at once (Away, OnAway), refuses a
// change at once with a message saying it was not saved and is kept on
// screen, says plainly that nothing can be read, and refuses to send or
// read a scan; the server starts again: the desk notices within seconds,
// and the change, tried again, is saved (the refused one was not).
func TestServerAway(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startAt(t, dir, addr)
	o := connect(t, s, deskFile(t, s, "Intake 1"))
	clerk, r := setUp(t, o)
	host := strings.TrimPrefix(s.URL(), "https://")
	var mu sync.Mutex
	var told []bool
	o.OnAway(func(_ time.Time, away bool) {
		mu.Lock()
		told = append(told, away)
		mu.Unlock()
	})
	if _, away := o.Away(); away {
		t.Fatal("away before the server stopped")
	}

	s.Close()
	took := within(t, etcdstore.PingTimeout+time.Second, "the desk notices the server stopped", func() bool { _, away := o.Away(); return away })
	t.Logf("noticed the server away in %v", took)
	since, _ := o.Away()
	at := since.Local().Format("15:04")

	began := time.Now()
	_, err := o.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, "")
	want := "the office server " + host + " does not answer since " + at + ": your change was not saved; it is kept on screen — try again when the server is back"
	if fp.ErrorMessage(err) != want {
		t.Errorf("a change while away: %q, want %q", fp.ErrorMessage(err), want)
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Errorf("the change was refused after %v", d)
	}
	began = time.Now()
	_, err = o.FindRequestByID(r.ID)
	if msg := fp.ErrorMessage(err); !strings.Contains(msg, "does not answer since "+at+": nothing can be read from it or saved until it is back") {
		t.Errorf("a read while away: %q", msg)
	}
	if _, err := o.AttachFile(clerk, r.ID, "notice", "notice.pdf", demo.NoticeScan(r, "I-797C")); !strings.Contains(fp.ErrorMessage(err), "does not answer since "+at) {
		t.Errorf("a scan attached while away: %q", fp.ErrorMessage(err))
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Errorf("the read and the attachment were refused after %v", d)
	}

	startAt(t, dir, addr)
	took = within(t, 10*time.Second, "the desk notices the server is back", func() bool { _, away := o.Away(); return !away })
	t.Logf("noticed the server back in %v", took)
	got, err := o.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, "")
	if err != nil {
		t.Fatalf("the change once the server is back: %v", err)
	}
	if got.Version != r.Version+1 {
		t.Errorf("version %d after one saved change from %d: the refused change was saved", got.Version, r.Version)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 2 || !told[0] || told[1] {
		t.Errorf("the window was told %v, want away then back", told)
	}
}

// A desk removed (fieldprint desk remove) is refused at once by the
// running server, for records and scans, and cannot connect again; its
// name is not given again. A desk removed while the server is stopped is
// refused when it starts.
func TestRemoveDesk(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startAt(t, dir, addr)
	a := connect(t, s, deskFile(t, s, "Intake 1"))
	bFile := deskFile(t, s, "Director")
	b := connect(t, s, bFile)
	clerkA, r := setUp(t, a)
	r, err := a.AttachFile(clerkA, r.ID, "notice", "notice.pdf", demo.NoticeScan(r, "I-797C"))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := r.FindItem("notice", fp.DateOf(fixture.Now()))
	clerkB, err := b.Authenticate("mlopez", fixture.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ReadFile(it.Doc.File.SHA256); err != nil {
		t.Fatalf("the scan at the desk before its removal: %v", err)
	}

	now, err := server.RemoveDesk(dir, "Director")
	if err != nil || !now {
		t.Fatalf("remove: %v %v", now, err)
	}
	if _, err := b.FindRequestByID(r.ID); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "does not admit this desk") {
		t.Errorf("a read at the removed desk: %v", err)
	}
	if _, err := b.TransitionRequest(clerkB, r.ID, fp.StatusAwaitingDocuments, ""); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a change at the removed desk: %v", err)
	}
	if _, err := b.ReadFile(it.Doc.File.SHA256); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a scan read at the removed desk: %v", err)
	}
	if _, err := a.FindRequestByID(r.ID); err != nil {
		t.Errorf("the other desk: %v", err)
	}
	if _, err := officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: bFile}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("the removed desk connects: %v", err)
	}
	if _, err := s.AddDesk("Director"); fp.ErrorCode(err) != fp.ECONFLICT {
		t.Errorf("the removed desk's name given again: %v", err)
	}
	if _, err := server.RemoveDesk(dir, "Director"); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Errorf("removed twice: %v", err)
	}

	// Removed while the server is stopped: refused (by etcd, not only by
	// the scans' check) once it starts.
	cFile := deskFile(t, s, "Counter")
	s.Close()
	if now, err := server.RemoveDesk(dir, "Counter"); err != nil || now {
		t.Fatalf("remove while stopped: %v %v", now, err)
	}
	s = startAt(t, dir, addr)
	d, err := etcdstore.ReadDeskFile(cFile)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := etcdstore.Open(s.URL(), d); fp.ErrorCode(err) != fp.EFORBIDDEN {
		if err == nil {
			st.Close()
		}
		t.Errorf("a desk removed while the server was stopped: %v", err)
	}
	admitted, removed, err := server.Desks(dir)
	if err != nil || strings.Join(admitted, ",") != "Intake 1" || strings.Join(removed, ",") != "Counter,Director" {
		t.Errorf("desks: %v, removed %v (%v)", admitted, removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "desks", "Director.crt")); !os.IsNotExist(err) {
		t.Errorf("the removed desk's certificate is still recorded: %v", err)
	}
}
