package fieldprint

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/fieldprint/fieldprint/internal/msgtest"
)

// MAPI property IDs the corpus's .msg files use ([MS-OXPROPS]).
const (
	pidMessageClass         = 0x001A
	pidSubject              = 0x0037
	pidClientSubmitTime     = 0x0039
	pidSentRepresentingName = 0x0042
	pidSentRepresentingType = 0x0064
	pidSentRepresentingAddr = 0x0065
	pidTransportHeaders     = 0x007D
	pidRecipientType        = 0x0C15
	pidSenderName           = 0x0C1A
	pidSenderAddrType       = 0x0C1E
	pidSenderEmailAddress   = 0x0C1F
	pidDeliveryTime         = 0x0E06
	pidMessageFlags         = 0x0E07
	pidNormalizedSubject    = 0x0E1D
	pidBody                 = 0x1000
	pidHTML                 = 0x1013
	pidInternetMessageID    = 0x1035
	pidDisplayName          = 0x3001
	pidAddrType             = 0x3002
	pidEmailAddress         = 0x3003
	pidStoreSupportMask     = 0x340D
	pidSMTPAddress          = 0x39FE
	pidAttachData           = 0x3701
	pidAttachExtension      = 0x3703
	pidAttachFilename       = 0x3704
	pidAttachMethod         = 0x3705
	pidAttachLongFilename   = 0x3707
	pidAttachLongPathname   = 0x370D
	pidAttachMimeTag        = 0x370E
	pidAttachContentID      = 0x3712
	pidInternetCodepage     = 0x3FDE
	pidMessageCodepage      = 0x3FFD
	pidSenderSMTPAddress    = 0x5D01
	pidSentRepresentingSMTP = 0x5D02
	pidAttachmentHidden     = 0x7FFE
)

// msgSender is the sender's properties as Outlook writes them for an
// Internet sender: the "sent representing" (From) and "sender" sets alike.
func msgSender(name func(id uint16) msgtest.Prop, addr string) []msgtest.Prop {
	u := msgtest.Unicode
	return []msgtest.Prop{name(pidSentRepresentingName), u(pidSentRepresentingType, "SMTP"), u(pidSentRepresentingAddr, addr), u(pidSentRepresentingSMTP, addr),
		name(pidSenderName), u(pidSenderAddrType, "SMTP"), u(pidSenderEmailAddress, addr), u(pidSenderSMTPAddress, addr)}
}

func msgFile(name, ext, mimeTag string, data []byte, more ...msgtest.Prop) msgtest.Attachment {
	u := msgtest.Unicode
	return msgtest.Attachment{Props: append([]msgtest.Prop{
		msgtest.Int(pidAttachMethod, 1), u(pidAttachLongFilename, name), u(pidAttachFilename, name), u(pidDisplayName, name),
		u(pidAttachExtension, ext), u(pidAttachMimeTag, mimeTag), msgtest.Binary(pidAttachData, data)}, more...)}
}

