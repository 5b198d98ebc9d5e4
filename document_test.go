package fieldprint

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// verifyAll marks every required item verified, as a clerk would after checking.
func verifyAll(r *Request) {
	for _, it := range r.Checklist(testToday) {
		if it.Required {
			r.setDocument(Document{Item: it.Key, File: &Attachment{SHA256: "sha-" + it.Key, Name: it.Key + ".pdf", Type: TypePDF}, State: DocVerified, By: "test"})
		}
	}
}

func household(adults, minors int) []Person {
	var hh []Person
	for i := 0; i < adults; i++ {
		hh = append(hh, Person{ID: len(hh) + 1, FullName: fmt.Sprintf("Adult %c", 'A'+i), DateOfBirth: Date{1970 + i, 1, 1}})
	}
	for i := 0; i < minors; i++ {
		hh = append(hh, Person{ID: len(hh) + 1, FullName: fmt.Sprintf("Child %c", 'A'+i), DateOfBirth: Date{2015 + i, 1, 1}})
	}
	return hh
}

// The checklist for every category, with households of 0-5 adults and minors.
func TestChecklistDerivation(t *testing.T) {
	for _, cat := range Categories {
		for adults := 0; adults <= 5; adults++ {
			for _, minors := range []int{0, 2} {
				if cat != CategoryAdoption && adults+minors > 0 {
					continue // Parse refuses households on other categories
				}
				t.Run(fmt.Sprintf("%s/%d adults/%d minors", cat, adults, minors), func(t *testing.T) {
					r := &Request{Number: "FP-2026-00001", Category: cat, Applicant: Person{FullName: "Ana García", DateOfBirth: Date{1980, 5, 5}},
						Household: household(adults, minors)}
					want := []string{"notice", "passport/0"}
					for i := 1; i <= adults; i++ {
						want = append(want, fmt.Sprintf("passport/%d", i))
					}
					if cat == CategoryOther {
						want = append(want, "asc-notice")
					}
					var got, required []string
					for _, it := range r.Checklist(testToday) {
						got = append(got, it.Key)
						if it.Required {
							required = append(required, it.Key)
						}
						if it.Doc.State != DocMissing {
							t.Errorf("%s: state %q on a new request", it.Key, it.Doc.State)
						}
						if it.Kind == DocPassport && it.Person == "" {
							t.Errorf("%s: passport without a person", it.Key)
						}
						if strings.Contains(it.Person, "Child") {
							t.Errorf("a minor has a checklist row: %s", it.Person)
						}
					}
					if !reflect.DeepEqual(required, want) {
						t.Errorf("required = %q, want %q", required, want)
					}
					if got[len(got)-1] != "supporting" {
						t.Errorf("the optional supporting item is missing: %q", got)
					}
					c := r.Completeness(testToday)
					if c.Required != len(want) || c.Missing != len(want) || c.Complete() || c.String() != fmt.Sprintf("0/%d", len(want)) {
						t.Errorf("completeness %+v", c)
					}
					if r.People(testToday) != 1+adults {
						t.Errorf("People = %d, want %d", r.People(testToday), 1+adults)
					}
					verifyAll(r)
					if c := r.Completeness(testToday); !c.Complete() || c.String() != fmt.Sprintf("%d/%d", len(want), len(want)) {
						t.Errorf("after verifying all: %+v", c)
					}
					if out := r.Outstanding(testToday); len(out) != 0 {
						t.Errorf("outstanding after verifying all: %+v", out)
					}
				})
			}
		}
	}
}

