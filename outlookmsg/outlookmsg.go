// Package outlookmsg reads the messages Outlook saves or drags out (.msg)
// into the fieldprint.Message a saved .eml gives.
//
// A .msg is a compound file (Microsoft's Compound File Binary format, read
// with github.com/richardlehane/mscfb) holding the message's MAPI
// properties as [MS-OXMSG] lays them out:
//
//	__substg1.0_IIIITTTT          a property's value: IIII its ID, TTTT its type
//	                              (001F UTF-16LE text, 001E 8-bit text in the
//	                              message's code page, 0102 bytes)
//	__properties_version1.0       the fixed-size properties (times, numbers): a
//	                              header (32 bytes for the message, 24 for a
//	                              message attached inside, 8 for an attachment),
//	                              then 16 bytes a property: tag, flags, value
//	__attach_version1.0_#NNNNNNNN one storage an attachment, with the same layout;
//	                              a message attached inside is the storage
//	                              __substg1.0_3701000D in it
//	__recip_version1.0_#NNNNNNNN  the recipients (not read)
//
// Every size is bounded as for an .eml (fieldprint.MaxMessageBytes and the
// other limits), stream sizes are checked against the file's before anything
// is read, and a damaged or hostile file is refused, never a panic.
package outlookmsg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/htmlindex"

	fp "github.com/fieldprint/fieldprint"
)

// Signature starts every compound file (.msg, and the older .doc, .xls, .ppt).
const Signature = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

const (
	// maxEntries bounds the directory: a message with 100 attachments has
	// a few thousand entries.
	maxEntries = 20000
	// maxString bounds one text property other than the body (a subject,
	// a name, the transport headers).
	maxString = 1 << 20
	// maxBody bounds the body read: four times the text kept, so a body
	// cut here is always past fieldprint.MaxMessageText once decoded.
	maxBody = 4 * fp.MaxMessageText
	// maxProps bounds a properties stream (4,000 properties).
	maxProps = 64 << 10
)

// Property IDs ([MS-OXPROPS]).
const (
	pidMessageClass          = 0x001A
	pidSubject               = 0x0037
	pidClientSubmitTime      = 0x0039
	pidSentRepresentingName  = 0x0042
	pidSentRepresentingType  = 0x0064
	pidSentRepresentingAddr  = 0x0065
	pidTransportHeaders      = 0x007D
	pidSenderName            = 0x0C1A
	pidSenderAddrType        = 0x0C1E
	pidSenderEmailAddress    = 0x0C1F
	pidDeliveryTime          = 0x0E06
	pidBody                  = 0x1000
	pidRTFCompressed         = 0x1009
	pidHTML                  = 0x1013
	pidInternetMessageID     = 0x1035
	pidDisplayName           = 0x3001
	pidAttachData            = 0x3701
	pidAttachFilename        = 0x3704
	pidAttachMethod          = 0x3705
	pidAttachLongFilename    = 0x3707
	pidAttachMimeTag         = 0x370E
	pidAttachContentID       = 0x3712
	pidInternetCodepage      = 0x3FDE
	pidMessageCodepage       = 0x3FFD
	pidSenderSMTPAddress     = 0x5D01
	pidSentRepresentingSMTP  = 0x5D02
	pidAttachmentHidden      = 0x7FFE
	typeInteger32            = 0x0003
	typeBoolean              = 0x000B
	typeObject               = 0x000D
	typeString8              = 0x001E
	typeUnicode              = 0x001F
	typeTime                 = 0x0040
	typeBinary               = 0x0102
	attachByValue            = 1
	attachByReference        = 2
	attachByRefResolve       = 3
	attachByReferenceOnly    = 4
	attachByWebReference     = 7
	attachEmbeddedMessage    = 5
	attachOLE                = 6
	propsMessageHeader       = 32
	propsEmbeddedHeader      = 24
	propsAttachmentHeader    = 8
	propertiesStream         = "__properties_version1.0"
	attachPrefix             = "__attach_version1.0_#"
	filetimeUnixEpochSeconds = 11644473600 // from 1601-01-01 to 1970-01-01
)

