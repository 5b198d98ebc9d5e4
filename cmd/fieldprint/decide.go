package main

import (
	"fmt"
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
		fmt.Fprintln(e.stderr, "Usage: fieldprint audit verify [--checkpoint COUNT:HASH] | checkpoint | list [filters] --user NAME")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, dbFlag := newFlags(e, "audit "+sub, "")
	cpFlag := fs.String("checkpoint", "", "COUNT:HASH from an earlier \"fieldprint audit checkpoint\"")
	user := userFlag(fs)
	fUser := fs.String("by", "", "list: only entries by or about this user")
	action := fs.String("action", "", "list: only this action, e.g. request.transition")
	request := fs.String("request", "", "list: only this request number")
	from := fs.String("from", "", "list: from this date (YYYY-MM-DD)")
	to := fs.String("to", "", "list: to this date (YYYY-MM-DD)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "verify", "checkpoint":
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
		if sub == "checkpoint" {
			fmt.Fprintln(e.stdout, head.String())
			return nil
		}
		fmt.Fprintf(e.stdout, "audit trail verified: %d entries, head %s\n", head.Count, head.Hash)
		if cp != nil {
			fmt.Fprintf(e.stdout, "consistent with checkpoint %d:%s\n", cp.Count, cp.Hash[:12]+"…")
		}
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
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.Seq, x.At.In(db.Location()).Format("2006-01-02 15:04"), x.User, x.Action, x.Request, x.Describe())
		}
		tw.Flush()
	default:
		fmt.Fprintf(e.stderr, "fieldprint audit: unknown subcommand %q: use verify, checkpoint or list\n", sub)
		return errUsage
	}
	return nil
}
