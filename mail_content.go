package fieldprint

import (
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageContent is a message another reader took apart, in the terms of
// an e-mail: Outlook's .msg, read by package outlookmsg from its MAPI
// properties. MessageFromContent turns it into the Message ParseMessage
// gives for an .eml, with the same cleaning, notes and attachment checks.
// The reader keeps to the limits (MaxMessageBytes for the file,
// MaxMessageParts attachments, MaxMessageDepth nesting, MaxMessageDecoded
// bytes read in all) and notes what it left out.
type MessageContent struct {
	// Headers is the message's Internet header block when it kept one
	// (Outlook keeps the transport headers of a message it received): its
	// From, Date, Message-ID and Reply-To come first.
	Headers string
	// The sender, date, subject and Message-ID from the reader's own
	// fields: what Headers lacks is taken from them. FromAddress must be an
	// Internet address (an Exchange directory name is not one).
	FromName, FromAddress string
	Date                  time.Time
	Subject, MessageID    string
	// Text and HTML are the bodies, as UTF-8 (either may be empty).
	Text, HTML  string
	Attachments []MessageFile
	// Inner are the messages attached to this one (a forwarded message),
	// in order: their text and attachments are included, as for an .eml.
	Inner []*MessageContent
	// Notes are what the reader left out or repaired, in words for a clerk.
	Notes []string
}

// MessageFile is one attachment as the reader found it.
type MessageFile struct {
	Name     string // as the message gives it ("" for none)
	Declared string // the content type the message declares ("" if none)
	Data     []byte
	// Size is the attachment's size when the reader left its bytes unread
	// because it is over MaxAttachmentBytes (Data is nil then).
	Size   int64
	Inline bool // a picture shown inside the text
	// Refused says why the reader could not take it (a link to a file, an
	// embedded object), as the end of a sentence naming the file: "is a link
	// to a file, not the file: …". Data is nil then.
	Refused string
}

// MessageFromContent makes the Message of a file raw that another reader
// took apart into c; it never fails: what cannot be used is a note or a
// refused attachment, as in ParseMessage.
func MessageFromContent(raw []byte, c *MessageContent) *Message {
	p := &mailParser{m: &Message{SHA256: Fingerprint(raw), Size: len(raw)}}
	p.dec = &mime.WordDecoder{CharsetReader: charsetReader}
	h := mail.Header{}
	if c.Headers != "" {
		block := strings.TrimRight(c.Headers, "\r\n\x00") + "\r\n\r\n"
		if len(block) > maxMailHeader {
			p.note("the message's Internet headers are over %d KB: the sender, date and ID come from Outlook's own fields", maxMailHeader>>10)
		} else if msg, err := mail.ReadMessage(strings.NewReader(block)); err != nil {
			p.note("the message's Internet headers cannot be read: the sender, date and ID come from Outlook's own fields")
		} else {
			h = msg.Header
		}
	}
	// What the headers lack comes from the reader's fields.
	if h.Get("From") == "" {
		if c.FromAddress != "" {
			h["From"] = []string{(&mail.Address{Name: c.FromName, Address: c.FromAddress}).String()}
		} else {
			// readHeader then notes that the address is missing.
			p.m.FromName = oneLine(c.FromName)
		}
	}
	if h.Get("Message-Id") == "" && c.MessageID != "" {
		h["Message-Id"] = []string{c.MessageID}
	}
	if h.Get("Date") == "" && !c.Date.IsZero() {
		h["Date"] = []string{c.Date.Format(time.RFC1123Z)}
	}
	p.readHeader(h)
	if s := oneLine(c.Subject); s != "" {
		p.m.Subject = s // decoded already, in Unicode: better than the header's
	}
	p.content(c, 0)
	p.finish()
	return p.m
}

// content adds c's notes, text and attachments, then those of the messages
// inside it.
func (p *mailParser) content(c *MessageContent, depth int) {
	for _, n := range c.Notes {
		p.note("%s", n)
	}
	for _, t := range []string{c.Text, c.HTML} {
		if len(t) > MaxMessageText {
			p.note("the text is longer than %d KB: only the beginning was read", MaxMessageText>>10)
		}
	}
	if c.Text != "" {
		p.plain = append(p.plain, cutText(c.Text, MaxMessageText))
	}
	if c.HTML != "" {
		p.html = append(p.html, cutText(c.HTML, MaxMessageText))
	}
	for _, f := range c.Attachments {
		if len(p.m.Parts) >= MaxMessageParts {
			p.note("the message has more than %d parts: the rest were not read", MaxMessageParts)
			break
		}
		part, skip := p.newPart(f.Name, strings.ToLower(strings.TrimSpace(f.Declared)), f.Inline)
		switch {
		case skip:
			continue
		case part.Refused != nil:
		case f.Refused != "":
			part.Refused = refuseFile(nil, "%s %s", part.Name, f.Refused)
		default:
			p.addPart(part, f.Data, f.Data == nil && f.Size > MaxAttachmentBytes, nil)
			continue
		}
		p.m.Parts = append(p.m.Parts, part)
	}
	for _, in := range c.Inner {
		if depth >= MaxMessageDepth {
			p.note("the message nests forwarded messages more than %d deep: what lies deeper was not read", MaxMessageDepth)
			return
		}
		p.note("a forwarded message (subject %q) is inside: its text and attachments are included", oneLine(in.Subject))
		if p.m.ForwardedAddress == "" && in.FromAddress != "" {
			if a, err := mail.ParseAddress(in.FromAddress); err == nil {
				p.m.ForwardedName, p.m.ForwardedAddress = oneLine(in.FromName), a.Address
			}
		}
		p.content(in, depth+1)
	}
}

// cutText is s cut to at most n bytes, at the start of a character.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
