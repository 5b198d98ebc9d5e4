package letter

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// officeHours is the office's scheduling in the appointment tests: Beijing
// time, two stations, 15-minute slots, USCIS's reschedule rules.
var officeHours = func() fp.Scheduling {
	s := fp.DefaultScheduling()
	s.TimeZone, s.Stations, s.SlotMinutes, s.Default = "Asia/Shanghai", 2, 15, false
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
		s.Hours[d] = []fp.Window{{Open: 8*60 + 30, Close: 11*60 + 30}}
	}
	return s
}()

// slot is one person's appointment in a fixture: day, start, station.
type slot struct {
	day     string
	start   string
	station int
}

type apptCase struct {
	in    fp.RequestInput
	slots []slot // in the order of Schedule: the applicant, then the adults
}

var apptCases = map[string]apptCase{
	"appointment-single": {
		in: fp.RequestInput{
			Received: "2026-11-10", Category: "military", Basis: "Spouse of an active-duty service member stationed in Guangzhou.",
			NoticeType: "receipt", ReceiptNumbers: "IOE0987654321", ANumber: "A-087-654-321",
			FullName: "Nguyễn Thị Minh Khai", DateOfBirth: "1985-04-12", Email: "khai@example.com",
		},
		slots: []slot{{"2026-12-01", "08:30", 1}},
	},
	// An adoptive household: the applicant and four adults are fingerprinted,
	// the child is not.
	"appointment-household": {
		in: fp.RequestInput{
			Received: "2026-11-02", Category: "adoption", Basis: "I-600A filed from Guangzhou.",
			NoticeType: "receipt", ReceiptNumbers: "IOE0912345678; NBC2612345678", ANumber: "A12345678",
			FullName: "Łukasz Żółć", DateOfBirth: "1980-01-30", Email: "lukasz.zolc@example.pl",
			Household: []fp.PersonInput{
				{FullName: "Zofia Żółć", DateOfBirth: "1982-03-15"},
				{FullName: "José Müller", DateOfBirth: "1955-07-04"},
				{FullName: "Nguyễn Thị Minh Khai", DateOfBirth: "1985-04-12"},
				{FullName: "Kasia Żółć", DateOfBirth: "2014-09-01"},
				{FullName: "Trần Văn Đức", DateOfBirth: "2001-12-24"},
			},
		},
		slots: []slot{{"2026-12-01", "08:30", 1}, {"2026-12-01", "08:30", 2}, {"2026-12-01", "08:45", 1},
			{"2026-12-01", "08:45", 2}, {"2026-12-01", "09:00", 1}},
	},
	"appointment-longname": {
		in: fp.RequestInput{
			Received: "2026-10-15", Category: "All others", Basis: "ASC appointment in Los Angeles; left the U.S. for a family emergency.",
			NoticeType: "appointment", ReceiptNumbers: "IOE0987654321", ANumber: "A12345678",
			FullName: longName, DateOfBirth: "1985-04-12", Email: "maria.cavalcanti@example.com.br",
			ASCDate: "2026-10-20", ASCPlace: "Los Angeles ASC", DepartureReason: "A family emergency in Guangzhou.",
			RescheduleAsked: "no", RescheduleNote: "Did not know a reschedule was possible.",
		},
		slots: []slot{{"2026-12-03", "10:15", 2}},
	},
}

// apptRequest is c's request, scheduled, every person booked as c says.
func apptRequest(t testing.TB, c apptCase) *fp.Request {
	t.Helper()
	r, _, err := c.in.Parse(fp.DateOf(printed))
	if err != nil {
		t.Fatal(err)
	}
	r.Number, r.Status = "FP-2026-00042", fp.StatusScheduled
	people := r.ToFingerprint(officeHours.Today(printed))
	if len(people) != len(c.slots) {
		t.Fatalf("%s: %d people to fingerprint, %d slots", r.Applicant.FullName, len(people), len(c.slots))
	}
	for i, p := range people {
		day, err := fp.ParseDate(c.slots[i].day)
		if err != nil {
			t.Fatal(err)
		}
		start, err := fp.ParseTimeOfDay(c.slots[i].start)
		if err != nil {
			t.Fatal(err)
		}
		r.Appointments = append(r.Appointments, fp.Appointment{ID: i + 1, PersonID: p.ID, Day: day, Start: start,
			Minutes: officeHours.SlotMinutes, Station: c.slots[i].station, Status: fp.ApptBooked,
			BookedAt: printed.Add(-3 * time.Hour), BookedBy: "mlopez"})
	}
	return r
}

