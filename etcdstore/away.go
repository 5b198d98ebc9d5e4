package etcdstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	fp "github.com/fieldprint/fieldprint"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/connectivity"
)

// A desk notices at once when the office server goes away, and says so
// (instead of letting every action wait out its timeout and fail):
//
//   - the gRPC connection's state is watched: when it breaks (a stopped
//     or killed server closes it) the server is away at once, and back
//     when it is connected again and answers;
//   - the server is asked for its revision (one count, no values) every
//     PingEvery, and at every change of the connection's state: no answer
//     within PingTimeout, and it is away; an answer, and it is back;
//   - while it is away every request is refused at once, without being
//     sent (so a change refused so was certainly not saved), and a request
//     already on its way when it goes away ends at once: a read says the
//     server does not answer, a change that may have reached the server
//     says that it may or may not have been saved.
//
// Away reports it; OnAway tells the window when it changes.

// How the server's presence is checked.
const (
	PingEvery   = time.Second
	PingTimeout = 3 * time.Second
)

// errAway: a request refused (or ended) because the server is away.
var errAway = fmt.Errorf("%w: the office server is away", fp.ErrUnavailable)

// presence is the server's presence as this desk sees it.
type presence struct {
	mu     sync.Mutex
	since  time.Time     // zero: the server answers
	gone   chan struct{} // closed when the server goes away; a new one when it is back
	notify func(since time.Time, away bool)
}

func newPresence() *presence { return &presence{gone: make(chan struct{})} }

// Away says whether the office server is away (does not answer), and since
// when.
func (s *Store) Away() (since time.Time, away bool) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return s.p.since, !s.p.since.IsZero()
}

// OnAway calls fn (from another goroutine) whenever the server goes away
// or comes back: away with the time it went, or back (away false).
func (s *Store) OnAway(fn func(since time.Time, away bool)) {
	s.p.mu.Lock()
	s.p.notify = fn
	s.p.mu.Unlock()
}

// setAway marks the server away since at (unless it is already), or back.
func (s *Store) setAway(away bool, at time.Time) {
	s.p.mu.Lock()
	was := !s.p.since.IsZero()
	if away == was {
		s.p.mu.Unlock()
		return
	}
	if away {
		s.p.since = at
		close(s.p.gone)
	} else {
		s.p.since = time.Time{}
		s.p.gone = make(chan struct{})
	}
	since, fn := s.p.since, s.p.notify
	s.p.mu.Unlock()
	if fn != nil {
		fn(since, away)
	}
}

// gone is closed when the server goes away (now, if it is).
func (s *Store) goneCh() <-chan struct{} {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return s.p.gone
}

// awayError words a request refused or ended because the server is away.
func (s *Store) awayError(committing, sent bool) error {
	since, _ := s.Away()
	if since.IsZero() {
		since = time.Now()
	}
	at := since.Local().Format("15:04")
	switch {
	case committing && sent:
		return fp.Internal("the office server "+s.host+" stopped answering (since "+at+") while your change was on its way: it may or may not have been saved; it is kept on screen — when the server is back, reload to see whether it was saved, then try again", errAway)
	case committing:
		return fp.Internal("the office server "+s.host+" does not answer since "+at+": your change was not saved; it is kept on screen — try again when the server is back", errAway)
	}
	return fp.Internal("the office server "+s.host+" does not answer since "+at+": nothing can be read from it or saved until it is back (what is on screen is as it was read before; nothing typed is lost)", errAway)
}

// watchPresence keeps the server's presence up to date until the store
// closes (see the top of this file).
func (s *Store) watchPresence() {
	conn := s.c.ActiveConnection()
	changed := make(chan connectivity.State, 1)
	go func() {
		st := conn.GetState()
		for conn.WaitForStateChange(s.ctx, st) {
			st = conn.GetState()
			select {
			case <-changed: // only the newest state matters
			default:
			}
			changed <- st
		}
	}()
	t := time.NewTicker(PingEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case st := <-changed:
			switch st {
			case connectivity.Idle: // the server closed the connection: connect again now
				conn.Connect()
				continue
			case connectivity.Connecting, connectivity.TransientFailure:
				// The connection broke (it is never given up while
				// pings keep it busy): nothing can reach the server now.
				s.setAway(true, time.Now())
				continue
			case connectivity.Shutdown:
				return
			}
		case <-t.C:
		}
		s.ping()
	}
}

// ping asks the server for its revision; it sets the presence by the
// answer.
func (s *Store) ping() {
	began := time.Now()
	ctx, cancel := context.WithTimeout(s.ctx, PingTimeout)
	defer cancel()
	_, err := s.c.Get(ctx, commitKey, clientv3.WithCountOnly(), clientv3.WithSerializable())
	if s.ctx.Err() != nil {
		return
	}
	if err != nil && (refused(err) || isTLS(err)) {
		return // it answers, but refuses this desk: each request says so
	}
	s.setAway(err != nil, began)
}
