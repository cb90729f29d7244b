package document

import (
	"fmt"
	"html"
	"slices"
	"strings"

	xhtml "golang.org/x/net/html"
)

// HTML is read with the HTML5 tokenizer of golang.org/x/net/html, and every tag is copied byte for byte. The text
// of a block (a paragraph, a heading, a list item, a cell) is translated as one text, its inline tags (<b>, <a>,
// <span>...) kept as protected spans inside it; code, scripts, styles and preformatted text are copied. Markup that
// is not well formed is translated as it stands, with warnings naming the lines.

// inlineTags are elements that sit inside a sentence.
var inlineTags = []string{"a", "abbr", "b", "bdi", "bdo", "br", "cite", "data", "dfn", "em", "font", "i", "img",
	"mark", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u", "wbr"}

// codeTags are inline elements whose content is not prose: kept whole.
var codeTags = []string{"code", "kbd", "samp", "var"}

// copiedTags are elements whose content is copied.
var copiedTags = []string{"script", "style", "pre", "textarea", "template", "svg", "math", "noscript"}

// voidTags have no end tag.
var voidTags = []string{"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

// optionalEnd are elements whose end tag HTML lets a writer leave out.
var optionalEnd = []string{"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup",
	"html", "head", "body", "caption", "optgroup", "rb", "rt", "rp"}

// escapeText escapes a text node's translation; quotes need no escaping outside attributes.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&#160;").Replace(s)
}

type openTag struct {
	name string
	line int
}

func parseHTML(b builder, s string) {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var run protected // the block's text so far
	copied, code := 0, 0
	line := 1
	var open []openTag
	warn := func(format string, args ...any) {
		if len(b.d.Warnings) < 20 {
			b.d.Warnings = append(b.d.Warnings, fmt.Sprintf(format, args...))
		}
	}
	flush := func() {
		if !hasWords(run.plain()) {
			b.literal(run.raw())
			run = nil
			return
		}
		// The run's leading and trailing spaces are the markup's layout: kept outside the unit.
		const ws = " \t\r\n"
		var lead, trail string
		if first := &run[0]; !first.keep {
			t := strings.TrimLeft(first.s, ws)
			lead, first.s = first.s[:len(first.s)-len(t)], t
			first.raw = strings.TrimLeft(first.raw, ws)
		}
		if last := &run[len(run)-1]; !last.keep {
			t := strings.TrimRight(last.s, ws)
			trail, last.s = last.s[len(t):], t
			last.raw = strings.TrimRight(last.raw, ws)
		}
		b.literal(lead)
		b.text(run, 0, escapeText)
		b.literal(trail)
		run = nil
	}
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := string(z.Raw())
		at := line
		line += strings.Count(raw, "\n")
		switch tt {
		case xhtml.TextToken:
			switch {
			case copied > 0:
				b.literal(raw)
			case code > 0:
				run = run.add(raw, true)
			default:
				run = run.addRaw(html.UnescapeString(raw), raw, false)
			}
			continue
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
		default: // comments, doctypes
			if len(run) > 0 && copied == 0 {
				run = run.add(raw, true)
			} else {
				b.literal(raw)
			}
			continue
		}
		nameBytes, _ := z.TagName()
		name := string(nameBytes)
		start := tt == xhtml.StartTagToken
		end := tt == xhtml.EndTagToken
		void := slices.Contains(voidTags, name) || tt == xhtml.SelfClosingTagToken
		switch {
		case start && !void:
			open = append(open, openTag{name, at})
		case end:
			i := len(open) - 1
			for i >= 0 && open[i].name != name {
				i--
			}
			if i < 0 {
				warn("line %d: </%s> closes no open <%s>", at, name, name)
			} else {
				for _, t := range open[i+1:] {
					if !slices.Contains(optionalEnd, t.name) {
						warn("line %d: <%s> is not closed before </%s> on line %d", t.line, t.name, name, at)
					}
				}
				open = open[:i]
			}
		}
		inCopied := slices.Contains(copiedTags, name)
		switch {
		case copied > 0 || inCopied:
			if copied == 0 {
				flush()
			}
			b.literal(raw)
			if inCopied && start {
				copied++
			} else if inCopied && end {
				copied = max(copied-1, 0)
			}
		case slices.Contains(codeTags, name):
			run = run.add(raw, true)
			if start {
				code++
			} else if end {
				code = max(code-1, 0)
			}
		case code > 0 || slices.Contains(inlineTags, name):
			run = run.add(raw, true)
		default: // a block's tag ends the text before it
			flush()
			b.literal(raw)
		}
	}
	flush()
	for _, t := range open {
		if !slices.Contains(optionalEnd, t.name) {
			warn("line %d: <%s> is never closed", t.line, t.name)
		}
	}
}
