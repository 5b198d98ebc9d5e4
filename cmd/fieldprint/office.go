package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/ui/letter"
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

// cmdLetter: the letter to the applicant that the request's status calls for.
func cmdLetter(e env, args []string) error {
	return documentCommand(e, "letter", args, func(db *store.DB, r *fp.Request, w io.Writer, opt letter.Options) (string, error) {
		o, err := db.Office()
		if err != nil {
			return "", err
		}
		return letter.ForRequest(w, r, o, opt)
	})
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
	n, err := db.RecordPrint(a, r.ID, name, store.SHA256(buf.Bytes()))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %s for %s (copy %d)\n", path, name, r.Number, n)
	return nil
}
