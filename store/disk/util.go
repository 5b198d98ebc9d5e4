package disk

import (
	"encoding/binary"
	"time"
)

// OpenTimeout is how long opening waits for another process to release the
// file (a second Fieldprint gets "in use", not a hang).
var OpenTimeout = time.Second

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// prefixEnd returns the first key after every key with prefix p (nil: none).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
