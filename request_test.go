package fieldprint

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// testToday is the fixed "today" of the request tests.
var testToday = Date{2026, time.November, 20}

// validInput returns a complete, valid input of category c.
func validInput(c Category) RequestInput {
	in := RequestInput{
		Received:       "2026-11-02",
		Category:       string(c),
		Basis:          "Serving overseas; cannot travel to the United States.",
		NoticeType:     "receipt",
		ReceiptNumbers: "IOE0912345678",
		ANumber:        "A12345678",
		FullName:       "José Müller",
		DateOfBirth:    "1990-03-05",
		Email:          "jose.muller@example.com",
		Phone:          "+86 20 8518 7700",
	}
	switch c {
	case CategoryMilitary:
		in.Basis = "Active-duty U.S. Army sergeant stationed in Guangzhou, applying for naturalization (INA 328)."
	case Category319b:
		in.Basis = "Spouse of a U.S. citizen employed by the U.S. government abroad, two years left on the assignment."
		in.NoticeType = "rfe"
		in.ReceiptNumbers = "EAC2190312345"
		in.ANumber = ""
		in.FullName = "Nguyễn Thị Minh Khai"
	case CategoryAdoption:
		in.Basis = "Prospective adoptive parents living in Nairobi, I-600A filed."
		in.NoticeType = "appointment"
		in.ReceiptNumbers = "NBC2190312345; MSC2190312346"
		in.ANumber = ""
		in.FullName = "Łukasz Żółć"
		in.Email = ""
		in.Household = []PersonInput{{FullName: "Anna Żółć", DateOfBirth: "1988-07-14"}, {FullName: "Maria Kowalska", DateOfBirth: "1955-01-30"}}
	case CategoryOther:
		in.Basis = "Left the U.S. for a family emergency before the ASC appointment."
		in.Phone = ""
		in.ASCDate = "2026-10-15"
		in.ASCPlace = "Los Angeles ASC"
		in.DepartureReason = "Mother hospitalised in Mexico City."
		in.RescheduleAsked = "no"
		in.RescheduleNote = "Had to leave the same day; no time to call."
	}
	return in
}

// fieldErrors returns the per-field problems of err, failing if err is not a
// domain error with fields.
func fieldErrors(t *testing.T, err error) FieldErrors {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Code != EINVALID {
		t.Errorf("code = %q, want %q", e.Code, EINVALID)
	}
	if len(e.Fields) == 0 {
		t.Fatalf("error %q has no field errors", e.Message)
	}
	return e.Fields
}

