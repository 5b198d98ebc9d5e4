package main

import (
	"encoding/xml"
	"os"
	"regexp"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// TestOneVersion: FyneApp.toml's Version is the one version. The binary
// (fieldprint version, the About dialog's fp.Version), the newest release of
// the AppStream metainfo, the .msi's .wxs and the .deb's control file say it
// or take it from there. Nothing is built: the sources are read. (make
// dist-check reads the built .deb and .msi.)
func TestOneVersion(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile("../../" + p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// FyneApp.toml, read here without fp's parser.
	m := regexp.MustCompile(`(?ms)^\[Details\].*?^\s*Version\s*=\s*"([^"]+)"`).FindStringSubmatch(read("FyneApp.toml"))
	if m == nil {
		t.Fatal("FyneApp.toml: no Version in [Details]")
	}
	want := m[1]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(want) {
		t.Errorf("FyneApp.toml Version %q: Windows Installer and Debian both want MAJOR.MINOR.PATCH", want)
	}
	if fp.Version() != want {
		t.Errorf("fp.Version() = %q, FyneApp.toml says %q", fp.Version(), want)
	}

	code, out, errs := fieldprint(t, "", "version", "--db", "/tmp/x.db")
	if code != 0 || !strings.HasPrefix(out, "fieldprint "+want+"\n") || !strings.Contains(out, "database /tmp/x.db\n") {
		t.Errorf("fieldprint version: %d %q %q", code, out, errs)
	}

	// The metainfo's newest release (the first listed) is this version, and
	// releases are newest first.
	var meta struct {
		ID       string `xml:"id"`
		Releases []struct {
			Version string `xml:"version,attr"`
			Date    string `xml:"date,attr"`
		} `xml:"releases>release"`
	}
	if err := xml.Unmarshal([]byte(read("packaging/linux/gov.uscis.fieldprint.metainfo.xml")), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.ID != "gov.uscis.fieldprint" || len(meta.Releases) == 0 || meta.Releases[0].Version != want {
		t.Errorf("metainfo: id %q, releases %+v; the first must be %s", meta.ID, meta.Releases, want)
	}
	for i := 1; i < len(meta.Releases); i++ {
		if meta.Releases[i].Date > meta.Releases[i-1].Date {
			t.Errorf("metainfo: release %s (%s) is listed after an older one", meta.Releases[i].Version, meta.Releases[i].Date)
		}
	}

	// The .wxs takes the version make dist passes (from FyneApp.toml), and its
	// UpgradeCode never changes: a new one would install beside the old
	// Fieldprint instead of upgrading it.
	var wxs struct {
		Product struct {
			Version     string `xml:"Version,attr"`
			UpgradeCode string `xml:"UpgradeCode,attr"`
		} `xml:"Product"`
	}
	if err := xml.Unmarshal([]byte(read("packaging/windows/fieldprint.wxs")), &wxs); err != nil {
		t.Fatal(err)
	}
	if v := wxs.Product.Version; v != "$(var.Version)" && v != want {
		t.Errorf(".wxs Product Version %q: want $(var.Version) or %s", v, want)
	}
	if wxs.Product.UpgradeCode != "C0D894FF-6966-471C-9411-4C883257D4A4" {
		t.Errorf(".wxs UpgradeCode changed to %q: installed copies would no longer be upgraded", wxs.Product.UpgradeCode)
	}
	// make dist fills both from FyneApp.toml, through pkgtool version (fp.Version).
	dist := read("packaging/dist.sh")
	for _, s := range []string{`VERSION=$("$GO" run ./packaging/pkgtool version)`, `-D Version="$VERSION"`, `s/@VERSION@/$VERSION/`} {
		if !strings.Contains(dist, s) {
			t.Errorf("packaging/dist.sh no longer has %s", s)
		}
	}
	if !strings.Contains(read("packaging/linux/control"), "\nVersion: @VERSION@\n") {
		t.Error("packaging/linux/control: Version must be @VERSION@ (filled by make dist)")
	}
}
