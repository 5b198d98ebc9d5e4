package workflow

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// bulkScript is a caseload's documents and decisions: for each request
// every required item attached, the first ones verified, one rejected now
// and then, and a status change where the checklist allows it.
type bulkScript struct {
	files  []fp.FileToAttach
	judge  []fp.Judgement
	change []fp.StatusChange
}

func scriptFor(db *Desk, rs []*fp.Request) bulkScript {
	var s bulkScript
	for i, r := range rs {
		var items []fp.ChecklistItem
		for _, it := range r.Checklist(db.today()) {
			if it.Required {
				items = append(items, it)
			}
		}
		for n, it := range items {
			if i%4 == 3 && n > 0 {
				break // the rest still missing
			}
			s.files = append(s.files, fp.FileToAttach{ID: r.ID, Item: it.Key, Name: scanName(it), Data: scan(r, it)})
			v := fp.Verdict{Verified: true, Shows: r.Identifiers()[0], Confirmed: fp.PassportChecks}
			if i%4 == 1 && n == len(items)-1 {
				v = fp.Verdict{Reason: fp.RejectIllegible, Note: "blurred"}
			}
			s.judge = append(s.judge, fp.Judgement{ID: r.ID, Item: it.Key, Verdict: v})
		}
		switch i % 4 {
		case 0:
			s.change = append(s.change, fp.StatusChange{ID: r.ID, To: fp.StatusDirectorReview, Reason: "basis to decide"})
		case 2:
			s.change = append(s.change, fp.StatusChange{ID: r.ID, To: fp.StatusWithdrawn, Reason: "applicant returns"})
		}
	}
	return s
}

