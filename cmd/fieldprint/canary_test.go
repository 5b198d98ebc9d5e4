package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// Applicants' data used through the commands leaves nothing in the clear
// on disk: not in the database file (records, queue rows, indexes, audit
// details, free pages), the scans folder, the files beside it, the
// temporary folder, or what the commands print on stderr.
func TestCanariesNotInTheClear(t *testing.T) {
	dir, outside, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	db := filepath.Join(dir, "office.db")
	withClerk(t, db)
	canaries := []string{"Qqcanary", "QQCANARY", "qqcanary", "Zzcanary", "canarymail", "CN7654321", "A087654321", "087654321"}
	csv := filepath.Join(outside, "in.csv")
	os.WriteFile(csv, []byte("full_name,date_of_birth,category,basis,notice_type,receipt_number,a_number,email,passport,passport_expiry\n"+
		"Qqcanary Zzcanary,1980-05-05,military,Spouse of an active-duty soldier,receipt,IOE0912345678,A087654321,canarymail@example.com,CN7654321,2030-08-08\n"), 0o600)
	// A scan that shows the applicant's name as plain text in the file.
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.SetCompression(false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 14)
	pdf.Cell(400, 20, "Qqcanary Zzcanary A087654321")
	var scan bytes.Buffer
	if err := pdf.Output(&scan); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(scan.Bytes(), []byte("Qqcanary")) {
		t.Fatal("the test's scan does not show the name in its bytes")
	}
	notice := filepath.Join(outside, "notice.pdf")
	os.WriteFile(notice, scan.Bytes(), 0o600)
	n := "FP-2026-00001"
	var stderr strings.Builder
	for _, args := range [][]string{
		{"import", csv, "--user", "ana"},
		{"attach", n, "--kind", "notice", notice, "--user", "ana"},
		{"list", "--search", "qqcan"}, // reading signs in as $FIELDPRINT_USER
		{"checklist", n},
		{"verify-doc", n, "notice", "verified", "--shows", "A087654321", "--user", "ana"},
		{"record", n, "-o", filepath.Join(outside, "record.pdf"), "--user", "ana"},
		{"export", "-o", filepath.Join(outside, "export.json")},
		{"check"},
	} {
		code, _, errs := fieldprint(t, "", append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
		stderr.WriteString(errs)
	}
	for _, c := range canaries {
		if strings.Contains(stderr.String(), c) {
			t.Errorf("%q printed on stderr", c)
		}
	}
	seen := 0
	for _, root := range []string{dir, tmp} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			seen++
			b, _ := os.ReadFile(p)
			for _, c := range canaries {
				if bytes.Contains(b, []byte(c)) {
					t.Errorf("%q in the clear in %s", c, p)
				}
			}
			return nil
		})
	}
	if seen == 0 {
		t.Fatal("no file beside the database was looked at (no scan stored?)")
	}
}
