package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/vault"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// A backup of the office server (`fieldprint serve backup`) is one file in
// the desks' backup format (package backup: sealed chunk by chunk, every
// chunk bound to its place, cut or altered files refused), Kind
// backup.KindServer, its key wrapped with a passphrase the IT person
// chooses (it holds the office CA's private key). Its records, in order:
//
//	X manifest.json      what it holds: when, the snapshot's revision, size and SHA-256, counts
//	X etcd/db/0000 …     the etcd snapshot in parts (etcd's own SHA-256 at its end)
//	X pki/NAME           the office's certificates and keys
//	X desks/NAME         the desks' records (NAME.crt, NAME.removed)
//	F SUM                every blob, listed after the snapshot was taken (a blob is
//	                     written before the record that refers to it: every scan the
//	                     snapshot names is there)
//
// The snapshot comes from the running server (etcd's snapshot, through its
// own client certificate) or, when it is stopped, from its database file
// as the last stop left it (read-only, in one bbolt transaction, with a
// SHA-256 appended as etcd's snapshots have).
//
// A restore (`fieldprint serve restore`, the server stopped) reads and
// checks the whole file first (every chunk, every file's SHA-256, the
// snapshot's SHA-256 and etcd's status of it, every unsealed blob against
// its name), builds the new folder's parts in DATA/.restoring, then swaps
// them in under a journal (DATA/restore.journal: a stop half-way is
// finished by the next restore or start), the replaced parts kept in
// DATA/replaced-YYYYMMDD-HHMMSS. etcd's snapshot restore makes a fresh
// member and raises the revision by RevisionBump, marked compacted: a desk
// that saw a newer revision than the backup's is told its history is gone
// and reads everything again, and no revision a desk saw is ever given
// again to another value.
const (
	// RevisionBump is how far a restore raises etcd's revision (etcd's
	// documentation suggests a billion: more than any office writes
	// between a backup and its restore).
	RevisionBump = 1_000_000_000

	snapPart      = 16 << 20
	manifestName  = "manifest.json"
	snapPrefix    = "etcd/db/"
	slotName      = "passphrase"
	slotAAD       = "fieldprint office server backup"
	restoringDir  = ".restoring"
	journalFile   = "restore.journal"
	restoredMark  = "restored" // the first start after a restore rewrites the search mark
	replacedPre   = "replaced-"
	replacedTime  = "20060102-150405"
	backupTimeout = 30 * time.Minute
)

// SearchRevKey is the workflow's mark of its search index (meta/search-rev,
// workflow/memindex.go): the first start after a restore writes it again,
// so a desk's index in memory, newer than the restored office, is built
// again.
const SearchRevKey = etcdstore.Namespace + "k/meta/search-rev"

// manifest is what a server's backup says it holds.
type manifest struct {
	Made          time.Time `json:"made"`
	Live          bool      `json:"live"` // taken from the running server
	Revision      int64     `json:"revision"`
	Keys          int       `json:"keys"`
	SnapshotBytes int64     `json:"snapshot_bytes"`
	SnapshotSHA   string    `json:"snapshot_sha256"`
	Parts         int       `json:"parts"`
	Files         int       `json:"files"`
	Blobs         int       `json:"blobs"`
	BlobBytes     int64     `json:"blob_bytes"`
}

// BackupInfo says what a backup holds.
type BackupInfo struct {
	Path          string
	Made          time.Time
	Live          bool // from the running server (else from its stopped folder)
	Revision      int64
	Keys          int
	SnapshotBytes int64
	Blobs         int
	BlobBytes     int64
}

// BackupName is the name a backup made at t gets in a folder.
func BackupName(t time.Time) string {
	return "fieldprint-server-" + t.UTC().Format(replacedTime) + ".fpbackup"
}

