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
// lines and lines whose first character other than a space is # are skipped. A line that is not a pair is an error naming its line, and nothing is
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
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue // a source term cannot start with #: String could not write it back
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

// find returns where term stands in text as a word (wordAt), without case: the byte offsets of each start.
func find(text, term string) []int {
	lower, t := fold(text), fold(term)
	if len(lower) != len(text) || len(t) != len(term) { // folding changed byte lengths: match with case, not misplace
		lower, t = text, term
	}
	var at []int
	for from := 0; t != "" && from < len(lower); {
		i := strings.Index(lower[from:], t)
		if i < 0 {
			break
		}
		start := from + i
		if wordAt(text, start, start+len(t)) {
			at = append(at, start)
		}
		from = start + len(t)
	}
	return at
}

// matches finds the entries' source terms in text, in order, without overlaps.
func (l List) matches(text string) []match {
	var all []match
	for _, e := range l {
		for _, start := range find(text, e.Source) {
			all = append(all, match{start, start + len(e.Source), e})
		}
	}
	// Leftmost first, and at one place the longest term; a match that overlaps a kept one is dropped. One sweep:
	// a text with thousands of matches (a one-syllable term in a long paste) costs no more than sorting them.
	slices.SortFunc(all, func(a, b match) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return (b.end - b.start) - (a.end - a.start)
	})
	var kept []match
	end := 0
	for _, m := range all {
		if m.start >= end {
			kept = append(kept, m)
			end = m.end
		}
	}
	return kept
}

// wordAt reports whether text[start:end] stands as a word. A term made of Latin letters matches whole words only
// ("art" is not in "start"); a Hangul term must start a word but may end inside one, since Korean attaches
// particles to it ("구구고를"; but 차 is not in 자동차).
func wordAt(text string, start, end int) bool {
	first, _ := utf8.DecodeRuneInString(text[start:])
	last, _ := utf8.DecodeLastRuneInString(text[:end])
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return !(latin(first) && latin(before)) && !(latin(last) && latin(after)) && !(hangul(first) && hangul(before))
}

func hangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }

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

// Missing lists the entries whose source term is in source but whose target term is not in translation (as a word,
// by the same rule), each once.
func (l List) Missing(source, translation string) List {
	var out List
	for _, m := range l.matches(source) {
		if slices.Contains(out, m.entry) {
			continue
		}
		if len(find(translation, m.entry.Target)) == 0 {
			out = append(out, m.entry)
		}
	}
	return out
}

// Union is l with the entries of more it lacks.
func (l List) Union(more List) List {
	for _, e := range more {
		if !slices.Contains(l, e) {
			l = append(l, e)
		}
	}
	return l
}

// Describe says which terms are missing, for a warning line: `"구구고" → "Gugugo"`, and so on.
func (l List) Describe() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = fmt.Sprintf("%q → %q", e.Source, e.Target)
	}
	return strings.Join(parts, ", ")
}
