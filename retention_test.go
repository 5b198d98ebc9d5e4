package fieldprint

import (
	"testing"
	"time"
)

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-03-15", 12, "2027-03-15"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-05-31", 0, "2026-05-31"},
		{"2026-12-01", 300, "2051-12-01"},
	} {
		d, _ := ParseDate(c.from)
		if got := d.AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestPurgeDue(t *testing.T) {
	closedAt := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	closed := func(s Status) *Request {
		return &Request{Number: "FP-2026-00001", Status: s, History: []Transition{{At: closedAt, From: StatusNew, To: s}}}
	}
	held := closed(StatusDenied)
	held.Hold = &LegalHold{Reason: "court order 12"}
	ret := Retention{Completed: 24, Denied: 12, Withdrawn: 1}
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	for _, c := range []struct {
		name  string
		r     *Request
		ret   Retention
		today Date
		due   bool
		why   string
	}{
		{"open", closed(StatusScheduled), ret, day("2030-01-01"), false, "still open"},
		{"withdrawn, a day early", closed(StatusWithdrawn), ret, day("2026-04-09"), false, "kept until 2026-04-10"},
		{"withdrawn, on the day", closed(StatusWithdrawn), ret, day("2026-04-10"), true, ""},
		{"denied, 11 months", closed(StatusDenied), ret, day("2027-02-10"), false, "kept until 2027-03-10"},
		{"denied, 12 months", closed(StatusDenied), ret, day("2027-03-10"), true, ""},
		{"completed, no period", closed(StatusCompleted), Retention{Denied: 1}, day("2040-01-01"), false, "no retention period set for completed requests"},
		{"on hold", held, ret, day("2040-01-01"), false, "on legal hold: court order 12"},
	} {
		due, why := PurgeDue(c.r, c.ret, c.today, time.UTC)
		if due != c.due || why != c.why {
			t.Errorf("%s: %v %q, want %v %q", c.name, due, why, c.due, c.why)
		}
	}
}

func TestRetentionRules(t *testing.T) {
	for _, c := range []struct {
		r  Retention
		ok bool
	}{{Retention{}, true}, {Retention{1, 300, 0}, true}, {Retention{-1, 0, 0}, false}, {Retention{0, 301, 0}, false}} {
		if err := c.r.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.r, err)
		}
	}
	d, a, c2 := Actor{Name: "jchen", Role: RoleDirector}, Actor{Name: "root", Role: RoleAdmin}, Actor{Name: "mlopez", Role: RoleClerk}
	for _, c := range []struct {
		x, y Actor
		ok   bool
	}{{d, a, true}, {a, d, true}, {d, d, false}, {a, a, false}, {c2, a, false}, {d, Actor{Name: "jchen", Role: RoleAdmin}, false}} {
		if err := CheckPurgeBy(c.x, c.y); (err == nil) != c.ok {
			t.Errorf("%v + %v: %v", c.x, c.y, err)
		}
	}
	if CheckHold(c2, "inquiry") == nil || CheckHold(d, "") == nil || CheckHold(d, "inquiry 4") != nil || CheckRetention(d) == nil || CheckRetention(a) != nil {
		t.Error("hold or retention permissions")
	}
	open := &Request{Number: "FP-1", Status: StatusNew}
	if CheckPurgeEarly(open) == nil {
		t.Error("an open request may be purged early")
	}
}
