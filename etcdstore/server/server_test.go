package server_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/etcdstore/server"
	"github.com/fieldprint/fieldprint/store/storetest"
	"go.uber.org/zap"
)

// start runs a server in dir on a free loopback port, quietly.
func start(t storetest.T, dir string) *server.Server {
	t.Helper()
	s, err := server.Start(server.Config{Dir: dir, Listen: "127.0.0.1:0", Logger: zap.NewNop(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return s
}

// desk connects to s as the desk "test" (issued at the first start in dir).
func desk(t storetest.T, s *server.Server, name string) *etcdstore.Store {
	t.Helper()
	file := filepath.Join(s.Dir(), name+".desk")
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		if data, err = s.AddDesk(name); err == nil {
			err = os.WriteFile(file, data, 0o600)
		}
	}
	if err != nil {
		t.Fatalf("desk: %v", err)
	}
	d, err := etcdstore.ReadDesk(data)
	if err != nil {
		t.Fatalf("desk file: %v", err)
	}
	st, err := etcdstore.Open(s.URL(), d)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return st
}

// served is a desk's store that stops its server when it closes: opening
// the folder again is a restart of the server.
type served struct {
	*etcdstore.Store
	srv *server.Server
}

func (s served) Close() error {
	err := s.Store.Close()
	s.srv.Close()
	return err
}

func open(t storetest.T, dir string) fp.Storage {
	srv := start(t, dir)
	return served{desk(t, srv, "test"), srv}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, open)
}

func TestStartupIsFast(t *testing.T) {
	began := time.Now()
	s := open(t, t.TempDir())
	took := time.Since(began)
	s.Close()
	t.Logf("a new server and a desk connected in %v", took)
	if took > 5*time.Second {
		t.Errorf("a new server took %v to start", took)
	}
}
