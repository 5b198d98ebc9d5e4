package fieldprint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

func lineErrStrings(errs []LineError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func parseCSV(t *testing.T, text string) ([]ImportRow, []LineError) {
	t.Helper()
	return ParseImportCSV(strings.NewReader(text), testToday)
}

func TestLineErrorFormat(t *testing.T) {
	if got := (LineError{Line: 7, Column: "date_of_birth", Message: "bad"}).Error(); got != "line 7: date_of_birth: bad" {
		t.Errorf("with column: %q", got)
	}
	if got := (LineError{Line: 1, Message: "empty"}).Error(); got != "line 1: empty" {
		t.Errorf("without column: %q", got)
	}
}

// The CSV column names and the form's field keys are the same words, so a
// field error maps to a column without translation.
func TestFieldKeysAreCSVColumns(t *testing.T) {
	for _, f := range []string{FieldReceived, FieldCategory, FieldBasis, FieldNoticeType, FieldReceiptNumbers, FieldANumber,
		FieldFullName, FieldDateOfBirth, FieldEmail, FieldPhone, FieldHousehold, FieldASCDate, FieldASCPlace,
		FieldDepartureReason, FieldRescheduleAsked, FieldRescheduleNote, FieldPassport, FieldPassportExpiry, FieldNationality, FieldSex} {
		if indexOf(CSVColumns, f) < 0 {
			t.Errorf("field key %q is not a CSV column", f)
		}
	}
	if len(CSVColumns) != 20 {
		t.Errorf("CSVColumns has %d columns, want 20", len(CSVColumns))
	}
}

func TestParseImportCSVLabelsBOMAndCRLF(t *testing.T) {
	text := "\ufeffFull_Name,CATEGORY,Date_Of_Birth, Basis ,Notice_Type,RECEIPT_NUMBER,a_number,Email,phone,Household_Adults,received," +
		"asc_date,ASC_Place,departure_reason,reschedule_asked,reschedule_note\r\n" +
		"José Müller,INA 319(b),1990-03-05,\"Spouse of a U.S. citizen, stationed abroad\",Receipt notice,ioe-09-123-45678; EAC2190312345,,jose@example.com,,,2026-11-01,,,,,\r\n" +
		"Łukasz Żółć,Adoptive parents,1985-01-01,Adopting from Kenya,Biometric appointment notice,NBC2190312345,A1234567,,+48 22 123 4567," +
		"Anna Żółć|1988-07-14; Maria Kowalska | 1955-01-30 ,2026-11-02,,,,,\r\n" +
		"Kim Min-jun,Military,1995-06-30,Active duty,Request for Evidence,,a-098-765-432,kim@example.mil,,,,,,,,\r\n" +
		"Ana García,All others,1980-12-24,\"Family emergency\r\nleft the U.S.\",receipt,ABC0912345678,,ana@example.com,,,2026-11-03,2026-10-15,Los Angeles ASC,Father hospitalised,no,Left the same day\r\n"
	rows, errs := parseCSV(t, text)
	if len(errs) != 0 {
		t.Fatalf("errors: %q", lineErrStrings(errs))
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	want := []struct {
		line     int
		cat      Category
		notice   NoticeType
		receipts []ReceiptNumber
		a        ANumber
		name     string
		people   int
	}{
		{2, Category319b, NoticeReceipt, []ReceiptNumber{"IOE0912345678", "EAC2190312345"}, "", "José Müller", 1},
		{3, CategoryAdoption, NoticeAppointment, []ReceiptNumber{"NBC2190312345"}, "A001234567", "Łukasz Żółć", 3},
		{4, CategoryMilitary, NoticeRFE, nil, "A098765432", "Kim Min-jun", 1},
		{5, CategoryOther, NoticeReceipt, []ReceiptNumber{"ABC0912345678"}, "", "Ana García", 1},
	}
	for i, w := range want {
		r := rows[i]
		if r.Line != w.line || r.Request.Category != w.cat || r.Request.NoticeType != w.notice ||
			!reflect.DeepEqual(r.Request.ReceiptNumbers, w.receipts) || r.Request.ANumber != w.a ||
			r.Request.Applicant.FullName != w.name || r.Request.People(testToday) != w.people {
			t.Errorf("row %d = line %d %+v, want %+v", i, r.Line, *r.Request, w)
		}
	}
	hh := rows[1].Request.Household
	if want := []Person{{ID: 1, FullName: "Anna Żółć", DateOfBirth: Date{1988, 7, 14}}, {ID: 2, FullName: "Maria Kowalska", DateOfBirth: Date{1955, 1, 30}}}; !reflect.DeepEqual(hh, want) {
		t.Errorf("household = %+v, want %+v", hh, want)
	}
	if got := rows[1].Request.Received; got != (Date{2026, 11, 2}) {
		t.Errorf("received = %v", got)
	}
	if got := rows[2].Request.Received; got != testToday {
		t.Errorf("empty received = %v, want today", got)
	}
	o := rows[3].Request.Other
	if o == nil || o.ASCDate != (Date{2026, 10, 15}) || o.ASCPlace != "Los Angeles ASC" || o.RescheduleAsked != No {
		t.Errorf("other facts = %+v", o)
	}
	if rows[3].Request.Basis != "Family emergency\nleft the U.S." {
		t.Errorf("multi-line basis = %q", rows[3].Request.Basis)
	}
	if len(rows[3].Warnings) != 1 || !strings.Contains(rows[3].Warnings[0], "ABC") {
		t.Errorf("warnings for the unknown prefix = %q", rows[3].Warnings)
	}
	for _, r := range rows[:3] {
		if len(r.Warnings) != 0 {
			t.Errorf("line %d: unexpected warnings %q", r.Line, r.Warnings)
		}
	}
}

const minimalHeader = "full_name,category,date_of_birth,basis,notice_type,receipt_number,email\n"

// A date that could be day first or month first stops the import once,
// naming the first such cell and asking for the tracker's date order; with
// the order chosen (TrackerMapping.DateOrder) it is read.
func TestParseImportCSVBadDateLine(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		text := strings.ReplaceAll(minimalHeader, "\n", eol) +
			"Ann Lee,military,1990-03-05,\"first line" + eol + "second line" + eol + "third line\",receipt,IOE0912345678,ann@example.com" + eol +
			"Bo Lee,military,05/03/1990,basis,receipt,IOE0912345679,bo@example.com" + eol +
			"Cy Lee,military,1990-02-30,basis,receipt,IOE0912345670,cy@example.com" + eol
		rows, errs := parseCSV(t, text)
		want := []string{
			`line 5: date_of_birth: dates like "05/03/1990" could be day first (5 March) or month first (May 3) and none in the file tells: choose the tracker's date order`,
			`line 6: date_of_birth: "1990-02-30" is not a day of the calendar (read as month 2, day 30): check it in the spreadsheet`,
		}
		if got := lineErrStrings(errs); !reflect.DeepEqual(got, want) {
			t.Errorf("eol %q: errors =\n%q\nwant\n%q", eol, got, want)
		}
		if len(rows) != 1 || rows[0].Line != 2 || rows[0].Request.Basis != "first line\nsecond line\nthird line" {
			t.Errorf("eol %q: rows = %+v", eol, rows)
		}
		f, _ := ReadTracker("t.csv", []byte(text), "", 0)
		m := OwnMapping(f)
		m.DateOrder = DayFirst
		rows, errs = m.Rows(f, testToday)
		if len(errs) != 1 || errs[0].Line != 6 || len(rows) != 2 || rows[1].Request.Applicant.DateOfBirth != (Date{1990, 3, 5}) {
			t.Errorf("eol %q: day first: errors %q, rows %+v", eol, lineErrStrings(errs), rows)
		}
	}
}

func TestParseImportCSVErrors(t *testing.T) {
	allowedAll := func(msg string) bool {
		for _, c := range CSVColumns {
			if !strings.Contains(msg, c) {
				return false
			}
		}
		return true
	}
	tests := []struct {
		name  string
		text  string
		want  []string // the exact error strings, in order
		check func(t *testing.T, errs []LineError)
	}{
		{name: "empty file", text: "", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || errs[0].Line != 1 || !strings.Contains(errs[0].Message, "empty") || !strings.Contains(errs[0].Message, "full_name") {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "BOM only", text: "\ufeff", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || !strings.Contains(errs[0].Message, "empty") {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "header only", text: minimalHeader, want: []string{"line 1: the file has a header but no rows"}},
		{name: "header and blank lines", text: minimalHeader + "\n,,,,,,\n  ,,,,, ,\n", want: []string{"line 1: the file has a header but no rows"}},
		{name: "unknown column", text: "full_name,category,Nickname\nAnn,military,Annie\n", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || errs[0].Line != 1 || !strings.Contains(errs[0].Message, `"Nickname"`) || !allowedAll(errs[0].Message) {
				t.Errorf("errors = %q; want one naming Nickname and every allowed column", lineErrStrings(errs))
			}
		}},
		{name: "unnamed column", text: "full_name,,category\n", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || !strings.Contains(errs[0].Message, "column 2 has no name") || !allowedAll(errs[0].Message) {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "column twice", text: "full_name,category,Full_Name\n", want: []string{`line 1: column "full_name" appears twice`}},
		{name: "missing required column", text: "full_name,date_of_birth,basis\nAnn,1990-01-01,x\n", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || !strings.Contains(errs[0].Message, `"category"`) || !allowedAll(errs[0].Message) {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "wrong field count", text: minimalHeader + "Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678\n", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Message, "6 fields but the header has 7") {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "unclosed quote", text: minimalHeader + "Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678,a@example.com\n" +
			"Bo Lee,military,1990-03-05,\"basis,receipt,IOE0912345679,b@example.com\n", check: func(t *testing.T, errs []LineError) {
			if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "quotation mark") {
				t.Errorf("errors = %q", lineErrStrings(errs))
			}
		}},
		{name: "duplicates within the file",
			text: "full_name,category,date_of_birth,basis,notice_type,receipt_number,a_number,email\n" +
				"Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678,A12345678,ann@example.com\n" +
				"Bo Lee,military,1991-03-05,basis,receipt,EAC2190312345,,bo@example.com\n" +
				"Ann Lee,military,1990-03-05,basis,receipt,ioe-09-123-45678,a-012-345-678,ann@example.com\n" +
				"Cy Lee,military,1992-03-05,basis,receipt,EAC2190312346; eac 21 903 12345,,cy@example.com\n",
			want: []string{
				"line 4: receipt_number: IOE0912345678 is also on line 2: one person must not get two requests",
				"line 4: a_number: A012345678 is also on line 2: one person must not get two requests",
				"line 5: receipt_number: EAC2190312345 is also on line 3: one person must not get two requests",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := parseCSV(t, tt.text)
			if len(errs) == 0 {
				t.Fatalf("no errors; rows %+v", rows)
			}
			if tt.want != nil {
				if got := lineErrStrings(errs); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("errors =\n%q\nwant\n%q", got, tt.want)
				}
			}
			if tt.check != nil {
				tt.check(t, errs)
			}
			for i := 1; i < len(errs); i++ {
				if errs[i].Line < errs[i-1].Line {
					t.Errorf("errors not in line order: %q", lineErrStrings(errs))
				}
			}
		})
	}
}

func TestParseImportCSVRowErrors(t *testing.T) {
	header := "full_name,category,date_of_birth,basis,notice_type,receipt_number,email,household_adults\n"
	text := header +
		"Ann Lee,adoption,1980-01-01,basis,receipt,IOE0912345678,ann@example.com,Bo Lee|1981-02-02;Kid Lee|2035-05-05\n" +
		"Cy Lee,adoption,1980-01-01,basis,receipt,IOE0912345679,cy@example.com,Dee Lee 1981-02-02\n" +
		"Eve Lee,military,1980-01-01,basis,receipt,IOE0912345670,eve@example.com,Fay Lee|1981-02-02\n" +
		"Gus Lee,tourist,1980-01-01,,passport,GUZ2018123456,gus@,\n"
	rows, errs := parseCSV(t, text)
	if len(rows) != 0 {
		t.Errorf("rows with errors were returned: %+v", rows)
	}
	byLine := map[int][]LineError{}
	for _, e := range errs {
		byLine[e.Line] = append(byLine[e.Line], e)
	}
	// Line 2: the second member's birth date is in the future, reported on the household column.
	if es := byLine[2]; len(es) != 1 || es[0].Column != FieldHousehold || !strings.HasPrefix(es[0].Message, "adult 2: ") || !strings.Contains(es[0].Message, "future") {
		t.Errorf("line 2 errors = %q", lineErrStrings(es))
	}
	// Line 3: an adult without the | separator.
	if es := byLine[3]; len(es) == 0 || es[0].Column != FieldHousehold || !strings.Contains(es[0].Message, "Full Name|YYYY-MM-DD") {
		t.Errorf("line 3 errors = %q", lineErrStrings(es))
	}
	// Line 4: household on a military request.
	if es := byLine[4]; len(es) != 1 || es[0].Column != FieldHousehold || !strings.Contains(es[0].Message, "adoption") {
		t.Errorf("line 4 errors = %q", lineErrStrings(es))
	}
	// Line 5: one error for each bad column.
	cols := map[string]bool{}
	for _, e := range byLine[5] {
		cols[e.Column] = true
	}
	for _, c := range []string{FieldCategory, FieldNoticeType, FieldReceiptNumbers, FieldEmail} {
		if !cols[c] {
			t.Errorf("line 5: no error for %s in %q", c, lineErrStrings(byLine[5]))
		}
	}
	// An empty basis is a gap to fill later, not an error (see TestParseIncomplete).
	if cols[FieldBasis] {
		t.Errorf("line 5: an empty basis is an error: %q", lineErrStrings(byLine[5]))
	}
	if len(byLine) != 4 {
		t.Errorf("errors on lines %v, want 2-5", byLine)
	}
}

// Every error about one household adult must call that adult by the same number.
func TestParseImportCSVHouseholdNumbering(t *testing.T) {
	text := "full_name,category,date_of_birth,basis,notice_type,receipt_number,email,household_adults\n" +
		"Ann Lee,adoption,1980-01-01,basis,receipt,IOE0912345678,ann@example.com,Bo Lee|1981-02-02;;Cy Lee\n"
	_, errs := parseCSV(t, text)
	numbers := map[string]bool{}
	for _, e := range errs {
		var n int
		if _, err := fmt.Sscanf(e.Message, "adult %d", &n); err == nil {
			numbers[fmt.Sprint(n)] = true
		}
	}
	if len(numbers) != 1 || !numbers["2"] {
		t.Errorf("errors about the second adult use numbers %v: %q", numbers, lineErrStrings(errs))
	}
}

// failingReader returns its text, then a read error fails times, then EOF.
type failingReader struct {
	r     io.Reader
	fails int
	calls int
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF && f.fails > 0 {
		f.fails--
		f.calls++
		return 0, errors.New("input/output error")
	}
	return n, err
}

// A read error must end the import with one error: a reader that keeps
// failing (a network share that went away) must not make it loop.
func TestParseImportCSVReadError(t *testing.T) {
	// Header read keeps failing.
	_, errs := ParseImportCSV(&failingReader{r: strings.NewReader(""), fails: 1000}, testToday)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "cannot be read") {
		t.Errorf("header read error: %q", lineErrStrings(errs))
	}
	// One transient failure in the middle of the rows is reported once.
	_, errs = ParseImportCSV(&failingReader{r: strings.NewReader(minimalHeader + "Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678,ann@example.com\n"), fails: 1}, testToday)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "cannot be read") {
		t.Errorf("transient read error: %q", lineErrStrings(errs))
	}

	t.Run("transient error before the header", func(t *testing.T) {
		_, errs := ParseImportCSV(&failingReader{r: strings.NewReader(""), fails: 1}, testToday)
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "cannot be read") {
			t.Errorf("first read failed once: %q", lineErrStrings(errs))
		}
	})

	fr := &failingReader{r: strings.NewReader(minimalHeader + "Ann Lee,military,1990-03-05,basis,receipt,IOE0912345678,ann@example.com\n"), fails: 50}
	rows, errs := ParseImportCSV(fr, testToday)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "cannot be read") {
		t.Errorf("after %d failed reads: %d errors (%q...), want exactly one", fr.calls, len(errs), lineErrStrings(errs[:min(3, len(errs))]))
	}
	if fr.calls > 3 {
		t.Errorf("kept reading after a read error: %d failed reads", fr.calls)
	}
	_ = rows
}

