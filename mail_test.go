package fieldprint

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	mailToday = Date{2026, 11, 20}
	mailZone  = func() *time.Location {
		l, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return time.FixedZone("CST", 8*3600)
		}
		return l
	}()
)

func draftOf(t *testing.T, name string) IntakeDraft {
	t.Helper()
	m, err := ParseMessage(name, readMail(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return DraftFromMessage(m, mailZone, mailToday)
}

// partsOf is "name=type" for accepted parts and "name!" for refused ones.
func partsOf(m *Message) string {
	var out []string
	for _, p := range m.Parts {
		if p.Refused != nil {
			out = append(out, p.Name+"!")
		} else {
			out = append(out, p.Name+"="+kindName(p.Info.Type))
		}
	}
	return strings.Join(out, ", ")
}

func kindName(t string) string {
	return map[string]string{TypePDF: "pdf", TypeJPEG: "jpeg", TypePNG: "png"}[t]
}

// Each realistic message turns into a correctly prefilled form.
func TestDraftFromRealisticMessages(t *testing.T) {
	for _, c := range []struct {
		file string
		want RequestInput
		id   string
		guess,
		parts, items, basisHas string
	}{
		{file: "gmail.eml", id: "CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com",
			want: RequestInput{Received: "2026-11-02", Category: "319b", NoticeType: "receipt", ReceiptNumbers: "IOE0912345678", ANumber: "A-212-345-678",
				FullName: "Wei Zhang", DateOfBirth: "1985-04-12", Email: "wei.zhang.1985@gmail.com", Phone: "+86 138 0013 8000"},
			guess: "319(b) expedited naturalization", parts: "I-797C receipt notice.pdf=pdf, passport.jpg=jpeg", items: "notice passport/0",
			basisHas: "INA 319(b)"},
		{file: "outlook.eml", id: "TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1@TYZPR06MB6190.apcprd06.prod.outlook.com",
			// 03:25 UTC is 11:25 in Guangzhou, the same day.
			want: RequestInput{Received: "2026-11-04", Category: "adoption", ReceiptNumbers: "IOE-09-234-56789", ANumber: "098765432",
				FullName: "王芳", Email: "wang.fang@outlook.com", Phone: "+86 20 3814 5000"},
			guess: "i-600a 收养", parts: "image001.png=png, 王芳护照.jpg=jpeg, 收据通知 I-797C.pdf=pdf", items: " passport/0 notice",
			basisHas: "我们是收养家庭"},
		{file: "applemail.eml", id: "8F1D2C3B-4A5E-4F60-9A7B-1C2D3E4F5A6B@icloud.com",
			want: RequestInput{Received: "2026-11-12", Category: "military", ReceiptNumbers: "IOE 0923456789",
				FullName: "陳美玲", Email: "meiling.chen@icloud.com"},
			guess: "319(e) active duty army military soldier", parts: "IMG_0412.jpg=jpeg, 護照 passport page.png=png", items: "notice passport/0",
			basisHas: "U.S. Army stationed in Taiwan and I am applying"}, // format=flowed joined
		{file: "html-only.eml", id: "1873462910.4412395.1763085069123@mail.yahoo.com",
			// 02:11 UTC on the 14th is 10:11 in Guangzhou.
			want: RequestInput{Received: "2026-11-14", Category: "other", NoticeType: "receipt", ReceiptNumbers: "ioe-09-876-54321", ANumber: "A 087 654 321",
				FullName: "Rivera, Jose Manuel", Email: "jm.rivera@yahoo.com", Phone: "+52 55 1234 5678"},
			guess: "asc appointment could not attend had to leave leave the united states urgent", parts: "", items: "",
			basisHas: "my father had a stroke – I could not attend"},
		{file: "forwarded.eml", id: "fwd-4b5c6d7e@example.org",
			want:  RequestInput{Received: "2026-11-17", Category: "adoption", ReceiptNumbers: "IOE0934567890", FullName: "Ana Souza", Email: "ana.souza@example.com.br"},
			guess: "adopting adoption i-800", parts: "notice.pdf=pdf", items: "notice", basisHas: "Olá, we are adopting"},
	} {
		t.Run(c.file, func(t *testing.T) {
			d := draftOf(t, c.file)
			got := d.Input
			if !strings.Contains(got.Basis, c.basisHas) {
				t.Errorf("basis %q lacks %q", got.Basis, c.basisHas)
			}
			got.Basis = ""
			if got.FullName != c.want.FullName || got.Email != c.want.Email || got.Received != c.want.Received || got.Category != c.want.Category ||
				got.NoticeType != c.want.NoticeType || got.ReceiptNumbers != c.want.ReceiptNumbers || got.ANumber != c.want.ANumber ||
				got.DateOfBirth != c.want.DateOfBirth || got.Phone != c.want.Phone {
				t.Errorf("prefilled\n got %+v\nwant %+v", got, c.want)
			}
			if d.Message.MessageID != c.id {
				t.Errorf("Message-ID %q, want %q", d.Message.MessageID, c.id)
			}
			if g := strings.Join(d.GuessWords, " "); g != c.guess {
				t.Errorf("guessed from %q, want %q", g, c.guess)
			}
			if p := partsOf(d.Message); p != c.parts {
				t.Errorf("parts %q, want %q", p, c.parts)
			}
			if items := strings.Join(SuggestItems(d.Message, IntakeItems(d.Input, mailToday)), " "); items != c.items {
				t.Errorf("suggested items %q, want %q", items, c.items)
			}
			// Completed as a clerk would (birth date, notice, from the scans), it saves.
			in := d.Input
			if in.DateOfBirth == "" {
				in.DateOfBirth = "1980-01-01"
			}
			if in.NoticeType == "" {
				in.NoticeType = "receipt"
			}
			if in.Category == "other" {
				in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked = "2026-10-20", "Los Angeles ASC", "father's stroke", "yes"
			}
			if _, _, err := in.Parse(mailToday); err != nil {
				t.Errorf("the completed draft does not parse: %v", err)
			}
		})
	}
}

// Identifiers found in a message go through the form's parsers: look-alikes,
// a State Department case number and a short number are flagged as typed
// ones are.
func TestDraftFlagsLookAlikes(t *testing.T) {
	d := draftOf(t, "hostile-charsets.eml")
	if d.Message.Subject != "Müllercafé—Иванов山田김민준東京\uFFFD=?utf-8?Q?broken" {
		t.Errorf("subject %q: each encoded word decoded in its charset, the unknown one replaced", d.Message.Subject)
	}
	if d.Message.FromName != "Łukasz Żółć" || partsOf(d.Message) != "паспорт.jpg=jpeg" {
		t.Errorf("ISO-8859-2 name %q, Windows-1251 file name %q", d.Message.FromName, partsOf(d.Message))
	}
	in := d.Input
	in.DateOfBirth, in.NoticeType, in.Category, in.Basis = "1980-01-01", "receipt", "319b", "x"
	_, _, err := in.Parse(mailToday)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("no field errors: %v", err)
	}
	msgs := strings.Join(e.Fields.For(FieldReceiptNumbers), "\n")
	for _, want := range []string{"U+0406", "U+FF10", "Department of State", "has 9 digits"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("receipt problems lack %q:\n%s", want, msgs)
		}
	}
}

