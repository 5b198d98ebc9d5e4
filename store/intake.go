package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
)

// Messages taken in from e-mail (intake). Their keys and the request each
// went into are in one bucket, created on first use (no schema change: an
// older Fieldprint ignores it):
//
//	mail/    import key (<Message-ID>, or sha256:… for a message without one) -> JSON mailRecord
//
// and each message's bytes are a file beside the database, named by its
// SHA-256 like the scans, mode 0600 in 0700 folders:
//
//	fieldprint.db-mail/ab/ab12…ef
//
// The file is written (temp file, fsync, rename) before the transaction
// that records it; if that transaction fails, a file it created is removed.

var _ fp.IntakeService = (*DB)(nil)

var bMail = []byte("mail")

// mailRecord is what the database knows of one message taken in.
type mailRecord struct {
	Request string    `json:"request"` // FP number
	SHA256  string    `json:"sha256"`
	Size    int       `json:"size"`
	Name    string    `json:"name"` // the file's name as it was dropped
	At      time.Time `json:"at"`
	By      string    `json:"by"`
}

// MailDir is where the original messages live.
func (db *DB) MailDir() string { return db.path + "-mail" }

func (db *DB) mailPath(sum string) string { return filepath.Join(db.MailDir(), sum[:2], sum) }

// MessageImported returns the number of the request the message with key
// went into, "" when none.
func (db *DB) MessageImported(key string) (number string, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMail)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		var rec mailRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fp.Internal("a record of a message taken in cannot be read", err)
		}
		number = rec.Request
		return nil
	})
	return number, err
}

// KeepMessage stores data (the message file) beside the database and, in
// one transaction, records key against request id with an audit entry
// (Message-ID or key, SHA-256, size). The actor must be allowed to edit the
// request; a key already recorded is ECONFLICT, naming its request.
func (db *DB) KeepMessage(a fp.Actor, id fp.RequestID, key, name string, data []byte) error {
	if key == "" || len(key) > 512 {
		return fp.Errorf(fp.EINVALID, "the message has no usable key")
	}
	name = fp.DisplayName(name)
	sum := fp.Fingerprint(data)
	path := db.mailPath(sum)
	created := false
	if st, err := os.Stat(path); err != nil || st.Size() != int64(len(data)) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fp.Internal("the message could not be kept beside the database: check the disk", err)
		}
		if err := writeFileSync(path, data); err != nil {
			return fp.Internal("the message could not be kept beside the database: check the disk has space", err)
		}
		created = true
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
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
		b, err := tx.CreateBucketIfNotExists(bMail)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(key)); v != nil {
			var rec mailRecord
			json.Unmarshal(v, &rec)
			return fp.Errorf(fp.ECONFLICT, "this e-mail was already taken into %s by %s on %s: open that request", rec.Request, rec.By, rec.At.In(db.Location()).Format("2006-01-02 15:04"))
		}
		rec := mailRecord{Request: r.Number, SHA256: sum, Size: len(data), Name: name, At: db.Now().UTC(), By: a.Name}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(key), v); err != nil {
			return err
		}
		return db.appendAudit(tx, fp.AuditEntry{User: a.Name, Action: fp.ActionMailKeep, Request: r.Number,
			Changes: []fp.Change{{Field: "message", New: key}, {Field: "sha256", New: sum}},
			Note:    fmt.Sprintf("original e-mail %s (%d bytes) kept with the request", name, len(data))})
	})
	if err != nil {
		if created {
			os.Remove(path)
		}
		return wrap(err, "the message was not kept")
	}
	return nil
}

// ReadMessage returns the original message kept under key, checked against
// its SHA-256.
func (db *DB) ReadMessage(key string) ([]byte, error) {
	var rec mailRecord
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMail)
		if b == nil || b.Get([]byte(key)) == nil {
			return fp.Errorf(fp.ENOTFOUND, "no message %s was taken in", key)
		}
		return json.Unmarshal(b.Get([]byte(key)), &rec)
	})
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(db.mailPath(rec.SHA256))
	if err != nil {
		return nil, fp.Internal(fmt.Sprintf("the kept message %s… cannot be read from %s", rec.SHA256[:12], db.MailDir()), err)
	}
	if fp.Fingerprint(data) != rec.SHA256 {
		return nil, fp.Errorf(fp.EINTERNAL, "the kept message %s… is damaged (its content no longer matches its SHA-256)", rec.SHA256[:12])
	}
	return data, nil
}
