package app

import (
	"runtime"
	"strings"

	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Preferences is where settings persist; fyne.Preferences is one.
type Preferences interface {
	BoolWithFallback(key string, fallback bool) bool
	SetBool(key string, value bool)
	FloatWithFallback(key string, fallback float64) float64
	SetFloat(key string, value float64)
	IntWithFallback(key string, fallback int) int
	SetInt(key string, value int)
	StringWithFallback(key, fallback string) string
	SetString(key, value string)
}

// Themes the settings offer.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Settings are the user's choices, kept between runs.
type Settings struct {
	ModelPath     string
	Device        string // "" for the best GPU, "cpu", or a device name (CUDA0, Vulkan0, ...)
	GPULayers     int    // -1: all
	Threads       int    // 0: one per core
	AutoTranslate bool
	Theme         string
	FontSize      float64 // text size in points
	Direction     DirectionMode
	WindowWidth   float64
	WindowHeight  float64
	KeepHistory   bool // false: nothing is written to the history
	HistoryMax    int  // most entries kept; 0: no limit
	HistoryDays   int  // days an entry is kept; 0: no limit

	Hotkey        string // the global hotkey, such as Ctrl+Alt+G; "" for none
	HotkeyPrimary bool   // the hotkey translates the selected text (X11 PRIMARY) when there is one
	DoubleCopy    bool   // Ctrl+C+C: copying the same text twice quickly translates it
	CopyResult    bool   // a translation started from another program is copied to the clipboard when done
	Popup         bool   // such a translation shows in a small window at the pointer instead of the main window
	CloseToTray   bool   // closing the window keeps the app in the tray, where there is one
	IdleMinutes   int    // the model is unloaded after this many minutes unused; 0: never

	// UseServer translates with the model a server runs (ServerURL: llama-server, vLLM or another gugugo serve)
	// instead of a model on this computer.
	UseServer bool
	ServerURL string
	ServerKey string // the API key the server wants; "" for none

	// GlossaryKoEn and GlossaryEnKo are each direction's term pairs, as glossary TSV.
	GlossaryKoEn string
	GlossaryEnKo string
	// RegionHotkey freezes the screen to pick a region whose text is read and translated; "" for none.
	RegionHotkey string

	Share     bool   // let other programs use Gugugo through the local server
	ShareAddr string // host:port it listens on
	ShareKey  string // the API key it requires; needed for an address other computers reach
}

// Bounds of the font size setting.
const (
	MinFontSize = 10
	MaxFontSize = 32
)

// DefaultSettings are the settings of a first run.
func DefaultSettings() Settings {
	return Settings{GPULayers: -1, AutoTranslate: true, Theme: ThemeSystem, FontSize: 15, Direction: ModeAuto,
		WindowWidth: 960, WindowHeight: 600, KeepHistory: true, HistoryMax: 10000, Hotkey: desktop.DefaultHotkey, CloseToTray: true,
		RegionHotkey: desktop.DefaultRegionHotkey, ShareAddr: server.DefaultAddr}
}

// LoadSettings reads the settings, with defaults for what is missing or out of range.
func LoadSettings(p Preferences) Settings {
	d := DefaultSettings()
	s := Settings{
		ModelPath:     p.StringWithFallback("model_path", d.ModelPath),
		Device:        p.StringWithFallback("device", d.Device),
		GPULayers:     p.IntWithFallback("gpu_layers", d.GPULayers),
		Threads:       p.IntWithFallback("threads", d.Threads),
		AutoTranslate: p.BoolWithFallback("auto_translate", d.AutoTranslate),
		Theme:         p.StringWithFallback("theme", d.Theme),
		FontSize:      p.FloatWithFallback("font_size", d.FontSize),
		Direction:     DirectionMode(p.IntWithFallback("direction", int(d.Direction))),
		WindowWidth:   p.FloatWithFallback("window_width", d.WindowWidth),
		WindowHeight:  p.FloatWithFallback("window_height", d.WindowHeight),
		KeepHistory:   p.BoolWithFallback("keep_history", d.KeepHistory),
		HistoryMax:    p.IntWithFallback("history_max", d.HistoryMax),
		HistoryDays:   p.IntWithFallback("history_days", d.HistoryDays),
		Hotkey:        p.StringWithFallback("hotkey", d.Hotkey),
		HotkeyPrimary: p.BoolWithFallback("hotkey_primary", d.HotkeyPrimary),
		DoubleCopy:    p.BoolWithFallback("double_copy", d.DoubleCopy),
		CopyResult:    p.BoolWithFallback("copy_result", d.CopyResult),
		Popup:         p.BoolWithFallback("popup", d.Popup),
		CloseToTray:   p.BoolWithFallback("close_to_tray", d.CloseToTray),
		IdleMinutes:   p.IntWithFallback("idle_minutes", d.IdleMinutes),
		UseServer:     p.BoolWithFallback("use_server", d.UseServer),
		ServerURL:     p.StringWithFallback("server_url", d.ServerURL),
		ServerKey:     p.StringWithFallback("server_key", d.ServerKey),
		GlossaryKoEn:  p.StringWithFallback("glossary_ko_en", d.GlossaryKoEn),
		GlossaryEnKo:  p.StringWithFallback("glossary_en_ko", d.GlossaryEnKo),
		RegionHotkey:  p.StringWithFallback("region_hotkey", d.RegionHotkey),
		Share:         p.BoolWithFallback("share", d.Share),
		ShareAddr:     p.StringWithFallback("share_addr", d.ShareAddr),
		ShareKey:      p.StringWithFallback("share_key", d.ShareKey),
	}
	return s.Normalized()
}

// Normalized replaces values out of range with defaults.
func (s Settings) Normalized() Settings {
	d := DefaultSettings()
	if s.GPULayers < -1 {
		s.GPULayers = d.GPULayers
	}
	if s.Threads < 0 || s.Threads > 4*runtime.NumCPU() {
		s.Threads = d.Threads
	}
	if s.Theme != ThemeLight && s.Theme != ThemeDark {
		s.Theme = ThemeSystem
	}
	s.FontSize = min(max(s.FontSize, MinFontSize), MaxFontSize)
	if s.Direction < ModeKoreanToEnglish || s.Direction > ModeAuto {
		s.Direction = d.Direction
	}
	s.HistoryMax, s.HistoryDays, s.IdleMinutes = max(s.HistoryMax, 0), max(s.HistoryDays, 0), max(s.IdleMinutes, 0)
	if h, err := desktop.ParseHotkey(s.Hotkey); err == nil {
		s.Hotkey = h.String()
	} else if s.Hotkey != "" {
		s.Hotkey = d.Hotkey
	}
	if h, err := desktop.ParseHotkey(s.RegionHotkey); err == nil {
		s.RegionHotkey = h.String()
	} else if s.RegionHotkey != "" {
		s.RegionHotkey = d.RegionHotkey
	}
	s.ServerURL, s.ServerKey, s.ShareKey = strings.TrimSpace(s.ServerURL), strings.TrimSpace(s.ServerKey), strings.TrimSpace(s.ShareKey)
	if s.ShareAddr = strings.TrimSpace(s.ShareAddr); s.ShareAddr == "" {
		s.ShareAddr = d.ShareAddr
	}
	if s.WindowWidth < 400 || s.WindowHeight < 300 {
		s.WindowWidth, s.WindowHeight = d.WindowWidth, d.WindowHeight
	}
	return s
}

// Save writes the settings.
func (s Settings) Save(p Preferences) {
	p.SetString("model_path", s.ModelPath)
	p.SetString("device", s.Device)
	p.SetInt("gpu_layers", s.GPULayers)
	p.SetInt("threads", s.Threads)
	p.SetBool("auto_translate", s.AutoTranslate)
	p.SetString("theme", s.Theme)
	p.SetFloat("font_size", s.FontSize)
	p.SetInt("direction", int(s.Direction))
	p.SetFloat("window_width", s.WindowWidth)
	p.SetFloat("window_height", s.WindowHeight)
	p.SetBool("keep_history", s.KeepHistory)
	p.SetInt("history_max", s.HistoryMax)
	p.SetInt("history_days", s.HistoryDays)
	p.SetString("hotkey", s.Hotkey)
	p.SetBool("hotkey_primary", s.HotkeyPrimary)
	p.SetBool("double_copy", s.DoubleCopy)
	p.SetBool("copy_result", s.CopyResult)
	p.SetBool("popup", s.Popup)
	p.SetBool("close_to_tray", s.CloseToTray)
	p.SetInt("idle_minutes", s.IdleMinutes)
	p.SetBool("use_server", s.UseServer)
	p.SetString("server_url", s.ServerURL)
	p.SetString("server_key", s.ServerKey)
	p.SetString("glossary_ko_en", s.GlossaryKoEn)
	p.SetString("glossary_en_ko", s.GlossaryEnKo)
	p.SetString("region_hotkey", s.RegionHotkey)
	p.SetBool("share", s.Share)
	p.SetString("share_addr", s.ShareAddr)
	p.SetString("share_key", s.ShareKey)
}

// EngineOptions are the load options these settings ask for.
func (s Settings) EngineOptions() inference.Options {
	return inference.Options{GPULayers: s.GPULayers, Threads: s.Threads, Device: s.Device}
}
