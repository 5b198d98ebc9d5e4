package fieldprint

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

func readTrackerFile(t *testing.T, name string) *TrackerFile {
	t.Helper()
	b, err := os.ReadFile("testdata/tracker/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := ReadTracker(name, b, "", 0)
	if len(errs) > 0 {
		t.Fatalf("%s: %q", name, lineErrStrings(errs))
	}
	return f
}

// The three ways Excel saves an office's tracker are read alike: the
// encoding and the separator found from the bytes.
func TestReadTrackerVariants(t *testing.T) {
	for _, tt := range []struct {
		file, enc string
		sep       rune
		bom       bool
	}{
		{"office_excel_utf8.csv", "utf-8", ',', true},
		{"office_unicode.txt", "utf-16le", '\t', true},
		{"office_semicolon_1252.csv", "windows-1252", ';', false},
	} {
		f := readTrackerFile(t, tt.file)
		if f.Encoding != tt.enc || f.Separator != tt.sep || f.BOM != tt.bom {
			t.Errorf("%s: read as %s %q BOM %v", tt.file, f.Encoding, f.Separator, f.BOM)
		}
		want := []string{"Name", "A#", "Receipt", "Category", "Date rec'd", "Status", "Appt date", "Notes", "Email/Phone"}
		if !slices.Equal(f.Header, want) {
			t.Errorf("%s: header %q", tt.file, f.Header)
		}
		if f.Rows[0].Line != 2 || !strings.HasPrefix(f.Rows[0].Cells[0], "MÜLLER, José") {
			t.Errorf("%s: first row %+v", tt.file, f.Rows[0])
		}
	}
}

func TestDecodeTracker(t *testing.T) {
	le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	be := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	text := "Name,Category\nJosé Müller,Military\n"
	for _, tt := range []struct {
		name string
		data []byte
		enc  string // the encoding asked for ("" finds it)
		used string
		err  string // part of the message; "" none
	}{
		{"utf-8", []byte(text), "", "utf-8", ""},
		{"utf-8 BOM", append([]byte{0xef, 0xbb, 0xbf}, text...), "", "utf-8", ""},
		{"utf-16le BOM", append([]byte{0xff, 0xfe}, le(text)...), "", "utf-16le", ""},
		{"utf-16be BOM", append([]byte{0xfe, 0xff}, be(text)...), "", "utf-16be", ""},
		{"utf-16le, no BOM", le(text), "", "utf-16le", ""},
		{"utf-16be, no BOM", be(text), "", "utf-16be", ""},
		{"windows-1252", []byte("Name,Category\nJos\xe9 M\xfcller,Military\n"), "", "windows-1252", ""},
		{"chosen windows-1252", []byte("Name,Category\nJos\xe9 M\xfcller,Military\n"), "windows-1252", "windows-1252", ""},
		{"utf-16 cut in half", append([]byte{0xff, 0xfe}, le(text)[:7]...), "", "", "middle of a character"},
		{"utf-32", []byte{0xff, 0xfe, 0, 0, 'N', 0, 0, 0}, "", "", "UTF-32"},
		{"not utf-8 as chosen", []byte("Jos\xe9"), "utf-8", "", "not valid UTF-8"},
		{"unknown encoding", []byte(text), "ebcdic", "", "not an encoding"},
	} {
		got, used, _, err := decodeTracker(tt.data, tt.enc)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(ErrorMessage(err), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case used != tt.used || got != text:
			t.Errorf("%s: %s %q", tt.name, used, got)
		}
	}
}

func TestDetectSeparator(t *testing.T) {
	for _, tt := range []struct {
		text string
		want rune
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a;b;c\n1;2;3\n", ';'},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"a|b\n1|2\n", '|'},
		// Commas inside the cells of a semicolon file.
		{"Name;Notes\n\"MÜLLER, José\";a, b, c\nAna;x\n", ';'},
		{"Name,Notes\n\"a;b\",c\n", ','},
		{"one column\nvalue\n", ','},
	} {
		if got := detectSeparator(tt.text); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.text, got, tt.want)
		}
	}
	// Excel's "sep=;" line says it, and the lines after it keep their numbers.
	f, errs := ReadTracker("x.csv", []byte("sep=;\r\nName;Category\r\nAnn, Lee;military\r\n"), "", 0)
	if len(errs) > 0 || f.Separator != ';' || f.HeaderLine != 2 || f.Rows[0].Line != 3 {
		t.Errorf("sep= line: %+v %q", f, lineErrStrings(errs))
	}
}

