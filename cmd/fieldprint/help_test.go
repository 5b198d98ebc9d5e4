package main

import (
	"strings"
	"testing"
)

func TestHelpListsEveryCommand(t *testing.T) {
	for _, flag := range []string{"--help", "-h", "-help"} {
		code, out, errs := fieldprint(t, "", flag)
		if code != 0 || errs != "" || strings.Contains(out, "fieldprint fieldprint") || !strings.Contains(out, "--lock-after") {
			t.Errorf("%s: %d %q %q", flag, code, out, errs)
		}
		for _, c := range commands {
			if !strings.Contains(out, "\n  fieldprint "+c.name+" ") {
				t.Errorf("%s does not list %s", flag, c.name)
			}
		}
	}
	// A command's own help is its flags, as before.
	if code, _, errs := fieldprint(t, "", "attach", "--help"); code != 0 || !strings.HasPrefix(errs, "Usage: fieldprint attach NUMBER") {
		t.Errorf("attach --help: %d %q", code, errs)
	}
}