// Who is fingerprinted is decided for the appointment day, and the
// documents lock at the decision: a household member who turns 18 within
// the booking horizon has a required passport row from intake, marked with
// the birthday until they are fingerprinted; one who turns 18 later has none.
func TestChecklistEighteenthBirthday(t *testing.T) {
	for _, c := range []struct {
		name    string
		born    Date
		on      Date
		rows    int
		turns18 string // the row's label suffix
	}{
		{"18 tomorrow", Date{2008, 11, 21}, testToday, 4, " (turns 18 on 2026-11-21)"},
		{"18 in eleven months", Date{2009, 10, 20}, testToday, 4, " (turns 18 on 2027-10-20)"},
		{"18 in 367 days", Date{2009, 11, 22}, testToday, 3, ""},
		{"the horizon moves on", Date{2009, 11, 22}, testToday.AddDays(1), 4, " (turns 18 on 2027-11-22)"},
		{"an adult", Date{2008, 11, 20}, testToday, 4, ""},
	} {
		r := &Request{Category: CategoryAdoption, Applicant: Person{FullName: "Ana"},
			Household: []Person{{ID: 1, FullName: "Teen", DateOfBirth: c.born}}}
		items := r.Checklist(c.on)
		if len(items) != c.rows {
			t.Errorf("%s: %d items, want %d", c.name, len(items), c.rows)
			continue
		}
		if c.rows == 4 && (!items[2].Required || items[2].Label() != "Passport biographic page: Teen"+c.turns18) {
			t.Errorf("%s: %+v %q", c.name, items[2], items[2].Label())
		}
	}
	// Booked on or after the birthday, the member is fingerprinted: no mark.
	r := &Request{Category: CategoryAdoption, Applicant: Person{FullName: "Ana"},
		Household:    []Person{{ID: 1, FullName: "Teen", DateOfBirth: Date{2008, 12, 5}}},
		Appointments: []Appointment{{ID: 1, PersonID: 0, Day: Date{2026, 12, 10}, Status: ApptBooked}}}
	if it := r.Checklist(testToday)[2]; it.Label() != "Passport biographic page: Teen" {
		t.Errorf("booked after the birthday: %q", it.Label())
	}
	if _, err := r.ItemFor(DocPassport, "teen", testToday); err != nil {
		t.Errorf("the teen's passport item: %v", err)
	}
}

func docRequest() *Request {
	return &Request{Number: "FP-2026-00007", Status: StatusNew, Category: CategoryAdoption,
		ReceiptNumbers: []ReceiptNumber{"IOE0912345678"}, ANumber: "A012345678",
		Applicant: Person{FullName: "Łukasz Żółć", DateOfBirth: Date{1980, 1, 1},
			Passport: &Passport{Number: "EA1234567", Expiry: Date{2030, 1, 1}}},
		Household: []Person{{ID: 1, FullName: "Anna Żółć", DateOfBirth: Date{1982, 2, 2}, Passport: &Passport{Number: "EB7654321", Expiry: Date{2029, 6, 30}}},
			{ID: 2, FullName: "Kid Żółć", DateOfBirth: Date{2016, 3, 3}}}}
}

func file(name string) Attachment {
	return Attachment{SHA256: "sha-" + name, Name: name, Type: TypeJPEG, Size: 10}
}

