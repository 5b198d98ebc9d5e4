package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var cheap = Cost{MemoryKiB: 64, Time: 1, Threads: 1}

func mustKey(t testing.TB) Key {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k, other := mustKey(t), mustKey(t)
	plain := []byte("WANG Fang A123456789")
	s := Seal(&k, plain, []byte("req/1"))
	if bytes.Contains(s, plain) || len(s) != len(plain)+Overhead {
		t.Fatalf("sealed value shows its plaintext or has %d bytes", len(s))
	}
	if s2 := Seal(&k, plain, []byte("req/1")); bytes.Equal(s, s2) {
		t.Fatal("two seals of the same value are the same: the nonce is not random")
	}
	got, err := Open(&k, s, []byte("req/1"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for name, c := range map[string]struct {
		k   *Key
		s   []byte
		aad string
	}{
		"wrong key":      {&other, s, "req/1"},
		"moved":          {&k, s, "req/2"},
		"truncated":      {&k, s[:len(s)-1], "req/1"},
		"too short":      {&k, s[:Overhead-1], "req/1"},
		"empty":          {&k, nil, "req/1"},
		"bit flipped":    {&k, flip(s, len(s)/2), "req/1"},
		"nonce changed":  {&k, flip(s, 3), "req/1"},
		"version byte":   {&k, flip(s, 0), "req/1"},
		"appended bytes": {&k, append(bytes.Clone(s), 0), "req/1"},
	} {
		if _, err := Open(c.k, c.s, []byte(c.aad)); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open err = %v, want ErrOpen", name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func TestPasswordSlot(t *testing.T) {
	office := mustKey(t)
	s, err := PasswordSlot(&office, "correct horse battery", cheap, []byte("user/ana"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.OpenPassword("correct horse battery", []byte("user/ana"))
	if err != nil || got != office {
		t.Fatalf("OpenPassword = %v", err)
	}
	for name, c := range map[string]struct{ pw, aad string }{
		"wrong password":    {"correct horse batterY", "user/ana"},
		"other account":     {"correct horse battery", "user/bob"},
		"empty password":    {"", "user/ana"},
		"password + spaces": {"correct horse battery ", "user/ana"},
	} {
		if _, err := s.OpenPassword(c.pw, []byte(c.aad)); !errors.Is(err, ErrWrongSecret) {
			t.Errorf("%s: err = %v, want ErrWrongSecret", name, err)
		}
	}
	bad := s
	bad.Cost = Cost{}
	if _, err := bad.OpenPassword("correct horse battery", []byte("user/ana")); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("a slot without its cost: err = %v", err)
	}
}

func TestRecoveryKey(t *testing.T) {
	office := mustKey(t)
	r, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	printed := r.String()
	if len(printed) != 49 || strings.Count(printed, "-") != 9 {
		t.Fatalf("printed as %q: want ten groups of four", printed)
	}
	slot := RecoverySlot(&office, r, []byte("recovery"))
	for _, typed := range []string{printed, strings.ToLower(printed), strings.ReplaceAll(printed, "-", ""),
		" " + strings.ReplaceAll(printed, "-", " ") + "\n", strings.NewReplacer("O", "0", "I", "1", "B", "8").Replace(printed)} {
		got, err := ParseRecoveryKey(typed)
		if err != nil {
			t.Fatalf("ParseRecoveryKey(%q): %v", typed, err)
		}
		k, err := slot.OpenRecovery(got, []byte("recovery"))
		if err != nil || k != office {
			t.Fatalf("the recovery slot does not open with %q: %v", typed, err)
		}
	}
	// Every single typing mistake is caught by the check, never a wrong key.
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for i, c := range printed {
		if c == '-' {
			continue
		}
		for _, d := range alphabet {
			if d == c {
				continue
			}
			typo := printed[:i] + string(d) + printed[i+1:]
			if _, err := ParseRecoveryKey(typo); !errors.Is(err, ErrRecoveryKey) {
				t.Fatalf("typo %q accepted", typo)
			}
		}
	}
	for _, bad := range []string{"", "ABCD", printed[:len(printed)-1], printed + "A", printed + "-ABCD", strings.Replace(printed, "A", "9", 1) + "9"} {
		if _, err := ParseRecoveryKey(bad); !errors.Is(err, ErrRecoveryKey) {
			t.Errorf("ParseRecoveryKey(%q) accepted", bad)
		}
	}
	other, _ := NewRecoveryKey()
	if _, err := slot.OpenRecovery(other, []byte("recovery")); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("another recovery key: err = %v", err)
	}
}

func TestDerive(t *testing.T) {
	k := mustKey(t)
	a, b := Derive(&k, "records"), Derive(&k, "index")
	if a == b || a == k || Derive(&k, "records") != a {
		t.Fatal("Derive must differ by purpose and be repeatable")
	}
	var z Key
	if !z.IsZero() || k.IsZero() {
		t.Fatal("IsZero")
	}
	k.Wipe()
	if !k.IsZero() {
		t.Fatal("Wipe")
	}
}

func FuzzParseRecoveryKey(f *testing.F) {
	r, _ := NewRecoveryKey()
	f.Add(r.String())
	f.Add("")
	f.Add("AAAA-AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseRecoveryKey(s)
		if err == nil {
			if again, err := ParseRecoveryKey(got.String()); err != nil || again != got {
				t.Fatalf("%q parsed but its printed form %q does not read back", s, got.String())
			}
		}
	})
}

func FuzzOpen(f *testing.F) {
	var k Key
	f.Add(Seal(&k, []byte("x"), nil), []byte(nil))
	f.Add([]byte{1, 2, 3}, []byte("a"))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		if _, err := Open(&k, sealed, aad); err != nil && !errors.Is(err, ErrOpen) {
			t.Fatal(err)
		}
	})
}
