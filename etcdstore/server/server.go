// Package server runs the office's store server (`fieldprint serve`): an
// embedded etcd, TLS only, each desk admitted by a client certificate the
// office's own CA issued (etcd auth on: the certificate's common name is
// the desk's etcd user, allowed the office's namespace only), with
// auto-compaction, periodic defragmentation and an explicit quota.
//
// Staff identity stays in Fieldprint (sign-in, roles, audit): a desk's
// certificate only admits the desk.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config says where and how the server runs.
type Config struct {
	// Dir is the server's folder (see pki.go for what it holds).
	Dir string
	// Listen is the client address, host:port (default DefaultListen;
	// port 0 picks a free one: Server.Addr says which).
	Listen string
	// Hosts are more names or addresses desks reach the server by, put in
	// its certificate (this machine's name and addresses are always there).
	Hosts []string
	// Retention is how much history auto-compaction keeps (default 1h):
	// a desk away longer reads everything again when it comes back.
	Retention time.Duration
	// DefragEvery is how often the database is defragmented (default 24h;
	// negative: never).
	DefragEvery time.Duration
	// QuotaBytes is the database's size limit (default DefaultQuota).
	QuotaBytes int64
	// Logger gets etcd's log (nil: warnings and errors into Dir/serve.log).
	Logger *zap.Logger
	// UnsafeNoFsync skips fsync: only for tests.
	UnsafeNoFsync bool
}

const (
	DefaultListen    = "127.0.0.1:2379"
	DefaultRetention = time.Hour
	DefaultDefrag    = 24 * time.Hour
	DefaultQuota     = 4 << 30 // 4 GiB: etcd's default is 2, its suggested largest 8
	deskRole         = "fieldprint-desk"
	addrFile         = "server.addr" // the address the running server listens on
)

// Server is a running office server.
type Server struct {
	e       *embed.Etcd
	admin   *clientv3.Client // as etcd's root, by the server's own certificate
	pki     *pki
	dir     string
	addr    string // host:port listening
	quota   int64
	lg      *zap.Logger
	logSync func() error
	// caWarning: the office CA is within CAWarnWithin of its end.
	caWarning string

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// Start starts the server in cfg.Dir, making its certificates on first
// start, and returns once it serves.
func Start(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, fp.Errorf(fp.EINVALID, "say where the server keeps its data (--data DIR)")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fp.Internal("cannot create the server's folder "+dir, err)
	}
	if err := finishRestore(dir); err != nil { // a restore stopped half-way
		return nil, err
	}
	listen := cmp(cfg.Listen, DefaultListen)
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fp.Errorf(fp.EINVALID, "--listen takes HOST:PORT (like %s): %v", DefaultListen, err)
	}
	p, _, err := loadPKI(dir, serverHosts(host, cfg.Hosts))
	if err != nil {
		return nil, fp.Internal("the server's certificates in "+dir+" cannot be made or read", err)
	}
	lg, logSync := cfg.Logger, func() error { return nil }
	if lg == nil {
		if lg, logSync, err = fileLogger(filepath.Join(dir, LogFile)); err != nil {
			return nil, fp.Internal("cannot write the server's log", err)
		}
	}
	s := &Server{pki: p, dir: dir, lg: lg, logSync: logSync, stop: make(chan struct{}), quota: cfg.QuotaBytes}
	if s.caWarning = CAWarning(dir, p.ca.cert.NotAfter, time.Now()); s.caWarning != "" {
		lg.Warn(s.caWarning)
	}
	if s.quota <= 0 {
		s.quota = DefaultQuota
	}
	ec := embed.NewConfig()
	ec.Name = "fieldprint"
	ec.Dir = filepath.Join(dir, etcdDir)
	cu := url.URL{Scheme: "https", Host: listen}
	pu := url.URL{Scheme: "http", Host: "127.0.0.1:0"} // one member: no peer ever dials it
	ec.ListenClientUrls, ec.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	ec.ListenPeerUrls, ec.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	ec.InitialCluster = ec.InitialClusterFromName(ec.Name)
	ec.ClientTLSInfo = transport.TLSInfo{
		CertFile:       filepath.Join(p.dir, "server.crt"),
		KeyFile:        filepath.Join(p.dir, "server.key"),
		TrustedCAFile:  filepath.Join(p.dir, "ca.crt"),
		ClientCertAuth: true,
		Logger:         lg,
	}
	ec.TlsMinVersion = "TLS1.3"
	ec.EnableGRPCGateway = false // gRPC only: no JSON gateway that would speak with the server's certificate
	// Scans' bytes, on the same address and TLS identity (blobs.go).
	ec.UserHandlers = map[string]http.Handler{etcdstore.BlobPath: s.blobHandler()}
	ec.AutoCompactionMode = embed.CompactorModePeriodic
	ec.AutoCompactionRetention = cmp(cfg.Retention, DefaultRetention).String()
	ec.QuotaBackendBytes = s.quota
	ec.MaxTxnOps = etcdstore.ServerMaxTxnOps
	ec.MaxRequestBytes = etcdstore.ServerMaxRequestBytes
	ec.BootstrapDefragThresholdMegabytes = 64
	// etcd's slow-request warnings quote the request's keys: a key may
	// name a person (an index), so they are never written.
	ec.WarningApplyDuration = 24 * time.Hour
	ec.WarningUnaryRequestDuration = 24 * time.Hour
	ec.Logger = "zap"
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	ec.UnsafeNoFsync = cfg.UnsafeNoFsync
	ec.Metrics = "basic"
	e, err := embed.StartEtcd(ec)
	if err != nil {
		return nil, startError(listen, err)
	}
	s.e = e
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, startError(listen, err)
	case <-time.After(time.Minute):
		e.Close()
		return nil, fp.Internal("the office server did not start within a minute (see "+filepath.Join(dir, LogFile)+")", nil)
	}
	s.addr = e.Clients[0].Addr().String()
	if err := s.connect(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.setupAuth(); err != nil {
		s.Close()
		return nil, fp.Internal("the server's users and roles cannot be set up", err)
	}
	if err := s.afterRestore(); err != nil {
		s.Close()
		return nil, fp.Internal("the first start after a restore could not mark the office for the desks to read again", err)
	}
	if err := writeFile(filepath.Join(dir, addrFile), []byte(s.addr+"\n")); err != nil {
		s.Close()
		return nil, fp.Internal("cannot write "+addrFile, err)
	}
	if every := cmp(cfg.DefragEvery, DefaultDefrag); every > 0 {
		s.wg.Add(1)
		go s.defragLoop(every)
	}
	s.wg.Add(1)
	go s.sweepLoop()
	return s, nil
}