// errPanic marks a refusal caused by a panic in the compound-file reader
// (a bug there, caught so that one hostile file cannot stop the program).
var errPanic = errors.New("outlookmsg: the compound-file reader failed")

// IsCompoundFile reports whether data is a compound file: an Outlook .msg,
// or an older Word, Excel or PowerPoint file.
func IsCompoundFile(data []byte) bool { return bytes.HasPrefix(data, []byte(Signature)) }

// Parse reads an Outlook message file. The error (EINVALID) refuses the
// whole file: too large, not a compound file, damaged, another Office file,
// an Outlook item that is not an e-mail (contact, appointment…), an
// encrypted message. What is left out of a readable message is a note or a
// refused attachment, as in fieldprint.ParseMessage.
func Parse(name string, data []byte) (m *fp.Message, err error) {
	base := fp.DisplayName(name)
	if len(data) > fp.MaxMessageBytes {
		return nil, refuse(nil, "%s is %s, over the %d MB a saved e-mail may have: save the attachments and attach them one by one", base, sizeMB(len(data)), fp.MaxMessageBytes>>20)
	}
	if !IsCompoundFile(data) {
		return nil, refuse(nil, "%s is not an Outlook message (.msg): its content is of another kind. Drag the message out of Outlook again, or save it as .eml", base)
	}
	defer func() {
		if v := recover(); v != nil {
			m, err = nil, refuse(fmt.Errorf("%w: %v", errPanic, v), damaged, base)
		}
	}()
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, refuse(err, damaged, base)
	}
	if len(doc.File) > maxEntries {
		return nil, refuse(nil, "%s holds %d entries, more than any Outlook message: it is damaged or is not a message. Drag the message out of Outlook again", base, len(doc.File))
	}
	r := &reader{size: int64(len(data)), root: newTree(doc.File)}
	if err := r.kind(base); err != nil {
		return nil, err
	}
	c, err := r.message(r.root, propsMessageHeader, 0, 0)
	if errors.Is(err, errBudget) {
		return nil, refuse(err, "%s holds more than %d MB of text and files: save the attachments from Outlook and attach them one by one", base, fp.MaxMessageDecoded>>20)
	} else if err != nil {
		return nil, refuse(err, damaged, base)
	}
	return fp.MessageFromContent(data, c), nil
}

const damaged = "%s is a damaged Outlook message: its parts cannot be found in it (the file may be cut short or altered). Drag the message out of Outlook again, or ask the applicant to send it again"

func refuse(cause error, format string, args ...any) *fp.Error {
	e := fp.Errorf(fp.EINVALID, format, args...)
	e.Err = cause
	return e
}

func sizeMB(n int) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
}

// node is a storage or stream of the compound file, found by name.
type node struct {
	f        *mscfb.File
	children map[string]*node
	names    []string // the children in directory order
}

// newTree arranges the directory entries (in mscfb's order, each with the
// path of storages above it) as a tree. A name given twice in one storage
// counts once: the first.
func newTree(files []*mscfb.File) *node {
	root := &node{children: map[string]*node{}}
	for _, f := range files[min(1, len(files)):] { // [0] is the root entry
		at := root
		for _, p := range f.Path {
			next := at.children[p]
			if next == nil {
				next = &node{children: map[string]*node{}}
				at.children[p] = next
				at.names = append(at.names, p)
			}
			at = next
		}
		if n := at.children[f.Name]; n == nil {
			at.children[f.Name] = &node{f: f, children: map[string]*node{}}
			at.names = append(at.names, f.Name)
		} else if n.f == nil {
			n.f = f
		}
	}
	return root
}

func (n *node) isStorage() bool { return n.f == nil || n.f.FileInfo().IsDir() }

