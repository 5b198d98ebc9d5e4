package demo

import (
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// fullOffice is a store whose year ahead is booked out: every request
// reaches ready to schedule, and no slot is found.
type fullOffice struct {
	Store
	proposed map[fp.RequestID]bool
}

func (f *fullOffice) AttachFiles(fp.Actor, []fp.FileToAttach) ([]*fp.Request, error) { return nil, nil }
func (f *fullOffice) JudgeDocuments(fp.Actor, []fp.Judgement) ([]*fp.Request, error) {
	return nil, nil
}
func (f *fullOffice) TransitionRequests(_ fp.Actor, cs []fp.StatusChange) ([]*fp.Request, error) {
	out := make([]*fp.Request, len(cs))
	for i, c := range cs {
		out[i] = &fp.Request{ID: c.ID, Status: fp.StatusReadyToSchedule, Category: fp.Category319b,
			Applicant: fp.Person{FullName: "A B"}}
	}
	return out, nil
}
func (f *fullOffice) ProposeSlots(id fp.RequestID, _ fp.Date) ([]fp.Booking, error) {
	f.proposed[id] = true
	return nil, fp.Errorf(fp.ECONFLICT, "no day in the next 366 days has room")
}

// Once the year ahead is full, the demo leaves the rest for the clerk
// (it does not fail, nor ask again for every request).
func TestStoryWhenTheYearIsFull(t *testing.T) {
	today := fp.Date{Y: 2026, M: 11, D: 20}
	rs, err := Requests(200, today, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		r.ID = fp.RequestID(i + 1)
	}
	f := &fullOffice{proposed: map[fp.RequestID]bool{}}
	if _, _, err := story(f, rs, 0, today, map[bool]int{}); err != nil {
		t.Fatalf("a full year failed the demo: %v", err)
	}
	if len(f.proposed) != 1 {
		t.Errorf("asked for slots %d times after the year was full", len(f.proposed))
	}
}
