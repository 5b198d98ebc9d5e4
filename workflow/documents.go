package workflow

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

var _ fp.DocumentService = (*Desk)(nil)

// fileRecord is what the database knows of one stored scan.
type fileRecord struct {
	Type string `json:"type"`
	Size int64  `json:"size"`
	Refs int    `json:"refs"` // checklist items (across requests) and kept e-mails that hold it
}

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// refFile counts one more (delta 1) or one fewer (-1) checklist item holding
// sum, and reports whether nothing holds it any more.
func refFile(tx *tx, sum string, delta int, a *fp.Attachment) (unused bool, err error) {
	b := tx.Bucket(bFiles)
	var rec fileRecord
	if v := b.Get([]byte(sum)); v != nil {
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, err
		}
	} else if a != nil {
		rec = fileRecord{Type: a.Type, Size: a.Size}
	}
	rec.Refs += delta
	if rec.Refs <= 0 {
		return true, b.Delete([]byte(sum))
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	return false, b.Put([]byte(sum), v)
}

// removeScans deletes the bytes of files nothing refers to any more.
func (db *Desk) removeScans(sums []string) {
	for _, s := range sums {
		db.removeFile(s)
	}
}

// docChange is one document action inside its transaction: it changes r (a
// copy of the stored request) and returns the audit entry and the files it
// let go of.
type docChange func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, []string, error)

// changeDocuments runs fn through changeRequest with the document checks, and
// deletes the files fn let go of once the change is committed.
func (db *Desk) changeDocuments(a fp.Actor, id fp.RequestID, failed string, fn docChange) (*fp.Request, error) {
	var release []string
	var out *fp.Request
	err := db.update(func(tx *tx) (err error) {
		out, release, err = db.changeDocTx(tx, a, id, fn)
		return err
	})
	if err != nil {
		return nil, wrap(err, failed)
	}
	db.removeScans(release)
	return out, nil
}

// changeDocTx is changeTx with the document checks; it returns the files
// fn let go of (to delete once tx commits).
func (db *Desk) changeDocTx(t *tx, a fp.Actor, id fp.RequestID, fn docChange) (out *fp.Request, release []string, err error) {
	out, err = db.changeTx(t, a, id, fp.CheckDocuments, func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, error) {
		entry, rel, err := fn(tx, a, r, on)
		release = rel
		return entry, err
	})
	return out, release, err
}

// changeRequest runs one action on request id in one transaction
// (changeTx).
func (db *Desk) changeRequest(a fp.Actor, id fp.RequestID, failed string, check func(fp.Actor, *fp.Request) error,
	fn func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, error)) (*fp.Request, error) {
	var out *fp.Request
	err := db.update(func(tx *tx) (err error) {
		out, err = db.changeTx(tx, a, id, check, fn)
		return err
	})
	if err != nil {
		return nil, wrap(err, failed)
	}
	return out, nil
}

// changeTx is one action on request id in tx: it checks the account and
// check(a, r), lets fn change a copy of the request and say what to audit,
// moves the status where the checklist or the appointments call for it,
// and writes the request with its indexes.
func (db *Desk) changeTx(tx *tx, a fp.Actor, id fp.RequestID, check func(fp.Actor, *fp.Request) error,
	fn func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, error)) (*fp.Request, error) {
	a, err := authorize(tx, a)
	if err != nil {
		return nil, err
	}
	old, err := getRequest(tx, id)
	if err != nil {
		return nil, err
	}
	if err := check(a, old); err != nil {
		return nil, err
	}
	r := *old
	on := db.today()
	entry, err := fn(tx, a, &r, on)
	if err != nil {
		return nil, err
	}
	entry.User, entry.Request = a.Name, r.Number
	if err := db.appendAudit(tx, entry); err != nil {
		return nil, err
	}
	if err := db.followChecklist(tx, a, &r, on); err != nil {
		return nil, err
	}
	if err := db.followSchedule(tx, a, &r, on); err != nil {
		return nil, err
	}
	r.Version++
	r.UpdatedAt, r.UpdatedBy = db.Now().UTC(), a.Name
	return &r, putRequest(tx, old, &r, on)
}

