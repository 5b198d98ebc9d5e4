package fieldprint

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// How a PDF is checked
//
// checkPDF parses the file's object syntax from the first byte to the last
// %%EOF, in file order: every "N G obj … endobj", xref table, trailer and
// startxref, whatever the cross-reference data says, so objects of every
// incremental update and objects no xref points to are all seen. Stream data
// is not parsed (it is page content, pictures or fonts), except object
// streams (/Type /ObjStm, or any stream with /N and /First, since viewers do
// not check the type), which are inflated under a budget and parsed in turn.
// Names are decoded (#xx) before they are compared, literal and hex strings
// before a link's target is looked at.
//
// The file is refused when it carries active content (see pdfFinding), when
// it is encrypted, when anything in it is not PDF syntax, when a stream's
// data or a comment holds what looks like an object header ("9 0 obj": a
// viewer rebuilding a damaged xref would find an object there that this parse
// did not read), or when its object streams expand past the budget. It does
// not try to support every PDF: what scanners and PDF libraries write parses;
// odd files are refused with a message saying to print them to a new PDF.

// pdfFinding is one kind of active content, in the order messages list them.
type pdfFinding int

const (
	pdfJavaScript pdfFinding = iota
	pdfLaunch
	pdfEmbedded
	pdfAutoAction
	pdfOpenAction
	pdfRemoteFile
	pdfNetworkPath
	pdfForm
	pdfXFA
	pdfMedia
	pdfFindings
)

var pdfFindingText = [pdfFindings]string{
	pdfJavaScript:  "JavaScript",
	pdfLaunch:      "an action that starts a program",
	pdfEmbedded:    "embedded files",
	pdfAutoAction:  "actions that run by themselves",
	pdfOpenAction:  "an action that runs when it is opened",
	pdfRemoteFile:  "a link that opens another file",
	pdfNetworkPath: "a link to a file on another computer",
	pdfForm:        "a form that sends or loads data",
	pdfXFA:         "an XFA form",
	pdfMedia:       "embedded video, sound, 3D or Flash",
}

// pdfNameFindings are names that never occur in a scan and always mean active
// content, wherever they appear in object syntax (as a key or a value).
var pdfNameFindings = map[string]pdfFinding{
	"JavaScript":       pdfJavaScript, // an action type, the document's script index
	"JS":               pdfJavaScript, // an action's script
	"Launch":           pdfLaunch,
	"EmbeddedFile":     pdfEmbedded, // an embedded file stream
	"EF":               pdfEmbedded, // a file specification's embedded file
	"GoToE":            pdfEmbedded, // go to an embedded PDF
	"AA":               pdfAutoAction,
	"GoToR":            pdfRemoteFile, // go to another PDF: a \\server\share path leaks Windows credentials
	"SubmitForm":       pdfForm,
	"ImportData":       pdfForm,
	"XFA":              pdfXFA,
	"RichMedia":        pdfMedia,
	"RichMediaExecute": pdfMedia,
	"Movie":            pdfMedia,
	"Sound":            pdfMedia,
	"Rendition":        pdfMedia,
	"Screen":           pdfMedia,
	"3D":               pdfMedia,
}

// Limits of the parse. A scan's objects are small; these only stop a file
// built to exhaust the checker.
const (
	pdfMaxDepth       = 64      // nested arrays and dictionaries
	pdfMaxNodes       = 1 << 18 // values in one object
	pdfMinInflate     = 1 << 20 // object streams may always expand to 1 MB,
	pdfMaxInflate     = 64 << 20
	pdfInflatePerByte = 8 // else to 8 bytes per byte of the file, at most 64 MB
)

var (
	errPDFSyntax  = errors.New("pdf: not PDF syntax")
	errPDFComplex = errors.New("pdf: too deeply nested or too many values")
	errPDFHidden  = errors.New("pdf: object header inside other data")
	errPDFFilter  = errors.New("pdf: object stream with an unsupported filter")
	errPDFBomb    = errors.New("pdf: object streams expand past the budget")
)