func TestJudgeRules(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		setup  func(r *Request)
		item   string
		v      Verdict
		code   string
		msg    string
		state  DocState
		result func(t *testing.T, d Document)
	}{
		{name: "nothing attached", item: "notice", v: Verdict{Verified: true, Shows: "IOE0912345678"}, code: EINVALID, msg: "attach the scan first"},
		{name: "notice without identifier", setup: attach("notice"), item: "notice", v: Verdict{Verified: true}, code: EINVALID, msg: "IOE0912345678, A012345678"},
		{name: "notice with a foreign number", setup: attach("notice"), item: "notice", v: Verdict{Verified: true, Shows: "IOE0000000000"}, code: EINVALID, msg: "say which one"},
		{name: "notice showing the receipt", setup: attach("notice"), item: "notice", v: Verdict{Verified: true, Shows: "ioe-09-123-45678"}, state: DocVerified,
			result: func(t *testing.T, d Document) {
				if d.Shows != "IOE0912345678" || d.By != "mlopez" || !d.At.Equal(at) {
					t.Errorf("document %+v", d)
				}
			}},
		{name: "notice showing the A-number typed short", setup: attach("notice"), item: "notice", v: Verdict{Verified: true, Shows: "A-12345678"}, state: DocVerified},
		{name: "expired passport", setup: func(r *Request) {
			attach("passport/0")(r)
			r.Applicant.Passport.Expiry = Date{2026, 11, 19}
		}, item: "passport/0", v: Verdict{Verified: true}, code: EINVALID, msg: "expired on 2026-11-19"},
		{name: "passport verified by eye", setup: attach("passport/0"), item: "passport/0", v: Verdict{Verified: true, Confirmed: PassportChecks}, state: DocVerified,
			result: func(t *testing.T, d Document) {
				if !strings.Contains(d.Checked, "by eye") {
					t.Errorf("checked %q", d.Checked)
				}
			}},
		{name: "passport verified with one click", setup: attach("passport/0"), item: "passport/0", v: Verdict{Verified: true}, code: EINVALID,
			msg: "still to confirm: full name, date of birth, passport number, expiry date"},
		{name: "passport with the expiry not compared", setup: attach("passport/0"), item: "passport/0", v: Verdict{Verified: true, Confirmed: PassportChecks[:3]}, code: EINVALID,
			msg: "still to confirm: expiry date"},
		{name: "passport read and matching", setup: attach("passport/0"), item: "passport/0", state: DocVerified,
			v: Verdict{Verified: true, MRZ: mrzTestBuild("P", "POL", "ZOLC<<LUKASZ", "EA1234567", "POL", "800101", "M", "300101", "")},
			result: func(t *testing.T, d Document) {
				if !strings.Contains(d.Checked, "machine-readable zone") {
					t.Errorf("checked %q", d.Checked)
				}
			}},
		{name: "someone else's passport, expired in 2012", setup: attach("passport/0"), item: "passport/0", code: EINVALID,
			v:   Verdict{Verified: true, MRZ: mrzTestBuild("P", "UTO", "ERIKSSON<<ANNA<MARIA", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B")},
			msg: "not the one recorded for Łukasz Żółć: name \"Anna Maria Eriksson\", recorded \"Łukasz Żółć\"; born 1974-08-12, recorded 1980-01-01; number L898902C3, recorded EA1234567; expires 2012-04-15, recorded 2030-01-01"},
		{name: "a damaged zone", setup: attach("passport/0"), item: "passport/0", code: EINVALID, msg: "check digit",
			v: Verdict{Verified: true, MRZ: mrzSet(mrzTestBuild("P", "POL", "ZOLC<<LUKASZ", "EA1234567", "POL", "800101", "M", "300101", ""), 2, 20, '9')}},
		{name: "no passport recorded", setup: func(r *Request) {
			attach("passport/1")(r)
			r.Household[0].Passport = nil
		}, item: "passport/1", v: Verdict{Verified: true, Confirmed: PassportChecks}, code: EINVALID, msg: "record Anna Żółć's passport number and expiry first"},
		{name: "one file for two people", setup: func(r *Request) {
			r.Attach("passport/0", file("family.jpg"), testToday)
			r.Attach("passport/1", file("family.jpg"), testToday)
		}, item: "passport/1", v: Verdict{Verified: true, Confirmed: PassportChecks}, code: EINVALID, msg: "the same file is attached as the passport page of Łukasz Żółć"},
		{name: "household passport rejected as illegible", setup: attach("passport/1"), item: "passport/1", v: Verdict{Reason: RejectIllegible}, state: DocRejected},
		{name: "reject without a reason", setup: attach("passport/1"), item: "passport/1", v: Verdict{}, code: EINVALID, msg: "illegible"},
		{name: "reject for mismatch without a note", setup: attach("passport/1"), item: "passport/1", v: Verdict{Reason: RejectMismatch}, code: EINVALID, msg: "what does not match"},
		{name: "reject for mismatch with a note", setup: attach("passport/1"), item: "passport/1", v: Verdict{Reason: RejectMismatch, Note: "name is Ana, not Anna"}, state: DocRejected},
		{name: "unknown reason", setup: attach("passport/1"), item: "passport/1", v: Verdict{Reason: "ugly"}, code: EINVALID, msg: "not a reason"},
		{name: "a minor has no item", item: "passport/2", v: Verdict{Verified: true}, code: EINVALID, msg: "no checklist item"},
		{name: "control character in note", setup: attach("notice"), item: "notice", v: Verdict{Reason: RejectIllegible, Note: "bad\x00"}, code: EINVALID, msg: "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := docRequest()
			if tt.setup != nil {
				tt.setup(r)
			}
			before := fmt.Sprintf("%+v", r.Documents)
			err := r.Judge(tt.item, tt.v, "mlopez", at, testToday)
			if ErrorCode(err) != tt.code || !strings.Contains(ErrorMessage(err), tt.msg) {
				t.Fatalf("Judge = %v (code %q), want code %q containing %q", err, ErrorCode(err), tt.code, tt.msg)
			}
			if err != nil {
				if after := fmt.Sprintf("%+v", r.Documents); after != before {
					t.Errorf("a refused verdict changed the documents")
				}
				return
			}
			it, _ := r.FindItem(tt.item, testToday)
			if it.Doc.State != tt.state {
				t.Errorf("state %q, want %q", it.Doc.State, tt.state)
			}
			if tt.result != nil {
				tt.result(t, it.Doc)
			}
		})
	}
}

func attach(key string) func(*Request) {
	return func(r *Request) {
		if _, err := r.Attach(key, file(key+".jpg"), testToday); err != nil {
			panic(err)
		}
	}
}

