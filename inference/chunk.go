package inference

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Blank reports whether text has nothing to translate: only spaces and control characters (a file of NUL bytes,
// a paste of line breaks).
func Blank(text string) bool {
	for _, r := range text {
		if !unicode.IsSpace(r) && !unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Segment is a piece of the source translated in one prompt, and the source's whitespace that follows it, which
// the translation keeps.
type Segment struct {
	Text string
	Sep  string
}

// Paragraphs splits text at line breaks. Each line is a segment; the line breaks and the spaces around them become
// its separator (less the spaces that end the line). Leading and trailing whitespace of the whole text is dropped.
func Paragraphs(text string) []Segment {
	var segs []Segment
	rest := strings.TrimSpace(text)
	for rest != "" {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			segs = append(segs, Segment{Text: rest})
			break
		}
		line := strings.TrimRight(rest[:i], " \t\r")
		j := i
		for j < len(rest) && isSpace(rest[j]) {
			j++
		}
		sep := strings.TrimLeft(rest[len(line):j], " \t") // spaces ending a line are not structure

		rest = rest[j:]
		if line == "" {
			continue
		}
		segs = append(segs, Segment{Text: line, Sep: sep})
	}
	return segs
}

// Sentences splits a paragraph after sentence-final punctuation (. ! ? … and their full-width forms) that is
// followed by a space, which is how both Korean and English end sentences. The spaces go with the earlier sentence.
func Sentences(p string) []string {
	var out []string
	start := 0
	for i, r := range p {
		if !strings.ContainsRune(".!?…。！？", r) {
			continue
		}
		j := i + utf8.RuneLen(r)
		// Closing quotes and brackets belong to the sentence they end.
		for j < len(p) && strings.ContainsRune("\"'”’)]」』", rune(p[j])) {
			j++
		}
		if j >= len(p) || !isSpace(p[j]) {
			continue
		}
		for j < len(p) && isSpace(p[j]) {
			j++
		}
		out = append(out, p[start:j])
		start = j
	}
	if start < len(p) {
		out = append(out, p[start:])
	}
	return out
}

// splitToFit breaks text into consecutive pieces for which fits holds, at sentence boundaries if it can, then at
// spaces, then between characters. Concatenated, the pieces are the text: nothing is dropped.
func splitToFit(text string, fits func(string) bool) []string {
	if fits(text) {
		return []string{text}
	}
	for _, split := range []func(string) []string{Sentences, words, runes} {
		units := split(text)
		if len(units) < 2 {
			continue
		}
		// Units are consecutive substrings of text, so a run of them is a slice of it: no copying.
		var out []string
		start, end := 0, 0
		for _, u := range units {
			if end > start && !fits(text[start:end+len(u)]) {
				out = append(out, text[start:end])
				start = end
			}
			if end == start && !fits(u) {
				out = append(out, splitToFit(u, fits)...)
				start += len(u)
			}
			end += len(u)
		}
		if end > start {
			out = append(out, text[start:end])
		}
		return out
	}
	return []string{text}
}

// words splits after each run of spaces.
func words(s string) []string {
	var out []string
	start := 0
	for i := 1; i < len(s); i++ {
		if !isSpace(s[i]) && isSpace(s[i-1]) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return append(out, s[start:])
}

// runes splits s into its characters, each invalid byte one of them: the pieces, joined, are s.
func runes(s string) []string {
	out := make([]string, 0, len(s))
	for s != "" {
		_, n := utf8.DecodeRuneInString(s)
		out, s = append(out, s[:n]), s[n:]
	}
	return out
}

// Chunks splits text into segments that each fit one prompt: paragraphs whole when they fit, otherwise groups of
// sentences joined back with a space.
func Chunks(text string, fits func(string) bool) []Segment {
	var out []Segment
	for _, p := range Paragraphs(text) {
		pieces := splitToFit(p.Text, fits)
		for i, piece := range pieces {
			seg := Segment{Text: strings.TrimSpace(piece), Sep: " "}
			if i == len(pieces)-1 {
				seg.Sep = p.Sep
			}
			if seg.Text == "" {
				continue
			}
			// Hard splits inside a word keep no space between the parts.
			if i < len(pieces)-1 && !endsWithSpace(piece) {
				seg.Sep = ""
			}
			out = append(out, seg)
		}
	}
	return out
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// SentenceUnits splits text into its sentences (a sentence for which fits fails is split further), each with the
// separator that follows it: a space inside a paragraph, the paragraph's own break after its last sentence.
func SentenceUnits(text string, fits func(string) bool) []Segment {
	var out []Segment
	for _, p := range Paragraphs(text) {
		start := len(out)
		for _, s := range Sentences(p.Text) {
			for _, piece := range splitToFit(s, fits) {
				if t := strings.TrimSpace(piece); t != "" {
					sep := " "
					if !endsWithSpace(piece) {
						sep = "" // a hard split inside a word
					}
					out = append(out, Segment{Text: t, Sep: sep})
				}
			}
		}
		if len(out) > start {
			out[len(out)-1].Sep = p.Sep
		}
	}
	return out
}
