package fieldprint

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// mrzToday is the day the tests run "on"; the specimen expired long before.
var mrzToday = Date{2026, time.November, 20}

// The ICAO 9303 Part 4 specimen passport.
const (
	mrzSpecimen1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	mrzSpecimen2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	mrzSpecimen  = mrzSpecimen1 + "\n" + mrzSpecimen2
)

var mrzSpecimenWant = MRZ{
	DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
	PassportNumber: "L898902C3", Nationality: "UTO", DateOfBirth: Date{1974, time.August, 12}, Sex: "F",
	Expiry: Date{2012, time.April, 15}, PersonalNumber: "ZE184226B",
}

// mrzTestCheck computes an ICAO check digit independently of mrzCheckDigit:
// the value of a character is its index in the alphabet below ('<' is 0).
func mrzTestCheck(s string) byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	weights := []int{7, 3, 1}
	sum := 0
	for i, r := range s {
		if r != '<' {
			sum += strings.IndexRune(alphabet, r) * weights[i%len(weights)]
		}
	}
	return byte('0' + sum%10)
}

func mrzPad(s string, n int) string { return s + strings.Repeat("<", n-len(s)) }

// mrzTestBuild assembles a TD3 MRZ with correct check digits; name is the
// raw MRZ name field ("SURNAME<<GIVEN<NAMES").
func mrzTestBuild(doc, state, name, number, nat, dob, sex, exp, personal string) string {
	l1 := mrzPad(doc, 2) + mrzPad(state, 3) + mrzPad(name, 39)
	num, opt := mrzPad(number, 9), mrzPad(personal, 14)
	num += string(mrzTestCheck(num))
	dob += string(mrzTestCheck(dob))
	exp += string(mrzTestCheck(exp))
	opt += string(mrzTestCheck(opt))
	l2 := num + mrzPad(nat, 3) + dob + sex + exp + opt
	l2 += string(mrzTestCheck(num + dob + exp + opt))
	return l1 + "\n" + l2
}

// mrzSet replaces the character at 1-based line and column.
func mrzSet(mrz string, line, col int, c byte) string {
	ls := strings.Split(mrz, "\n")
	b := []byte(ls[line-1])
	b[col-1] = c
	ls[line-1] = string(b)
	return strings.Join(ls, "\n")
}

func TestMRZTestHelpersAgreeWithSpecimen(t *testing.T) {
	// The helper must rebuild the published specimen exactly, or the
	// generated cases below would prove nothing.
	got := mrzTestBuild("P", "UTO", "ERIKSSON<<ANNA<MARIA", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B")
	if got != mrzSpecimen {
		t.Fatalf("mrzTestBuild = \n%s\nwant\n%s", got, mrzSpecimen)
	}
	for s, want := range map[string]int{"L898902C3": 6, "740812": 2, "120415": 9, "ZE184226B<<<<<": 1, "<<<<<<<<<<<<<<": 0} {
		if got := mrzCheckDigit(s); got != want || mrzTestCheck(s) != byte('0'+want) {
			t.Errorf("check digit of %q = %d (test helper %c), want %d", s, got, mrzTestCheck(s), want)
		}
	}
}

func TestParseMRZSpecimen(t *testing.T) {
	for name, in := range map[string]string{
		"LF":                 mrzSpecimen,
		"CRLF":               mrzSpecimen1 + "\r\n" + mrzSpecimen2 + "\r\n",
		"no line break":      mrzSpecimen1 + mrzSpecimen2,
		"space between":      mrzSpecimen1 + " " + mrzSpecimen2,
		"spaces and tabs":    "  " + mrzSpecimen1[:10] + "\t" + mrzSpecimen1[10:] + "\n\n " + mrzSpecimen2[:30] + " " + mrzSpecimen2[30:] + " \n",
		"lower case":         strings.ToLower(mrzSpecimen),
		"mixed case, CR":     "p<utoEriksson<<Anna<Maria<<<<<<<<<<<<<<<<<<<\r" + mrzSpecimen2,
		"non-breaking space": mrzSpecimen1 + "\u00a0" + mrzSpecimen2,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseMRZ(in, mrzToday)
			if err != nil {
				t.Fatalf("ParseMRZ: %v", err)
			}
			if got != mrzSpecimenWant {
				t.Errorf("ParseMRZ =\n%+v\nwant\n%+v", got, mrzSpecimenWant)
			}
		})
	}
}