func TestAttachReplaceDetach(t *testing.T) {
	r := docRequest()
	if _, err := r.Attach("passport/9", file("x.jpg"), testToday); ErrorCode(err) != EINVALID {
		t.Errorf("unknown item: %v", err)
	}
	old, err := r.Attach("notice", file("a.jpg"), testToday)
	if err != nil || old != nil {
		t.Fatalf("first attach: %v, %v", old, err)
	}
	if _, err := r.Attach("notice", file("a.jpg"), testToday); ErrorCode(err) != ECONFLICT {
		t.Errorf("the same file twice: %v", err)
	}
	if err := r.Judge("notice", Verdict{Verified: true, Shows: "A012345678"}, "c", time.Now(), testToday); err != nil {
		t.Fatal(err)
	}
	old, err = r.Attach("notice", file("b.jpg"), testToday)
	if err != nil || old == nil || old.Name != "a.jpg" {
		t.Fatalf("replace: %v, %v", old, err)
	}
	if it, _ := r.FindItem("notice", testToday); it.Doc.State != DocReceived || it.Doc.Shows != "" {
		t.Errorf("a replaced file must be checked again: %+v", it.Doc)
	}
	gone, err := r.Detach("notice", testToday)
	if err != nil || gone.Name != "b.jpg" {
		t.Fatalf("detach: %v, %v", gone, err)
	}
	if _, err := r.Detach("notice", testToday); ErrorCode(err) != EINVALID {
		t.Errorf("detach nothing: %v", err)
	}
}

func TestFindItem(t *testing.T) {
	r := docRequest()
	for in, want := range map[string]string{
		"1": "notice", "2": "passport/0", "3": "passport/1", "4": "supporting", "notice": "notice", " Passport ": "passport/0",
		"passport/1": "passport/1", "passport:anna": "passport/1", "passport:ANNA ZOLC": "passport/1", "supporting": "supporting",
	} {
		it, err := r.FindItem(in, testToday)
		if err != nil || it.Key != want {
			t.Errorf("FindItem(%q) = %q, %v; want %q", in, it.Key, err, want)
		}
	}
	for in, msg := range map[string]string{
		"5": "no checklist item", "asc-notice": "no checklist item", "passport:zolc": "several people", "passport:kid": "under 18",
		"passport:nobody": "nobody called",
	} {
		if _, err := r.FindItem(in, testToday); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), msg) {
			t.Errorf("FindItem(%q) = %v, want %q", in, err, msg)
		}
	}
	if _, err := r.ItemFor(DocNotice, "Anna", testToday); ErrorCode(err) != EINVALID {
		t.Errorf("a notice for a person: %v", err)
	}
	if it, err := r.ItemFor(DocPassport, "", testToday); err != nil || it.Key != "passport/0" {
		t.Errorf("passport without a person = %q, %v", it.Key, err)
	}
}

// The status follows the checklist once a clerk has started checking it.
func TestFollowChecklist(t *testing.T) {
	r := docRequest()
	attach("notice")(r)
	if _, _, ok := r.FollowChecklist(testToday); ok {
		t.Error("attaching alone moved the request")
	}
	if err := r.Judge("notice", Verdict{Reason: RejectIllegible}, "c", time.Now(), testToday); err != nil {
		t.Fatal(err)
	}
	to, why, ok := r.FollowChecklist(testToday)
	if !ok || to != StatusAwaitingDocuments || !strings.Contains(why, "0/3") {
		t.Fatalf("after a rejection: %v %q %v", to, why, ok)
	}
	r.Status = to
	for _, k := range []string{"notice", "passport/0", "passport/1"} {
		if _, err := r.Attach(k, file(k+"-new.jpg"), testToday); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := r.FollowChecklist(testToday); ok && k != "passport/1" {
			t.Errorf("moved before complete (%s)", k)
		}
		if err := r.Judge(k, Verdict{Verified: true, Shows: "IOE0912345678", Confirmed: PassportChecks}, "c", time.Now(), testToday); err != nil {
			t.Fatal(err)
		}
	}
	to, why, ok = r.FollowChecklist(testToday)
	if !ok || to != StatusNew || !strings.Contains(why, "3/3") {
		t.Errorf("complete: %v %q %v", to, why, ok)
	}
	r.Status = StatusDirectorReview
	if _, _, ok := r.FollowChecklist(testToday); ok {
		t.Error("a referred request moved by itself")
	}
}

