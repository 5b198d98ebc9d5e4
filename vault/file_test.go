package vault

import (
	"bytes"
	"errors"
	"testing"
)

var fileCost = Cost{MemoryKiB: 64, Time: 1, Threads: 1}

func TestSealFile(t *testing.T) {
	data := []byte("number,full_name\nFP-2026-00001,Qqcanary Zzcanary\n")
	f, err := SealFile(data, "a long passphrase", fileCost)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(f, []byte("Qqcanary")) || !IsSealedFile(f) {
		t.Fatal("the sealed file shows its content")
	}
	if got, err := OpenFile(f, "a long passphrase"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("open: %v", err)
	}
	if _, err := OpenFile(f, "another passphrase"); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	for i := range []int{0, 1, 2} {
		bad := bytes.Clone(f)
		switch i {
		case 0:
			bad = bad[:len(bad)-1]
		case 1:
			bad[len(bad)-5] ^= 1
		case 2:
			bad = bad[:len(FileMagic)+2]
		}
		if _, err := OpenFile(bad, "a long passphrase"); !errors.Is(err, ErrDamagedFile) {
			t.Errorf("damage %d: %v", i, err)
		}
	}
	if _, err := OpenFile(data, "x"); !errors.Is(err, ErrNotSealedFile) {
		t.Fatal(err)
	}
}

func FuzzOpenFile(f *testing.F) {
	sealed, _ := SealFile([]byte("hello"), "a long passphrase", fileCost)
	f.Add(sealed, "a long passphrase")
	f.Add([]byte(FileMagic+"\x00\x00\x00\x02{}"), "x")
	f.Add([]byte(FileMagic+"\x00\x00\x10\x00"), "x")
	f.Fuzz(func(t *testing.T, data []byte, pass string) {
		// Never a panic, and never a huge argon2 cost from the file.
		OpenFile(data, pass)
	})
}
