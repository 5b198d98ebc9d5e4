package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	fp "github.com/fieldprint/fieldprint"
)

// statusColor gives each status a calm fill; the word is always shown too,
// so colour is never the only signal.
func statusColor(s fp.Status) color.Color {
	switch s {
	case fp.StatusNew:
		return color.NRGBA{0x2b, 0x6c, 0xb0, 0xff} // blue
	case fp.StatusAwaitingDocuments:
		return color.NRGBA{0xb7, 0x79, 0x1f, 0xff} // amber
	case fp.StatusDirectorReview:
		return color.NRGBA{0x6b, 0x46, 0xc1, 0xff} // violet
	case fp.StatusReadyToSchedule:
		return color.NRGBA{0x2c, 0x7a, 0x7b, 0xff} // teal
	case fp.StatusScheduled:
		return color.NRGBA{0x27, 0x67, 0x49, 0xff} // green
	case fp.StatusCompleted:
		return color.NRGBA{0x4a, 0x55, 0x68, 0xff} // slate
	case fp.StatusDenied:
		return color.NRGBA{0xa6, 0x2b, 0x2b, 0xff} // red
	}
	return color.NRGBA{0x71, 0x80, 0x96, 0xff} // grey: withdrawn
}

// badge is a rounded, coloured label with the status in words.
type badge struct {
	bg   *canvas.Rectangle
	text *canvas.Text
	box  *fyne.Container
}

func newBadge() *badge {
	b := &badge{bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.White)}
	b.bg.CornerRadius = 9
	b.text.TextSize = theme.TextSize() - 1
	b.text.TextStyle.Bold = true
	b.box = container.NewHBox(container.NewStack(b.bg, container.NewPadded(b.text)), layout.NewSpacer())
	return b
}

// badgeWidth is how wide a badge showing text is.
func badgeWidth(text string) float32 {
	return fyne.MeasureText(text, theme.TextSize()-1, fyne.TextStyle{Bold: true}).Width + 2*theme.Padding()
}

func (b *badge) set(s fp.Status) {
	b.text.Text = s.Label()
	b.bg.FillColor = statusColor(s)
	b.box.Refresh()
}
