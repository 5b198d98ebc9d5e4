package main

import (
	"fmt"
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
	db, err := open(*dbFlag)
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
	case "list":
		us, err := db.ListUsers()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tFULL NAME\tROLE\tSTATE\tCREATED")
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
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
