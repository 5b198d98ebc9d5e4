package etcdstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Who has a request open, and at which desk: a mark per desk under
// fp/presence/KEY/DESK, on a lease the desk keeps alive while the request
// is open, so a desk that crashes or loses the network lets go within the
// lease's time. No applicant's data: the request's number, a staff
// account's name, the desk's name and when.
const presencePrefix = Namespace + "presence/"

// Presence is one desk's mark on a key.
type Presence struct {
	Who   string    `json:"who"`
	Desk  string    `json:"desk"`
	Since time.Time `json:"since"`
}

// Present marks key as open by who at this desk until the returned func is
// called (or the desk stops renewing the lease, after ttl).
func (s *Store) Present(key, who string, ttl time.Duration) (func(), error) {
	var lease clientv3.LeaseID
	err := s.call(func(ctx context.Context) error {
		g, err := s.c.Grant(ctx, int64(max(ttl/time.Second, 2)))
		if err != nil {
			return err
		}
		lease = g.ID
		v, _ := json.Marshal(Presence{Who: who, Desk: s.desk, Since: time.Now().UTC()})
		_, err = s.c.Put(ctx, presencePrefix+key+"/"+s.desk, string(v), clientv3.WithLease(lease))
		return err
	})
	if err != nil {
		return func() {}, s.unreachable(err, changing)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	if ch, err := s.c.KeepAlive(ctx, lease); err == nil {
		go func() {
			for range ch { // the renewals' answers
			}
		}()
	}
	return func() {
		cancel()
		s.call(func(ctx context.Context) error { _, err := s.c.Revoke(ctx, lease); return err })
	}, nil
}

// Presences are the marks on key of the other desks.
func (s *Store) Presences(key string) ([]Presence, error) {
	var out []Presence
	err := s.call(func(ctx context.Context) error {
		resp, err := s.c.Get(ctx, presencePrefix+key+"/", clientv3.WithPrefix())
		if err != nil {
			return err
		}
		for _, kv := range resp.Kvs {
			var p Presence
			if json.Unmarshal(kv.Value, &p) == nil && p.Desk != s.desk && !strings.ContainsAny(p.Desk, "\n") {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.unreachable(err, reading)
	}
	return out, nil
}
