package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/backup"
	"github.com/fieldprint/fieldprint/vault"
)

// A backup (package backup has the file format) holds a consistent
// snapshot of the office: every key/value of the storage contract read in
// one read transaction (the same on any backend), the named sequences,
// the attachments that snapshot refers to, and the stamp key. Its chunks
// are sealed with a key derived from the office key; its header carries
// copies of the key slots that open the office key (the recovery slot and
// each enabled administrator's password slot), so a backup opens on
// another machine with the recovery key or an administrator's password.

// BackupStampKey is the stamp key's name among a backup's files.
const BackupStampKey = "stamp.key"

// BackupCheckpoint is the name, among a backup's files, of the audit
// trail's checkpoint signed when the backup was made: a restore checks the
// history it brings against it.
const BackupCheckpoint = "checkpoint"

const (
	backupPurpose  = "fieldprint backup"
	slotRecovery   = "recovery"
	slotAdminLabel = "admin:"
)

func backupKey(office *vault.Key) vault.Key { return vault.Derive(office, backupPurpose) }

// adminLabel names an administrator's slot in a backup's header without
// the name in the clear.
func adminLabel(name string) string {
	sum := sha256.Sum256([]byte("fieldprint backup slot " + name))
	return slotAdminLabel + hex.EncodeToString(sum[:12])
}

// SequenceReader is what a backend's read transaction gives, besides the
// contract, for a backup: each named sequence's last number (a restored
// office must never hand out a number again).
type SequenceReader interface {
	Sequences(fn func(name string, last uint64) error) error
}

// pins keeps attachments' bytes on the disk while a backup copies them:
// a file the snapshot refers to and an edit lets go of meanwhile is
// removed only once the backup is done.
type pins struct {
	mu   sync.Mutex
	n    int
	held []string
}

// removeFile deletes the bytes of a file nothing refers to any more (or
// holds it until the running backups end).
func (db *Desk) removeFile(sum string) {
	db.pins.mu.Lock()
	if db.pins.n > 0 {
		db.pins.held = append(db.pins.held, sum)
		db.pins.mu.Unlock()
		return
	}
	db.pins.mu.Unlock()
	db.files.Remove(sum)
}

func (db *Desk) pin() {
	db.pins.mu.Lock()
	db.pins.n++
	db.pins.mu.Unlock()
}

func (db *Desk) unpin() {
	db.pins.mu.Lock()
	db.pins.n--
	var held []string
	if db.pins.n == 0 {
		held, db.pins.held = db.pins.held, nil
	}
	db.pins.mu.Unlock()
	if len(held) == 0 {
		return
	}
	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	for _, s := range held {
		db.dropUnreferenced(s) // unless attached again meanwhile
	}
}

// BackupOptions says how a backup runs.
type BackupOptions struct {
	// Automatic: the window's daily backup, run as whoever is signed in
	// (the office key is what it needs); otherwise an administrator.
	Automatic bool
	// Progress is told the share done, from 0 to 1 (may be nil).
	Progress func(done float64)
	// Now is when the backup is made (zero: the Desk's clock).
	Now time.Time
}

