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
	t.Setenv("FIELDPRINT_EXPORT_PASSPHRASE", "three long words")
	var stderr strings.Builder
	for _, args := range [][]string{
		{"import", csv, "--user", "ana"},
		{"attach", n, "--kind", "notice", notice, "--user", "ana"},
		{"list", "--search", "qqcan"}, // reading signs in as $FIELDPRINT_USER
		{"checklist", n},
		{"verify-doc", n, "notice", "verified", "--shows", "A087654321", "--user", "ana"},
		{"record", n, "-o", filepath.Join(outside, "record.pdf"), "--user", "ana"},
		{"export", "-o", filepath.Join(outside, "export.json")},
		{"export", "--format", "csv", "--encrypt", "-o", filepath.Join(dir, "export.csv.fpsealed")}, // beside the data: searched below
		{"decrypt", filepath.Join(dir, "export.csv.fpsealed"), "-o", filepath.Join(outside, "opened.csv")},
		{"check"},
	} {
		code, _, errs := fieldprint(t, "", append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
		stderr.WriteString(errs)
	}
	// Purged: the backup made before and the office itself open everything
	// but that request, which nothing can decrypt any more.
	if code, _, errs := fieldprint(t, pw+"\n"+pw+"\n", "user", "add", "dora", "--role", "director", "--full-name", "Dora Diaz", "--password-stdin", "--user", "boss", "--db", db); code != 0 {
		t.Fatalf("director: %s", errs)
	}
	backups := filepath.Join(outside, "backups")
	os.Mkdir(backups, 0o700)
	t.Setenv("FIELDPRINT_CONFIRM_PASSWORD", pw)
	for _, args := range [][]string{
		{"backup", "set", "--folder", backups, "--user", "boss"},
		{"backup", "--user", "boss"},
		{"decide", n, "withdraw", "--reason", "the applicant withdrew", "--user", "ana"},
		{"hold", n, "on", "--reason", "inquiry 12", "--user", "dora"},
		{"hold", n, "off", "--reason", "inquiry closed", "--user", "dora"},
		{"retention", "set", "--withdrawn", "6", "--user", "boss"},
		{"purge", n, "--confirm-by", "boss", "--user", "dora"},
		{"purge", "report", "1", "--user", "dora"},
	} {
		code, out, errs := fieldprint(t, "", append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
		if args[0] == "purge" && !strings.Contains(out, n) {
			t.Fatalf("%v: %s", args, out)
		}
		stderr.WriteString(errs + out)
	}
	if code, _, errs := fieldprint(t, "", "checklist", n, "--db", db); code == 0 || !strings.Contains(errs, "was purged on") {
		t.Fatalf("a purged request: %d %s", code, errs)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	list, _ := filepath.Glob(filepath.Join(backups, "*.fpbackup"))
	if len(list) != 1 {
		t.Fatalf("backups: %v", list)
	}
	t.Setenv("FIELDPRINT_USER", "boss")
	for _, check := range []string{db, restored} {
		if check == restored {
			if code, _, errs := fieldprint(t, pw+"\n", "restore", list[0], "--admin", "boss", "--yes", "--db", restored); code != 0 {
				t.Fatalf("restore: %s", errs)
			}
		}
		for _, args := range [][]string{{"export", "--format", "json"}, {"audit", "list", "--request", n}, {"list", "--search", "qqcan"}} {
			code, out, errs := fieldprint(t, "", append(args, "--db", check)...)
			if code != 0 {
				t.Fatalf("%s %v: %s", filepath.Base(check), args, errs)
			}
			for _, c := range canaries {
				if strings.Contains(out, c) {
					t.Errorf("%s: %v still decrypts %q", filepath.Base(check), args, c)
				}
			}
		}
	}
	for _, c := range canaries {
		if strings.Contains(stderr.String(), c) {
			t.Errorf("%q printed on stderr", c)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "opened.csv")); !bytes.Contains(b, []byte("Qqcanary Zzcanary")) {
		t.Error("the encrypted export does not decrypt to the export")
	}
	seen := 0
	for _, root := range []string{dir, tmp, backups, filepath.Dir(restored)} {
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
