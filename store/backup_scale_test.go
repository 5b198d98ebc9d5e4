package store

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
	"github.com/fieldprint/fieldprint/store/disk"
	"github.com/fieldprint/fieldprint/workflow"
)

// TestBackupAtScale measures a backup and a restore of an office of
// FIELDPRINT_BACKUP_SCALE requests (e.g. 100000), each with a scanned
// notice attached through the workflow; the figures go to
// docs/PERFORMANCE.md. Skipped unless the variable is set:
//
//	FIELDPRINT_BACKUP_SCALE=100000 go test -tags ci -run TestBackupAtScale -timeout 2h -v ./store
func TestBackupAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FIELDPRINT_BACKUP_SCALE"))
	if n < 1 {
		t.Skip("set FIELDPRINT_BACKUP_SCALE=100000 to measure")
	}
	dir := t.TempDir()
	if d := os.Getenv("FIELDPRINT_BACKUP_SCALE_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "office", "fieldprint.db")
	say := func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...); t.Logf(format, a...) }
	start := time.Now()
	// Built on the workflow directly, with the scans written without a
	// sync each (synced once at the end): the build is not what is measured.
	kv, err := disk.OpenKV(path)
	if err != nil {
		t.Fatal(err)
	}
	desk, err := workflow.New(kv, quickFolder{disk.Folder{Dir: path + "-scans"}}, workflow.KeyFileBeside(path), "the database")
	if err != nil {
		t.Fatal(err)
	}
	desk.UseKeyFile(workflow.KeyStoreBeside(path))
	db := &DB{Desk: desk, kv: kv, path: path}
	db.Now = fixedNow
	if _, err := demo.Load(db, 1, fp.DateOf(fixedNow())); err != nil { // the accounts, the keys, the profile, a stamp
		t.Fatal(err)
	}
	rk, err := db.NewRecoveryKey(demo.Admin)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := demo.Requests(n, fp.DateOf(fixedNow()), 2026)
	if err != nil {
		t.Fatal(err)
	}
	db.kv.Unsynced() // building only: one sync at the end
	var scanBytes int64
	for i := 0; i < len(rs); i += 10_000 {
		saved, err := db.ImportRequests(demo.Clerk, rs[i:min(i+10_000, len(rs))], fp.SaveOptions{AllowDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range saved {
			data := demo.NoticeScan(r, "I-797C Notice of Action")
			scanBytes += int64(len(data))
			if _, err := db.AttachFile(demo.Clerk, r.ID, string(fp.DocNotice), "notice.pdf", data); err != nil {
				t.Fatal(err)
			}
			if (i+j)%4 != 0 {
				continue
			}
			// One in four also has its passport page: a photo of about 60 KB.
			for _, it := range r.Checklist(fp.DateOf(fixedNow())) {
				if it.Kind == fp.DocPassport {
					photo := uniquePhoto(t, r.ID)
					scanBytes += int64(len(photo))
					if _, err := db.AttachFile(demo.Clerk, r.ID, it.Key, "passport.jpg", photo); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
		}
		say("built %d requests with scans in %v", i+len(saved), time.Since(start).Round(time.Second))
	}
	if err := db.kv.Sync(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := syncTree(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	say("office: %d requests, database %.0f MB, scans %.0f MB; built in %v", n+1, float64(st.Size())/1e6, float64(scanBytes)/1e6, time.Since(start).Round(time.Second))

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(demo.Admin.Name, demo.Password); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	file, counts, err := db.BackupNow(demo.Admin, filepath.Join(dir, "usb"), workflow.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	db.Close()
	bst, _ := os.Stat(file)
	say("backup: %v, file %.0f MB, %d keys, %d files", took.Round(100*time.Millisecond), float64(bst.Size())/1e6, counts.Keys, counts.Files)

	target := filepath.Join(dir, "restored", "fieldprint.db")
	start = time.Now()
	last := -1
	p, _, err := Restore(file, target, workflow.BackupSecret{RecoveryKey: rk}, func(f float64) {
		if pc := int(f * 10); pc != last {
			last = pc
			fmt.Fprintf(os.Stderr, "  restore %d%% at %v\n", pc*10, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	took = time.Since(start)
	rst, _ := os.Stat(target)
	say("restore (check, build, swap): %v, %d keys, %d files, database %.0f MB", took.Round(100*time.Millisecond), p.Counts.Keys, p.Counts.Files, float64(rst.Size())/1e6)
	start = time.Now()
	rdb, err := Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	got, err := rdb.CountRequests()
	if err != nil || got != n+1 {
		t.Fatalf("restored %d requests: %v", got, err)
	}
	say("first open of the restored office (page walk): %v", time.Since(start).Round(100*time.Millisecond))
}

// quickFolder writes scans without syncing each.
type quickFolder struct{ disk.Folder }

func (f quickFolder) Write(sum string, data []byte) (bool, error) {
	p := filepath.Join(f.Dir, sum[:2], sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return false, err
	}
	return true, os.WriteFile(p, data, 0o600)
}

var photo struct {
	jpeg []byte
}

// uniquePhoto is a JPEG of noise (as hard to compress as a photo) of
// about 60 KB, made unique by a comment naming id.
func uniquePhoto(t testing.TB, id fp.RequestID) []byte {
	if photo.jpeg == nil {
		rng := rand.New(rand.NewPCG(1, 2))
		img := image.NewGray(image.Rect(0, 0, 400, 300))
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(64) + 96)
		}
		img.Set(0, 0, color.Gray{Y: 0})
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
			t.Fatal(err)
		}
		photo.jpeg = b.Bytes()
	}
	com := fmt.Sprintf("scan %d", id)
	out := append([]byte{0xff, 0xd8, 0xff, 0xfe, 0, byte(len(com) + 2)}, com...)
	return append(out, photo.jpeg[2:]...)
}