// stream is the stream name directly under n, nil if none.
func (n *node) stream(name string) *node {
	if c := n.children[name]; c != nil && !c.isStorage() {
		return c
	}
	return nil
}

func (n *node) storage(name string) *node {
	if c := n.children[name]; c != nil && c.isStorage() {
		return c
	}
	return nil
}

func propName(id, typ uint16) string { return fmt.Sprintf("__substg1.0_%04X%04X", id, typ) }

// hasProp reports whether dir holds property id as text or bytes.
func hasProp(dir *node, id uint16) bool {
	for _, t := range []uint16{typeUnicode, typeString8, typeBinary} {
		if dir.stream(propName(id, t)) != nil {
			return true
		}
	}
	return false
}

// reader holds one Parse's budgets.
type reader struct {
	size  int64 // the file's
	root  *node
	read  int64 // bytes read from streams, all together
	parts int   // attachments taken, however nested
	notes []string
}

// errBudget: the file holds more than fieldprint.MaxMessageDecoded bytes.
var errBudget = errors.New("over the budget")

// bytes reads up to limit bytes of stream s; cut says the stream went on.
func (r *reader) bytes(s *node, limit int64) (b []byte, cut bool, err error) {
	size := s.f.Size
	if size > r.size {
		return nil, false, fmt.Errorf("stream %s says it holds %d bytes, more than the file's %d", s.f.Name, size, r.size)
	}
	n := min(size, limit)
	if r.read+n > fp.MaxMessageDecoded {
		return nil, false, errBudget
	}
	r.read += n
	if n == 0 {
		return nil, size > 0, nil
	}
	b = make([]byte, n)
	got, err := s.f.ReadAt(b, 0)
	if got == len(b) {
		err = nil // mscfb may add io.EOF to a read that ends the stream
	}
	if err != nil {
		return nil, false, fmt.Errorf("stream %s: %w", s.f.Name, err)
	}
	return b, size > n, nil
}

// props are the fixed-size properties of an object: tag -> 8-byte value.
type props map[uint32][8]byte

func (r *reader) props(dir *node, header int) (props, error) {
	out := props{}
	s := dir.stream(propertiesStream)
	if s == nil {
		return out, nil
	}
	b, _, err := r.bytes(s, maxProps)
	if err != nil {
		return nil, err
	}
	for i := header; i+16 <= len(b); i += 16 {
		var v [8]byte
		copy(v[:], b[i+8:i+16])
		tag := binary.LittleEndian.Uint32(b[i:])
		if _, dup := out[tag]; !dup {
			out[tag] = v
		}
	}
	return out, nil
}

func (p props) int32(id uint16) (int, bool) {
	v, ok := p[uint32(id)<<16|typeInteger32]
	return int(int32(binary.LittleEndian.Uint32(v[:4]))), ok
}

func (p props) bool(id uint16) bool {
	v, ok := p[uint32(id)<<16|typeBoolean]
	return ok && binary.LittleEndian.Uint16(v[:2]) != 0
}

// time reads a FILETIME (100 ns since 1601); an implausible one is none.
func (p props) time(id uint16) time.Time {
	v, ok := p[uint32(id)<<16|typeTime]
	if !ok {
		return time.Time{}
	}
	ft := binary.LittleEndian.Uint64(v[:])
	t := time.Unix(int64(ft/1e7)-filetimeUnixEpochSeconds, int64(ft%1e7)*100).UTC()
	if t.Year() < 1980 || t.Year() > 2200 {
		return time.Time{}
	}
	return t
}

// object is one message or attachment being read: its storage, fixed
// properties and code page for 8-bit text.
type object struct {
	dir      *node
	props    props
	codepage int
}

