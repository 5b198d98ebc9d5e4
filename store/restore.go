package store

import (
	"bytes"
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
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/workflow"
)

// A restore never leaves a half-restored office, whenever it is stopped
// (kill -9, a power cut):
//
//  1. The new office is built beside the old one, in a staging folder
//     (.fieldprint.db-restoring/ holding fieldprint.db, fieldprint.db-scans/,
//     fieldprint.db-stamp.key), from a backup read and checked to its end
//     (every chunk, every file's SHA-256, the counts), then made durable
//     and opened once. A stop here leaves the old office as it was; the
//     next restore clears the staging folder.
//  2. A journal, fieldprint.db-restore.journal, is written (temporary file,
//     synced, renamed): from then on the restore is decided.
//  3. Each part of the old office is renamed into the replaced folder
//     (fieldprint.db-replaced-YYYYMMDD-HHMMSS/), and the part from staging
//     renamed into its place; the journal is removed last.
//
// Opening the database (Open) first finishes a journal it finds, step 3
// again from where it stopped (each rename is done only if it is still to
// do), so the office that opens is the old one (no journal) or the new
// one (journal), never a mix. The replaced folder is kept for
// KeepReplaced; an open after that removes it once a backup has
// succeeded since the restore.

// KeepReplaced is how long the files a restore replaced are kept.
const KeepReplaced = 7 * 24 * time.Hour

const (
	journalSuffix  = "-restore.journal"
	stagingSuffix  = "-restoring"
	replacedInfix  = "-replaced-"
	replacedLayout = "20060102-150405"
)

// parts of an office on the disk: the database, its scans folder, its key
// file, by the name a journal gives them.
var parts = []string{"db", "scans", "key", "keys"}

func partPath(path, part string) string {
	switch part {
	case "scans":
		return path + "-scans"
	case "key":
		return workflow.KeyFileBeside(path)
	case "keys":
		return workflow.KeyStoreBeside(path)
	}
	return path
}

type journal struct {
	Staging  string   `json:"staging"`  // folder name, beside the database
	Replaced string   `json:"replaced"` // folder name, beside the database
	Parts    []string `json:"parts"`    // the parts the new office has
}

func stagingDir(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+stagingSuffix)
}