func checkPDF(base string, data []byte) error {
	const advice = "open it, print it to a new PDF and attach that, or scan the paper"
	damaged := func() error {
		return refuseFile(nil, "%s is damaged or incomplete: the end of the PDF is missing, as after an interrupted download or copy. Download or copy it again, or scan the paper again", base)
	}
	// "%%EOF" ends every complete PDF; only whitespace may follow it.
	eof := bytes.LastIndex(data, []byte("%%EOF"))
	if eof < 0 {
		return damaged()
	}
	tail := data[eof+5:]
	if rest := bytes.TrimLeft(tail, pdfWhitespace); len(rest) > 0 {
		if looksLikePDFBody(rest) { // an incremental update cut short
			return damaged()
		}
		return refuseFile(nil, "%s has %d bytes of other data after the end of the PDF (another file hidden in it?): %s", base, len(rest), advice)
	} else if len(tail) > 1024 {
		return damaged()
	}

	c := &pdfCheck{budget: min(max(pdfInflatePerByte*int64(len(data)), pdfMinInflate), pdfMaxInflate), actions: map[int64][]pdfAction{}}
	err := c.check(data)
	if c.encrypted {
		return refuseFile(err, "%s is encrypted (protected by a password or locked against changes), which case files may not be: open it, print it to a new PDF and attach that, or scan the paper", base)
	}
	var active []string
	for f, where := range c.found {
		switch where {
		case pdfPlain, pdfPlain | pdfHidden:
			active = append(active, pdfFindingText[f])
		case pdfHidden:
			active = append(active, pdfFindingText[f]+" inside a compressed object stream")
		}
	}
	if len(active) > 0 {
		return refuseFile(err, "%s contains active content (%s), which case files may not carry: %s", base, strings.Join(active, ", "), advice)
	}
	if errors.Is(err, errPDFBomb) {
		return refuseFile(err, "%s cannot be checked: its compressed parts expand to more than %s. Open it, print it to a new PDF and attach that, or scan the paper again", base, sizeMB(c.limit))
	} else if err != nil {
		return refuseFile(err, "%s cannot be checked: its structure is damaged or unusual. Open it, print it to a new PDF and attach that, or scan the paper again", base)
	}
	return nil
}

const pdfWhitespace = "\x00\t\n\f\r "

// looksLikePDFBody reports whether b starts like more PDF objects.
func looksLikePDFBody(b []byte) bool {
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		return false
	}
	for _, kw := range []string{"xref", "trailer", "startxref", "%"} {
		if bytes.HasPrefix(b, []byte(kw)) {
			return true
		}
	}
	return '0' <= b[0] && b[0] <= '9'
}

// Where a finding was seen.
const (
	pdfPlain  = 1 << iota // in the file's own object syntax
	pdfHidden             // inside a compressed object stream
)

// pdfCheck gathers what the parse found.
type pdfCheck struct {
	found     [pdfFindings]uint8 // pdfPlain | pdfHidden
	encrypted bool
	objStms   []pdfStream
	opens     []pdfOpen // every /OpenAction, checked when all objects are known
	actions   map[int64][]pdfAction
	budget    int64 // bytes object streams may still expand to
	limit     int64 // the budget at the start
}

// pdfAction is an action dictionary's type and the actions it chains to.
type pdfAction struct {
	s     string
	next  []pdfAction // /Next actions written inline
	nexts []int64     // /Next actions by reference
}

type pdfOpen struct {
	where  uint8
	ref    int64 // the object the value refers to, or -1
	action *pdfAction
}

func (c *pdfCheck) check(data []byte) error {
	c.limit = c.budget
	p := &pdfParser{b: data, c: c, where: pdfPlain}
	if err := p.file(); err != nil {
		return err
	}
	if c.encrypted { // object streams are encrypted too
		return nil
	}
	for _, s := range c.objStms {
		if err := c.objectStream(s); err != nil {
			return err
		}
	}
	for _, o := range c.opens {
		seen := map[int64]bool{}
		if o.ref >= 0 {
			c.openAction(o.where, nil, []int64{o.ref}, seen)
		} else if o.action != nil {
			c.openAction(o.where, []pdfAction{*o.action}, nil, seen)
		}
	}
	return nil
}