func TestWriteCSVRoundTrip(t *testing.T) {
	var rs []*Request
	for i, c := range Categories {
		in := validInput(c)
		// Distinct identifiers: the import refuses duplicates within a file.
		in.ReceiptNumbers = strings.ReplaceAll(in.ReceiptNumbers, "45678", fmt.Sprintf("4567%d", i))
		if in.ANumber != "" {
			in.ANumber = fmt.Sprintf("A1234567%d", i)
		}
		r, _, err := in.Parse(testToday)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		rs = append(rs, r)
	}
	// Text that needs quoting: commas, quotes, new lines, and an unknown prefix.
	tricky := validInput(CategoryOther)
	tricky.ReceiptNumbers, tricky.ANumber = "ABC2190312399", "A987654321"
	tricky.FullName = "Zoë O'Brien, Jr."
	tricky.Basis = "She said \"urgent\",\nthen left;\n\nno | pipes lost"
	tricky.DepartureReason = "Line one,\nline \"two\""
	tricky.RescheduleAsked, tricky.RescheduleNote = "yes", ""
	tricky.Phone = "+1 (555) 010-0100"
	r, _, err := tricky.Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	rs = append(rs, r)

	var buf bytes.Buffer
	if err := WriteCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); first != exportHeader() {
		t.Errorf("header = %q", first)
	}
	rows, errs := ParseImportCSV(bytes.NewReader(buf.Bytes()), testToday)
	if len(errs) != 0 {
		t.Fatalf("re-import errors: %q\n%s", lineErrStrings(errs), buf.String())
	}
	if len(rows) != len(rs) {
		t.Fatalf("%d rows, want %d", len(rows), len(rs))
	}
	for i, row := range rows {
		if !reflect.DeepEqual(row.Request, rs[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, *row.Request, *rs[i])
		}
	}
	if len(rows[len(rows)-1].Warnings) != 1 {
		t.Errorf("warnings of the unknown prefix row: %q", rows[len(rows)-1].Warnings)
	}
	// The writer's output is stable: writing the re-imported requests gives the same bytes.
	var again bytes.Buffer
	var rs2 []*Request
	for _, row := range rows {
		rs2 = append(rs2, row.Request)
	}
	if err := WriteCSV(&again, rs2); err != nil || again.String() != buf.String() {
		t.Errorf("second export differs (%v):\n%s\n%s", err, buf.String(), again.String())
	}
}

