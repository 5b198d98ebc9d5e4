package letter

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	fp "github.com/fieldprint/fieldprint"
)

// Record renders the request as a one- or two-page sheet for the office's
// paper file: everything recorded at intake and the status history.
func Record(w io.Writer, r *fp.Request, opt Options) error {
	today := fp.DateOf(opt.Now)
	d := newDoc(opt, fmt.Sprintf("%s · printed %s by %s", r.Number, opt.Now.Format("2006-01-02 15:04"), opt.PrintedBy))
	d.SetTitle(r.Number+" request record", true)
	d.AddPage()

	d.font("", 9)
	d.SetTextColor(90, 90, 90)
	d.CellFormat(d.width, 12, "Biometrics collection request · record for the file", "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.font("B", 20)
	d.CellFormat(d.width/2, 28, r.Number, "", 0, "L", false, 0, "")
	d.font("B", 12)
	d.CellFormat(d.width/2, 28, d.t("Status: "+r.Status.Label()), "", 1, "R", false, 0, "")

	d.heading("Request")
	d.field("Received", fmt.Sprintf("%s (%d days ago)", r.Received, r.Age(today)))
	d.field("Category", r.Category.Label())
	d.field("Basis", r.Basis)
	d.field("Notice supplied", r.NoticeType.Label())
	rns := make([]string, len(r.ReceiptNumbers))
	for i, rn := range r.ReceiptNumbers {
		rns[i] = string(rn)
	}
	d.field("Receipt number(s)", strings.Join(rns, ", "))
	d.field("A-number", r.ANumber.Display())

	d.heading("Applicant")
	d.field("Full name", r.Applicant.FullName)
	d.field("Date of birth", fmt.Sprintf("%s (age %d)", r.Applicant.DateOfBirth, r.Applicant.DateOfBirth.AgeOn(today)))
	d.field("E-mail", r.Email)
	d.field("Phone", r.Phone)

	if len(r.Household) > 0 {
		d.heading(fmt.Sprintf("Household adults to fingerprint (%d besides the applicant)", len(r.Household)))
		rows := make([][]string, len(r.Household))
		for i, h := range r.Household {
			rows[i] = []string{strconv.Itoa(i + 1), h.FullName, h.DateOfBirth.String(), strconv.Itoa(h.DateOfBirth.AgeOn(today))}
		}
		d.table([]float64{30, 300, 110, d.width - 440}, []string{"#", "Full name", "Date of birth", "Age"}, rows)
	}

	if o := r.Other; o != nil {
		d.heading("All others: what the director weighs")
		d.field("U.S. ASC appointment", fmt.Sprintf("%s, %s", o.ASCDate, o.ASCPlace))
		d.field("Why they left the U.S.", o.DepartureReason)
		asked := map[fp.YesNo]string{fp.Yes: "Yes", fp.No: "No", fp.Unanswered: "Not answered"}[o.RescheduleAsked]
		d.field("Expedite/reschedule asked", asked)
		d.field("Details", o.RescheduleNote)
	}

	d.heading("History")
	rows := make([][]string, len(r.History))
	for i, h := range r.History {
		change := "recorded as " + h.To.Label()
		if h.From != "" {
			change = "from " + h.From.Label() + " to " + h.To.Label() // Noto Sans has no arrow glyph
			if h.Reason != "" {
				change += ": " + h.Reason
			}
		}
		rows[i] = []string{h.At.In(opt.Now.Location()).Format("2006-01-02 15:04"), h.By, change}
	}
	d.table([]float64{100, 90, d.width - 190}, []string{"When (UTC)", "By", "Change"}, rows)
	return d.finish(w)
}
