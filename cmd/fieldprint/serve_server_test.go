package main

import (
	"testing"

	"github.com/fieldprint/fieldprint/etcdstore/server"
	"go.uber.org/zap"
)

func startServer(t *testing.T, dir string) *server.Server {
	t.Helper()
	s, err := server.Start(server.Config{Dir: dir, Listen: "127.0.0.1:0", Logger: zap.NewNop(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
