package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// scan returns a real PNG for a checklist item of r (distinct per person).
func scan(r *fp.Request, it fp.ChecklistItem) []byte {
	if it.Kind == fp.DocPassport {
		p, _ := r.Person(it.PersonID)
		return demo.PassportScan(p, "E12345678", fp.Date{Y: 2031, M: 1, D: 1})
	}
	return demo.NoticeScan(r, it.Label())
}

// rescan is another scan of the same page: the same picture or document in
// other bytes, as a second pass through the scanner gives. (Two files joined
// end to end are refused: SniffFile takes data after a PNG's end for a hidden file.)
func rescan(t testing.TB, data []byte) []byte {
	if img, err := png.Decode(bytes.NewReader(data)); err == nil {
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	return append(bytes.Clone(data), "% scanned again\n%%EOF\n"...)
}

func scanName(it fp.ChecklistItem) string {
	if it.Kind == fp.DocPassport {
		return "passport.png"
	}
	return "notice.pdf"
}

// completeChecklist attaches and verifies every required item of request id.
func completeChecklist(t testing.TB, db *Desk, a fp.Actor, id fp.RequestID) *fp.Request {
	t.Helper()
	r, err := db.FindRequestByID(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Checklist(db.today()) {
		if !it.Required {
			continue
		}
		switch it.Doc.State {
		case fp.DocMissing:
			if r, err = db.AttachFile(a, id, it.Key, scanName(it), scan(r, it)); err != nil {
				t.Fatalf("attach %s: %v", it.Key, err)
			}
		case fp.DocRejected: // a better scan
			if r, err = db.AttachFile(a, id, it.Key, "again-"+scanName(it), rescan(t, scan(r, it))); err != nil {
				t.Fatalf("attach %s again: %v", it.Key, err)
			}
		}
		if r, err = db.JudgeDocument(a, id, it.Key, fp.Verdict{Verified: true, Shows: r.Identifiers()[0], Confirmed: fp.PassportChecks}); err != nil {
			t.Fatalf("verify %s: %v", it.Key, err)
		}
	}
	return r
}

func scanFiles(t *testing.T, db *Desk) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(db.ScansDir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestAttachVerifyReopen(t *testing.T) {
	db, path := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	notice := demo.NoticeScan(r, "I-797C")
	if r, err = db.AttachFile(clerk, r.ID, "notice", "/home/clerk/Downloads/notice.pdf", notice); err != nil {
		t.Fatal(err)
	}
	it, _ := r.FindItem("notice", db.today())
	sum := sha256.Sum256(notice)
	if f := it.Doc.File; f == nil || f.Name != "notice.pdf" || f.Type != fp.TypePDF || f.SHA256 != hex.EncodeToString(sum[:]) || f.AddedBy != "mlopez" || it.Doc.State != fp.DocReceived {
		t.Fatalf("attached document %+v %+v", it.Doc, it.Doc.File)
	}
	if r, err = db.JudgeDocument(clerk, r.ID, "notice", fp.Verdict{Verified: true, Shows: "A012345678"}); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, path)
	db.Now = fixedNow
	got, err := db.FindRequestByID(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	it, _ = got.FindItem("notice", db.today())
	if it.Doc.State != fp.DocVerified || it.Doc.Shows != "A012345678" || it.Doc.By != "mlopez" {
		t.Errorf("after reopening: %+v", it.Doc)
	}
	data, err := db.ReadFile(it.Doc.File.SHA256)
	if err != nil || !bytes.Equal(data, notice) {
		t.Errorf("ReadFile: %v (%d bytes)", err, len(data))
	}
	rows, _, _ := db.FindRequests(fp.RequestFilter{})
	if rows[0].Docs.String() != "1/3" {
		t.Errorf("queue row checklist %s, want 1/3", rows[0].Docs)
	}
	// The audit trail says what happened, in words.
	es, _ := db.RequestAudit(r.Number)
	var words []string
	for _, e := range es {
		words = append(words, e.Describe())
	}
	all := strings.Join(words, "\n")
	for _, want := range []string{"attached USCIS notice", "file notice.pdf (application/pdf", "verified USCIS notice", "shows A012345678", "from New to Awaiting documents"} {
		if !strings.Contains(all, want) {
			t.Errorf("history lacks %q:\n%s", want, all)
		}
	}
	checkClean(t, db)
}

// Identical content is stored once and deleted from disk with its last use.
func TestAttachDeduplicates(t *testing.T) {
	db, _ := openTemp(t)
	a, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	in := sample()
	in.ReceiptNumbers, in.ANumber, in.FullName = "IOE0900000001", "", "Other Person"
	b, _ := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	data := demo.NoticeScan(a, "shared")
	for _, x := range []struct {
		id   fp.RequestID
		item string
	}{{a.ID, "notice"}, {a.ID, "supporting"}, {b.ID, "notice"}} {
		if _, err := db.AttachFile(clerk, x.id, x.item, "same.pdf", data); err != nil {
			t.Fatal(err)
		}
	}
	if files := scanFiles(t, db); len(files) != 1 {
		t.Fatalf("three uses of one file stored %d files", len(files))
	}
	checkClean(t, db)
	if _, err := db.DetachFile(clerk, a.ID, "notice"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AttachFile(clerk, a.ID, "supporting", "other.pdf", demo.NoticeScan(a, "other")); err != nil {
		t.Fatal(err) // replaces the shared file on this item
	}
	if files := scanFiles(t, db); len(files) != 2 {
		t.Fatalf("files on disk %d, want 2 (shared one still used by %s)", len(files), b.Number)
	}
	if _, err := db.DetachFile(clerk, b.ID, "notice"); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	if _, err := os.Stat(db.scanPath(hex.EncodeToString(h[:]))); !os.IsNotExist(err) {
		t.Errorf("the file nothing uses is still on disk: %v", err)
	}
	if _, err := db.ReadFile(hex.EncodeToString(h[:])); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Errorf("ReadFile of a released file: %v", err)
	}
	checkClean(t, db)
}

// Hostile files are refused with a message and leave nothing behind: no
// bytes on disk, no change to the request, no audit entry.
func TestAttachRefusesHostileFiles(t *testing.T) {
	db, _ := openTemp(t)
	r, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	before, _, _ := db.VerifyAudit(nil)
	entries, err := os.ReadDir("../testdata/hostile")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		n++
		data, _ := os.ReadFile(filepath.Join("../testdata/hostile", e.Name()))
		_, err := db.AttachFile(clerk, r.ID, "passport/0", e.Name(), data)
		if fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), e.Name()) {
			t.Errorf("%s: %v (code %q): want a refusal naming the file", e.Name(), err, fp.ErrorCode(err))
		}
	}
	big := append(append([]byte{}, scan(r, fp.ChecklistItem{Kind: fp.DocNotice})...), make([]byte, fp.MaxAttachmentBytes)...)
	if _, err := db.AttachFile(clerk, r.ID, "notice", "huge.pdf", big); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("a file over the limit: %v", err)
	}
	if n < 5 {
		t.Fatalf("only %d hostile files found", n)
	}
	// A good file to an item that does not exist is refused after the bytes
	// were written: they must be removed again.
	if _, err := db.AttachFile(clerk, r.ID, "passport/7", "ok.pdf", demo.NoticeScan(r, "x")); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("unknown item: %v", err)
	}
	if files := scanFiles(t, db); len(files) != 0 {
		t.Errorf("refused files left bytes on disk: %v", files)
	}
	got, _ := db.FindRequestByID(r.ID)
	if got.Version != r.Version || len(got.Documents) != 0 {
		t.Errorf("a refused file changed the request: version %d, documents %+v", got.Version, got.Documents)
	}
	if after, _, _ := db.VerifyAudit(nil); after.Count != before.Count {
		t.Errorf("refused files wrote %d audit entries", after.Count-before.Count)
	}
	checkClean(t, db)
}