// openAction flags an action run on opening that is not a plain "go to a
// page", following /Next chains (refs resolve to every object of that number).
func (c *pdfCheck) openAction(where uint8, acts []pdfAction, refs []int64, seen map[int64]bool) {
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			acts = append(acts, c.actions[r]...)
		}
	}
	for _, a := range acts {
		// Other action types that are always refused are already listed by name.
		if _, named := pdfNameFindings[a.s]; a.s != "GoTo" && !named {
			c.found[pdfOpenAction] |= where
		}
		if len(a.next) > 0 || len(a.nexts) > 0 {
			c.openAction(where, a.next, a.nexts, seen)
		}
	}
}

// pdfStream is a stream's dictionary and its (undecoded) data.
type pdfStream struct {
	dict pdfValue
	data []byte
}

// objectStream inflates an object stream and parses the objects in it.
func (c *pdfCheck) objectStream(stm pdfStream) error {
	s := &stm.dict
	n, first := s.get("N"), s.get("First")
	if n == nil || first == nil || !n.isInt() || !first.isInt() || n.n < 0 || first.n < 0 {
		return fmt.Errorf("%w: object stream without /N or /First", errPDFSyntax)
	}
	if dp := s.get("DecodeParms"); dp != nil && dp.kind != pdfNull {
		if pr := dp.get("Predictor"); dp.kind != pdfDict || pr != nil && !(pr.isInt() && pr.n <= 1) {
			return fmt.Errorf("%w: a predictor", errPDFFilter)
		}
	}
	data := stm.data
	switch f := s.get("Filter"); {
	case f == nil:
	case f.kind == pdfName && string(f.s) == "FlateDecode",
		f.kind == pdfArray && len(f.a) == 1 && f.a[0].kind == pdfName && string(f.a[0].s) == "FlateDecode":
		var err error
		if data, err = c.inflate(data); err != nil {
			return err
		}
	default:
		return errPDFFilter
	}
	if first.n > int64(len(data)) {
		return fmt.Errorf("%w: object stream header", errPDFSyntax)
	}
	// The header is N pairs "object-number offset", offsets counting from
	// /First. Each object is parsed where the header says it starts, as a
	// viewer would, and objects must follow one another with nothing but
	// whitespace between, so no byte is skipped.
	hdr := &pdfParser{b: data[:first.n], c: c, where: pdfHidden}
	p := &pdfParser{b: data, c: c, where: pdfHidden, pos: int(first.n)}
	for range n.n {
		num, off := hdr.token(), hdr.token()
		if num.kind != tokInt || off.kind != tokInt || off.n < 0 || off.n > int64(len(data))-first.n {
			return fmt.Errorf("%w: object stream header", errPDFSyntax)
		}
		start := int(first.n + off.n)
		if start < p.pos || !p.onlySpace(p.pos, start) {
			return fmt.Errorf("%w: object stream offsets", errPDFSyntax)
		}
		p.pos, p.nodes = start, 0
		v, err := p.value(0)
		if err != nil {
			return err
		}
		c.object(num.n, v)
	}
	if hdr.token().kind != tokEOF || hdr.err != nil {
		return fmt.Errorf("%w: object stream header", errPDFSyntax)
	}
	if !p.onlySpace(p.pos, len(data)) {
		return fmt.Errorf("%w: data after the last object in an object stream", errPDFSyntax)
	}
	return nil
}

func (c *pdfCheck) inflate(raw []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPDFSyntax, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, c.budget+1))
	if int64(len(out)) > c.budget {
		return nil, errPDFBomb
	}
	c.budget -= int64(len(out))
	if err != nil && !errors.Is(err, zlib.ErrChecksum) { // viewers ignore a bad checksum
		return nil, fmt.Errorf("%w: %v", errPDFSyntax, err)
	}
	return out, nil
}

// object records an indirect object's value: action dictionaries are kept so
// that /OpenAction and /Next references can be followed.
func (c *pdfCheck) object(num int64, v pdfValue) {
	if a, ok := toAction(v, 0); ok {
		c.actions[num] = append(c.actions[num], a)
	}
}

func toAction(v pdfValue, depth int) (pdfAction, bool) {
	s := v.get("S")
	if v.kind != pdfDict || s == nil || s.kind != pdfName || depth > pdfMaxDepth {
		return pdfAction{}, false
	}
	a := pdfAction{s: string(s.s)}
	if next := v.get("Next"); next != nil {
		list := []pdfValue{*next}
		if next.kind == pdfArray {
			list = next.a
		}
		for _, n := range list {
			if n.kind == pdfRef {
				a.nexts = append(a.nexts, n.n)
			} else if na, ok := toAction(n, depth+1); ok {
				a.next = append(a.next, na)
			}
		}
	}
	return a, true
}

