package workflow

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	fp "github.com/fieldprint/fieldprint"
)

// The bulk paths: many actions of one kind (the demo office, tools that
// bring in a caseload), each as its single call does it (the same checks,
// audit entry and status moves), written as many per transaction as the
// storage contract allows (inChunks), so a batch costs a few commits, not
// one per action. The actions run in the order given, so several on one
// request see each other. An error stops the batch at the action that
// failed: those before it are written, as if called one by one. Each
// returns the requests as each action left them, in the order given.

// AttachFiles is AttachFile of many files. Every file is checked first
// (who may attach it, SniffFile, several at a time): one refused stores
// nothing. The files are then stored (one key store write for all their
// keys, and through BatchFiles every file synced with each folder synced
// once), durable before the first transaction that refers to them commits.
func (db *Desk) AttachFiles(a fp.Actor, fs []fp.FileToAttach) ([]*fp.Request, error) {
	names := make([]string, len(fs))
	for i := range fs {
		names[i] = fp.DisplayName(fs[i].Name)
	}
	if err := db.view(func(tx *tx) error {
		a, err := authorize(tx, a)
		if err != nil {
			return err
		}
		rs := map[fp.RequestID]*fp.Request{} // each request read once
		for i, f := range fs {
			r, ok := rs[f.ID]
			if !ok {
				if r, err = getRequest(tx, f.ID); err != nil {
					return bulkError(i, err)
				}
				rs[f.ID] = r
			}
			if err := db.mayAttachTo(a, r, f.Item); err != nil {
				return bulkError(i, err)
			}
		}
		return nil
	}); err != nil {
		return nil, wrap(err, "no file was attached")
	}
	infos := make([]fp.FileInfo, len(fs))
	sums := make([]string, len(fs))
	data := make([][]byte, len(fs))
	errs := make([]error, len(fs))
	parallel(len(fs), func(i int) {
		if infos[i], errs[i] = fp.SniffFile(names[i], fs[i].Data, db.MaxFileBytes); errs[i] == nil {
			sums[i], data[i] = fp.Fingerprint(fs[i].Data), fs[i].Data
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, bulkError(i, err)
		}
	}

	db.filesMu.Lock()
	defer db.filesMu.Unlock()
	created, err := db.writeFiles(sums, data)
	if err == ErrLocked || storeSaid(err) {
		return nil, err
	} else if err != nil {
		return nil, fp.Internal("the files could not be stored: check the disk has space; nothing was attached", err)
	}
	out := make([]*fp.Request, len(fs))
	release := make([][]string, len(fs))
	done, err := db.inChunks(len(fs), func(tx *tx, i int) (err error) {
		out[i], release[i], err = db.changeDocTx(tx, a, fs[i].ID, db.attach(fs[i].Item, names[i], sums[i], infos[i]))
		return bulkError(i, err)
	})
	for _, rel := range release[:done] {
		db.removeScans(rel)
	}
	if err != nil {
		for i := done; i < len(fs); i++ {
			if created[i] {
				db.dropUnreferenced(sums[i])
			}
		}
		return nil, wrap(err, fmt.Sprintf("%d of %d files were attached", done, len(fs)))
	}
	return out, nil
}

// JudgeDocuments is JudgeDocument of many verdicts.
func (db *Desk) JudgeDocuments(a fp.Actor, js []fp.Judgement) ([]*fp.Request, error) {
	out := make([]*fp.Request, len(js))
	done, err := db.inChunks(len(js), func(tx *tx, i int) (err error) {
		out[i], _, err = db.changeDocTx(tx, a, js[i].ID, db.judge(js[i].Item, js[i].Verdict))
		return bulkError(i, err)
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("%d of %d checks were recorded", done, len(js)))
	}
	return out, nil
}

// TransitionRequests is TransitionRequest of many status changes.
func (db *Desk) TransitionRequests(a fp.Actor, cs []fp.StatusChange) ([]*fp.Request, error) {
	out := make([]*fp.Request, len(cs))
	done, err := db.inChunks(len(cs), func(tx *tx, i int) (err error) {
		out[i], err = db.transitionTx(tx, a, cs[i].ID, cs[i].To, cs[i].Reason)
		return bulkError(i, err)
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("%d of %d status changes were made", done, len(cs)))
	}
	return out, nil
}

// bulkError says which action of a batch was refused, keeping the domain
// code and message (an internal error, or a store's, passes as it is).
func bulkError(i int, err error) error {
	var e *fp.Error
	if err == nil || !errors.As(err, &e) || e.Code == fp.EINTERNAL || storeSaid(err) || errors.Is(err, fp.ErrTxnTooBig) {
		return err
	}
	c := *e
	c.Message = fmt.Sprintf("item %d of the batch: %s", i+1, e.Message)
	return &c
}

// parallel runs fn(0..n-1) on as many goroutines as there are processors.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
