package main

import (
	"os"
	"path/filepath"
	"runtime"
)

// dataDir is the folder the default database lives in:
//
//   - Windows: %LOCALAPPDATA%\Fieldprint — local, not roaming: a bbolt file
//     is memory-mapped and locked, and must not be copied between PCs at
//     every sign-in; the folder is inside the user's profile, whose access
//     list already admits only that user, SYSTEM and administrators.
//   - elsewhere: $XDG_DATA_HOME/fieldprint, or ~/.local/share/fieldprint.
func dataDir() string {
	return dataDirFor(runtime.GOOS, os.Getenv, os.UserHomeDir)
}

// dataDirFor is dataDir for an operating system and environment (tests give
// Windows' on any machine).
func dataDirFor(goos string, getenv func(string) string, home func() (string, error)) string {
	join := filepath.Join
	if goos == "windows" {
		// Built for Windows, filepath joins with backslashes; a test of this
		// branch on Linux only checks which folder is chosen.
		if d := getenv("LOCALAPPDATA"); d != "" {
			return join(d, "Fieldprint")
		}
		if h, err := home(); err == nil && h != "" {
			return join(h, "AppData", "Local", "Fieldprint")
		}
		return "Fieldprint"
	}
	dir := getenv("XDG_DATA_HOME")
	if dir == "" {
		if h, err := home(); err == nil {
			dir = join(h, ".local", "share")
		} else {
			dir = "."
		}
	}
	return join(dir, "fieldprint")
}