// pdfKind is the type of a parsed value.
type pdfKind uint8

const (
	pdfNull pdfKind = iota
	pdfBool
	pdfNumber
	pdfString
	pdfName
	pdfArray
	pdfDict
	pdfRef
)

// pdfValue is a parsed PDF value. Dictionaries hold keys and values in turn in a.
type pdfValue struct {
	kind  pdfKind
	isNum bool // an integer: n holds it (for a reference, the object number)
	hex   bool // a hex string
	n     int64
	s     []byte     // a name (decoded) or a string (as written, without delimiters)
	a     []pdfValue // array elements, or dictionary keys and values
}

func (v *pdfValue) isInt() bool { return v.kind == pdfNumber && v.isNum }

// get returns a dictionary's value for key, nil if absent.
func (v *pdfValue) get(key string) *pdfValue {
	if v.kind != pdfDict {
		return nil
	}
	for i := 0; i+1 < len(v.a); i += 2 {
		if string(v.a[i].s) == key {
			return &v.a[i+1]
		}
	}
	return nil
}

// text decodes a string: escapes in literal strings, hex digits, UTF-16BE.
func (v *pdfValue) text() string {
	var out []byte
	if v.hex {
		var hi byte
		odd := false
		for _, c := range v.s {
			if !isHex(c) {
				continue
			}
			if odd {
				out = append(out, hi<<4|unhex(c))
			} else {
				hi = unhex(c)
			}
			odd = !odd
		}
		if odd {
			out = append(out, hi<<4)
		}
	} else {
		s := v.s
		for i := 0; i < len(s); i++ {
			if s[i] != '\\' || i+1 == len(s) {
				out = append(out, s[i])
				continue
			}
			i++
			switch c := s[i]; c {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r', '\n': // a line continuation
				if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			default:
				if '0' <= c && c <= '7' {
					o := c - '0'
					for k := 0; k < 2 && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '7'; k++ {
						i++
						o = o<<3 | (s[i] - '0')
					}
					out = append(out, o)
				} else {
					out = append(out, c)
				}
			}
		}
	}
	if len(out) >= 2 && out[0] == 0xfe && out[1] == 0xff {
		u := make([]uint16, 0, len(out)/2)
		for i := 2; i+1 < len(out); i += 2 {
			u = append(u, uint16(out[i])<<8|uint16(out[i+1]))
		}
		return string(utf16.Decode(u))
	}
	return string(out)
}

// isNetworkPath reports whether a link or file name points at another
// computer's files: \\server\share, //server/share, file: or smb: URLs.
func isNetworkPath(s string) bool {
	s = strings.ToLower(strings.TrimLeft(s, " \t\r\n"))
	for _, p := range []string{`\\`, "//", "file:", "smb:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Tokens.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokInt
	tokReal
	tokName
	tokString
	tokHex
	tokArray    // [
	tokArrayEnd // ]
	tokDict     // <<
	tokDictEnd  // >>
	tokKeyword
	tokError
)

type pdfToken struct {
	kind       tokKind
	start, end int   // the token's bytes (for strings and names, without delimiters)
	n          int64 // an integer's value
}

type pdfParser struct {
	b     []byte
	pos   int
	c     *pdfCheck
	where uint8 // pdfPlain or pdfHidden
	nodes int
	err   error
}

func isPDFDelimiter(c byte) bool {
	return strings.IndexByte("\x00\t\n\f\r ()<>[]{}/%", c) >= 0
}

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

// skipSpace skips whitespace and comments. Comments are opaque data: one that
// holds an object header is refused (see hidesObject).
func (p *pdfParser) skipSpace() {
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if isPDFSpace(c) {
			p.pos++
			continue
		}
		if c != '%' {
			return
		}
		start := p.pos
		for p.pos < len(p.b) && p.b[p.pos] != '\r' && p.b[p.pos] != '\n' {
			p.pos++
		}
		p.opaque(p.b[start:p.pos])
	}
}

