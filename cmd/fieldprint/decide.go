package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
)

func cmdDecide(e env, args []string) error {
	fs, dbFlag := newFlags(e, "decide", "NUMBER VERB [--reason TEXT] --user NAME")
	user := userFlag(fs)
	reason := fs.String("reason", "", "why: required to refer, approve, deny and withdraw; it goes into the history")
	pos, err := positional(fs, args, 2)
	if err != nil {
		return err
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	to, err := fp.StatusForVerb(r, strings.ToLower(pos[1]))
	if err != nil {
		return err
	}
	r, err = db.TransitionRequest(a, r.ID, to, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s\n", r.Number, r.Status)
	return nil
}

func cmdAudit(e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: fieldprint audit verify [--checkpoint FILE|FOLDER|COUNT:HASH] | checkpoint | folder [PATH] --user ADMIN | list [filters] --user NAME")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, dbFlag := newFlags(e, "audit "+sub, "")
	cpFlag := fs.String("checkpoint", "", "verify: a signed checkpoint file (or the folder of them), or COUNT:HASH from an earlier \"fieldprint audit checkpoint\"")
	user := userFlag(fs)
	fUser := fs.String("by", "", "list: only entries by or about this user")
	action := fs.String("action", "", "list: only this action, e.g. request.transition")
	request := fs.String("request", "", "list: only this request number")
	from := fs.String("from", "", "list: from this date (YYYY-MM-DD)")
	to := fs.String("to", "", "list: to this date (YYYY-MM-DD)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 || (len(pos) == 1 && sub != "folder") {
		fs.Usage()
		return errUsage
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "folder":
		if len(pos) == 0 {
			dir, err := db.CheckpointFolder()
			if err != nil {
				return err
			}
			if dir == "" {
				dir = "(none: set one with \"fieldprint audit folder PATH --user ADMIN\")"
			}
			fmt.Fprintln(e.stdout, dir)
			return nil
		}
		a, err := signIn(e, db, *user)
		if err != nil {
			return err
		}
		if err := db.SetCheckpointFolder(a, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "signed checkpoints go to %s\n", pos[0])
	case "verify":
		rep, err := verifyHistory(db, *cpFlag)
		if err != nil {
			return err
		}
		if rep.Problem != nil {
			for _, w := range rep.Warnings {
				fmt.Fprintln(e.stderr, "warning: "+w)
			}
			return fp.Errorf(fp.EINVALID, "%s", rep.Problem.Error())
		}
		fmt.Fprintln(e.stdout, db.DescribeReport(rep))
	case "checkpoint":
		var cp *fp.Checkpoint
		if *cpFlag != "" {
			c, err := fp.ParseCheckpoint(*cpFlag)
			if err != nil {
				return err
			}
			cp = &c
		}
		head, problem, err := db.VerifyAudit(cp)
		if err != nil {
			return err
		}
		if problem != nil {
			return fp.Errorf(fp.EINVALID, "%s", problem.Error())
		}
		fmt.Fprintln(e.stdout, head.String())
	case "list":
		a, err := signIn(e, db, *user)
		if err != nil {
			return err
		}
		f := fp.AuditFilter{User: *fUser, Action: *action}
		if *request != "" {
			if f.Request, err = fp.ParseNumber(*request); err != nil {
				return err
			}
		}
		for _, d := range []struct {
			s   string
			dst *fp.Date
		}{{*from, &f.From}, {*to, &f.To}} {
			if d.s != "" {
				if *d.dst, err = fp.ParseDate(d.s); err != nil {
					return err
				}
			}
		}
		es, err := db.FindAudit(a, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tWHEN\tUSER\tACTION\tREQUEST\tDETAILS")
		for _, x := range es {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.Seq, x.At.In(db.Location()).Format("2006-01-02 15:04"), x.Who(), x.Action, x.Request, x.Describe())
		}
		tw.Flush()
	default:
		fmt.Fprintf(e.stderr, "fieldprint audit: unknown subcommand %q: use verify, checkpoint or list\n", sub)
		return errUsage
	}
	return nil
}

// verifyHistory verifies against what --checkpoint names: a signed
// checkpoint file or a folder of them, COUNT:HASH, or (empty) the office's
// checkpoint folder when it has one.
func verifyHistory(db *officeDB, cp string) (fp.AuditReport, error) {
	if cp == "" {
		return db.VerifyHistory()
	}
	if st, err := os.Stat(cp); err == nil {
		var data []byte
		names := []string{cp}
		if st.IsDir() {
			names, _ = filepath.Glob(filepath.Join(cp, "fieldprint-checkpoints-*.jsonl"))
			sort.Strings(names)
			if len(names) == 0 {
				return fp.AuditReport{}, fp.Errorf(fp.EINVALID, "the folder %s holds no checkpoint file (fieldprint-checkpoints-….jsonl)", cp)
			}
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return fp.AuditReport{}, fp.Errorf(fp.EINVALID, "cannot read the checkpoint file %s: %v", n, err)
			}
			data = append(append(data, b...), '\n')
		}
		return db.VerifySigned(data)
	}
	c, err := fp.ParseCheckpoint(cp)
	if err != nil {
		return fp.AuditReport{}, fp.Errorf(fp.EINVALID, "--checkpoint %q is neither a checkpoint file or folder nor COUNT:HASH", cp)
	}
	head, problem, err := db.VerifyAudit(&c)
	return fp.AuditReport{Head: head, Problem: problem}, err
}
