package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	fp "github.com/fieldprint/fieldprint"
)

// cmdUser: fieldprint user add|list|disable|unlock|passwd.
func cmdUser(e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: fieldprint user add|list|details|disable|enable|unlock|passwd ...")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, dbFlag := newFlags(e, "user "+sub, "")
	user := userFlag(fs)
	role := fs.String("role", "", "clerk, director or admin (user add)")
	fullName := fs.String("full-name", "", "the person's full name, printed on stamped notices and day sheets (user add, user details)")
	badge := fs.String("badge", "", "an optional badge or officer number (user add, user details)")
	stdinPW := fs.Bool("password-stdin", false, "read the new password from standard input")
	want := 1
	if sub == "list" {
		want = 0
	}
	pos, err := positional(fs, args, want)
	if err != nil {
		return err
	}
	db, err := open(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	newPassword := func(name string) (string, error) {
		if !*stdinPW {
			fmt.Fprintln(e.stderr, "give the new password with --password-stdin (it is never taken from the command line)")
			return "", errUsage
		}
		return readSecret(e, "New password for "+name+": ")
	}
	// Who acts: nobody for the very first account, else the signed-in --user.
	actor := func() (*fp.Actor, error) {
		if sub == "add" {
			if n, err := db.CountUsers(); err != nil {
				return nil, err
			} else if n == 0 {
				return nil, nil
			}
		}
		a, err := signIn(e, db, *user)
		return &a, err
	}
	switch sub {
	case "add":
		r, err := fp.ParseRole(*role)
		if err != nil {
			return err
		}
		pw, err := newPassword(pos[0])
		if err != nil {
			return err
		}
		a, err := actor()
		if err != nil {
			return err
		}
		u, err := db.CreateUser(a, fp.NewUser{Name: pos[0], FullName: *fullName, Badge: *badge, Role: r, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Created %s (%s, %s)\n", u.Name, u.Display(), u.Role)
		if a == nil {
			// The first administrator: the office data key is made with
			// this password, and its recovery key shown now, once.
			key, err := db.SetUpKeys(u.Actor(), pw)
			if err != nil {
				return err
			}
			printRecoveryKey(e, key)
		}
	case "list":
		us, err := db.ListUsers()
		if err != nil {
			return err
		}
		keys, err := db.KeysSetUp()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tFULL NAME\tROLE\tSTATE\tCREATED")
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			} else if keys && !u.HasKey {
				state = "no key: needs a new password (user passwd)"
			} else if u.Locked(db.Now()) {
				state = "locked until " + u.LockedUntil.In(db.Location()).Format("15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Display(), u.Role, state, u.CreatedAt.In(db.Location()).Format("2006-01-02"))
		}
		tw.Flush()
	case "disable", "enable", "unlock":
		a, err := actor()
		if err != nil {
			return err
		}
		switch sub {
		case "disable":
			err = db.DisableUser(*a, pos[0])
		case "enable":
			err = db.EnableUser(*a, pos[0])
		default:
			err = db.UnlockUser(*a, pos[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %sd\n", pos[0], sub)
	case "details":
		a, err := actor()
		if err != nil {
			return err
		}
		if err := db.SetUserDetails(*a, pos[0], *fullName, *badge); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: full name and badge saved\n", pos[0])
	case "passwd":
		pw, err := newPassword(pos[0])
		if err != nil {
			return err
		}
		a, err := actor()
		if err != nil {
			return err
		}
		if err := db.SetPassword(*a, pos[0], pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Password changed for %s\n", pos[0])
	default:
		fmt.Fprintf(e.stderr, "fieldprint user: unknown subcommand %q: use add, list, details, disable, enable, unlock or passwd\n", sub)
		return errUsage
	}
	return nil
}

// printRecoveryKey shows a recovery key the one time it is shown.
func printRecoveryKey(e env, key string) {
	fmt.Fprintf(e.stdout, "\nRecovery key of this office's data (shown only now):\n\n    %s\n\n"+
		"Write it down and keep it in the office safe. With it an administrator whose password is lost\n"+
		"gets back in (fieldprint keys recover NAME); whoever holds it can do the same.\n", key)
}

// cmdKeys: fieldprint keys status|setup|new-recovery|recover.
func cmdKeys(e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: fieldprint keys status | setup --user ADMIN | new-recovery --user ADMIN | recover ADMIN")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, dbFlag := newFlags(e, "keys "+sub, "")
	user := userFlag(fs)
	want := 0
	if sub == "recover" {
		want = 1
	}
	pos, err := positional(fs, args, want)
	if err != nil {
		return err
	}
	// Opened without the automatic sign-in of $FIELDPRINT_USER: keys
	// recover is for when that fails, and the others sign in themselves.
	db, err := openOffice(e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "status":
		set, err := db.KeysSetUp()
		if err != nil {
			return err
		}
		if !set {
			fmt.Fprintln(e.stdout, "This office has no data key yet: an administrator makes it with fieldprint keys setup --user NAME (or by signing in to the window).")
			return nil
		}
		us, err := db.ListUsers()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "The office's data key is made; a recovery key exists.")
		for _, u := range us {
			if !u.Disabled && !u.HasKey {
				fmt.Fprintf(e.stdout, "%s has no key slot: an administrator sets a new password (fieldprint user passwd %s)\n", u.Name, u.Name)
			}
		}
	case "setup":
		if *user == "" {
			return fp.Errorf(fp.EINVALID, "say which administrator makes the key with --user NAME")
		}
		pw, err := readPassword(e, "Password for "+*user+": ")
		if err != nil {
			return fp.Errorf(fp.EINVALID, "cannot read the password: %v", err)
		}
		a, err := db.Authenticate(*user, pw)
		if err != nil {
			return err
		}
		key, err := db.SetUpKeys(a, pw)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "The office's data key is made, with a key slot for "+a.Name+". The other accounts get theirs when an administrator sets a new password for each (fieldprint user passwd NAME).")
		printRecoveryKey(e, key)
	case "new-recovery":
		a, err := signIn(e, db, *user)
		if err != nil {
			return err
		}
		key, err := db.NewRecoveryKey(a)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "A new recovery key replaces the old one, which opens nothing from now on.")
		printRecoveryKey(e, key)
	case "recover":
		key := os.Getenv("FIELDPRINT_RECOVERY_KEY")
		if key == "" {
			if key, err = readSecret(e, "Recovery key: "); err != nil {
				return fp.Errorf(fp.EINVALID, "cannot read the recovery key: %v", err)
			}
		}
		pw, err := readSecret(e, "New password for "+pos[0]+": ")
		if err != nil {
			return fp.Errorf(fp.EINVALID, "cannot read the new password: %v", err)
		}
		if err := db.Recover(key, pos[0], pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Password set for %s with the recovery key: sign in with it.\n", pos[0])
	default:
		fmt.Fprintf(e.stderr, "fieldprint keys: unknown subcommand %q: use status, setup, new-recovery or recover\n", sub)
		return errUsage
	}
	return nil
}
