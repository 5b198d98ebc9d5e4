package fieldprint

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MRZ is what the machine-readable zone of a passport (ICAO 9303 TD3) says.
type MRZ struct {
	DocumentCode   string // "P" (second char kept if not '<', e.g. "PD")
	IssuingState   string // 3 letters, e.g. "UTO" (fillers '<' trimmed, e.g. "D" for Germany)
	Surname        string // "ERIKSSON" ('<' between name parts become spaces)
	GivenNames     string // "ANNA MARIA"
	PassportNumber string // "L898902C3" (fillers trimmed)
	Nationality    string
	DateOfBirth    Date
	Sex            string // "F", "M" or "X" (MRZ '<' = unspecified -> "X")
	Expiry         Date
	PersonalNumber string // optional data, fillers trimmed
}

const mrzLineLen = 44 // TD3: two lines of 44

// mrzRetry ends every message about a misread MRZ: a scanner or a typist
// is the usual cause, so the fix is to read it again.
const mrzRetry = "re-scan the passport or type the lines again"

// mrzChecks are the check digits of line 2 (0-based, end exclusive), in the
// order they are verified, so the first failure names the field at fault
// rather than the composite digit that every error also breaks.
var mrzChecks = []struct {
	what     string
	spans    [][2]int
	digit    int
	fillerOK bool // ICAO lets an unused personal number carry '<' as its check digit
}{
	{"check digit of the passport number", [][2]int{{0, 9}}, 9, false},
	{"check digit of the date of birth", [][2]int{{13, 19}}, 19, false},
	{"check digit of the expiry date", [][2]int{{21, 27}}, 27, false},
	{"check digit of the personal number", [][2]int{{28, 42}}, 42, true},
	{"final check digit, over the whole of line 2", [][2]int{{0, 10}, {13, 20}, {21, 43}}, 43, false},
}

// ParseMRZ parses the two 44-character lines of a TD3 passport MRZ as a
// counter passport reader types them or a person pastes them: with or without
// the line break, CR/LF/spaces/tabs anywhere are ignored, lower case accepted.
// today is used to pick the century of two-digit years (birth: not in the
// future, so 1900s when 20YY would be after today; expiry: 20YY unless that is
// more than 50 years after today).
func ParseMRZ(s string, today Date) (MRZ, error) {
	var rs []rune
	var lineLens []int               // characters per typed line, to say where a problem is
	bad, badLine, badCol := -1, 0, 0 // first character outside the MRZ alphabet
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		n := 0
		for _, r := range line {
			if unicode.IsSpace(r) {
				continue
			}
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			if bad < 0 && !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '<') {
				bad, badLine, badCol = len(rs), len(lineLens)+1, n+1
			}
			rs = append(rs, r)
			n++
		}
		if n > 0 {
			lineLens = append(lineLens, n)
		}
	}
	// A stray character is reported before the length it spoils: the clerk
	// sees 88 characters and would not find an invisible 89th.
	if bad >= 0 {
		if len(lineLens) == 1 { // typed as one line: count it as line 1 then line 2
			badLine, badCol = bad/mrzLineLen+1, bad%mrzLineLen+1
		}
		what := fmt.Sprintf("the character %q", string(rs[bad]))
		if !unicode.IsPrint(rs[bad]) {
			what = fmt.Sprintf("an invisible character (%U)", rs[bad])
		}
		return MRZ{}, Errorf(EINVALID, "%s at line %d, column %d does not belong in an MRZ, which has only the letters A-Z, the digits 0-9 and the filler <: %s",
			what, badLine, badCol, mrzRetry)
	}
	if err := mrzCheckLength(len(rs), lineLens); err != nil {
		return MRZ{}, err
	}
	l1, l2 := string(rs[:mrzLineLen]), string(rs[mrzLineLen:])
	if l1[0] != 'P' {
		return MRZ{}, mrzNotPassport(l1, l2)
	}
	for _, c := range mrzChecks {
		var b strings.Builder
		for _, sp := range c.spans {
			b.WriteString(l2[sp[0]:sp[1]])
		}
		got, want := l2[c.digit], mrzCheckDigit(b.String())
		if got == '<' && c.fillerOK && strings.Trim(b.String(), "<") == "" {
			continue
		}
		if int(got)-'0' != want {
			return MRZ{}, Errorf(EINVALID, "the %s (line 2, column %d) does not match (MRZ says %c, the digits give %d): %s",
				c.what, c.digit+1, got, want, mrzRetry)
		}
	}

	m := MRZ{DocumentCode: strings.TrimRight(l1[:2], "<"), PersonalNumber: mrzWords(l2[28:42])}
	var err error
	if m.IssuingState, err = mrzState("issuing state", l1[2:5], 1, 3); err != nil {
		return MRZ{}, err
	}
	if m.Nationality, err = mrzState("nationality", l2[10:13], 2, 11); err != nil {
		return MRZ{}, err
	}
	if m.PassportNumber = strings.TrimRight(l2[:9], "<"); m.PassportNumber == "" || strings.Contains(m.PassportNumber, "<") {
		return MRZ{}, Errorf(EINVALID, "the passport number in line 2, columns 1-9 (%q) is empty or has a filler < inside it: %s", l2[:9], mrzRetry)
	}
	if m.DateOfBirth, err = mrzDate("date of birth", l2[13:19], 14, func(y int, d Date) int {
		if d.Y = y + 2000; d.After(today) { // nobody is born in the future
			return y + 1900
		}
		return y + 2000
	}); err != nil {
		return MRZ{}, err
	}
	if m.Expiry, err = mrzDate("expiry date", l2[21:27], 22, func(y int, d Date) int {
		// Passports last at most about ten years, so a date far ahead is an old
		// passport of the last century, not one valid for 50+ years.
		if d.Y = y + 2000; d.After(DateOf(today.Time().AddDate(50, 0, 0))) {
			return y + 1900
		}
		return y + 2000
	}); err != nil {
		return MRZ{}, err
	}
	switch l2[20] {
	case 'F', 'M':
		m.Sex = l2[20:21]
	case '<':
		m.Sex = "X" // the MRZ writes "unspecified" as a filler; the rest of the app uses X
	default:
		return MRZ{}, Errorf(EINVALID, "the sex in line 2, column 21 is %q, but an MRZ has only M, F or < (unspecified) there: %s", l2[20:21], mrzRetry)
	}

	// The name has no check digit, so OCR slips (0 for O, 1 for I) are caught here.
	if i := strings.IndexAny(l1[5:], "0123456789"); i >= 0 {
		return MRZ{}, Errorf(EINVALID, "the name in line 1 has the digit %c at column %d, but names in an MRZ have letters only (is it the letter O or I?): %s", l1[5+i], 6+i, mrzRetry)
	}
	sur, given, _ := strings.Cut(l1[5:], "<<")
	if m.Surname, m.GivenNames = mrzWords(sur), mrzWords(given); m.Surname == "" {
		return MRZ{}, Errorf(EINVALID, "the surname in line 1 (from column 6) is empty: the name must start with the surname, then << and the given names; %s", mrzRetry)
	}
	return m, nil
}

