package disk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// boltDB is the bbolt handle with every transaction guarded. bbolt trusts its
// file: a zeroed or garbled page makes it panic, and a page the file no longer
// holds (a truncated file is mapped whole) faults with SIGBUS, which kills the
// program. The guard turns both into an error saying the database is damaged,
// so a clerk reads what to do instead of a stack trace.
type boltDB struct {
	*bolt.DB
	path string
}

func (b boltDB) View(fn func(*bolt.Tx) error) error {
	return guard(b.path, func() error { return b.DB.View(fn) })
}

func (b boltDB) Update(fn func(*bolt.Tx) error) error {
	return guard(b.path, func() error { return b.DB.Update(fn) })
}

// Batch is Update: bbolt runs a batch on a goroutine of its own, where the
// guard cannot reach (and batching was measured slower here anyway).
func (b boltDB) Batch(fn func(*bolt.Tx) error) error { return b.Update(fn) }

// guard runs f with memory faults turned into panics (for this goroutine, for
// as long as f runs) and every panic into an error.
func guard(path string, f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = recovered(path, r)
		}
	}()
	return f()
}

// recovered words a panic met in a transaction. A fault in mapped memory, or
// a panic raised inside bbolt, is the file's doing. Elsewhere it may be the
// file (a record that decodes to nonsense) or a fault in Fieldprint: say so,
// and let the check decide, rather than have a clerk restore a copy for a bug.
func recovered(path string, r any) error {
	cause := fmt.Errorf("panic: %v", r)
	if _, fault := r.(interface{ Addr() uintptr }); fault || panickedIn("go.etcd.io/bbolt") {
		return damaged(path, cause)
	}
	return fp.Internal(fmt.Sprintf("the database %s could not be read: nothing was saved. Run fieldprint check to see whether the file is damaged, and tell your IT contact", path), guarded{cause})
}

// panickedIn reports whether the function that panicked (the first frame
// below runtime.gopanic that is not the runtime's) is in package prefix.
func panickedIn(prefix string) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	below := false
	for {
		f, more := frames.Next()
		if below && !strings.HasPrefix(f.Function, "runtime.") {
			return strings.HasPrefix(f.Function, prefix)
		}
		below = below || f.Function == "runtime.gopanic"
		if !more {
			return false
		}
	}
}

// guarded marks the cause of the errors above, so that their words survive
// the store's wrapping ("…: the database could not be written").
type guarded struct{ error }

func (g guarded) Unwrap() error { return g.error }

// fromGuard reports whether err is, or wraps, one of the guard's errors.
func fromGuard(err error) bool {
	var g guarded
	return errors.As(err, &g)
}

// damaged is the error for a database file that cannot be trusted.
func damaged(path string, cause error) *fp.Error {
	return fp.Internal(fmt.Sprintf("the database %s is damaged: restore a copy of the file, or ask your IT contact", path), guarded{cause})
}

// openBolt opens the bbolt file, refusing a damaged one before bbolt reads
// more than its meta pages: bbolt validates the meta pages' checksums itself,
// but loads the free list and trusts every page the meta page counts. clean
// says the file was as Fieldprint closed it (not walked).
func openBolt(path string, opts *bolt.Options) (b *bolt.DB, clean bool, err error) {
	fi, err := os.Stat(path)
	if err == nil && fi.Mode().IsRegular() {
		if fi.Size() == 0 {
			// bbolt would make an empty file a new database, silently: an
			// office would carry on with nothing and never notice.
			return nil, false, fp.Internal(fmt.Sprintf("the database %s is damaged: the file is empty (0 bytes), as after an interrupted copy; restore a copy of the file, or ask your IT contact (to start a new, empty database instead, delete this file)", path), nil)
		}
		if err := checkSize(path, fi.Size(), opts); err != nil {
			return nil, false, err
		}
	}
	trusted := !opts.ReadOnly && closedCleanly(path)
	err = guard(path, func() error {
		if b, err = bolt.Open(path, 0o600, opts); err != nil {
			return err
		}
		if trusted {
			return nil
		}
		treeWalks.Add(1)
		return b.View(func(tx *bolt.Tx) error {
			if problems := verifyTree(tx, path); len(problems) > 0 {
				return damaged(path, problems[0])
			}
			return nil
		})
	})
	if err != nil && b != nil {
		b.Close()
	}
	return b, trusted, err
}

// checkSize opens the file read-only (which reads only the meta pages) and
// compares its size with what the newest valid meta page says it holds.
func checkSize(path string, size int64, opts *bolt.Options) error {
	ro := *opts
	ro.ReadOnly = true
	var want int64
	err := guard(path, func() error {
		b, err := bolt.Open(path, 0o400, &ro)
		if err != nil {
			return err
		}
		defer b.Close()
		return b.View(func(tx *bolt.Tx) error { want = tx.Size(); return nil })
	})
	if err != nil {
		return openError(path, err)
	}
	if size < want {
		return fp.Internal(fmt.Sprintf("the database %s is damaged: the file is shorter than what it holds (%d of %d bytes), as after an interrupted copy or a full disk; restore a copy of the file, or ask your IT contact", path, size, want), nil)
	}
	return nil
}

