package workflow

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/vault"
)

// A withdrawn request past its retention is purged by the daily run: its
// key leaves the key store (and the backup made before the purge), its
// scan goes, a tombstone without personal data stays, the history still
// verifies, and another request is untouched.
func TestPurgeShredsEverywhere(t *testing.T) {
	db, path := openTemp(t)
	now := fixedNow()
	db.Now = func() time.Time { return now }
	r, _ := canaryWithScan(t, db)
	msg := []byte("From: Qqcanaryname Zzcanary <canarymail@example.org>\r\nSubject: biometrics\r\nMessage-ID: <m1@example.org>\r\n\r\nPlease.\r\n")
	if err := db.KeepMessage(clerk, r.ID, "<m1@example.org>", "mail.eml", msg); err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransitionRequest(clerk, r.ID, fp.StatusWithdrawn, "the applicant withdrew"); err != nil {
		t.Fatal(err)
	}
	// Nothing is destroyed without a schedule.
	if _, ran, err := db.PurgeDueNow(admin); err != nil || ran {
		t.Fatalf("a purge ran without a retention schedule: %v %v", ran, err)
	}
	if err := db.SetRetention(clerk, fp.Retention{Withdrawn: 1}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk set the retention: %v", err)
	}
	if err := db.SetRetention(admin, fp.Retention{Withdrawn: 400}); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("400 months accepted: %v", err)
	}
	if err := db.SetRetention(admin, fp.Retention{Withdrawn: 1, Denied: 12, Completed: 24}); err != nil {
		t.Fatal(err)
	}
	folder := t.TempDir()
	db.BackupSettings = path + "-backup.json"
	if err := db.SetBackupConfig(admin, folder, backup.DefaultRotation, false); err != nil {
		t.Fatal(err)
	}
	// Within its month it is kept.
	if rep, ran, err := db.PurgeDueNow(admin); err != nil || !ran || len(rep.Purged) != 0 {
		t.Fatalf("purged within its retention: %+v %v", rep, err)
	}
	now = now.AddDate(0, 1, 2)
	kid, _ := keyIDIn(t, db, r.ID)
	key := keyBytes(t, db, kid)
	if _, _, err := db.BackupNow(admin, folder, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	// A legal hold keeps it, and the report says so.
	if _, err := db.SetHold(clerk, r.ID, true, "inquiry 42"); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk put a hold: %v", err)
	}
	if _, err := db.SetHold(director, r.ID, true, ""); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("a hold without a reason: %v", err)
	}
	if _, err := db.SetHold(director, r.ID, true, "inquiry 42"); err != nil {
		t.Fatal(err)
	}
	if rep, err := db.PurgeByHand(director, admin.Name, testPassword, PurgeOptions{}); err != nil || len(rep.Purged) != 0 || len(rep.Held) != 1 {
		t.Fatalf("purged on hold: %+v %v", rep, err)
	}
	if _, err := db.PurgeByHand(director, admin.Name, testPassword, PurgeOptions{Requests: []fp.RequestID{r.ID}}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("purged on hold by hand: %v", err)
	}
	if _, err := db.SetHold(admin, r.ID, false, "inquiry closed"); err != nil {
		t.Fatal(err)
	}
	// Two people, a director and an administrator, for a purge by hand.
	if _, err := db.PurgeByHand(director, director.Name, testPassword, PurgeOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("one person purged: %v", err)
	}
	if _, err := db.PurgeByHand(clerk, admin.Name, testPassword, PurgeOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a clerk and an admin purged: %v", err)
	}
	if _, err := db.PurgeByHand(director, admin.Name, "wrong password!", PurgeOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatalf("a wrong second password purged: %v", err)
	}
	if _, err := db.PurgeByHand(director, admin.Name, testPassword, PurgeOptions{Requests: []fp.RequestID{other.ID}}); fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("an open request purged: %v", err)
	}
	dry, err := db.PurgeByHand(director, admin.Name, testPassword, PurgeOptions{DryRun: true})
	if err != nil || len(dry.Purged) != 1 || dry.Run != 0 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	rep, ran, err := db.PurgeDueNow(admin)
	if err != nil || !ran {
		t.Fatal(ran, err)
	}
	if len(rep.Purged) != 1 || rep.Purged[0].Number != r.Number || rep.Purged[0].Outcome != fp.StatusWithdrawn || rep.Keys != 3 || rep.Files != 2 ||
		len(rep.Backups) != 1 || rep.Backups[0].Keys != 3 || rep.Backups[0].Err != "" {
		t.Fatalf("report %+v", rep)
	}
	text := rep.Text(time.UTC)
	for _, c := range canaries {
		if strings.Contains(text, c) {
			t.Fatalf("the destruction report names %s:\n%s", c, text)
		}
	}
	if !strings.Contains(text, r.Number) || !strings.Contains(text, "withdrawn") {
		t.Fatalf("report text:\n%s", text)
	}
	if _, ran, _ := db.PurgeDueNow(admin); ran {
		t.Fatal("the daily purge ran twice in a day")
	}
	// What is kept, what is gone.
	if _, err := db.FindRequestByID(r.ID); fp.ErrorCode(err) != fp.ENOTFOUND {
		t.Fatalf("the purged request still reads: %v", err)
	}
	if tomb, ok, err := db.Tombstone(r.Number); err != nil || !ok || tomb.Category != r.Category || tomb.Run != rep.Run {
		t.Fatalf("tombstone %+v %v %v", tomb, ok, err)
	}
	if _, err := db.FindRequestByID(other.ID); err != nil {
		t.Fatalf("the other request: %v", err)
	}
	if n, err := db.MessageImported("<m1@example.org>"); err != nil || n != "" {
		t.Fatalf("the e-mail taken in is still recorded: %q %v", n, err)
	}
	if got := whereCanaries(t, db); len(got) != 0 {
		t.Fatalf("canaries in the clear: %v", got)
	}
	if _, problem, err := db.VerifyAudit(nil); err != nil || problem != nil {
		t.Fatalf("the history after a purge: %v %v", problem, err)
	}
	hist, err := db.RequestAudit(r.Number)
	if err != nil || len(hist) < 3 {
		t.Fatal(hist, err)
	}
	for _, e := range hist {
		for _, c := range canaries {
			if strings.Contains(e.Note, c) || strings.Contains(strings.ToLower(e.Note), strings.ToLower(c)) {
				t.Fatalf("the history still opens: %+v", e)
			}
		}
	}
	if rs, err := db.DestructionReports(director); err != nil || len(rs) != 1 {
		t.Fatalf("reports %v %v", rs, err)
	}
	if _, err := db.DestructionReports(clerk); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Fatal("a clerk read the destruction reports")
	}
	// The key is nowhere: not in the key store, the database, the scans,
	// nor the backup made before the purge (its key store opened).
	for _, f := range []string{KeyStoreBeside(path), path} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, key[:]) {
			t.Errorf("the purged key is in %s", filepath.Base(f))
		}
	}
	if db.reqKeys.has(kid) {
		t.Error("the purged key is still in memory")
	}
	db2 := reopen(t, db, path)
	if _, err := db2.FindRequestByID(other.ID); err != nil {
		t.Fatalf("the other request after reopening: %v", err)
	}
	if db2.reqKeysHas(t, kid) {
		t.Error("the purged key is back after reopening")
	}
	list, _ := backup.List(folder)
	if len(list) != 1 {
		t.Fatalf("backups %v", list)
	}
	office, _ := db2.officeKeyCopy()
	store := backupKeyStore(t, list[0].Path, &office)
	kek := vault.Derive(&office, keysPurpose)
	keys, _, err := parseKeyStore(store, &kek)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := keys[kid]; ok {
		t.Error("the purged key is still in the backup made before the purge")
	}
	okid, _ := keyIDIn(t, db2, other.ID)
	if _, ok := keys[okid]; !ok {
		t.Error("the other request's key left the backup")
	}
	if errs := db2.Check(); len(errs) != 0 {
		t.Fatalf("check after purge: %v", errs)
	}
}

