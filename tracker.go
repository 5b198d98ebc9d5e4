package fieldprint

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// An office's tracker, as offices really keep it: Excel's "CSV UTF-8" with a
// byte-order mark, a plain "CSV" in the Windows code page, UTF-16 ("Unicode
// text"), commas or semicolons (Excel in a country whose decimal mark is a
// comma) or tabs; their own column names; dates as 10/03/2026; names as
// "SURNAME, Given"; categories and statuses in their own words. ReadTracker
// finds the encoding and the separator from the bytes; SuggestMapping maps
// the office's columns and values to Fieldprint's fields (from the names,
// and from what the office chose last time); TrackerMapping.Rows turns the
// rows into requests with their history, or names every line that is wrong.
// Fieldprint's own CSV export is a tracker whose columns need no mapping.

// Fields a tracker column can hold besides CSVColumns: a request's history.
const (
	FieldContact         = "contact" // an e-mail address, a phone number, or both
	FieldStatus          = "status"
	FieldAppointment     = "appointment" // the day, and the time when the column has it
	FieldAppointmentTime = "appointment_time"
	FieldStation         = "station"
	FieldCollected       = "collected" // the day biometrics were collected
	FieldNotes           = "notes"
	// FieldIgnore leaves a column out of the import.
	FieldIgnore = "-"
)

// HistoryColumns are written by the CSV export after CSVColumns and read
// back by the import: the status, the applicant's live appointment (date
// and time, and its station), the day biometrics were collected, the notes.
var HistoryColumns = []string{FieldStatus, FieldAppointment, FieldStation, FieldCollected, FieldNotes}

// TrackerField is a destination of a tracker column.
type TrackerField struct {
	Key   string
	Label string
}

// TrackerFields are what a column can be mapped to, in the order the
// mapping step offers them.
var TrackerFields = []TrackerField{
	{FieldFullName, "Applicant's name"},
	{FieldReceived, "Date received"},
	{FieldCategory, "Category"},
	{FieldReceiptNumbers, "Receipt number(s)"},
	{FieldANumber, "A-number"},
	{FieldDateOfBirth, "Date of birth"},
	{FieldContact, "E-mail or phone (either)"},
	{FieldEmail, "E-mail"},
	{FieldPhone, "Phone"},
	{FieldBasis, "Basis (why this office)"},
	{FieldNoticeType, "Notice type"},
	{FieldStatus, "Status"},
	{FieldAppointment, "Appointment date (and time)"},
	{FieldAppointmentTime, "Appointment time"},
	{FieldStation, "Appointment station"},
	{FieldCollected, "Date biometrics collected"},
	{FieldNotes, "Notes"},
	{FieldHousehold, "Household adults (Name|YYYY-MM-DD;…)"},
	{FieldASCDate, "U.S. ASC appointment date"},
	{FieldASCPlace, "U.S. ASC appointment place"},
	{FieldDepartureReason, "Why the applicant left the U.S."},
	{FieldRescheduleAsked, "Reschedule asked (yes/no)"},
	{FieldRescheduleNote, "Reschedule note"},
	{FieldPassport, "Passport number"},
	{FieldPassportExpiry, "Passport expiry"},
	{FieldNationality, "Nationality (CHN)"},
	{FieldSex, "Sex (F/M/X)"},
	{FieldIgnore, "Leave out"},
}

// TrackerFieldLabel is the label of a field key ("" for an unknown key).
func TrackerFieldLabel(key string) string {
	for _, f := range TrackerFields {
		if f.Key == key {
			return f.Label
		}
	}
	return ""
}

// trackerDateFields hold dates, read in the tracker's date order.
var trackerDateFields = []string{FieldReceived, FieldDateOfBirth, FieldASCDate, FieldPassportExpiry, FieldAppointment, FieldCollected}

// columnNames maps a header, folded by labelKey, to the field it usually
// holds: the names offices' trackers use.
var columnNames = map[string]string{
	"name": FieldFullName, "fullname": FieldFullName, "applicant": FieldFullName, "applicantname": FieldFullName,
	"applicantsname": FieldFullName, "nameofapplicant": FieldFullName, "client": FieldFullName, "clientname": FieldFullName,
	"surnamegivenname": FieldFullName, "lastnamefirstname": FieldFullName,
	"received": FieldReceived, "daterecd": FieldReceived, "datereceived": FieldReceived, "recd": FieldReceived,
	"receiveddate": FieldReceived, "daterec": FieldReceived, "requestdate": FieldReceived, "dateofrequest": FieldReceived,
	"datein": FieldReceived, "date": FieldReceived,
	"dob": FieldDateOfBirth, "dateofbirth": FieldDateOfBirth, "birthdate": FieldDateOfBirth, "born": FieldDateOfBirth,
	"category": FieldCategory, "cat": FieldCategory, "requesttype": FieldCategory, "type": FieldCategory,
	"casecategory": FieldCategory, "casetype": FieldCategory,
	"basis": FieldBasis, "reason": FieldBasis, "statement": FieldBasis, "justification": FieldBasis, "basisforrequest": FieldBasis,
	"notice": FieldNoticeType, "noticetype": FieldNoticeType, "uscisnotice": FieldNoticeType,
	"receipt": FieldReceiptNumbers, "receiptnumber": FieldReceiptNumbers, "receiptno": FieldReceiptNumbers,
	"receipts": FieldReceiptNumbers, "receiptnumbers": FieldReceiptNumbers, "uscisreceipt": FieldReceiptNumbers,
	"a": FieldANumber, "anumber": FieldANumber, "ano": FieldANumber, "anum": FieldANumber, "aliennumber": FieldANumber,
	"alienregistrationnumber": FieldANumber, "uscisnumber": FieldANumber,
	"email": FieldEmail, "emailaddress": FieldEmail, "mail": FieldEmail,
	"phone": FieldPhone, "telephone": FieldPhone, "tel": FieldPhone, "mobile": FieldPhone, "phonenumber": FieldPhone, "cell": FieldPhone,
	"contact": FieldContact, "emailphone": FieldContact, "phoneemail": FieldContact, "contactinfo": FieldContact,
	"contactdetails": FieldContact, "emailortel": FieldContact, "emailorphone": FieldContact,
	"status": FieldStatus, "state": FieldStatus, "stage": FieldStatus, "casestatus": FieldStatus,
	"appt": FieldAppointment, "apptdate": FieldAppointment, "appointment": FieldAppointment, "appointmentdate": FieldAppointment,
	"bioappt": FieldAppointment, "biometricsappointment": FieldAppointment, "biometricsdate": FieldAppointment,
	"apptdatetime": FieldAppointment, "scheduledfor": FieldAppointment,
	"appttime": FieldAppointmentTime, "appointmenttime": FieldAppointmentTime, "time": FieldAppointmentTime,
	"station": FieldStation, "window": FieldStation, "desk": FieldStation,
	"collected": FieldCollected, "datecollected": FieldCollected, "collectiondate": FieldCollected,
	"fingerprinted": FieldCollected, "biometricscollected": FieldCollected, "datefingerprinted": FieldCollected,
	"notes": FieldNotes, "note": FieldNotes, "comments": FieldNotes, "comment": FieldNotes, "remarks": FieldNotes,
	"household": FieldHousehold, "householdadults": FieldHousehold, "householdmembers": FieldHousehold,
	"ascdate": FieldASCDate, "ascappointment": FieldASCDate, "ascplace": FieldASCPlace, "asclocation": FieldASCPlace,
	"departurereason": FieldDepartureReason, "whyleft": FieldDepartureReason,
	"rescheduleasked": FieldRescheduleAsked, "reschedulenote": FieldRescheduleNote,
	"passport": FieldPassport, "passportno": FieldPassport, "passportnumber": FieldPassport,
	"passportexpiry": FieldPassportExpiry, "passportexpires": FieldPassportExpiry, "expiry": FieldPassportExpiry,
	"nationality": FieldNationality, "sex": FieldSex, "gender": FieldSex,
}

