package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/vault"
	"github.com/fieldprint/fieldprint/workflow"
)

// hostList is a repeatable flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error {
	*h = append(*h, v)
	return nil
}

// plainFlags is newFlags without --db: the server has no office database.
func plainFlags(e env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: fieldprint %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// cmdServe runs the office's store server until it is stopped (Ctrl-C,
// SIGTERM from systemd).
func cmdServe(e env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "backup":
			return cmdServeBackup(e, args[1:])
		case "restore":
			return cmdServeRestore(e, args[1:])
		}
	}
	fs := plainFlags(e, "serve", serveArgs)
	data := fs.String("data", "", "the server's folder: its certificates and database (required)")
	listen := fs.String("listen", server.DefaultListen, "the address desks connect to, HOST:PORT (0.0.0.0:2379 for every address of this machine)")
	var hosts hostList
	fs.Var(&hosts, "host", "another name or address desks reach this server by, for its certificate (repeatable)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(e.stderr, "fieldprint serve: say where the server keeps its data with --data DIR")
		return errUsage
	}
	_, err := os.Stat(filepath.Join(*data, "pki", "ca.crt"))
	first := errors.Is(err, os.ErrNotExist)
	s, err := server.Start(server.Config{Dir: *data, Listen: *listen, Hosts: hosts})
	if err != nil {
		return err
	}
	defer s.Close()
	if w := s.CAWarning(); w != "" {
		fmt.Fprintln(e.stderr, "Warning: "+w)
	}
	ca, db := s.Files()
	if first {
		fmt.Fprintf(e.stdout, "First start: the office's certificate authority is %s (its key beside it: keep the folder private and backed up).\n", ca)
	}
	fmt.Fprintf(e.stdout, "Fieldprint office server listening on https://%s\n  data: %s\n  log:  %s\n", s.Addr(), db, filepath.Join(s.Dir(), server.LogFile))
	fmt.Fprintf(e.stdout, "Add a desk with: fieldprint desk add NAME --data %s --out NAME.desk\n", s.Dir())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	select {
	case <-stop:
		fmt.Fprintln(e.stdout, "Stopping.")
		return nil
	case err := <-s.Done():
		return fp.Internal("the office server stopped", err)
	}
}

const serveArgs = "--data DIR [--listen HOST:PORT] [--host NAME]... | backup --data DIR --to FILE|FOLDER | restore --data DIR FILE"

// serverPassphraseEnv gives the server backup's passphrase without a
// prompt (a nightly timer).
const serverPassphraseEnv = "FIELDPRINT_SERVER_BACKUP_PASSPHRASE"

// cmdServeBackup writes the office server's backup: the running server's
// snapshot, or the stopped server's database, with its scans, its
// certificates and its desks' records, sealed with a passphrase.
func cmdServeBackup(e env, args []string) error {
	fs := plainFlags(e, "serve backup", "--data DIR --to FILE|FOLDER")
	data := fs.String("data", "", "the office server's folder (required)")
	to := fs.String("to", "", "the backup file to write, or a folder to write it into, named by its time (required)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *data == "" || *to == "" {
		fmt.Fprintln(e.stderr, "fieldprint serve backup: --data and --to are required")
		return errUsage
	}
	pass, ok := os.LookupEnv(serverPassphraseEnv)
	if !ok {
		p, err := readSecret(e, "Passphrase for the server's backup (it holds the office's CA key): ")
		if err != nil {
			return fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
		}
		again, err := readSecret(e, "The same passphrase again: ")
		if err != nil {
			return fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
		}
		if p != again {
			return fp.Errorf(fp.EINVALID, "the two passphrases differ: nothing was written")
		}
		pass = p
	}
	if utf8.RuneCountInString(pass) < workflow.MinPassphrase {
		return fp.Errorf(fp.EINVALID, "the passphrase must be at least %d characters: several words are easiest to type and to say; nothing was written", workflow.MinPassphrase)
	}
	c := workflow.PasswordCost
	info, err := server.Backup(context.Background(), *data, *to, pass, vault.Cost{MemoryKiB: c.MemoryKiB, Time: c.Time, Threads: c.Threads})
	if err != nil {
		return err
	}
	from := "the running server"
	if !info.Live {
		from = "the stopped server's folder"
	}
	st, _ := os.Stat(info.Path)
	var size int64
	if st != nil {
		size = st.Size()
	}
	fmt.Fprintf(e.stdout, "Backup written: %s\n  from %s: the database (revision %d, %d keys, %s), %d scans (%s), the certificates and the desks' records; %s in all, sealed with the passphrase\n",
		info.Path, from, info.Revision, info.Keys, megabytes(info.SnapshotBytes), info.Blobs, megabytes(info.BlobBytes), megabytes(size))
	fmt.Fprintf(e.stdout, "It holds the office's CA key: keep it and its passphrase apart. Restore it with: fieldprint serve restore --data %s %s\n", *data, info.Path)
	return nil
}

