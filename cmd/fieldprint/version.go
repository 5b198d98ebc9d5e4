package main

import (
	"fmt"
	"runtime"

	fp "github.com/fieldprint/fieldprint"
)

// cmdVersion prints the release version (FyneApp.toml's, built in), then
// what a support call asks next: the build, the platform and the database
// this command line would open.
//
//	fieldprint 0.1.0
//	build 1, go1.26.8, windows/amd64
//	database C:\Users\Ana\AppData\Local\Fieldprint\fieldprint.db
func cmdVersion(e env, args []string) error {
	fs, dbFlag := newFlags(e, "version", "[--db PATH]")
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "fieldprint %s\n", fp.Version())
	fmt.Fprintf(e.stdout, "build %d, %s, %s/%s\n", fp.Build(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "database %s\n", dbPath(*dbFlag))
	return nil
}