func cmp[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func startError(listen string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use") {
		return fp.Errorf(fp.EINVALID, "the address %s is in use: another server runs there, or choose another with --listen", listen)
	}
	return fp.Internal("the office server did not start", err)
}

// serverHosts is every name the server's certificate carries: the listen
// host (unless it is every address), this machine's name and addresses,
// loopback, and the configured ones.
func serverHosts(listen string, extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if ip := net.ParseIP(listen); listen != "" && (ip == nil || !ip.IsUnspecified()) {
		hosts = append(hosts, listen)
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() {
				hosts = append(hosts, n.IP.String())
			}
		}
	}
	hosts = append(hosts, extra...)
	slices.Sort(hosts)
	return slices.Compact(hosts)
}

func fileLogger(path string) (*zap.Logger, func() error, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(f), zap.WarnLevel)
	return zap.New(core), f.Sync, nil
}

// adminTLS is the server's own client configuration (etcd's root).
func (s *Server) adminTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.pki.admin.tls()}, RootCAs: s.pki.pool(), MinVersion: tls.VersionTLS13}
}

// dialAddr is where a client on this machine reaches the server.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (s *Server) connect() error {
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{"https://" + dialAddr(s.addr)},
		TLS:         s.adminTLS(),
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return fp.Internal("the server cannot reach itself", err)
	}
	s.admin = c
	return nil
}

