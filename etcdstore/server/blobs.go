package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fieldprint/fieldprint/etcdstore"
	"github.com/fieldprint/fieldprint/store/disk"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Scans' bytes never go into etcd. The server keeps them in DATA/blobs/
// (ab/ab12…ef, named by the SHA-256 of the scan's content, as a desk's
// own folder does) and serves them on its own address and TLS identity,
// at etcdstore.BlobPath, to the office's desks only (a client certificate
// of the office's CA, of a desk issued and not removed). A desk seals a
// scan before it sends it (under a key of its own, the scan's SHA-256 in
// its associated data), so the server holds no scan in the clear; the
// desk checks the bytes it reads against their SHA-256 (etcdstore.Blobs)
// and the opened scan against its name (workflow).
//
// A desk writes a scan before the transaction that refers to it commits,
// so a scan nothing refers to may be one on its way: a removal (a desk
// let go of it, or the server's own sweep of scans nothing refers to)
// leaves alone a scan written or written again within BlobGrace.
const (
	blobsDir = "blobs"
	// BlobGrace is how long a scan just written is kept even when nothing
	// refers to it yet.
	BlobGrace = 10 * time.Minute
)

// blobHandler serves the office's scans to its desks.
func (s *Server) blobHandler() http.Handler {
	folder := disk.Folder{Dir: filepath.Join(s.dir, blobsDir)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.admitted(r) {
			http.Error(w, "this desk is not admitted", http.StatusForbidden)
			return
		}
		sum := strings.TrimPrefix(r.URL.Path, etcdstore.BlobPath)
		if sum == "" && r.Method == http.MethodHead { // a desk's check that it is admitted
			w.WriteHeader(http.StatusOK)
			return
		}
		if sum == "" && r.Method == http.MethodGet {
			list, err := folder.List()
			if err != nil {
				s.blobFailed(w, "list", err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(list)
			return
		}
		if !etcdstore.ValidSum(sum) {
			http.Error(w, "not a scan's name", http.StatusBadRequest)
			return
		}
		path := filepath.Join(folder.Dir, sum[:2], sum)
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			data, err := folder.Read(sum)
			if errors.Is(err, os.ErrNotExist) {
				http.Error(w, "no such scan", http.StatusNotFound)
				return
			} else if err != nil {
				s.blobFailed(w, "read", err)
				return
			}
			h := sha256.Sum256(data)
			w.Header().Set(etcdstore.BlobSumHeader, hex.EncodeToString(h[:]))
			w.Header().Set("Content-Type", "application/octet-stream")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		case http.MethodPut:
			data, err := io.ReadAll(io.LimitReader(r.Body, etcdstore.MaxBlobBytes+1))
			if err != nil {
				http.Error(w, "the scan did not arrive whole", http.StatusBadRequest)
				return
			}
			if len(data) > etcdstore.MaxBlobBytes {
				http.Error(w, "the scan is over the size limit", http.StatusRequestEntityTooLarge)
				return
			}
			h := sha256.Sum256(data)
			if r.Header.Get(etcdstore.BlobSumHeader) != hex.EncodeToString(h[:]) {
				http.Error(w, "the scan did not arrive whole (its SHA-256 differs)", http.StatusBadRequest)
				return
			}
			created, err := folder.Write(sum, data)
			if err != nil {
				s.blobFailed(w, "write", err)
				return
			}
			if !created { // written again: on its way to be referred to once more
				now := time.Now()
				os.Chtimes(path, now, now)
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusCreated)
		case http.MethodDelete:
			st, err := os.Stat(path)
			if errors.Is(err, os.ErrNotExist) {
				w.WriteHeader(http.StatusNoContent)
				return
			} else if err != nil {
				s.blobFailed(w, "stat", err)
				return
			}
			if time.Since(st.ModTime()) < BlobGrace {
				http.Error(w, "written within the grace period: kept", http.StatusConflict)
				return
			}
			if err := folder.Remove(sum); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.blobFailed(w, "remove", err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// blobFailed logs a failure without the scan's name (a hash of an
// applicant's document is not logged) and answers 500.
func (s *Server) blobFailed(w http.ResponseWriter, op string, err error) {
	s.lg.Warn("a scan could not be served", zap.String("op", op), zap.Error(errors.Unwrap(err)))
	http.Error(w, "the server could not "+op+" the scan", http.StatusInternalServerError)
}

// admitted: the request comes with a certificate the office's CA issued
// (TLS checked it) to a desk still admitted (its certificate recorded in
// DATA/desks, the very one presented), or the server's own.
func (s *Server) admitted(r *http.Request) bool {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return false
	}
	leaf := r.TLS.VerifiedChains[0][0]
	name := leaf.Subject.CommonName
	if name == adminUser {
		return bytes.Equal(leaf.Raw, s.pki.admin.cert.Raw)
	}
	if CheckDeskName(name) != nil {
		return false
	}
	data, err := os.ReadFile(filepath.Join(s.dir, desksDir, name+".crt"))
	if err != nil {
		return false
	}
	// A renewed desk's record holds its new certificate and the previous
	// ones (each admitted until it ends: TLS checked that).
	for _, c := range parseCerts(data) {
		if bytes.Equal(c.Raw, leaf.Raw) {
			return true
		}
	}
	return false
}

// SweepBlobs removes the scans nothing in the office refers to any more
// (no files/ record) and that were written before BlobGrace: a desk's
// transaction that failed after its scan was written, a removal refused
// within the grace period, a desk that stopped in between. It returns how
// many it removed.
func (s *Server) SweepBlobs(ctx context.Context) (int, error) {
	folder := disk.Folder{Dir: filepath.Join(s.dir, blobsDir)}
	list, err := folder.List()
	if err != nil || len(list) == 0 {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	prefix := etcdstore.FilesPrefix
	resp, err := s.admin.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return 0, err
	}
	known := make(map[string]bool, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		known[string(kv.Key[len(prefix):])] = true
	}
	removed := 0
	for _, sum := range list {
		if known[sum] {
			continue
		}
		st, err := os.Stat(filepath.Join(folder.Dir, sum[:2], sum))
		if err != nil || time.Since(st.ModTime()) < BlobGrace {
			continue
		}
		if folder.Remove(sum) == nil {
			removed++
		}
	}
	return removed, nil
}
