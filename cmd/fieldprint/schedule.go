package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
)

// slotFlags are the --person, --at and --station flags of book and reschedule.
type slotFlags struct {
	person, at *string
	station    *int
}

func addSlotFlags(fs *flag.FlagSet) slotFlags {
	return slotFlags{
		person:  fs.String("person", "", "whose appointment: a unique part of the name (may be left out when one person is fingerprinted)"),
		at:      fs.String("at", "", "the slot, \"YYYY-MM-DD HH:MM\" in the office's time"),
		station: fs.Int("station", 0, "the station (default: the first free one at that time)"),
	}
}

// booking turns the flags into a booking for r.
func (f slotFlags) booking(db *officeDB, r *fp.Request) (fp.Booking, fp.Person, error) {
	s, err := db.Scheduling()
	if err != nil {
		return fp.Booking{}, fp.Person{}, err
	}
	p, err := r.FindPerson(*f.person, s.Today(db.Now()))
	if err != nil {
		return fp.Booking{}, p, err
	}
	d, t, err := fp.ParseSlotTime(*f.at)
	if err != nil {
		return fp.Booking{}, p, err
	}
	b := fp.Booking{PersonID: p.ID, Day: d, Start: t, Station: *f.station}
	if b.Station == 0 {
		uses, err := db.DayUses(d)
		if err != nil {
			return b, p, err
		}
		var mine []fp.SlotUse // the person's own slot does not block a move
		for _, u := range uses {
			if u.Request != r.ID || u.PersonID != p.ID {
				mine = append(mine, u)
			}
		}
		free := s.FreeStations(mine, t)
		if len(free) == 0 {
			return b, p, fp.Errorf(fp.ECONFLICT, "every station is taken at %s %s: choose another time (fieldprint calendar --from %s --to %s --detail shows the day)", d, t, d, d)
		}
		b.Station = free[0]
	}
	return b, p, nil
}

func printSchedule(w io.Writer, r *fp.Request, on fp.Date) {
	fmt.Fprintf(w, "%s %s\n", r.Number, r.Status)
	for _, sp := range r.Schedule(on) {
		if sp.Booked {
			fmt.Fprintf(w, "  %-32s %s %s-%s station %d\n", sp.Person.FullName, sp.Appointment.Day, sp.Appointment.Start, sp.Appointment.End(), sp.Appointment.Station)
		} else {
			fmt.Fprintf(w, "  %-32s no appointment\n", sp.Person.FullName)
		}
	}
}