func TestReadTrackerProblems(t *testing.T) {
	for _, tt := range []struct {
		name, text, want string
	}{
		{"empty", "", "line 1: the file is empty"},
		{"blank", " \r\n\r\n", "line 1: the file is empty"},
		{"NUL", "Name\x00,Category\n", "NUL characters"},
		{"short row", "a,b,c\n1,2\n", "line 2: has 2 fields but the header has 3: check for a missing or extra comma"},
		{"semicolon short row", "a;b;c\n1;2;3\n1;2\n", "line 3: has 2 fields but the header has 3: check for a missing or extra semicolon"},
		{"quote", "a,b\n\"x,y\n", "line 2: a quotation mark is not closed"},
		{"wide", strings.Repeat("c,", MaxTrackerColumns) + "c\n", "more than 200: check the separator"},
	} {
		_, errs := ReadTracker("x.csv", []byte(tt.text), "", 0)
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, lineErrStrings(errs), tt.want)
		}
	}
}

func TestParseTrackerDateTime(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	for _, tt := range []struct {
		in    string
		order DateOrder
		day   Date
		at    string // "" none
		err   string
	}{
		{"2026-10-03", "", d("2026-10-03"), "", ""},
		{"2026/10/03", "", d("2026-10-03"), "", ""},
		{"03/10/2026", DayFirst, d("2026-10-03"), "", ""},
		{"03/10/2026", MonthFirst, d("2026-03-10"), "", ""},
		{"3.10.2026", DayFirst, d("2026-10-03"), "", ""},
		{"23/10/2026", "", d("2026-10-23"), "", ""}, // only day first
		{"10/23/2026", "", d("2026-10-23"), "", ""}, // only month first
		{"05/05/2026", "", d("2026-05-05"), "", ""}, // both read alike
		{"03/10/2026", "", Date{}, "", "could be day first (3 October) or month first (March 10)"},
		{"02/12/2026 09:00", DayFirst, d("2026-12-02"), "09:00", ""},
		{"12/2/2026 9:00 AM", MonthFirst, d("2026-12-02"), "09:00", ""},
		{"2026-12-02 2:30 pm", "", d("2026-12-02"), "14:30", ""},
		{"2026-12-02T10:15:00", "", d("2026-12-02"), "10:15", ""},
		{"2026-12-02 00:00:00", "", d("2026-12-02"), "", ""}, // a spreadsheet's midnight
		{"31/02/2026", DayFirst, Date{}, "", "not a day of the calendar (read as day 31, month 2)"},
		{"03/10/26", DayFirst, Date{}, "", "two-digit year"},
		{"3 Oct 2026", DayFirst, Date{}, "", "is not a date"},
		{"2026-12-02 25:00", "", Date{}, "", "not a time of day"},
		{"2026-12-02 13:00 PM", "", Date{}, "", "hour is 1 to 12"},
		{"2026-12-02 09:00:30", "", Date{}, "", "has seconds"},
		{"1/2/3/2026", DayFirst, Date{}, "", "is not a date"},
	} {
		day, at, has, err := ParseTrackerDateTime(tt.in, tt.order)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(ErrorMessage(err), tt.err) || ErrorCode(err) != EINVALID {
				t.Errorf("%q %s: %v %v, want error %q", tt.in, tt.order, day, err, tt.err)
			}
		case err != nil:
			t.Errorf("%q %s: %v", tt.in, tt.order, err)
		case day != tt.day || has != (tt.at != "") || has && at.String() != tt.at:
			t.Errorf("%q %s: %v %v %v, want %v %q", tt.in, tt.order, day, at, has, tt.day, tt.at)
		}
	}
	if _, err := ParseTrackerDate("2026-12-02 09:00", ""); err == nil {
		t.Error("a date field took a time of day")
	}
}