// An edit invalidates the checks it undermines and drops a removed person's file.
func TestReconcile(t *testing.T) {
	old := docRequest()
	verifyAll(old)
	old.setDocument(Document{Item: "notice", File: &Attachment{SHA256: "n"}, State: DocVerified, Shows: "IOE0912345678"})

	r := *old
	r.Documents = append([]Document(nil), old.Documents...)
	r.Household = []Person{{ID: 1, FullName: "Anna Zolc-Nowak", DateOfBirth: Date{1982, 2, 2}}}
	r.ReceiptNumbers = nil
	dropped := r.Reconcile(old, testToday)
	if len(dropped) != 0 {
		t.Errorf("dropped %v", dropped)
	}
	states := map[string]DocState{}
	for _, it := range r.Checklist(testToday) {
		states[it.Key] = it.Doc.State
	}
	want := map[string]DocState{"notice": DocReceived, "passport/0": DocVerified, "passport/1": DocReceived, "supporting": DocMissing}
	if !reflect.DeepEqual(states, want) {
		t.Errorf("states = %v, want %v", states, want)
	}

	r2 := *old
	r2.Documents = append([]Document(nil), old.Documents...)
	r2.Household = nil
	dropped = r2.Reconcile(old, testToday)
	if len(dropped) != 1 || dropped[0].SHA256 != "sha-passport/1" {
		t.Errorf("removing Anna dropped %v", dropped)
	}
	if r2.document("passport/1") != nil {
		t.Error("the removed person's document is still there")
	}
}

func TestParsePassport(t *testing.T) {
	base := validInput(CategoryMilitary)
	tests := []struct {
		p     PassportInput
		want  *Passport
		field string
		warn  string
	}{
		{PassportInput{}, nil, "", ""},
		{PassportInput{Number: " ea 123-4567 ", Expiry: "2031-05-05", Nationality: "chn", Sex: "f"}, &Passport{Number: "EA1234567", Expiry: Date{2031, 5, 5}, Nationality: "CHN", Sex: "F"}, "", ""},
		{PassportInput{Number: "C01X00T47", Expiry: "2027-01-01", Nationality: "D<<", Sex: "<"}, &Passport{Number: "C01X00T47", Expiry: Date{2027, 1, 1}, Nationality: "D", Sex: "X"}, "", "within 6 months"},
		{PassportInput{Number: "E1", Expiry: "2026-01-01"}, &Passport{Number: "E1", Expiry: Date{2026, 1, 1}}, "", "expired on 2026-01-01"},
		{PassportInput{Number: "TOOLONG1234", Expiry: "2030-01-01"}, nil, FieldPassport, ""},
		{PassportInput{Expiry: "2030-01-01"}, nil, FieldPassport, ""},
		{PassportInput{Number: "E1"}, nil, FieldPassportExpiry, ""},
		{PassportInput{Number: "E1", Expiry: "2099-01-01"}, nil, FieldPassportExpiry, ""},
		{PassportInput{Number: "E1", Expiry: "2030-01-01", Nationality: "C1N"}, nil, FieldNationality, ""},
		{PassportInput{Number: "E1", Expiry: "2030-01-01", Sex: "female"}, nil, FieldSex, ""},
	}
	for _, tt := range tests {
		in := base
		in.Passport = tt.p
		r, warns, err := in.Parse(testToday)
		if tt.field != "" {
			if got := fieldKeys(fieldErrors(t, err)); !reflect.DeepEqual(got, []string{tt.field}) {
				t.Errorf("%+v: fields %q, want %q", tt.p, got, tt.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", tt.p, err)
			continue
		}
		if !reflect.DeepEqual(r.Applicant.Passport, tt.want) {
			t.Errorf("%+v: passport %+v, want %+v", tt.p, r.Applicant.Passport, tt.want)
		}
		if got := strings.Join(warns, "; "); tt.warn == "" && got != "" || !strings.Contains(got, tt.warn) {
			t.Errorf("%+v: warnings %q, want %q", tt.p, got, tt.warn)
		}
		if back := r.Applicant.Passport.Input(); tt.want != nil && back.Number != tt.want.Number {
			t.Errorf("Input() = %+v", back)
		}
	}
}

// Household ids are kept through an edit and new members get fresh ones.
func TestHouseholdIDs(t *testing.T) {
	in := validInput(CategoryAdoption)
	r, _, err := in.Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	back := r.Input()
	back.Household = append(back.Household[1:], PersonInput{FullName: "New Adult", DateOfBirth: "1990-01-01"})
	r2, _, err := back.Parse(testToday)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, h := range r2.Household {
		ids = append(ids, h.ID)
	}
	if !reflect.DeepEqual(ids, []int{2, 3}) {
		t.Errorf("ids = %v, want [2 3]", ids)
	}
}
