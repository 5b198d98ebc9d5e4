package fieldprint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ActionMailKeep is the audit action of keeping an applicant's original
// e-mail with a request. Persisted: never rename.
const ActionMailKeep = "mail.keep"

// IntakeService keeps the original e-mail of a request taken in from one,
// so the same message is never taken in twice.
type IntakeService interface {
	// MessageImported returns the number of the request the message with
	// import key (Message.ImportKey) was taken into, "" when none.
	MessageImported(key string) (string, error)
	// KeepMessage stores the message's bytes beside the scans, records its
	// key against request id and audits it, in one transaction; ECONFLICT
	// when the key is already recorded.
	KeepMessage(a Actor, id RequestID, key, name string, data []byte) error
}

// IntakeStore is what taking a message in uses.
type IntakeStore interface {
	RequestService
	DocumentService
	IntakeService
}

// IntakeDraft is a new request's form prefilled from an applicant's
// e-mail, for a clerk to check, complete and save.
type IntakeDraft struct {
	Message *Message
	Input   RequestInput
	// Guess is the category the message's words suggest ("" when none or
	// several do equally); GuessWords are those words. A guess for the
	// clerk to confirm, never a decision.
	Guess      Category
	GuessWords []string
	// NoticeGuess is the kind of notice the words suggest ("" when none).
	NoticeGuess NoticeType
	// Received is the message's date in office time (zero when unknown).
	Received time.Time
	// Filled are the field keys prefilled from the message: the form shows
	// their problems at once.
	Filled []string
	// Notes are for the clerk: what was read, guessed, left out or refused.
	Notes []string
}

// DraftFromMessage prefills a new request from m, in the office's zone loc,
// on day today. Identifiers go through the form's own parsers when it is
// saved (Parse), so look-alikes, Department of State case numbers and
// malformed numbers are flagged the same way as typed ones.
func DraftFromMessage(m *Message, loc *time.Location, today Date) IntakeDraft {
	d := IntakeDraft{Message: m}
	in := &d.Input
	fill := func(key string, v *string, value string) {
		if value != "" {
			*v = value
			d.Filled = append(d.Filled, key)
		}
	}
	if !m.Date.IsZero() {
		d.Received = m.Date.In(loc)
		day := DateOf(d.Received)
		if day.After(today) {
			d.Notes = append(d.Notes, fmt.Sprintf("the message is dated %s, after today: the sender's clock is wrong; today is used as the received date", day))
		} else {
			fill(FieldReceived, &in.Received, day.String())
		}
	}
	name, addr := m.FromName, m.FromAddress
	if m.ForwardedAddress != "" {
		name, addr = m.ForwardedName, m.ForwardedAddress
		d.Notes = append(d.Notes, fmt.Sprintf("%s forwarded the message of %s: the contact is the forwarded message's sender", m.Sender(), strings.TrimSpace(name+" <"+addr+">")))
	}
	fill(FieldFullName, &in.FullName, name)
	if name != "" {
		d.Notes = append(d.Notes, fmt.Sprintf("the name is the sender's (%s): check it against the passport, and that the sender is the applicant", name))
	}
	fill(FieldEmail, &in.Email, addr)
	if m.ReplyTo != "" {
		d.Notes = append(d.Notes, fmt.Sprintf("replies go to %s (Reply-To), not to the sender: check which address the applicant wants", m.ReplyTo))
	}
	all := m.Subject + "\n" + m.Text
	rns, anums := findIdentifiers(all)
	fill(FieldReceiptNumbers, &in.ReceiptNumbers, strings.Join(rns, "; "))
	if len(anums) > 0 {
		fill(FieldANumber, &in.ANumber, anums[0])
		if len(anums) > 1 {
			d.Notes = append(d.Notes, fmt.Sprintf("the message mentions other A-numbers too (%s): check which is the applicant's", strings.Join(anums[1:], ", ")))
		}
	}
	if len(rns) == 0 && len(anums) == 0 {
		d.Notes = append(d.Notes, "no receipt number or A-number was found in the subject or the text: read it from the notice")
	}
	fill(FieldPhone, &in.Phone, findPhone(m.Text))
	fill(FieldDateOfBirth, &in.DateOfBirth, findBirthDate(m.Text))
	basis, cut := basisText(m.Text)
	fill(FieldBasis, &in.Basis, basis)
	if cut {
		d.Notes = append(d.Notes, fmt.Sprintf("the text is longer than the %d characters a basis holds: it was cut; shorten it to what matters", maxTextLen))
	}
	d.Guess, d.GuessWords = GuessCategory(all)
	if d.Guess != "" {
		in.Category = string(d.Guess)
	}
	d.NoticeGuess = guessNotice(all)
	in.NoticeType = string(d.NoticeGuess)
	d.Notes = append(d.Notes, m.Notes...)
	for _, p := range m.Parts {
		if p.Refused == nil && p.Name != p.OriginalName() {
			d.Notes = append(d.Notes, fmt.Sprintf("%s is really %s: it is kept as %s", p.OriginalName(), typeNoun[p.Info.Type], p.Name))
		}
	}
	return d
}