func keyIDIn(t *testing.T, db *Desk, id fp.RequestID) (kid uint64, ok bool) {
	db.view(func(tx *tx) error { kid, ok = requestKeyID(tx, id); return nil })
	if !ok {
		t.Fatalf("request %d has no key", id)
	}
	return kid, ok
}

func keyBytes(t *testing.T, db *Desk, kid uint64) vault.Key {
	ks, err := db.keyStore()
	if err != nil {
		t.Fatal(err)
	}
	k, ok, err := ks.get(kid)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	return k
}

func (db *Desk) reqKeysHas(t *testing.T, kid uint64) bool {
	ks, err := db.keyStore()
	if err != nil {
		t.Fatal(err)
	}
	return ks.has(kid)
}

// backupKeyStore is the key store inside the backup at path.
func backupKeyStore(t *testing.T, path string, office *vault.Key) []byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, hash, err := backup.ReadHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	key := backupKey(office)
	r := backup.NewReader(f, h, hash, &key)
	var store []byte
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return store
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == 'X' && string(rec.Key) == BackupKeyStore {
			store = rec.Value
		}
	}
}

// An office of schema 9 sealed its values under the office key: at the
// next sign-in SealExisting seals each again under its request's own key
// (and each scan under its own), so a purge can destroy them; the history
// still verifies and every request reads as before.
func TestSealExistingUnderRequestKeys(t *testing.T) {
	db, path := openTemp(t)
	r, _ := canaryWithScan(t, db)
	// As schema 9 wrote it: under the office's records key, no key ids.
	err := db.update(func(tx *tx) error {
		for _, b := range []*bucket{tx.Bucket(bRequests), tx.Bucket(bSummaries), idx(tx, iIdent)} {
			k := idKey(r.ID)
			v := b.Get(k)
			mark, body := []byte(nil), v
			if string(b.prefix) == string(tx.Bucket(bRequests).prefix) {
				mark, body = v[:33], v[33:]
			}
			plain, err := b.opened(k, body)
			if err != nil {
				return err
			}
			if err := b.Put(k, append(bytes.Clone(mark), vault.Seal(&tx.rk.k, plain, b.key(k))...)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bKeyIDs).Delete(idKey(r.ID)); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(kKeyed)
	})
	if err != nil {
		t.Fatal(err)
	}
	sums, _ := db.files.List()
	for _, s := range sums {
		plain, err := db.readFile(s)
		if err != nil {
			t.Fatal(err)
		}
		sealed := append(bytes.Clone(fileMagic), vault.Seal(&db.recordsKey, plain, fileAAD(s))...)
		os.WriteFile(db.scanPath(s), sealed, 0o600)
	}
	if need, _ := db.NeedsSealing(); !need {
		t.Fatal("values under the office key are not waiting to be sealed again")
	}
	if err := db.SealExisting(nil); err != nil {
		t.Fatal(err)
	}
	db.view(func(tx *tx) error {
		for _, b := range []*bucket{tx.Bucket(bSummaries), idx(tx, iIdent)} {
			if !underOwnKey(b.Get(idKey(r.ID))) {
				t.Errorf("%s not under the request's key", b.prefix)
			}
		}
		if !underOwnKey(recordBody(tx.Bucket(bRequests).Get(idKey(r.ID)))) {
			t.Error("the record is not under the request's key")
		}
		return nil
	})
	for _, s := range sums {
		b, _ := os.ReadFile(db.scanPath(s))
		if _, ok := fileKeyID(b); !ok {
			t.Errorf("scan %s not under a key of its own", s[:8])
		}
	}
	got, err := db.FindRequestByID(r.ID)
	if err != nil || got.Applicant.FullName != r.Applicant.FullName {
		t.Fatalf("after sealing again: %v", err)
	}
	if _, problem, err := db.VerifyAudit(nil); err != nil || problem != nil {
		t.Fatalf("history: %v %v", problem, err)
	}
	if errs := reopen(t, db, path).Check(); len(errs) != 0 {
		t.Fatalf("check: %v", errs)
	}
}