var apptOptions = Options{Now: printed, PrintedBy: "mlopez", Deterministic: true}

func renderAppt(t testing.TB, r *fp.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Appointment(&b, r, guangzhou, officeHours, apptOptions); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAppointmentGolden compares with testdata/appointment-*.pdf; go test ./letter -update rewrites them.
func TestAppointmentGolden(t *testing.T) {
	for name, c := range apptCases {
		got := renderAppt(t, apptRequest(t, c))
		if again := renderAppt(t, apptRequest(t, c)); !bytes.Equal(got, again) {
			t.Fatalf("%s: two renderings differ: output is not deterministic", name)
		}
		golden(t, name, got)
	}
}

// TestAppointmentText reads the letters back with pdftotext, when it is
// installed: everything the applicant needs to come on the right day with
// the right papers, and no staff user name.
func TestAppointmentText(t *testing.T) {
	common := []string{
		"U.S. Department of Homeland Security · U.S. Citizenship and Immigration Services",
		"USCIS Guangzhou Field Office", "43 Hua Jiu Road, Zhujiang New Town", "Tianhe District, Guangzhou 510623", "China",
		"+86 20 3814 5000", "guangzhou.uscis@uscis.dhs.gov",
		"November 20, 2026", "Our reference: FP-2026-00042", "Biometrics appointment", "Request: FP-2026-00042",
		"local time in Asia/Shanghai (UTC+08:00).",
		"in person to the office, 43 Hua Jiu Road, Zhujiang New Town, Tianhe District, Guangzhou 510623, China, " +
			"and arrive 15 minutes early, so that",
		"What to bring", "This letter: show its barcode at check-in.",
		"Your USCIS notice (receipt notice I-797C, Request for Evidence I-797E or biometrics appointment notice). " +
			"The officer stamps it as proof of your biometrics: keep it safe.",
		"No valid government-issued ID? Bring as many of these as you have: birth certificate, school ID, expired IDs, " +
			"a copy or photo of an ID, an immigration document (best one with a photo).",
		"If you cannot come", "To reschedule, e-mail guangzhou.uscis@uscis.dhs.gov or call +86 20 3814 5000 before your appointment, " +
			"at least 12 hours before it, quoting our reference FP-2026-00042.",
		"An appointment can be rescheduled at most twice.", "If you miss your appointment, your case can be delayed or denied.",
		"Sincerely,", "Jane Doe", "Field Office Director", "OFFICE USE ONLY", "Checked in", "ID seen", "Officer", "Collection stamp",
	}
	for name, want := range map[string][]string{
		"appointment-single": {"Nguyễn Thị Minh Khai", "By e-mail: khai@example.com", "Dear Nguyễn Thị Minh Khai:",
			"Applicant: Nguyễn Thị Minh Khai", "A-number: A-087-654-321", "Receipt number: IOE0987654321",
			"Category: Military (naturalization)", "Your passport or another valid government-issued photo ID.",
			"will collect your biometrics (fingerprints, photo and signature) at the time below, local time", "Nguyễn Thị Minh Khai Tuesday, December 1, 2026 08:30–08:45 1",
			"FP-2026-00042 · appointment letter · page 1 of 1"},
		"appointment-household": {"Dear Łukasz Żółć:", "Applicant: Łukasz Żółć", "A-number: A-012-345-678",
			"Receipt numbers: IOE0912345678, NBC2612345678", "Category: " + fp.CategoryAdoption.Label(),
			"will collect the biometrics (fingerprints, photo and signature) of the 5 people below, each at the time shown",
			"Every person listed above brings their own passport or another valid government-issued photo ID.",
			"Łukasz Żółć (applicant) Tuesday, December 1, 2026 08:30–08:45 1",
			"Zofia Żółć Tuesday, December 1, 2026 08:30–08:45 2",
			"José Müller Tuesday, December 1, 2026 08:45–09:00 1",
			"Nguyễn Thị Minh Khai Tuesday, December 1, 2026 08:45–09:00 2",
			"Trần Văn Đức Tuesday, December 1, 2026 09:00–09:15 1", "Biometrics collected (of 5 people)"},
		"appointment-longname": {"Dear " + longName + ":", "Applicant: " + longName, "A-number: A-012-345-678",
			"Category: " + fp.CategoryOther.Label(), "Thursday, December 3, 2026 10:15–10:30 2"},
	} {
		t.Run(name, func(t *testing.T) {
			text := pdfText(t, renderAppt(t, apptRequest(t, apptCases[name])))
			for _, w := range append(common, want...) {
				if !strings.Contains(text, w) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
			for _, no := range []string{"mlopez", "Kasia", "→"} {
				if strings.Contains(text, no) {
					t.Errorf("letter shows %q, which it should not", no)
				}
			}
		})
	}
}

// pdfPages is the text of each page of pdf, its whitespace collapsed.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	for i, p := range pages {
		pages[i] = strings.Join(strings.Fields(p), " ")
	}
	return pages
}