func TestSplitContactAndReorderName(t *testing.T) {
	for _, tt := range []struct{ in, email, phone string }{
		{"ana@example.com", "ana@example.com", ""},
		{"+84 24 3850 5000", "", "+84 24 3850 5000"},
		{"lukasz@example.pl / +48 22 123 4567", "lukasz@example.pl", "+48 22 123 4567"},
		{"+48 22 123 4567; lukasz@example.pl", "lukasz@example.pl", "+48 22 123 4567"},
		{"", "", ""},
	} {
		if e, p := SplitContact(tt.in); e != tt.email || p != tt.phone {
			t.Errorf("SplitContact(%q) = %q, %q", tt.in, e, p)
		}
	}
	for in, want := range map[string]string{
		"MÜLLER, José": "José MÜLLER", "NGUYỄN, Thị Minh Khai": "Thị Minh Khai NGUYỄN", "José Müller": "José Müller",
		"A, B, C": "A, B, C", ", José": ", José", "MÜLLER,": "MÜLLER,",
	} {
		if got := ReorderName(in); got != want {
			t.Errorf("ReorderName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The office's own words are mapped from the column names, and its values
// from the words in them; what the office chose last time comes first.
func TestSuggestMapping(t *testing.T) {
	f := readTrackerFile(t, "office_excel_utf8.csv")
	m := SuggestMapping(f, TrackerMapping{})
	want := map[string]string{"Name": FieldFullName, "A#": FieldANumber, "Receipt": FieldReceiptNumbers, "Category": FieldCategory,
		"Date rec'd": FieldReceived, "Status": FieldStatus, "Appt date": FieldAppointment, "Notes": FieldNotes, "Email/Phone": FieldContact}
	for h, field := range want {
		if got := m.Field(h); got != field {
			t.Errorf("column %q mapped to %q, want %q", h, got, field)
		}
	}
	for v, k := range map[string]string{"Adoption (I-600A)": "adoption", "Adoption (I-800A)": "adoption", "Military": "military", "INA 319(b)": "319b", "All others": "other"} {
		if got, ok := m.Value(FieldCategory, v); !ok || got != k {
			t.Errorf("category %q mapped to %q, want %q", v, got, k)
		}
	}
	for v, k := range map[string]Status{"Done": StatusCompleted, "Scheduled": StatusScheduled, "Pending docs": StatusAwaitingDocuments,
		"With director": StatusDirectorReview, "New": StatusNew, "Withdrawn": StatusWithdrawn, "Eligible": StatusReadyToSchedule} {
		if got, ok := m.Value(FieldStatus, v); !ok || got != string(k) {
			t.Errorf("status %q mapped to %q, want %q", v, got, k)
		}
	}
	if m.DateOrder != DayFirst || m.NameOrder != NamesSurnameFirst {
		t.Errorf("date order %q, name order %q", m.DateOrder, m.NameOrder)
	}
	if errs := m.Problems(f); len(errs) > 0 {
		t.Errorf("problems: %q", lineErrStrings(errs))
	}
	// Saved choices win over guesses, and are kept for columns of other files.
	saved := TrackerMapping{Columns: map[string]string{ColumnKey("Notes"): FieldIgnore, ColumnKey("Other file's column"): FieldPhone}}
	saved.SetValue(FieldStatus, "Done", string(StatusWithdrawn))
	m = SuggestMapping(f, saved)
	if m.Field("Notes") != FieldIgnore {
		t.Errorf("saved choice for Notes: %q", m.Field("Notes"))
	}
	if v, _ := m.Value(FieldStatus, "done"); v != string(StatusWithdrawn) {
		t.Errorf("saved value for Done: %q", v)
	}
	if merged := m.Merge(saved); merged.Columns[ColumnKey("Other file's column")] != FieldPhone || merged.Field("Name") != FieldFullName {
		t.Errorf("merged %+v", merged)
	}
	// The semicolon file's dates prove no order: it must be chosen.
	f = readTrackerFile(t, "office_semicolon_1252.csv")
	m = SuggestMapping(f, TrackerMapping{})
	errs := m.Problems(f)
	if m.DateOrder != DatesUnknown || len(errs) != 1 || !strings.Contains(errs[0].Message, "choose the tracker's date order") {
		t.Errorf("ambiguous dates: order %q, problems %q", m.DateOrder, lineErrStrings(errs))
	}
	m = SuggestMapping(f, TrackerMapping{DateOrder: DayFirst}) // chosen last time
	if m.DateOrder != DayFirst || len(m.Problems(f)) != 0 {
		t.Errorf("saved date order: %q %q", m.DateOrder, lineErrStrings(m.Problems(f)))
	}
}

func TestMappingProblems(t *testing.T) {
	read := func(text string) *TrackerFile {
		f, errs := ReadTracker("t.csv", []byte(text), "", 0)
		if len(errs) > 0 {
			t.Fatal(lineErrStrings(errs))
		}
		return f
	}
	f := read("Name,Kind,Receipt,Extra,Status\nAnn Lee,tourist,IOE0912345678,x,Limbo\nBo Lee,tourist,IOE0912345679,y,\n")
	m := SuggestMapping(f, TrackerMapping{})
	errs := m.Problems(f)
	if len(errs) != 2 || !strings.Contains(errs[0].Message, `column "Kind" is not mapped`) || !strings.Contains(errs[1].Message, `column "Extra" is not mapped`) {
		t.Fatalf("unmapped columns: %q", lineErrStrings(errs))
	}
	m.SetColumn("Kind", FieldCategory)
	m.SetColumn("Extra", FieldNotes)
	errs = m.Problems(f)
	want := []string{
		`line 2: Kind: "tourist" (and 1 more row) is not a category Fieldprint knows: map it to one of military, 319b, adoption, other`,
		`line 2: Status: "Limbo" is not a status Fieldprint knows: map it to one of new, awaiting-documents, director-review, ready-to-schedule, scheduled, completed, denied, withdrawn`,
	}
	if got := lineErrStrings(errs); !reflect.DeepEqual(got, want) {
		t.Fatalf("values:\n%q\nwant\n%q", got, want)
	}
	m.SetValue(FieldCategory, "Tourist", "military")
	m.SetValue(FieldStatus, "LIMBO", "nowhere")
	if errs = m.Problems(f); len(errs) != 1 || !strings.Contains(errs[0].Message, `"nowhere"`) {
		t.Fatalf("a mapping to no status: %q", lineErrStrings(errs))
	}
	m.SetValue(FieldStatus, "limbo", "new")
	rows, errs := m.Rows(f, testToday)
	if len(errs) > 0 || len(rows) != 2 || rows[0].Request.Category != CategoryMilitary || rows[0].Notes != "x" {
		t.Fatalf("rows %+v, %q", rows, lineErrStrings(errs))
	}
	// Two columns for one field; the required ones missing.
	m.SetColumn("Extra", FieldFullName)
	if errs = m.Problems(f); len(errs) != 1 || !strings.Contains(errs[0].Message, `"Name" and "Extra" are all mapped to full_name`) {
		t.Errorf("two names: %q", lineErrStrings(errs))
	}
	m.SetColumn("Extra", FieldIgnore)
	m.SetColumn("Name", FieldIgnore)
	if errs = m.Problems(f); len(errs) != 1 || !strings.Contains(errs[0].Message, `no column holds "full_name"`) {
		t.Errorf("no name: %q", lineErrStrings(errs))
	}
	// Dates in two orders.
	f = read("Name,Category,Receipt,Date rec'd\nAnn Lee,military,IOE0912345678,23/10/2026\nBo Lee,military,IOE0912345679,10/23/2026\n")
	m = SuggestMapping(f, TrackerMapping{})
	if errs = m.Problems(f); len(errs) != 1 || !strings.Contains(errs[0].Message, "mix two orders") || errs[0].Line != 3 {
		t.Errorf("mixed orders: %q", lineErrStrings(errs))
	}
	// A date order chosen against what the dates prove.
	f = read("Name,Category,Receipt,Date rec'd\nAnn Lee,military,IOE0912345678,23/10/2026\n")
	m = SuggestMapping(f, TrackerMapping{})
	m.DateOrder = MonthFirst
	if errs = m.Problems(f); len(errs) != 1 || !strings.Contains(errs[0].Message, "can only be day first") {
		t.Errorf("wrong order: %q", lineErrStrings(errs))
	}
}

// A legacy tracker's rows become requests with their history; what it does
// not hold is a gap (Request.Incomplete), not an error; a wrong value still
// names its line and column, in the tracker's own words.
func TestTrackerRows(t *testing.T) {
	f := readTrackerFile(t, "office_excel_utf8.csv")
	m := SuggestMapping(f, TrackerMapping{})
	rows, errs := m.Rows(f, testToday)
	if len(errs) > 0 {
		t.Fatal(lineErrStrings(errs))
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows", len(rows))
	}
	r0 := rows[0]
	if r0.Request.Applicant.FullName != "José MÜLLER" || r0.Request.Received != (Date{2026, 10, 1}) || r0.Status != StatusCompleted ||
		r0.StatusText != "Done" || r0.Appointment == nil || r0.Appointment.Day != (Date{2026, 10, 15}) || r0.Notes != "Stamped notice handed over" || r0.File != "office_excel_utf8.csv" {
		t.Errorf("row 1: %+v %+v", r0, r0.Request)
	}
	if got := r0.Request.Incomplete; !slices.Equal(got, []string{FieldBasis, FieldNoticeType, FieldDateOfBirth}) {
		t.Errorf("row 1 incomplete: %q", got)
	}
	r1 := rows[1]
	if r1.Appointment == nil || !r1.Appointment.HasTime || r1.Appointment.String() != "2026-12-02 09:00" || r1.Request.Phone != "+84 24 3850 5000" {
		t.Errorf("row 2: %+v", r1.Appointment)
	}
	if r := rows[2].Request; r.Email != "lukasz@example.pl" || r.Phone != "+48 22 123 4567" || r.Category != CategoryAdoption {
		t.Errorf("row 3 contact: %q %q %s", r.Email, r.Phone, r.Category)
	}
	if r := rows[3].Request; r.Category != CategoryOther || !slices.Contains(r.Incomplete, FieldASCDate) || !strings.Contains(rows[3].Notes, "\nfather in hospital") {
		t.Errorf("row 4: %+v %q", r.Incomplete, rows[3].Notes)
	}
	if r := rows[4].Request; !slices.Contains(r.Incomplete, FieldEmail) {
		t.Errorf("row 5 has no contact but is not incomplete: %q", r.Incomplete)
	}
	p := rows[1].Preview()
	if p.Name != "Thị Minh Khai NGUYỄN" || p.Status != "Scheduled" || p.Appointment != "2026-12-02 09:00" || p.Missing != "basis, notice type, date of birth" {
		t.Errorf("preview %+v", p)
	}

	// Wrong values: the line, the tracker's column, what is wrong.
	text := "Name,A#,Receipt,Category,Date rec'd,Status,Appt date\n" +
		"\"LEE, Ann\",,IOE-09-123,Military,01/10/2026,New,\n" +
		"\"LEE, Bo\",A1,,Military,31/13/2026,New,\n" +
		"\"LEE, Cy\",,IOE0912345679,Military,01/10/2026,Scheduled,tomorrow\n" +
		"\"LEE, Di\",,IOE0912345670,Military,01/10/2026,New,\n" +
		"\"LEE, Ed\",,IOE0912345670,Military,01/10/2026,New,\n"
	f, _ = ReadTracker("bad.csv", []byte(text), "", 0)
	m = SuggestMapping(f, TrackerMapping{})
	m.DateOrder = DayFirst
	rows, errs = m.Rows(f, testToday)
	got := lineErrStrings(errs)
	for _, w := range []string{"line 2: Receipt: ", "line 3: A#: ", "line 3: Date rec'd: \"31/13/2026\" is not a date: neither of 31 and 13 is a month", "line 4: Appt date: \"tomorrow\" is not a date",
		"line 6: Receipt: IOE0912345670 is also on line 5"} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, w) }) {
			t.Errorf("no %q in %q", w, got)
		}
	}
	if len(rows) != 2 {
		t.Errorf("%d good rows, want 2 (lines 5 and 6)", len(rows))
	}
}

