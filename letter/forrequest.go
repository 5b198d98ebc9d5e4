package letter

import (
	"io"

	fp "github.com/fieldprint/fieldprint"
)

// ForRequest writes the letter r's status calls for and returns its name, so
// the window and the CLI print the same letter by the same rule. s is the
// office's scheduling, whose time zone and reschedule rules the appointment
// letter states.
func ForRequest(w io.Writer, r *fp.Request, o fp.Office, s fp.Scheduling, opt Options) (string, error) {
	switch r.Status {
	case fp.StatusDenied:
		t, _ := r.LastTransition(fp.StatusDenied)
		return "denial letter", Denial(w, r, o, t.Reason, t.At, opt)
	case fp.StatusAwaitingDocuments:
		// The checklist as of the day the letter is dated.
		return "missing-documents letter", Missing(w, r, o, fp.DateOf(opt.Now), opt)
	case fp.StatusScheduled:
		return "appointment letter", Appointment(w, r, o, s, opt)
	}
	return "", fp.Errorf(fp.EINVALID, "%s is %s: there is no letter to the applicant for that status yet (the record sheet is always available)", r.Number, r.Status.Label())
}
