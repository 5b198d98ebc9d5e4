package fieldprint

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// An office profile is read like the CSV import: a UTF-8 byte-order mark (as
// Notepad writes) is stripped, and text that is not UTF-8 is refused with
// its place rather than read with U+FFFD in the letterhead.
func TestParseProfileTextEncoding(t *testing.T) {
	b, _ := json.MarshalIndent(Profile{Office{Name: "USCIS Nairobi Field Office", Address: "Gigiri\nNairobi", Signatory: "José Müller"}, DefaultScheduling()}, "", "  ")
	if p, err := ParseProfile(append([]byte("\ufeff"), b...)); err != nil || p.Signatory != "José Müller" {
		t.Errorf("with a byte-order mark: %v", err)
	}
	latin1 := strings.Replace(string(b), "José", "Jos\xe9", 1)
	at := strings.Index(latin1, "\xe9")
	line := strings.Count(latin1[:at], "\n") + 1
	for _, c := range []struct{ name, in, msg string }{
		{"Latin-1", latin1, "the profile file is not UTF-8 text: line " + strconv.Itoa(line) + ", column 20 (byte " + strconv.Itoa(at+1) + ")"},
		{"Latin-1 after a byte-order mark", "\ufeff" + latin1, "line " + strconv.Itoa(line) + ", column 20 (byte " + strconv.Itoa(at+1+3) + ")"},
		{"UTF-16", "\xff\xfe{\x00}\x00", "UTF-16"},
		{"a lone byte", "{\"name\": \"\x80\"}", "line 1, column 11 (byte 11) holds the byte 0x80"},
	} {
		_, err := ParseProfile([]byte(c.in))
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}
