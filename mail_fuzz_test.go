package fieldprint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzParseMessage: whatever the bytes, ParseMessage answers (a message or
// an EINVALID refusal) without a panic, within its limits, and what it
// gives a clerk is valid text and attachments SniffFile accepted.
// Seeds: testdata/mail (realistic and hostile messages) and
// testdata/fuzz/FuzzParseMessage (inputs the fuzzer found, kept).
func FuzzParseMessage(f *testing.F) {
	entries, err := os.ReadDir(mailDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if data, err := os.ReadFile(filepath.Join(mailDir, e.Name())); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte("From: a@b.c\r\nSubject: =?gb2312?B?zfW3vA==?=\r\n\r\nIOE0912345678"))
	f.Add([]byte("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: c@d.e\nContent-Type: text/html\n\n<p>x</p>\n--b--\n"))
	f.Add([]byte("From: a@b.c\nContent-Type: text/plain; format=flowed; delsp=yes\n\n hello \nworld\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMessage("fuzz.eml", data)
		if err != nil {
			if ErrorCode(err) != EINVALID || m != nil {
				t.Fatalf("refusal %v (code %s) with message %v", err, ErrorCode(err), m != nil)
			}
			return
		}
		if !utf8.ValidString(m.Text) || len(m.Text) > MaxMessageText || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.FromName) {
			t.Fatalf("text not valid or too long: %d bytes", len(m.Text))
		}
		if len(m.Parts) > MaxMessageParts {
			t.Fatalf("%d parts", len(m.Parts))
		}
		for _, p := range m.Parts {
			if p.Name == "" || !utf8.ValidString(p.Name) || strings.IndexFunc(p.Name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
				t.Fatalf("part name %q", p.Name)
			}
			if p.Refused != nil {
				if ErrorCode(p.Refused) != EINVALID || p.Data != nil {
					t.Fatalf("%s refused (%v) but kept %d bytes", p.Name, p.Refused, len(p.Data))
				}
				continue
			}
			if _, err := SniffFile(p.Name, p.Data, MaxAttachmentBytes); err != nil {
				t.Fatalf("%s accepted but SniffFile refuses it: %v", p.Name, err)
			}
		}
		d := DraftFromMessage(m, time.UTC, Date{2026, 11, 20})
		if utf8.RuneCountInString(d.Input.Basis) > maxTextLen || !utf8.ValidString(d.Input.Basis) {
			t.Fatalf("basis of %d characters", utf8.RuneCountInString(d.Input.Basis))
		}
		d.Input.Parse(Date{2026, 11, 20})
		SuggestItems(m, IntakeItems(d.Input, Date{2026, 11, 20}))
	})
}

// FuzzHTMLText: any HTML becomes valid text (for valid input) without the
// content of a script or style, in linear time.
func FuzzHTMLText(f *testing.F) {
	f.Add(`<p>a &amp; b</p><script>alert("<p>x</p>")</script>c`)
	f.Add(`<style>p{}</style><!-- <b>no</b> -->yes &lt;3 a < b <a href="x>y">`)
	f.Add(`<![CDATA[raw]]><svg><script>x</script></svg>&#x597d;`)
	f.Fuzz(func(t *testing.T, s string) {
		out := HTMLText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input")
		}
	})
}
