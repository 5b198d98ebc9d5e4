// Package officedesk opens an office kept on an office server (`fieldprint
// serve`) as one of its desks: the workflow over the server's etcd
// (etcdstore), the per-request keys in the key space (workflow.New's
// default: every desk reads the keys another made), the scans' bytes kept
// and served by the server (etcdstore.Blobs), and this desk's name, from
// its certificate, in every audit entry and conflict message.
//
// An Office offers what a desk's own file (store.DB) offers the window and
// the commands, but the file's own tools: backups and restores of the
// server are the server's (OFFICE-SERVER.md).
package officedesk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/workflow"
)

// Config says which server to connect to, as which desk.
type Config struct {
	// Server is the office server's address: https://HOST:2379.
	Server string
	// DeskFile is the desk's file `fieldprint desk add` made: its
	// certificate, its key and the office's CA.
	DeskFile string
	// StampKey is where this desk keeps its private key for stamped
	// notices (each desk signs with its own; the office's key space lists
	// every public one, so any desk verifies any stamp).
	StampKey string
}

// Office is the office on its server, as this desk works on it.
type Office struct {
	*workflow.Desk
	store  *etcdstore.Store
	blobs  *etcdstore.Blobs
	server string // host:port
	desk   string
	live   live      // Changes (live.go)
	ends   time.Time // the desk's certificate's end
}

// Open connects to the server as the desk of cfg.DeskFile. An unreachable
// server, a desk's file of another office or a desk not admitted are
// refused with a message that says which, and that nothing was changed.
func Open(cfg Config) (*Office, error) {
	ep, err := etcdstore.Endpoint(cfg.Server)
	if err != nil {
		return nil, err
	}
	d, err := etcdstore.ReadDeskFile(cfg.DeskFile)
	if err != nil {
		return nil, err
	}
	if ends := d.Ends(); !ends.IsZero() && !time.Now().Before(ends) {
		return nil, fp.Errorf(fp.EFORBIDDEN, "this desk's certificate for the office server %s ended on %s: it cannot connect. %s; nothing was changed",
			ep[len("https://"):], ends.Format("2006-01-02"), renewHow(ep, d.Name))
	}
	// The blobs' address first: one HTTPS request says at once whether the
	// server answers, is the office's and admits this desk (etcd's client
	// waits out its timeout on each of them alike).
	blobs, err := etcdstore.NewBlobs(ep, d)
	if err != nil {
		return nil, err
	}
	if err := blobs.Ping(); err != nil {
		blobs.Close()
		return nil, err
	}
	st, err := etcdstore.Open(ep, d)
	if err != nil {
		blobs.Close()
		return nil, err
	}
	if cfg.StampKey != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.StampKey), 0o700); err != nil {
			st.Close()
			blobs.Close()
			return nil, fp.Errorf(fp.EINTERNAL, "the folder of this desk's stamp key cannot be made: %v", errors.Unwrap(err))
		}
	}
	blobs.RefuseWhileAway(st.Away)
	host := ep[len("https://"):]
	desk, err := workflow.New(st, blobs, cfg.StampKey, "the office server "+host)
	if err != nil {
		blobs.Close()
		st.Close()
		return nil, err
	}
	desk.UseServerDesk(d.Name)
	return &Office{Desk: desk, store: st, blobs: blobs, server: host, desk: d.Name, ends: d.Ends()}, nil
}

// RenewWithin is how long before its end a desk's certificate is said to
// need renewing (server.RenewWithin, the same).
const RenewWithin = 60 * 24 * time.Hour

// CertificateEnds is when this desk's certificate ends: it cannot connect
// after.
func (o *Office) CertificateEnds() time.Time { return o.ends }

// RenewalWarning says, within RenewWithin of the desk's certificate's end
// at now, when it ends and what the IT person runs; "" before.
func (o *Office) RenewalWarning(now time.Time) string {
	if o.ends.IsZero() || o.ends.Sub(now) > RenewWithin {
		return ""
	}
	return fmt.Sprintf("This desk's certificate for the office server %s ends on %s: after that this desk cannot connect. %s.",
		o.server, o.ends.Format("2006-01-02"), renewHow("https://"+o.server, o.desk))
}

// renewHow is what the IT person does to renew the desk's certificate.
func renewHow(endpoint, desk string) string {
	return fmt.Sprintf("Ask your IT contact to run on the server: fieldprint desk renew %q --data DIR --out FILE, then connect this desk with the new file: fieldprint --server %s --desk-file FILE", desk, endpoint)
}

// Away says whether the office server does not answer, and since when:
// noticed at once when its connection breaks, else within
// etcdstore.PingTimeout. While it is away every change and every read is
// refused at once with a message that says so (nothing is sent, nothing
// is saved: the window keeps what was typed), and it is back within about
// two seconds of the server's return.
func (o *Office) Away() (since time.Time, away bool) { return o.store.Away() }

// OnAway calls fn, from another goroutine, each time the server goes away
// (away, since when) or comes back (away false): the window says so.
func (o *Office) OnAway(fn func(since time.Time, away bool)) { o.store.OnAway(fn) }

// Server is the server's host:port.
func (o *Office) Server() string { return o.server }

// RoundTrips is how many requests this desk has sent the server (reads and
// commits), for benchmarks.
func (o *Office) RoundTrips() uint64 { return o.store.RoundTrips() }

// Name is this desk's name on the server (its certificate's).
func (o *Office) Name() string { return o.desk }

// Close writes the session's last checkpoint (workflow.Desk.Close) and
// disconnects.
func (o *Office) Close() error {
	o.stopLive()
	err := o.Desk.Close()
	o.blobs.Close()
	return err
}
