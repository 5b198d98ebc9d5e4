package ui

import (
	"fmt"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/assets"
)

// aboutText is what the About dialog says and its Copy button copies: the
// version a support call asks for first (FyneApp.toml's, as `fieldprint
// version` prints it).
func aboutText() string {
	return fmt.Sprintf("Fieldprint %s\nbuild %d, %s, %s/%s", fp.Version(), fp.Build(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// showAbout shows the version, what the program is, and the fonts' licence.
// Anyone may open it, signed in or not.
func (u *UI) showAbout() {
	u.touch()
	icon := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.IconPNG))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	name := widget.NewLabelWithStyle("Fieldprint "+fp.Version(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what := widget.NewLabel("Biometrics collection requests at USCIS international field offices.")
	what.Wrapping = fyne.TextWrapWord
	build := widget.NewLabelWithStyle(fmt.Sprintf("build %d · %s · %s/%s", fp.Build(), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	fonts := widget.NewLabel("Letters are set in Noto Sans (SIL Open Font License 1.1).")
	fonts.Wrapping = fyne.TextWrapWord
	copied := widget.NewLabel("")
	copyBtn := widget.NewButtonWithIcon("Copy version", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(aboutText())
		copied.SetText("Copied.")
	})
	body := container.NewBorder(nil, nil, container.NewVBox(icon), nil,
		container.NewVBox(name, what, build, fonts, container.NewHBox(copyBtn, copied)))
	d := dialog.NewCustom("About Fieldprint", "Close", body, u.win)
	d.Resize(fyne.NewSize(min(520, u.win.Canvas().Size().Width-40), body.MinSize().Height+120))
	d.Show()
}
