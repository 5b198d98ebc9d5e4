package fieldprint

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ReceiptNumber is a USCIS receipt number in canonical form: three upper-case
// letters and ten digits, e.g. IOE0912345678.
type ReceiptNumber string

// ANumber is an alien registration number in canonical form: "A" and nine digits.
type ANumber string

// KnownReceiptPrefixes are the service-centre / office prefixes USCIS prints.
var KnownReceiptPrefixes = map[string]string{
	"EAC": "Vermont Service Center (eastern)",
	"VSC": "Vermont Service Center",
	"WAC": "California Service Center (western)",
	"CSC": "California Service Center",
	"LIN": "Nebraska Service Center (Lincoln)",
	"NSC": "Nebraska Service Center",
	"SRC": "Texas Service Center (southern)",
	"TSC": "Texas Service Center",
	"MSC": "National Benefits Center (Missouri)",
	"NBC": "National Benefits Center",
	"IOE": "USCIS Electronic Immigration System (online filing)",
	"YSC": "Potomac Service Center",
}

const receiptExample = "3 letters then 10 digits, e.g. IOE0912345678"

// asciiOnly refuses any character outside printable ASCII: look-alikes such as
// "ſ", full-width digits or a non-breaking space would otherwise be folded into
// a number that is not the one printed on the notice.
func asciiOnly(what, s string) error {
	for i, r := range s {
		if r > unicode.MaxASCII || (r < 0x20) {
			return Errorf(EINVALID, "%s contains %q (U+%04X) at position %d, which is not a plain letter, digit, space or dash: retype it from the notice", what, r, r, i+1)
		}
	}
	return nil
}

// compact trims surrounding white space, drops ASCII spaces and dashes inside
// and upper-cases ASCII letters.
func compact(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '\t':
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// looksLikeStateCase reports whether s (compacted) has the shape of a
// Department of State immigrant-visa case number: a post code, a four-digit
// year and a sequence, from a prefix USCIS does not use.
func looksLikeStateCase(s string) (post, year string, ok bool) {
	if len(s) < 3+4+3 || len(s) > 3+4+8 || !allLetters(s[:3]) || !allDigits(s[3:]) {
		return "", "", false
	}
	if _, known := KnownReceiptPrefixes[s[:3]]; known {
		return "", "", false
	}
	y, _ := strconv.Atoi(s[3:7])
	if y < 1990 || y > 2099 {
		return "", "", false
	}
	return s[:3], s[3:7], true
}

// ParseReceiptNumber normalises and validates a typed receipt number. The
// warning is non-empty for a well-formed number whose prefix is not known.
func ParseReceiptNumber(s string) (rn ReceiptNumber, warning string, err error) {
	if strings.TrimSpace(s) == "" {
		return "", "", Errorf(EINVALID, "receipt number is empty: type %s", receiptExample)
	}
	if err := asciiOnly("receipt number", s); err != nil {
		return "", "", err
	}
	c := compact(s)
	if post, year, ok := looksLikeStateCase(c); ok {
		return "", "", Errorf(EINVALID, "%s looks like a Department of State immigrant-visa case number (post %s, year %s), not a USCIS receipt number: use the receipt number on the I-797 notice, %s", c, post, year, receiptExample)
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; !(ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9') {
			return "", "", Errorf(EINVALID, "receipt number %q contains %q: use only letters and digits (%s)", s, ch, receiptExample)
		}
	}
	switch {
	case len(c) < 3 || !allLetters(c[:3]):
		return "", "", Errorf(EINVALID, "receipt number %s must start with 3 letters (%s)", c, receiptExample)
	case !allDigits(c[3:]):
		return "", "", Errorf(EINVALID, "receipt number %s must have only digits after the 3 letters (%s); check for a letter O typed instead of a zero", c, receiptExample)
	case len(c) != 13:
		return "", "", Errorf(EINVALID, "receipt number %s has %d digits after the letters; it needs exactly 10 (%s)", c, len(c)-3, receiptExample)
	}
	if _, known := KnownReceiptPrefixes[c[:3]]; !known {
		warning = fmt.Sprintf("receipt number prefix %s is not one USCIS is known to use; check it against the notice", c[:3])
	}
	return ReceiptNumber(c), warning, nil
}

// ParseANumber accepts "A12345678", "a-012-345-678", "012345678", "A 012 345 678"
// and returns the canonical "A" + 9 digits form.
func ParseANumber(s string) (ANumber, error) {
	if strings.TrimSpace(s) == "" {
		return "", Errorf(EINVALID, "A-number is empty: type A followed by 7 to 9 digits, e.g. A012345678")
	}
	if err := asciiOnly("A-number", s); err != nil {
		return "", err
	}
	c := compact(s)
	d := strings.TrimPrefix(c, "A")
	if !allDigits(d) {
		return "", Errorf(EINVALID, "A-number %q must be A followed by 7 to 9 digits (e.g. A012345678); dashes and spaces are fine, other characters are not", s)
	}
	if len(d) < 7 || len(d) > 9 {
		return "", Errorf(EINVALID, "A-number %s has %d digits; it needs 7 to 9 (e.g. A012345678)", c, len(d))
	}
	d = strings.Repeat("0", 9-len(d)) + d
	if d == "000000000" {
		return "", Errorf(EINVALID, "A-number A000000000 is not a real A-number: leave the field empty if there is none")
	}
	return ANumber("A" + d), nil
}

// Display returns the A-number as printed on notices: A-012-345-678.
func (a ANumber) Display() string {
	if len(a) != 10 {
		return string(a)
	}
	return "A-" + string(a[1:4]) + "-" + string(a[4:7]) + "-" + string(a[7:10])
}
