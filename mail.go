package fieldprint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/encoding/htmlindex"
)

// Limits of a saved message, read by ParseMessage (.eml) or package
// outlookmsg (Outlook's .msg). A real applicant's message is a few megabytes:
// two or three scans and a short text. Everything past a limit is refused
// or left out with a note, never read on.
const (
	// MaxMessageBytes is the largest message file read (mail services send
	// at most 20 to 35 MB, base64 included).
	MaxMessageBytes = 50 << 20
	// maxMailHeader bounds the header block of the message and of each part.
	maxMailHeader = 256 << 10
	// MaxMessageParts bounds the parts read, however they nest.
	MaxMessageParts = 100
	// MaxMessageDepth bounds multipart and forwarded-message nesting.
	MaxMessageDepth = 8
	// MaxMessageText bounds the text read from the body (plain or HTML).
	MaxMessageText = 1 << 20
	// MaxMessageDecoded bounds all decoded bytes together.
	MaxMessageDecoded = 80 << 20
	// maxMessageID: RFC 5322 lines are at most 998 characters; real ones are under 100.
	maxMessageID = 250
)

// Message is what ParseMessage read from a saved e-mail (.eml).
type Message struct {
	// MessageID is the Message-ID header without its angle brackets ("" when
	// the message has none, or an unusable one).
	MessageID string
	// SHA256 is the fingerprint of the whole file, as read.
	SHA256 string
	Size   int
	// FromName and FromAddress are the sender, decoded ("" when unreadable).
	FromName, FromAddress string
	// ForwardedName and ForwardedAddress are the sender of the first message
	// forwarded inside this one (as an attachment): the applicant, when a
	// colleague forwards their message.
	ForwardedName, ForwardedAddress string
	// ReplyTo is the Reply-To address when it differs from the sender's.
	ReplyTo string
	Date    time.Time // zero when absent or unreadable
	Subject string
	// Text is the body as plain text: the text/plain parts, or the text
	// extracted from the HTML parts when there are none (FromHTML).
	Text     string
	FromHTML bool
	Parts    []MailPart // the attachments, in the message's order
	// Notes say what was left out, repaired or guessed, in words for a clerk.
	Notes []string
}

// MailPart is one attachment of a message. Data holds the decoded bytes of
// an accepted file; a refused one says why in Refused (an EINVALID *Error).
type MailPart struct {
	Name     string // decoded and cleaned (DisplayName), never empty
	Declared string // the content type the message declared, lower case
	Data     []byte
	Info     FileInfo // what SniffFile found (accepted files only)
	Refused  error
	// Inline is a picture shown inside the text (a logo in a signature),
	// usually not a document.
	Inline bool
	// origName is the name as the message gave it, when Name gives the
	// file the extension of its real type.
	origName string
}

// ImportKey identifies a message for "never import the same message twice":
// its Message-ID, or the file's SHA-256 when it has none.
func (m *Message) ImportKey() string {
	if m.MessageID != "" {
		return "<" + m.MessageID + ">"
	}
	return "sha256:" + m.SHA256
}

// Accepted lists the parts that may be attached.
func (m *Message) Accepted() []int {
	var out []int
	for i, p := range m.Parts {
		if p.Refused == nil {
			out = append(out, i)
		}
	}
	return out
}

// Sender is the sender as one line: "Name <address>".
func (m *Message) Sender() string {
	switch {
	case m.FromName != "" && m.FromAddress != "":
		return m.FromName + " <" + m.FromAddress + ">"
	case m.FromAddress != "":
		return m.FromAddress
	}
	return m.FromName
}

// mailParser holds the state of one ParseMessage: budgets and collected text.
type mailParser struct {
	m       *Message
	parts   int
	decoded int64
	plain   []string
	html    []string
	dec     *mime.WordDecoder
	damaged bool // a note about damage was given once
}

// charsetReader decodes any charset the WHATWG encoding standard names
// (GB2312 and GBK, Big5, Shift_JIS, EUC-KR, ISO-8859-x, Windows-125x, KOI8…).
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