func init() {
	// Fieldprint's own column names map to themselves.
	for _, c := range append(slices.Clone(CSVColumns), append(HistoryColumns, FieldContact, FieldAppointmentTime)...) {
		columnNames[labelKey(c)] = c
	}
}

// MaxTrackerColumns bounds a tracker's width: offices keep a few dozen.
const MaxTrackerColumns = 200

// TrackerFile is a tracker as read: where it came from, how it was written,
// its header and its rows.
type TrackerFile struct {
	Name      string // the file's name, for "imported from FILE line N"
	Encoding  string // the encoding read (TrackerEncodings)
	BOM       bool   // it began with a byte-order mark
	Separator rune   // , ; tab or |
	// HeaderLine is the header's line: 1, or 2 after Excel's "sep=;" line.
	HeaderLine int
	Header     []string
	Rows       []TrackerRow // the non-blank rows after the header
}

// TrackerRow is one row and the line it starts on (a quoted cell may span lines).
type TrackerRow struct {
	Line  int
	Cells []string
}

// TrackerEncodings are the encodings a tracker can be read in: Unicode, and
// the code pages Excel's plain "CSV" is written in by the offices' Windows
// (Western, Central European, Cyrillic, Turkish, Simplified Chinese).
var TrackerEncodings = []string{"utf-8", "utf-16le", "utf-16be", "windows-1252", "windows-1250", "windows-1251", "windows-1254", "gbk"}

// TrackerSeparators are the separators a tracker's cells may be written with.
var TrackerSeparators = []rune{',', ';', '\t', '|'}

// SeparatorName is a separator in words.
func SeparatorName(r rune) string {
	switch r {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "vertical bar"
	}
	return strconv.QuoteRune(r)
}

// ReadTracker reads a tracker's bytes: the encoding (enc "" finds it: a
// byte-order mark, UTF-16 without one, valid UTF-8, else Windows-1252) and
// the separator (sep 0 finds it, and so does Excel's "sep=;" first line).
// Problems are LineErrors; with any, the file is nil.
func ReadTracker(name string, data []byte, enc string, sep rune) (*TrackerFile, []LineError) {
	f := &TrackerFile{Name: name}
	text, used, bom, err := decodeTracker(data, enc)
	if err != nil {
		return nil, []LineError{{Line: 1, Message: ErrorMessage(err)}}
	}
	f.Encoding, f.BOM = used, bom
	if strings.ContainsRune(text, 0) {
		return nil, []LineError{{Line: 1, Message: fmt.Sprintf("the file holds NUL characters: it is not a text file in %s. Save the spreadsheet as \"CSV UTF-8\" and import that file", used)}}
	}
	if strings.TrimSpace(text) == "" {
		return nil, []LineError{{Line: 1, Message: "the file is empty: it needs a header line naming the columns, e.g. " + strings.Join(CSVColumns[:11], ",")}}
	}
	skip := 0 // lines before the header
	if first, rest, ok := strings.Cut(text, "\n"); ok || first != "" {
		if h := strings.TrimRight(first, "\r"); strings.HasPrefix(strings.ToLower(h), "sep=") && utf8.RuneCountInString(h) == 5 {
			r, _ := utf8.DecodeLastRuneInString(h)
			if slices.Contains(TrackerSeparators, r) && sep == 0 {
				sep = r
			}
			text, skip = rest, 1
		}
	}
	if sep == 0 {
		sep = detectSeparator(text)
	} else if !slices.Contains(TrackerSeparators, sep) {
		return nil, []LineError{{Line: 1, Message: fmt.Sprintf("%s is not a separator a tracker uses: choose comma, semicolon, tab or vertical bar", strconv.QuoteRune(sep))}}
	}
	f.Separator, f.HeaderLine = sep, 1+skip
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	var errs []LineError
	header, err := cr.Read()
	if err == io.EOF {
		return nil, []LineError{{Line: 1, Message: "the file is empty: it needs a header line naming the columns"}}
	} else if err != nil {
		le := csvError(err)
		le.Line += skip
		return nil, []LineError{le}
	}
	if len(header) > MaxTrackerColumns {
		return nil, []LineError{{Line: 1 + skip, Message: fmt.Sprintf("the header has %d columns, more than %d: check the separator (it was read as %s)", len(header), MaxTrackerColumns, SeparatorName(sep))}}
	}
	f.Header = make([]string, len(header))
	for i, h := range header {
		f.Header[i], _ = cleanText(h, false)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			le := csvError(err)
			le.Line += skip
			errs = append(errs, le)
			break
		}
		line, _ := cr.FieldPos(0)
		line += skip
		if blank(rec) {
			continue
		}
		if len(f.Rows) >= MaxImportRows {
			errs = append(errs, LineError{line, "", fmt.Sprintf("more than %d rows: split the file", MaxImportRows)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, LineError{line, "", fmt.Sprintf("has %d fields but the header has %d: check for a missing or extra %s, or quote text that contains one", len(rec), len(header), SeparatorName(sep))})
			continue
		}
		for i := range rec {
			rec[i] = UnescapeCSVCell(rec[i])
		}
		f.Rows = append(f.Rows, TrackerRow{Line: line, Cells: rec})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// decodeTracker turns data into text; enc "" finds the encoding.
func decodeTracker(data []byte, enc string) (text, used string, bom bool, err error) {
	switch {
	case enc != "":
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}) || bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return "", "", false, Errorf(EINVALID, "the file is in UTF-32, which spreadsheets rarely write: save it as \"CSV UTF-8\" and import that file")
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		enc, bom = "utf-8", true
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		enc, bom = "utf-16le", true
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		enc, bom = "utf-16be", true
	default:
		enc = sniffUTF16(data)
		if enc == "" && utf8.Valid(data) {
			enc = "utf-8"
		} else if enc == "" {
			enc = "windows-1252"
		}
	}
	if !slices.Contains(TrackerEncodings, enc) {
		return "", "", false, Errorf(EINVALID, "%q is not an encoding Fieldprint reads trackers in: use one of %s", enc, strings.Join(TrackerEncodings, ", "))
	}
	switch enc {
	case "utf-8":
		data = bytes.TrimPrefix(data, []byte{0xef, 0xbb, 0xbf})
		if !utf8.Valid(data) {
			return "", "", false, Errorf(EINVALID, "the file is not valid UTF-8: choose the encoding it was saved in (Excel's plain \"CSV\" is usually windows-1252), or save it as \"CSV UTF-8\"")
		}
		return string(data), enc, bom, nil
	case "utf-16le", "utf-16be":
		if len(data)%2 != 0 {
			return "", "", false, Errorf(EINVALID, "the file ends in the middle of a character: it is damaged, or not in %s; choose another encoding or save it as \"CSV UTF-8\"", strings.ToUpper(enc))
		}
	}
	e, err := htmlindex.Get(enc)
	if err != nil {
		return "", "", false, Internal("an encoding is missing", err)
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", false, Errorf(EINVALID, "the file cannot be read as %s: choose the encoding it was saved in, or save it as \"CSV UTF-8\"", enc)
	}
	s := string(out)
	if t, ok := strings.CutPrefix(s, "\ufeff"); ok {
		s, bom = t, true
	}
	if strings.ContainsRune(s, utf8.RuneError) && (enc == "utf-16le" || enc == "utf-16be") {
		return "", "", false, Errorf(EINVALID, "the file is not valid %s: choose another encoding, or save it as \"CSV UTF-8\"", strings.ToUpper(enc))
	}
	return s, enc, bom, nil
}

