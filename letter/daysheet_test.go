package letter

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// sheetDay is the collection day of the day-sheet tests, a Tuesday.
var sheetDay = fp.Date{Y: 2026, M: time.December, D: 1}

// sheetOptions: printed at 11:50 office time on the day, by mlopez.
var sheetOptions = Options{Now: time.Date(2026, 12, 1, 3, 50, 0, 0, time.UTC), PrintedBy: "mlopez", Deterministic: true}

// at is hh:mm office time on sheetDay, in UTC as the store keeps it.
func at(t testing.TB, hhmm string) time.Time {
	t.Helper()
	tod, err := fp.ParseTimeOfDay(hhmm)
	if err != nil {
		t.Fatal(err)
	}
	return officeHours.At(sheetDay, tod).UTC()
}

// sheetRow is one appointment of sheetDay; station 0 is a walk-in.
func sheetRow(t testing.TB, number string, cat fp.Category, name, born, start string, station int, status fp.ApptStatus) fp.DayRow {
	t.Helper()
	tod, err := fp.ParseTimeOfDay(start)
	if err != nil {
		t.Fatal(err)
	}
	dob, err := fp.ParseDate(born)
	if err != nil {
		t.Fatal(err)
	}
	return fp.DayRow{Number: number, Category: cat, Person: fp.Person{FullName: name, DateOfBirth: dob},
		Appointment: fp.Appointment{ID: 1, Day: sheetDay, Start: tod, Minutes: 15, Station: station, Status: status,
			WalkIn: station == 0, BookedAt: at(t, "08:00").Add(-72 * time.Hour), BookedBy: "mlopez"}}
}

// sheetRows are a morning with every status: two stations, a check-in whose
// name does not match the ID, a miss, a cancellation and two walk-ins, in
// no particular order (the sheet sorts them).
func sheetRows(t testing.TB) []fp.DayRow {
	khai := sheetRow(t, "FP-2026-00042", fp.CategoryMilitary, "Nguyễn Thị Minh Khai", "1985-04-12", "08:30", 1, fp.ApptCollected)
	khai.Appointment.CheckIn = &fp.CheckIn{At: at(t, "08:21"), By: "mlopez", ID: fp.IDPassport, IDNote: "C1234567", NameMatches: true}
	khai.Appointment.Collection = &fp.Collection{At: at(t, "08:38"), By: "jchen",
		Captured: []fp.Capture{fp.CaptureFingerprints, fp.CapturePhoto, fp.CaptureSignature}, Code: 3}

	lukasz := sheetRow(t, "FP-2026-00043", fp.CategoryAdoption, "Łukasz Żółć", "1980-01-30", "08:45", 1, fp.ApptCheckedIn)
	lukasz.Appointment.CheckIn = &fp.CheckIn{At: at(t, "08:40"), By: "mlopez", ID: fp.IDExpired, NameMatches: false,
		Note: "Passport reads LUKASZ ZOLC, without diacritics; same photo and date of birth."}

	zofia := sheetRow(t, "FP-2026-00043", fp.CategoryAdoption, "Zofia Żółć", "1982-03-15", "08:30", 2, fp.ApptCollected)
	zofia.Appointment.ID = 2
	zofia.Appointment.CheckIn = &fp.CheckIn{At: at(t, "08:24"), By: "mlopez", ID: fp.IDGovernment, NameMatches: true}
	zofia.Appointment.Collection = &fp.Collection{At: at(t, "08:44"), By: "mlopez", Captured: []fp.Capture{fp.CaptureFingerprints}}

	jose := sheetRow(t, "FP-2026-00046", fp.CategoryMilitary, "José Müller", "1955-07-04", "08:45", 2, fp.ApptMissed)
	jose.Appointment.MissedAt = at(t, "11:30")

	cancelled := sheetRow(t, "FP-2026-00045", fp.Category319b, "Carlos Pérez", "1979-11-02", "09:15", 1, fp.ApptCancelled)

	walk := sheetRow(t, "FP-2026-00039", fp.CategoryOther, "María José Cavalcanti", "1990-02-28", "10:05", 0, fp.ApptWalkIn)
	walk.Appointment.CheckIn = &fp.CheckIn{At: at(t, "10:05"), By: "jchen", ID: fp.IDBirthCertificate, NameMatches: true,
		Note: "Missed her appointment of November 24."}
	walkDone := sheetRow(t, "FP-2026-00031", fp.Category319b, "Wanjiru Mwangi", "1991-06-30", "09:40", 0, fp.ApptCollected)
	walkDone.Appointment.CheckIn = &fp.CheckIn{At: at(t, "09:40"), By: "jchen", ID: fp.IDPassport, IDNote: "AK0912345", NameMatches: true}
	walkDone.Appointment.Collection = &fp.Collection{At: at(t, "10:02"), By: "jchen",
		Captured: []fp.Capture{fp.CaptureFingerprints, fp.CapturePhoto, fp.CaptureSignature}, Code: 1}

	return []fp.DayRow{
		walk,
		sheetRow(t, "FP-2026-00047", fp.Category319b, "Trần Văn Đức", "2001-12-24", "09:00", 2, fp.ApptBooked),
		lukasz, jose, cancelled, khai, walkDone, zofia,
		sheetRow(t, "FP-2026-00044", fp.CategoryOther, "Wanjiku Otieno", "1970-05-05", "09:00", 1, fp.ApptBooked),
	}
}

