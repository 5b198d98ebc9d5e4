package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// The office server's folder (Config.Dir):
//
//	pki/ca.crt, pki/ca.key          the office's certificate authority (made on first start)
//	pki/server.crt, pki/server.key  the server's certificate (its names: Hosts, the listen
//	                                address, this machine's name and addresses)
//	pki/admin.crt, pki/admin.key    the server's own client certificate (etcd user root)
//	desks/NAME.crt                  each desk's certificate (its key is only in the desk's file)
//	desks/NAME.removed              a removed desk's certificate (its name is not given again)
//	etcd/                           etcd's data
//	serve.log                       etcd's warnings and errors (never values)
//
// Keys are ECDSA P-256, files 0600 in 0700 folders.
const (
	pkiDir   = "pki"
	desksDir = "desks"
	etcdDir  = "etcd"
	LogFile  = "serve.log"

	removedSuffix = ".removed"

	adminUser = "root" // etcd's superuser: the server's own client certificate
)

const (
	caYears     = 20
	leafYears   = 5
	clockSkew   = time.Hour // certificates are valid from an hour before they are made
	pemCert     = "CERTIFICATE"
	pemKey      = "PRIVATE KEY"
	deskPattern = `^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$`
)

var deskName = regexp.MustCompile(deskPattern)

// CheckDeskName refuses a desk name that cannot be a file name and an
// etcd user on every system.
func CheckDeskName(name string) error {
	if !deskName.MatchString(name) || strings.HasSuffix(name, " ") || strings.HasSuffix(name, ".") || name == adminUser {
		return fp.Errorf(fp.EINVALID, "a desk's name is 1 to 63 letters, digits, spaces, dots, dashes or underscores, beginning with a letter or digit (and not %q): %q", adminUser, name)
	}
	return nil
}

type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func (k keyPair) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{k.der}, PrivateKey: k.key, Leaf: k.cert}
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// issue makes a key and a certificate signed by ca (nil: self-signed CA).
func issue(ca *keyPair, tmpl *x509.Certificate) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	if tmpl.SerialNumber, err = serial(); err != nil {
		return keyPair{}, err
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return keyPair{}, err
	}
	return keyPair{cert: cert, der: der, key: key}, nil
}

func newCA(office string) (keyPair, error) {
	now := time.Now()
	return issue(nil, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Fieldprint office CA " + office, Organization: []string{"Fieldprint"}},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.AddDate(caYears, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	})
}

func newServerCert(ca *keyPair, hosts []string) (keyPair, error) {
	now := time.Now()
	t := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "fieldprint serve", Organization: []string{"Fieldprint"}},
		NotBefore:   now.Add(-clockSkew),
		NotAfter:    now.AddDate(leafYears, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, h)
		}
	}
	return issue(ca, t)
}

// newClientCert is a desk's certificate (or the server's own, CN root):
// etcd takes its common name as the user.
func newClientCert(ca *keyPair, cn string) (keyPair, error) {
	now := time.Now()
	return issue(ca, &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn, Organization: []string{"Fieldprint desk"}},
		NotBefore:   now.Add(-clockSkew),
		NotAfter:    now.AddDate(leafYears, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

func certPEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: pemCert, Bytes: der}) }

func keyPEM(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemKey, Bytes: der}), nil
}

// writeFile writes data to path whole or not at all (temp file, sync, rename).
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func savePair(dir, name string, k keyPair) error {
	kp, err := keyPEM(k.key)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, name+".key"), kp); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, name+".crt"), certPEM(k.der))
}

func loadPair(dir, name string) (keyPair, error) {
	cp, err := os.ReadFile(filepath.Join(dir, name+".crt"))
	if err != nil {
		return keyPair{}, err
	}
	kp, err := os.ReadFile(filepath.Join(dir, name+".key"))
	if err != nil {
		return keyPair{}, err
	}
	c, err := tls.X509KeyPair(cp, kp)
	if err != nil {
		return keyPair{}, err
	}
	key, ok := c.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return keyPair{}, fmt.Errorf("%s.key is not an ECDSA key", name)
	}
	return keyPair{cert: c.Leaf, der: c.Certificate[0], key: key}, nil
}