// onlySpace reports whether b[from:to] is whitespace and comments only.
func (p *pdfParser) onlySpace(from, to int) bool {
	save, b := p.pos, p.b
	p.pos, p.b = from, b[:to]
	p.skipSpace()
	ok := p.pos == to
	p.pos, p.b = save, b
	return ok
}

// opaque checks data the parse does not read as objects (stream data,
// comments, strings) for an object header, in the file's own bytes only.
func (p *pdfParser) opaque(b []byte) {
	if p.where == pdfPlain && p.err == nil && hidesObject(b) {
		p.err = errPDFHidden
	}
}

// hidesObject reports whether b contains "N G obj" (digits, whitespace,
// digits, whitespace, "obj", then a delimiter or the end): what a viewer
// rebuilding a broken cross-reference table searches the whole file for.
func hidesObject(b []byte) bool {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("obj"))
		if k < 0 {
			return false
		}
		k += i
		i = k + 3
		if i < len(b) && !isPDFDelimiter(b[i]) {
			continue
		}
		j, ok := k, true
		for range 2 {
			s := j
			for j > 0 && isPDFSpace(b[j-1]) {
				j--
			}
			d := j
			for j > 0 && '0' <= b[j-1] && b[j-1] <= '9' {
				j--
			}
			if s == j || d == s || d == j {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
}

// token reads the next token. Errors are kept in p.err and returned as tokError.
func (p *pdfParser) token() pdfToken {
	p.skipSpace()
	if p.err != nil {
		return pdfToken{kind: tokError}
	}
	b := p.b
	if p.pos >= len(b) {
		return pdfToken{kind: tokEOF, start: p.pos, end: p.pos}
	}
	start := p.pos
	fail := func() pdfToken {
		p.err = fmt.Errorf("%w at byte %d", errPDFSyntax, start)
		return pdfToken{kind: tokError}
	}
	switch c := b[p.pos]; c {
	case '[':
		p.pos++
		return pdfToken{kind: tokArray, start: start}
	case ']':
		p.pos++
		return pdfToken{kind: tokArrayEnd, start: start}
	case '<':
		if p.pos+1 < len(b) && b[p.pos+1] == '<' {
			p.pos += 2
			return pdfToken{kind: tokDict, start: start}
		}
		end := bytes.IndexByte(b[p.pos:], '>')
		if end < 0 {
			return fail()
		}
		for _, c := range b[p.pos+1 : p.pos+end] {
			if !isHex(c) && !isPDFSpace(c) {
				return fail()
			}
		}
		p.pos += end + 1
		return pdfToken{kind: tokHex, start: start + 1, end: p.pos - 1}
	case '>':
		if p.pos+1 < len(b) && b[p.pos+1] == '>' {
			p.pos += 2
			return pdfToken{kind: tokDictEnd, start: start}
		}
		return fail()
	case '(':
		depth := 0
		for i := p.pos; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					p.pos = i + 1
					p.opaque(b[start+1 : i])
					return pdfToken{kind: tokString, start: start + 1, end: i}
				}
			}
		}
		return fail()
	case ')', '{', '}':
		return fail()
	case '/':
		p.pos++
		for p.pos < len(b) && !isPDFDelimiter(b[p.pos]) {
			p.pos++
		}
		return pdfToken{kind: tokName, start: start + 1, end: p.pos}
	}
	for p.pos < len(b) && !isPDFDelimiter(b[p.pos]) {
		p.pos++
	}
	t := pdfToken{kind: tokKeyword, start: start, end: p.pos}
	// Numbers: an optional sign, digits with at most one point.
	s := b[start:p.pos]
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, points := 0, 0
	for _, c := range s {
		if c == '.' {
			points++
		} else if '0' <= c && c <= '9' {
			digits++
		} else {
			digits = -1
			break
		}
	}
	if digits > 0 && points <= 1 {
		t.kind = tokReal
		if points == 0 && digits <= 18 {
			t.kind = tokInt
			for _, c := range s {
				t.n = t.n*10 + int64(c-'0')
			}
			if b[start] == '-' {
				t.n = -t.n
			}
		}
	}
	return t
}

func (p *pdfParser) keyword(t pdfToken, kw string) bool {
	return t.kind == tokKeyword && string(p.b[t.start:t.end]) == kw
}

