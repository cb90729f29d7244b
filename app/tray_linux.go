package app

import "github.com/godbus/dbus/v5"

// TrayAvailable says whether the desktop shows tray icons: a StatusNotifierItem host (KDE, Xfce, GNOME with the
// AppIndicator extension, ...) owns org.kde.StatusNotifierWatcher on the session bus. Without one, closing the
// window must quit rather than hide it where nobody can reach it.
func TrayAvailable() bool {
	// Without a session bus there is no tray: never start one (dbus-launch --autolaunch) just to ask.
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return false
	}
	defer conn.Close()
	if conn.Auth(nil) != nil || conn.Hello() != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
