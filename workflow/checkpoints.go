package workflow

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

var kCheckpoints = []byte("checkpoints") // settings/checkpoints -> JSON {"folder": …}

// checkpoints is what a desk knows of the signed checkpoints of its history.
type checkpoints struct {
	mu       sync.Mutex
	openHead uint64 // the chain's length when the desk opened
	loaded   bool   // dir, signed and unsigned are known
	dir      string // the office's checkpoint folder ("": none)
	signed   fp.SignedCheckpoint
	// unsignedFrom..To: entries found at open that no checkpoint covered;
	// the next checkpoint written says so.
	unsignedFrom, unsignedTo uint64
	err                      error // the last failure to write one
}

type checkpointSettings struct {
	Folder string `json:"folder"`
}

// CheckpointFolder is where signed checkpoints are written ("": nowhere).
func (db *Desk) CheckpointFolder() (dir string, err error) {
	err = db.view(func(tx *tx) error { dir, err = checkpointFolderTx(tx); return err })
	return dir, err
}

func checkpointFolderTx(tx *tx) (string, error) {
	v := tx.Bucket(bSettings).Get(kCheckpoints)
	if v == nil {
		return "", nil
	}
	var s checkpointSettings
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fp.Internal("the checkpoint folder setting cannot be read", err)
	}
	return s.Folder, nil
}

// SetCheckpointFolder sets the folder signed checkpoints go to
// (administrators only; audited). The folder must exist and take a file:
// one is written at once.
func (db *Desk) SetCheckpointFolder(a fp.Actor, dir string) error {
	dir, err := fp.NormalizeCheckpointFolder(dir)
	if err != nil {
		return err
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fp.Errorf(fp.EINVALID, "the checkpoint folder %s does not exist or is not a folder", dir)
		}
	}
	err = db.update(func(tx *tx) error {
		a, err := requireAdmin(tx, a, "the checkpoint folder")
		if err != nil {
			return err
		}
		old, err := checkpointFolderTx(tx)
		if err != nil || old == dir {
			return err
		}
		v, _ := json.Marshal(checkpointSettings{Folder: dir})
		if err := tx.Bucket(bSettings).Put(kCheckpoints, v); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionCheckpointFolder,
			Changes: []fp.Change{{Field: "folder", Old: old, New: dir}}})
	})
	if err != nil {
		return wrap(err, "the checkpoint folder was not saved")
	}
	db.cp.mu.Lock()
	db.cp.loaded = false // read what the new folder holds
	db.cp.mu.Unlock()
	if dir == "" {
		return nil
	}
	if _, err := db.writeCheckpoint(true); err != nil {
		return fp.Errorf(fp.EINVALID, "the folder was saved, but no checkpoint could be written to it: %s", fp.ErrorMessage(err))
	}
	return nil
}

// CheckpointError is the last failure to write a checkpoint automatically (nil: none).
func (db *Desk) CheckpointError() error {
	db.cp.mu.Lock()
	defer db.cp.mu.Unlock()
	return db.cp.err
}

// committed is told the chain's length after every update that wrote
// entries: it writes a checkpoint when one is due (see fp.CheckpointEvery).
func (db *Desk) committed(head uint64) {
	if !db.cp.mu.TryLock() {
		return // a checkpoint is being written (its key's registration commits too)
	}
	db.loadCheckpoints()
	due := db.cp.dir != "" && (head >= db.cp.signed.Count+fp.CheckpointEvery || db.Now().Sub(db.cp.signed.At) >= fp.CheckpointAfter)
	db.cp.mu.Unlock()
	if due {
		db.writeCheckpoint(false)
	}
}

// loadCheckpoints reads, once (cp.mu held), the folder and the newest
// signed checkpoint of this chain there, and what of the chain that
// leaves unsigned as the desk opened.
func (db *Desk) loadCheckpoints() {
	if db.cp.loaded {
		return
	}
	var dir, chain string
	err := db.view(func(tx *tx) error {
		var err error
		if _, chain, err = chainHead(tx); err != nil {
			return err
		}
		dir, err = checkpointFolderTx(tx)
		return err
	})
	if err != nil {
		return // tried again at the next commit
	}
	db.cp.loaded, db.cp.dir = true, dir
	db.cp.signed, db.cp.unsignedFrom, db.cp.unsignedTo = fp.SignedCheckpoint{}, 0, 0
	if dir == "" || chain == "" {
		return
	}
	data, err := readCheckpointFolder(dir, chain)
	if err != nil {
		return
	}
	cps, _ := fp.ParseCheckpoints(data)
	for _, c := range cps {
		if c.Chain == chain && c.Count >= db.cp.signed.Count {
			db.cp.signed = c
		}
	}
	if s := db.cp.signed.Count; s > 0 && db.cp.openHead > s {
		db.cp.unsignedFrom, db.cp.unsignedTo = s+1, db.cp.openHead
	}
}