// Backup writes a backup of the office to w while the office is in use.
func (db *Desk) Backup(a fp.Actor, w io.Writer, opt BackupOptions) (backup.Counts, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(float64) {}
	}
	if opt.Now.IsZero() {
		opt.Now = db.Now()
	}
	office, err := db.officeKeyCopy()
	if err != nil {
		return backup.Counts{}, err
	}
	defer office.Wipe()
	key := backupKey(&office)
	defer key.Wipe()
	// Signed before the snapshot: the snapshot's history holds at least
	// what it covers.
	checkpoint, _ := db.SignedCheckpoint()
	db.pin()
	defer db.unpin()
	var out *backup.Writer
	var sums []string
	var fileBytes, keys int64
	err = db.s.View(func(r fp.Reader) (err error) {
		defer catchRead(&err)
		t := &tx{r: r}
		actor, err := authorize(t, a)
		if err != nil {
			return err
		}
		if !opt.Automatic {
			if err := fp.CheckBackup(actor); err != nil {
				return err
			}
		}
		h := backup.Header{Created: opt.Now, Schema: db.schemaIn(t), Version: fp.Version(), Slots: map[string]vault.Slot{}}
		if err := backupSlots(t, h.Slots); err != nil {
			return err
		}
		total, err := r.Count(nil)
		if err != nil {
			return err
		}
		if out, err = backup.NewWriter(w, h, &key); err != nil {
			return err
		}
		files := bFiles
		filesPre := append(append([]byte(nil), files...), '/')
		err = r.Scan(nil, nil, false, func(k, v []byte) (bool, error) {
			if bytes.HasPrefix(k, filesPre) {
				sums = append(sums, string(k[len(filesPre):]))
				var rec fileRecord
				if json.Unmarshal(v, &rec) == nil {
					fileBytes += rec.Size
				}
			}
			if keys++; keys%4096 == 0 {
				progress(0.5 * float64(keys) / float64(max(total, 1)))
			}
			return true, out.Put(k, v)
		})
		if err != nil {
			return err
		}
		if sr, ok := r.(SequenceReader); ok {
			return sr.Sequences(out.Sequence)
		}
		return nil
	})
	if err != nil {
		return backup.Counts{}, wrap(err, "the backup was not made")
	}
	progress(0.5)
	var done int64
	for _, s := range sums {
		if !validSum(s) {
			continue
		}
		data, err := db.files.Read(s)
		if err != nil {
			return backup.Counts{}, fp.Errorf(fp.EINTERNAL, "the backup was not made: the stored file %.12s… cannot be read (run fieldprint check): %v", s, errors.Unwrap(err))
		}
		if err := out.File(s, data); err != nil {
			return backup.Counts{}, err
		}
		done += int64(len(data))
		progress(0.5 + 0.5*float64(done)/float64(max(fileBytes, 1)))
	}
	if ks, err := db.keyStore(); err == nil {
		data, err := ks.snapshot()
		if err != nil {
			return backup.Counts{}, fp.Internal("the backup was not made: the requests' key store cannot be read", err)
		}
		if data != nil {
			if err := out.Extra(BackupKeyStore, data); err != nil {
				return backup.Counts{}, err
			}
		}
	}
	if checkpoint != nil {
		if err := out.Extra(BackupCheckpoint, checkpoint); err != nil {
			return backup.Counts{}, err
		}
	}
	if db.KeyFile != "" {
		if data, err := os.ReadFile(db.KeyFile); err == nil {
			if err := out.Extra(BackupStampKey, data); err != nil {
				return backup.Counts{}, err
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return backup.Counts{}, fp.Internal("the backup was not made: the stamp key cannot be read", err)
		}
	}
	if err := out.Close(); err != nil {
		return backup.Counts{}, err
	}
	progress(1)
	return out.Counts(), nil
}

func (db *Desk) schemaIn(t *tx) int {
	if b := t.Bucket(bMeta).Get(kSchema); len(b) == 8 {
		return int(binary.BigEndian.Uint64(b))
	}
	return 0
}

// backupSlots copies the slots that open the office key: the recovery
// slot and each enabled administrator's.
func backupSlots(t *tx, into map[string]vault.Slot) error {
	rs, err := getSlot(t, kRecovery)
	if err != nil {
		return err
	}
	if rs == nil {
		return fp.Errorf(fp.EINVALID, "this office has no data key yet: an administrator makes it by signing in")
	}
	into[slotRecovery] = *rs
	return t.Bucket(bUsers).ForEach(func(k, v []byte) error {
		var u fp.User
		if json.Unmarshal(v, &u) != nil || u.Role != fp.RoleAdmin || u.Disabled {
			return nil
		}
		s, err := getSlot(t, userSlotKey(u.Name))
		if err != nil || s == nil {
			return err
		}
		into[adminLabel(u.Name)] = *s
		return nil
	})
}

// BackupSecret opens a backup: the recovery key, or an administrator's
// name and password (as they were when the backup was made).
type BackupSecret struct {
	RecoveryKey     string
	Admin, Password string
}

