package fieldprint

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
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
// both. The table of columns in docs/CLI.md says the same
// (TestCLIDocCSVColumns compares them).
var CSVRequiredColumns = [][]string{
	{"full_name"}, {"date_of_birth"}, {"category"}, {"basis"}, {"notice_type"},
	{"receipt_number", "a_number"}, {"email", "phone"},
}

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

// ImportRow is one parsed row of a spreadsheet import.
type ImportRow struct {
	Line     int
	Request  *Request
	Warnings []string
}

// MaxImportRows bounds one import: a tracker is hundreds of rows, not millions.
const MaxImportRows = 100000

// MaxImportBytes bounds an import file: MaxImportRows rows of a few hundred
// bytes each.
const MaxImportBytes = 64 << 20

// ParseImportCSV reads an office's spreadsheet tracker. It returns every row
// it could parse and every problem found; a caller must import nothing when
// any problem is returned.
func ParseImportCSV(r io.Reader, today Date) ([]ImportRow, []LineError) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	} else if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, []LineError{{Line: 1, Message: "the file cannot be read: " + err.Error()}}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []LineError{{Line: 1, Message: "the file is empty: it needs a header line naming the columns, e.g. " + strings.Join(CSVColumns[:11], ",")}}
	} else if err != nil {
		return nil, []LineError{csvError(err)}
	}
	col := map[string]int{}
	var errs []LineError
	allowed := strings.Join(CSVColumns, ", ")
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		switch {
		case k == "":
			errs = append(errs, LineError{1, "", fmt.Sprintf("column %d has no name; allowed columns: %s", i+1, allowed)})
		case indexOf(CSVColumns, k) < 0:
			errs = append(errs, LineError{1, "", fmt.Sprintf("unknown column %q; allowed columns (any order, any case): %s", h, allowed)})
		case col[k] != 0:
			errs = append(errs, LineError{1, "", fmt.Sprintf("column %q appears twice", k)})
		default:
			col[k] = i + 1 // 0 means absent
		}
	}
	// Columns every row needs: missing, they are one error here, not one per
	// row (the first missing one: the file is being set up).
	for _, group := range CSVRequiredColumns {
		if len(errs) > 0 || slices.ContainsFunc(group, func(c string) bool { return col[c] != 0 }) {
			continue
		}
		if len(group) == 1 {
			errs = append(errs, LineError{1, "", fmt.Sprintf("the required column %q is missing; allowed columns: %s", group[0], allowed)})
		} else {
			both := "(or more)"
			if len(group) == 2 {
				both = "(or both)"
			}
			errs = append(errs, LineError{1, "", fmt.Sprintf("the file needs a %s column %s", quoteJoin(group, " or "), both)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	var rows []ImportRow
	seen := map[string]int{} // identifier -> line of first use
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			// A parse error leaves the rest unframed; an I/O error may repeat
			// forever: either way, stop here.
			le := csvError(err)
			if _, ok := err.(*csv.ParseError); !ok {
				le.Line, _ = cr.FieldPos(0)
				le.Line++
			}
			errs = append(errs, le)
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rows)+len(errs) >= MaxImportRows {
			errs = append(errs, LineError{line, "", fmt.Sprintf("more than %d rows: split the file", MaxImportRows)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, LineError{line, "", fmt.Sprintf("has %d fields but the header has %d: check for a missing or extra comma, or quote text that contains commas", len(rec), len(header))})
			continue
		}
		get := func(k string) string {
			if i := col[k]; i > 0 {
				return UnescapeCSVCell(rec[i-1])
			}
			return ""
		}
		in := RequestInput{
			Received: get("received"), FullName: get("full_name"), DateOfBirth: get("date_of_birth"),
			Category: get("category"), Basis: get("basis"), NoticeType: get("notice_type"),
			ReceiptNumbers: get("receipt_number"), ANumber: get("a_number"), Email: get("email"), Phone: get("phone"),
			ASCDate: get("asc_date"), ASCPlace: get("asc_place"), DepartureReason: get("departure_reason"),
			RescheduleAsked: get("reschedule_asked"), RescheduleNote: get("reschedule_note"),
			Passport: PassportInput{Number: get(FieldPassport), Expiry: get(FieldPassportExpiry), Nationality: get(FieldNationality), Sex: get(FieldSex)},
		}
		var rowErrs []LineError
		noDate := map[string]bool{} // household fields already reported as malformed
		for _, item := range strings.Split(get("household_adults"), ";") {
			if strings.TrimSpace(item) == "" {
				continue
			}
			name, dob, ok := strings.Cut(item, "|")
			if !ok {
				// Numbered like Parse numbers them; the date is reported missing once, here.
				rowErrs = append(rowErrs, LineError{line, "household_adults", fmt.Sprintf("adult %d %q must be written Full Name|YYYY-MM-DD", len(in.Household)+1, strings.TrimSpace(item))})
				noDate[HouseholdField(len(in.Household), FieldDateOfBirth)] = true
			}
			p := PersonInput{FullName: name, DateOfBirth: dob}
			if parts := strings.Split(dob, "|"); len(parts) > 1 {
				parts = append(parts, "", "", "", "")
				p.DateOfBirth, p.Passport = parts[0], PassportInput{Number: parts[1], Expiry: parts[2], Nationality: parts[3], Sex: parts[4]}
			}
			in.Household = append(in.Household, p)
		}
		req, warns, err := in.Parse(today)
		var e *Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				if noDate[f.Field] {
					continue
				}
				c, msg := f.Field, f.Message
				if strings.HasPrefix(c, FieldHousehold+"[") {
					var n int
					fmt.Sscanf(c[len(FieldHousehold)+1:], "%d", &n)
					c, msg = FieldHousehold, fmt.Sprintf("adult %d: %s", n, msg)
				}
				rowErrs = append(rowErrs, LineError{line, c, msg})
			}
		} else if err != nil {
			rowErrs = append(rowErrs, LineError{line, "", ErrorMessage(err)})
		}
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		for _, id := range req.Identifiers() {
			if first, dup := seen[id]; dup {
				errs = append(errs, LineError{line, identColumn(id), fmt.Sprintf("%s is also on line %d: one person must not get two requests", id, first)})
			} else {
				seen[id] = line
			}
		}
		rows = append(rows, ImportRow{Line: line, Request: req, Warnings: warns})
	}
	if len(rows) == 0 && len(errs) == 0 {
		errs = append(errs, LineError{1, "", "the file has a header but no rows"})
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return rows, errs
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
	cw.Write(CSVColumns)
	for _, r := range rs {
		in := r.Input()
		cw.Write(EscapeCSVCells([]string{in.Received, in.FullName, in.DateOfBirth, in.Category, in.Basis, in.NoticeType,
			strings.ReplaceAll(in.ReceiptNumbers, " ", ""), in.ANumber, in.Email, in.Phone, householdCSV(in.Household),
			in.ASCDate, in.ASCPlace, in.DepartureReason, in.RescheduleAsked, in.RescheduleNote,
			in.Passport.Number, in.Passport.Expiry, in.Passport.Nationality, in.Passport.Sex}))
	}
	cw.Flush()
	return cw.Error()
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
}

func (r *Request) Export() ExportRecord {
	e := ExportRecord{Number: r.Number, Status: r.Status, Category: r.Category, FullName: r.Applicant.FullName,
		DateOfBirth: r.Applicant.DateOfBirth, Passport: r.Applicant.Passport, Received: r.Received, Basis: r.Basis, NoticeType: r.NoticeType,
		ReceiptNumbers: r.ReceiptNumbers, ANumber: r.ANumber, Email: r.Email, Phone: r.Phone,
		Household: r.Household, Other: r.Other, History: r.History}
	if e.ReceiptNumbers == nil {
		e.ReceiptNumbers = []ReceiptNumber{}
	}
	if e.Household == nil {
		e.Household = []Person{}
	}
	if e.History == nil {
		e.History = []Transition{}
	}
	return e
}

// ImportDuplicates checks rows against what s already holds: a receipt
// number or A-number on an open request is a problem of the row's line, as
// in the file. The window and the CLI import through it alike.
func ImportDuplicates(s RequestService, rows []ImportRow) ([]LineError, error) {
	var out []LineError
	for _, row := range rows {
		ds, err := s.FindDuplicates(row.Request)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			col := "receipt_number"
			if strings.HasPrefix(d.Identifier, "A") {
				col = "a_number"
			}
			out = append(out, LineError{Line: row.Line, Column: col, Message: d.String()})
		}
	}
	return out, nil
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
