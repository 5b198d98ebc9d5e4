package fieldprint

import (
	"strings"
	"testing"
	"time"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		demo     bool
		want     string // "" accepted
	}{
		{"mlopez", "a long enough phrase", false, ""},
		{"mlopez", "short", false, "at least 12"},
		{"mlopez", "my name is mlopez ok", false, "must not contain the user name"},
		{"mlopez", "zepolm backwards pw", false, "backwards"},
		{"mlopez", "ZEPOLM backwards pw", false, "backwards"},
		{"ab", "this has ba in it ok", false, ""}, // two letters backwards are too common to refuse
		{"admin", DemoPassword, false, "demo accounts' password"},
		{"admin", DemoPassword, true, ""},
		{"mlopez", "password12345", false, "common passwords"},
		{"mlopez", "aaaaaaaaaaaaaa", false, "repeats one character"},
	} {
		err := CheckPassword(tc.user, tc.pw, tc.demo)
		if tc.want == "" && err != nil || tc.want != "" && !strings.Contains(ErrorMessage(err), tc.want) {
			t.Errorf("CheckPassword(%q, %q, %v) = %v, want %q", tc.user, tc.pw, tc.demo, err, tc.want)
		}
	}
}

func TestCheckPersonDetails(t *testing.T) {
	for _, tc := range []struct {
		full, badge         string
		wantFull, wantBadge string
		err                 string
	}{
		{"  María   López ", " gz-1042 ", "María López", "GZ-1042", ""},
		{"James Chen", "", "James Chen", "", ""},
		{"", "GZ-1", "", "", "full name"},
		{"Bad\x00Name", "", "", "", "control character"},
		{strings.Repeat("x", 81), "", "", "", "longer than 80"},
		{"Ana", "GZ 1", "", "", "letters, digits and dashes"},
		{"Ana", strings.Repeat("1", 21), "", "", "longer than 20"},
	} {
		full, badge, err := CheckPersonDetails(tc.full, tc.badge)
		if tc.err != "" {
			if !strings.Contains(ErrorMessage(err), tc.err) {
				t.Errorf("%q %q: %v, want %q", tc.full, tc.badge, err, tc.err)
			}
			continue
		}
		if err != nil || full != tc.wantFull || badge != tc.wantBadge {
			t.Errorf("%q %q = %q %q %v", tc.full, tc.badge, full, badge, err)
		}
	}
	if d := (User{Name: "mlopez", FullName: "María López", Badge: "GZ-1042"}).Display(); d != "María López (badge GZ-1042)" {
		t.Errorf("display %q", d)
	}
	if d := (User{Name: "old"}).Display(); d != "old" {
		t.Errorf("an account from before full names: %q", d)
	}
}

func TestLastAdminNeverLocks(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var u, a User
	for i := 0; i < LockFailures; i++ {
		if u.RegisterFailure(now, false) != (i == LockFailures-1) {
			t.Fatalf("an account: failure %d", i)
		}
		if a.RegisterFailure(now, true) {
			t.Fatalf("the last administrator locked at failure %d", i)
		}
	}
	if !u.Locked(now) || a.Locked(now) {
		t.Fatal("locks")
	}
	if a.SignInDelay(now, true) != LastAdminDelay || a.SignInDelay(now, false) != 0 || a.SignInDelay(now.Add(LockWindow), true) != 0 {
		t.Fatal("delays")
	}
}
