package main

import (
	"errors"
	"fmt"
	"os"

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
	// Opened without signing in: a damaged file must be checked even when
	// its accounts cannot be read; the encrypted records need the sign-in.
	db, err := openOffice(e, *dbFlag)
	var fe *fp.Error
	if errors.As(err, &fe) && fe.Err != nil {
		fmt.Fprintf(e.stdout, "problem: %v\n", fe.Err) // what made Open refuse it, for whoever repairs the file
	}
	if err != nil {
		return err
	}
	defer db.Close()
	var problems []error
	if name := os.Getenv("FIELDPRINT_USER"); name != "" {
		if set, err := db.KeysSetUp(); err != nil {
			problems = append(problems, err)
		} else if set {
			if _, err := signIn(e, db, name); err != nil {
				problems = append(problems, fmt.Errorf("signing in as %s to check the encrypted records: %s", name, fp.ErrorMessage(err)))
			}
		}
	}
	problems = append(problems, db.Check()...)
	if len(problems) == 0 {
		fmt.Fprintf(e.stdout, "%s: no problems found\n", db.Path())
		return nil
	}
	for _, p := range problems {
		// Problems are technical: shown whole, for whoever repairs the file.
		fmt.Fprintf(e.stdout, "problem: %s\n", p)
	}
	if db.server != nil {
		return fp.Errorf(fp.EINVALID, "%s has %d %s: ask your IT contact", db.Path(), len(problems), plural(len(problems), "problem", "problems"))
	}
	return fp.Errorf(fp.EINVALID, "the database %s has %d %s: restore a copy of the file, or ask your IT contact", db.Path(), len(problems), plural(len(problems), "problem", "problems"))
}