// pki is the office's certificates, loaded or made.
type pki struct {
	dir    string // Config.Dir/pki
	ca     keyPair
	server keyPair
	admin  keyPair
}

// loadPKI loads the certificates kept in dir, making what is missing: the
// CA and the server's own client certificate on first start, and the
// server's certificate again when it does not name every host in hosts.
func loadPKI(dir string, hosts []string) (*pki, bool, error) {
	p := &pki{dir: filepath.Join(dir, pkiDir)}
	made := false
	var err error
	if p.ca, err = loadPair(p.dir, "ca"); errors.Is(err, os.ErrNotExist) {
		if p.ca, err = newCA(filepath.Base(dir)); err == nil {
			err = savePair(p.dir, "ca", p.ca)
			made = true
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("the office's certificate authority: %w", err)
	}
	if p.admin, err = loadPair(p.dir, "admin"); errors.Is(err, os.ErrNotExist) {
		if p.admin, err = newClientCert(&p.ca, adminUser); err == nil {
			err = savePair(p.dir, "admin", p.admin)
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("the server's client certificate: %w", err)
	}
	p.server, err = loadPair(p.dir, "server")
	if err == nil && (!names(p.server.cert, hosts) || p.server.cert.CheckSignatureFrom(p.ca.cert) != nil || time.Until(p.server.cert.NotAfter) < 30*24*time.Hour) {
		err = os.ErrNotExist // made again: a new name, or close to its end
	}
	if errors.Is(err, os.ErrNotExist) {
		if p.server, err = newServerCert(&p.ca, hosts); err == nil {
			err = savePair(p.dir, "server", p.server)
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("the server's certificate: %w", err)
	}
	return p, made, nil
}

// names reports whether c names every host.
func names(c *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if c.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func (p *pki) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca.cert)
	return pool
}

// issueDesk makes a desk's certificate, records it in desks/ and returns
// the desk's file: certificate, key, CA.
func (p *pki) issueDesk(dir, name string) ([]byte, error) {
	if err := CheckDeskName(name); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, desksDir, name+".crt")
	if _, err := os.Stat(path); err == nil {
		return nil, fp.Errorf(fp.ECONFLICT, "the desk %q already has a certificate (%s): choose another name", name, path)
	}
	if _, err := os.Stat(filepath.Join(dir, desksDir, name+removedSuffix)); err == nil {
		// etcd admits a certificate by its name: the removed desk's old
		// file would be admitted again with the new one.
		return nil, fp.Errorf(fp.ECONFLICT, "the desk %q was removed: its name is not given again (its old file would be admitted with it); choose another name", name)
	}
	k, err := newClientCert(&p.ca, name)
	if err != nil {
		return nil, err
	}
	if err := writeFile(path, certPEM(k.der)); err != nil {
		return nil, err
	}
	return p.deskFile(name, k)
}

// deskFile is the desk's file: its certificate, its key, the office's CA.
func (p *pki) deskFile(name string, k keyPair) ([]byte, error) {
	kp, err := keyPEM(k.key)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Fieldprint desk %q of the office server: keep this file private (it admits the desk).\n", name)
	b.Write(certPEM(k.der))
	b.Write(kp)
	b.Write(certPEM(p.ca.der))
	return b.Bytes(), nil
}

// Renewal. A desk's certificate lasts leafYears; `fieldprint desk renew`
// issues the desk a new one (a new key too) under the same name, and
// records it first in desks/NAME.crt, the previous ones after it while
// they have not ended: the desk keeps working with its old file until the
// new one is installed, and the old one stops at its end. It is not
// revoked at once: etcd admits a certificate by its name, so it could not
// be without a revocation list, and a renewal is for a certificate
// nearing its end, not a lost one (a lost or stolen desk's file: desk
// remove, and add the desk under another name).

// RenewWithin is how long before its end a desk's certificate is said to
// need renewing (at the desk, and in desk list).
const RenewWithin = 60 * 24 * time.Hour

// CAWarnWithin is how long before the office CA's end the server warns.
const CAWarnWithin = 365 * 24 * time.Hour

// RenewDesk issues the admitted desk name of the server's folder dir a
// new certificate and key (the server need not run) and returns the
// desk's new file.
func RenewDesk(dir, name string) ([]byte, error) {
	if err := CheckDeskName(name); err != nil {
		return nil, err
	}
	p, err := loadExistingPKI(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, desksDir, name+".crt")
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, desksDir, name+removedSuffix)); err == nil {
			return nil, fp.Errorf(fp.EINVALID, "the desk %q was removed: a removed desk is not renewed (add it under another name); nothing was changed", name)
		}
		return nil, fp.Errorf(fp.ENOTFOUND, "no desk %q was added to the office server in %s (fieldprint desk list shows them); nothing was changed", name, dir)
	} else if err != nil {
		return nil, fp.Internal("the desk's certificate cannot be read", err)
	}
	k, err := newClientCert(&p.ca, name)
	if err != nil {
		return nil, err
	}
	record := certPEM(k.der)
	now := time.Now()
	for _, c := range parseCerts(old) {
		if now.Before(c.NotAfter) {
			record = append(record, certPEM(c.Raw)...)
		}
	}
	if err := writeFile(path, record); err != nil {
		return nil, fp.Internal("the desk's new certificate cannot be recorded", err)
	}
	return p.deskFile(name, k)
}