func fieldKeys(fe FieldErrors) []string {
	set := map[string]bool{}
	for _, f := range fe {
		set[f.Field] = true
	}
	var keys []string
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestParseValidRequests(t *testing.T) {
	tests := []struct {
		cat  Category
		want Request
	}{
		{CategoryMilitary, Request{
			Received: Date{2026, 11, 2}, Category: CategoryMilitary,
			Basis:      "Active-duty U.S. Army sergeant stationed in Guangzhou, applying for naturalization (INA 328).",
			NoticeType: NoticeReceipt, ReceiptNumbers: []ReceiptNumber{"IOE0912345678"}, ANumber: "A012345678",
			Applicant: Person{FullName: "José Müller", DateOfBirth: Date{1990, 3, 5}}, Email: "jose.muller@example.com", Phone: "+86 20 8518 7700",
		}},
		{Category319b, Request{
			Received: Date{2026, 11, 2}, Category: Category319b,
			Basis:      "Spouse of a U.S. citizen employed by the U.S. government abroad, two years left on the assignment.",
			NoticeType: NoticeRFE, ReceiptNumbers: []ReceiptNumber{"EAC2190312345"},
			Applicant: Person{FullName: "Nguyễn Thị Minh Khai", DateOfBirth: Date{1990, 3, 5}}, Email: "jose.muller@example.com", Phone: "+86 20 8518 7700",
		}},
		{CategoryAdoption, Request{
			Received: Date{2026, 11, 2}, Category: CategoryAdoption,
			Basis:      "Prospective adoptive parents living in Nairobi, I-600A filed.",
			NoticeType: NoticeAppointment, ReceiptNumbers: []ReceiptNumber{"NBC2190312345", "MSC2190312346"},
			Applicant: Person{FullName: "Łukasz Żółć", DateOfBirth: Date{1990, 3, 5}}, Phone: "+86 20 8518 7700",
			Household: []Person{{ID: 1, FullName: "Anna Żółć", DateOfBirth: Date{1988, 7, 14}}, {ID: 2, FullName: "Maria Kowalska", DateOfBirth: Date{1955, 1, 30}}},
		}},
		{CategoryOther, Request{
			Received: Date{2026, 11, 2}, Category: CategoryOther,
			Basis:      "Left the U.S. for a family emergency before the ASC appointment.",
			NoticeType: NoticeReceipt, ReceiptNumbers: []ReceiptNumber{"IOE0912345678"}, ANumber: "A012345678",
			Applicant: Person{FullName: "José Müller", DateOfBirth: Date{1990, 3, 5}}, Email: "jose.muller@example.com",
			Other: &OtherFacts{ASCDate: Date{2026, 10, 15}, ASCPlace: "Los Angeles ASC",
				DepartureReason: "Mother hospitalised in Mexico City.", RescheduleAsked: No,
				RescheduleNote: "Had to leave the same day; no time to call."},
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.cat), func(t *testing.T) {
			got, warns, err := validInput(tt.cat).Parse(testToday)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(warns) != 0 {
				t.Errorf("unexpected warnings %q", warns)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", *got, tt.want)
			}
			// The request's own identifiers are its duplicate keys.
			wantIDs := []string{}
			for _, rn := range tt.want.ReceiptNumbers {
				wantIDs = append(wantIDs, string(rn))
			}
			if tt.want.ANumber != "" {
				wantIDs = append(wantIDs, string(tt.want.ANumber))
			}
			if ids := got.Identifiers(); !reflect.DeepEqual(ids, wantIDs) {
				t.Errorf("Identifiers() = %q, want %q", ids, wantIDs)
			}
			if got.People(testToday) != 1+len(tt.want.Household) {
				t.Errorf("People() = %d", got.People(testToday))
			}
		})
	}
}

// Free-form variants people type are accepted and normalised.
func TestParseNormalises(t *testing.T) {
	in := validInput(CategoryOther)
	in.Received = ""
	in.Category = " All Others "
	in.NoticeType = "Request for Evidence (I-797E)"
	in.ReceiptNumbers = "ioe-09-123-45678,\nIOE 0912345678; ABC0912345678;;"
	in.ANumber = "a-012-345-678"
	in.FullName = "  José    Müller "
	in.Basis = "  first line  \r\n\r\n   second    line  \n\n"
	in.Phone = "+1 (555) 010-0100"
	in.RescheduleAsked = " Y "
	in.RescheduleNote = ""
	got, warns, err := in.Parse(testToday)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got.Received != testToday {
		t.Errorf("empty received date = %v, want today %v", got.Received, testToday)
	}
	if got.Category != CategoryOther || got.NoticeType != NoticeRFE {
		t.Errorf("category %q notice %q", got.Category, got.NoticeType)
	}
	if want := []ReceiptNumber{"IOE0912345678", "ABC0912345678"}; !reflect.DeepEqual(got.ReceiptNumbers, want) {
		t.Errorf("receipt numbers = %q, want %q (deduplicated, in order)", got.ReceiptNumbers, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "ABC") {
		t.Errorf("warnings = %q, want one about prefix ABC", warns)
	}
	if got.ANumber != "A012345678" {
		t.Errorf("A-number = %q", got.ANumber)
	}
	if got.Applicant.FullName != "José Müller" {
		t.Errorf("name = %q", got.Applicant.FullName)
	}
	if got.Basis != "first line\n\nsecond line" {
		t.Errorf("basis = %q", got.Basis)
	}
	if got.Phone != "+1 555 010 0100" {
		t.Errorf("phone = %q", got.Phone)
	}
	if got.Other == nil || got.Other.RescheduleAsked != Yes {
		t.Errorf("other = %+v", got.Other)
	}
}

func TestParseFieldErrors(t *testing.T) {
	tests := []struct {
		name   string
		cat    Category
		edit   func(*RequestInput)
		fields []string // exactly the fields with a problem
		hint   string   // the first message of the first field contains this
	}{
		{"missing basis", CategoryMilitary, func(in *RequestInput) { in.Basis = "  \n " },
			[]string{FieldBasis}, "required"},
		{"basis with a control character", CategoryMilitary, func(in *RequestInput) { in.Basis = "bell\a" },
			[]string{FieldBasis}, "control character"},
		{"basis too long", CategoryMilitary, func(in *RequestInput) { in.Basis = strings.Repeat("x", 4001) },
			[]string{FieldBasis}, "4000"},
		{"neither receipt nor A-number", CategoryMilitary, func(in *RequestInput) { in.ReceiptNumbers, in.ANumber = " ; ", " " },
			[]string{FieldReceiptNumbers}, "A-number"},
		{"bad receipt number", CategoryMilitary, func(in *RequestInput) { in.ReceiptNumbers = "IOE0912345678; GUZ2018123456" },
			[]string{FieldReceiptNumbers}, "Department of State"},
		{"too many receipt numbers", CategoryMilitary, func(in *RequestInput) {
			var rs []string
			for i := 0; i < 11; i++ {
				rs = append(rs, fmt.Sprintf("IOE09123456%02d", i))
			}
			in.ReceiptNumbers = strings.Join(rs, ";")
		}, []string{FieldReceiptNumbers}, "at most 10"},
		{"bad A-number", CategoryMilitary, func(in *RequestInput) { in.ANumber = "A123" },
			[]string{FieldANumber}, "7 to 9"},
		{"bad A-number and no receipt", CategoryMilitary, func(in *RequestInput) { in.ANumber, in.ReceiptNumbers = "A123", "" },
			[]string{FieldANumber}, "7 to 9"},
		{"bad e-mail: no domain dot", CategoryMilitary, func(in *RequestInput) { in.Email = "jose@example" },
			[]string{FieldEmail}, "name@example.com"},
		{"bad e-mail: display name", CategoryMilitary, func(in *RequestInput) { in.Email = "José <jose@example.com>" },
			[]string{FieldEmail}, "U+00E9"},
		{"bad e-mail: display name ASCII", CategoryMilitary, func(in *RequestInput) { in.Email = "Jose <jose@example.com>" },
			[]string{FieldEmail}, "without a display name"},
		{"bad e-mail: no at sign", CategoryMilitary, func(in *RequestInput) { in.Email = "jose.example.com" },
			[]string{FieldEmail}, "name@example.com"},
		{"bad e-mail, no phone", CategoryMilitary, func(in *RequestInput) { in.Email, in.Phone = "jose", "" },
			[]string{FieldEmail}, "name@example.com"},
		{"phone with letters", CategoryMilitary, func(in *RequestInput) { in.Phone = "+1 555 CALL NOW" },
			[]string{FieldPhone}, "digits"},
		{"phone with full-width digits", CategoryMilitary, func(in *RequestInput) { in.Phone = "+86 ２０ 8518 7700" },
			[]string{FieldPhone}, "plain digit"},
		{"phone too short", CategoryMilitary, func(in *RequestInput) { in.Phone = "12-34" },
			[]string{FieldPhone}, "6 to 16"},
		{"phone too long", CategoryMilitary, func(in *RequestInput) { in.Phone = "+1 2345 6789 0123 4567" },
			[]string{FieldPhone}, "6 to 16"},
		{"no contact at all", CategoryMilitary, func(in *RequestInput) { in.Email, in.Phone = "", "  " },
			[]string{FieldEmail}, "phone"},
		{"future received date", CategoryMilitary, func(in *RequestInput) { in.Received = "2026-11-21" },
			[]string{FieldReceived}, "future"},
		{"received date before 2000", CategoryMilitary, func(in *RequestInput) { in.Received = "1999-12-31" },
			[]string{FieldReceived}, "year"},
		{"received date in another order", CategoryMilitary, func(in *RequestInput) { in.Received = "20/11/2026" },
			[]string{FieldReceived}, "YYYY-MM-DD"},
		{"missing category", CategoryMilitary, func(in *RequestInput) { in.Category = "" },
			[]string{FieldCategory}, "choose"},
		{"unknown category", CategoryMilitary, func(in *RequestInput) { in.Category = "tourist" },
			[]string{FieldCategory}, "tourist"},
		{"missing notice type", CategoryMilitary, func(in *RequestInput) { in.NoticeType = "" },
			[]string{FieldNoticeType}, "choose"},
		{"unknown notice type", CategoryMilitary, func(in *RequestInput) { in.NoticeType = "passport" },
			[]string{FieldNoticeType}, "passport"},
		{"missing name", CategoryMilitary, func(in *RequestInput) { in.FullName = " " },
			[]string{FieldFullName}, "required"},
		{"name with a digit", CategoryMilitary, func(in *RequestInput) { in.FullName = "José Müller 2" },
			[]string{FieldFullName}, "digit"},
		{"missing date of birth", CategoryMilitary, func(in *RequestInput) { in.DateOfBirth = "" },
			[]string{FieldDateOfBirth}, "required"},
		{"date of birth in another order", CategoryMilitary, func(in *RequestInput) { in.DateOfBirth = "05/03/1990" },
			[]string{FieldDateOfBirth}, "YYYY-MM-DD"},
		{"date of birth in the future", CategoryMilitary, func(in *RequestInput) { in.DateOfBirth = "2027-01-01" },
			[]string{FieldDateOfBirth}, "future"},
		{"date of birth too long ago", CategoryMilitary, func(in *RequestInput) { in.DateOfBirth = "1890-01-01" },
			[]string{FieldDateOfBirth}, "check the year"},
		{"household adult without a date of birth", CategoryAdoption, func(in *RequestInput) { in.Household[0].DateOfBirth = "" },
			[]string{HouseholdField(0, FieldDateOfBirth)}, "required"},
		{"household adult without a name", CategoryAdoption, func(in *RequestInput) { in.Household[0].FullName = "" },
			[]string{HouseholdField(0, FieldFullName)}, "required"},
		{"household lists the applicant", CategoryAdoption, func(in *RequestInput) {
			in.Household[0] = PersonInput{FullName: "LUKASZ ZOLC", DateOfBirth: in.DateOfBirth}
		}, []string{HouseholdField(0, FieldFullName)}, "is the applicant"},
		{"too many household adults", CategoryAdoption, func(in *RequestInput) {
			in.Household = nil
			for i := 0; i < 13; i++ {
				in.Household = append(in.Household, PersonInput{FullName: "Adult " + strings.Repeat("a", i+1), DateOfBirth: "1980-01-01"})
			}
		}, []string{FieldHousehold}, "at most 12"},
		{"household on a military request", CategoryMilitary, func(in *RequestInput) {
			in.Household = []PersonInput{{FullName: "Anna Müller", DateOfBirth: "1991-01-01"}}
		}, []string{FieldHousehold}, "adoption"},
		{"household on an other request", CategoryOther, func(in *RequestInput) {
			in.Household = []PersonInput{{FullName: "Anna Müller", DateOfBirth: "1991-01-01"}}
		}, []string{FieldHousehold}, "adoption"},
		{"other without facts", CategoryOther, func(in *RequestInput) {
			in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked, in.RescheduleNote = "", " ", "", "", ""
		}, []string{FieldASCDate, FieldASCPlace, FieldDepartureReason, FieldRescheduleAsked}, "ASC"},
		{"other: bad reschedule answer", CategoryOther, func(in *RequestInput) { in.RescheduleAsked = "maybe" },
			[]string{FieldRescheduleAsked}, "yes or no"},
		{"other: no without note", CategoryOther, func(in *RequestInput) { in.RescheduleAsked, in.RescheduleNote = "No", " \n " },
			[]string{FieldRescheduleNote}, "why"},
		{"other: ASC date implausible", CategoryOther, func(in *RequestInput) { in.ASCDate = "1999-01-01" },
			[]string{FieldASCDate}, "plausible"},
		{"other: ASC date far future", CategoryOther, func(in *RequestInput) { in.ASCDate = "2030-01-01" },
			[]string{FieldASCDate}, "plausible"},
		{"other: ASC date format", CategoryOther, func(in *RequestInput) { in.ASCDate = "15.10.2026" },
			[]string{FieldASCDate}, "YYYY-MM-DD"},
		{"everything missing", CategoryMilitary, func(in *RequestInput) { *in = RequestInput{} },
			[]string{FieldBasis, FieldCategory, FieldDateOfBirth, FieldEmail, FieldFullName, FieldNoticeType, FieldReceiptNumbers}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput(tt.cat)
			tt.edit(&in)
			r, _, err := in.Parse(testToday)
			if err == nil {
				t.Fatalf("Parse accepted %+v as %+v", in, r)
			}
			if r != nil {
				t.Errorf("Parse returned a request with an error")
			}
			fe := fieldErrors(t, err)
			want := append([]string(nil), tt.fields...)
			sort.Strings(want)
			if got := fieldKeys(fe); !reflect.DeepEqual(got, want) {
				t.Fatalf("fields with errors = %q, want %q (%v)", got, want, fe)
			}
			if msg := fe.For(tt.fields[0]); !strings.Contains(strings.ToLower(msg[0]), strings.ToLower(tt.hint)) {
				t.Errorf("message %q for %s does not contain %q", msg[0], tt.fields[0], tt.hint)
			}
			if !strings.HasPrefix(ErrorMessage(err), fe[0].Field+": ") {
				t.Errorf("ErrorMessage %q does not start with the first field", ErrorMessage(err))
			}
		})
	}
}

// A minor is listed in the household but not fingerprinted; the 18th
// birthday is the boundary.
func TestParseHouseholdMinors(t *testing.T) {
	in := validInput(CategoryAdoption)
	in.Received = "2026-02-01"
	in.Household = []PersonInput{{FullName: "Anna Żółć", DateOfBirth: "1988-07-14"}, {FullName: "Leap Child", DateOfBirth: "2008-02-29"}}
	r, _, err := in.Parse(Date{2026, 2, 28})
	if err != nil {
		t.Fatalf("a household with a minor is refused: %v", err)
	}
	for _, tt := range []struct {
		on     Date
		people int
	}{{Date{2026, 2, 28}, 2}, {Date{2026, 3, 1}, 3}} {
		if got := r.People(tt.on); got != tt.people {
			t.Errorf("People(%s) = %d, want %d (born 2008-02-29 turns 18 on 2026-03-01)", tt.on, got, tt.people)
		}
	}
	if r.Household[1].Adult(Date{2026, 2, 28}) || !r.Household[1].Adult(Date{2026, 3, 1}) {
		t.Error("Adult is wrong around the 18th birthday")
	}
}

func TestParseRoundTrip(t *testing.T) {
	inputs := map[string]RequestInput{}
	for _, c := range Categories {
		inputs[string(c)] = validInput(c)
	}
	yes := validInput(CategoryOther)
	yes.RescheduleAsked, yes.RescheduleNote = "true", ""
	inputs["other, asked"] = yes
	messy := validInput(CategoryAdoption)
	messy.Received, messy.Basis = "", " line one \n\n  line   two "
	messy.ReceiptNumbers, messy.ANumber = "nbc-21-903-12345, abc 2190312345", "1234567"
	messy.Phone, messy.Email = "(020) 8518-7700", "a.b@example.org"
	messy.FullName = norm.NFD.String("  Nguyễn   Thị Minh Khai ")
	inputs["messy adoption"] = messy

	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			r, warns, err := in.Parse(testToday)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			again, warns2, err := r.Input().Parse(testToday)
			if err != nil {
				t.Fatalf("Parse(r.Input()): %v\ninput %+v", err, r.Input())
			}
			if !reflect.DeepEqual(r, again) {
				t.Errorf("round trip changed the request:\n%+v\n%+v", r, again)
			}
			if !reflect.DeepEqual(warns, warns2) {
				t.Errorf("warnings %q became %q", warns, warns2)
			}
			var copied Request
			copied.SetFields(r)
			if !reflect.DeepEqual(&copied, r) {
				t.Errorf("SetFields copied %+v, want %+v", copied, *r)
			}
		})
	}
}

