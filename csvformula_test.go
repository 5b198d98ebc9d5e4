package fieldprint

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// spreadsheetFormula says whether a spreadsheet opening a CSV file would take
// the cell for a formula, as Excel does: written apart from the code under
// test, from OWASP's list (= + - @, tab, carriage return) and ASVS's (NUL),
// with the full-width and small forms that some locales' spreadsheets fold
// to them, and after any white space a spreadsheet might trim.
func spreadsheetFormula(cell string) bool {
	if cell == "" {
		return false
	}
	if r := []rune(cell)[0]; unicode.IsControl(r) {
		return true
	}
	t := strings.TrimLeftFunc(cell, func(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' })
	return t != "" && strings.ContainsRune("=+-@＝＋－＠﹦﹢﹣﹫", []rune(t)[0])
}

// The payloads of issue "Close the loopholes", item 11, and their neighbours.
var formulaPayloads = []string{
	`=cmd|' /C calc'!A0`,
	`=HYPERLINK("http://x","y")`,
	`@SUM(A1)`,
	`+1+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`＝1+1`,
	`＋1+1`,
	`－2+3`,
	`＠SUM(A1)`,
	`﹦1+1`,
	`'=1+1`, // really starts with an apostrophe
	`''=1+1`,
	`'t Hooft`,
	`'`,
	`-`,
	`+86 20 3814 5000`,
	`- a list item`,
}

func TestEscapeCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{`@SUM(A1)`, `'@SUM(A1)`},
		{`+1+cmd|' /C calc'!A0`, `'+1+cmd|' /C calc'!A0`},
		{`-2+3+cmd|' /C calc'!A0`, `'-2+3+cmd|' /C calc'!A0`},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"\n=1+1", "'\n=1+1"},
		{"\x00=1+1", "'\x00=1+1"},
		{"\tplain", "'\tplain"},
		{" =1+1", "' =1+1"},
		{"\u00a0=1+1", "'\u00a0=1+1"},
		{"\u3000＝1+1", "'\u3000＝1+1"},
		{"\u200b=1+1", "'\u200b=1+1"},
		{`＝1+1`, `'＝1+1`},
		{`＋1`, `'＋1`},
		{`－1`, `'－1`},
		{`＠SUM(A1)`, `'＠SUM(A1)`},
		{`﹦1+1`, `'﹦1+1`},
		{`+86 20 3814 5000`, `'+86 20 3814 5000`},
		{`-5`, `'-5`},
		{`'=1+1`, `''=1+1`},
		{`'t Hooft`, `''t Hooft`},
		{`'`, `''`},
		// Left alone: nothing a spreadsheet computes.
		{"", ""},
		{"Ann Lee", "Ann Lee"},
		{"2026-11-02", "2026-11-02"},
		{"a=b", "a=b"},
		{"x@example.com", "x@example.com"},
		{" 't Hooft", " 't Hooft"},
		{"−5", "−5"}, // U+2212 MINUS SIGN: text to every spreadsheet
	} {
		got := EscapeCSVCell(tc.in)
		if got != tc.want {
			t.Errorf("EscapeCSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if spreadsheetFormula(got) {
			t.Errorf("EscapeCSVCell(%q) = %q: a spreadsheet runs it", tc.in, got)
		}
		if back := UnescapeCSVCell(got); back != tc.in {
			t.Errorf("UnescapeCSVCell(%q) = %q, want %q", got, back, tc.in)
		}
	}
	// An apostrophe the export would not have added is not taken away: a
	// hand-made tracker's "'t Hooft" keeps it.
	for _, s := range []string{"'t Hooft", "'Ann", "' ", "'x=1"} {
		if got := UnescapeCSVCell(s); got != s {
			t.Errorf("UnescapeCSVCell(%q) = %q, want it unchanged", s, got)
		}
	}
}

