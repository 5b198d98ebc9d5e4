package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/workflow"
)

// The kill test runs restores and backups in a child process (this test
// binary again) and kills it with SIGKILL at random moments; after each
// kill the office opens as exactly the old one or the new one (same
// digest of every key, sequence, scan and the stamp key), checks clean,
// and the backup folder holds only complete backups under a backup's name.
//
// FIELDPRINT_KILL_ROUNDS sets the number of rounds (default 45: 30
// restores, 15 backups); FIELDPRINT_KILL_SEED reproduces a run.

const (
	envKillChild = "FIELDPRINT_KILL_CHILD" // "restore FILE DB KEY" or "backup DB FOLDER"
	envKillSeed  = "FIELDPRINT_KILL_SEED"
)

func TestBackupKillChild(t *testing.T) {
	args := strings.Split(os.Getenv(envKillChild), "\x1f")
	if len(args) < 3 {
		t.Skip("only runs as the child of TestBackupRestoreKilled")
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	say := func(s string) { os.Stdout.WriteString(s + "\n") }
	switch args[0] {
	case "restore":
		say("start")
		p, err := Prepare(args[1], args[2], workflow.BackupSecret{RecoveryKey: args[3]}, nil)
		if err != nil {
			fail(err)
		}
		say("prepared")
		if _, err := p.Swap(time.Now()); err != nil {
			fail(err)
		}
		say("swapped")
	case "backup":
		db, err := Open(args[1])
		if err != nil {
			fail(err)
		}
		if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
			fail(err)
		}
		say("start")
		for i := 0; i < 50; i++ {
			if _, _, err := db.BackupNow(demo.Admin, args[2], workflow.BackupOptions{Now: time.Now().Add(time.Duration(i) * time.Hour)}); err != nil {
				fail(err)
			}
			say("backup")
		}
	}
	os.Exit(0)
}

// copyTree copies the office's parts at from (a database path) to to.
func copyOffice(t testing.TB, from, to string) {
	t.Helper()
	for _, part := range parts {
		src, dst := partPath(from, part), partPath(to, part)
		os.RemoveAll(dst)
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			out := filepath.Join(dst, rel)
			if d.IsDir() {
				return os.MkdirAll(out, 0o700)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o600)
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// runKilled starts the child and kills it when kill says (given the lines
// it printed so far through a channel); it returns what it printed.
func runKilled(t *testing.T, child string, kill func(lines <-chan string, done <-chan struct{})) (out string, finished bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackupKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envKillChild+"="+child)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, done := make(chan string, 1024), make(chan struct{})
	var all strings.Builder
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			lines <- sc.Text()
		}
	}()
	kill(lines, done)
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return all.String(), false
	}
	if err != nil {
		t.Fatalf("the child failed: %v: %s", err, stderr.String())
	}
	return all.String(), true
}

func waitLine(lines <-chan string, done <-chan struct{}, want string) {
	for {
		select {
		case l := <-lines:
			if l == want {
				return
			}
		case <-done:
			return
		case <-time.After(30 * time.Second):
			return
		}
	}
}