// followChecklist moves r's status when its checklist calls for it.
func (db *Desk) followChecklist(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) error {
	if to, why, ok := r.FollowChecklist(on); ok {
		return db.moveStatus(tx, a, r, to, why)
	}
	return nil
}

// moveStatus is a status change that follows from another change, with a
// history line and an audit entry like any other transition.
func (db *Desk) moveStatus(tx *tx, a fp.Actor, r *fp.Request, to fp.Status, why string) error {
	from := r.Status
	r.History = append(append([]fp.Transition(nil), r.History...),
		fp.Transition{At: db.Now().UTC(), By: a.Name, From: from, To: to, Reason: why})
	r.Status = to
	return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionRequestTransition, Request: r.Number,
		Changes: []fp.Change{{Field: "status", Old: string(from), New: string(to)}}, Note: why})
}

// AttachFile checks data and attaches it to the checklist item of request id.
// A refused file stores nothing; identical content is stored once.
func (db *Desk) AttachFile(a fp.Actor, id fp.RequestID, item, name string, data []byte) (*fp.Request, error) {
	name = fp.DisplayName(name) // no folders, control characters or bidi marks in what is stored and shown
	// Who may attach to this request's item is asked first: a refusal
	// costs no decoding (a photo: half a second) and writes no file. The
	// transaction asks again, and decides.
	if err := db.mayAttach(a, id, item); err != nil {
		return nil, wrap(err, "the file was not attached")
	}
	info, err := fp.SniffFile(name, data, db.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	sum := fp.Fingerprint(data)

	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	created, err := db.writeFile(sum, data)
	if err == ErrLocked || storeSaid(err) {
		return nil, err
	} else if err != nil {
		return nil, fp.Internal("the file could not be stored: check the disk has space; nothing was attached", err)
	}
	out, err := db.changeDocuments(a, id, "the file was not attached", db.attach(item, name, sum, info))
	if err != nil && created {
		db.dropUnreferenced(sum)
	}
	return out, err
}

// attach is the change AttachFile makes in its transaction: the file
// (stored already) on the item, counted, audited.
func (db *Desk) attach(item, name, sum string, info fp.FileInfo) docChange {
	return func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, []string, error) {
		att := fp.Attachment{SHA256: sum, Name: name, Type: info.Type, Size: info.Size, Width: info.Width, Height: info.Height,
			AddedAt: db.Now().UTC(), AddedBy: a.Name}
		replaced, err := r.Attach(item, att, on)
		if err != nil {
			return fp.AuditEntry{}, nil, err
		}
		if _, err := refFile(tx, sum, 1, &att); err != nil {
			return fp.AuditEntry{}, nil, err
		}
		var release []string
		if replaced != nil {
			unused, err := refFile(tx, replaced.SHA256, -1, nil)
			if err != nil {
				return fp.AuditEntry{}, nil, err
			}
			if unused {
				release = append(release, replaced.SHA256)
			}
		}
		it, _ := r.FindItem(item, on)
		ch := []fp.Change{{Field: "item", New: it.Label()}, {Field: "file", New: describeFile(att)}}
		if replaced != nil {
			ch[1].Old = describeFile(*replaced)
		}
		return fp.AuditEntry{Action: fp.ActionDocumentAttach, Changes: ch}, release, nil
	}
}

// mayAttach is what AttachFile's transaction checks before attaching, on
// a snapshot: the account, the request's documents open to a's changes, the
// checklist item.
func (db *Desk) mayAttach(a fp.Actor, id fp.RequestID, item string) error {
	return db.view(func(tx *tx) error { return db.mayAttachTx(tx, a, id, item) })
}

func (db *Desk) mayAttachTx(tx *tx, a fp.Actor, id fp.RequestID, item string) error {
	a, err := authorize(tx, a)
	if err != nil {
		return err
	}
	r, err := getRequest(tx, id)
	if err != nil {
		return err
	}
	return db.mayAttachTo(a, r, item)
}

