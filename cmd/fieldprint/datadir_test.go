package main

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestDataDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	home := func(h string) func() (string, error) {
		return func() (string, error) {
			if h == "" {
				return "", errors.New("no home")
			}
			return h, nil
		}
	}
	j := filepath.Join
	for _, c := range []struct {
		goos string
		env  map[string]string
		home string
		want string
	}{
		// Windows: the local (not roaming) application data, whoever the user is.
		{"windows", map[string]string{"LOCALAPPDATA": `C:\Users\José Müller\AppData\Local`}, `C:\Users\José Müller`, j(`C:\Users\José Müller\AppData\Local`, "Fieldprint")},
		{"windows", map[string]string{"LOCALAPPDATA": `D:\Profiles\Nguyễn Thị\AppData\Local`, "XDG_DATA_HOME": "/ignored"}, "", j(`D:\Profiles\Nguyễn Thị\AppData\Local`, "Fieldprint")},
		{"windows", nil, `C:\Users\ana`, j(`C:\Users\ana`, "AppData", "Local", "Fieldprint")},
		{"linux", map[string]string{"XDG_DATA_HOME": "/srv/my data"}, "/home/ana", "/srv/my data/fieldprint"},
		{"linux", map[string]string{"LOCALAPPDATA": "/ignored"}, "/home/łukasz", "/home/łukasz/.local/share/fieldprint"},
		{"linux", nil, "", "fieldprint"},
	} {
		if got := dataDirFor(c.goos, env(c.env), home(c.home)); got != c.want {
			t.Errorf("%s %v home %q: %q, want %q", c.goos, c.env, c.home, got, c.want)
		}
	}
}
