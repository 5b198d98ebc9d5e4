package fieldprint

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// RequestID is the store's primary key of a request.
type RequestID uint64

// Person is someone to be fingerprinted.
type Person struct {
	// ID keys a household member's checklist row (and later appointment) so
	// that editing or removing another member never moves their documents.
	// The applicant is 0; household members get 1, 2, ... on first save.
	ID          int       `json:"id,omitempty"`
	FullName    string    `json:"full_name"`
	DateOfBirth Date      `json:"date_of_birth"`
	Passport    *Passport `json:"passport,omitempty"`
}

// Passport is what the office recorded from a person's passport (typed, or
// read from its machine-readable zone).
type Passport struct {
	Number      string `json:"number"`
	Expiry      Date   `json:"expiry"`
	Nationality string `json:"nationality,omitempty"` // ICAO code, e.g. CHN, D
	Sex         string `json:"sex,omitempty"`         // F, M or X
}

// Adult reports whether p is 18 or over on day on: only adults are fingerprinted.
// A person with no date of birth counts as an adult (the safe side).
func (p Person) Adult(on Date) bool {
	return p.DateOfBirth.IsZero() || p.DateOfBirth.AgeOn(on) >= 18
}

// Turns18 is the day p becomes an adult (a 29 February birthday: 1 March);
// zero when the date of birth is not known.
func (p Person) Turns18() Date {
	if p.DateOfBirth.IsZero() {
		return Date{}
	}
	return DateOf(p.DateOfBirth.Time().AddDate(18, 0, 0))
}

// YesNo is an answer that may not have been given yet.
type YesNo string

const (
	Unanswered YesNo = ""
	Yes        YesNo = "yes"
	No         YesNo = "no"
)

// OtherFacts are what a director weighs for an "All others" request.
type OtherFacts struct {
	ASCDate  Date   `json:"asc_date"`  // the U.S. ASC appointment the applicant holds
	ASCPlace string `json:"asc_place"` // where that appointment is
	// DepartureReason: the urgent circumstances that forced departure from the U.S.
	DepartureReason string `json:"departure_reason"`
	// RescheduleAsked: whether an expedite or reschedule was asked for before leaving.
	RescheduleAsked YesNo  `json:"reschedule_asked"`
	RescheduleNote  string `json:"reschedule_note"` // what was asked, or why not
}

// StatusChange is one status change of a batch (the workflow's
// TransitionRequests).
type StatusChange struct {
	ID     RequestID
	To     Status
	Reason string
}

