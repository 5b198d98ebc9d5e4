package fieldprint

import (
	"strings"
	"time"
)

// Role is what a staff member may do. Persisted: never rename.
type Role string

const (
	RoleClerk    Role = "clerk"
	RoleDirector Role = "director"
	RoleAdmin    Role = "admin"
)

// Actor is the person on whose behalf a mutating call runs.
type Actor struct {
	Name string
	Role Role
}

func (a Actor) Validate() error {
	if strings.TrimSpace(a.Name) == "" {
		return Errorf(EFORBIDDEN, "no acting user: sign in first")
	}
	switch a.Role {
	case RoleClerk, RoleDirector, RoleAdmin:
		return nil
	}
	return Errorf(EFORBIDDEN, "unknown role %q", a.Role)
}

// CanHandleCases reports whether the actor works on requests (admins manage
// accounts and settings only).
func (a Actor) CanHandleCases() bool { return a.Role == RoleClerk || a.Role == RoleDirector }

// TransitionRule is one allowed status change.
type TransitionRule struct {
	From, To    Status
	Roles       []Role
	NeedsReason bool
	Action      string // the button staff see, e.g. "Withdraw"
	Verb        string // the CLI's word: fieldprint decide NUMBER VERB
	// Guard refuses the change for reasons beyond role and status.
	Guard func(a Actor, r *Request, on Date) error
	// System changes follow from something else (booking every person,
	// cancelling an appointment): nobody makes them directly.
	System bool
	How    string // for a System change: what to do instead
}

var (
	caseRoles    = []Role{RoleClerk, RoleDirector}
	directorOnly = []Role{RoleDirector}
)

// othersNeedDirector: "All others" are served only at the director's discretion.
func othersNeedDirector(a Actor, r *Request, _ Date) error {
	if r.Category == CategoryOther && a.Role != RoleDirector {
		return Errorf(EFORBIDDEN, "%s is an All others request: only the director decides it; refer it to the director", r.Number)
	}
	return nil
}

// notOwnReferral: the person who referred a request cannot approve it.
func notOwnReferral(a Actor, r *Request, _ Date) error {
	if by := r.Referrer(); by == a.Name {
		return Errorf(EFORBIDDEN, "%s was referred by %s: the person who referred a request cannot approve it (separation of duties); another director must decide", r.Number, by)
	}
	return nil
}

// all applies every guard in turn.
func all(gs ...func(Actor, *Request, Date) error) func(Actor, *Request, Date) error {
	return func(a Actor, r *Request, on Date) error {
		for _, g := range gs {
			if err := g(a, r, on); err != nil {
				return err
			}
		}
		return nil
	}
}

// Transitions is the status machine. Later features add their rows here.
var Transitions = []TransitionRule{
	{From: StatusNew, To: StatusAwaitingDocuments, Roles: caseRoles, Action: "Wait for documents", Verb: "await"},
	{From: StatusAwaitingDocuments, To: StatusNew, Roles: caseRoles, Action: "Back to triage", Verb: "triage"},

	{From: StatusNew, To: StatusReadyToSchedule, Roles: caseRoles, Action: "Mark eligible", Verb: "eligible", Guard: all(othersNeedDirector, completeForDecision, checklistComplete)},
	{From: StatusAwaitingDocuments, To: StatusReadyToSchedule, Roles: caseRoles, Action: "Mark eligible", Verb: "eligible", Guard: all(othersNeedDirector, completeForDecision, checklistComplete)},
	{From: StatusNew, To: StatusDirectorReview, Roles: caseRoles, NeedsReason: true, Action: "Refer to director", Verb: "refer"},
	{From: StatusAwaitingDocuments, To: StatusDirectorReview, Roles: caseRoles, NeedsReason: true, Action: "Refer to director", Verb: "refer"},

	{From: StatusDirectorReview, To: StatusReadyToSchedule, Roles: directorOnly, NeedsReason: true, Action: "Approve", Verb: "approve", Guard: all(notOwnReferral, completeForDecision, checklistComplete)},
	{From: StatusDirectorReview, To: StatusDenied, Roles: directorOnly, NeedsReason: true, Action: "Deny", Verb: "deny", Guard: completeForDecision},
	{From: StatusNew, To: StatusDenied, Roles: directorOnly, NeedsReason: true, Action: "Deny", Verb: "deny", Guard: completeForDecision},
	{From: StatusAwaitingDocuments, To: StatusDenied, Roles: directorOnly, NeedsReason: true, Action: "Deny", Verb: "deny", Guard: completeForDecision},

	{From: StatusNew, To: StatusWithdrawn, Roles: caseRoles, NeedsReason: true, Action: "Withdraw", Verb: "withdraw"},
	{From: StatusAwaitingDocuments, To: StatusWithdrawn, Roles: caseRoles, NeedsReason: true, Action: "Withdraw", Verb: "withdraw"},
	{From: StatusDirectorReview, To: StatusWithdrawn, Roles: caseRoles, NeedsReason: true, Action: "Withdraw", Verb: "withdraw"},
	{From: StatusReadyToSchedule, To: StatusWithdrawn, Roles: caseRoles, NeedsReason: true, Action: "Withdraw", Verb: "withdraw"},
	{From: StatusScheduled, To: StatusWithdrawn, Roles: caseRoles, NeedsReason: true, Action: "Withdraw", Verb: "withdraw"},

	{From: StatusReadyToSchedule, To: StatusScheduled, Roles: caseRoles, System: true, How: "book an appointment for every person to fingerprint"},
	{From: StatusScheduled, To: StatusReadyToSchedule, Roles: caseRoles, System: true, How: "cancel an appointment"},
	{From: StatusScheduled, To: StatusCompleted, Roles: caseRoles, System: true, How: "record the collection of every person's biometrics"},
	{From: StatusReadyToSchedule, To: StatusCompleted, Roles: caseRoles, System: true, How: "record the collection of every person's biometrics (walk-ins)"},
}

