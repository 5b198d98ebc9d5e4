package fieldprint

import "testing"

func TestAppDetails(t *testing.T) {
	defer func(s string) { fyneApp = s }(fyneApp)
	for _, c := range []struct {
		toml    string
		version string
		build   int
	}{
		{"[Details]\nVersion = \"1.2.3\"\nBuild = 7\n", "1.2.3", 7},
		{"Website = \"x\"\r\n\r\n[Details]\r\n  Version=\"2.0.0\"  # the release\r\n  Build = 12\r\n[Other]\r\nVersion = \"9\"\r\n", "2.0.0", 12},
		{"[Other]\nVersion = \"9.9.9\"\n", "0.0.0", 0},
	} {
		fyneApp = c.toml
		if v, b := Version(), Build(); v != c.version || b != c.build {
			t.Errorf("%q: %q %d, want %q %d", c.toml, v, b, c.version, c.build)
		}
	}
}
