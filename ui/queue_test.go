package ui

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// askLog records every query the queue sends.
type askLog struct {
	Store
	mu    sync.Mutex
	asked []fp.RequestFilter
}

func (l *askLog) FindRequests(f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	l.mu.Lock()
	l.asked = append(l.asked, f)
	l.mu.Unlock()
	return l.Store.FindRequests(f)
}

// The queue asks for the rows it draws, a page at a time, not for all it
// may show: a page when the answer comes, the next pages as they scroll
// into view; every row drawn is the one the whole list has there.
func TestQueueAsksOnlyForRowsShown(t *testing.T) {
	defer func(p int) { queuePage = p }(queuePage)
	queuePage = 4
	u, _ := demoUI(t)
	q := u.queue
	log := &askLog{Store: u.db}
	u.db = log
	q.status.SetSelected(filterAll)
	all, total, err := log.Store.FindRequests(fp.RequestFilter{Limit: queueLimit})
	if err != nil || total != len(all) || total < 30 {
		t.Fatalf("%d of %d, %v", len(all), total, err)
	}
	if len(log.asked) == 0 || log.asked[0].Limit != queuePage || log.asked[0].Offset != 0 {
		t.Fatalf("first query %+v", log.asked)
	}
	pages := map[int]bool{}
	for _, f := range log.asked {
		if f.Limit > queuePage {
			t.Errorf("asked for %d rows at once", f.Limit)
		}
		pages[f.Offset/queuePage] = true
	}
	if len(pages) >= (total+queuePage-1)/queuePage {
		t.Errorf("asked for every page (%d) before any was scrolled to", len(pages))
	}
	q.table.ScrollToBottom()
	for i := range q.rows {
		q.row(i) // as drawing each row would
	}
	for i, r := range q.rows {
		if r.ID != all[i].ID {
			t.Fatalf("row %d is %s, the list has %s there", i, r.Number, all[i].Number)
		}
	}
	if q.total != total || len(q.rows) != total {
		t.Fatalf("%d rows of %d, want %d", len(q.rows), q.total, total)
	}
}

// gate holds each query until the test lets it answer.
type gate struct {
	Store
	asked   chan string
	release chan struct{}
}

func (g *gate) FindRequests(f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	g.asked <- f.Search
	<-g.release
	return g.Store.FindRequests(f)
}

// Typing runs a query at once, never two at a time: keys typed while one
// runs leave only the newest text waiting, the superseded query never
// runs, and the stale answer is not drawn.
func TestQueueTypingDropsSupersededQueries(t *testing.T) {
	u, _ := demoUI(t)
	q := u.queue
	word := fp.SearchTokens(q.rows[0].FullName)[0][:3]
	g := &gate{Store: u.db, asked: make(chan string, 10), release: make(chan struct{})}
	shown := make(chan string, 10)
	u.db, u.inline = g, false
	q.onShow = func(s string) { shown <- s }

	test.Type(q.search, word[:1])
	if got := <-g.asked; got != word[:1] {
		t.Fatalf("asked %q", got)
	}
	test.Type(q.search, word[1:]) // while the first runs
	if len(g.asked) != 0 {
		t.Fatal("a second query runs beside the first")
	}
	g.release <- struct{}{} // the first answers: stale, the newest runs
	if got := <-g.asked; got != word {
		t.Fatalf("after the first answer asked %q, want only the newest %q", got, word)
	}
	g.release <- struct{}{}
	if got := <-shown; got != word {
		t.Fatalf("drew the answer to %q", got)
	}
	if len(shown) != 0 || len(g.asked) != 0 {
		t.Fatalf("more answers drawn (%d) or asked (%d)", len(shown), len(g.asked))
	}
	if q.total == 0 || q.total >= len(q.rows)+1000 {
		t.Fatalf("%d found", q.total)
	}
	for _, r := range q.rows[:min(len(q.rows), queuePage)] {
		if !slices.ContainsFunc(fp.SearchTokens(r.FullName), func(w string) bool { return strings.HasPrefix(w, word) }) {
			t.Errorf("%s %q does not match %q", r.Number, r.FullName, word)
		}
	}
	u.inline = true
}

// slow answers every query after a pause, or once let (when hold is set).
type slow struct {
	Store
	pause time.Duration
	hold  chan struct{}
}

func (s *slow) FindRequests(f fp.RequestFilter) ([]fp.RequestSummary, int, error) {
	time.Sleep(s.pause)
	if s.hold != nil {
		<-s.hold
	}
	return s.Store.FindRequests(f)
}

