package fieldprint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StampFacts are what a stamped notice certifies: who had which biometrics
// collected, where, when and by whom. The signature covers exactly these.
type StampFacts struct {
	Office      string    `json:"office"`
	Request     string    `json:"request"` // FP number
	Person      string    `json:"person"`
	DateOfBirth Date      `json:"date_of_birth"`
	Collected   time.Time `json:"collected"` // office time, to the minute
	Officer     string    `json:"officer"`
	Captured    []Capture `json:"captured"`
	Code        int       `json:"code,omitempty"`
	KeyID       string    `json:"key_id"` // which office key signed
}

// stampVersion prefixes the canonical form and the QR text: a later format
// gets another number, and old stamps still verify.
const stampVersion = "FPSTAMP1"

// Canonical is the one byte string the signature covers: fixed field order,
// one per line, no field able to contain a line break.
func (f StampFacts) Canonical() []byte {
	var b bytes.Buffer
	caps := make([]string, len(f.Captured))
	for i, c := range f.Captured {
		caps[i] = string(c)
	}
	for _, kv := range [][2]string{
		{"v", stampVersion}, {"key", f.KeyID}, {"office", f.Office}, {"request", f.Request}, {"person", f.Person},
		{"born", f.DateOfBirth.String()}, {"collected", f.Collected.Format("2006-01-02T15:04Z07:00")}, {"officer", f.Officer},
		{"captured", strings.Join(caps, ",")}, {"code", strconv.Itoa(f.Code)},
	} {
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(strings.NewReplacer("\n", " ", "\r", " ").Replace(kv[1]))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// parseCanonical is the inverse of Canonical.
func parseCanonical(b []byte) (StampFacts, error) {
	var f StampFacts
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	want := []string{"v", "key", "office", "request", "person", "born", "collected", "officer", "captured", "code"}
	if len(lines) != len(want) {
		return f, fmt.Errorf("has %d fields, not %d", len(lines), len(want))
	}
	vals := map[string]string{}
	for i, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k != want[i] {
			return f, fmt.Errorf("field %d is not %q", i+1, want[i])
		}
		vals[k] = v
	}
	if vals["v"] != stampVersion {
		return f, fmt.Errorf("is format %q", vals["v"])
	}
	f.KeyID, f.Office, f.Request, f.Person, f.Officer = vals["key"], vals["office"], vals["request"], vals["person"], vals["officer"]
	if vals["born"] != "" {
		d, err := ParseDate(vals["born"])
		if err != nil {
			return f, fmt.Errorf("date of birth: %v", ErrorMessage(err))
		}
		f.DateOfBirth = d
	}
	t, err := time.Parse("2006-01-02T15:04Z07:00", vals["collected"])
	if err != nil {
		return f, fmt.Errorf("collection time %q", vals["collected"])
	}
	f.Collected = t
	if vals["captured"] != "" {
		if f.Captured, err = ParseCaptures(vals["captured"]); err != nil {
			return f, err
		}
	}
	if f.Code, err = strconv.Atoi(vals["code"]); err != nil {
		return f, fmt.Errorf("code %q", vals["code"])
	}
	return f, nil
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// Stamp is a signed stamped notice.
type Stamp struct {
	Code      string     `json:"code"` // the short code printed on the stamp
	Facts     StampFacts `json:"facts"`
	Signature []byte     `json:"signature"`
	IssuedAt  time.Time  `json:"issued_at"`
	IssuedBy  string     `json:"issued_by"`
	Copies    int        `json:"copies"`
}

// SignStamp signs f with the office key.
func SignStamp(priv ed25519.PrivateKey, f StampFacts) Stamp {
	f.KeyID = KeyID(priv.Public().(ed25519.PublicKey))
	sig := ed25519.Sign(priv, f.Canonical())
	return Stamp{Code: ShortCode(sig), Facts: f, Signature: sig}
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ShortCode is the code printed on the stamp and typed at a counter: 50 bits
// of the signature's hash, as XXXXX-XXXXX in letters and digits people can
// read aloud.
func ShortCode(sig []byte) string {
	h := sha256.Sum256(sig)
	s := b32.EncodeToString(h[:])[:10]
	return s[:5] + "-" + s[5:]
}

// NormalizeShortCode accepts the code typed with any case, spaces or dashes.
func NormalizeShortCode(s string) (string, bool) {
	c := SqueezeUpper(s)
	if len(c) != 10 {
		return "", false
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return "", false
		}
	}
	return c[:5] + "-" + c[5:], true
}

// QRText is what the stamp's QR code holds: the certified facts and the
// signature, so a notice can be checked with nothing but the office's public key.
func (s Stamp) QRText() string {
	enc := base64.RawURLEncoding
	return stampVersion + ":" + enc.EncodeToString(s.Facts.Canonical()) + "." + enc.EncodeToString(s.Signature)
}

// ParseQRText reads a scanned stamp back into its facts and signature.
func ParseQRText(s string) (StampFacts, []byte, error) {
	body, ok := strings.CutPrefix(strings.TrimSpace(s), stampVersion+":")
	if !ok {
		return StampFacts{}, nil, Errorf(EINVALID, "this is not a Fieldprint stamp: its QR code starts %q (expected %s:)", cut(s, 12), stampVersion)
	}
	facts, sig, ok := strings.Cut(body, ".")
	enc := base64.RawURLEncoding
	fb, err1 := enc.DecodeString(facts)
	sb, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || len(sb) != ed25519.SignatureSize {
		return StampFacts{}, nil, Errorf(EINVALID, "the stamp's QR code is damaged or incomplete: scan it again")
	}
	f, err := parseCanonical(fb)
	if err != nil {
		return StampFacts{}, nil, Errorf(EINVALID, "the stamp's QR code does not hold a stamp: it %v", err)
	}
	return f, sb, nil
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// VerifySignature checks sig over f with pub. It names what is wrong.
func VerifySignature(pub ed25519.PublicKey, f StampFacts, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return Errorf(EINVALID, "the office key is not an Ed25519 public key")
	}
	if KeyID(pub) != f.KeyID {
		return Errorf(EINVALID, "NOT GENUINE: the stamp names signing key %s, not this office's key %s", f.KeyID, KeyID(pub))
	}
	if !ed25519.Verify(pub, f.Canonical(), sig) {
		return Errorf(EINVALID, "NOT GENUINE: the signature does not match what the notice certifies (a date, name or other fact was changed, or the signature was copied from another notice)")
	}
	return nil
}

// StampCheck is the answer to "is this notice genuine?".
type StampCheck struct {
	Genuine  bool       `json:"genuine"`
	Facts    StampFacts `json:"facts"`
	Code     string     `json:"code,omitempty"`
	Recorded bool       `json:"recorded"` // the office's database holds this stamp
	Copies   int        `json:"copies,omitempty"`
	Problem  string     `json:"problem,omitempty"`
}

// Describe says in words what a genuine stamp certifies.
func (f StampFacts) Describe() string {
	s := fmt.Sprintf("%s had %s collected at %s on %s at %s by officer %s (request %s",
		f.Person, CapturesText(f.Captured), f.Office, f.Collected.Format("2006-01-02"), f.Collected.Format("15:04 MST"), f.Officer, f.Request)
	if !f.DateOfBirth.IsZero() {
		s += ", born " + f.DateOfBirth.String()
	}
	if f.Code != 0 {
		s += ", biometric " + CodeLabel(f.Code)
	}
	return s + ")"
}
