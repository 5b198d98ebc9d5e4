package disk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
)

func sumOf(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// WriteBatch stores what Write stores, says which files it created, and
// leaves no temporary file.
func TestWriteBatch(t *testing.T) {
	f := Folder{Dir: t.TempDir() + "/scans"}
	var sums []string
	var data [][]byte
	for i := range 40 {
		b := []byte(fmt.Sprintf("scan %d", i))
		sums, data = append(sums, sumOf(b)), append(data, b)
	}
	if created, err := f.Write(sums[3], data[3]); err != nil || !created {
		t.Fatalf("Write: %v %v", created, err)
	}
	created, err := f.WriteBatch(sums, data)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range created {
		if c != (i != 3) {
			t.Errorf("file %d: created %v", i, c)
		}
		if got, err := f.Read(sums[i]); err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("file %d: %q %v", i, got, err)
		}
	}
	listed, err := f.List()
	if err != nil || len(listed) != len(sums) {
		t.Errorf("List: %d files, %v", len(listed), err)
	}
	if created, err = f.WriteBatch(sums, data); err != nil {
		t.Fatal(err)
	}
	for i, c := range created {
		if c {
			t.Errorf("file %d written again", i)
		}
	}
	if _, err := f.WriteBatch([]string{sums[0], "../../etc/passwd"}, [][]byte{data[0], data[1]}); err == nil {
		t.Error("a name that is not a SHA-256 was accepted")
	}
}

// A batch that fails part way leaves none of the files it created.
func TestWriteBatchFailureLeavesNothing(t *testing.T) {
	f := Folder{Dir: t.TempDir() + "/scans"}
	a, b := []byte("first"), []byte("second")
	sa, sb := sumOf(a), sumOf(b)
	// b's place is taken by a folder that is not empty: its rename fails.
	if err := os.MkdirAll(f.path(sb)+"/in-the-way", 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteBatch([]string{sa, sb}, [][]byte{a, b}); err == nil {
		t.Fatal("a file that cannot be written: no error")
	}
	if _, err := f.Read(sa); !os.IsNotExist(err) {
		t.Errorf("the file written beside the failure is still there: %v", err)
	}
	if listed, _ := f.List(); len(listed) != 1 || listed[0] != sb { // the folder in the way
		t.Errorf("left %v", listed)
	}
}
