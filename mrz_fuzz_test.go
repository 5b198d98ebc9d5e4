package fieldprint

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var mrzFieldRE = regexp.MustCompile(`^[A-Z0-9 ]*$`)

func FuzzParseMRZ(f *testing.F) {
	for _, s := range []string{
		mrzSpecimen,
		mrzSpecimen1 + "\r\n" + mrzSpecimen2 + "\r\n",
		mrzSpecimen1 + mrzSpecimen2,
		strings.ToLower(mrzSpecimen),
		" \t" + mrzSpecimen1 + " " + mrzSpecimen2 + "\n",
		"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4",
		mrzTestBuild("PD", "NLD", "VAN<DER<BERG<<JAN<PIETER<WILLEM<MARIA", "XN01B2C34", "NLD", "040229", "<", "310630", "123456782"),
		mrzTestBuild("P", "UTO", "ERIKSSON<<ANNA", "L898902C3", "UTO", "741332", "F", "120415", ""),
		mrzTestBuild("P", "UTO", "<<ANNA", "L898902C3", "UTO", "7408<<", "X", "120415", ""),
		mrzSet(mrzSpecimen, 2, 10, '7'),
		mrzSet(mrzSpecimen, 2, 44, '1'),
		mrzSet(mrzSpecimen, 2, 43, '<'),
		mrzSpecimen2 + "\n" + mrzSpecimen1,
		"V" + mrzSpecimen[1:],
		"I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
		strings.Replace(mrzSpecimen, "ERIKSSON", "ÉRIKSSON", 1),
		"\ufeff" + mrzSpecimen,
		mrzSpecimen[:len(mrzSpecimen)-1] + "\xff",
		"", " ", "\n", "P", strings.Repeat("<", 88), strings.Repeat("P", 88), strings.Repeat("0", 88),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mrzFuzzCheck(t, s)
		// Random bytes almost never get all five check digits right; fixing
		// them lets the fuzzer reach the checks on dates, sex and names too.
		if fixed, ok := mrzFixCheckDigits(s); ok {
			mrzFuzzCheck(t, fixed)
		}
	})
}

// mrzFixCheckDigits returns s as two lines with its check digits recomputed by
// the test's own helper, when s is 88 characters of the MRZ alphabet.
func mrzFixCheckDigits(s string) (string, bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) != 88 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") != "" {
		return "", false
	}
	l2 := []byte(s[44:])
	l2[9] = mrzTestCheck(string(l2[0:9]))
	l2[19] = mrzTestCheck(string(l2[13:19]))
	l2[27] = mrzTestCheck(string(l2[21:27]))
	l2[42] = mrzTestCheck(string(l2[28:42]))
	l2[43] = mrzTestCheck(string(l2[0:10]) + string(l2[13:20]) + string(l2[21:43]))
	return s[:44] + "\n" + string(l2), true
}

// mrzFuzzCheck parses s and checks the properties that hold for any input.
func mrzFuzzCheck(t *testing.T, s string) {
	t.Helper()
	m, err := ParseMRZ(s, mrzToday)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || e.Message == "" {
			t.Fatalf("ParseMRZ(%q): error %#v is not an EINVALID *Error with a message", s, err)
		}
		if m != (MRZ{}) {
			t.Errorf("ParseMRZ(%q) = %+v with error %v", s, m, err)
		}
		return
	}
	for name, v := range map[string]string{
		"DocumentCode": m.DocumentCode, "IssuingState": m.IssuingState, "Surname": m.Surname, "GivenNames": m.GivenNames,
		"PassportNumber": m.PassportNumber, "Nationality": m.Nationality, "Sex": m.Sex, "PersonalNumber": m.PersonalNumber,
	} {
		if !mrzFieldRE.MatchString(v) || strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ") || strings.Contains(v, "  ") {
			t.Errorf("ParseMRZ(%q): %s = %q, not words of A-Z and 0-9", s, name, v)
		}
	}
	if m.Surname == "" || m.PassportNumber == "" || !strings.HasPrefix(m.DocumentCode, "P") || !strings.Contains("FMX", m.Sex) || len(m.Sex) != 1 {
		t.Errorf("ParseMRZ(%q) = %+v: a required field is missing", s, m)
	}
	for _, d := range []Date{m.DateOfBirth, m.Expiry} {
		if d.IsZero() || DateOf(d.Time()) != d || d.Y < 1900 || d.Y > 2099 {
			t.Errorf("ParseMRZ(%q): %v is not a valid date", s, d)
		}
	}
	if m.DateOfBirth.After(mrzToday) {
		t.Errorf("ParseMRZ(%q): born %s, after today %s", s, m.DateOfBirth, mrzToday)
	}
	// What was accepted is 88 characters, and the fields come from where ICAO puts them.
	flat := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	yymmdd := func(d Date) string { return fmt.Sprintf("%02d%02d%02d", d.Y%100, d.M, d.D) }
	if len(flat) != 88 || flat[44:44+len(m.PassportNumber)] != m.PassportNumber ||
		flat[57:63] != yymmdd(m.DateOfBirth) || flat[65:71] != yymmdd(m.Expiry) ||
		len(m.IssuingState) > 3 || len(m.Nationality) > 3 || len(m.DocumentCode) > 2 {
		t.Errorf("ParseMRZ(%q) = %+v: fields do not match the input", s, m)
	}
	if again, err := ParseMRZ(s, mrzToday); err != nil || again != m {
		t.Errorf("ParseMRZ(%q) a second time = %+v, %v; first %+v", s, again, err, m)
	}
	_ = m.FullName()
	_ = m.ExpiryWarning(mrzToday)
}
