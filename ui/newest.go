package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// newest asks questions off the UI thread, one at a time, and shows only
// the answer to the newest one asked: while a question runs, later ones
// only leave the newest waiting, which runs when the running one answers.
// No question is queued behind another, none superseded runs, and an
// answer older than the newest asked for is dropped. A search box asks at
// every key (a barcode scanner types one every 12 ms, and no key may be
// lost) and its answer may take a while on a large office.
//
// The UI thread waits up to sameFrame for the answer: a key redraws the
// window at once, and an answer that came a few milliseconds later had to
// wait for that frame to be painted and then paint its own (two frames a
// key: most of a key's time where painting is slow, as with a software
// renderer). Answered in time, the key and its answer are one frame. A
// slower answer comes through fyne.Do.
type newest[Q, A any] struct {
	ui      *UI
	ask     func(Q) A               // off the UI thread
	show    func(gen int, q Q, a A) // on the UI thread, for the newest only
	asked   int                     // the newest question asked
	last    time.Time               // when it was asked
	running bool
	next    *question[Q] // the newest question asked while one ran
}

type question[Q any] struct {
	gen int
	q   Q
}

// sameFrame is how long a key waits for its answer before the window is
// drawn without it: the in-memory search answers in 1-5 ms at 100,000
// requests, but on a busy PC its goroutine may wait for a core; waiting up
// to about one frame of a software renderer is never slower than drawing
// the key first and the answer after.
var sameFrame = 25 * time.Millisecond

// burstGap: a key this soon after the last (a barcode scanner types one
// every 12 ms, a fast typist every 60-100 ms) does not wait for its answer:
// the keys after it would queue behind the wait, each its own query, where
// without it they supersede one another.
var burstGap = 40 * time.Millisecond

// Ask asks q: at once when nothing runs, else once the running question
// answers. Tests (UI.inline) ask and show on the calling goroutine.
func (n *newest[Q, A]) Ask(q Q) {
	n.asked++
	qq := question[Q]{n.asked, q}
	wait := sameFrame
	now := time.Now()
	if now.Sub(n.last) < burstGap {
		wait = 0 // keys in a burst: the next is coming, let it supersede this one
	}
	n.last = now
	switch {
	case n.ui.inline:
		n.show(qq.gen, q, n.ask(q))
	case n.running:
		n.next = &qq
	default:
		n.run(qq, wait)
	}
}

// Drop makes every answer still to come stale (the question changed to
// one that is not asked, e.g. a date that does not parse).
func (n *newest[Q, A]) Drop() {
	n.asked++
	n.next = nil
}

func (n *newest[Q, A]) run(qq question[Q], wait time.Duration) {
	n.running = true
	handoff := make(chan A) // unbuffered: taken only while the UI thread waits
	go func() {
		a := n.ask(qq.q)
		select {
		case handoff <- a:
		default:
			fyne.Do(func() { n.answered(qq, a) })
		}
	}()
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a := <-handoff:
		n.answered(qq, a)
	case <-t.C:
	}
}

// answered runs the question that waited for a and shows a if qq is
// still the newest asked.
func (n *newest[Q, A]) answered(qq question[Q], a A) {
	n.running = false
	if w := n.next; w != nil {
		n.next = nil
		n.run(*w, 0) // asked before this answer is drawn: it is already stale
	}
	if qq.gen == n.asked {
		n.show(qq.gen, qq.q, a)
	}
}
