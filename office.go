package fieldprint

import (
	"net/mail"
	"strings"
)

// ActionOfficeUpdate audits a change of the office profile.
const ActionOfficeUpdate = "office.update"

// Office is the office profile printed on letters. Offices open and close, so
// this is configuration an administrator sets, never code.
type Office struct {
	Name           string `json:"name"`
	Address        string `json:"address"` // lines separated by "\n"
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	Signatory      string `json:"signatory"`
	SignatoryTitle string `json:"signatory_title"`
}

// Normalize cleans the profile and returns the problems keyed by field.
func (o Office) Normalize() (Office, error) {
	var fe FieldErrors
	clean := func(field, v string, multi bool, required string) string {
		c, good := cleanText(v, multi)
		if !good {
			fe.Add(field, "contains a control character; retype it")
		} else if c == "" && required != "" {
			fe.Add(field, "%s", required)
		}
		return c
	}
	o.Name = clean("name", o.Name, false, "is required: the office's name as letters print it, e.g. USCIS Guangzhou Field Office")
	o.Address = clean("address", o.Address, true, "is required: the street address applicants come to, one line per row")
	o.Signatory = clean("signatory", o.Signatory, false, "is required: who signs letters, e.g. the field office director")
	o.SignatoryTitle = clean("signatory_title", o.SignatoryTitle, false, "")
	if o.Phone = strings.TrimSpace(o.Phone); o.Phone != "" {
		var msg string
		if o.Phone, msg = normalizePhone(o.Phone); msg != "" {
			fe.Add("phone", "%s", msg)
		}
	}
	if o.Email = strings.TrimSpace(o.Email); o.Email != "" {
		if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
			fe.Add("email", "%q is not an e-mail address: type it as name@example.com", o.Email)
		}
	}
	return o, fe.Err()
}

// CheckLetterhead reports, in one message, every field a letter to an
// applicant cannot do without.
func (o Office) CheckLetterhead() error {
	var missing []string
	if strings.TrimSpace(o.Name) == "" {
		missing = append(missing, "the office name (e.g. “USCIS Guangzhou Field Office”)")
	}
	if strings.TrimSpace(o.Address) == "" {
		missing = append(missing, "the postal address (one line per row, country last)")
	}
	if strings.TrimSpace(o.Signatory) == "" {
		missing = append(missing, "the name of the person who signs letters (usually the field office director)")
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return Errorf(EINVALID, "the office profile lacks %s: an administrator must fill it in under the office settings before letters can be printed", missing[0])
	}
	return Errorf(EINVALID, "the office profile lacks %s and %s: an administrator must fill them in under the office settings before letters can be printed",
		strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}

// OfficeService keeps the office profile.
type OfficeService interface {
	// Office returns the profile; ENOTFOUND until an administrator sets it.
	Office() (Office, error)
	SetOffice(a Actor, o Office) error
}