// mrzCheckLength explains a wrong length; lens (characters per typed line)
// shows the clerk which line is short or long.
func mrzCheckLength(n int, lens []int) error {
	const want = "a passport MRZ is two lines of 44 characters (88 in all)"
	var kind string
	switch n {
	case 2 * mrzLineLen:
		return nil
	case 0:
		return Errorf(EINVALID, "no MRZ was given: scan the passport or type the two lines of 44 characters at the bottom of its photo page")
	case 90:
		kind = "an ID card (TD1, three lines of 30)"
	case 72:
		kind = "an ID card or visa (TD2, two lines of 36)"
	case 60:
		kind = "an ID card (TD1) with one of its three lines of 30 missing"
	default:
		lines := ""
		if len(lens) > 1 {
			parts := make([]string, len(lens))
			for i, l := range lens {
				parts[i] = fmt.Sprint(l)
			}
			lines = " (lines of " + strings.Join(parts, ", ") + ")"
		}
		fix := "give both lines in full"
		if n >= 80 && n <= 96 {
			fix = "look for a missing or extra character; " + mrzRetry
		}
		return Errorf(EINVALID, "found %d characters%s, but %s: %s", n, lines, want, fix)
	}
	return Errorf(EINVALID, "found %d characters, which looks like %s, not a passport: %s; ask for the passport and scan its photo page", n, kind, want)
}

// mrzNotPassport says what the document is instead, so the clerk knows
// whether to ask for another document or just swap the lines.
func mrzNotPassport(l1, l2 string) error {
	switch {
	case l2[0] == 'P':
		return Errorf(EINVALID, "line 1 of a passport MRZ starts with P, but here line 2 does: the lines seem swapped; type the line starting with P first")
	case l1[0] == 'V':
		return Errorf(EINVALID, "the MRZ starts with V, so it is a visa, not a passport: scan the passport's photo page instead")
	case strings.ContainsRune("ACI", rune(l1[0])):
		return Errorf(EINVALID, "the MRZ starts with %c, so it is an ID card, not a passport: ask for the passport and scan its photo page", l1[0])
	}
	return Errorf(EINVALID, "line 1 of a passport MRZ starts with P, but this one starts with %c: check that this is the passport's photo page; %s", l1[0], mrzRetry)
}

// mrzCheckDigit is ICAO 9303's check digit: weights 7, 3, 1 repeating over
// values 0-9 for digits, 10-35 for A-Z and 0 for '<', modulo 10.
func mrzCheckDigit(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		v := 0
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			v = int(c - '0')
		case 'A' <= c && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * [3]int{7, 3, 1}[i%3]
	}
	return sum % 10
}

// mrzWords turns '<'-separated MRZ words into space-separated ones.
func mrzWords(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

// mrzState reads a country code: letters padded on the right with '<' ("D<<").
func mrzState(what, f string, line, col int) (string, error) {
	c := strings.TrimRight(f, "<")
	if c == "" || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", Errorf(EINVALID, "the %s in line %d, columns %d-%d is %q, not a country code of letters (e.g. UTO, or D<< for Germany): %s",
			what, line, col, col+2, f, mrzRetry)
	}
	return c, nil
}

