package backup

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

func sample(t testing.TB, key *vault.Key) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{Created: time.Date(2026, 3, 14, 18, 30, 5, 0, time.UTC), Schema: 8, Version: "0.1.0"}, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		w.Put([]byte{'k', byte(i >> 8), byte(i)}, bytes.Repeat([]byte{byte(i)}, i))
	}
	w.Sequence("requests/", 301)
	w.File("ab", bytes.Repeat([]byte("scan"), 5000))
	w.Extra("stamp.key", []byte("key"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(b []byte, key *vault.Key) ([]Record, error) {
	r := bytes.NewReader(b)
	h, hash, err := ReadHeader(r)
	if err != nil {
		return nil, err
	}
	rd := NewReader(r, h, hash, key)
	var out []Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestRoundTrip(t *testing.T) {
	defer func(n int) { ChunkSize = n }(ChunkSize)
	ChunkSize = 4096
	key, _ := vault.NewKey()
	b := sample(t, &key)
	recs, err := readAll(b, &key)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 303 || recs[300].Kind != 'N' || recs[300].N != 301 || recs[301].Kind != 'F' || len(recs[301].Value) != 20000 || string(recs[302].Value) != "key" {
		t.Fatalf("read back %d records", len(recs))
	}
	for i := range 300 {
		if !bytes.Equal(recs[i].Value, bytes.Repeat([]byte{byte(i)}, i)) {
			t.Fatalf("record %d differs", i)
		}
	}
	other, _ := vault.NewKey()
	if _, err := readAll(b, &other); err == nil || fp.ErrorCode(err) != fp.EINVALID {
		t.Fatalf("another key: %v", err)
	}
	// Every cut is found.
	for n := 0; n < len(b); n += 97 {
		if _, err := readAll(b[:n], &key); err == nil {
			t.Fatalf("cut at %d of %d read whole", n, len(b))
		}
	}
}

func TestRotation(t *testing.T) {
	var list []Found
	now := time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)
	for d := range 60 { // two a day for 60 days, newest first
		day := now.AddDate(0, 0, -d)
		list = append(list, Found{Made: day.Add(-2 * time.Hour)}, Found{Made: day.Add(-11 * time.Hour)})
	}
	expired := DefaultRotation.Expired(list)
	gone := map[time.Time]bool{}
	for _, f := range expired {
		gone[f.Made] = true
	}
	var kept []time.Time
	for _, f := range list {
		if !gone[f.Made] {
			kept = append(kept, f.Made)
		}
	}
	if len(kept) != 11 {
		t.Fatalf("kept %d of 120: %v", len(kept), kept)
	}
	for i := range 7 { // the newest of each of the last 7 days
		if kept[i] != now.AddDate(0, 0, -i).Add(-2*time.Hour) {
			t.Fatalf("daily %d: %v", i, kept[i])
		}
	}
	for i := 7; i < 11; i++ { // then one a week, in weeks not yet kept
		y1, w1 := kept[i-1].ISOWeek()
		y2, w2 := kept[i].ISOWeek()
		if y1 == y2 && w1 == w2 && i > 7 {
			t.Fatalf("two weekly backups in week %d", w1)
		}
	}
	if e := DefaultRotation.Expired(list[:3]); len(e) != 1 || e[0] != list[1] {
		t.Fatalf("a young folder: %v expired, want only the older of the newest day", e)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	key, _ := vault.NewKey()
	at := time.Date(2026, 3, 14, 18, 30, 5, 0, time.UTC)
	p, err := Create(filepath.Join(dir, "usb"), at)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := List(filepath.Join(dir, "usb")); len(l) != 0 {
		t.Fatal("a backup being written is listed")
	}
	w, _ := NewWriter(p, Header{Created: at}, &key)
	w.Close()
	file, err := p.Commit()
	if err != nil || filepath.Base(file) != "fieldprint-backup-20260314-183005.fpbackup" {
		t.Fatalf("%s: %v", file, err)
	}
	if f, ok := Newest(filepath.Join(dir, "usb")); !ok || f.Path != file || !f.Made.Equal(at) {
		t.Fatalf("newest: %v %v", f, ok)
	}
	c, _ := LoadConfig(filepath.Join(dir, "none.json"))
	if c.Rotation != DefaultRotation || !c.Auto {
		t.Fatalf("defaults: %+v", c)
	}
	c.Folder = dir
	if err := SaveConfig(filepath.Join(dir, "c.json"), c); err != nil {
		t.Fatal(err)
	}
	if got, _ := LoadConfig(filepath.Join(dir, "c.json")); got.Folder != dir {
		t.Fatalf("%+v", got)
	}
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o600)
	if _, err := LoadConfig(filepath.Join(dir, "bad.json")); err == nil {
		t.Fatal("damaged settings read")
	}
}

// FuzzReader: whatever the file, reading it never panics and either
// reads to the end or says why not. The key is known to the fuzzer's
// seeds, so mutated records behind a valid seal are reached too
// (FuzzRecords) .
func FuzzReader(f *testing.F) {
	key := vault.Key{1, 2, 3}
	f.Add(sample(f, &key))
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := readAll(b, &key)
		var fe *fp.Error
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("an error without words: %v", err)
		}
	})
}

// FuzzRecords seals whatever stream of records it is given as one valid
// backup: the record reader never panics, never allocates past its limits.
func FuzzRecords(f *testing.F) {
	key := vault.Key{1, 2, 3}
	f.Add([]byte("K\x01a\x01bZ"))
	f.Add([]byte("F\x02ab\x03xyz"))
	f.Add([]byte("N\x01a\x00\x00\x00\x00\x00\x00\x00\x01Z\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, Header{}, &key)
		if err != nil {
			t.Fatal(err)
		}
		w.write(stream)
		w.closed = true
		w.frame('E')
		readAll(buf.Bytes(), &key)
	})
}
