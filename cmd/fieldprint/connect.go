package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/officedesk"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/workflow"
)

// The office a command or the window works on is this desk's own file
// (store.DB) or the office server (officedesk.Office), chosen, first
// found first, by:
//
//	--db PATH                      this file
//	--server URL [--desk-file F]   the server (before or after the command)
//	$FIELDPRINT_SERVER [$FIELDPRINT_DESK_FILE]
//	$FIELDPRINT_DB                 this file
//	the server the window remembered (office-server.json in the data folder)
//	the default file
//
// The window remembers a server it connected to with --server and
// --desk-file: the address in office-server.json and a copy of the desk's
// file (office-server.desk, mode 0600) in the data folder, so the USB
// stick it came on can go. `--server off` forgets it.

// conn is what --server and --desk-file said.
var conn struct{ server, deskFile string }

// takeConnFlags takes --server and --desk-file (-server, =VALUE or a
// following value) out of args, wherever they are.
func takeConnFlags(args []string) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "server" && name != "desk-file") {
			out = append(out, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fp.Errorf(fp.EINVALID, "--%s needs a value: --server https://HOST:2379 --desk-file FILE", name)
			}
			i++
			value = args[i]
		}
		if name == "server" {
			conn.server = value
		} else {
			conn.deskFile = value
		}
	}
	return out, nil
}

// remembered is the window's remembered server.
type remembered struct {
	Server string `json:"server"`
}

func rememberedPath() string { return filepath.Join(dataDir(), "office-server.json") }
func rememberedDesk() string { return filepath.Join(dataDir(), "office-server.desk") }
func serverStampKey() string { return filepath.Join(dataDir(), "office-server-stamp.key") }
func forgetServer() error {
	return errors.Join(rmIfThere(rememberedPath()), rmIfThere(rememberedDesk()))
}
func rmIfThere(p string) error { err := os.Remove(p); return ignoreNotExist(err) }

func ignoreNotExist(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func readRemembered() (remembered, bool) {
	var r remembered
	data, err := os.ReadFile(rememberedPath())
	if err != nil || json.Unmarshal(data, &r) != nil || r.Server == "" {
		return r, false
	}
	return r, true
}

// remember keeps cfg for the next start: the address and a private copy
// of the desk's file.
func remember(cfg officedesk.Config) error {
	data, err := os.ReadFile(cfg.DeskFile)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir(), 0o700); err != nil {
		return err
	}
	if filepath.Clean(cfg.DeskFile) != rememberedDesk() {
		if err := writeOut(rememberedDesk(), nil, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
		os.Chmod(rememberedDesk(), 0o600)
	}
	j, _ := json.MarshalIndent(remembered{Server: cfg.Server}, "", "  ")
	return writeOut(rememberedPath(), nil, func(w io.Writer) error { _, err := w.Write(append(j, '\n')); return err })
}

// serverFor says whether the office is on a server and how to connect
// (see the top of this file); dbFlag is the command's --db.
func serverFor(dbFlag string) (cfg officedesk.Config, on bool, err error) {
	if dbFlag != "" || conn.server == "off" {
		return cfg, false, nil
	}
	cfg.StampKey = serverStampKey()
	desk := func(deflt string) string {
		switch {
		case conn.deskFile != "":
			return conn.deskFile
		case os.Getenv("FIELDPRINT_DESK_FILE") != "":
			return os.Getenv("FIELDPRINT_DESK_FILE")
		}
		return deflt
	}
	switch {
	case conn.server != "":
		cfg.Server = conn.server
	case os.Getenv("FIELDPRINT_SERVER") != "":
		cfg.Server = os.Getenv("FIELDPRINT_SERVER")
	case os.Getenv("FIELDPRINT_DB") != "":
		return cfg, false, nil
	default:
		r, ok := readRemembered()
		if !ok {
			if conn.deskFile != "" {
				return cfg, false, fp.Errorf(fp.EINVALID, "--desk-file goes with --server https://HOST:2379")
			}
			return cfg, false, nil
		}
		cfg.Server, cfg.DeskFile = r.Server, desk(rememberedDesk())
		return cfg, true, nil
	}
	if cfg.Server, err = etcdstore.Endpoint(cfg.Server); err != nil {
		return cfg, false, err
	}
	if cfg.DeskFile = desk(""); cfg.DeskFile == "" {
		if r, ok := readRemembered(); ok && r.Server == cfg.Server {
			cfg.DeskFile = rememberedDesk()
		} else {
			return cfg, false, fp.Errorf(fp.EINVALID, "say which desk this is: --desk-file FILE (or $FIELDPRINT_DESK_FILE), the file fieldprint desk add made for it")
		}
	}
	return cfg, true, nil
}

// officeDB is an open office: this desk's own file or the office server.
// Commands use the workflow through it, the same on both.
type officeDB struct {
	*workflow.Desk
	file   *store.DB          // this desk's own file; nil on the server
	server *officedesk.Office // the office server; nil on a file
}

// openOffice opens the office dbFlag and the connection settings choose,
// without signing anyone in. On the server, a desk's certificate near its
// end is said on e's standard error.
func openOffice(e env, dbFlag string) (*officeDB, error) {
	cfg, on, err := serverFor(dbFlag)
	if err != nil {
		return nil, err
	}
	if on {
		o, err := officedesk.Open(cfg)
		if err != nil {
			return nil, err
		}
		if w := o.RenewalWarning(time.Now()); w != "" {
			fmt.Fprintln(e.stderr, "Warning: "+w)
		}
		return &officeDB{Desk: o.Desk, server: o}, nil
	}
	db, err := store.Open(dbPath(dbFlag))
	if err != nil {
		return nil, err
	}
	return &officeDB{Desk: db.Desk, file: db}, nil
}

func (o *officeDB) Close() error {
	if o.server != nil {
		return o.server.Close()
	}
	return o.file.Close()
}

// Path names what is open: the database file, or the office server.
func (o *officeDB) Path() string {
	if o.server != nil {
		return "the office server " + o.server.Server() + " (as the desk " + o.server.Name() + ")"
	}
	return o.file.Path()
}

// Check checks the office: the file's pages first, on a file.
func (o *officeDB) Check() []error {
	if o.file != nil {
		return o.file.Check()
	}
	return o.Desk.Check()
}

// fileOnly refuses a command that works on this desk's own file only
// (backups and restores: the office server's are the server's).
func fileOnly(dbFlag, what string) error {
	if _, on, err := serverFor(dbFlag); err != nil {
		return err
	} else if on {
		return fp.Errorf(fp.EINVALID, "%s works on this desk's own file: an office server is backed up on the server (fieldprint serve backup, see OFFICE-SERVER.md); nothing was changed", what)
	}
	return nil
}
