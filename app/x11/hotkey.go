package x11

import (
	"fmt"
	"strings"
)

// Hotkey is a key combination, such as Ctrl+Alt+G.
type Hotkey struct {
	Mods uint16 // X modifier mask (ModMaskControl, ModMaskShift, ModMask1 for Alt, ModMask4 for Super)
	Key  string // the key's name as written: "G", "F8", "Space"
	sym  uint32
}

// DefaultHotkey is taken by no common desktop (GNOME, KDE, Xfce, Cinnamon) nor by browsers or office programs.
const DefaultHotkey = "Ctrl+Alt+G"

// X modifier masks (X11 protocol, core "KeyButMask").
const (
	modShift   = 1 << 0
	modLock    = 1 << 1
	modControl = 1 << 2
	modAlt     = 1 << 3 // Mod1
	modNumLock = 1 << 4 // Mod2
	modSuper   = 1 << 6 // Mod4
)

var modNames = []struct {
	mask  uint16
	names []string
}{
	{modControl, []string{"ctrl", "control"}},
	{modAlt, []string{"alt"}},
	{modShift, []string{"shift"}},
	{modSuper, []string{"super", "win", "meta"}},
}

// namedKeys maps key names other than letters and digits to X keysyms.
var namedKeys = map[string]uint32{
	"space": 0x20, "insert": 0xff63, "pause": 0xff13, "scrolllock": 0xff14, "home": 0xff50, "end": 0xff57,
	"pageup": 0xff55, "pagedown": 0xff56, "comma": 0x2c, "period": 0x2e, "slash": 0x2f, "semicolon": 0x3b,
}

// ParseHotkey reads a combination such as "Ctrl+Alt+G" or "Super+F8": at least one of Ctrl, Alt and Super (Shift
// alone would steal typing), then one key: a letter, a digit, F1 to F24 or a named key.
func ParseHotkey(s string) (Hotkey, error) {
	parts := strings.Split(strings.ReplaceAll(s, " ", ""), "+")
	if len(parts) < 2 {
		return Hotkey{}, fmt.Errorf("%q: write a combination such as %s", s, DefaultHotkey)
	}
	var h Hotkey
	for _, p := range parts[:len(parts)-1] {
		mask := uint16(0)
		for _, m := range modNames {
			for _, n := range m.names {
				if strings.EqualFold(p, n) {
					mask = m.mask
				}
			}
		}
		if mask == 0 {
			return Hotkey{}, fmt.Errorf("%q: %q is not a modifier (Ctrl, Alt, Shift, Super)", s, p)
		}
		h.Mods |= mask
	}
	if h.Mods&(modControl|modAlt|modSuper) == 0 {
		return Hotkey{}, fmt.Errorf("%q: include Ctrl, Alt or Super, or the key would be taken from typing", s)
	}
	key := parts[len(parts)-1]
	lower := strings.ToLower(key)
	switch {
	case len(key) == 1 && (key[0] >= 'a' && key[0] <= 'z' || key[0] >= 'A' && key[0] <= 'Z'):
		h.Key, h.sym = strings.ToUpper(key), uint32(lower[0])
	case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
		h.Key, h.sym = key, uint32(key[0])
	case len(lower) >= 2 && lower[0] == 'f':
		var n int
		if _, err := fmt.Sscanf(lower[1:], "%d", &n); err != nil || n < 1 || n > 24 || fmt.Sprint(n) != lower[1:] {
			return Hotkey{}, fmt.Errorf("%q: unknown key %q", s, key)
		}
		h.Key, h.sym = fmt.Sprintf("F%d", n), 0xffbe+uint32(n-1)
	default:
		sym, ok := namedKeys[lower]
		if !ok {
			return Hotkey{}, fmt.Errorf("%q: unknown key %q", s, key)
		}
		h.Key, h.sym = strings.ToUpper(lower[:1])+lower[1:], sym
	}
	return h, nil
}

// String writes the combination in the form ParseHotkey reads.
func (h Hotkey) String() string {
	var b strings.Builder
	for _, m := range modNames {
		if h.Mods&m.mask != 0 {
			b.WriteString(strings.ToUpper(m.names[0][:1]) + m.names[0][1:] + "+")
		}
	}
	return b.String() + h.Key
}