func TestPlanImport(t *testing.T) {
	s := DefaultScheduling()
	s.TimeZone = "UTC"
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) // Friday
	future := &ImportedAppointment{Day: Date{2026, 12, 2}, Start: 9 * 60, HasTime: true}
	today := &ImportedAppointment{Day: Date{2026, 11, 20}, Start: 11 * 60, HasTime: true}
	begun := &ImportedAppointment{Day: Date{2026, 11, 20}, Start: 9 * 60, HasTime: true}
	past := &ImportedAppointment{Day: Date{2026, 10, 15}}
	noTime := &ImportedAppointment{Day: Date{2026, 12, 2}}
	for _, tt := range []struct {
		name      string
		row       ImportRow
		status    Status
		book      bool
		collected Date
		warn, err string
	}{
		{"nothing", ImportRow{}, StatusNew, false, Date{}, "", ""},
		{"status only", ImportRow{Status: StatusDirectorReview}, StatusDirectorReview, false, Date{}, "", ""},
		{"scheduled, future", ImportRow{Status: StatusScheduled, Appointment: future}, StatusReadyToSchedule, true, Date{}, "", ""},
		{"no status, future", ImportRow{Appointment: future}, StatusReadyToSchedule, true, Date{}, "", ""},
		{"later today", ImportRow{Status: StatusScheduled, Appointment: today}, StatusReadyToSchedule, true, Date{}, "", ""},
		{"eligible, future", ImportRow{Status: StatusReadyToSchedule, Appointment: future}, StatusReadyToSchedule, true, Date{}, "", ""},
		{"future without time", ImportRow{Status: StatusScheduled, Appointment: noTime}, "", false, Date{}, "", "has no time"},
		{"new with a future appointment", ImportRow{Status: StatusNew, Appointment: future}, "", false, Date{}, "", "only a request marked eligible is booked"},
		{"completed, future", ImportRow{Status: StatusCompleted, Appointment: future}, "", false, Date{}, "", "still to come"},
		{"withdrawn, future", ImportRow{Status: StatusWithdrawn, Appointment: future}, StatusWithdrawn, false, Date{}, "is not booked", ""},
		{"completed, past", ImportRow{Status: StatusCompleted, Appointment: past}, StatusCompleted, false, past.Day, "", ""},
		{"completed, begun today", ImportRow{Status: StatusCompleted, Appointment: begun}, StatusCompleted, false, begun.Day, "", ""},
		{"scheduled, past", ImportRow{Status: StatusScheduled, Appointment: past}, "", false, Date{}, "", "has passed"},
		{"no status, past", ImportRow{Appointment: past}, "", false, Date{}, "", "has passed"},
		{"denied, past", ImportRow{Status: StatusDenied, Appointment: past}, StatusDenied, false, Date{}, "not brought over", ""},
		{"collected date", ImportRow{Collected: past.Day}, StatusCompleted, false, past.Day, "", ""},
		{"collected, completed", ImportRow{Status: StatusCompleted, Collected: past.Day}, StatusCompleted, false, past.Day, "", ""},
		{"collected, scheduled", ImportRow{Status: StatusScheduled, Collected: past.Day}, "", false, Date{}, "", "give the status completed"},
		{"collected tomorrow", ImportRow{Collected: Date{2026, 11, 21}}, "", false, Date{}, "", "still to come"},
		{"collected, another appointment day", ImportRow{Status: StatusCompleted, Appointment: past, Collected: Date{2026, 10, 16}}, "", false, Date{}, "", "give one date"},
		{"scheduled, no appointment", ImportRow{Status: StatusScheduled}, StatusReadyToSchedule, false, Date{}, "imported as ready to schedule", ""},
	} {
		p, err := PlanImport(s, tt.row, now)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(ErrorMessage(err), tt.err) {
				t.Errorf("%s: %+v %v, want error %q", tt.name, p, err, tt.err)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if p.Status != tt.status || (p.Book != nil) != tt.book || p.Collected != tt.collected ||
			(tt.warn == "") != (len(p.Warnings) == 0) || tt.warn != "" && !strings.Contains(p.Warnings[0], tt.warn) {
			t.Errorf("%s: %+v, want %s book %v collected %v warning %q", tt.name, p, tt.status, tt.book, tt.collected, tt.warn)
		}
	}
}