// sniffUTF16 recognises UTF-16 without a byte-order mark from its zero
// bytes: text in Latin letters has one in every pair.
func sniffUTF16(data []byte) string {
	n := min(len(data), 400) &^ 1
	if n < 4 {
		return ""
	}
	var even, odd int
	for i := 0; i < n; i++ {
		if data[i] == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	switch pairs := n / 2; {
	case odd*10 >= pairs*7 && even*10 < pairs:
		return "utf-16le"
	case even*10 >= pairs*7 && odd*10 < pairs:
		return "utf-16be"
	}
	return ""
}

// detectSeparator picks the separator that splits the first lines into the
// same number of cells as the header, most cells first.
func detectSeparator(text string) rune {
	best, bestScore := ',', -1
	for _, sep := range TrackerSeparators {
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma = sep
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil || len(header) < 2 {
			continue
		}
		same, rows := 0, 0
		for rows < 50 {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			rows++
			if len(rec) == len(header) {
				same++
			}
		}
		// Rows that agree with the header count most, then the header's width.
		score := same*1000 + min(len(header), 999)
		if rows > 0 && same*2 < rows {
			score = len(header) // most rows disagree: a poor choice
		}
		if score > bestScore {
			best, bestScore = sep, score
		}
	}
	return best
}

// DateOrder is how a tracker writes dates that are not YYYY-MM-DD.
type DateOrder string

const (
	DatesUnknown DateOrder = ""    // not needed, or not known yet
	DayFirst     DateOrder = "dmy" // 03/10/2026 is 3 October 2026
	MonthFirst   DateOrder = "mdy" // 03/10/2026 is March 10, 2026
)

// Label is the order in words, with an example.
func (o DateOrder) Label() string {
	switch o {
	case DayFirst:
		return "Day first (03/10/2026 is 3 October 2026)"
	case MonthFirst:
		return "Month first (03/10/2026 is March 10, 2026)"
	}
	return "Not chosen"
}

// ParseDateOrder accepts dmy, mdy and the words people use.
func ParseDateOrder(s string) (DateOrder, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "dmy", "day", "day-first", "dd/mm/yyyy", "d/m/y":
		return DayFirst, nil
	case "mdy", "month", "month-first", "mm/dd/yyyy", "m/d/y":
		return MonthFirst, nil
	}
	return "", Errorf(EINVALID, "%q is not a date order: use dmy (03/10/2026 is 3 October) or mdy (03/10/2026 is March 10)", s)
}

