package main

import (
	"os"
	"path/filepath"
)

// isolateWindowsSettings keeps the self-test out of the user's own Fyne
// settings and preferences on Windows: Fyne keeps them under
// %USERPROFILE%\AppData\Roaming\fyne (os.UserHomeDir), not XDG_CONFIG_HOME.
// Without it the self-test's file dialog left its last folder in the user's
// preferences (seen under Wine).
func isolateWindowsSettings(tmp string) {
	home := filepath.Join(tmp, "profile")
	if os.MkdirAll(filepath.Join(home, "AppData", "Roaming"), 0o700) == nil {
		os.Setenv("USERPROFILE", home)
	}
}
