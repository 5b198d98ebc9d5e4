package officedesk

import (
	"context"
	"sync"
	"time"
)

// live is the desk's following of the server's changes (Changes).
type live struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
}

// What the screens show: the requests' records (status, checklist,
// appointments all change them), and the office's settings (its time zone,
// letterhead, hours and rules: another desk's administrator may change
// them while this desk runs).
var (
	changesPrefix  = []byte("requests/")
	settingsPrefix = []byte("settings/")
)

// Changes ticks when the office's requests or settings change on the server
// (another desk's work, or this desk's own), at most one tick waiting: the
// window refreshes what it shows. A change of the settings is read first
// (the office's time zone, which the desk keeps: Desk.ReloadSettings). It
// follows the server across restarts and reconnections (a watch resumed
// from the last revision seen; one the server no longer keeps starts again
// from now, and ticks, since anything may have changed) and closes when the
// office closes.
func (o *Office) Changes() <-chan struct{} {
	o.live.once.Do(func() { o.live.ctx, o.live.cancel = context.WithCancel(context.Background()) })
	out := make(chan struct{}, 1)
	tick := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); o.follow(changesPrefix, tick) }()
	go func() {
		defer wg.Done()
		o.follow(settingsPrefix, func() {
			o.ReloadSettings() // a server away: the next change reads them
			tick()
		})
	}()
	go func() { wg.Wait(); close(out) }()
	return out
}

// follow calls changed after each change under prefix (and after a gap it
// cannot account for) until the office closes.
func (o *Office) follow(prefix []byte, changed func()) {
	var from int64
	for o.live.ctx.Err() == nil {
		ch, err := o.store.Watch(o.live.ctx, prefix, from)
		if err != nil {
			if from != 0 { // compacted, or a server restored: read everything again
				from = 0
				changed()
			}
			select {
			case <-o.live.ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		for c := range ch {
			from = c.Revision
			changed()
		}
	}
}

func (o *Office) stopLive() {
	o.live.once.Do(func() { o.live.ctx, o.live.cancel = context.WithCancel(context.Background()) })
	o.live.cancel()
}

// presenceTTL is how long a crashed desk's "open here" mark outlives it.
const presenceTTL = 15 * time.Second

// OpenAt marks the request numbered number as open by who at this desk,
// until release is called (or this desk stops, after presenceTTL).
func (o *Office) OpenAt(number, who string) (release func()) {
	release, err := o.store.Present(number, who, presenceTTL)
	if err != nil {
		return func() {}
	}
	return release
}

// OpenElsewhere says who has the request open at other desks ("jchen at
// Director"), empty when nobody (or the server does not answer).
func (o *Office) OpenElsewhere(number string) []string {
	ps, err := o.store.Presences(number)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Who+" at "+p.Desk)
	}
	return out
}
