// Package demo makes a realistic office's worth of requests, so a first look
// at Fieldprint shows what a working day looks like. Everything goes through
// the same services and rules as real data.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Actor is who demo data is recorded as.
var Actor = fp.Actor{Name: "demo", Role: fp.RoleClerk}

// community is a naming tradition: given names, family names, and whether the
// family name is written first.
type community struct {
	given, family []string
	familyFirst   bool
	phone         string // country calling code
}

// The communities international offices serve; diacritics on purpose (search
// and letters must handle them).
var communities = []community{
	{[]string{"Minh Khai", "Thị Hương", "Văn Đức", "Thu Trang", "Quốc Bảo"}, []string{"Nguyễn", "Trần", "Lê", "Phạm", "Đặng"}, true, "84"},
	{[]string{"Wei", "Xiuying", "Jun", "Li Na", "Haoran"}, []string{"Wang", "Li", "Zhang", "Chen", "Liu"}, true, "86"},
	{[]string{"Priya", "Arjun", "Ananya", "Rahul", "Kavya"}, []string{"Sharma", "Patel", "Singh", "Iyer", "Reddy"}, false, "91"},
	{[]string{"Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri"}, []string{"Mwangi", "Odhiambo", "Kiprop", "Wambui", "Ochieng"}, false, "254"},
	{[]string{"José", "María José", "Guadalupe", "Alejandro", "Sofía"}, []string{"García Hernández", "López", "Martínez", "Rodríguez", "Ramírez"}, false, "52"},
	{[]string{"Łukasz", "Zofia", "Małgorzata", "Paweł", "Agnieszka"}, []string{"Żółć", "Kowalski", "Wiśniewska", "Wójcik", "Dąbrowski"}, false, "48"},
	{[]string{"Mehmet", "Ayşe", "Elif", "Yusuf", "Gül"}, []string{"Yılmaz", "Öztürk", "Demir", "Şahin", "Çelik"}, false, "90"},
	{[]string{"José", "Jürgen", "Anneliese", "Lukas", "Marie"}, []string{"Müller", "Schäfer", "Weiß", "Köhler", "Bauer"}, false, "49"},
}

var places = []string{"Los Angeles ASC", "Houston ASC", "Chicago ASC", "New York ASC", "Miami ASC", "Seattle ASC", "Dallas ASC"}

var bases = map[fp.Category][]string{
	fp.CategoryMilitary: {
		"Spouse of an active-duty U.S. Army service member stationed at Camp Humphreys; N-400 filed under INA 319(e).",
		"Active-duty U.S. Navy member deployed to the region, applying for naturalization under INA 329.",
		"Spouse of a U.S. Air Force member on official orders abroad, N-400 pending.",
	},
	fp.Category319b: {
		"Spouse of a U.S. Department of State employee serving at the consulate; expedited naturalization under INA 319(b).",
		"Spouse of a U.S. citizen employed abroad by a U.S. firm, assignment continues for two more years (INA 319(b)).",
		"Spouse of a USAID officer posted overseas, N-400 filed under 319(b).",
	},
	fp.CategoryAdoption: {
		"Prospective adoptive parents living abroad, I-600A filed; all adult household members need fingerprints.",
		"I-800A Hague adoption filed from overseas; the household includes an adult relative.",
		"I-600 orphan petition filed by U.S. citizen parents residing abroad.",
	},
	fp.CategoryOther: {
		"Biometrics were scheduled at a U.S. ASC; the applicant left the U.S. urgently and asks for collection here.",
		"Applicant's ASC appointment falls while she is abroad caring for a family member.",
	},
}

var departure = []string{
	"Father hospitalised after a stroke; flew out two days before the appointment.",
	"Employer recalled him on short notice; the assignment letter is attached.",
	"Death of her mother; attended the funeral and is handling the estate.",
}