func TestParseMRZShapes(t *testing.T) {
	for _, c := range []struct {
		name string
		mrz  string
		want MRZ
	}{
		{
			// The German specimen: state "D<<", and an unused personal number
			// whose check digit is '<' rather than 0.
			"Germany", "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4",
			MRZ{DocumentCode: "P", IssuingState: "D", Surname: "MUSTERMANN", GivenNames: "ERIKA", PassportNumber: "C01X00T47",
				Nationality: "D", DateOfBirth: Date{1964, time.August, 12}, Sex: "F", Expiry: Date{2027, time.February, 28}},
		},
		{
			"diplomatic, compound surname, several given names, unspecified sex",
			mrzTestBuild("PD", "NLD", "VAN<DER<BERG<<JAN<PIETER<WILLEM<MARIA", "XN01B2C34", "NLD", "040229", "<", "310630", "123456782"),
			MRZ{DocumentCode: "PD", IssuingState: "NLD", Surname: "VAN DER BERG", GivenNames: "JAN PIETER WILLEM MARIA",
				PassportNumber: "XN01B2C34", Nationality: "NLD", DateOfBirth: Date{2004, time.February, 29}, Sex: "X",
				Expiry: Date{2031, time.June, 30}, PersonalNumber: "123456782"},
		},
		{
			"short number, surname only, a baby born this year, male",
			mrzTestBuild("P", "MEX", "GARCIA", "G1234", "MEX", "260101", "M", "290101", ""),
			MRZ{DocumentCode: "P", IssuingState: "MEX", Surname: "GARCIA", PassportNumber: "G1234", Nationality: "MEX",
				DateOfBirth: Date{2026, time.January, 1}, Sex: "M", Expiry: Date{2029, time.January, 1}},
		},
		{
			"name truncated at column 44, personal number with fillers inside",
			mrzTestBuild("P", "GBR", "WOLFESCHLEGELSTEINHAUSENBERG<<HUBERT<BL", "123456789", "GBR", "900315", "M", "300101", "AB<12<<C"),
			MRZ{DocumentCode: "P", IssuingState: "GBR", Surname: "WOLFESCHLEGELSTEINHAUSENBERG", GivenNames: "HUBERT BL",
				PassportNumber: "123456789", Nationality: "GBR", DateOfBirth: Date{1990, time.March, 15}, Sex: "M",
				Expiry: Date{2030, time.January, 1}, PersonalNumber: "AB 12 C"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseMRZ(c.mrz, mrzToday)
			if err != nil {
				t.Fatalf("ParseMRZ(\n%s\n): %v", c.mrz, err)
			}
			if got != c.want {
				t.Errorf("ParseMRZ =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestParseMRZErrors(t *testing.T) {
	built := func(name, dob, sex, exp string) string {
		return mrzTestBuild("P", "UTO", name, "L898902C3", "UTO", dob, sex, exp, "ZE184226B")
	}
	for _, c := range []struct {
		name string
		in   string
		want []string // substrings of the message
	}{
		{"empty", "", []string{"no MRZ was given"}},
		{"only white space", " \r\n\t ", []string{"no MRZ was given"}},
		{"87 characters", mrzSpecimen[:len(mrzSpecimen)-1], []string{"found 87 characters (lines of 44, 43)", "two lines of 44"}},
		{"89 characters", mrzSpecimen1 + "<\n" + mrzSpecimen2, []string{"found 89 characters (lines of 45, 44)", "two lines of 44"}},
		{"one line", mrzSpecimen1, []string{"found 44 characters, but", "two lines of 44", "give both lines in full"}},
		{"three lines", mrzSpecimen1 + "\n" + mrzSpecimen2 + "\nX", []string{"found 89 characters (lines of 44, 44, 1)", "missing or extra"}},
		{"ID card TD1", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			[]string{"found 90 characters", "ID card (TD1", "not a passport", "two lines of 44"}},
		{"ID card TD2", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
			[]string{"found 72 characters", "TD2", "not a passport"}},
		{"two lines of TD1", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6", []string{"found 60 characters", "TD1", "not a passport"}},
		{"accented letter", strings.Replace(mrzSpecimen, "ERIKSSON", "ÉRIKSSON", 1), []string{`"É" at line 1, column 6`, "A-Z"}},
		{"dash in line 2", mrzSpecimen1 + "\n" + "L898-02C36UTO7408122F1204159ZE184226B<<<<<10", []string{`"-" at line 2, column 5`}},
		{"guillemet for filler", strings.Replace(mrzSpecimen, "<10", "«10", 1), []string{`"«" at line 2, column 42`}},
		{"bad character typed in one line", mrzSpecimen1 + mrzSpecimen2[:5] + "é" + mrzSpecimen2[6:], []string{`"é" at line 2, column 6`}},
		{"bad character after a long line 1", mrzSpecimen1 + "<<\n" + mrzSpecimen2[:5] + "/" + mrzSpecimen2[6:], []string{`"/" at line 2, column 6`}},
		{"byte order mark", "\ufeff" + mrzSpecimen, []string{"an invisible character (U+FEFF) at line 1, column 1"}},
		{"zero-width space", "\u200b" + mrzSpecimen, []string{"an invisible character (U+200B) at line 1, column 1"}},
		{"visa", "V" + mrzSpecimen[1:], []string{"visa, not a passport"}},
		{"ID card", "I" + mrzSpecimen[1:], []string{"starts with I", "ID card, not a passport"}},
		{"swapped lines", mrzSpecimen2 + "\n" + mrzSpecimen1, []string{"seem swapped"}},
		{"not P", "X" + mrzSpecimen[1:], []string{"starts with P, but this one starts with X"}},

		// Each check digit wrong in turn: the message names that field, not the composite.
		{"passport number check digit", mrzSet(mrzSpecimen, 2, 10, '7'),
			[]string{"check digit of the passport number (line 2, column 10) does not match (MRZ says 7, the digits give 6)", "re-scan"}},
		{"passport number misread", mrzSet(mrzSpecimen, 2, 2, '3'), []string{"check digit of the passport number", "MRZ says 6, the digits give 1"}},
		{"check digit not a digit", mrzSet(mrzSpecimen, 2, 10, 'A'), []string{"passport number", "MRZ says A"}},
		{"date of birth check digit", mrzSet(mrzSpecimen, 2, 20, '3'),
			[]string{"check digit of the date of birth (line 2, column 20) does not match (MRZ says 3, the digits give 2)"}},
		{"date of birth misread", mrzSet(mrzSpecimen, 2, 19, '3'), []string{"check digit of the date of birth"}},
		{"expiry check digit", mrzSet(mrzSpecimen, 2, 28, '8'),
			[]string{"check digit of the expiry date (line 2, column 28) does not match (MRZ says 8, the digits give 9)"}},
		{"personal number check digit", mrzSet(mrzSpecimen, 2, 43, '2'),
			[]string{"check digit of the personal number (line 2, column 43) does not match (MRZ says 2, the digits give 1)"}},
		{"personal number check digit < while the number is given", mrzSet(mrzSpecimen, 2, 43, '<'),
			[]string{"check digit of the personal number", "MRZ says <, the digits give 1"}},
		{"composite check digit", mrzSet(mrzSpecimen, 2, 44, '1'),
			[]string{"final check digit, over the whole of line 2 (line 2, column 44) does not match (MRZ says 1, the digits give 0)"}},

		{"month 13", built("ERIKSSON<<ANNA", "741332", "F", "120415"), []string{`date of birth in line 2, columns 14-19 ("741332", YYMMDD) is not a real date`}},
		{"31 April expiry", built("ERIKSSON<<ANNA", "740812", "F", "120431"), []string{`expiry date in line 2, columns 22-27 ("120431", YYMMDD) is not a real date`}},
		{"29 February of a common year", built("ERIKSSON<<ANNA", "030229", "F", "120415"), []string{"date of birth", "not a real date"}},
		{"day 0", built("ERIKSSON<<ANNA", "740800", "F", "120415"), []string{"date of birth", "not a real date"}},
		{"unknown day of birth", built("ERIKSSON<<ANNA", "7408<<", "F", "120415"), []string{`date of birth in line 2, columns 14-19 is "7408<<", not a full date`, "by hand"}},
		{"letters in expiry", built("ERIKSSON<<ANNA", "740812", "F", "12O415"), []string{`expiry date in line 2, columns 22-27 is "12O415", but a date there is six digits YYMMDD`}},
		{"sex A", built("ERIKSSON<<ANNA", "740812", "A", "120415"), []string{`sex in line 2, column 21 is "A"`, "M, F or <"}},
		{"sex X (the MRZ writes <)", built("ERIKSSON<<ANNA", "740812", "X", "120415"), []string{`sex in line 2, column 21 is "X"`}},
		{"no surname", built("<<ANNA<MARIA", "740812", "F", "120415"), []string{"surname", "is empty"}},
		{"empty name", built("", "740812", "F", "120415"), []string{"surname", "is empty"}},
		{"digit in name", built("ERIKSS0N<<ANNA", "740812", "F", "120415"), []string{"digit 0 at column 12", "letter O"}},
		{"digit in issuing state", strings.Replace(mrzSpecimen, "P<UTO", "P<U7O", 1), []string{`issuing state in line 1, columns 3-5 is "U7O"`}},
		{"no nationality", mrzTestBuild("P", "UTO", "ERIKSSON", "L898902C3", "", "740812", "F", "120415", ""), []string{`nationality in line 2, columns 11-13 is "<<<"`}},
		{"no passport number", mrzTestBuild("P", "UTO", "ERIKSSON", "", "UTO", "740812", "F", "120415", ""), []string{"passport number", "empty"}},
		{"filler inside the passport number", mrzTestBuild("P", "UTO", "ERIKSSON", "L89<902C3", "UTO", "740812", "F", "120415", ""), []string{"passport number", "filler < inside"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseMRZ(c.in, mrzToday)
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID {
				t.Fatalf("ParseMRZ = %+v, %v; want an EINVALID *Error", m, err)
			}
			if m != (MRZ{}) {
				t.Errorf("ParseMRZ returned %+v with its error", m)
			}
			for _, w := range c.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q does not contain %q", e.Message, w)
				}
			}
		})
	}
}

func TestParseMRZCentury(t *testing.T) {
	for _, c := range []struct {
		dob, exp         string
		today            Date
		wantDOB, wantExp Date
	}{
		{"740812", "120415", mrzToday, Date{1974, 8, 12}, Date{2012, 4, 15}},
		{"261120", "761120", mrzToday, Date{2026, 11, 20}, Date{2076, 11, 20}}, // born today; expiry exactly 50 years ahead
		{"261121", "761121", mrzToday, Date{1926, 11, 21}, Date{1976, 11, 21}}, // a day later: last century
		{"000229", "991231", mrzToday, Date{2000, 2, 29}, Date{1999, 12, 31}},
		{"991231", "000101", mrzToday, Date{1999, 12, 31}, Date{2000, 1, 1}},
		{"050101", "540601", Date{2004, 6, 1}, Date{1905, 1, 1}, Date{2054, 6, 1}},
		{"050101", "540602", Date{2004, 6, 1}, Date{1905, 1, 1}, Date{1954, 6, 2}},
		{"050101", "550101", Date{2005, 1, 1}, Date{2005, 1, 1}, Date{2055, 1, 1}},
		{"200101", "600101", Date{2009, 12, 31}, Date{1920, 1, 1}, Date{1960, 1, 1}},
	} {
		in := mrzTestBuild("P", "UTO", "ERIKSSON<<ANNA", "L898902C3", "UTO", c.dob, "F", c.exp, "")
		m, err := ParseMRZ(in, c.today)
		if err != nil {
			t.Errorf("born %s, expires %s, on %s: %v", c.dob, c.exp, c.today, err)
		} else if m.DateOfBirth != c.wantDOB || m.Expiry != c.wantExp {
			t.Errorf("born %s, expires %s, on %s: got %s and %s, want %s and %s", c.dob, c.exp, c.today, m.DateOfBirth, m.Expiry, c.wantDOB, c.wantExp)
		}
	}
}

func TestMRZFullName(t *testing.T) {
	for _, c := range []struct {
		m    MRZ
		want string
	}{
		{mrzSpecimenWant, "Anna Maria Eriksson"},
		{MRZ{Surname: "VAN DER BERG", GivenNames: "JAN PIETER"}, "Jan Pieter Van Der Berg"},
		{MRZ{Surname: "GARCIA"}, "Garcia"},
		{MRZ{Surname: "O", GivenNames: "X AE"}, "X Ae O"},
		{MRZ{Surname: "ÉLODIE", GivenNames: "ÅSA"}, "Åsa Élodie"}, // not from an MRZ, but must not split a letter
		{MRZ{}, ""},
	} {
		if got := c.m.FullName(); got != c.want {
			t.Errorf("FullName(%q, %q) = %q, want %q", c.m.GivenNames, c.m.Surname, got, c.want)
		}
	}
}

func TestMRZExpiryWarning(t *testing.T) {
	m := mrzSpecimenWant
	for _, c := range []struct {
		expiry Date
		want   string
	}{
		{Date{2012, 4, 15}, "passport L898902C3 expired on 2012-04-15: ask for a valid passport"},
		{mrzToday.AddDays(-1), "passport L898902C3 expired on 2026-11-19: ask for a valid passport"},
		{mrzToday, "passport L898902C3 expires on 2026-11-20, within six months: ask whether it is being renewed"},
		{Date{2027, 3, 1}, "passport L898902C3 expires on 2027-03-01, within six months: ask whether it is being renewed"},
		{Date{2027, 5, 19}, "passport L898902C3 expires on 2027-05-19, within six months: ask whether it is being renewed"},
		{Date{2027, 5, 20}, ""},
		{Date{2031, 6, 30}, ""},
		{Date{}, ""},
	} {
		m.Expiry = c.expiry
		if got := m.ExpiryWarning(mrzToday); got != c.want {
			t.Errorf("ExpiryWarning with expiry %s = %q, want %q", c.expiry, got, c.want)
		}
	}
}
