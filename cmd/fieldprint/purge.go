package main

import (
	"fmt"
	"os"
	"strconv"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

const (
	retentionArgs = "show | set [--completed MONTHS] [--denied MONTHS] [--withdrawn MONTHS] --user ADMIN"
	holdArgs      = "NUMBER on|off --reason TEXT --user NAME"
	purgeArgs     = "[NUMBER...] [--dry-run] --confirm-by NAME --user NAME | --daily --user NAME | report [RUN]"
)

func cmdRetention(e env, args []string) error {
	if len(args) == 0 || args[0] != "show" && args[0] != "set" {
		fmt.Fprintf(e.stderr, "Usage: fieldprint retention %s\n", retentionArgs)
		return errUsage
	}
	fs, dbFlag := newFlags(e, "retention "+args[0], retentionArgs)
	completed := fs.Int("completed", -1, "months a completed request's data is kept after it closed (0: until set)")
	denied := fs.Int("denied", -1, "months a denied request's data is kept")
	withdrawn := fs.Int("withdrawn", -1, "months a withdrawn request's data is kept")
	var user *string
	if args[0] == "set" {
		user = userFlag(fs)
	}
	if _, err := positional(fs, args[1:], 0); err != nil {
		return err
	}
	if args[0] == "show" {
		db, err := open(e, *dbFlag)
		if err != nil {
			return err
		}
		defer db.Close()
		r, err := db.Retention()
		if err != nil {
			return err
		}
		printRetention(e, r)
		return nil
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Retention()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		v   int
		dst *int
	}{{*completed, &r.Completed}, {*denied, &r.Denied}, {*withdrawn, &r.Withdrawn}} {
		if f.v >= 0 {
			*f.dst = f.v
		} else if f.v != -1 {
			return fp.Errorf(fp.EINVALID, "a retention is 0 (kept) or a number of months, not %d", f.v)
		}
	}
	if err := db.SetRetention(a, r); err != nil {
		return err
	}
	printRetention(e, r)
	return nil
}

func printRetention(e env, r fp.Retention) {
	show := func(n int) string {
		if n == 0 {
			return "kept (no period set)"
		}
		return fmt.Sprintf("%d %s after it closed", n, plural(n, "month", "months"))
	}
	fmt.Fprintf(e.stdout, "Completed requests: %s\nDenied requests:    %s\nWithdrawn requests: %s\n", show(r.Completed), show(r.Denied), show(r.Withdrawn))
	if !r.Set() {
		fmt.Fprintln(e.stdout, "Nothing is purged until an administrator sets a period.")
	}
}

func cmdHold(e env, args []string) error {
	fs, dbFlag := newFlags(e, "hold", holdArgs)
	reason := fs.String("reason", "", "why (a case, an inquiry, a court order): kept in the audit trail")
	user := userFlag(fs)
	pos, err := positional(fs, args, 2)
	if err != nil {
		return err
	}
	if pos[1] != "on" && pos[1] != "off" {
		return fp.Errorf(fp.EINVALID, "say on (put the request on legal hold) or off (release it), not %q", pos[1])
	}
	db, a, r, err := requestSession(e, *dbFlag, *user, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.SetHold(a, r.ID, pos[1] == "on", *reason); err != nil {
		return err
	}
	if pos[1] == "on" {
		fmt.Fprintf(e.stdout, "%s is on legal hold: no purge destroys its data until the hold is released.\n", r.Number)
	} else {
		fmt.Fprintf(e.stdout, "%s is released from legal hold: it is purged when its retention has passed.\n", r.Number)
	}
	return nil
}

func cmdPurge(e env, args []string) error {
	if len(args) > 0 && args[0] == "report" {
		return purgeReport(e, args[1:])
	}
	fs, dbFlag := newFlags(e, "purge", purgeArgs)
	dry := fs.Bool("dry-run", false, "list what would be destroyed, destroy nothing")
	daily := fs.Bool("daily", false, "the daily purge of the retention schedule (what the window runs once a day): no second person")
	second := fs.String("confirm-by", "", "the second person (a director and an administrator purge by hand together); their password comes from $FIELDPRINT_CONFIRM_PASSWORD or a prompt")
	user := userFlag(fs)
	numbers, err := parse(fs, args)
	if err != nil {
		return err
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	var rep workflow.PurgeReport
	if *daily {
		if len(numbers) > 0 || *second != "" || *dry {
			return fp.Errorf(fp.EINVALID, "--daily runs the retention schedule alone: no request numbers, --confirm-by or --dry-run")
		}
		var ran bool
		if rep, ran, err = db.PurgeDueNow(a); err != nil {
			return err
		}
		if !ran {
			fmt.Fprintln(e.stdout, "The daily purge ran today already, or no retention period is set: nothing done.")
			return nil
		}
	} else {
		opt := workflow.PurgeOptions{DryRun: *dry}
		for _, n := range numbers {
			r, err := db.FindRequestByNumber(n)
			if err != nil {
				return err
			}
			opt.Requests = append(opt.Requests, r.ID)
		}
		if *second == "" {
			return fp.Errorf(fp.EINVALID, "a purge by hand needs a second person: --confirm-by NAME (a director and an administrator together)")
		}
		pw, ok := os.LookupEnv("FIELDPRINT_CONFIRM_PASSWORD")
		if !ok {
			if pw, err = readSecret(e, "Password for "+*second+" (confirming the purge): "); err != nil {
				return fp.Errorf(fp.EINVALID, "cannot read the password: %v", err)
			}
		}
		p := newProgress(e.stderr, "Purging")
		opt.Progress = func(done, total int) { p.show(float64(done) / float64(max(total, 1))) }
		rep, err = db.PurgeByHand(a, *second, pw, opt)
		p.done()
		if err != nil {
			return err
		}
	}
	fmt.Fprint(e.stdout, rep.Text(db.Location()))
	return nil
}

func purgeReport(e env, args []string) error {
	fs, dbFlag := newFlags(e, "purge report", "[RUN] --user NAME")
	user := userFlag(fs)
	pos, err := parse(fs, args)
	if err != nil || len(pos) > 1 {
		fs.Usage()
		return errUsage
	}
	db, a, err := session(e, *dbFlag, *user)
	if err != nil {
		return err
	}
	defer db.Close()
	reps, err := db.DestructionReports(a)
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		run, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil {
			return fp.Errorf(fp.EINVALID, "a destruction report is named by its number, not %q", pos[0])
		}
		for _, r := range reps {
			if r.Run == run {
				fmt.Fprint(e.stdout, r.Text(db.Location()))
				return nil
			}
		}
		return fp.Errorf(fp.ENOTFOUND, "there is no destruction report %d", run)
	}
	if len(reps) == 0 {
		fmt.Fprintln(e.stdout, "No purge has destroyed anything yet.")
		return nil
	}
	for _, r := range reps {
		how := "by hand"
		if r.Automatic {
			how = "daily"
		}
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%d %s\n", r.Run, r.At.In(db.Location()).Format("2006-01-02 15:04"), how, len(r.Purged), plural(len(r.Purged), "request", "requests"))
	}
	return nil
}
