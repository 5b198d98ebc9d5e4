package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	fp "github.com/fieldprint/fieldprint"
)

// Message is an applicant's e-mail as Outlook in Chinese sends it, saved as
// an .eml, for the demo office's intake from e-mail (and the real-window
// self-test): the sender's name, the subject and the text in GB2312, a
// receipt notice (PDF) and a passport page (PNG) attached. It was sent the
// day before today.
func Message(today fp.Date) (name string, data []byte) {
	gb := simplifiedchinese.GBK.NewEncoder()
	word := func(s string) string {
		b, _ := gb.Bytes([]byte(s))
		return "=?gb2312?B?" + base64.StdEncoding.EncodeToString(b) + "?="
	}
	sent := time.Date(today.Y, today.M, today.D-1, 3, 25, 40, 0, time.UTC)
	applicant := fp.Person{FullName: "Wang Fang", DateOfBirth: fp.Date{Y: 1986, M: 3, D: 14}}
	notice := &fp.Request{ReceiptNumbers: []fp.ReceiptNumber{"IOE0945678123"}, ANumber: "098765432", Applicant: applicant}
	text := "您好，\r\n\r\n我们是收养家庭，已提交 I-600A 申请（收养）。希望在广州办公室采集生物信息。\r\n" +
		"Dear Officer, we are prospective adoptive parents (I-600A) and ask to give our fingerprints at your office.\r\n\r\n" +
		"收据号码：IOE-09-456-78123\r\nA-number: 098765432\r\nDate of birth: 1986-03-14\r\n电话：+86 20 3814 5000\r\n\r\n王芳 (Wang Fang)\r\n"

	var b bytes.Buffer
	body := &bytes.Buffer{}
	mw := multipart.NewWriter(body)
	fmt.Fprintf(&b, "From: %s <wang.fang@outlook.com>\r\n", word("王芳"))
	b.WriteString("To: \"Guangzhou Field Office\" <guangzhou.fieldoffice@uscis.dhs.gov>\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\n", word("收养家庭生物信息采集申请 - I-600A"))
	fmt.Fprintf(&b, "Date: %s\r\n", sent.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <demo-%04d%02d%02d.6190A1B2C3@TYZPR06MB6190.apcprd06.prod.outlook.com>\r\n", today.Y, today.M, today.D)
	b.WriteString("MIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mw.Boundary())

	part := func(h textproto.MIMEHeader, data []byte) {
		h.Set("Content-Transfer-Encoding", "base64")
		w, _ := mw.CreatePart(h)
		s := base64.StdEncoding.EncodeToString(data)
		for len(s) > 76 {
			fmt.Fprintf(w, "%s\r\n", s[:76])
			s = s[76:]
		}
		fmt.Fprintf(w, "%s\r\n", s)
	}
	gbText, _ := gb.Bytes([]byte(text))
	part(textproto.MIMEHeader{"Content-Type": {`text/plain; charset="gb2312"`}}, gbText)
	part(textproto.MIMEHeader{"Content-Type": {`application/pdf; name="I-797C receipt notice.pdf"`},
		"Content-Disposition": {`attachment; filename="I-797C receipt notice.pdf"`}}, NoticeScan(notice, "I-797C Notice of Action: Receipt"))
	part(textproto.MIMEHeader{"Content-Type": {`image/png; name="passport.png"`},
		"Content-Disposition": {`attachment; filename="passport.png"`}}, PassportScan(applicant, "EA1234567", fp.Date{Y: today.Y + 6, M: 5, D: 1}))
	mw.Close()
	b.Write(body.Bytes())
	return "Wang Fang " + sent.Format("2006-01-02") + ".eml", b.Bytes()
}
