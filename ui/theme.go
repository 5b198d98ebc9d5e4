package ui

import (
	"image/color"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
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

// readableFields is the theme of a request's fields: a field that cannot be
// changed (every field of a closed request) shows its value a little lighter
// than the text, at a contrast one reads a record at (about 5:1 in the light
// variant), where Fyne's disabled grey, made for controls that do nothing, is
// 1.3:1 and fainter than the fields' hints. Everything else is the app's
// theme, asked at each use.
type readableFields struct{}

func (readableFields) current() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t readableFields) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameDisabled {
		return mix(t.current().Color(theme.ColorNameForeground, v), t.current().Color(theme.ColorNameBackground, v), 0.1)
	}
	return t.current().Color(n, v)
}

func (t readableFields) Font(s fyne.TextStyle) fyne.Resource     { return t.current().Font(s) }
func (t readableFields) Icon(n fyne.ThemeIconName) fyne.Resource { return t.current().Icon(n) }
func (t readableFields) Size(n fyne.ThemeSizeName) float32       { return t.current().Size(n) }

// mix is a, moved by f (0 to 1) toward b.
func mix(a, b color.Color, f float64) color.Color {
	ca, cb := color.NRGBAModel.Convert(a).(color.NRGBA), color.NRGBAModel.Convert(b).(color.NRGBA)
	m := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*f + 0.5) }
	return color.NRGBA{m(ca.R, cb.R), m(ca.G, cb.G), m(ca.B, cb.B), 0xff}
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

// iconButton is a small button the keyboard passes by: Tab does not stop on
// it, so Space in a row of fields never presses it (removing a household
// member must be a deliberate click).
type iconButton struct {
	widget.BaseWidget
	icon    fyne.Resource
	tip     string
	onTap   func()
	hovered bool
}

func newIconButton(icon fyne.Resource, tip string, onTap func()) *iconButton {
	b := &iconButton{icon: icon, tip: tip, onTap: onTap}
	b.ExtendBaseWidget(b)
	return b
}

func (b *iconButton) Tapped(*fyne.PointEvent) {
	if b.onTap != nil {
		b.onTap()
	}
}

func (b *iconButton) MouseIn(*desktop.MouseEvent)    { b.hovered = true; b.Refresh() }
func (b *iconButton) MouseMoved(*desktop.MouseEvent) {}
func (b *iconButton) MouseOut()                      { b.hovered = false; b.Refresh() }

func (b *iconButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (b *iconButton) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = theme.InputRadiusSize()
	icon := widget.NewIcon(b.icon)
	r := &iconButtonRenderer{b: b, bg: bg, icon: icon}
	return r
}

type iconButtonRenderer struct {
	b    *iconButton
	bg   *canvas.Rectangle
	icon *widget.Icon
}

func (r *iconButtonRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	pad := theme.InnerPadding()
	r.icon.Resize(fyne.NewSize(size.Width-pad, size.Height-pad))
	r.icon.Move(fyne.NewPos(pad/2, pad/2))
}

func (r *iconButtonRenderer) MinSize() fyne.Size {
	s := theme.IconInlineSize() + theme.InnerPadding()*1.5
	return fyne.NewSize(s, s)
}

func (r *iconButtonRenderer) Refresh() {
	r.bg.FillColor = color.Transparent
	if r.b.hovered {
		r.bg.FillColor = theme.Color(theme.ColorNameHover)
	}
	r.bg.Refresh()
	r.icon.Refresh()
}

func (r *iconButtonRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.icon} }
func (r *iconButtonRenderer) Destroy()                     {}