// exportHeader is the CSV export's first line: the request's columns, then its history's.
func exportHeader() string {
	return strings.Join(append(slices.Clone(CSVColumns), HistoryColumns...), ",")
}

func TestWriteCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, nil); err != nil || buf.String() != exportHeader()+"\n" {
		t.Errorf("WriteCSV(nil) = %q, %v", buf.String(), err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteCSVReportsWriteErrors(t *testing.T) {
	if err := WriteCSV(failWriter{}, nil); err == nil {
		t.Error("WriteCSV to a failing writer returned nil")
	}
}

// Files in testdata are real-looking trackers; each must import cleanly.
func TestParseImportCSVTestdata(t *testing.T) {
	for _, tc := range []struct {
		file string
		rows int
	}{{"testdata/tracker_excel.csv", 4}} {
		f, err := os.Open(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		rows, errs := ParseImportCSV(f, testToday)
		f.Close()
		if len(errs) != 0 || len(rows) != tc.rows {
			t.Errorf("%s: %d rows, errors %q", tc.file, len(rows), lineErrStrings(errs))
		}
	}
}

// docCSVColumns reads the table of columns under "fieldprint import" in
// docs/CLI.md: each column's name and what its "required" cell says.
func docCSVColumns(t *testing.T) (names []string, groups [][]string) {
	t.Helper()
	b, err := os.ReadFile("docs/CLI.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## `fieldprint import")
	if !ok {
		t.Fatal("docs/CLI.md has no section \"## `fieldprint import\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var header []string
	seen := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			header = nil
			continue
		}
		cells := strings.Split(strings.Trim(strings.ReplaceAll(line, `\|`, "¦"), "|"), "|") // \| is a | in a cell
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
			continue
		case len(header) < 2 || header[0] != "column" || header[1] != "required":
			continue
		case strings.Trim(cells[0], "-: ") == "":
			continue // the |---|---| line
		}
		name, ok := strings.CutPrefix(cells[0], "`")
		name, ok2 := strings.CutSuffix(name, "`")
		if !ok || !ok2 || strings.Contains(name, "`") {
			t.Errorf("docs/CLI.md: %q: the column's name must be written `name`", line)
			continue
		}
		names = append(names, name)
		var group []string
		switch req := cells[1]; {
		case req == "yes":
			group = []string{name}
		case req == "no":
		case strings.HasPrefix(req, "one of "):
			for _, g := range strings.Split(strings.TrimPrefix(req, "one of "), ",") {
				group = append(group, strings.Trim(strings.TrimSpace(g), "`"))
			}
			if !slices.Contains(group, name) {
				t.Errorf("docs/CLI.md: %s is required as %q, a group it is not in", name, req)
			}
		default:
			t.Errorf("docs/CLI.md: %s: required %q, want yes, no or \"one of `a`, `b`\"", name, req)
		}
		if k := strings.Join(group, ","); group != nil && !seen[k] {
			seen[k] = true
			groups = append(groups, group)
		}
	}
	return names, groups
}

// docs/CLI.md's table of import columns is the code's: the same columns in
// the same order, and the same ones required (issue "Close the loopholes",
// item 18: the page said only full_name and category were).
func TestCLIDocCSVColumns(t *testing.T) {
	names, groups := docCSVColumns(t)
	if !slices.Equal(names, CSVColumns) {
		t.Errorf("docs/CLI.md lists the columns\n%q\nthe code has\n%q", names, CSVColumns)
	}
	key := func(gs [][]string) []string {
		var out []string
		for _, g := range gs {
			g = slices.Clone(g)
			sort.Strings(g)
			out = append(out, strings.Join(g, " or "))
		}
		sort.Strings(out)
		return out
	}
	if got, want := key(groups), key(CSVRequiredColumns); !slices.Equal(got, want) {
		t.Errorf("docs/CLI.md requires\n%q\nthe import requires\n%q", got, want)
	}
}

// CSVRequiredColumns is what the import checks: a file missing any group is
// refused with one error naming it, and a file with just one column of each
// group is enough.
func TestCSVRequiredColumnsEnforced(t *testing.T) {
	row := map[string]string{"full_name": "Ann Lee", "date_of_birth": "1990-03-05", "category": "military",
		"basis": "Army spouse", "notice_type": "receipt", "receipt_number": "IOE0912345678", "a_number": "A12345678",
		"email": "ann@example.com", "phone": "+86 20 3814 5000"}
	file := func(cols []string) string {
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = row[c]
		}
		return strings.Join(cols, ",") + "\n" + strings.Join(vals, ",") + "\n"
	}
	// The smallest files: one column of each group, each choice.
	var smallest func(i int, cols []string)
	smallest = func(i int, cols []string) {
		if i == len(CSVRequiredColumns) {
			if rows, errs := parseCSV(t, file(cols)); len(errs) != 0 || len(rows) != 1 {
				t.Errorf("columns %q: %d rows, errors %q", cols, len(rows), lineErrStrings(errs))
			}
			return
		}
		for _, c := range CSVRequiredColumns[i] {
			smallest(i+1, append(slices.Clone(cols), c))
		}
	}
	smallest(0, nil)
	// Without a group: one error, on the header line, naming its columns.
	for i, g := range CSVRequiredColumns {
		var cols []string
		for j, h := range CSVRequiredColumns {
			if j != i {
				cols = append(cols, h...)
			}
		}
		_, errs := parseCSV(t, file(cols))
		if len(errs) != 1 || errs[0].Line != 1 {
			t.Errorf("without %q: errors %q, want one on line 1", g, lineErrStrings(errs))
			continue
		}
		for _, c := range g {
			if !strings.Contains(errs[0].Message, `"`+c+`"`) && !strings.Contains(errs[0].Message, " "+c+" ") {
				t.Errorf("without %q: %q does not name %s", g, errs[0].Message, c)
			}
		}
	}
}
