package document

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Subtitles: cue numbers, timings, settings and blocks other than cues are copied as they are. A cue's lines are
// translated together and set back in as many lines; a cue whose text does not end a sentence is translated with the
// cues that finish it (up to maxRun), and the translation is shared out among them by length. Dialogue cues, whose
// every line starts with a dash, keep one line per speaker.

var (
	srtTiming = regexp.MustCompile(`^\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}`)
	vttTiming = regexp.MustCompile(`^\s*(\d+:)?\d{2}:\d{2}\.\d{3}\s+-->\s+(\d+:)?\d{2}:\d{2}\.\d{3}`)
	// Tags inside cue text: <i>, </b>, <v Speaker>, <00:01.000>, and SSA overrides such as {\an8}.
	cueTag = regexp.MustCompile(`<[^<>\n]*>|\{\\[^{}\n]*\}`)
)

// maxRun is the most cues translated as one sentence.
const maxRun = 4

// cue is a subtitle cue's text lines.
type cue struct {
	lines []string
}

// block is a run of lines between blank lines, with the number of the line it starts on. The text between blocks
// (gaps) holds the line break that ends a block's last line.
type block struct {
	lines []string
	line  int
}

// blocks splits s into blocks and the blank text between them (kept as it is).
func blocks(s string) (bs []block, gaps []string) {
	lines := strings.Split(s, "\n")
	gap := ""
	var cur *block
	for i, l := range lines {
		last := i == len(lines)-1
		nl := "\n"
		if last {
			nl = ""
		}
		if strings.TrimSpace(l) == "" {
			if cur != nil {
				bs, cur, gap = append(bs, *cur), nil, "\n"
			}
			gap += l + nl
			continue
		}
		if cur == nil {
			gaps = append(gaps, gap)
			gap = ""
			cur = &block{line: i + 1}
		}
		cur.lines = append(cur.lines, l)
	}
	if cur != nil {
		bs = append(bs, *cur)
	}
	return bs, append(gaps, gap)
}

func parseSRT(b builder, s string) error {
	bs, gaps := blocks(s)
	if len(bs) == 0 {
		return fmt.Errorf("the file has no subtitles")
	}
	var cues []cue
	var heads []string
	prev := 0
	for i, bl := range bs {
		if len(bl.lines) < 2 || !srtTiming.MatchString(bl.lines[1]) {
			if srtTiming.MatchString(bl.lines[0]) {
				return fmt.Errorf("line %d: subtitle %d has no number before its timing", bl.line, i+1)
			}
			if _, err := strconv.Atoi(strings.TrimSpace(bl.lines[0])); err != nil {
				return fmt.Errorf("line %d: %q is neither a subtitle number nor a timing (is there a blank line inside subtitle %d?)",
					bl.line, strings.TrimSpace(bl.lines[0]), i)
			}
			return fmt.Errorf("line %d: subtitle %d has no timing line (such as 00:00:01,000 --> 00:00:02,500) after its number %q",
				bl.line, i+1, strings.TrimSpace(bl.lines[0]))
		}
		n, err := strconv.Atoi(strings.TrimSpace(bl.lines[0]))
		if err != nil {
			return fmt.Errorf("line %d: subtitle %d has %q where its number should be", bl.line, i+1, strings.TrimSpace(bl.lines[0]))
		}
		if n != prev+1 && len(b.d.Warnings) < 20 {
			b.d.Warnings = append(b.d.Warnings, fmt.Sprintf("line %d: subtitle number %d follows %d; numbers kept as they are", bl.line, n, prev))
		}
		prev = n
		heads = append(heads, head(bl.lines, 2))
		cues = append(cues, cue{lines: bl.lines[2:]})
	}
	emitCues(b, cues, heads, gaps)
	return nil
}

