package workflow

import (
	"bytes"
	"testing"

	fp "github.com/fieldprint/fieldprint"
)

// loopReader is a damaged store: whatever a scan asks for, it gives the
// same keys from the start (a page whose keys are out of order sends a
// seek back).
type loopReader struct{ keys [][]byte }

func (l loopReader) Get([]byte) ([]byte, int64, error) { return nil, 0, nil }
func (l loopReader) Count([]byte) (int, error)         { return len(l.keys), nil }
func (l loopReader) Scan(prefix, from []byte, reverse bool, fn func(k, v []byte) (bool, error)) error {
	for _, k := range l.keys {
		if !bytes.HasPrefix(k, prefix) {
			continue
		}
		if more, err := fn(k, []byte("v")); err != nil || !more {
			return err
		}
	}
	return nil
}

// A walk over a damaged store's keys ends with an error, not never.
func TestCursorOnKeysOutOfOrder(t *testing.T) {
	var keys [][]byte
	for i := 0; i < 40; i++ {
		keys = append(keys, []byte{'i', 'd', 'x', '/', byte(i)})
	}
	keys[20], keys[3] = keys[3], keys[20] // out of order inside a page
	tx := &tx{r: loopReader{keys}}
	err := func() (err error) {
		defer catchRead(&err)
		n := 0
		for k, _ := tx.Bucket([]byte("idx")).Cursor().First(); k != nil; k, _ = tx.Bucket([]byte("idx")).Cursor().First() {
			if n++; n > 1 {
				break
			}
		}
		c := tx.Bucket([]byte("idx")).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if n++; n > 10_000 {
				t.Fatal("the walk goes round for ever")
			}
		}
		return nil
	}()
	if fp.ErrorCode(err) != fp.EINTERNAL {
		t.Fatalf("a damaged order: %v", err)
	}
}
