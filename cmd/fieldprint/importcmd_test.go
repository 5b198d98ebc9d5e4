package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// An office's own tracker from the command line: the semicolon file in
// Windows-1252 needs its date order (--dates); a column the names do not
// explain needs --map; --dry-run shows the rows as they will be stored; the
// import brings the statuses and appointments along and says how many are
// incomplete; the mapping is kept for the next file.
func TestImportTrackerCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	withClerk(t, db)
	tracker := filepath.Join(dir, "office.csv")
	b, err := os.ReadFile("../../testdata/tracker/office_semicolon_1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The office's extra column, which no name explains.
	b = []byte(strings.Replace(strings.Replace(string(b), "Email/Phone\r\n", "Email/Phone;Fichier\r\n", 1), "\r\nMÜ", "\r\nMÜ", 1))
	var lines []string
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if i > 0 {
			l += ";x"
		}
		lines = append(lines, l)
	}
	os.WriteFile(tracker, []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o600)

	code, out, errs := fieldprint(t, "", "import", tracker, "--db", db, "--user", "ana")
	if code != 1 || !strings.Contains(out, "Windows-1252 (Western European), cells separated by semicolons, 3 rows") ||
		!strings.Contains(errs, `column "Fichier" is not mapped`) || !strings.Contains(errs, "--map \"COLUMN=FIELD\"") {
		t.Fatalf("unmapped: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "import", tracker, "--map", "Fichier=-", "--db", db, "--user", "ana")
	if code != 1 || !strings.Contains(errs, "choose the tracker's date order") || !strings.Contains(errs, "--dates dmy or mdy") {
		t.Fatalf("ambiguous dates: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "import", tracker, "--map", "Fichier=-", "--dates", "mdy", "--db", db, "--user", "ana")
	if code != 1 || !strings.Contains(errs, "line 4: the appointment on 2026-07-12 has passed but the status is Scheduled") {
		t.Fatalf("month first: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "import", tracker, "--map", "Fichier=-", "--dates", "dmy", "--dry-run", "--db", db, "--user", "ana")
	if code != 0 || !strings.Contains(out, "Nothing was imported (--dry-run): 3 requests would be") ||
		!strings.Contains(out, "Jürgen SCHÄFER") || !strings.Contains(out, "2026-12-07 08:30") || !strings.Contains(out, "Scheduled") ||
		!strings.Contains(out, `status "With director" → director-review (1 row)`) || !strings.Contains(out, "Dates: Day first") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errs)
	}
	if n := count(t, db); n != 0 {
		t.Fatalf("%d requests after a dry run", n)
	}
	code, out, errs = fieldprint(t, "", "import", tracker, "--map", "Fichier=-", "--dates", "dmy", "--db", db, "--user", "ana")
	if code != 0 || !strings.Contains(out, "Imported 3 requests (FP-2026-00001 to FP-2026-00003)") || !strings.Contains(out, "3 are incomplete — from import") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = fieldprint(t, "", "list", "--incomplete", "--status", "scheduled", "--db", db)
	if code != 0 || !strings.Contains(out, "SCHÄFER") || !strings.Contains(out, "1 request(s)") {
		t.Fatalf("list --incomplete: %s", out)
	}
	// The next file of the same office needs no flag: the mapping was kept.
	os.WriteFile(tracker, []byte(strings.Join([]string{lines[0], strings.Replace(strings.Replace(lines[1], "A12345678", "A99999999", 1), "IOE-09-123-45678", "IOE0999999999", 1)}, "\r\n")+"\r\n"), 0o600)
	code, out, errs = fieldprint(t, "", "import", tracker, "--db", db, "--user", "ana")
	if code != 0 || !strings.Contains(out, "Imported 1 requests") {
		t.Fatalf("second file: %d\n%s\n%s", code, out, errs)
	}
	s, err := storeOpen(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.FindRequestByNumber("FP-2026-00001")
	if err != nil || r.Status != fp.StatusCompleted || r.Origin == nil || r.Origin.File != "office.csv" || r.Origin.Line != 2 {
		t.Fatalf("%+v %v", r, err)
	}
	if errs := s.Check(); len(errs) > 0 {
		t.Fatal(errs)
	}
}

func count(t *testing.T, db string) int {
	t.Helper()
	s, err := storeOpen(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, _ := s.CountRequests()
	return n
}