func (p *pdfParser) syntaxError(t pdfToken) error {
	if p.err != nil {
		return p.err
	}
	return fmt.Errorf("%w at byte %d", errPDFSyntax, t.start)
}

// value parses one value.
func (p *pdfParser) value(depth int) (pdfValue, error) {
	if depth > pdfMaxDepth {
		return pdfValue{}, errPDFComplex
	}
	if p.nodes++; p.nodes > pdfMaxNodes {
		return pdfValue{}, errPDFComplex
	}
	t := p.token()
	switch t.kind {
	case tokInt:
		// "N G R" is a reference.
		save := p.pos
		if g := p.token(); g.kind == tokInt && g.n >= 0 {
			if r := p.token(); p.keyword(r, "R") {
				return pdfValue{kind: pdfRef, n: t.n}, nil
			}
		}
		p.pos, p.err = save, nil
		return pdfValue{kind: pdfNumber, isNum: true, n: t.n}, nil
	case tokReal:
		return pdfValue{kind: pdfNumber}, nil
	case tokName:
		return p.name(t), nil
	case tokString, tokHex:
		return pdfValue{kind: pdfString, hex: t.kind == tokHex, s: p.b[t.start:t.end]}, nil
	case tokArray:
		v := pdfValue{kind: pdfArray}
		for {
			save := p.pos
			if e := p.token(); e.kind == tokArrayEnd {
				return v, nil
			} else if e.kind == tokEOF || e.kind == tokError {
				return v, p.syntaxError(e)
			}
			p.pos = save
			el, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			v.a = append(v.a, el)
		}
	case tokDict:
		v := pdfValue{kind: pdfDict}
		for {
			k := p.token()
			if k.kind == tokDictEnd {
				p.checkDict(&v)
				return v, nil
			} else if k.kind != tokName {
				return v, p.syntaxError(k)
			}
			key := p.name(k)
			val, err := p.value(depth + 1)
			if err != nil {
				return v, err
			}
			v.a = append(v.a, key, val)
		}
	case tokKeyword:
		switch string(p.b[t.start:t.end]) {
		case "true", "false":
			return pdfValue{kind: pdfBool}, nil
		case "null":
			return pdfValue{kind: pdfNull}, nil
		}
	}
	return pdfValue{}, p.syntaxError(t)
}

// name decodes a name token (#xx escapes: "/J#61vaScript" is /JavaScript)
// and notes the names that mean active content or encryption.
func (p *pdfParser) name(t pdfToken) pdfValue {
	name := p.b[t.start:t.end]
	if bytes.IndexByte(name, '#') >= 0 {
		name = unescapePDFName(name)
	}
	if f, ok := pdfNameFindings[string(name)]; ok {
		p.c.found[f] |= p.where
	} else if string(name) == "Encrypt" {
		p.c.encrypted = true
	}
	return pdfValue{kind: pdfName, s: name}
}

// checkDict looks at the entries whose meaning depends on their value.
func (p *pdfParser) checkDict(v *pdfValue) {
	for i := 0; i+1 < len(v.a); i += 2 {
		val := &v.a[i+1]
		switch string(v.a[i].s) {
		case "EmbeddedFiles": // the index of embedded files; gofpdf writes an empty one into every PDF
			if !emptyNameTree(val) {
				p.c.found[pdfEmbedded] |= p.where
			}
		case "OpenAction": // a destination (array, name, string) is harmless; an action is not
			switch val.kind {
			case pdfRef:
				p.c.opens = append(p.c.opens, pdfOpen{where: p.where, ref: val.n})
			case pdfDict:
				if a, ok := toAction(*val, 0); ok {
					p.c.opens = append(p.c.opens, pdfOpen{where: p.where, ref: -1, action: &a})
				}
			}
		case "URI", "F", "UF", "DOS", "Unix", "Mac": // link targets and file names
			if val.kind != pdfString {
				break
			}
			if t := val.text(); isNetworkPath(t) {
				p.c.found[pdfNetworkPath] |= p.where
			} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "javascript:") {
				p.c.found[pdfJavaScript] |= p.where
			}
		}
	}
}

// emptyNameTree reports whether v is a name tree with no entries: << /Names [] >>.
func emptyNameTree(v *pdfValue) bool {
	if v.kind != pdfDict || len(v.a) == 0 {
		return false
	}
	for i := 0; i+1 < len(v.a); i += 2 {
		k, val := string(v.a[i].s), v.a[i+1]
		if k != "Names" && k != "Kids" || val.kind != pdfArray || len(val.a) > 0 {
			return false
		}
	}
	return true
}

