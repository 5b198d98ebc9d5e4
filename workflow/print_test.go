package workflow

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

func demoStore(t *testing.T) *Desk { return demoDesk(t, 30) }

func firstWith(t *testing.T, db *Desk, st fp.Status) *fp.Request {
	t.Helper()
	rows, _, err := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{st}, Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no %s request: %v", st, err)
	}
	r, err := db.FindRequestByID(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pdfText is what a reader of the PDF sees.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.pdf")
	os.WriteFile(path, b, 0o600)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Skipf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// Print renders, hashes and records in one step, for every document; the
// copy counts and the audit follow; an administrator prints nothing.
func TestPrint(t *testing.T) {
	db := demoStore(t)
	now := db.Now()
	clerk := demo.Clerk
	r := firstWith(t, db, fp.StatusNew)
	p, err := Print(db, clerk, Document{Kind: Record, Request: r.ID}, now)
	if err != nil || p.Name != "record" || p.Copy != 1 || p.SHA256 != fp.Fingerprint(p.Bytes) {
		t.Fatalf("record: %q copy %d %v", p.Name, p.Copy, err)
	}
	if txt := pdfText(t, p.Bytes); !strings.Contains(txt, r.Number) || !strings.Contains(txt, "María López") {
		t.Errorf("the record does not name the request and who printed it (full name): %s", txt)
	}
	if p2, _ := Print(db, clerk, Document{Kind: Record, Request: r.ID}, now); p2.Copy != 2 {
		t.Errorf("second copy %d", p2.Copy)
	}
	es, _ := db.FindAudit(demo.Director, fp.AuditFilter{Action: fp.ActionRecordPrint})
	if len(es) < 2 || !strings.Contains(es[0].Note, p.SHA256) && !strings.Contains(es[1].Note, p.SHA256) {
		t.Errorf("the printing is not audited with its SHA-256: %+v", es)
	}
	// An appointment letter once, again only with a reason.
	sch := firstWith(t, db, fp.StatusScheduled)
	if sch.LetterPrinted(db.Today()) {
		t.Skip("the demo printed the letter already")
	}
	if p, err = Print(db, clerk, Document{Kind: StatusLetter, Request: sch.ID}, now); err != nil || p.Name != "appointment letter" || p.Copy != 1 {
		t.Fatalf("appointment letter: %q %d %v", p.Name, p.Copy, err)
	}
	if _, err = Print(db, clerk, Document{Kind: StatusLetter, Request: sch.ID}, now); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("a reprint without a reason: %v", err)
	}
	if p, err = Print(db, clerk, Document{Kind: StatusLetter, Request: sch.ID, Reason: "lost in the post"}, now); err != nil || p.Copy != 2 {
		t.Fatalf("a reprint with a reason: %d %v", p.Copy, err)
	}
	// A day sheet, dated in office time.
	if p, err = Print(db, clerk, Document{Kind: DaySheet, Day: db.Today()}, now); err != nil || !strings.HasPrefix(string(p.Bytes), "%PDF-") {
		t.Fatalf("day sheet: %v", err)
	}
	// It carries the audit trail's signed checkpoint, which verifies.
	text := pdfText(t, p.Bytes)
	head, _, _ := db.VerifyAudit(nil)
	if !strings.Contains(text, "Audit trail signed") || !strings.Contains(text, fmt.Sprintf("verify --checkpoint %d:", head.Count)) {
		t.Fatalf("the day sheet has no signed checkpoint of the history (%d entries): %s", head.Count, text)
	}
	// Nothing for an administrator, and nothing recorded.
	before, _ := db.FindAudit(demo.Director, fp.AuditFilter{})
	for _, d := range []Document{{Kind: Record, Request: r.ID}, {Kind: DaySheet, Day: db.Today()}, {Kind: StatusLetter, Request: sch.ID, Reason: "x"}} {
		if _, err := Print(db, demo.Admin, d, now); fp.ErrorCode(err) != fp.EFORBIDDEN {
			t.Errorf("an administrator printed a %s: %v", d.Kind, err)
		}
	}
	if after, _ := db.FindAudit(demo.Director, fp.AuditFilter{}); len(after) != len(before) {
		t.Errorf("a refused printing was recorded")
	}
	if _, err := Print(db, clerk, Document{Kind: "poster"}, now); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("an unknown document: %v", err)
	}
}
