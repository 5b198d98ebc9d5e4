package main

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

const intakeArgs = "FILE.eml|FILE.msg [--set FIELD=VALUE]... [--attach N=ITEM|none]... [--into NUMBER | --new] [--dry-run] --user NAME"

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// setField puts value into the field of in named by its CSV column.
func setField(in *fp.RequestInput, field, value string) error {
	fields := map[string]*string{
		fp.FieldReceived: &in.Received, fp.FieldCategory: &in.Category, fp.FieldBasis: &in.Basis, fp.FieldNoticeType: &in.NoticeType,
		fp.FieldReceiptNumbers: &in.ReceiptNumbers, fp.FieldANumber: &in.ANumber, fp.FieldFullName: &in.FullName,
		fp.FieldDateOfBirth: &in.DateOfBirth, fp.FieldEmail: &in.Email, fp.FieldPhone: &in.Phone,
		fp.FieldPassport: &in.Passport.Number, fp.FieldPassportExpiry: &in.Passport.Expiry, fp.FieldNationality: &in.Passport.Nationality,
		fp.FieldSex: &in.Passport.Sex, fp.FieldASCDate: &in.ASCDate, fp.FieldASCPlace: &in.ASCPlace,
		fp.FieldDepartureReason: &in.DepartureReason, fp.FieldRescheduleAsked: &in.RescheduleAsked, fp.FieldRescheduleNote: &in.RescheduleNote,
	}
	p, ok := fields[field]
	if !ok {
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		slices.Sort(names)
		return fp.Errorf(fp.EINVALID, "--set %s: no such field; use one of %s", field, strings.Join(names, ", "))
	}
	*p = value
	return nil
}

