package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// v1Buckets lists, as paths, every bucket migration 1 creates (the whole tree
// drawn in store.go at schema 1). A later migration that adds buckets gets its
// own list and its own test.
var v1Buckets = [][][]byte{
	{bMeta}, {bRequests}, {bSummaries}, {bNumbers}, {bCounters}, {bIdx},
	{bIdx, iReceived}, {bIdx, iStatus}, {bIdx, iCategory}, {bIdx, iReceipt}, {bIdx, iANumber}, {bIdx, iName},
}

// missingBuckets returns the paths of v1Buckets that do not exist in db.
func missingBuckets(t *testing.T, b *bolt.DB) []string {
	t.Helper()
	var missing []string
	b.View(func(tx *bolt.Tx) error {
		for _, p := range v1Buckets {
			bk := tx.Bucket(p[0])
			for _, name := range p[1:] {
				if bk == nil {
					break
				}
				bk = bk.Bucket(name)
			}
			if bk == nil {
				missing = append(missing, string(bytes.Join(p, []byte("/"))))
			}
		}
		return nil
	})
	return missing
}

// rawBolt creates or opens a bbolt file at path without any migration.
func rawBolt(t *testing.T, path string) *bolt.DB {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unmigrated wraps a raw bbolt file in a DB without running migrate.
func unmigrated(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	db := &DB{bolt: boltDB{rawBolt(t, path), path}, path: path, Now: fixedNow}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migration %d (%s) has version %d: versions must be 1, 2, 3, … in order", i, m.name, m.version)
		}
		if m.name == "" || m.apply == nil {
			t.Errorf("migration %d has no name or no function", m.version)
		}
	}
	if SchemaVersion() != len(migrations) {
		t.Errorf("SchemaVersion() = %d with %d migrations", SchemaVersion(), len(migrations))
	}
}

func TestFreshFileIsMigrated(t *testing.T) {
	db, _ := openTemp(t)
	if v := db.Version(); v != SchemaVersion() {
		t.Fatalf("fresh file at schema %d, want %d", v, SchemaVersion())
	}
	if m := missingBuckets(t, db.bolt.DB); len(m) > 0 {
		t.Fatalf("fresh file lacks buckets %v", m)
	}
	checkClean(t, db)
}

func TestVersionZeroFileIsMigrated(t *testing.T) {
	// A file bbolt created but no Fieldprint ever wrote to: no buckets at all.
	path := filepath.Join(t.TempDir(), "fieldprint.db")
	b := rawBolt(t, path)
	b.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bMeta) != nil || schemaVersion(tx) != 0 {
			t.Fatal("a raw bbolt file already has a meta bucket")
		}
		return nil
	})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = fixedNow
	t.Cleanup(func() { db.Close() })
	if v := db.Version(); v != SchemaVersion() {
		t.Fatalf("after Open: schema %d, want %d", v, SchemaVersion())
	}
	if m := missingBuckets(t, db.bolt.DB); len(m) > 0 {
		t.Fatalf("after Open: missing buckets %v", m)
	}
	// The migrated file works.
	if err := ensureStaff(db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	checkClean(t, db)
}

func TestMigration1(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(0); err != nil {
		t.Fatal(err)
	}
	if v := db.Version(); v != 0 {
		t.Fatalf("migrateTo(0): schema %d", v)
	}
	if err := db.migrateTo(1); err != nil {
		t.Fatal(err)
	}
	if v := db.Version(); v != 1 {
		t.Fatalf("migrateTo(1): schema %d, want 1", v)
	}
	if m := missingBuckets(t, db.bolt.DB); len(m) > 0 {
		t.Fatalf("after migration 1: missing buckets %v", m)
	}
	// Running it again (an Open of an up-to-date file) is a no-op.
	if err := db.migrateTo(1); err != nil {
		t.Fatal(err)
	}
	checkClean(t, db)
}

// TestMigrationsStepByStep runs each migration on its own from the one
// before, which is what an old file goes through.
func TestMigrationsStepByStep(t *testing.T) {
	db := unmigrated(t)
	for _, m := range migrations {
		if err := db.migrateTo(m.version); err != nil {
			t.Fatalf("migration %d (%s): %v", m.version, m.name, err)
		}
		if v := db.Version(); v != m.version {
			t.Fatalf("after migration %d: schema %d", m.version, v)
		}
		for _, err := range db.Check() {
			t.Errorf("after migration %d: %v", m.version, err)
		}
	}
}

