package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/internal/fixture"
	"github.com/fieldprint/fieldprint/store"
)

// storeOpen opens the office as the tests' signed-in person
// ($FIELDPRINT_USER): its records are encrypted once it has its key.
func storeOpen(path string) (*store.DB, error) {
	db, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	if set, _ := db.KeysSetUp(); set {
		if _, err := db.Authenticate(os.Getenv("FIELDPRINT_USER"), os.Getenv("FIELDPRINT_PASSWORD")); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func fieldprint(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(stdin), &o, &e)
	return code, o.String(), e.String()
}

const pw = fixture.Password

// withClerk gives the database at path an administrator "boss" and a clerk
// "ana", created through the CLI, and signs the CLI in as ana.
func withClerk(t *testing.T, path string) {
	t.Helper()
	t.Setenv("FIELDPRINT_PASSWORD", "")
	os.Unsetenv("FIELDPRINT_PASSWORD")
	t.Setenv("FIELDPRINT_USER", "")
	os.Unsetenv("FIELDPRINT_USER")
	if code, _, errs := fieldprint(t, pw+"\n", "user", "add", "boss", "--role", "admin", "--full-name", "Bo Svensson", "--password-stdin", "--db", path); code != 0 {
		t.Fatalf("first admin: %s", errs)
	}
	// The new password, then the administrator's own.
	if code, _, errs := fieldprint(t, pw+"\n"+pw+"\n", "user", "add", "ana", "--role", "clerk", "--full-name", "Ana García", "--badge", "gz-1", "--password-stdin", "--user", "boss", "--db", path); code != 0 {
		t.Fatalf("clerk: %s", errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", pw)
	t.Setenv("FIELDPRINT_USER", "ana") // reading the encrypted office needs someone signed in
}

func TestDemoListExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, out, errs := fieldprint(t, "", "demo", "--requests", "50", "--db", a); code != 0 || !strings.Contains(out, "Created 50") || !strings.Contains(out, "director") {
		t.Fatalf("demo: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "demo", "--db", a); code != 1 || !strings.Contains(errs, "already holds 50") {
		t.Fatalf("demo twice: %d %q", code, errs)
	}
	code, out, _ := fieldprint(t, "", "list", "--db", a, "--format", "json", "--status", "new,awaiting-documents", "--category", "Adoptive parents")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("list json: %d %q", code, out)
	}
	for _, r := range rows {
		if r["category"] != "adoption" || (r["status"] != "new" && r["status"] != "awaiting-documents") {
			t.Fatalf("row %v", r)
		}
	}
	csvPath := filepath.Join(dir, "export.csv")
	if code, _, errs := fieldprint(t, "", "export", "--db", a, "--format", "csv", "-o", csvPath); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	// Re-importing into the same database: every row is a duplicate of an
	// open request (withdrawn ones are not open), and nothing is written.
	code, _, errs := fieldprint(t, "", "import", csvPath, "--db", a, "--user", "clerk")
	if code != 1 || !strings.Contains(errs, "is already on FP-") || !strings.Contains(errs, "nothing was imported") {
		t.Fatalf("re-import: %d %q", code, errs)
	}
	_, ja, _ := fieldprint(t, "", "export", "--db", a)
	profile := filepath.Join(dir, "office.json")
	if code, _, errs := fieldprint(t, "", "office", "export", "-o", profile, "--db", a); code != 0 {
		t.Fatalf("office export: %s", errs)
	}
	// Into a new office with the same profile (hours, stations) the export
	// imports as is, its statuses and the applicants' appointments with it.
	withClerk(t, b)
	t.Setenv("FIELDPRINT_PASSWORD", pw)
	if code, _, errs := fieldprint(t, "", "office", "import", profile, "--user", "boss", "--db", b); code != 0 {
		t.Fatalf("office import: %s", errs)
	}
	if code, out, errs := fieldprint(t, "", "import", "--db", b, csvPath, "--user", "ana"); code != 0 || !strings.Contains(out, "Imported 50") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	// And exports to the same JSON, but for numbers, history, the origin and
	// the appointments (booked anew; a collection is history, on its day).
	_, jb, _ := fieldprint(t, "", "export", "--db", b)
	var ea, eb []fp.ExportRecord
	json.Unmarshal([]byte(ja), &ea)
	json.Unmarshal([]byte(jb), &eb)
	if len(ea) != 50 || len(eb) != 50 {
		t.Fatalf("exports: %d and %d records", len(ea), len(eb))
	}
	key := func(e fp.ExportRecord) string {
		e.Number, e.History, e.Origin, e.Appointments = "", nil, nil, nil
		if e.Status == fp.StatusReadyToSchedule || e.Status == fp.StatusScheduled {
			e.Status = "ready or scheduled" // a household part-way through is booked again
		}
		b, _ := json.Marshal(e)
		return string(b)
	}
	seen := map[string]bool{}
	for _, e := range ea {
		seen[key(e)] = true
	}
	for _, e := range eb {
		if !seen[key(e)] {
			t.Fatalf("record %s of the import differs from the export", e.FullName)
		}
	}
}

// Formulas typed into a tracker (CSV injection) are stored as text, come out
// of the CSV export and list behind an apostrophe that keeps a spreadsheet
// from running them, import again unchanged, and stay verbatim in JSON.
func TestExportNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	tracker := filepath.Join(dir, "tracker.csv")
	os.WriteFile(tracker, []byte("full_name,date_of_birth,category,basis,notice_type,receipt_number,email,phone,asc_date,asc_place,departure_reason,reschedule_asked,reschedule_note\n"+
		"'t Hooft,1980-01-30,military,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",receipt,IOE0912345678,=1+1@example.com,,,,,,\n"+
		"- Ann Lee,1985-02-02,other,\"-2+3+cmd|' /C calc'!A0\",receipt,IOE0912345679,,+86 20 3814 5000,2026-01-15,@SUM(A1),＝1+1,no,\"+1+cmd|' /C calc'!A0\"\n"), 0o600)
	withClerk(t, a)
	if code, _, errs := fieldprint(t, "", "import", tracker, "--db", a, "--user", "ana"); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	out := filepath.Join(dir, "export.csv")
	if code, _, errs := fieldprint(t, "", "export", "--db", a, "--format", "csv", "-o", out); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	exported, _ := os.ReadFile(out)
	_, listed, _ := fieldprint(t, "", "list", "--db", a, "--format", "csv")
	for name, text := range map[string]string{"export": string(exported), "list": listed} {
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("%s: %d records, %v\n%s", name, len(recs), err, text)
		}
		for _, rec := range recs {
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+-@＝", []rune(c)[0]) {
					t.Errorf("%s: cell %q is a formula to a spreadsheet", name, c)
				}
			}
		}
		if !strings.Contains(text, "''t Hooft") || !strings.Contains(text, "'- Ann Lee") {
			t.Errorf("%s: the names are not escaped:\n%s", name, text)
		}
	}
	for _, want := range []string{`'=HYPERLINK(""http://x"",""y"")`, "'=1+1@example.com", "'-2+3+cmd|", "'+86 20 3814 5000", "'@SUM(A1)", "'＝1+1", "'+1+cmd|"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("export lacks %s:\n%s", want, exported)
		}
	}
	_, ja, _ := fieldprint(t, "", "export", "--db", a)
	withClerk(t, b)
	if code, _, errs := fieldprint(t, "", "import", out, "--db", b, "--user", "ana"); code != 0 {
		t.Fatalf("re-import: %s", errs)
	}
	_, jb, _ := fieldprint(t, "", "export", "--db", b)
	var ea, eb []fp.ExportRecord
	if json.Unmarshal([]byte(ja), &ea) != nil || json.Unmarshal([]byte(jb), &eb) != nil || len(ea) != 2 || len(eb) != 2 {
		t.Fatalf("JSON exports:\n%s\n%s", ja, jb)
	}
	if ea[0].FullName != "'t Hooft" || ea[0].Basis != `=HYPERLINK("http://x","y")` || ea[0].Email != "=1+1@example.com" ||
		ea[1].FullName != "- Ann Lee" || ea[1].Basis != "-2+3+cmd|' /C calc'!A0" || ea[1].Phone != "+86 20 3814 5000" ||
		ea[1].Other == nil || ea[1].Other.ASCPlace != "@SUM(A1)" || ea[1].Other.DepartureReason != "＝1+1" {
		t.Errorf("JSON is not verbatim:\n%s", ja)
	}
	for i := range ea {
		ea[i].Number, ea[i].History, eb[i].Number, eb[i].History = "", nil, "", nil
		ea[i].Origin, eb[i].Origin = nil, nil // the file each came from
		x, _ := json.Marshal(ea[i])
		y, _ := json.Marshal(eb[i])
		if string(x) != string(y) {
			t.Errorf("through the CSV export and import, record %d changed:\n%s\n%s", i, x, y)
		}
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	csv := "\ufeffFull_Name,Received,Date_of_Birth,Category,Basis,Notice_Type,Receipt_Number,A_Number,Email,Phone,Household_Adults\r\n" +
		"Łukasz Żółć,2026-10-01,1980-01-30,Military,Army spouse,Receipt notice,IOE0912345678,,l@example.com,,\r\n" +
		"Priya Sharma,2026-10-02,1990-13-01,INA 319(b),Consular spouse,Request for Evidence,,A12345678,,+91 11 2419 8000,\r\n" +
		"Ana García,2026-10-03,1985-02-02,Adoptive parents,I-600A,Biometric appointment notice,GUZ2018123456,,a@example.com,,Juan García|1983-03-03\r\n"
	path := filepath.Join(dir, "tracker.csv")
	os.WriteFile(path, []byte(csv), 0o600)
	withClerk(t, db)
	code, _, errs := fieldprint(t, "", "import", path, "--db", db, "--user", "ana")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	// Problems name the line and the column as the file names it.
	for _, want := range []string{"line 3: Date_of_Birth: ", "line 4: Receipt_Number: ", "Department of State"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	s, err := storeOpen(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountRequests(); n != 0 {
		t.Fatalf("%d requests written by a failed import", n)
	}
}

// Implausible ages for the category are warnings of the import, like an
// unknown receipt prefix: printed by line, and the rows are imported.
func TestImportWarnsAboutAges(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	csv := "Full_Name,Received,Date_of_Birth,Category,Basis,Notice_Type,Receipt_Number,A_Number,Email,Phone,Household_Adults\n" +
		"Priya Sharma,2026-10-02," + time.Now().AddDate(-15, 0, 0).Format("2006-01-02") + ",INA 319(b),Consular spouse,Request for Evidence,,A12345678,,+91 11 2419 8000,\n" +
		"Ana García,2026-10-03,1985-02-02,Adoptive parents,I-600A,Biometric appointment notice,IOE0912345678,,a@example.com,,Juan García|1983-03-03\n"
	path := filepath.Join(dir, "tracker.csv")
	os.WriteFile(path, []byte(csv), 0o600)
	withClerk(t, db)
	code, out, errs := fieldprint(t, "", "import", path, "--db", db, "--user", "ana")
	if code != 0 || !strings.Contains(out, "Imported 2") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if !strings.Contains(errs, "line 2: warning: Priya Sharma is 15") || !strings.Contains(errs, "a 319(b) applicant is an adult") || strings.Contains(errs, "line 3") {
		t.Errorf("warnings: %q", errs)
	}
}

func TestUsageAndRefusals(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"list", "--format", "xml", "--db", db}, 2, "--format"},
		{[]string{"list", "--bogus", "--db", db}, 2, "flag provided but not defined"},
		{[]string{"import", "--db", db}, 2, "Usage"},
		{[]string{"import", "/nonexistent/file.csv", "--db", db}, 1, "file.csv cannot be opened"},
		{[]string{"list", "--status", "pending", "--db", db}, 1, "not known"},
		{[]string{"demo", "--requests", "0", "--db", db}, 1, "between 1 and"},
		{[]string{"help"}, 0, ""},
	} {
		code, _, errs := fieldprint(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

func TestDatabaseInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	s, err := storeOpen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, _, errs := fieldprint(t, "", "list", "--db", path)
	if code != 1 || !strings.Contains(errs, "in use by another Fieldprint") {
		t.Fatalf("exit %d %q", code, errs)
	}
}

func TestDBPathPrecedence(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	t.Setenv("FIELDPRINT_DB", "")
	if p := dbPath(""); p != "/data/fieldprint/fieldprint.db" {
		t.Errorf("default %s", p)
	}
	t.Setenv("FIELDPRINT_DB", "/env.db")
	if p := dbPath(""); p != "/env.db" {
		t.Errorf("env %s", p)
	}
	if p := dbPath("/flag.db"); p != "/flag.db" {
		t.Errorf("flag %s", p)
	}
}

func TestRecordCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	fieldprint(t, "", "demo", "--requests", "3", "--db", db)
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	_, list, _ := fieldprint(t, "", "list", "--format", "json", "--db", db)
	var rows []fp.RequestSummary
	if err := json.Unmarshal([]byte(list), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("list: %v %q", err, list)
	}
	out := filepath.Join(dir, "rec.pdf")
	typed := strings.ToLower(strings.ReplaceAll(rows[1].Number, "-", " ")) // as people type it
	os.Unsetenv("FIELDPRINT_USER")
	if code, _, errs := fieldprint(t, "", "record", typed, "-o", out, "--db", db); code != 1 || !strings.Contains(errs, "--user") {
		t.Fatalf("record without --user: %d %s", code, errs)
	}
	t.Setenv("FIELDPRINT_USER", "clerk")
	if code, _, errs := fieldprint(t, "", "record", typed, "-o", out, "--db", db, "--user", "clerk"); code != 0 {
		t.Fatalf("record: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if code, _, errs := fieldprint(t, "", "record", "FP-2020-00099", "-o", out, "--db", db, "--user", "clerk"); code != 1 || !strings.Contains(errs, "no request FP-2020-00099") {
		t.Fatalf("missing request: %d %q", code, errs)
	}
	if code, _, _ := fieldprint(t, "", "record", "FP-2026-00001", "--db", db); code != 2 {
		t.Fatal("record without -o is not a usage error")
	}
}

func TestDecideAndAudit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	fieldprint(t, "", "demo", "--requests", "20", "--db", db)
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	_, list, _ := fieldprint(t, "", "list", "--status", "new", "--format", "json", "--db", db)
	var rows []fp.RequestSummary
	json.Unmarshal([]byte(list), &rows)
	if len(rows) == 0 {
		t.Fatal("no new requests in the demo")
	}
	n := rows[0].Number
	completeViaCLI(t, db, n, "clerk")
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"decide", n, "approve", "--reason", "ok", "--user", "director"}, 1, "does not apply"},
		{[]string{"decide", n, "refer", "--user", "clerk"}, 1, "needs a reason"},
		{[]string{"decide", n, "refer", "--reason", "needs the director", "--user", "clerk"}, 0, n + " director-review"},
		{[]string{"decide", n, "approve", "--reason", "fine", "--user", "clerk"}, 1, "may not"},
		{[]string{"decide", n, "approve", "--reason", "capacity allows it", "--user", "director"}, 0, n + " ready-to-schedule"},
		{[]string{"decide", n, "frobnicate", "--user", "director"}, 1, "not a decision"},
		{[]string{"decide", n, "withdraw", "--reason", "x", "--user", "admin"}, 1, "may not"},
	} {
		code, out, errs := fieldprint(t, "", append(tc.args, "--db", db)...)
		if code != tc.code || !strings.Contains(out+errs, tc.out) {
			t.Errorf("%v: exit %d %q %q, want %d %q", tc.args, code, out, errs, tc.code, tc.out)
		}
	}
	t.Setenv("FIELDPRINT_PASSWORD", "not the password")
	if code, _, errs := fieldprint(t, "", "decide", n, "withdraw", "--reason", "x", "--user", "clerk", "--db", db); code != 1 || !strings.Contains(errs, "wrong") {
		t.Errorf("wrong password: %d %q", code, errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	code, out, _ := fieldprint(t, "", "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "Verified: ") || !strings.Contains(out, "no checkpoint folder") {
		t.Fatalf("verify: %d %q", code, out)
	}
	_, cp, _ := fieldprint(t, "", "audit", "checkpoint", "--db", db)
	if code, out, errs := fieldprint(t, "", "audit", "verify", "--checkpoint", strings.TrimSpace(cp), "--db", db); code != 0 || !strings.Contains(out, "Verified: ") {
		t.Fatalf("verify against checkpoint: %d %q %q", code, out, errs)
	}
	// Signed checkpoints: a folder set by an administrator, written at every close.
	folder := t.TempDir()
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	if code, out, errs := fieldprint(t, "", "audit", "folder", folder, "--user", "admin", "--db", db); code != 0 || !strings.Contains(out, folder) {
		t.Fatalf("audit folder: %d %q %q", code, out, errs)
	}
	if code, out, errs := fieldprint(t, "", "audit", "verify", "--checkpoint", folder, "--db", db); code != 0 || !strings.Contains(out, "signed checkpoint") {
		t.Fatalf("verify against the signed checkpoints: %d %q %q", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(folder, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files %v", files)
	}
	if code, out, errs := fieldprint(t, "", "audit", "verify", "--checkpoint", files[0], "--db", db); code != 0 || !strings.Contains(out, "signed checkpoint") {
		t.Fatalf("verify against the checkpoint file: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "audit", "verify", "--checkpoint", "no such file", "--db", db); code != 1 || !strings.Contains(errs, "neither") {
		t.Fatalf("a missing checkpoint file: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "audit", "verify", "--checkpoint", "99999:"+strings.Repeat("a", 64), "--db", db); code != 1 || !strings.Contains(errs, "removed from the end") {
		t.Fatalf("a longer checkpoint: %d %q", code, errs)
	}
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, out, _ := fieldprint(t, "", "audit", "list", "--request", n, "--user", "director", "--db", db); code != 0 || !strings.Contains(out, "request.transition") {
		t.Fatalf("audit list: %d %q", code, out)
	}
	if code, _, errs := fieldprint(t, "", "audit", "list", "--user", "clerk", "--db", db); code != 1 || !strings.Contains(errs, "directors and administrators") {
		t.Fatalf("clerk reads audit: %d %q", code, errs)
	}
}

func TestOfficeAndDenialLetter(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "o.db")
	fieldprint(t, "", "demo", "--requests", "20", "--db", db)
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, out, _ := fieldprint(t, "", "office", "show", "--db", db); code != 0 || !strings.Contains(out, "Guangzhou") {
		t.Fatalf("office show: %d %q", code, out)
	}
	if code, _, errs := fieldprint(t, "", "office", "set", "--name", "USCIS Nairobi Field Office", "--user", "clerk", "--db", db); code != 1 || !strings.Contains(errs, "administrator") {
		t.Fatalf("clerk set office: %d %q", code, errs)
	}
	if code, _, errs := fieldprint(t, "", "office", "set", "--name", "USCIS Nairobi Field Office", "--address", "United Nations Avenue, Gigiri|Nairobi, Kenya", "--user", "admin", "--db", db); code != 0 {
		t.Fatalf("office set: %s", errs)
	}
	if code, _, errs := fieldprint(t, "", "office", "set", "--signatory", " ", "--user", "admin", "--db", db); code != 1 || !strings.Contains(errs, "signatory") {
		t.Fatalf("blank signatory: %d %q", code, errs)
	}
	_, list, _ := fieldprint(t, "", "list", "--status", "denied", "--format", "json", "--db", db)
	var rows []fp.RequestSummary
	json.Unmarshal([]byte(list), &rows)
	if len(rows) == 0 {
		t.Fatal("no denied request")
	}
	out := filepath.Join(dir, "denial.pdf")
	if code, stdout, errs := fieldprint(t, "", "letter", rows[0].Number, "-o", out, "--user", "director", "--db", db); code != 0 || !strings.Contains(stdout, "denial letter") {
		t.Fatalf("letter: %d %q %q", code, stdout, errs)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		text, _ := exec.Command("pdftotext", out, "-").Output()
		if !strings.Contains(string(text), "USCIS Nairobi Field Office") || !strings.Contains(string(text), rows[0].Number) {
			t.Errorf("letter text: %s", text)
		}
	}
	_, list, _ = fieldprint(t, "", "list", "--status", "new", "--format", "json", "--db", db)
	json.Unmarshal([]byte(list), &rows)
	if code, _, errs := fieldprint(t, "", "letter", rows[0].Number, "-o", out, "--user", "director", "--db", db); code != 1 || !strings.Contains(errs, "no letter") {
		t.Fatalf("letter for a new request: %d %q", code, errs)
	}
}