// mayAttachTo is mayAttachTx for the authorized account a and request r.
func (db *Desk) mayAttachTo(a fp.Actor, r *fp.Request, item string) error {
	if err := fp.CheckDocuments(a, r); err != nil {
		return err
	}
	if it, err := r.FindItem(item, db.today()); err != nil || it.Key != item {
		return fp.Errorf(fp.EINVALID, "%s has no checklist item %q", r.Number, item)
	}
	return nil
}

// dropUnreferenced removes a file just written for a transaction that then
// failed, unless something refers to it after all (a racing attach of the
// same content). Callers hold filesMu.
func (db *Desk) dropUnreferenced(sum string) {
	db.view(func(tx *tx) error {
		if tx.Bucket(bFiles).Get([]byte(sum)) == nil {
			db.files.Remove(sum)
		}
		return nil
	})
}

func describeFile(a fp.Attachment) string {
	return fmt.Sprintf("%s (%s, %d bytes, sha256 %s)", a.Name, a.Type, a.Size, a.SHA256[:12])
}

// DetachFile removes the file of a checklist item attached by mistake.
func (db *Desk) DetachFile(a fp.Actor, id fp.RequestID, item string) (*fp.Request, error) {
	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	return db.changeDocuments(a, id, "the file was not removed", func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, []string, error) {
		it, _ := r.FindItem(item, on)
		gone, err := r.Detach(item, on)
		if err != nil {
			return fp.AuditEntry{}, nil, err
		}
		unused, err := refFile(tx, gone.SHA256, -1, nil)
		if err != nil {
			return fp.AuditEntry{}, nil, err
		}
		var release []string
		if unused {
			release = []string{gone.SHA256}
		}
		return fp.AuditEntry{Action: fp.ActionDocumentDetach,
			Changes: []fp.Change{{Field: "item", New: it.Label()}, {Field: "file", Old: describeFile(*gone)}}}, release, nil
	})
}

// JudgeDocument records a clerk's verification or rejection of an item.
func (db *Desk) JudgeDocument(a fp.Actor, id fp.RequestID, item string, v fp.Verdict) (*fp.Request, error) {
	return db.changeDocuments(a, id, "the check was not recorded", db.judge(item, v))
}

// judge is the change JudgeDocument makes in its transaction.
func (db *Desk) judge(item string, v fp.Verdict) docChange {
	return func(tx *tx, a fp.Actor, r *fp.Request, on fp.Date) (fp.AuditEntry, []string, error) {
		if err := r.Judge(item, v, a.Name, db.Now(), on); err != nil {
			return fp.AuditEntry{}, nil, err
		}
		it, _ := r.FindItem(item, on)
		e := fp.AuditEntry{Action: fp.ActionDocumentVerify, Changes: []fp.Change{{Field: "item", New: it.Label()}}, Note: it.Doc.Note}
		if it.Doc.Shows != "" {
			e.Changes = append(e.Changes, fp.Change{Field: "shows", New: it.Doc.Shows})
		}
		if it.Doc.Checked != "" {
			e.Changes = append(e.Changes, fp.Change{Field: "checked", New: it.Doc.Checked})
		}
		if !v.Verified {
			e.Action = fp.ActionDocumentReject
			e.Changes = append(e.Changes, fp.Change{Field: "reason", New: string(it.Doc.Reason)})
		}
		return e, nil, nil
	}
}

// storeSaid: err is the office server's own word on a failure (it does
// not answer, or refuses this desk), which says what happened better than
// "check the disk".
func storeSaid(err error) bool {
	return errors.Is(err, fp.ErrUnavailable) || fp.ErrorCode(err) == fp.EFORBIDDEN
}