// ParseMessage reads a saved e-mail (RFC 5322 with MIME, as Gmail, Outlook,
// Apple Mail and Thunderbird save it) with the standard library's parsers.
// The error (EINVALID) refuses the whole file: not an e-mail, too large,
// a compound file (Outlook's .msg: package outlookmsg reads those, and
// workflow.ParseMessage chooses), headers past the limit. A damaged part, a part past a
// limit or an attachment SniffFile refuses is kept as a note or a refused
// part, and the rest is read.
func ParseMessage(name string, data []byte) (*Message, error) {
	base := displayName(name)
	if len(data) > MaxMessageBytes {
		return nil, refuseFile(nil, "%s is %s, over the %s a saved e-mail may have: save the attachments and attach them one by one", base, sizeMB(int64(len(data))), sizeMB(MaxMessageBytes))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refuseFile(nil, "%s is empty: save the e-mail again (in the mail program: Save as, or drag it to a folder)", base)
	}
	if err := notMail(base, data); err != nil {
		return nil, err
	}
	sum, size := Fingerprint(data), len(data)
	// Thunderbird and mbox tools may start the file with a "From " line.
	if bytes.HasPrefix(data, []byte("From ")) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	head := data
	end := headerEnd(data)
	if end < 0 {
		if len(data) > maxMailHeader {
			return nil, refuseFile(nil, "%s has headers over %d KB long (or no end to its headers): it is not an e-mail a mail program wrote; ask the applicant to send it again", base, maxMailHeader>>10)
		}
		head = append(append([]byte{}, data...), "\r\n\r\n"...) // headers only, no body
	} else if end > maxMailHeader {
		return nil, refuseFile(nil, "%s has %d KB of headers, over the %d KB an e-mail may have: it is not one a mail program wrote; ask the applicant to send it again", base, end>>10, maxMailHeader>>10)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(head))
	if err != nil || !looksLikeMail(msg.Header) {
		if what, advice := describeContent(data); what != "" && what != "plain text" {
			return nil, refuseFile(err, "%s is %s, not a saved e-mail: %s", base, what, advice)
		}
		return nil, refuseFile(err, "%s is not an e-mail message: its headers cannot be read, or it has no sender, date, subject or Message-ID. Save the message again from the mail program (Save as .eml)", base)
	}
	p := &mailParser{m: &Message{SHA256: sum, Size: size}}
	p.dec = &mime.WordDecoder{CharsetReader: charsetReader}
	p.readHeader(msg.Header)
	p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	p.finish()
	return p.m, nil
}

// notMail refuses what is plainly another kind of file, saying which.
func notMail(base string, data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		// workflow.ParseMessage gives Outlook's .msg to package outlookmsg.
		return refuseFile(nil, "%s is an Outlook message (.msg) or an older Office file, not an Internet e-mail (.eml)", base)
	case bytes.HasPrefix(data, []byte("%PDF-")), bytes.HasPrefix(data, []byte("\xff\xd8\xff")), bytes.HasPrefix(data, []byte("\x89PNG")):
		return refuseFile(nil, "%s is a scan (PDF, JPEG or PNG), not a saved e-mail: attach it to the request's checklist instead", base)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("\x1f\x8b")), bytes.HasPrefix(data, []byte("MZ")), bytes.HasPrefix(data, []byte("\x7fELF")):
		what, advice := describeContent(data)
		return refuseFile(nil, "%s is %s, not a saved e-mail: %s", base, what, advice)
	}
	return nil
}

// headerEnd is the offset of the blank line ending the headers, -1 if none
// within the limit.
func headerEnd(data []byte) int {
	lim := data[:min(len(data), maxMailHeader+4)]
	i, j := bytes.Index(lim, []byte("\r\n\r\n")), bytes.Index(lim, []byte("\n\n"))
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

func looksLikeMail(h mail.Header) bool {
	for _, k := range []string{"From", "Date", "Subject", "Message-Id", "Mime-Version", "Received", "Return-Path", "Sender"} {
		if h.Get(k) != "" {
			return true
		}
	}
	return false
}

// note adds what a clerk should know, once.
func (p *mailParser) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, n := range p.m.Notes {
		if n == s {
			return
		}
	}
	if len(p.m.Notes) < 30 {
		p.m.Notes = append(p.m.Notes, s)
	}
}