// Backup writes a backup of the office server in dir to the file to (a
// folder: a new file named by BackupName in it), sealed with passphrase
// (argon2id at cost c). The server may run (its snapshot is taken) or be
// stopped (its database file is read).
func Backup(ctx context.Context, dir, to, passphrase string, c vault.Cost) (BackupInfo, error) {
	var info BackupInfo
	dir, err := filepath.Abs(dir)
	if err != nil {
		return info, err
	}
	if _, err := loadExistingPKI(dir); err != nil {
		return info, err
	}
	info.Made = time.Now().UTC().Round(time.Second)
	final := to
	if strings.HasSuffix(to, "/") || strings.HasSuffix(to, string(filepath.Separator)) {
		if err := os.MkdirAll(to, 0o700); err != nil {
			return info, fp.Errorf(fp.EINVALID, "cannot use the backup folder %s: %s", to, backup.PathErr(err))
		}
	}
	if st, err := os.Stat(to); err == nil && st.IsDir() {
		final = filepath.Join(to, BackupName(info.Made))
	}
	if _, err := os.Lstat(final); err == nil {
		return info, fp.Errorf(fp.EINVALID, "%s exists already: choose another file, or a folder (each backup is then named by its time); nothing was written", final)
	}
	tmp, err := os.MkdirTemp(dir, ".backup-")
	if err != nil {
		return info, fp.Internal("cannot make a working folder in "+dir, err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, "snapshot.db")
	if info.Live, err = takeSnapshot(ctx, dir, snap); err != nil {
		return info, err
	}
	st, sum, err := checkSnapshot(snap)
	if err != nil {
		return info, fp.Internal("the snapshot just taken does not check (nothing was written): see "+filepath.Join(dir, LogFile), err)
	}
	info.Revision, info.Keys = st.Revision, st.TotalKey
	// The blobs after the snapshot: every scan it names is written by now.
	blobs, err := disk.Folder{Dir: filepath.Join(dir, blobsDir)}.List()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return info, fp.Internal("the scans folder cannot be read", err)
	}
	files, err := serverFiles(dir)
	if err != nil {
		return info, err
	}

	key, err := vault.NewKey()
	if err != nil {
		return info, err
	}
	defer key.Wipe()
	slot, err := vault.PasswordSlot(&key, passphrase, c, []byte(slotAAD))
	if err != nil {
		return info, err
	}
	out, err := os.CreateTemp(filepath.Dir(final), ".fieldprint-server-backup-tmp-*")
	if err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot write a backup in %s: %s", filepath.Dir(final), backup.PathErr(err))
	}
	defer os.Remove(out.Name())
	defer out.Close()
	w, err := backup.NewWriter(out, backup.Header{Created: info.Made, Version: fp.Version(), Kind: backup.KindServer,
		Slots: map[string]vault.Slot{slotName: slot}}, &key)
	if err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot write %s: %s", final, backup.PathErr(err))
	}
	snapSize, err := fileSize(snap)
	if err != nil {
		return info, err
	}
	m := manifest{Made: info.Made, Live: info.Live, Revision: st.Revision, Keys: st.TotalKey, SnapshotBytes: snapSize,
		SnapshotSHA: hex.EncodeToString(sum), Parts: int((snapSize + snapPart - 1) / snapPart), Files: len(files), Blobs: len(blobs)}
	for _, b := range blobs {
		if n, err := fileSize(filepath.Join(dir, blobsDir, b[:2], b)); err == nil {
			m.BlobBytes += n
		}
	}
	js, _ := json.Marshal(m)
	if err := w.Extra(manifestName, js); err != nil {
		return info, writeErr(final, err)
	}
	if err := writeSnapshotParts(w, snap); err != nil {
		return info, writeErr(final, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return info, fp.Internal("cannot read "+name, err)
		}
		if err := w.Extra(name, data); err != nil {
			return info, writeErr(final, err)
		}
	}
	folder := disk.Folder{Dir: filepath.Join(dir, blobsDir)}
	for _, b := range blobs {
		data, err := folder.Read(b)
		if errors.Is(err, os.ErrNotExist) {
			return info, fp.Errorf(fp.ECONFLICT, "a scan was removed while the backup ran (a purge, or the sweep of unused scans): run the backup again; nothing was written")
		} else if err != nil {
			return info, fp.Internal("a scan in "+folder.Dir+" cannot be read (nothing was written)", err)
		}
		if err := w.File(b, data); err != nil {
			return info, writeErr(final, err)
		}
		info.Blobs++
		info.BlobBytes += int64(len(data))
	}
	if err := w.Close(); err != nil {
		return info, writeErr(final, err)
	}
	if err := out.Sync(); err != nil {
		return info, writeErr(final, err)
	}
	if err := out.Close(); err != nil {
		return info, writeErr(final, err)
	}
	if err := os.Rename(out.Name(), final); err != nil {
		return info, writeErr(final, err)
	}
	backup.SyncDir(filepath.Dir(final))
	info.Path, info.SnapshotBytes = final, snapSize
	return info, nil
}