// OriginalName is the part's name as the message gave it (cleaned).
func (p MailPart) OriginalName() string {
	if p.origName != "" {
		return p.origName
	}
	return p.Name
}

// Probe is a request holding only the identifiers found that parse, for
// the duplicate check before the form is complete.
func (d IntakeDraft) Probe() *Request {
	r := &Request{}
	for _, s := range SplitList(d.Input.ReceiptNumbers) {
		if rn, _, err := ParseReceiptNumber(s); err == nil && !slices.Contains(r.ReceiptNumbers, rn) {
			r.ReceiptNumbers = append(r.ReceiptNumbers, rn)
		}
	}
	if a, err := ParseANumber(d.Input.ANumber); err == nil {
		r.ANumber = a
	}
	return r
}

var (
	// receiptCandidate: three letters (any script: look-alikes are caught
	// by the parser) and 7 to 13 digits (any script), with dashes or
	// spaces as people type them.
	receiptCandidate = regexp.MustCompile(`\p{L}{3}[ \-]?\p{Nd}(?:[ \-]?\p{Nd}){6,12}`)
	// aCandidate: "A" (or a look-alike) and 7 to 9 digits.
	aCandidate = regexp.MustCompile(`[AАΑＡ][ \-#]?\p{Nd}(?:[ \-]?\p{Nd}){6,8}`)
	// aKeyword: the digits after "A-number:", "Alien number", "A#" or "USCIS #".
	aKeyword       = regexp.MustCompile(`(?i)(?:a[ -]?(?:number|no\.?)|a#|alien (?:registration )?(?:number|no\.?)|uscis (?:number|no\.?|#)|uscis online account number)\s*(?:is|:|：|#)?\s*[:#]?\s*(\p{Nd}(?:[ \-]?\p{Nd}){6,8})`)
	phoneCandidate = regexp.MustCompile(`(?i)(?:tel(?:ephone)?|phone|mobile|cell|whatsapp|wechat|电话|手机|電話|手機)\.?\s*(?:number|no\.?)?\s*[:：]?\s*(\+?[0-9][0-9 \-().]{5,22}[0-9])`)
	birthCandidate = regexp.MustCompile(`(?i)(?:date of birth|birth date|DOB|born(?: on)?|出生日期)\s*[:：]?\s*((?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2})`)
)

// boundary reports whether s[i:j] stands alone: no letter or digit touches it.
func boundary(s string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// findIdentifiers lists what looks like receipt numbers and A-numbers in s,
// as written (trimmed), first seen first, each once.
func findIdentifiers(s string) (receipts, anumbers []string) {
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		k := strings.ToUpper(strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '#' {
				return -1
			}
			return r
		}, v))
		if !seen[k] {
			seen[k] = true
			*list = append(*list, strings.TrimSpace(v))
		}
	}
	for _, ix := range receiptCandidate.FindAllStringIndex(s, 40) {
		v := s[ix[0]:ix[1]]
		if !boundary(s, ix[0], ix[1]) || !receiptLetters(v) {
			continue
		}
		add(&receipts, v)
	}
	for _, ix := range aCandidate.FindAllStringIndex(s, 20) {
		if boundary(s, ix[0], ix[1]) {
			add(&anumbers, s[ix[0]:ix[1]])
		}
	}
	for _, m := range aKeyword.FindAllStringSubmatchIndex(s, 20) {
		v := s[m[2]:m[3]]
		if boundary(s, m[2], m[3]) && !seen["A"+SqueezeUpper(v)] {
			add(&anumbers, v)
		}
	}
	if len(receipts) > maxReceipts {
		receipts = receipts[:maxReceipts]
	}
	return receipts, anumbers
}

