package fieldprint

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

var (
	receiptRE = regexp.MustCompile(`^[A-Z]{3}[0-9]{10}$`)
	aNumberRE = regexp.MustCompile(`^A[0-9]{9}$`)
	dateRE    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// stripSeparators is what a clerk may add around the printed number: spaces,
// tabs and dashes, and lower case.
func stripSeparators(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s))
}

func FuzzParseReceiptNumber(f *testing.F) {
	for _, s := range []string{
		"IOE0912345678", "ioe-09-123-45678", " EAC 21 903 12345 ", "ABC0912345678", "GUZ2018123456", "guz-2018-123456",
		"IOEO912345678", "IOE091234567", "IOE09123456789", "", " ", "-", "IOE", "0912345678123", "ſRC0912345678",
		"ＩＯＥ０９１２３４５６７８", "IOE09\u00a012345678", "IOE09\u200b12345678", "\ufeffIOE0912345678", "IOE09\xff12345678",
		"IOE09\x0012345678", "XYZ1990123", "XYZ209912345678", "i\u0307oe0912345678", strings.Repeat("A", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rn, warn, err := ParseReceiptNumber(s)
		if err != nil {
			if rn != "" || warn != "" {
				t.Errorf("error %v with result %q, warning %q", err, rn, warn)
			}
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Errorf("error %v: code %q", err, ErrorCode(err))
			}
			return
		}
		if !receiptRE.MatchString(string(rn)) {
			t.Fatalf("ParseReceiptNumber(%q) = %q, not 3 letters and 10 digits", s, rn)
		}
		if got := stripSeparators(s); got != string(rn) {
			t.Errorf("ParseReceiptNumber(%q) = %q, but the typed characters are %q", s, rn, got)
		}
		_, known := KnownReceiptPrefixes[string(rn[:3])]
		if known == (warn != "") {
			t.Errorf("ParseReceiptNumber(%q): prefix known %v, warning %q", s, known, warn)
		}
		again, warn2, err := ParseReceiptNumber(string(rn))
		if err != nil || again != rn || warn2 != warn {
			t.Errorf("ParseReceiptNumber(%q) = %q, %q, %v; want %q, %q (not canonical)", rn, again, warn2, err, rn, warn)
		}
	})
}

func FuzzParseANumber(f *testing.F) {
	for _, s := range []string{
		"A012345678", "A12345678", "a-012-345-678", "012345678", "1234567", "123456", "1234567890", "A000000000",
		"A0000000", "AA12345678", "", " A ", "Ａ０１２３４５６７８", "A012\u00a0345678", "A012\u200b345678", "А012345678",
		"A-1-2-3-4-5-6-7", "a\t12345678", "A+12345678", "A 0x1234567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseANumber(s)
		if err != nil {
			if a != "" || ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Errorf("ParseANumber(%q) = %q, %v (code %q)", s, a, err, ErrorCode(err))
			}
			return
		}
		if !aNumberRE.MatchString(string(a)) || a == "A000000000" {
			t.Fatalf("ParseANumber(%q) = %q, not A and 9 digits", s, a)
		}
		typed := strings.TrimPrefix(stripSeparators(s), "A")
		if !strings.HasSuffix(string(a), typed) || strings.Trim(string(a[1:len(a)-len(typed)]), "0") != "" {
			t.Errorf("ParseANumber(%q) = %q, but the typed digits are %q", s, a, typed)
		}
		if again, err := ParseANumber(string(a)); err != nil || again != a {
			t.Errorf("ParseANumber(%q) = %q, %v; not canonical", a, again, err)
		}
		if again, err := ParseANumber(a.Display()); err != nil || again != a {
			t.Errorf("ParseANumber(Display %q) = %q, %v", a.Display(), again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1990-03-05", " 2024-02-29 ", "2026-02-29", "0000-01-01", "9999-12-31", "", "03/05/1990",
		"1990-3-5", "1990-03-05T00:00:00Z", "+1990-03-05", "１９９０-03-05", "1990-03-05\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !d.IsZero() || ErrorCode(err) != EINVALID {
				t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
			}
			return
		}
		if d.String() != strings.TrimSpace(s) || !dateRE.MatchString(d.String()) {
			t.Errorf("ParseDate(%q) = %v (%q)", s, d, d.String())
		}
		if again, err := ParseDate(d.String()); err != nil || again != d {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", d.String(), again, err, d)
		}
	})
}

func FuzzParseImportCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/tracker_excel.csv"); err == nil {
		f.Add(b)
	}
	header := strings.Join(CSVColumns, ",") + "\n"
	for _, s := range []string{
		"",
		"\ufeff",
		header,
		minimalHeader + "Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678,ann@example.com\n",
		minimalHeader + "Ann Lee,military,1990-03-05,\"multi\nline\",receipt,IOE0912345678,ann@example.com\r\n" +
			"Bo Lee,military,05/03/1990,basis,receipt,IOE0912345679,bo@example.com\n",
		minimalHeader + "Ann Lee,military,1990-03-05,\"unclosed,receipt,IOE0912345678,ann@example.com\n",
		minimalHeader + "Ann Lee,military,1990-03-05,ba\"re,receipt,IOE0912345678,ann@example.com\n",
		header + "2026-11-01,Łukasz Żółć,1985-01-01,Adoptive parents,x,Biometric appointment notice,NBC2190312345,,,+48 22 123 4567,\"Anna Żółć|1988-07-14;;Bob|\",,,,,\n",
		header + "2026-11-01,Ana García,1980-12-24,All others,x,receipt,ABC0912345678,A1234567,a@example.com,,,2026-10-15,LA ASC,\"why\r\n\r\nreally\",no,\"note\"\n",
		header + ",José Müller,1990-03-05,319b,x,rfe,IOE0912345678;ioe-09-123-45678,,j@example.com,,,,,,,\n" +
			",José Müller,1990-03-05,319b,x,rfe,IOE0912345678,,j@example.com,,,,,,,\n",
		"full_name,category,nickname\n",
		"full_name,,category,full_name\n",
		"FULL_NAME;CATEGORY\nAnn;military\n",
		"full_name,category\n\x00,\xff\n",
		"full_name,category\n" + strings.Repeat(",\n", 50),
		"\"full_name\",\"category\"\r\n\"a\"\"b\",\"c\"\r\n",
		// Spreadsheet formulas and apostrophes (CSV injection): the export must neutralise them.
		minimalHeader + "'t Hooft,military,1990-03-05,\"=cmd|' /C calc'!A0\",receipt,IOE0912345678,=1+1@example.com\n" +
			"- Bo Lee,military,1990-03-05,'=HYPERLINK(\"\"http://x\"\";\"\"y\"\"),receipt,IOE0912345679,-x@example.com\n" +
			"Cy Lee,military,1990-03-05,''@SUM(A1),receipt,IOE0912345670,'+y@example.com\n",
		header + "2026-11-01,Ana García,1980-12-24,other,\t-2+3+cmd|' /C calc'!A0,receipt,ABC0912345678,,,+86 20 3814 5000,,2026-10-15,＝1+1,＠SUM(A1),no,\"+1+cmd|' /C calc'!A0\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs := ParseImportCSV(bytes.NewReader(data), testToday)
		if len(rows) == 0 && len(errs) == 0 {
			t.Fatal("no rows and no errors")
		}
		for i, e := range errs {
			if e.Line < 1 || e.Message == "" || !utf8.ValidString(e.Error()) && utf8.Valid(data) {
				t.Errorf("bad error %+v", e)
			}
			if i > 0 && e.Line < errs[i-1].Line {
				t.Errorf("errors out of order: %v", errs)
			}
		}
		ids := map[string]bool{}
		for i, row := range rows {
			if row.Request == nil || row.Line < 2 || i > 0 && row.Line <= rows[i-1].Line {
				t.Fatalf("bad row %d: %+v", i, row)
			}
			again, warns, err := row.Request.Input().Parse(testToday)
			if err != nil {
				t.Fatalf("line %d: re-parsing the imported request fails: %v\n%+v", row.Line, err, row.Request.Input())
			}
			if !reflect.DeepEqual(again, row.Request) {
				t.Fatalf("line %d: re-parse changed the request:\n%+v\n%+v", row.Line, *row.Request, *again)
			}
			// Compared as sets: Parse repeats a warning for a receipt number typed
			// twice (see TestParseWarnsOncePerReceiptNumber), the re-parse cannot.
			if !reflect.DeepEqual(distinct(warns), distinct(row.Warnings)) {
				t.Errorf("line %d: warnings %q became %q", row.Line, row.Warnings, warns)
			}
			for _, id := range row.Request.Identifiers() {
				if ids[id] && len(errs) == 0 {
					t.Errorf("%s on two rows without an error", id)
				}
				ids[id] = true
			}
		}
		if len(errs) > 0 {
			return
		}
		// A clean import exports and re-imports to the same requests.
		rs := make([]*Request, len(rows))
		for i, row := range rows {
			rs[i] = row.Request
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, rs); err != nil {
			t.Fatal(err)
		}
		checkExportCells(t, buf.Bytes())
		rows2, errs2 := ParseImportCSV(&buf, testToday)
		if len(errs2) != 0 || len(rows2) != len(rows) {
			t.Fatalf("re-import of the export: %d rows, errors %q", len(rows2), lineErrStrings(errs2))
		}
		for i := range rows {
			if !reflect.DeepEqual(rows2[i].Request, rows[i].Request) {
				t.Fatalf("re-import changed row %d:\n%+v\n%+v", i, *rows[i].Request, *rows2[i].Request)
			}
		}
	})
}

// distinct returns the sorted distinct strings of ss.
func distinct(ss []string) []string {
	set := map[string]bool{}
	for _, s := range ss {
		set[s] = true
	}
	out := []string{}
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