// Requests returns n realistic requests received over the 120 days before today.
func Requests(n int, today fp.Date, seed uint64) ([]*fp.Request, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// Passports and children come from their own generator, so adding them
	// left every other demo value as it was.
	prng := rand.New(rand.NewPCG(seed+1, seed))
	passport := func() fp.PassportInput {
		days := 200 + prng.IntN(3000)
		if prng.IntN(12) == 0 {
			days = 30 + prng.IntN(120) // expires soon: the form warns
		}
		return fp.PassportInput{Number: fmt.Sprintf("%c%08d", 'E'+prng.IntN(5), prng.IntN(100000000)), Expiry: today.AddDays(days).String()}
	}
	usedRN, usedA := map[string]bool{}, map[string]bool{}
	var out []*fp.Request
	for i := 0; i < n; i++ {
		c := pickCategory(rng)
		com := communities[rng.IntN(len(communities))]
		family := com.family[rng.IntN(len(com.family))]
		fullName := func() string {
			g := com.given[rng.IntN(len(com.given))]
			if com.familyFirst {
				return family + " " + g
			}
			return g + " " + family
		}
		full := fullName()
		received := today.AddDays(-rng.IntN(120))
		dob := today.AddDays(-(365*(24+rng.IntN(40)) + rng.IntN(365)))
		in := fp.RequestInput{
			Received:    received.String(),
			Category:    string(c),
			Basis:       bases[c][rng.IntN(len(bases[c]))],
			NoticeType:  string(fp.NoticeTypes[rng.IntN(len(fp.NoticeTypes))]),
			FullName:    full,
			DateOfBirth: dob.String(),
			Passport:    passport(),
		}
		nrn := 1
		if rng.IntN(6) == 0 {
			nrn = 2
		}
		var rns []string
		for j := 0; j < nrn; j++ {
			for {
				prefix := []string{"IOE", "IOE", "IOE", "NBC", "MSC", "LIN", "EAC"}[rng.IntN(7)]
				rn := fmt.Sprintf("%s%02d%03d%05d", prefix, (received.Y-1)%100, 1+rng.IntN(260), rng.IntN(100000))
				if !usedRN[rn] {
					usedRN[rn] = true
					rns = append(rns, rn)
					break
				}
			}
		}
		if rng.IntN(8) != 0 || c == fp.CategoryOther {
			in.ReceiptNumbers = strings.Join(rns, ";")
		}
		if rng.IntN(3) != 0 || in.ReceiptNumbers == "" {
			for {
				a := fmt.Sprintf("A%09d", 10000000+rng.IntN(240000000))
				if !usedA[a] {
					usedA[a] = true
					in.ANumber = a
					break
				}
			}
		}
		user := strings.ToLower(strings.NewReplacer(" ", ".", "'", "").Replace(fp.Fold(full)))
		if rng.IntN(5) != 0 {
			in.Email = user + "@example.com"
		}
		if in.Email == "" || rng.IntN(2) == 0 {
			in.Phone = fmt.Sprintf("+%s %d %04d %04d", com.phone, 10+rng.IntN(80), rng.IntN(10000), rng.IntN(10000))
		}
		if c == fp.CategoryAdoption {
			// Spouse plus, sometimes, adult relatives living with them.
			adults := 1 + rng.IntN(3)
			if i%23 == 0 {
				adults = 4 // one large household
			}
			used := map[string]bool{full: true}
			for j := 0; j < adults; j++ {
				hdob := today.AddDays(-(365*(19+rng.IntN(50)) + rng.IntN(365)))
				name := fullName()
				for used[name] {
					name = fullName()
				}
				used[name] = true
				in.Household = append(in.Household, fp.PersonInput{FullName: name, DateOfBirth: hdob.String(), Passport: passport()})
			}
			if prng.IntN(3) == 0 { // a child: listed, not fingerprinted
				g := com.given[prng.IntN(len(com.given))]
				name := g + " " + family
				if com.familyFirst {
					name = family + " " + g
				}
				in.Household = append(in.Household, fp.PersonInput{FullName: name, DateOfBirth: today.AddDays(-(365*(3+prng.IntN(12)) + prng.IntN(365))).String()})
			}
		}
		if c == fp.CategoryOther {
			in.ASCDate = received.AddDays(10 + rng.IntN(30)).String()
			in.ASCPlace = places[rng.IntN(len(places))]
			in.DepartureReason = departure[rng.IntN(len(departure))]
			if rng.IntN(2) == 0 {
				in.RescheduleAsked, in.RescheduleNote = "yes", "Asked the Contact Center for a reschedule; told to wait for a new notice."
			} else {
				in.RescheduleAsked, in.RescheduleNote = "no", "Left within 24 hours; did not know a reschedule was possible."
			}
		}
		r, _, err := in.Parse(today)
		if err != nil {
			return nil, fmt.Errorf("demo request %d (%s): %w", i, full, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func pickCategory(rng *rand.Rand) fp.Category {
	switch x := rng.IntN(100); {
	case x < 30:
		return fp.CategoryMilitary
	case x < 55:
		return fp.Category319b
	case x < 85:
		return fp.CategoryAdoption
	default:
		return fp.CategoryOther
	}
}

// Store is what Load needs of a store.
type Store interface {
	CountRequests() (int, error)
	FindRequestByID(id fp.RequestID) (*fp.Request, error)
	CountUsers() (int, error)
	CreateUser(a *fp.Actor, n fp.NewUser) (*fp.User, error)
	SetUpKeys(a fp.Actor, password string) (string, error)
	MarkDemo() error
	ImportRequests(a fp.Actor, rs []*fp.Request, opt fp.SaveOptions) ([]*fp.Request, error)
	TransitionRequest(a fp.Actor, id fp.RequestID, to fp.Status, reason string) (*fp.Request, error)
	SetProfile(a fp.Actor, p fp.Profile) error
	ProposeSlots(id fp.RequestID, notBefore fp.Date) ([]fp.Booking, error)
	Book(a fp.Actor, id fp.RequestID, bs []fp.Booking, reason string, override bool) (*fp.Request, error)
	DayUses(day fp.Date) ([]fp.SlotUse, error)
	CheckInPerson(a fp.Actor, id fp.RequestID, in fp.CheckInInput) (*fp.Request, error)
	Collect(a fp.Actor, id fp.RequestID, in fp.CollectInput) (*fp.Request, error)
	CloseDay(a fp.Actor, day fp.Date) (int, error)
	IssueStamp(a fp.Actor, id fp.RequestID, personID int) (fp.Stamp, int, error)
	// SetClock replaces the store's clock and returns the old one: the demo
	// plays last week's collection days at the times they happened.
	SetClock(c fp.Clock) fp.Clock
	AttachFile(a fp.Actor, id fp.RequestID, item, name string, data []byte) (*fp.Request, error)
	JudgeDocument(a fp.Actor, id fp.RequestID, item string, v fp.Verdict) (*fp.Request, error)
}

// Office is the demo office's profile.
var Office = fp.Office{
	Name:           "USCIS Guangzhou Field Office",
	Address:        "43 Hua Jiu Road, Zhujiang New Town\nTianhe District, Guangzhou 510623\nChina",
	Phone:          "+86 20 3814 5000",
	Email:          "guangzhou.fieldoffice@example.org",
	Signatory:      "Margaret Ellison",
	SignatoryTitle: "Field Office Director",
}

// Scheduling is the demo office's capacity: two stations, weekday mornings
// (shorter on Fridays), a quarter kept for the priority categories, and the
// holidays of both countries closed.
func Scheduling() fp.Scheduling {
	s := fp.DefaultScheduling()
	s.TimeZone, s.Stations, s.SlotMinutes, s.PriorityReserve, s.Default = "Asia/Shanghai", 2, 15, 25, false
	for _, d := range fp.WeekdayOrder[:4] {
		s.Hours[d] = []fp.Window{{Open: 8*60 + 30, Close: 11*60 + 30}}
	}
	s.Hours[5] = []fp.Window{{Open: 8*60 + 30, Close: 10*60 + 30}}
	for _, c := range []struct{ d, name string }{
		{"2026-11-26", "Thanksgiving Day"}, {"2026-12-25", "Christmas Day"}, {"2027-01-01", "New Year's Day"},
		{"2027-01-18", "Martin Luther King Jr. Day"}, {"2027-02-08", "Spring Festival"}, {"2027-02-09", "Spring Festival"},
		{"2027-02-15", "Washington's Birthday"}, {"2027-04-05", "Qingming Festival"}, {"2027-05-31", "Memorial Day"},
	} {
		d, _ := fp.ParseDate(c.d)
		s.Closed = append(s.Closed, fp.ClosedDay{Date: d, Name: c.name})
	}
	return s
}

// Password is the demo accounts' password: printed by "fieldprint demo" and
// shown on the welcome screen, so it protects nothing.
const Password = fp.DemoPassword

// staff are the demo accounts' people: full name and badge number.
var staff = map[string][2]string{
	"admin":    {"Wei Zhang", ""},
	"clerk":    {"María López", "GZ-1042"},
	"director": {"James Chen", "GZ-0007"},
}

// The demo accounts, one per role.
var (
	Admin    = fp.Actor{Name: "admin", Role: fp.RoleAdmin}
	Clerk    = fp.Actor{Name: "clerk", Role: fp.RoleClerk}
	Director = fp.Actor{Name: "director", Role: fp.RoleDirector}
	Accounts = []fp.Actor{Clerk, Director, Admin}
)

// Load fills a new database with the demo accounts and n demo requests, and
// moves the requests through every status the status machine allows, as a
// clerk and a director would. It refuses a database that has requests or accounts.
func Load(s Store, n int, today fp.Date) ([]*fp.Request, error) {
	if have, err := s.CountRequests(); err != nil {
		return nil, err
	} else if have > 0 {
		return nil, fp.Errorf(fp.ECONFLICT, "the database already holds %d requests: demo data goes only into a new, empty database (use --db to choose another file)", have)
	}
	if have, err := s.CountUsers(); err != nil {
		return nil, err
	} else if have > 0 {
		return nil, fp.Errorf(fp.ECONFLICT, "the database already has staff accounts: demo data goes only into a new, empty database (use --db to choose another file)")
	}
	if n < 1 || n > 200000 {
		return nil, fp.Errorf(fp.EINVALID, "--requests must be between 1 and 200000")
	}
	if err := s.MarkDemo(); err != nil {
		return nil, err
	}
	for _, a := range []fp.Actor{Admin, Clerk, Director} {
		by := &Admin
		if a == Admin {
			by = nil // the first account
		}
		p := staff[a.Name]
		if _, err := s.CreateUser(by, fp.NewUser{Name: a.Name, FullName: p[0], Badge: p[1], Role: a.Role, Password: Password}); err != nil {
			return nil, err
		}
		if by == nil {
			// The office data key, as the first administrator's sign-in
			// makes it; its recovery key is not needed: every demo
			// password is known.
			if _, err := s.SetUpKeys(Admin, Password); err != nil {
				return nil, err
			}
		}
	}
	if err := s.SetProfile(Admin, fp.Profile{Office: Office, Scheduling: Scheduling()}); err != nil {
		return nil, err
	}
	rs, err := Requests(n, today, 2026)
	if err != nil {
		return nil, err
	}
	saved, err := s.ImportRequests(Clerk, rs, fp.SaveOptions{})
	if err != nil {
		return nil, err
	}
	type step struct {
		by     fp.Actor
		to     fp.Status
		reason string
	}
	refer := step{Clerk, fp.StatusDirectorReview, "Documents complete; the basis needs the director's decision."}
	var past, todays []*fp.Request
	for i, r := range saved {
		// Documents first, as the e-mails arrive: the checklist decides what
		// the request may become.
		var docs docPlan
		var steps []step
		switch i % 10 {
		case 0:
			docs = docPlan{attach: 1} // the notice came in; nobody has looked yet
		case 1:
			docs = docPlan{attach: 9, verify: 1, reject: fp.RejectIllegible} // a blurred passport: awaiting documents
		case 4:
			docs = docPlan{attach: 1, verify: 1} // notice checked, passport still missing: awaiting documents
		case 8:
			docs = docPlan{attach: 9} // everything received, to be checked
		case 2, 7:
			docs = docPlan{attach: 9, verify: 9}
			steps = []step{{Clerk, fp.StatusReadyToSchedule, ""}}
			if r.Category == fp.CategoryOther {
				steps = []step{refer}
			}
		case 3:
			docs = docPlan{attach: 9, verify: 9}
			steps = []step{refer}
		case 5:
			docs = docPlan{attach: 9, verify: 9}
			steps = []step{refer, {Director, fp.StatusReadyToSchedule, "Urgent departure documented; capacity allows it this month."}}
		case 6:
			docs = docPlan{attach: 9, verify: 9}
			steps = []step{refer, {Director, fp.StatusDenied, "Avoiding travel cost is not a ground for collection abroad; attend the ASC appointment in the United States."}}
		case 9:
			steps = []step{{Clerk, fp.StatusWithdrawn, "Applicant will return to the U.S. and attend the ASC appointment."}}
		}
		if saved[i], err = documents(s, r, docs, today); err != nil {
			return nil, err
		}
		for _, st := range steps {
			if saved[i], err = s.TransitionRequest(st.by, r.ID, st.to, st.reason); err != nil {
				return nil, err
			}
		}
		// Most eligible requests get their appointments at once; a few wait
		// for the clerk, so the screen has something to book. Some came last
		// week, and some come today.
		if saved[i].Status == fp.StatusReadyToSchedule && (i%10 == 2 || i%10 == 5) && (i/10)%3 != 1 && r.Received.DaysUntil(today) > 20 {
			past = append(past, saved[i])
			continue
		}
		if saved[i].Status == fp.StatusReadyToSchedule && i%10 == 2 && (i/10)%3 == 1 {
			todays = append(todays, saved[i])
			continue
		}
		if saved[i].Status == fp.StatusReadyToSchedule && i%10 != 7 {
			bs, err := s.ProposeSlots(r.ID, today.AddDays(1+i%9)) // as the applicants asked
			if err != nil {
				return nil, err
			}
			if saved[i], err = s.Book(Clerk, r.ID, bs, "", false); err != nil {
				return nil, err
			}
		}
	}
	if err := collectionDays(s, past, todays); err != nil {
		return nil, err
	}
	for i, r := range saved {
		if saved[i], err = s.FindRequestByID(r.ID); err != nil {
			return nil, err
		}
	}
	return saved, nil
}

// collectionDays plays last week at the office: the past requests were
// booked ten days ago for the days since, came (one person stayed away and
// may walk in), were collected and stamped. Today's requests are booked
// into today's remaining slots.
func collectionDays(s Store, past, todays []*fp.Request) error {
	real := s.SetClock(nil)
	defer func() { s.SetClock(real) }()
	sch := Scheduling()
	now := real()
	today := sch.Today(now)
	at := func(d fp.Date, t fp.TimeOfDay) { s.SetClock(func() time.Time { return sch.At(d, t) }) }
	at(today.AddDays(-10), 7*60)
	var booked []*fp.Request
	for k, r := range past {
		bs, err := s.ProposeSlots(r.ID, today.AddDays(-7+k%3))
		if err != nil || bs[0].Day.After(today.AddDays(-1)) {
			continue // no room last week: leave it for the clerk
		}
		if r, err = s.Book(Clerk, r.ID, bs, "", false); err != nil {
			return err
		}
		booked = append(booked, r)
	}
	for n, r := range booked {
		for _, sp := range r.Schedule(today) {
			ap := sp.Appointment
			if n == 1 && sp.Person.ID == r.ToFingerprint(today)[len(r.ToFingerprint(today))-1].ID {
				continue // stayed away: missed, may walk in
			}
			at(ap.Day, ap.Start-5)
			in := fp.CheckInInput{PersonID: sp.Person.ID, ID: fp.IDPassport, NameMatches: true}
			if n == 2 && sp.Person.ID == 0 {
				in.ID, in.NameMatches, in.Note = fp.IDExpired, false, "Expired passport under her maiden name; marriage certificate seen, same photo."
			}
			if _, err := s.CheckInPerson(Clerk, r.ID, in); err != nil {
				return err
			}
			at(ap.Day, ap.Start+9)
			if _, err := s.Collect(Director, r.ID, fp.CollectInput{PersonID: sp.Person.ID, Captured: fp.Captures, Code: 3}); err != nil {
				return err
			}
			if _, _, err := s.IssueStamp(Clerk, r.ID, sp.Person.ID); err != nil {
				return err
			}
		}
	}
	for d := today.AddDays(-7); d.Before(today); d = d.AddDays(1) {
		if open, _ := sch.OpenOn(d); open {
			at(d, 23*60)
			if _, err := s.CloseDay(Clerk, d); err != nil {
				return err
			}
		}
	}
	// Today: the slots still ahead, first come first served.
	s.SetClock(real)
	for _, r := range todays {
		var bs []fp.Booking
		uses, err := s.DayUses(today)
		if err != nil {
			return err
		}
		taken := map[fp.Booking]bool{}
		for _, p := range r.ToFingerprint(today) {
			for _, ss := range sch.Sessions(today) {
				for _, t := range ss.Starts {
					for _, st := range sch.FreeStations(uses, t) {
						b := fp.Booking{Day: today, Start: t, Station: st}
						if len(bs) < len(r.ToFingerprint(today)) && sch.At(today, t).After(now) && !taken[b] {
							taken[b] = true
							b.PersonID = p.ID
							bs = append(bs, b)
							goto next
						}
					}
				}
			}
		next:
		}
		if len(bs) == len(r.ToFingerprint(today)) {
			if _, err := s.Book(Clerk, r.ID, bs, "", false); err != nil {
				return err
			}
		} else if bs, err := s.ProposeSlots(r.ID, fp.Date{}); err == nil {
			s.Book(Clerk, r.ID, bs, "", false) // after hours: tomorrow's first slots
		}
	}
	return nil
}

// docPlan: how many required items (in checklist order) arrive, how many
// of them the clerk verifies, and the rejection of the next one, if any.
type docPlan struct {
	attach, verify int
	reject         fp.RejectReason
}

func documents(s Store, r *fp.Request, plan docPlan, today fp.Date) (*fp.Request, error) {
	var items []fp.ChecklistItem
	for _, it := range r.Checklist(today) {
		if it.Required {
			items = append(items, it)
		}
	}
	for n, it := range items {
		if n >= plan.attach {
			break
		}
		name, data := scanFor(r, it)
		got, err := s.AttachFile(Clerk, r.ID, it.Key, name, data)
		if err != nil {
			return nil, fmt.Errorf("demo %s %s: %w", r.Number, it.Key, err)
		}
		r = got
	}
	for n, it := range items {
		v := fp.Verdict{Verified: true, Shows: r.Identifiers()[0]}
		if it.Kind == fp.DocPassport {
			// The clerk reads the page's zone with the counter reader.
			p, _ := r.Person(it.PersonID)
			v = fp.Verdict{Verified: true, MRZ: PassportMRZ(p, p.Passport.Number, p.Passport.Expiry)}
		}
		switch {
		case n >= plan.attach:
			return r, nil
		case n == plan.verify && plan.reject != "":
			v = fp.Verdict{Reason: plan.reject, Note: "The photo page is blurred; please scan it again in good light."}
		case n >= plan.verify:
			return r, nil
		}
		got, err := s.JudgeDocument(Clerk, r.ID, it.Key, v)
		if err != nil {
			return nil, fmt.Errorf("demo %s %s: %w", r.Number, it.Key, err)
		}
		r = got
	}
	return r, nil
}

// scanFor makes the file a person would send for item.
func scanFor(r *fp.Request, it fp.ChecklistItem) (string, []byte) {
	switch it.Kind {
	case fp.DocPassport:
		p, _ := r.Person(it.PersonID)
		number, expiry := "X0000000", r.Received.AddDays(3650)
		if p.Passport != nil {
			number, expiry = p.Passport.Number, p.Passport.Expiry
		}
		return "passport-" + strings.ReplaceAll(strings.ToLower(asciiUpper(p.FullName)), " ", "-") + ".png", PassportScan(p, number, expiry)
	case fp.DocASCNotice:
		return "asc-appointment-notice.pdf", NoticeScan(r, "Biometrics Appointment Notice (I-797C) - U.S. ASC")
	}
	return "uscis-notice.pdf", NoticeScan(r, "Notice of Action (I-797C) - Receipt")
}
