package letter

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// The day sheet is the counter's printed list of a collection day: every
// appointment per station in time order, then the walk-ins, with what
// happened so far (checked in, collected, missed) and a blank column for the
// clerk's initials. It is an internal sheet: staff user names appear on it.

// daySheetStatuses are the statuses the summary counts, in the order of the day.
var daySheetStatuses = []fp.ApptStatus{fp.ApptBooked, fp.ApptCheckedIn, fp.ApptCollected, fp.ApptMissed, fp.ApptCancelled, fp.ApptWalkIn}

// DaySheet writes the day sheet of day: the office name, the day, a count
// of the appointments per status and the public hours; then a table per
// station (1 to s.Stations, and any other station a row names) in time
// order with time, request number, person, category, status, check-in
// (time, ID seen, a note when the name does not match), collection (time,
// what was captured, the officer) and a blank column for initials; then the
// walk-ins (seen after the scheduled applicants) in order of arrival. Times
// are office times, in s's zone. The footer says when (office time) and by
// whom (opt.PrintedBy) the sheet was printed.
//
// It refuses, with an EINVALID error and without writing anything, an
// incomplete office profile and a row of another day.
func DaySheet(w io.Writer, day fp.Date, rows []fp.DayRow, o fp.Office, s fp.Scheduling, opt Options) error {
	if err := checkOffice(o); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Appointment.Day != day {
			return fp.Errorf(fp.EINVALID, "the day sheet of %s was given %s's appointment of %s: list the day's appointments again", day, r.Number, r.Appointment.Day)
		}
	}
	loc := s.Location()
	dayText := day.Time().Format("Monday, January 2, 2006")
	printed := "printed " + opt.Now.In(loc).Format("January 2, 2006 15:04") + " " + zoneName(s, opt.Now)
	if by := strings.TrimSpace(opt.PrintedBy); by != "" {
		printed += " by " + by
	}
	d := newDocOriented(opt, "Day sheet · "+dayText+" · "+printed, "L")
	d.SetTitle("Day sheet "+day.String(), true)
	d.SetSubject("Appointments of "+dayText+" at the "+strings.TrimSpace(o.Name), true)
	d.SetAuthor(strings.TrimSpace(o.Name), true)
	d.SetHeaderFunc(func() {
		if d.PageNo() == 1 {
			return
		}
		d.font("", 8)
		d.SetTextColor(110, 110, 110)
		d.SetY(margin - 22)
		d.CellFormat(d.width, 10, d.t("Day sheet · "+dayText+" · "+strings.TrimSpace(o.Name)+" (continued)"), "", 1, "L", false, 0, "")
		d.SetTextColor(0, 0, 0)
		d.SetY(margin)
	})
	d.AddPage()

	d.font("B", 11)
	d.SetTextColor(0, 45, 98)
	d.CellFormat(d.width, 15, d.t(strings.TrimSpace(o.Name)), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.font("B", 16)
	d.CellFormat(d.width, 22, d.t("Day sheet: "+dayText), "", 1, "L", false, 0, "")
	d.Ln(2)
	d.font("", 10)
	d.MultiCell(d.width, bodyLH, d.t(daySummary(rows)), "", "L", false)
	d.MultiCell(d.width, bodyLH, d.t(dayHours(day, s)), "", "L", false)
	d.Ln(2)

	if len(rows) == 0 {
		d.Ln(12)
		d.font("B", 11)
		d.CellFormat(d.width, 16, d.t("No appointments on this day."), "", 1, "L", false, 0, "")
		d.checkpoint(opt.Checkpoint)
		return d.finish(w)
	}

	var walkIns []fp.DayRow
	byStation := map[int][]fp.DayRow{}
	stations := s.Stations
	for _, r := range rows {
		if r.Appointment.WalkIn || r.Appointment.Station <= 0 {
			walkIns = append(walkIns, r)
			continue
		}
		byStation[r.Appointment.Station] = append(byStation[r.Appointment.Station], r)
		stations = max(stations, r.Appointment.Station)
	}
	byTime := func(a, b fp.DayRow) int {
		return cmp.Or(cmp.Compare(a.Appointment.Start, b.Appointment.Start), cmp.Compare(a.Number, b.Number),
			cmp.Compare(a.Appointment.ID, b.Appointment.ID))
	}
	widths := []float64{62, 74, 116, 52, 58, 134, 152, 0}
	widths[len(widths)-1] = d.width - 648 // the initials take what is left
	header := []string{"Time", "Request", "Person", "Category", "Status", "Checked in", "Collected", "Initials"}
	for st := 1; st <= stations; st++ {
		rs := byStation[st]
		slices.SortStableFunc(rs, byTime)
		d.daySection(fmt.Sprintf("Station %d", st), fmt.Sprintf("No appointments at station %d.", st), widths, header, daySheetRows(rs, loc, false))
	}
	slices.SortStableFunc(walkIns, func(a, b fp.DayRow) int {
		return cmp.Or(arrival(a).Compare(arrival(b)), byTime(a, b))
	})
	walkHeader := slices.Clone(header)
	walkHeader[0] = "Arrived"
	d.daySection("Walk-ins (seen after scheduled applicants)", "No walk-ins when the sheet was printed.", widths, walkHeader, daySheetRows(walkIns, loc, true))
	d.checkpoint(opt.Checkpoint)
	return d.finish(w)
}

