package etcdstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

const (
	pemCert = "CERTIFICATE"
	pemKey  = "PRIVATE KEY"
)

// Desk is what a desk connects with: its certificate and key, and the
// office's CA (its file, made by IssueDesk, holds all three as PEM).
type Desk struct {
	Name string // the certificate's common name: the desk's etcd user
	Cert tls.Certificate
	CA   *x509.CertPool
}

// Ends is when the desk's certificate ends (it cannot connect after).
func (d *Desk) Ends() time.Time {
	if d.Cert.Leaf == nil {
		return time.Time{}
	}
	return d.Cert.Leaf.NotAfter
}

// TLS is the desk's client configuration for the office server.
func (d *Desk) TLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{d.Cert}, RootCAs: d.CA, MinVersion: tls.VersionTLS13}
}

// ReadDesk reads a desk's file (IssueDesk's output).
func ReadDesk(data []byte) (*Desk, error) {
	bad := func(what string) error {
		return fp.Errorf(fp.EINVALID, "this is not a desk's file of an office server (%s): ask the server's administrator for one (fieldprint desk add)", what)
	}
	var certs []*x509.Certificate
	var ders [][]byte
	var keyDER []byte
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		switch b.Type {
		case pemCert:
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, bad("a damaged certificate")
			}
			certs, ders = append(certs, c), append(ders, b.Bytes)
		case pemKey:
			keyDER = b.Bytes
		}
	}
	d := &Desk{CA: x509.NewCertPool()}
	var leaf []byte
	for i, c := range certs {
		if c.IsCA {
			d.CA.AddCert(c)
		} else if leaf == nil {
			leaf, d.Name = ders[i], c.Subject.CommonName
		}
	}
	if leaf == nil || keyDER == nil || len(certs) < 2 {
		return nil, bad("it lacks the desk's certificate, its key or the office's CA")
	}
	c, err := tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: pemCert, Bytes: leaf}), pem.EncodeToMemory(&pem.Block{Type: pemKey, Bytes: keyDER}))
	if err != nil {
		return nil, bad("the key is not the certificate's")
	}
	d.Cert = c
	return d, nil
}

// ReadDeskFile reads a desk's file at path.
func ReadDeskFile(path string) (*Desk, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fp.Errorf(fp.EINVALID, "the desk's file %s cannot be read: %v", path, errors.Unwrap(err))
	}
	return ReadDesk(data)
}

// DialTimeout is how long Open waits for the server.
const DialTimeout = 5 * time.Second

// Endpoint checks and completes an office server's address: "HOST:PORT"
// or "https://HOST:PORT" (a missing port is 2379).
func Endpoint(addr string) (string, error) {
	a := strings.TrimSpace(addr)
	if !strings.Contains(a, "://") {
		a = "https://" + a
	}
	u, err := url.Parse(a)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", fp.Errorf(fp.EINVALID, "%q is not an office server's address: give it as https://HOST:2379", addr)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "2379")
	}
	return "https://" + u.Host, nil
}

// Open connects to the office server at endpoint ("https://HOST:2379") as
// desk d, checks within DialTimeout that it answers and admits the desk,
// and runs the contract on it.
func Open(endpoint string, d *Desk) (*Store, error) {
	ep, err := Endpoint(endpoint)
	if err != nil {
		return nil, err
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints:          []string{ep},
		TLS:                d.TLS(),
		DialTimeout:        DialTimeout,
		MaxCallSendMsgSize: ServerMaxRequestBytes + 1<<20,
		Logger:             zap.NewNop(), // its warnings may name keys
		// A connection cut without a word (a cable pulled) is noticed
		// within 15 s (etcd refuses pings more often than every 5 s);
		// a stopped server at once (away.go).
		DialKeepAliveTime:    10 * time.Second,
		DialKeepAliveTimeout: 5 * time.Second,
		// Reconnect soon after the server is back: gRPC's default waits
		// up to two minutes between attempts.
		DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 250 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second},
			MinConnectTimeout: DialTimeout,
		})},
	})
	if err != nil {
		return nil, fp.Internal("the office server "+hostOf(ep)+" does not answer: check the network or ask your IT contact; nothing was changed", err)
	}
	s := New(c, true)
	s.desk = d.Name
	ctx, cancel := context.WithTimeout(context.Background(), DialTimeout)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	go s.watchPresence()
	return s, nil
}

// Ping asks the server for its revision within timeout: whether it answers.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.c.Get(ctx, commitKey, clientv3.WithCountOnly())
	if err != nil {
		return s.unreachable(err, reading)
	}
	return nil
}
