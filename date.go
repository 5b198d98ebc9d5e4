package fieldprint

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day with no time zone: a date of birth or a received date.
// The zero Date means "not given".
type Date struct {
	Y int
	M time.Month
	D int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate accepts YYYY-MM-DD only: other orders (03/05/1990) are ambiguous
// between offices, so they are refused rather than guessed.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		if s == "" {
			return Date{}, Errorf(EINVALID, "date is empty: use YYYY-MM-DD, e.g. 1990-03-05")
		}
		return Date{}, Errorf(EINVALID, "%q is not a date in the form YYYY-MM-DD (e.g. 1990-03-05)", s)
	}
	return DateOf(t), nil
}

func (d Date) IsZero() bool { return d == Date{} }

func (d Date) Time() time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D)
}

func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }
func (d Date) After(o Date) bool  { return d.Time().After(o.Time()) }

func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddMonths is the same day n months later; a day the month lacks becomes
// that month's last (31 January + 1 month = 28 or 29 February).
func (d Date) AddMonths(n int) Date {
	t := d.Time()
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return DateOf(time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC))
}

// DaysUntil returns the number of days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int {
	return int(o.Time().Sub(d.Time()).Hours() / 24)
}

// AgeOn returns the age in whole years of a person born on d, on day on.
func (d Date) AgeOn(on Date) int {
	age := on.Y - d.Y
	if on.M < d.M || on.M == d.M && on.D < d.D {
		age--
	}
	return age
}

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
