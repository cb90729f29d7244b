package document

import (
	"regexp"
	"strings"
)

// Markdown is read line by line, as CommonMark's blocks are: fenced code (also in quotes and list items), indented
// code, front matter, HTML blocks, link definitions and rules are copied; a heading's hashes, a list item's marker, a
// footnote's label, a quote's > and a table's pipes stay and the text after them is translated. The lines of a
// paragraph are translated as one text and shared back over the same lines. Inside text, code spans, link targets,
// images, autolinks, URLs and inline HTML are kept as they are (protected spans).

var (
	mdFence   = regexp.MustCompile("^\\s*(```+|~~~+)") // after a quote's markers; a list item's content is indented
	mdHeading = regexp.MustCompile(`^ {0,3}#{1,6}(\s+|$)`)
	mdRule    = regexp.MustCompile(`^ {0,3}([-*_])(\s*[-*_]){2,}\s*$`)
	mdList    = regexp.MustCompile(`^(\s*)([-*+]|\d{1,9}[.)])(\s+)(\[[ xX]\]\s+)?|^ {0,3}\[\^[^\]]+\]:\s*`) // and footnotes
	mdQuote   = regexp.MustCompile(`^ {0,3}(>\s?)+`)
	mdLinkDef = regexp.MustCompile(`^ {0,3}\[[^\]^][^\]]*\]:\s*\S`)
	// HTML blocks: a line that starts with a block-level tag or a comment (a line that starts with <b> is prose).
	mdHTML     = regexp.MustCompile(`^ {0,3}(<!--|<\?|<![A-Z]|</?(address|article|aside|blockquote|body|details|dialog|dd|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr|html|iframe|img|legend|li|link|main|menu|nav|ol|p|picture|pre|script|section|source|style|summary|table|tbody|td|tfoot|th|thead|title|tr|ul|video)[\s/>])`)
	mdTableSep = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
	// Inline spans kept as they are: images, footnote references, autolinks and inline HTML, URLs; and links, whose
	// brackets and target are kept and whose text (group 2) is translated.
	// A target may hold one level of parentheses (…/Go_(language)).
	mdInline = regexp.MustCompile(`(!?)\[([^\]\n]*)\](\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])|\[\^[^\]\n]+\]|<[a-zA-Z/!][^<>\n]*>|https?://[^\s<>)\]]+`)
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
	fence, fenceQuote := "", ""
	inCode, inTable := false, false
	for i, raw := range lines {
		line := strings.TrimRight(raw, "\n")
		nl := raw[len(line):]
		quote := mdQuote.FindString(line)
		if fence != "" {
			b.literal(raw)
			t := strings.TrimSpace(line[len(quote):])
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" || strings.TrimSpace(quote) != strings.TrimSpace(fenceQuote) {
				fence = ""
			}
			continue
		}
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		blank := strings.TrimSpace(line) == ""
		if !blank && !strings.Contains(line, "|") {
			inTable = false
		}
		switch {
		case blank:
			p.flush()
			b.literal(raw)
			inTable = false
			continue // an indented code block, or a list item, goes on past a blank line
		case indented && !p.inList && (inCode || len(p.bodies) == 0): // indented code cannot interrupt a paragraph
			inCode = true
			b.literal(raw)
			continue
		case mdFence.MatchString(line[len(quote):]):
			p.flush()
			fence, fenceQuote = mdFence.FindStringSubmatch(line[len(quote):])[1], quote
			b.literal(raw)
		case mdRule.MatchString(line), mdLinkDef.MatchString(line), mdHTML.MatchString(line) && len(p.bodies) == 0:
			p.flush()
			p.inList = false
			b.literal(raw)
		case inTable || strings.HasPrefix(strings.TrimSpace(line), "|") || strings.Contains(line, "|") && i+1 < len(lines) &&
			strings.Contains(lines[i+1], "|") && mdTableSep.MatchString(strings.TrimRight(lines[i+1], "\n")):
			p.flush()
			p.inList = false
			inTable = true
			tableRow(b, line)
			b.literal(nl)
		case mdHeading.MatchString(line):
			p.flush()
			p.inList = false
			m := mdHeading.FindString(line)
			body, closing := headingBody(line[len(m):])
			b.literal(m)
			b.text(inline(body), 0, nil)
			b.literal(closing + nl)
		default:
			p.add(line, nl)
		}
		inCode = false
	}
	p.flush()
}

// paragraph gathers the lines of a paragraph (or of a list item, or of a quote), translated as one text.
type paragraph struct {
	b        builder
	quote    string // the paragraph's > markers
	pre, suf []string
	bodies   []piece
	inList   bool // since a list item started: an indented line after a blank one is its next paragraph, not code
}

func (p *paragraph) add(line, nl string) {
	quote := mdQuote.FindString(line)
	item := mdList.FindString(line[len(quote):])
	if len(p.bodies) > 0 && (item != "" || strings.TrimSpace(quote) != strings.TrimSpace(p.quote)) {
		p.flush()
	}
	switch {
	case item != "":
		p.inList = true
	case quote == "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") && len(p.bodies) == 0:
		p.inList = false // a paragraph at the margin ends the list
	}
	prefix := quote + item
	rest := line[len(prefix):]
	lead := len(rest) - len(strings.TrimLeft(rest, " \t"))
	body := strings.TrimRight(rest[lead:], " \t")
	if body == "" { // a bare > ends the quote's paragraph
		p.flush()
		p.b.literal(line + nl)
		return
	}
	p.quote = quote
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
