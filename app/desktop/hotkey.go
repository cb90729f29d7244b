package desktop

import (
	"fmt"
	"strings"
)

// Modifiers is a set of modifier keys.
type Modifiers uint8

// The modifier keys, in the order a combination is written.
const (
	Ctrl Modifiers = 1 << iota
	Alt
	Shift
	Super
)

var modNames = []struct {
	mod   Modifiers
	names []string
}{
	{Ctrl, []string{"ctrl", "control"}},
	{Alt, []string{"alt"}},
	{Shift, []string{"shift"}},
	{Super, []string{"super", "win", "meta"}},
}

// NamedKeys are the keys other than letters, digits and F1 to F24 that a combination may end in, as String writes
// them.
var NamedKeys = []string{"Space", "Insert", "Pause", "Scrolllock", "Home", "End", "Pageup", "Pagedown", "Comma",
	"Period", "Slash", "Semicolon"}

// Hotkey is a key combination, such as Ctrl+Alt+G.
type Hotkey struct {
	Mods Modifiers
	Key  string // as String writes it: "G", "7", "F8", "Space"
}

// DefaultHotkey is taken by no common desktop (GNOME, KDE, Xfce, Cinnamon) nor by browsers or office programs.
const DefaultHotkey = "Ctrl+Alt+G"

// DefaultRegionHotkey, for translating a region of the screen, is the translate hotkey with Shift: no common desktop
// or program takes it either.
const DefaultRegionHotkey = "Ctrl+Alt+Shift+G"

// ParseHotkey reads a combination such as "Ctrl+Alt+G" or "Super+F8": at least one of Ctrl, Alt and Super (Shift
// alone would steal typing), then one key: a letter, a digit, F1 to F24 or one of NamedKeys.
func ParseHotkey(s string) (Hotkey, error) {
	parts := strings.Split(strings.ReplaceAll(s, " ", ""), "+")
	if len(parts) < 2 {
		return Hotkey{}, fmt.Errorf("%q: write a combination such as %s", s, DefaultHotkey)
	}
	var h Hotkey
	for _, p := range parts[:len(parts)-1] {
		var mod Modifiers
		for _, m := range modNames {
			for _, n := range m.names {
				if strings.EqualFold(p, n) {
					mod = m.mod
				}
			}
		}
		if mod == 0 {
			return Hotkey{}, fmt.Errorf("%q: %q is not a modifier (Ctrl, Alt, Shift, Super)", s, p)
		}
		h.Mods |= mod
	}
	if h.Mods&(Ctrl|Alt|Super) == 0 {
		return Hotkey{}, fmt.Errorf("%q: include Ctrl, Alt or Super, or the key would be taken from typing", s)
	}
	key := parts[len(parts)-1]
	lower := strings.ToLower(key)
	switch {
	case len(key) == 1 && (key[0] >= 'a' && key[0] <= 'z' || key[0] >= 'A' && key[0] <= 'Z'):
		h.Key = strings.ToUpper(key)
	case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
		h.Key = key
	case len(lower) >= 2 && lower[0] == 'f':
		var n int
		if _, err := fmt.Sscanf(lower[1:], "%d", &n); err != nil || n < 1 || n > 24 || fmt.Sprint(n) != lower[1:] {
			return Hotkey{}, fmt.Errorf("%q: unknown key %q", s, key)
		}
		h.Key = fmt.Sprintf("F%d", n)
	default:
		for _, k := range NamedKeys {
			if strings.EqualFold(k, key) {
				h.Key = k
			}
		}
		if h.Key == "" {
			return Hotkey{}, fmt.Errorf("%q: unknown key %q", s, key)
		}
	}
	return h, nil
}

// Mask is the set in a platform's own modifier flags, given the flag of each modifier.
func (m Modifiers) Mask(ctrl, alt, shift, super uint32) uint32 {
	var mask uint32
	for _, p := range []struct {
		mod  Modifiers
		flag uint32
	}{{Ctrl, ctrl}, {Alt, alt}, {Shift, shift}, {Super, super}} {
		if m&p.mod != 0 {
			mask |= p.flag
		}
	}
	return mask
}

// String writes the combination in the form ParseHotkey reads.
func (h Hotkey) String() string {
	var b strings.Builder
	for _, m := range modNames {
		if h.Mods&m.mod != 0 {
			b.WriteString(strings.ToUpper(m.names[0][:1]) + m.names[0][1:] + "+")
		}
	}
	return b.String() + h.Key
}
