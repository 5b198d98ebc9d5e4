package fieldprint

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. A caller decides what to do from the code and shows the message.
const (
	ECONFLICT  = "conflict"  // the action clashes with existing data (duplicate, stale edit)
	EINTERNAL  = "internal"  // a bug or an I/O failure: not the user's fault
	EINVALID   = "invalid"   // input refused; the message says how to fix it
	ENOTFOUND  = "not_found" // no such record
	EFORBIDDEN = "forbidden" // the acting user may not do this, or the status forbids it
)

// Error is the domain's error: a code for programs and a message for a clerk.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field problems for forms and imports (nil when not about fields).
	Fields FieldErrors
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure.
func Internal(msg string, err error) *Error {
	return &Error{Code: EINTERNAL, Message: msg, Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for foreign errors and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the text to show a person. Foreign errors are not shown
// verbatim: they may hold paths or personal data and mean nothing to a clerk.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		if len(e.Fields) > 0 && e.Message == "" {
			return e.Fields.Error()
		}
		return e.Message
	}
	return "An internal error occurred. Nothing was saved; please try again or report it."
}

// FieldError is one problem with one input field.
type FieldError struct {
	Field   string // stable field key, e.g. "receipt_numbers" or "household[1].date_of_birth"
	Message string
}

func (f FieldError) Error() string { return f.Field + ": " + f.Message }

// FieldErrors collects the problems of one input.
type FieldErrors []FieldError

func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// For returns the messages for one field (and its sub-fields when prefix is true).
func (fe FieldErrors) For(field string) []string {
	var out []string
	for _, f := range fe {
		if f.Field == field {
			out = append(out, f.Message)
		}
	}
	return out
}

// Err returns nil when there are no problems, else an EINVALID *Error.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	msg := fe[0].Error()
	if len(fe) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(fe)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fe}
}
