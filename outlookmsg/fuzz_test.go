package outlookmsg

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	fp "github.com/fieldprint/fieldprint"
)

// FuzzParseMsg: whatever the bytes, Parse answers (a message or an
// EINVALID refusal) without a panic (mscfb's included: one caught is a
// failure here), within the limits, and what it gives a clerk is valid text
// and attachments SniffFile accepted. Seeds: the .msg files of
// testdata/mail (Outlook's, made ones and hostile ones) and
// testdata/fuzz/FuzzParseMsg (inputs the fuzzer found, kept).
func FuzzParseMsg(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(mailDir, "*.msg"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) <= 32<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.msg", data)
		if err != nil {
			if fp.ErrorCode(err) != fp.EINVALID || m != nil {
				t.Fatalf("refusal %v (code %s) with message %v", err, fp.ErrorCode(err), m != nil)
			}
			if errors.Is(err, errPanic) {
				t.Fatalf("the compound-file reader panicked: %v", err)
			}
			return
		}
		if !utf8.ValidString(m.Text) || len(m.Text) > fp.MaxMessageText || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.FromName) {
			t.Fatalf("text not valid or too long: %d bytes", len(m.Text))
		}
		if len(m.Parts) > fp.MaxMessageParts {
			t.Fatalf("%d parts", len(m.Parts))
		}
		for _, p := range m.Parts {
			if p.Name == "" || !utf8.ValidString(p.Name) || strings.IndexFunc(p.Name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
				t.Fatalf("part name %q", p.Name)
			}
			if p.Refused != nil {
				if fp.ErrorCode(p.Refused) != fp.EINVALID || p.Data != nil {
					t.Fatalf("%s refused (%v) but kept %d bytes", p.Name, p.Refused, len(p.Data))
				}
				continue
			}
			if _, err := fp.SniffFile(p.Name, p.Data, fp.MaxAttachmentBytes); err != nil {
				t.Fatalf("%s accepted but SniffFile refuses it: %v", p.Name, err)
			}
		}
		d := fp.DraftFromMessage(m, time.UTC, today)
		d.Input.Parse(today)
		fp.SuggestItems(m, fp.IntakeItems(d.Input, today))
	})
}
