package catalogue

import (
	"os"
	"path/filepath"
)

// Dir is where models are installed: %LOCALAPPDATA%\Gugugo\models, which does not roam with the user's profile
// (models are gigabytes).
func Dir() string {
	base := os.Getenv("LOCALAPPDATA")
	if base == "" {
		base, _ = os.UserConfigDir()
	}
	return filepath.Join(base, "Gugugo", "models")
}