// A key's answer that comes within sameFrame is shown before the key's
// handling returns (the key and its rows are drawn in one frame); a slower
// one is shown when it comes, and the key does not wait for it.
func TestQueueAnswerInTheKeysFrame(t *testing.T) {
	defer func(d time.Duration) { sameFrame = d }(sameFrame)
	u, _ := demoUI(t)
	q := u.queue
	word := fp.SearchTokens(q.rows[0].FullName)[0][:3]
	st := &slow{Store: u.db, pause: 50 * time.Millisecond}
	shown := make(chan string, 10)
	u.db, u.inline = st, false
	defer func() { u.inline = true }()
	q.onShow = func(s string) { shown <- s }

	sameFrame = 5 * time.Second
	q.asker.last = time.Time{} // not in a burst with the queue's first query, asked at sign-in
	test.Type(q.search, word[:1])
	if len(shown) != 1 || <-shown != word[:1] {
		t.Fatal("an answer within sameFrame was not shown in the key's frame")
	}

	sameFrame = time.Millisecond
	st.hold = make(chan struct{})
	start := time.Now()
	test.Type(q.search, word[1:2])
	if waited := time.Since(start); waited > 200*time.Millisecond {
		t.Errorf("the key waited %v for a slow answer", waited)
	}
	if len(shown) != 0 {
		t.Fatal("a slow answer shown before it came")
	}
	close(st.hold) // the answer comes now
	select {
	case got := <-shown:
		if got != word[:2] {
			t.Fatalf("drew the answer to %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow answer was never shown")
	}

	// A key in a burst (under burstGap after the last) does not wait at
	// all, however long sameFrame is: the next key supersedes it.
	defer func(d time.Duration) { burstGap = d }(burstGap)
	sameFrame, burstGap = 5*time.Second, time.Hour
	st.hold = make(chan struct{})
	start = time.Now()
	test.Type(q.search, word[2:3])
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("a key in a burst waited %v for its answer", waited)
	}
	close(st.hold)
	if got := <-shown; got != word[:3] {
		t.Fatalf("drew the answer to %q", got)
	}
}

// A cell's text is cut with an ellipsis only when it is wider than its
// column (the cut is worked out again at every change, most of a redraw).
func TestQueueCellsCutOnlyWhatDoesNotFit(t *testing.T) {
	u, _ := demoUI(t)
	q := u.queue
	cell := q.table.CreateCell().(*fyne.Container)
	label := cell.Objects[0].(*widget.Label)
	for _, c := range []struct {
		width float32
		want  fyne.TextTruncation
	}{{1000, fyne.TextTruncateOff}, {30, fyne.TextTruncateEllipsis}, {1000, fyne.TextTruncateOff}} {
		q.widths[1] = c.width
		q.updateCell(widget.TableCellID{Row: 0, Col: 1}, cell)
		if label.Text != q.rows[0].FullName || label.Truncation != c.want {
			t.Errorf("column %.0f wide: %q truncation %v, want %v", c.width, label.Text, label.Truncation, c.want)
		}
	}
}

// On a narrow window (1024x700) the other columns shrink to what their
// widest cell and their title hold, and no further, before the applicant's
// name is cut; on a wide one every column has its natural width and the name
// the room left.
func TestQueueColumnsOnNarrowAndWideWindows(t *testing.T) {
	u, _ := demoUI(t)
	q := u.queue
	for _, size := range []fyne.Size{{Width: 1024, Height: 700}, {Width: 1366, Height: 768}, {Width: 800, Height: 600}} {
		u.win.Resize(size)
		q.list.Refresh()
		var sum float32
		for i, c := range queueColumns {
			sum += q.widths[i]
			if i != 1 && (q.widths[i] < queueMin(i)-0.01 || q.widths[i] > c.width+0.01) {
				t.Errorf("%v: column %q is %.1f wide, between %.1f (its cells) and %.1f", size, c.title, q.widths[i], queueMin(i), c.width)
			}
		}
		if size.Width == 1024 && q.widths[1] < labelWidth("Alejandro Ramírez", fyne.TextStyle{}) {
			t.Errorf("%v: the name has %.1f, not room for a name of 17 letters", size, q.widths[1])
		}
		if table := q.list.Size().Width; size.Width >= 1024 && sum > table { // narrower: the table scrolls
			t.Errorf("%v: the columns take %.1f of the table's %.1f", size, sum, table)
		}
	}
}
