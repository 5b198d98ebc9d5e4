package main

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

// dayFlag parses --date, defaulting to the office's today.
func dayFlag(db *officeDB, s string) (fp.Date, error) {
	if s == "" {
		sch, err := db.Scheduling()
		if err != nil {
			return fp.Date{}, err
		}
		return sch.Today(db.Now()), nil
	}
	return fp.ParseDate(s)
}

func cmdToday(e env, args []string) error {
	fs, dbFlag := newFlags(e, "today", "[--date D] [--format table|json]")
	date := fs.String("date", "", "the day (default: today at the office)")
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
	if _, err := db.CloseDaysAutomatically(); err != nil {
		return err
	}
	day, err := dayFlag(db, *date)
	if err != nil {
		return err
	}
	rows, err := db.Day(day)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []fp.DayRow{}
		}
		return enc.Encode(rows)
	}
	s, err := db.Scheduling()
	if err != nil {
		return err
	}
	var may []fp.DayRow
	if day == s.Today(db.Now()) {
		if may, err = db.MayWalkIn(day); err != nil {
			return err
		}
	}
	defer func() {
		for _, m := range may {
			fmt.Fprintf(e.stdout, "may walk in: %s %s (missed %s, until %s)\n", m.Number, m.Person.FullName, m.Appointment.Day, s.WalkInUntil(m.Appointment))
		}
	}()
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "No appointments on %s.\n", day)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSTATION\tREQUEST\tPERSON\tSTATUS\tCHECKED IN\tCOLLECTED")
	for _, r := range rows {
		ap := r.Appointment
		station := strconv.Itoa(ap.Station)
		if ap.WalkIn {
			station = "walk-in"
		}
		in, done := "", ""
		if c := ap.CheckIn; c != nil {
			in = c.At.In(s.Location()).Format("15:04") + " " + string(c.ID)
		}
		if c := ap.Collection; c != nil {
			done = c.At.In(s.Location()).Format("15:04") + " " + fp.CapturesText(c.Captured) + " by " + c.By
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ap.Start, station, r.Number, r.Person.FullName, ap.Status, in, done)
	}
	return tw.Flush()
}

// personFlag finds --person on r (the only person when left out).
func personFlag(db *officeDB, r *fp.Request, name string) (fp.Person, error) {
	return r.FindPerson(name, db.Today())
}

func cmdCheckIn(e env, args []string) error {
	fs, dbFlag := newFlags(e, "checkin", "CODE|NUMBER [--person NAME] --id KIND [--id-note TEXT] [--name-mismatch NOTE] [--override --reason TEXT] --user NAME")
	user := userFlag(fs)
	person := fs.String("person", "", "who arrived (may be left out when one person is fingerprinted)")
	idKind := fs.String("id", "", "the ID shown: passport, government-id, birth-certificate, school-id, expired-id, id-copy, immigration-document")
	idNote := fs.String("id-note", "", "the ID's number or a description")
	mismatch := fs.String("name-mismatch", "", "the name on the ID differs from the request: say what differs and why the identity is accepted")
	override := fs.Bool("override", false, "director only: see a walk-in outside public hours")
	reason := fs.String("reason", "", "with --override: why (it goes into the history)")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	kind, err := fp.ParseIDKind(*idKind)
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0]) // the letter's barcode holds the request number
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := personFlag(db, r, *person)
	if err != nil {
		return err
	}
	r, err = db.CheckInPerson(a, r.ID, fp.CheckInInput{PersonID: p.ID, ID: kind, IDNote: *idNote, NameMatches: *mismatch == "", Note: *mismatch,
		Override: *override, Reason: *reason})
	if err != nil {
		return err
	}
	ap, _ := r.CurrentAppointment(p.ID)
	what := "checked in"
	if ap.WalkIn {
		what = "checked in as a walk-in (seen after the scheduled applicants)"
	}
	fmt.Fprintf(e.stdout, "%s %s: %s\n", r.Number, p.FullName, what)
	return nil
}

