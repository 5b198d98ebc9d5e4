package workflow

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// checkIndexes verifies that the indexes hold exactly the entries the records
// imply, and that summaries and numbers agree with the records.
func checkIndexes(tx *tx, on fp.Date) []error {
	var errs []error
	want := map[string]map[string]string{}
	for _, b := range [][]byte{iReceived, iStatus, iCategory, iReceipt, iANumber, iName, iDup, iComplete, iIncomplete, iSlots, iWalkIns} {
		want[string(b)] = map[string]string{}
	}
	sealed := tx.Bucket(bMeta).Get(kSealed) != nil
	inClear := func(b []byte, k, v []byte) {
		if sealed && !isSealed(v) {
			errs = append(errs, fmt.Errorf("%s %s is stored in the clear in an office whose data is encrypted", b, shownKey(string(bRequests), k)))
		}
	}
	idents := map[string]identity{} // what idx/ident must hold, by id key
	tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
		r := &fp.Request{}
		inClear(bRequests, k, recordBody(v))
		bodySealed := isSealed(recordBody(v))
		if err := tx.decodeRecord(k, v, r); err == errKeyGone {
			errs = append(errs, fmt.Errorf("record %s: its key is not in the key store %s: it was purged after the backup restored here was made (run fieldprint purge to finish it); if nothing was purged, the key store was lost or replaced: restore the newest backup",
				shownKey(string(bRequests), k), tx.desk.KeyStorePath()))
			return nil
		} else if err != nil {
			errs = append(errs, fmt.Errorf("record %s: %v", shownKey(string(bRequests), k), err))
			return nil
		}
		summary := r.Summary(on)
		var h *vault.Key
		if bodySealed {
			h = tx.rk.hashKey()
		}
		for _, e := range indexEntries(r, summary, h) {
			want[string(e.bucket)][string(e.key)] = string(e.value)
		}
		if bodySealed {
			idents[string(k)] = identityOf(r)
		}
		sum, _ := json.Marshal(summary)
		stored := tx.Bucket(bSummaries).Get(k)
		inClear(bSummaries, k, stored)
		if got, err := tx.Bucket(bSummaries).opened(k, stored); err != nil || !bytes.Equal(got, sum) {
			errs = append(errs, fmt.Errorf("%s: summary does not match the record", r.Number))
		}
		if got := tx.Bucket(bNumbers).Get([]byte(r.Number)); !bytes.Equal(got, k) {
			errs = append(errs, fmt.Errorf("%s: number index does not point at the record", r.Number))
		}
		return nil
	})
	ib := idx(tx, iIdent)
	ib.ForEach(func(k, v []byte) error {
		want, ok := idents[string(k)]
		delete(idents, string(k))
		var got identity
		plain, err := ib.opened(k, v)
		if err == nil {
			err = json.Unmarshal(plain, &got)
		}
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("index ident: stale entry %s", shownKey(string(bRequests), k)))
		case err != nil:
			errs = append(errs, fmt.Errorf("index ident: entry %s: %v", shownKey(string(bRequests), k), err))
		case !got.equal(want):
			errs = append(errs, fmt.Errorf("index ident: entry %s does not match the record", shownKey(string(bRequests), k)))
		}
		return nil
	})
	if len(idents) > 0 {
		errs = append(errs, fmt.Errorf("index ident: %d entries missing", len(idents)))
	}
	if ab := tx.Bucket(bAudit); ab != nil { // schema 2 on
		want[string(iAudit)] = map[string]string{}
		ab.ForEach(func(k, v []byte) error {
			var e fp.AuditEntry
			if json.Unmarshal(v, &e) == nil && e.Request != "" {
				want[string(iAudit)][string(cat([]byte(e.Request), sep, k))] = ""
			}
			return nil
		})
	}
	for name, entries := range want {
		b := idx(tx, []byte(name))
		if b == nil { // an index a later schema adds
			continue
		}
		n := 0 // entries found that the records imply
		b.ForEach(func(k, v []byte) error {
			if wv, ok := entries[string(k)]; !ok {
				errs = append(errs, fmt.Errorf("index %s: stale entry %s", name, shownKey(name, k)))
			} else {
				n++
				if wv != string(v) {
					errs = append(errs, fmt.Errorf("index %s: entry %s has value %q, want %q", name, shownKey(name, k), v, wv))
				}
			}
			return nil
		})
		if n < len(entries) {
			errs = append(errs, fmt.Errorf("index %s: %d entries missing", name, len(entries)-n))
		}
	}
	counts := map[string]uint64{}
	tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
		var r struct {
			Status   fp.Status   `json:"status"`
			Category fp.Category `json:"category"`
		}
		if tx.decodeRecord(k, v, &r) == nil {
			counts[string(countKey(r.Status, r.Category))]++
		}
		return nil
	})
	tx.Bucket(bCounts).ForEach(func(k, v []byte) error {
		st, ct, _ := bytes.Cut(k, sep)
		if n := counts[string(k)]; len(v) != 8 || binary.BigEndian.Uint64(v) != n {
			errs = append(errs, fmt.Errorf("count of %s %s requests: %x stored, %d records", ct, st, v, n))
		}
		delete(counts, string(k))
		return nil
	})
	for k, n := range counts {
		st, ct, _ := strings.Cut(k, string(sep))
		errs = append(errs, fmt.Errorf("count of %s %s requests: none stored, %d records", ct, st, n))
	}
	if o, known := readAuditOrder(tx); known {
		if m, err := measureAuditOrder(tx); err == nil && m.back > o.back {
			errs = append(errs, fmt.Errorf("meta/audit-order: the audit trail steps back %v in time, %v recorded: a report may miss entries", m.back, o.back))
		}
	} else if tx.Bucket(bAudit).Count() > 0 {
		errs = append(errs, fmt.Errorf("meta/audit-order is missing: open the database once with this Fieldprint"))
	}
	if a, b := tx.Bucket(bRequests).Count(), tx.Bucket(bSummaries).Count(); a != b {
		errs = append(errs, fmt.Errorf("%d records but %d summaries", a, b))
	}
	return errs
}

// shownKey is a key as a problem report shows it. The name, receipt and
// A-number indexes' keys begin with an applicant's name or number, and a
// damaged record key may hold anything: only the request id that ends them
// is shown, never personal data.
func shownKey(bucket string, k []byte) string {
	switch bucket {
	case string(bRequests):
		if len(k) == 8 {
			return fmt.Sprint(binary.BigEndian.Uint64(k))
		}
		return fmt.Sprintf("with a damaged %d-byte key", len(k))
	case string(iName), string(iReceipt), string(iANumber):
		if len(k) >= 8 {
			return fmt.Sprintf("of request %d", binary.BigEndian.Uint64(k[len(k)-8:]))
		}
		return fmt.Sprintf("(a damaged %d-byte key)", len(k))
	}
	return fmt.Sprintf("%q", k)
}