// formulaRequests puts payload into every field of a request that can hold
// it: the texts of an "All others" request, the applicant's and a household
// member's names, the e-mail and the phone. Identifiers are left to the caller.
func formulaRequests(t *testing.T, payload string) []*Request {
	t.Helper()
	var rs []*Request
	add := func(in RequestInput) {
		if r, _, err := in.Parse(testToday); err == nil {
			rs = append(rs, r)
		}
	}
	o := validInput(CategoryOther)
	o.Basis, o.ASCPlace, o.DepartureReason, o.RescheduleNote = payload, payload, payload, payload
	add(o)
	if len(rs) == 0 {
		t.Fatalf("%q is not a valid basis", payload)
	}
	name := validInput(CategoryMilitary)
	name.FullName = payload
	add(name)
	hh := validInput(CategoryAdoption)
	hh.Household[0].FullName = payload
	add(hh)
	email := validInput(Category319b)
	email.Email = strings.ReplaceAll(payload, " ", "") + "@example.com"
	add(email)
	phone := validInput(Category319b)
	phone.Phone = payload
	add(phone)
	return rs
}

// Every payload goes through export and import unchanged, and what the
// export writes is text to a spreadsheet: no cell starts a formula.
func TestWriteCSVFormulas(t *testing.T) {
	var rs []*Request
	for _, p := range formulaPayloads {
		rs = append(rs, formulaRequests(t, p)...)
	}
	for i, r := range rs { // the import refuses an identifier on two rows
		r.ReceiptNumbers, r.ANumber = []ReceiptNumber{ReceiptNumber(fmt.Sprintf("IOE09%08d", i))}, ""
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	cells, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	basis := indexOf(CSVColumns, FieldBasis)
	for i, rec := range cells[1:] {
		for j, c := range rec {
			if spreadsheetFormula(c) {
				t.Errorf("row %d, %s: %q is a formula to a spreadsheet", i+2, CSVColumns[j], c)
			}
		}
		want := rs[i].Basis // validInput's, which needs no apostrophe
		if rs[i].Category == CategoryOther {
			want = "'" + rs[i].Basis // a payload: every one needs it
		}
		if rec[basis] != want {
			t.Errorf("row %d: basis written %q, want %q", i+2, rec[basis], want)
		}
	}
	rows, errs := ParseImportCSV(bytes.NewReader(buf.Bytes()), testToday)
	if len(errs) != 0 {
		t.Fatalf("re-import: %q\n%s", lineErrStrings(errs), buf.String())
	}
	if len(rows) != len(rs) {
		t.Fatalf("%d rows, want %d", len(rows), len(rs))
	}
	for i, row := range rows {
		if !reflect.DeepEqual(row.Request, rs[i]) {
			t.Errorf("row %d changed:\n got %+v\nwant %+v", i, *row.Request, *rs[i])
		}
	}
	// The payloads reached the fields they were meant for.
	var names, phones, emails []string
	for _, r := range rs {
		names, phones, emails = append(names, r.Applicant.FullName), append(phones, r.Phone), append(emails, r.Email)
		for _, h := range r.Household {
			names = append(names, h.FullName)
		}
	}
	if !slices.Contains(names, "'t Hooft") || !slices.Contains(names, "- a list item") || !slices.Contains(phones, "+86 20 3814 5000") ||
		!slices.Contains(emails, "=cmd|'/Ccalc'!A0@example.com") || !slices.Contains(emails, "-2+3+cmd|'/Ccalc'!A0@example.com") {
		t.Errorf("payloads missing: names %q, phones %q, e-mails %q", names, phones, emails)
	}
}

// A tracker made by hand imports as typed: a formula is text to Fieldprint
// (the export will neutralise it), an apostrophe the export would not have
// written is kept, and one it would have written is taken back.
func TestParseImportCSVApostrophes(t *testing.T) {
	text := "full_name,category,date_of_birth,basis,notice_type,receipt_number,email,phone\n" +
		"'t Hooft,military,1990-03-05,\"=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\",receipt,IOE0912345678,a@example.com,'+86 20 3814 5000\n" +
		"Ann Lee,military,1990-03-05,'=SUM(A1),receipt,IOE0912345679,,+86 20 3814 5001\n" +
		"Bo Lee,military,1990-03-05,''quoted',receipt,IOE0912345670,''x@example.com,\n"
	rows, errs := parseCSV(t, text)
	if len(errs) != 0 || len(rows) != 3 {
		t.Fatalf("%d rows, errors %q", len(rows), lineErrStrings(errs))
	}
	for i, want := range []struct{ name, basis, email, phone string }{
		{"'t Hooft", `=HYPERLINK("http://x";"y")`, "a@example.com", "+86 20 3814 5000"},
		{"Ann Lee", "=SUM(A1)", "", "+86 20 3814 5001"},
		{"Bo Lee", "'quoted'", "'x@example.com", ""},
	} {
		r := rows[i].Request
		if r.Applicant.FullName != want.name || r.Basis != want.basis || r.Email != want.email || r.Phone != want.phone {
			t.Errorf("row %d: %q, %q, %q, %q; want %+v", i, r.Applicant.FullName, r.Basis, r.Email, r.Phone, want)
		}
	}
}

func FuzzCSVCell(f *testing.F) {
	for _, s := range append(formulaPayloads, "", "Ann", "\t=1", "\r=1", " =1", "\x00", "'\t", "\u3000＠x", "'t") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeCSVCell(s)
		if spreadsheetFormula(e) {
			t.Errorf("EscapeCSVCell(%q) = %q: a spreadsheet runs it", s, e)
		}
		if e != s && e != "'"+s {
			t.Errorf("EscapeCSVCell(%q) = %q: more than an apostrophe added", s, e)
		}
		if back := UnescapeCSVCell(e); back != s {
			t.Errorf("UnescapeCSVCell(EscapeCSVCell(%q)) = %q", s, back)
		}
		// Taking back never adds, and removes at most the one apostrophe.
		if u := UnescapeCSVCell(s); u != s && "'"+u != s {
			t.Errorf("UnescapeCSVCell(%q) = %q", s, u)
		}
	})
}