// checkpoint prints the signed checkpoint of the audit trail (if any) in
// small type at the end.
func (d *doc) checkpoint(text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	d.keep(3 * bodyLH)
	d.Ln(8)
	d.font("", 7.5)
	d.SetTextColor(90, 90, 90)
	d.MultiCell(d.width, 9, d.t(text), "", "L", false)
	d.SetTextColor(0, 0, 0)
}

// daySection is a heading and its table, or the empty line when there are no
// rows; the heading stays with the table's header and first row.
func (d *doc) daySection(title, empty string, widths []float64, header []string, rows [][]string) {
	need := 8 + 16 + 4 + 16.0
	if len(rows) > 0 {
		need += d.tableHeight(widths, rows[:1]) - 16
	} else {
		need += bodyLH
	}
	d.keep(need)
	d.heading(title)
	if len(rows) == 0 {
		d.font("", 9.5)
		d.SetTextColor(90, 90, 90)
		d.CellFormat(d.width, bodyLH, d.t(empty), "", 1, "L", false, 0, "")
		d.SetTextColor(0, 0, 0)
		return
	}
	d.drawTable(widths, header, rows, true)
}

// daySheetRows are the table cells of rs: the slot, or for walk-ins the time
// of arrival, then what happened so far; the initials column stays blank.
func daySheetRows(rs []fp.DayRow, loc *time.Location, walkIn bool) [][]string {
	out := make([][]string, len(rs))
	for i, r := range rs {
		ap := r.Appointment
		when := ap.Start.String() + "–" + ap.End().String()
		if walkIn {
			when = arrival(r).In(loc).Format("15:04")
			if ap.CheckIn == nil {
				when = ap.Start.String()
			}
		}
		person := personName(r.Person)
		if !r.Person.DateOfBirth.IsZero() {
			person += "\nborn " + r.Person.DateOfBirth.String()
		}
		var checkIn []string
		if ci := ap.CheckIn; ci != nil {
			seen := ci.At.In(loc).Format("15:04") + " " + ci.ID.Label()
			if n := strings.TrimSpace(ci.IDNote); n != "" {
				seen += " (" + n + ")"
			}
			checkIn = append(checkIn, seen)
			switch n := strings.TrimSpace(ci.Note); {
			case !ci.NameMatches:
				checkIn = append(checkIn, "Name differs: "+n)
			case n != "":
				checkIn = append(checkIn, "Note: "+n)
			}
		}
		var collected []string
		if c := ap.Collection; c != nil {
			by := c.Officer
			if by == "" {
				by = c.By
			}
			first := c.At.In(loc).Format("15:04") + " by " + by
			if c.Code != 0 {
				first += fmt.Sprintf(" · code %d", c.Code)
			}
			collected = append(collected, first, fp.CapturesText(c.Captured))
		}
		out[i] = []string{when, r.Number, person, r.Category.Short(), ap.Status.Label(),
			strings.Join(checkIn, "\n"), strings.Join(collected, "\n"), ""}
	}
	return out
}

// arrival is when a walk-in checked in (the zero time if not recorded).
func arrival(r fp.DayRow) time.Time {
	if ci := r.Appointment.CheckIn; ci != nil {
		return ci.At
	}
	return time.Time{}
}

// daySummary counts the rows per status: "7 appointments, 2 of them
// walk-ins: Booked 1 · Checked in 1 · …", every status shown, even at 0.
func daySummary(rows []fp.DayRow) string {
	n := map[fp.ApptStatus]int{}
	walk := 0
	for _, r := range rows {
		n[r.Appointment.Status]++
		if r.Appointment.WalkIn || r.Appointment.Station <= 0 {
			walk++
		}
	}
	parts := make([]string, len(daySheetStatuses))
	for i, st := range daySheetStatuses {
		parts[i] = fmt.Sprintf("%s %d", st.Label(), n[st])
	}
	s := fmt.Sprintf("%d %s", len(rows), plural(len(rows), "appointment", "appointments"))
	if walk > 0 {
		s += fmt.Sprintf(" (%d %s)", walk, plural(walk, "walk-in", "walk-ins"))
	}
	return s + ": " + strings.Join(parts, " · ")
}

// dayHours is the day's public hours, stations and slot length, or why the
// office is closed.
func dayHours(day fp.Date, s fp.Scheduling) string {
	if open, why := s.OpenOn(day); !open {
		return "Public hours: none (" + why + ")"
	}
	ws := s.Hours[day.Time().Weekday()]
	hs := make([]string, len(ws))
	for i, w := range ws {
		hs[i] = w.Open.String() + "–" + w.Close.String()
	}
	return fmt.Sprintf("Public hours: %s (%s) · %d %s · %d-minute slots", strings.Join(hs, ", "), zoneName(s, s.At(day, 0)),
		s.Stations, plural(s.Stations, "station", "stations"), s.SlotMinutes)
}

// zoneName names the office's zone at t: its IANA name, or the
// abbreviation when the office has none set (this computer's zone).
func zoneName(s fp.Scheduling, t time.Time) string {
	if tz := strings.TrimSpace(s.TimeZone); tz != "" && s.Location().String() == tz {
		return tz
	}
	return t.In(s.Location()).Format("MST")
}
