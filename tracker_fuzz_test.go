package fieldprint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// trackerSeeds are the trackers of testdata/tracker and a few hostile files.
func trackerSeeds(f *testing.F) [][]byte {
	var out [][]byte
	names, _ := filepath.Glob("testdata/tracker/*")
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			out = append(out, b)
		}
	}
	for _, s := range []string{
		"", "\ufeff", "\xff\xfe", "\xfe\xff\x00", "sep=;\nName;Category\n", "sep=\n",
		"Name,Category,Receipt,Appt date,Appointment time,Station,Status,Collected\nAnn,military,IOE0912345678,02/12/2026,9:00,2,Scheduled,\n",
		"Name,Category,Receipt,Status\n\"LEE, Ann\",Adoption (I-600A),IOE0912345678,Done\n",
		"Name\tCategory\tReceipt\n\x00\t\xff\t\"\n",
		"Name;Category;A#\nJos\xe9;Military;A12345678\n",
		"Name,Category,Receipt,Date rec'd\nA,military,IOE0912345678,23/10/2026\nB,military,IOE0912345679,10/23/2026\n",
		"Name,Category,Receipt,Household\nA,adoption,IOE0912345678,B|1990-01-01;C\n",
		"Name,Name,\n,,\n",
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzReadTracker: any bytes are read as a tracker, mapped as suggested and
// turned into rows, without a panic; every problem has a line and words,
// and a file read without problems yields rows or says why not.
func FuzzReadTracker(f *testing.F) {
	for _, b := range trackerSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, errs := ReadTracker("f.csv", data, "", 0)
		checkLineErrors(t, errs)
		if tf == nil {
			if len(errs) == 0 {
				t.Fatal("no file and no problem")
			}
			return
		}
		if len(errs) > 0 {
			t.Fatal("a file and problems")
		}
		for _, r := range tf.Rows {
			if len(r.Cells) != len(tf.Header) || r.Line <= tf.HeaderLine {
				t.Fatalf("row %+v of a %d-column file", r, len(tf.Header))
			}
		}
		for _, s := range tf.Header {
			if !utf8.ValidString(s) {
				t.Fatalf("header %q is not UTF-8", s)
			}
		}
		m := SuggestMapping(tf, TrackerMapping{})
		rows, errs := m.Rows(tf, testToday)
		checkLineErrors(t, errs)
		if len(rows) == 0 && len(errs) == 0 {
			t.Fatal("no rows and no problems")
		}
		for _, row := range rows {
			if row.Request == nil || row.Line <= tf.HeaderLine {
				t.Fatalf("row %+v", row)
			}
			// What a row holds parses again as it is (as the workflow does).
			if _, _, err := row.Request.Input().Parse(testToday); err != nil {
				t.Fatalf("line %d: the stored request does not parse again: %v", row.Line, err)
			}
			_ = row.Preview()
		}
	})
}

// FuzzTrackerMapping: the CLI's --map and --value assignments, one per
// line, then a tracker read with them: refused with words, or read.
func FuzzTrackerMapping(f *testing.F) {
	f.Add("Name=full_name\nKind=category\ncategory:Adoption (I-600A)=adoption\nstatus:Done=completed", []byte("Name,Kind,Receipt,Status\nAnn,Adoption (I-600A),IOE0912345678,Done\n"))
	f.Add("A=B=C\n=\n:=\ncategory:=\nstatus:x=\nReceipt=-", []byte("A=B,Receipt\nx,y\n"))
	f.Add("Date=received\nDate=appointment", []byte("Date,Name,Category,A#\n03/10/2026,Ann,military,A12345678\n"))
	f.Fuzz(func(t *testing.T, spec string, data []byte) {
		var m TrackerMapping
		for _, line := range strings.Split(spec, "\n") {
			var err error
			if strings.Contains(line, ":") && !strings.Contains(line[:strings.Index(line, ":")], "=") {
				err = m.AssignValue(line)
			} else {
				err = m.Assign(line)
			}
			if err != nil && (ErrorCode(err) != EINVALID || ErrorMessage(err) == "") {
				t.Fatalf("%q: %v", line, err)
			}
		}
		tf, errs := ReadTracker("f.csv", data, "", 0)
		if tf == nil {
			checkLineErrors(t, errs)
			return
		}
		rows, errs := m.Rows(tf, testToday)
		checkLineErrors(t, errs)
		if len(rows) == 0 && len(errs) == 0 {
			t.Fatal("no rows and no problems")
		}
	})
}

func checkLineErrors(t *testing.T, errs []LineError) {
	t.Helper()
	for i, e := range errs {
		if e.Line < 1 || strings.TrimSpace(e.Message) == "" {
			t.Fatalf("problem without a line or words: %+v", e)
		}
		if i > 0 && e.Line < errs[i-1].Line {
			t.Fatalf("problems out of order: %v", errs)
		}
	}
}