// splitNumericDate splits D/M/YYYY, D.M.YYYY and D-M-YYYY (and the
// year-first YYYY/MM/DD) into its numbers; ok is false for other text.
func splitNumericDate(s string) (a, b, y int, yearFirst, ok bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 || strings.Count(s, "/")+strings.Count(s, ".")+strings.Count(s, "-") != 2 {
		return 0, 0, 0, false, false
	}
	n := make([]int, 3)
	for i, p := range parts {
		if p == "" || len(p) > 4 || !allDigits(p) {
			return 0, 0, 0, false, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	if len(parts[0]) == 4 {
		return n[1], n[2], n[0], true, true
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return 0, 0, 0, false, false
	}
	return n[0], n[1], n[2], false, len(parts[2]) == 4 || len(parts[2]) == 2
}

// cutTime splits "2026-10-03 09:30" (or "… 9:30 AM", "…T09:30:00") into
// the date and the time text.
func cutTime(s string) (date, clock string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 && strings.ContainsRune(s[i:], ':') {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	return s, ""
}

// ParseTrackerDate reads a date as trackers write it: YYYY-MM-DD always,
// YYYY/MM/DD, and D/M/YYYY, D.M.YYYY or D-M-YYYY in the given order. A time
// of midnight after it (spreadsheets add one) is ignored.
func ParseTrackerDate(s string, order DateOrder) (Date, error) {
	d, _, hasTime, err := ParseTrackerDateTime(s, order)
	if err == nil && hasTime {
		return Date{}, Errorf(EINVALID, "%q has a time of day: give the date alone", strings.TrimSpace(s))
	}
	return d, err
}

// ParseTrackerDateTime reads a date as ParseTrackerDate does, with an
// optional time of day (9:30, 09:30:00, 9:30 AM); a time of midnight counts
// as none.
func ParseTrackerDateTime(s string, order DateOrder) (d Date, t TimeOfDay, hasTime bool, err error) {
	s = strings.TrimSpace(s)
	ds, ts := cutTime(s)
	if ts != "" {
		if t, err = parseClock(ts); err != nil {
			return Date{}, 0, false, Errorf(EINVALID, "%q: %s", s, ErrorMessage(err))
		}
		hasTime = t != 0
	}
	if d, err := ParseDate(ds); err == nil {
		return d, t, hasTime, nil
	}
	a, b, y, yearFirst, ok := splitNumericDate(ds)
	if !ok {
		return Date{}, 0, false, Errorf(EINVALID, "%q is not a date: write it as YYYY-MM-DD, or as the spreadsheet shows dates (03/10/2026)", s)
	}
	if y < 100 {
		return Date{}, 0, false, Errorf(EINVALID, "%q has a two-digit year: format the column as dates with four-digit years in the spreadsheet, then save it again", s)
	}
	var day, month int
	switch {
	case yearFirst:
		month, day = a, b
	case a > 12 && b > 12:
		return Date{}, 0, false, Errorf(EINVALID, "%q is not a date: neither of %d and %d is a month", s, a, b)
	case order == DayFirst:
		day, month = a, b
	case order == MonthFirst:
		month, day = a, b
	case a > 12 && b <= 12:
		day, month = a, b
	case b > 12 && a <= 12:
		month, day = a, b
	case a == b:
		day, month = a, b
	default:
		return Date{}, 0, false, &Error{Code: EINVALID, Message: fmt.Sprintf("%q could be %s: choose the tracker's date order", s, bothReadings(s)), Err: errDateOrder}
	}
	iso := fmt.Sprintf("%04d-%02d-%02d", y, month, day)
	if d, err = ParseDate(iso); err != nil {
		return Date{}, 0, false, Errorf(EINVALID, "%q is not a day of the calendar (read as %s): check it in the spreadsheet", s, dateOrderHint(order, yearFirst, a, b))
	}
	return d, t, hasTime, nil
}

// bothReadings says what the date s (two numbers up to 12 before the year)
// is read as in each order: "day first (6 September) or month first (June 9)".
func bothReadings(s string) string {
	ds, _ := cutTime(s)
	a, b, _, _, ok := splitNumericDate(ds)
	if !ok || a < 1 || a > 12 || b < 1 || b > 12 {
		return "day first or month first"
	}
	return fmt.Sprintf("day first (%d %s) or month first (%s %d)", a, time.Month(b), time.Month(a), b)
}

// errDateOrder marks a date that needs the tracker's date order chosen.
var errDateOrder = errors.New("date order not chosen")

func dateOrderHint(order DateOrder, yearFirst bool, a, b int) string {
	switch {
	case yearFirst, order == MonthFirst:
		return fmt.Sprintf("month %d, day %d", a, b)
	case order == DayFirst:
		return fmt.Sprintf("day %d, month %d", a, b)
	}
	return fmt.Sprintf("%d and %d", a, b)
}

// parseClock reads 9:30, 09:30, 09:30:00, 9:30 AM, 9:30pm, 9.30.
func parseClock(s string) (TimeOfDay, error) {
	k := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	pm, am := strings.HasSuffix(k, "pm"), strings.HasSuffix(k, "am")
	k = strings.TrimSuffix(strings.TrimSuffix(k, "pm"), "am")
	k = strings.ReplaceAll(k, ".", ":")
	parts := strings.Split(k, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, Errorf(EINVALID, "%q is not a time of day: write it as 09:30", s)
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 2 || !allDigits(p) {
			return 0, Errorf(EINVALID, "%q is not a time of day: write it as 09:30", s)
		}
		n[i], _ = strconv.Atoi(p)
	}
	h, m := n[0], n[1]
	if len(n) == 3 && n[2] != 0 {
		return 0, Errorf(EINVALID, "%q has seconds: appointments start on the minute", s)
	}
	switch {
	case (am || pm) && (h < 1 || h > 12):
		return 0, Errorf(EINVALID, "%q is not a time of day: with AM or PM the hour is 1 to 12", s)
	case pm && h != 12:
		h += 12
	case am && h == 12:
		h = 0
	}
	if h > 23 || m > 59 {
		return 0, Errorf(EINVALID, "%q is not a time of day: write it as 09:30", s)
	}
	return TimeOfDay(h*60 + m), nil
}

// DateOrderEvidence is what a tracker's dates say about their order: a
// first number over 12 is a day (day first), a second one a day (month
// first), and dates like 03/10/2026 could be either.
type DateOrderEvidence struct {
	DayFirst, MonthFirst, Either TrackerCell // an example of each ("": none)
}

// TrackerCell is one cell: its line, column and text.
type TrackerCell struct {
	Line   int
	Column string
	Text   string
}

// Order is the order the dates prove ("" when they prove none, or both).
func (e DateOrderEvidence) Order() DateOrder {
	switch {
	case e.DayFirst.Text != "" && e.MonthFirst.Text == "":
		return DayFirst
	case e.MonthFirst.Text != "" && e.DayFirst.Text == "":
		return MonthFirst
	}
	return DatesUnknown
}

// Conflict says whether some dates are day first and others month first.
func (e DateOrderEvidence) Conflict() bool { return e.DayFirst.Text != "" && e.MonthFirst.Text != "" }

// Ambiguous says whether a date order must be chosen: the dates need one
// and do not prove it.
func (e DateOrderEvidence) Ambiguous() bool { return e.Either.Text != "" && e.Order() == DatesUnknown }

// DateEvidence reads every date cell of the columns m maps to date fields.
func (m TrackerMapping) DateEvidence(f *TrackerFile) DateOrderEvidence {
	var ev DateOrderEvidence
	for i, h := range f.Header {
		if !slices.Contains(trackerDateFields, m.Field(h)) {
			continue
		}
		for _, row := range f.Rows {
			ds, _ := cutTime(row.Cells[i])
			a, b, _, yearFirst, ok := splitNumericDate(ds)
			if !ok || yearFirst {
				continue
			}
			c := TrackerCell{row.Line, h, strings.TrimSpace(row.Cells[i])}
			switch {
			case a > 12 && b <= 12 && ev.DayFirst.Text == "":
				ev.DayFirst = c
			case b > 12 && a <= 12 && ev.MonthFirst.Text == "":
				ev.MonthFirst = c
			case a <= 12 && b <= 12 && a != b && ev.Either.Text == "":
				ev.Either = c
			}
		}
	}
	return ev
}

// NameOrder is how a tracker writes names.
type NameOrder string

const (
	NamesAsWritten    NameOrder = ""
	NamesSurnameFirst NameOrder = "surname-first" // "MÜLLER, José" is José MÜLLER
)

// ReorderName turns "SURNAME, Given" into "Given SURNAME" (the case as
// written); a name without exactly one comma is kept as it is.
func ReorderName(s string) string {
	family, given, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(given, ",") || strings.TrimSpace(family) == "" || strings.TrimSpace(given) == "" {
		return s
	}
	return strings.TrimSpace(given) + " " + strings.TrimSpace(family)
}

// TrackerMapping says how an office's tracker maps to Fieldprint's fields.
// It is saved with the import and suggested again next time.
type TrackerMapping struct {
	// Columns maps a column name, folded (ColumnKey), to a field key
	// (TrackerFields; FieldIgnore leaves it out).
	Columns map[string]string `json:"columns"`
	// Values maps, for the category and status fields, a tracker's value
	// folded (ValueKey) to Fieldprint's key ("adoption", "scheduled").
	Values    map[string]map[string]string `json:"values,omitempty"`
	DateOrder DateOrder                    `json:"date_order,omitempty"`
	NameOrder NameOrder                    `json:"name_order,omitempty"`
	// Encoding is the code page a tracker without a byte-order mark and
	// not in UTF-8 was read in last time ("": windows-1252).
	Encoding string `json:"encoding,omitempty"`
}

// ColumnKey folds a column's name for the mapping: "Date rec'd" and
// "DATE RECD" are one column.
func ColumnKey(header string) string { return labelKey(Fold(header)) }

// ValueKey folds a cell's value for the value mapping.
func ValueKey(v string) string { return labelKey(Fold(v)) }

// Field is the field column header maps to ("" when not mapped).
func (m TrackerMapping) Field(header string) string { return m.Columns[ColumnKey(header)] }

// SetColumn maps column header to field.
func (m *TrackerMapping) SetColumn(header, field string) {
	if m.Columns == nil {
		m.Columns = map[string]string{}
	}
	m.Columns[ColumnKey(header)] = field
}

// SetValue maps value of field (category, status) to key.
func (m *TrackerMapping) SetValue(field, value, key string) {
	if m.Values == nil {
		m.Values = map[string]map[string]string{}
	}
	if m.Values[field] == nil {
		m.Values[field] = map[string]string{}
	}
	m.Values[field][ValueKey(value)] = key
}

// Value is the key value of field maps to, and whether it is mapped: by
// the mapping, or because Fieldprint reads it as it is.
func (m TrackerMapping) Value(field, value string) (string, bool) {
	if k, ok := m.Values[field][ValueKey(value)]; ok {
		return k, true
	}
	switch field {
	case FieldCategory:
		if c, err := ParseCategory(value); err == nil {
			return string(c), true
		}
	case FieldStatus:
		if strings.TrimSpace(value) == "" {
			return "", true
		}
		if s, err := ParseStatus(value); err == nil {
			return string(s), true
		}
	}
	return "", false
}

// Merge returns saved with m's choices over it: what is saved for next time.
func (m TrackerMapping) Merge(saved TrackerMapping) TrackerMapping {
	out := TrackerMapping{Columns: map[string]string{}, Values: map[string]map[string]string{},
		DateOrder: m.DateOrder, NameOrder: m.NameOrder, Encoding: m.Encoding}
	for _, src := range []TrackerMapping{saved, m} {
		for k, v := range src.Columns {
			out.Columns[k] = v
		}
		for f, vs := range src.Values {
			if out.Values[f] == nil {
				out.Values[f] = map[string]string{}
			}
			for k, v := range vs {
				out.Values[f][k] = v
			}
		}
	}
	if out.DateOrder == "" {
		out.DateOrder = saved.DateOrder
	}
	if out.Encoding == "" {
		out.Encoding = saved.Encoding
	}
	return out
}

// mappedValueFields are the fields whose values are mapped one by one.
var mappedValueFields = []string{FieldCategory, FieldStatus}

// SuggestMapping maps f's columns and values: what the office chose last
// time (saved) first, then the names and words trackers use. The date order
// is the one the dates prove, else the one saved; the name order is
// "SURNAME, Given" when most names are written so.
func SuggestMapping(f *TrackerFile, saved TrackerMapping) TrackerMapping {
	m := TrackerMapping{Columns: map[string]string{}, Values: map[string]map[string]string{}}
	taken := map[string]bool{}
	for _, h := range f.Header { // saved choices first, so a guess never takes their field
		if k, ok := saved.Columns[ColumnKey(h)]; ok {
			m.Columns[ColumnKey(h)] = k
			taken[k] = true
		}
	}
	for _, h := range f.Header {
		key := ColumnKey(h)
		if _, ok := m.Columns[key]; ok || key == "" {
			continue
		}
		field := columnNames[key]
		if field == "" {
			field = guessColumn(key)
		}
		if field != "" && (!taken[field] || field == FieldNotes) {
			m.Columns[key] = field
			taken[field] = true
		}
	}
	for _, field := range mappedValueFields {
		for _, v := range m.distinct(f, field) {
			if k, ok := saved.Values[field][ValueKey(v.Text)]; ok {
				m.SetValue(field, v.Text, k)
			} else if _, ok := m.Value(field, v.Text); !ok {
				if k := guessValue(field, v.Text); k != "" {
					m.SetValue(field, v.Text, k)
				}
			}
		}
	}
	ev := m.DateEvidence(f)
	switch {
	case ev.Order() != DatesUnknown:
		m.DateOrder = ev.Order()
	case ev.Ambiguous():
		m.DateOrder = saved.DateOrder
	}
	m.Encoding = saved.Encoding
	if f.Encoding != "utf-8" && f.Encoding != "utf-16le" && f.Encoding != "utf-16be" {
		m.Encoding = f.Encoding
	}
	comma, names := 0, 0
	for i, h := range f.Header {
		if m.Field(h) != FieldFullName {
			continue
		}
		for _, row := range f.Rows {
			if v := strings.TrimSpace(row.Cells[i]); v != "" {
				names++
				if strings.Count(v, ",") == 1 {
					comma++
				}
			}
		}
	}
	if names > 0 && comma*2 > names {
		m.NameOrder = NamesSurnameFirst
	} else if names == 0 {
		m.NameOrder = saved.NameOrder
	}
	return m
}

// guessColumn maps a folded column name by the words in it.
func guessColumn(key string) string {
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(key, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("email") && has("phone", "tel"):
		return FieldContact
	case has("appt", "appointment") && has("time"):
		return FieldAppointmentTime
	case has("appt", "appointment", "scheduled"):
		return FieldAppointment
	case has("receipt"):
		return FieldReceiptNumbers
	case has("anumber", "alien"):
		return FieldANumber
	case has("birth", "dob"):
		return FieldDateOfBirth
	case has("rec") && has("date", "rec'd", "recd"):
		return FieldReceived
	case has("email"):
		return FieldEmail
	case has("phone", "mobile"):
		return FieldPhone
	case has("note", "comment", "remark"):
		return FieldNotes
	case has("collect", "fingerprinted"):
		return FieldCollected
	case has("status"):
		return FieldStatus
	case has("categor"):
		return FieldCategory
	case has("name"):
		return FieldFullName
	}
	return ""
}

// guessValue maps a tracker's category or status by its words.
func guessValue(field, v string) string {
	k := ValueKey(v)
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(k, w) {
				return true
			}
		}
		return false
	}
	switch field {
	case FieldCategory:
		switch {
		case has("adopt", "i600", "i800", "hague", "orphan"):
			return string(CategoryAdoption)
		case has("319"):
			return string(Category319b)
		case has("milit", "army", "navy", "airforce", "marine", "328", "329", "servicemember", "319e"):
			return string(CategoryMilitary)
		case has("other", "exception", "discretion"):
			return string(CategoryOther)
		}
	case FieldStatus:
		switch {
		case has("withdr", "cancel"):
			return string(StatusWithdrawn)
		case has("deni", "refus", "reject"):
			return string(StatusDenied)
		case has("done", "complet", "collected", "fingerprinted", "finished"):
			return string(StatusCompleted)
		case has("director", "review", "refer"):
			return string(StatusDirectorReview)
		case has("await", "missing", "pendingdoc", "waitingfordoc", "docs", "documents"):
			return string(StatusAwaitingDocuments)
		case has("scheduled", "booked"):
			return string(StatusScheduled)
		case has("eligible", "approved", "ready", "tobook", "toschedule"):
			return string(StatusReadyToSchedule)
		case has("new", "received", "pending", "open", "triage"):
			return string(StatusNew)
		}
	}
	return ""
}

// TrackerValue is a distinct value of a column, with how many rows have it
// and the first line.
type TrackerValue struct {
	Text  string
	Rows  int
	First int
}

// distinct lists the distinct non-empty values of the columns mapped to field.
func (m TrackerMapping) distinct(f *TrackerFile, field string) []TrackerValue {
	var out []TrackerValue
	at := map[string]int{}
	for i, h := range f.Header {
		if m.Field(h) != field {
			continue
		}
		for _, row := range f.Rows {
			v := strings.TrimSpace(row.Cells[i])
			if v == "" {
				continue
			}
			k := ValueKey(v)
			if j, ok := at[k]; ok {
				out[j].Rows++
				continue
			}
			at[k] = len(out)
			out = append(out, TrackerValue{Text: v, Rows: 1, First: row.Line})
		}
	}
	return out
}

// Distinct lists the distinct values of the column mapped to field (the
// value mapping step shows them).
func (m TrackerMapping) Distinct(f *TrackerFile, field string) []TrackerValue {
	return m.distinct(f, field)
}

// TrackerRequiredFields must each be mapped from a column (a group: one of
// them): a tracker always has them, and a request cannot be told apart
// without them.
var TrackerRequiredFields = [][]string{{FieldFullName}, {FieldCategory}, {FieldReceiptNumbers, FieldANumber}}

// Problems lists what keeps m from reading f: columns not mapped, two
// columns for one field, a required field without a column, values
// without a mapping, dates whose order is not known.
func (m TrackerMapping) Problems(f *TrackerFile) []LineError {
	if errs := m.headerProblems(f); len(errs) > 0 {
		return errs
	}
	return m.valueProblems(f)
}

// columnsByField lists, for each field, the columns mapped to it.
func (m TrackerMapping) columnsByField(f *TrackerFile) map[string][]string {
	by := map[string][]string{}
	for _, h := range f.Header {
		if field := m.Field(h); field != "" && field != FieldIgnore {
			by[field] = append(by[field], h)
		}
	}
	return by
}

// headerProblems: what is wrong with the columns and their mapping.
func (m TrackerMapping) headerProblems(f *TrackerFile) []LineError {
	var errs []LineError
	head := max(1, f.HeaderLine)
	by := map[string][]string{} // field -> the columns mapped to it
	seen := map[string]string{}
	for i, h := range f.Header {
		key := ColumnKey(h)
		switch field := m.Columns[key]; {
		case key == "":
			errs = append(errs, LineError{head, "", fmt.Sprintf("column %d has no name: name it in the spreadsheet, or delete it (fields: %s)", i+1, strings.Join(mappableKeys(), ", "))})
		case seen[key] != "":
			errs = append(errs, LineError{head, "", fmt.Sprintf("column %q appears twice", seen[key])})
		case field == "":
			errs = append(errs, LineError{head, h, fmt.Sprintf("column %q is not mapped: choose the field it holds, or leave it out (allowed fields: %s)", h, strings.Join(mappableKeys(), ", "))})
		case TrackerFieldLabel(field) == "":
			errs = append(errs, LineError{head, h, fmt.Sprintf("column %q is mapped to %q, which is not a field: choose one of %s", h, field, strings.Join(mappableKeys(), ", "))})
		case field == FieldIgnore:
		default:
			by[field] = append(by[field], h)
		}
		if key != "" && seen[key] == "" {
			seen[key] = h
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for field, cols := range by {
		if len(cols) > 1 && field != FieldNotes {
			errs = append(errs, LineError{head, "", fmt.Sprintf("columns %s are all mapped to %s: map one of them, and leave the others out (only notes may come from several columns)", quoteJoin(cols, " and "), field)})
		}
	}
	if len(by[FieldContact]) > 0 && (len(by[FieldEmail]) > 0 || len(by[FieldPhone]) > 0) {
		errs = append(errs, LineError{head, "", "a column is mapped to e-mail or phone (either) and another to e-mail or phone: map the contact to one or the other"})
	}
	for _, group := range TrackerRequiredFields {
		// The first missing one only: the file is being set up.
		if len(errs) > 0 || slices.ContainsFunc(group, func(k string) bool { return len(by[k]) > 0 }) {
			continue
		}
		if len(group) == 1 {
			errs = append(errs, LineError{head, "", fmt.Sprintf("no column holds %q (%s), which every row needs: map a column to it (fields: %s)", group[0], TrackerFieldLabel(group[0]), strings.Join(mappableKeys(), ", "))})
		} else {
			errs = append(errs, LineError{head, "", fmt.Sprintf("no column holds %s, which every row needs (one or both): map a column to one of them", quoteJoin(group, " or "))})
		}
	}
	SortLineErrors(errs)
	return errs
}

// valueProblems: category and status values without a mapping, and dates
// whose order is not known or contradicts the one chosen.
func (m TrackerMapping) valueProblems(f *TrackerFile) []LineError {
	var errs []LineError
	head := max(1, f.HeaderLine)
	by := m.columnsByField(f)
	for _, field := range mappedValueFields {
		for _, v := range m.distinct(f, field) {
			if _, ok := m.Value(field, v.Text); !ok {
				also := ""
				if v.Rows > 1 {
					also = fmt.Sprintf(" (and %d more %s)", v.Rows-1, plural(v.Rows-1, "row", "rows"))
				}
				errs = append(errs, LineError{v.First, by[field][0], fmt.Sprintf("%q%s is not a %s Fieldprint knows: map it to one of %s", v.Text, also, field, valueChoices(field))})
			}
		}
		for f, vs := range m.Values {
			if f != field {
				continue
			}
			for v, k := range vs {
				if !validValue(field, k) {
					errs = append(errs, LineError{head, "", fmt.Sprintf("the %s %q is mapped to %q: choose one of %s", field, v, k, valueChoices(field))})
				}
			}
		}
	}
	ev := m.DateEvidence(f)
	switch {
	case ev.Conflict():
		errs = append(errs, LineError{ev.MonthFirst.Line, ev.MonthFirst.Column, fmt.Sprintf("the dates mix two orders: %q (line %d) is day first, %q is month first; correct them in the spreadsheet", ev.DayFirst.Text, ev.DayFirst.Line, ev.MonthFirst.Text)})
	case ev.Order() != DatesUnknown && m.DateOrder != DatesUnknown && m.DateOrder != ev.Order():
		c := ev.DayFirst
		if ev.Order() == MonthFirst {
			c = ev.MonthFirst
		}
		errs = append(errs, LineError{c.Line, c.Column, fmt.Sprintf("%q can only be %s, but the date order chosen is %s: choose the other", c.Text, strings.ToLower(ev.Order().Label()), strings.ToLower(m.DateOrder.Label()))})
	case ev.Ambiguous() && m.DateOrder == DatesUnknown:
		errs = append(errs, LineError{ev.Either.Line, ev.Either.Column, fmt.Sprintf("dates like %q could be %s and none in the file tells: choose the tracker's date order", ev.Either.Text, bothReadings(ev.Either.Text))})
	}
	SortLineErrors(errs)
	return errs
}

func mappableKeys() []string {
	out := make([]string, 0, len(TrackerFields))
	for _, f := range TrackerFields {
		out = append(out, f.Key)
	}
	return out
}

func valueChoices(field string) string {
	var out []string
	switch field {
	case FieldCategory:
		for _, c := range Categories {
			out = append(out, string(c))
		}
	case FieldStatus:
		for _, s := range Statuses {
			out = append(out, string(s))
		}
	}
	return strings.Join(out, ", ")
}

func validValue(field, k string) bool {
	switch field {
	case FieldCategory:
		return Category(k).Valid()
	case FieldStatus:
		return Status(k).Valid()
	}
	return false
}

// ImportedAppointment is the appointment a tracker row gives: its day, the
// time when known, the station when given (0: any free one).
type ImportedAppointment struct {
	Day     Date
	Start   TimeOfDay
	HasTime bool
	Station int
}

// String is "2026-12-03 08:15" (and " station 2").
func (a ImportedAppointment) String() string {
	s := a.Day.String()
	if a.HasTime {
		s += " " + a.Start.String()
	}
	if a.Station > 0 {
		s += fmt.Sprintf(" station %d", a.Station)
	}
	return s
}

// Rows turns f's rows into requests with their history, as of today.
// Every problem of the mapping and of every row is returned, by line (a
// value without a mapping once, at its first line); a caller imports
// nothing while there is one. Rows without a problem are returned too.
func (m TrackerMapping) Rows(f *TrackerFile, today Date) ([]ImportRow, []LineError) {
	if errs := m.headerProblems(f); len(errs) > 0 {
		return nil, errs
	}
	errs := m.valueProblems(f)
	if len(f.Rows) == 0 {
		return nil, append(errs, LineError{max(1, f.HeaderLine), "", "the file has a header but no rows"})
	}
	orderUnknown := m.DateOrder == DatesUnknown && m.DateEvidence(f).Order() == DatesUnknown
	col := map[string][]int{} // field -> column indexes
	header := map[string]string{}
	for i, h := range f.Header {
		if field := m.Field(h); field != FieldIgnore {
			col[field] = append(col[field], i)
			if header[field] == "" {
				header[field] = h
			}
		}
	}
	colName := func(field string) string {
		if h := header[field]; h != "" {
			return h
		}
		if (field == FieldEmail || field == FieldPhone) && header[FieldContact] != "" {
			return header[FieldContact]
		}
		return field
	}
	var rows []ImportRow
	seen := map[string]int{} // identifier -> line of first use
	for _, tr := range f.Rows {
		line := tr.Line
		get := func(field string) string {
			var vals []string
			for _, i := range col[field] {
				if v := strings.TrimSpace(tr.Cells[i]); v != "" {
					vals = append(vals, tr.Cells[i])
				}
			}
			return strings.Join(vals, "\n")
		}
		var rowErrs []LineError
		// Its category's value, or a date's order, is reported once, for the
		// file: the row is refused without a problem of its own.
		unmapped, refused := false, false
		bad := func(field, format string, args ...any) {
			rowErrs = append(rowErrs, LineError{line, colName(field), fmt.Sprintf(format, args...)})
		}
		date := func(field string) string {
			v := get(field)
			if strings.TrimSpace(v) == "" {
				return ""
			}
			d, err := ParseTrackerDate(v, m.DateOrder)
			if err != nil {
				if orderUnknown && errors.Is(err, errDateOrder) {
					refused = true // said once, for the file
				} else {
					bad(field, "%s", ErrorMessage(err))
				}
				return "-"
			}
			return d.String()
		}
		in := RequestInput{
			Incomplete: true,
			Received:   date(FieldReceived), FullName: get(FieldFullName), DateOfBirth: date(FieldDateOfBirth),
			Basis: get(FieldBasis), NoticeType: get(FieldNoticeType),
			ReceiptNumbers: get(FieldReceiptNumbers), ANumber: get(FieldANumber), Email: get(FieldEmail), Phone: get(FieldPhone),
			ASCDate: date(FieldASCDate), ASCPlace: get(FieldASCPlace), DepartureReason: get(FieldDepartureReason),
			RescheduleAsked: get(FieldRescheduleAsked), RescheduleNote: get(FieldRescheduleNote),
			Passport: PassportInput{Number: get(FieldPassport), Expiry: date(FieldPassportExpiry), Nationality: get(FieldNationality), Sex: get(FieldSex)},
		}
		if m.NameOrder == NamesSurnameFirst {
			in.FullName = ReorderName(in.FullName)
		}
		if c := get(FieldContact); c != "" {
			in.Email, in.Phone = SplitContact(c)
		}
		if c := get(FieldCategory); strings.TrimSpace(c) != "" {
			in.Category, _ = m.Value(FieldCategory, c)
			unmapped = in.Category == ""
		}
		var hhErrs []LineError
		var noDate map[string]bool
		in.Household, hhErrs, noDate = parseHouseholdCell(line, get(FieldHousehold))
		for i := range hhErrs {
			hhErrs[i].Column = colName(FieldHousehold)
		}
		rowErrs = append(rowErrs, hhErrs...)
		row := ImportRow{Line: line}
		row.StatusText = strings.TrimSpace(get(FieldStatus))
		if st, _ := m.Value(FieldStatus, row.StatusText); st != "" {
			row.Status = Status(st)
		}
		if a := get(FieldAppointment); strings.TrimSpace(a) != "" {
			d, t, hasTime, err := ParseTrackerDateTime(a, m.DateOrder)
			if err != nil {
				if !(orderUnknown && errors.Is(err, errDateOrder)) {
					bad(FieldAppointment, "%s", ErrorMessage(err))
				} else {
					refused = true // said once, for the file
				}
			} else {
				row.Appointment = &ImportedAppointment{Day: d, Start: t, HasTime: hasTime}
			}
		}
		if ts := get(FieldAppointmentTime); strings.TrimSpace(ts) != "" {
			if t, err := parseClock(ts); err != nil {
				bad(FieldAppointmentTime, "%s", ErrorMessage(err))
			} else if row.Appointment == nil {
				bad(FieldAppointmentTime, "there is a time (%s) but no appointment date", ts)
			} else if row.Appointment.HasTime && row.Appointment.Start != t {
				bad(FieldAppointmentTime, "the time %s differs from the appointment's %s", t, row.Appointment.Start)
			} else {
				row.Appointment.Start, row.Appointment.HasTime = t, true
			}
		}
		if s := strings.TrimSpace(get(FieldStation)); s != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "station "))
			switch {
			case err != nil || n < 1 || n > 99:
				bad(FieldStation, "%q is not a station number: write 1, 2, …", s)
			case row.Appointment == nil:
				bad(FieldStation, "there is a station (%d) but no appointment date", n)
			default:
				row.Appointment.Station = n
			}
		}
		if c := date(FieldCollected); c != "" && c != "-" {
			row.Collected, _ = ParseDate(c)
		}
		notes, ok := cleanText(get(FieldNotes), true)
		switch {
		case !ok:
			bad(FieldNotes, "contains a control character; retype it")
		case utf8.RuneCountInString(notes) > maxTextLen:
			bad(FieldNotes, "is longer than %d characters; shorten it", maxTextLen)
		}
		req, warns, err := in.Parse(today)
		var e *Error
		if errors.As(err, &e) {
			for _, fe := range e.Fields {
				// A date already reported as unreadable ("-"), a category
				// reported for the file, a household adult reported whole.
				if noDate[fe.Field] || reportedDate(rowErrs, colName(fe.Field)) || unmapped && fe.Field == FieldCategory {
					continue
				}
				if v := fieldInput(in, fe.Field); v == "-" {
					continue
				}
				c, msg := fe.Field, fe.Message
				if strings.HasPrefix(c, FieldHousehold+"[") {
					var n int
					fmt.Sscanf(c[len(FieldHousehold)+1:], "%d", &n)
					c, msg = FieldHousehold, fmt.Sprintf("adult %d: %s", n, msg)
				}
				rowErrs = append(rowErrs, LineError{line, colName(c), msg})
			}
		} else if err != nil {
			rowErrs = append(rowErrs, LineError{line, "", ErrorMessage(err)})
		}
		if len(rowErrs) > 0 || unmapped || refused {
			errs = append(errs, rowErrs...)
			continue
		}
		row.Request, row.Warnings, row.File, row.Notes = req, warns, f.Name, notes
		for _, id := range req.Identifiers() {
			if first, dup := seen[id]; dup {
				c := FieldReceiptNumbers
				if identColumn(id) == FieldANumber {
					c = FieldANumber
				}
				errs = append(errs, LineError{line, colName(c), fmt.Sprintf("%s is also on line %d: one person must not get two requests", id, first)})
			} else {
				seen[id] = line
			}
		}
		rows = append(rows, row)
	}
	SortLineErrors(errs)
	return rows, errs
}