// text reads a text property, UTF-16 or 8-bit (in the object's code
// page); cut says it went on past limit.
func (r *reader) text(o *object, id uint16, limit int64) (s string, cut bool, err error) {
	if st := o.dir.stream(propName(id, typeUnicode)); st != nil {
		b, cut, err := r.bytes(st, limit)
		return fromUTF16(b), cut, err
	}
	if st := o.dir.stream(propName(id, typeString8)); st != nil {
		b, cut, err := r.bytes(st, limit)
		return r.decode8(b, o.codepage), cut, err
	}
	return "", false, nil
}

func fromUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00")
}

// decode8 turns 8-bit text in a Windows code page into UTF-8 (codepage 0:
// the message does not say which).
func (r *reader) decode8(b []byte, codepage int) string {
	b = bytes.TrimRight(b, "\x00")
	label, known := codepages[codepage]
	if !strings.HasPrefix(label, "utf-16") && isASCII(b) {
		return string(b)
	}
	switch {
	case codepage == 0:
		r.note("the message does not say which code page its text is in: it was read as Western European (Windows-1252), so letters of other alphabets may be wrong")
		label = "windows-1252"
	case !known:
		r.note(fmt.Sprintf("the message's text uses a code page (%d) this program does not know: it was read as Western European (Windows-1252), so some letters may be wrong", codepage))
		label = "windows-1252"
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func (r *reader) note(s string) {
	if !slices.Contains(r.notes, s) {
		r.notes = append(r.notes, s)
	}
}

// kind refuses what is not an e-mail: another compound file (a Word
// document renamed .msg), an Outlook item of another kind, an encrypted
// message.
func (r *reader) kind(base string) error {
	root := r.root
	isMessage := root.stream(propertiesStream) != nil &&
		(root.stream(propName(pidMessageClass, typeUnicode)) != nil || root.stream(propName(pidMessageClass, typeString8)) != nil)
	if !isMessage {
		what := "a compound file that is not an Outlook message (an older Office document, or a file of another program)"
		switch {
		case root.stream("WordDocument") != nil:
			what = "a Word document (.doc)"
		case root.stream("Workbook") != nil, root.stream("Book") != nil:
			what = "an Excel workbook (.xls)"
		case root.stream("PowerPoint Document") != nil:
			what = "a PowerPoint presentation (.ppt)"
		}
		return refuse(nil, "%s is %s, not a saved e-mail: if it is one of the applicant's documents, open it, save it as PDF (File > Save As) and attach the PDF to the request; to take in an e-mail, drag the message itself out of Outlook", base, what)
	}
	o := &object{dir: root, codepage: 0}
	class, _, err := r.text(o, pidMessageClass, 256)
	if err != nil {
		return refuse(err, damaged, base)
	}
	class = strings.ToUpper(strings.TrimSpace(class))
	item := ""
	switch {
	case class == "IPM.NOTE.SMIME" || strings.HasPrefix(class, "IPM.NOTE.SMIME.") && !strings.HasPrefix(class, "IPM.NOTE.SMIME.MULTIPARTSIGNED"):
		return refuse(nil, "%s is an encrypted message (S/MIME): only the person it was sent to can open it, in Outlook. Ask them to forward it without encryption, or to print it to PDF", base)
	case strings.HasPrefix(class, "IPM.CONTACT"), strings.HasPrefix(class, "IPM.DISTLIST"):
		item = "a contact card"
	case strings.HasPrefix(class, "IPM.APPOINTMENT"), strings.HasPrefix(class, "IPM.SCHEDULE."):
		item = "a calendar item"
	case strings.HasPrefix(class, "IPM.TASK"):
		item = "a task"
	case strings.HasPrefix(class, "IPM.STICKYNOTE"):
		item = "a note"
	case strings.HasPrefix(class, "IPM.ACTIVITY"):
		item = "a journal entry"
	}
	if item != "" {
		return refuse(nil, "%s is an Outlook item of another kind (%s), not an e-mail: drag the applicant's e-mail itself out of Outlook", base, item)
	}
	return nil
}

// message reads the message in dir (the file's root, or a message attached
// inside another at depth > 0).
func (r *reader) message(dir *node, header, parentCodepage, depth int) (*fp.MessageContent, error) {
	ps, err := r.props(dir, header)
	if err != nil {
		return nil, err
	}
	o := &object{dir: dir, props: ps, codepage: parentCodepage}
	if cp, ok := ps.int32(pidMessageCodepage); ok && cp > 0 {
		o.codepage = cp
	} else if cp, ok := ps.int32(pidInternetCodepage); ok && cp > 0 {
		o.codepage = cp
	}
	// The body's code page: PidTagInternetCodepage, for PidTagBody and PidTagBodyHtml.
	body := &object{dir: dir, props: ps, codepage: o.codepage}
	if cp, ok := ps.int32(pidInternetCodepage); ok && cp > 0 {
		body.codepage = cp
	}
	c := &fp.MessageContent{}
	str := func(id uint16) string {
		if err != nil {
			return ""
		}
		var s string
		s, _, err = r.text(o, id, maxString)
		return s
	}
	c.Subject = str(pidSubject)
	c.MessageID = str(pidInternetMessageID)
	c.Headers = str(pidTransportHeaders)
	// MS-OXCMAIL maps From to the "sent representing" properties and Sender
	// to the "sender" ones; they differ only when someone sends for another.
	for _, who := range [][4]uint16{
		{pidSentRepresentingName, pidSentRepresentingSMTP, pidSentRepresentingAddr, pidSentRepresentingType},
		{pidSenderName, pidSenderSMTPAddress, pidSenderEmailAddress, pidSenderAddrType},
	} {
		name, addr := str(who[0]), internetAddress(str(who[1]), "SMTP")
		if addr == "" {
			addr = internetAddress(str(who[2]), str(who[3]))
		}
		if addr != "" {
			if name != "" {
				c.FromName = name
			}
			c.FromAddress = addr
			break
		}
		if c.FromName == "" {
			c.FromName = name
		}
	}
	c.Date = ps.time(pidClientSubmitTime)
	if c.Date.IsZero() {
		c.Date = ps.time(pidDeliveryTime)
	}
	if err != nil {
		return nil, err
	}
	// A body cut at maxBody is still past MaxMessageText once decoded, so
	// MessageFromContent notes that only its beginning was read.
	if c.Text, _, err = r.text(body, pidBody, maxBody); err != nil {
		return nil, err
	}
	if c.HTML, err = r.html(body); err != nil {
		return nil, err
	}
	if !hasProp(dir, pidBody) && !hasProp(dir, pidHTML) && dir.stream(propName(pidRTFCompressed, typeBinary)) != nil {
		r.note("the message's text is only in Outlook's rich-text format (RTF), which this program does not read: read it in Outlook and type what matters")
	}
	if err := r.attachments(o, c, depth); err != nil && !errors.Is(err, errBudget) {
		return nil, err
	} else if err != nil {
		r.note(fmt.Sprintf("the message holds more than %d MB: the rest was not read", fp.MaxMessageDecoded>>20))
	}
	if depth == 0 {
		c.Notes = append(c.Notes, r.notes...)
	}
	return c, nil
}

// internetAddress is addr when it is an Internet address (an Exchange
// directory name, "/O=EXCHANGELABS/OU=…", is not), else "".
func internetAddress(addr, addrType string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" || !strings.EqualFold(addrType, "SMTP") && !strings.Contains(addr, "@") {
		return ""
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return ""
	}
	return a.Address
}

// html reads PidTagHtml: bytes in the body's code page (or text).
func (r *reader) html(o *object) (string, error) {
	st := o.dir.stream(propName(pidHTML, typeBinary))
	if st == nil {
		s, _, err := r.text(o, pidHTML, maxBody)
		return s, err
	}
	b, _, err := r.bytes(st, maxBody)
	if err != nil {
		return "", err
	}
	if cp, ok := o.props.int32(pidInternetCodepage); ok && cp > 0 {
		return r.decode8(b, cp), nil
	}
	return r.decode8(b, 65001), nil
}

// attachments reads the attachments of message o into c, in their order
// (their 8-bit names are in o's code page).
func (r *reader) attachments(o *object, c *fp.MessageContent, depth int) error {
	var dirs []string
	for _, n := range o.dir.names {
		if strings.HasPrefix(n, attachPrefix) && o.dir.storage(n) != nil {
			dirs = append(dirs, n)
		}
	}
	slices.Sort(dirs) // the number after # is hexadecimal, zero-padded
	for _, d := range dirs {
		if r.parts >= fp.MaxMessageParts {
			r.note(fmt.Sprintf("the message has more than %d parts: the rest were not read", fp.MaxMessageParts))
			return nil
		}
		r.parts++
		if err := r.attachment(o.dir.storage(d), c, o.codepage, depth); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) attachment(dir *node, c *fp.MessageContent, codepage, depth int) error {
	ps, err := r.props(dir, propsAttachmentHeader)
	if err != nil {
		return err
	}
	a := &object{dir: dir, props: ps, codepage: codepage}
	var f fp.MessageFile
	for _, id := range []uint16{pidAttachLongFilename, pidAttachFilename, pidDisplayName} {
		if f.Name, _, err = r.text(a, id, 4096); err != nil {
			return err
		} else if strings.TrimSpace(f.Name) != "" {
			break
		}
	}
	if f.Declared, _, err = r.text(a, pidAttachMimeTag, 256); err != nil {
		return err
	}
	cid, _, err := r.text(a, pidAttachContentID, 1024)
	if err != nil {
		return err
	}
	cid = strings.Trim(strings.TrimSpace(cid), "<>")
	f.Inline = cid != "" && (ps.bool(pidAttachmentHidden) || strings.Contains(c.HTML, "cid:"+cid))
	method, _ := ps.int32(pidAttachMethod)
	obj := dir.storage(propName(pidAttachData, typeObject))
	data := dir.stream(propName(pidAttachData, typeBinary))
	switch {
	case obj != nil && (method == attachEmbeddedMessage || method != attachOLE && obj.stream(propertiesStream) != nil):
		if depth+1 > fp.MaxMessageDepth {
			r.note(fmt.Sprintf("the message nests forwarded messages more than %d deep: what lies deeper was not read", fp.MaxMessageDepth))
			return nil
		}
		inner, err := r.message(obj, propsEmbeddedHeader, codepage, depth+1)
		if err != nil {
			return err
		}
		if inner.Subject == "" {
			inner.Subject = f.Name
		}
		c.Inner = append(c.Inner, inner)
		return nil
	case obj != nil || method == attachOLE:
		f.Refused = "is a document embedded in the text (an OLE object), not an attached file: ask the applicant to attach the document itself, as PDF, JPEG or PNG"
	case data == nil && slices.Contains([]int{attachByReference, attachByRefResolve, attachByReferenceOnly, attachByWebReference}, method):
		f.Refused = "is only a link to a file kept elsewhere (on a server or in the cloud), not the file itself: ask the applicant to attach the document itself"
	case data == nil:
		f.Refused = "has no content in the message: ask the applicant to send it again"
	case data.f.Size > fp.MaxAttachmentBytes:
		if data.f.Size > r.size {
			return fmt.Errorf("attachment data of %d bytes in a file of %d", data.f.Size, r.size)
		}
		f.Size = data.f.Size
	default:
		if f.Data, _, err = r.bytes(data, fp.MaxAttachmentBytes); err != nil {
			return err
		}
		if f.Data == nil {
			f.Data = []byte{}
		}
		if strings.EqualFold(strings.TrimSpace(f.Declared), "multipart/signed") {
			f.Data = nil
			f.Refused = "is the envelope of a digitally signed message (S/MIME), which this program does not open: ask the applicant to send the documents again in a message without a digital signature"
		}
	}
	c.Attachments = append(c.Attachments, f)
	return nil
}