// file parses the whole file as a sequence of indirect objects, xref tables,
// trailers and startxref lines.
func (p *pdfParser) file() error {
	for {
		p.nodes = 0
		t := p.token()
		switch {
		case t.kind == tokEOF:
			return nil
		case t.kind == tokInt:
			if err := p.indirectObject(t); err != nil {
				return err
			}
		case p.keyword(t, "xref"):
			// Subsection headers and entries: numbers and the keywords n and f.
			for {
				e := p.token()
				if p.keyword(e, "trailer") {
					break
				} else if e.kind != tokInt && !p.keyword(e, "n") && !p.keyword(e, "f") {
					return p.syntaxError(e)
				}
			}
			fallthrough
		case p.keyword(t, "trailer"):
			if v, err := p.value(0); err != nil {
				return err
			} else if v.kind != pdfDict {
				return p.syntaxError(t)
			}
		case p.keyword(t, "startxref"):
			if n := p.token(); n.kind != tokInt {
				return p.syntaxError(n)
			}
		default:
			return p.syntaxError(t)
		}
	}
}

// indirectObject parses "N G obj value endobj", or a stream.
func (p *pdfParser) indirectObject(num pdfToken) error {
	if g, o := p.token(), p.token(); g.kind != tokInt || !p.keyword(o, "obj") {
		return p.syntaxError(o)
	}
	v, err := p.value(0)
	if err != nil {
		return err
	}
	t := p.token()
	if p.keyword(t, "stream") {
		if v.kind != pdfDict {
			return p.syntaxError(t)
		}
		data, err := p.streamData(&v)
		if err != nil {
			return err
		}
		typ := v.get("Type")
		if typ != nil && typ.kind == pdfName && string(typ.s) == "ObjStm" || v.get("N") != nil && v.get("First") != nil {
			p.c.objStms = append(p.c.objStms, pdfStream{v, data})
		}
		t = p.token()
	}
	if !p.keyword(t, "endobj") {
		return p.syntaxError(t)
	}
	p.c.object(num.n, v)
	return p.err
}

// streamData returns a stream's data and moves past "endstream". A direct
// /Length is used when "endstream" follows it, as viewers do; otherwise (an
// indirect or wrong length) the data ends at the first "endstream", so any
// "endstream" inside data that /Length spans is parsed as what follows it.
func (p *pdfParser) streamData(dict *pdfValue) ([]byte, error) {
	b, i := p.b, p.pos
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') { // not allowed, but written by some
		i++
	}
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i < len(b) && b[i] == '\n' {
		i++
	} else if i == p.pos || b[i-1] != '\r' {
		return nil, fmt.Errorf("%w: no line end after stream at byte %d", errPDFSyntax, p.pos)
	}
	start, end := i, -1
	if l := dict.get("Length"); l != nil && l.isInt() && l.n >= 0 && l.n <= int64(len(b)-start) {
		j := start + int(l.n)
		for j < len(b) && isPDFSpace(b[j]) {
			j++
		}
		if bytes.HasPrefix(b[j:], []byte("endstream")) && !bytes.Contains(b[start:start+int(l.n)], []byte("endstream")) {
			end, p.pos = start+int(l.n), j+len("endstream")
		}
	}
	if end < 0 {
		k := bytes.Index(b[start:], []byte("endstream"))
		if k < 0 {
			return nil, fmt.Errorf("%w: no endstream after byte %d", errPDFSyntax, start)
		}
		end, p.pos = start+k, start+k+len("endstream")
		if end > start && b[end-1] == '\n' {
			end--
		}
		if end > start && b[end-1] == '\r' {
			end--
		}
	}
	p.opaque(b[start:end])
	return b[start:end], nil
}

func unescapePDFName(name []byte) []byte {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		if name[i] == '#' && i+2 < len(name) && isHex(name[i+1]) && isHex(name[i+2]) {
			out = append(out, unhex(name[i+1])<<4|unhex(name[i+2]))
			i += 2
			continue
		}
		out = append(out, name[i])
	}
	return out
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
