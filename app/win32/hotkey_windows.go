package win32

import (
	"fmt"

	"github.com/gugugo-desktop/gugugo/app/desktop"
)

// namedKeys maps desktop.NamedKeys to virtual-key codes (WinUser.h).
var namedKeys = map[string]uint32{
	"Space": 0x20, "Insert": 0x2D, "Pause": 0x13, "Scrolllock": 0x91, "Home": 0x24, "End": 0x23,
	"Pageup": 0x21, "Pagedown": 0x22, "Comma": 0xBC, "Period": 0xBE, "Slash": 0xBF, "Semicolon": 0xBA,
}

// modifiers is RegisterHotKey's modifier set for a combination's modifiers.
func modifiers(m desktop.Modifiers) uint32 { return m.Mask(modControl, modAlt, modShift, modWin) }

// virtualKey is the virtual-key code of a combination's key, as desktop.ParseHotkey writes it.
func virtualKey(key string) (uint32, error) {
	var n int
	switch {
	case len(key) == 1 && (key[0] >= 'A' && key[0] <= 'Z' || key[0] >= '0' && key[0] <= '9'):
		return uint32(key[0]), nil // VK_A..VK_Z and VK_0..VK_9 are their ASCII codes
	case len(key) >= 2 && key[0] == 'F':
		if _, err := fmt.Sscanf(key[1:], "%d", &n); err == nil && n >= 1 && n <= 24 {
			return 0x70 + uint32(n-1), nil // VK_F1..VK_F24
		}
	}
	if vk, ok := namedKeys[key]; ok {
		return vk, nil
	}
	return 0, fmt.Errorf("no Windows key for %q", key)
}