// fieldInput is in's value of a date field ("-": unreadable, reported).
func fieldInput(in RequestInput, field string) string {
	switch field {
	case FieldReceived:
		return in.Received
	case FieldDateOfBirth:
		return in.DateOfBirth
	case FieldASCDate:
		return in.ASCDate
	case FieldPassportExpiry:
		return in.Passport.Expiry
	}
	return ""
}

// reportedDate says whether a problem of column c is already in errs.
func reportedDate(errs []LineError, c string) bool {
	return slices.ContainsFunc(errs, func(e LineError) bool { return e.Column == c })
}

// SplitContact splits a tracker's "e-mail or phone" cell: the word with an
// @ is the e-mail address, the rest the phone number.
func SplitContact(s string) (email, phone string) {
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == ',' || r == '/' })
	var rest []string
	for _, w := range words {
		if strings.Contains(w, "@") && email == "" {
			email = w
		} else {
			rest = append(rest, w)
		}
	}
	phone = strings.TrimSpace(strings.Join(rest, " "))
	if email != "" && phone == "" {
		return email, ""
	}
	return email, phone
}

// parseHouseholdCell reads the household column: Name|YYYY-MM-DD[|passport|expiry|nationality|sex];...
// noDate lists the household fields already reported as malformed.
func parseHouseholdCell(line int, cell string) ([]PersonInput, []LineError, map[string]bool) {
	var out []PersonInput
	var errs []LineError
	noDate := map[string]bool{}
	for _, item := range strings.Split(cell, ";") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		name, dob, ok := strings.Cut(item, "|")
		if !ok {
			// Numbered like Parse numbers them; the date is reported missing once, here.
			errs = append(errs, LineError{line, FieldHousehold, fmt.Sprintf("adult %d %q must be written Full Name|YYYY-MM-DD", len(out)+1, strings.TrimSpace(item))})
			noDate[HouseholdField(len(out), FieldDateOfBirth)] = true
		}
		p := PersonInput{FullName: name, DateOfBirth: dob}
		if parts := strings.Split(dob, "|"); len(parts) > 1 {
			parts = append(parts, "", "", "", "")
			p.DateOfBirth, p.Passport = parts[0], PassportInput{Number: parts[1], Expiry: parts[2], Nationality: parts[3], Sex: parts[4]}
		}
		out = append(out, p)
	}
	return out, errs, noDate
}

