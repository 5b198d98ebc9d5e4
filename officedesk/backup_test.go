package officedesk_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/vault"
)

// testCost keeps the passphrase's argon2id cheap in tests.
var testCost = vault.Cost{MemoryKiB: 1024, Time: 1, Threads: 1}

const testPassphrase = "correct horse battery staple"

// The server's own backup and restore, end to end on a real server: a
// desk works (a request, its scan), the running server is backed up, the
// desk goes on (a status change, a second request with its scan, a desk
// added), the server stops; damaged copies of the backup are refused and
// leave the folder as it was; the restore sets the old parts aside and
// the restarted server serves exactly the state at the backup to the same
// desk, still open (its scan included; its search and its live screens
// read everything again), and to a new connection with the same desk's
// file; the desk added since stays admitted; new changes are saved.
func TestBackupRestore(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startAt(t, dir, addr)
	aFile := deskFile(t, s, "Intake 1")
	a := connect(t, s, aFile)
	clerk, r := setUp(t, a)
	notice := demo.NoticeScan(r, "I-797C")
	r, err := a.AttachFile(clerk, r.ID, "notice", "notice.pdf", notice)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := r.FindItem("notice", fp.DateOf(fixture.Now()))
	sum := it.Doc.File.SHA256
	if _, total, err := a.FindRequests(fp.RequestFilter{Search: "Nguyen"}); err != nil || total != 1 {
		t.Fatalf("search before the backup: %d (%v)", total, err)
	}
	changes := a.Changes()
	// Another desk, whose search index follows the changes of the first.
	d := connect(t, s, deskFile(t, s, "Director"))
	if _, err := d.Authenticate("mlopez", fixture.Password); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "office.fpbackup")
	info, err := server.Backup(context.Background(), dir, file, testPassphrase, testCost)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !info.Live || info.Blobs != 1 || info.Revision == 0 || info.Path != file {
		t.Fatalf("backup info: %+v", info)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("BEGIN")) || bytes.Contains(raw, []byte("Nguy")) {
		t.Fatal("the backup holds the office's keys or names in the clear")
	}

	// After the backup.
	before, beforeStatus := r.Version, r.Status
	if r, err = a.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, ""); err != nil {
		t.Fatal(err)
	}
	in := fixture.Request()
	in.FullName, in.ANumber, in.ReceiptNumbers, in.Email = "Jan Kowalski", "87654321", "IOE0912399999", "jan@example.com"
	in.Passport.Number = "E99999999"
	req2, _, err := in.Parse(fp.DateOf(fixture.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.CreateRequest(clerk, req2, fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err = a.AttachFile(clerk, r2.ID, "notice", "notice.pdf", demo.NoticeScan(r2, "I-797C"))
	if err != nil {
		t.Fatal(err)
	}
	it2, _ := r2.FindItem("notice", fp.DateOf(fixture.Now()))
	sum2 := it2.Doc.File.SHA256
	counterFile := deskFile(t, s, "Counter")
	if _, total, err := d.FindRequests(fp.RequestFilter{Search: "Kowalski"}); err != nil || total != 1 {
		t.Fatalf("the other desk's search before the restore: %d (%v)", total, err)
	}
	s.Close()

	// Damaged copies: refused, nothing changed.
	for name, data := range map[string][]byte{
		"cut short": raw[:len(raw)-100],
		"a byte flipped": func() []byte {
			b := bytes.Clone(raw)
			b[len(b)/2] ^= 0x40
			return b
		}(),
	} {
		bad := filepath.Join(t.TempDir(), "bad.fpbackup")
		os.WriteFile(bad, data, 0o600)
		_, err := server.Restore(dir, bad, testPassphrase)
		if fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "cannot be used") || !strings.Contains(fp.ErrorMessage(err), "nothing was changed") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := server.Restore(dir, file, "not the passphrase at all"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a wrong passphrase: %v", err)
	}
	if got := names(t, dir); got != "blobs desks etcd pki" {
		t.Errorf("a refused restore left %s", got)
	}

	// Refused while the server runs.
	s = startAt(t, dir, addr)
	within(t, 15*time.Second, "the office as it was before the refused restores", func() bool {
		got, err := a.FindRequestByID(r2.ID)
		return err == nil && got.ID == r2.ID
	})
	if _, err := server.Restore(dir, file, testPassphrase); fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), "stop it first") {
		t.Errorf("restore while running: %v", err)
	}
	s.Close()

	rinfo, err := server.Restore(dir, file, testPassphrase)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !rinfo.KeptCerts || rinfo.Aside == "" || rinfo.Blobs != 1 || rinfo.Revision != info.Revision {
		t.Errorf("restore info: %+v", rinfo)
	}
	if _, err := os.Stat(filepath.Join(rinfo.Aside, "etcd")); err != nil {
		t.Errorf("the replaced database was not set aside: %v", err)
	}
	s = startAt(t, dir, addr)

	// The same desk, still open: back to the state at the backup.
	within(t, 15*time.Second, "the desk reconnects", func() bool { _, away := a.Away(); return !away })
	var got *fp.Request
	within(t, 15*time.Second, "the desk reads the restored office", func() bool {
		got, err = a.FindRequestByID(r.ID)
		return err == nil
	})
	if got.Version != before || got.Status == fp.StatusAwaitingDocuments {
		t.Errorf("the request after the restore: version %d status %s, want version %d", got.Version, got.Status, before)
	}
	if _, err := a.FindRequestByID(r2.ID); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Errorf("a request made after the backup: %v", err)
	}
	if rows, total, err := a.FindRequests(fp.RequestFilter{Search: "Kowalski"}); err != nil || total != 0 {
		t.Errorf("the desk's search finds a request made after the backup: %v %d (%v)", rows, total, err)
	}
	if _, total, err := a.FindRequests(fp.RequestFilter{Search: "Nguyen"}); err != nil || total != 1 {
		t.Errorf("search after the restore: %d (%v)", total, err)
	}
	within(t, 15*time.Second, "the other desk reconnects", func() bool { _, away := d.Away(); return !away })
	if rows, total, err := d.FindRequests(fp.RequestFilter{Search: "Kowalski"}); err != nil || total != 0 {
		t.Errorf("the other desk's search finds a request made after the backup: %v %d (%v)", rows, total, err)
	}
	// Its index in memory had followed the change of status after the
	// backup: it is built again (the restored server's search mark).
	if _, total, err := d.FindRequests(fp.RequestFilter{Search: "Nguyen", Statuses: []fp.Status{beforeStatus}}); err != nil || total != 1 {
		t.Errorf("the other desk's search by the status at the backup: %d (%v)", total, err)
	}
	if data, err := a.ReadFile(sum); err != nil || !bytes.Equal(data, notice) {
		t.Errorf("the scan after the restore: %d bytes (%v)", len(data), err)
	}
	if _, err := a.ReadFile(sum2); err == nil {
		t.Error("a scan attached after the backup is read")
	}
	select { // the live screens were told to read again
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Error("the desk's live changes did not tick after the restore")
	}
	if _, err := a.TransitionRequest(clerk, r.ID, fp.StatusAwaitingDocuments, ""); err != nil {
		t.Errorf("a change after the restore: %v", err)
	}
	if errs := a.Check(); len(errs) > 0 {
		t.Errorf("the office's check after the restore: %v", errs)
	}

	// A new connection with the same desk's file; the desk added after the
	// backup is still admitted.
	b := connect(t, s, aFile)
	if _, err := b.Authenticate("mlopez", fixture.Password); err != nil {
		t.Fatalf("sign in after the restore: %v", err)
	}
	if got, err := b.FindRequestByID(r.ID); err != nil || got.Status != fp.StatusAwaitingDocuments {
		t.Errorf("the new connection: %v", err)
	}
	connect(t, s, counterFile)
}

