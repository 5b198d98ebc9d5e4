package fieldprint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Audit actions. Persisted: never rename.
const (
	ActionRequestCreate     = "request.create"
	ActionRequestEdit       = "request.edit"
	ActionRequestTransition = "request.transition"
	ActionRecordPrint       = "record.print"
	ActionDocumentAttach    = "document.attach"
	ActionDocumentDetach    = "document.detach"
	ActionDocumentVerify    = "document.verify"
	ActionDocumentReject    = "document.reject"
	ActionSignIn            = "user.sign-in"
	ActionSignInFailed      = "user.sign-in-failed"
	ActionLockout           = "user.lockout"
	ActionUserCreate        = "user.create"
	ActionUserDisable       = "user.disable"
	ActionUserPassword      = "user.password"
	ActionUserUnlock        = "user.unlock"
	ActionUserEnable        = "user.enable"
	ActionUserDetails       = "user.details"
	// The office data key: made, its recovery key replaced, an
	// administrator's password set with the recovery key.
	ActionKeysSetUp    = "keys.setup"
	ActionKeysRecovery = "keys.new-recovery-key"
	ActionKeysRecover  = "keys.recover"
	// ActionRequestSeal records a request record's digest without changing
	// it: written once per request by the upgrade to schema 8.
	ActionRequestSeal = "request.seal"
	// ActionRequestEncrypt: a record kept in the clear from before the
	// office's data key was encrypted (SealExisting), its content unchanged.
	ActionRequestEncrypt = "request.encrypt"
	// The backup folder, rotation or daily backup changed (no personal data).
	ActionBackupSettings = "backup.settings"
	// A backup begun (written before its snapshot, so the backup holds
	// it) and one that failed; no personal data, only the file's name.
	ActionBackup       = "backup.make"
	ActionBackupFailed = "backup.failed"
	// The office replaced by a backup (written into the restored office).
	ActionRestore = "backup.restore"
)