// encodedWord is one RFC 2047 encoded word; spaces between two of them
// are not text (RFC 2047, section 6.2).
var (
	encodedWord    = regexp.MustCompile(`=\?[^?\s]{1,40}\?[bBqQ]\?[^?\s]*\?=`)
	betweenEncoded = regexp.MustCompile(`(\?=)[ \t\r\n]+(=\?)`)
)

// header decodes encoded words (RFC 2047) in any charset, one by one, so
// one word in an unknown charset or broken does not spoil the others, and
// cleans the result to one line of valid UTF-8.
func (p *mailParser) header(v string) string {
	if len(v) > maxMailHeader {
		v = v[:maxMailHeader]
	}
	if d, err := p.dec.DecodeHeader(v); err == nil {
		return oneLine(d)
	}
	v = betweenEncoded.ReplaceAllString(v, "$1$2")
	v = encodedWord.ReplaceAllStringFunc(v, func(w string) string {
		d, err := p.dec.Decode(w)
		if err != nil {
			p.note("a header uses a character set this program does not know, or is damaged: some letters show as \uFFFD")
			return "\uFFFD"
		}
		return d
	})
	return oneLine(v)
}

// oneLine makes s valid UTF-8 on one line, without control or bidi characters.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var messageIDChars = regexp.MustCompile(`^[\x21-\x7e]+$`)

func (p *mailParser) readHeader(h mail.Header) {
	m := p.m
	ap := mail.AddressParser{WordDecoder: p.dec}
	if from := h.Get("From"); from != "" {
		if a, err := ap.Parse(from); err == nil {
			m.FromName, m.FromAddress = oneLine(a.Name), a.Address
		} else if as, err := ap.ParseList(from); err == nil && len(as) > 0 {
			m.FromName, m.FromAddress = oneLine(as[0].Name), as[0].Address
		} else if a, ok := looseAddress(p.header(from)); ok {
			m.FromName, m.FromAddress = a.Name, a.Address
		} else {
			p.note("the sender's address (From) cannot be read: type the applicant's e-mail address from the message")
		}
	} else if m.FromName != "" {
		// Outlook's .msg may name the sender without an Internet address.
		p.note("the message gives the sender's name (%s) but not their e-mail address: type the applicant's e-mail address", m.FromName)
	} else {
		p.note("the message has no sender (From): type the applicant's e-mail address")
	}
	if strings.Contains(m.FromName, "@") || strings.EqualFold(m.FromName, m.FromAddress) {
		m.FromName = "" // a name that is only the address again
	}
	if rt := h.Get("Reply-To"); rt != "" {
		if a, err := ap.Parse(rt); err == nil && !strings.EqualFold(a.Address, m.FromAddress) {
			m.ReplyTo = a.Address
		}
	}
	if d, err := h.Date(); err == nil {
		m.Date = d
	} else if h.Get("Date") != "" {
		p.note("the message's date (%s) cannot be read: the received date is left for you", oneLine(h.Get("Date"))[:min(60, len(oneLine(h.Get("Date"))))])
	}
	m.Subject = p.header(h.Get("Subject"))
	if id := strings.TrimSpace(h.Get("Message-Id")); id != "" {
		id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
		if len(id) <= maxMessageID && messageIDChars.MatchString(id) {
			m.MessageID = id
		} else {
			p.note("the message's Message-ID is not usable: the file's fingerprint keeps it from being imported twice instead")
		}
	}
}

// looseAddress finds "name <address>" in a sender line net/mail refused
// (an unquoted comma or dot in the name, raw 8-bit text).
func looseAddress(s string) (*mail.Address, bool) {
	i, j := strings.LastIndex(s, "<"), strings.LastIndex(s, ">")
	if i < 0 || j < i {
		return nil, false
	}
	a, err := mail.ParseAddress(s[i : j+1])
	if err != nil {
		return nil, false
	}
	return &mail.Address{Name: strings.Trim(strings.TrimSpace(s[:i]), `"' `), Address: a.Address}, true
}

