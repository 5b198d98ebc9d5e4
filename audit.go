package fieldprint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	// The backup folder, rotation or daily backup changed (no personal data).
	ActionBackupSettings = "backup.settings"
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
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	User     string    `json:"user"`
	Action   string    `json:"action"`
	Request  string    `json:"request,omitempty"` // FP number
	Subject  string    `json:"subject,omitempty"` // a user name, for account actions
	Changes  []Change  `json:"changes,omitempty"`
	Note     string    `json:"note,omitempty"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
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

// AuditProblem is the first entry that does not verify.
type AuditProblem struct {
	Seq    uint64 // position in the chain (1-based) where verification failed
	Reason string
}

func (p *AuditProblem) Error() string {
	return fmt.Sprintf("audit entry %d does not verify: %s", p.Seq, p.Reason)
}

// ChainVerifier checks entries in stored order, one at a time.
type ChainVerifier struct {
	count uint64
	prev  string
	cp    *Checkpoint
}

// NewChainVerifier starts a verification, optionally against a checkpoint.
func NewChainVerifier(cp *Checkpoint) *ChainVerifier {
	return &ChainVerifier{prev: GenesisHash, cp: cp}
}

// Next checks the next stored entry; key is the sequence its storage key says.
func (v *ChainVerifier) Next(key uint64, e AuditEntry) *AuditProblem {
	want := v.count + 1
	switch {
	case key != want || e.Seq != want:
		return &AuditProblem{want, fmt.Sprintf("expected entry %d, found entry %d stored under %d (an entry was removed, duplicated or moved)", want, e.Seq, key)}
	case e.PrevHash != v.prev:
		return &AuditProblem{want, "its link to the previous entry is broken (entries were reordered, removed or rewritten)"}
	case e.ComputeHash() != e.Hash:
		return &AuditProblem{want, "its content does not match its hash (the entry was altered)"}
	case v.cp != nil && want == v.cp.Count && e.Hash != v.cp.Hash:
		return &AuditProblem{want, "it differs from the checkpoint: the history up to the checkpoint was rewritten"}
	}
	v.count, v.prev = want, e.Hash
	return nil
}

// Done finishes the verification and returns the head of the chain.
func (v *ChainVerifier) Done() (Checkpoint, *AuditProblem) {
	if v.cp != nil && v.count < v.cp.Count {
		return Checkpoint{v.count, v.prev}, &AuditProblem{v.count + 1, fmt.Sprintf("the chain ends at %d entries but the checkpoint has %d: entries were removed from the end", v.count, v.cp.Count)}
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
