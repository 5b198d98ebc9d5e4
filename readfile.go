package fieldprint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"
)

// InputTimeout bounds ReadInputFile. A file on a slow network share may take
// a while, but nothing a clerk attaches or imports needs half a minute.
var InputTimeout = 30 * time.Second

// inputFile is what ReadInputFile needs of an open file.
type inputFile interface {
	io.ReadCloser
	Stat() (fs.FileInfo, error)
}

// openInput opens the file ReadInputFile reads; tests replace it.
var openInput = func(path string) (inputFile, error) { return os.Open(path) }

// ReadInputFile reads a file a person named (a scan to attach, a tracker to
// import, an office profile, a public key) whole, refusing anything that is
// not an ordinary file: a named pipe or a device would otherwise block or
// stream forever. It gives up after InputTimeout and reads at most maxBytes
// (<= 0: MaxAttachmentBytes). tooBig says what to do with a file over the
// limit ("": the advice for scans). Every refusal is an *Error naming the
// file, so a caller reads its input first and opens the database after.
func ReadInputFile(path string, maxBytes int64, tooBig string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1) // the reader never blocks on it, even after a timeout
	open := openInput
	go func() {
		data, err := readRegular(path, maxBytes, tooBig, open)
		done <- result{data, err}
	}()
	t := time.NewTimer(InputTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.data, r.err
	case <-t.C:
		return nil, Errorf(EINVALID, "%s could not be read within %s: a file on a network share or a USB stick can be that slow, or the share is not answering. Copy the file to this computer first, then try again", displayName(path), seconds(InputTimeout))
	}
}

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
}

func readRegular(path string, maxBytes int64, tooBig string, open func(string) (inputFile, error)) ([]byte, error) {
	name := displayName(path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, openProblem(name, err)
	}
	if err := checkRegular(name, fi); err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = MaxAttachmentBytes
	}
	if tooBig == "" {
		tooBig = shrinkAdvice
	}
	if fi.Size() > maxBytes {
		return nil, refuseFile(nil, "%s is %s, over the %s limit for one file: %s", name, sizeMB(fi.Size()), sizeMB(maxBytes), tooBig)
	}
	f, err := open(path)
	if err != nil {
		return nil, openProblem(name, err)
	}
	defer f.Close()
	// The path may have been replaced between Stat and Open.
	if fi, err = f.Stat(); err != nil {
		return nil, openProblem(name, err)
	} else if err := checkRegular(name, fi); err != nil {
		return nil, err
	}
	data, err := ReadLimited(name, f, maxBytes)
	if err != nil && int64(len(data)) > maxBytes { // it grew while being read
		return nil, refuseFile(nil, "%s is over the %s limit for one file: %s", name, sizeMB(maxBytes), tooBig)
	}
	return data, err
}

// checkRegular refuses folders, named pipes, devices and sockets, saying which.
func checkRegular(name string, fi fs.FileInfo) error {
	const todo = "give the path of an ordinary file (save the document to a folder first if needed)"
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return refuseFile(nil, "%s is a folder, not a file: give the path of a file inside it", name)
	case m&fs.ModeNamedPipe != 0:
		return refuseFile(nil, "%s is a named pipe (FIFO), not an ordinary file, and reading it could wait forever: %s", name, todo)
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return refuseFile(nil, "%s is a device, not an ordinary file: %s", name, todo)
	case m&fs.ModeSocket != 0:
		return refuseFile(nil, "%s is a socket, not an ordinary file: %s", name, todo)
	}
	return refuseFile(nil, "%s is not an ordinary file: %s", name, todo)
}

func openProblem(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refuseFile(err, "%s cannot be opened: there is no such file; check the path and the name", name)
	case errors.Is(err, fs.ErrPermission):
		return refuseFile(err, "%s cannot be opened: this account may not read it; copy it to a folder of yours, or ask your IT contact", name)
	}
	return refuseFile(err, "%s cannot be opened: check that it is still there, then try again", name)
}

// DisplayName is a file's base name cleaned for messages and for storing:
// without folders (either separator), control characters or bidi marks
// (so "scan\u202egpj.pdf" cannot pose as a JPEG on a terminal or a screen).
func DisplayName(name string) string { return displayName(name) }

// checkUTF8 refuses text that is not UTF-8, saying where (what: "the profile
// file"; bytes count from the start of the file, byte-order mark included).
// A file saved as UTF-16 ("Unicode" in Notepad) or in a legacy code page
// would otherwise be read with its accents turned into U+FFFD.
func checkUTF8(what string, b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	if bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")) {
		return Errorf(EINVALID, "%s is UTF-16 text (\"Unicode\" in Notepad): save it again as UTF-8", what)
	}
	line, col, i := 1, 1, 0
	if bytes.HasPrefix(b, []byte("\ufeff")) {
		i = 3 // a byte-order mark: counted in bytes, not in columns
	}
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return Errorf(EINVALID, "%s is not UTF-8 text: line %d, column %d (byte %d) holds the byte 0x%02X, which UTF-8 does not allow. Save the file again as UTF-8 (in Notepad: Save As, Encoding UTF-8)", what, line, col, i+1, b[i])
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return nil
}