// TestAppointmentPages: one applicant gets one page, however long the name;
// a household may need two, but the table, and the signature with the
// office-use box, each stay whole on one page.
func TestAppointmentPages(t *testing.T) {
	// A name of 150 characters wraps in the addressee, the Re: block, the
	// greeting and the table: its closing goes on a second page.
	for name, most := range map[string]int{"appointment-single": 1, "appointment-longname": 2, "appointment-household": 2} {
		pages := pdfPages(t, renderAppt(t, apptRequest(t, apptCases[name])))
		if len(pages) > most {
			t.Errorf("%s: %d pages, want at most %d", name, len(pages), most)
		}
		together := [][]string{
			{"Person Date Time Station", "Dear"},
			{"Sincerely,", "Jane Doe", "OFFICE USE ONLY", "Checked in", "Officer", "Collection stamp"},
		}
		if name == "appointment-household" {
			together[0] = append(together[0], "Trần Văn Đức Tuesday, December 1, 2026 09:00–09:15")
		}
		for _, parts := range together {
			found := false
			for _, p := range pages {
				n := 0
				for _, w := range parts {
					if strings.Contains(p, w) {
						n++
					}
				}
				if n == len(parts) {
					found = true
				} else if n > 0 {
					t.Errorf("%s: %q split across pages", name, parts)
				}
			}
			if !found {
				t.Errorf("%s: %q not found on one page", name, parts)
			}
		}
		if len(pages) > 1 && !strings.Contains(pages[0], "page 1, continued on the next page") ||
			!strings.Contains(pages[len(pages)-1], fmt.Sprintf("page %d of %d", len(pages), len(pages))) {
			t.Errorf("%s: page footers wrong:\n%s", name, strings.Join(pages, "\n---\n"))
		}
	}
}

// TestAppointmentRefused: a request without every appointment, or an office
// profile a letter cannot be signed from, is refused with EINVALID, and
// nothing is written, by one letter and by a batch.
func TestAppointmentRefused(t *testing.T) {
	ready := apptRequest(t, apptCases["appointment-single"])
	ready.Status = fp.StatusReadyToSchedule
	oneUnbooked := apptRequest(t, apptCases["appointment-household"])
	oneUnbooked.Appointments[2].Status = fp.ApptCancelled // José Müller's
	twoUnbooked := apptRequest(t, apptCases["appointment-household"])
	twoUnbooked.Appointments = twoUnbooked.Appointments[:3]
	noSignatory := guangzhou
	noSignatory.Signatory = " "
	for _, tc := range []struct {
		name string
		r    *fp.Request
		o    fp.Office
		says string // part of the message telling what to fix
	}{
		{"not scheduled", ready, guangzhou, "FP-2026-00042 is Ready to schedule, not scheduled: an appointment letter is printed once every person to fingerprint has an appointment"},
		{"one person unbooked", oneUnbooked, guangzhou, "FP-2026-00042: José Müller has no appointment: book one before printing"},
		{"two people unbooked", twoUnbooked, guangzhou, "Nguyễn Thị Minh Khai and Trần Văn Đức have no appointment"},
		{"no request", nil, guangzhou, "no request"},
		{"office without signatory", apptRequest(t, apptCases["appointment-single"]), noSignatory, "lacks the name of the person who signs letters"},
		{"empty office", apptRequest(t, apptCases["appointment-single"]), fp.Office{}, "lacks the office name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var one, batch bytes.Buffer
			err := Appointment(&one, tc.r, tc.o, officeHours, apptOptions)
			calls := 0
			berr := Appointments(&batch, []*fp.Request{apptRequest(t, apptCases["appointment-longname"]), tc.r}, tc.o, officeHours, apptOptions,
				func(int, int) { calls++ })
			for what, err := range map[string]error{"Appointment": err, "Appointments": berr} {
				if fp.ErrorCode(err) != fp.EINVALID {
					t.Fatalf("%s: got %v (code %q), want an %s error", what, err, fp.ErrorCode(err), fp.EINVALID)
				}
				if msg := fp.ErrorMessage(err); !strings.Contains(msg, tc.says) {
					t.Errorf("%s: message %q does not say %q", what, msg, tc.says)
				}
			}
			if one.Len() != 0 || batch.Len() != 0 || calls != 0 {
				t.Errorf("%d and %d bytes written, progress called %d times; want none", one.Len(), batch.Len(), calls)
			}
		})
	}
	var b bytes.Buffer
	if err := Appointments(&b, nil, guangzhou, officeHours, apptOptions, nil); fp.ErrorCode(err) != fp.EINVALID || b.Len() != 0 {
		t.Errorf("empty batch: got %v, %d bytes", err, b.Len())
	}
}

