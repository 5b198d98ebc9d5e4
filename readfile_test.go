//go:build unix

package fieldprint

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadInputFileRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "scan.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	big := filepath.Join(dir, "big.csv")
	os.WriteFile(big, make([]byte, 2048), 0o600)
	good := filepath.Join(dir, "good.pdf")
	os.WriteFile(good, []byte("%PDF-1.4 ok"), 0o600)
	hidden := filepath.Join(dir, "x\u202egpj.pdf")
	os.WriteFile(hidden, []byte("x"), 0o600)

	for _, tc := range []struct {
		path, tooBig string
		max          int64
		want         string
	}{
		{fifo, "", 0, "scan.pdf is a named pipe (FIFO), not an ordinary file"},
		{dir, "", 0, "is a folder, not a file"},
		{"/dev/zero", "", 0, "zero is a device, not an ordinary file"},
		{sock, "", 0, "s.sock is a socket"},
		{filepath.Join(dir, "nope.pdf"), "", 0, "nope.pdf cannot be opened: there is no such file"},
		{big, "split it", 1024, "big.csv is 0.1 MB, over the 0.1 MB limit for one file: split it"},
		{big, "", 1024, "at a lower resolution"},
		{good, "", 0, ""},
		{hidden, "", 0, ""},
	} {
		start := time.Now()
		data, err := ReadInputFile(tc.path, tc.max, tc.tooBig)
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s: took %s", tc.path, time.Since(start))
		}
		if tc.want == "" {
			if err != nil || len(data) == 0 {
				t.Errorf("%s: %v", tc.path, err)
			}
			continue
		}
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
		if strings.ContainsAny(ErrorMessage(err), "\u202e\x00") {
			t.Errorf("%s: the message carries control characters: %q", tc.path, ErrorMessage(err))
		}
	}
}

// stalledFile is an ordinary file whose read never ends, as on a network
// share that stopped answering.
type stalledFile struct {
	*os.File
	release chan struct{}
}

func (f stalledFile) Read([]byte) (int, error) { <-f.release; return 0, io.ErrUnexpectedEOF }

func TestReadInputFileGivesUpOnAStalledFile(t *testing.T) {
	regular := filepath.Join(t.TempDir(), "tracker.csv")
	os.WriteFile(regular, []byte("full_name\n"), 0o600)
	release := make(chan struct{})
	defer close(release)
	defer func(open func(string) (inputFile, error), d time.Duration) { openInput, InputTimeout = open, d }(openInput, InputTimeout)
	openInput = func(path string) (inputFile, error) {
		f, err := os.Open(path)
		return stalledFile{f, release}, err
	}
	InputTimeout = 200 * time.Millisecond
	start := time.Now()
	_, err := ReadInputFile(regular, 0, "")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %s", d)
	}
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "tracker.csv could not be read within 200ms") || !strings.Contains(ErrorMessage(err), "network share") {
		t.Fatalf("%v", err)
	}
}
