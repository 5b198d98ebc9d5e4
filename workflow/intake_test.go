package workflow

import (
	"os"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// KeepMessage keeps the message beside the database, records its key once
// (a second time is a conflict naming the request), audits it, and leaves
// the database consistent; a refused keep leaves no file behind.
func TestKeepMessage(t *testing.T) {
	db, path := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: a@example.com\r\nMessage-ID: <x1@example.com>\r\n\r\nhello\r\n")
	if n, err := db.MessageImported("<x1@example.com>"); err != nil || n != "" {
		t.Fatalf("before: %q %v", n, err)
	}
	if err := db.KeepMessage(admin, r.ID, "<x1@example.com>", "m.eml", raw); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("an administrator kept a message: %v", err)
	}
	if err := db.KeepMessage(clerk, r.ID, "<x1@example.com>", "/tmp/m.eml", raw); err != nil {
		t.Fatal(err)
	}
	if n, err := db.MessageImported("<x1@example.com>"); err != nil || n != r.Number {
		t.Errorf("after: %q %v", n, err)
	}
	err = db.KeepMessage(director, r.ID, "<x1@example.com>", "m.eml", raw)
	if fp.ErrorCode(err) != fp.ECONFLICT || !strings.Contains(fp.ErrorMessage(err), r.Number) {
		t.Errorf("the same message twice: %v", err)
	}
	got, err := db.ReadMessage("<x1@example.com>")
	if err != nil || string(got) != string(raw) {
		t.Errorf("read back %q %v", got, err)
	}
	st, err := os.Stat(db.scanPath(fp.Fingerprint(raw)))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("kept file: %v %v", st, err)
	}
	hist, _ := db.RequestAudit(r.Number)
	last := hist[len(hist)-1]
	if last.Action != fp.ActionMailKeep || !strings.Contains(last.Describe(), "<x1@example.com>") || !strings.Contains(last.Describe(), fp.Fingerprint(raw)) {
		t.Errorf("audit: %+v", last)
	}
	// A refused keep (closed request) removes the file it wrote.
	other := []byte("From: b@example.com\r\n\r\nother\r\n")
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusWithdrawn, "withdrawn"); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepMessage(clerk, r.ID, "sha256:"+fp.Fingerprint(other), "b.eml", other); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("kept with a closed request: %v", err)
	}
	if _, err := os.Stat(db.scanPath(fp.Fingerprint(other))); !os.IsNotExist(err) {
		t.Errorf("a refused message's file stayed: %v", err)
	}
	checkClean(t, db)
	// The kept message is a stored file like a scan: the sweep leaves it.
	if err := db.Sweep(); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ReadMessage("<x1@example.com>"); err != nil || string(got) != string(raw) {
		t.Errorf("after the sweep: %q %v", got, err)
	}
	db = reopen(t, db, path)
	if n, _ := db.MessageImported("<x1@example.com>"); n != r.Number {
		t.Errorf("after reopening: %q", n)
	}
	checkClean(t, db)
}
