package officedesk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/internal/deskcert"
	"github.com/fieldprint/fieldprint/officedesk"
)

func writeDesk(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "desk.desk")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A desk's certificate near its end: the desk says when and what to run;
// desk renew issues a new one that connects with no warning, while the
// old file keeps working (records and scans) until it ends; desk list
// shows both ends. An ended certificate is refused before connecting, a
// removed or unknown desk is not renewed.
func TestDeskRenewal(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	s := startAt(t, dir, addr)
	if s.CAWarning() != "" {
		t.Errorf("a new CA warns: %q", s.CAWarning())
	}
	if _, err := s.AddDesk("Intake 1"); err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	oldFile := writeDesk(t, deskcert.Issue(t, dir, "Intake 1", soon))
	a := connect(t, s, oldFile)
	clerk, r := setUp(t, a)
	if !a.CertificateEnds().Equal(soon) {
		t.Errorf("the certificate ends %v, want %v", a.CertificateEnds(), soon)
	}
	w := a.RenewalWarning(time.Now())
	for _, want := range []string{"ends on " + soon.Format("2006-01-02"), `fieldprint desk renew "Intake 1" --data DIR --out FILE`, "--server " + s.URL()} {
		if !strings.Contains(w, want) {
			t.Errorf("the warning %q does not say %q", w, want)
		}
	}
	if w := a.RenewalWarning(soon.Add(-61 * 24 * time.Hour)); w != "" {
		t.Errorf("a warning 61 days before the end: %q", w)
	}

	data, err := server.RenewDesk(dir, "Intake 1")
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	b := connect(t, s, writeDesk(t, data))
	if b.Name() != "Intake 1" || b.CertificateEnds().Before(time.Now().AddDate(4, 11, 0)) || b.RenewalWarning(time.Now()) != "" {
		t.Errorf("the renewed desk: %q ends %v, %q", b.Name(), b.CertificateEnds(), b.RenewalWarning(time.Now()))
	}
	// The old file still works, scans too, until its end.
	if _, err := a.AttachFile(clerk, r.ID, "notice", "notice.pdf", demo.NoticeScan(r, "I-797C")); err != nil {
		t.Errorf("the old file after the renewal: %v", err)
	}
	connect(t, s, oldFile)
	list, err := server.DeskList(dir)
	if err != nil || len(list) != 1 || !list[0].PreviousEnds.Equal(soon) || list[0].Ends.Before(time.Now().AddDate(4, 11, 0)) {
		t.Errorf("desk list: %+v (%v)", list, err)
	}

	if _, err := server.RenewDesk(dir, "Nobody"); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Errorf("renew an unknown desk: %v", err)
	}
	if _, err := s.AddDesk("Counter"); err != nil {
		t.Fatal(err)
	}
	if _, err := server.RemoveDesk(dir, "Counter"); err != nil {
		t.Fatal(err)
	}
	if _, err := server.RenewDesk(dir, "Counter"); err == nil || !strings.Contains(fp.ErrorMessage(err), "was removed") {
		t.Errorf("renew a removed desk: %v", err)
	}

	if _, err := s.AddDesk("Director"); err != nil {
		t.Fatal(err)
	}
	ended := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	_, err = officedesk.Open(officedesk.Config{Server: s.URL(), DeskFile: writeDesk(t, deskcert.Issue(t, dir, "Director", ended))})
	if fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "ended on "+ended.Format("2006-01-02")) || !strings.Contains(fp.ErrorMessage(err), `desk renew "Director"`) {
		t.Errorf("an ended certificate: %v", err)
	}
}
