package fieldprint

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CSVColumns are the columns of the spreadsheet import and the CSV export,
// in export order. Then come five "All others" facts and the applicant's
// passport. A household member is written Name|YYYY-MM-DD, optionally
// followed by |passport|expiry|nationality|sex.
var CSVColumns = []string{
	"received", "full_name", "date_of_birth", "category", "basis", "notice_type",
	"receipt_number", "a_number", "email", "phone", "household_adults",
	"asc_date", "asc_place", "departure_reason", "reschedule_asked", "reschedule_note",
	FieldPassport, FieldPassportExpiry, FieldNationality, FieldSex,
}

// CSVRequiredColumns are the columns an import file must have: at least one
// column of each group, so {"receipt_number", "a_number"} means either or
// both (TrackerRequiredFields: what every tracker has). The facts a tracker
// rarely holds may be missing: the request is then flagged incomplete (see
// CompletableFields). The table of columns in docs/CLI.md says the same
// (TestCLIDocCSVColumns compares them).
var CSVRequiredColumns = TrackerRequiredFields

// LineError is one problem in an imported file.
type LineError struct {
	Line    int
	Column  string
	Message string
}

func (e LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Message)
}

// ImportRow is one parsed row of a spreadsheet import: the request, and
// from a tracker what it says of the request's history.
type ImportRow struct {
	Line     int
	Request  *Request
	Warnings []string
	// File is the tracker's name ("" for rows made elsewhere), Notes the
	// notes it keeps about the request: with Line, the request's Origin.
	File  string
	Notes string
	// Status is where the tracker says the request stands ("": new), and
	// StatusText how it wrote it.
	Status     Status
	StatusText string
	// Appointment is the applicant's appointment in the tracker: still to
	// come, it is booked through the booking rules; past, with the status
	// completed, it is the day biometrics were collected.
	Appointment *ImportedAppointment
	// Collected is the day biometrics were collected (zero: not given).
	Collected Date
}

// Origin is where the row's request comes from (nil: not from a file).
func (row ImportRow) Origin() *Origin {
	if row.File == "" && row.Notes == "" && row.StatusText == "" {
		return nil
	}
	return &Origin{File: row.File, Line: row.Line, Notes: row.Notes, Status: row.StatusText}
}

// MaxImportRows bounds one import: a tracker is hundreds of rows, not millions.
const MaxImportRows = 100000

// MaxImportBytes bounds an import file: MaxImportRows rows of a few hundred
// bytes each.
const MaxImportBytes = 64 << 20

// ParseImportCSV reads a file in Fieldprint's own CSV format (the export's
// columns, CSVColumns and HistoryColumns, in any order and case) through the
// tracker import: the encoding and separator found, every column named as
// Fieldprint names it. It returns every row it could parse and every
// problem found; a caller must import nothing when any problem is returned.
// An office's own tracker goes through ReadTracker and a TrackerMapping.
func ParseImportCSV(r io.Reader, today Date) ([]ImportRow, []LineError) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, []LineError{{Line: 1, Message: "the file cannot be read: " + err.Error()}}
	}
	if len(data) > MaxImportBytes {
		return nil, []LineError{{Line: 1, Message: fmt.Sprintf("the file is larger than %d MB: split it", MaxImportBytes>>20)}}
	}
	f, errs := ReadTracker("", data, "", 0)
	if len(errs) > 0 {
		return nil, errs
	}
	return OwnMapping(f).Rows(f, today)
}

// OwnMapping maps the columns of f that Fieldprint's own CSV names (any
// case, with or without the underscores) and nothing else.
func OwnMapping(f *TrackerFile) TrackerMapping {
	m := TrackerMapping{Columns: map[string]string{}}
	for _, h := range f.Header {
		for _, c := range append(slices.Clone(CSVColumns), HistoryColumns...) {
			if ColumnKey(h) == ColumnKey(c) {
				m.SetColumn(h, c)
			}
		}
	}
	m.DateOrder = m.DateEvidence(f).Order()
	return m
}