func cmdIntake(e env, args []string) error {
	fs, dbFlag := newFlags(e, "intake", intakeArgs)
	user := userFlag(fs)
	var sets, attaches listFlag
	fs.Var(&sets, "set", "FIELD=VALUE: fill or correct a field (CSV column names: date_of_birth, category, notice_type, …); repeat")
	fs.Var(&attaches, "attach", "N=ITEM: put attachment N on checklist item ITEM (notice, passport/0, supporting, …) or none; repeat")
	into := fs.String("into", "", "add the attachments to this open request (a second message from the applicant) instead of recording a new one")
	asNew := fs.Bool("new", false, "record a new request although an open one shares an identifier or the sender")
	dry := fs.Bool("dry-run", false, "show what the message gives and save nothing")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *into != "" && *asNew {
		return fp.Errorf(fp.EINVALID, "--into and --new exclude each other: add to one request, or record a new one")
	}
	// The message is read and checked before the database opens.
	raw, err := fp.ReadInputFile(pos[0], fp.MaxMessageBytes, "a saved e-mail is at most 50 MB: save its attachments and attach them one by one")
	if err != nil {
		return err
	}
	m, err := workflow.ParseMessage(pos[0], raw)
	if err != nil {
		return err
	}
	db, err := open(*dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	today := db.Today()
	d := fp.DraftFromMessage(m, db.Location(), today)
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fp.Errorf(fp.EINVALID, "--set %q: write FIELD=VALUE, e.g. --set date_of_birth=1985-04-12", s)
		}
		if err := setField(&d.Input, strings.ToLower(strings.TrimSpace(k)), v); err != nil {
			return err
		}
	}
	var target *fp.Request
	if *into != "" {
		if target, err = db.FindRequestByNumber(*into); err != nil {
			return err
		}
	}
	items := fp.IntakeItems(d.Input, today)
	if target != nil {
		items = target.Checklist(today)
	}
	plan, err := intakePlan(m, items, attaches)
	if err != nil {
		return err
	}
	printDraft(e, d, items, plan)

	if n, err := db.MessageImported(m.ImportKey()); err != nil {
		return err
	} else if n != "" {
		return fp.Errorf(fp.ECONFLICT, "this e-mail was already taken into %s: nothing was saved", n)
	}
	var dups []fp.Duplicate
	if target == nil {
		if dups, err = db.FindDuplicates(d.Probe()); err != nil {
			return err
		}
		open, err := db.LoadRequests(fp.RequestFilter{Statuses: fp.OpenStatuses()})
		if err != nil {
			return err
		}
		for _, s := range fp.SameSender(open, d.Input.Email, 0, today) {
			if !slices.ContainsFunc(dups, func(x fp.Duplicate) bool { return x.Other.ID == s.Other.ID }) {
				dups = append(dups, s)
			}
		}
	}
	if len(dups) > 0 {
		fmt.Fprintln(e.stdout, "Possibly the same applicant:")
		for _, x := range dups {
			fmt.Fprintf(e.stdout, "  %s\n", x)
		}
	}
	if len(dups) > 0 && target == nil && !*asNew && !*dry {
		return fp.Errorf(fp.ECONFLICT, "nothing was saved: add the attachments to that request with --into %s, or record a new request anyway with --new", dups[0].Other.Number)
	}
	var r *fp.Request
	if target == nil {
		var warns []string
		r, warns, err = d.Input.Parse(today)
		for _, w := range warns {
			fmt.Fprintf(e.stdout, "warning: %s\n", w)
		}
		if err != nil {
			if fe, ok := err.(*fp.Error); ok && len(fe.Fields) > 0 {
				for _, f := range fe.Fields {
					fmt.Fprintf(e.stdout, "  %s: %s\n", f.Field, f.Message)
				}
				if *dry {
					return nil
				}
				return fp.Errorf(fp.EINVALID, "nothing was saved: %d %s to complete or correct, above; give them with --set FIELD=VALUE", len(fe.Fields), plural(len(fe.Fields), "field", "fields"))
			}
			return err
		}
	}
	if *dry {
		fmt.Fprintln(e.stdout, "Dry run: nothing was saved.")
		return nil
	}
	a, err := signIn(e, db, *user)
	if err != nil {
		return err
	}
	id := fp.RequestID(0)
	if target != nil {
		id = target.ID
	}
	out, res, err := fp.TakeIn(db, a, m, raw, pos[0], r, id, plan, fp.SaveOptions{AllowDuplicates: *asNew})
	if err != nil {
		if out != nil {
			return fp.Errorf(fp.ErrorCode(err), "%s was recorded, but the message was not kept with it and nothing was attached: %s", out.Number, fp.ErrorMessage(err))
		}
		return err
	}
	verb := "recorded from the e-mail"
	if target != nil {
		verb = "received the e-mail"
	}
	attached := 0
	for _, x := range res {
		if x.Err != nil {
			fmt.Fprintf(e.stderr, "%s not attached: %s\n", x.Name, fp.ErrorMessage(x.Err))
		} else {
			attached++
		}
	}
	fmt.Fprintf(e.stdout, "%s %s; the message is kept with it; %d of %d %s attached (%s required documents verified)\n",
		out.Number, verb, attached, len(res), plural(len(res), "attachment", "attachments"), out.Completeness(today))
	if attached < len(res) {
		return fp.Errorf(fp.EINVALID, "%d %s could not be attached: attach them with fieldprint attach %s", len(res)-attached, plural(len(res)-attached, "attachment", "attachments"), out.Number)
	}
	return nil
}