// ReadFile returns the bytes of a stored attachment after checking them
// against their hash: a damaged or swapped file is reported, never shown.
func (db *Desk) ReadFile(sum string) ([]byte, error) {
	if !validSum(sum) {
		return nil, fp.Errorf(fp.EINVALID, "%q is not a file reference", sum)
	}
	known := false
	if err := db.view(func(tx *tx) error { known = tx.Bucket(bFiles).Get([]byte(sum)) != nil; return nil }); err != nil {
		return nil, err // the office server away, say: not "no longer stored"
	}
	if !known {
		return nil, fp.Errorf(fp.ENOTFOUND, "the file %s… is no longer stored", sum[:12])
	}
	data, err := db.readFile(sum)
	if err == ErrLocked {
		return nil, err
	} else if err != nil {
		return nil, fp.Internal(fmt.Sprintf("the stored file %s… cannot be read", sum[:12]), err)
	}
	if fp.Fingerprint(data) != sum {
		return nil, fp.Errorf(fp.EINTERNAL, "the stored file %s… is damaged (its content no longer matches its SHA-256): attach the scan again", sum[:12])
	}
	return data, nil
}

// releaseDropped lets go of files an edit took off a request (a person
// removed from the household) and returns those nothing holds any more.
func releaseDropped(tx *tx, dropped []fp.Attachment) ([]string, error) {
	var release []string
	for _, a := range dropped {
		unused, err := refFile(tx, a.SHA256, -1, nil)
		if err != nil {
			return nil, err
		}
		if unused {
			release = append(release, a.SHA256)
		}
	}
	return release, nil
}

// Sweep removes stored files no record refers to: left by a crash between
// writing a file and committing its transaction. It runs when the store
// says the last stop was unclean (SweepInBackground). It holds filesMu: a
// file being attached is written before the transaction that refers to it.
func (db *Desk) Sweep() error {
	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	sums, err := db.files.List()
	if err != nil {
		return err
	}
	var gone []string
	err = db.view(func(tx *tx) error {
		b := tx.Bucket(bFiles)
		for _, s := range sums {
			if b.Get([]byte(s)) == nil {
				gone = append(gone, s)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.removeScans(gone)
	return nil
}

// SweepInBackground runs Sweep on its own goroutine; Check and Close wait
// for it.
func (db *Desk) SweepInBackground() {
	db.sweeping.Add(1)
	go func() {
		defer db.sweeping.Done()
		db.Sweep()
	}()
}

// checkFiles verifies that every file reference is counted and present on
// disk with the recorded size.
func (db *Desk) checkFiles(tx *tx) []error {
	fb := tx.Bucket(bFiles)
	if fb == nil {
		return nil
	}
	var errs []error
	refs := map[string]int{}
	tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
		r := &fp.Request{}
		if tx.decodeRecord(k, v, r) == nil {
			for _, d := range r.Documents {
				if d.File != nil {
					refs[d.File.SHA256]++
				}
			}
		}
		return nil
	})
	tx.Bucket(bMail).ForEach(func(k, v []byte) error {
		var rec mailRecord
		if v, err := tx.Bucket(bMail).opened(k, v); err == nil && json.Unmarshal(v, &rec) == nil {
			refs[rec.SHA256]++
		}
		return nil
	})
	fb.ForEach(func(k, v []byte) error {
		var rec fileRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			errs = append(errs, fmt.Errorf("file %s: %v", k, err))
			return nil
		}
		if rec.Refs != refs[string(k)] {
			errs = append(errs, fmt.Errorf("file %.12s: counted %d uses, the requests hold %d", k, rec.Refs, refs[string(k)]))
		}
		delete(refs, string(k))
		if size, err := db.files.Size(string(k)); err != nil {
			errs = append(errs, fmt.Errorf("file %.12s: missing from the stored files", k))
		} else if size != rec.Size && size != rec.Size+sealedFileOverhead && size != rec.Size+sealedFileOverhead-9 {
			errs = append(errs, fmt.Errorf("file %.12s: %d bytes stored, %d recorded", k, size, rec.Size))
		}
		return nil
	})
	for k := range refs {
		errs = append(errs, fmt.Errorf("file %.12s: used by a request but not recorded", k))
	}
	return errs
}
