package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	fp "github.com/fieldprint/fieldprint"
)

const importArgs = "FILE.csv [--map \"COLUMN=FIELD\"]... [--value \"category|status:VALUE=KEY\"]... [--dates dmy|mdy] [--names as-written|surname-first] [--encoding E] [--separator S] [--dry-run] --user NAME"

// cmdImport imports an office's tracker: the encoding, separator and date
// order found, the columns and values mapped (as saved by the last import,
// then by their names; --map and --value decide), every row checked, then
// all of them recorded with their history, or none.
func cmdImport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "import", importArgs)
	user := userFlag(fs)
	var maps, values listFlag
	fs.Var(&maps, "map", "map a column: \"COLUMN=FIELD\" (FIELD - leaves it out); repeat for each column")
	fs.Var(&values, "value", "map a value: \"category:Adoption (I-600A)=adoption\" or \"status:Pending docs=awaiting-documents\"; repeat")
	dates := fs.String("dates", "", "the tracker's date order when its dates do not tell: dmy (03/10/2026 is 3 October) or mdy (March 10)")
	names := fs.String("names", "", "as-written, or surname-first to turn \"SURNAME, Given\" into \"Given SURNAME\" (default: as most names are written)")
	encoding := fs.String("encoding", "", "the file's encoding when it is not Unicode: "+strings.Join(fp.TrackerEncodings, ", ")+" (default: found)")
	separator := fs.String("separator", "", "the cells' separator: comma, semicolon, tab or bar (default: found)")
	dryRun := fs.Bool("dry-run", false, "show the mapping and every row as it will be stored, and import nothing")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	sep, err := parseSeparator(*separator)
	if err != nil {
		return err
	}
	data, err := fp.ReadInputFile(pos[0], fp.MaxImportBytes, "trackers are far smaller; check that it is the right file, or split it")
	if err == nil {
		data, err = passphraseFor(e, pos[0], data) // an export sealed with a passphrase
	}
	if err != nil {
		return err
	}
	name := fp.DisplayName(pos[0])
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	actor, err := signIn(e, db, *user)
	if err != nil {
		return err
	}
	saved, err := db.TrackerMapping()
	if err != nil {
		return err
	}
	f, problems := fp.ReadTrackerAs(name, data, *encoding, sep, saved)
	if f == nil {
		return importProblems(e, name, problems, false)
	}
	fmt.Fprintf(e.stdout, "%s: %s.\n", name, f.Describe())
	m := fp.SuggestMapping(f, saved)
	if *encoding != "" {
		m.Encoding = *encoding
	}
	for _, s := range maps {
		if err := m.Assign(s); err != nil {
			return err
		}
	}
	for _, s := range values {
		if err := m.AssignValue(s); err != nil {
			return err
		}
	}
	if *dates != "" {
		if m.DateOrder, err = fp.ParseDateOrder(*dates); err != nil {
			return err
		}
	}
	switch *names {
	case "":
	case "as-written":
		m.NameOrder = fp.NamesAsWritten
	case "surname-first":
		m.NameOrder = fp.NamesSurnameFirst
	default:
		return fp.Errorf(fp.EINVALID, "--names %q: use as-written or surname-first", *names)
	}
	printMapping(e, f, m)
	rows, problems := m.Rows(f, db.Today())
	plans, more, err := db.CheckImport(actor, rows, fp.SaveOptions{})
	if err != nil {
		return err
	}
	problems = append(problems, more...)
	fp.SortLineErrors(problems)
	for i, row := range rows {
		for _, w := range append(row.Warnings, plans[i].Warnings...) {
			fmt.Fprintf(e.stderr, "line %d: warning: %s\n", row.Line, w)
		}
	}
	if len(problems) > 0 {
		return importProblems(e, name, problems, len(m.Problems(f)) > 0)
	}
	if *dryRun {
		printPreview(e, rows, plans)
		fmt.Fprintf(e.stdout, "Nothing was imported (--dry-run): %d %s would be.\n", len(rows), plural(len(rows), "request", "requests"))
		return nil
	}
	saved2, err := db.ImportRows(actor, rows, fp.ImportOptions{Mapping: &m})
	if err != nil {
		return err
	}
	incomplete := 0
	for _, r := range saved2 {
		if len(r.Incomplete) > 0 {
			incomplete++
		}
	}
	fmt.Fprintf(e.stdout, "Imported %d requests (%s to %s).\n", len(saved2), saved2[0].Number, saved2[len(saved2)-1].Number)
	if incomplete > 0 {
		fmt.Fprintf(e.stdout, "%d %s incomplete — from import: complete them before deciding or booking (fieldprint list --incomplete).\n",
			incomplete, plural(incomplete, "is", "are"))
	}
	return nil
}