// For any request, export then import gives the same request back, and no
// exported cell is a formula to a spreadsheet.
func FuzzWriteCSVRoundTrip(f *testing.F) {
	for i, p := range formulaPayloads {
		f.Add(uint8(i), p, p, p, p+"@example.com", p, p)
		f.Add(uint8(i), "Ann Lee", p, "Los Angeles ASC", "ann@example.com", "+86 20 3814 5000", "Bo Lee")
	}
	f.Add(uint8(3), "'t Hooft", "line one\n=line two", "\t=1", "=1@example.com", "-1 555 0100", "-Anna")
	f.Fuzz(func(t *testing.T, cat uint8, name, text, place, email, phone, member string) {
		c := Categories[int(cat)%len(Categories)]
		in := validInput(c)
		in.FullName, in.Basis, in.Email, in.Phone = name, text, email, phone
		switch c {
		case CategoryOther:
			in.ASCPlace, in.DepartureReason, in.RescheduleNote = place, text, text
		case CategoryAdoption:
			in.Household[1].FullName = member
		}
		r, _, err := in.Parse(testToday)
		if err != nil {
			return // not a record
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, []*Request{r}); err != nil {
			t.Fatal(err)
		}
		checkExportCells(t, buf.Bytes())
		rows, errs := ParseImportCSV(bytes.NewReader(buf.Bytes()), testToday)
		if len(errs) != 0 || len(rows) != 1 {
			t.Fatalf("re-import: %d rows, errors %q\n%s", len(rows), lineErrStrings(errs), buf.String())
		}
		if !reflect.DeepEqual(rows[0].Request, r) {
			t.Fatalf("round trip changed the request:\n got %+v\nwant %+v", *rows[0].Request, *r)
		}
	})
}

// checkExportCells fails t if a cell of the CSV file b is a formula to a spreadsheet.
func checkExportCells(t *testing.T, b []byte) {
	t.Helper()
	cells, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	for i, rec := range cells {
		for j, c := range rec {
			if spreadsheetFormula(c) {
				t.Errorf("line %d, column %d: %q is a formula to a spreadsheet", i+1, j+1, c)
			}
		}
	}
}
