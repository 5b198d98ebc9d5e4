package backup

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/vault"
)

// Backup files in a folder are named by when they were made (UTC), so that
// the name sorts by age and says nothing else: fieldprint-backup-20260314-183005.fpbackup.
const (
	namePrefix = "fieldprint-backup-"
	nameSuffix = ".fpbackup"
	nameTime   = "20060102-150405"
	tmpPrefix  = ".fieldprint-backup-tmp-"
)

// FileName is the name of a backup made at t.
func FileName(t time.Time) string { return namePrefix + t.UTC().Format(nameTime) + nameSuffix }

// TimeOf reads the time from a backup's file name.
func TimeOf(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(filepath.Base(name), namePrefix)
	if !ok {
		return time.Time{}, false
	}
	if s, ok = strings.CutSuffix(s, nameSuffix); !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(nameTime, s)
	return t, err == nil
}

// Pending is a backup being written: a temporary file in the target folder
// that Commit renames to its name once it is complete and on the disk, so
// a folder never holds half a backup under a backup's name.
type Pending struct {
	*os.File
	final string
}

// Create starts a backup made at t: in the folder to (named by FileName), or
// the file to when it ends in .fpbackup.
func Create(to string, t time.Time) (*Pending, error) {
	final := filepath.Join(to, FileName(t))
	if strings.HasSuffix(to, nameSuffix) {
		final = to
	} else if err := os.MkdirAll(to, 0o700); err != nil {
		return nil, fp.Errorf(fp.EINVALID, "cannot use the backup folder %s: %s", to, PathErr(err))
	}
	f, err := os.CreateTemp(filepath.Dir(final), tmpPrefix+"*")
	if err != nil {
		return nil, fp.Errorf(fp.EINVALID, "cannot write a backup in %s: %s", filepath.Dir(final), PathErr(err))
	}
	return &Pending{File: f, final: final}, nil
}

// Commit makes the backup durable and gives it its name.
func (p *Pending) Commit() (string, error) {
	err := p.Sync()
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.Name(), p.final)
	}
	if err != nil {
		os.Remove(p.Name())
		return "", fp.Errorf(fp.EINVALID, "cannot finish the backup %s: %s (a full disk, or a drive taken out?)", p.final, PathErr(err))
	}
	SyncDir(filepath.Dir(p.final))
	return p.final, nil
}

// Abort removes the unfinished file.
func (p *Pending) Abort() {
	p.Close()
	os.Remove(p.Name())
}

// SyncDir makes the renames in dir durable (where the system can: Windows
// cannot open a folder to sync it, and its renames are journaled).
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// PathErr is what went wrong with a file, without its path (messages name
// the file themselves).
func PathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// Found is a backup file in a folder.
type Found struct {
	Path string
	Made time.Time
}

// List returns the backups in dir, newest first, and removes temporary
// files older than a day (left by a backup that was stopped).
func List(dir string) ([]Found, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Found
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				os.Remove(filepath.Join(dir, e.Name()))
			}
			continue
		}
		if t, ok := TimeOf(e.Name()); ok && e.Type().IsRegular() {
			out = append(out, Found{filepath.Join(dir, e.Name()), t})
		}
	}
	slices.SortFunc(out, func(a, b Found) int { return b.Made.Compare(a.Made) })
	return out, nil
}

// Newest is the newest backup in dir that is complete (checked without the
// key: its header, and frames that run to an end frame at the end of the
// file; the full check needs the key and is made at restore).
func Newest(dir string) (Found, bool) {
	list, err := List(dir)
	if err != nil {
		return Found{}, false
	}
	for _, f := range list {
		if CheckFrames(f.Path) == nil {
			return f, true
		}
	}
	return Found{}, false
}

