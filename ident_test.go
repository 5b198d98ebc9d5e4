package fieldprint

import (
	"strings"
	"testing"
)

func TestParseReceiptNumber(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    ReceiptNumber
		warn    bool     // a non-empty warning is expected
		errHint []string // the error message must contain each of these (case-insensitive)
	}{
		{name: "canonical", in: "IOE0912345678", want: "IOE0912345678"},
		{name: "lower case with dashes", in: "ioe-09-123-45678", want: "IOE0912345678"},
		{name: "spaces", in: "  IOE 091 234 5678  ", want: "IOE0912345678"},
		{name: "mixed separators", in: "Eac - 21 - 903 - 12345", want: "EAC2190312345"},
		{name: "every known prefix: WAC", in: "wac2190312345", want: "WAC2190312345"},
		{name: "every known prefix: YSC", in: "YSC2190312345", want: "YSC2190312345"},
		{name: "known prefix, year-like digits is not a State case", in: "LIN2018123456", want: "LIN2018123456"},
		{name: "unknown prefix is a warning", in: "ABC0912345678", want: "ABC0912345678", warn: true},
		{name: "unknown prefix lower case", in: "abc-09-123-45678", want: "ABC0912345678", warn: true},

		{name: "empty", in: "", errHint: []string{"empty", "IOE0912345678"}},
		{name: "blank", in: "   ", errHint: []string{"empty"}},
		{name: "Department of State case number", in: "GUZ2018123456", errHint: []string{"Department of State", "GUZ", "2018", "I-797"}},
		{name: "State case number typed with dashes", in: "guz-2018-123456", errHint: []string{"Department of State"}},
		{name: "too short", in: "IOE091234567", errHint: []string{"9 digits", "exactly 10"}},
		{name: "too long", in: "IOE09123456789", errHint: []string{"11 digits", "exactly 10"}},
		{name: "letters only", in: "IOE", errHint: []string{"10 digits"}},
		{name: "two letters", in: "IO0912345678", errHint: []string{"3 letters"}},
		{name: "digits only", in: "0912345678123", errHint: []string{"3 letters"}},
		{name: "letter O for zero", in: "IOEO912345678", errHint: []string{"letter O", "zero"}},
		{name: "letter O for zero, lower case", in: "ioe-o9-123-45678", errHint: []string{"letter O"}},
		{name: "punctuation", in: "IOE.0912345678", errHint: []string{"letters and digits"}},
		{name: "slash", in: "IOE/0912345678", errHint: []string{"letters and digits"}},

		// Look-alikes must be refused, not folded into another number.
		{name: "long s U+017F", in: "IOE0912345678ſ", errHint: []string{"U+017F", "retype"}},
		{name: "long s as prefix letter", in: "ſRC0912345678", errHint: []string{"U+017F"}},
		{name: "full-width", in: "ＩＯＥ０９１２３４５６７８", errHint: []string{"U+FF29", "retype"}},
		{name: "full-width digits only", in: "IOE０９１２３４５６７８", errHint: []string{"U+FF10"}},
		{name: "non-breaking space inside", in: "IOE09\u00a012345678", errHint: []string{"U+00A0"}},
		{name: "zero-width space inside", in: "IOE09\u200b12345678", errHint: []string{"U+200B"}},
		{name: "byte order mark", in: "\ufeffIOE0912345678", errHint: []string{"U+FEFF"}},
		{name: "Arabic-Indic digits", in: "IOE٠٩١٢٣٤٥٦٧٨", errHint: []string{"U+0660"}},
		{name: "Cyrillic O", in: "IОE0912345678", errHint: []string{"U+041E"}},
		{name: "Kelvin sign", in: "\u212aSC0912345678", errHint: []string{"U+212A"}},
		{name: "invalid UTF-8", in: "IOE09\xff12345678", errHint: []string{"U+FFFD"}},
		{name: "NUL", in: "IOE09\x0012345678", errHint: []string{"U+0000"}},
		{name: "newline inside", in: "IOE09\n12345678", errHint: []string{"U+000A"}},
		{name: "tab inside", in: "MSC\t2190312345", errHint: []string{"U+0009"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warn, err := ParseReceiptNumber(tt.in)
			if tt.errHint != nil {
				if err == nil {
					t.Fatalf("ParseReceiptNumber(%q) = %q, %q, nil; want an error", tt.in, got, warn)
				}
				if c := ErrorCode(err); c != EINVALID {
					t.Errorf("ErrorCode = %q, want %q (err %v)", c, EINVALID, err)
				}
				if got != "" || warn != "" {
					t.Errorf("on error got %q, warning %q; want both empty", got, warn)
				}
				msg := ErrorMessage(err)
				for _, h := range tt.errHint {
					if !strings.Contains(strings.ToLower(msg), strings.ToLower(h)) {
						t.Errorf("message %q does not contain %q", msg, h)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReceiptNumber(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseReceiptNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.warn {
				if warn == "" {
					t.Errorf("ParseReceiptNumber(%q): no warning for an unknown prefix", tt.in)
				} else if !strings.Contains(warn, string(got[:3])) {
					t.Errorf("warning %q does not name the prefix %s", warn, got[:3])
				}
			} else if warn != "" {
				t.Errorf("ParseReceiptNumber(%q): unexpected warning %q", tt.in, warn)
			}
		})
	}
}

// Every known prefix parses without warning, whatever its case.
func TestParseReceiptNumberKnownPrefixes(t *testing.T) {
	if len(KnownReceiptPrefixes) != 12 {
		t.Errorf("KnownReceiptPrefixes has %d entries, DOMAIN.md lists 12", len(KnownReceiptPrefixes))
	}
	for _, p := range []string{"EAC", "VSC", "WAC", "CSC", "LIN", "NSC", "SRC", "TSC", "MSC", "NBC", "IOE", "YSC"} {
		for _, in := range []string{p + "2190312345", strings.ToLower(p) + "-21-903-12345", p + "2018123456"} {
			want := ReceiptNumber(strings.ToUpper(strings.ReplaceAll(in, "-", "")))
			got, warn, err := ParseReceiptNumber(in)
			if err != nil || warn != "" || got != want {
				t.Errorf("ParseReceiptNumber(%q) = %q, %q, %v; want %q without warning", in, got, warn, err, want)
			}
		}
	}
}

func TestParseReceiptNumberCanonicalIsFixedPoint(t *testing.T) {
	for _, in := range []string{"ioe-09-123-45678", "ABC0912345678", " eac 2190312345 "} {
		rn, _, err := ParseReceiptNumber(in)
		if err != nil {
			t.Fatalf("ParseReceiptNumber(%q): %v", in, err)
		}
		again, _, err := ParseReceiptNumber(string(rn))
		if err != nil || again != rn {
			t.Errorf("ParseReceiptNumber(%q) = %q, %v; want %q", rn, again, err, rn)
		}
	}
}

func TestParseANumber(t *testing.T) {
	tests := []struct {
		in      string
		want    ANumber
		errHint []string
	}{
		{in: "A012345678", want: "A012345678"},
		{in: "A12345678", want: "A012345678"},
		{in: "a12345678", want: "A012345678"},
		{in: "a-012-345-678", want: "A012345678"},
		{in: "A-012-345-678", want: "A012345678"},
		{in: "A 012 345 678", want: "A012345678"},
		{in: "012345678", want: "A012345678"},
		{in: "12345678", want: "A012345678"},
		{in: "1234567", want: "A001234567"},
		{in: "A1234567", want: "A001234567"},
		{in: "A123456789", want: "A123456789"},
		{in: "123-456-789", want: "A123456789"},
		{in: "  A 98765432  ", want: "A098765432"},
		{in: "A0000001", want: "A000000001"},

		{in: "", errHint: []string{"empty", "A012345678"}},
		{in: "  ", errHint: []string{"empty"}},
		{in: "A123456", errHint: []string{"6 digits", "7 to 9"}},
		{in: "123456", errHint: []string{"6 digits", "7 to 9"}},
		{in: "A1234567890", errHint: []string{"10 digits", "7 to 9"}},
		{in: "1234567890", errHint: []string{"10 digits"}},
		{in: "A", errHint: []string{"7 to 9"}},
		{in: "A000000000", errHint: []string{"A000000000", "not a real"}},
		{in: "A0000000", errHint: []string{"not a real"}},
		{in: "000-000-000", errHint: []string{"not a real"}},
		{in: "AA12345678", errHint: []string{"7 to 9"}},
		{in: "B12345678", errHint: []string{"7 to 9"}},
		{in: "A12345678X", errHint: []string{"7 to 9"}},
		{in: "A1234O678", errHint: []string{"7 to 9"}},
		{in: "A12345678A", errHint: []string{"7 to 9"}},
		{in: "Ａ０１２３４５６７８", errHint: []string{"U+FF21", "retype"}},
		{in: "A０１２３４５６７８", errHint: []string{"U+FF10"}},
		{in: "A012\u00a0345678", errHint: []string{"U+00A0"}},
		{in: "A012\u200b345678", errHint: []string{"U+200B"}},
		{in: "A٠١٢٣٤٥٦٧٨", errHint: []string{"U+0660"}},
		{in: "А012345678", errHint: []string{"U+0410"}}, // Cyrillic A
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseANumber(tt.in)
			if tt.errHint != nil {
				if err == nil {
					t.Fatalf("ParseANumber(%q) = %q, nil; want an error", tt.in, got)
				}
				if c := ErrorCode(err); c != EINVALID {
					t.Errorf("ErrorCode = %q, want %q", c, EINVALID)
				}
				if got != "" {
					t.Errorf("on error got %q, want empty", got)
				}
				msg := ErrorMessage(err)
				for _, h := range tt.errHint {
					if !strings.Contains(strings.ToLower(msg), strings.ToLower(h)) {
						t.Errorf("message %q does not contain %q", msg, h)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseANumber(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseANumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again, err := ParseANumber(string(got)); err != nil || again != got {
				t.Errorf("ParseANumber(%q) = %q, %v; not a fixed point", got, again, err)
			}
			if again, err := ParseANumber(got.Display()); err != nil || again != got {
				t.Errorf("ParseANumber(Display %q) = %q, %v", got.Display(), again, err)
			}
		})
	}
}

func TestANumberDisplay(t *testing.T) {
	tests := []struct {
		a    ANumber
		want string
	}{
		{"A012345678", "A-012-345-678"},
		{"A123456789", "A-123-456-789"},
		{"A000000001", "A-000-000-001"},
		{"", ""},             // not given
		{"A12345", "A12345"}, // not canonical: shown as stored
		{"A01234567890", "A01234567890"},
	}
	for _, tt := range tests {
		if got := tt.a.Display(); got != tt.want {
			t.Errorf("ANumber(%q).Display() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "FP-2026-00042", want: "FP-2026-00042"},
		{in: "fp 2026 42", want: "FP-2026-00042"},
		{in: "fp-2026-42", want: "FP-2026-00042"},
		{in: "2026-42", want: "FP-2026-00042"},
		{in: " FP2026-00008 ", want: "FP-2026-00008"}, // leading zeros are not octal
		{in: "FP-2026-00010", want: "FP-2026-00010"},
		{in: "FP-2026-123456", want: "FP-2026-123456"}, // more than 99999 a year still works
		{in: "", bad: true},
		{in: "FP", bad: true},
		{in: "FP-2026", bad: true},
		{in: "FP-2026-0", bad: true},
		{in: "FP-2026-00000", bad: true},
		{in: "FP-1999-00042", bad: true},
		{in: "FP-2026-x42", bad: true},
		{in: "IOE0912345678", bad: true},
		{in: "FP-2026-99999999999999999999999", bad: true},
		{in: "FP-２０２６-42", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseNumber(%q) = %q, want an error", tt.in, got)
			} else if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "FP-2026-00042") {
				t.Errorf("ParseNumber(%q): error %q (code %s) should be EINVALID and show an example", tt.in, err, ErrorCode(err))
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if got := FormatNumber(2026, 42); got != "FP-2026-00042" {
		t.Errorf("FormatNumber(2026, 42) = %q", got)
	}
}

func TestErrorHelpers(t *testing.T) {
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Error("nil error must have no code and no message")
	}
	foreign := strings.NewReader("").UnreadByte() // a non-domain error
	if foreign == nil {
		t.Fatal("expected a foreign error")
	}
	if ErrorCode(foreign) != EINTERNAL {
		t.Errorf("foreign error code = %q, want %q", ErrorCode(foreign), EINTERNAL)
	}
	if m := ErrorMessage(foreign); strings.Contains(m, foreign.Error()) {
		t.Errorf("foreign error text leaked to the user: %q", m)
	}
	wrapped := Internal("saving failed", foreign)
	if ErrorCode(wrapped) != EINTERNAL || ErrorMessage(wrapped) != "saving failed" {
		t.Errorf("Internal: code %q message %q", ErrorCode(wrapped), ErrorMessage(wrapped))
	}

	var fe FieldErrors
	if fe.Err() != nil {
		t.Error("no field errors must give a nil error")
	}
	fe.Add(FieldEmail, "bad %s", "address")
	fe.Add(FieldPhone, "too short")
	fe.Add(FieldEmail, "second")
	err := fe.Err()
	if ErrorCode(err) != EINVALID {
		t.Errorf("FieldErrors.Err code = %q", ErrorCode(err))
	}
	if want := "email: bad address (and 2 more)"; ErrorMessage(err) != want {
		t.Errorf("message = %q, want %q", ErrorMessage(err), want)
	}
	if got := fe.For(FieldEmail); len(got) != 2 || got[0] != "bad address" || got[1] != "second" {
		t.Errorf("For(email) = %q", got)
	}
	if got := fe.Error(); got != "email: bad address; phone: too short; email: second" {
		t.Errorf("FieldErrors.Error() = %q", got)
	}
}