// checkpointFile is where the checkpoints of a chain go in a month: one
// small file a month (a line is about 400 bytes; an office writes a few
// dozen a day), never deleted by Fieldprint: they are the evidence.
func checkpointFile(dir, chain string, at time.Time) string {
	return filepath.Join(dir, fmt.Sprintf("fieldprint-checkpoints-%s-%s.jsonl", chain[:12], at.UTC().Format("2006-01")))
}

// readCheckpointFolder returns the checkpoint files' contents of chain in
// dir, oldest month first.
func readCheckpointFolder(dir, chain string) ([]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "fieldprint-checkpoints-"+chain[:12]+"-*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []byte
	for _, n := range names {
		b, err := readSmallFile(n)
		if err != nil {
			return nil, err
		}
		all = append(all, b...)
		if len(all) > 0 && all[len(all)-1] != '\n' {
			all = append(all, '\n')
		}
	}
	return all, nil
}

// readSmallFile reads a checkpoint file of at most 64 MiB.
func readSmallFile(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.Size() > 64<<20 {
		return nil, fmt.Errorf("%s is %d bytes: not a checkpoint file", name, st.Size())
	}
	return os.ReadFile(name)
}

// chainHead reads the chain's length and head hash, and the hash of its
// first entry (the chain's name in checkpoints).
func chainHead(tx *tx) (head fp.Checkpoint, first string, err error) {
	head = fp.Checkpoint{Hash: fp.GenesisHash}
	k, v := auditHead(tx)
	if k == nil {
		return head, "", nil
	}
	var e fp.AuditEntry
	if err := json.Unmarshal(v, &e); err != nil || len(k) != 8 {
		return head, "", fp.Internal("the newest audit entry cannot be read: run fieldprint audit verify", err)
	}
	head = fp.Checkpoint{Count: binary.BigEndian.Uint64(k), Hash: e.Hash}
	_, v = tx.Bucket(bAudit).Cursor().First()
	if err := json.Unmarshal(v, &e); err != nil {
		return head, "", fp.Internal("the first audit entry cannot be read: run fieldprint audit verify", err)
	}
	return head, e.Hash, nil
}

// extends checks that the chain from entry since.Count on links up to
// head: what a checkpoint about to be signed must be (never sign a
// history that no longer holds what was signed before).
func extends(tx *tx, since fp.Checkpoint) error {
	b := tx.Bucket(bAudit)
	prev := fp.GenesisHash
	if since.Count > 0 {
		var e fp.AuditEntry
		if v := b.Get(u64(since.Count)); v == nil || json.Unmarshal(v, &e) != nil || e.Hash != since.Hash {
			return fmt.Errorf("entry %d is not the one the last checkpoint signed", since.Count)
		}
		prev = since.Hash
	}
	want := since.Count + 1
	c := b.Cursor()
	for k, v := c.Seek(u64(want)); k != nil; k, v = c.Next() {
		var e fp.AuditEntry
		if json.Unmarshal(v, &e) != nil || len(k) != 8 || binary.BigEndian.Uint64(k) != want || e.Seq != want ||
			e.PrevHash != prev || e.ComputeHash() != e.Hash {
			return fmt.Errorf("entry %d does not verify", want)
		}
		prev, want = e.Hash, want+1
	}
	return nil
}

// writeCheckpoint signs the chain's head with the office's key and, when
// the office has a checkpoint folder, appends it there (when it is newer
// than the last written, or always when force).
func (db *Desk) writeCheckpoint(force bool) (fp.SignedCheckpoint, error) {
	db.cp.mu.Lock()
	defer db.cp.mu.Unlock()
	s, err := db.signCheckpoint(force)
	db.cp.err = err
	return s, err
}