// parseCerts reads every certificate of PEM data.
func parseCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return out
		}
		if b.Type != pemCert {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// DeskInfo is one desk of the server's folder.
type DeskInfo struct {
	Name    string
	Removed bool
	// Ends is when its newest certificate ends (zero: removed, or its
	// record unreadable).
	Ends time.Time
	// PreviousEnds is when a renewed desk's previous certificate ends,
	// while it still admits the desk (zero: none).
	PreviousEnds time.Time
}

// DeskList lists the desks of the server's folder dir, admitted ones
// first, with their certificates' ends.
func DeskList(dir string) ([]DeskInfo, error) {
	admitted, removed, err := Desks(dir)
	if err != nil {
		return nil, err
	}
	var out []DeskInfo
	now := time.Now()
	for _, n := range admitted {
		d := DeskInfo{Name: n}
		data, _ := os.ReadFile(filepath.Join(dir, desksDir, n+".crt"))
		for i, c := range parseCerts(data) {
			switch {
			case i == 0:
				d.Ends = c.NotAfter
			case now.Before(c.NotAfter) && c.NotAfter.After(d.PreviousEnds):
				d.PreviousEnds = c.NotAfter
			}
		}
		out = append(out, d)
	}
	for _, n := range removed {
		out = append(out, DeskInfo{Name: n, Removed: true})
	}
	return out, nil
}

// CAEnds is when the office CA of the server's folder dir ends.
func CAEnds(dir string) (time.Time, error) {
	data, err := os.ReadFile(filepath.Join(dir, pkiDir, "ca.crt"))
	if err != nil {
		return time.Time{}, err
	}
	cs := parseCerts(data)
	if len(cs) == 0 {
		return time.Time{}, errors.New("ca.crt holds no certificate")
	}
	return cs[0].NotAfter, nil
}

// CAWarning is what the server says when its CA is within CAWarnWithin of
// its end at now ("" when it is not).
func CAWarning(dir string, ends, now time.Time) string {
	if ends.IsZero() || ends.Sub(now) > CAWarnWithin {
		return ""
	}
	return fmt.Sprintf("the office's certificate authority (%s) ends on %s: after that no desk can connect. Plan its replacement before then (see OFFICE-SERVER.md, Certificates)",
		filepath.Join(dir, pkiDir, "ca.crt"), ends.Format("2006-01-02"))
}

// desks names every desk issued a certificate.
func desks(dir string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(dir, desksDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".crt"); ok && CheckDeskName(n) == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}