// setupAuth makes the desks' role and users and turns etcd auth on (first
// start), and adds a user for every desk issued a certificate since.
func (s *Server) setupAuth() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s.admin.AuthStatus(ctx)
	if err != nil {
		return err
	}
	if !st.Enabled {
		if _, err := s.admin.RoleAdd(ctx, deskRole); err != nil && !errors.Is(err, rpctypes.ErrRoleAlreadyExist) {
			return err
		}
		ns := etcdstore.Namespace
		if _, err := s.admin.RoleGrantPermission(ctx, deskRole, ns, clientv3.GetPrefixRangeEnd(ns), clientv3.PermissionType(clientv3.PermReadWrite)); err != nil {
			return err
		}
		if err := addUser(ctx, s.admin, adminUser, "root"); err != nil {
			return err
		}
	}
	names, err := desks(s.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := addUser(ctx, s.admin, n, deskRole); err != nil {
			return err
		}
	}
	// A desk removed while the server was stopped is not admitted.
	users, err := s.admin.UserList(ctx)
	if err != nil {
		return err
	}
	for _, u := range users.Users {
		if u != adminUser && !slices.Contains(names, u) {
			if _, err := s.admin.UserDelete(ctx, u); err != nil && !errors.Is(err, rpctypes.ErrUserNotFound) {
				return err
			}
		}
	}
	if !st.Enabled {
		if _, err := s.admin.AuthEnable(ctx); err != nil {
			return err
		}
	}
	return nil
}

// addUser makes an etcd user without a password (it signs in by its
// certificate's common name) holding role.
func addUser(ctx context.Context, c *clientv3.Client, name, role string) error {
	if _, err := c.UserAddWithOptions(ctx, name, "", &clientv3.UserAddOptions{NoPassword: true}); err != nil && !errors.Is(err, rpctypes.ErrUserAlreadyExist) {
		return err
	}
	_, err := c.UserGrantRole(ctx, name, role)
	return err
}

// Addr is the address the server listens on (host:port).
func (s *Server) Addr() string { return s.addr }

// URL is the address a desk on this machine connects to.
func (s *Server) URL() string { return "https://" + dialAddr(s.addr) }

// CAWarning says that the office CA is near its end ("" when it is not):
// the server logs it at start, and `fieldprint serve` prints it.
func (s *Server) CAWarning() string { return s.caWarning }

// Dir is the server's folder.
func (s *Server) Dir() string { return s.dir }

// AddDesk issues a desk's certificate and admits it at once; it returns
// the desk's file.
func (s *Server) AddDesk(name string) ([]byte, error) {
	data, err := s.pki.issueDesk(s.dir, name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := addUser(ctx, s.admin, name, deskRole); err != nil {
		return nil, fp.Internal("the desk's certificate is made but the server did not admit it (it does at its next start)", err)
	}
	return data, nil
}

// IssueDesk issues a desk's certificate from the server's folder dir (the
// server need not run) and returns the desk's file and whether the
// running server admitted the desk at once (if not, it does at its next
// start).
func IssueDesk(dir, name string) (data []byte, admitted bool, err error) {
	if err := CheckDeskName(name); err != nil {
		return nil, false, err
	}
	p, err := loadExistingPKI(dir)
	if err != nil {
		return nil, false, err
	}
	if data, err = p.issueDesk(dir, name); err != nil {
		return nil, false, err
	}
	addr, err := os.ReadFile(filepath.Join(dir, addrFile))
	if err != nil {
		return data, false, nil
	}
	s := &Server{pki: p, dir: dir, addr: strings.TrimSpace(string(addr))}
	if s.connect() != nil {
		return data, false, nil
	}
	defer s.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return data, addUser(ctx, s.admin, name, deskRole) == nil, nil
}

// RemoveDesk revokes the desk name, issued from the server's folder dir
// (the server need not run): the server no longer admits it (its etcd
// user is deleted now if the server runs, else at its next start), its
// scans are refused to it at once, and its name is not given again. It
// says whether the running server refused the desk at once.
func RemoveDesk(dir, name string) (now bool, err error) {
	if err := CheckDeskName(name); err != nil {
		return false, err
	}
	p, err := loadExistingPKI(dir)
	if err != nil {
		return false, err
	}
	path := filepath.Join(dir, desksDir, name+".crt")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, fp.Errorf(fp.ENOTFOUND, "no desk %q was added to the office server in %s (fieldprint desk list shows them); nothing was changed", name, dir)
	} else if err != nil {
		return false, fp.Internal("the desk's certificate cannot be read", err)
	}
	// The record of the removal first, then the admission goes: a failure
	// half-way leaves the desk removed, never admitted again.
	if err := writeFile(filepath.Join(dir, desksDir, name+removedSuffix), data); err != nil {
		return false, fp.Internal("the desk's removal cannot be recorded", err)
	}
	if err := os.Remove(path); err != nil {
		return false, fp.Internal("the desk's certificate cannot be removed", err)
	}
	addr, err := os.ReadFile(filepath.Join(dir, addrFile))
	if err != nil {
		return false, nil
	}
	s := &Server{pki: p, dir: dir, addr: strings.TrimSpace(string(addr))}
	if s.connect() != nil {
		return false, nil
	}
	defer s.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = s.admin.UserDelete(ctx, name)
	return err == nil || errors.Is(err, rpctypes.ErrUserNotFound), nil
}