// bulkDesk is a desk with the same 24 demo requests each time.
func bulkDesk(t *testing.T) (*Desk, []*fp.Request) {
	t.Helper()
	db, _ := openTemp(t)
	db.Now = fixedNow
	rs, err := demo.Requests(24, db.today(), 41)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := db.ImportRequests(clerk, rs, fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return db, saved
}

// The bulk paths leave every request, its history, its documents and its
// audit trail as the same actions one by one do, in fewer transactions.
func TestBulkMatchesOneByOne(t *testing.T) {
	one, rs := bulkDesk(t)
	many, _ := bulkDesk(t)
	s := scriptFor(one, rs)
	if len(s.files) < 40 || len(s.judge) < 40 || len(s.change) < 10 {
		t.Fatalf("script too small: %d files, %d checks, %d changes", len(s.files), len(s.judge), len(s.change))
	}
	for _, f := range s.files {
		if _, err := one.AttachFile(clerk, f.ID, f.Item, f.Name, f.Data); err != nil {
			t.Fatal(err)
		}
	}
	for _, j := range s.judge {
		if _, err := one.JudgeDocument(clerk, j.ID, j.Item, j.Verdict); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range s.change {
		if _, err := one.TransitionRequest(clerk, c.ID, c.To, c.Reason); err != nil {
			t.Fatal(err)
		}
	}

	before, _ := many.s.Revision()
	got, err := many.AttachFiles(clerk, s.files)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(s.files) || got[len(got)-1].ID != s.files[len(s.files)-1].ID {
		t.Fatalf("AttachFiles returned %d requests for %d files", len(got), len(s.files))
	}
	if _, err := many.JudgeDocuments(clerk, s.judge); err != nil {
		t.Fatal(err)
	}
	changed, err := many.TransitionRequests(clerk, s.change)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range changed {
		if r.Status != s.change[i].To {
			t.Errorf("TransitionRequests returned %s in %s, want %s", r.Number, r.Status, s.change[i].To)
		}
	}
	after, _ := many.s.Revision()
	actions := len(s.files) + len(s.judge) + len(s.change)
	if commits := after - before; commits > int64(actions/4) {
		t.Errorf("%d actions took %d transactions", actions, commits)
	} else {
		t.Logf("%d actions (%d files, %d checks, %d status changes) in %d transactions", actions, len(s.files), len(s.judge), len(s.change), commits)
	}

	for _, r := range rs {
		a, err := one.FindRequestByID(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := many.FindRequestByID(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if x, y := timeless(t, a), timeless(t, b); x != y {
			t.Errorf("%s one by one:\n%s\nin bulk:\n%s", r.Number, x, y)
		}
		if x, y := trail(t, one, r.Number), trail(t, many, r.Number); !reflect.DeepEqual(x, y) {
			t.Errorf("%s audit one by one:\n%s\nin bulk:\n%s", r.Number, strings.Join(x, "\n"), strings.Join(y, "\n"))
		}
	}
	if x, y := len(scanFiles(t, one)), len(scanFiles(t, many)); x != y {
		t.Errorf("%d scans stored one by one, %d in bulk", x, y)
	}
	// The queue rows, counts and indexes too: several actions on one
	// request in one transaction write each key once, with its last value.
	if x, y := keySpace(t, one), keySpace(t, many); len(x) < 300 {
		t.Errorf("the key space compared holds %d keys: too few", len(x))
	} else if !reflect.DeepEqual(x, y) {
		for k, v := range x {
			if y[k] != v {
				t.Errorf("%q: one by one %q, in bulk %q", k, v, y[k])
			}
		}
		for k, v := range y {
			if _, ok := x[k]; !ok {
				t.Errorf("%q: only in bulk (%q)", k, v)
			}
		}
	}
	checkClean(t, one)
	checkClean(t, many)
}

// keySpace is what two offices that took the same actions must share:
// the keys of the records, queue rows, audit trail and indexes, the values
// of the counts and of the indexes that hold no secret, and how many keys
// the keyed ones hold (their keys are the office's own hashes).
func keySpace(t *testing.T, db *Desk) map[string]string {
	t.Helper()
	out := map[string]string{}
	keysOnly := []string{"requests/", "summaries/", "audit/", "files/", "idx/audit/", "idx/slots/", "idx/walkins/"}
	values := []string{"counts/", "numbers/", "idx/received/", "idx/status/", "idx/category/", "idx/complete/", "idx/incomplete/"}
	counted := []string{"idx/dup/", "idx/ident/", "keyids/"}
	err := db.view(func(tx *tx) error {
		for _, p := range keysOnly {
			tx.r.Scan([]byte(p), nil, false, func(k, _ []byte) (bool, error) { out[string(k)] = ""; return true, nil })
		}
		for _, p := range values {
			tx.r.Scan([]byte(p), nil, false, func(k, v []byte) (bool, error) { out[string(k)] = string(v); return true, nil })
		}
		for _, p := range counted {
			n, err := tx.r.Count([]byte(p))
			out[p] = fmt.Sprint(n)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// timeless is a request's JSON with the times left out (the bulk path
// runs at other instants of the same fixed clock).
func timeless(t *testing.T, r *fp.Request) string {
	t.Helper()
	c := *r
	c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
	c.History = append([]fp.Transition(nil), r.History...)
	for i := range c.History {
		c.History[i].At = time.Time{}
	}
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trail is a request's audit entries in words, in order.
func trail(t *testing.T, db *Desk, number string) []string {
	t.Helper()
	es, err := db.RequestAudit(number)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.User+" "+string(e.Action)+" "+e.Describe())
	}
	return out
}

// One refused file in a batch stores nothing: no scan, no entry, no
// record changed; the error names the file.
func TestAttachFilesRefusesAll(t *testing.T) {
	db, rs := bulkDesk(t)
	s := scriptFor(db, rs)
	fs := append([]fp.FileToAttach(nil), s.files[:10]...)
	fs[7].Data = []byte("MZ\x90\x00 not a scan")
	before, _ := db.s.Revision()
	if _, err := db.AttachFiles(clerk, fs); err == nil || !strings.Contains(fp.ErrorMessage(err), "item 8 of the batch") {
		t.Fatalf("a batch with a program in it: %v", err)
	}
	fs[7] = fp.FileToAttach{ID: fs[7].ID, Item: "no-such-item", Name: "x.pdf", Data: s.files[0].Data}
	if _, err := db.AttachFiles(clerk, fs); err == nil || !strings.Contains(fp.ErrorMessage(err), "item 8 of the batch") {
		t.Fatalf("a batch with an unknown item: %v", err)
	}
	if after, _ := db.s.Revision(); after != before {
		t.Errorf("refused batches wrote %d transactions", after-before)
	}
	if n := len(scanFiles(t, db)); n != 0 {
		t.Errorf("refused batches left %d scans", n)
	}
	checkClean(t, db)
}

// The same content twice in a batch (and once more after it) is stored
// once and counted for each item that holds it.
func TestAttachFilesSameContent(t *testing.T) {
	db, rs := bulkDesk(t)
	data := demo.NoticeScan(rs[0], "Notice of Action (I-797C) - Receipt")
	var fs []fp.FileToAttach
	for _, r := range rs[:3] {
		fs = append(fs, fp.FileToAttach{ID: r.ID, Item: "notice", Name: fmt.Sprintf("notice-%d.pdf", r.ID), Data: data})
	}
	if _, err := db.AttachFiles(clerk, fs[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AttachFiles(clerk, fs[2:]); err != nil {
		t.Fatal(err)
	}
	if n := len(scanFiles(t, db)); n != 1 {
		t.Errorf("one content stored as %d files", n)
	}
	checkClean(t, db) // counts three uses
	// Replaced on one request, still held by the others.
	if _, err := db.AttachFile(clerk, rs[0].ID, "notice", "other.pdf", demo.NoticeScan(rs[0], "another")); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ReadFile(fp.Fingerprint(data)); err != nil || len(got) != len(data) {
		t.Errorf("the shared scan after one replacement: %v", err)
	}
	checkClean(t, db)
}

// A crash after the files of a batch are stored and before its
// transactions commit leaves files nothing refers to; the sweep after
// the unclean stop removes them and the office checks clean.
func TestAttachFilesCrashBeforeCommit(t *testing.T) {
	db, path := openTemp(t)
	db.Now = fixedNow
	rs, err := demo.Requests(6, db.today(), 43)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := db.ImportRequests(clerk, rs, fp.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := scriptFor(db, saved)
	sums := make([]string, len(s.files))
	data := make([][]byte, len(s.files))
	for i, f := range s.files {
		sums[i], data[i] = fp.Fingerprint(f.Data), f.Data
	}
	if _, err := db.writeFiles(sums, data); err != nil { // the files stored, then the crash
		t.Fatal(err)
	}
	if n := len(scanFiles(t, db)); n != len(s.files) {
		t.Fatalf("%d files stored for %d", n, len(s.files))
	}
	db = reopen(t, db, path)
	if err := db.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := len(scanFiles(t, db)); n != 0 {
		t.Errorf("%d files left after the sweep", n)
	}
	checkClean(t, db)
}

// BenchmarkDemoFill is the demo office of 1,000 requests (fieldprint demo
// --requests 1000): imported, their scans drawn and attached, checked,
// decided and booked through the bulk paths. One op is the whole office.
func BenchmarkDemoFill(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), "demo.db"))
		if err != nil {
			b.Fatal(err)
		}
		db.Now = fixedNow
		b.StartTimer()
		if _, err := demo.Fill(db, 1000, db.Today(), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)/1000*1e3, "ms/request")
}

// BenchmarkAttach attaches the scans of 200 requests (about 430 files)
// one by one (AttachFile) and in one batch (AttachFiles).
func BenchmarkAttach(b *testing.B) {
	for _, bulk := range []bool{false, true} {
		name := "one-by-one"
		if bulk {
			name = "batch"
		}
		b.Run(name, func(b *testing.B) {
			files := 0
			for b.Loop() {
				b.StopTimer()
				db, _ := openTemp(b)
				db.Now = fixedNow
				rs, err := demo.Requests(200, db.today(), 47)
				if err != nil {
					b.Fatal(err)
				}
				if rs, err = db.ImportRequests(clerk, rs, fp.SaveOptions{}); err != nil {
					b.Fatal(err)
				}
				s := scriptFor(db, rs)
				files = len(s.files)
				b.StartTimer()
				if bulk {
					if _, err := db.AttachFiles(clerk, s.files); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, f := range s.files {
					if _, err := db.AttachFile(clerk, f.ID, f.Item, f.Name, f.Data); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*files), "µs/file")
		})
	}
}
