package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

type checklistJSON struct {
	Number   string         `json:"number"`
	Status   string         `json:"status"`
	Verified int            `json:"verified"`
	Required int            `json:"required"`
	Complete bool           `json:"complete"`
	Items    []checklistRow `json:"items"`
}

func checklist(t *testing.T, db, number string) checklistJSON {
	t.Helper()
	code, out, errs := fieldprint(t, "", "checklist", number, "--format", "json", "--db", db)
	var c checklistJSON
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil {
		t.Fatalf("checklist: %d %q %q", code, out, errs)
	}
	return c
}

// sampleFiles writes a notice PDF and a passport PNG for request number.
func sampleFiles(t *testing.T, db, number string) (notice, passport string) {
	t.Helper()
	s, err := storeOpen(db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.FindRequestByNumber(number)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	notice, passport = filepath.Join(dir, "notice.pdf"), filepath.Join(dir, "passport.png")
	os.WriteFile(notice, demo.NoticeScan(r, "I-797C "+number), 0o600)
	os.WriteFile(passport, demo.PassportScan(r.Applicant, "E12345678", fp.Date{Y: 2031, M: 1, D: 1}), 0o600)
	return notice, passport
}

// completeViaCLI attaches what is missing and verifies every required item.
func completeViaCLI(t *testing.T, db, number, user string) {
	t.Helper()
	c := checklist(t, db, number)
	for _, it := range c.Items {
		if !it.Required || it.State == string(fp.DocVerified) {
			continue
		}
		if it.State == string(fp.DocMissing) || it.State == string(fp.DocRejected) {
			notice, passport := sampleFiles(t, db, number)
			if it.State == string(fp.DocRejected) { // a better scan: the same page saved again, other bytes
				f, _ := os.Open(passport)
				img, err := png.Decode(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				(&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img)
				os.WriteFile(passport, b.Bytes(), 0o600)
			}
			file, kind, person := notice, "notice", []string{}
			if strings.HasPrefix(it.Item, "passport/") {
				file, kind = passport, "passport"
				if it.Item != "passport/0" {
					person = []string{"--person", strings.TrimPrefix(it.Label, "Passport biographic page: ")}
				}
			} else if it.Item == "asc-notice" {
				kind = "asc-notice"
			}
			args := append([]string{"attach", number, "--kind", kind}, person...)
			if code, out, errs := fieldprint(t, "", append(args, file, "--user", user, "--db", db)...); code != 0 {
				t.Fatalf("attach %s: %d %q %q", it.Item, code, out, errs)
			}
		}
		args := []string{"verify-doc", number, it.Item, "verified", "--user", user, "--db", db}
		if strings.HasPrefix(it.Item, "passport/") {
			args = append(args, "--confirm", "name,birth-date,number,expiry")
		}
		if it.Item == "notice" {
			s, _ := storeOpen(db)
			r, _ := s.FindRequestByNumber(number)
			s.Close()
			args = append(args, "--shows", r.Identifiers()[0])
		}
		if code, out, errs := fieldprint(t, "", args...); code != 0 {
			t.Fatalf("verify %s: %d %q %q", it.Item, code, out, errs)
		}
	}
	if c := checklist(t, db, number); !c.Complete {
		t.Fatalf("checklist still incomplete: %+v", c)
	}
}

func TestDocumentCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "docs.db")
	withClerk(t, db)
	csv := filepath.Join(dir, "in.csv")
	os.WriteFile(csv, []byte("full_name,date_of_birth,category,basis,notice_type,receipt_number,a_number,email,passport,passport_expiry\n"+
		"Ana García,1980-05-05,military,Spouse of an active-duty soldier,receipt,IOE0912345678,A012345678,ana@example.com,XD1234567,2030-08-08\n"), 0o600)
	if code, _, errs := fieldprint(t, "", "import", csv, "--user", "ana", "--db", db); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	n := "FP-" + "2026-00001"
	if c := checklist(t, db, n); c.Required != 2 || c.Verified != 0 || len(c.Items) != 3 {
		t.Fatalf("new checklist %+v", c)
	}
	notice, passport := sampleFiles(t, db, n)
	hostile, _ := filepath.Abs("../../testdata/hostile/pdf-renamed.jpg")
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"attach", n, "--kind", "visa", notice}, 1, "not a kind of document"},
		{[]string{"attach", n, "--kind", "passport", hostile}, 1, "pdf-renamed.jpg is really a PDF"},
		{[]string{"attach", n, "--kind", "notice", filepath.Join(dir, "nope.pdf")}, 1, "cannot be opened"},
		{[]string{"attach", n, "--kind", "notice", "--person", "Ana", notice}, 1, "belongs to the request"},
		{[]string{"attach", n, "--kind", "notice", notice}, 0, n + " notice: notice.pdf attached (0/2)"},
		{[]string{"attach", n, "--kind", "passport", "--person", "Nobody", passport}, 1, "nobody called"},
		{[]string{"attach", n, "--kind", "passport", passport}, 0, "passport/0: passport.png attached"},
		{[]string{"verify-doc", n, "notice", "verified"}, 1, "say which one it shows"},
		{[]string{"verify-doc", n, "1", "verified", "--shows", "a-012-345-678"}, 0, "notice verified; checklist 1/2; status new"},
		{[]string{"verify-doc", n, "passport", "verified"}, 1, "still to confirm: full name, date of birth, passport number, expiry date"},
		{[]string{"verify-doc", n, "passport", "verified", "--confirm", "name,number"}, 1, "still to confirm: date of birth, expiry date"},
		{[]string{"verify-doc", n, "passport", "verified", "--confirm", "name,colour"}, 1, "not a passport detail"},
		{[]string{"verify-doc", n, "passport", "verified", "--mrz", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}, 1,
			"not the one recorded for Ana García: name \"Anna Maria Eriksson\", recorded \"Ana García\"; born 1974-08-12, recorded 1980-05-05; number L898902C3, recorded XD1234567; expires 2012-04-15, recorded 2030-08-08"},
		{[]string{"verify-doc", n, "passport", "rejected"}, 1, "not a reason"},
		{[]string{"verify-doc", n, "passport", "rejected", "--reason", "illegible", "--note", "blurred"}, 0, "status awaiting-documents"},
		{[]string{"verify-doc", n, "7", "verified"}, 1, "no checklist item"},
		{[]string{"decide", n, "eligible"}, 1, "1/2 required documents verified"},
	} {
		code, out, errs := fieldprint(t, "", append(tc.args, "--user", "ana", "--db", db)...)
		if code != tc.code || !strings.Contains(out+errs, tc.out) {
			t.Errorf("%v: exit %d %q %q, want %d %q", tc.args, code, out, errs, tc.code, tc.out)
		}
	}
	code, table, _ := fieldprint(t, "", "checklist", n, "--db", db)
	for _, want := range []string{"1/2 required documents verified", "passport/0", "rejected", "the scan cannot be read: blurred", "shows A012345678", "optional"} {
		if code != 0 || !strings.Contains(table, want) {
			t.Errorf("checklist table lacks %q:\n%s", want, table)
		}
	}
	completeViaCLI(t, db, n, "ana")
	if c := checklist(t, db, n); c.Status != "new" {
		t.Errorf("complete checklist left status %s", c.Status)
	}
	if code, out, errs := fieldprint(t, "", "decide", n, "eligible", "--user", "ana", "--db", db); code != 0 || !strings.Contains(out, "ready-to-schedule") {
		t.Errorf("eligible: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "attach", n, "--kind", "notice", notice, "--user", "ana", "--db", db); code != 1 || !strings.Contains(errs, "locked") {
		t.Errorf("attach after the decision: %d %q", code, errs)
	}
}
