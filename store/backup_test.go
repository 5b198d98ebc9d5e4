package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/vault"
	"github.com/fieldprint/fieldprint/workflow"
)

// demoOffice makes an office of n demo requests (scans, stamps, the stamp
// key, every status) at path, and returns its recovery key.
func demoOffice(t testing.TB, path string, n int) string {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = fixedNow
	if _, err := demo.Load(db, n, fp.DateOf(fixedNow())); err != nil {
		t.Fatal(err)
	}
	rk, err := db.NewRecoveryKey(demo.Admin)
	if err != nil {
		t.Fatal(err)
	}
	return rk
}

// officeDigest is the SHA-256 of everything an office is on the disk:
// every key/value, every sequence, every scan's name and bytes, the stamp
// key. Two offices with the same digest are the same office.
func officeDigest(t testing.TB, path string) string {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	h := sha256.New()
	field := func(b []byte) {
		binary.Write(h, binary.BigEndian, uint64(len(b)))
		h.Write(b)
	}
	err = db.kv.View(func(r fp.Reader) error {
		if err := r.Scan(nil, nil, false, func(k, v []byte) (bool, error) {
			// The restore's own entry is what a restored office has more.
			if bytes.HasPrefix(k, []byte("audit/")) && bytes.Contains(v, []byte(`"action":"`+fp.ActionRestore+`"`)) {
				return true, nil
			}
			field(k)
			field(v)
			return true, nil
		}); err != nil {
			return err
		}
		return r.(workflow.SequenceReader).Sequences(func(name string, n uint64) error {
			field([]byte(name))
			binary.Write(h, binary.BigEndian, n)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sums, err := disk.Folder{Dir: db.ScansDir()}.List()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(sums)
	for _, s := range sums {
		b, err := os.ReadFile(filepath.Join(db.ScansDir(), s[:2], s))
		if err != nil {
			t.Fatal(err)
		}
		field([]byte(s))
		field(b)
	}
	key, _ := os.ReadFile(workflow.KeyFileBeside(path))
	field(key)
	keys, _ := os.ReadFile(workflow.KeyStoreBeside(path))
	field(keys)
	return hex.EncodeToString(h.Sum(nil))
}

func backupOf(t testing.TB, path, folder string) string {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	file, counts, err := db.BackupNow(demo.Admin, folder, workflow.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Keys < 100 || counts.Files < 10 || counts.Extras != 3 || counts.Sequences < 1 {
		t.Fatalf("the backup holds too little: %+v", counts)
	}
	return file
}

func checkOffice(t testing.TB, path string) {
	t.Helper()
	// On a copy: the sign-in the encrypted records need is written to
	// the audit trail, which would change the office the test compares.
	cp := filepath.Join(t.TempDir(), "check", filepath.Base(path))
	copyOffice(t, path, cp)
	db, err := Open(cp)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if set, _ := db.KeysSetUp(); set {
		if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
			t.Fatalf("%s: signing in to check: %v", path, err)
		}
	}
	for _, err := range db.Check() {
		t.Errorf("%s: %v", path, err)
	}
}

// A backup restores, on another desk with the recovery key or onto an
// office in use with an administrator's password, every key/value, every
// sequence, every scan and the stamp key as they were; the restored office
// checks clean and its staff sign in.
func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "office", "fieldprint.db")
	rk := demoOffice(t, src, 30)
	file := backupOf(t, src, filepath.Join(dir, "usb")) // signing in wrote the sign-in's time
	want := officeDigest(t, src)
	if err := backup.CheckFrames(file); err != nil {
		t.Fatal(err)
	}
	// No personal data in the clear: the applicants' names are not in the file.
	raw, _ := os.ReadFile(file)
	db, _ := Open(src)
	db.Authenticate(demo.Admin.Name, demo.Password) // after the digest: it writes a sign-in
	rs, _ := db.LoadRequests(fp.RequestFilter{})
	db.Close()
	if len(rs) < 5 {
		t.Fatalf("%d requests read back", len(rs))
	}
	for _, r := range rs[:5] {
		if bytes.Contains(raw, []byte(r.Applicant.FullName)) {
			t.Errorf("the backup holds %q in the clear", r.Applicant.FullName)
		}
	}

	// Another machine, with the recovery key (typed in lower case).
	other := filepath.Join(dir, "elsewhere", "fieldprint.db")
	os.MkdirAll(filepath.Dir(other), 0o700)
	p, _, err := Restore(file, other, workflow.BackupSecret{RecoveryKey: strings.ToLower(rk)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Counts.Files == 0 {
		t.Fatal("no files restored")
	}
	if got := officeDigest(t, other); got != want {
		t.Fatalf("restored office differs: %s, want %s", got, want)
	}
	checkOffice(t, other)
	rdb, err := Open(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.Authenticate(demo.Clerk.Name, demo.Password); err != nil || !rdb.Unlocked() {
		t.Fatalf("sign-in on the restored office: %v", err)
	}
	// The backup holds the entry that audits it (written before its snapshot).
	if es, err := rdb.FindAudit(demo.Admin, fp.AuditFilter{Action: fp.ActionBackup}); err != nil || len(es) != 1 || es[0].User != demo.Admin.Name {
		t.Fatalf("the backup's audit entry in the restored office: %+v %v", es, err)
	}
	// A new request gets a new id, not one the old office used.
	before, _ := rdb.LoadRequests(fp.RequestFilter{})
	in := sample()
	in.ReceiptNumbers, in.ANumber = "IOE0999999999", ""
	r, err := rdb.CreateRequest(demo.Clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range before {
		if b.ID >= r.ID {
			t.Fatalf("restored office handed out id %d again (%s has %d)", r.ID, b.Number, b.ID)
		}
	}
	rdb.Close()

	// Onto an office that has changed since: with the administrator's
	// password; the replaced files are kept aside.
	db, _ = Open(src)
	db.Authenticate(demo.Clerk.Name, demo.Password)
	if _, err := db.CreateRequest(demo.Clerk, mustParse(t, in), fp.SaveOptions{AllowDuplicates: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	changed := officeDigest(t, src)
	_, aside, err := Restore(file, src, workflow.BackupSecret{Admin: "Admin", Password: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if officeDigest(t, src) != want {
		t.Fatal("restore over an office did not give the backup's office")
	}
	if !strings.HasPrefix(filepath.Base(aside), "fieldprint.db-replaced-") || officeDigest(t, filepath.Join(aside, "fieldprint.db")) != changed {
		t.Fatalf("the replaced office is not kept whole in %s", aside)
	}
	if exists(stagingDir(src)) || exists(src+journalSuffix) {
		t.Fatal("the restore left its staging folder or journal")
	}
}

// A backup that was altered or damaged is refused with a message that
// says so, and the office it would replace is left as it was.
func TestBackupTampered(t *testing.T) {
	defer func(n int) { backup.ChunkSize = n }(backup.ChunkSize)
	backup.ChunkSize = 64 << 10
	dir := t.TempDir()
	src := filepath.Join(dir, "fieldprint.db")
	rk := demoOffice(t, src, 30)
	file := backupOf(t, src, filepath.Join(dir, "b1"))
	other := backupOf(t, src, filepath.Join(dir, "b2"))
	good, _ := os.ReadFile(file)
	otherB, _ := os.ReadFile(other)
	target := filepath.Join(dir, "target", "fieldprint.db")
	os.MkdirAll(filepath.Dir(target), 0o700)
	demoOffice(t, target, 3)
	want := officeDigest(t, target)

	type frame struct{ at, end int }
	frames := func(b []byte) (head int, fs []frame) {
		n := int(binary.BigEndian.Uint32(b[8:]))
		head = 12 + n + 32
		for at := head; at < len(b); {
			end := at + 5 + int(binary.BigEndian.Uint32(b[at+1:]))
			fs = append(fs, frame{at, end})
			at = end
		}
		return head, fs
	}
	head, fs := frames(good)
	_, ofs := frames(otherB)
	if len(fs) < 3 || len(ofs) < 3 {
		t.Fatalf("the backup has %d chunks: the test needs three or more", len(fs))
	}
	flip := func(at int) []byte { b := bytes.Clone(good); b[at] ^= 0x20; return b }
	swap := func() []byte {
		a, b := fs[0], fs[1]
		out := bytes.Clone(good[:a.at])
		out = append(out, good[b.at:b.end]...)
		out = append(out, good[a.at:a.end]...)
		return append(out, good[b.end:]...)
	}
	foreign := func() []byte { // chunk 2 of another backup of the same office
		out := bytes.Clone(good[:fs[1].at])
		out = append(out, otherB[ofs[1].at:ofs[1].end]...)
		return append(out, good[fs[1].end:]...)
	}
	last := fs[len(fs)-1]
	cases := []struct {
		name  string
		bytes []byte
		words string
	}{
		{"header byte flipped", flip(20), "header is damaged"},
		{"magic changed", flip(1), "not a Fieldprint backup"},
		{"header length changed", flip(10), "cannot be used"},
		{"byte flipped in the first chunk", flip(fs[0].at + 100), "chunk 1 is damaged"},
		{"byte flipped in the last chunk", flip(last.end - 3), "is damaged"},
		{"chunk kind changed", flip(fs[1].at), "chunk 2 is damaged"},
		{"truncated inside a chunk", good[:fs[1].at+200], "cut short"},
		{"truncated between chunks", good[:fs[2].at], "cut short"},
		{"end chunk dropped", good[:last.at], "cut short"},
		{"truncated in the header", good[:head-5], "cut short inside its header"},
		{"two chunks swapped", swap(), "out of its place"},
		{"chunk from another backup", foreign(), "out of its place"},
		{"bytes appended", append(bytes.Clone(good), 'x'), "added after its end"},
		{"a backup appended", append(bytes.Clone(good), good...), "added after its end"},
		{"header of another backup", append(bytes.Clone(otherB[:head]), good[head:]...), "chunk 1"},
		{"empty file", nil, "not a Fieldprint backup"},
		{"a database file", mustRead(t, src), "not a Fieldprint backup"},
	}
	for _, c := range cases {
		bad := filepath.Join(dir, "bad.fpbackup")
		if err := os.WriteFile(bad, c.bytes, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := Restore(bad, target, workflow.BackupSecret{RecoveryKey: rk}, nil)
		if err == nil || fp.ErrorCode(err) == fp.EINTERNAL || !strings.Contains(fp.ErrorMessage(err), c.words) {
			t.Errorf("%s: %v, want a refusal saying %q", c.name, err, c.words)
		}
		if exists(stagingDir(target)) || exists(target+journalSuffix) {
			t.Errorf("%s: the refused restore left files behind", c.name)
		}
	}
	if officeDigest(t, target) != want {
		t.Fatal("a refused restore changed the office")
	}
	// The keyless check finds what is cut or added.
	for _, b := range [][]byte{good[:last.at], append(bytes.Clone(good), 0)} {
		os.WriteFile(filepath.Join(dir, "cut.fpbackup"), b, 0o600)
		if backup.CheckFrames(filepath.Join(dir, "cut.fpbackup")) == nil {
			t.Error("CheckFrames took an incomplete backup")
		}
	}
}

func mustRead(t testing.TB, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A wrong recovery key or password opens nothing and changes nothing.
func TestBackupWrongSecret(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "fieldprint.db")
	demoOffice(t, src, 5)
	file := backupOf(t, src, dir)
	want := officeDigest(t, src)
	foreign, _ := vault.NewRecoveryKey()
	cases := []struct {
		s     workflow.BackupSecret
		code  string
		words string
	}{
		{workflow.BackupSecret{RecoveryKey: foreign.String()}, fp.EFORBIDDEN, "does not open this backup"},
		{workflow.BackupSecret{RecoveryKey: "ABCD-EFGH"}, fp.EINVALID, "not the recovery key as printed"},
		{workflow.BackupSecret{Admin: demo.Admin.Name, Password: "not the password"}, fp.EFORBIDDEN, "does not open this backup"},
		{workflow.BackupSecret{Admin: demo.Clerk.Name, Password: demo.Password}, fp.EFORBIDDEN, "was not an administrator"},
		{workflow.BackupSecret{}, fp.EINVALID, "recovery key"},
	}
	for _, c := range cases {
		_, _, err := Restore(file, src, c.s, nil)
		if fp.ErrorCode(err) != c.code || !strings.Contains(fp.ErrorMessage(err), c.words) {
			t.Errorf("%+v: %v, want %s saying %q", c.s, err, c.code, c.words)
		}
	}
	// An office server's backup (fieldprint serve backup) is refused at a desk.
	serverFile := filepath.Join(dir, "server.fpbackup")
	k, _ := vault.NewKey()
	f, _ := os.Create(serverFile)
	w, err := backup.NewWriter(f, backup.Header{Kind: backup.KindServer, Slots: map[string]vault.Slot{}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Close()
	if _, _, err := Restore(serverFile, src, workflow.BackupSecret{Admin: demo.Admin.Name, Password: demo.Password}, nil); err == nil || !strings.Contains(fp.ErrorMessage(err), "fieldprint serve restore") {
		t.Errorf("a server's backup at a desk: %v", err)
	}
	if officeDigest(t, src) != want {
		t.Fatal("a refused restore changed the office")
	}
	// A clerk may not back up by hand; an automatic backup runs as anyone signed in.
	db, _ := Open(src)
	defer db.Close()
	db.Authenticate(demo.Clerk.Name, demo.Password)
	if _, _, err := db.BackupNow(demo.Clerk, dir, workflow.BackupOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a clerk's backup: %v", err)
	}
	if _, _, err := db.BackupNow(demo.Clerk, dir, workflow.BackupOptions{Automatic: true}); err != nil {
		t.Errorf("the automatic backup as a clerk: %v", err)
	}
	db.Lock()
	if _, _, err := db.BackupNow(demo.Admin, dir, workflow.BackupOptions{}); fp.ErrorCode(err) != fp.EFORBIDDEN {
		t.Errorf("a backup with the office key locked: %v", err)
	}
}

// A damaged database names the newest complete backup and the command.
func TestDamagedPointsToBackup(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "fieldprint.db")
	demoOffice(t, src, 3)
	db, _ := Open(src)
	db.Authenticate(demo.Admin.Name, demo.Password)
	folder := filepath.Join(dir, "usb")
	if err := db.SetBackupConfig(demo.Admin, folder, backup.DefaultRotation, true); err != nil {
		t.Fatal(err)
	}
	file, _, err := db.BackupNow(demo.Admin, "", workflow.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A newer, incomplete one (an interrupted copy) is passed over.
	b := mustRead(t, file)
	os.WriteFile(filepath.Join(folder, "fieldprint-backup-29990101-000000.fpbackup"), b[:len(b)/2], 0o600)
	f, _ := os.OpenFile(src, os.O_RDWR, 0)
	f.WriteAt(bytes.Repeat([]byte{0xff}, 4096), 0)
	f.WriteAt(bytes.Repeat([]byte{0xff}, 4096), 4096)
	f.Close()
	_, err = Open(src)
	msg := fp.ErrorMessage(err)
	if !strings.Contains(msg, "is damaged") || !strings.Contains(msg, "fieldprint restore \""+file+"\"") {
		t.Fatalf("open of a damaged file: %s", msg)
	}
	if _, _, err := Restore(file, src, workflow.BackupSecret{Admin: demo.Admin.Name, Password: demo.Password}, nil); err != nil {
		t.Fatal(err)
	}
	checkOffice(t, src)
}
