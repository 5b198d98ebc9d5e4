package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
	"github.com/fieldprint/fieldprint/store"
)

// cmdOffice: fieldprint office show | set --name ... (administrators).
func cmdOffice(e env, args []string) error {
	if len(args) > 0 && args[0] == "export" {
		return cmdOfficeExport(e, args[1:])
	}
	if len(args) > 0 && args[0] == "import" {
		return cmdOfficeImport(e, args[1:])
	}
	if len(args) == 0 || (args[0] != "show" && args[0] != "set") {
		fmt.Fprintln(e.stderr, "Usage: fieldprint office show | set [--name N] [--address A] [--phone P] [--email E] [--signatory S] [--title T] --user ADMIN | export [-o FILE] | import FILE --user ADMIN")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, dbFlag := newFlags(e, "office "+sub, "")
	user := userFlag(fs)
	name := fs.String("name", "", "office name, e.g. \"USCIS Guangzhou Field Office\"")
	address := fs.String("address", "", "address; separate lines with \\n or |")
	phone := fs.String("phone", "", "public phone")
	email := fs.String("email", "", "public e-mail")
	signatory := fs.String("signatory", "", "who signs letters")
	title := fs.String("title", "", "the signatory's title")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(*dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.Office()
	if err != nil && fp.ErrorCode(err) != fp.ENOTFOUND {
		return err
	}
	if sub == "show" {
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "name:      %s\naddress:   %s\nphone:     %s\nemail:     %s\nsignatory: %s, %s\n",
			o.Name, strings.ReplaceAll(o.Address, "\n", " / "), o.Phone, o.Email, o.Signatory, o.SignatoryTitle)
		return nil
	}
	// set: only the flags given change.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			o.Name = *name
		case "address":
			o.Address = strings.NewReplacer(`\n`, "\n", "|", "\n").Replace(*address)
		case "phone":
			o.Phone = *phone
		case "email":
			o.Email = *email
		case "signatory":
			o.Signatory = *signatory
		case "title":
			o.SignatoryTitle = *title
		}
	})
	a, err := signIn(e, db, *user)
	if err != nil {
		return err
	}
	if err := db.SetOffice(a, o); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Office profile saved")
	return nil
}

// cmdLetter: the letter to the applicant that the request's status calls
// for. A scheduled request's appointment letter counts its copies per
// appointment, so printing it again needs --reason.
func cmdLetter(e env, args []string) error {
	var reason *string
	return pdfCommand(e, "letter", "NUMBER -o FILE.pdf [--reason TEXT] --user NAME [--db PATH]", args,
		func(fs *flag.FlagSet) { reason = fs.String("reason", "", "why an appointment letter is printed again") },
		func(ps pdfSession) error {
			db, a, r := ps.db, ps.a, ps.r
			if r.Status == fp.StatusScheduled {
				return printAppointmentLetters(e, db, a, []*fp.Request{r}, ps.out, *reason, false)
			}
			return printDocument(e, db, a, r, ps.out, func(w io.Writer) (string, error) {
				o, err := db.Office()
				if err != nil {
					return "", err
				}
				s, err := db.Scheduling()
				if err != nil {
					return "", err
				}
				return letter.ForRequest(w, r, o, s, printOptions(db, a))
			})
		})
}

// cmdLetters: a day's appointment letters, or every one not printed yet, as one PDF.
func cmdLetters(e env, args []string) error {
	fs, dbFlag := newFlags(e, "letters", "--date YYYY-MM-DD | --unprinted -o FILE.pdf --user NAME [--db PATH]")
	outPath := fs.String("o", "", "the PDF file to write")
	date := fs.String("date", "", "every letter for appointments on this day")
	unprinted := fs.Bool("unprinted", false, "every scheduled request whose letter is not printed yet")
	user := userFlag(fs)
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *outPath == "" || (*date == "") == !*unprinted {
		fs.Usage()
		return errUsage
	}
	var day fp.Date
	if *date != "" {
		d, err := fp.ParseDate(*date)
		if err != nil {
			return err
		}
		day = d
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := fp.CheckPrint(a); err != nil { // before anything is written
		return err
	}
	rs, err := db.LetterRequests(day, *unprinted)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fp.Errorf(fp.ENOTFOUND, "there are no appointment letters to print: nobody is booked that day, or every letter is printed")
	}
	return printAppointmentLetters(e, db, a, rs, *outPath, "", true)
}

// printAppointmentLetters renders rs as one PDF, writes it whole, and audits
// one printing per request.
func printAppointmentLetters(e env, db *store.DB, a fp.Actor, rs []*fp.Request, path, reason string, batch bool) error {
	today := db.Today()
	for _, r := range rs {
		if _, err := fp.CheckLetter(r, today, reason, batch); err != nil {
			return err
		}
	}
	o, err := db.Office()
	if err != nil {
		return err
	}
	s, err := db.Scheduling()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := letter.Appointments(&buf, rs, o, s, printOptions(db, a), nil); err != nil {
		return err
	}
	if err := writeOut(path, e.stdout, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	ids := make([]fp.RequestID, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	copies, err := db.RecordLetters(a, ids, fp.Fingerprint(buf.Bytes()), reason, batch)
	if err != nil {
		return err
	}
	if len(rs) == 1 {
		fmt.Fprintf(e.stdout, "Wrote %s: appointment letter for %s (copy %d)\n", path, rs[0].Number, copies[rs[0].ID])
		return nil
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %d appointment letters (%s to %s)\n", path, len(rs), rs[0].Number, rs[len(rs)-1].Number)
	return nil
}

// printDocument renders, writes whole, and audits one document of r.
func printDocument(e env, db *store.DB, a fp.Actor, r *fp.Request, path string, render func(io.Writer) (string, error)) error {
	var buf bytes.Buffer
	name, err := render(&buf)
	if err != nil {
		return err
	}
	if err := writeOut(path, e.stdout, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	n, err := db.RecordPrint(a, r.ID, name, fp.Fingerprint(buf.Bytes()))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %s for %s (copy %d)\n", path, name, r.Number, n)
	return nil
}