// CheckFrames reads a backup's header and walks its frames without opening
// them: a file cut short or with bytes after its end is found.
func CheckFrames(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h, _, err := ReadHeader(f)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		var head [5]byte
		if _, err := io.ReadFull(f, head[:]); err != nil {
			return damaged("it is cut short after %d chunks", i)
		}
		n := binary.BigEndian.Uint32(head[1:])
		if (head[0] != 'D' && head[0] != 'E') || n < vault.Overhead || int64(n) > int64(h.ChunkSize+vault.Overhead) {
			return damaged("chunk %d is damaged", i+1)
		}
		if _, err := f.Seek(int64(n), io.SeekCurrent); err != nil {
			return err
		}
		if head[0] == 'E' {
			pos, _ := f.Seek(0, io.SeekCurrent)
			if st, err := f.Stat(); err != nil || st.Size() != pos {
				return damaged("its size does not match its end")
			}
			return nil
		}
	}
}

// Rotation: how many backups a folder keeps. Every backup of the last
// Daily days with a backup is kept (the newest of each day), and the newest
// of each of the last Weekly weeks before them; the others are deleted
// after a successful backup.
type Rotation struct {
	Daily  int `json:"keep_daily"`
	Weekly int `json:"keep_weekly"`
}

// DefaultRotation keeps a week of daily backups and a month of weekly ones.
var DefaultRotation = Rotation{Daily: 7, Weekly: 4}

// Expired returns the backups of list (newest first) that r does not keep.
func (r Rotation) Expired(list []Found) []Found {
	daily, weekly := max(r.Daily, 1), max(r.Weekly, 0)
	days, weeks := map[string]bool{}, map[string]bool{}
	kept := 0 // weekly ones
	var out []Found
	for _, f := range list {
		day := f.Made.Format("2006-01-02")
		y, w := f.Made.ISOWeek()
		week := fmt.Sprintf("%d-%02d", y, w)
		switch {
		case days[day]: // an older one of a day kept already
			out = append(out, f)
		case len(days) < daily:
			days[day], weeks[week] = true, true
		case weeks[week] || kept >= weekly:
			out = append(out, f)
		default:
			weeks[week] = true
			kept++
		}
	}
	return out
}

// Rotate deletes from dir the backups r does not keep; it keeps the
// newest one whatever happens.
func (r Rotation) Rotate(dir string) error {
	list, err := List(dir)
	if err != nil {
		return err
	}
	for _, f := range r.Expired(list) {
		if f.Path != list[0].Path {
			os.Remove(f.Path)
		}
	}
	return nil
}

// Config is an office's backup settings and the last backup's result. It
// lives in a small file beside the database, not in it: it must be read
// when the database cannot be (to name the newest backup), by the window
// and the commands alike. It holds no personal data.
type Config struct {
	Folder string `json:"folder,omitempty"`
	Rotation
	// Auto: the window backs up once a day while someone is signed in.
	Auto    bool      `json:"auto"`
	Last    time.Time `json:"last,omitzero"`    // the last attempt
	LastOK  time.Time `json:"last_ok,omitzero"` // the last success
	Result  string    `json:"result,omitempty"` // what the last attempt gave, for people
	LastRan string    `json:"file,omitempty"`   // the last backup written
}

// ConfigPath is the settings file of the database at db.
func ConfigPath(db string) string { return db + "-backup.json" }

// LoadConfig reads the settings file (the defaults when there is none).
func LoadConfig(file string) (Config, error) {
	c := Config{Rotation: DefaultRotation, Auto: true}
	if file == "" {
		return c, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{Rotation: DefaultRotation, Auto: true}, fp.Errorf(fp.EINVALID, "the backup settings %s cannot be read: set the backup folder again", file)
	}
	if c.Daily < 1 {
		c.Daily = DefaultRotation.Daily
	}
	return c, nil
}

// SaveConfig writes the settings file (temporary file, renamed).
func SaveConfig(file string, c Config) error {
	if file == "" {
		return fp.Errorf(fp.EINVALID, "backups are made of a database on this desk only")
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	path := file
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fp.Errorf(fp.EINVALID, "cannot save the backup settings: %s", PathErr(err))
	}
	return nil
}
