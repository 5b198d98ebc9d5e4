package workflow

import (
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// The calendar's keys are written by hand (no fmt on every day read): they
// must stay the same text as before and read back to the same date.
func TestDateKeyRoundTrip(t *testing.T) {
	for d := (fp.Date{Y: 1999, M: 12, D: 25}); d.Before(fp.Date{Y: 2031, M: 3, D: 2}); d = d.AddDays(7) {
		k := dateKey(d)
		if want := d.String()[0:4] + d.String()[5:7] + d.String()[8:10]; string(k) != want {
			t.Fatalf("dateKey(%v) = %q, want %q", d, k, want)
		}
		back, err := keyDate(append(k, 0x01, 0x02))
		if err != nil || back != d {
			t.Fatalf("keyDate(%q) = %v, %v", k, back, err)
		}
	}
	for _, bad := range []string{"", "2026010", "2026-1-01", "20260230", "20261301", "2026a101", "00000000"} {
		if d, err := keyDate([]byte(bad)); err == nil {
			t.Errorf("keyDate(%q) = %v, want an error", bad, d)
		}
	}
}