func TestChecklistGatesDecisions(t *testing.T) {
	db, _ := openTemp(t)
	r, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusReadyToSchedule, ""); fp.ErrorCode(err) != fp.EFORBIDDEN || !strings.Contains(fp.ErrorMessage(err), "0/3") {
		t.Fatalf("eligible with nothing verified: %v", err)
	}
	// A rejected passport sends the request to awaiting documents by itself.
	r, _ = db.AttachFile(clerk, r.ID, "passport/0", "p.png", scan(r, fp.ChecklistItem{Kind: fp.DocPassport}))
	r, err := db.JudgeDocument(clerk, r.ID, "passport/0", fp.Verdict{Reason: fp.RejectIllegible})
	if err != nil || r.Status != fp.StatusAwaitingDocuments {
		t.Fatalf("after a rejection: %v, status %s", err, r.Status)
	}
	if rows, _, _ := db.FindRequests(fp.RequestFilter{DocsComplete: true}); len(rows) != 0 {
		t.Errorf("incomplete request in the complete queue: %+v", rows)
	}
	r = completeChecklist(t, db, clerk, r.ID)
	if r.Status != fp.StatusNew {
		t.Errorf("a complete checklist left the request %s", r.Status)
	}
	rows, total, _ := db.FindRequests(fp.RequestFilter{DocsComplete: true})
	if total != 1 || rows[0].ID != r.ID || rows[0].Docs.String() != "3/3" {
		t.Errorf("complete queue = %+v (%d)", rows, total)
	}
	if rows, _, _ := db.FindRequests(fp.RequestFilter{DocsComplete: true, Search: "khai"}); len(rows) != 1 {
		t.Errorf("complete queue with a search: %+v", rows)
	}
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusReadyToSchedule, ""); err != nil {
		t.Fatalf("eligible with a complete checklist: %v", err)
	}
	if rows, _, _ := db.FindRequests(fp.RequestFilter{DocsComplete: true}); len(rows) != 0 {
		t.Errorf("a decided request is still waiting for a decision: %+v", rows)
	}
	// Decided: the documents are locked.
	if _, err := db.DetachFile(clerk, r.ID, "notice"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("detach after the decision: %v", err)
	}
	checkClean(t, db)
}