// cmdServeRestore restores a server's backup into its folder (the server
// stopped); the replaced parts are set aside.
func cmdServeRestore(e env, args []string) error {
	fs := plainFlags(e, "serve restore", "--data DIR FILE")
	data := fs.String("data", "", "the office server's folder (required; the server stopped)")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(e.stderr, "fieldprint serve restore: --data is required")
		return errUsage
	}
	pass, ok := os.LookupEnv(serverPassphraseEnv)
	if !ok {
		if pass, err = readSecret(e, "Passphrase of "+filepath.Base(pos[0])+": "); err != nil {
			return fp.Errorf(fp.EINVALID, "cannot read the passphrase: %v", err)
		}
	}
	info, err := server.Restore(*data, pos[0], pass)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Restored the office server's backup of %s UTC (%d scans) into %s.\n", info.Made.Format("2006-01-02 15:04"), info.Blobs, *data)
	if info.KeptCerts {
		fmt.Fprintln(e.stdout, "The folder's certificates and desks are kept (the same office CA): desks added or removed since the backup stay so.")
	} else {
		fmt.Fprintln(e.stdout, "The backup's certificates and desks are restored: the desks' files of this office connect again.")
	}
	if info.Aside != "" {
		fmt.Fprintf(e.stdout, "What it replaced is kept in %s: delete it once the restored server works.\n", info.Aside)
	}
	fmt.Fprintln(e.stdout, "Start the server: desks that saw later changes read everything again by themselves.")
	return nil
}

// cmdDesk manages the desks admitted to the office server.
func cmdDesk(e env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return cmdDeskAdd(e, args[1:])
		case "remove":
			return cmdDeskRemove(e, args[1:])
		case "list":
			return cmdDeskList(e, args[1:])
		case "renew":
			return cmdDeskRenew(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "Usage: fieldprint desk %s\n", deskArgs)
	return errUsage
}

func cmdDeskAdd(e env, args []string) error {
	fs := plainFlags(e, "desk add", "NAME --data DIR --out FILE")
	data := fs.String("data", "", "the office server's folder (required)")
	out := fs.String("out", "", "the desk's file to write: its certificate, its key and the office's CA (required)")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *data == "" || *out == "" {
		fmt.Fprintln(e.stderr, "fieldprint desk add: --data and --out are required")
		return errUsage
	}
	if _, err := os.Stat(*out); err == nil {
		return fp.Errorf(fp.EINVALID, "%s exists already: choose another --out", *out)
	}
	if err := server.CheckDeskName(pos[0]); err != nil {
		return err
	}
	file, admitted, err := server.IssueDesk(*data, pos[0])
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, file, 0o600); err != nil {
		return fp.Errorf(fp.EINTERNAL, "the desk's file cannot be written to %s: %s (the desk's certificate is made: add it again under another name)", *out, errText(err))
	}
	fmt.Fprintf(e.stdout, "Desk %q: %s (keep it private: it admits the desk; copy it to the desk and delete it here).\n", pos[0], *out)
	if admitted {
		fmt.Fprintln(e.stdout, "The running server admits it now.")
	} else {
		fmt.Fprintln(e.stdout, "The server admits it when it next starts (it was not running, or did not answer).")
	}
	return nil
}