// walk reads one entity (the message or a part) at nesting depth.
func (p *mailParser) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	ctype, params := p.mediaType(h.Get("Content-Type"), "text/plain")
	disp, dparams := p.mediaType(h.Get("Content-Disposition"), "")
	name := p.fileName(h, params, dparams)
	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		if depth >= MaxMessageDepth {
			p.note("the message nests parts more than %d deep: what lies deeper was not read", MaxMessageDepth)
			return
		}
		p.multipart(body, params["boundary"], depth)
		return
	case ctype == "message/rfc822":
		if depth >= MaxMessageDepth {
			p.note("the message nests forwarded messages more than %d deep: what lies deeper was not read", MaxMessageDepth)
			return
		}
		data, _, err := p.decode(h, body, MaxMessageText*4)
		if err != nil {
			p.damage("a forwarded message inside it cannot be decoded")
			return
		}
		inner, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			p.damage("a forwarded message inside it cannot be read")
			return
		}
		p.note("a forwarded message (subject %q) is inside: its text and attachments are included", p.header(inner.Header.Get("Subject")))
		if p.m.ForwardedAddress == "" {
			ap := mail.AddressParser{WordDecoder: p.dec}
			if a, err := ap.Parse(inner.Header.Get("From")); err == nil {
				p.m.ForwardedName, p.m.ForwardedAddress = oneLine(a.Name), a.Address
			}
		}
		p.walk(textproto.MIMEHeader(inner.Header), inner.Body, depth+1)
		return
	}
	isText := ctype == "text/plain" || ctype == "text/html"
	if isText && disp != "attachment" && name == "" {
		data, truncated, err := p.decode(h, body, MaxMessageText)
		if err != nil {
			p.damage("its text is damaged (the encoding is broken)")
		}
		if truncated {
			p.note("the text is longer than %d KB: only the beginning was read", MaxMessageText>>10)
		}
		text := p.toUTF8(params["charset"], data)
		if strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		if ctype == "text/html" {
			p.html = append(p.html, text)
		} else {
			p.plain = append(p.plain, text)
		}
		return
	}
	p.attachment(h, body, ctype, disp, name)
}

// mediaType parses a Content-Type or Content-Disposition value; a value
// mime cannot parse counts as absent (def).
func (p *mailParser) mediaType(v, def string) (string, map[string]string) {
	if strings.TrimSpace(v) == "" {
		return def, map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return def, map[string]string{}
	}
	if params == nil {
		params = map[string]string{}
	}
	return strings.ToLower(mt), params
}

// rfc2231 finds an extended parameter mime.ParseMediaType leaves out: it
// decodes only UTF-8 and US-ASCII ones (filename*=gb2312”%D5%C5.pdf).
var rfc2231 = regexp.MustCompile(`(?i)(?:^|;)\s*(?:file)?name\*(?:0\*)?\s*=\s*([A-Za-z0-9_.:-]+)'[A-Za-z-]*'([^;\s]+)`)

// fileName is an attachment's name, decoded: the disposition's filename,
// then the type's name; encoded words inside the quotes (as Outlook and
// many Chinese mail programs write them) and RFC 2231 values in any charset.
func (p *mailParser) fileName(h textproto.MIMEHeader, params, dparams map[string]string) string {
	n := dparams["filename"]
	if n == "" {
		n = params["name"]
	}
	if n == "" {
		for _, v := range []string{h.Get("Content-Disposition"), h.Get("Content-Type")} {
			if m := rfc2231.FindStringSubmatch(v); m != nil {
				if raw, err := url.PathUnescape(m[2]); err == nil {
					n = p.toUTF8(m[1], []byte(raw))
					break
				}
			}
		}
	}
	if strings.Contains(n, "=?") {
		n = p.header(n)
	}
	return oneLine(n)
}

