package download

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/apptest"
)

// A download larger than the free space is refused before it starts; one that fills the disk on the way stops
// with ErrDiskFull, keeps its partial file and the other files there, and resumes once there is room.
func TestFullDisk(t *testing.T) {
	dir := apptest.SmallDisk(t, 2<<20)
	installed := filepath.Join(dir, "installed.gguf")
	before := bytes.Repeat([]byte("an installed model "), 20_000)
	if err := os.WriteFile(installed, before, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, 3<<20)
	dest := filepath.Join(dir, "m.gguf")
	err := fast.Fetch(context.Background(), s.file(), dest, nil)
	if !errors.Is(err, ErrNoRoom) {
		t.Fatalf("a 3 MB download to a 2 MiB disk: %v, want ErrNoRoom", err)
	}
	if len(s.ranges) != 0 {
		t.Errorf("%d requests were made for a download that cannot fit", len(s.ranges))
	}
	t.Logf("refused: %v", err)

	// The catalogue's size unknown (or the disk filling from elsewhere): the disk fills during the download.
	f := s.file()
	f.Size = 0
	err = fast.Fetch(context.Background(), f, dest, nil)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("a download that fills the disk: %v, want ErrDiskFull", err)
	}
	t.Logf("stopped: %v", err)
	if len(s.ranges) != 1 {
		t.Errorf("%d requests: a full disk was retried", len(s.ranges))
	}
	part, err := os.Stat(PartialName(dest))
	if err != nil || part.Size() == 0 {
		t.Fatalf("the partial file after the disk filled: %v, %v", part, err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("the incomplete download was given the model's name")
	}
	if got, _ := os.ReadFile(installed); !bytes.Equal(got, before) {
		t.Error("the installed model changed")
	}

	apptest.GrowDisk(t, dir, 8<<20)
	if err := fast.Fetch(context.Background(), s.file(), dest, nil); err != nil {
		t.Fatalf("once there is room: %v", err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, s.data) {
		t.Error("the resumed download differs from the server's file")
	}
	if want := "bytes=" + strconv.FormatInt(part.Size(), 10) + "-"; s.ranges[len(s.ranges)-1] != want {
		t.Errorf("the download after the room was made asked for %q, want %q", s.ranges[len(s.ranges)-1], want)
	}
}