// Desks lists the desks admitted (their names), and those removed.
func Desks(dir string) (admitted, removed []string, err error) {
	if admitted, err = desks(dir); err != nil {
		return nil, nil, err
	}
	ents, err := os.ReadDir(filepath.Join(dir, desksDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), removedSuffix); ok && CheckDeskName(n) == nil {
			removed = append(removed, n)
		}
	}
	return admitted, removed, nil
}

// RemoveDesk revokes a desk on this running server (see RemoveDesk).
func (s *Server) RemoveDesk(name string) error {
	now, err := RemoveDesk(s.dir, name)
	if err == nil && !now {
		err = fp.Internal("the desk is removed but the running server did not refuse it yet (it does at its next start)", nil)
	}
	return err
}

func loadExistingPKI(dir string) (*pki, error) {
	p := &pki{dir: filepath.Join(dir, pkiDir)}
	var err error
	if p.ca, err = loadPair(p.dir, "ca"); err != nil {
		return nil, fp.Errorf(fp.EINVALID, "%s holds no office server (start it once with fieldprint serve --data %s): %v", dir, dir, errors.Unwrap(err))
	}
	if p.admin, err = loadPair(p.dir, "admin"); err != nil {
		return nil, fp.Internal("the server's client certificate cannot be read", err)
	}
	return p, nil
}

// Files names the CA's certificate and the server's data folder, for
// messages.
func (s *Server) Files() (ca, data string) {
	return filepath.Join(s.pki.dir, "ca.crt"), s.e.Config().Dir
}

func (s *Server) defragLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.Defragment(context.Background()); err != nil {
				s.lg.Warn("defragmentation failed", zap.Error(err))
			}
		}
	}
}

// sweepLoop sweeps the scans nothing refers to at start and every
// BlobGrace after.
func (s *Server) sweepLoop() {
	defer s.wg.Done()
	t := time.NewTicker(BlobGrace)
	defer t.Stop()
	for {
		if n, err := s.SweepBlobs(context.Background()); err != nil {
			s.lg.Warn("the sweep of unused scans failed", zap.Error(err))
		} else if n > 0 {
			s.lg.Warn("unused scans removed", zap.Int("count", n))
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Defragment gives the database's free pages back to the disk, and lifts
// the no-space alarm once the database is back under nine tenths of its
// quota.
func (s *Server) Defragment(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	ep := s.URL()
	if _, err := s.admin.Defragment(ctx, ep); err != nil {
		return err
	}
	st, err := s.admin.Status(ctx, ep)
	if err != nil {
		return err
	}
	alarms, err := s.admin.AlarmList(ctx)
	if err != nil {
		return err
	}
	for _, a := range alarms.Alarms {
		if a.Alarm.String() == "NOSPACE" && st.DbSize < s.quota/10*9 {
			if _, err := s.admin.AlarmDisarm(ctx, (*clientv3.AlarmMember)(a)); err != nil {
				return err
			}
			s.lg.Warn("the no-space alarm is lifted after defragmentation", zap.Int64("db-size", st.DbSize))
		}
	}
	return nil
}

// Snapshot writes a consistent copy of the server's database to a new
// file at path (what `etcdutl snapshot restore` restores); it returns its
// size.
func (s *Server) Snapshot(ctx context.Context, path string) (int64, error) {
	rc, err := s.admin.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := f.ReadFrom(rc)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return n, err
}

// Done is closed when the server stops by itself (an error).
func (s *Server) Done() <-chan error { return s.e.Err() }

// Close stops the server.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.stop)
		s.wg.Wait()
		if s.admin != nil {
			s.admin.Close()
		}
		if s.e != nil {
			s.e.Close()
			<-s.e.Server.StopNotify()
		}
		os.Remove(filepath.Join(s.dir, addrFile))
		s.logSync()
	})
	return nil
}

// Compact drops the history before revision rev now (auto-compaction does
// it by age): a desk watching from before it reads everything again.
func (s *Server) Compact(ctx context.Context, rev int64) error {
	_, err := s.admin.Compact(ctx, rev, clientv3.WithCompactPhysical())
	return err
}