func (db *Desk) signCheckpoint(force bool) (fp.SignedCheckpoint, error) {
	priv, err := db.stampKey()
	if err != nil {
		return fp.SignedCheckpoint{}, fp.Internal("the office's signing key cannot be read or created beside the database", err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	// The key's public half is in the history before the first checkpoint it signs.
	if err := db.update(func(tx *tx) error { return db.registerKey(tx, pub) }); err != nil {
		return fp.SignedCheckpoint{}, wrap(err, "the signing key was not recorded")
	}
	db.loadCheckpoints()
	dir := db.cp.dir
	var (
		head         fp.Checkpoint
		chain        string
		office       fp.Office
		extendsError error
	)
	err = db.view(func(tx *tx) error {
		var err error
		if head, chain, err = chainHead(tx); err != nil {
			return err
		}
		if v := tx.Bucket(bSettings).Get(kOffice); v != nil {
			json.Unmarshal(v, &office)
		}
		extendsError = extends(tx, db.cp.signed.Checkpoint)
		return nil
	})
	if err != nil {
		return fp.SignedCheckpoint{}, err
	}
	if extendsError != nil {
		return fp.SignedCheckpoint{}, fp.Errorf(fp.EINVALID, "no checkpoint was signed: the audit trail no longer holds what the last checkpoint signed (%v): run \"fieldprint audit verify\"", extendsError)
	}
	s := fp.SignedCheckpoint{Checkpoint: head, Chain: chain, Office: office.Name, At: db.Now(),
		UnsignedFrom: db.cp.unsignedFrom, UnsignedTo: db.cp.unsignedTo}.Sign(priv)
	if dir == "" || (head.Count <= db.cp.signed.Count && !force) {
		return s, nil
	}
	f, err := os.OpenFile(checkpointFile(dir, chain, s.At), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return s, fp.Errorf(fp.EINVALID, "the checkpoint cannot be written to %s: %v", dir, errors.Unwrap(err))
	}
	_, err = f.Write(s.Line())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return s, fp.Errorf(fp.EINVALID, "the checkpoint cannot be written to %s: %v", dir, err)
	}
	db.cp.signed, db.cp.unsignedFrom, db.cp.unsignedTo = s, 0, 0
	return s, nil
}

// SignedCheckpoint signs the history as it stands now with the office's
// key, writes it to the checkpoint folder if there is one, and returns it
// as a checkpoint file's line: for a backup or a printed sheet to carry.
func (db *Desk) SignedCheckpoint() ([]byte, error) {
	s, err := db.writeCheckpoint(false)
	if err != nil && s.Sig == nil {
		return nil, err
	}
	return s.Line(), nil
}

// checkpointOnClose writes the last checkpoint of a session, when the
// office has a folder and the chain grew since the last one.
func (db *Desk) checkpointOnClose() {
	db.cp.mu.Lock()
	db.loadCheckpoints()
	dir, signed := db.cp.dir, db.cp.signed.Count
	db.cp.mu.Unlock()
	if dir == "" {
		return
	}
	var head fp.Checkpoint
	db.view(func(tx *tx) error { head, _, _ = chainHead(tx); return nil })
	if head.Count > signed {
		db.writeCheckpoint(false)
	}
}

// VerifyHistory verifies the chain and every request record against it,
// and, when the office has a checkpoint folder, against the newest signed
// checkpoint there.
func (db *Desk) VerifyHistory() (fp.AuditReport, error) {
	dir, err := db.CheckpointFolder()
	if err != nil {
		return fp.AuditReport{}, err
	}
	if dir == "" {
		head, problem, err := db.VerifyAudit(nil)
		return fp.AuditReport{Head: head, Problem: problem, Warnings: []string{"no checkpoint folder is set: an administrator chooses one under Settings, so that a rewritten history shows"}}, err
	}
	var chain string
	if err := db.view(func(tx *tx) error { _, chain, _ = chainHead(tx); return nil }); err != nil {
		return fp.AuditReport{}, err
	}
	var data []byte
	if chain != "" {
		if data, err = readCheckpointFolder(dir, chain); err != nil {
			head, problem, err := db.VerifyAudit(nil)
			return fp.AuditReport{Head: head, Problem: problem, Warnings: []string{fmt.Sprintf("the checkpoint folder %s cannot be read: %v", dir, err)}}, err
		}
	}
	return db.VerifySigned(data)
}

// VerifySigned verifies the history against the newest signed checkpoint
// of this database in data (checkpoint files' lines): its signature, by a
// key the database's history records as the office's; the chain up to
// it; the records; and that every entry the database held when it was
// opened is covered by it. Entries written since the desk opened are not
// yet signed, and need not be.
func (db *Desk) VerifySigned(data []byte) (rep fp.AuditReport, err error) {
	cps, bad := fp.ParseCheckpoints(data)
	for _, b := range bad {
		rep.Warnings = append(rep.Warnings, "checkpoint file: "+b+" (ignored)")
	}
	var (
		chain   string
		keys    = map[string][]byte{} // key id -> public key, from stampkeys/
		current ed25519.PublicKey
	)
	var unreadable error
	err = db.view(func(tx *tx) error {
		_, chain, unreadable = chainHead(tx)
		return tx.Bucket(bStampKeys).ForEach(func(k, v []byte) error { keys[string(k)] = v; return nil })
	})
	if err != nil {
		return rep, err
	}
	if unreadable != nil { // the chain's ends are damaged: that is the finding
		head, problem, err := db.VerifyAudit(nil)
		if problem == nil && err == nil {
			err = unreadable
		}
		rep.Head, rep.Problem = head, problem
		return rep, err
	}
	if pem, err := os.ReadFile(db.StampKeyPath()); err == nil && len(pem) > 0 {
		if priv, err := db.stampKey(); err == nil {
			current = priv.Public().(ed25519.PublicKey)
		}
	}
	var mine []fp.SignedCheckpoint
	for _, c := range cps {
		if c.Chain == chain {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		head, problem, err := db.VerifyAudit(nil)
		rep.Head, rep.Problem = head, problem
		switch {
		case err != nil || problem != nil:
		case len(cps) > 0:
			rep.Problem = &fp.AuditProblem{Seq: 1, Reason: fmt.Sprintf("none of the %d signed checkpoints is of this database's history: its first entry differs (the history was rewritten from the start, or the checkpoints are another database's)", len(cps))}
		default:
			rep.Warnings = append(rep.Warnings, "no signed checkpoint of this database was found: nothing shows whether entries were removed from the end or added outside Fieldprint")
		}
		return rep, err
	}
	newest := mine[0]
	for _, c := range mine[1:] {
		if c.Count > newest.Count || (c.Count == newest.Count && c.At.After(newest.At)) {
			newest = c
		}
		if c.KeyID() != mine[0].KeyID() {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("the checkpoints are signed with more than one key (%s, then %s from %s): the office's key was replaced", mine[0].KeyID(), c.KeyID(), c.At.In(db.Location()).Format("2006-01-02 15:04")))
		}
		if c.UnsignedTo > 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("entries %d to %d were in the database, unsigned, when Fieldprint opened it before %s (written while Fieldprint was closed, or after a crash): review them", c.UnsignedFrom, c.UnsignedTo, c.At.In(db.Location()).Format("2006-01-02 15:04")))
		}
	}
	if mine[0].UnsignedTo > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("entries %d to %d were in the database, unsigned, when Fieldprint opened it before %s: review them", mine[0].UnsignedFrom, mine[0].UnsignedTo, mine[0].At.In(db.Location()).Format("2006-01-02 15:04")))
	}
	rep.Against = &newest
	if current != nil && !current.Equal(newest.Key) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the newest checkpoint is signed with key %s but the office's key beside the database is now %s: the key was replaced", newest.KeyID(), fp.KeyID(current)))
	}
	var older []fp.Checkpoint
	for _, c := range mine {
		older = append(older, c.Checkpoint)
	}
	head, problem, keySeq, err := db.verify(&newest.Checkpoint, older, newest.KeyID())
	rep.Head, rep.Problem = head, problem
	if err != nil || problem != nil {
		return rep, err
	}
	if pub, ok := keys[newest.KeyID()]; !ok || !ed25519.PublicKey(pub).Equal(newest.Key) || keySeq == 0 || keySeq > newest.Count {
		rep.Problem = &fp.AuditProblem{Seq: newest.Count, Reason: fmt.Sprintf("the newest checkpoint is signed with key %s, which this database's history does not record as the office's key", newest.KeyID())}
		return rep, nil
	}
	if open := db.cp.openHead; head.Count > newest.Count && open > newest.Count {
		rep.Problem = &fp.AuditProblem{Seq: newest.Count + 1, Reason: fmt.Sprintf("entries %d to %d are newer than the newest signed checkpoint (%d, %s) although they were in the database when Fieldprint opened it: they were added while Fieldprint was closed (by someone writing the file, or in a crash that lost the checkpoint at closing)",
			newest.Count+1, min(open, head.Count), newest.Count, newest.At.In(db.Location()).Format("2006-01-02 15:04"))}
	}
	return rep, nil
}

// DescribeReport words a verification for the CLI and the window.
func (db *Desk) DescribeReport(rep fp.AuditReport) string {
	var b strings.Builder
	switch {
	case rep.Problem != nil:
		b.WriteString("The history does not verify: " + rep.Problem.Error())
	case rep.Against != nil:
		fmt.Fprintf(&b, "Verified: %d entries, each linked to the one before, every request record matching its newest entry, and the history up to the signed checkpoint of %s (%d entries, key %s) unchanged.",
			rep.Head.Count, rep.Against.At.In(db.Location()).Format("2006-01-02 15:04"), rep.Against.Count, rep.Against.KeyID())
	default:
		fmt.Fprintf(&b, "Verified: %d entries, each linked to the one before, and every request record matching its newest entry. Checkpoint: %s", rep.Head.Count, rep.Head)
	}
	for _, w := range rep.Warnings {
		b.WriteString("\nWarning: " + w)
	}
	return b.String()
}
