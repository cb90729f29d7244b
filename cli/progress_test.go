package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/app/download"
)

func TestProgressBarDraw(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b, "Step ")
	p.draw(0.5, "half")
	p.draw(0.5, "half") // the same line again is not redrawn
	p.draw(2, "over")   // clamped
	p.draw(-1, "under")
	p.finish()
	want := "\rStep [###############...............] half" +
		"\rStep [##############################] over" +
		"\rStep [..............................] under\n"
	if b.String() != want {
		t.Errorf("drew %q, want %q", b.String(), want)
	}
}

func TestProgressBarOffTerminal(t *testing.T) {
	// A log file: the step is named once, with no carriage returns, and set draws nothing.
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := newProgressBar(f, "Downloading x ")
	for i := int64(0); i <= 4; i++ {
		p.bytes(download.Progress{Done: i, Total: 4})
		p.set(int(i), 4)
	}
	p.finish()
	quiet := newProgressBar(f, "") // no label: nothing at all
	quiet.bytes(download.Progress{Done: 1, Total: 4})
	quiet.finish()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "Downloading x…\n" {
		t.Errorf("log %q, want the step's name once", b)
	}
}

func TestProgressBarOnTerminal(t *testing.T) {
	// /dev/null is a character device, as a terminal is: the bar is drawn (what it drew is in p.last).
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !isTerminal(f) {
		t.Skip(os.DevNull, "is not a character device here")
	}
	p := newProgressBar(f, "")
	p.set(3, 10)
	if want := "\r[#########.....................] 3/10"; p.last != want {
		t.Errorf("set drew %q, want %q", p.last, want)
	}
	p.set(0, 0) // no total: no division by zero
	if want := "\r[..............................] 0/0"; p.last != want {
		t.Errorf("set drew %q, want %q", p.last, want)
	}

	p = newProgressBar(f, "Converting ")
	p.bytes(download.Progress{Done: 2e9, Total: 4e9, Speed: 50e6, Left: 40*time.Second + 300*time.Millisecond})
	if want := "\rConverting [###############...............]  50% 2.00 GB of 4.00 GB, 50.0 MB/s, 40s left   "; p.last != want {
		t.Errorf("bytes drew %q, want %q", p.last, want)
	}
	// Within 200 ms of the last drawing, progress short of the end is not drawn; the end always is.
	p.drawn = time.Now().Add(time.Hour)
	p.bytes(download.Progress{Done: 3e9, Total: 4e9})
	if !strings.Contains(p.last, " 50% ") {
		t.Errorf("drawn again at once: %q", p.last)
	}
	p.bytes(download.Progress{Done: 4e9, Total: 4e9})
	if !strings.Contains(p.last, "[##############################] 100% 4.00 GB of 4.00 GB, 0 KB/s   ") {
		t.Errorf("the end was not drawn: %q", p.last)
	}
	p.bytes(download.Progress{Done: 5e6}) // no total known
	if !strings.Contains(p.last, "[..............................]   0% 5.0 MB of 0 KB") {
		t.Errorf("unknown total drew %q", p.last)
	}
}
