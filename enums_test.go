package fieldprint

import (
	"strings"
	"testing"
)

func TestParseCategory(t *testing.T) {
	tests := []struct {
		in   string
		want Category
	}{
		{"military", CategoryMilitary}, {"Military", CategoryMilitary}, {"MILITARY (naturalization)", CategoryMilitary},
		{"INA 328", CategoryMilitary}, {"Active duty", CategoryMilitary},
		{"319b", Category319b}, {"INA 319(b)", Category319b}, {"319(b)", Category319b},
		{"INA 319(b) expedited naturalization", Category319b},
		{"adoption", CategoryAdoption}, {"Adoptive parents", CategoryAdoption}, {"Prospective adoptive parents", CategoryAdoption},
		{"other", CategoryOther}, {"All others", CategoryOther}, {"All others (director's discretion)", CategoryOther},
		{"  all-others ", CategoryOther},
	}
	for _, tt := range tests {
		got, err := ParseCategory(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCategory(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// Every label and short label parses back to its category.
	for _, c := range Categories {
		for _, s := range []string{string(c), c.Label(), c.Short()} {
			if got, err := ParseCategory(s); err != nil || got != c {
				t.Errorf("ParseCategory(%q) = %q, %v; want %q", s, got, err, c)
			}
		}
		if !c.Valid() {
			t.Errorf("%q not valid", c)
		}
	}
	for _, bad := range []string{"", "tourist", "319", "INA 319(e)x", "militaryy"} {
		if got, err := ParseCategory(bad); err == nil || ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "military, 319b, adoption or other") {
			t.Errorf("ParseCategory(%q) = %q, %v; want EINVALID listing the categories", bad, got, err)
		}
	}
	if Category("x").Valid() {
		t.Error(`Category("x").Valid()`)
	}
}

func TestParseNoticeType(t *testing.T) {
	tests := []struct {
		in   string
		want NoticeType
	}{
		{"receipt", NoticeReceipt}, {"Receipt notice", NoticeReceipt}, {"I-797C", NoticeReceipt},
		{"rfe", NoticeRFE}, {"Request for Evidence", NoticeRFE}, {"I-797E", NoticeRFE},
		{"appointment", NoticeAppointment}, {"Biometric appointment notice", NoticeAppointment},
		{"Biometrics appointment notice", NoticeAppointment},
	}
	for _, tt := range tests {
		got, err := ParseNoticeType(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseNoticeType(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, n := range NoticeTypes {
		if got, err := ParseNoticeType(n.Label()); err != nil || got != n {
			t.Errorf("ParseNoticeType(%q) = %q, %v", n.Label(), got, err)
		}
	}
	if _, err := ParseNoticeType("passport"); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "receipt, rfe or appointment") {
		t.Errorf("ParseNoticeType(passport): %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		for _, in := range []string{string(s), strings.ToUpper(string(s)), s.Label(), " " + strings.ToLower(s.Label()) + " "} {
			if got, err := ParseStatus(in); err != nil || got != s {
				t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, s)
			}
		}
	}
	if _, err := ParseStatus("closed"); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "awaiting-documents") {
		t.Errorf("ParseStatus(closed): %v", err)
	}
	if _, err := ParseStatus(""); err == nil {
		t.Error("ParseStatus(\"\") accepted")
	}
}