func identColumn(id string) string {
	if strings.HasPrefix(id, "A") && allDigits(id[1:]) {
		return FieldANumber
	}
	return FieldReceiptNumbers
}

func csvError(err error) LineError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = "a quotation mark is not closed or stands inside unquoted text: put the whole field in quotes and double any quote inside it"
		}
		return LineError{Line: pe.StartLine, Message: msg}
	}
	return LineError{Line: 1, Message: "the file cannot be read: " + err.Error()}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// quoteJoin writes "a" or "b".
func quoteJoin(list []string, sep string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, sep)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// Spreadsheet formulas (CSV injection). Excel, LibreOffice Calc and Google
// Sheets open a CSV cell that starts with =, +, - or @ as a formula (OWASP
// adds a leading tab or carriage return, ASVS a NUL); a formula can fetch a
// web address (HYPERLINK, WEBSERVICE) or, through DDE, start a program
// (=cmd|' /C calc'!A0). The free text of a request (basis, notes,
// places, names, e-mail) comes from applicants and other offices' trackers,
// so every CSV cell Fieldprint writes goes through EscapeCSVCell, and the
// import takes the escape back with UnescapeCSVCell. The JSON export is not
// for spreadsheets and keeps every value as it is.
//
// The escape is OWASP's: one apostrophe in front, which spreadsheets read as
// "this cell is text". It goes in front of every cell a spreadsheet might
// compute, with no exception for values that are harmless: a phone number
// "+86 20 3814 5000" is escaped too (a spreadsheet would otherwise read it as
// a sum, or an error), and the import takes the apostrophe back. It also goes
// in front of every cell that already starts with an apostrophe, so that the
// import can tell the one it must remove from a real one and the round trip
// is exact for every value.

// EscapeCSVCell returns s as a CSV cell a spreadsheet shows as text: s behind
// an apostrophe when s starts with an apostrophe, a control character (tab,
// carriage return, line feed, NUL…), or, after any spaces, a character that
// is or folds (NFKC) to = + - or @ (full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫);
// else s itself.
func EscapeCSVCell(s string) string {
	if csvNeedsEscape(s) {
		return "'" + s
	}
	return s
}

// UnescapeCSVCell is the inverse of EscapeCSVCell: it removes the apostrophe
// EscapeCSVCell adds, and no other. A cell whose apostrophe the export would
// not have written, such as a hand-typed "'t Hooft", is kept as it is.
func UnescapeCSVCell(s string) string {
	if t, ok := strings.CutPrefix(s, "'"); ok && csvNeedsEscape(t) {
		return t
	}
	return s
}

func csvNeedsEscape(s string) bool {
	if strings.HasPrefix(s, "'") {
		return true
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return true
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r): // spaces, zero-width spaces, BOM
			continue
		}
		k := norm.NFKC.String(string(r))
		return k != "" && strings.ContainsRune("=+-@", rune(k[0]))
	}
	return false
}

// WriteCSV writes requests in the import format, so the file can be imported
// again as is. Every cell goes through EscapeCSVCell: no cell is a formula to
// a spreadsheet.
func WriteCSV(w io.Writer, rs []*Request) error {
	cw := csv.NewWriter(w)
	cw.Write(append(slices.Clone(CSVColumns), HistoryColumns...))
	for _, r := range rs {
		in := r.Input()
		h := r.historyCells()
		cw.Write(EscapeCSVCells([]string{in.Received, in.FullName, in.DateOfBirth, in.Category, in.Basis, in.NoticeType,
			strings.ReplaceAll(in.ReceiptNumbers, " ", ""), in.ANumber, in.Email, in.Phone, householdCSV(in.Household),
			in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked, in.RescheduleNote,
			in.Passport.Number, in.Passport.Expiry, in.Passport.Nationality, in.Passport.Sex,
			h[0], h[1], h[2], h[3], h[4]}))
	}
	cw.Flush()
	return cw.Error()
}

