// Package ui is the Fyne desktop interface. It only talks to the app package; everything it shows arrives through
// app's callbacks, moved onto the UI goroutine with fyne.Do.
package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/assets"
)

var (
	fontRegular = fyne.NewStaticResource("NanumGothic-Regular.ttf", assets.NanumGothicRegular)
	fontBold    = fyne.NewStaticResource("NanumGothic-Bold.ttf", assets.NanumGothicBold)
	appIcon     = fyne.NewStaticResource("gugugo.png", assets.Icon)
)

// koreanTheme is Fyne's default theme with NanumGothic, which has Hangul (Fyne's own fonts have none), a fixed or
// system light/dark variant, and the text size from the settings.
type koreanTheme struct {
	mode     string
	textSize float32
}

func newTheme(s app.Settings) fyne.Theme {
	return &koreanTheme{mode: s.Theme, textSize: float32(s.FontSize)}
}

func (t *koreanTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch t.mode {
	case app.ThemeLight:
		v = theme.VariantLight
	case app.ThemeDark:
		v = theme.VariantDark
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t *koreanTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if s.Bold {
		return fontBold
	}
	return fontRegular
}

func (t *koreanTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *koreanTheme) Size(n fyne.ThemeSizeName) float32 {
	base := theme.DefaultTheme().Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText:
		// Scale every text size with the setting, keeping their proportions.
		return base * t.textSize / theme.DefaultTheme().Size(theme.SizeNameText)
	}
	return base
}