// A household is booked from the tracker's time on: the applicant at it,
// the other adults side by side, then in the next slots.
func TestImportBookings(t *testing.T) {
	s := DefaultScheduling()
	s.Stations = 2
	r, _, err := validInput(CategoryAdoption).Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	r.Household = append(r.Household, Person{ID: 9, FullName: "Third Adult", DateOfBirth: Date{1970, 1, 1}})
	day := Date{2026, 12, 2}
	uses := []SlotUse{{Day: day, Start: 9 * 60, Minutes: 15, Station: 2, Status: ApptBooked, Request: 99}}
	bs := ImportBookings(s, r, ImportedAppointment{Day: day, Start: 9 * 60, HasTime: true}, uses)
	// 09:00 station 2 is taken: the others go side by side from 09:15.
	people := r.ToFingerprint(day)
	if len(people) != 4 {
		t.Fatalf("%d people", len(people))
	}
	want := []Booking{{0, day, 9 * 60, 1}, {people[1].ID, day, 9*60 + 15, 1}, {people[2].ID, day, 9*60 + 15, 2}, {people[3].ID, day, 9*60 + 30, 1}}
	if !reflect.DeepEqual(bs, want) {
		t.Errorf("bookings %+v, want %+v", bs, want)
	}
	if err := CheckBookings(s, r, bs, map[Date][]SlotUse{day: uses}, nil, time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Errorf("the bookings are refused: %v", err)
	}
	// A station given and taken: CheckBookings refuses it.
	bs = ImportBookings(s, r, ImportedAppointment{Day: day, Start: 9 * 60, HasTime: true, Station: 2}, uses)
	if err := CheckBookings(s, r, bs, map[Date][]SlotUse{day: uses}, nil, time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "is taken") {
		t.Errorf("taken slot: %v", err)
	}
}

