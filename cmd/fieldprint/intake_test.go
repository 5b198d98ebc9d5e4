package main

import (
	"path/filepath"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/store"
)

func mailFile(name string) string { return filepath.Join("..", "..", "testdata", "mail", name) }

// fieldprint intake FILE.eml --user NAME: shows the prefilled request,
// refuses to save an incomplete one, records a complete one with its
// attachments and the message, refuses the same message twice, and sends
// the applicant's second message to the open request with --into.
func TestIntakeCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fp.db")
	withClerk(t, path)

	code, out, errs := fieldprint(t, "", "intake", mailFile("outlook.eml"), "--dry-run", "--db", path)
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, errs)
	}
	for _, want := range []string{"王芳 <wang.fang@outlook.com>", "adoption (a guess from the words: i-600a, 收养; confirm it)", "IOE-09-234-56789",
		"2  王芳护照.jpg", "-> passport/0", "收据通知 I-797C.pdf", "-> notice", "image001.png", "-> not attached",
		"date_of_birth: date of birth is required"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}

	// Incomplete (no birth date, no notice type): nothing saved.
	code, out, errs = fieldprint(t, "", "intake", mailFile("gmail.eml"), "--set", "notice_type=", "--user", "ana", "--db", path)
	if code != 1 || !strings.Contains(errs, "nothing was saved: 1 field") || !strings.Contains(out, "notice_type: choose the notice") {
		t.Fatalf("incomplete: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "intake", mailFile("gmail.eml"), "--user", "ana", "--db", path)
	if code != 0 || !strings.Contains(out, "FP-2026-00001 recorded from the e-mail; the message is kept with it; 2 of 2 attachments attached") {
		t.Fatalf("intake: %d\n%s\n%s", code, out, errs)
	}
	c := checklist(t, path, "FP-2026-00001")
	if c.Items[0].File != "I-797C receipt notice.pdf" || c.Items[1].File != "passport.jpg" || c.Items[0].State != "received" {
		t.Errorf("checklist after intake: %+v", c.Items)
	}
	// The same message again: refused, nothing saved.
	code, _, errs = fieldprint(t, "", "intake", mailFile("gmail.eml"), "--user", "ana", "--db", path)
	if code != 1 || !strings.Contains(errs, "already taken into FP-2026-00001") {
		t.Errorf("the same message twice: %d %s", code, errs)
	}
	// The follow-up (same sender, the renewed passport): a duplicate.
	code, out, errs = fieldprint(t, "", "intake", mailFile("gmail-followup.eml"), "--set", "date_of_birth=1985-04-12", "--user", "ana", "--db", path)
	if code != 1 || !strings.Contains(out, "Possibly the same applicant:") || !strings.Contains(errs, "--into FP-2026-00001") {
		t.Fatalf("follow-up: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = fieldprint(t, "", "intake", mailFile("gmail-followup.eml"), "--into", "FP-2026-00001", "--attach", "1=supporting", "--user", "ana", "--db", path)
	if code != 0 || !strings.Contains(out, "FP-2026-00001 received the e-mail; the message is kept with it; 1 of 1 attachment attached") {
		t.Fatalf("--into: %d\n%s\n%s", code, out, errs)
	}
	if c := checklist(t, path, "FP-2026-00001"); c.Items[len(c.Items)-1].File != "new passport page.jpg" {
		t.Errorf("the follow-up's file: %+v", c.Items)
	}
	// A refused attachment cannot be planned; hostile files are refused whole.
	code, _, errs = fieldprint(t, "", "intake", mailFile("hostile-misleading.eml"), "--attach", "1=notice", "--dry-run", "--db", path)
	if code != 1 || !strings.Contains(errs, "is a program") {
		t.Errorf("a refused attachment planned: %d %s", code, errs)
	}
	code, _, errs = fieldprint(t, "", "intake", mailFile("hostile-outlook.msg"), "--dry-run", "--db", path)
	if code != 1 || !strings.Contains(errs, "is a damaged Outlook message") {
		t.Errorf("a damaged .msg: %d %s", code, errs)
	}
	code, _, errs = fieldprint(t, "", "intake", mailFile("hostile-doc-renamed.msg"), "--dry-run", "--db", path)
	if code != 1 || !strings.Contains(errs, "is a Word document (.doc), not a saved e-mail") {
		t.Errorf("a .doc named .msg: %d %s", code, errs)
	}

	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, key := range []string{"<CAJ7x2Ke+9pQ_n3Vt0mXb4Lr=Qw@mail.gmail.com>", "<CAJ7x2KfZ0u8w1_Yq7Hn2Vd@mail.gmail.com>"} {
		if n, err := db.MessageImported(key); err != nil || n != "FP-2026-00001" {
			t.Errorf("%s: %q %v", key, n, err)
		}
	}
	r, _ := db.FindRequestByNumber("FP-2026-00001")
	if r.Category != fp.Category319b || r.Applicant.FullName != "Wei Zhang" || r.Email != "wei.zhang.1985@gmail.com" || r.Received.String() != "2026-11-02" && r.Received.String() != fp.DateOf(r.CreatedAt).String() {
		t.Errorf("recorded %+v", r)
	}
	for _, err := range db.Check() {
		t.Error(err)
	}
}

// fieldprint intake FILE.msg: Outlook's message file prefills and records
// the request as the same message saved as .eml does; taking in the .eml
// afterwards is refused (the same Message-ID).
func TestIntakeOutlookMsg(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fp.db")
	withClerk(t, path)
	code, out, errs := fieldprint(t, "", "intake", mailFile("outlook.msg"), "--dry-run", "--db", path)
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, errs)
	}
	for _, want := range []string{"王芳 <wang.fang@outlook.com>", "adoption (a guess from the words: i-600a, 收养; confirm it)", "IOE-09-234-56789",
		"2  王芳护照.jpg", "-> passport/0", "收据通知 I-797C.pdf", "-> notice", "image001.png", "-> not attached"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = fieldprint(t, "", "intake", mailFile("outlook.msg"), "--set", "date_of_birth=1980-03-04", "--set", "notice_type=receipt", "--user", "ana", "--db", path)
	if code != 0 || !strings.Contains(out, "FP-2026-00001 recorded from the e-mail; the message is kept with it; 2 of 2 attachments attached") {
		t.Fatalf("intake: %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = fieldprint(t, "", "intake", mailFile("outlook.eml"), "--set", "date_of_birth=1980-03-04", "--user", "ana", "--db", path)
	if code != 1 || !strings.Contains(errs, "already taken into FP-2026-00001") {
		t.Errorf("the .eml of a message taken in as .msg: %d %s", code, errs)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, err := range db.Check() {
		t.Error(err)
	}
}
