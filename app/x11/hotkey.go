package x11

import (
	"fmt"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

// X modifier masks (X11 protocol, core "KeyButMask").
const (
	modShift   = 1 << 0
	modLock    = 1 << 1
	modControl = 1 << 2
	modAlt     = 1 << 3 // Mod1
	modNumLock = 1 << 4 // Mod2
	modSuper   = 1 << 6 // Mod4
)

// namedKeys maps desktop.NamedKeys to X keysyms.
var namedKeys = map[string]uint32{
	"Space": 0x20, "Insert": 0xff63, "Pause": 0xff13, "Scrolllock": 0xff14, "Home": 0xff50, "End": 0xff57,
	"Pageup": 0xff55, "Pagedown": 0xff56, "Comma": 0x2c, "Period": 0x2e, "Slash": 0x2f, "Semicolon": 0x3b,
}

// modMask is the X modifier mask of a combination's modifiers.
func modMask(m desktop.Modifiers) uint16 {
	return uint16(m.Mask(modControl, modAlt, modShift, modSuper))
}

// keysym is the X keysym of a combination's key, as desktop.ParseHotkey writes it.
func keysym(key string) (uint32, error) {
	var n int
	switch {
	case len(key) == 1 && key[0] >= 'A' && key[0] <= 'Z':
		return uint32(key[0] - 'A' + 'a'), nil
	case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
		return uint32(key[0]), nil
	case len(key) >= 2 && key[0] == 'F':
		if _, err := fmt.Sscanf(key[1:], "%d", &n); err == nil && n >= 1 && n <= 24 {
			return 0xffbe + uint32(n-1), nil
		}
	}
	if sym, ok := namedKeys[key]; ok {
		return sym, nil
	}
	return 0, fmt.Errorf("no X11 key for %q", key)
}
