package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// A closed request's fields cannot be changed, but what they hold is read
// at a contrast one reads a record at (WCAG's 4.5:1 for text), not in the
// faint grey of a control that does nothing; a field's hint (placeholder)
// stays fainter than any value.
func TestClosedRequestReadsClearly(t *testing.T) {
	u, _ := demoUI(t)
	row := firstWith(t, u, fp.StatusCompleted)
	u.OpenRequest(row.ID)
	f := u.form
	if !f.name.Disabled() {
		t.Fatal("a completed request's name can be changed")
	}
	c := valueContrast(t, f.name)
	if c < 4.5 {
		t.Errorf("the closed request's name is drawn at %.1f:1 against its field", c)
	}
	if hint := contrast(theme.Color(theme.ColorNamePlaceHolder), theme.Color(theme.ColorNameInputBackground)); c <= hint {
		t.Errorf("a value (%.1f:1) is no clearer than a hint (%.1f:1)", c, hint)
	}
}

// valueContrast is the contrast of what e shows against its field.
func valueContrast(t *testing.T, e *widget.Entry) float64 {
	t.Helper()
	for _, o := range test.LaidOutObjects(e) {
		if txt, ok := o.(*canvas.Text); ok && txt.Text == e.Text && e.Text != "" {
			return contrast(txt.Color, theme.Color(theme.ColorNameInputBackground))
		}
	}
	t.Fatalf("the field does not show %q", e.Text)
	return 0
}

// contrast is WCAG's contrast ratio of two colours (1 to 21), over white.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		ch := func(v uint8) float64 {
			x := float64(v) / 255
			x = x*float64(n.A)/255 + (1 - float64(n.A)/255) // over white
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(n.R) + 0.7152*ch(n.G) + 0.0722*ch(n.B)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