func writeErr(path string, err error) error {
	return fp.Errorf(fp.EINVALID, "cannot write the backup %s: %s (a full disk, or a drive taken out?); nothing was written", path, backup.PathErr(err))
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func writeSnapshotParts(w *backup.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, snapPart)
	for i := 0; ; i++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if werr := w.Extra(fmt.Sprintf("%s%04d", snapPrefix, i), buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// serverFiles names the files of pki/ and desks/ ("pki/ca.crt"), sorted.
func serverFiles(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{pkiDir, desksDir} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fp.Internal("cannot read "+filepath.Join(dir, sub), err)
		}
		for _, e := range ents {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				out = append(out, sub+"/"+e.Name())
			}
		}
	}
	return out, nil
}

// takeSnapshot writes the server's database to path: from the running
// server, or from its folder when it is stopped. It says which.
func takeSnapshot(ctx context.Context, dir, path string) (live bool, err error) {
	if s, ok := running(dir); ok {
		defer s.admin.Close()
		ctx, cancel := context.WithTimeout(ctx, backupTimeout)
		defer cancel()
		if _, err := s.Snapshot(ctx, path); err != nil {
			return true, fp.Internal("the running server's snapshot failed (nothing was written)", err)
		}
		return true, nil
	}
	return false, copyStoppedDB(dir, path)
}

// running connects to the server of dir when it runs and answers.
func running(dir string) (*Server, bool) {
	addr, err := os.ReadFile(filepath.Join(dir, addrFile))
	if err != nil {
		return nil, false
	}
	p, err := loadExistingPKI(dir)
	if err != nil {
		return nil, false
	}
	s := &Server{pki: p, dir: dir, addr: strings.TrimSpace(string(addr))}
	if s.connect() != nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := s.admin.Status(ctx, s.URL()); err != nil {
		s.admin.Close()
		return nil, false
	}
	return s, true
}

func etcdDB(dir string) string { return filepath.Join(dir, etcdDir, "member", "snap", "db") }

// errInUse: the server's database is held by a running server that did
// not answer.
func errInUse(dir string) error {
	return fp.Errorf(fp.ECONFLICT, "the office server in %s seems to run (its database is in use) but does not answer: see %s, or stop it; nothing was changed", dir, filepath.Join(dir, LogFile))
}

// copyStoppedDB copies the stopped server's database to path, in one
// read transaction, with its SHA-256 appended (as etcd's snapshots).
func copyStoppedDB(dir, path string) error {
	src := etcdDB(dir)
	if _, err := os.Stat(src); err != nil {
		return fp.Errorf(fp.EINVALID, "%s holds no database (%s): the server has never started there; nothing was written", dir, backup.PathErr(err))
	}
	db, err := bolt.Open(src, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return errInUse(dir)
	} else if err != nil {
		return fp.Internal("the server's database cannot be opened", err)
	}
	defer db.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if err := db.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(io.MultiWriter(f, h))
		return err
	}); err != nil {
		return fp.Internal("the server's database cannot be read", err)
	}
	if _, err := f.Write(h.Sum(nil)); err != nil {
		return err
	}
	return f.Close()
}

// checkSnapshot checks a snapshot's SHA-256 (appended by etcd) and reads
// its status (etcdutl: it opens, its revision and keys); it returns the
// SHA-256 of the whole file.
func checkSnapshot(path string) (snapshot.Status, []byte, error) {
	var st snapshot.Status
	f, err := os.Open(path)
	if err != nil {
		return st, nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return st, nil, err
	}
	if size%512 != sha256.Size {
		return st, nil, errors.New("the snapshot has no SHA-256 at its end")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return st, nil, err
	}
	h, whole := sha256.New(), sha256.New()
	if _, err := io.CopyN(io.MultiWriter(h, whole), f, size-sha256.Size); err != nil {
		return st, nil, err
	}
	tail := make([]byte, sha256.Size)
	if _, err := io.ReadFull(f, tail); err != nil {
		return st, nil, err
	}
	whole.Write(tail)
	if !bytes.Equal(h.Sum(nil), tail) {
		return st, nil, errors.New("the snapshot's SHA-256 does not match")
	}
	st, err = snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		return st, nil, fmt.Errorf("etcd's status of the snapshot: %w", err)
	}
	return st, whole.Sum(nil), nil
}

