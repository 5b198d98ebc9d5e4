package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/workflow"
)

// boltLayout is what the damage test needs of a bbolt file: its page size,
// the pages the newest meta page counts, and which of them hold the tree.
type boltLayout struct {
	pageSize int
	pages    int   // the high-water mark: pages [0, pages) are in use or free
	tree     []int // branch and leaf pages (the data), by their headers
}

func layout(t *testing.T, b []byte) boltLayout {
	t.Helper()
	// A meta page: header (16 bytes), magic, version, page size (uint32s),
	// flags, root bucket (16 bytes), free list, high-water mark, txid.
	meta := func(off int) (freelist, pgid, txid uint64, pageSize int) {
		m := b[off+16:]
		return binary.LittleEndian.Uint64(m[32:]), binary.LittleEndian.Uint64(m[40:]), binary.LittleEndian.Uint64(m[48:]), int(binary.LittleEndian.Uint32(m[8:]))
	}
	fl, pgid, txid, ps := meta(0)
	if fl1, p1, t1, _ := meta(ps); t1 > txid {
		fl, pgid = fl1, p1
	}
	l := boltLayout{pageSize: ps, pages: int(pgid)}
	// The free list: a page header, then the free page ids (a count of
	// 0xFFFF means the count is the first id's place).
	free := map[uint64]bool{}
	h := b[int(fl)*ps:]
	n, ids := int(binary.LittleEndian.Uint16(h[10:])), h[16:]
	if n == 0xFFFF {
		n, ids = int(binary.LittleEndian.Uint64(ids)), ids[8:]
	}
	for i := range n {
		free[binary.LittleEndian.Uint64(ids[8*i:])] = true
	}
	for id := 2; id < l.pages; id++ {
		h := b[id*ps:]
		if !free[uint64(id)] && binary.LittleEndian.Uint64(h) == uint64(id) && (h[8] == 0x01 || h[8] == 0x02) {
			l.tree = append(l.tree, id)
		}
	}
	if len(l.tree) < 4 {
		t.Fatalf("the demo database has only %d data pages", len(l.tree))
	}
	return l
}