// mrzDate reads a YYMMDD field; century picks the four-digit year for a
// two-digit one, given the month and day.
func mrzDate(what, f string, col int, century func(yy int, md Date) int) (Date, error) {
	if strings.Contains(f, "<") { // ICAO's way to write an unknown (part of a) date
		return Date{}, Errorf(EINVALID, "the %s in line 2, columns %d-%d is %q, not a full date: the passport does not give it, so type the passport's details by hand",
			what, col, col+5, f)
	} else if strings.Trim(f, "0123456789") != "" {
		return Date{}, Errorf(EINVALID, "the %s in line 2, columns %d-%d is %q, but a date there is six digits YYMMDD: %s", what, col, col+5, f, mrzRetry)
	}
	n := func(i int) int { return int(f[i]-'0')*10 + int(f[i+1]-'0') }
	d := Date{M: time.Month(n(2)), D: n(4)}
	if d.M >= 1 && d.M <= 12 && d.D >= 1 && d.D <= 31 {
		d.Y = century(n(0), d)
		// time.Date normalises 31 April to 1 May: a changed date was not real.
		if DateOf(d.Time()) == d {
			return d, nil
		}
	}
	return Date{}, Errorf(EINVALID, "the %s in line 2, columns %d-%d (%q, YYMMDD) is not a real date: %s", what, col, col+5, f, mrzRetry)
}

// FullName is "Given Names Surname" in title case ("Anna Maria Eriksson"),
// the order the rest of the app stores names.
func (m MRZ) FullName() string {
	words := strings.Fields(m.GivenNames + " " + m.Surname)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w) // an MRZ built by hand may not be ASCII
		words[i] = string(unicode.ToUpper(r)) + strings.ToLower(w[n:])
	}
	return strings.Join(words, " ")
}

// ExpiryWarning says whether the passport has expired or expires within six
// months of today ("" otherwise), in words a clerk can act on. It draws the
// line where PassportWarning does, so the MRZ and the typed form agree.
func (m MRZ) ExpiryWarning(today Date) string {
	switch {
	case m.Expiry.IsZero():
		return ""
	case m.Expiry.Before(today):
		return fmt.Sprintf("passport %s expired on %s: ask for a valid passport", m.PassportNumber, m.Expiry)
	case m.Expiry.Before(DateOf(today.Time().AddDate(0, 6, 0))):
		return fmt.Sprintf("passport %s expires on %s, within six months: ask whether it is being renewed", m.PassportNumber, m.Expiry)
	}
	return ""
}

// MRZDifference is a field where the passport disagrees with what the
// request recorded.
type MRZDifference struct {
	Field    string // the form's field key, e.g. FieldDateOfBirth
	Label    string
	Recorded string
	Passport string
}

// Apply returns p filled from the passport, and the fields where a recorded
// value differs from it: those are for a person to decide, never overwritten
// silently. Names compare by their words, accents and order aside ("Nguyễn
// Thị Minh Khai" is NGUYEN<<THI<MINH<KHAI).
func (m MRZ) Apply(p PersonInput) (PersonInput, []MRZDifference) {
	var diffs []MRZDifference
	out := p
	set := func(field, label string, recorded *string, passport string, same bool) {
		switch {
		case strings.TrimSpace(*recorded) == "":
			*recorded = passport
		case !same:
			diffs = append(diffs, MRZDifference{field, label, *recorded, passport})
		}
	}
	set(FieldFullName, "Full name", &out.FullName, m.FullName(), sameWords(p.FullName, m.FullName()))
	set(FieldDateOfBirth, "Date of birth", &out.DateOfBirth, m.DateOfBirth.String(), strings.TrimSpace(p.DateOfBirth) == m.DateOfBirth.String())
	set(FieldPassport, "Passport number", &out.Passport.Number, m.PassportNumber, SqueezeUpper(p.Passport.Number) == m.PassportNumber)
	set(FieldPassportExpiry, "Passport expiry", &out.Passport.Expiry, m.Expiry.String(), strings.TrimSpace(p.Passport.Expiry) == m.Expiry.String())
	set(FieldNationality, "Nationality", &out.Passport.Nationality, m.Nationality, SqueezeUpper(p.Passport.Nationality) == m.Nationality)
	set(FieldSex, "Sex", &out.Passport.Sex, m.Sex, SqueezeUpper(p.Passport.Sex) == m.Sex)
	return out, diffs
}

// UsePassport returns p with every value the passport gives, differences included.
func (m MRZ) UsePassport(p PersonInput) PersonInput {
	p.FullName, p.DateOfBirth = m.FullName(), m.DateOfBirth.String()
	p.Passport = PassportInput{Number: m.PassportNumber, Expiry: m.Expiry.String(), Nationality: m.Nationality, Sex: m.Sex}
	return p
}

func sameWords(a, b string) bool {
	x, y := SearchTokens(a), SearchTokens(b)
	if len(x) != len(y) {
		return false
	}
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}
