package fieldprint

import (
	"fmt"
	"time"
)

// Retention is how long the office keeps a closed request's applicant data
// after it closed, in months, per outcome; 0 keeps it until an
// administrator sets a period (nothing is destroyed by default). When the
// period has passed, the daily purge destroys the request's data
// (crypto-shredding: its key is erased) and keeps a tombstone without
// personal data: number, category, dates, outcome.
type Retention struct {
	Completed int `json:"completed_months"`
	Denied    int `json:"denied_months"`
	Withdrawn int `json:"withdrawn_months"`
}

// MaxRetentionMonths bounds a retention period (25 years).
const MaxRetentionMonths = 300

// Validate checks every period is 0 (kept) or 1 to MaxRetentionMonths.
func (r Retention) Validate() error {
	for _, p := range []struct {
		name string
		n    int
	}{{"completed", r.Completed}, {"denied", r.Denied}, {"withdrawn", r.Withdrawn}} {
		if p.n < 0 || p.n > MaxRetentionMonths {
			return Errorf(EINVALID, "the retention of %s requests must be 0 (kept) or 1 to %d months, not %d", p.name, MaxRetentionMonths, p.n)
		}
	}
	return nil
}

// Months is the retention of a request closed with outcome s (0: kept).
func (r Retention) Months(s Status) int {
	switch s {
	case StatusCompleted:
		return r.Completed
	case StatusDenied:
		return r.Denied
	case StatusWithdrawn:
		return r.Withdrawn
	}
	return 0
}

// Set reports whether any period is set (the purge has something to do).
func (r Retention) Set() bool { return r.Completed > 0 || r.Denied > 0 || r.Withdrawn > 0 }

// LegalHold keeps a request's data past its retention: while it is on, no
// purge (daily or by hand) destroys it.
type LegalHold struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Tombstone is what is kept of a purged request: no personal data.
type Tombstone struct {
	Number   string    `json:"number"`
	Category Category  `json:"category"`
	Received Date      `json:"received"`
	Closed   Date      `json:"closed"`
	Outcome  Status    `json:"outcome"`
	PurgedAt time.Time `json:"purged_at"`
	Run      uint64    `json:"run"` // the purge run (its destruction report)
}

// Audit actions of retention and purge (persisted: never rename).
const (
	ActionRetention = "retention.settings"
	ActionHoldOn    = "request.hold"
	ActionHoldOff   = "request.release-hold"
	ActionPurgeRun  = "purge.run"
)

// ClosedOn is the office day a closed request closed (its last move into
// its outcome), false while it is open.
func (r *Request) ClosedOn(loc *time.Location) (Date, bool) {
	if r.Status.Open() {
		return Date{}, false
	}
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == r.Status {
			return DateOf(r.History[i].At.In(loc)), true
		}
	}
	return DateOf(r.UpdatedAt.In(loc)), true
}

// PurgeDue says whether r's data is due for destruction on day today under
// ret, and when not, why (for the list of what the purge skipped).
func PurgeDue(r *Request, ret Retention, today Date, loc *time.Location) (bool, string) {
	closed, ok := r.ClosedOn(loc)
	if !ok {
		return false, "still open"
	}
	if r.Hold != nil {
		return false, "on legal hold: " + r.Hold.Reason
	}
	m := ret.Months(r.Status)
	if m == 0 {
		return false, fmt.Sprintf("no retention period set for %s requests", r.Status)
	}
	due := closed.AddMonths(m)
	if today.Before(due) {
		return false, "kept until " + due.String()
	}
	return true, ""
}

// CheckPurgeEarly says whether a closed request may be purged by hand
// before its retention has passed (an applicant's request to erase, a
// record entered by mistake): closed and not on hold.
func CheckPurgeEarly(r *Request) error {
	if r.Status.Open() {
		return Errorf(EINVALID, "%s is %s: only a completed, denied or withdrawn request can be purged", r.Number, r.Status)
	}
	if r.Hold != nil {
		return Errorf(EFORBIDDEN, "%s is on legal hold (%s): release the hold first", r.Number, r.Hold.Reason)
	}
	return nil
}

// CheckRetention: only an administrator sets the retention schedule.
func CheckRetention(a Actor) error {
	if a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only an administrator can change how long closed requests are kept")
	}
	return nil
}

// CheckHold: a director or an administrator puts a request on legal hold
// or releases it, with a reason.
func CheckHold(a Actor, reason string) error {
	if a.Role != RoleDirector && a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only a director or an administrator can put a request on legal hold or release it")
	}
	if len([]rune(reason)) < 3 {
		return Errorf(EINVALID, "say why (a case, an inquiry, a court order): the reason is kept in the audit trail")
	}
	return nil
}

// CheckPurgeBy: a purge by hand needs two people, a director and an
// administrator, each signed in with their own password.
func CheckPurgeBy(first, second Actor) error {
	if first.Name == second.Name {
		return Errorf(EFORBIDDEN, "a purge by hand needs two different people: a director and an administrator")
	}
	roles := map[Role]bool{first.Role: true, second.Role: true}
	if !roles[RoleDirector] || !roles[RoleAdmin] {
		return Errorf(EFORBIDDEN, "a purge by hand needs a director and an administrator (here: %s and %s)", first.Role, second.Role)
	}
	return nil
}
