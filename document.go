package fieldprint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DocKind is what a checklist item asks for. Persisted: never rename.
type DocKind string

const (
	DocNotice     DocKind = "notice"     // the DHS-USCIS notice with the receipt number or A-number
	DocPassport   DocKind = "passport"   // a passport biographic page, one per person fingerprinted
	DocASCNotice  DocKind = "asc-notice" // All others: the U.S. ASC appointment they could not attend
	DocSupporting DocKind = "supporting" // optional: orders, assignment letter, adoption papers
)

var DocKinds = []DocKind{DocNotice, DocPassport, DocASCNotice, DocSupporting}

func (k DocKind) Label() string {
	switch k {
	case DocNotice:
		return "USCIS notice showing the receipt number or A-number"
	case DocPassport:
		return "Passport biographic page"
	case DocASCNotice:
		return "U.S. ASC appointment notice"
	case DocSupporting:
		return "Supporting evidence (orders, assignment or adoption papers)"
	}
	return string(k)
}

func ParseDocKind(s string) (DocKind, error) { return parseKey(s, DocKinds, "a kind of document") }

// parseKey accepts one of the persisted keys of an enum, in any case.
func parseKey[T ~string](s string, all []T, what string) (T, error) {
	k := T(strings.ToLower(strings.TrimSpace(s)))
	names := make([]string, len(all))
	for i, x := range all {
		if k == x {
			return k, nil
		}
		names[i] = string(x)
	}
	return "", Errorf(EINVALID, "%q is not %s: use %s", s, what, strings.Join(names, ", "))
}

// DocState is where one checklist item stands. Persisted: never rename.
type DocState string

const (
	DocMissing  DocState = "missing"
	DocReceived DocState = "received" // a file is attached, nobody has checked it yet
	DocVerified DocState = "verified"
	DocRejected DocState = "rejected"
)

// RejectReason says why a document was refused. Persisted: never rename.
type RejectReason string

const (
	RejectIllegible RejectReason = "illegible"
	RejectWrongDoc  RejectReason = "wrong-document"
	RejectMismatch  RejectReason = "mismatch"
	RejectExpired   RejectReason = "expired"
)

var RejectReasons = []RejectReason{RejectIllegible, RejectWrongDoc, RejectMismatch, RejectExpired}

// Label is the reason as the applicant reads it in the missing-documents letter.
func (r RejectReason) Label() string {
	switch r {
	case RejectIllegible:
		return "the scan cannot be read"
	case RejectWrongDoc:
		return "it is not the document asked for"
	case RejectMismatch:
		return "the name or number does not match the request"
	case RejectExpired:
		return "the passport has expired"
	}
	return string(r)
}

func ParseRejectReason(s string) (RejectReason, error) {
	return parseKey(s, RejectReasons, "a reason to reject a document")
}