// intakePlan is the suggested checklist item of each accepted attachment,
// changed by --attach N=ITEM (or N=none).
func intakePlan(m *fp.Message, items []fp.ChecklistItem, attaches []string) ([]fp.IntakeAttach, error) {
	keys := fp.SuggestItems(m, items)
	for _, s := range attaches {
		ns, item, ok := strings.Cut(s, "=")
		n, err := strconv.Atoi(strings.TrimSpace(ns))
		if !ok || err != nil || n < 1 || n > len(m.Parts) {
			return nil, fp.Errorf(fp.EINVALID, "--attach %q: write N=ITEM with N an attachment's number (1 to %d), e.g. --attach 2=passport/0 or --attach 3=none", s, len(m.Parts))
		}
		item = strings.ToLower(strings.TrimSpace(item))
		if m.Parts[n-1].Refused != nil && item != "none" {
			return nil, fp.Errorf(fp.EINVALID, "--attach %d: %s", n, fp.ErrorMessage(m.Parts[n-1].Refused))
		}
		if item == "none" {
			item = ""
		}
		keys[n-1] = item
	}
	var plan []fp.IntakeAttach
	for i, k := range keys {
		if k != "" {
			plan = append(plan, fp.IntakeAttach{Part: i, Item: k})
		}
	}
	return plan, fp.CheckIntakePlan(m, plan, items)
}

// printDraft shows what the message gives: the fields, the attachments
// with their items, and the notes.
func printDraft(e env, d fp.IntakeDraft, items []fp.ChecklistItem, plan []fp.IntakeAttach) {
	m := d.Message
	fmt.Fprintf(e.stdout, "E-mail from %s", m.Sender())
	if !d.Received.IsZero() {
		fmt.Fprintf(e.stdout, ", sent %s (office time)", d.Received.Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(e.stdout, "\nSubject: %s\nKey: %s\n\nPrefilled (check each; correct or complete with --set FIELD=VALUE):\n", m.Subject, m.ImportKey())
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	in := d.Input
	basis := strings.ReplaceAll(in.Basis, "\n", " ")
	if r := []rune(basis); len(r) > 100 {
		basis = string(r[:100]) + "…"
	}
	category := in.Category
	if d.Guess != "" && in.Category == string(d.Guess) {
		category += " (a guess from the words: " + strings.Join(d.GuessWords, ", ") + "; confirm it)"
	}
	notice := in.NoticeType
	if d.NoticeGuess != "" && in.NoticeType == string(d.NoticeGuess) {
		notice += " (a guess: confirm it against the scan)"
	}
	for _, row := range [][2]string{
		{fp.FieldFullName, in.FullName}, {fp.FieldDateOfBirth, in.DateOfBirth}, {fp.FieldCategory, category}, {fp.FieldNoticeType, notice},
		{fp.FieldReceiptNumbers, in.ReceiptNumbers}, {fp.FieldANumber, in.ANumber}, {fp.FieldEmail, in.Email}, {fp.FieldPhone, in.Phone},
		{fp.FieldReceived, in.Received}, {fp.FieldBasis, basis},
	} {
		fmt.Fprintf(tw, "  %s\t%s\n", row[0], row[1])
	}
	tw.Flush()
	if len(m.Parts) > 0 {
		fmt.Fprintln(e.stdout, "\nAttachments (change with --attach N=ITEM or N=none):")
		tw = tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
		for i, p := range m.Parts {
			what := "-> not attached"
			for _, pa := range plan {
				if pa.Part == i {
					what = "-> " + pa.Item
					for _, it := range items {
						if it.Key == pa.Item {
							what += " (" + it.Label() + ")"
						}
					}
				}
			}
			if p.Refused != nil {
				fmt.Fprintf(tw, "  %d\t%s\trefused: %s\n", i+1, p.Name, fp.ErrorMessage(p.Refused))
				continue
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s, %s\t%s\n", i+1, p.Name, kindLabel(p.Info.Type), sizeLabel(p.Info.Size), what)
		}
		tw.Flush()
	}
	if len(d.Notes) > 0 {
		fmt.Fprintln(e.stdout, "\nNotes:")
		for _, n := range d.Notes {
			fmt.Fprintf(e.stdout, "  - %s\n", n)
		}
	}
	fmt.Fprintln(e.stdout)
}

func kindLabel(t string) string {
	return map[string]string{fp.TypePDF: "PDF", fp.TypeJPEG: "JPEG", fp.TypePNG: "PNG"}[t]
}

func sizeLabel(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

var _ flag.Value = (*listFlag)(nil)
