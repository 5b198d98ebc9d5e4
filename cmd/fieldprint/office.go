package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
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
	db, err := open(e, *dbFlag)
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
			return printTo(e, ps.db, ps.a, ps.out, workflow.Document{Kind: workflow.StatusLetter, Request: ps.r.ID, Reason: *reason})
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
	return printTo(e, db, a, *outPath, workflow.Document{Kind: workflow.Appointments, Requests: rs, Batch: true})
}

// printTo prints d through the workflow (rendered, hashed and recorded in
// one step, as the window does) and writes it whole to path.
func printTo(e env, db *officeDB, a fp.Actor, path string, d workflow.Document) error {
	p, err := workflow.Print(db, a, d, db.Now())
	if err != nil {
		return err
	}
	if err := writeOut(path, e.stdout, func(w io.Writer) error { _, err := w.Write(p.Bytes); return err }); err != nil {
		return fp.Errorf(fp.ErrorCode(err), "%s (the printing is recorded: print it again)", fp.ErrorMessage(err))
	}
	switch {
	case d.Kind == workflow.Appointments && len(d.Requests) > 1:
		fmt.Fprintf(e.stdout, "Wrote %s: %d appointment letters (%s to %s)\n", path, len(d.Requests), d.Requests[0].Number, d.Requests[len(d.Requests)-1].Number)
	case p.Stamp != nil:
		fmt.Fprintf(e.stdout, "Wrote %s: stamped notice %s for %s (copy %d)\n", path, p.Stamp.Code, p.Stamp.Facts.Person, p.Copy)
	default:
		number := ""
		if r, err := db.FindRequestByID(d.Request); err == nil {
			number = r.Number
		} else if len(d.Requests) == 1 {
			number = d.Requests[0].Number
		}
		fmt.Fprintf(e.stdout, "Wrote %s: %s for %s (copy %d)\n", path, p.Name, number, p.Copy)
	}
	return nil
}
