package fieldprint

import (
	"strings"
)

// Category is the basis of a request. The string values are persisted and
// appear in CSV/JSON: never rename them.
type Category string

const (
	CategoryMilitary Category = "military"
	Category319b     Category = "319b"
	CategoryAdoption Category = "adoption"
	CategoryOther    Category = "other"
)

// Categories lists every category in display order.
var Categories = []Category{CategoryMilitary, Category319b, CategoryAdoption, CategoryOther}

// Label is the name staff see.
func (c Category) Label() string {
	switch c {
	case CategoryMilitary:
		return "Military (naturalization)"
	case Category319b:
		return "INA 319(b) expedited naturalization"
	case CategoryAdoption:
		return "Adoptive parents"
	case CategoryOther:
		return "All others (director's discretion)"
	}
	return string(c)
}

// Short is a compact label for lists.
func (c Category) Short() string {
	switch c {
	case CategoryMilitary:
		return "Military"
	case Category319b:
		return "319(b)"
	case CategoryAdoption:
		return "Adoption"
	case CategoryOther:
		return "All others"
	}
	return string(c)
}

func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// labelKey folds a free-text label for comparison: lower case, letters and digits only.
func labelKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var categoryLabels = map[string]Category{
	"military": CategoryMilitary, "militarynaturalization": CategoryMilitary, "activedutymilitary": CategoryMilitary,
	"activeduty": CategoryMilitary, "militaryspouse": CategoryMilitary, "ina328": CategoryMilitary, "ina329": CategoryMilitary,
	"319b": Category319b, "ina319b": Category319b, "ina319bexpeditednaturalization": Category319b,
	"expeditednaturalization": Category319b, "319bexpeditednaturalization": Category319b,
	"adoption": CategoryAdoption, "adoptiveparents": CategoryAdoption, "prospectiveadoptiveparents": CategoryAdoption,
	"adoptive": CategoryAdoption, "adoptiveparent": CategoryAdoption,
	"other": CategoryOther, "others": CategoryOther, "allothers": CategoryOther, "allothersdirectorsdiscretion": CategoryOther,
	"exception": CategoryOther,
}

// ParseCategory accepts the keys and the labels offices use ("INA 319(b)",
// "Adoptive parents", "All others", "Military").
func ParseCategory(s string) (Category, error) {
	if c, ok := categoryLabels[labelKey(s)]; ok {
		return c, nil
	}
	return "", Errorf(EINVALID, "category %q is not known: use military, 319b, adoption or other (or a label such as \"INA 319(b)\", \"Adoptive parents\", \"All others\")", s)
}

// NoticeType is the kind of DHS-USCIS notice the applicant supplied.
type NoticeType string

const (
	NoticeReceipt     NoticeType = "receipt"
	NoticeRFE         NoticeType = "rfe"
	NoticeAppointment NoticeType = "appointment"
)

var NoticeTypes = []NoticeType{NoticeReceipt, NoticeRFE, NoticeAppointment}

func (n NoticeType) Label() string {
	switch n {
	case NoticeReceipt:
		return "Receipt notice (I-797C)"
	case NoticeRFE:
		return "Request for Evidence (I-797E)"
	case NoticeAppointment:
		return "Biometric appointment notice"
	}
	return string(n)
}

func (n NoticeType) Valid() bool {
	for _, k := range NoticeTypes {
		if n == k {
			return true
		}
	}
	return false
}

var noticeLabels = map[string]NoticeType{
	"receipt": NoticeReceipt, "receiptnotice": NoticeReceipt, "i797c": NoticeReceipt, "receiptnoticei797c": NoticeReceipt,
	"rfe": NoticeRFE, "requestforevidence": NoticeRFE, "i797e": NoticeRFE, "requestforevidencei797e": NoticeRFE,
	"appointment": NoticeAppointment, "biometricappointmentnotice": NoticeAppointment, "appointmentnotice": NoticeAppointment,
	"biometricsappointmentnotice": NoticeAppointment, "biometricappointment": NoticeAppointment, "asc": NoticeAppointment,
}

func ParseNoticeType(s string) (NoticeType, error) {
	if n, ok := noticeLabels[labelKey(s)]; ok {
		return n, nil
	}
	return "", Errorf(EINVALID, "notice type %q is not known: use receipt, rfe or appointment (or \"Receipt notice\", \"Request for Evidence\", \"Biometric appointment notice\")", s)
}

// Status is where a request stands. Persisted: never rename.
type Status string

const (
	StatusNew               Status = "new"
	StatusAwaitingDocuments Status = "awaiting-documents"
	StatusDirectorReview    Status = "director-review"
	StatusReadyToSchedule   Status = "ready-to-schedule"
	StatusScheduled         Status = "scheduled"
	StatusCompleted         Status = "completed"
	StatusDenied            Status = "denied"
	StatusWithdrawn         Status = "withdrawn"
)

var Statuses = []Status{StatusNew, StatusAwaitingDocuments, StatusDirectorReview, StatusReadyToSchedule,
	StatusScheduled, StatusCompleted, StatusDenied, StatusWithdrawn}

func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// Label is the status as staff read it.
func (s Status) Label() string {
	switch s {
	case StatusNew:
		return "New"
	case StatusAwaitingDocuments:
		return "Awaiting documents"
	case StatusDirectorReview:
		return "Director review"
	case StatusReadyToSchedule:
		return "Ready to schedule"
	case StatusScheduled:
		return "Scheduled"
	case StatusCompleted:
		return "Completed"
	case StatusDenied:
		return "Denied"
	case StatusWithdrawn:
		return "Withdrawn"
	}
	return string(s)
}

// Open reports whether the request is still being worked: a second request
// for the same person while one is open is a duplicate.
func (s Status) Open() bool {
	return s != StatusCompleted && s != StatusDenied && s != StatusWithdrawn
}

func ParseStatus(s string) (Status, error) {
	k := Status(strings.ToLower(strings.TrimSpace(s)))
	if k.Valid() {
		return k, nil
	}
	for _, st := range Statuses {
		if labelKey(st.Label()) == labelKey(s) {
			return st, nil
		}
	}
	names := make([]string, len(Statuses))
	for i, st := range Statuses {
		names[i] = string(st)
	}
	return "", Errorf(EINVALID, "status %q is not known: use one of %s", s, strings.Join(names, ", "))
}