// A damaged database file (truncated, a zeroed or garbled page, a zeroed
// meta page, empty, not a database at all) must end every command with exit
// 0 or 1 and words, never a panic or a fault: the process would die with a
// stack trace, or hang while holding the office's only lock. Each damage is
// made to a copy of a real database the demo built; fieldprint check must
// name the file whatever it finds.
func TestDamagedDatabaseFiles(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, _, errs := fieldprint(t, "", "demo", "--requests", "12", "--db", base); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	orig, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	l := layout(t, orig)
	ps, used := l.pageSize, l.pages*l.pageSize

	// The undamaged file, with its scans, checks clean.
	if code, out, errs := fieldprint(t, "", "check", "--db", base); code != 0 || out != base+": no problems found\n" {
		t.Fatalf("check of the undamaged file: %d %q %q", code, out, errs)
	}

	type damage struct {
		name    string
		damage  func([]byte) []byte
		refused string // what every command must say, when the damage is certain to be seen at Open
	}
	const isDamaged = " is damaged"
	var cases []damage
	for _, n := range []int{0, 1, 2, 3, l.pages / 4, l.pages / 2, l.pages - 1} {
		cases = append(cases, damage{fmt.Sprintf("truncated to %d pages", n), func(b []byte) []byte { return b[:n*ps] }, isDamaged})
	}
	for _, n := range []int{100, ps + 17, used/2 + 123, used - 1} {
		cases = append(cases, damage{fmt.Sprintf("truncated to %d bytes", n), func(b []byte) []byte { return b[:n] }, isDamaged})
	}
	zero := func(page int) func([]byte) []byte {
		return func(b []byte) []byte { clear(b[page*ps : (page+1)*ps]); return b }
	}
	for i := 0; i < len(l.tree); i += max(1, len(l.tree)/8) {
		cases = append(cases, damage{fmt.Sprintf("data page %d zeroed", l.tree[i]), zero(l.tree[i]), ""})
	}
	cases = append(cases,
		damage{"a page in the middle zeroed", zero(l.pages / 2), ""},
		damage{"first meta page zeroed", zero(0), ""}, // bbolt falls back on the second
		damage{"both meta pages zeroed", func(b []byte) []byte { clear(b[:2*ps]); return b }, "is damaged, or is not a Fieldprint database"},
		damage{"empty", func([]byte) []byte { return nil }, isDamaged + ": the file is empty"},
		damage{"a CSV file", func([]byte) []byte { return []byte("received,full_name\n2026-01-01,Ana\n") }, "is not a Fieldprint database"},
		damage{"random bytes", func(b []byte) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint())
			}
			return b
		}, "is not a Fieldprint database"},
	)
	for seed := uint64(1); seed <= 100; seed++ {
		cases = append(cases, damage{fmt.Sprintf("garbled, seed %d", seed), func(b []byte) []byte {
			r := rand.New(rand.NewPCG(seed, 14))
			if seed%2 == 0 { // a few bytes anywhere in the data
				for range 8 {
					b[2*ps+r.IntN(used-2*ps)] = byte(r.Uint())
				}
				return b
			}
			page := l.tree[r.IntN(len(l.tree))] // one data page, badly
			for range 48 {
				b[page*ps+r.IntN(ps)] = byte(r.Uint())
			}
			return b
		}, ""})
	}

	outcomes := map[string]int{}
	for i, c := range cases {
		path := filepath.Join(dir, fmt.Sprintf("case%d.db", i))
		if err := os.WriteFile(path, c.damage(append([]byte(nil), orig...)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(path+"-scans", os.DirFS(base+"-scans")); err != nil {
			t.Fatal(err)
		}
		if keys, err := os.ReadFile(workflow.KeyStoreBeside(base)); err != nil {
			t.Fatal(err)
		} else if err := os.WriteFile(workflow.KeyStoreBeside(path), keys, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"list"},
			{"user", "add", "zed", "--role", "clerk", "--password-stdin", "--user", "admin"},
			{"export"},
			{"check"},
		} {
			code, out, errs := fieldprint(t, "a long new password\n", append(args, "--db", path)...)
			what := fmt.Sprintf("%s: %s: exit %d %q", c.name, args[0], code, errs)
			switch {
			case code != 0 && code != 1:
				t.Errorf("%s", what)
			case code == 1 && !strings.HasPrefix(errs, "fieldprint: "):
				t.Errorf("%s: no message", what)
			case c.refused != "" && (code != 1 || !strings.Contains(errs, "the database "+path) || !strings.Contains(errs, c.refused)):
				t.Errorf("%s, want %q", what, c.refused)
			case args[0] == "check" && code == 0 && out != path+": no problems found\n":
				t.Errorf("%s: %q", what, out)
			case args[0] == "check" && code == 1 && !strings.Contains(errs, "the database "+path):
				t.Errorf("%s: the file is not named", what)
			}
			if strings.Contains(errs, "goroutine ") {
				t.Errorf("%s: a stack trace", what)
			}
			if args[0] == "check" {
				outcomes[fmt.Sprintf("check exit %d", code)]++
			}
		}
		os.Remove(path)
		os.Remove(workflow.KeyStoreBeside(path))
		os.RemoveAll(path + "-scans")
	}
	t.Logf("%d damaged files: %v", len(cases), outcomes)
}

// The window's start-up (cmd/fieldprint/gui.go) shows Open's error in a
// window; here the process must at least not die before it: run the real
// binary on a truncated file and expect exit 1 and words, not a SIGBUS dump.
func TestDamagedDatabaseInAChildProcess(t *testing.T) {
	if os.Getenv("FIELDPRINT_DAMAGE_CHILD") != "" {
		os.Exit(run(os.Args[len(os.Args)-3:], strings.NewReader(""), os.Stdout, os.Stderr))
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	t.Setenv("FIELDPRINT_PASSWORD", demo.Password)
	t.Setenv("FIELDPRINT_USER", "clerk") // reading the encrypted office needs someone signed in
	if code, _, errs := fieldprint(t, "", "demo", "--requests", "3", "--db", base); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	b, _ := os.ReadFile(base)
	l := layout(t, b)
	path := filepath.Join(dir, "cut.db")
	os.WriteFile(path, b[:(l.pages-1)*l.pageSize], 0o600)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDamagedDatabaseInAChildProcess$", "list", "--db", path)
	cmd.Env = append(os.Environ(), "FIELDPRINT_DAMAGE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(string(out), "fieldprint: the database "+path+" is damaged") {
		t.Fatalf("%v\n%s", err, out)
	}
}