// Verbs are the words "fieldprint decide" accepts.
var Verbs = []string{"await", "triage", "eligible", "refer", "approve", "deny", "withdraw"}

// Referrer is who last referred r to the director ("" if nobody did).
func (r *Request) Referrer() string {
	t, _ := r.LastTransition(StatusDirectorReview)
	return t.By
}

// NextStatuses returns the transitions the actor may make on r on day on.
func NextStatuses(a Actor, r *Request, on Date) []TransitionRule {
	var out []TransitionRule
	for _, t := range Transitions {
		if t.From == r.Status && !t.System && roleIn(a.Role, t.Roles) && (t.Guard == nil || t.Guard(a, r, on) == nil) {
			out = append(out, t)
		}
	}
	return out
}

// Decision is a status change the actor's role makes from r's status, and
// why it cannot be made now (nil when it can): a screen shows a blocked
// decision with its reason instead of hiding it.
type Decision struct {
	Rule TransitionRule
	Why  error
}

// Decisions lists the changes a's role makes from r's status on day on.
func Decisions(a Actor, r *Request, on Date) []Decision {
	var out []Decision
	for _, t := range Transitions {
		if t.From == r.Status && !t.System && roleIn(a.Role, t.Roles) {
			d := Decision{Rule: t}
			if t.Guard != nil {
				d.Why = t.Guard(a, r, on)
			}
			out = append(out, d)
		}
	}
	return out
}

// StatusForVerb returns where verb takes r, or explains why it cannot apply.
func StatusForVerb(r *Request, verb string) (Status, error) {
	known := false
	for _, t := range Transitions {
		if t.Verb == verb && verb != "" {
			known = true
			if t.From == r.Status {
				return t.To, nil
			}
		}
	}
	if !known {
		return "", Errorf(EINVALID, "%q is not a decision: use one of %s", verb, strings.Join(Verbs, ", "))
	}
	return "", Errorf(EFORBIDDEN, "%s is %s: \"%s\" does not apply to it", r.Number, r.Status.Label(), verb)
}

func roleIn(r Role, rs []Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// CheckTransition says whether actor may move r to status to on day on, and why not.
func CheckTransition(a Actor, r *Request, to Status, reason string, on Date) (TransitionRule, error) {
	if err := a.Validate(); err != nil {
		return TransitionRule{}, err
	}
	if !to.Valid() {
		return TransitionRule{}, Errorf(EINVALID, "status %q is not known", to)
	}
	if r.Status == to {
		return TransitionRule{}, Errorf(ECONFLICT, "%s is already %s", r.Number, to.Label())
	}
	for _, t := range Transitions {
		if t.From != r.Status || t.To != to {
			continue
		}
		if t.System {
			return t, Errorf(EFORBIDDEN, "%s becomes %s by itself: %s", r.Number, to.Label(), t.How)
		}
		if !roleIn(a.Role, t.Roles) {
			return t, Errorf(EFORBIDDEN, "a %s may not move a request from %s to %s", a.Role, r.Status.Label(), to.Label())
		}
		if t.Guard != nil {
			if err := t.Guard(a, r, on); err != nil {
				return t, err
			}
		}
		if t.NeedsReason && strings.TrimSpace(reason) == "" {
			return t, Errorf(EINVALID, "%s needs a reason: say why, it goes into the request's history", t.Action)
		}
		return t, nil
	}
	return TransitionRule{}, Errorf(EFORBIDDEN, "%s cannot go from %s to %s", r.Number, r.Status.Label(), to.Label())
}

// CheckEdit says whether actor may edit r's fields.
func CheckEdit(a Actor, r *Request) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if !a.CanHandleCases() {
		return Errorf(EFORBIDDEN, "an %s account does not handle requests: sign in as a clerk or director", a.Role)
	}
	if r != nil && !r.Status.Open() {
		return Errorf(EFORBIDDEN, "%s is %s: a closed request cannot be edited", r.Number, r.Status.Label())
	}
	return nil
}