// TestMigrationIsOneTransaction adds a migration that changes the file and
// then fails: nothing of it, and not the version, may remain.
func TestMigrationIsOneTransaction(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(SchemaVersion()); err != nil {
		t.Fatal(err)
	}
	before := SchemaVersion()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	boom := errors.New("disk on fire")
	migrations = append(append([]migration(nil), saved...), migration{before + 1, "test: half done then fails", func(tx *bolt.Tx, _ time.Time) error {
		if _, err := tx.CreateBucket([]byte("half-done")); err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put([]byte("half-done"), []byte("yes")); err != nil {
			return err
		}
		return boom
	}})
	err := db.migrateTo(SchemaVersion())
	if fp.ErrorCode(err) != fp.EINTERNAL || !errors.Is(err, boom) {
		t.Fatalf("failing migration: got %v", err)
	}
	migrations = saved
	if v := db.Version(); v != before {
		t.Fatalf("schema %d after a failed migration, want %d", v, before)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half-done")) != nil || tx.Bucket(bMeta).Get([]byte("half-done")) != nil {
			t.Error("a failed migration left part of its changes")
		}
		return nil
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	db, path := openTemp(t)
	newer := uint64(SchemaVersion() + 1)
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, u64(newer)) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // twice: the refused Open must have released the file
		db2, err := Open(path)
		if err == nil {
			db2.Close()
			t.Fatal("a file from a newer Fieldprint was opened")
		}
		if fp.ErrorCode(err) != fp.EINVALID || !strings.Contains(fp.ErrorMessage(err), "newer") {
			t.Fatalf("open %d: got code %q, message %q; want %q mentioning a newer version", i+1, fp.ErrorCode(err), fp.ErrorMessage(err), fp.EINVALID)
		}
	}
	// And it was left as it was.
	b := rawBolt(t, path)
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		if got := schemaVersion(tx); got != int(newer) {
			t.Errorf("refused file now says schema %d, want %d", got, newer)
		}
		return nil
	})
}

func TestReopenUpToDateChangesNothing(t *testing.T) {
	db, path := openTemp(t)
	if _, err := db.CreateRequest(clerk, mustParse(t, sample()), fp.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	var txid int
	db.bolt.View(func(tx *bolt.Tx) error { txid = tx.ID(); return nil })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var txid2 int
	db.bolt.View(func(tx *bolt.Tx) error { txid2 = tx.ID(); return nil })
	if v := db.Version(); v != SchemaVersion() {
		t.Errorf("schema %d after reopen", v)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if txid2 != txid {
		t.Errorf("reopening committed a transaction: txid %d -> %d", txid, txid2)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("reopening an up-to-date file changed it (%d -> %d bytes)", len(before), len(after))
	}
}

// Migration 2 adds accounts, the audit chain and print counters to a file
// that already holds requests, leaving them as they were.
func TestMigration2(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(1); err != nil {
		t.Fatal(err)
	}
	// A request written the schema-1 way: record, summary and indexes, no audit.
	r := mustParse(t, sample())
	r.ID, r.Number, r.Status, r.Version = 1, "FP-2026-00001", fp.StatusNew, 1
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return putRequest(tx, nil, r, db.today()) }); err != nil {
		t.Fatal(err)
	}
	if err := db.migrateTo(2); err != nil {
		t.Fatal(err)
	}
	if v := db.Version(); v != 2 {
		t.Fatalf("schema %d", v)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bUsers, bAudit, bPrints, bSettings} {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		if idx(tx, iAudit) == nil {
			t.Error("idx/audit missing")
		}
		return nil
	})
	got, err := db.FindRequestByNumber("FP-2026-00001")
	if err != nil || got.Applicant.FullName != r.Applicant.FullName {
		t.Fatalf("request after migration: %v", err)
	}
	checkClean(t, db)
	if err := ensureStaff(db); err != nil {
		t.Fatal(err)
	}
	if _, problem, err := db.VerifyAudit(nil); err != nil || problem != nil {
		t.Fatalf("audit after migration: %v %v", err, problem)
	}
}

