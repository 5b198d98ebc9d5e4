package fieldprint

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		hint string // non-empty: an error containing it
	}{
		{in: "1990-03-05", want: Date{1990, time.March, 5}},
		{in: " 2026-11-20\n", want: Date{2026, time.November, 20}},
		{in: "2024-02-29", want: Date{2024, time.February, 29}},
		{in: "", hint: "empty"},
		{in: "  ", hint: "empty"},
		{in: "2026-02-29", hint: "YYYY-MM-DD"},
		{in: "2026-13-01", hint: "YYYY-MM-DD"},
		{in: "2026-1-5", hint: "YYYY-MM-DD"},
		{in: "03/05/1990", hint: "YYYY-MM-DD"},
		{in: "05.03.1990", hint: "YYYY-MM-DD"},
		{in: "1990-03-05T00:00:00Z", hint: "YYYY-MM-DD"},
		{in: "90-03-05", hint: "YYYY-MM-DD"},
		{in: "１９９０-03-05", hint: "YYYY-MM-DD"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.hint != "" {
			if err == nil || ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.hint) {
				t.Errorf("ParseDate(%q) = %v, %v; want EINVALID mentioning %q", tt.in, got, err, tt.hint)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != strings.TrimSpace(tt.in) {
			t.Errorf("String() = %q, want %q", s, strings.TrimSpace(tt.in))
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.November, 20}
	if d.IsZero() || !(Date{}).IsZero() || (Date{}).String() != "" {
		t.Error("IsZero/String of the zero date")
	}
	if got := d.AddDays(12); got != (Date{2026, time.December, 2}) {
		t.Errorf("AddDays(12) = %v", got)
	}
	if got := d.AddDays(-20); got != (Date{2026, time.October, 31}) {
		t.Errorf("AddDays(-20) = %v", got)
	}
	if got := (Date{2026, 3, 1}).DaysUntil(Date{2026, 3, 31}); got != 30 {
		t.Errorf("DaysUntil = %d, want 30", got)
	}
	if got := (Date{2026, 3, 31}).DaysUntil(Date{2026, 3, 1}); got != -30 {
		t.Errorf("DaysUntil backwards = %d, want -30", got)
	}
	if got := (Date{2024, 1, 1}).DaysUntil(Date{2025, 1, 1}); got != 366 {
		t.Errorf("DaysUntil over a leap year = %d", got)
	}
	if !(Date{2026, 1, 1}).Before(d) || !d.After(Date{2026, 1, 1}) || d.Before(d) || d.After(d) {
		t.Error("Before/After")
	}
	ages := []struct {
		born, on Date
		want     int
	}{
		{Date{2008, 11, 20}, d, 18},
		{Date{2008, 11, 21}, d, 17},
		{Date{2008, 12, 1}, d, 17},
		{Date{2008, 2, 29}, Date{2026, 2, 28}, 17},
		{Date{2008, 2, 29}, Date{2026, 3, 1}, 18},
		{Date{1990, 3, 5}, d, 36},
	}
	for _, a := range ages {
		if got := a.born.AgeOn(a.on); got != a.want {
			t.Errorf("%v.AgeOn(%v) = %d, want %d", a.born, a.on, got, a.want)
		}
	}
	loc := time.FixedZone("UTC+14", 14*3600)
	if got := DateOf(time.Date(2026, 11, 20, 23, 30, 0, 0, loc)); got != d {
		t.Errorf("DateOf keeps the local calendar day: got %v", got)
	}
}

func TestDateJSON(t *testing.T) {
	type rec struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(rec{Date{1990, 3, 5}})
	if err != nil || string(b) != `{"d":"1990-03-05"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var r rec
	if err := json.Unmarshal(b, &r); err != nil || r.D != (Date{1990, 3, 5}) {
		t.Errorf("Unmarshal = %v, %v", r.D, err)
	}
	b, _ = json.Marshal(rec{})
	if string(b) != `{"d":""}` {
		t.Errorf("zero date marshals as %s", b)
	}
	r = rec{Date{1, 1, 1}}
	if err := json.Unmarshal(b, &r); err != nil || !r.D.IsZero() {
		t.Errorf("empty string unmarshals to %v, %v", r.D, err)
	}
	for _, bad := range []string{`{"d":"05/03/1990"}`, `{"d":19900305}`, `{"d":"1990-02-30"}`} {
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}
