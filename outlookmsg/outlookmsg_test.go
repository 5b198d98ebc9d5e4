package outlookmsg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/htmlindex"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/internal/msgtest"
)

// mailDir is the e-mail corpus (made by mailCorpus in the root package,
// with the real Outlook files README.md there lists).
const mailDir = "../testdata/mail"

var (
	today = fp.Date{Y: 2026, M: 11, D: 20}
	zone  = func() *time.Location {
		l, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return time.FixedZone("CST", 8*3600)
		}
		return l
	}()
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mailDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, name string) *fp.Message {
	t.Helper()
	m, err := Parse(name, read(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// partsOf is "name=kind" for accepted parts and "name!" for refused ones.
func partsOf(m *fp.Message) string {
	var out []string
	for _, p := range m.Parts {
		if p.Refused != nil {
			out = append(out, p.Name+"!")
		} else {
			out = append(out, p.Name+"="+strings.TrimPrefix(strings.TrimPrefix(p.Info.Type, "image/"), "application/"))
		}
	}
	return strings.Join(out, ", ")
}

// A message saved by Outlook as .msg prefills the same request as the same
// message saved as .eml: the applicant, the date, the numbers, the guesses,
// the attachments and where they go.
func TestSameDraftAsEML(t *testing.T) {
	for _, c := range []struct {
		msg, eml string
		want     fp.RequestInput // the fields that matter, checked once more by hand
		parts    string
	}{
		{msg: "outlook.msg", eml: "outlook.eml",
			want:  fp.RequestInput{Received: "2026-11-04", Category: "adoption", ReceiptNumbers: "IOE-09-234-56789", ANumber: "098765432", FullName: "王芳", Email: "wang.fang@outlook.com", Phone: "+86 20 3814 5000"},
			parts: "image001.png=png, 王芳护照.jpg=jpeg, 收据通知 I-797C.pdf=pdf"},
		{msg: "outlook-ansi.msg", eml: "outlook.eml",
			want:  fp.RequestInput{Received: "2026-11-04", Category: "adoption", ReceiptNumbers: "IOE-09-234-56789", ANumber: "098765432", FullName: "王芳", Email: "wang.fang@outlook.com", Phone: "+86 20 3814 5000"},
			parts: "image001.png=png, 王芳护照.jpg=jpeg, 收据通知 I-797C.pdf=pdf"},
		{msg: "forwarded.msg", eml: "forwarded.eml",
			want:  fp.RequestInput{Received: "2026-11-17", Category: "adoption", ReceiptNumbers: "IOE0934567890", FullName: "Ana Souza", Email: "ana.souza@example.com.br"},
			parts: "notice.pdf=pdf"},
	} {
		t.Run(c.msg, func(t *testing.T) {
			m := parse(t, c.msg)
			e, err := fp.ParseMessage(c.eml, read(t, c.eml))
			if err != nil {
				t.Fatal(err)
			}
			dm, de := fp.DraftFromMessage(m, zone, today), fp.DraftFromMessage(e, zone, today)
			if !reflect.DeepEqual(dm.Input, de.Input) {
				t.Errorf("draft from the .msg\n got %+v\nwant %+v (from the .eml)", dm.Input, de.Input)
			}
			got := dm.Input
			got.Basis, got.NoticeType = "", ""
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("prefilled\n got %+v\nwant %+v", got, c.want)
			}
			if !reflect.DeepEqual(dm.GuessWords, de.GuessWords) || dm.NoticeGuess != de.NoticeGuess || !reflect.DeepEqual(dm.Filled, de.Filled) {
				t.Errorf("guesses %v %q, filled %v; the .eml's %v %q, %v", dm.GuessWords, dm.NoticeGuess, dm.Filled, de.GuessWords, de.NoticeGuess, de.Filled)
			}
			if m.MessageID != e.MessageID || m.Sender() != e.Sender() || m.Subject != e.Subject || !m.Date.Equal(e.Date) ||
				m.ForwardedAddress != e.ForwardedAddress || m.ForwardedName != e.ForwardedName {
				t.Errorf("header fields differ:\n.msg %q %q %q %v fwd %q\n.eml %q %q %q %v fwd %q",
					m.MessageID, m.Sender(), m.Subject, m.Date, m.ForwardedAddress, e.MessageID, e.Sender(), e.Subject, e.Date, e.ForwardedAddress)
			}
			if p := partsOf(m); p != c.parts || p != partsOf(e) {
				t.Errorf("parts %q, want %q (the .eml: %q)", p, c.parts, partsOf(e))
			}
			for i := range m.Parts {
				if m.Parts[i].Inline != e.Parts[i].Inline || !bytes.Equal(m.Parts[i].Data, e.Parts[i].Data) {
					t.Errorf("part %s: inline %v data %d bytes; the .eml's %v, %d bytes", m.Parts[i].Name, m.Parts[i].Inline, len(m.Parts[i].Data), e.Parts[i].Inline, len(e.Parts[i].Data))
				}
			}
			items := fp.IntakeItems(dm.Input, today)
			if s, w := fp.SuggestItems(m, items), fp.SuggestItems(e, items); !reflect.DeepEqual(s, w) {
				t.Errorf("suggested items %q, the .eml's %q", s, w)
			}
			if !reflect.DeepEqual(m.Notes, e.Notes) {
				t.Errorf("notes %q, the .eml's %q", m.Notes, e.Notes)
			}
			if m.ImportKey() != e.ImportKey() {
				t.Errorf("import key %q, the .eml's %q: the same message could be taken in twice", m.ImportKey(), e.ImportKey())
			}
		})
	}
}

// Real messages saved by Outlook (testdata/mail/README.md says whose).
func TestRealOutlookFiles(t *testing.T) {
	for _, c := range []struct {
		file, from, subject, date, text, parts, note string
	}{
		{file: "real-attachments.msg", from: "Kees <peterpan@neverland.com>", subject: "This is the subject", date: "2016-12-03 18:08:54",
			text: "Hello Neverland text", parts: "peterpan.jpg=jpeg, tinkerbell.jpg=jpeg"},
		// 8-bit text in the message's code page (1252).
		{file: "real-cp1252.msg", from: "Julie Clarebots <Julie.Clarebots@qbere.com>",
			subject: "Un sujet bien défini Àéroport mañana être ouïe électricité così próxima à Ô", date: "2024-03-27 09:14:48",
			text: "Testing .msg subject encoding\n\n________________________\n\nJulie Clarebots"},
		{file: "real-russian.msg", date: "2023-10-04 13:28:39",
			text: "ввести  «Имя пользователя» (email) и  «Пароль» (password).", note: "the message has no sender"},
		// A message attached inside another, each with two PDFs.
		{file: "real-inner-message.msg", subject: "Outer mail", date: "2023-02-15 05:46:05", text: "Outer mail\n\nInner mail",
			parts: "OUTER 1.pdf=pdf, OUTER 2.pdf=pdf, INNER 1.pdf=pdf, INNER 2.pdf=pdf", note: `a forwarded message (subject "Inner mail") is inside`},
	} {
		t.Run(c.file, func(t *testing.T) {
			m := parse(t, c.file)
			if m.Sender() != c.from || m.Subject != c.subject || m.Date.UTC().Format(time.DateTime) != c.date || m.Text != c.text {
				t.Errorf("got from %q subject %q date %s text %q\nwant     %q         %q      %s      %q", m.Sender(), m.Subject, m.Date.UTC().Format(time.DateTime), m.Text, c.from, c.subject, c.date, c.text)
			}
			if p := partsOf(m); p != c.parts {
				t.Errorf("parts %q, want %q", p, c.parts)
			}
			notes := strings.Join(m.Notes, "\n")
			if c.note == "" && notes != "" || !strings.Contains(notes, c.note) {
				t.Errorf("notes %q, want %q", notes, c.note)
			}
		})
	}
	// The picture the HTML shows by its Content-ID is inline; the other is a document.
	m := parse(t, "real-attachments.msg")
	if m.Parts[0].Inline || !m.Parts[1].Inline {
		t.Errorf("inline: %v %v", m.Parts[0].Inline, m.Parts[1].Inline)
	}
}

// Damaged, hostile or other files: each a clear refusal or a clear note,
// never a crash, a hang or memory without bound.
func TestHostileMsg(t *testing.T) {
	const damaged = "is a damaged Outlook message"
	for _, c := range []struct {
		file, refused, parts, note string
	}{
		{file: "hostile-outlook.msg", refused: damaged},         // a signature and nothing else
		{file: "hostile-msg-truncated.msg", refused: damaged},   // cut in half
		{file: "hostile-msg-cyclic.msg", refused: damaged},      // the directory's sectors in a circle
		{file: "hostile-msg-huge-stream.msg", refused: damaged}, // a stream claiming 4 GB
		{file: "hostile-doc-renamed.msg", refused: "is a Word document (.doc), not a saved e-mail: if it is one of the applicant's documents, open it, save it as PDF"},
		{file: "hostile-msg-contact.msg", refused: "is an Outlook item of another kind (a contact card), not an e-mail"},
		{file: "outlook.eml", refused: "is not an Outlook message (.msg)"},
		// A stream whose sectors loop: read as far as it claims (within the file's size), then refused by the picture check.
		{file: "hostile-msg-loop.msg", parts: "scan.jpg!"},
		{file: "hostile-msg-nested.msg", note: "the message nests forwarded messages more than 8 deep"},
		{file: "hostile-msg-kinds.msg", parts: "I-797C.pdf!, Document!, smime.p7m!, passport.jpg!"},
	} {
		t.Run(c.file, func(t *testing.T) {
			m, err := Parse(c.file, read(t, c.file))
			if c.refused != "" {
				if err == nil || m != nil || fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), c.refused) {
					t.Fatalf("got %v (message %v), want a refusal with %q", err, m != nil, c.refused)
				}
				if errors.Is(err, errPanic) {
					t.Fatalf("the reader panicked: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := partsOf(m); c.parts != "" && p != c.parts {
				t.Errorf("parts %q, want %q", p, c.parts)
			}
			if !strings.Contains(strings.Join(m.Notes, "\n"), c.note) {
				t.Errorf("notes %q lack %q", m.Notes, c.note)
			}
		})
	}
	m := parse(t, "hostile-msg-kinds.msg")
	for i, want := range []string{"is only a link to a file kept elsewhere", "a document embedded in the text (an OLE object)", "the envelope of a digitally signed message", "is damaged or incomplete"} {
		if msg := fp.ErrorMessage(m.Parts[i].Refused); !strings.Contains(msg, want) {
			t.Errorf("%s refused with %q, want %q", m.Parts[i].Name, msg, want)
		}
	}
	if _, err := Parse("big.msg", make([]byte, fp.MaxMessageBytes+1)); !strings.Contains(fp.ErrorMessage(err), "over the 50 MB") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// More attachments than a message may have: the first 100 are read, the
// rest noted; many attachments sharing one stream's sectors are read only
// until the budget of decoded bytes is spent.
func TestMsgLimits(t *testing.T) {
	u := msgtest.Unicode
	file := func(name string, data []byte) msgtest.Attachment {
		return msgtest.Attachment{Props: []msgtest.Prop{msgtest.Int(0x3705, 1), u(0x3707, name), msgtest.Binary(0x3701, data)}}
	}
	many := &msgtest.Message{Props: []msgtest.Prop{u(0x001A, "IPM.Note"), u(0x0037, "many"), u(0x0C1A, "A"), u(0x5D01, "a@example.com")}}
	for i := range 150 {
		many.Attachments = append(many.Attachments, file(fmt.Sprintf("f%d.txt", i), []byte("x")))
	}
	m, err := Parse("many.msg", many.File())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parts) != fp.MaxMessageParts || !strings.Contains(strings.Join(m.Notes, "\n"), "more than 100 parts") {
		t.Errorf("%d parts, notes %q", len(m.Parts), m.Notes)
	}

	// 100 attachments of 1 MB each, all pointing at one 1 MB stream: 100 MB
	// to read from a file of 1 MB.
	shared := &msgtest.Message{Props: many.Props}
	shared.Attachments = append(shared.Attachments, file("big.bin", bytes.Repeat([]byte("scan"), 1<<18)))
	for i := range 99 {
		shared.Attachments = append(shared.Attachments, file(fmt.Sprintf("f%d.bin", i), bytes.Repeat([]byte("x"), 8192)))
	}
	data := msgtest.ShareStream(shared.File(), "__substg1.0_37010102")
	m, err = Parse("shared.msg", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parts) > 81 || !strings.Contains(strings.Join(m.Notes, "\n"), "holds more than 80 MB: the rest was not read") {
		t.Errorf("%d parts read from %d bytes, notes %q", len(m.Parts), len(data), m.Notes)
	}
}

// Every code page the table names is one the decoder knows.
func TestCodepages(t *testing.T) {
	for cp, label := range codepages {
		if _, err := htmlindex.Get(label); err != nil {
			t.Errorf("code page %d: %v", cp, err)
		}
	}
	r := &reader{}
	if s := r.decode8([]byte("caf\xe9"), 0); s != "café" || len(r.notes) != 1 || !strings.Contains(r.notes[0], "does not say which code page") {
		t.Errorf("no code page: %q %q", s, r.notes)
	}
	if s := r.decode8([]byte("\xcd\xf5\xb7\xbc"), 936); s != "王芳" {
		t.Errorf("GBK: %q", s)
	}
}