// importProblems prints every problem by line and refuses the import.
func importProblems(e env, name string, problems []fp.LineError, mapped bool) error {
	for _, p := range problems {
		fmt.Fprintln(e.stderr, p.Error())
	}
	if mapped {
		fmt.Fprintln(e.stderr, "Map a column with --map \"COLUMN=FIELD\" (FIELD - leaves it out), a value with --value \"category:VALUE=KEY\", the date order with --dates dmy or mdy; --dry-run shows the result.")
	}
	return fp.Errorf(fp.EINVALID, "nothing was imported: %d %s in %s; fix %s and import the whole file again", len(problems),
		plural(len(problems), "problem", "problems"), name, plural(len(problems), "it", "them"))
}

// printMapping shows where each column goes, the values mapped, the orders.
func printMapping(e env, f *fp.TrackerFile, m fp.TrackerMapping) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tFIELD\tFIRST VALUES")
	for i, h := range f.Header {
		field := m.Field(h)
		switch {
		case field == "":
			field = "(not mapped)"
		case field == fp.FieldIgnore:
			field = "- (left out)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h, field, clip(strings.Join(f.Samples(i, 3), " | "), 60))
	}
	tw.Flush()
	for _, field := range []string{fp.FieldCategory, fp.FieldStatus} {
		for _, v := range m.Distinct(f, field) {
			k, ok := m.Value(field, v.Text)
			if !ok {
				k = "(not mapped)"
			} else if k == "" {
				k = string(fp.StatusNew)
			}
			fmt.Fprintf(e.stdout, "%s %q → %s (%d %s)\n", field, v.Text, k, v.Rows, plural(v.Rows, "row", "rows"))
		}
	}
	if ev := m.DateEvidence(f); ev.Either.Text != "" || ev.Order() != fp.DatesUnknown {
		fmt.Fprintf(e.stdout, "Dates: %s\n", m.DateOrder.Label())
	}
	if m.NameOrder == fp.NamesSurnameFirst {
		fmt.Fprintln(e.stdout, "Names: \"SURNAME, Given\" becomes \"Given SURNAME\"")
	}
}

// printPreview lists every row as it will be stored.
func printPreview(e env, rows []fp.ImportRow, plans []fp.ImportPlan) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tAPPLICANT\tCATEGORY\tRECEIVED\tSTATUS\tAPPOINTMENT\tMISSING")
	for i, row := range rows {
		p := row.Preview()
		st := plans[i].Status.Label()
		if len(plans[i].Bookings) > 0 {
			st = fp.StatusScheduled.Label()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Line, p.Name, p.Category, p.Received, st, p.Appointment, p.Missing)
	}
	tw.Flush()
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func parseSeparator(s string) (rune, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return 0, nil
	case "comma", ",":
		return ',', nil
	case "semicolon", ";":
		return ';', nil
	case "tab", "\\t", "\t":
		return '\t', nil
	case "bar", "|", "vertical-bar":
		return '|', nil
	}
	return 0, fp.Errorf(fp.EINVALID, "--separator %q: use comma, semicolon, tab or bar", s)
}