// TrackerPreview is a row as it will be stored, in words, for the preview.
type TrackerPreview struct {
	Line        int
	Name        string
	Category    string
	Received    string
	Status      string
	Appointment string
	Missing     string // the incomplete fields, in words
	Notes       string
}

// Preview describes row for the mapping step's preview.
func (row ImportRow) Preview() TrackerPreview {
	p := TrackerPreview{Line: row.Line}
	if r := row.Request; r != nil {
		p.Name, p.Category, p.Received, p.Missing = r.Applicant.FullName, r.Category.Short(), r.Received.String(), r.IncompleteText()
	}
	p.Notes = row.Notes
	p.Status = StatusNew.Label()
	if row.Status != "" {
		p.Status = row.Status.Label()
	}
	switch {
	case row.Appointment != nil:
		p.Appointment = row.Appointment.String()
	case !row.Collected.IsZero():
		p.Appointment = "collected " + row.Collected.String()
	}
	return p
}

// ImportOptions tune an import of rows.
type ImportOptions struct {
	SaveOptions
	// Mapping is saved with the import, over what was saved before, for
	// the next file (nil saves nothing).
	Mapping *TrackerMapping
	// Progress is told how many rows are written, after each transaction.
	Progress func(done, total int)
}

// TrackerService imports an office's tracker; the workflow implements it.
type TrackerService interface {
	// ImportRows records rows with their history, all or none of them: every
	// row is checked first (the line named when one is refused), then written.
	ImportRows(a Actor, rows []ImportRow, opt ImportOptions) ([]*Request, error)
	// TrackerMapping is the mapping saved by the last import (empty: none).
	TrackerMapping() (TrackerMapping, error)
}

