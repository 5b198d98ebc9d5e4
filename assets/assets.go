// Package assets holds the files Fieldprint embeds: the application icon and
// the fonts letters are set in. It imports no GUI package, so the CLI's PDF
// output needs no display.
package assets

import _ "embed"

// IconPNG is the application and window icon (256×256).
//
//go:embed icon.png
var IconPNG []byte

// Noto Sans (SIL Open Font License, fonts/OFL.txt): covers the Latin,
// Vietnamese and Polish names offices see.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	FontRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	FontBold []byte
)