// cmdDeskRemove revokes a desk: the server no longer admits it.
func cmdDeskRemove(e env, args []string) error {
	fs := plainFlags(e, "desk remove", "NAME --data DIR")
	data := fs.String("data", "", "the office server's folder (required)")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(e.stderr, "fieldprint desk remove: --data is required")
		return errUsage
	}
	now, err := server.RemoveDesk(*data, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Desk %q is removed: its file no longer admits it (its name is not given again).\n", pos[0])
	if now {
		fmt.Fprintln(e.stdout, "The running server refuses it now.")
	} else {
		fmt.Fprintln(e.stdout, "The server refuses it when it next starts (it was not running, or did not answer); its scans are refused already.")
	}
	return nil
}

// cmdDeskList lists the desks added to the server, and those removed.
func cmdDeskList(e env, args []string) error {
	fs := plainFlags(e, "desk list", "--data DIR")
	data := fs.String("data", "", "the office server's folder (required)")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	if *data == "" {
		fmt.Fprintln(e.stderr, "fieldprint desk list: --data is required")
		return errUsage
	}
	list, err := server.DeskList(*data)
	if err != nil {
		return fp.Internal("the desks of "+*data+" cannot be read", err)
	}
	now := time.Now()
	admitted, removed := 0, 0
	for _, d := range list {
		switch {
		case d.Removed:
			removed++
			fmt.Fprintf(e.stdout, "%s (removed)\n", d.Name)
		default:
			admitted++
			if d.Ends.IsZero() {
				fmt.Fprintf(e.stdout, "%s  its certificate's record cannot be read: fieldprint desk renew %q --data %s --out FILE\n", d.Name, d.Name, *data)
				continue
			}
			line := d.Name + "  certificate ends " + d.Ends.Format("2006-01-02")
			if !d.PreviousEnds.IsZero() {
				line += " (renewed; the previous one admits it until " + d.PreviousEnds.Format("2006-01-02") + ")"
			}
			switch {
			case !now.Before(d.Ends):
				line += fmt.Sprintf("  ENDED: fieldprint desk renew %q --data %s --out FILE", d.Name, *data)
			case d.Ends.Sub(now) <= server.RenewWithin:
				line += fmt.Sprintf("  ends soon: fieldprint desk renew %q --data %s --out FILE", d.Name, *data)
			}
			fmt.Fprintln(e.stdout, line)
		}
	}
	fmt.Fprintf(e.stdout, "%d desk(s) admitted, %d removed.\n", admitted, removed)
	if ends, err := server.CAEnds(*data); err == nil {
		fmt.Fprintf(e.stdout, "The office's certificate authority ends %s.\n", ends.Format("2006-01-02"))
		if w := server.CAWarning(*data, ends, now); w != "" {
			fmt.Fprintln(e.stderr, "Warning: "+w)
		}
	}
	return nil
}

// cmdDeskRenew issues an admitted desk a new certificate and key.
func cmdDeskRenew(e env, args []string) error {
	fs := plainFlags(e, "desk renew", "NAME --data DIR --out FILE")
	data := fs.String("data", "", "the office server's folder (required)")
	out := fs.String("out", "", "the desk's new file to write: its new certificate, its new key and the office's CA (required)")
	pos, err := positional(fs, args, 1)
	if err != nil {
		return err
	}
	if *data == "" || *out == "" {
		fmt.Fprintln(e.stderr, "fieldprint desk renew: --data and --out are required")
		return errUsage
	}
	if _, err := os.Stat(*out); err == nil {
		return fp.Errorf(fp.EINVALID, "%s exists already: choose another --out", *out)
	}
	file, err := server.RenewDesk(*data, pos[0])
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, file, 0o600); err != nil {
		return fp.Errorf(fp.EINTERNAL, "the desk's new file cannot be written to %s: %s (the new certificate is recorded: renew it again to get a file)", *out, errText(err))
	}
	fmt.Fprintf(e.stdout, "Desk %q renewed: %s (keep it private; copy it to the desk and delete it here).\n", pos[0], *out)
	fmt.Fprintln(e.stdout, "At the desk, connect once with it: fieldprint --server https://HOST:2379 --desk-file FILE (the window remembers it). Its previous file keeps working until its certificate ends.")
	return nil
}

const deskArgs = "add NAME --data DIR --out FILE | renew NAME --data DIR --out FILE | remove NAME --data DIR | list --data DIR"