func TestParseKeepsNamesNFC(t *testing.T) {
	names := []string{"Nguyễn Thị Minh Khai", "Łukasz Żółć", "José Müller", "Ørsted Ærø", "Şükrü Öztürk", "İbrahim Işık",
		"Zoë O'Brien-Smith", "Jr. Martin Luther King", "王秀英", "محمد عبد الله", "Αλέξανδρος Παπαδόπουλος"}
	for _, n := range names {
		for _, form := range []struct {
			name string
			f    norm.Form
		}{{"NFC", norm.NFC}, {"NFD", norm.NFD}} {
			in := validInput(CategoryAdoption)
			in.FullName = form.f.String(n)
			in.Household[0].FullName = form.f.String(n + " Senior")
			in.Basis = form.f.String("Basis for " + n)
			r, _, err := in.Parse(testToday)
			if err != nil {
				t.Errorf("%s %q: %v", form.name, n, err)
				continue
			}
			want := norm.NFC.String(n)
			if r.Applicant.FullName != want {
				t.Errorf("%s %q stored as %q (% x), want NFC %q", form.name, n, r.Applicant.FullName, r.Applicant.FullName, want)
			}
			if r.Household[0].FullName != want+" Senior" {
				t.Errorf("%s household name stored as %q", form.name, r.Household[0].FullName)
			}
			if r.Basis != "Basis for "+want {
				t.Errorf("%s basis stored as %q", form.name, r.Basis)
			}
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"José Müller", "José Müller", ""},
		{norm.NFD.String("José Müller"), "José Müller", ""},
		{"  Anne-Marie   d'Arc\t", "Anne-Marie d'Arc", ""},
		{"O’Neil, Jr.", "O’Neil, Jr.", ""},
		{"", "", "required"},
		{" \t ", "", "required"},
		{"R2D2", "", "digit"},
		{"Anna\x00", "", "control"},
		{"Anna\nSmith", "", "control"},
		{"Anna <Smith>", "", "does not belong"},
		{"Anna|Smith", "", "does not belong"},
		{"Anna;Smith", "", "does not belong"},
		{"- . ,", "", "letters"},
		{strings.Repeat("a", 151), "", "150"},
		{strings.Repeat("ä", 150), strings.Repeat("ä", 150), ""}, // 150 characters, 300 bytes
	}
	for _, tt := range tests {
		got, problem := NormalizeName(tt.in)
		if got != tt.want || (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("NormalizeName(%q) = %q, %q; want %q, problem containing %q", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn", "nguyen"},
		{norm.NFD.String("Nguyễn"), "nguyen"},
		{"Żółć", "zolc"},
		{"ŻÓŁĆ", "zolc"},
		{"Müller", "muller"},
		{"Straße", "strasse"},
		{"STRASSE", "strasse"},
		{"Łukasz", "lukasz"},
		{"Ørsted", "orsted"},
		{"Ærø", "aero"},
		{"İbrahim Işık", "ibrahim isik"},
		{"Đặng", "dang"},
		{"José", "jose"},
		{"王秀英", "王秀英"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Nguyễn Thị Minh Khai", []string{"nguyen", "thi", "minh", "khai"}},
		{"Łukasz Żółć", []string{"lukasz", "zolc"}},
		{"José Müller-Straße", []string{"jose", "muller", "strasse"}},
		{"Anna ANNA anna-Maria", []string{"anna", "maria"}},
		{"O'Brien, Jr.", []string{"o", "brien", "jr"}},
		{"  ", []string{}},
	}
	for _, tt := range tests {
		got := SearchTokens(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SearchTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := SplitList("a; b,c\nd\r\n;; ,\t,e")
	want := []string{"a", " b", "c", "d", "e"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitList = %q, want %q", got, want)
	}
	if got := SplitList(" ;\n, "); len(got) != 0 {
		t.Errorf("SplitList of separators = %q", got)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want, problem string }{
		{"+86 20 8518 7700", "+86 20 8518 7700", ""},
		{"+86-20-8518-7700", "+86 20 8518 7700", ""},
		{"+1 (555) 010.0100", "+1 555 010 0100", ""},
		{"020/8518 7700", "020 8518 7700", ""},
		{"(020) 8518-7700", "020 8518 7700", ""},
		{"123456", "123456", ""},
		{"12345", "", "6 to 16"},
		{"12345678901234567", "", "6 to 16"},
		{"+1 555 CALL", "", "digits"},
		{"1+555 0100 00", "", "'+'"},
		{"+86 ٢٠ 8518 7700", "", "plain digit"},
		{"555 0100 ext 12", "", "digits"},
	}
	for _, tt := range tests {
		got, problem := normalizePhone(tt.in)
		if got != tt.want || (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("normalizePhone(%q) = %q, %q; want %q, problem containing %q", tt.in, got, problem, tt.want, tt.problem)
			continue
		}
		if got != "" {
			if again, p := normalizePhone(got); again != got || p != "" {
				t.Errorf("normalizePhone(%q) = %q, %q; not a fixed point", got, again, p)
			}
		}
	}
}

// expectedTransition is the status machine as the rules state it (issues 2
// and 3), written independently of the Transitions table:
//   - clerks and directors move a request between new and awaiting-documents;
//   - from either, they mark it eligible (not "All others", unless a director),
//     refer it to the director with a note, or withdraw it with a reason;
//   - a director approves or denies a referred request with a reason, never
//     approving one they referred; a director may also deny from new or
//     awaiting-documents; a referred or eligible request may be withdrawn;
//   - administrators handle no requests;
//   - (issue 4) nobody marks eligible or approves with required documents unverified.
func expectedTransition(role Role, cat Category, referredBySelf, complete bool, from, to Status, reason string) string {
	if from == to {
		return ECONFLICT
	}
	if role != RoleClerk && role != RoleDirector {
		return EFORBIDDEN
	}
	director := role == RoleDirector
	hasReason := strings.TrimSpace(reason) != ""
	needReason := func() string {
		if !hasReason {
			return EINVALID
		}
		return ""
	}
	intake := from == StatusNew || from == StatusAwaitingDocuments
	switch {
	case from == StatusNew && to == StatusAwaitingDocuments, from == StatusAwaitingDocuments && to == StatusNew:
		return ""
	case intake && to == StatusReadyToSchedule:
		if cat == CategoryOther && !director || !complete {
			return EFORBIDDEN
		}
		return ""
	case intake && to == StatusDirectorReview:
		return needReason()
	case (intake || from == StatusDirectorReview) && to == StatusDenied:
		if !director {
			return EFORBIDDEN
		}
		return needReason()
	case from == StatusDirectorReview && to == StatusReadyToSchedule:
		if !director || referredBySelf || !complete {
			return EFORBIDDEN
		}
		return needReason()
	case (intake || from == StatusDirectorReview || from == StatusReadyToSchedule || from == StatusScheduled) && to == StatusWithdrawn:
		return needReason()
	}
	return EFORBIDDEN
}

// TestCheckTransitionTable is the permission matrix: every role x category x
// referrer x from x to x reason. A transition added to the table without a
// rule here fails it.
func TestCheckTransitionTable(t *testing.T) {
	if len(Statuses) != 8 {
		t.Fatalf("Statuses has %d entries; update this test", len(Statuses))
	}
	roles := []Role{RoleClerk, RoleDirector, RoleAdmin}
	reasons := []string{"", "  \n", "the applicant moved to the United States"}
	allowed := 0
	for _, role := range roles {
		a := Actor{Name: "test-" + string(role), Role: role}
		for _, cat := range Categories {
			for _, self := range []bool{false, true} {
				referrer := "someone-else"
				if self {
					referrer = a.Name
				}
				for _, complete := range []bool{false, true} {
					for _, from := range Statuses {
						for _, to := range Statuses {
							for _, reason := range reasons {
								r := &Request{Number: "FP-2026-00042", Status: from, Category: cat,
									History: []Transition{{By: referrer, From: StatusNew, To: StatusDirectorReview}}}
								if complete {
									verifyAll(r)
								}
								rule, err := CheckTransition(a, r, to, reason, testToday)
								want := expectedTransition(role, cat, self, complete, from, to, reason)
								if got := ErrorCode(err); got != want {
									t.Errorf("%s %s self=%v complete=%v %s -> %s reason %q: code %q (%v), want %q", role, cat, self, complete, from, to, reason, got, err, want)
									continue
								}
								if err != nil {
									if ErrorMessage(err) == "" {
										t.Errorf("%s %s -> %s: empty message", role, from, to)
									}
									continue
								}
								allowed++
								if rule.From != from || rule.To != to || rule.Action == "" || rule.Verb == "" {
									t.Errorf("%s %s -> %s: rule %+v", role, from, to, rule)
								}
								if r.Status != from {
									t.Errorf("CheckTransition changed the request's status")
								}
							}
						}
					}
				}
			}
		}
	}
	if allowed == 0 {
		t.Error("nothing allowed")
	}
}

func TestCheckTransitionMessages(t *testing.T) {
	clerk := Actor{Name: "Clerk", Role: RoleClerk}
	r := &Request{Number: "FP-2026-00042", Status: StatusNew}
	_, err := CheckTransition(clerk, r, StatusWithdrawn, "", testToday)
	if !strings.Contains(ErrorMessage(err), "reason") {
		t.Errorf("missing reason message %q does not ask for a reason", ErrorMessage(err))
	}
	_, err = CheckTransition(Actor{Name: "Admin", Role: RoleAdmin}, r, StatusAwaitingDocuments, "", testToday)
	if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "admin") {
		t.Errorf("admin: %v", err)
	}
	_, err = CheckTransition(clerk, r, StatusNew, "", testToday)
	if ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "FP-2026-00042") {
		t.Errorf("same status: %v", err)
	}
	_, err = CheckTransition(clerk, r, Status("closed"), "why not", testToday)
	if ErrorCode(err) != EINVALID {
		t.Errorf("unknown status: code %q", ErrorCode(err))
	}
	for _, a := range []Actor{{Name: "", Role: RoleDirector}, {Name: "  ", Role: RoleClerk}, {Name: "Eve", Role: "superuser"}, {Name: "Eve"}} {
		if _, err := CheckTransition(a, r, StatusAwaitingDocuments, "x", testToday); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("actor %+v: code %q, want %q", a, ErrorCode(err), EFORBIDDEN)
		}
	}
}

// NextStatuses offers exactly the moves CheckTransition allows.
func TestNextStatusesAgreesWithCheckTransition(t *testing.T) {
	for _, role := range []Role{RoleClerk, RoleDirector, RoleAdmin} {
		a := Actor{Name: "x", Role: role}
		for _, cat := range Categories {
			for _, referrer := range []string{"x", "y"} {
				for _, from := range Statuses {
					r := &Request{Status: from, Category: cat, History: []Transition{{By: referrer, To: StatusDirectorReview}}}
					if referrer == "y" {
						verifyAll(r)
					}
					offered := map[Status]bool{}
					for _, rule := range NextStatuses(a, r, testToday) {
						offered[rule.To] = true
					}
					for _, to := range Statuses {
						_, err := CheckTransition(a, r, to, "a reason", testToday)
						if (err == nil) != offered[to] {
							t.Errorf("%s %s %s -> %s: offered %v, CheckTransition %v", role, cat, from, to, offered[to], err)
						}
					}
				}
			}
		}
	}
}

func TestCheckEdit(t *testing.T) {
	for _, role := range []Role{RoleClerk, RoleDirector, RoleAdmin} {
		a := Actor{Name: "x", Role: role}
		for _, st := range Statuses {
			err := CheckEdit(a, &Request{Number: "FP-2026-00001", Status: st})
			closed := st == StatusCompleted || st == StatusDenied || st == StatusWithdrawn
			want := ""
			if role == RoleAdmin || closed {
				want = EFORBIDDEN
			}
			if ErrorCode(err) != want {
				t.Errorf("CheckEdit(%s, %s) = %v, want code %q", role, st, err, want)
			}
			if st.Open() == closed {
				t.Errorf("%s.Open() = %v", st, st.Open())
			}
		}
		err := CheckEdit(a, nil) // a new request
		if (err == nil) != (role != RoleAdmin) {
			t.Errorf("CheckEdit(%s, nil) = %v", role, err)
		}
	}
	if err := CheckEdit(Actor{Role: RoleClerk}, nil); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("anonymous clerk: %v", err)
	}
}

func TestRequestAgeAndSummary(t *testing.T) {
	r, _, err := validInput(CategoryAdoption).Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Age(testToday); got != 18 {
		t.Errorf("Age = %d, want 18 days (2026-11-02 to 2026-11-20)", got)
	}
	r.ID, r.Number, r.Status = 7, "FP-2026-00007", StatusNew
	s := r.Summary(testToday)
	want := RequestSummary{ID: 7, Number: "FP-2026-00007", Status: StatusNew, Category: CategoryAdoption,
		FullName: "Łukasz Żółć", Received: Date{2026, 11, 2}, People: 3, Receipt: "NBC2190312345", Docs: Completeness{Required: 4, Missing: 4}}
	if s != want {
		t.Errorf("Summary = %+v, want %+v", s, want)
	}
	e := (&Request{}).Export()
	if e.ReceiptNumbers == nil || e.Household == nil || e.History == nil {
		t.Errorf("Export of an empty request has nil lists: %+v", e)
	}
}

// A receipt number typed twice is stored once and warned about once.
func TestParseWarnsOncePerReceiptNumber(t *testing.T) {
	in := validInput(CategoryMilitary)
	in.ReceiptNumbers = "ABC0912345678; abc-09-123-45678"
	r, warns, err := in.Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ReceiptNumbers) != 1 || len(warns) != 1 {
		t.Errorf("receipt numbers %q, warnings %q; want one of each", r.ReceiptNumbers, warns)
	}
}