// batchRequests are the three fixtures with numbers of their own.
func batchRequests(t testing.TB) []*fp.Request {
	var rs []*fp.Request
	for i, name := range []string{"appointment-single", "appointment-household", "appointment-longname"} {
		r := apptRequest(t, apptCases[name])
		r.Number = fmt.Sprintf("FP-2026-%05d", 42+i)
		rs = append(rs, r)
	}
	return rs
}

var pageObj = regexp.MustCompile(`/Type /Page\b[^s]`)

// pageCount counts the pages of an uncompressed (deterministic) PDF, with
// pdfinfo when it is installed.
func pageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	n := len(pageObj.FindAll(pdf, -1))
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		path := filepath.Join(t.TempDir(), "b.pdf")
		os.WriteFile(path, pdf, 0o600)
		out, err := exec.Command("pdfinfo", path).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("pdfinfo gives no page count:\n%s", out)
		}
		if p, _ := strconv.Atoi(string(m[1])); p != n {
			t.Fatalf("pdfinfo counts %d pages, the page objects %d", p, n)
		}
	}
	return n
}

// TestAppointmentsBatch: three letters in one PDF, each on its own pages
// with its own numbering, the same bytes every time; progress after each.
func TestAppointmentsBatch(t *testing.T) {
	render := func() ([]byte, [][2]int) {
		var b bytes.Buffer
		var calls [][2]int
		if err := Appointments(&b, batchRequests(t), guangzhou, officeHours, apptOptions, func(done, total int) {
			calls = append(calls, [2]int{done, total})
		}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes(), calls
	}
	pdf, calls := render()
	if fmt.Sprint(calls) != "[[1 3] [2 3] [3 3]]" {
		t.Errorf("progress calls %v, want 1, 2, 3 of 3", calls)
	}
	for i := 0; i < 3; i++ {
		if again, _ := render(); !bytes.Equal(pdf, again) {
			t.Fatal("two renderings of the batch differ: output is not deterministic")
		}
	}
	want := 0
	for _, r := range batchRequests(t) {
		want += pageCount(t, renderAppt(t, r))
	}
	if got := pageCount(t, pdf); got != want || got < 3 {
		t.Errorf("batch has %d pages, want %d (the letters' own)", got, want)
	}
	pages := pdfPages(t, pdf)
	for i, r := range batchRequests(t) {
		found := false
		for _, p := range pages {
			if strings.Contains(p, fmt.Sprintf("Our reference: %s", r.Number)) {
				found = true
				if !strings.Contains(p, fmt.Sprintf("%s · appointment letter %d of 3 · page 1", r.Number, i+1)) {
					t.Errorf("the first page of %s has no footer of its own:\n%s", r.Number, p)
				}
			}
		}
		if !found {
			t.Errorf("no letter for %s", r.Number)
		}
	}
	first := func(number string) int {
		for i, p := range pages {
			if strings.Contains(p, "Our reference: "+number) {
				return i
			}
		}
		return -1
	}
	if a, b, c := first("FP-2026-00042"), first("FP-2026-00043"), first("FP-2026-00044"); !(a == 0 && a < b && b < c) ||
		!strings.Contains(pages[c], longName) {
		t.Errorf("letters out of order: first pages %d, %d, %d", a, b, c)
	}
}

// A batch of one letter reads as the letter alone: no "appointment letter
// 1 of 1" beside "page 1, continued on the next page".
func TestAppointmentsBatchOfOne(t *testing.T) {
	r := batchRequests(t)[0]
	var b bytes.Buffer
	if err := Appointments(&b, []*fp.Request{r}, guangzhou, officeHours, apptOptions, nil); err != nil {
		t.Fatal(err)
	}
	got, want := pdfText(t, b.Bytes()), pdfText(t, renderAppt(t, r))
	if got != want || strings.Contains(got, "letter 1 of 1") {
		t.Errorf("a batch of one letter:\n%s\nthe letter alone:\n%s", got, want)
	}
}

// mexico is an office whose letterhead is too short for the barcode beside
// it (one address line, no phone): the barcode goes beside the addressee.
var mexico = fp.Office{
	Name:      "USCIS Mexico City Field Office",
	Address:   "Paseo de la Reforma 305, Colonia Cuauhtémoc, 06500 Ciudad de México, Mexico",
	Email:     "mexicocity.uscis@uscis.dhs.gov",
	Signatory: "John Roe",
}

// TestAppointmentBarcodeBelow: with the barcode beside the addressee, the
// letter still holds everything on one page.
func TestAppointmentBarcodeBelow(t *testing.T) {
	d := newDoc(apptOptions, "")
	if !d.barcodeBesideLetterhead(guangzhou, 216) || d.barcodeBesideLetterhead(mexico, 216) {
		t.Fatal("the fixtures do not test both places of the barcode")
	}
	var b bytes.Buffer
	if err := Appointment(&b, apptRequest(t, apptCases["appointment-single"]), mexico, officeHours, apptOptions); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.Bytes())
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for _, w := range []string{"USCIS Mexico City Field Office", "Paseo de la Reforma 305, Colonia Cuauhtémoc",
		"November 20, 2026", "Our reference: FP-2026-00042", "FP-2026-00042", "Nguyễn Thị Minh Khai", "By e-mail: khai@example.com",
		"To reschedule, e-mail mexicocity.uscis@uscis.dhs.gov before your appointment", "OFFICE USE ONLY", "John Roe"} {
		if !strings.Contains(pages[0], w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
}

// TestAppointmentBarcode scans the barcode off the printed page, when
// pdftoppm and zbarimg (zbar-tools) are installed.
func TestAppointmentBarcode(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	cases := map[string]fp.Office{"beside-letterhead": guangzhou, "beside-addressee": mexico}
	for name := range apptCases {
		cases[name] = guangzhou
	}
	for name, o := range cases {
		c, ok := apptCases[name]
		if !ok {
			c = apptCases["appointment-single"]
		}
		var b bytes.Buffer
		if err := Appointment(&b, apptRequest(t, c), o, officeHours, apptOptions); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".pdf")
		os.WriteFile(path, b.Bytes(), 0o600)
		// 150 dpi: half as fine as an office printer.
		if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
		if len(pngs) != 1 {
			t.Fatalf("%s: pdftoppm wrote %v", name, pngs)
		}
		out, err := exec.Command("zbarimg", "--quiet", "--raw", pngs[0]).Output()
		if err != nil {
			t.Fatalf("%s: zbarimg finds no barcode: %v", name, err)
		}
		if got := strings.TrimSpace(string(out)); got != "FP-2026-00042" {
			t.Errorf("%s: barcode reads %q, want FP-2026-00042", name, got)
		}
	}
}

// TestForRequestAppointment: a scheduled request gets the appointment letter.
func TestForRequestAppointment(t *testing.T) {
	r := apptRequest(t, apptCases["appointment-household"])
	var b bytes.Buffer
	name, err := ForRequest(&b, r, fp.Office(guangzhou), officeHours, apptOptions)
	if err != nil || name != "appointment letter" {
		t.Fatalf("got %q, %v", name, err)
	}
	if !bytes.Equal(b.Bytes(), renderAppt(t, r)) {
		t.Error("ForRequest printed another letter than Appointment")
	}
}

func BenchmarkAppointmentLetter(b *testing.B) {
	r := apptRequest(b, apptCases["appointment-household"])
	opt := Options{Now: printed, PrintedBy: "mlopez"}
	b.ReportAllocs()
	for b.Loop() {
		if err := Appointment(io.Discard, r, guangzhou, officeHours, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppointmentBatch1000: a day's worth of letters and more, in one PDF.
func BenchmarkAppointmentBatch1000(b *testing.B) {
	names := []string{"appointment-single", "appointment-household", "appointment-longname"}
	rs := make([]*fp.Request, 1000)
	for i := range rs {
		rs[i] = apptRequest(b, apptCases[names[i%len(names)]])
		rs[i].Number = fmt.Sprintf("FP-2026-%05d", i+1)
	}
	opt := Options{Now: printed, PrintedBy: "mlopez"}
	b.ReportAllocs()
	for b.Loop() {
		if err := Appointments(io.Discard, rs, guangzhou, officeHours, opt, nil); err != nil {
			b.Fatal(err)
		}
	}
}