func parseVTT(b builder, s string) error {
	bs, gaps := blocks(s)
	if len(bs) == 0 || !strings.HasPrefix(bs[0].lines[0], "WEBVTT") {
		return fmt.Errorf("not a WebVTT file: its first line is not WEBVTT")
	}
	var cues []cue
	var heads []string
	// Blocks that are not cues (the header, NOTE, STYLE, REGION) join the head of the next cue, or the end.
	var pending strings.Builder
	var cueGaps []string
	for i, bl := range bs {
		t := -1
		for j, l := range bl.lines[:min(2, len(bl.lines))] {
			if vttTiming.MatchString(l) {
				t = j
				break
			}
		}
		if i == 0 || t < 0 {
			if i > 0 && !isVTTMeta(bl.lines[0]) {
				return fmt.Errorf("line %d: this block has no timing line (such as 00:01.000 --> 00:04.000)", bl.line)
			}
			pending.WriteString(gaps[i] + strings.Join(bl.lines, "\n"))
			continue
		}
		cueGaps = append(cueGaps, pending.String()+gaps[i])
		pending.Reset()
		heads = append(heads, head(bl.lines, t+1))
		cues = append(cues, cue{lines: bl.lines[t+1:]})
	}
	if len(cues) == 0 {
		b.literal(pending.String() + gaps[len(gaps)-1])
		return nil
	}
	emitCues(b, cues, heads, append(cueGaps, pending.String()+gaps[len(gaps)-1]))
	return nil
}

// head is a cue's lines before its text, n of them, with the line break before the text when it has one.
func head(lines []string, n int) string {
	h := strings.Join(lines[:n], "\n")
	if len(lines) > n {
		h += "\n"
	}
	return h
}

func isVTTMeta(first string) bool {
	for _, k := range []string{"NOTE", "STYLE", "REGION"} {
		if first == k || strings.HasPrefix(first, k+" ") || strings.HasPrefix(first, k+"\t") {
			return true
		}
	}
	return false
}

// emitCues adds the cues: gaps[i] and heads[i] come before cue i, the last gap after the last cue. A cue's text
// ends with a line break, which the blocks took.
func emitCues(b builder, cues []cue, heads, gaps []string) {
	for i := 0; i < len(cues); {
		run := 1
		for run < maxRun && i+run < len(cues) && !isDialogue(cues[i+run-1]) && !isDialogue(cues[i+run]) &&
			!endsSentence(strings.Join(cues[i+run-1].lines, " ")) {
			run++
		}
		if run > 1 && !endsSentence(strings.Join(cues[i+run-1].lines, " ")) {
			run = 1 // no sentence end within reach: each cue alone
		}
		if run == 1 && isDialogue(cues[i]) {
			b.literal(gaps[i] + heads[i])
			for j, l := range cues[i].lines {
				_, n := utf8.DecodeRuneInString(l)
				dash := len(l) - len(strings.TrimLeft(l[n:], " ")) // the dash (- or –) and the spaces after it
				b.literal(l[:dash])
				b.text(cueText(l[dash:]), 0, nil)
				if j < len(cues[i].lines)-1 {
					b.literal("\n")
				}
			}
			i++
			continue
		}
		// The cues' parts interleave with their heads, so the run is added part by part through group.
		var pieces []piece
		for j := i; j < i+run; j++ {
			pieces = append(pieces, piece{cueText(strings.Join(cues[j].lines, " ")), len(cues[j].lines)})
		}
		b.group(pieces, func(j int) string { return gaps[i+j] + heads[i+j] }, nil)
		i += run
	}
	b.literal(gaps[len(gaps)-1])
}

func isDialogue(c cue) bool {
	if len(c.lines) < 2 {
		return false
	}
	for _, l := range c.lines {
		if !strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "–") {
			return false
		}
	}
	return true
}

// cueText protects a cue's tags.
func cueText(s string) protected {
	var p protected
	at := 0
	for _, m := range cueTag.FindAllStringIndex(s, -1) {
		p = p.add(s[at:m[0]], false).add(s[m[0]:m[1]], true)
		at = m[1]
	}
	return p.add(s[at:], false)
}

// endsSentence reports whether a subtitle's text ends a sentence: with sentence-final punctuation, or, in Korean,
// which subtitles often write without a full stop, with a sentence-final ending such as -다 or -요.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(cueTag.ReplaceAllString(s, ""), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"'”’)]」』", r)
	})
	if s == "" {
		return true
	}
	r := []rune(s)
	last := r[len(r)-1]
	return strings.ContainsRune(".!?…。！？♪:;~", last) || strings.ContainsRune("다요까죠네자군지라걸게", last)
}
