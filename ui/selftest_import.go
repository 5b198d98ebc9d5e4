package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// selfTestTracker is an office's Excel tracker as the self-test imports it:
// semicolons, "SURNAME, Given" names, day-first dates none of which tells
// the order (days and months up to 12, relative to today so they stay
// true), the office's own words for categories and statuses, a past
// collection and an appointment still to come at slot (found free in the
// calendar).
func selfTestTracker(today fp.Date, slot fp.Booking) string {
	// d is a day about months ago: the 3rd to the 9th of that month.
	d := func(months int) string {
		x := fp.DateOf(time.Date(today.Y, today.M-time.Month(months), 1, 0, 0, 0, 0, time.UTC)).AddDays(2 + months)
		if int(x.M) == x.D {
			x = x.AddDays(1)
		}
		return fmt.Sprintf("%02d/%02d/%04d", x.D, x.M, x.Y)
	}
	rows := []string{
		"Name;A#;Receipt;Category;Date rec'd;Status;Appt date;Notes;Email/Phone",
		"MÜLLER, José;A91234567;IOE-09-923-45678;Military;" + d(3) + ";Done;" + d(2) + ";Stamped notice handed over;jose.muller@example.com",
		fmt.Sprintf("NGUYỄN, Thị Hoa;;EAC2199312345;INA 319(b);%s;Scheduled;%02d/%02d/%04d %s;Prefers mornings;+84 24 3850 5000",
			d(2), slot.Day.D, slot.Day.M, slot.Day.Y, slot.Start),
		"ŻÓŁĆ, Anna;A92345678;NBC2199312345;Adoption (I-600A);" + d(1) + ";Pending docs;;Passport of the spouse missing;anna@example.pl / +48 22 123 4567",
		"GARCÍA, Lucía;A93456789;;All others;" + d(1) + ";With director;;ASC appointment in Houston missed;lucia@example.com",
		"KIM, Ji-woo;A94567890;IOE0999345679;Military;" + d(1) + ";New;;;",
	}
	return strings.Join(rows, "\r\n") + "\r\n"
}

// stImport imports a tracker through the import screen: its three steps
// captured (the date order chosen on the way), then the result.
func (u *UI) stImport(st *SelfTest, a fp.Actor) error {
	var slot fp.Booking
	found := false
	if err := u.stDo(st, a.Name+": a free slot for the tracker's appointment", func() {
		s, err := u.db.Scheduling()
		if err != nil {
			return
		}
		for day := u.today().AddDays(21); day.Before(u.today().AddDays(120)) && !found; day = day.AddDays(1) {
			if day.D > 12 || day.D == int(day.M) {
				continue // a day that tells the date order would answer the question asked
			}
			uses, err := u.db.DayUses(day)
			if err != nil {
				return
			}
			for _, ss := range s.Sessions(day) {
				for i := len(ss.Starts) - 1; i >= 0 && !found; i-- {
					if st := s.FreeStations(uses, ss.Starts[i]); len(st) > 0 {
						slot, found = fp.Booking{Day: day, Start: ss.Starts[i], Station: st[0]}, true
					}
				}
			}
		}
	}); err != nil {
		return err
	}
	if !found {
		st.fail(a.Name + ": no free slot in the calendar for the tracker's appointment")
		return nil
	}
	if err := u.stDo(st, a.Name+": opening the import of a tracker", func() {
		u.importCSV("office-tracker.csv", []byte(selfTestTracker(u.today(), slot)))
	}); err != nil {
		return err
	}
	for i, name := range []string{"import-columns", "import-values"} {
		if err := u.stDo(st, a.Name+": "+name, func() { u.importer.tabs.SelectIndex(i) }); err != nil {
			return err
		}
		if err := u.stCheck(st, name, a.Name+": the import's "+name, 0); err != nil {
			return err
		}
	}
	if err := u.stDo(st, a.Name+": the import's date order", func() {
		if o, ok := stFind[*widget.RadioGroup](u.importer.values); ok && o.Selected == "" {
			o.SetSelected(fp.DayFirst.Label())
		}
		u.importer.tabs.SelectIndex(2)
	}); err != nil {
		return err
	}
	if err := u.stCheck(st, "import-preview", a.Name+": the import's preview", 0); err != nil {
		return err
	}
	if err := u.stPress(st, "Import 5 requests", func() *widget.Button { return u.importer.importBtn }); err != nil {
		return err
	}
	// The import runs behind a progress bar: wait for the result.
	for t := time.Now(); time.Since(t) < 20*time.Second; time.Sleep(100 * time.Millisecond) {
		done := false
		_ = u.stDo(st, a.Name+": importing", func() {
			done = u.win.Canvas().Overlays().Top() == nil && stButton(u.win.Content(), "Show the incomplete in the queue") != nil
		})
		if done {
			return u.stCheck(st, "import-result", a.Name+": the import's result", 0)
		}
	}
	st.fail(a.Name + ": the import showed no result within 20 s")
	return nil
}

// stFind is the first visible T below o.
func stFind[T any](o fyne.CanvasObject) (T, bool) {
	var out T
	var ok bool
	stWalk(o, func(x fyne.CanvasObject) bool {
		if v, is := x.(T); is {
			out, ok = v, true
			return true
		}
		return false
	})
	return out, ok
}
