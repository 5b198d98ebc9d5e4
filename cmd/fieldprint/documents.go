package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
)

func cmdAttach(e env, args []string) error {
	fs, dbFlag := newFlags(e, "attach", "NUMBER --kind notice|passport|asc-notice|supporting [--person NAME] FILE --user NAME")
	user := userFlag(fs)
	kind := fs.String("kind", "", "what the file is: notice, passport, asc-notice or supporting")
	person := fs.String("person", "", "passport: whose (part of the name); empty for the applicant")
	pos, err := positional(fs, args, 2)
	if err != nil {
		return err
	}
	k, err := fp.ParseDocKind(*kind)
	if err != nil {
		return err
	}
	// Read (and refuse) the file before asking for a password, and before
	// the database is open: a file that never ends must not lock the office out.
	data, err := fp.ReadInputFile(pos[1], fp.MaxAttachmentBytes, "")
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	it, err := r.ItemFor(k, *person, db.Today())
	if err != nil {
		return err
	}
	if r, err = db.AttachFile(a, r.ID, it.Key, pos[1], data); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s: %s attached (%s)\n", r.Number, it.Key, fp.DisplayName(pos[1]), r.Completeness(db.Today()))
	return nil
}

// checklistRow is the JSON shape of one checklist item.
type checklistRow struct {
	N        int    `json:"n"`
	Item     string `json:"item"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	State    string `json:"state"`
	Reason   string `json:"reason,omitempty"`
	Note     string `json:"note,omitempty"`
	Shows    string `json:"shows,omitempty"`
	By       string `json:"by,omitempty"`
	At       string `json:"at,omitempty"`
	File     string `json:"file,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
}

func cmdChecklist(e env, args []string) error {
	fs, dbFlag := newFlags(e, "checklist", "NUMBER [--format table|json]")
	format := fs.String("format", "table", "table or json")
	pos, err := positional(fs, args, 1)
	if err != nil {
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
	r, err := db.FindRequestByNumber(pos[0])
	if err != nil {
		return err
	}
	on := db.Today()
	var rows []checklistRow
	for i, it := range r.Checklist(on) {
		row := checklistRow{N: i + 1, Item: it.Key, Label: it.Label(), Required: it.Required, State: string(it.Doc.State),
			Reason: string(it.Doc.Reason), Note: it.Doc.Note, Shows: it.Doc.Shows, By: it.Doc.By}
		if !it.Doc.At.IsZero() {
			row.At = it.Doc.At.UTC().Format("2006-01-02T15:04:05Z")
		}
		if f := it.Doc.File; f != nil {
			row.File, row.SHA256 = fp.DisplayName(f.Name), f.SHA256
		}
		rows = append(rows, row)
	}
	c := r.Completeness(on)
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Number   string         `json:"number"`
			Status   fp.Status      `json:"status"`
			Verified int            `json:"verified"`
			Required int            `json:"required"`
			Complete bool           `json:"complete"`
			Items    []checklistRow `json:"items"`
		}{r.Number, r.Status, c.Verified, c.Required, c.Complete(), rows})
	}
	fmt.Fprintf(e.stdout, "%s %s: %s required documents verified\n", r.Number, r.Status.Label(), c)
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tITEM\tREQUIRED\tSTATE\tFILE\tDETAIL")
	for _, row := range rows {
		req := "yes"
		if !row.Required {
			req = "optional"
		}
		detail := row.Label
		switch {
		case row.State == string(fp.DocRejected):
			detail = fp.RejectReason(row.Reason).Label()
			if row.Note != "" {
				detail += ": " + row.Note
			}
		case row.Shows != "":
			detail = "shows " + row.Shows
		}
		if row.By != "" {
			detail += " (" + row.By + " " + row.At + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", row.N, row.Item, req, row.State, row.File, detail)
	}
	return tw.Flush()
}

func cmdVerifyDoc(e env, args []string) error {
	fs, dbFlag := newFlags(e, "verify-doc", "NUMBER ITEM verified|rejected [--shows ID] [--mrz TEXT | --confirm name,birth-date,number,expiry] [--reason R] [--note TEXT] --user NAME")
	user := userFlag(fs)
	shows := fs.String("shows", "", "verified notice: the receipt number or A-number it shows")
	mrz := fs.String("mrz", "", "verified passport page: the two lines of its machine-readable zone (must match what is recorded)")
	confirm := fs.String("confirm", "", "verified passport page, without --mrz: the details compared by eye, all of name,birth-date,number,expiry")
	reason := fs.String("reason", "", "rejected: illegible, wrong-document, mismatch or expired")
	note := fs.String("note", "", "what the applicant should know or do")
	pos, err := positional(fs, args, 3)
	if err != nil {
		return err
	}
	v := fp.Verdict{Shows: *shows, Note: *note, MRZ: *mrz}
	for _, c := range strings.Split(*confirm, ",") {
		if strings.TrimSpace(c) == "" {
			continue
		}
		pc, err := fp.ParsePassportCheck(c)
		if err != nil {
			return err
		}
		v.Confirmed = append(v.Confirmed, pc)
	}
	switch pos[2] {
	case "verified", "verify":
		v.Verified = true
		if *reason != "" {
			return fp.Errorf(fp.EINVALID, "--reason is for a rejection: leave it out when verifying")
		}
	case "rejected", "reject":
		if v.Reason, err = fp.ParseRejectReason(*reason); err != nil {
			return err
		}
	default:
		return fp.Errorf(fp.EINVALID, "%q: say verified or rejected", pos[2])
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	on := db.Today()
	it, err := r.FindItem(pos[1], on)
	if err != nil {
		return err
	}
	if r, err = db.JudgeDocument(a, r.ID, it.Key, v); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s %s; checklist %s; status %s\n", r.Number, it.Key, pos[2], r.Completeness(on), r.Status)
	return nil
}
