package app

// TrayAvailable says whether the desktop shows tray icons: Windows' taskbar always has its notification area.
func TrayAvailable() bool { return true }
