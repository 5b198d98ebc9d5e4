package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore/server"
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

const serveArgs = "--data DIR [--listen HOST:PORT] [--host NAME]..."

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
	admitted, removed, err := server.Desks(*data)
	if err != nil {
		return fp.Internal("the desks of "+*data+" cannot be read", err)
	}
	for _, n := range admitted {
		fmt.Fprintf(e.stdout, "%s\n", n)
	}
	for _, n := range removed {
		fmt.Fprintf(e.stdout, "%s (removed)\n", n)
	}
	fmt.Fprintf(e.stdout, "%d desk(s) admitted, %d removed.\n", len(admitted), len(removed))
	return nil
}

const deskArgs = "add NAME --data DIR --out FILE | remove NAME --data DIR | list --data DIR"
