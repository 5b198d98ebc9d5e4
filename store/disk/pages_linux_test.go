package disk

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// mappedKB is the resident size of this process's mapping of path
// (/proc/self/smaps: the Rss line of the mapping whose file is path).
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path // a mapping's first line: its range, then its file
		case in && len(f) == 3 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			kb += n
		}
	}
	return kb
}

// ReleasePages takes the file's pages out of the process's memory, and
// every value reads the same after it.
func TestReleasePages(t *testing.T) {
	keepReleaseTimes(t)
	releaseAfter = time.Hour // none by itself during the test
	kv, path := openTemp(t)
	value := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 3000) }
	for start := 0; start < 2000; start += 100 {
		if err := kv.Update(func(w fp.Writer) error {
			for i := start; i < start+100; i++ {
				if err := w.Put([]byte(fmt.Sprintf("k%05d", i)), value(i)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	readAll := func() {
		t.Helper()
		n := 0
		if err := kv.View(func(r fp.Reader) error {
			return r.Scan([]byte("k"), nil, false, func(k, v []byte) (bool, error) {
				if !bytes.Equal(v, value(n)) {
					return false, fmt.Errorf("%s: wrong value", k)
				}
				n++
				return true, nil
			})
		}); err != nil || n != 2000 {
			t.Fatalf("%d values read: %v", n, err)
		}
	}
	readAll()
	before := mappedKB(t, path)
	if before < 1000 {
		t.Fatalf("%d KiB of the file mapped after reading 6 MB of it", before)
	}
	if err := kv.ReleasePages(); err != nil {
		t.Fatal(err)
	}
	if after := mappedKB(t, path); after > before/10 {
		t.Errorf("%d KiB of the file mapped after ReleasePages, %d before", after, before)
	}
	readAll()
	if again := mappedKB(t, path); again < 1000 {
		t.Errorf("%d KiB mapped after reading it again", again)
	}
}

// keepReleaseTimes puts releaseAfter and releaseAtMost back when the test
// ends, after the files it opens afterwards are closed (cleanups run last
// first): a release still due reads them.
func keepReleaseTimes(t *testing.T) {
	d, m := releaseAfter, releaseAtMost
	t.Cleanup(func() { releaseAfter, releaseAtMost = d, m })
}

// kvOf3MB is a new KV file (openTemp) holding 1,000 values of 3,000 bytes
// (k00000 to k00999).
func kvOf3MB(t *testing.T) (*KV, string) {
	t.Helper()
	kv, path := openTemp(t)
	for start := 0; start < 1000; start += 100 {
		if err := kv.Update(func(w fp.Writer) error {
			for i := start; i < start+100; i++ {
				if err := w.Put([]byte(fmt.Sprintf("k%05d", i)), bytes.Repeat([]byte{1}, 3000)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return kv, path
}

// A transaction makes a release due releaseAfter later, by itself.
func TestPagesReleasedAfterTransactions(t *testing.T) {
	keepReleaseTimes(t)
	releaseAfter = time.Hour // not during the writes and reads
	kv, path := kvOf3MB(t)
	kv.View(func(r fp.Reader) error {
		return r.Scan([]byte("k"), nil, false, func(k, v []byte) (bool, error) { return true, nil })
	})
	if kb := mappedKB(t, path); kb < 500 {
		t.Fatalf("%d KiB mapped after reading 3 MB", kb)
	}
	kv.pagesMu.Lock()
	kv.pagesTimer.Stop()
	kv.pagesTimer = nil
	releaseAfter = 50 * time.Millisecond // under pagesMu, as a release reads it
	kv.pagesMu.Unlock()
	kv.View(func(r fp.Reader) error { _, _, err := r.Get([]byte("k00001")); return err })
	deadline := time.Now().Add(5 * time.Second)
	for mappedKB(t, path) > 100 {
		if time.Now().After(deadline) {
			t.Fatalf("%d KiB still mapped %v after the last transaction", mappedKB(t, path), 5*time.Second)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// While transactions keep coming (someone typing a search), what they
// mapped stays mapped: a release between two queries would make the next
// fault every page back in. Once they pause the pages go, and a spell that
// never pauses still releases after releaseAtMost.
func TestPagesStayWhileTheDeskIsBusy(t *testing.T) {
	keepReleaseTimes(t)
	releaseAfter, releaseAtMost = time.Hour, time.Hour
	kv, path := kvOf3MB(t)
	readAll := func() {
		kv.View(func(r fp.Reader) error {
			return r.Scan([]byte("k"), nil, false, func(k, v []byte) (bool, error) { return true, nil })
		})
	}
	kv.pagesMu.Lock()
	kv.pagesTimer.Stop()
	kv.pagesTimer = nil
	releaseAfter = 300 * time.Millisecond // under pagesMu, as a release reads it
	kv.pagesMu.Unlock()

	readAll()
	for range 20 { // a second of a query every 50 ms
		time.Sleep(50 * time.Millisecond)
		if kb := mappedKB(t, path); kb < 500 {
			t.Fatalf("released while busy: %d KiB mapped 50 ms after a read of 3 MB", kb)
		}
		readAll()
	}
	deadline := time.Now().Add(5 * time.Second)
	for mappedKB(t, path) > 100 {
		if time.Now().After(deadline) {
			t.Fatalf("%d KiB still mapped %v after the last transaction", mappedKB(t, path), 5*time.Second)
		}
		time.Sleep(10 * time.Millisecond)
	}

	kv.pagesMu.Lock()
	releaseAtMost = 400 * time.Millisecond
	kv.pagesMu.Unlock()
	readAll()
	for start := time.Now(); ; readAll() {
		time.Sleep(20 * time.Millisecond)
		if mappedKB(t, path) < 100 {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("never released in %v of reads every 20 ms (releaseAtMost %v)", 5*time.Second, releaseAtMost)
		}
	}
}
