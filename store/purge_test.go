package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/workflow"
)

// The backup made before a purge, restored on another machine with the
// recovery key, opens every request but the purged ones: their keys were
// taken out of it. The restored office finishes those purges at its next
// purge run, and its history verifies.
func TestRestoreAfterPurge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "office.db")
	rk := demoOffice(t, path, 24)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	later := fixedNow().AddDate(3, 0, 0)
	db.Now = func() time.Time { return later }
	if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "backups")
	os.Mkdir(folder, 0o700)
	if err := db.SetBackupConfig(demo.Admin, folder, backup.DefaultRotation, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRetention(demo.Admin, fp.Retention{Completed: 12, Denied: 12, Withdrawn: 12}); err != nil {
		t.Fatal(err)
	}
	rows, _, err := db.FindRequests(fp.RequestFilter{Statuses: []fp.Status{fp.StatusCompleted, fp.StatusDenied, fp.StatusWithdrawn}})
	if err != nil || len(rows) == 0 {
		t.Fatalf("closed demo requests: %d %v", len(rows), err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.FullName)
	}
	// Names only purged requests had (the demo reuses a few).
	kept := map[string]bool{}
	open, _, _ := db.FindRequests(fp.RequestFilter{})
	for _, r := range open {
		if !r.Status.Open() {
			continue
		}
		for _, w := range strings.Fields(r.FullName) {
			kept[w] = true
		}
	}
	var uniqueNames []string
	for _, n := range names {
		var ws []string
		for _, w := range strings.Fields(n) {
			if !kept[w] {
				ws = append(ws, w)
			}
		}
		uniqueNames = append(uniqueNames, strings.Join(ws, " "))
	}
	file, _, err := db.BackupNow(demo.Admin, folder, workflow.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.PurgeByHand(demo.Director, demo.Admin.Name, demo.Password, workflow.PurgeOptions{})
	if err != nil || len(rep.Purged) != len(rows) || len(rep.Backups) != 1 || rep.Backups[0].Err != "" {
		t.Fatalf("purge: %+v %v", rep, err)
	}
	db.Close()

	// On another machine: the backup and the recovery key.
	other := filepath.Join(t.TempDir(), "restored.db")
	p, _, err := Restore(file, other, workflow.BackupSecret{RecoveryKey: rk}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Swap(later); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	db2.Now = func() time.Time { return later }
	if _, err := db2.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	if es, err := db2.FindAudit(demo.Admin, fp.AuditFilter{Action: fp.ActionRestore}); err != nil || len(es) != 1 || es[0].User != "fieldprint" ||
		!strings.Contains(es[0].Note, "recovery key") || !strings.Contains(es[0].Note, filepath.Base(file)) {
		t.Fatalf("the restore is not in the restored office's history: %+v %v", es, err)
	}
	for _, r := range rows {
		if _, err := db2.FindRequestByID(r.ID); fp.ErrorCode(err) != fp.ENOTFOUND {
			t.Fatalf("purged %s opens in the backup made before the purge: %v", r.Number, err)
		}
	}
	purged := map[fp.RequestID]bool{}
	for _, r := range rows {
		purged[r.ID] = true
	}
	for _, n := range names {
		hits, _, err := db2.FindRequests(fp.RequestFilter{Search: n})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if purged[h.ID] {
				t.Fatalf("a search for a purged name finds %s", h.Number)
			}
		}
	}
	all, total, err := db2.FindRequests(fp.RequestFilter{})
	if err != nil || len(all) == 0 {
		t.Fatalf("the restored queue: %d %d %v", len(all), total, err)
	}
	for _, r := range all {
		if _, err := db2.FindRequestByID(r.ID); err != nil {
			t.Fatalf("%s after the restore: %v", r.Number, err)
		}
	}
	// The next purge finishes what the backup still held of them.
	rep2, err := db2.PurgeByHand(demo.Director, demo.Admin.Name, demo.Password, workflow.PurgeOptions{})
	if err != nil || len(rep2.Purged) != len(rows) {
		t.Fatalf("finishing the purges: %+v %v", rep2, err)
	}
	if _, problem, err := db2.VerifyAudit(nil); err != nil || problem != nil {
		t.Fatalf("history after restore and purge: %v %v", problem, err)
	}
	if errs := db2.Check(); len(errs) != 0 {
		t.Fatalf("check: %v", errs)
	}
	// No purged name anywhere in the clear, in either office or the backup folder.
	for _, root := range []string{dir, filepath.Dir(other)} {
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, n := range uniqueNames {
				for _, w := range strings.Fields(n) {
					if len(w) > 4 && bytes.Contains(b, []byte(w)) {
						t.Errorf("%q in the clear in %s", w, p)
					}
				}
			}
			return nil
		})
	}
}

// An office a restore set aside beside the database holds the same keys:
// a purge shreds the purged ones in its key store too, and only those.
func TestPurgeShredsSetAsideOffice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "office.db")
	rk := demoOffice(t, path, 16)
	file := backupOf(t, path, filepath.Join(dir, "backups"))
	if _, _, err := Restore(file, path, workflow.BackupSecret{RecoveryKey: rk}, nil); err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(path + "-replaced-*")
	if len(aside) != 1 {
		t.Fatalf("set aside: %v", aside)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	later := fixedNow().AddDate(3, 0, 0)
	db.Now = func() time.Time { return later }
	if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRetention(demo.Admin, fp.Retention{Completed: 1, Denied: 1, Withdrawn: 1}); err != nil {
		t.Fatal(err)
	}
	rep, err := db.PurgeByHand(demo.Admin, demo.Director.Name, demo.Password, workflow.PurgeOptions{})
	if err != nil || len(rep.Purged) == 0 {
		t.Fatalf("purge: %+v %v", rep, err)
	}
	open, _, _ := db.FindRequests(fp.RequestFilter{Limit: 1})
	db.Close()
	old, err := Open(filepath.Join(aside[0], "office.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	for _, tomb := range rep.Purged {
		if _, err := old.FindRequestByNumber(tomb.Number); fp.ErrorCode(err) != fp.ENOTFOUND {
			t.Fatalf("%s still opens in the office set aside: %v", tomb.Number, err)
		}
	}
	if _, err := old.FindRequestByID(open[0].ID); err != nil {
		t.Fatalf("a request not purged no longer opens in the office set aside: %v", err)
	}
}
