package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// roundTheClock makes the demo office open every day, all day, with 5-minute
// slots, so the test can book, check in and collect today. The zone stays
// the demo's: appointments are booked, so it may not change.
func roundTheClock(t *testing.T, path string) {
	t.Helper()
	_, out, _ := fieldprint(t, "", "office", "export", "--db", path)
	var p map[string]any
	json.Unmarshal([]byte(out), &p)
	p["slot_minutes"], p["closed_dates"] = 5, []any{}
	hours := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours[d] = []string{"00:00-24:00"}
	}
	p["hours"] = hours
	b, _ := json.Marshal(p)
	file := filepath.Join(t.TempDir(), "office.json")
	os.WriteFile(file, b, 0o644)
	if code, _, errs := fieldprint(t, "", "office", "import", file, "--user", "admin", "--db", path); code != 0 {
		t.Fatalf("office import: %s", errs)
	}
}

func TestCollectionDayCLI(t *testing.T) {
	office := demo.Scheduling().Location()
	now := time.Now().In(office)
	if now.Hour() == 23 && now.Minute() >= 50 {
		t.Skip("too close to midnight at the office to book, check in and collect on one day")
	}
	path := demoDB(t)
	roundTheClock(t, path)
	row := readyRequest(t, path)
	// A slot far enough ahead that the demo's time under -race cannot pass it.
	now = time.Now().In(office)
	if now.Hour() == 23 && now.Minute() >= 45 {
		t.Skip("too close to midnight at the office")
	}
	// The demo books today's office hours too: the first slot with a free
	// station, the same day.
	for next := now.Truncate(5 * time.Minute).Add(10 * time.Minute); ; next = next.Add(5 * time.Minute) {
		if next.Day() != now.Day() {
			t.Skip("no free station left today at the office")
		}
		code, _, errs := fieldprint(t, "", "book", row.Number, "--at", next.Format("2006-01-02 15:04"), "--user", "clerk", "--db", path)
		if code == 0 {
			break
		}
		if !strings.Contains(errs, "every station is taken") {
			t.Fatalf("book: %s", errs)
		}
	}
	if code, _, errs := fieldprint(t, "", "checkin", row.Number, "--id", "library-card", "--user", "clerk", "--db", path); code != 1 || !strings.Contains(errs, "not a kind of ID") {
		t.Errorf("an unknown ID kind: %d %q", code, errs)
	}
	code, out, errs := fieldprint(t, "", "checkin", row.Number, "--id", "expired-id", "--name-mismatch", "Maiden name on the old passport", "--user", "clerk", "--db", path)
	if code != 0 || !strings.Contains(out, "checked in") {
		t.Fatalf("checkin: %d %q %q", code, out, errs)
	}
	if code, _, errs := fieldprint(t, "", "collect", row.Number, "--captured", "fingerprints", "--code", "3", "--user", "clerk", "--db", path); code != 1 || !strings.Contains(errs, "photo") {
		t.Errorf("code 3 without the photo: %d %q", code, errs)
	}
	code, out, errs = fieldprint(t, "", "collect", row.Number, "--captured", "fingerprints, photo,signature", "--code", "2", "--user", "director", "--db", path)
	if code != 0 || !strings.Contains(out, "the request is completed") {
		t.Fatalf("collect: %d %q %q", code, out, errs)
	}
	code, out, _ = fieldprint(t, "", "today", "--db", path)
	if code != 0 || !regexp.MustCompile(row.Number+`.*collected.*by director`).MatchString(out) {
		t.Errorf("today: %q", out)
	}
	// The stamped notice and its verification.
	pdf := filepath.Join(t.TempDir(), "stamp.pdf")
	code, out, errs = fieldprint(t, "", "stamp", row.Number, "-o", pdf, "--user", "clerk", "--db", path)
	m := regexp.MustCompile(`stamped notice ([A-Z2-7]{5}-[A-Z2-7]{5}) for .* \(copy 1\)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("stamp: %d %q %q", code, out, errs)
	}
	if b, _ := os.ReadFile(pdf); !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatal("no stamped notice PDF")
	}
	code, out, _ = fieldprint(t, "", "verify", strings.ToLower(m[1]), "--db", path)
	if code != 0 || !strings.Contains(out, "GENUINE") || !strings.Contains(out, row.FullName) || !strings.Contains(out, "by officer James Chen (badge GZ-0007)") {
		t.Errorf("verify: %d %q", code, out)
	}
	if code, _, errs := fieldprint(t, "", "verify", "AAAAA-BBBBB", "--db", path); code != 1 || !strings.Contains(errs, "NOT FOUND") {
		t.Errorf("verify an unknown code: %d %q", code, errs)
	}
	// Offline: the published public key checks a scanned QR text; a changed date fails.
	key := filepath.Join(t.TempDir(), "office.pem")
	if code, _, errs := fieldprint(t, "", "stamp-key", "-o", key, "--db", path); code != 0 {
		t.Fatalf("stamp-key: %s", errs)
	}
	db, err := storeOpen(path)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := db.FindRequestByNumber(row.Number)
	st, copies, err := db.IssueStamp(demo.Clerk, r.ID, 0)
	db.Close()
	if err != nil || copies != 2 || st.Code != m[1] {
		t.Fatalf("reprint: %v %d %s", err, copies, st.Code)
	}
	if code, out, errs := fieldprint(t, "", "verify", st.QRText(), "--public-key", key); code != 0 || !strings.Contains(out, "GENUINE") {
		t.Errorf("offline verify: %d %q %q", code, out, errs)
	}
	st.Facts.Collected = st.Facts.Collected.AddDate(0, 0, -1)
	if code, _, errs := fieldprint(t, "", "verify", st.QRText(), "--public-key", key); code != 1 || !strings.Contains(errs, "NOT GENUINE") {
		t.Errorf("a changed date: %d %q", code, errs)
	}
	// Closing the day waits for the end of the public hours; yesterday closes.
	if code, _, errs := fieldprint(t, "", "close-day", "--user", "clerk", "--db", path); code != 1 || !strings.Contains(errs, "not over yet") {
		t.Errorf("close-day during the hours: %d %q", code, errs)
	}
	yesterday := fp.DateOf(now).AddDays(-1).String()
	if code, out, errs := fieldprint(t, "", "close-day", "--date", yesterday, "--user", "clerk", "--db", path); code != 0 || !strings.Contains(out, "closed") {
		t.Errorf("close-day yesterday: %d %q %q", code, out, errs)
	}
	if code, out, _ := fieldprint(t, "", "list", "--expiring", "60", "--db", path); code != 0 || !strings.Contains(out, fmt.Sprintf("within %d days", 60)) {
		t.Errorf("list --expiring: %d %q", code, out)
	}
}
