package history

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/apptest"
)

// On a disk that fills up, an entry that does not fit is refused with ErrDiskFull, every entry saved before it
// stays, the database stays whole, and saving works again once there is space.
func TestFullDiskKeepsEntries(t *testing.T) {
	dir := apptest.SmallDisk(t, 1<<20)
	p := filepath.Join(dir, "history.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	s.Supersede = 0
	saved := 0
	for {
		_, err = s.Add(ctx, Entry{Source: fmt.Sprintf("문장 %d.", saved), Target: strings.Repeat("A sentence. ", 100)})
		if err != nil {
			break
		}
		if saved++; saved > 10_000 {
			t.Fatal("a 1 MiB disk never filled up")
		}
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("the entry that did not fit: %v, want ErrDiskFull", err)
	}
	t.Logf("%d entries saved before the disk was full: %v", saved, err)
	if err := s.Integrity(); err != nil {
		t.Fatalf("integrity_check on the full disk: %v", err)
	}
	if n, err := s.Count(ctx); err != nil || n != saved {
		t.Fatalf("%d entries (%v) after %d were saved", n, err, saved)
	}
	apptest.GrowDisk(t, dir, 8<<20)
	if _, err := s.Add(ctx, Entry{Source: "공간이 생겼다.", Target: "There is room."}); err != nil {
		t.Fatalf("after space was made: %v", err)
	}
	s.Close()
	s, err = Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.Count(ctx); n != saved+1 {
		t.Errorf("%d entries after reopening, want %d", n, saved+1)
	}
}
