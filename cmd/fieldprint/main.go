// Command fieldprint is the Fieldprint desktop application and its CLI.
//
//	fieldprint [--db PATH]                 open the GUI
//	fieldprint demo [--requests N]         fill a new database with demo requests
//	fieldprint import FILE.csv             import a spreadsheet tracker (all or nothing)
//	fieldprint list [--status S] [--category C] [--search Q] [--format table|csv|json]
//	fieldprint export [--format csv|json] [-o FILE]
//
// Exit status: 0 success, 1 invalid input or refused operation, 2 usage error.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/workflow"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// errUsage marks a usage error (exit 2); the flag package has printed it.
var errUsage = errors.New("usage")

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lines          *bufio.Reader // stdin read line by line, shared by every prompt
}

type command struct {
	name, args, help string
	run              func(e env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"demo", "[--requests N]", "fill a new, empty database with realistic demo requests", cmdDemo},
		{"import", importArgs, "import an office's tracker (CSV from Excel in any encoding and separator): its columns and values mapped, statuses, appointments to come, past collections and notes brought along; all rows or none", cmdImport},
		{"list", "[--status S] [--category C] [--search Q] [--incomplete] [--format table|csv|json]", "list requests, oldest first", cmdList},
		{"export", "[--format csv|json] [--encrypt] [-o FILE]", "export every request (the CSV imports again as is); --encrypt seals it with a passphrase", cmdExport},
		{"decrypt", "FILE [-o OUT]", "open an export sealed with a passphrase (fieldprint export --encrypt, or the window's Export… with a passphrase)", cmdDecrypt},
		{"record", "NUMBER -o FILE.pdf --user NAME", "print a request's record for the paper file as PDF", cmdRecord},
		{"letter", "NUMBER -o FILE.pdf [--reason TEXT] --user NAME", "the letter to the applicant the request's status calls for (appointment letter once scheduled, --reason to print it again; denial letter; missing-documents letter while awaiting documents)", cmdLetter},
		{"office", "show | set [--name N] [--address A] [--phone P] [--email E] [--signatory S] [--title T] --user ADMIN | export [-o FILE] | import FILE --user ADMIN", "the office profile: letterhead, hours, capacity and appointment rules (export/import: the whole profile as one JSON file)", cmdOffice},
		{"intake", intakeArgs, "take in an applicant's saved e-mail (.eml, or Outlook's .msg): show the request it prefills (sender, date, numbers, a guessed category, the text as basis, each attachment checked and its checklist item), then record it with its attachments and the message kept, or with --into add them to the applicant's open request", cmdIntake},
		{"attach", "NUMBER --kind notice|passport|asc-notice|supporting [--person NAME] FILE --user NAME", "attach a scan (PDF, JPEG or PNG) to a request's checklist", cmdAttach},
		{"checklist", "NUMBER [--format table|json]", "show what a request must contain and where each document stands", cmdChecklist},
		{"verify-doc", "NUMBER ITEM verified|rejected [--shows ID] [--reason R] [--note TEXT] --user NAME", "record the check of one attached document (ITEM: its number or key from checklist)", cmdVerifyDoc},
		{"letters", "--date YYYY-MM-DD | --unprinted -o FILE.pdf --user NAME", "all appointment letters for one day, or all not yet printed, as one PDF", cmdLetters},
		{"book", "NUMBER --next-available | [--person NAME] --at \"YYYY-MM-DD HH:MM\" [--station N] [--override --reason TEXT] --user NAME", "book appointments for a request marked eligible (booking a person again after a cancellation is a reschedule: past the limit a director may --override)", cmdBook},
		{"reschedule", "NUMBER [--person NAME] --at \"YYYY-MM-DD HH:MM\" [--station N] --reason TEXT [--override] --user NAME", "move one person's appointment (the cut-off and limit bind clerks; a director may --override)", cmdReschedule},
		{"cancel", "NUMBER [--person NAME] --reason TEXT [--override] --user NAME", "cancel one person's appointment; the slot is free at once (within the cut-off a director may --override)", cmdCancel},
		{"calendar", "[--from D] [--to D] [--detail] [--format table|json]", "how full each day is, and with --detail who is booked", cmdCalendar},
		{"today", "[--date D] [--format table|json]", "the day's appointments per time and station with their status (marks missed ones first when the office does so at closing time)", cmdToday},
		{"checkin", "CODE|NUMBER [--person NAME] --id KIND [--id-note TEXT] [--name-mismatch NOTE] [--override --reason TEXT] --user NAME", "check a person in (CODE: the letter's barcode); after a missed appointment, within the walk-in window and the public hours, as a walk-in", cmdCheckIn},
		{"collect", "NUMBER [--person NAME] --captured fingerprints,photo,signature [--code 1|2|3] --user NAME", "record the biometrics collected; the request completes when everyone is collected", cmdCollect},
		{"stamp", "NUMBER [--person NAME] -o FILE.pdf --user NAME", "print the signed stamped notice that proves collection", cmdStamp},
		{"verify", "CODE|QR-TEXT [--public-key FILE] [--format text|json]", "say whether a stamped notice is genuine and what it certifies (exit 1 if not)", cmdVerify},
		{"stamp-key", "[-o FILE]", "the office's public key for stamped notices (PEM), to publish", cmdStampKey},
		{"close-day", "[--date D] --user NAME", "mark the day's unresolved appointments missed (after the public hours)", cmdCloseDay},
		{"decide", "NUMBER await|triage|eligible|refer|approve|deny|withdraw [--reason TEXT] --user NAME", "change a request's status through the same checks as the window", cmdDecide},
		{"user", "add NAME --role R --full-name \"NAME\" [--badge B] --password-stdin | list | details NAME --full-name \"NAME\" [--badge B] | disable NAME | enable NAME | unlock NAME | passwd NAME --password-stdin", "manage staff accounts (the window's Users screen does the same)", cmdUser},
		{"keys", "status | setup --user ADMIN | new-recovery --user ADMIN | recover ADMIN", "the office data key: make it on an older database, replace the recovery key, or set a lost administrator password with it", cmdKeys},
		{"self-test", "[--screenshots DIR] [--size WxH] [--timeout D] [--capture gl|x11] [--keystrokes N [--db PATH]]", "open the real window on a throw-away demo office, go through every screen as each demo account, and fail on a crash or a blank window (a new PC's check); with --keystrokes, time the queue's search key by key instead", cmdSelfTest},
		{"report", reportArgs, "how the office is doing in a period against the one before it: requests received by category, waits for a decision and an appointment (median, 90th percentile), All others approved and denied, appointments booked, completed, missed and rescheduled, places used, letters, reprints, stamps, purges; --list shows the requests behind a figure (directors and administrators)", cmdReport},
		{"audit", "verify [--checkpoint COUNT:HASH] | checkpoint | list [--user U] [--action A] [--request FP] [--from D] [--to D]", "check and read the audit trail", cmdAudit},
		{"backup", backupArgs, "write one encrypted, self-checking backup of the office (database, scans, stamp key) while it is in use, into the backup folder or --to; status: the settings and the backups there; set: the folder and how many to keep", cmdBackup},
		{"restore", "FILE [--admin NAME] [--yes]", "check a backup whole with the recovery key (or --admin's password), then replace the office with it; a stop at any moment leaves the old office or the new one", cmdRestore},
		{"retention", retentionArgs, "how long closed requests' data is kept, per outcome (completed, denied, withdrawn), before the purge destroys it", cmdRetention},
		{"hold", holdArgs, "put a request on legal hold (no purge destroys it) or release it (directors and administrators)", cmdHold},
		{"purge", purgeArgs, "destroy the data of closed requests past their retention (or the NUMBERs named, closed, not on hold), confirmed by a director and an administrator: their keys are shredded, scans deleted, backups in the backup folder rewritten; a tombstone without personal data and a destruction report stay", cmdPurge},
		{"serve", serveArgs, "run the office's store server (embedded etcd, TLS, one certificate per desk) so several desks share one office; the first start makes the office's certificate authority in DIR; serve backup writes the server's own sealed backup (running or stopped), serve restore restores one (the server stopped)", cmdServe},
		{"desk", deskArgs, "the office server's desks: add one (a file with its certificate, its key and the office's CA, for the desk to import), renew one's certificate (a new file; the old one works until it ends), remove one (the server no longer admits it), list them with their certificates' ends", cmdDesk},
		{"check", "", "check the database file for damage and its indexes against the records (exit 1 if a problem is found)", cmdCheck},
		{"version", "", "the version, build and platform, and the database a command would open", cmdVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  fieldprint [--db PATH] [--lock-after DURATION]\n        open the Fieldprint window (it locks after DURATION without activity, default 10m; 0 never)\n")
	for _, c := range commands {
		db := " [--db PATH]"
		if c.name == "self-test" || c.name == "serve" || c.name == "desk" {
			db = "" // its own temporary database
		}
		fmt.Fprintf(w, "  fieldprint %s%s\n        %s\n", strings.TrimSpace(c.name+" "+c.args), db, c.help)
	}
	fmt.Fprintf(w, "\nThe database is %s unless --db or FIELDPRINT_DB names another.\n", defaultDBPath())
	fmt.Fprintf(w, "On an office server (fieldprint serve), every command and the window work on the server with\n  fieldprint --server https://HOST:2379 --desk-file FILE [COMMAND ...]\n"+
		"(or $FIELDPRINT_SERVER and $FIELDPRINT_DESK_FILE); the window remembers the server, --server off forgets it.\n")
}

// helpAsked reports whether args (no command given) ask for help: that is
// the whole usage, not the window's own flags.
func helpAsked(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin, stdout, stderr, bufio.NewReader(stdin)}
	conn.server, conn.deskFile = "", ""
	args, err := takeConnFlags(args) // connect.go
	if err != nil {
		fmt.Fprintln(stderr, "fieldprint:", fp.ErrorMessage(err))
		return 2
	}
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "" && helpAsked(args) {
		usage(stdout)
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if name != "" && cmd == nil {
		fmt.Fprintf(stderr, "fieldprint: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	if cmd == nil {
		err = runGUI(e, args)
	} else {
		err = cmd.run(e, args)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(stderr, "fieldprint:", fp.ErrorMessage(err))
	if errors.Is(err, workflow.ErrLocked) {
		fmt.Fprintln(stderr, "fieldprint: say who you are with --user NAME or $FIELDPRINT_USER; the password comes from $FIELDPRINT_PASSWORD or a prompt")
	}
	return 1
}

// newFlags returns a flag set with the --db flag every command takes.
func newFlags(e env, name, args string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := fs.String("db", "", "database file (default: $FIELDPRINT_DB or "+defaultDBPath()+")")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: fieldprint %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs, db
}

// parse parses flags (flags may follow positional arguments too).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// positional parses flags and requires exactly n other arguments.
func positional(fs *flag.FlagSet, args []string, n int) ([]string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// dbPath applies the precedence --db, then FIELDPRINT_DB, then the default.
func dbPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if p := os.Getenv("FIELDPRINT_DB"); p != "" {
		return p
	}
	return defaultDBPath()
}

// defaultDBPath is in the user's data directory (dataDir): on Linux
// $XDG_DATA_HOME/fieldprint or ~/.local/share/fieldprint, on Windows
// %LOCALAPPDATA%\Fieldprint.
func defaultDBPath() string {
	return filepath.Join(dataDir(), "fieldprint.db")
}