func renderSheet(t testing.TB, rows []fp.DayRow) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := DaySheet(&b, sheetDay, rows, guangzhou, officeHours, sheetOptions); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDaySheetGolden compares with testdata/daysheet*.pdf; go test ./letter -update rewrites them.
func TestDaySheetGolden(t *testing.T) {
	for name, rows := range map[string][]fp.DayRow{"daysheet": sheetRows(t), "daysheet-empty": nil} {
		got := renderSheet(t, rows)
		if again := renderSheet(t, rows); !bytes.Equal(got, again) {
			t.Fatalf("%s: two renderings differ: output is not deterministic", name)
		}
		golden(t, name, got)
	}
}

// TestDaySheetText reads the sheet back with pdftotext, when it is
// installed: the day, the counts, the hours, every row under its station in
// time order with its check-in and collection, then the walk-ins.
func TestDaySheetText(t *testing.T) {
	pages := pdfPages(t, renderSheet(t, sheetRows(t)))
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	text := pages[0]
	for _, w := range []string{
		"USCIS Guangzhou Field Office", "Day sheet: Tuesday, December 1, 2026",
		"9 appointments (2 walk-ins): Booked 2 · Checked in 1 · Collected 3 · Missed 1 · Cancelled 1 · Walk-in 1",
		"Public hours: 08:30–11:30 (Asia/Shanghai) · 2 stations · 15-minute slots",
		"Time Request Person Category Status Checked in Collected Initials",
		"Arrived Request Person Category Status Checked in Collected Initials",
		"08:30–08:45 FP-2026-00042 Nguyễn Thị Minh Khai Military Collected 08:21 Passport (C1234567) 08:38 by jchen · code 3",
		"born 1985-04-12 fingerprints, photo and signature",
		"08:45–09:00 FP-2026-00043 Łukasz Żółć Adoption Checked in 08:40 Expired ID",
		"Name differs: Passport reads", "LUKASZ ZOLC, without", "diacritics; same photo and date of birth.",
		"09:00–09:15 FP-2026-00044 Wanjiku Otieno All others Booked",
		"09:15–09:30 FP-2026-00045 Carlos Pérez 319(b) Cancelled",
		"08:30–08:45 FP-2026-00043 Zofia Żółć Adoption Collected 08:24 Other valid 08:44 by mlopez",
		"born 1982-03-15 government photo ID fingerprints",
		"08:45–09:00 FP-2026-00046 José Müller Military Missed",
		"09:00–09:15 FP-2026-00047 Trần Văn Đức 319(b) Booked",
		"09:40 FP-2026-00031 Wanjiru Mwangi 319(b) Collected 09:40 Passport (AK0912345) 10:02 by jchen · code 1",
		"10:05 FP-2026-00039 María José Cavalcanti All others Walk-in 10:05 Birth certificate",
		"Note: Missed her appointment of",
		"Day sheet · Tuesday, December 1, 2026 · printed December 1, 2026 11:50 Asia/Shanghai by mlopez · page 1 of 1",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	// In order: station 1 by time, station 2 by time, the walk-ins by arrival.
	order := []string{"Station 1", "FP-2026-00042", "FP-2026-00043 Łukasz", "FP-2026-00044", "FP-2026-00045",
		"Station 2", "FP-2026-00043 Zofia", "FP-2026-00046", "FP-2026-00047",
		"Walk-ins (seen after scheduled applicants)", "FP-2026-00031", "FP-2026-00039"}
	last := -1
	for _, w := range order {
		i := strings.Index(text, w)
		if i <= last {
			t.Errorf("%q is not after %q", w, order[max(0, slices.Index(order, w)-1)])
		}
		last = max(last, i)
	}
	for _, no := range []string{"No appointments on this day.", "No walk-ins", "→"} {
		if strings.Contains(text, no) {
			t.Errorf("sheet shows %q", no)
		}
	}
}

// TestDaySheetEmpty: no rows, the counts at zero and the empty-state line,
// no station tables.
func TestDaySheetEmpty(t *testing.T) {
	pages := pdfPages(t, renderSheet(t, nil))
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for _, w := range []string{"Day sheet: Tuesday, December 1, 2026",
		"0 appointments: Booked 0 · Checked in 0 · Collected 0 · Missed 0 · Cancelled 0 · Walk-in 0",
		"Public hours: 08:30–11:30", "No appointments on this day.", "printed December 1, 2026 11:50 Asia/Shanghai by mlopez"} {
		if !strings.Contains(pages[0], w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	for _, no := range []string{"Station", "Walk-ins", "Initials"} {
		if strings.Contains(pages[0], no) {
			t.Errorf("empty sheet shows %q", no)
		}
	}
}

// TestDaySheetClosedAndEmptyStation: a station without appointments says so,
// walk-ins too; a closed day says why; no PrintedBy, no "by".
func TestDaySheetClosedAndEmptyStation(t *testing.T) {
	s := officeHours
	s.Closed = []fp.ClosedDay{{Date: sheetDay, Name: "Staff training"}}
	row := sheetRow(t, "FP-2026-00047", fp.Category319b, "Trần Văn Đức", "2001-12-24", "09:00", 2, fp.ApptCancelled)
	opt := sheetOptions
	opt.PrintedBy = ""
	var b bytes.Buffer
	if err := DaySheet(&b, sheetDay, []fp.DayRow{row}, guangzhou, s, opt); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	for _, w := range []string{"Public hours: none (closed: Staff training)", "Station 1", "No appointments at station 1.",
		"Station 2", "09:00–09:15 FP-2026-00047 Trần Văn Đức 319(b) Cancelled", "No walk-ins when the sheet was printed.",
		"printed December 1, 2026 11:50 Asia/Shanghai · page 1 of 1"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
}

// TestDaySheetPages: a long day runs over pages; every page of a table
// repeats its header, continued pages say so, the footers count the pages.
func TestDaySheetPages(t *testing.T) {
	var rows []fp.DayRow
	for i := range 40 {
		st := 1 + i%2
		r := sheetRow(t, fmt.Sprintf("FP-2026-%05d", 100+i), fp.CategoryAdoption, "Łukasz Żółć", "1980-01-30",
			fp.TimeOfDay(8*60+30+15*(i/2)).String(), st, fp.ApptBooked)
		rows = append(rows, r)
	}
	pages := pdfPages(t, renderSheet(t, rows))
	if len(pages) < 2 {
		t.Fatalf("%d pages, want more than 1", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "Time Request Person Category Status Checked in Collected Initials") {
			t.Errorf("page %d has no table header:\n%s", i+1, p)
		}
		if !strings.Contains(p, fmt.Sprintf("page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d: footer wrong:\n%s", i+1, p)
		}
		if cont := strings.Contains(p, "Day sheet · Tuesday, December 1, 2026 · USCIS Guangzhou Field Office (continued)"); cont != (i > 0) {
			t.Errorf("page %d: continued header %v", i+1, cont)
		}
		if strings.HasSuffix(strings.TrimSpace(strings.Split(p, "Day sheet · Tuesday, December 1, 2026 · printed")[0]), "Station 2") {
			t.Errorf("page %d ends with a heading alone", i+1)
		}
	}
	all := strings.Join(pages, " ")
	for i := range 40 {
		if n := strings.Count(all, fmt.Sprintf("FP-2026-%05d", 100+i)); n != 1 {
			t.Errorf("FP-2026-%05d shown %d times", 100+i, n)
		}
	}
}

// TestDaySheetRefused: an incomplete office profile, or a row of another
// day, is refused with EINVALID and nothing is written.
func TestDaySheetRefused(t *testing.T) {
	other := sheetRows(t)
	other[3].Appointment.Day = sheetDay.AddDays(1)
	noName := guangzhou
	noName.Name = ""
	for _, tc := range []struct {
		name string
		rows []fp.DayRow
		o    fp.Office
		says string
	}{
		{"empty office", sheetRows(t), fp.Office{}, "lacks the office name"},
		{"no office name", nil, noName, "lacks the office name"},
		{"row of another day", other, guangzhou, "FP-2026-00046's appointment of 2026-12-02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := DaySheet(&b, sheetDay, tc.rows, tc.o, officeHours, sheetOptions)
			if fp.ErrorCode(err) != fp.EINVALID {
				t.Fatalf("got %v (code %q), want an %s error", err, fp.ErrorCode(err), fp.EINVALID)
			}
			if msg := fp.ErrorMessage(err); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written, want none", b.Len())
			}
		})
	}
}
