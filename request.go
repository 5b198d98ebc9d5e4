package fieldprint

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// RequestID is the store's primary key of a request.
type RequestID uint64

// Person is someone to be fingerprinted.
type Person struct {
	FullName    string `json:"full_name"`
	DateOfBirth Date   `json:"date_of_birth"`
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
	History        []Transition    `json:"history,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	CreatedBy      string          `json:"created_by"`
	UpdatedAt      time.Time       `json:"updated_at"`
	UpdatedBy      string          `json:"updated_by"`
	// Version increases with every write; an edit based on an older version is refused.
	Version uint64 `json:"version"`
}

// People returns how many people the request covers.
func (r *Request) People() int { return 1 + len(r.Household) }

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
	FullName    string
	DateOfBirth string
}

type RequestInput struct {
	Received        string
	Category        string
	Basis           string
	NoticeType      string
	ReceiptNumbers  string // several separated by ";", "," or new lines
	ANumber         string
	FullName        string
	DateOfBirth     string
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
		fe.Add(FieldBasis, "required: say in a sentence why the applicant asks this office to collect biometrics")
	} else if utf8.RuneCountInString(b) > maxTextLen {
		fe.Add(FieldBasis, "is longer than %d characters; shorten it", maxTextLen)
	} else {
		r.Basis = b
	}

	if n, err := ParseNoticeType(in.NoticeType); err != nil {
		if strings.TrimSpace(in.NoticeType) == "" {
			fe.Add(FieldNoticeType, "choose the notice supplied: receipt, rfe or appointment")
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

	r.Applicant = parsePerson(in.FullName, in.DateOfBirth, today, FieldFullName, FieldDateOfBirth, &fe)

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
		fe.Add(FieldEmail, "give an e-mail address or a phone number so the office can reach the applicant")
	}

	if len(in.Household) > 0 && r.Category != "" && r.Category != CategoryAdoption {
		fe.Add(FieldHousehold, "household adults are fingerprinted only for adoption requests: remove them or choose the adoption category")
	}
	if len(in.Household) > maxHousehold {
		fe.Add(FieldHousehold, "has %d adults; at most %d fit one request", len(in.Household), maxHousehold)
	}
	for i, p := range in.Household {
		h := parsePerson(p.FullName, p.DateOfBirth, today, HouseholdField(i, FieldFullName), HouseholdField(i, FieldDateOfBirth), &fe)
		if !h.DateOfBirth.IsZero() {
			if age := h.DateOfBirth.AgeOn(today); age < 18 {
				fe.Add(HouseholdField(i, FieldDateOfBirth), "%s is %d: only adults (18 and over) are fingerprinted, so leave minors off this list", h.FullName, age)
			}
		}
		if h.FullName != "" && Fold(h.FullName) == Fold(r.Applicant.FullName) && h.DateOfBirth == r.Applicant.DateOfBirth {
			fe.Add(HouseholdField(i, FieldFullName), "%s is the applicant: list only the other adults of the household", h.FullName)
		}
		r.Household = append(r.Household, h)
	}

	if r.Category == CategoryOther {
		r.Other = parseOther(in, today, &fe)
	}
	if err := fe.Err(); err != nil {
		return nil, warnings, err
	}
	return r, warnings, nil
}

func parsePerson(name, dob string, today Date, nameField, dobField string, fe *FieldErrors) Person {
	var p Person
	if n, msg := NormalizeName(name); msg != "" {
		fe.Add(nameField, "full name %s", msg)
	} else {
		p.FullName = n
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

func parseOther(in RequestInput, today Date, fe *FieldErrors) *OtherFacts {
	o := &OtherFacts{}
	if strings.TrimSpace(in.ASCDate) == "" {
		fe.Add(FieldASCDate, "the date of the U.S. ASC appointment the applicant could not attend is required for All others")
	} else if d, err := ParseDate(in.ASCDate); err != nil {
		fe.Add(FieldASCDate, "%s", ErrorMessage(err))
	} else if d.Y < 2000 || d.After(today.AddDays(3*365)) {
		fe.Add(FieldASCDate, "%s is not a plausible appointment date: check the year", d)
	} else {
		o.ASCDate = d
	}
	var ok bool
	if o.ASCPlace, ok = cleanText(in.ASCPlace, false); !ok || o.ASCPlace == "" {
		fe.Add(FieldASCPlace, "give the place of the U.S. ASC appointment, e.g. \"Los Angeles ASC\"")
	}
	if o.DepartureReason, ok = cleanText(in.DepartureReason, true); !ok || o.DepartureReason == "" {
		fe.Add(FieldDepartureReason, "say what urgent circumstances forced the applicant to leave the U.S. (avoiding travel cost is never enough)")
	} else if utf8.RuneCountInString(o.DepartureReason) > maxTextLen {
		fe.Add(FieldDepartureReason, "is longer than %d characters; shorten it", maxTextLen)
	}
	switch strings.ToLower(strings.TrimSpace(in.RescheduleAsked)) {
	case "yes", "y", "true":
		o.RescheduleAsked = Yes
	case "no", "n", "false":
		o.RescheduleAsked = No
	default:
		fe.Add(FieldRescheduleAsked, "answer yes or no: did the applicant ask for an expedite or reschedule before leaving?")
	}
	if o.RescheduleNote, ok = cleanText(in.RescheduleNote, true); !ok {
		fe.Add(FieldRescheduleNote, "contains a control character; retype it")
	} else if o.RescheduleAsked == No && o.RescheduleNote == "" {
		fe.Add(FieldRescheduleNote, "say why no expedite or reschedule was asked for before leaving")
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
	for _, h := range r.Household {
		in.Household = append(in.Household, PersonInput{h.FullName, h.DateOfBirth.String()})
	}
	if o := r.Other; o != nil {
		in.ASCDate, in.ASCPlace, in.DepartureReason = o.ASCDate.String(), o.ASCPlace, o.DepartureReason
		in.RescheduleAsked, in.RescheduleNote = string(o.RescheduleAsked), o.RescheduleNote
	}
	return in
}

// SetFields copies the editable fields of src into r.
func (r *Request) SetFields(src *Request) {
	r.Received, r.Category, r.Basis, r.NoticeType = src.Received, src.Category, src.Basis, src.NoticeType
	r.ReceiptNumbers, r.ANumber, r.Applicant = src.ReceiptNumbers, src.ANumber, src.Applicant
	r.Email, r.Phone, r.Household, r.Other = src.Email, src.Phone, src.Household, src.Other
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
