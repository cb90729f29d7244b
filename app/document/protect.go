package document

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// protected is text with spans that the translation must keep exactly: code, link targets, tags. The engine sees
// each span as a numbered placeholder, {1}, {2}, which translation models copy through as they copy the fields of
// a format string; restore puts the spans back.
type protected []segment

type segment struct {
	s    string
	keep bool
	raw  string // the text as the file writes it, where that differs (HTML's entities); "" when it does not
}

func plainText(s string) protected { return protected{{s: s}} }

// add appends text (keep: a span) to p, merging it with a segment of the same kind.
func (p protected) add(s string, keep bool) protected { return p.addRaw(s, "", keep) }

// addRaw appends text that the file writes as raw (HTML text with its entities).
func (p protected) addRaw(s, raw string, keep bool) protected {
	if s == "" {
		return p
	}
	if n := len(p); n > 0 && !keep && !p[n-1].keep {
		if raw != "" || p[n-1].raw != "" {
			p[n-1].raw = p[n-1].rawText() + cmpOr(raw, s)
		}
		p[n-1].s += s
		return p
	}
	return append(p, segment{s, keep, raw})
}

func (g segment) rawText() string { return cmpOr(g.raw, g.s) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// plain is the text without its spans.
func (p protected) plain() string {
	var b strings.Builder
	for _, s := range p {
		if !s.keep {
			b.WriteString(s.s)
		}
	}
	return b.String()
}

// source is the text with its spans.
func (p protected) source() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteString(s.s)
	}
	return b.String()
}

// raw is the text as the file writes it: what a part with nothing to translate copies.
func (p protected) raw() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteString(s.rawText())
	}
	return b.String()
}

func (p protected) spans() []string {
	var out []string
	for _, s := range p {
		if s.keep {
			out = append(out, s.s)
		}
	}
	return out
}

// withPlaceholders is the text with its spans numbered from first+1.
func (p protected) withPlaceholders(first int) string {
	var b strings.Builder
	n := first
	for _, s := range p {
		if s.keep {
			n++
			b.WriteString("{" + strconv.Itoa(n) + "}")
		} else {
			b.WriteString(s.s)
		}
	}
	return b.String()
}

var placeholder = regexp.MustCompile(`\{(\d{1,6})\}`)

// placeholderBase is where a unit's placeholders start counting: past any {N} its text already holds (a format
// string's fields in prose), which restore then leaves alone.
func placeholderBase(pieces []piece) int {
	base := 0
	for _, p := range pieces {
		for _, m := range placeholder.FindAllStringSubmatch(p.text.plain(), -1) {
			n, _ := strconv.Atoi(m[1])
			base = max(base, n)
		}
	}
	return base
}

// restore puts the spans back over their placeholders, numbered from first+1, in a translation. A placeholder the
// model repeated is kept once; a span whose placeholder it dropped is added at the end, so that no code or link
// target is ever lost.
func restore(t string, spans []string, first int) string {
	if len(spans) == 0 {
		return t
	}
	used := make([]bool, len(spans))
	out := placeholder.ReplaceAllStringFunc(t, func(m string) string {
		k, err := strconv.Atoi(m[1 : len(m)-1])
		k -= first
		if err != nil || k < 1 || k > len(spans) {
			return m
		}
		if used[k-1] {
			return ""
		}
		used[k-1] = true
		return spans[k-1]
	})
	for k, s := range spans {
		if !used[k] {
			if out != "" && !strings.HasSuffix(out, " ") {
				out += " "
			}
			out += s
		}
	}
	return out
}

// shareOut splits a translation among parts in proportion to their source lengths, cutting at spaces where it
// can, so that a sentence run over several subtitle cues or wrapped lines comes back over the same ones.
func shareOut(t string, weights []int) []string {
	if len(weights) == 1 {
		return []string{t}
	}
	r := []rune(t)
	// Cut candidates: where a word starts. A text without spaces (rare, even in Korean) is cut between characters.
	var starts []int
	for i := 1; i < len(r); i++ {
		if unicode.IsSpace(r[i-1]) && !unicode.IsSpace(r[i]) {
			starts = append(starts, i)
		}
	}
	if len(starts) < len(weights)-1 {
		starts = starts[:0]
		for i := 1; i < len(r); i++ {
			starts = append(starts, i)
		}
	}
	total := 0
	for _, w := range weights {
		total += max(w, 1)
	}
	out := make([]string, len(weights))
	from, acc, next := 0, 0, 0 // next: first candidate not yet passed
	for k := range len(weights) - 1 {
		acc += max(weights[k], 1)
		want := len(r) * acc / total
		// The candidate nearest the proportional place, leaving one for each later part where there are enough.
		// The candidates are in order, so the search stops once they move away: linear over all the parts.
		best := -1
		for j := next; j < len(starts) && len(starts)-j >= len(weights)-1-k; j++ {
			if best >= 0 && abs(starts[j]-want) > abs(starts[best]-want) {
				break
			}
			if best < 0 || abs(starts[j]-want) < abs(starts[best]-want) {
				best = j
			}
		}
		cut := from
		if best >= 0 {
			cut, next = starts[best], best+1
		}
		out[k] = strings.TrimSpace(string(r[from:cut]))
		from = cut
	}
	out[len(weights)-1] = strings.TrimSpace(string(r[from:]))
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// breakLines sets s in n lines of about equal length, broken at spaces.
func breakLines(s string, n int) string {
	weights := make([]int, n)
	for i := range weights {
		weights[i] = 1
	}
	if strings.Count(s, " ") < n-1 {
		return s
	}
	var lines []string
	for _, l := range shareOut(s, weights) {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