// Change is one field's old and new value.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// AuditEntry is one link of the audit chain: who did what, when, to which
// request, and what changed. Hash covers PrevHash and the entry's canonical
// encoding, so changing, removing or reordering any entry breaks every later link.
type AuditEntry struct {
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	User string    `json:"user"`
	// Desk is the desk of an office server the entry was written at (its
	// certificate's name); empty on one desk's own file, so an entry
	// written before desks existed hashes as it did.
	Desk    string   `json:"desk,omitempty"`
	Action  string   `json:"action"`
	Request string   `json:"request,omitempty"` // FP number
	Subject string   `json:"subject,omitempty"` // a user name, for account actions
	Changes []Change `json:"changes,omitempty"`
	Note    string   `json:"note,omitempty"`
	// Sealed holds Changes and Note of an entry about a request, encrypted
	// once the office has its data key (they hold applicants' data); the
	// hash covers it as stored, so the chain verifies without the key.
	Sealed []byte `json:"sealed,omitempty"`
	// Record is the SHA-256 of the request record (its stored bytes) as the
	// transaction that wrote this entry left it: verification compares the
	// record with its request's newest entry, so a record changed without an
	// entry is found. Empty for entries not about a request, and for entries
	// written before schema 8 (the upgrade sealed every record then).
	Record   string `json:"record,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Who is the entry's person, and the desk of an office server it was
// written at: "mlopez", "mlopez at Intake 1".
func (e AuditEntry) Who() string {
	if e.Desk == "" {
		return e.User
	}
	return e.User + " at " + e.Desk
}

// GenesisHash is the PrevHash of the first entry.
var GenesisHash = strings.Repeat("0", 64)

// ComputeHash returns the hash e must carry: SHA-256 over the previous hash
// and the entry's JSON without its own hash. encoding/json writes struct
// fields in declaration order and times in RFC 3339, so the encoding is canonical.
func (e AuditEntry) ComputeHash() string {
	e.Hash = ""
	e.At = e.At.UTC()
	b, _ := json.Marshal(e)
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Checkpoint is the chain's length and head hash, sent outside the machine so
// a rewritten or truncated history can be detected later.
type Checkpoint struct {
	Count uint64
	Hash  string
}

func (c Checkpoint) String() string { return fmt.Sprintf("%d:%s", c.Count, c.Hash) }

// ParseCheckpoint reads COUNT:HASH as printed by "fieldprint audit checkpoint".
func ParseCheckpoint(s string) (Checkpoint, error) {
	n, h, ok := strings.Cut(strings.TrimSpace(s), ":")
	count, err := strconv.ParseUint(n, 10, 64)
	if !ok || err != nil || len(h) != 64 {
		return Checkpoint{}, Errorf(EINVALID, "checkpoint %q must be COUNT:HASH as printed by \"fieldprint audit checkpoint\"", s)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return Checkpoint{}, Errorf(EINVALID, "checkpoint hash %q is not hexadecimal", h)
	}
	return Checkpoint{count, strings.ToLower(h)}, nil
}

// AuditProblem is the first entry, or the first request record, that does
// not verify. It names a request by its number only, never by a person.
type AuditProblem struct {
	Seq     uint64 // position in the chain (1-based) where verification failed; for a record, its newest entry (0: none)
	Request string // for a record that does not match the chain: its number (or "record N" by key)
	Reason  string
	More    int // further records that do not match either
}

func (p *AuditProblem) Error() string {
	if p.Request == "" {
		return fmt.Sprintf("audit entry %d does not verify: %s", p.Seq, p.Reason)
	}
	s := fmt.Sprintf("request %s does not match the audit trail: %s", p.Request, p.Reason)
	if p.More > 0 {
		s += fmt.Sprintf(" (and %d more %s)", p.More, map[bool]string{true: "record", false: "records"}[p.More == 1])
	}
	return s
}

// ChainVerifier checks entries in stored order, one at a time, then the
// request records against the entries (CheckRecord, Missing).
type ChainVerifier struct {
	count  uint64
	prev   string
	cp     *Checkpoint
	older  map[uint64]string      // earlier checkpoints: count -> head hash
	newest map[string]newestEntry // request number -> its newest entry
}

// Also checks the chain against earlier checkpoints too: a history
// rewritten and hashed again is then named at the first checkpoint after
// the change, not only at the newest.
func (v *ChainVerifier) Also(cps ...Checkpoint) {
	if v.older == nil {
		v.older = map[uint64]string{}
	}
	for _, c := range cps {
		v.older[c.Count] = c.Hash
	}
}

type newestEntry struct {
	seq          uint64
	hash, record string
	seen         bool // a record claimed it
}

// NewChainVerifier starts a verification, optionally against a checkpoint.
func NewChainVerifier(cp *Checkpoint) *ChainVerifier {
	return &ChainVerifier{prev: GenesisHash, cp: cp, newest: map[string]newestEntry{}}
}

// RecordDigest is what an entry's Record holds for a record stored as body.
func RecordDigest(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// CheckRecord checks one stored request record against the entries Next
// has verified: key is the id its storage key says; id and number what the
// record says (zero when it cannot be read); pointer the entry hash the
// record carries; body the record's stored bytes (what Record digests).
// The record must be the one its key names, and must be exactly what its
// request's newest entry recorded, and point at that entry.
func (v *ChainVerifier) CheckRecord(key, id uint64, number, pointer string, body []byte) *AuditProblem {
	name := number
	if name == "" {
		name = fmt.Sprintf("record %d", key)
	}
	p := func(seq uint64, reason string) *AuditProblem {
		return &AuditProblem{Seq: seq, Request: name, Reason: reason}
	}
	if number == "" || id == 0 {
		return p(0, "the record cannot be read")
	}
	if id != key {
		return p(0, fmt.Sprintf("the record says it is request %d but is stored as %d (records were moved or swapped)", id, key))
	}
	n, ok := v.newest[number]
	switch {
	case !ok:
		return p(0, "no audit entry names this request (the record was added without one)")
	case n.seen:
		return p(n.seq, "two records claim this request number")
	}
	n.seen = true
	v.newest[number] = n
	switch {
	case n.record == "":
		return p(n.seq, fmt.Sprintf("its newest audit entry (%d) does not record the record's content (an entry added outside Fieldprint)", n.seq))
	case n.record != RecordDigest(body):
		return p(n.seq, fmt.Sprintf("the record differs from what its newest audit entry (%d) recorded: it was changed without an audit entry", n.seq))
	case pointer != n.hash:
		return p(n.seq, fmt.Sprintf("the record does not point at its newest audit entry (%d): it was put back, or entries about it were forged", n.seq))
	}
	return nil
}

// Missing lists the requests the chain names whose record CheckRecord was
// never given (a record deleted from the file), in order.
func (v *ChainVerifier) Missing() []*AuditProblem {
	var out []*AuditProblem
	for number, n := range v.newest {
		if !n.seen {
			out = append(out, &AuditProblem{Seq: n.seq, Request: number, Reason: "the audit trail names this request but its record is missing (deleted outside Fieldprint)"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Next checks the next stored entry; key is the sequence its storage key says.
func (v *ChainVerifier) Next(key uint64, e AuditEntry) *AuditProblem {
	want := v.count + 1
	switch {
	case key != want || e.Seq != want:
		return &AuditProblem{Seq: want, Reason: fmt.Sprintf("expected entry %d, found entry %d stored under %d (an entry was removed, duplicated or moved)", want, e.Seq, key)}
	case e.PrevHash != v.prev:
		return &AuditProblem{Seq: want, Reason: "its link to the previous entry is broken (entries were reordered, removed or rewritten)"}
	case e.ComputeHash() != e.Hash:
		return &AuditProblem{Seq: want, Reason: "its content does not match its hash (the entry was altered)"}
	case v.cp != nil && want == v.cp.Count && e.Hash != v.cp.Hash:
		return &AuditProblem{Seq: want, Reason: "it differs from the checkpoint: the history up to the checkpoint was rewritten"}
	case v.older[want] != "" && e.Hash != v.older[want]:
		return &AuditProblem{Seq: want, Reason: "it differs from a signed checkpoint: the history up to it was rewritten"}
	}
	v.count, v.prev = want, e.Hash
	switch {
	case e.Request != "" && e.Action == ActionRequestPurge:
		delete(v.newest, e.Request) // a purge ends the request's record
	case e.Request != "":
		v.newest[e.Request] = newestEntry{seq: want, hash: e.Hash, record: e.Record}
	}
	return nil
}

// Done finishes the verification and returns the head of the chain.
func (v *ChainVerifier) Done() (Checkpoint, *AuditProblem) {
	if v.cp != nil && v.count < v.cp.Count {
		return Checkpoint{v.count, v.prev}, &AuditProblem{Seq: v.count + 1, Reason: fmt.Sprintf("the chain ends at %d entries but the checkpoint has %d: entries were removed from the end", v.count, v.cp.Count)}
	}
	return Checkpoint{v.count, v.prev}, nil
}

// AuditFilter selects audit entries for the audit screen and CLI.
type AuditFilter struct {
	User, Action, Request string
	From, To              Date // inclusive; zero = open
	Limit                 int
}

// Match reports whether e passes the filter.
func (f AuditFilter) Match(e AuditEntry) bool {
	d := DateOf(e.At.Local())
	return (f.User == "" || e.User == f.User || e.Subject == f.User) &&
		(f.Action == "" || e.Action == f.Action) &&
		(f.Request == "" || e.Request == f.Request) &&
		(f.From.IsZero() || !d.Before(f.From)) &&
		(f.To.IsZero() || !d.After(f.To))
}

// RequestFields flattens the editable fields of r, keyed like the CSV
// columns, for audit diffs.
func RequestFields(r *Request) map[string]string {
	if r == nil {
		return map[string]string{}
	}
	in := r.Input()
	return map[string]string{
		FieldPassport: in.Passport.Number, FieldPassportExpiry: in.Passport.Expiry, FieldNationality: in.Passport.Nationality, FieldSex: in.Passport.Sex,
		"received": in.Received, "full_name": in.FullName, "date_of_birth": in.DateOfBirth, "category": in.Category,
		"basis": in.Basis, "notice_type": in.NoticeType, "receipt_number": in.ReceiptNumbers, "a_number": in.ANumber,
		"email": in.Email, "phone": in.Phone, "household_adults": householdCSV(in.Household),
		"asc_date": in.ASCDate, "asc_place": in.ASCPlace, "departure_reason": in.DepartureReason,
		"reschedule_asked": in.RescheduleAsked, "reschedule_note": in.RescheduleNote,
	}
}

// Diff lists the fields that differ between old and new, in CSV column order.
func Diff(old, new *Request) []Change {
	a, b := RequestFields(old), RequestFields(new)
	var out []Change
	for _, f := range CSVColumns {
		if a[f] != b[f] {
			out = append(out, Change{Field: f, Old: a[f], New: b[f]})
		}
	}
	return out
}

// Describe says in words what the entry records: the one wording the
// request history, the audit screen and "fieldprint audit list" share.
func (e AuditEntry) Describe() string {
	var parts []string
	switch e.Action {
	case ActionRequestCreate:
		parts = append(parts, "recorded the request")
	case ActionRequestEdit:
		for _, c := range e.Changes {
			parts = append(parts, fmt.Sprintf("changed %s from %q to %q", strings.ReplaceAll(c.Field, "_", " "), c.Old, c.New))
		}
	case ActionRequestTransition:
		for _, c := range e.Changes {
			parts = append(parts, "from "+Status(c.Old).Label()+" to "+Status(c.New).Label())
		}
	case ActionRecordPrint:
		parts = append(parts, "printed")
	case ActionRequestSeal:
		parts = append(parts, "sealed the record as it stood")
	case ActionDocumentAttach, ActionDocumentDetach, ActionDocumentVerify, ActionDocumentReject:
		verb := map[string]string{ActionDocumentAttach: "attached", ActionDocumentDetach: "removed the file of",
			ActionDocumentVerify: "verified", ActionDocumentReject: "rejected"}[e.Action]
		for _, c := range e.Changes {
			switch c.Field {
			case "file":
				if e.Action == ActionDocumentAttach {
					parts = append(parts, "file "+c.New)
				}
			case "reason":
				parts = append(parts, "because "+RejectReason(c.New).Label())
			case "shows":
				parts = append(parts, "shows "+c.New)
			case "checked":
				parts = append(parts, c.New)
			default:
				parts = append(parts, verb+" "+c.New)
			}
		}
	case ActionAppointmentBook, ActionAppointmentReschedule, ActionAppointmentCancel:
		for _, c := range e.Changes {
			switch {
			case c.Old == "":
				parts = append(parts, "booked "+c.Field+" for "+c.New)
			case c.New == "":
				parts = append(parts, "cancelled "+c.Field+"'s appointment of "+c.Old)
			default:
				parts = append(parts, "moved "+c.Field+" from "+c.Old+" to "+c.New)
			}
		}
	default:
		if e.Subject != "" && e.Subject != e.User {
			parts = append(parts, "account "+e.Subject)
		}
		for _, c := range e.Changes {
			parts = append(parts, fmt.Sprintf("%s: %s", strings.ReplaceAll(c.Field, "_", " "), c.New))
		}
	}
	s := strings.Join(parts, "; ")
	if e.Note != "" {
		if s != "" {
			s += " — "
		}
		s += e.Note
	}
	return s
}
