package desktop

import "testing"

func TestParseHotkey(t *testing.T) {
	for in, want := range map[string]string{
		"Ctrl+Alt+G": "Ctrl+Alt+G", "ctrl + alt + g": "Ctrl+Alt+G", "Super+F8": "Super+F8", "Alt+Shift+Control+1": "Ctrl+Alt+Shift+1",
		"Win+space": "Super+Space", "Ctrl+Alt+PageUp": "Ctrl+Alt+Pageup",
	} {
		h, err := ParseHotkey(in)
		if err != nil || h.String() != want {
			t.Errorf("%q: got %q, %v; want %q", in, h.String(), err, want)
		}
		if again, err := ParseHotkey(h.String()); err != nil || again != h {
			t.Errorf("%q does not read back: %v", h.String(), err)
		}
	}
	for _, bad := range []string{"", "G", "Shift+G", "Ctrl+", "Ctrl+Hyper+G", "Ctrl+F25", "Ctrl+F0", "Ctrl+F01", "Ctrl+Alt+Ü", "Ctrl+Alt+GG"} {
		if _, err := ParseHotkey(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
