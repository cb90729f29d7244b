// Command trayhost stands in for a desktop's tray in scripts/gui-test.sh. It owns org.kde.StatusNotifierWatcher on
// the session bus, takes the registration of a StatusNotifierItem (what Fyne's system tray makes), prints the labels
// of the item's menu ("menu: Show|...|Quit"), and clicks the items that "click LABEL" lines on its input name.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

type watcher struct{ registered chan string }

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.registered <- string(sender)
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

type layout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// items reads the menu's top-level labels and ids.
func items(menu dbus.BusObject) ([]string, map[string]int32, error) {
	var rev uint32
	var root layout
	if err := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, nil, err
	}
	var labels []string
	ids := map[string]int32{}
	for _, c := range root.Children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) < 2 {
			continue
		}
		id, _ := fields[0].(int32)
		props, _ := fields[1].(map[string]dbus.Variant)
		label := ""
		if v, ok := props["label"]; ok {
			label, _ = v.Value().(string)
		}
		labels = append(labels, label)
		ids[label] = id
	}
	return labels, ids, nil
}

func main() {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trayhost:", err)
		os.Exit(1)
	}
	w := &watcher{registered: make(chan string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		fmt.Fprintln(os.Stderr, "trayhost:", err)
		os.Exit(1)
	}
	if reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		fmt.Fprintln(os.Stderr, "trayhost: cannot own org.kde.StatusNotifierWatcher:", err)
		os.Exit(1)
	}
	fmt.Println("watching")
	sender := <-w.registered
	menu := conn.Object(sender, "/StatusNotifierMenu")
	for i := 0; i < 50; i++ { // the menu is filled in just after the item registers
		if labels, _, err := items(menu); err == nil && len(labels) > 0 {
			fmt.Println("menu: " + strings.Join(labels, "|"))
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		label, ok := strings.CutPrefix(in.Text(), "click ")
		if !ok {
			continue
		}
		_, ids, err := items(menu)
		id, found := ids[label]
		if err != nil || !found {
			fmt.Printf("no item %q (%v)\n", label, err)
			continue
		}
		call := menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
		fmt.Printf("clicked %s %v\n", label, call.Err)
	}
}