// names lists a folder's entries.
func names(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return strings.Join(out, " ")
}

// A stopped server is backed up from its folder; a backup restores into an
// empty folder (another machine): the backup's certificates are used, and
// the desks' files still connect.
func TestBackupStoppedRestoreElsewhere(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startAt(t, dir, addr)
	aFile := deskFile(t, s, "Intake 1")
	a := connect(t, s, aFile)
	_, r := setUp(t, a)
	a.Close()
	s.Close()

	file := filepath.Join(t.TempDir(), "stopped.fpbackup")
	info, err := server.Backup(context.Background(), dir, file, testPassphrase, testCost)
	if err != nil {
		t.Fatalf("backup of a stopped server: %v", err)
	}
	if info.Live {
		t.Error("a stopped server's backup says it was live")
	}
	if _, err := server.Backup(context.Background(), dir, file, testPassphrase, testCost); err == nil || !strings.Contains(fp.ErrorMessage(err), "exists already") {
		t.Errorf("a backup over an existing file: %v", err)
	}

	other := filepath.Join(t.TempDir(), "server")
	rinfo, err := server.Restore(other, file, testPassphrase)
	if err != nil {
		t.Fatalf("restore into an empty folder: %v", err)
	}
	if rinfo.KeptCerts || rinfo.Aside != "" {
		t.Errorf("restore info: %+v", rinfo)
	}
	s = startAt(t, other, addr)
	b := connect(t, s, aFile)
	if _, err := b.Authenticate("mlopez", fixture.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FindRequestByID(r.ID); err != nil {
		t.Errorf("the request on the restored server: %v", err)
	}
}
