package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/workflow"
)

// open opens the office's database. Once the office's data is encrypted,
// reading it needs someone signed in: the account in $FIELDPRINT_USER is
// signed in here (a command's --user signs in later, once).
func open(e env, path string) (*officeDB, error) {
	db, err := openOffice(e, path) // connect.go: this desk's file or the office server
	if err != nil {
		return nil, err
	}
	if name := os.Getenv("FIELDPRINT_USER"); name != "" {
		if set, err := db.KeysSetUp(); err == nil && set {
			if _, err := signIn(e, db, name); err != nil {
				db.Close()
				if fp.ErrorCode(err) == fp.EINTERNAL { // say which file could not be read
					return nil, fp.Errorf(fp.EINTERNAL, "%s cannot be read (%s): run fieldprint check, restore the newest backup, or ask your IT contact", db.Where(), fp.ErrorMessage(err))
				}
				return nil, err
			}
		}
	}
	return db, nil
}

// demoProgress: a large demo office reports every so many requests.
const demoProgress = 10000

func cmdDemo(e env, args []string) error {
	fs, dbFlag := newFlags(e, "demo", "[--requests N] [--db PATH]")
	n := fs.Int("requests", 60, "how many requests to create")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	stop, err := startCPUProfile()
	if err != nil {
		return err
	}
	defer stop()
	var progress func(done, total int)
	if *n >= 10*demoProgress { // a large office takes minutes: say how far it is
		progress = func(done, total int) {
			if done%demoProgress == 0 || done == total {
				fmt.Fprintf(e.stderr, "fieldprint demo: %d of %d requests\n", done, total)
			}
		}
	}
	made, err := demo.Fill(db, *n, db.Today(), progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Created %d demo requests (%s to %s) in %s\n", made.Requests, made.First, made.Last, db.Path())
	fmt.Fprintf(e.stdout, "Demo accounts (password %q):\n", demo.Password)
	for _, a := range demo.Accounts {
		fmt.Fprintf(e.stdout, "  %-9s %s\n", a.Name, a.Role)
	}
	return nil
}

// errText strips the path from an OS error (the user typed the path already).
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func parseFilter(status, category string) (fp.RequestFilter, error) {
	var f fp.RequestFilter
	for _, s := range fp.SplitList(status) {
		st, err := fp.ParseStatus(s)
		if err != nil {
			return f, err
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, s := range fp.SplitList(category) {
		c, err := fp.ParseCategory(s)
		if err != nil {
			return f, err
		}
		f.Categories = append(f.Categories, c)
	}
	return f, nil
}

func cmdList(e env, args []string) error {
	fs, dbFlag := newFlags(e, "list", "[--status S] [--category C] [--search Q] [--incomplete] [--format table|csv|json] [--db PATH]")
	status := fs.String("status", "", "only these statuses (comma-separated), e.g. new,awaiting-documents")
	category := fs.String("category", "", "only these categories (comma-separated): military, 319b, adoption, other")
	search := fs.String("search", "", "name (accents and case ignored, partial), receipt number or A-number")
	format := fs.String("format", "table", "table, csv or json")
	newest := fs.Bool("newest", false, "newest first (default oldest first)")
	incomplete := fs.Bool("incomplete", false, "only requests an import left incomplete (fields to fill before deciding or booking)")
	expiring := fs.Int("expiring", 0, "instead: adoption households whose fingerprints (valid 15 months) expire within this many days, e.g. 60")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *expiring > 0 {
		db, err := open(e, *dbFlag)
		if err != nil {
			return err
		}
		defer db.Close()
		return printExpiring(e, db, *expiring)
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		fmt.Fprintf(e.stderr, "fieldprint list: --format must be table, csv or json, not %q\n", *format)
		return errUsage
	}
	f, err := parseFilter(*status, *category)
	if err != nil {
		return err
	}
	f.Search, f.Newest, f.Incomplete = *search, *newest, *incomplete
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, _, err := db.FindRequests(f)
	if err != nil {
		return err
	}
	today := db.Today()
	switch *format {
	case "json":
		type row struct {
			fp.RequestSummary
			AgeDays int `json:"age_days"`
		}
		out := make([]row, len(rows))
		for i, r := range rows {
			out[i] = row{r, r.Received.DaysUntil(today)}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "csv":
		w := csv.NewWriter(e.stdout)
		w.Write([]string{"number", "status", "category", "received", "age_days", "people", "full_name", "a_number", "receipt_number"})
		for _, r := range rows {
			// A name may start with - or ': no cell may be a formula to a spreadsheet.
			w.Write(fp.EscapeCSVCells([]string{r.Number, string(r.Status), string(r.Category), r.Received.String(),
				strconv.Itoa(r.Received.DaysUntil(today)), strconv.Itoa(r.People), r.FullName, string(r.ANumber), r.Receipt}))
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tCATEGORY\tRECEIVED\tAGE\tPEOPLE\tAPPLICANT\tA-NUMBER\tRECEIPT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dd\t%d\t%s\t%s\t%s\n", r.Number, r.Status, r.Category, r.Received,
			r.Received.DaysUntil(today), r.People, r.FullName, r.ANumber.Display(), r.Receipt)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d request(s)\n", len(rows))
	return nil
}

func cmdExport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "export", "[--format csv|json] [--encrypt] [-o FILE] [--db PATH]")
	format := fs.String("format", "json", "json or csv")
	outPath := fs.String("o", "", "write to FILE instead of standard output")
	encrypt := fs.Bool("encrypt", false, "seal the export with a passphrase (from $FIELDPRINT_EXPORT_PASSPHRASE, or asked twice): fieldprint decrypt and import open it")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(e.stderr, "fieldprint export: --format must be csv or json, not %q\n", *format)
		return errUsage
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.LoadRequests(fp.RequestFilter{})
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		if *format == "csv" {
			return fp.WriteCSV(w, rs)
		}
		return fp.WriteExportJSON(w, rs)
	}
	if *encrypt {
		pass, err := newPassphrase(e)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		sealed, err := workflow.SealExport(buf.Bytes(), pass)
		if err != nil {
			return err
		}
		return writeOut(*outPath, e.stdout, func(w io.Writer) error { _, err := w.Write(sealed); return err })
	}
	return writeOut(*outPath, e.stdout, write)
}

// newPassphrase is the passphrase to seal an export with:
// $FIELDPRINT_EXPORT_PASSPHRASE, or typed twice.
func newPassphrase(e env) (string, error) {
	if p, ok := os.LookupEnv("FIELDPRINT_EXPORT_PASSPHRASE"); ok {
		return p, nil
	}
	p, err := readSecret(e, "Passphrase for the export: ")
	if err != nil {
		return "", fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
	}
	again, err := readSecret(e, "The same passphrase again: ")
	if err != nil {
		return "", fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
	}
	if p != again {
		return "", fp.Errorf(fp.EINVALID, "the two passphrases differ: nothing was exported")
	}
	return p, nil
}

// passphraseFor opens data when it is a sealed export (the passphrase from
// $FIELDPRINT_EXPORT_PASSPHRASE, or asked); other data is returned as it is.
func passphraseFor(e env, name string, data []byte) ([]byte, error) {
	if !workflow.IsSealedExport(data) {
		return data, nil
	}
	p, ok := os.LookupEnv("FIELDPRINT_EXPORT_PASSPHRASE")
	if !ok {
		var err error
		if p, err = readSecret(e, "Passphrase for "+filepath.Base(name)+": "); err != nil {
			return nil, fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
		}
	}
	return workflow.OpenExport(data, p)
}

func cmdDecrypt(e env, args []string) error {
	fs, _ := newFlags(e, "decrypt", "FILE [-o OUT]")
	outPath := fs.String("o", "", "write to OUT instead of standard output")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	data, err := fp.ReadInputFile(pos[0], 1<<30, "an export is far smaller; check that it is the right file")
	if err != nil {
		return err
	}
	if !workflow.IsSealedExport(data) {
		return fp.Errorf(fp.EINVALID, "%s is not an encrypted Fieldprint export", filepath.Base(pos[0]))
	}
	plain, err := passphraseFor(e, pos[0], data)
	if err != nil {
		return err
	}
	return writeOut(*outPath, e.stdout, func(w io.Writer) error { _, err := w.Write(plain); return err })
}

// writeOut writes to path through a temporary file renamed into place, so a
// failure never leaves half a file behind; "" means stdout.
func writeOut(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fieldprint-export-*")
	if err != nil {
		return fp.Errorf(fp.EINVALID, "cannot write %s: %s", path, errText(err))
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fp.Internal("export failed; nothing was written", err)
	}
	if err := tmp.Close(); err != nil {
		return fp.Errorf(fp.EINVALID, "cannot write %s: %s", path, errText(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fp.Errorf(fp.EINVALID, "cannot write %s: %s", path, errText(err))
	}
	return nil
}

func cmdRecord(e env, args []string) error {
	return pdfCommand(e, "record", "NUMBER -o FILE.pdf --user NAME [--db PATH]", args, nil, func(s pdfSession) error {
		return printTo(e, s.db, s.a, s.out, workflow.Document{Kind: workflow.Record, Request: s.r.ID})
	})
}

// pdfSession is a signed-in PDF command on one request.
type pdfSession struct {
	db  *officeDB
	a   fp.Actor
	r   *fp.Request
	out string // the -o file
}

// pdfCommand parses "fieldprint NAME NUMBER -o FILE.pdf --user NAME" with the
// command's own flags (flags adds them), signs in, finds the request and runs run.
func pdfCommand(e env, name, usage string, args []string, flags func(*flag.FlagSet), run func(pdfSession) error) error {
	fs, dbFlag := newFlags(e, name, usage)
	outPath := fs.String("o", "", "the PDF file to write")
	user := userFlag(fs)
	if flags != nil {
		flags(fs)
	}
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *outPath == "" {
		fs.Usage()
		return errUsage
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	if err := fp.CheckPrint(a); err != nil { // before anything is written (the store records the printing after)
		return err
	}
	return run(pdfSession{db, a, r, *outPath})
}