// Removing a household member releases their passport scan; renaming one
// sends their verified passport back to be checked.
func TestEditReconcilesDocuments(t *testing.T) {
	db, _ := openTemp(t)
	in := sample()
	in.Household = append(in.Household, fp.PersonInput{FullName: "Anna Żółć", DateOfBirth: "1982-02-02", Passport: fp.PassportInput{Number: "EA7654321", Expiry: "2030-03-03"}})
	r, _ := db.CreateRequest(clerk, mustParse(t, in), fp.SaveOptions{})
	r = completeChecklist(t, db, clerk, r.ID)
	if r.Status != fp.StatusNew || len(scanFiles(t, db)) != 4 {
		t.Fatalf("status %s, %d files", r.Status, len(scanFiles(t, db)))
	}
	edit := r.Input()
	edit.Household = edit.Household[1:]            // Łukasz leaves the household
	edit.Household[0].FullName = "Anna Żółć-Nowak" // Anna's name is corrected
	got, err := db.UpdateRequest(clerk, r.ID, r.Version, mustParse(t, edit), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Household[0].ID != 2 {
		t.Errorf("Anna's id changed to %d", got.Household[0].ID)
	}
	states := map[string]fp.DocState{}
	for _, it := range got.Checklist(db.today()) {
		states[it.Key] = it.Doc.State
	}
	if states["passport/1"] != "" || states["passport/2"] != fp.DocReceived || states["passport/0"] != fp.DocVerified {
		t.Errorf("states after the edit: %v", states)
	}
	if len(scanFiles(t, db)) != 3 {
		t.Errorf("Łukasz's scan is still on disk: %d files", len(scanFiles(t, db)))
	}
	es, _ := db.RequestAudit(r.Number)
	if last := es[len(es)-1]; last.Action != fp.ActionRequestEdit || !strings.Contains(last.Note, "2 checked documents") {
		t.Errorf("last entry %+v", last)
	}
	checkClean(t, db)
}

// Files a crash left without a committed reference are removed when the
// file opens after a stop that was not clean (in the background); after a
// clean close the scans folder is not looked at. A damaged file is
// reported, not shown.
func TestScansSweepAndDamage(t *testing.T) {
	db, path := openTemp(t)
	r, _ := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	data := demo.NoticeScan(r, "n")
	r, _ = db.AttachFile(clerk, r.ID, "notice", "n.pdf", data)
	orphan := filepath.Join(db.ScansDir(), "ab", strings.Repeat("ab", 32))
	os.MkdirAll(filepath.Dir(orphan), 0o700)
	os.WriteFile(orphan, []byte("half"), 0o600)
	os.WriteFile(filepath.Join(db.ScansDir(), "ab", ".tmp-123"), []byte("half"), 0o600)
	db = reopen(t, db, path) // closed cleanly: not swept
	db.sweeping.Wait()
	if files := scanFiles(t, db); len(files) != 3 {
		t.Errorf("after a clean close: %v, want the attached file and what was left", files)
	}
	db.Close()
	os.Remove(path + "-closed") // as after a crash
	db = reopen(t, db, path)
	db.sweeping.Wait()
	if files := scanFiles(t, db); len(files) != 1 {
		t.Errorf("after a crash: %v, want only the attached file", files)
	}
	sum := r.Documents[0].File.SHA256
	os.WriteFile(db.scanPath(sum), bytes.ToUpper(data), 0o600)
	if _, err := db.ReadFile(sum); fp.ErrorCode(err) != fp.EINTERNAL || !strings.Contains(fp.ErrorMessage(err), "damaged") {
		t.Errorf("damaged file: %v", err)
	}
	if _, err := db.ReadFile("../../etc/passwd"); fp.ErrorCode(err) != fp.EINVALID {
		t.Errorf("a path as a file reference: %v", err)
	}
}

// An attach the request refuses is refused before the file is looked at
// (a photo's decoding takes half a second) and stores nothing.
func TestRefusedAttachDecodesNothing(t *testing.T) {
	db, _ := openTemp(t)
	r, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte("not a scan at all") // SniffFile would refuse it as neither PDF nor image
	if _, err := db.AttachFile(admin, r.ID, "notice", "n.pdf", junk); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("an administrator attaching: %v", err)
	}
	if _, err := db.AttachFile(clerk, r.ID, "no-such-item", "n.pdf", junk); fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "no checklist item") {
		t.Errorf("an unknown item: %v", err)
	}
	if _, err := db.AttachFile(clerk, r.ID, "notice", "n.pdf", junk); fp.ErrorCode(err) != fp.EINVALID || strings.Contains(fp.ErrorMessage(err), "checklist item") {
		t.Errorf("a file that is no scan, attached by a clerk: %v", err)
	}
	if files := scanFiles(t, db); len(files) != 0 {
		t.Errorf("refused attaches stored %v", files)
	}
}
