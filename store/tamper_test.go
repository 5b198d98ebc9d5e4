package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	bolt "go.etcd.io/bbolt"
)

// The tamper tests work from outside, as someone who can write the file but
// has not the office's key: a real demo office is made, its checkpoint
// folder set, closed (which signs a checkpoint there); then a copy is
// edited through bbolt directly, reopened, and verified against the signed
// checkpoint file, as "fieldprint audit verify --checkpoint FILE" does.

// withoutKeys is a store on which demo.Load makes no office data key.
type withoutKeys struct{ *DB }

func (withoutKeys) SetUpKeys(fp.Actor, string) (string, error) { return "", nil }

// office is the closed demo office every case copies.
type office struct {
	dir, path string
	cps       []byte // the checkpoint file's lines after closing
}

func makeOffice(t *testing.T) office {
	t.Helper()
	dir := t.TempDir()
	o := office{dir: dir, path: filepath.Join(dir, "office.db")}
	db, err := Open(o.path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = fixedNow
	// An office without the data key: its records in the clear are the
	// strongest case for someone with the file, who can read and rewrite
	// them (an encrypted record cannot be rewritten without the key).
	if _, err := demo.Load(withoutKeys{db}, 25, db.Today()); err != nil {
		t.Fatal(err)
	}
	cpDir := filepath.Join(dir, "checkpoints")
	if err := os.Mkdir(cpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckpointFolder(demo.Admin, cpDir); err != nil {
		t.Fatal(err)
	}
	// A day's work after: checkpoints every fp.CheckpointEvery entries.
	for i := 0; i < 2*fp.CheckpointEvery; i++ {
		if _, err := db.RecordPrint(demo.Clerk, fp.RequestID(1+i%25), "record", "ab12"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(cpDir, "*.jsonl"))
	for _, n := range names {
		b, _ := os.ReadFile(n)
		o.cps = append(o.cps, b...)
	}
	if cps, bad := fp.ParseCheckpoints(o.cps); len(cps) < 3 || len(bad) > 0 {
		t.Fatalf("%d signed checkpoints written (%v), want one at the folder's setting, every %d entries and at closing", len(cps), bad, fp.CheckpointEvery)
	}
	return o
}

// copyOf copies the office (file, key, scans) to a new folder.
func (o office) copyOf(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	err := filepath.Walk(o.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(o.dir, p)
		if rel == "." || strings.HasPrefix(rel, "checkpoints") {
			return nil
		}
		to := filepath.Join(filepath.Dir(dst), strings.Replace(rel, "office.db", "copy.db", 1))
		if info.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// raw is the file opened with bbolt alone: the key space's values as the
// workflow stores them, behind their 8-byte revision.
type raw struct{ b *bolt.Bucket }

func (r raw) get(k string) []byte {
	v := r.b.Get([]byte(k))
	if len(v) < 8 {
		return nil
	}
	return bytes.Clone(v[8:])
}

func (r raw) put(k string, v []byte) {
	old := r.b.Get([]byte(k))
	rev := make([]byte, 8)
	if len(old) >= 8 {
		copy(rev, old[:8])
	}
	if err := r.b.Put([]byte(k), append(rev, v...)); err != nil {
		panic(err)
	}
}

func (r raw) del(k string) {
	if err := r.b.Delete([]byte(k)); err != nil {
		panic(err)
	}
}

func (r raw) keys(prefix string) []string {
	var out []string
	c := r.b.Cursor()
	for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out
}

func (r raw) entry(seq uint64) fp.AuditEntry {
	var e fp.AuditEntry
	json.Unmarshal(r.get(auditKey(seq)), &e)
	return e
}

func (r raw) putEntry(e fp.AuditEntry) {
	b, _ := json.Marshal(e)
	r.put(auditKey(e.Seq), b)
}

func (r raw) head() uint64 {
	ks := r.keys("audit/")
	return binary.BigEndian.Uint64([]byte(ks[len(ks)-1][len("audit/"):]))
}

// record returns the key and body of the first record whose body holds s.
func (r raw) record(s string) (string, []byte) {
	for _, k := range r.keys("requests/") {
		if v := r.get(k); len(v) > 33 && bytes.Contains(v[33:], []byte(s)) {
			return k, v[33:]
		}
	}
	panic("no record holds " + s)
}

// putRecord stores body as the record at k, pointing at entry hash.
func (r raw) putRecord(k, hash string, body []byte) {
	h := make([]byte, 32)
	for i := range h {
		h[i] = hexByte(hash[2*i])<<4 | hexByte(hash[2*i+1])
	}
	r.put(k, append(append([]byte{0x01}, h...), body...))
}

func hexByte(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

func auditKey(seq uint64) string { return "audit/" + string(u64(seq)) }

func numberOf(body []byte) string {
	var r struct {
		Number string `json:"number"`
	}
	json.Unmarshal(body, &r)
	return r.Number
}

// edit applies fn to the copy's file through bbolt.
func edit(t *testing.T, path string, fn func(r raw)) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error { fn(raw{tx.Bucket([]byte("kv"))}); return nil }); err != nil {
		t.Fatal(err)
	}
}

// verdict is what an office's verification finds in the copy: the
// problem against the signed checkpoints, and the consistency check's.
type verdict struct {
	problem *fp.AuditProblem
	check   []error
}

func (o office) verify(t *testing.T, path string) verdict {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		// A file that will not open is found too; say so plainly.
		return verdict{problem: &fp.AuditProblem{Reason: "the file does not open: " + err.Error()}}
	}
	defer db.Close()
	db.Now = fixedNow
	rep, err := db.VerifySigned(o.cps)
	if err != nil {
		return verdict{problem: &fp.AuditProblem{Reason: "verification failed: " + err.Error()}}
	}
	if rep.Against == nil && rep.Problem == nil {
		t.Fatalf("no signed checkpoint was used: %v", rep.Warnings)
	}
	return verdict{rep.Problem, db.Check()}
}

// rehash recomputes the links and hashes from entry from on, and points
// every record at its request's newest entry: a forger's full job.
func rehash(r raw, from uint64) {
	prev := fp.GenesisHash
	if from > 1 {
		prev = r.entry(from - 1).Hash
	}
	newest := map[string]string{}
	for seq := from; seq <= r.head(); seq++ {
		e := r.entry(seq)
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		r.putEntry(e)
		prev = e.Hash
	}
	for seq := uint64(1); seq <= r.head(); seq++ {
		if e := r.entry(seq); e.Request != "" {
			newest[e.Request] = e.Hash
		}
	}
	for _, k := range r.keys("requests/") {
		body := r.get(k)[33:]
		r.putRecord(k, newest[numberOf(body)], body)
	}
}

func TestTamperFromOutside(t *testing.T) {
	o := makeOffice(t)
	cps, _ := fp.ParseCheckpoints(o.cps)
	signed := cps[len(cps)-1].Count
	var review string // the request a forger moves on
	cases := []struct {
		name string
		fn   func(r raw)
		// what the verification must name: an entry, or a request
		seq     func(r raw) uint64
		request func() string
		check   bool // found by the consistency check (a derived row)
	}{
		{name: "a record's status changed (director review to ready to schedule)", fn: func(r raw) {
			k, body := r.record(`"status":"director-review"`)
			review = numberOf(body)
			v := r.get(k)
			r.put(k, bytes.Replace(v, []byte(`"status":"director-review"`), []byte(`"status":"ready-to-schedule"`), 1))
		}, request: func() string { return review }},
		{name: "a record's status changed, its queue row and indexes too", fn: func(r raw) {
			k, body := r.record(`"status":"director-review"`)
			review = numberOf(body)
			v := r.get(k)
			r.put(k, bytes.Replace(v, []byte(`"status":"director-review"`), []byte(`"status":"ready-to-schedule"`), 1))
			sk := "summaries/" + k[len("requests/"):]
			r.put(sk, bytes.Replace(r.get(sk), []byte(`"director-review"`), []byte(`"ready-to-schedule"`), 1))
		}, request: func() string { return review }},
		{name: "a record deleted", fn: func(r raw) {
			k, body := r.record(`"status":"director-review"`)
			review = numberOf(body)
			r.del(k)
		}, request: func() string { return review }},
		{name: "two records swapped", fn: func(r raw) {
			a, b := r.get("requests/"+string(u64(3))), r.get("requests/"+string(u64(4)))
			r.put("requests/"+string(u64(3)), b)
			r.put("requests/"+string(u64(4)), a)
			review = numberOf(b[33:])
		}, request: func() string { return review }},
		{name: "a record put back to an older version", fn: func(r raw) {
			// A record as an earlier entry recorded it cannot be made from
			// the chain; the closest a forger gets: the body kept, pointing
			// at the request's previous entry.
			k, body := r.record(`"status":"completed"`)
			review = numberOf(body)
			var prev string
			for seq := uint64(1); seq <= r.head(); seq++ {
				if e := r.entry(seq); e.Request == review {
					if e.Hash == fmt32(r.get(k)[1:33]) {
						break
					}
					prev = e.Hash
				}
			}
			r.putRecord(k, prev, body)
		}, request: func() string { return review }},
		{name: "an audit entry deleted", fn: func(r raw) { r.del(auditKey(40)) }, seq: fixed(40)},
		{name: "two audit entries reordered", fn: func(r raw) {
			a, b := r.get(auditKey(60)), r.get(auditKey(61))
			r.put(auditKey(60), b)
			r.put(auditKey(61), a)
		}, seq: fixed(60)},
		{name: "the chain truncated", fn: func(r raw) {
			for i := 0; i < 5; i++ {
				r.del(auditKey(r.head()))
			}
		}, seq: func(r raw) uint64 { return r.head() + 1 }},
		{name: "the chain truncated and the records pointed at what is left", fn: func(r raw) {
			for i := 0; i < 5; i++ {
				r.del(auditKey(r.head()))
			}
			rehash(r, r.head())
		}, seq: func(r raw) uint64 { return r.head() + 1 }},
		{name: "a forged entry appended with a valid hash (and its record changed to match)", fn: func(r raw) {
			k, body := r.record(`"status":"director-review"`)
			review = numberOf(body)
			body = bytes.Replace(body, []byte(`"status":"director-review"`), []byte(`"status":"ready-to-schedule"`), 1)
			last := r.entry(r.head())
			e := fp.AuditEntry{Seq: last.Seq + 1, At: last.At, User: "director", Action: fp.ActionRequestTransition, Request: review,
				Changes: []fp.Change{{Field: "status", Old: "director-review", New: "ready-to-schedule"}}, Note: "approved",
				Record: fp.RecordDigest(body), PrevHash: last.Hash}
			e.Hash = e.ComputeHash()
			r.putEntry(e)
			r.putRecord(k, e.Hash, body)
		}, seq: func(r raw) uint64 { return signed + 1 }},
		{name: "an entry changed and every hash after it recomputed", fn: func(r raw) {
			e := r.entry(30)
			e.User = "director"
			r.putEntry(e)
			rehash(r, 30)
		}, seq: func(r raw) uint64 { return firstCheckpointFrom(cps, 30) }},
		{name: "the first entries rewritten and everything after rehashed", fn: func(r raw) {
			e := r.entry(2)
			e.Note = "nothing happened"
			r.putEntry(e)
			rehash(r, 2)
		}, seq: func(r raw) uint64 { return firstCheckpointFrom(cps, 2) }},
		{name: "a queue row (summary) changed", fn: func(r raw) {
			k, body := r.record(`"status":"director-review"`)
			review = numberOf(body)
			sk := "summaries/" + k[len("requests/"):]
			r.put(sk, bytes.Replace(r.get(sk), []byte(`"director-review"`), []byte(`"ready-to-schedule"`), 1))
		}, request: func() string { return review }, check: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := o.copyOf(t)
			var want uint64
			edit(t, path, func(r raw) {
				tc.fn(r)
				if tc.seq != nil {
					want = tc.seq(r)
				}
			})
			v := o.verify(t, path)
			switch {
			case tc.check:
				found := false
				for _, err := range v.check {
					found = found || strings.Contains(err.Error(), tc.request())
				}
				if !found {
					t.Fatalf("the consistency check did not name %s: %v (verification: %v)", tc.request(), v.check, v.problem)
				}
			case v.problem == nil:
				t.Fatalf("not detected (consistency check: %v)", v.check)
			case tc.request != nil && v.problem.Request != tc.request():
				t.Fatalf("detected as %v, want request %s named", v.problem, tc.request())
			case tc.seq != nil && (v.problem.Seq != want || v.problem.Request != ""):
				t.Fatalf("detected as %v, want entry %d named", v.problem, want)
			}
			t.Logf("found: %v", v.problem)
		})
	}
}

func fixed(n uint64) func(raw) uint64 { return func(raw) uint64 { return n } }

func fmt32(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, c := range b {
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
}

// firstCheckpointFrom is the count of the first signed checkpoint at or
// after entry seq: where a rehashed history first shows.
func firstCheckpointFrom(cps []fp.SignedCheckpoint, seq uint64) uint64 {
	best := uint64(0)
	for _, c := range cps {
		if c.Count >= seq && (best == 0 || c.Count < best) {
			best = c.Count
		}
	}
	return best
}

// TestTamperRandomly makes many random raw edits of the history's keys
// (request records, audit entries, queue rows, the audit index, the
// numbers), each on a fresh copy, and requires every edit that changes
// meaning to be found: by the verification against the signed
// checkpoints, or (for rows derived from the records: queue rows, indexes)
// by the consistency check. Excluded, and counted: an edit whose value
// decodes to the same thing (encoding/json matches field names without
// regard to case, so "User" for "user" changes nothing a program reads).
func TestTamperRandomly(t *testing.T) {
	if raceEnabled {
		t.Skip("run without -race: make test does (see raceEnabled)")
	}
	o := makeOffice(t)
	n := 300
	if testing.Short() {
		n = 40
	}
	rng := rand.New(rand.NewSource(14))
	prefixes := []string{"requests/", "audit/", "requests/", "audit/", "summaries/", "idx/audit/", "numbers/"} // the history twice as often
	var history, byVerify, byCheck, excluded int
	for i := 0; i < n; i++ {
		path := o.copyOf(t)
		var what string
		meaningful := true
		p := prefixes[rng.Intn(len(prefixes))]
		primary := p == "requests/" || p == "audit/" // the history itself, not rows derived from it
		edit(t, path, func(r raw) {
			ks := r.keys(p)
			k := ks[rng.Intn(len(ks))]
			v := r.get(k)
			switch op := rng.Intn(5); {
			case op == 0 || len(v) == 0 && op != 1: // flip a byte
				if len(v) == 0 {
					r.put(k, []byte{byte(rng.Intn(256))})
					what = "a byte put into an empty value of " + p
					return
				}
				i := rng.Intn(len(v))
				nv := bytes.Clone(v)
				nv[i] ^= byte(1 + rng.Intn(255))
				r.put(k, nv)
				what = "a byte changed in " + p
				meaningful = changesMeaning(p, v, nv)
			case op == 1:
				r.del(k)
				what = "a key deleted from " + p
			case op == 2: // swap with another key's value
				k2 := ks[rng.Intn(len(ks))]
				v2 := r.get(k2)
				r.put(k, v2)
				r.put(k2, v)
				what = "two values swapped in " + p
				meaningful = !bytes.Equal(v, v2)
			case op == 3: // cut short
				nv := v[:rng.Intn(len(v))]
				r.put(k, nv)
				what = "a value cut short in " + p
			default: // a JSON text value changed
				nv := changeJSONValue(rng, v)
				r.put(k, nv)
				what = "a field's text changed in " + p
				meaningful = changesMeaning(p, v, nv)
			}
		})
		if !meaningful {
			excluded++
			continue
		}
		v := o.verify(t, path)
		if primary {
			history++
		}
		switch {
		case v.problem != nil:
			byVerify++
		case primary:
			t.Errorf("edit %d (%s) of the history itself was not found by the verification (consistency check: %v)", i, what, v.check)
		case len(v.check) > 0:
			byCheck++
		default:
			t.Errorf("edit %d (%s) was not detected", i, what)
		}
	}
	t.Logf("%d random raw edits: %d change meaning (%d of records and entries, %d of derived rows), %d found by the verification against the signed checkpoints, %d more by the consistency check; %d excluded (decode to the same)",
		n, n-excluded, history, n-excluded-history, byVerify, byCheck, excluded)
	if excluded > n/4 {
		t.Errorf("%d of %d edits excluded: the test no longer tests much", excluded, n)
	}
}

// changesMeaning reports whether a value edited from a to b reads
// differently: for an audit entry, its decoded fields; for anything else
// (records are digested byte for byte, queue rows compared byte for
// byte, index values are keys), any byte.
func changesMeaning(prefix string, a, b []byte) bool {
	if prefix != "audit/" {
		return !bytes.Equal(a, b)
	}
	var ea, eb fp.AuditEntry
	if json.Unmarshal(b, &eb) != nil {
		return true
	}
	json.Unmarshal(a, &ea)
	return !reflect.DeepEqual(ea, eb)
}

// changeJSONValue replaces one "…" text in v by another of the same length.
func changeJSONValue(rng *rand.Rand, v []byte) []byte {
	var spans [][2]int
	for i := 0; i < len(v); i++ {
		if v[i] == ':' && i+1 < len(v) && v[i+1] == '"' {
			j := bytes.IndexByte(v[i+2:], '"')
			if j > 0 {
				spans = append(spans, [2]int{i + 2, i + 2 + j})
			}
		}
	}
	if len(spans) == 0 {
		return append(bytes.Clone(v), ' ')
	}
	s := spans[rng.Intn(len(spans))]
	out := bytes.Clone(v)
	for i := s[0]; i < s[1]; i++ {
		out[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.Intn(36)]
	}
	return out
}
