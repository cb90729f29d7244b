package catalogue

import (
	"os"
	"path/filepath"
)

// Dir is where models are installed: $XDG_DATA_HOME/gugugo/models, by default ~/.local/share/gugugo/models.
func Dir() string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "gugugo", "models")
}