// receiptLetters: the three letters are upper case (in any script), or a
// known prefix in any case; "Tel 8613…" is not a receipt number.
func receiptLetters(v string) bool {
	letters := []rune(v)[:3]
	upper := true
	for _, r := range letters {
		upper = upper && unicode.IsUpper(r)
	}
	_, known := KnownReceiptPrefixes[strings.ToUpper(string(letters))]
	return upper || known
}

func findPhone(s string) string {
	for _, m := range phoneCandidate.FindAllStringSubmatch(s, 5) {
		if n, msg := normalizePhone(strings.TrimSpace(m[1])); msg == "" {
			return n
		}
	}
	return ""
}

func findBirthDate(s string) string {
	if m := birthCandidate.FindStringSubmatch(s); m != nil {
		if _, err := ParseDate(m[1]); err == nil {
			return m[1]
		}
	}
	return ""
}

// replyMarks start what a reply or forward quotes: the history below the
// applicant's own text.
var replyMarks = regexp.MustCompile(`(?m)^(?:-----\s*Original Message\s*-----|-+\s*Forwarded message\s*-+|Begin forwarded message:|On .{4,200} wrote:|Le .{4,200} a écrit :|El .{4,200} escribió:|(?:From|发件人|寄件者|De):\s.*\n(?:.*\n)?(?:Sent|Date|发送时间|寄件日期|Enviado|Envoyé):)`)

// basisText is the applicant's own text: quoted lines, the quoted history of
// a reply and the signature dropped, cut to what a basis holds.
func basisText(text string) (string, bool) {
	if loc := replyMarks.FindStringIndex(text); loc != nil && strings.TrimSpace(text[:loc[0]]) != "" {
		text = text[:loc[0]]
	}
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if l == "-- " || l == "--" {
			break // the signature
		}
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		keep = append(keep, l)
	}
	s := strings.TrimSpace(cleanBody(strings.Join(keep, "\n")))
	if utf8.RuneCountInString(s) <= maxTextLen {
		return s, false
	}
	r := []rune(s)[:maxTextLen]
	cut := string(r)
	if i := strings.LastIndex(cut, "\n\n"); i > maxTextLen/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut), true
}

// categoryWords are the words that suggest a category, with a weight: a
// strong word (3) names the category; a weak one (1) only hints at it.
var categoryWords = map[Category]map[string]int{
	CategoryMilitary: {"military": 3, "army": 3, "navy": 3, "air force": 3, "marine corps": 3, "marines": 2, "coast guard": 3,
		"space force": 3, "service member": 3, "servicemember": 3, "active duty": 3, "active-duty": 3, "ina 328": 3, "ina 329": 3,
		"section 328": 3, "section 329": 3, "319(e)": 3, "pcs orders": 3, "military orders": 3, "deployed": 2, "deployment": 2,
		"soldier": 3, "sailor": 2, "airman": 2, "军人": 3, "軍人": 3, "部队": 2},
	Category319b: {"319(b)": 3, "319b": 3, "319 (b)": 3, "expedited naturalization": 3, "government employee": 2,
		"foreign service": 2, "stationed abroad": 2, "employed abroad": 2, "assignment abroad": 1, "overseas assignment": 1,
		"american firm": 1, "public international organization": 2, "n-400": 1},
	CategoryAdoption: {"adoption": 3, "adopt": 3, "adopting": 3, "adoptive": 3, "i-600": 3, "i-600a": 3, "i-800": 3, "i-800a": 3,
		"orphan": 2, "hague": 2, "home study": 2, "收养": 3, "領養": 3, "收養": 3, "领养": 3},
	CategoryOther: {"asc appointment": 2, "application support center": 2, "could not attend": 2, "missed my appointment": 2,
		"left the united states": 2, "left the u.s.": 2, "had to leave": 2, "leave the united states": 1, "emergency": 1, "urgent": 1},
}

// GuessCategory suggests the category the words of s point to and the
// words found; "" when none do, or two categories score the same.
func GuessCategory(s string) (Category, []string) {
	folded := Fold(s)
	type score struct {
		c     Category
		n     int
		words []string
	}
	var scores []score
	for _, c := range Categories {
		sc := score{c: c}
		for w, weight := range categoryWords[c] {
			if containsWord(folded, w) {
				sc.n += weight
				sc.words = append(sc.words, w)
			}
		}
		sort := func(a, b string) int { return strings.Compare(a, b) }
		slices.SortFunc(sc.words, sort)
		scores = append(scores, sc)
	}
	slices.SortStableFunc(scores, func(a, b score) int { return b.n - a.n })
	if scores[0].n < 2 || scores[0].n == scores[1].n {
		return "", nil
	}
	return scores[0].c, scores[0].words
}

