// Package demo makes a realistic office's worth of requests, so a first look
// at Fieldprint shows what a working day looks like. Everything goes through
// the same services and rules as real data.
package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
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
	return newGenerator(today, seed).next(n)
}

// generator makes demo requests in turn: Requests(n) is next(n) of a new
// one, and next(a) then next(b) give what next(a+b) gives, so a large demo
// office is made a batch at a time.
type generator struct {
	rng, prng     *rand.Rand
	today         fp.Date
	usedRN, usedA map[string]bool
	i             int // requests made
}

func newGenerator(today fp.Date, seed uint64) *generator {
	return &generator{
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		// Passports and children come from their own generator, so adding them
		// left every other demo value as it was.
		prng:  rand.New(rand.NewPCG(seed+1, seed)),
		today: today, usedRN: map[string]bool{}, usedA: map[string]bool{},
	}
}

// next returns the next n requests.
func (g *generator) next(n int) ([]*fp.Request, error) {
	rng, prng, today, usedRN, usedA := g.rng, g.prng, g.today, g.usedRN, g.usedA
	passport := func() fp.PassportInput {
		days := 200 + prng.IntN(3000)
		if prng.IntN(12) == 0 {
			days = 30 + prng.IntN(120) // expires soon: the form warns
		}
		return fp.PassportInput{Number: fmt.Sprintf("%c%08d", 'E'+prng.IntN(5), prng.IntN(100000000)), Expiry: today.AddDays(days).String()}
	}
	out := make([]*fp.Request, 0, n)
	for end := g.i + n; g.i < end; g.i++ {
		i := g.i
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
	// The bulk paths (as many actions per transaction as the store takes).
	AttachFiles(a fp.Actor, fs []fp.FileToAttach) ([]*fp.Request, error)
	JudgeDocuments(a fp.Actor, js []fp.Judgement) ([]*fp.Request, error)
	TransitionRequests(a fp.Actor, cs []fp.StatusChange) ([]*fp.Request, error)
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

// MaxRequests is the largest demo office Load makes (a region's archive;
// docs/PERFORMANCE.md says what it takes in time and disk).
const MaxRequests = 1000000

// batch requests are made, imported and taken through their story at a
// time: the memory a large demo office needs does not grow with it.
const batch = 1000

// Load fills a new database with the demo accounts and n demo requests, and
// moves the requests through every status the status machine allows, as a
// clerk and a director would. It refuses a database that has requests or
// accounts. It returns every request as it ends up (Fill keeps none).
func Load(s Store, n int, today fp.Date) ([]*fp.Request, error) {
	var ids []fp.RequestID
	if _, err := fill(s, n, today, nil, func(rs []*fp.Request) {
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
	}); err != nil {
		return nil, err
	}
	out := make([]*fp.Request, len(ids))
	for i, id := range ids {
		var err error
		if out[i], err = s.FindRequestByID(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Made is what Fill made: how many requests, the first and last numbers.
type Made struct {
	Requests    int
	First, Last string
}

// Fill is Load without reading the requests back (a million of them do
// not fit in memory); progress, when set, hears how many requests are
// done after each batch.
func Fill(s Store, n int, today fp.Date, progress func(done, total int)) (Made, error) {
	return fill(s, n, today, progress, nil)
}

func fill(s Store, n int, today fp.Date, progress func(done, total int), made func([]*fp.Request)) (Made, error) {
	if have, err := s.CountRequests(); err != nil {
		return Made{}, err
	} else if have > 0 {
		return Made{}, fp.Errorf(fp.ECONFLICT, "the database already holds %d requests: demo data goes only into a new, empty database (use --db to choose another file)", have)
	}
	if have, err := s.CountUsers(); err != nil {
		return Made{}, err
	} else if have > 0 {
		return Made{}, fp.Errorf(fp.ECONFLICT, "the database already has staff accounts: demo data goes only into a new, empty database (use --db to choose another file)")
	}
	if n < 1 || n > MaxRequests {
		return Made{}, fp.Errorf(fp.EINVALID, "--requests must be between 1 and %d", MaxRequests)
	}
	if err := s.MarkDemo(); err != nil {
		return Made{}, err
	}
	for _, a := range []fp.Actor{Admin, Clerk, Director} {
		by := &Admin
		if a == Admin {
			by = nil // the first account
		}
		p := staff[a.Name]
		if _, err := s.CreateUser(by, fp.NewUser{Name: a.Name, FullName: p[0], Badge: p[1], Role: a.Role, Password: Password}); err != nil {
			return Made{}, err
		}
		if by == nil {
			// The office data key, as the first administrator's sign-in
			// makes it; its recovery key is not needed: every demo
			// password is known.
			if _, err := s.SetUpKeys(Admin, Password); err != nil {
				return Made{}, err
			}
		}
	}
	if err := s.SetProfile(Admin, fp.Profile{Office: Office, Scheduling: Scheduling()}); err != nil {
		return Made{}, err
	}
	gen := newGenerator(today, 2026)
	// The next batch is imported, and its scans drawn and attached on
	// another goroutine (the files' checks on the other processors, their
	// syncs) while this one's documents are checked and its requests
	// decided and booked. Each request's actions keep their order.
	type next struct {
		saved    []*fp.Request
		first    int
		attached chan error
	}
	imported := 0
	importNext := func() (*next, error) {
		if imported == n {
			return nil, nil
		}
		rs, err := gen.next(min(batch, n-imported))
		if err != nil {
			return nil, err
		}
		saved, err := s.ImportRequests(Clerk, rs, fp.SaveOptions{})
		if err != nil {
			return nil, err
		}
		b := &next{saved, imported, make(chan error, 1)}
		imported += len(saved)
		go func() {
			var err error
			if files := makeScans(saved, b.first, today); len(files) > 0 {
				_, err = s.AttachFiles(Clerk, files)
			}
			b.attached <- err
		}()
		return b, nil
	}
	var out Made
	var past, todays []fp.RequestID
	full := map[bool]int{}
	b, err := importNext()
	for err == nil && b != nil {
		following, ierr := importNext()
		err = errors.Join(<-b.attached, ierr)
		var p, t []fp.RequestID
		if err == nil {
			p, t, err = story(s, b.saved, b.first, today, full)
		}
		if err != nil {
			if following != nil {
				<-following.attached
			}
			break
		}
		past, todays = append(past, p...), append(todays, t...)
		if out.First == "" {
			out.First = b.saved[0].Number
		}
		out.Last = b.saved[len(b.saved)-1].Number
		out.Requests += len(b.saved)
		if made != nil {
			made(b.saved)
		}
		if progress != nil {
			progress(out.Requests, n)
		}
		b = following
	}
	if err != nil {
		return Made{}, err
	}
	if err := collectionDays(s, past, todays); err != nil {
		return Made{}, err
	}
	return out, nil
}

// step is one status change of a request's story.
type step struct {
	by     fp.Actor
	to     fp.Status
	reason string
}

// plan is what happens to the request at index i of the office (its
// place decides its story) before any booking.
func plan(i int, r *fp.Request) (docPlan, []step) {
	refer := step{Clerk, fp.StatusDirectorReview, "Documents complete; the basis needs the director's decision."}
	switch i % 10 {
	case 0:
		return docPlan{attach: 1}, nil // the notice came in; nobody has looked yet
	case 1:
		return docPlan{attach: 9, verify: 1, reject: fp.RejectIllegible}, nil // a blurred passport: awaiting documents
	case 4:
		return docPlan{attach: 1, verify: 1}, nil // notice checked, passport still missing: awaiting documents
	case 8:
		return docPlan{attach: 9}, nil // everything received, to be checked
	case 2, 7:
		if r.Category == fp.CategoryOther {
			return docPlan{attach: 9, verify: 9}, []step{refer}
		}
		return docPlan{attach: 9, verify: 9}, []step{{Clerk, fp.StatusReadyToSchedule, ""}}
	case 3:
		return docPlan{attach: 9, verify: 9}, []step{refer}
	case 5:
		return docPlan{attach: 9, verify: 9}, []step{refer, {Director, fp.StatusReadyToSchedule, "Urgent departure documented; capacity allows it this month."}}
	case 6:
		return docPlan{attach: 9, verify: 9}, []step{refer, {Director, fp.StatusDenied, "Avoiding travel cost is not a ground for collection abroad; attend the ASC appointment in the United States."}}
	case 9:
		return docPlan{}, []step{{Clerk, fp.StatusWithdrawn, "Applicant will return to the U.S. and attend the ASC appointment."}}
	}
	return docPlan{}, nil
}

// story takes a batch of requests (saved, the office's requests from
// index first on, their files attached: makeScans) through the checks of
// their documents and their decisions, each request's actions in the
// order a clerk and a director would take them, every kind of action for
// the whole batch in one call of the store's bulk path; then books most
// eligible ones. It returns the requests to book last week and today
// (collectionDays).
//
// full is, for the category Other (true) and the others (false), the
// smallest household that found no room in the year ahead.
func story(s Store, saved []*fp.Request, first int, today fp.Date, full map[bool]int) (past, todays []fp.RequestID, err error) {
	var js []fp.Judgement
	steps := make([][]step, len(saved))
	for j, r := range saved {
		docs, st := plan(first+j, r)
		steps[j] = st
		js = append(js, verdicts(r, docs, today)...)
	}
	if len(js) > 0 {
		if _, err := s.JudgeDocuments(Clerk, js); err != nil {
			return nil, nil, err
		}
	}
	// The clerk's decisions, then the director's on what was referred.
	for k := 0; k < 2; k++ {
		var by fp.Actor
		var cs []fp.StatusChange
		var at []int
		for j, st := range steps {
			if k < len(st) {
				by = st[k].by
				cs = append(cs, fp.StatusChange{ID: saved[j].ID, To: st[k].to, Reason: st[k].reason})
				at = append(at, j)
			}
		}
		if len(cs) == 0 {
			continue
		}
		got, err := s.TransitionRequests(by, cs)
		if err != nil {
			return nil, nil, err
		}
		for x, j := range at {
			saved[j] = got[x]
		}
	}
	for j, r := range saved {
		i := first + j
		if r.Status != fp.StatusReadyToSchedule {
			continue
		}
		// Most eligible requests get their appointments at once; a few wait
		// for the clerk, so the screen has something to book. Some came last
		// week, and some come today.
		if (i%10 == 2 || i%10 == 5) && (i/10)%3 != 1 && r.Received.DaysUntil(today) > 20 {
			past = append(past, r.ID)
			continue
		}
		if i%10 == 2 && (i/10)%3 == 1 {
			todays = append(todays, r.ID)
			continue
		}
		if i%10 != 7 {
			// A large demo office fills the year ahead (MaxBookingDays):
			// the requests that find no room wait for the clerk, and once
			// a household of k found none, so do the larger ones after it.
			other, k := r.Category == fp.CategoryOther, len(r.Unbooked(today))
			if f, ok := full[other]; ok && k >= f {
				continue
			}
			bs, err := s.ProposeSlots(r.ID, today.AddDays(1+i%9)) // as the applicants asked
			if fp.ErrorCode(err) == fp.ECONFLICT {
				full[other] = k
				continue
			} else if err != nil {
				return nil, nil, err
			}
			if saved[j], err = s.Book(Clerk, r.ID, bs, "", false); err != nil {
				return nil, nil, err
			}
		}
	}
	return past, todays, nil
}

// collectionDays plays last week at the office: the past requests were
// booked ten days ago for the days since, came (one person stayed away and
// may walk in), were collected and stamped. Today's requests are booked
// into today's remaining slots.
func collectionDays(s Store, past, todays []fp.RequestID) error {
	real := s.SetClock(nil)
	defer func() { s.SetClock(real) }()
	sch := Scheduling()
	now := real()
	today := sch.Today(now)
	at := func(d fp.Date, t fp.TimeOfDay) { s.SetClock(func() time.Time { return sch.At(d, t) }) }
	at(today.AddDays(-10), 7*60)
	var booked []*fp.Request
	for k, id := range past {
		bs, err := s.ProposeSlots(id, today.AddDays(-7+k%3))
		if err != nil || bs[0].Day.After(today.AddDays(-1)) {
			continue // no room last week: leave it for the clerk
		}
		r, err := s.Book(Clerk, id, bs, "", false)
		if err != nil {
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
	for _, id := range todays {
		r, err := s.FindRequestByID(id)
		if err != nil {
			return err
		}
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

// attachments are the items of r plan.attach says arrive: the first
// required items, in checklist order.
func attachments(r *fp.Request, plan docPlan, today fp.Date) []fp.ChecklistItem {
	var items []fp.ChecklistItem
	for _, it := range r.Checklist(today) {
		if it.Required && len(items) < plan.attach {
			items = append(items, it)
		}
	}
	return items
}

// verdicts are the clerk's checks of what arrived: the first plan.verify
// items verified, the next rejected when plan.reject says so.
func verdicts(r *fp.Request, plan docPlan, today fp.Date) []fp.Judgement {
	var out []fp.Judgement
	for n, it := range attachments(r, plan, today) {
		v := fp.Verdict{Verified: true, Shows: r.Identifiers()[0]}
		if it.Kind == fp.DocPassport {
			// The clerk reads the page's zone with the counter reader.
			p, _ := r.Person(it.PersonID)
			v = fp.Verdict{Verified: true, MRZ: PassportMRZ(p, p.Passport.Number, p.Passport.Expiry)}
		}
		switch {
		case n == plan.verify && plan.reject != "":
			v = fp.Verdict{Reason: plan.reject, Note: "The photo page is blurred; please scan it again in good light."}
		case n >= plan.verify:
			return out
		}
		out = append(out, fp.Judgement{ID: r.ID, Item: it.Key, Verdict: v})
	}
	return out
}

// makeScans draws the files the requests of a batch send, as the e-mails
// arrive (first is the first one's index in the office: its place decides
// what arrives), in the order of the requests and their items, on every
// processor.
func makeScans(saved []*fp.Request, first int, today fp.Date) []fp.FileToAttach {
	var files []fp.FileToAttach
	var of []*fp.Request
	var items []fp.ChecklistItem
	for j, r := range saved {
		docs, _ := plan(first+j, r)
		for _, it := range attachments(r, docs, today) {
			files = append(files, fp.FileToAttach{ID: r.ID, Item: it.Key})
			of, items = append(of, r), append(items, it)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(files); i += workers {
				files[i].Name, files[i].Data = scanFor(of[i], items[i])
			}
		}()
	}
	wg.Wait()
	return files
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
