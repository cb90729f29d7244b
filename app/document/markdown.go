package document

import (
	"regexp"
	"strings"
)

// Markdown is read line by line, as CommonMark's blocks are: fenced and indented code, front matter, HTML blocks,
// link definitions and rules are copied; a heading's hashes, a list item's marker, a quote's > and a table's pipes
// stay and the text after them is translated. The lines of a paragraph are translated as one text and shared back
// over the same lines. Inside text, code spans, link targets, images, autolinks, URLs and inline HTML are kept as
// they are (protected spans).

var (
	mdFence    = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	mdHeading  = regexp.MustCompile(`^ {0,3}#{1,6}(\s+|$)`)
	mdRule     = regexp.MustCompile(`^ {0,3}([-*_])(\s*[-*_]){2,}\s*$`)
	mdList     = regexp.MustCompile(`^(\s*)([-*+]|\d{1,9}[.)])(\s+)(\[[ xX]\]\s+)?`)
	mdQuote    = regexp.MustCompile(`^ {0,3}(>\s?)+`)
	mdLinkDef  = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*\S`)
	mdHTML     = regexp.MustCompile(`^ {0,3}</?[a-zA-Z!?][^>]*>?`)
	mdTableSep = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
	// Inline spans kept as they are: images, footnote references, autolinks and inline HTML, URLs; and links, whose
	// brackets and target are kept and whose text (group 2) is translated.
	mdInline = regexp.MustCompile(`(!?)\[([^\]\n]*)\](\([^)\n]*\)|\[[^\]\n]*\])|\[\^[^\]\n]+\]|<[a-zA-Z/!][^<>\n]*>|https?://[^\s<>)\]]+`)
)

func parseMarkdown(b builder, s string) {
	lines := strings.SplitAfter(s, "\n")
	// Front matter (YAML between --- lines at the very top) is data, not prose.
	if len(lines) > 1 && strings.TrimRight(lines[0], "\n") == "---" {
		for i := 1; i < len(lines); i++ {
			if t := strings.TrimRight(lines[i], "\n"); t == "---" || t == "..." {
				b.literal(strings.Join(lines[:i+1], ""))
				lines = lines[i+1:]
				break
			}
		}
	}
	p := &paragraph{b: b}
	fence := ""
	inCode := false // in an indented code block
	for _, raw := range lines {
		line := strings.TrimRight(raw, "\n")
		nl := raw[len(line):]
		if fence != "" {
			b.literal(raw)
			if t := strings.TrimSpace(line); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		blank := strings.TrimSpace(line) == ""
		switch {
		case blank:
			p.flush()
			b.literal(raw)
			continue // an indented code block goes on past a blank line
		case indented && (inCode || len(p.bodies) == 0 && p.lastBlank):
			inCode = true
			b.literal(raw)
			continue
		case mdFence.MatchString(line):
			p.flush()
			fence = mdFence.FindStringSubmatch(line)[1]
			b.literal(raw)
		case mdRule.MatchString(line), mdLinkDef.MatchString(line), mdHTML.MatchString(line) && len(p.bodies) == 0:
			p.flush()
			b.literal(raw)
		case strings.HasPrefix(strings.TrimSpace(line), "|") || mdTableSep.MatchString(line) && strings.Contains(line, "|"):
			p.flush()
			tableRow(b, line)
			b.literal(nl)
		case mdHeading.MatchString(line):
			p.flush()
			m := mdHeading.FindString(line)
			body, closing := headingBody(line[len(m):])
			b.literal(m)
			b.text(inline(body), 0, nil)
			b.literal(closing + nl)
		default:
			p.add(line, nl)
		}
		inCode = false
		p.lastBlank = false
	}
	p.flush()
}

// paragraph gathers the lines of a paragraph (or of a list item, or of a quote), translated as one text.
type paragraph struct {
	b         builder
	quote     string // the paragraph's > markers
	pre, suf  []string
	bodies    []piece
	lastBlank bool
}

func (p *paragraph) add(line, nl string) {
	quote := mdQuote.FindString(line)
	item := mdList.FindString(line[len(quote):])
	if len(p.bodies) > 0 && (item != "" || strings.TrimSpace(quote) != strings.TrimSpace(p.quote)) {
		p.flush()
	}
	p.quote = quote
	prefix := quote + item
	rest := line[len(prefix):]
	lead := len(rest) - len(strings.TrimLeft(rest, " \t"))
	body := strings.TrimRight(rest[lead:], " \t")
	p.pre = append(p.pre, prefix+rest[:lead])
	p.bodies = append(p.bodies, piece{text: inline(body)})
	p.suf = append(p.suf, rest[lead+len(body):]+nl) // trailing spaces are a hard line break: kept
}

func (p *paragraph) flush() {
	if len(p.bodies) > 0 {
		pre, suf := p.pre, p.suf
		p.b.group(p.bodies, func(j int) string {
			if j == 0 {
				return pre[0]
			}
			return suf[j-1] + pre[j]
		}, nil)
		p.b.literal(suf[len(suf)-1])
	}
	p.pre, p.suf, p.bodies, p.quote = nil, nil, nil, ""
	p.lastBlank = true
}

// headingBody splits a heading's text from its closing hashes.
func headingBody(s string) (body, closing string) {
	t := strings.TrimRight(s, " \t")
	if h := strings.TrimRight(t, "#"); h != t && (h == "" || strings.HasSuffix(h, " ")) {
		body = strings.TrimRight(h, " ")
		return body, s[len(body):]
	}
	return t, s[len(t):]
}

// tableRow translates each cell of a table row and keeps the pipes and the padding; the row under the header
// (|---|:--:|) is copied.
func tableRow(b builder, line string) {
	if mdTableSep.MatchString(line) {
		b.literal(line)
		return
	}
	at := 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && (line[i] != '|' || i > 0 && line[i-1] == '\\') {
			continue
		}
		cell := line[at:i]
		lead := len(cell) - len(strings.TrimLeft(cell, " \t"))
		body := strings.TrimRight(cell[lead:], " \t")
		b.literal(cell[:lead])
		b.text(inline(body), 0, nil)
		b.literal(cell[lead+len(body):])
		if i < len(line) {
			b.literal("|")
		}
		at = i + 1
	}
}

// inline protects the spans of a line of Markdown text that are not prose. Code spans are found first (their
// content is not Markdown), then the rest by mdInline.
func inline(s string) protected {
	var p protected
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return p.addSpans(s)
		}
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		ticks := s[i : i+n]
		end := strings.Index(s[i+n:], ticks)
		if end < 0 {
			return p.addSpans(s)
		}
		p = p.addSpans(s[:i]).add(s[i:i+n+end+n], true)
		s = s[i+n+end+n:]
	}
	return p
}

// addSpans adds Markdown text, protecting mdInline's spans.
func (p protected) addSpans(s string) protected {
	at := 0
	for _, m := range mdInline.FindAllStringSubmatchIndex(s, -1) {
		p = p.add(s[at:m[0]], false)
		if m[2] >= 0 && m[3] == m[2] && m[5] > m[4] { // a link with text: [ and ](target) kept, the text translated
			p = p.add("[", true).add(s[m[4]:m[5]], false).add(s[m[5]:m[1]], true)
		} else {
			p = p.add(s[m[0]:m[1]], true)
		}
		at = m[1]
	}
	return p.add(s[at:], false)
}