// msgCorpus adds Outlook's .msg files to the corpus: the Chinese Outlook
// message of outlook.eml as Outlook saves it (Unicode, with the transport
// headers of a message it received; and as an older, ANSI Outlook does,
// in code page 936), the forwarded message of forwarded.eml as an Outlook
// message attached inside another, and hostile ones.
func msgCorpus(t testing.TB, out map[string][]byte, pdf, jpg, logo []byte) {
	u := msgtest.Unicode
	gb := simplifiedchinese.GBK
	sent := time.Date(2026, 11, 4, 3, 25, 40, 0, time.UTC)
	text := "您好，\r\n\r\n我们是收养家庭，已提交 I-600A 申请（收养）。希望在广州办公室采集生物信息。\r\n收据号码：IOE-09-234-56789\r\nA-number: 098765432\r\n电话：+86 20 3814 5000\r\n\r\n王芳\r\n"
	html := "<html><head><style>p{margin:0}</style></head><body><p>您好，</p><p>我们是收养家庭</p><img src=\"cid:image001.png@01DB2E8A.5F1C2B30\"></body></html>"
	subject := "关于收养家庭生物信息采集的申请"
	id := "<TYZPR06MB6190A1B2C3D4E5F6A7B8C9D0E1@TYZPR06MB6190.apcprd06.prod.outlook.com>"
	eml := out["outlook.eml"]
	headers := string(eml[:bytes.Index(eml, []byte("\r\n\r\n"))+2])
	office := []msgtest.Prop{u(pidDisplayName, "Guangzhou Field Office"), u(pidAddrType, "SMTP"), u(pidEmailAddress, "guangzhou.fieldoffice@uscis.dhs.gov"),
		u(pidSMTPAddress, "guangzhou.fieldoffice@uscis.dhs.gov"), msgtest.Int(pidRecipientType, 1)}
	{
		m := &msgtest.Message{Props: append([]msgtest.Prop{
			u(pidMessageClass, "IPM.Note"), u(pidSubject, subject), u(pidNormalizedSubject, subject),
			msgtest.Time(pidClientSubmitTime, sent), msgtest.Time(pidDeliveryTime, sent.Add(2*time.Second)),
			msgtest.Int(pidMessageFlags, 1), msgtest.Int(pidStoreSupportMask, 0x00040000), // strings in Unicode
			msgtest.Int(pidInternetCodepage, 936), msgtest.Int(pidMessageCodepage, 936),
			u(pidTransportHeaders, headers), u(pidInternetMessageID, id),
			u(pidBody, text), msgtest.Binary(pidHTML, encodeIn(t, gb, html))},
			msgSender(func(id uint16) msgtest.Prop { return u(id, "王芳") }, "wang.fang@outlook.com")...),
			Recipients: [][]msgtest.Prop{office},
			Attachments: []msgtest.Attachment{
				msgFile("image001.png", ".png", "image/png", logo, u(pidAttachContentID, "image001.png@01DB2E8A.5F1C2B30"), msgtest.Bool(pidAttachmentHidden, true)),
				msgFile("王芳护照.jpg", ".jpg", "image/jpeg", jpg),
				msgFile("收据通知 I-797C.pdf", ".pdf", "application/pdf", pdf),
			}}
		out["outlook.msg"] = m.File()
	}
	// Outlook 2003 saves 8-bit text in the message's code page (936: GBK),
	// and a message kept in an Exchange mailbox has no transport headers.
	{
		s8 := func(id uint16, s string) msgtest.Prop { return msgtest.String8(id, encodeIn(t, gb, s)) }
		file := func(name, ext, mimeTag string, data []byte, more ...msgtest.Prop) msgtest.Attachment {
			return msgtest.Attachment{Props: append([]msgtest.Prop{
				msgtest.Int(pidAttachMethod, 1), s8(pidAttachLongFilename, name), s8(pidAttachFilename, name), s8(pidDisplayName, name),
				s8(pidAttachExtension, ext), s8(pidAttachMimeTag, mimeTag), msgtest.Binary(pidAttachData, data)}, more...)}
		}
		m := &msgtest.Message{Props: []msgtest.Prop{
			s8(pidMessageClass, "IPM.Note"), s8(pidSubject, subject),
			msgtest.Time(pidClientSubmitTime, sent), msgtest.Int(pidMessageCodepage, 936), msgtest.Int(pidInternetCodepage, 936),
			s8(pidInternetMessageID, id), s8(pidBody, text), msgtest.Binary(pidHTML, encodeIn(t, gb, html)),
			s8(pidSentRepresentingName, "王芳"), s8(pidSentRepresentingType, "SMTP"), s8(pidSentRepresentingAddr, "wang.fang@outlook.com"),
			s8(pidSenderName, "王芳"), s8(pidSenderAddrType, "SMTP"), s8(pidSenderEmailAddress, "wang.fang@outlook.com")},
			Attachments: []msgtest.Attachment{
				file("image001.png", ".png", "image/png", logo, s8(pidAttachContentID, "image001.png@01DB2E8A.5F1C2B30"), msgtest.Bool(pidAttachmentHidden, true)),
				file("王芳护照.jpg", ".jpg", "image/jpeg", jpg),
				file("收据通知 I-797C.pdf", ".pdf", "application/pdf", pdf),
			}}
		out["outlook-ansi.msg"] = m.File()
	}
	// The front desk forwards the applicant's message as an attachment
	// (Outlook: Forward as Attachment): the inner message, in ISO-8859-1
	// 8-bit text, carries the applicant's text and scan.
	inner := func() *msgtest.Message {
		l1 := func(id uint16, s string) msgtest.Prop { return msgtest.String8(id, encodeIn(t, charmap.ISO8859_1, s)) }
		return &msgtest.Message{Props: []msgtest.Prop{
			l1(pidMessageClass, "IPM.Note"), l1(pidSubject, "biometrics - adoption I-800"),
			msgtest.Time(pidClientSubmitTime, time.Date(2026, 11, 16, 13, 0, 0, 0, time.UTC)), msgtest.Int(pidMessageCodepage, 28591),
			l1(pidInternetMessageID, "<b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e@example.com.br>"),
			l1(pidBody, "Olá, we are adopting (I-800). Receipt IOE0934567890.\r\nAna Souza\r\n"),
			l1(pidSentRepresentingName, "Ana Souza"), l1(pidSentRepresentingType, "SMTP"), l1(pidSentRepresentingAddr, "ana.souza@example.com.br")},
			Attachments: []msgtest.Attachment{msgFile("notice.pdf", ".pdf", "application/pdf", pdf)}}
	}
	forward := func(attachments ...msgtest.Attachment) *msgtest.Message {
		return &msgtest.Message{Props: append([]msgtest.Prop{
			u(pidMessageClass, "IPM.Note"), u(pidSubject, "Fwd: biometrics - adoption I-800"),
			msgtest.Time(pidClientSubmitTime, time.Date(2026, 11, 17, 0, 30, 0, 0, time.UTC)), msgtest.Int(pidInternetCodepage, 65001),
			u(pidInternetMessageID, "<fwd-4b5c6d7e@example.org>"), u(pidBody, "Forwarding the applicant's message.\r\n")},
			msgSender(func(id uint16) msgtest.Prop { return u(id, "Front Desk") }, "frontdesk@example.org")...),
			Attachments: attachments}
	}
	embedded := msgtest.Attachment{Props: []msgtest.Prop{msgtest.Int(pidAttachMethod, 5), u(pidDisplayName, "biometrics - adoption I-800")}, Embedded: inner()}
	out["forwarded.msg"] = forward(embedded).File()

	// Hostile: not a message, damaged, lying about sizes, other kinds of
	// attachment and item.
	full := out["outlook.msg"]
	out["hostile-msg-truncated.msg"] = full[:len(full)/2]
	out["hostile-msg-cyclic.msg"] = msgtest.CycleDirectory(full)
	out["hostile-msg-huge-stream.msg"] = msgtest.SetStreamSize(full, "__substg1.0_37010102", 0xFFFFFFF0)
	scan := &msgtest.Message{Props: []msgtest.Prop{u(pidMessageClass, "IPM.Note"), u(pidSubject, "scan")},
		Attachments: []msgtest.Attachment{msgFile("scan.jpg", ".jpg", "image/jpeg", sniffJPEG(t, 160, 120))}}
	big := scan.File()
	out["hostile-msg-loop.msg"] = msgtest.LoopStream(big, "__substg1.0_37010102", uint64(len(big)-1024))
	out["hostile-doc-renamed.msg"] = msgtest.CFB(
		msgtest.Stream("\x01CompObj", []byte("\x01\xfe\x00\x00Microsoft Word 97-2003 Document\x00")),
		msgtest.Stream("WordDocument", bytes.Repeat([]byte{0xEC, 0xA5, 0xC1, 0x00}, 1200)),
		msgtest.Stream("1Table", make([]byte, 4096)))
	contact := &msgtest.Message{Props: []msgtest.Prop{u(pidMessageClass, "IPM.Contact"), u(pidSubject, "Wang Fang"), u(pidDisplayName, "Wang Fang")}}
	out["hostile-msg-contact.msg"] = contact.File()
	nested := inner()
	for range 10 {
		nested = &msgtest.Message{Props: []msgtest.Prop{u(pidMessageClass, "IPM.Note"), u(pidSubject, "FW: again"), u(pidBody, "again")},
			Attachments: []msgtest.Attachment{{Props: []msgtest.Prop{msgtest.Int(pidAttachMethod, 5)}, Embedded: nested}}}
	}
	out["hostile-msg-nested.msg"] = nested.File()
	out["hostile-msg-kinds.msg"] = forward(
		msgtest.Attachment{Props: []msgtest.Prop{msgtest.Int(pidAttachMethod, 7), u(pidAttachLongFilename, "I-797C.pdf"), u(pidAttachLongPathname, "https://1drv.ms/b/s!AbCdEf")}},
		msgtest.Attachment{Props: []msgtest.Prop{msgtest.Int(pidAttachMethod, 6), u(pidDisplayName, "Document")}, Embedded: &msgtest.Message{}},
		msgFile("smime.p7m", ".p7m", "multipart/signed", []byte("Content-Type: multipart/signed; boundary=x\r\n\r\n--x--\r\n")),
		msgFile("passport.jpg", ".jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 not really a JPEG")),
	).File()
}
