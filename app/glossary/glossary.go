// Package glossary holds the user's term pairs (a source term and the target term it must become), steers a
// translation to them and checks that every term of a source came out as its target term.
//
// Steering replaces each source term in the text by its target term before the text is translated, so that the
// model copies the target term through as it copies a name written in the other script (docs/design.md,
// "Glossary"). Nothing has to be restored afterwards, so a model that drops or mangles the term loses no text: the
// check then reports the term as missing.
package glossary

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one pair: Source in the source text is to be translated as Target.
type Entry struct {
	Source, Target string
}

// List is a direction's glossary.
type List []Entry

// MaxEntries bounds a glossary: each translation scans the text for every term.
const MaxEntries = 5000

// Parse reads a glossary as tab-separated values: a source term, a tab, the target term, one pair a line. Blank
// lines and lines starting with # are skipped. A line that is not a pair is an error naming its line, and nothing is
// returned, so that a bad import replaces nothing.
func Parse(r io.Reader) (List, error) {
	var l List
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // spreadsheet programs write a byte-order mark
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("line %d is not UTF-8 text", n)
		}
		src, tgt, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("line %d has no tab: each line is a source term, a tab, and its target term", n)
		}
		src, tgt = strings.TrimSpace(src), strings.TrimSpace(strings.TrimSuffix(tgt, "\t"))
		switch {
		case src == "":
			return nil, fmt.Errorf("line %d has no source term before its tab", n)
		case tgt == "" || strings.Contains(tgt, "\t"):
			return nil, fmt.Errorf("line %d needs exactly one target term after its tab", n)
		}
		if first, dup := seen[fold(src)]; dup {
			return nil, fmt.Errorf("line %d repeats the term %q of line %d", n, src, first)
		}
		seen[fold(src)] = n
		if len(l) == MaxEntries {
			return nil, fmt.Errorf("the glossary has more than %d pairs", MaxEntries)
		}
		l = append(l, Entry{Source: src, Target: tgt})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errors.New("a line is longer than 1 MB: is this a glossary?")
		}
		return nil, err
	}
	return l, nil
}

// ParseString is Parse of a string.
func ParseString(s string) (List, error) { return Parse(strings.NewReader(s)) }

// String is the list as Parse reads it.
func (l List) String() string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Source + "\t" + e.Target + "\n")
	}
	return b.String()
}

// fold is how terms compare: Latin letters without case.
func fold(s string) string { return strings.ToLower(s) }

// match is an occurrence of an entry's source term in a text.
type match struct {
	start, end int
	entry      Entry
}

// matches finds the entries' source terms in text, longest term first where they overlap. A term made of Latin
// letters matches whole words only ("art" is not in "start"); a Hangul term matches inside a word, since Korean
// attaches particles to it ("구구고를").
func (l List) matches(text string) []match {
	lower := fold(text)
	if len(lower) != len(text) { // case folding changed byte lengths: match case-sensitively rather than misplace
		lower = text
	}
	var all []match
	for _, e := range l {
		term := fold(e.Source)
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], term)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(term)
			if wordAt(text, start, end) {
				all = append(all, match{start, end, e})
			}
			from = end
		}
	}
	// Longest first, then leftmost; a match that overlaps a kept one is dropped.
	slices.SortStableFunc(all, func(a, b match) int {
		if d := (b.end - b.start) - (a.end - a.start); d != 0 {
			return d
		}
		return a.start - b.start
	})
	var kept []match
	for _, m := range all {
		if !slices.ContainsFunc(kept, func(k match) bool { return m.start < k.end && k.start < m.end }) {
			kept = append(kept, m)
		}
	}
	slices.SortFunc(kept, func(a, b match) int { return a.start - b.start })
	return kept
}

// wordAt reports whether text[start:end] stands as a word: a Latin letter or digit at either end of it must not
// continue into the text around it.
func wordAt(text string, start, end int) bool {
	first, _ := utf8.DecodeRuneInString(text[start:])
	last, _ := utf8.DecodeLastRuneInString(text[:end])
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return !(latin(first) && latin(before)) && !(latin(last) && latin(after))
}

func latin(r rune) bool {
	return r < 0x3000 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// Steer replaces each source term in text by its target term.
func (l List) Steer(text string) string {
	ms := l.matches(text)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	at := 0
	for _, m := range ms {
		b.WriteString(text[at:m.start])
		b.WriteString(m.entry.Target)
		at = m.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// Missing lists the entries whose source term is in source but whose target term is not in translation, each once.
func (l List) Missing(source, translation string) List {
	var out List
	for _, m := range l.matches(source) {
		if slices.Contains(out, m.entry) {
			continue
		}
		if !strings.Contains(fold(translation), fold(m.entry.Target)) {
			out = append(out, m.entry)
		}
	}
	return out
}

// Describe says which terms are missing, for a warning line: `"구구고" → "Gugugo"`, and so on.
func (l List) Describe() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = fmt.Sprintf("%q → %q", e.Source, e.Target)
	}
	return strings.Join(parts, ", ")
}
