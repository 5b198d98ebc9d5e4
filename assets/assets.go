// Package assets exposes the files Fieldprint embeds: the application icon.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application and window icon.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
