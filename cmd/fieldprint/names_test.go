package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Control characters and bidi marks in a file's name reach neither the
// terminal on success nor the database.
func TestFileNamesAreCleanedOnSuccessAndInStorage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "docs.db")
	withClerk(t, db)
	csv := filepath.Join(dir, "in.csv")
	os.WriteFile(csv, []byte("full_name,date_of_birth,category,basis,notice_type,receipt_number,a_number,email\n"+
		"Ana García,1980-05-05,military,Spouse of an active-duty soldier,receipt,IOE0912345678,A012345678,ana@example.com\n"), 0o600)
	if code, _, errs := fieldprint(t, "", "import", csv, "--user", "ana", "--db", db); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	n := "FP-2026-00001"
	notice, _ := sampleFiles(t, db, n)
	hostile := filepath.Join(dir, "notice\u202efdp.\x1b[31mpdf")
	if err := os.Rename(notice, hostile); err != nil {
		t.Skip("this file system refuses the name:", err)
	}
	code, out, errs := fieldprint(t, "", "attach", n, "--kind", "notice", hostile, "--user", "ana", "--db", db)
	if code != 0 || !strings.Contains(out, "notice: noticefdp.[31mpdf attached") {
		t.Fatalf("attach: %d %q %q", code, out, errs)
	}
	if strings.ContainsAny(out, "\u202e\x1b") {
		t.Errorf("the success line carries control characters: %q", out)
	}
	c := checklist(t, db, n)
	if f := c.Items[0].File; f != "noticefdp.[31mpdf" {
		t.Errorf("stored name %q", f)
	}

	// The office profile's file name, on the success line too.
	if code, _, errs := fieldprint(t, "", "office", "set", "--name", "USCIS Test Field Office", "--address", "1 Main St", "--signatory", "A. Director", "--user", "boss", "--db", db); code != 0 {
		t.Fatalf("office set: %s", errs)
	}
	prof := filepath.Join(dir, "office\u202enosj.json")
	if code, _, errs := fieldprint(t, "", "office", "export", "-o", prof, "--db", db); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	code, out, errs = fieldprint(t, "", "office", "import", prof, "--user", "boss", "--db", db)
	if code != 0 || !strings.Contains(out, "imported from officenosj.json") || strings.ContainsRune(out, '\u202e') {
		t.Errorf("office import: %d %q %q", code, out, errs)
	}
}

// The office profile follows the CSV import's rules: a UTF-8 byte-order
// mark is fine, text that is not UTF-8 is refused with its place.
func TestOfficeImportEncodings(t *testing.T) {
	path := demoDB(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "office.json")
	if code, _, errs := fieldprint(t, "", "office", "export", "-o", file, "--db", path); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	b, _ := os.ReadFile(file)
	withBOM := filepath.Join(dir, "bom.json")
	os.WriteFile(withBOM, append([]byte("\ufeff"), b...), 0o600)
	if code, out, errs := fieldprint(t, "", "office", "import", withBOM, "--user", "admin", "--db", path); code != 0 {
		t.Errorf("a byte-order mark: %d %q %q", code, out, errs)
	}
	latin1 := filepath.Join(dir, "latin1.json")
	os.WriteFile(latin1, []byte(strings.Replace(string(b), `"signatory": "`, "\"signatory\": \"Jos\xe9 ", 1)), 0o600)
	code, _, errs := fieldprint(t, "", "office", "import", latin1, "--user", "admin", "--db", path)
	if code != 1 || !strings.Contains(errs, "latin1.json was not imported, nothing changed: the profile file is not UTF-8 text: line ") || !strings.Contains(errs, "0xE9") {
		t.Errorf("Latin-1: %d %q", code, errs)
	}
}