// Transition is one status change in a request's history.
type Transition struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// Request is one applicant's (or household's) request to have biometrics
// collected at the office.
type Request struct {
	ID             RequestID       `json:"id"`
	Number         string          `json:"number"` // FP-2026-00042: what staff and letters use
	Status         Status          `json:"status"`
	Received       Date            `json:"received"`
	Category       Category        `json:"category"`
	Basis          string          `json:"basis"`
	NoticeType     NoticeType      `json:"notice_type"`
	ReceiptNumbers []ReceiptNumber `json:"receipt_numbers"`
	ANumber        ANumber         `json:"a_number,omitempty"`
	Applicant      Person          `json:"applicant"`
	Email          string          `json:"email,omitempty"`
	Phone          string          `json:"phone,omitempty"`
	Household      []Person        `json:"household,omitempty"` // adults besides the applicant (adoption)
	Other          *OtherFacts     `json:"other,omitempty"`
	Documents      []Document      `json:"documents,omitempty"` // the checklist's recorded state
	Appointments   []Appointment   `json:"appointments,omitempty"`
	History        []Transition    `json:"history,omitempty"`
	// Incomplete lists the fields an import found empty that a person must
	// still fill (the "incomplete — from import" flag): while any is
	// missing, decisions and booking are refused, naming them.
	Incomplete []string `json:"incomplete,omitempty"`
	// Origin is where an imported request came from: the tracker's file,
	// its line and its notes (nil for a request recorded in Fieldprint).
	Origin *Origin `json:"origin,omitempty"`
	// Hold, while set, keeps the request's data past its retention.
	Hold      *LegalHold `json:"hold,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
	// Version increases with every write; an edit based on an older version is refused.
	Version uint64 `json:"version"`
}

// People returns how many people must be fingerprinted as of day on: the
// applicant and every adult of the household on the appointment day (see
// ToFingerprint).
func (r *Request) People(on Date) int { return len(r.ToFingerprint(on)) }

// Person returns the applicant (id 0) or the household member with id.
func (r *Request) Person(id int) (Person, bool) {
	if id == 0 {
		return r.Applicant, true
	}
	for _, p := range r.Household {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}

// Age is how many days the request has waited since it was received.
func (r *Request) Age(today Date) int { return r.Received.DaysUntil(today) }

// FormatNumber renders the staff-facing request number.
func FormatNumber(year int, seq uint64) string { return fmt.Sprintf("FP-%04d-%05d", year, seq) }

// ParseNumber accepts "FP-2026-00042", "fp 2026 42" and "2026-42".
func ParseNumber(s string) (string, error) {
	c := strings.TrimPrefix(compact(s), "FP")
	var year, seq int
	if len(c) > 4 && allDigits(c) {
		fmt.Sscanf(c[:4], "%d", &year)
		fmt.Sscanf(c[4:], "%d", &seq)
	}
	if year < 2000 || seq <= 0 {
		return "", Errorf(EINVALID, "%q is not a request number: it looks like FP-2026-00042", s)
	}
	return FormatNumber(year, uint64(seq)), nil
}

// Identifiers returns the receipt numbers and A-number of r as strings, the
// keys of the duplicate check.
func (r *Request) Identifiers() []string {
	out := make([]string, 0, len(r.ReceiptNumbers)+1)
	for _, rn := range r.ReceiptNumbers {
		out = append(out, string(rn))
	}
	if r.ANumber != "" {
		out = append(out, string(r.ANumber))
	}
	return out
}

// PersonInput and RequestInput are what a person typed (a form, a CSV row),
// before parsing. Parse is the one place that turns them into a Request.
type PersonInput struct {
	ID          int // kept from the stored person; 0 for one added now
	FullName    string
	DateOfBirth string
	Passport    PassportInput
}

type PassportInput struct {
	Number, Expiry, Nationality, Sex string
}

func (p PassportInput) empty() bool {
	return strings.TrimSpace(p.Number+p.Expiry+p.Nationality+p.Sex) == ""
}

type RequestInput struct {
	// Incomplete lets the fields an import may leave for later
	// (CompletableFields) be empty: Parse lists them in Request.Incomplete
	// instead of refusing them. A value that is there is checked as always.
	Incomplete      bool
	Received        string
	Category        string
	Basis           string
	NoticeType      string
	ReceiptNumbers  string // several separated by ";", "," or new lines
	ANumber         string
	FullName        string
	DateOfBirth     string
	Passport        PassportInput // the applicant's
	Email           string
	Phone           string
	Household       []PersonInput
	ASCDate         string
	ASCPlace        string
	DepartureReason string
	RescheduleAsked string
	RescheduleNote  string
}

// Field keys used in FieldErrors, shared by the form and the CSV import.
const (
	FieldReceived        = "received"
	FieldCategory        = "category"
	FieldBasis           = "basis"
	FieldNoticeType      = "notice_type"
	FieldReceiptNumbers  = "receipt_number"
	FieldANumber         = "a_number"
	FieldFullName        = "full_name"
	FieldDateOfBirth     = "date_of_birth"
	FieldEmail           = "email"
	FieldPhone           = "phone"
	FieldHousehold       = "household_adults"
	FieldASCDate         = "asc_date"
	FieldASCPlace        = "asc_place"
	FieldDepartureReason = "departure_reason"
	FieldRescheduleAsked = "reschedule_asked"
	FieldRescheduleNote  = "reschedule_note"
	FieldPassport        = "passport"
	FieldPassportExpiry  = "passport_expiry"
	FieldNationality     = "nationality"
	FieldSex             = "sex"
)

// HouseholdField names the field of the i-th household adult (0-based).
func HouseholdField(i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", FieldHousehold, i+1, field)
}

const (
	maxReceipts  = 10
	maxHousehold = 12
	maxTextLen   = 4000
)

// SplitList splits a typed list on ";", "," and new lines, dropping empty items.
func SplitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' })
	out := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// Parse validates in as of day today and returns the request fields it holds
// (ID, number, status and history are the store's). Warnings are worth showing
// but do not block saving.
func (in RequestInput) Parse(today Date) (r *Request, warnings []string, err error) {
	var fe FieldErrors
	r = &Request{}
	// missing reports an empty field: an error, or for an import's gap the
	// field named in r.Incomplete.
	missing := func(field, format string, args ...any) {
		if in.Incomplete && slices.Contains(CompletableFields, field) {
			if !slices.Contains(r.Incomplete, field) {
				r.Incomplete = append(r.Incomplete, field)
			}
			return
		}
		fe.Add(field, format, args...)
	}

	if strings.TrimSpace(in.Received) == "" {
		r.Received = today
	} else if d, err := ParseDate(in.Received); err != nil {
		fe.Add(FieldReceived, "%s", ErrorMessage(err))
	} else if d.After(today) {
		fe.Add(FieldReceived, "%s is in the future: use the day the request reached the office", d)
	} else if d.Y < 2000 {
		fe.Add(FieldReceived, "%s is too long ago: check the year", d)
	} else {
		r.Received = d
	}

	if c, err := ParseCategory(in.Category); err != nil {
		if strings.TrimSpace(in.Category) == "" {
			fe.Add(FieldCategory, "choose the basis of the request: military, 319b, adoption or other")
		} else {
			fe.Add(FieldCategory, "%s", ErrorMessage(err))
		}
	} else {
		r.Category = c
	}

	if b, ok := cleanText(in.Basis, true); !ok {
		fe.Add(FieldBasis, "contains a control character; retype it")
	} else if b == "" {
		missing(FieldBasis, "required: say in a sentence why the applicant asks this office to collect biometrics")
	} else if utf8.RuneCountInString(b) > maxTextLen {
		fe.Add(FieldBasis, "is longer than %d characters; shorten it", maxTextLen)
	} else {
		r.Basis = b
	}

	if n, err := ParseNoticeType(in.NoticeType); err != nil {
		if strings.TrimSpace(in.NoticeType) == "" {
			missing(FieldNoticeType, "choose the notice supplied: receipt, rfe or appointment")
		} else {
			fe.Add(FieldNoticeType, "%s", ErrorMessage(err))
		}
	} else {
		r.NoticeType = n
	}

	seen := map[ReceiptNumber]bool{}
	for _, s := range SplitList(in.ReceiptNumbers) {
		rn, warn, err := ParseReceiptNumber(s)
		if err != nil {
			fe.Add(FieldReceiptNumbers, "%s", ErrorMessage(err))
			continue
		}
		if !seen[rn] {
			if warn != "" {
				warnings = append(warnings, warn)
			}
			seen[rn] = true
			r.ReceiptNumbers = append(r.ReceiptNumbers, rn)
		}
	}
	if len(r.ReceiptNumbers) > maxReceipts {
		fe.Add(FieldReceiptNumbers, "has %d receipt numbers; at most %d fit one request", len(r.ReceiptNumbers), maxReceipts)
	}
	if strings.TrimSpace(in.ANumber) != "" {
		if a, err := ParseANumber(in.ANumber); err != nil {
			fe.Add(FieldANumber, "%s", ErrorMessage(err))
		} else {
			r.ANumber = a
		}
	}
	if len(SplitList(in.ReceiptNumbers)) == 0 && strings.TrimSpace(in.ANumber) == "" {
		fe.Add(FieldReceiptNumbers, "give a receipt number or an A-number (or both) from the USCIS notice")
	}

	if strings.TrimSpace(in.DateOfBirth) == "" {
		missing(FieldDateOfBirth, "date of birth is required (YYYY-MM-DD, as in the passport)")
		r.Applicant = parsePerson(in.FullName, "-", today, FieldFullName, "", &fe)
	} else {
		r.Applicant = parsePerson(in.FullName, in.DateOfBirth, today, FieldFullName, FieldDateOfBirth, &fe)
	}
	r.Applicant.Passport = parsePassport(in.Passport, today, r.Applicant.FullName, func(f string) string { return f }, &fe, &warnings)

	if e := strings.TrimSpace(in.Email); e != "" {
		if err := asciiOnly("e-mail", e); err != nil {
			fe.Add(FieldEmail, "%s", ErrorMessage(err))
		} else if a, err := mail.ParseAddress(e); err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@"):], ".") {
			fe.Add(FieldEmail, "%q is not an e-mail address: type it as name@example.com, without a display name", e)
		} else {
			r.Email = e
		}
	}
	if p := strings.TrimSpace(in.Phone); p != "" {
		if n, msg := normalizePhone(p); msg != "" {
			fe.Add(FieldPhone, "%s", msg)
		} else {
			r.Phone = n
		}
	}
	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		missing(FieldEmail, "give an e-mail address or a phone number so the office can reach the applicant")
	}

	if len(in.Household) > 0 && r.Category != "" && r.Category != CategoryAdoption {
		fe.Add(FieldHousehold, "household members are fingerprinted only for adoption requests: remove them or choose the adoption category")
	}
	if len(in.Household) > maxHousehold {
		fe.Add(FieldHousehold, "has %d members; at most %d fit one request", len(in.Household), maxHousehold)
	}
	ids := map[int]bool{}
	for i, p := range in.Household {
		h := parsePerson(p.FullName, p.DateOfBirth, today, HouseholdField(i, FieldFullName), HouseholdField(i, FieldDateOfBirth), &fe)
		h.Passport = parsePassport(p.Passport, today, h.FullName, func(f string) string { return HouseholdField(i, f) }, &fe, &warnings)
		// Minors are listed (the household is known) but not fingerprinted.
		if p.ID > 0 && !ids[p.ID] {
			h.ID = p.ID
			ids[p.ID] = true
		}
		if h.FullName != "" && Fold(h.FullName) == Fold(r.Applicant.FullName) && h.DateOfBirth == r.Applicant.DateOfBirth {
			fe.Add(HouseholdField(i, FieldFullName), "%s is the applicant: list only the other adults of the household", h.FullName)
		}
		r.Household = append(r.Household, h)
	}

	if r.Category == CategoryOther {
		r.Other = parseOther(in, today, &fe, missing)
	}
	r.NumberHousehold()
	warnings = append(warnings, r.ageWarnings(today)...)
	if err := fe.Err(); err != nil {
		return nil, warnings, err
	}
	return r, warnings, nil
}

// parsePerson reads a person's name and date of birth; dob "-" with no
// dobField reads the name alone (the date is reported missing elsewhere).
func parsePerson(name, dob string, today Date, nameField, dobField string, fe *FieldErrors) Person {
	var p Person
	if n, msg := NormalizeName(name); msg != "" {
		fe.Add(nameField, "full name %s", msg)
	} else {
		p.FullName = n
	}
	if dob == "-" && dobField == "" {
		return p
	}
	if strings.TrimSpace(dob) == "" {
		fe.Add(dobField, "date of birth is required (YYYY-MM-DD, as in the passport)")
	} else if d, err := ParseDate(dob); err != nil {
		fe.Add(dobField, "%s", ErrorMessage(err))
	} else if d.After(today) {
		fe.Add(dobField, "%s is in the future: check the year", d)
	} else if d.AgeOn(today) > 120 {
		fe.Add(dobField, "%s would make the person %d: check the year", d, d.AgeOn(today))
	} else {
		p.DateOfBirth = d
	}
	return p
}

// OldAge: a person older than this is accepted (up to 120) with a warning.
const OldAge = 100

// ageWarnings are the ages worth a second look, as of today. The category
// implies one: a 319(b) applicant is the spouse of a U.S. citizen and
// prospective adoptive parents are adults; a military applicant (a service
// member or spouse) is at least 17. Nobody is likely over OldAge. A household
// member who turns 18 within the booking horizon is fingerprinted if the
// appointment falls on or after that day (who is fingerprinted is decided for
// the appointment day), so the clerk should know at intake.
func (r *Request) ageWarnings(today Date) []string {
	var out []string
	if a := r.Applicant; !a.DateOfBirth.IsZero() {
		age := a.DateOfBirth.AgeOn(today)
		switch {
		case r.Category == Category319b && age < 18:
			out = append(out, fmt.Sprintf("%s is %d (born %s): a 319(b) applicant is an adult, the spouse of a U.S. citizen employed abroad; check the date of birth and the category", a.FullName, age, a.DateOfBirth))
		case r.Category == CategoryAdoption && age < 18:
			out = append(out, fmt.Sprintf("%s is %d (born %s): prospective adoptive parents are adults; check the date of birth and the category", a.FullName, age, a.DateOfBirth))
		case r.Category == CategoryMilitary && age < 17:
			out = append(out, fmt.Sprintf("%s is %d (born %s): a military applicant (a service member or spouse) is at least 17; check the date of birth and the category", a.FullName, age, a.DateOfBirth))
		}
	}
	for _, p := range append([]Person{r.Applicant}, r.Household...) {
		if !p.DateOfBirth.IsZero() && p.DateOfBirth.AgeOn(today) > OldAge {
			out = append(out, fmt.Sprintf("%s would be %d (born %s): check the year", p.FullName, p.DateOfBirth.AgeOn(today), p.DateOfBirth))
		}
	}
	for _, h := range r.Household {
		if d := h.Turns18(); !h.Adult(today) && today.DaysUntil(d) <= MaxBookingDays {
			out = append(out, comingOfAge(h))
		}
	}
	return out
}

// comingOfAge is the flag on a household member who is under 18 now but
// may be fingerprinted.
func comingOfAge(h Person) string {
	return fmt.Sprintf("%s turns 18 on %s: fingerprinted if the appointment is on or after that day", h.FullName, h.Turns18())
}

// NumberHousehold gives members added now the next free ids. Ids of removed
// members may come back, which is safe: their documents go with them.
func (r *Request) NumberHousehold() {
	next := 1
	for _, h := range r.Household {
		next = max(next, h.ID+1)
	}
	for i := range r.Household {
		if r.Household[i].ID == 0 {
			r.Household[i].ID = next
			next++
		}
	}
}

// PassportWarningMonths: a passport expiring sooner may lapse before the
// appointment or before USCIS acts on the case.
const PassportWarningMonths = 6

// PassportWarning says whether a passport has expired or expires within six
// months of today ("" when neither).
func PassportWarning(holder, number string, expiry, today Date) string {
	switch {
	case expiry.IsZero():
		return ""
	case expiry.Before(today):
		return fmt.Sprintf("the passport %s of %s expired on %s: ask for a valid passport", number, holder, expiry)
	case expiry.Before(DateOf(today.Time().AddDate(0, PassportWarningMonths, 0))):
		return fmt.Sprintf("the passport %s of %s expires on %s, within %d months: ask whether it is being renewed", number, holder, expiry, PassportWarningMonths)
	}
	return ""
}

func parsePassport(in PassportInput, today Date, holder string, field func(string) string, fe *FieldErrors, warnings *[]string) *Passport {
	if in.empty() {
		return nil
	}
	p := &Passport{}
	n := SqueezeUpper(in.Number)
	switch {
	case n == "":
		fe.Add(field(FieldPassport), "give the passport number too, or clear the other passport fields")
	case len(n) > 9 || !isAlnumUpper(n):
		fe.Add(field(FieldPassport), "%q is not a passport number: up to 9 letters and digits, as printed on the bio page", in.Number)
	default:
		p.Number = n
	}
	if strings.TrimSpace(in.Expiry) == "" {
		fe.Add(field(FieldPassportExpiry), "give the passport's expiry date (YYYY-MM-DD)")
	} else if d, err := ParseDate(in.Expiry); err != nil {
		fe.Add(field(FieldPassportExpiry), "%s", ErrorMessage(err))
	} else if d.Y < 1990 || d.After(today.AddDays(20*366)) {
		fe.Add(field(FieldPassportExpiry), "%s is not a plausible expiry date: check the year", d)
	} else {
		p.Expiry = d
	}
	if c := strings.ToUpper(strings.TrimRight(strings.TrimSpace(in.Nationality), "<")); c != "" {
		if len(c) > 3 || !isAlnumUpper(c) || strings.ContainsAny(c, "0123456789") {
			fe.Add(field(FieldNationality), "%q is not a nationality code: use the three letters of the passport, e.g. CHN, MEX, IND", in.Nationality)
		} else {
			p.Nationality = c
		}
	}
	switch sx := strings.ToUpper(strings.TrimSpace(in.Sex)); sx {
	case "":
	case "F", "M", "X":
		p.Sex = sx
	case "<":
		p.Sex = "X"
	default:
		fe.Add(field(FieldSex), "%q is not a sex as passports write it: F, M or X", in.Sex)
	}
	if w := PassportWarning(holder, p.Number, p.Expiry, today); w != "" {
		*warnings = append(*warnings, w)
	}
	return p
}

func isAlnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

func parseOther(in RequestInput, today Date, fe *FieldErrors, missing func(field, format string, args ...any)) *OtherFacts {
	o := &OtherFacts{}
	if strings.TrimSpace(in.ASCDate) == "" {
		missing(FieldASCDate, "the date of the U.S. ASC appointment the applicant could not attend is required for All others")
	} else if d, err := ParseDate(in.ASCDate); err != nil {
		fe.Add(FieldASCDate, "%s", ErrorMessage(err))
	} else if d.Y < 2000 || d.After(today.AddDays(3*365)) {
		fe.Add(FieldASCDate, "%s is not a plausible appointment date: check the year", d)
	} else {
		o.ASCDate = d
	}
	var ok bool
	if o.ASCPlace, ok = cleanText(in.ASCPlace, false); !ok {
		fe.Add(FieldASCPlace, "contains a control character; retype it")
	} else if o.ASCPlace == "" {
		missing(FieldASCPlace, "give the place of the U.S. ASC appointment, e.g. \"Los Angeles ASC\"")
	}
	if o.DepartureReason, ok = cleanText(in.DepartureReason, true); !ok {
		fe.Add(FieldDepartureReason, "contains a control character; retype it")
	} else if o.DepartureReason == "" {
		missing(FieldDepartureReason, "say what urgent circumstances forced the applicant to leave the U.S. (avoiding travel cost is never enough)")
	} else if utf8.RuneCountInString(o.DepartureReason) > maxTextLen {
		fe.Add(FieldDepartureReason, "is longer than %d characters; shorten it", maxTextLen)
	}
	switch strings.ToLower(strings.TrimSpace(in.RescheduleAsked)) {
	case "yes", "y", "true":
		o.RescheduleAsked = Yes
	case "no", "n", "false":
		o.RescheduleAsked = No
	case "":
		missing(FieldRescheduleAsked, "answer yes or no: did the applicant ask for an expedite or reschedule before leaving?")
	default:
		fe.Add(FieldRescheduleAsked, "answer yes or no: did the applicant ask for an expedite or reschedule before leaving?")
	}
	if o.RescheduleNote, ok = cleanText(in.RescheduleNote, true); !ok {
		fe.Add(FieldRescheduleNote, "contains a control character; retype it")
	} else if o.RescheduleAsked == No && o.RescheduleNote == "" {
		missing(FieldRescheduleNote, "say why no expedite or reschedule was asked for before leaving")
	}
	return o
}

// normalizePhone keeps a leading +, digits and single spaces, and accepts the
// usual separators people type.
func normalizePhone(s string) (string, string) {
	var b strings.Builder
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
				b.WriteByte(' ')
			}
		case unicode.IsDigit(r):
			return "", fmt.Sprintf("phone %q contains %q, which is not a plain digit 0-9: retype it", s, r)
		default:
			return "", fmt.Sprintf("phone %q contains %q: use digits, a leading + and spaces, e.g. +86 20 8518 7700", s, r)
		}
	}
	if digits < 6 || digits > 16 {
		return "", fmt.Sprintf("phone %q has %d digits; a phone number has 6 to 16, e.g. +86 20 8518 7700", s, digits)
	}
	return strings.TrimSpace(b.String()), ""
}

// Input returns the form values for r, the inverse of Parse.
func (r *Request) Input() RequestInput {
	in := RequestInput{
		Incomplete:  len(r.Incomplete) > 0,
		Received:    r.Received.String(),
		Category:    string(r.Category),
		Basis:       r.Basis,
		NoticeType:  string(r.NoticeType),
		ANumber:     string(r.ANumber),
		FullName:    r.Applicant.FullName,
		DateOfBirth: r.Applicant.DateOfBirth.String(),
		Email:       r.Email,
		Phone:       r.Phone,
	}
	rns := make([]string, len(r.ReceiptNumbers))
	for i, rn := range r.ReceiptNumbers {
		rns[i] = string(rn)
	}
	in.ReceiptNumbers = strings.Join(rns, "; ")
	in.Passport = r.Applicant.Passport.Input()
	for _, h := range r.Household {
		in.Household = append(in.Household, PersonInput{ID: h.ID, FullName: h.FullName, DateOfBirth: h.DateOfBirth.String(), Passport: h.Passport.Input()})
	}
	if o := r.Other; o != nil {
		in.ASCDate, in.ASCPlace, in.DepartureReason = o.ASCDate.String(), o.ASCPlace, o.DepartureReason
		in.RescheduleAsked, in.RescheduleNote = string(o.RescheduleAsked), o.RescheduleNote
	}
	return in
}

// Input returns the form values of p (all empty for nil).
func (p *Passport) Input() PassportInput {
	if p == nil {
		return PassportInput{}
	}
	return PassportInput{Number: p.Number, Expiry: p.Expiry.String(), Nationality: p.Nationality, Sex: p.Sex}
}

// String is the passport as one audit value.
func (p *Passport) String() string {
	if p == nil {
		return ""
	}
	s := p.Number + " expires " + p.Expiry.String()
	if p.Nationality != "" {
		s += " " + p.Nationality
	}
	if p.Sex != "" {
		s += " " + p.Sex
	}
	return s
}

// SetFields copies the editable fields of src into r.
func (r *Request) SetFields(src *Request) {
	r.Received, r.Category, r.Basis, r.NoticeType = src.Received, src.Category, src.Basis, src.NoticeType
	r.ReceiptNumbers, r.ANumber, r.Applicant = src.ReceiptNumbers, src.ANumber, src.Applicant
	r.Email, r.Phone, r.Household, r.Other = src.Email, src.Phone, src.Household, src.Other
	r.Incomplete = src.Incomplete
}

// LastTransition returns the latest change of r into status to.
func (r *Request) LastTransition(to Status) (Transition, bool) {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == to {
			return r.History[i], true
		}
	}
	return Transition{}, false
}
