package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	"github.com/gugugo-desktop/gugugo/app/history"
)

// When the disk fills up, the window is told once that translations are no longer saved, translating goes on,
// and the history saves again (and says so with HistoryChanged) once there is room.
func TestFullDiskHistoryIsReported(t *testing.T) {
	dir := apptest.SmallDisk(t, 1<<20)
	eng := &apptest.Engine{Pieces: 1}
	c, f, _ := newTestControllerWithHistory(t, eng, filepath.Join(dir, "history.db"))
	f.run(func() { c.Translate("사과", ModeAuto) })
	f.finished(t)
	receive(t, f.history, "history change")
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for _, werr := filler.Write(make([]byte, 64<<10)); werr == nil; _, werr = filler.Write(make([]byte, 4<<10)) {
	}
	filler.Close()
	for i := range 3 {
		text := fmt.Sprintf("가득 찬 디스크 %d.", i)
		f.run(func() { c.Translate(text, ModeAuto) })
		if u := f.finished(t); u.Text != eng.Want(text) || u.Err != nil {
			t.Fatalf("translating on a full disk: %+v", u)
		}
	}
	err = receive(t, f.unsaved, "history failure")
	if !errors.Is(err, history.ErrDiskFull) {
		t.Errorf("history failure %v, want ErrDiskFull", err)
	}
	c.writes.Wait()  // the three writes have ended,
	f.run(func() {}) // and what they told the front end has run
	select {
	case err := <-f.unsaved:
		t.Errorf("said again: %v", err)
	case <-f.history:
		t.Error("history changed on a full disk")
	default:
	}
	os.Remove(filepath.Join(dir, "filler"))
	f.run(func() { c.Translate("공간", ModeAuto) })
	f.finished(t)
	receive(t, f.history, "history change once there is room")
	if n, _ := c.History().Count(t.Context()); n != 2 {
		t.Errorf("%d entries, want the first and the last", n)
	}
	t.Logf("told: %v", err)
}
