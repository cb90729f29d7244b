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
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label}
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

// set shows done of total items (sentences of a document), on a terminal only: in a log it would be a line of
// carriage returns.
func (p *progressBar) set(done, total int) {
	if !p.onTerminal() {
		return
	}
	p.draw(float64(done)/float64(max(total, 1)), fmt.Sprintf("%d/%d", done, total))
}

// bytes shows how far a download or conversion is (a download.Meter measures it), a few times a second, on a
// terminal; elsewhere it names the step once, as a download of gigabytes would otherwise fill a log.
func (p *progressBar) bytes(pr download.Progress) {
	if !p.onTerminal() {
		if p.drawn.IsZero() && p.label != "" { // elsewhere, the step once
			fmt.Fprintln(p.w, strings.TrimSpace(p.label)+"…")
			p.drawn = time.Now()
		}
		return
	}
	if time.Since(p.drawn) < 200*time.Millisecond && pr.Done < pr.Total {
		return
	}
	p.drawn = time.Now()
	frac := 0.0
	if pr.Total > 0 {
		frac = float64(pr.Done) / float64(pr.Total)
	}
	left := ""
	if pr.Left > 0 {
		left = fmt.Sprintf(", %s left", pr.Left.Round(time.Second))
	}
	p.draw(frac, fmt.Sprintf("%3.0f%% %s of %s, %s/s%s   ", frac*100, download.FormatSize(pr.Done), download.FormatSize(pr.Total), download.FormatSize(int64(pr.Speed)), left))
}

func (p *progressBar) finish() {
	if p.last != "" {
		fmt.Fprintln(p.w)
	}
}

func (p *progressBar) onTerminal() bool {
	f, ok := p.w.(*os.File)
	return ok && isTerminal(f)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