// RestoreInfo says what a restore did.
type RestoreInfo struct {
	Made     time.Time // when the backup was made
	Revision int64     // the backup's revision (the restored server's is RevisionBump higher)
	Blobs    int
	// KeptCerts: the folder held this office's certificates (the same CA):
	// its pki/ and desks/ are kept (desks added or removed since the
	// backup stay so); else the backup's are restored.
	KeptCerts bool
	// Aside is the folder the replaced parts were moved to ("" when the
	// folder held no server).
	Aside string
}

// ErrWrongPassphrase: the passphrase does not open the backup.
var ErrWrongPassphrase = fp.Errorf(fp.EFORBIDDEN, "this passphrase does not open this backup (the one given when it was made); nothing was changed")

// Restore restores the backup from into the server folder dir, which may
// be empty or hold the server (stopped: it refuses while the server runs).
// The whole backup is read and checked before anything in dir changes;
// the replaced parts are kept in dir/replaced-TIME.
func Restore(dir, from, passphrase string) (RestoreInfo, error) {
	var info RestoreInfo
	dir, err := filepath.Abs(dir)
	if err != nil {
		return info, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot make the server's folder %s: %s", dir, backup.PathErr(err))
	}
	if s, ok := running(dir); ok {
		s.admin.Close()
		return info, fp.Errorf(fp.ECONFLICT, "the office server in %s is running: stop it first (systemctl stop fieldprint-server, or Ctrl-C); nothing was changed", dir)
	}
	if err := notInUse(dir); err != nil {
		return info, err
	}
	if err := finishRestore(dir); err != nil {
		return info, err
	}
	f, err := os.Open(from)
	if err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot read the backup %s: %s", from, backup.PathErr(err))
	}
	defer f.Close()
	h, hash, err := backup.ReadHeader(f)
	if err != nil {
		return info, err
	}
	if h.Kind != backup.KindServer {
		return info, fp.Errorf(fp.EINVALID, "%s is a desk's backup, not an office server's: restore it at a desk with fieldprint restore; nothing was changed", filepath.Base(from))
	}
	slot, ok := h.Slots[slotName]
	if !ok {
		return info, fp.Errorf(fp.EINVALID, "this backup cannot be used: it has no passphrase slot; nothing was changed")
	}
	key, err := slot.OpenPassword(passphrase, []byte(slotAAD))
	if err != nil {
		return info, ErrWrongPassphrase
	}
	defer key.Wipe()

	staging := filepath.Join(dir, restoringDir)
	if err := os.RemoveAll(staging); err != nil {
		return info, fp.Internal("cannot clear "+staging, err)
	}
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot restore into %s: %s", dir, backup.PathErr(err))
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	m, err := unpack(backup.NewReader(f, h, hash, &key), staging)
	if err != nil {
		return info, err
	}
	info.Made, info.Revision, info.Blobs = m.Made, m.Revision, m.Blobs

	// The certificates: this office's (the same CA) are kept, the newer
	// record of which desks are admitted; another's or none: the backup's.
	parts := []string{etcdDir, blobsDir, restoredMark}
	cur, err := os.ReadFile(filepath.Join(dir, pkiDir, "ca.crt"))
	old, _ := os.ReadFile(filepath.Join(staging, pkiDir, "ca.crt"))
	if err == nil && bytes.Equal(cur, old) {
		info.KeptCerts = true
	} else {
		parts = append(parts, pkiDir, desksDir)
	}

	snap := filepath.Join(staging, "snapshot.db")
	ec := embed.NewConfig()
	peer := "http://127.0.0.1:0" // as Start's: one member, never dialled
	if err := snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath:        snap,
		Name:                "fieldprint",
		OutputDataDir:       filepath.Join(staging, etcdDir),
		PeerURLs:            []string{peer},
		InitialCluster:      "fieldprint=" + peer,
		InitialClusterToken: ec.InitialClusterToken,
		RevisionBump:        RevisionBump,
		MarkCompacted:       true,
	}); err != nil {
		return info, fp.Internal("etcd's restore of the snapshot failed; nothing was changed", err)
	}
	os.Remove(snap)
	if err := writeFile(filepath.Join(staging, restoredMark), []byte(m.Made.Format(time.RFC3339)+"\n")); err != nil {
		return info, fp.Internal("cannot restore into "+dir, err)
	}
	for _, p := range []string{blobsDir, pkiDir, desksDir} {
		if err := os.MkdirAll(filepath.Join(staging, p), 0o700); err != nil {
			return info, fp.Internal("cannot restore into "+dir, err)
		}
	}
	if !info.KeptCerts {
		if _, err := os.Stat(filepath.Join(staging, pkiDir, "ca.key")); err != nil {
			return info, fp.Errorf(fp.EINVALID, "this backup cannot be used: it holds no office CA; nothing was changed")
		}
	}

	// Decided: the journal, then the swap (finished by the next restore or
	// start if this stops half-way).
	replaced := replacedPre + time.Now().UTC().Format(replacedTime)
	for i := 2; exists(filepath.Join(dir, replaced)); i++ {
		replaced = fmt.Sprintf("%s%s-%d", replacedPre, time.Now().UTC().Format(replacedTime), i)
	}
	hadServer := exists(filepath.Join(dir, etcdDir)) || exists(filepath.Join(dir, blobsDir)) || (!info.KeptCerts && exists(filepath.Join(dir, pkiDir)))
	if err := os.Mkdir(filepath.Join(dir, replaced), 0o700); err != nil {
		return info, fp.Errorf(fp.EINVALID, "cannot restore into %s: %s", dir, backup.PathErr(err))
	}
	j, _ := json.Marshal(journal{Replaced: replaced, Parts: parts})
	backup.SyncDir(staging)
	if err := writeFile(filepath.Join(dir, journalFile), j); err != nil {
		os.Remove(filepath.Join(dir, replaced))
		return info, fp.Errorf(fp.EINVALID, "cannot restore into %s: %s", dir, backup.PathErr(err))
	}
	backup.SyncDir(dir)
	done = true
	if err := finishRestore(dir); err != nil {
		return info, err
	}
	if hadServer {
		info.Aside = filepath.Join(dir, replaced)
	} else {
		os.Remove(filepath.Join(dir, replaced))
	}
	return info, nil
}

