package workflow

import (
	"encoding/json"
	"fmt"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/outlookmsg"
)

// Messages taken in from e-mail (intake). Each message's key and the request
// it went into are under mail/:
//
//	mail/    import key (<Message-ID>, or sha256:… for a message without one) -> JSON mailRecord
//
// and its bytes are a stored file like a scan (named by SHA-256, counted in
// files/), so the sweep, the check and a backup know it.

var _ fp.IntakeService = (*Desk)(nil)

var bMail = []byte("mail")

// ParseMessage reads a saved e-mail for intake, however it was saved:
// Outlook's .msg (a compound file, known by its content whatever its name)
// with package outlookmsg, anything else as an .eml with fp.ParseMessage.
// The window, its drop and `fieldprint intake` all read messages here.
func ParseMessage(name string, data []byte) (*fp.Message, error) {
	if outlookmsg.IsCompoundFile(data) {
		return outlookmsg.Parse(name, data)
	}
	return fp.ParseMessage(name, data)
}

// messageType is the file type recorded for a kept message.
func messageType(data []byte) string {
	if outlookmsg.IsCompoundFile(data) {
		return "application/vnd.ms-outlook"
	}
	return "message/rfc822"
}

// mailRecord is what the database knows of one message taken in.
type mailRecord struct {
	Request string    `json:"request"` // FP number
	SHA256  string    `json:"sha256"`
	Size    int       `json:"size"`
	Name    string    `json:"name"` // the file's name as it was dropped
	At      time.Time `json:"at"`
	By      string    `json:"by"`
}

func getMail(tx *tx, key string) (*mailRecord, error) {
	v, err := tx.Bucket(bMail).GetOpened([]byte(key))
	if v == nil || err != nil {
		return nil, err
	}
	rec := &mailRecord{}
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fp.Internal("a record of a message taken in cannot be read", err)
	}
	return rec, nil
}

// MessageImported returns the number of the request the message with key
// went into, "" when none.
func (db *Desk) MessageImported(key string) (number string, err error) {
	err = db.view(func(tx *tx) error {
		rec, err := getMail(tx, key)
		if rec != nil {
			number = rec.Request
		}
		return err
	})
	return number, err
}

// KeepMessage stores data (the message file) with the attached files and, in
// one transaction, records key against request id with an audit entry
// (Message-ID or key, SHA-256, size). The actor must be allowed to edit the
// request; a key already recorded is ECONFLICT, naming its request.
func (db *Desk) KeepMessage(a fp.Actor, id fp.RequestID, key, name string, data []byte) error {
	if key == "" || len(key) > 512 {
		return fp.Errorf(fp.EINVALID, "the message has no usable key")
	}
	name = fp.DisplayName(name)
	sum := fp.Fingerprint(data)

	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	created, err := db.writeFile(sum, data)
	if err == ErrLocked || storeSaid(err) {
		return err
	} else if err != nil {
		return fp.Internal("the message could not be kept: check the disk has space", err)
	}
	err = db.update(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		r, err := getRequest(tx, id)
		if err != nil {
			return err
		}
		if err := fp.CheckEdit(a, r); err != nil {
			return err
		}
		if old, err := getMail(tx, key); err != nil {
			return err
		} else if old != nil {
			return fp.Errorf(fp.ECONFLICT, "this e-mail was already taken into %s by %s on %s: open that request",
				old.Request, old.By, old.At.In(db.Location()).Format("2006-01-02 15:04"))
		}
		rec := mailRecord{Request: r.Number, SHA256: sum, Size: len(data), Name: name, At: db.Now().UTC(), By: a.Name}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bMail).PutSealedFor(r.ID, []byte(key), v); err != nil {
			return err
		}
		if _, err := refFile(tx, sum, 1, &fp.Attachment{Type: messageType(data), Size: int64(len(data))}); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionMailKeep, Request: r.Number,
			Changes: []fp.Change{{Field: "message", New: key}, {Field: "sha256", New: sum}},
			Note:    fmt.Sprintf("original e-mail %s (%d bytes) kept with the request", name, len(data))})
	})
	if err != nil {
		if created {
			db.dropUnreferenced(sum)
		}
		return wrap(err, "the message was not kept")
	}
	return nil
}

// ReadMessage returns the original message kept under key, checked against
// its SHA-256.
func (db *Desk) ReadMessage(key string) ([]byte, error) {
	var rec *mailRecord
	err := db.view(func(tx *tx) (err error) { rec, err = getMail(tx, key); return err })
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fp.Errorf(fp.ENOTFOUND, "no such message was taken in")
	}
	return db.ReadFile(rec.SHA256)
}
