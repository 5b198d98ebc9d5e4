package ui

import (
	"image/color"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// officeTheme is Fyne's theme with the light variant by default: a
// full-day office tool reads better light. FYNE_THEME=dark, or the
// preference "theme" set to "dark", chooses the dark variant.
type officeTheme struct {
	fyne.Theme
	dark bool
}

func newOfficeTheme(prefs fyne.Preferences) *officeTheme {
	dark := os.Getenv("FYNE_THEME") == "dark" || prefs.String("theme") == "dark"
	return &officeTheme{Theme: theme.DefaultTheme(), dark: dark}
}

func (t *officeTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	v := theme.VariantLight
	if t.dark {
		v = theme.VariantDark
	}
	return t.Theme.Color(n, v)
}

// textArea is a multi-line entry that lets Tab move to the next field, so the
// whole form works from the keyboard (a tab character has no place in these texts).
type textArea struct{ widget.Entry }

func newTextArea() *textArea {
	t := &textArea{}
	t.MultiLine = true
	t.Wrapping = fyne.TextWrapWord
	t.ExtendBaseWidget(t)
	return t
}

func (t *textArea) AcceptsTab() bool { return false }