// The length limit is in characters, as its message says, so text in a
// non-Latin script gets the same room as English.
func TestParseBasisLimitCountsCharacters(t *testing.T) {
	in := validInput(CategoryOther)
	in.Basis = strings.Repeat("王", 1400)           // 1400 characters, 4200 bytes
	in.DepartureReason = strings.Repeat("ễ", 1400) // likewise
	if _, _, err := in.Parse(testToday); err != nil {
		t.Errorf("1400 characters refused: %v", err)
	}
	in.Basis = strings.Repeat("王", 4001)
	if _, _, err := in.Parse(testToday); err == nil {
		t.Error("4001 characters accepted")
	}
}

// Names in scripts with spacing vowel signs (Devanagari, Tamil) are names too.
func TestNormalizeNameSpacingMarks(t *testing.T) {
	for _, n := range []string{"अर्जुन शर्मा", "கார்த்திக் ராஜா", "প্রিয়া দাস"} {
		if got, msg := NormalizeName(n); msg != "" || got != n {
			t.Errorf("NormalizeName(%q) = %q, %q", n, got, msg)
		}
	}
}

// An implausible age for the category is worth a warning (not an error),
// through the same path as the other field warnings, so the form and the
// CSV import show it; so is a household member who turns 18 soon.
func TestParseWarnsAboutAges(t *testing.T) {
	for _, c := range []struct {
		name string
		cat  Category
		dob  string
		hh   []PersonInput
		want string // "" = no warning
	}{
		{"319(b) at 15", Category319b, "2011-06-01", nil, "Nguyễn Thị Minh Khai is 15 (born 2011-06-01): a 319(b) applicant is an adult"},
		{"319(b) at 18", Category319b, "2008-11-20", nil, ""},
		{"adoptive parent at 17", CategoryAdoption, "2009-01-01", nil, "Łukasz Żółć is 17 (born 2009-01-01): prospective adoptive parents are adults"},
		{"military at 16", CategoryMilitary, "2010-01-01", nil, "José Müller is 16 (born 2010-01-01): a military applicant (a service member or spouse) is at least 17"},
		{"military at 17", CategoryMilitary, "2009-11-20", nil, ""},
		{"All others at 12", CategoryOther, "2014-01-01", nil, ""},
		{"aged 104", CategoryMilitary, "1922-01-01", nil, "José Müller would be 104 (born 1922-01-01): check the year"},
		{"a household member aged 101", CategoryAdoption, "1980-01-01", []PersonInput{{FullName: "Stara Babcia", DateOfBirth: "1925-01-01"}}, "Stara Babcia would be 101"},
		{"a member turning 18 soon", CategoryAdoption, "1980-01-01", []PersonInput{{FullName: "Zofia Żółć", DateOfBirth: "2009-03-01"}},
			"Zofia Żółć turns 18 on 2027-03-01: fingerprinted if the appointment is on or after that day"},
		{"a member turning 18 beyond the horizon", CategoryAdoption, "1980-01-01", []PersonInput{{FullName: "Zofia Żółć", DateOfBirth: "2010-03-01"}}, ""},
		{"a child", CategoryAdoption, "1980-01-01", []PersonInput{{FullName: "Zofia Żółć", DateOfBirth: "2016-03-01"}}, ""},
	} {
		in := validInput(c.cat)
		in.DateOfBirth = c.dob
		if c.hh != nil {
			in.Household = c.hh
		}
		_, warns, err := in.Parse(testToday)
		if err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
			continue
		}
		got := strings.Join(warns, "\n")
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: warnings %q, want %q", c.name, got, c.want)
		}
	}
	// A date of birth in the future or over 120 years ago stays an error.
	for _, dob := range []string{"2026-11-21", "1900-01-01"} {
		in := validInput(Category319b)
		in.DateOfBirth = dob
		if _, _, err := in.Parse(testToday); ErrorCode(err) != EINVALID {
			t.Errorf("born %s: %v", dob, err)
		}
	}
}

// Printing for applicants is for the people who handle requests.
func TestCheckPrint(t *testing.T) {
	for _, c := range []struct {
		a    Actor
		code string
	}{
		{Actor{"c", RoleClerk}, ""},
		{Actor{"d", RoleDirector}, ""},
		{Actor{"root", RoleAdmin}, EFORBIDDEN},
		{Actor{"", RoleClerk}, EFORBIDDEN},
		{Actor{"x", "printer"}, EFORBIDDEN},
	} {
		if err := CheckPrint(c.a); ErrorCode(err) != c.code {
			t.Errorf("%+v: %v, want %q", c.a, err, c.code)
		}
	}
	if err := CheckPrint(Actor{"root", RoleAdmin}); ErrorMessage(err) != "an administrator account does not print applicants' letters: sign in as a clerk or director" {
		t.Errorf("admin: %q", ErrorMessage(err))
	}
}
