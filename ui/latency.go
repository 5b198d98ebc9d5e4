package ui

import (
	"fmt"
	"image"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// KeystrokeTest is "fieldprint self-test --keystrokes": in the real
// window, signed in on an office the caller made, it types into the
// queue's search box one key at a time and times each key from the moment
// it is sent to the window's thread to the end of the first frame drawn
// after the queue's rows hold that key's answer. The frame is seen by a
// 1x1 raster beside the list, refreshed when the answer is shown: its
// picture is made while that frame is painted, and the time is taken by a
// function queued from there, which runs once the frame is swapped.
type KeystrokeTest struct {
	Size   fyne.Size
	Out    io.Writer
	As     fp.Actor
	Pass   string
	Words  []string      // typed one key at a time; the box is cleared before each
	Rounds int           // times the words are typed
	Pause  time.Duration // between a key's frame and the next key (a person's pace)
	Burst  time.Duration // a barcode scanner's key interval, for the burst runs
	Mem    func() string // the process's memory, said after each stage (nil: not said)

	Keys   []time.Duration // each key's latency, to the frame drawn
	Rows   []time.Duration // each key to the queue's rows holding its answer
	Bursts []time.Duration // last key of a burst to its frame
}

// keyFrame is a frame drawn after the queue showed the answer to text.
type keyFrame struct {
	text      string
	shown, at time.Time // the rows held the answer; the frame was drawn
}

// KeystrokeTest runs kt; done gets nil or what failed, on the driving
// goroutine, and should quit the app. Call it on the main goroutine before
// the app runs.
func (u *UI) KeystrokeTest(kt *KeystrokeTest, done func(error)) {
	u.IdleAfter = 0
	u.win.Resize(kt.Size)
	u.win.Show()
	go func() { done(u.keystrokeTest(kt)) }()
}

func (u *UI) keystrokeTest(kt *KeystrokeTest) error {
	st := &SelfTest{Size: kt.Size, Out: io.Discard, written: map[string]bool{}}
	time.Sleep(time.Second) // the first frame
	if kt.Mem != nil {
		fmt.Fprintf(kt.Out, "memory before signing in: %s\n", kt.Mem())
	}
	if err := u.stSignIn(st, kt.As); err != nil {
		return err
	}
	mem := func(stage string) {
		if kt.Mem != nil {
			fmt.Fprintf(kt.Out, "memory %s: %s\n", stage, kt.Mem())
		}
	}
	mem("after signing in")
	start := time.Now()
	if err := u.warmSearch(); err != nil {
		return err
	}
	fmt.Fprintf(kt.Out, "search index ready %.0f ms after signing in\n", ms(time.Since(start)))
	mem("with the search index")

	frames := make(chan keyFrame, 1024)
	var search *widget.Entry
	if err := u.stDo(st, "placing the frame probe", func() {
		q := u.queue
		search = q.search
		pending, text, shown := false, "", time.Time{}
		img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
		probe := canvas.NewRaster(func(w, h int) image.Image {
			if pending {
				pending = false
				t, at := text, shown
				fyne.Do(func() { // runs after the frame being painted is swapped
					select {
					case frames <- keyFrame{t, at, time.Now()}:
					default:
					}
				})
			}
			return img
		})
		probe.Resize(fyne.NewSize(1, 1))
		q.onShow = func(s string) {
			pending, text, shown = true, s, time.Now()
			probe.Refresh()
		}
		border := q.content.(*fyne.Container)
		for i, o := range border.Objects {
			if o == q.list {
				border.Objects[i] = container.NewStack(q.list, container.NewWithoutLayout(probe))
			}
		}
		border.Refresh()
		u.win.Canvas().Focus(q.search)
	}); err != nil {
		return err
	}
	// wait returns when a frame after text's answer is drawn.
	wait := func(text string) (keyFrame, error) {
		timeout := time.After(time.Minute) // softpipe draws a frame in seconds on a busy machine
		for {
			select {
			case f := <-frames:
				if f.text == text {
					return f, nil
				}
			case <-timeout:
				return keyFrame{}, fp.Errorf(fp.EINTERNAL, "keystroke test: the answer to %q was not drawn within a minute", text)
			}
		}
	}
	clear := func() error {
		fyne.Do(func() {
			if search.Text == "" {
				u.queue.refresh() // SetText of the same text asks nothing
			} else {
				search.SetText("")
			}
		})
		_, err := wait("")
		time.Sleep(kt.Pause)
		return err
	}
	for round := 0; round < kt.Rounds; round++ {
		for _, word := range kt.Words {
			if err := clear(); err != nil {
				return err
			}
			typed := ""
			for _, r := range word {
				typed += string(r)
				sent := time.Now()
				fyne.Do(func() { search.TypedRune(r) })
				f, err := wait(typed)
				if err != nil {
					return err
				}
				kt.Keys, kt.Rows = append(kt.Keys, f.at.Sub(sent)), append(kt.Rows, f.shown.Sub(sent))
				fmt.Fprintf(kt.Out, "key %-12q %6.1f ms drawn (rows %.1f ms)\n", typed, ms(f.at.Sub(sent)), ms(f.shown.Sub(sent)))
				time.Sleep(kt.Pause)
			}
			// The same word as a barcode scanner types it.
			if err := clear(); err != nil {
				return err
			}
			var last time.Time
			for _, r := range word {
				last = time.Now()
				fyne.Do(func() { search.TypedRune(r) })
				time.Sleep(kt.Burst)
			}
			f, err := wait(word)
			if err != nil {
				return err
			}
			kt.Bursts = append(kt.Bursts, f.at.Sub(last))
			fmt.Fprintf(kt.Out, "burst %-10q %6.1f ms after its last key\n", word, ms(f.at.Sub(last)))
		}
	}
	mem("after typing")
	time.Sleep(2 * time.Second) // nothing asked: what the window keeps while idle
	mem("2 s after typing")
	fmt.Fprintf(kt.Out, "key to frame drawn: %s\nkey to rows holding the answer: %s\nburst, last key to frame: %s\n",
		Percentiles(kt.Keys), Percentiles(kt.Rows), Percentiles(kt.Bursts))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Percentiles says n, p50, p95 and the largest of ds.
func Percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		return float64(s[max(0, min(i, len(s)-1))].Microseconds()) / 1000
	}
	return strings.Join([]string{
		fmt.Sprintf("n=%d", len(s)), fmt.Sprintf("p50=%.1f ms", at(0.50)),
		fmt.Sprintf("p95=%.1f ms", at(0.95)), fmt.Sprintf("max=%.1f ms", at(1)),
	}, " ")
}