func cmdBook(e env, args []string) error {
	fs, dbFlag := newFlags(e, "book", "NUMBER --next-available | --person NAME --at \"YYYY-MM-DD HH:MM\" [--station N] [--override --reason TEXT] --user NAME")
	user := userFlag(fs)
	next := fs.Bool("next-available", false, "book everyone without an appointment at the earliest slots that fit them back to back")
	from := fs.String("from", "", "with --next-available: not before this day (YYYY-MM-DD), e.g. when the applicant is away until then")
	sf := addSlotFlags(fs)
	reason := fs.String("reason", "", "why (required with --override; it goes into the history)")
	override := fs.Bool("override", false, "director only: book a person again after a cancellation although they are past the reschedule limit")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *next == (*sf.at != "") {
		fmt.Fprintln(e.stderr, "book: give either --next-available or --at (with --person)")
		fs.Usage()
		return errUsage
	}
	var notBefore fp.Date
	if *from != "" {
		if notBefore, err = fp.ParseDate(*from); err != nil {
			return err
		}
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	var bs []fp.Booking
	if *next {
		if bs, err = db.ProposeSlots(r.ID, notBefore); err != nil {
			return err
		}
	} else {
		b, _, err := sf.booking(db, r)
		if err != nil {
			return err
		}
		bs = []fp.Booking{b}
	}
	if r, err = db.Book(a, r.ID, bs, *reason, *override); err != nil {
		return err
	}
	printSchedule(e.stdout, r, db.Today())
	return nil
}

func cmdReschedule(e env, args []string) error {
	fs, dbFlag := newFlags(e, "reschedule", "NUMBER [--person NAME] --at \"YYYY-MM-DD HH:MM\" [--station N] --reason TEXT [--override] --user NAME")
	user := userFlag(fs)
	sf := addSlotFlags(fs)
	reason := fs.String("reason", "", "why the appointment moves (required; it goes into the history)")
	override := fs.Bool("override", false, "director only: move it although it is within the cut-off or past the reschedule limit")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	b, p, err := sf.booking(db, r)
	if err != nil {
		return err
	}
	if r, err = db.Reschedule(a, r.ID, p.ID, b, *reason, *override); err != nil {
		return err
	}
	printSchedule(e.stdout, r, db.Today())
	return nil
}

func cmdCancel(e env, args []string) error {
	fs, dbFlag := newFlags(e, "cancel", "NUMBER [--person NAME] --reason TEXT [--override] --user NAME")
	user := userFlag(fs)
	person := fs.String("person", "", "whose appointment (may be left out when one person is fingerprinted)")
	reason := fs.String("reason", "", "why it is cancelled (required)")
	override := fs.Bool("override", false, "director only: cancel it although it is within the cut-off")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := r.FindPerson(*person, db.Today())
	if err != nil {
		return err
	}
	if r, err = db.CancelAppointment(a, r.ID, p.ID, *reason, *override); err != nil {
		return err
	}
	printSchedule(e.stdout, r, db.Today())
	return nil
}

// calendarDay is one day of "fieldprint calendar --format json".
type calendarDay struct {
	fp.DayLoad
	Free         int               `json:"free"`
	FreeForOther int               `json:"free_for_other"`
	Appointments []calendarBooking `json:"appointments,omitempty"`
}

type calendarBooking struct {
	fp.SlotUse
	Person string `json:"person_name"`
}

func cmdCalendar(e env, args []string) error {
	fs, dbFlag := newFlags(e, "calendar", "[--from D] [--to D] [--detail] [--format table|json]")
	from := fs.String("from", "", "first day (default today)")
	to := fs.String("to", "", "last day (default four weeks on)")
	detail := fs.Bool("detail", false, "list every appointment of each day")
	format := fs.String("format", "table", "table or json")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return fp.Errorf(fp.EINVALID, "--format %q: use table or json", *format)
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	first, last := db.Today(), db.Today().AddDays(27)
	if *from != "" {
		if first, err = fp.ParseDate(*from); err != nil {
			return err
		}
	}
	if *to != "" {
		if last, err = fp.ParseDate(*to); err != nil {
			return err
		}
	} else if *from != "" {
		last = first.AddDays(27)
	}
	loads, err := db.Loads(first, last)
	if err != nil {
		return err
	}
	days := make([]calendarDay, len(loads))
	names := map[fp.RequestID]*fp.Request{}
	for i, l := range loads {
		days[i] = calendarDay{DayLoad: l, Free: l.Free(), FreeForOther: l.FreeForOther()}
		if !*detail && *format == "table" {
			continue
		}
		uses, err := db.DayUses(l.Day)
		if err != nil {
			return err
		}
		for _, u := range uses {
			r, ok := names[u.Request]
			if !ok {
				if r, err = db.FindRequestByID(u.Request); err != nil {
					return err
				}
				names[u.Request] = r
			}
			p, _ := r.Person(u.PersonID)
			days[i].Appointments = append(days[i].Appointments, calendarBooking{u, p.FullName})
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(days)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\t\tPLACES\tBOOKED\tFREE\tFREE FOR ALL OTHERS\tNOTE")
	for _, d := range days {
		wd := d.Day.Time().Weekday().String()[:3]
		if !d.Open {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t%s\n", d.Day, wd, d.Note)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", d.Day, wd, d.Capacity, d.Booked, d.Free, d.FreeForOther)
		for _, b := range d.Appointments {
			fmt.Fprintf(tw, "\t%s\tstation %d\t%s\t%s\t%s\t%s\n", b.Start, b.Station, b.Number, b.Status, b.Category.Short(), b.Person)
		}
	}
	return tw.Flush()
}

// cmdOfficeExport writes the whole office profile as JSON.
func cmdOfficeExport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "office export", "[-o FILE] [--db PATH]")
	out := fs.String("o", "", "the JSON file to write (default: standard output)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Profile()
	if err != nil {
		return err
	}
	if err := writeOut(*out, e.stdout, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		fmt.Fprintf(e.stdout, "Wrote the office profile to %s\n", *out)
	}
	return nil
}

// cmdOfficeImport replaces the office profile with a file: all of it or nothing.
func cmdOfficeImport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "office import", "FILE --user ADMIN [--db PATH]")
	user := userFlag(fs)
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	b, err := fp.ReadInputFile(pos[0], 1<<20, "an office profile is a small JSON file; check that it is the right file")
	if err != nil {
		return err
	}
	p, err := fp.ParseProfile(b)
	if err != nil {
		return fp.Errorf(fp.EINVALID, "%s was not imported, nothing changed: %s", fp.DisplayName(pos[0]), fp.ErrorMessage(err))
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetProfile(a, p); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Office profile imported from %s: %s, %d %s, %d-minute slots\n", fp.DisplayName(pos[0]), p.Name, p.Stations, plural(p.Stations, "station", "stations"), p.SlotMinutes)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