// openError words an error of bolt.Open.
func openError(path string, err error) error {
	var fe *fp.Error
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return fp.Errorf(fp.ECONFLICT, "the database %s is in use by another Fieldprint window or command: close it and try again", path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch),
		strings.HasPrefix(err.Error(), "file size too small"):
		return fp.Internal(fmt.Sprintf("the database %s is damaged, or is not a Fieldprint database: check the path; restore a copy of the file, or ask your IT contact", path), err)
	}
	return &fp.Error{Code: fp.EINVALID, Message: fmt.Sprintf("cannot open the database %s: %v", path, err), Err: err}
}

// readAll touches every key and value of every bucket (the first and last
// byte of each: the file is mapped in one piece).
func readAll(tx *bolt.Tx) {
	var sink byte
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if len(k) > 0 {
				sink ^= k[0] ^ k[len(k)-1]
			}
			if v == nil {
				if c := b.Bucket(k); c != nil {
					walk(c)
				}
			} else if len(v) > 0 {
				sink ^= v[0] ^ v[len(v)-1]
			}
			return nil
		})
	}
	tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil })
	runtime.KeepAlive(sink) // so the compiler does not skip the reads
}

// keyLengths words bbolt's check problems without the keys and values
// themselves: index keys begin with applicants' names and numbers.
type keyLengths struct{}

func (keyLengths) KeyToString(k []byte) string   { return fmt.Sprintf("(a %d-byte key)", len(k)) }
func (keyLengths) ValueToString(v []byte) string { return fmt.Sprintf("(a %d-byte value)", len(v)) }

// checkInline checks an inline bucket: a leaf page inside its parent's value,
// which bbolt may copy to the heap (when unaligned) and read by the offsets
// it holds. Those must stay inside it, or its keys would point at random
// memory the garbage collector then trips over. bbolt inlines only buckets
// without buckets.
func checkInline(b []byte) error {
	ne := binary.NativeEndian
	if len(b) < 16 || ne.Uint16(b[8:]) != 0x02 {
		return errors.New("an inline bucket that is not a leaf page")
	}
	count := int(ne.Uint16(b[10:]))
	if 16+16*count > len(b) {
		return fmt.Errorf("an inline bucket whose %d elements do not fit in it", count)
	}
	for i := 0; i < count; i++ {
		e := b[16+16*i:]
		if ne.Uint32(e)&0x01 != 0 {
			return errors.New("an inline bucket holding a bucket")
		}
		if 16+16*i+int(ne.Uint32(e[4:]))+int(ne.Uint32(e[8:]))+int(ne.Uint32(e[12:])) > len(b) {
			return fmt.Errorf("an inline bucket whose element %d lies outside it", i)
		}
	}
	return nil
}

// verifyTree is walkPages, then a comparison of the pages it reached with the
// free list: a page that is both would be handed out again and overwritten.
func verifyTree(tx *bolt.Tx, path string) []error {
	errs, reached := walkPages(tx, path)
	if len(errs) > 0 {
		return errs
	}
	free, ok := freePages(tx, path)
	if !ok { // no free list in the file: ask bbolt page by page
		for id := range reached {
			if p, err := tx.Page(int(id)); err == nil && p != nil && p.Type == "free" {
				errs = append(errs, fmt.Errorf("page %d: in use, and on the free list too", id))
			}
		}
		return errs
	}
	for _, id := range free {
		if reached[id] {
			errs = append(errs, fmt.Errorf("page %d: in use, and on the free list too", id))
		}
	}
	return errs
}

// freePages reads the free list tx's meta page names, from the file: one
// read instead of asking bbolt about every page reached (a fault of the
// mapping each). ok is false when the file holds no free list (then bbolt
// rebuilt it in memory) or it cannot be read.
func freePages(tx *bolt.Tx, path string) (ids []uint64, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	ps := tx.DB().Info().PageSize
	end := uint64(tx.Size()) / uint64(ps)
	ne := binary.NativeEndian
	// A meta page: the page header (16 bytes), magic, version, page size,
	// flags (4 bytes each), the root bucket (16), the free list's page,
	// the high water mark, the transaction id (8 each), the checksum.
	var freelist uint64
	meta := make([]byte, 80)
	for m := int64(0); m < 2; m++ {
		if _, err := f.ReadAt(meta, m*int64(ps)); err != nil {
			return nil, false
		}
		if ne.Uint64(meta[64:]) == uint64(tx.ID()) {
			freelist = ne.Uint64(meta[48:])
		}
	}
	if freelist < 2 || freelist >= end {
		return nil, false // none in the file (0xffff…), or not the meta of tx
	}
	head := make([]byte, 16)
	if _, err := f.ReadAt(head, int64(freelist)*int64(ps)); err != nil {
		return nil, false
	}
	flags, count, overflow := ne.Uint16(head[8:]), uint64(ne.Uint16(head[10:])), uint64(ne.Uint32(head[12:]))
	if flags != 0x10 || freelist+overflow >= end {
		return nil, false
	}
	page := make([]byte, (overflow+1)*uint64(ps))
	if _, err := f.ReadAt(page, int64(freelist)*int64(ps)); err != nil {
		return nil, false
	}
	at := uint64(16)
	if count == 0xffff { // the real count is the first element
		count, at = ne.Uint64(page[16:]), 24
	}
	if count > (uint64(len(page))-at)/8 { // garbled: no multiplication that wraps
		return nil, false
	}
	ids = make([]uint64, count)
	for i := range ids {
		ids[i] = ne.Uint64(page[at+8*uint64(i):])
	}
	return ids, true
}

