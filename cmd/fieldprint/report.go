package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
)

const reportArgs = "[--month YYYY-MM | --from D --to D | --days N] [--format text|csv|json|pdf] [-o FILE] [--list FIGURE] --user NAME"

// cmdReport is the office's report for a period against the one before it,
// as text, CSV, JSON or PDF; --list prints the requests behind one figure.
func cmdReport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "report", reportArgs)
	user := userFlag(fs)
	month := fs.String("month", "", "the month, YYYY-MM (default: this month in office time)")
	from := fs.String("from", "", "the first day, YYYY-MM-DD (with --to)")
	to := fs.String("to", "", "the last day, YYYY-MM-DD (with --from)")
	days := fs.Int("days", 0, "the last N days to today in office time (the window's Last 30 days: --days 30)")
	format := fs.String("format", "text", "text, csv, json or pdf (pdf needs -o)")
	out := fs.String("o", "", "write to FILE instead of standard output")
	list := fs.String("list", "", "instead: the requests behind one figure (its key, as the CSV's first column says), e.g. appointments.missed")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	switch *format {
	case "text", "csv", "json":
	case "pdf":
		if *out == "" {
			fmt.Fprintln(e.stderr, "fieldprint report: --format pdf needs -o FILE.pdf")
			return errUsage
		}
	default:
		fmt.Fprintf(e.stderr, "fieldprint report: --format must be text, csv, json or pdf, not %q\n", *format)
		return errUsage
	}
	given := 0
	for _, g := range []bool{*month != "", *from != "" || *to != "", *days != 0} {
		if g {
			given++
		}
	}
	switch {
	case given > 1:
		fmt.Fprintln(e.stderr, "fieldprint report: give one of --month, --from and --to, or --days")
		return errUsage
	case *days < 0 || *days > fp.MaxReportDays:
		fmt.Fprintf(e.stderr, "fieldprint report: --days must be between 1 and %d\n", fp.MaxReportDays)
		return errUsage
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := signIn(e, db, *user)
	if err != nil {
		return err
	}
	var p fp.Period
	switch {
	case *days > 0:
		today := db.Today()
		p = fp.Period{From: today.AddDays(1 - *days), To: today}
	case *month != "":
		p, err = fp.ParsePeriod(*month, "")
	case *from != "" || *to != "":
		p, err = fp.ParsePeriod(*from, *to)
	default:
		p = fp.MonthPeriod(db.Today())
	}
	if err != nil {
		return err
	}
	rep, err := db.Report(a, p)
	if err != nil {
		return err
	}
	if *list != "" {
		return reportList(e, db.Desk, rep, *list, *format, *out)
	}
	return writeOut(*out, e.stdout, func(w io.Writer) error {
		switch *format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		case "csv":
			return fp.WriteReportCSV(w, rep)
		case "pdf":
			o, err := db.Office()
			if err != nil {
				return err
			}
			s, err := db.Scheduling()
			if err != nil {
				return err
			}
			opt := letter.Options{Now: db.Now().In(db.Location()), PrintedBy: a.Name}
			if u, err := db.FindUser(a.Name); err == nil {
				opt.PrintedBy = u.Display()
			}
			return letter.Report(w, rep, o, s, opt)
		}
		return reportText(w, rep)
	})
}

func reportText(w io.Writer, rep fp.Report) error {
	used, avail := rep.Available()
	fmt.Fprintf(w, "Office report %s (%d days), against %s\n", rep.Period, rep.Period.Days(), rep.Previous)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tKEY\tTHIS PERIOD\tBEFORE\tCHANGE")
	for _, f := range rep.Figures {
		before := rep.Figure(f.Key, true)
		label := f.Label
		if f.Key == fp.FigRescheduled && f.Flagged() > 0 {
			label += fmt.Sprintf(" (%d flagged)", f.Flagged())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", label, f.Key, f.Value(), before.Value(), rep.Change(f.Key))
	}
	tw.Flush()
	pct := 0
	if avail > 0 {
		pct = used * 100 / avail
	}
	_, err := fmt.Fprintf(w, "Places used: %d of %d (%d%%). The requests behind a figure: fieldprint report --list KEY\n", used, avail, pct)
	return err
}

// reportList prints the requests behind one figure: as many rows as its number.
func reportList(e env, db interface {
	RequestSummaries([]fp.RequestID) ([]fp.RequestSummary, error)
}, rep fp.Report, key, format, out string) error {
	f := rep.Figure(key, false)
	if f.Label == "" {
		var keys []string
		for _, g := range rep.Figures {
			keys = append(keys, g.Key)
		}
		return fp.Errorf(fp.EINVALID, "%q is not a figure of the report: use one of %v", key, keys)
	}
	ids := make([]fp.RequestID, len(f.Items))
	for i, it := range f.Items {
		ids[i] = it.Request
	}
	sums, err := db.RequestSummaries(ids)
	if err != nil {
		return err
	}
	names := map[fp.RequestID]fp.RequestSummary{}
	for _, s := range sums {
		names[s.ID] = s
	}
	return writeOut(out, e.stdout, func(w io.Writer) error {
		if format == "csv" {
			cw := csv.NewWriter(w)
			cw.Write([]string{"number", "day", "applicant", "detail", "days", "flag"})
			for _, it := range f.Items {
				s := names[it.Request]
				n := it.Number
				if n == "" {
					n = s.Number
				}
				cw.Write(fp.EscapeCSVCells([]string{n, it.Day.String(), s.FullName, it.Detail, strconv.Itoa(it.Days), strconv.FormatBool(it.Flag)}))
			}
			cw.Flush()
			return cw.Error()
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tDAY\tAPPLICANT\tDETAIL")
		for _, it := range f.Items {
			s := names[it.Request]
			n := it.Number
			if n == "" {
				n = s.Number
			}
			flag := ""
			if it.Flag {
				flag = "  ⚑"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\n", n, it.Day, s.FullName, it.Detail, flag)
		}
		tw.Flush()
		_, err := fmt.Fprintf(w, "%s, %s: %d\n", f.Label, rep.Period, f.Count())
		return err
	})
}
