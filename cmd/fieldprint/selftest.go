package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store"
	"github.com/fieldprint/fieldprint/ui"
)

// cmdSelfTest opens the real window on a throw-away demo office and drives
// it through every screen each demo account has (ui.SelfTest): what an
// office's IT runs on a new PC, and what make test runs under Xvfb.
func cmdSelfTest(e env, args []string) error {
	fs := flag.NewFlagSet("self-test", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	shots := fs.String("screenshots", "", "write each screen as a PNG into this directory")
	sizeFlag := fs.String("size", "1366x768", "the window's size, WIDTHxHEIGHT")
	timeout := fs.Duration("timeout", 2*time.Minute, "fail when the whole run takes longer")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: fieldprint self-test [--screenshots DIR] [--size WxH] [--timeout D]\n")
		fs.PrintDefaults()
	}
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "fieldprint self-test: --size: %v\n", err)
		return errUsage
	}
	if !realWindow {
		return fp.Errorf(fp.EINVALID, "self-test needs the real window: this fieldprint was built for tests (-tags ci); build it with make build")
	}
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			return fp.Errorf(fp.EINVALID, "cannot create %s: %v", *shots, errText(err))
		}
	}
	// Everything in a temporary directory: the database, and Fyne's settings
	// and preferences (the user's own are neither read nor written).
	tmp, err := os.MkdirTemp("", "fieldprint-self-test-")
	if err != nil {
		return fp.Internal("cannot create a temporary directory", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "config")); err != nil {
		return fp.Internal("cannot set XDG_CONFIG_HOME", err)
	}
	isolateWindowsSettings(tmp) // Fyne's settings on Windows ignore XDG_CONFIG_HOME (selftest_windows.go)
	db, err := store.Open(filepath.Join(tmp, "self-test.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	a := app.NewWithID("gov.uscis.fieldprint")
	u := ui.New(a, db, "self-test")
	st := &ui.SelfTest{Size: size, Dir: *shots, Out: e.stdout}
	// The window's thread may hang: then nothing can quit the app.
	watchdog := time.AfterFunc(*timeout, func() {
		fmt.Fprintf(e.stderr, "fieldprint: self-test: not finished after %s (at: %s)\n", *timeout, st.Step())
		os.RemoveAll(tmp)
		os.Exit(1)
	})
	defer watchdog.Stop()
	result := make(chan error, 1)
	u.SelfTest(st, func(err error) {
		result <- err
		fyne.Do(a.Quit)
	})
	a.Run()
	select {
	case err = <-result:
	default:
		err = fp.Errorf(fp.EINTERNAL, "self-test: the window closed before the self-test finished (at: %s)", st.Step())
	}
	if err != nil {
		var e *fp.Error
		if !errors.As(err, &e) {
			err = fp.Errorf(fp.EINTERNAL, "self-test: %v", err)
		}
		return err
	}
	if errs := db.Check(); len(errs) > 0 {
		return fp.Errorf(fp.EINTERNAL, "self-test: the database fails its consistency check: %v", errors.Join(errs...))
	}
	return nil
}

// parseSize reads WIDTHxHEIGHT.
func parseSize(s string) (fyne.Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	wi, err1 := strconv.Atoi(w)
	hi, err2 := strconv.Atoi(h)
	if !ok || err1 != nil || err2 != nil || wi < 320 || hi < 240 || wi > 16384 || hi > 16384 {
		return fyne.Size{}, fmt.Errorf("%q is not WIDTHxHEIGHT in pixels (e.g. 1366x768, at least 320x240)", s)
	}
	return fyne.NewSize(float32(wi), float32(hi)), nil
}