// containsWord finds w in s (both folded) as a word: no ASCII letter or
// digit touches it (CJK words have no spaces around them).
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		ascii := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
		if (start == 0 || !ascii(s[start-1]) || !ascii(w[0])) && (end == len(s) || !ascii(s[end]) || !ascii(w[len(w)-1])) {
			return true
		}
		i = start + 1
	}
}

var noticeWords = []struct {
	n     NoticeType
	words []string
}{
	{NoticeRFE, []string{"request for evidence", "i-797e", "rfe"}},
	{NoticeAppointment, []string{"appointment notice", "biometrics appointment", "biometric appointment", "asc appointment notice"}},
	{NoticeReceipt, []string{"receipt notice", "i-797c", "notice of action", "receipt number"}},
}

func guessNotice(s string) NoticeType {
	folded := Fold(s)
	for _, nw := range noticeWords {
		for _, w := range nw.words {
			if containsWord(folded, w) {
				return nw.n
			}
		}
	}
	return ""
}

// itemHints are words in a file's name that say which item it is for.
var itemHints = []struct {
	kind  DocKind
	words []string
}{
	{DocASCNotice, []string{"asc"}},
	{DocPassport, []string{"passport", "pasaporte", "passeport", "biopage", "bio page", "bio-page", "mrz", "护照", "護照"}},
	{DocNotice, []string{"797", "notice", "receipt", "rfe", "appointment", "uscis", "通知", "回执"}},
	{DocSupporting, []string{"order", "adoption", "assignment", "marriage", "certificate", "letter", "i-600", "i-800", "home study"}},
}

// SuggestItems proposes a checklist item key for each part of m ("" for
// refused parts and for those best left out): from words in the file's name
// first (a household member's name on a passport scan), then the required
// items still without a file in checklist order, then supporting evidence.
// No two parts get the same item (an item holds one file); a small picture
// shown inside the text (a signature's logo) gets none.
func SuggestItems(m *Message, items []ChecklistItem) []string {
	out := make([]string, len(m.Parts))
	taken := map[string]bool{}
	for _, it := range items {
		if it.Doc.File != nil {
			taken[it.Key] = true // an existing request's item with a file: not replaced unasked
		}
	}
	free := func(k DocKind, person string) string {
		for _, it := range items {
			if it.Kind != k || taken[it.Key] {
				continue
			}
			if person == "" || it.Kind == DocPassport && nameIn(person, it.Person) {
				return it.Key
			}
		}
		return ""
	}
	var rest []int
	for i, p := range m.Parts {
		if p.Refused != nil || p.Inline && p.Info.Size < 50<<10 {
			continue
		}
		name := Fold(p.OriginalName())
		key := ""
		for _, h := range itemHints {
			if !slices.ContainsFunc(h.words, func(w string) bool { return strings.Contains(name, w) }) {
				continue
			}
			if h.kind == DocPassport {
				key = free(DocPassport, name) // whose name the file carries
			}
			if key == "" {
				key = free(h.kind, "")
			}
			break
		}
		if key == "" {
			rest = append(rest, i)
			continue
		}
		out[i] = key
		taken[key] = true
	}
	for _, i := range rest {
		for _, it := range items {
			if !taken[it.Key] && (it.Required || it.Kind == DocSupporting) {
				out[i] = it.Key
				taken[it.Key] = true
				break
			}
		}
	}
	return out
}

