package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// fieldprint report: the demo office's month as text, CSV, JSON and PDF;
// --list prints as many requests as the figure counts; clerks are refused.
func TestReportCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	t.Setenv("FIELDPRINT_PASSWORD", "demo-only-not-secret")
	if code, _, errs := fieldprint(t, "", "demo", "--requests", "80", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := fieldprint(t, "", "report", "--db", db, "--user", "director")
	if code != 0 || !strings.Contains(out, "Office report ") || !strings.Contains(out, "Requests received") || !strings.Contains(out, "Places used:") {
		t.Fatalf("text: %d %q %q", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "report", "--format", "json", "--db", db, "--user", "director")
	var rep fp.Report
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Figures) == 0 {
		t.Fatalf("json: %d %q", code, errs)
	}
	code, out, _ = fieldprint(t, "", "report", "--format", "csv", "--db", db, "--user", "director")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != len(rep.Figures)+3 || recs[0][0] != "key" {
		t.Fatalf("csv: %d %v %d records", code, err, len(recs))
	}
	for _, rec := range recs[1 : len(recs)-2] {
		f := rep.Figure(rec[0], false)
		if rec[4] != strconv.Itoa(f.Count()) {
			t.Errorf("csv %s: %s, the report %d", rec[0], rec[4], f.Count())
		}
		// The list behind it has as many rows as the number.
		code, list, errs := fieldprint(t, "", "report", "--list", rec[0], "--format", "csv", "--db", db, "--user", "director")
		rows, _ := csv.NewReader(strings.NewReader(list)).ReadAll()
		if code != 0 || len(rows)-1 != f.Count() {
			t.Errorf("--list %s: %d rows for %d (%s)", rec[0], len(rows)-1, f.Count(), errs)
		}
	}
	// --days: the window's Last 30 days, to today in office time.
	code, out, errs = fieldprint(t, "", "report", "--days", "30", "--format", "json", "--db", db, "--user", "director")
	var last fp.Report
	if code != 0 || json.Unmarshal([]byte(out), &last) != nil || last.Period.Days() != 30 || fp.MonthPeriod(last.Period.To) != rep.Period {
		t.Fatalf("--days 30: %d %v %q", code, last.Period, errs)
	}
	if _, same, _ := fieldprint(t, "", "report", "--from", last.Period.From.String(), "--to", last.Period.To.String(), "--format", "json", "--db", db, "--user", "director"); same != out {
		t.Errorf("--days 30 is not the report of %s", last.Period)
	}
	pdf := filepath.Join(dir, "report.pdf")
	if code, _, errs := fieldprint(t, "", "report", "--format", "pdf", "-o", pdf, "--month", rep.Period.From.String()[:7], "--db", db, "--user", "admin"); code != 0 {
		t.Fatalf("pdf: %s", errs)
	}
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("pdf file: %v", err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report", "--db", db, "--user", "clerk"}, 1, "reports are for directors and administrators"},
		{[]string{"report", "--from", "2026-11-30", "--to", "2026-11-01", "--db", db, "--user", "director"}, 1, "before it begins"},
		{[]string{"report", "--list", "nothing", "--db", db, "--user", "director"}, 1, "is not a figure"},
		{[]string{"report", "--format", "pdf", "--db", db, "--user", "director"}, 2, "needs -o"},
		{[]string{"report", "--month", "2026-11", "--from", "2026-11-01", "--db", db, "--user", "director"}, 2, "give one of"},
		{[]string{"report", "--days", "30", "--month", "2026-11", "--db", db, "--user", "director"}, 2, "give one of"},
		{[]string{"report", "--days", "401", "--db", db, "--user", "director"}, 2, "between 1 and 400"},
	} {
		code, _, errs := fieldprint(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: %d %q, want %d %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}