// Hostile messages: each gets a clear result, none a crash or a hang.
func TestHostileMessages(t *testing.T) {
	for _, c := range []struct {
		file    string
		refused string // the whole file refused with this
		parts   string // or read, with these parts
		note    string // and this note
	}{
		{file: "hostile-not-mail.eml", refused: "is a scan (PDF, JPEG or PNG), not a saved e-mail"},
		{file: "hostile-outlook.msg", refused: "is an Outlook message (.msg) or an older Office file"},
		{file: "hostile-huge-header.eml", refused: "headers over 256 KB"},
		{file: "hostile-nested.eml", parts: "", note: "more than 8 deep"},
		{file: "hostile-many-parts.eml", note: "more than 100 parts"},
		{file: "hostile-misleading.eml", parts: "I-797 notice.pdf!, scan.jpg!, passport.png!, invoicefdp.exe!, winmail.dat!"},
		{file: "hostile-zip-bomb.eml", parts: "documents.zip!, scan.pdf.gz!"},
		{file: "hostile-broken.eml", parts: "cut.jpg!, uu.pdf!, never-ends.png!", note: "the message is damaged"},
	} {
		t.Run(c.file, func(t *testing.T) {
			m, err := ParseMessage(c.file, readMail(t, c.file))
			if c.refused != "" {
				if err == nil || ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.refused) {
					t.Fatalf("got %v, want refused with %q", err, c.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.file != "hostile-many-parts.eml" && partsOf(m) != c.parts {
				t.Errorf("parts %q, want %q", partsOf(m), c.parts)
			}
			if c.note != "" && !strings.Contains(strings.Join(m.Notes, "\n"), c.note) {
				t.Errorf("notes %q lack %q", m.Notes, c.note)
			}
			for _, p := range m.Parts {
				if p.Refused != nil && (ErrorCode(p.Refused) != EINVALID || p.Data != nil) {
					t.Errorf("%s: refused %v but kept %d bytes", p.Name, p.Refused, len(p.Data))
				}
			}
		})
	}
	m, _ := ParseMessage("z", readMail(t, "hostile-zip-bomb.eml"))
	if m.Parts[0].Refused == nil || !strings.Contains(ErrorMessage(m.Parts[0].Refused), "extract the scans") {
		t.Errorf("the zip is not refused as an archive: %v", m.Parts[0].Refused)
	}
	m, _ = ParseMessage("m", readMail(t, "hostile-misleading.eml"))
	for i, want := range []string{"is a program", "is really a PNG image", "a web page", "is a program", "winmail.dat"} {
		if !strings.Contains(ErrorMessage(m.Parts[i].Refused), want) {
			t.Errorf("%s: %v, want %q", m.Parts[i].Name, m.Parts[i].Refused, want)
		}
	}
}

// Limits that need no file in testdata: a message over the size limit, an
// attachment over the file limit, the text cut to a basis.
func TestMessageLimits(t *testing.T) {
	if _, err := ParseMessage("big.eml", make([]byte, MaxMessageBytes+1)); err == nil || !strings.Contains(ErrorMessage(err), "over the 50 MB") {
		t.Errorf("a 50 MB message: %v", err)
	}
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n")
	b.WriteString(strings.Repeat("My request. ", 500) + "\r\n--x\r\nContent-Type: application/pdf; name=big.pdf\r\n\r\n%PDF-1.4\n")
	b.Write(bytes.Repeat([]byte("0123456789abcdef"), (MaxAttachmentBytes/16)+10))
	b.WriteString("\r\n--x--\r\n")
	m, err := ParseMessage("big.eml", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parts) != 1 || m.Parts[0].Refused == nil || !strings.Contains(ErrorMessage(m.Parts[0].Refused), "over the 20 MB limit") {
		t.Errorf("an attachment over 20 MB: %+v", m.Parts)
	}
	d := DraftFromMessage(m, time.UTC, mailToday)
	if n := len([]rune(d.Input.Basis)); n > maxTextLen || n < maxTextLen-20 {
		t.Errorf("basis of %d characters, want about %d", n, maxTextLen)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "it was cut") {
		t.Errorf("no note on the cut: %q", d.Notes)
	}
}

func TestHTMLText(t *testing.T) {
	for in, want := range map[string]string{
		`<p>a &amp; b</p><script>alert("<p>x</p>")</script>c`:                     "\na & b\nc",
		`<style>p{}</style><!-- <b>no</b> -->yes &lt;3 a < b`:                     "yes <3 a < b",
		`<a href="x>y">link</a> <img src=x onerror=alert(1)>`:                     "link",
		`<table><tr><td>A</td><td>B</td></tr></table>`:                            "\n\nA B\n\n",
		`<head><title>t</title></head><body>one<br>two<div>three</div></body>`:    "one\ntwo\nthree\n",
		`unclosed <script>var a = 1;`:                                             "unclosed",
		`<p>caf&eacute; &#20320;&#x597d; &nbsp;x</p><![CDATA[raw]]><svg>no</svg>`: "\ncafé 你好 x\nraw",
	} {
		if got := HTMLText(in); got != want {
			t.Errorf("HTMLText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindIdentifiers(t *testing.T) {
	rns, as := findIdentifiers("Tel 8613912345678, IOE0912345678,IOE0912345679 xIOE0912345670 ioe 0912345671 abc0912345672 A-12345678 and A#: 123 456 789, A number is 87654321")
	if got := strings.Join(rns, "|"); got != "IOE0912345678|IOE0912345679|ioe 0912345671" {
		t.Errorf("receipt numbers %q", got)
	}
	if got := strings.Join(as, "|"); got != "A-12345678|123 456 789|87654321" {
		t.Errorf("A-numbers %q", got)
	}
}

func TestSuggestItemsOnePerItem(t *testing.T) {
	m := &Message{Parts: []MailPart{
		{Name: "a.pdf", Info: FileInfo{Type: TypePDF, Size: 1 << 20}},
		{Name: "Łukasz passport.jpg", Info: FileInfo{Type: TypeJPEG, Size: 1 << 20}},
		{Name: "passport.jpg", Info: FileInfo{Type: TypeJPEG, Size: 1 << 20}},
		{Name: "b.pdf", Info: FileInfo{Type: TypePDF, Size: 1 << 20}},
		{Name: "c.pdf", Info: FileInfo{Type: TypePDF, Size: 1 << 20}},
		{Name: "logo.png", Info: FileInfo{Type: TypePNG, Size: 3000}, Inline: true},
	}}
	in := RequestInput{Category: "adoption", FullName: "Nguyễn Thị Minh Khai", Household: []PersonInput{{FullName: "Łukasz Żółć", DateOfBirth: "1980-01-30"}}}
	got := strings.Join(SuggestItems(m, IntakeItems(in, mailToday)), " ")
	if got != "notice passport/1 passport/0 supporting  " {
		t.Errorf("suggested %q", got)
	}
	plan := []IntakeAttach{{0, "notice"}, {3, "notice"}}
	if err := CheckIntakePlan(m, plan, IntakeItems(in, mailToday)); err == nil || !strings.Contains(ErrorMessage(err), "an item holds one file") {
		t.Errorf("two files on one item: %v", err)
	}
}

// MessageFromContent (what package outlookmsg gives it): the Internet
// headers come first, the reader's fields fill what they lack; a name
// without an address, an attachment over the limit, one the reader refused
// and a text past the limit are each said.
func TestMessageFromContent(t *testing.T) {
	c := &MessageContent{
		Headers:  "From: =?utf-8?B?546L6Iqz?= <wang.fang@outlook.com>\r\nDate: Wed, 4 Nov 2026 03:25:40 +0000\r\nSubject: header subject\r\n",
		FromName: "Someone Else", FromAddress: "other@example.com", MessageID: "<id-1@example.com>",
		Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Subject: "关于收养",
		Text: strings.Repeat("x", MaxMessageText+10),
		Attachments: []MessageFile{
			{Name: "big.pdf", Size: MaxAttachmentBytes + 1},
			{Name: "link.pdf", Refused: "is only a link to a file kept elsewhere"},
			{Name: "sig.p7s", Declared: "application/pkcs7-signature", Data: []byte("x")},
			{Name: "", Declared: "image/png", Data: sniffPNG(t, 4, 4), Inline: true},
		},
	}
	m := MessageFromContent([]byte("raw"), c)
	if m.Sender() != "王芳 <wang.fang@outlook.com>" || m.MessageID != "id-1@example.com" || m.Subject != "关于收养" ||
		!m.Date.Equal(time.Date(2026, 11, 4, 3, 25, 40, 0, time.UTC)) || m.SHA256 != Fingerprint([]byte("raw")) {
		t.Errorf("header fields: %q %q %q %v", m.Sender(), m.MessageID, m.Subject, m.Date)
	}
	if partsOf(m) != "big.pdf!, link.pdf!, attachment 3.png=png" || !m.Parts[2].Inline || len(m.Text) != MaxMessageText {
		t.Errorf("parts %q, text %d bytes", partsOf(m), len(m.Text))
	}
	for i, want := range []string{"over the 20 MB limit for one file", "link.pdf is only a link"} {
		if !strings.Contains(ErrorMessage(m.Parts[i].Refused), want) {
			t.Errorf("%s: %v, want %q", m.Parts[i].Name, m.Parts[i].Refused, want)
		}
	}
	notes := strings.Join(m.Notes, "\n")
	for _, want := range []string{"sig.p7s is a digital signature (S/MIME), not a document: left out", "the text is longer than 1024 KB"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}

	// No headers, a name without an address: said so, the name kept.
	m = MessageFromContent(nil, &MessageContent{FromName: "Myriam VAREME", Date: time.Date(2026, 3, 31, 8, 1, 56, 0, time.UTC)})
	if m.FromName != "Myriam VAREME" || m.FromAddress != "" || !m.Date.Equal(time.Date(2026, 3, 31, 8, 1, 56, 0, time.UTC)) ||
		!strings.Contains(strings.Join(m.Notes, "\n"), "gives the sender's name (Myriam VAREME) but not their e-mail address") {
		t.Errorf("name only: %q %q %v %q", m.FromName, m.FromAddress, m.Date, m.Notes)
	}
}