// A request an import left incomplete is refused decisions and booking,
// naming what is missing; filling it clears the flag.
func TestIncompleteFromImport(t *testing.T) {
	in := validInput(CategoryOther)
	in.DateOfBirth, in.Email, in.Phone, in.ASCPlace, in.Basis = "", "", "", "", ""
	if _, _, err := in.Parse(testToday); err == nil {
		t.Fatal("a form with gaps was accepted")
	}
	in.Incomplete = true
	r, _, err := in.Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{FieldBasis, FieldDateOfBirth, FieldEmail, FieldASCPlace}; !slices.Equal(r.Incomplete, want) {
		t.Errorf("incomplete %q, want %q", r.Incomplete, want)
	}
	r.Number, r.Status = "FP-2026-00001", StatusDirectorReview
	err = r.CheckComplete("booking")
	if ErrorCode(err) != EFORBIDDEN || !strings.Contains(err.Error(), "basis, date of birth, e-mail or phone, the U.S. ASC appointment's place are missing") {
		t.Errorf("CheckComplete: %v", err)
	}
	director := Actor{Name: "jchen", Role: RoleDirector}
	for _, to := range []Status{StatusReadyToSchedule, StatusDenied} {
		if _, err := CheckTransition(director, r, to, "reason", testToday); ErrorCode(err) != EFORBIDDEN || !strings.Contains(err.Error(), "incomplete — from import") {
			t.Errorf("%s: %v", to, err)
		}
	}
	if _, err := CheckTransition(director, r, StatusWithdrawn, "reason", testToday); err != nil {
		t.Errorf("withdraw an incomplete request: %v", err)
	}
	// A wrong value is still wrong.
	in.Email = "not an address"
	if _, _, err := in.Parse(testToday); err == nil {
		t.Error("a wrong e-mail was accepted on an incomplete request")
	}
	// Filled in, the request is complete.
	in2 := validInput(CategoryOther)
	in2.Incomplete = true
	r2, _, err := in2.Parse(testToday)
	if err != nil || len(r2.Incomplete) != 0 || r2.Input().Incomplete {
		t.Errorf("complete input: %v %q", err, r2.Incomplete)
	}
}