// Assign reads a column's mapping as the CLI's --map gives it:
// "COLUMN=FIELD", the column as the tracker names it (the last = splits),
// the field's key or "-" to leave the column out.
func (m *TrackerMapping) Assign(s string) error {
	i := strings.LastIndex(s, "=")
	if i <= 0 {
		return Errorf(EINVALID, "%q is not a column's mapping: write COLUMN=FIELD, e.g. \"Date rec'd=received\" (fields: %s)", s, strings.Join(mappableKeys(), ", "))
	}
	col, field := strings.TrimSpace(s[:i]), strings.ToLower(strings.TrimSpace(s[i+1:]))
	if ColumnKey(col) == "" {
		return Errorf(EINVALID, "%q names no column: write COLUMN=FIELD", s)
	}
	if TrackerFieldLabel(field) == "" {
		return Errorf(EINVALID, "%q is not a field: use one of %s", field, strings.Join(mappableKeys(), ", "))
	}
	m.SetColumn(col, field)
	return nil
}

// AssignValue reads a value's mapping as the CLI's --value gives it:
// "FIELD:VALUE=KEY", e.g. "category:Adoption (I-600A)=adoption" or
// "status:Pending docs=awaiting-documents".
func (m *TrackerMapping) AssignValue(s string) error {
	field, rest, ok := strings.Cut(s, ":")
	i := strings.LastIndex(rest, "=")
	field = strings.ToLower(strings.TrimSpace(field))
	if !ok || i < 0 || !slices.Contains(mappedValueFields, field) {
		return Errorf(EINVALID, "%q is not a value's mapping: write category:VALUE=KEY or status:VALUE=KEY, e.g. \"category:Adoption (I-600A)=adoption\"", s)
	}
	value, key := strings.TrimSpace(rest[:i]), strings.ToLower(strings.TrimSpace(rest[i+1:]))
	if ValueKey(value) == "" {
		return Errorf(EINVALID, "%q gives no value to map", s)
	}
	if !validValue(field, key) {
		return Errorf(EINVALID, "%q is not a %s: use one of %s", key, field, valueChoices(field))
	}
	m.SetValue(field, value, key)
	return nil
}