// Attachment describes a stored file. Its bytes live outside the request
// record (see the store), addressed by SHA-256, so identical files are kept once.
type Attachment struct {
	SHA256  string    `json:"sha256"`
	Name    string    `json:"name"` // base name as attached, for people
	Type    string    `json:"type"` // TypePDF, TypeJPEG or TypePNG
	Size    int64     `json:"size"`
	Width   int       `json:"width,omitempty"`
	Height  int       `json:"height,omitempty"`
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

func (a Attachment) IsImage() bool { return a.Type == TypeJPEG || a.Type == TypePNG }

// Document is the recorded state of one checklist item of a request.
type Document struct {
	Item   string       `json:"item"` // the checklist key, see ItemKey
	File   *Attachment  `json:"file,omitempty"`
	State  DocState     `json:"state"`
	Reason RejectReason `json:"reason,omitempty"`
	Note   string       `json:"note,omitempty"`
	// Shows is the receipt number or A-number a verified notice shows: the
	// seed rule is that the notice must carry one present on the request.
	Shows string `json:"shows,omitempty"`
	// Checked says how a verified passport page was compared with what is
	// recorded: its machine-readable zone read, or each detail confirmed by eye.
	Checked string    `json:"checked,omitempty"`
	By      string    `json:"by,omitempty"` // who verified or rejected it
	At      time.Time `json:"at,omitempty"`
}

// ItemKey is the stable key of a checklist item: "notice", "asc-notice",
// "supporting", or "passport/ID" with the person's id (0 = applicant).
func ItemKey(k DocKind, personID int) string {
	if k == DocPassport {
		return string(DocPassport) + "/" + strconv.Itoa(personID)
	}
	return string(k)
}

// ChecklistItem is one row of a request's checklist.
type ChecklistItem struct {
	Key      string
	Kind     DocKind
	PersonID int    // passports only
	Person   string // passports only: whose
	// Turns18 is set on the passport of a household member who is not yet
	// fingerprinted but turns 18 within the booking horizon.
	Turns18  Date
	Required bool
	Doc      Document // State is DocMissing when nothing was attached
	// Warning is something about the file a clerk must see before checking
	// it (the same file on two people's passport items).
	Warning string
}

// Label names the item for staff and applicants.
func (it ChecklistItem) Label() string {
	if it.Kind == DocPassport && !it.Turns18.IsZero() {
		return it.Kind.Label() + ": " + it.Person + " (turns 18 on " + it.Turns18.String() + ")"
	}
	if it.Kind == DocPassport {
		return it.Kind.Label() + ": " + it.Person
	}
	return it.Kind.Label()
}

// Problem says what the applicant must still send for the item ("" when
// nothing: the item is received or verified, or optional and missing).
func (it ChecklistItem) Problem() string {
	switch it.Doc.State {
	case DocMissing:
		if it.Required {
			return "not received"
		}
	case DocRejected:
		s := "received but not accepted: " + it.Doc.Reason.Label()
		if n := strings.TrimRight(it.Doc.Note, ". "); n != "" {
			s += " (" + n + ")"
		}
		return s
	}
	return ""
}

// Checklist derives what r must contain from its category and household, as
// of day on, and fills in what has been attached and checked. A household
// member is fingerprinted from 18, judged on the appointment day; since the
// documents lock when the request is eligible, the passport of a member who
// turns 18 within the booking horizon is asked for from the start.
func (r *Request) Checklist(on Date) []ChecklistItem {
	items := []ChecklistItem{{Key: ItemKey(DocNotice, 0), Kind: DocNotice, Required: true}}
	items = append(items, ChecklistItem{Key: ItemKey(DocPassport, 0), Kind: DocPassport, Person: r.Applicant.FullName, Required: true})
	if r.Category == CategoryAdoption {
		day, last := r.FingerprintDay(on), r.horizon(on)
		for _, h := range r.Household {
			if h.Adult(last) {
				it := ChecklistItem{Key: ItemKey(DocPassport, h.ID), Kind: DocPassport, PersonID: h.ID, Person: h.FullName, Required: true}
				if !h.Adult(day) {
					it.Turns18 = h.Turns18()
				}
				items = append(items, it)
			}
		}
	}
	if r.Category == CategoryOther {
		items = append(items, ChecklistItem{Key: ItemKey(DocASCNotice, 0), Kind: DocASCNotice, Required: true})
	}
	items = append(items, ChecklistItem{Key: ItemKey(DocSupporting, 0), Kind: DocSupporting})
	for i := range items {
		items[i].Doc = Document{Item: items[i].Key, State: DocMissing}
		if d := r.document(items[i].Key); d != nil {
			items[i].Doc = *d
		}
	}
	// One passport page shows one person: the same file on two people's
	// items is a mistake (or a family sending one scan for all).
	for i, a := range items {
		for _, b := range items {
			if a.Kind == DocPassport && b.Kind == DocPassport && a.Key != b.Key && a.Doc.File != nil && b.Doc.File != nil && a.Doc.File.SHA256 == b.Doc.File.SHA256 {
				items[i].Warning = "the same file is attached as the passport page of " + b.Person + ": each person's own passport page is needed"
			}
		}
	}
	return items
}

func (r *Request) document(key string) *Document {
	for i := range r.Documents {
		if r.Documents[i].Item == key {
			return &r.Documents[i]
		}
	}
	return nil
}

// Completeness counts a checklist's required items.
type Completeness struct {
	Required int `json:"required"`
	Verified int `json:"verified"`
	Received int `json:"received"`
	Missing  int `json:"missing"`
	Rejected int `json:"rejected"`
}

// Complete: every required item verified, so the request can be decided.
func (c Completeness) Complete() bool { return c.Verified == c.Required }

// String is the queue's "3/4".
func (c Completeness) String() string { return fmt.Sprintf("%d/%d", c.Verified, c.Required) }

func (r *Request) Completeness(on Date) Completeness {
	var c Completeness
	for _, it := range r.Checklist(on) {
		if !it.Required {
			continue
		}
		c.Required++
		switch it.Doc.State {
		case DocVerified:
			c.Verified++
		case DocReceived:
			c.Received++
		case DocRejected:
			c.Rejected++
		default:
			c.Missing++
		}
	}
	return c
}

// Outstanding lists the items the applicant must still send: required ones
// missing, and any rejected. It is the body of the missing-documents letter.
func (r *Request) Outstanding(on Date) []ChecklistItem {
	var out []ChecklistItem
	for _, it := range r.Checklist(on) {
		if it.Problem() != "" {
			out = append(out, it)
		}
	}
	return out
}

// FindItem resolves what a person typed to name a checklist item: its number
// in the list (1, 2, ...), its key ("passport/2"), a kind ("notice"; "passport"
// is the applicant's), or "passport:NAME".
func (r *Request) FindItem(s string, on Date) (ChecklistItem, error) {
	items := r.Checklist(on)
	t := strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil && n >= 1 && n <= len(items) {
		return items[n-1], nil
	}
	if k, name, ok := strings.Cut(t, ":"); ok && k == string(DocPassport) {
		return r.findPassport(name, on)
	}
	for _, it := range items {
		if t == it.Key || t == string(it.Kind) && it.PersonID == 0 {
			return it, nil
		}
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = fmt.Sprintf("%d %s", i+1, it.Key)
	}
	return ChecklistItem{}, Errorf(EINVALID, "%s has no checklist item %q: use one of %s", r.Number, s, strings.Join(keys, ", "))
}

// ItemFor finds the item a file of kind k belongs to; person (passports only)
// is a name as typed, empty for the applicant.
func (r *Request) ItemFor(k DocKind, person string, on Date) (ChecklistItem, error) {
	if k == DocPassport {
		return r.findPassport(person, on)
	}
	if strings.TrimSpace(person) != "" {
		return ChecklistItem{}, Errorf(EINVALID, "a %s belongs to the request, not to one person: leave out the person", k)
	}
	return r.FindItem(string(k), on)
}

func (r *Request) findPassport(name string, on Date) (ChecklistItem, error) {
	var found []ChecklistItem
	var names []string
	for _, it := range r.Checklist(on) {
		if it.Kind != DocPassport {
			continue
		}
		names = append(names, it.Person)
		if strings.TrimSpace(name) == "" && it.PersonID == 0 || strings.TrimSpace(name) != "" && strings.Contains(Fold(it.Person), Fold(name)) {
			found = append(found, it)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return ChecklistItem{}, Errorf(EINVALID, "%q matches several people of %s: type more of the name (%s)", name, r.Number, strings.Join(names, "; "))
	}
	for _, h := range r.Household {
		if !h.Adult(r.horizon(on)) && strings.Contains(Fold(h.FullName), Fold(name)) {
			return ChecklistItem{}, Errorf(EINVALID, "%s is under 18 and is not fingerprinted: no passport is needed", h.FullName)
		}
	}
	return ChecklistItem{}, Errorf(EINVALID, "nobody called %q is fingerprinted on %s: use one of %s", name, r.Number, strings.Join(names, "; "))
}

// CheckDocuments says whether a may change r's documents now. Once a request
// is eligible its documents are what the decision was made on: they are locked.
func CheckDocuments(a Actor, r *Request) error {
	if err := CheckEdit(a, r); err != nil {
		return err
	}
	switch r.Status {
	case StatusNew, StatusAwaitingDocuments, StatusDirectorReview:
		return nil
	}
	return Errorf(EFORBIDDEN, "%s is %s: its documents were checked before the decision and are locked", r.Number, r.Status.Label())
}

// Attach puts file on the checklist item key of r, replacing what was there
// (returned, so the store can release its bytes). The item goes back to
// received: a new file must be checked again.
func (r *Request) Attach(key string, file Attachment, on Date) (replaced *Attachment, err error) {
	it, err := r.FindItem(key, on)
	if err != nil || it.Key != key {
		return nil, Errorf(EINVALID, "%s has no checklist item %q", r.Number, key)
	}
	if it.Doc.File != nil && it.Doc.File.SHA256 == file.SHA256 {
		return nil, Errorf(ECONFLICT, "%s is already attached to %s", file.Name, it.Label())
	}
	r.setDocument(Document{Item: key, File: &file, State: DocReceived})
	return it.Doc.File, nil
}

// Detach removes the file of item key (attached by mistake) and returns it.
func (r *Request) Detach(key string, on Date) (*Attachment, error) {
	it, err := r.FindItem(key, on)
	if err != nil || it.Key != key {
		return nil, Errorf(EINVALID, "%s has no checklist item %q", r.Number, key)
	}
	if it.Doc.File == nil {
		return nil, Errorf(EINVALID, "nothing is attached to %s", it.Label())
	}
	r.removeDocument(key)
	return it.Doc.File, nil
}

// FileToAttach is one file of a batch attach (the workflow's AttachFiles):
// Data for checklist item Item of request ID, as the file Name.
type FileToAttach struct {
	ID   RequestID
	Item string
	Name string
	Data []byte
}

// Judgement is one verdict of a batch (the workflow's JudgeDocuments).
type Judgement struct {
	ID      RequestID
	Item    string
	Verdict Verdict
}

// Verdict is a clerk's judgement of one attached document.
type Verdict struct {
	Verified bool
	Reason   RejectReason // rejected only
	Note     string
	Shows    string // verified notice: the receipt number or A-number it shows
	// A verified passport page: the two lines of its machine-readable zone
	// (read by the counter reader or typed), which must match what is
	// recorded; or, without them, every detail the clerk compared by eye.
	MRZ       string
	Confirmed []PassportCheck
}

// PassportCheck is one detail of a passport page compared with the request.
// Persisted in audit notes: never rename.
type PassportCheck string

const (
	CheckName      PassportCheck = "name"
	CheckBirthDate PassportCheck = "birth-date"
	CheckNumber    PassportCheck = "number"
	CheckExpiry    PassportCheck = "expiry"
)

// PassportChecks are every detail a passport page must match to be verified.
var PassportChecks = []PassportCheck{CheckName, CheckBirthDate, CheckNumber, CheckExpiry}

func (c PassportCheck) Label() string {
	switch c {
	case CheckName:
		return "Full name"
	case CheckBirthDate:
		return "Date of birth"
	case CheckNumber:
		return "Passport number"
	case CheckExpiry:
		return "Expiry date"
	}
	return string(c)
}

func ParsePassportCheck(s string) (PassportCheck, error) {
	return parseKey(s, PassportChecks, "a passport detail")
}

// Recorded is what the office holds for c of p, as the clerk compares it.
func (c PassportCheck) Recorded(p Person) string {
	switch c {
	case CheckName:
		return p.FullName
	case CheckBirthDate:
		return p.DateOfBirth.String()
	case CheckNumber:
		if p.Passport != nil {
			return p.Passport.Number
		}
	case CheckExpiry:
		if p.Passport != nil {
			return p.Passport.Expiry.String()
		}
	}
	return ""
}

// checkPassportPage says whether the passport page of item it may be
// verified with v, and how it was checked. A page is verified only against
// a recorded, unexpired passport, with its zone read and matching, or every
// detail confirmed; and never when the same file stands for someone else.
func (r *Request) checkPassportPage(it ChecklistItem, v Verdict, on Date) (string, error) {
	p, _ := r.Person(it.PersonID)
	switch {
	case it.Warning != "":
		return "", Errorf(EINVALID, "%s cannot be verified: %s", it.Label(), it.Warning)
	case p.Passport == nil || p.Passport.Number == "" || p.Passport.Expiry.IsZero():
		return "", Errorf(EINVALID, "record %s's passport number and expiry first (type them on the Details tab, or read the machine-readable zone): a passport page is verified against what is recorded", p.FullName)
	case p.Passport.Expiry.Before(on):
		return "", Errorf(EINVALID, "the passport recorded for %s expired on %s: an expired passport cannot be verified; reject it as expired, or correct the expiry date first", p.FullName, p.Passport.Expiry)
	}
	if strings.TrimSpace(v.MRZ) != "" {
		m, err := ParseMRZ(v.MRZ, on)
		if err != nil {
			return "", err
		}
		var diffs []string
		if !sameWords(p.FullName, m.FullName()) {
			diffs = append(diffs, fmt.Sprintf("name %q, recorded %q", m.FullName(), p.FullName))
		}
		if m.DateOfBirth != p.DateOfBirth {
			diffs = append(diffs, fmt.Sprintf("born %s, recorded %s", m.DateOfBirth, p.DateOfBirth))
		}
		if !strings.EqualFold(m.PassportNumber, p.Passport.Number) {
			diffs = append(diffs, fmt.Sprintf("number %s, recorded %s", m.PassportNumber, p.Passport.Number))
		}
		if m.Expiry != p.Passport.Expiry {
			diffs = append(diffs, fmt.Sprintf("expires %s, recorded %s", m.Expiry, p.Passport.Expiry))
		}
		if len(diffs) > 0 {
			return "", Errorf(EINVALID, "the passport read is not the one recorded for %s: %s. Reject the page as not matching, or correct the details first", p.FullName, strings.Join(diffs, "; "))
		}
		if m.Expiry.Before(on) {
			return "", Errorf(EINVALID, "passport %s expired on %s: an expired passport cannot be verified", m.PassportNumber, m.Expiry)
		}
		return "machine-readable zone read and matching", nil
	}
	var missing []string
	for _, c := range PassportChecks {
		if !slices.Contains(v.Confirmed, c) {
			missing = append(missing, strings.ToLower(c.Label()))
		}
	}
	if len(missing) > 0 {
		return "", Errorf(EINVALID, "compare the page with what is recorded and confirm each detail (still to confirm: %s), or read its machine-readable zone", strings.Join(missing, ", "))
	}
	return "compared by eye: name, date of birth, number, expiry", nil
}

// Judge records v on item key of r, as of day on, by user. It enforces what a
// verification means: the notice shows an identifier of the request, a
// passport is not expired, a rejection says why.
func (r *Request) Judge(key string, v Verdict, by string, at time.Time, on Date) error {
	it, err := r.FindItem(key, on)
	if err != nil || it.Key != key {
		return Errorf(EINVALID, "%s has no checklist item %q", r.Number, key)
	}
	if it.Doc.File == nil {
		return Errorf(EINVALID, "nothing is attached to %s yet: attach the scan first", it.Label())
	}
	note, ok := cleanText(v.Note, false)
	if !ok {
		return Errorf(EINVALID, "the note contains a control character; retype it")
	}
	d := it.Doc
	d.By, d.At, d.Note, d.Reason, d.Shows, d.Checked = by, at.UTC(), note, "", "", ""
	if v.Verified {
		d.State = DocVerified
		switch it.Kind {
		case DocNotice:
			shows, err := r.noticeIdentifier(v.Shows)
			if err != nil {
				return err
			}
			d.Shows = shows
		case DocPassport:
			checked, err := r.checkPassportPage(it, v, on)
			if err != nil {
				return err
			}
			d.Checked = checked
		}
	} else {
		if v.Reason == "" {
			return Errorf(EINVALID, "say why %s is rejected: %s", it.Label(), reasonList())
		}
		if _, err := ParseRejectReason(string(v.Reason)); err != nil {
			return err
		}
		if v.Reason == RejectMismatch && note == "" {
			return Errorf(EINVALID, "say in the note what does not match, so the applicant can send the right document")
		}
		d.State, d.Reason = DocRejected, v.Reason
	}
	r.setDocument(d)
	return nil
}

func reasonList() string {
	s := make([]string, len(RejectReasons))
	for i, x := range RejectReasons {
		s[i] = string(x) + " (" + x.Label() + ")"
	}
	return strings.Join(s, ", ")
}

func (r *Request) noticeIdentifier(s string) (string, error) {
	ids := r.Identifiers()
	want := SqueezeUpper(s)
	if want != "" {
		if a, err := ParseANumber(want); err == nil {
			want = string(a)
		}
		for _, id := range ids {
			if id == want {
				return id, nil
			}
		}
	}
	return "", Errorf(EINVALID, "a notice is verified only when it shows a receipt number or A-number of %s: say which one it shows (%s), or reject it as not matching", r.Number, strings.Join(ids, ", "))
}

func (r *Request) setDocument(d Document) {
	docs := make([]Document, 0, len(r.Documents)+1)
	done := false
	for _, x := range r.Documents {
		if x.Item == d.Item {
			x, done = d, true
		}
		docs = append(docs, x)
	}
	if !done {
		docs = append(docs, d)
	}
	r.Documents = docs
}

func (r *Request) removeDocument(key string) {
	docs := make([]Document, 0, len(r.Documents))
	for _, x := range r.Documents {
		if x.Item != key {
			docs = append(docs, x)
		}
	}
	r.Documents = docs
}

// Reconcile brings r's documents in line with an edit from old: a removed
// person's passport goes (returned, so the store can release its bytes); a
// passport whose holder's name, birth date or passport changed, and a notice
// whose identifier left the request, must be checked again.
func (r *Request) Reconcile(old *Request, on Date) (dropped []Attachment) {
	valid := map[string]bool{}
	for _, it := range r.Checklist(on) {
		valid[it.Key] = true
	}
	var keep []Document
	for _, d := range r.Documents {
		if !valid[d.Item] {
			if d.File != nil {
				dropped = append(dropped, *d.File)
			}
			continue
		}
		if d.State == DocVerified {
			if k, id, ok := strings.Cut(d.Item, "/"); ok && k == string(DocPassport) {
				n, _ := strconv.Atoi(id)
				was, _ := old.Person(n)
				now, _ := r.Person(n)
				if Fold(was.FullName) != Fold(now.FullName) || was.DateOfBirth != now.DateOfBirth || was.Passport.String() != now.Passport.String() {
					d = Document{Item: d.Item, File: d.File, State: DocReceived}
				}
			}
			if d.Item == string(DocNotice) {
				if _, err := r.noticeIdentifier(d.Shows); err != nil {
					d = Document{Item: d.Item, File: d.File, State: DocReceived}
				}
			}
		}
		keep = append(keep, d)
	}
	r.Documents = keep
	return dropped
}

// FollowChecklist returns the status r moves to after its checklist changed,
// if any. Only a checklist a clerk has started checking moves the request:
// a missing or rejected required item sends a new request to awaiting
// documents; a complete checklist brings it back to be decided.
func (r *Request) FollowChecklist(on Date) (Status, string, bool) {
	checked := false
	for _, d := range r.Documents {
		checked = checked || d.State == DocVerified || d.State == DocRejected
	}
	if !checked {
		return "", "", false
	}
	c := r.Completeness(on)
	switch {
	case r.Status == StatusNew && c.Missing+c.Rejected > 0:
		return StatusAwaitingDocuments, fmt.Sprintf("checklist %s: %d missing, %d rejected", c, c.Missing, c.Rejected), true
	case r.Status == StatusAwaitingDocuments && c.Complete():
		return StatusNew, fmt.Sprintf("checklist %s: every required document verified, ready for a decision", c), true
	}
	return "", "", false
}

// checklistComplete: a request is decided on verified documents only.
func checklistComplete(a Actor, r *Request, on Date) error {
	c := r.Completeness(on)
	if c.Complete() {
		return nil
	}
	var what []string
	for _, it := range r.Checklist(on) {
		if it.Required && it.Doc.State != DocVerified {
			what = append(what, it.Label()+" ("+string(it.Doc.State)+")")
		}
	}
	return Errorf(EFORBIDDEN, "%s has %s required documents verified: %s. Verify them first", r.Number, c, strings.Join(what, "; "))
}

// DocumentService attaches and checks documents; the store implements it.
type DocumentService interface {
	// AttachFile checks data (SniffFile) and stores it once per content;
	// nothing is stored when it is refused.
	AttachFile(a Actor, id RequestID, item, name string, data []byte) (*Request, error)
	DetachFile(a Actor, id RequestID, item string) (*Request, error)
	JudgeDocument(a Actor, id RequestID, item string, v Verdict) (*Request, error)
	// AttachFiles and JudgeDocuments are AttachFile and JudgeDocument of
	// many, in order, as many per transaction as the store takes; every
	// file is checked before any is stored (one refused stores nothing),
	// and stored durably before a record refers to it. An error stops the
	// batch at the action refused (those before it are done). They return
	// the requests as each action left them.
	AttachFiles(a Actor, fs []FileToAttach) ([]*Request, error)
	JudgeDocuments(a Actor, js []Judgement) ([]*Request, error)
	// ReadFile returns the bytes of an attachment, checked against its SHA-256.
	ReadFile(sha256 string) ([]byte, error)
}

// Fingerprint is the SHA-256 of a file in hex: how attachments are named
// and how every printed document is recorded in the audit.
func Fingerprint(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