// Migration 3 numbers household members (their checklist keys), adds the
// files bucket and the complete index, and rewrites queue rows with their
// checklist counts.
// TestMigration3 builds a schema-2 file from raw bytes, as schema 2 wrote
// them, and checks what migration 3 makes of them, field by field.
func TestMigration3(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(2); err != nil {
		t.Fatal(err)
	}
	records := map[uint64]string{
		// An adoptive household: an adult and a child (on 2026-11-20), members without ids.
		1: `{"id":1,"number":"FP-2026-00001","status":"new","category":"adoption","received":"2026-11-02",` +
			`"receipt_numbers":["IOE0912345678"],"a_number":"A012345678",` +
			`"applicant":{"full_name":"Nguyễn Thị Minh Khai","date_of_birth":"1985-04-12"},` +
			`"household":[{"full_name":"Łukasz Żółć","date_of_birth":"1980-01-30"},{"full_name":"Kasia Żółć","date_of_birth":"2014-09-01"}],"version":3}`,
		// "All others": no household, the U.S. ASC notice is required too.
		2: `{"id":2,"number":"FP-2026-00002","status":"director-review","category":"other","received":"2026-11-05",` +
			`"a_number":"A087654321","applicant":{"full_name":"José Müller","date_of_birth":"1970-07-04"},"version":1}`,
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for id, rec := range records {
			if err := tx.Bucket(bRequests).Put(u64(id), []byte(rec)); err != nil {
				return err
			}
			// A schema-2 queue row had no checklist count (and a stale name here).
			row := fmt.Sprintf(`{"id":%d,"number":"FP-2026-0000%d","status":"new","category":"x","full_name":"old","received":"2026-11-02","people":9}`, id, id)
			if err := tx.Bucket(bSummaries).Put(u64(id), []byte(row)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.migrateTo(3); err != nil {
		t.Fatal(err)
	}
	if v := db.Version(); v != 3 {
		t.Fatalf("schema %d", v)
	}
	raw := func(b []byte, id uint64) map[string]any {
		var m map[string]any
		db.bolt.View(func(tx *bolt.Tx) error {
			return json.Unmarshal(tx.Bucket(b).Get(u64(id)), &m)
		})
		return m
	}
	rec := raw(bRequests, 1)
	hh := rec["household"].([]any)
	if hh[0].(map[string]any)["id"] != 1.0 || hh[1].(map[string]any)["id"] != 2.0 || rec["version"] != 3.0 {
		t.Errorf("record 1 after migration 3: %v", rec)
	}
	for id, want := range map[uint64]string{
		1: `{"a_number":"A012345678","category":"adoption","docs":{"missing":3,"received":0,"rejected":0,"required":3,"verified":0},"full_name":"Nguyễn Thị Minh Khai","id":1,"number":"FP-2026-00001","people":2,"receipt":"IOE0912345678","received":"2026-11-02","status":"new"}`,
		2: `{"a_number":"A087654321","category":"other","docs":{"missing":3,"received":0,"rejected":0,"required":3,"verified":0},"full_name":"José Müller","id":2,"number":"FP-2026-00002","people":1,"received":"2026-11-05","status":"director-review"}`,
	} {
		got, _ := json.Marshal(raw(bSummaries, id))
		if string(got) != want {
			t.Errorf("queue row %d:\n got %s\nwant %s", id, got, want)
		}
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bFiles) == nil || idx(tx, iComplete) == nil {
			t.Error("files bucket or idx/complete missing")
		}
		return nil
	})
	// Today's code reads what migration 3 wrote.
	if got, err := db.FindRequestByID(1); err != nil || got.Household[1].ID != 2 {
		t.Fatalf("reading the migrated record: %+v %v", got, err)
	}
}

func TestMigration5(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(4); err != nil {
		t.Fatal(err)
	}
	if err := db.migrateTo(5); err != nil {
		t.Fatal(err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bStamps) == nil || tx.Bucket(bStampKeys) == nil || idx(tx, iWalkIns) == nil {
			t.Error("stamps, stampkeys or idx/walkins missing after migration 5")
		}
		return nil
	})
	if rows, err := db.Day(fp.Date{Y: 2026, M: 12, D: 1}); err != nil || len(rows) != 0 {
		t.Errorf("an empty day after migration: %v %v", rows, err)
	}
}

func TestMigration4(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(3); err != nil {
		t.Fatal(err)
	}
	if err := db.migrateTo(4); err != nil {
		t.Fatal(err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if idx(tx, iSlots) == nil {
			t.Error("idx/slots missing after migration 4")
		}
		return nil
	})
	// Until an administrator saves them, the office runs on the defaults.
	if s, err := db.Scheduling(); err != nil || !s.Default {
		t.Errorf("scheduling after migration 4: %+v %v", s, err)
	}
}

func TestMigration6(t *testing.T) {
	db := unmigrated(t)
	if err := db.migrateTo(5); err != nil {
		t.Fatal(err)
	}
	if err := db.migrateTo(6); err != nil {
		t.Fatal(err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bSignIns) == nil {
			t.Error("signins missing after migration 6")
		}
		return nil
	})
	// A name without an account is now counted like one with.
	if _, err := db.Authenticate("nobody", "wrong password"); fp.ErrorMessage(err) != "the user name or password is wrong" {
		t.Errorf("unknown name after migration 6: %v", err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bSignIns).Get([]byte("nobody")) == nil {
			t.Error("the failure of an unknown name was not counted")
		}
		return nil
	})
}

// Every migration has a test of its own, named for its version.
func TestEveryMigrationHasATest(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "migrations_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			have[fn.Name.Name] = true
		}
	}
	for _, m := range migrations {
		if name := fmt.Sprintf("TestMigration%d", m.version); !have[name] {
			t.Errorf("migration %d (%s) has no %s", m.version, m.name, name)
		}
	}
}