// CheckPrint says whether a may print documents for applicants (letters,
// record sheets, stamped notices): the people who handle requests do; an
// administrator manages accounts and settings and prints none of them. The
// store applies it where every printing is recorded.
func CheckPrint(a Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if !a.CanHandleCases() {
		return Errorf(EFORBIDDEN, "an administrator account does not print applicants' letters: sign in as a clerk or director")
	}
	return nil
}

// RequestFilter selects requests for the queue, the CLI and exports.
type RequestFilter struct {
	Statuses   []Status   // any of these; empty = all
	Categories []Category // any of these; empty = all
	// Search matches name words by prefix (accent- and case-insensitive),
	// receipt numbers and A-numbers by prefix, and request numbers exactly.
	Search string
	// DocsComplete keeps requests waiting for a decision (new, awaiting
	// documents, director review) whose required documents are all verified.
	DocsComplete bool
	// Incomplete keeps requests an import left incomplete (Request.Incomplete).
	Incomplete bool
	Newest     bool // newest first; default oldest first
	Offset     int
	Limit      int // 0 = no limit
}

// RequestSummary is one queue row: what a list shows without loading the request.
type RequestSummary struct {
	ID       RequestID `json:"id"`
	Number   string    `json:"number"`
	Status   Status    `json:"status"`
	Category Category  `json:"category"`
	FullName string    `json:"full_name"`
	Received Date      `json:"received"`
	People   int       `json:"people"`
	ANumber  ANumber   `json:"a_number,omitempty"`
	Receipt  string    `json:"receipt,omitempty"` // the first receipt number
	// Docs is the checklist's verified/required count when the row was written.
	Docs Completeness `json:"docs"`
	// Incomplete: an import left fields to complete (Request.Incomplete).
	Incomplete bool `json:"incomplete,omitempty"`
}

// Summary returns r's queue row as of day on.
func (r *Request) Summary(on Date) RequestSummary {
	s := RequestSummary{ID: r.ID, Number: r.Number, Status: r.Status, Category: r.Category,
		FullName: r.Applicant.FullName, Received: r.Received, People: r.People(on), ANumber: r.ANumber, Docs: r.Completeness(on),
		Incomplete: len(r.Incomplete) > 0}
	if len(r.ReceiptNumbers) > 0 {
		s.Receipt = string(r.ReceiptNumbers[0])
	}
	return s
}

// Duplicate is an open request that shares an identifier with a new one.
type Duplicate struct {
	Identifier string // the receipt number or A-number both carry
	Other      RequestSummary
}

func (d Duplicate) String() string {
	return d.Identifier + " is already on " + d.Other.Number + " (" + d.Other.FullName + ", " + d.Other.Status.Label() + ")"
}

// SaveOptions tune a create, update or import.
type SaveOptions struct {
	// AllowDuplicates saves even when an identifier is on another open request
	// (the person confirmed it is not the same application).
	AllowDuplicates bool
}

// RequestService is what the UI and CLI use; the store implements it. Every
// mutating call checks the actor and the rules inside its transaction.
type RequestService interface {
	FindRequestByID(id RequestID) (*Request, error)
	FindRequestByNumber(number string) (*Request, error)
	// FindRequests returns one page of matching rows and the number of all matches.
	FindRequests(f RequestFilter) ([]RequestSummary, int, error)
	CountRequests() (int, error)
	// FindDuplicates lists open requests other than r that carry one of r's identifiers.
	FindDuplicates(r *Request) ([]Duplicate, error)
	CreateRequest(a Actor, r *Request, opt SaveOptions) (*Request, error)
	// UpdateRequest replaces the editable fields of request id; version is the
	// version the edit started from (ECONFLICT when someone saved in between).
	UpdateRequest(a Actor, id RequestID, version uint64, fields *Request, opt SaveOptions) (*Request, error)
	TransitionRequest(a Actor, id RequestID, to Status, reason string) (*Request, error)
	// TransitionRequests is TransitionRequest of many, in order, as many
	// per transaction as the store takes; an error stops it at the change
	// refused (those before it are made). It returns the requests as each
	// change left them.
	TransitionRequests(a Actor, cs []StatusChange) ([]*Request, error)
	// ImportRequests creates all of rs in one transaction or none of them.
	ImportRequests(a Actor, rs []*Request, opt SaveOptions) ([]*Request, error)
}

// Clock lets rules about days and hours be tested.
type Clock func() time.Time