// OpenBackup reads a backup's header from r, checks that this Fieldprint
// can restore it and that the secret opens it, and returns the reader of
// its records (each chunk is checked as it is read: read them all before
// trusting any).
func OpenBackup(r io.Reader, s BackupSecret) (*backup.Reader, *backup.Header, error) {
	h, hash, err := backup.ReadHeader(r)
	if err != nil {
		return nil, nil, err
	}
	if h.Kind == backup.KindServer {
		return nil, nil, fp.Errorf(fp.EINVALID, "this is a backup of an office server, not of a desk's office: it is restored on the server with fieldprint serve restore; nothing was changed")
	}
	if h.Schema > Schema {
		return nil, nil, fp.Errorf(fp.EINVALID, "this backup was written by a newer Fieldprint (%s, schema %d; this one knows %d): restore it with that version or newer", h.Version, h.Schema, Schema)
	}
	var office vault.Key
	switch {
	case s.RecoveryKey != "":
		rk, err := vault.ParseRecoveryKey(s.RecoveryKey)
		if err != nil {
			return nil, nil, fp.Errorf(fp.EINVALID, "%s", err.Error())
		}
		slot, ok := h.Slots[slotRecovery]
		if !ok {
			return nil, nil, fp.Errorf(fp.EINVALID, "this backup has no recovery slot: open it with an administrator's name and password")
		}
		if office, err = slot.OpenRecovery(rk, slotAAD(kRecovery)); err != nil {
			return nil, nil, fp.Errorf(fp.EFORBIDDEN, "this recovery key does not open this backup: it belongs to another office, or the recovery key was replaced after this backup was made (use the one that was current then)")
		}
	case s.Admin != "":
		n, err := fp.NormalizeUserName(s.Admin)
		if err != nil {
			return nil, nil, err
		}
		slot, ok := h.Slots[adminLabel(n)]
		if !ok {
			return nil, nil, fp.Errorf(fp.EFORBIDDEN, "%s was not an administrator with a key to the office's data when this backup was made: use the recovery key, or another administrator's password", n)
		}
		if office, err = slot.OpenPassword(s.Password, slotAAD(userSlotKey(n))); err != nil {
			return nil, nil, fp.Errorf(fp.EFORBIDDEN, "this password does not open this backup for %s: it is the password %s had when the backup was made", n, n)
		}
	default:
		return nil, nil, fp.Errorf(fp.EINVALID, "a backup opens with the recovery key, or an administrator's name and password")
	}
	defer office.Wipe()
	key := backupKey(&office)
	defer key.Wipe()
	return backup.NewReader(r, h, hash, &key), h, nil
}

// MayBackUp says whether a may make or restore a backup by hand, or change
// the backup settings: an administrator's account, enabled.
func (db *Desk) MayBackUp(a fp.Actor) error { return db.MayBackUpNow(a, false) }

// MayBackUpNow is MayBackUp, or for the automatic backup any account
// enabled; the office key must be unlocked.
func (db *Desk) MayBackUpNow(a fp.Actor, automatic bool) error {
	return db.view(func(t *tx) error {
		actor, err := authorize(t, a)
		if err != nil || automatic {
			return err
		}
		return fp.CheckBackup(actor)
	})
}

// MatchesBackupCheckpoint checks a restored office's history against the
// checkpoint its backup signed when it was made (entries after it, written
// while the backup was taken, need no signature): a backup whose history
// was changed after it was written is refused.
func (db *Desk) MatchesBackupCheckpoint(line []byte) error {
	db.cp.openHead = 0 // a staged office: nothing of it was open before
	rep, err := db.VerifySigned(line)
	if err != nil {
		return err
	}
	if rep.Problem != nil || rep.Against == nil {
		why := "its checkpoint is not of its own history"
		if rep.Problem != nil {
			why = rep.Problem.Error()
		}
		return fp.Errorf(fp.EINVALID, "this backup's history does not match the checkpoint signed when it was made (%s): it was altered after it was written; nothing was changed, restore another backup", why)
	}
	return nil
}

// NoteRestore writes into an office just restored, before it replaces
// the one in use, who restored which backup: by is the administrator
// whose password opened it ("" for the recovery key).
func (db *Desk) NoteRestore(by, file string, made time.Time) error {
	how := "with the recovery key"
	user := "fieldprint"
	if n, err := fp.NormalizeUserName(by); err == nil && by != "" {
		how, user = "with the password of "+n, n
	}
	return db.update(func(tx *tx) error {
		return db.appendAudit(tx, fp.AuditEntry{User: user, Action: fp.ActionRestore, Subject: "office",
			Note: fmt.Sprintf("the office restored from %s (made %s), opened %s; what was done after it was made is not in it", file, made.UTC().Format("2006-01-02 15:04 UTC"), how)})
	})
}
