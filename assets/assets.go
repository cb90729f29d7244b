// Package assets holds the files built into the binary: the Korean fonts (NanumGothic, SIL Open Font License 1.1,
// see fonts/OFL.txt) and the application icon.
package assets

import _ "embed"

// NanumGothicRegular and NanumGothicBold are the UI fonts: Fyne's own fonts have no Hangul.
var (
	//go:embed fonts/NanumGothic-Regular.ttf
	NanumGothicRegular []byte
	//go:embed fonts/NanumGothic-Bold.ttf
	NanumGothicBold []byte
)

// Icon is the application icon, 256×256 PNG rendered from icon.svg (Fyne's SVG renderer draws its strokes poorly).
//
//go:embed icon-256.png
var Icon []byte
