package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/app/download"
)

// progressBar draws "Label [#####.....] ..." on one terminal line.
type progressBar struct {
	w     io.Writer
	label string
	last  string
	drawn time.Time
	start time.Time
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label, start: time.Now()}
}

func (p *progressBar) draw(frac float64, detail string) {
	const width = 30
	fill := min(max(int(frac*width), 0), width)
	line := fmt.Sprintf("\r%s[%s%s] %s", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), detail)
	if line != p.last {
		p.last = line
		fmt.Fprint(p.w, line)
	}
}

// set shows done of total items (sentences of a document).
func (p *progressBar) set(done, total int) {
	p.draw(float64(done)/float64(max(total, 1)), fmt.Sprintf("%d/%d", done, total))
}

// bytes shows done of total bytes with the speed and the time left, a few times a second, on a terminal; elsewhere
// it names the step once, as a download of gigabytes would otherwise fill a log.
func (p *progressBar) bytes(done, total int64) {
	if f, ok := p.w.(*os.File); !ok || !isTerminal(f) {
		if p.drawn.IsZero() && p.label != "" { // elsewhere, the step once
			fmt.Fprintln(p.w, strings.TrimSpace(p.label)+"…")
			p.drawn = time.Now()
		}
		return
	}
	if time.Since(p.drawn) < 200*time.Millisecond && done < total {
		return
	}
	p.drawn = time.Now()
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	speed := float64(done) / max(time.Since(p.start).Seconds(), 1e-3)
	left := ""
	if speed > 0 && total > done {
		left = fmt.Sprintf(", %s left", time.Duration(float64(total-done)/speed*float64(time.Second)).Round(time.Second))
	}
	p.draw(frac, fmt.Sprintf("%3.0f%% %s of %s, %s/s%s   ", frac*100, download.FormatSize(done), download.FormatSize(total), download.FormatSize(int64(speed)), left))
}

func (p *progressBar) finish() {
	if p.last != "" {
		fmt.Fprintln(p.w)
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