// notInUse refuses a folder whose etcd database a running server holds.
func notInUse(dir string) error {
	if _, err := os.Stat(etcdDB(dir)); err != nil {
		return nil
	}
	db, err := bolt.Open(etcdDB(dir), 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return errInUse(dir)
	}
	if err == nil {
		db.Close()
	}
	return nil
}

// unpack reads the whole backup into staging (the snapshot as
// snapshot.db) and checks it: every chunk, every file's SHA-256, the
// snapshot against the manifest and etcd's status, every unsealed blob
// against its name.
func unpack(r *backup.Reader, staging string) (manifest, error) {
	var m manifest
	damaged := func(format string, a ...any) error {
		return fp.Errorf(fp.EINVALID, "this backup cannot be used: "+format+"; nothing was changed. Use another backup (the one before it)", a...)
	}
	snap, err := os.OpenFile(filepath.Join(staging, "snapshot.db"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return m, err
	}
	defer snap.Close()
	whole := sha256.New()
	var snapBytes int64
	parts, files, blobs := 0, 0, 0
	folder := disk.Folder{Dir: filepath.Join(staging, blobsDir)}
	first := true
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return m, err
		}
		if first {
			if rec.Kind != 'X' || string(rec.Key) != manifestName || json.Unmarshal(rec.Value, &m) != nil {
				return m, damaged("it does not begin with its list of contents")
			}
			first = false
			continue
		}
		name := string(rec.Key)
		switch {
		case rec.Kind == 'X' && strings.HasPrefix(name, snapPrefix):
			if name != fmt.Sprintf("%s%04d", snapPrefix, parts) {
				return m, damaged("the database's parts are out of order")
			}
			parts++
			whole.Write(rec.Value)
			snapBytes += int64(len(rec.Value))
			if _, err := snap.Write(rec.Value); err != nil {
				return m, fp.Internal("cannot write the database in "+staging, err)
			}
		case rec.Kind == 'X' && (strings.HasPrefix(name, pkiDir+"/") || strings.HasPrefix(name, desksDir+"/")):
			sub, base, _ := strings.Cut(name, "/")
			if base == "" || base != filepath.Base(base) || strings.ContainsAny(base, `/\`) || strings.HasPrefix(base, ".") {
				return m, damaged("it names a file %q", name)
			}
			if err := writeFile(filepath.Join(staging, sub, base), rec.Value); err != nil {
				return m, fp.Internal("cannot write "+name, err)
			}
			files++
		case rec.Kind == 'F':
			if !etcdstore.ValidSum(name) {
				return m, damaged("a scan in it is misnamed")
			}
			if !sealedBlob(rec.Value) {
				if s := sha256.Sum256(rec.Value); hex.EncodeToString(s[:]) != name {
					return m, damaged("a scan in it does not match its name (its SHA-256)")
				}
			}
			if _, err := folder.Write(name, rec.Value); err != nil {
				return m, fp.Internal("cannot write a scan in "+staging, err)
			}
			blobs++
		default:
			return m, damaged("it holds a record it should not (%c)", rec.Kind)
		}
	}
	if first {
		return m, damaged("it is empty")
	}
	if err := snap.Sync(); err != nil {
		return m, err
	}
	if err := snap.Close(); err != nil {
		return m, err
	}
	if parts != m.Parts || snapBytes != m.SnapshotBytes || hex.EncodeToString(whole.Sum(nil)) != m.SnapshotSHA ||
		files != m.Files || blobs != m.Blobs {
		return m, damaged("it does not hold what its list of contents says")
	}
	if _, _, err := checkSnapshot(filepath.Join(staging, "snapshot.db")); err != nil {
		return m, damaged("its database does not check (%v)", err)
	}
	return m, nil
}

// sealedBlob: a scan a desk sealed (workflow/seal.go's magics); its name
// is the SHA-256 of the scan inside, checked by the desk that opens it.
func sealedBlob(data []byte) bool {
	return bytes.HasPrefix(data, []byte("FPSEAL1\n")) || bytes.HasPrefix(data, []byte("FPSEAL2\n"))
}

// journal is a decided restore: the parts to move from .restoring into
// the folder, the replaced ones into Replaced.
type journal struct {
	Replaced string   `json:"replaced"`
	Parts    []string `json:"parts"`
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// rename is os.Rename (a test stops a restore after any one).
var rename = os.Rename

// finishRestore completes a restore its journal says was decided (each
// rename only if it is still to do), then removes the journal.
func finishRestore(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, journalFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fp.Internal("cannot read the restore journal", err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil || !strings.HasPrefix(j.Replaced, replacedPre) || strings.ContainsAny(j.Replaced, `/\`) {
		return fp.Errorf(fp.EINTERNAL, "the restore journal %s is damaged: the server's parts before the restore are in %s, the restored ones in %s; move them by hand", filepath.Join(dir, journalFile), dir, filepath.Join(dir, restoringDir))
	}
	staging, replaced := filepath.Join(dir, restoringDir), filepath.Join(dir, j.Replaced)
	for _, part := range j.Parts {
		switch part {
		case etcdDir, blobsDir, pkiDir, desksDir, restoredMark:
		default:
			return fp.Errorf(fp.EINTERNAL, "the restore journal %s names %q: move the parts by hand", filepath.Join(dir, journalFile), part)
		}
		orig, from, aside := filepath.Join(dir, part), filepath.Join(staging, part), filepath.Join(replaced, part)
		if exists(orig) && exists(from) && !exists(aside) {
			if err := rename(orig, aside); err != nil {
				return fp.Internal("the restore could not set "+orig+" aside (run it again)", err)
			}
		}
		if exists(from) {
			if err := rename(from, orig); err != nil {
				return fp.Internal("the restore could not put "+orig+" in place (run it again)", err)
			}
		}
	}
	backup.SyncDir(dir)
	if err := os.Remove(filepath.Join(dir, journalFile)); err != nil {
		return fp.Internal("cannot remove the restore journal", err)
	}
	backup.SyncDir(dir)
	os.RemoveAll(staging)
	return nil
}

// afterRestore is the first start after a restore: the search mark is
// written again (its revision now above every revision a desk saw), so
// every desk's search index is built again.
func (s *Server) afterRestore() error {
	mark := filepath.Join(s.dir, restoredMark)
	if !exists(mark) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.admin.Put(ctx, SearchRevKey, ""); err != nil {
		return err
	}
	s.lg.Warn("first start after a restore: desks read everything again")
	return os.Remove(mark)
}