// historyCells are r's HistoryColumns: its status; the applicant's live
// appointment still to be kept (booked or checked in: date and time, and
// station); for a completed request, the day the applicant's biometrics
// were collected; the notes an import brought. (The other people's
// appointments are in the JSON export; an import books them beside the
// applicant's.)
func (r *Request) historyCells() [5]string {
	var out [5]string
	out[0] = string(r.Status)
	if ap, ok := r.CurrentAppointment(0); ok {
		switch {
		case ap.Status == ApptCollected && r.Status == StatusCompleted: // a household part-way through is not
			out[3] = ap.Day.String()
		case ap.Status == ApptBooked || ap.Status == ApptCheckedIn:
			out[1], out[2] = ap.Day.String()+" "+ap.Start.String(), strconv.Itoa(ap.Station)
		}
	}
	if r.Origin != nil {
		out[4] = r.Origin.Notes
	}
	return out
}

// EscapeCSVCells escapes every cell of a CSV record in place (see
// EscapeCSVCell) and returns it.
func EscapeCSVCells(rec []string) []string {
	for i, c := range rec {
		rec[i] = EscapeCSVCell(c)
	}
	return rec
}

// householdCSV writes the household column: Name|YYYY-MM-DD[|passport|expiry|nationality|sex];...
func householdCSV(hh []PersonInput) string {
	out := make([]string, len(hh))
	for i, h := range hh {
		out[i] = h.FullName + "|" + h.DateOfBirth
		if p := h.Passport; !p.empty() {
			out[i] += "|" + p.Number + "|" + p.Expiry + "|" + p.Nationality + "|" + p.Sex
		}
	}
	return strings.Join(out, ";")
}

// ExportRecord is the JSON export's shape of one request.
type ExportRecord struct {
	Number         string          `json:"number"`
	Status         Status          `json:"status"`
	Category       Category        `json:"category"`
	FullName       string          `json:"full_name"`
	DateOfBirth    Date            `json:"date_of_birth"`
	Passport       *Passport       `json:"passport,omitempty"`
	Received       Date            `json:"received"`
	Basis          string          `json:"basis"`
	NoticeType     NoticeType      `json:"notice_type"`
	ReceiptNumbers []ReceiptNumber `json:"receipt_numbers"`
	ANumber        ANumber         `json:"a_number"`
	Email          string          `json:"email"`
	Phone          string          `json:"phone"`
	Household      []Person        `json:"household"`
	Other          *OtherFacts     `json:"other,omitempty"`
	History        []Transition    `json:"history"`
	Appointments   []Appointment   `json:"appointments"`
	Incomplete     []string        `json:"incomplete,omitempty"`
	Origin         *Origin         `json:"origin,omitempty"`
}

func (r *Request) Export() ExportRecord {
	e := ExportRecord{Number: r.Number, Status: r.Status, Category: r.Category, FullName: r.Applicant.FullName,
		DateOfBirth: r.Applicant.DateOfBirth, Passport: r.Applicant.Passport, Received: r.Received, Basis: r.Basis, NoticeType: r.NoticeType,
		ReceiptNumbers: r.ReceiptNumbers, ANumber: r.ANumber, Email: r.Email, Phone: r.Phone,
		Household: r.Household, Other: r.Other, History: r.History, Appointments: r.Appointments,
		Incomplete: r.Incomplete, Origin: r.Origin}
	if e.ReceiptNumbers == nil {
		e.ReceiptNumbers = []ReceiptNumber{}
	}
	if e.Household == nil {
		e.Household = []Person{}
	}
	if e.History == nil {
		e.History = []Transition{}
	}
	if e.Appointments == nil {
		e.Appointments = []Appointment{}
	}
	return e
}

// SortLineErrors orders problems by line, keeping each line's in order.
func SortLineErrors(ps []LineError) {
	slices.SortStableFunc(ps, func(a, b LineError) int { return a.Line - b.Line })
}

// WriteExportJSON writes rs as the JSON export: every field, statuses and
// history included (the CSV carries what a tracker holds).
func WriteExportJSON(w io.Writer, rs []*Request) error {
	recs := make([]ExportRecord, len(rs))
	for i, r := range rs {
		recs[i] = r.Export()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(recs)
}