func cmdCollect(e env, args []string) error {
	fs, dbFlag := newFlags(e, "collect", "NUMBER [--person NAME] --captured fingerprints,photo,signature [--code 1|2|3] --user NAME")
	user := userFlag(fs)
	person := fs.String("person", "", "whose biometrics (may be left out when one person is fingerprinted)")
	captured := fs.String("captured", "", "what was captured: fingerprints, photo, signature (comma-separated)")
	code := fs.Int("code", 0, "the biometric code on the notice (1, 2 or 3), to check nothing was forgotten")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	caps, err := fp.ParseCaptures(*captured)
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := personFlag(db, r, *person)
	if err != nil {
		return err
	}
	if r, err = db.Collect(a, r.ID, fp.CollectInput{PersonID: p.ID, Captured: caps, Code: *code}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s: %s collected; the request is %s\n", r.Number, p.FullName, fp.CapturesText(caps), r.Status)
	return nil
}

func cmdStamp(e env, args []string) error {
	var person *string
	return pdfCommand(e, "stamp", "NUMBER [--person NAME] -o FILE.pdf --user NAME", args,
		func(fs *flag.FlagSet) {
			person = fs.String("person", "", "whose stamped notice (may be left out when one person is fingerprinted)")
		},
		func(ps pdfSession) error { return stamp(e, ps, *person) })
}

func stamp(e env, ps pdfSession, person string) error {
	db, a, r, out := ps.db, ps.a, ps.r, &ps.out
	p, err := personFlag(db, r, person)
	if err != nil {
		return err
	}
	return printTo(e, db, a, *out, workflow.Document{Kind: workflow.StampNotice, Request: r.ID, Person: p.ID})
}

func cmdVerify(e env, args []string) error {
	fs, dbFlag := newFlags(e, "verify", "CODE|QR-TEXT [--public-key FILE] [--format text|json]")
	keyFile := fs.String("public-key", "", "check a scanned QR text against this office public key (PEM) instead of a database")
	format := fs.String("format", "text", "text or json")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	var c fp.StampCheck
	if *keyFile != "" {
		pub, err := readPublicKey(*keyFile)
		if err != nil {
			return err
		}
		f, sig, err := fp.ParseQRText(pos[0])
		if err != nil {
			return err
		}
		c = fp.StampCheck{Facts: f, Code: fp.ShortCode(sig)}
		if err := fp.VerifySignature(pub, f, sig); err != nil {
			c.Problem = fp.ErrorMessage(err)
		} else {
			c.Genuine = true
		}
	} else {
		db, err := open(e, *dbFlag)
		if err != nil {
			return err
		}
		defer db.Close()
		if c, err = db.VerifyStamp(pos[0]); err != nil {
			return err
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			return err
		}
	} else if c.Genuine {
		fmt.Fprintf(e.stdout, "GENUINE: stamped notice %s certifies that %s.\n", c.Code, c.Facts.Describe())
		if c.Recorded {
			fmt.Fprintf(e.stdout, "Recorded in this office's database; %d %s printed.\n", c.Copies, plural(c.Copies, "copy", "copies"))
		}
	}
	if !c.Genuine {
		return fp.Errorf(fp.EINVALID, "%s", c.Problem)
	}
	return nil
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := fp.ReadInputFile(path, 64<<10, "a public key is a few lines of text; export it again with fieldprint stamp-key")
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fp.Errorf(fp.EINVALID, "%s is not a PEM public key: export it with fieldprint stamp-key", path)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	pub, ok := k.(ed25519.PublicKey)
	if err != nil || !ok {
		return nil, fp.Errorf(fp.EINVALID, "%s is not an Ed25519 public key: export it with fieldprint stamp-key", path)
	}
	return pub, nil
}

func cmdStampKey(e env, args []string) error {
	fs, dbFlag := newFlags(e, "stamp-key", "[-o FILE]")
	out := fs.String("o", "", "write the PEM public key to FILE (default: standard output)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	pub, err := db.StampPublicKey()
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fp.Internal("cannot encode the public key", err)
	}
	return writeOut(*out, e.stdout, func(w io.Writer) error {
		fmt.Fprintf(w, "# Fieldprint stamped-notice key %s\n", fp.KeyID(pub))
		return pem.Encode(w, &pem.Block{Type: "PUBLIC KEY", Bytes: der})
	})
}

func cmdCloseDay(e env, args []string) error {
	fs, dbFlag := newFlags(e, "close-day", "[--date D] --user NAME")
	user := userFlag(fs)
	date := fs.String("date", "", "the day to close (default: today, once the public hours are over)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	day, err := dayFlag(db, *date)
	if err != nil {
		return err
	}
	n, err := db.CloseDay(a, day)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(e.stdout, "%s closed: nothing unresolved.\n", day)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s closed: %d %s marked missed; the %s may walk in within the walk-in window.\n", day, n, plural(n, "appointment", "appointments"), plural(n, "person", "people"))
	return nil
}

// expiring lists adoption households whose fingerprints lapse soon (list --expiring).
func printExpiring(e env, db *officeDB, days int) error {
	es, err := db.ExpiringFingerprints(days)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tAPPLICANT\tPEOPLE\tFINGERPRINTS EXPIRE")
	for _, x := range es {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", x.Summary.Number, x.Summary.FullName, x.Summary.People, x.Expires)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d adoption %s with fingerprints expiring within %d days\n", len(es), plural(len(es), "household", "households"), days)
	return nil
}