// toUTF8 converts text in charset to valid UTF-8.
func (p *mailParser) toUTF8(charset string, data []byte) string {
	r, err := charsetReader(charset, bytes.NewReader(data))
	if err != nil {
		p.note("the text uses a character set this program does not know (%s): some letters may show as \uFFFD", oneLine(charset))
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxMessageText*4))
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// damage notes, once, that the message is damaged.
func (p *mailParser) damage(what string) {
	if !p.damaged {
		p.damaged = true
		p.note("the message is damaged: %s. What could be read is shown; if something is missing, ask the applicant to send it again", what)
	}
}

func (p *mailParser) multipart(body io.Reader, boundary string, depth int) {
	if boundary == "" {
		p.damage("a multipart section has no boundary, so its parts cannot be told apart")
		return
	}
	mr := multipart.NewReader(body, boundary)
	for {
		if p.parts >= MaxMessageParts {
			p.note("the message has more than %d parts: the rest were not read", MaxMessageParts)
			return
		}
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			p.damage("its parts end unexpectedly (" + oneLine(err.Error()) + ")")
			return
		}
		p.parts++
		if headerSize(part.Header) > maxMailHeader {
			p.note("a part has headers over %d KB: it was left out", maxMailHeader>>10)
			continue
		}
		p.walk(part.Header, part, depth+1)
	}
}

func headerSize(h textproto.MIMEHeader) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// decode reads a part's body, undoing its transfer encoding, up to limit
// decoded bytes; truncated says the body went on (it is read to the end,
// within the message's decoded budget, to count it).
func (p *mailParser) decode(h textproto.MIMEHeader, body io.Reader, limit int64) (data []byte, truncated bool, err error) {
	var r io.Reader
	switch cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); cte {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &base64Filter{r: body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "", "7bit", "8bit", "binary":
		r = body
	default:
		return nil, false, refuseFile(nil, "uses a transfer encoding (%s) this program does not read", oneLine(cte))
	}
	budget := MaxMessageDecoded - p.decoded
	if budget <= 0 {
		return nil, true, refuseFile(nil, "the message decodes to more than %s", sizeMB(MaxMessageDecoded))
	}
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(r, min(limit, budget)+1))
	if err == nil && n > limit {
		// Count the rest without keeping it, so the size can be told.
		var rest int64
		rest, err = io.Copy(io.Discard, io.LimitReader(r, budget-n))
		n += rest
		truncated = true
	}
	p.decoded += n
	data = b.Bytes()
	if int64(len(data)) > limit {
		data = data[:limit]
	}
	if n > limit {
		truncated = true
	}
	if err != nil {
		return data, truncated, err
	}
	return data, truncated, nil
}

// base64Filter drops what is not base64 (spaces, stray characters some
// mail programs leave), so a slightly untidy part still decodes.
type base64Filter struct{ r io.Reader }

