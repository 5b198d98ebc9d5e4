// Package workflow carries out the office's actions for the window and the
// CLI alike, so neither decides or words a rule of its own. It starts with
// printing; the other actions move here from the store as the storage
// contract (fieldprint.Storage) takes over (see docs/ARCHITECTURE.md).
package workflow

import (
	"bytes"
	"fmt"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/letter"
)

// Store is what printing needs of a store.
type Store interface {
	FindRequestByID(id fp.RequestID) (*fp.Request, error)
	Office() (fp.Office, error)
	Scheduling() (fp.Scheduling, error)
	FindUser(name string) (fp.User, error)
	Location() *time.Location
	Day(d fp.Date) ([]fp.DayRow, error)
	RecordPrint(a fp.Actor, id fp.RequestID, document, sha256 string) (int, error)
	RecordLetters(a fp.Actor, ids []fp.RequestID, sha256, reason string, batch bool) (map[fp.RequestID]int, error)
	IssueStamp(a fp.Actor, id fp.RequestID, personID int) (fp.Stamp, int, error)
}

// Kind is a document Fieldprint prints.
type Kind string

const (
	Record       Kind = "record"                   // a request's record sheet for the paper file
	StatusLetter Kind = "letter"                   // the letter the request's status calls for
	Missing      Kind = "missing-documents letter" // what the applicant must still send, in any open status
	Appointments Kind = "appointment letters"      // one PDF of several requests' appointment letters
	StampNotice  Kind = "stamped notice"           // proof of one person's collection
	DaySheet     Kind = "day sheet"                // the collection day per station
)

// Document says what to print.
type Document struct {
	Kind     Kind
	Request  fp.RequestID   // Record, StatusLetter, Missing, StampNotice
	Requests []*fp.Request  // Appointments, in order
	Person   int            // StampNotice
	Day      fp.Date        // DaySheet
	Reason   string         // a reprint's reason (appointment letters)
	Batch    bool           // Appointments: a day's or the unprinted letters (reprints noted, no reason asked)
	Progress func(n, t int) // Appointments: called as letters are drawn (nil: not)
}

// Printed is a document ready to write: its bytes, recorded in the audit
// with their SHA-256 and the copy number before they are handed out.
type Printed struct {
	Name   string // for the file name: "record", "appointment letter", …
	Bytes  []byte
	SHA256 string
	Copy   int                  // the copy number (one request)
	Copies map[fp.RequestID]int // Appointments: each request's copy number
	Stamp  *fp.Stamp            // StampNotice: the signed facts
}