// rename is os.Rename (a test stops the swap after any one).
var rename = os.Rename

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// finishRestore completes a restore that a journal says was decided.
func finishRestore(path string) error {
	b, err := os.ReadFile(path + journalSuffix)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fp.Internal("cannot read the restore journal "+path+journalSuffix, err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil || j.Staging == "" || j.Replaced == "" ||
		strings.ContainsAny(j.Staging+j.Replaced, `/\`) {
		return fp.Errorf(fp.EINTERNAL, "the restore journal %s is damaged: ask your IT contact (the office before the restore is in %s, the restored one in %s)",
			path+journalSuffix, filepath.Dir(path), filepath.Dir(path))
	}
	dir := filepath.Dir(path)
	staging, replaced := filepath.Join(dir, j.Staging), filepath.Join(dir, j.Replaced)
	inNew := map[string]bool{}
	for _, p := range j.Parts {
		inNew[p] = true
	}
	for _, part := range parts {
		orig := partPath(path, part)
		from, aside := filepath.Join(staging, filepath.Base(orig)), filepath.Join(replaced, filepath.Base(orig))
		// The old part goes aside unless it went already, or the new
		// one is in its place already.
		newInPlace := inNew[part] && !exists(from)
		if exists(orig) && !newInPlace && !exists(aside) {
			if err := rename(orig, aside); err != nil {
				return restoreErr(path, err)
			}
		}
		if inNew[part] && exists(from) {
			if err := rename(from, orig); err != nil {
				return restoreErr(path, err)
			}
		}
	}
	backup.SyncDir(dir)
	if err := os.Remove(path + journalSuffix); err != nil {
		return restoreErr(path, err)
	}
	backup.SyncDir(dir)
	os.RemoveAll(staging)
	return nil
}

func restoreErr(path string, err error) error {
	return fp.Internal(fmt.Sprintf("the restore of %s could not be finished: it is finished the next time Fieldprint opens it (close every Fieldprint window using it)", path), err)
}

// Prepared is a backup restored into the staging folder, checked and on
// the disk, waiting for Swap.
type Prepared struct {
	Path    string // the database it replaces
	Header  *backup.Header
	Counts  backup.Counts
	staging string
	parts   []string
	file    string // the backup's name, for the audit entry
	by      string // the administrator whose password opened it ("": the recovery key)
}

// Prepare reads the backup file, checks it whole with the secret and builds
// the office it holds in the staging folder beside the database at path
// (the database itself may be open meanwhile: nothing of it is touched).
// progress (may be nil) is told the share done.
func Prepare(file, path string, s workflow.BackupSecret, progress func(float64)) (*Prepared, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fp.Errorf(fp.EINVALID, "cannot read the backup %s: %s", file, errText(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, h, err := workflow.OpenBackup(f, s)
	if err != nil {
		return nil, err
	}
	staging := stagingDir(path)
	if err := os.RemoveAll(staging); err != nil { // what a stopped restore left
		return nil, fp.Internal("cannot clear "+staging, err)
	}
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return nil, fp.Errorf(fp.EINVALID, "cannot restore beside %s: %s", path, errText(err))
	}
	p := &Prepared{Path: path, Header: h, staging: staging, file: filepath.Base(file), by: s.Admin}
	if err := p.build(r, st.Size(), progress); err != nil {
		os.RemoveAll(staging)
		return nil, err
	}
	return p, nil
}

// build writes the records into the staging folder.
func (p *Prepared) build(r *backup.Reader, size int64, progress func(float64)) error {
	base := filepath.Join(p.staging, filepath.Base(p.Path))
	kv, err := disk.OpenKV(base)
	if err != nil {
		return err
	}
	defer func() {
		if kv != nil {
			kv.Close()
		}
	}()
	kv.Unsynced()
	l := loader{kv: kv, seqs: map[string]uint64{}, scans: base + "-scans"}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if err := l.load(rec, base); err != nil {
			return err
		}
		if l.n++; l.n%1024 == 0 {
			progress(0.95 * float64(r.Offset()) / float64(max(size, 1)))
		}
	}
	if err := l.flush(); err != nil {
		return err
	}
	if err := kv.SetSequences(l.seqs); err != nil {
		return err
	}
	if err := kv.Sync(); err != nil {
		return fp.Internal("cannot write the restored database to the disk", err)
	}
	err = kv.Close()
	kv = nil
	if err != nil {
		return err
	}
	if err := syncTree(p.staging); err != nil {
		return fp.Internal("cannot write the restored files to the disk", err)
	}
	p.Counts = r.Counts()
	if err := os.MkdirAll(base+"-scans", 0o700); err != nil {
		return err
	}
	p.parts = []string{"db", "scans"}
	if l.keyStore {
		p.parts = append(p.parts, "keys")
	}
	if l.keyFile {
		p.parts = append(p.parts, "key")
	}
	// It opens as an office (layout, schema), like any file; its history
	// matches the checkpoint signed when the backup was made; it records
	// the restore.
	db, err := Open(base)
	if err != nil {
		return err
	}
	if l.checkpoint != nil {
		if err := db.MatchesBackupCheckpoint(l.checkpoint); err != nil {
			db.Close()
			return err
		}
	}
	if err := db.NoteRestore(p.by, p.file, p.Header.Created); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	os.Remove(base + "-closed") // the stamp of that open stays here: the first open walks the file
	backup.SyncDir(p.staging)
	progress(1)
	return nil
}

// loader writes records into the new file in transactions within the
// storage contract's limits, and attachments into its folder.
type loader struct {
	kv         *disk.KV
	batch      [][2][]byte
	bytes      int
	seqs       map[string]uint64
	scans      string
	keyFile    bool
	keyStore   bool
	checkpoint []byte // the backup's signed checkpoint
	n          int
}

func (l *loader) load(rec backup.Record, base string) error {
	switch rec.Kind {
	case 'K':
		if len(rec.Key) == 0 || len(rec.Value) > fp.MaxValueBytes {
			return fp.Errorf(fp.EINVALID, "this backup file cannot be used: it holds a record this Fieldprint cannot store; nothing was changed")
		}
		if len(l.batch) >= fp.MaxTxnOps || l.bytes+len(rec.Key)+len(rec.Value) > fp.MaxTxnBytes*3/4 {
			if err := l.flush(); err != nil {
				return err
			}
		}
		l.batch = append(l.batch, [2][]byte{rec.Key, rec.Value})
		l.bytes += len(rec.Key) + len(rec.Value)
	case 'N':
		l.seqs[string(rec.Key)] = rec.N
	case 'F':
		name := string(rec.Key)
		if !validSum(name) {
			return fp.Errorf(fp.EINVALID, "this backup file cannot be used: a stored file in it has a name Fieldprint does not write; nothing was changed")
		}
		dir := filepath.Join(l.scans, name[:2])
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), rec.Value, 0o600); err != nil {
			return fp.Errorf(fp.EINVALID, "cannot write the restored files beside the database: %s", errText(err))
		}
	case 'X':
		if string(rec.Key) == workflow.BackupCheckpoint {
			l.checkpoint = bytes.Clone(rec.Value)
			return nil
		}
		if string(rec.Key) == workflow.BackupKeyStore {
			if err := os.WriteFile(workflow.KeyStoreBeside(base), rec.Value, 0o600); err != nil {
				return err
			}
			l.keyStore = true
			return nil
		}
		if string(rec.Key) != workflow.BackupStampKey {
			return fp.Errorf(fp.EINVALID, "this backup holds a file this Fieldprint does not know (it was made by a newer one): restore it with that version")
		}
		if err := os.WriteFile(workflow.KeyFileBeside(base), rec.Value, 0o600); err != nil {
			return err
		}
		l.keyFile = true
	}
	return nil
}

func (l *loader) flush() error {
	if len(l.batch) == 0 {
		return nil
	}
	err := l.kv.Update(func(w fp.Writer) error {
		for _, kv := range l.batch {
			if err := w.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
	l.batch, l.bytes = l.batch[:0], 0
	return err
}

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Discard removes the staging folder (the restore is not wanted).
func (p *Prepared) Discard() { os.RemoveAll(p.staging) }

// Swap puts the prepared office in the place of the one at its path, which
// must be closed (no Fieldprint may hold it open), and returns the folder
// the replaced files were moved to.
func (p *Prepared) Swap(now time.Time) (string, error) {
	if disk.InUse(p.Path) {
		return "", fp.Errorf(fp.ECONFLICT, "the database %s is in use by a Fieldprint window or command: close it, then restore again", p.Path)
	}
	dir := filepath.Dir(p.Path)
	replaced := filepath.Base(p.Path) + replacedInfix + now.UTC().Format(replacedLayout)
	for i := 2; exists(filepath.Join(dir, replaced)); i++ {
		replaced = fmt.Sprintf("%s%s%s-%d", filepath.Base(p.Path), replacedInfix, now.UTC().Format(replacedLayout), i)
	}
	if err := os.Mkdir(filepath.Join(dir, replaced), 0o700); err != nil {
		return "", fp.Errorf(fp.EINVALID, "cannot restore beside %s: %s", p.Path, errText(err))
	}
	os.Remove(p.Path + "-closed") // the old file's clean-close stamp
	j, err := json.Marshal(journal{Staging: filepath.Base(p.staging), Replaced: replaced, Parts: p.parts})
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(p.Path)+journalSuffix+".tmp-*")
	if err != nil {
		return "", fp.Errorf(fp.EINVALID, "cannot restore beside %s: %s", p.Path, errText(err))
	}
	_, err = tmp.Write(j)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		backup.SyncDir(filepath.Join(dir, replaced))
		err = os.Rename(tmp.Name(), p.Path+journalSuffix)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fp.Errorf(fp.EINVALID, "cannot restore beside %s: %s", p.Path, errText(err))
	}
	backup.SyncDir(dir)
	// Decided: from here the next open finishes it if this does not.
	if err := finishRestore(p.Path); err != nil {
		return "", err
	}
	return filepath.Join(dir, replaced), nil
}

// Restore is Prepare then Swap: the database must not be open.
func Restore(file, path string, s workflow.BackupSecret, progress func(float64)) (*Prepared, string, error) {
	if disk.InUse(path) {
		return nil, "", fp.Errorf(fp.ECONFLICT, "the database %s is in use by a Fieldprint window or command: close it, then restore again (or restore from the window: Settings, Backups)", path)
	}
	p, err := Prepare(file, path, s, progress)
	if err != nil {
		return nil, "", err
	}
	aside, err := p.Swap(time.Now())
	if err != nil {
		p.Discard()
		return nil, "", err
	}
	return p, aside, nil
}

// removeReplaced deletes the folders of files a restore replaced once
// they are older than KeepReplaced and a backup succeeded since.
func removeReplaced(path string, now time.Time) {
	c, err := backup.LoadConfig(backup.ConfigPath(path))
	if err != nil || c.LastOK.IsZero() {
		return
	}
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	pre := filepath.Base(path) + replacedInfix
	for _, e := range ents {
		s, ok := strings.CutPrefix(e.Name(), pre)
		if !ok || !e.IsDir() {
			continue
		}
		if t, err := time.Parse(replacedLayout, s[:min(len(s), len(replacedLayout))]); err == nil && now.Sub(t) > KeepReplaced && c.LastOK.After(t) {
			os.RemoveAll(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}

// globEscape quotes the characters filepath.Match treats specially.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	if filepath.Separator == '\\' {
		r = strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`)
	}
	return r.Replace(s)
}