// walkPages follows the page tree of tx from its root, reading the file (not
// bbolt's mapping), and reports what would make bbolt misbehave rather than
// fail: a page reached twice (a loop would make a cursor descend for ever), a
// page number past the end, a page whose overflow runs past the end (bbolt's
// check would mark billions of pages), elements outside their page. Inline
// buckets hold no page numbers: bbolt inlines only buckets without buckets.
func walkPages(tx *bolt.Tx, path string) (errs []error, reached map[uint64]bool) {
	f, err := os.Open(path)
	if err != nil {
		return []error{fmt.Errorf("the file cannot be read: %w", err)}, nil
	}
	defer f.Close()
	ps := tx.DB().Info().PageSize
	end := uint64(tx.Size()) / uint64(ps)
	ne := binary.NativeEndian // bbolt writes its numbers in the machine's order
	seen := map[uint64]bool{}
	buf := make([]byte, ps)
	type ref struct{ id, from uint64 }
	stack := []ref{{uint64(tx.Cursor().Bucket().Root()), 0}}
	for len(stack) > 0 && len(errs) < 20 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case r.id < 2 || r.id >= end:
			errs = append(errs, fmt.Errorf("page %d: refers to page %d, outside the data (pages 2 to %d)", r.from, r.id, end-1))
			continue
		case seen[r.id]:
			errs = append(errs, fmt.Errorf("page %d: refers to page %d, which is reached twice (a loop or a shared page)", r.from, r.id))
			continue
		}
		seen[r.id] = true
		page := buf[:ps]
		if _, err := f.ReadAt(page, int64(r.id)*int64(ps)); err != nil {
			errs = append(errs, fmt.Errorf("page %d: cannot be read: %w", r.id, err))
			continue
		}
		id, flags, count, overflow := ne.Uint64(page), ne.Uint16(page[8:]), int(ne.Uint16(page[10:])), uint64(ne.Uint32(page[12:]))
		switch {
		case id != r.id:
			errs = append(errs, fmt.Errorf("page %d: its header says it is page %d", r.id, id))
			continue
		case flags != 0x01 && flags != 0x02:
			errs = append(errs, fmt.Errorf("page %d: is neither a branch nor a leaf page (flags %#x)", r.id, flags))
			continue
		case r.id+overflow >= end:
			errs = append(errs, fmt.Errorf("page %d: %d overflow pages run past the last page (%d)", r.id, overflow, end-1))
			continue
		}
		for n := uint64(1); n <= overflow; n++ {
			seen[r.id+n] = true
		}
		if overflow > 0 {
			if n := int(overflow+1) * ps; cap(buf) < n {
				buf = append(make([]byte, 0, n), page...) // the first page, read already
			}
			page = buf[:int(overflow+1)*ps]
			if _, err := f.ReadAt(page[ps:], int64(r.id+1)*int64(ps)); err != nil {
				errs = append(errs, fmt.Errorf("page %d: cannot be read: %w", r.id, err))
				continue
			}
		}
		if 16+16*count > len(page) {
			errs = append(errs, fmt.Errorf("page %d: %d elements do not fit in it", r.id, count))
			continue
		}
		for i := 0; i < count; i++ {
			// Positions are relative to the element.
			e := page[16+16*i:]
			if flags == 0x01 { // a branch element: pos, ksize (uint32), child page (uint64)
				if 16+16*i+int(ne.Uint32(e))+int(ne.Uint32(e[4:])) > len(page) {
					errs = append(errs, fmt.Errorf("page %d: element %d lies outside the page", r.id, i))
					break
				}
				stack = append(stack, ref{ne.Uint64(e[8:]), r.id})
				continue
			}
			// A leaf element: flags, pos, ksize, vsize (uint32); a bucket's
			// value begins with its root page.
			v := 16 + 16*i + int(ne.Uint32(e[4:])) + int(ne.Uint32(e[8:]))
			vsize := int(ne.Uint32(e[12:]))
			if v+vsize > len(page) {
				errs = append(errs, fmt.Errorf("page %d: element %d lies outside the page", r.id, i))
				break
			}
			if ne.Uint32(e)&0x01 != 0 {
				if vsize < 16 {
					errs = append(errs, fmt.Errorf("page %d: element %d is a bucket too short to be one", r.id, i))
				} else if root := ne.Uint64(page[v:]); root != 0 {
					stack = append(stack, ref{root, r.id})
				} else if err := checkInline(page[v+16 : v+vsize]); err != nil {
					errs = append(errs, fmt.Errorf("page %d: element %d: %w", r.id, i, err))
				}
			}
		}
	}
	return errs, seen
}
