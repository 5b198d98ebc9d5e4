package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fieldprint/fieldprint/officedesk"
)

// Which office a command opens: --db, then --server, $FIELDPRINT_SERVER,
// $FIELDPRINT_DB, the remembered server, the default file; the
// connection flags are taken out of the arguments wherever they are.
func TestServerPrecedence(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	for _, k := range []string{"FIELDPRINT_DB", "FIELDPRINT_SERVER", "FIELDPRINT_DESK_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	defer func() { conn.server, conn.deskFile = "", "" }()
	args, err := takeConnFlags([]string{"list", "--server=office:2379", "--search", "x", "-desk-file", "a.desk"})
	if err != nil || len(args) != 3 || args[0] != "list" || args[2] != "x" || conn.server != "office:2379" || conn.deskFile != "a.desk" {
		t.Fatalf("flags taken: %q %+v %v", args, conn, err)
	}
	check := func(what, db string, wantOn bool, wantServer, wantDesk string) {
		t.Helper()
		cfg, on, err := serverFor(db)
		if err != nil || on != wantOn || on && (cfg.Server != wantServer || cfg.DeskFile != wantDesk) {
			t.Errorf("%s: on %v %q %q (%v), want on %v %q %q", what, on, cfg.Server, cfg.DeskFile, err, wantOn, wantServer, wantDesk)
		}
	}
	check("--server", "", true, "https://office:2379", "a.desk")
	check("--db beats --server", "own.db", false, "", "")
	conn.server, conn.deskFile = "", ""
	t.Setenv("FIELDPRINT_SERVER", "https://env-host")
	t.Setenv("FIELDPRINT_DESK_FILE", "env.desk")
	t.Setenv("FIELDPRINT_DB", "env.db")
	check("$FIELDPRINT_SERVER beats $FIELDPRINT_DB", "", true, "https://env-host:2379", "env.desk")
	os.Unsetenv("FIELDPRINT_SERVER")
	check("$FIELDPRINT_DB", "", false, "", "")
	os.Unsetenv("FIELDPRINT_DB")
	os.Unsetenv("FIELDPRINT_DESK_FILE")
	check("nothing", "", false, "", "")

	// The window remembers a server: commands on this desk use it, with the
	// private copy of the desk's file.
	file := filepath.Join(t.TempDir(), "intake.desk")
	os.WriteFile(file, []byte("desk"), 0o600)
	if err := remember(officedesk.Config{Server: "https://office:2379", DeskFile: file}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(rememberedDesk()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the remembered desk's file: %v %v", fi, err)
	}
	check("remembered", "", true, "https://office:2379", rememberedDesk())
	conn.server = "off"
	check("--server off", "", false, "", "")
	conn.server = ""
	if err := forgetServer(); err != nil {
		t.Fatal(err)
	}
	check("forgotten", "", false, "", "")
}