// EncodingLabel names an encoding as people know it.
func EncodingLabel(enc string) string {
	switch enc {
	case "utf-8":
		return "UTF-8"
	case "utf-16le", "utf-16be":
		return "UTF-16 (Excel's \"Unicode text\")"
	case "windows-1252":
		return "Windows-1252 (Western European)"
	case "windows-1250":
		return "Windows-1250 (Central European)"
	case "windows-1251":
		return "Windows-1251 (Cyrillic)"
	case "windows-1254":
		return "Windows-1254 (Turkish)"
	case "gbk":
		return "GBK (Simplified Chinese)"
	}
	return enc
}

// Describe says how f was read: "UTF-8 with a byte-order mark, cells
// separated by commas, 7 rows".
func (f *TrackerFile) Describe() string {
	s := EncodingLabel(f.Encoding)
	if f.BOM {
		s += " with a byte-order mark"
	}
	return fmt.Sprintf("%s, cells separated by %ss, %d %s", s, SeparatorName(f.Separator), len(f.Rows), plural(len(f.Rows), "row", "rows"))
}

// Samples are up to n non-empty values of column i, for the mapping step.
func (f *TrackerFile) Samples(i, n int) []string {
	var out []string
	for _, r := range f.Rows {
		if len(out) == n {
			break
		}
		if v := strings.TrimSpace(r.Cells[i]); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// ReadTrackerAs is ReadTracker; a file that is not Unicode (found as
// windows-1252) is read in the code page the office chose last time.
func ReadTrackerAs(name string, data []byte, enc string, sep rune, saved TrackerMapping) (*TrackerFile, []LineError) {
	f, errs := ReadTracker(name, data, enc, sep)
	if enc == "" && saved.Encoding != "" && saved.Encoding != "windows-1252" && (f == nil || f.Encoding == "windows-1252") {
		if g, gerrs := ReadTracker(name, data, saved.Encoding, sep); len(gerrs) == 0 {
			return g, nil
		}
	}
	return f, errs
}