func (f *base64Filter) Read(b []byte) (int, error) {
	for {
		n, err := f.r.Read(b)
		j := 0
		for _, c := range b[:n] {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
				b[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// signatureTypes are parts that are not documents: signatures and
// Outlook's rich-text envelope.
var signatureTypes = map[string]string{
	"application/pkcs7-signature":   "a digital signature (S/MIME), not a document",
	"application/x-pkcs7-signature": "a digital signature (S/MIME), not a document",
	"application/pgp-signature":     "a digital signature (PGP), not a document",
	"application/pgp-keys":          "a PGP key, not a document",
	"text/calendar":                 "a calendar invitation, not a document",
	"text/vcard":                    "a contact card, not a document",
	"text/x-vcard":                  "a contact card, not a document",
}

func (p *mailParser) attachment(h textproto.MIMEHeader, body io.Reader, ctype, disp, name string) {
	// A picture the HTML shows by its Content-ID, not offered as an attachment.
	part, skip := p.newPart(name, ctype, disp != "attachment" && h.Get("Content-Id") != "")
	if skip {
		io.Copy(io.Discard, io.LimitReader(body, MaxMessageDecoded))
		return
	}
	if part.Refused != nil {
		p.m.Parts = append(p.m.Parts, part)
		return
	}
	data, truncated, err := p.decode(h, body, MaxAttachmentBytes)
	p.addPart(part, data, truncated, err)
}

// newPart starts the attachment named name (declared as ctype): a name is
// made up when it has none, a signature or calendar part is left out with a
// note (skip), Outlook's rich-text envelope is refused at once.
func (p *mailParser) newPart(name, ctype string, inline bool) (part MailPart, skip bool) {
	if name == "" {
		name = fmt.Sprintf("attachment %d", len(p.m.Parts)+1)
		if ext, _ := mime.ExtensionsByType(ctype); len(ext) > 0 && typeByExt[ext[0]] != "" {
			name += ext[0]
		}
	}
	part = MailPart{Name: displayName(name), Declared: ctype, Inline: inline}
	if what, ok := signatureTypes[ctype]; ok {
		p.note("%s is %s: left out", part.Name, what)
		return part, true
	}
	if ctype == "application/ms-tnef" || strings.EqualFold(part.Name, "winmail.dat") {
		part.Refused = refuseFile(nil, "%s is Outlook's rich-text envelope (winmail.dat), which hides the real attachments: ask the applicant to send the message again in HTML or plain-text format (Outlook: File > Options > Mail > Compose messages in HTML)", part.Name)
	}
	return part, false
}

// addPart checks an attachment's decoded bytes (truncated: it went on past
// the limit for one file; err: its decoding failed) like any scan, and adds it.
func (p *mailParser) addPart(part MailPart, data []byte, truncated bool, err error) {
	var fe *Error
	switch {
	case errors.As(err, &fe):
		part.Refused = refuseFile(nil, "%s %s: ask the applicant to send it again as a normal attachment", part.Name, fe.Message)
	case err != nil:
		part.Refused = refuseFile(err, "%s is damaged in the message (its encoding is broken): ask the applicant to send it again", part.Name)
	case truncated:
		part.Refused = refuseFile(nil, "%s is over the %s limit for one file: ask the applicant to %s", part.Name, sizeMB(MaxAttachmentBytes), shrinkAdvice)
	default:
		part.Info, part.Refused = SniffFile(part.Name, data, MaxAttachmentBytes)
		if part.Refused == nil {
			part.Data = data
			if n := fileNameFor(part.Name, part.Info.Type); n != part.Name {
				part.origName, part.Name = part.Name, n
			}
		}
	}
	p.m.Parts = append(p.m.Parts, part)
}

// fileNameFor gives an accepted file the extension of its type when its name
// has another ("IMG_0412.HEIC" that is really a JPEG: "IMG_0412.jpg"): the
// system viewer opens files by their extension.
func fileNameFor(name, typ string) string {
	ext := path.Ext(name)
	if typeByExt[strings.ToLower(ext)] == typ {
		return name
	}
	if len(ext) > 6 || strings.ContainsAny(ext, " ") {
		ext = "" // "Scan 2.3 2026" has no extension
	}
	return strings.TrimSuffix(name, ext) + typeExt[typ]
}

// finish chooses the body text: the plain parts, else the HTML ones as text.
func (p *mailParser) finish() {
	m := p.m
	var texts []string
	if len(p.plain) > 0 {
		texts = p.plain
	} else if len(p.html) > 0 {
		for _, h := range p.html {
			texts = append(texts, HTMLText(h))
		}
		m.FromHTML = true
		p.note("the message has only an HTML body: its text was extracted for you (scripts, styles, images and links are dropped; nothing is shown as a web page)")
	}
	var b strings.Builder
	for _, t := range texts {
		t = cleanBody(t)
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
		if b.Len() > MaxMessageText {
			break
		}
	}
	m.Text = cutText(b.String(), MaxMessageText)
}

// cleanBody makes body text safe to show and edit: valid UTF-8, new lines
// as \n, no control or bidi characters but tabs, runs of blank lines as one.
func cleanBody(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\u00a0':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\ufeff':
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// unflow joins the lines of format=flowed text (RFC 3676) that end in a
// space, as Apple Mail and Thunderbird wrap paragraphs.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		l = strings.TrimPrefix(l, " ") // space-stuffing
		soft := strings.HasSuffix(l, " ") && l != "-- "
		if soft && delsp {
			l = l[:len(l)-1]
		}
		b.WriteString(l)
		if !soft && i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
