package fieldprint

import (
	_ "embed"
	"strconv"
	"strings"
)

// fyneApp is the application's metadata file. Its [Details] Version is the
// one version of Fieldprint: the binary (fieldprint version, the About
// dialog), the .deb, the .msi and the AppStream metainfo all say it, and a
// test in cmd/fieldprint checks that they agree.
//
//go:embed FyneApp.toml
var fyneApp string

// Version is the release version, "0.1.0": FyneApp.toml's [Details] Version.
func Version() string { v, _ := appDetails(); return v }

// Build is FyneApp.toml's [Details] Build, the packaging tool's build counter
// (0 when absent).
func Build() int { _, b := appDetails(); return b }

// appDetails reads Version and Build from FyneApp.toml's [Details] table. It
// reads only that table's simple key = value lines: the file is ours, and a
// test parses it independently.
func appDetails() (version string, build int) {
	section := ""
	for _, line := range strings.Split(fyneApp, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || section != "Details" {
			continue
		}
		val = strings.TrimSpace(val)
		if rest, quoted := strings.CutPrefix(val, `"`); quoted {
			val, _, _ = strings.Cut(rest, `"`)
		} else {
			val, _, _ = strings.Cut(val, "#")
			val = strings.TrimSpace(val)
		}
		switch strings.TrimSpace(key) {
		case "Version":
			version = val
		case "Build":
			build, _ = strconv.Atoi(val)
		}
	}
	if version == "" {
		version = "0.0.0"
	}
	return version, build
}
