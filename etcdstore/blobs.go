package etcdstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
)

// Scans' bytes on an office server (see package server, blobs.go): the
// server keeps them by SHA-256 and serves them at BlobPath on its own
// address, to desks with the office's certificates.
const (
	BlobPath = "/fieldprint/blobs/"
	// BlobSumHeader carries the SHA-256 of the bytes sent (as they are
	// stored: sealed by the desk), checked by whoever receives them.
	BlobSumHeader = "X-Fieldprint-Sha256"
	// MaxBlobBytes is the largest blob: a saved e-mail (the largest file
	// kept) sealed.
	MaxBlobBytes = fp.MaxMessageBytes + 1<<20
	// FilesPrefix is the office's records of stored files in etcd
	// (workflow's files/ bucket): the server's sweep keeps what they name.
	FilesPrefix = dataPrefix + "files/"
)

// ValidSum: s names a blob (64 lowercase hexadecimal digits).
func ValidSum(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Blobs keeps a desk's scans on the office server (workflow.Files): every
// read is checked against the SHA-256 the server sends, and the workflow
// checks the opened scan against its name.
type Blobs struct {
	base string // https://HOST:PORT/fieldprint/blobs/
	host string
	c    *http.Client
	away func() (time.Time, bool) // nil: never refuses at once
}

// RefuseWhileAway makes every request refused at once, unsent, while away
// says the server is away (the desk's etcd connection watches it).
func (b *Blobs) RefuseWhileAway(away func() (since time.Time, away bool)) { b.away = away }

// BlobTimeout is how long one blob's request may take (a 50 MB e-mail on
// a slow office network).
const BlobTimeout = 2 * time.Minute

// NewBlobs reaches the blobs of the office server at endpoint as desk d.
func NewBlobs(endpoint string, d *Desk) (*Blobs, error) {
	ep, err := Endpoint(endpoint)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: d.TLS(), MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute, TLSHandshakeTimeout: DialTimeout}
	return &Blobs{base: ep + BlobPath, host: hostOf(ep), c: &http.Client{Transport: tr, Timeout: BlobTimeout}}, nil
}

// Close lets go of the connections kept open.
func (b *Blobs) Close() { b.c.CloseIdleConnections() }

// Ping checks within DialTimeout that the server answers, that it is the
// office's (its certificate of the desk's CA) and that it admits this desk.
func (b *Blobs) Ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), DialTimeout)
	defer cancel()
	resp, err := b.doCtx(ctx, http.MethodHead, "", nil, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fp.Internal("the office server "+b.host+" does not serve this desk: is it a Fieldprint office server?", fmt.Errorf("HEAD %s: %s", BlobPath, resp.Status))
	}
	return nil
}

// do sends one request; the error names the server, never the blob.
func (b *Blobs) do(method, sum string, body []byte, header http.Header) (*http.Response, error) {
	return b.doCtx(context.Background(), method, sum, body, header)
}

func (b *Blobs) doCtx(ctx context.Context, method, sum string, body []byte, header http.Header) (*http.Response, error) {
	if b.away != nil {
		if since, away := b.away(); away {
			return nil, fp.Internal("the office server "+b.host+" does not answer since "+since.Local().Format("15:04")+": scans can be neither read nor sent until it is back; nothing was changed, and what you typed is kept on screen", fp.ErrUnavailable)
		}
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+sum, r)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		if isTLS(err) {
			return nil, fp.Errorf(fp.EFORBIDDEN, "this desk's file is not of the office server %s (their certificates do not match): ask the server's administrator for this desk's file (fieldprint desk add)", b.host)
		}
		return nil, fp.Internal("the office server "+b.host+" does not answer: check the network or ask your IT contact; nothing was changed", fmt.Errorf("%w: %w", fp.ErrUnavailable, errors.Unwrap(err)))
	}
	if resp.StatusCode == http.StatusForbidden {
		resp.Body.Close()
		return nil, fp.Errorf(fp.EFORBIDDEN, "the office server %s does not admit this desk: ask its administrator to add it (fieldprint desk add)", b.host)
	}
	return resp, nil
}

func statusErr(resp *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("the office server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

// Write sends data, checked by its SHA-256 on arrival; created is false
// when the server had the blob already.
func (b *Blobs) Write(sum string, data []byte) (created bool, err error) {
	if !ValidSum(sum) {
		return false, os.ErrInvalid
	}
	h := sha256.Sum256(data)
	resp, err := b.do(http.MethodPut, sum, data, http.Header{BlobSumHeader: {hex.EncodeToString(h[:])}})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated:
		return true, nil
	case http.StatusOK:
		return false, nil
	}
	return false, statusErr(resp)
}

// Read fetches a blob and checks it whole against the SHA-256 the server
// computed from its disk.
func (b *Blobs) Read(sum string) ([]byte, error) {
	if !ValidSum(sum) {
		return nil, os.ErrInvalid
	}
	resp, err := b.do(http.MethodGet, sum, nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("the office server does not have it: %w", os.ErrNotExist)
	default:
		return nil, statusErr(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBlobBytes+1))
	if err != nil {
		return nil, fp.Internal("the office server "+b.host+" stopped sending a scan: try again", err)
	}
	h := sha256.Sum256(data)
	if want := resp.Header.Get(BlobSumHeader); want != hex.EncodeToString(h[:]) {
		return nil, fmt.Errorf("a scan from the office server %s arrived damaged (its SHA-256 differs)", b.host)
	}
	return data, nil
}

// Size is the stored size.
func (b *Blobs) Size(sum string) (int64, error) {
	if !ValidSum(sum) {
		return 0, os.ErrInvalid
	}
	resp, err := b.do(http.MethodHead, sum, nil, nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.ContentLength, nil
	case http.StatusNotFound:
		return 0, os.ErrNotExist
	}
	return 0, fmt.Errorf("the office server answered %s", resp.Status)
}

// ErrBlobKept is a removal the server refused: the blob was written within
// its grace period (another desk may be about to refer to it); its sweep
// removes it later if nothing does.
var ErrBlobKept = errors.New("the office server keeps a scan written within its grace period")

// Remove deletes a blob (gone already is no error).
func (b *Blobs) Remove(sum string) error {
	if !ValidSum(sum) {
		return os.ErrInvalid
	}
	resp, err := b.do(http.MethodDelete, sum, nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK, http.StatusNotFound:
		return nil
	case http.StatusConflict:
		return ErrBlobKept
	}
	return statusErr(resp)
}

// List names every blob the server keeps.
func (b *Blobs) List() ([]string, error) {
	resp, err := b.do(http.MethodGet, "", nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusErr(resp)
	}
	var out []string
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<30)).Decode(&out); err != nil {
		return nil, fmt.Errorf("the office server's list of scans cannot be read: %v", err)
	}
	return out, nil
}