func TestBackupRestoreKilled(t *testing.T) {
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	if testing.Short() {
		t.Skip("kills child processes: not in -short")
	}
	rounds := 45
	if n, err := strconv.Atoi(os.Getenv("FIELDPRINT_KILL_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv(envKillSeed), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (%s=%d reproduces this run)", seed, envKillSeed, seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	dir := t.TempDir()
	pristine := filepath.Join(dir, "pristine", "fieldprint.db")
	rk := demoOffice(t, pristine, 40)
	file := backupOf(t, pristine, filepath.Join(dir, "backups"))
	newDigest := officeDigest(t, pristine)
	// The office then changes: the old one a restore replaces.
	db, err := Open(pristine)
	if err != nil {
		t.Fatal(err)
	}
	db.Authenticate(demo.Clerk.Name, demo.Password)
	in := sample()
	in.ReceiptNumbers, in.ANumber = "IOE0888888888", ""
	if _, err := db.CreateRequest(demo.Clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	oldDigest := officeDigest(t, pristine)
	if oldDigest == newDigest {
		t.Fatal("old and new offices are the same")
	}

	target := filepath.Join(dir, "office", "fieldprint.db")
	os.MkdirAll(filepath.Dir(target), 0o700)
	// One restore to its end, to time it.
	copyOffice(t, pristine, target)
	start := time.Now()
	if _, finished := runKilled(t, strings.Join([]string{"restore", file, target, rk}, "\x1f"), func(_ <-chan string, done <-chan struct{}) { <-done }); !finished {
		t.Fatal("the timing run did not finish")
	}
	full := time.Since(start)
	if officeDigest(t, target) != newDigest {
		t.Fatal("the restore did not give the backup's office")
	}
	t.Logf("a whole restore in a child takes %v", full.Round(time.Millisecond))

	counts := map[string]int{}
	restores := rounds * 2 / 3
	for i := 0; i < restores; i++ {
		copyOffice(t, pristine, target)
		os.RemoveAll(stagingDir(target))
		var how string
		_, finished := runKilled(t, strings.Join([]string{"restore", file, target, rk}, "\x1f"), func(lines <-chan string, done <-chan struct{}) {
			if i%2 == 0 { // anywhere in the run
				d := time.Duration(rng.Int64N(int64(full) * 11 / 10))
				how = fmt.Sprintf("%v after start", d)
				select {
				case <-time.After(d):
				case <-done:
				}
				return
			}
			// In the swap: just after the new office is ready.
			d := time.Duration(rng.Int64N(int64(3 * time.Millisecond)))
			how = fmt.Sprintf("%v after prepared", d)
			waitLine(lines, done, "prepared")
			time.Sleep(d)
		})
		journal := exists(target + journalSuffix)
		got := officeDigest(t, target) // opening finishes a decided restore
		switch {
		case got == oldDigest && !finished:
			counts["old"]++
		case got == newDigest:
			counts["new"]++
			if journal {
				counts["finished by the open"]++
			}
		default:
			t.Fatalf("round %d (killed %s, finished %v, journal %v): the office is neither the old one nor the new one", i, how, finished, journal)
		}
		checkOffice(t, target)
		if exists(target + journalSuffix) {
			t.Fatalf("round %d: the journal is still there after an open", i)
		}
	}

	// Backups killed: the office opens and checks clean, and every file
	// under a backup's name in the folder is complete and reads whole.
	copyOffice(t, pristine, target)
	folder := filepath.Join(dir, "killed-backups")
	for i := restores; i < rounds; i++ {
		d := time.Duration(rng.Int64N(int64(full)))
		runKilled(t, strings.Join([]string{"backup", target, folder}, "\x1f"), func(lines <-chan string, done <-chan struct{}) {
			waitLine(lines, done, "start")
			select {
			case <-time.After(d):
			case <-done:
			}
		})
		checkOffice(t, target)
		list, _ := backup.List(folder)
		for _, f := range list {
			if err := readWhole(f.Path, rk); err != nil {
				t.Fatalf("round %d: %s: %v", i, f.Path, err)
			}
		}
		counts["backups"] = len(list)
	}
	t.Logf("%d rounds: %v", rounds, counts)
	if counts["old"] == 0 || counts["new"] == 0 {
		t.Errorf("the kills never landed on one side: %v", counts)
	}
}

// readWhole reads and checks every record of a backup.
func readWhole(file, rk string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, _, err := workflow.OpenBackup(f, workflow.BackupSecret{RecoveryKey: rk})
	if err != nil {
		return err
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// A stop after any rename of the swap: the next open finishes it.
func TestRestoreStoppedInTheSwap(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src", "fieldprint.db")
	rk := demoOffice(t, src, 5)
	file := backupOf(t, src, dir)
	want := officeDigest(t, src)
	target := filepath.Join(dir, "office", "fieldprint.db")
	os.MkdirAll(filepath.Dir(target), 0o700)
	defer func() { rename = os.Rename }()
	for stop := 0; ; stop++ {
		demoOffice(t, target, 2)
		p, err := Prepare(file, target, workflow.BackupSecret{RecoveryKey: rk}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		rename = func(a, b string) error {
			if n++; n > stop {
				return errors.New("stopped")
			}
			return os.Rename(a, b)
		}
		_, err = p.Swap(time.Now())
		rename = os.Rename
		if err == nil {
			if stop < 4 {
				t.Fatalf("the swap took %d renames", stop)
			}
			break
		}
		if !exists(target + journalSuffix) {
			t.Fatalf("stop %d: no journal", stop)
		}
		if officeDigest(t, target) != want {
			t.Fatalf("stopped after %d renames: the open did not finish the restore", stop)
		}
		checkOffice(t, target)
		for _, part := range parts {
			os.RemoveAll(partPath(target, part))
		}
	}
}
