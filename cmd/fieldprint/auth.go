package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	fp "github.com/fieldprint/fieldprint"
)

// readPassword takes the password from FIELDPRINT_PASSWORD, or asks on the
// terminal without echo, or reads one line of standard input.
func readPassword(e env, prompt string) (string, error) {
	if p, ok := os.LookupEnv("FIELDPRINT_PASSWORD"); ok {
		return p, nil
	}
	return readSecret(e, prompt)
}

func readSecret(e env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	line, err := e.lines.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// userFlag adds --user to a command that changes data.
func userFlag(fs *flag.FlagSet) *string {
	return fs.String("user", os.Getenv("FIELDPRINT_USER"), "your Fieldprint account (default $FIELDPRINT_USER); the password comes from $FIELDPRINT_PASSWORD or a prompt")
}

// signedIn remembers the one sign-in of this command: open and the
// command's --user may both ask for it.
var signedIn struct {
	db *officeDB
	a  fp.Actor
}

// signIn authenticates the --user account against db (once per command),
// and seals records from before the office's key, if any are left.
func signIn(e env, db *officeDB, name string) (fp.Actor, error) {
	if name == "" {
		return fp.Actor{}, fp.Errorf(fp.EINVALID, "this command changes data: say who you are with --user NAME")
	}
	if signedIn.db == db && db.Unlocked() {
		if n, err := fp.NormalizeUserName(name); err == nil && n == signedIn.a.Name {
			return signedIn.a, nil
		}
	}
	pw, err := readPassword(e, "Password for "+name+": ")
	if err != nil {
		return fp.Actor{}, fp.Errorf(fp.EINVALID, "cannot read the password: %v", err)
	}
	a, err := db.Authenticate(name, pw)
	if err != nil {
		return a, err
	}
	signedIn.db, signedIn.a = db, a
	if need, err := db.NeedsSealing(); err == nil && need {
		last := -1
		err := db.SealExisting(func(done, total int) {
			if pct := 100 * done / max(total, 1); pct/10 != last/10 {
				last = pct
				fmt.Fprintf(e.stderr, "Encrypting the office's records and scans: %d of %d\n", done, total)
			}
		})
		if err != nil {
			return a, err
		}
	}
	return a, nil
}

// session opens the database and signs the --user account in; the caller
// closes the database.
func session(e env, dbFlag, user string) (*officeDB, fp.Actor, error) {
	db, err := open(e, dbFlag)
	if err != nil {
		return nil, fp.Actor{}, err
	}
	a, err := signIn(e, db, user)
	if err != nil {
		db.Close()
		return nil, fp.Actor{}, err
	}
	return db, a, nil
}

// requestSession is session plus the request named by number.
func requestSession(e env, dbFlag, user, number string) (*officeDB, fp.Actor, *fp.Request, error) {
	db, a, err := session(e, dbFlag, user)
	if err != nil {
		return nil, a, nil, err
	}
	r, err := db.FindRequestByNumber(number)
	if err != nil {
		db.Close()
		return nil, a, nil, err
	}
	return db, a, r, nil
}