// Print renders d as a, hashes it and records the printing in one step,
// then returns the bytes for the caller to write or send: the window and
// the CLI print through it alike, dated by now in office time. Nothing is
// recorded when rendering fails; a write that fails afterwards leaves the
// copy in the audit, so a lost file shows there and the next is a reprint.
func Print(s Store, a fp.Actor, d Document, now time.Time) (Printed, error) {
	if err := fp.CheckPrint(a); err != nil {
		return Printed{}, err
	}
	opt := letter.Options{Now: now.In(s.Location()), PrintedBy: a.Name}
	if u, err := s.FindUser(a.Name); err == nil {
		opt.PrintedBy = u.Display()
	}
	today := fp.DateOf(opt.Now)
	var buf bytes.Buffer
	var p Printed
	office := func() (fp.Office, fp.Scheduling, error) {
		o, err := s.Office()
		if err != nil {
			return o, fp.Scheduling{}, err
		}
		sch, err := s.Scheduling()
		return o, sch, err
	}
	switch d.Kind {
	case Record, StatusLetter, Missing:
		r, err := s.FindRequestByID(d.Request)
		if err != nil {
			return p, err
		}
		switch d.Kind {
		case Record:
			p.Name, err = "record", letter.Record(&buf, r, opt)
		case Missing:
			var o fp.Office
			if o, err = s.Office(); err == nil {
				p.Name, err = "missing-documents letter", letter.Missing(&buf, r, o, today, opt)
			}
		default:
			if r.Status == fp.StatusScheduled {
				// An appointment letter is counted per appointment: a reprint needs a reason.
				return Print(s, a, Document{Kind: Appointments, Requests: []*fp.Request{r}, Reason: d.Reason}, now)
			}
			var o fp.Office
			var sch fp.Scheduling
			if o, sch, err = office(); err == nil {
				p.Name, err = letter.ForRequest(&buf, r, o, sch, opt)
			}
		}
		if err != nil {
			return p, rendered(p.Name, err)
		}
		p.Bytes, p.SHA256 = buf.Bytes(), fp.Fingerprint(buf.Bytes())
		p.Copy, err = s.RecordPrint(a, r.ID, p.Name, p.SHA256)
		return p, err
	case Appointments:
		if len(d.Requests) == 0 {
			return p, fp.Errorf(fp.ENOTFOUND, "there are no appointment letters to print: nobody is booked that day, or every letter is printed")
		}
		for _, r := range d.Requests {
			if _, err := fp.CheckLetter(r, today, d.Reason, d.Batch); err != nil {
				return p, err
			}
		}
		o, sch, err := office()
		if err != nil {
			return p, err
		}
		if err := letter.Appointments(&buf, d.Requests, o, sch, opt, d.Progress); err != nil {
			return p, rendered("letters", err)
		}
		p.Name, p.Bytes, p.SHA256 = "appointment letter", buf.Bytes(), fp.Fingerprint(buf.Bytes())
		if len(d.Requests) > 1 {
			p.Name = "appointment letters"
		}
		ids := make([]fp.RequestID, len(d.Requests))
		for i, r := range d.Requests {
			ids[i] = r.ID
		}
		if p.Copies, err = s.RecordLetters(a, ids, p.SHA256, d.Reason, d.Batch); err != nil {
			return p, err
		}
		p.Copy = p.Copies[ids[0]]
		return p, nil
	case StampNotice:
		o, sch, err := office()
		if err != nil {
			return p, err
		}
		// Signing and counting the copy are one step of the store; the
		// notice prints what was signed.
		st, n, err := s.IssueStamp(a, d.Request, d.Person)
		if err != nil {
			return p, err
		}
		if err := letter.StampedNotice(&buf, st, o, sch, opt); err != nil {
			return p, rendered("stamped notice", err)
		}
		p.Name, p.Bytes, p.SHA256, p.Copy, p.Stamp = "stamped notice "+st.Code, buf.Bytes(), fp.Fingerprint(buf.Bytes()), n, &st
		return p, nil
	case DaySheet:
		o, sch, err := office()
		if err != nil {
			return p, err
		}
		rows, err := s.Day(d.Day)
		if err != nil {
			return p, err
		}
		if c, ok := s.(interface{ SignedCheckpoint() ([]byte, error) }); ok {
			if line, err := c.SignedCheckpoint(); err == nil {
				if cps, _ := fp.ParseCheckpoints(line); len(cps) == 1 {
					opt.Checkpoint = cps[0].Describe()
				}
			}
		}
		if err := letter.DaySheet(&buf, d.Day, rows, o, sch, opt); err != nil {
			return p, rendered("day sheet", err)
		}
		p.Name, p.Bytes, p.SHA256 = "day sheet "+d.Day.String(), buf.Bytes(), fp.Fingerprint(buf.Bytes())
		return p, nil
	}
	return p, fp.Errorf(fp.EINVALID, "%q is not a document Fieldprint prints", d.Kind)
}

// rendered words a failure to draw a document: a refusal as it is (a
// missing letterhead, say), anything else as internal.
func rendered(name string, err error) error {
	if fp.ErrorCode(err) == fp.EINTERNAL {
		return fp.Internal(fmt.Sprintf("cannot draw the %s", name), err)
	}
	return err
}
