package main

import (
	"errors"
	"fmt"

	fp "github.com/fieldprint/fieldprint"
)

// cmdCheck runs the store's consistency check: bbolt's own (every page
// reachable once, free pages freed once) and Fieldprint's (every index entry
// recomputed from the records, summaries, numbers, attached files on disk).
func cmdCheck(e env, args []string) error {
	fs, dbFlag := newFlags(e, "check", "[--db PATH]")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	var fe *fp.Error
	if errors.As(err, &fe) && fe.Err != nil {
		fmt.Fprintf(e.stdout, "problem: %v\n", fe.Err) // what made Open refuse it, for whoever repairs the file
	}
	if err != nil {
		return err
	}
	defer db.Close()
	problems := db.Check()
	if len(problems) == 0 {
		fmt.Fprintf(e.stdout, "%s: no problems found\n", db.Path())
		return nil
	}
	for _, p := range problems {
		// Problems are technical: shown whole, for whoever repairs the file.
		fmt.Fprintf(e.stdout, "problem: %s\n", p)
	}
	return fp.Errorf(fp.EINVALID, "the database %s has %d %s: restore a copy of the file, or ask your IT contact", db.Path(), len(problems), plural(len(problems), "problem", "problems"))
}
