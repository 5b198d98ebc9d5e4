package fieldprint

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SignedCheckpoint is a checkpoint of the audit chain signed with the
// office's key, kept outside the database (a folder the administrator
// chooses, a backup, the day sheet): whoever can write the database file
// cannot write a checkpoint the office's key did not sign, so a history
// truncated, rewritten or extended behind Fieldprint's back shows against it.
//
// The key is the office's stamp signing key (the one whose public half the
// database's history records, see stamp.key entries): one office identity to
// keep, back up and recognise, and one already beside the database where
// Fieldprint can use it without asking anyone for a secret. A checkpoint
// signature can never pass for a stamp's, nor a stamp's for a checkpoint's:
// each signs a canonical form whose first line names what it is
// ("v=FPCHECKPOINT1" here, "v=FPSTAMP1" for stamps).
type SignedCheckpoint struct {
	Checkpoint
	// Chain is the hash of the chain's first entry: which database's
	// history this is (several desks may write to one shared folder).
	Chain  string
	Office string
	At     time.Time
	// UnsignedFrom..UnsignedTo are entries Fieldprint found in the chain,
	// when it opened the database, that no earlier checkpoint covered
	// (written while it was closed, or lost in a crash): this checkpoint
	// covers them, and says so, so they are never taken for signed history.
	UnsignedFrom, UnsignedTo uint64
	Key                      ed25519.PublicKey
	Sig                      []byte
}

const checkpointVersion = "FPCHECKPOINT1"

// canonical is what the signature covers: fixed order, one field a line.
func (s SignedCheckpoint) canonical() []byte {
	var b bytes.Buffer
	for _, kv := range [][2]string{
		{"v", checkpointVersion}, {"key", KeyID(s.Key)}, {"chain", s.Chain}, {"office", s.Office},
		{"count", strconv.FormatUint(s.Count, 10)}, {"hash", s.Hash}, {"at", s.At.UTC().Format(time.RFC3339)},
		{"unsigned", fmt.Sprintf("%d-%d", s.UnsignedFrom, s.UnsignedTo)},
	} {
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(strings.NewReplacer("\n", " ", "\r", " ").Replace(kv[1]))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Sign signs s (its At truncated to the second) with the office's key.
func (s SignedCheckpoint) Sign(priv ed25519.PrivateKey) SignedCheckpoint {
	s.At = s.At.UTC().Truncate(time.Second)
	s.Key = priv.Public().(ed25519.PublicKey)
	s.Sig = ed25519.Sign(priv, s.canonical())
	return s
}

// Verify checks the signature against the key the checkpoint names; the
// caller checks that key is the office's (recorded in the database).
func (s SignedCheckpoint) Verify() error {
	if len(s.Key) != ed25519.PublicKeySize || !ed25519.Verify(s.Key, s.canonical(), s.Sig) {
		return Errorf(EINVALID, "the checkpoint's signature does not verify: it was altered or not signed by the office's key")
	}
	return nil
}

// Describe is the checkpoint in one line people can read and compare:
// what a day sheet prints.
func (s SignedCheckpoint) Describe() string {
	sig := hex.EncodeToString(s.Sig)
	if len(sig) > 32 {
		sig = sig[:32]
	}
	return fmt.Sprintf("Audit trail signed %s: %d entries, newest %s, office key %s, signature %s… (fieldprint audit verify --checkpoint %d:%s)",
		s.At.UTC().Format("2006-01-02 15:04 UTC"), s.Count, s.Hash, s.KeyID(), sig, s.Count, s.Hash)
}

// KeyID names the key that signed.
func (s SignedCheckpoint) KeyID() string { return KeyID(s.Key) }

type checkpointLine struct {
	V            string    `json:"v"`
	Chain        string    `json:"chain"`
	Office       string    `json:"office"`
	Count        uint64    `json:"count"`
	Hash         string    `json:"hash"`
	At           time.Time `json:"at"`
	UnsignedFrom uint64    `json:"unsigned_from,omitempty"`
	UnsignedTo   uint64    `json:"unsigned_to,omitempty"`
	Key          []byte    `json:"key"`
	Sig          []byte    `json:"sig"`
}

// Line is the checkpoint as one line of a checkpoint file (JSON, newline-terminated).
func (s SignedCheckpoint) Line() []byte {
	b, _ := json.Marshal(checkpointLine{V: checkpointVersion, Chain: s.Chain, Office: s.Office, Count: s.Count, Hash: s.Hash,
		At: s.At.UTC(), UnsignedFrom: s.UnsignedFrom, UnsignedTo: s.UnsignedTo, Key: s.Key, Sig: s.Sig})
	return append(b, '\n')
}

// maxCheckpointLine is longer than any line Line writes (a long office name included).
const maxCheckpointLine = 4096

// ParseCheckpoints reads a checkpoint file: every line whose signature
// verifies, in order, and a note (line number and why) for every other
// non-empty line. It never fails: a damaged or forged line is a finding.
func ParseCheckpoints(data []byte) (cps []SignedCheckpoint, bad []string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1024), maxCheckpointLine)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var l checkpointLine
		if err := json.Unmarshal(text, &l); err != nil || l.V != checkpointVersion {
			bad = append(bad, fmt.Sprintf("line %d is not a Fieldprint checkpoint", n))
			continue
		}
		if _, err := hex.DecodeString(l.Hash); err != nil || len(l.Hash) != 64 {
			bad = append(bad, fmt.Sprintf("line %d: the hash is not a SHA-256", n))
			continue
		}
		s := SignedCheckpoint{Checkpoint: Checkpoint{Count: l.Count, Hash: l.Hash}, Chain: l.Chain, Office: l.Office, At: l.At,
			UnsignedFrom: l.UnsignedFrom, UnsignedTo: l.UnsignedTo, Key: l.Key, Sig: l.Sig}
		if err := s.Verify(); err != nil {
			bad = append(bad, fmt.Sprintf("line %d: the signature does not verify (altered, or not signed by an office key)", n))
			continue
		}
		cps = append(cps, s)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, fmt.Sprintf("after line %d: %v", n, err))
	}
	return cps, bad
}

// ActionCheckpointFolder audits a change of the checkpoint folder.
const ActionCheckpointFolder = "office.checkpoints"

// Checkpoints are written automatically to the folder the administrator
// chooses: after CheckpointEvery new entries, at the first entry more than
// CheckpointAfter after the last checkpoint, and when Fieldprint closes
// the database. So at most that much history is ever unsigned while the
// office works, and none once it has closed cleanly.
const (
	CheckpointEvery = 50
	CheckpointAfter = time.Hour
)

// NormalizeCheckpointFolder checks the folder an administrator typed or
// chose: absolute, or empty for none.
func NormalizeCheckpointFolder(dir string) (string, error) {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return "", nil
	}
	if !filepath.IsAbs(dir) {
		return "", Errorf(EINVALID, "the checkpoint folder must be a full path (from the drive or /), e.g. a USB drive or the office share")
	}
	if strings.ContainsAny(dir, "\x00\n\r") {
		return "", Errorf(EINVALID, "the checkpoint folder's name holds a control character")
	}
	return filepath.Clean(dir), nil
}

// AuditReport is the result of verifying the history: the chain, the
// request records against it, and (when there is one) the newest signed
// checkpoint. Problem is the first thing that does not verify; Warnings
// are what an administrator should look at although nothing was found
// altered (a changed key, a damaged line in the checkpoint file).
type AuditReport struct {
	Head     Checkpoint
	Problem  *AuditProblem
	Against  *SignedCheckpoint
	Warnings []string
}