// nameIn reports whether a word of person's name (three letters or more,
// folded) is in name, a file's folded name.
func nameIn(name, person string) bool {
	for _, w := range SearchTokens(person) {
		if utf8.RuneCountInString(w) >= 3 && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// IntakeAttach is one accepted attachment going to a checklist item.
type IntakeAttach struct {
	Part int    // index in Message.Parts
	Item string // checklist key
}

// IntakeResult says what became of one planned attachment.
type IntakeResult struct {
	IntakeAttach
	Name string
	Err  error // nil: attached
}

// CheckIntakePlan refuses a plan that attaches a refused part, names an item
// the checklist does not have, or puts two files on one item.
func CheckIntakePlan(m *Message, plan []IntakeAttach, items []ChecklistItem) error {
	by := map[string]string{}
	for _, pa := range plan {
		if pa.Part < 0 || pa.Part >= len(m.Parts) || m.Parts[pa.Part].Refused != nil {
			return Errorf(EINVALID, "attachment %d cannot be attached", pa.Part+1)
		}
		i := slices.IndexFunc(items, func(it ChecklistItem) bool { return it.Key == pa.Item })
		if i < 0 {
			return Errorf(EINVALID, "%s: the request has no checklist item %q", m.Parts[pa.Part].Name, pa.Item)
		}
		if other, dup := by[pa.Item]; dup {
			return Errorf(EINVALID, "%s and %s are both set for %s: an item holds one file; choose another item for one of them, or leave it out", other, m.Parts[pa.Part].Name, items[i].Label())
		}
		by[pa.Item] = m.Parts[pa.Part].Name
	}
	return nil
}

// IntakeItems is the checklist a new request from in would have on day on:
// what the attachments are offered for before it is saved. Household members
// are numbered as saving numbers them, so the keys stay the same.
func IntakeItems(in RequestInput, on Date) []ChecklistItem {
	r := &Request{Category: Category(in.Category), Applicant: Person{FullName: strings.TrimSpace(in.FullName)}}
	if !r.Category.Valid() {
		r.Category = ""
	}
	if r.Applicant.FullName == "" {
		r.Applicant.FullName = "the applicant"
	}
	if r.Category == CategoryAdoption {
		for _, h := range in.Household {
			p := Person{FullName: strings.TrimSpace(h.FullName)}
			if d, err := ParseDate(h.DateOfBirth); err == nil {
				p.DateOfBirth = d
			}
			if p.FullName == "" {
				p.FullName = fmt.Sprintf("member %d", len(r.Household)+1)
			}
			r.Household = append(r.Household, p)
		}
		r.NumberHousehold()
	}
	return r.Checklist(on)
}

// SameSender lists the open requests among rs (other than except) that
// carry the e-mail address addr, as of day on: a second message from the
// same applicant.
func SameSender(rs []*Request, addr string, except RequestID, on Date) []Duplicate {
	var out []Duplicate
	if strings.TrimSpace(addr) == "" {
		return nil
	}
	for _, r := range rs {
		if r.ID != except && r.Status.Open() && strings.EqualFold(strings.TrimSpace(r.Email), strings.TrimSpace(addr)) {
			out = append(out, Duplicate{Identifier: r.Email, Other: r.Summary(on)})
		}
	}
	return out
}

// OpenStatuses are the statuses of requests still being handled.
func OpenStatuses() []Status {
	var out []Status
	for _, s := range Statuses {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// TakeIn records what a clerk decided about message m (its file's bytes
// raw, named name): a new request created from r (into == 0, with opt), or
// the existing open request into; then the message kept with it and each
// planned attachment attached, in that order, so a message that was taken
// in is never taken in again even if an attachment then fails. The error
// is for the request or the message (nothing was attached); the results
// say what became of each attachment.
func TakeIn(s IntakeStore, a Actor, m *Message, raw []byte, name string, r *Request, into RequestID, plan []IntakeAttach, opt SaveOptions) (*Request, []IntakeResult, error) {
	if n, err := s.MessageImported(m.ImportKey()); err != nil {
		return nil, nil, err
	} else if n != "" {
		return nil, nil, Errorf(ECONFLICT, "this e-mail was already taken into %s: open that request", n)
	}
	var out *Request
	var err error
	if into == 0 {
		if out, err = s.CreateRequest(a, r, opt); err != nil {
			return nil, nil, err
		}
	} else if out, err = s.FindRequestByID(into); err != nil {
		return nil, nil, err
	}
	if err := s.KeepMessage(a, out.ID, m.ImportKey(), name, raw); err != nil {
		return out, nil, err
	}
	var res []IntakeResult
	for _, pa := range plan {
		p := m.Parts[pa.Part]
		got, err := s.AttachFile(a, out.ID, pa.Item, p.Name, p.Data)
		if err == nil {
			out = got
		}
		res = append(res, IntakeResult{IntakeAttach: pa, Name: p.Name, Err: err})
	}
	if out, err = s.FindRequestByID(out.ID); err != nil {
		return nil, res, err
	}
	return out, res, nil
}
