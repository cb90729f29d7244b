// Package document translates files and keeps their structure: subtitles (.srt, .vtt) keep their cue numbers and
// timings, Markdown its code, link targets, tables and headings, HTML its tags and attributes, plain text its
// lines. A parser cuts a file into literal parts, copied as they are, and units of text to translate; the units go
// through the engine's parallel lanes together (Translate) and the file is put back together around them.
package document

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is a kind of file.
type Format string

// The formats read.
const (
	Text     Format = "text"
	SRT      Format = "srt"
	VTT      Format = "vtt"
	Markdown Format = "markdown"
	HTML     Format = "html"
)

// MaxBytes is the largest file translated: more is not a document but a data set.
const MaxBytes = 20 << 20

// Extensions are the file name extensions read, and their formats (a name without one is text).
var Extensions = map[string]Format{".txt": Text, ".text": Text, ".srt": SRT, ".vtt": VTT, ".md": Markdown,
	".markdown": Markdown, ".html": HTML, ".htm": HTML, ".xhtml": HTML}

// FormatOf picks the format from a file name's extension.
func FormatOf(name string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if f, ok := Extensions[ext]; ok {
		return f, nil
	}
	if ext == "" {
		return Text, nil
	}
	return "", fmt.Errorf("%s: files of this kind are not translated (these are: .txt, .srt, .vtt, .md, .html)", filepath.Base(name))
}

// Document is a parsed file: literal parts and the units of text to translate between them.
type Document struct {
	units []*unit
	parts []part
	// Warnings are problems in the file that did not stop its translation, such as subtitle numbers that jump.
	Warnings []string
	crlf     bool
	bom      bool // the file started with a byte-order mark, which some subtitle players need to detect UTF-8
	// pending gathers literal text until the next unit: appending to a part's string would copy it each time,
	// which a file of many lines turns quadratic.
	pending strings.Builder
}

// unit is a text translated in one request. Its translation fills one part or, when the text spans several parts
// (a sentence that runs over subtitle cues or wrapped lines), is shared out among them by their source lengths.
type unit struct {
	text    string              // what the engine gets: the source with its protected spans as placeholders
	source  string              // the source as the reader sees it, for the glossary check
	spans   []string            // protected text, restored over the placeholders
	first   int                 // the number of the first placeholder less one (see placeholderBase)
	weights []int               // source characters of each part the unit fills
	escape  func(string) string // applied to the translation before the spans are restored (HTML text)
}

// part is literal text, or a share of a unit's translation set in lines lines (0 or 1: as it comes).
type part struct {
	literal string
	unit    int // -1 for a literal
	share   int
	lines   int
}

// Units are the texts to translate, in order, with their protected spans as placeholders.
func (d *Document) Units() []string {
	out := make([]string, len(d.units))
	for i, u := range d.units {
		out[i] = u.text
	}
	return out
}

// Sources are the units as the reader sees them, with their protected spans in place.
func (d *Document) Sources() []string {
	out := make([]string, len(d.units))
	for i, u := range d.units {
		out[i] = u.source
	}
	return out
}

// builder collects a document's parts.
type builder struct{ d *Document }

func (b builder) literal(s string) { b.d.pending.WriteString(s) }

// share adds a part that a unit's translation fills, after the literal text gathered so far.
func (b builder) share(p part) {
	b.flush()
	b.d.parts = append(b.d.parts, p)
}

// flush ends the literal text gathered so far.
func (b builder) flush() {
	if b.d.pending.Len() > 0 {
		b.d.parts = append(b.d.parts, part{literal: b.d.pending.String(), unit: -1})
		b.d.pending.Reset()
	}
}

// piece is one part's share of a unit: its text with spans, and how it is set.
type piece struct {
	text  protected
	lines int
}

// text adds a unit filled by one part, or a literal when there is nothing in it to translate.
func (b builder) text(p protected, lines int, escape func(string) string) {
	b.group([]piece{{p, lines}}, nil, escape)
}

// group adds one unit whose translation is shared out among the pieces' parts, with before(j) (when not nil) as
// literal text before piece j. Pieces with nothing to translate stay literal.
func (b builder) group(pieces []piece, before func(j int) string, escape func(string) string) {
	u := unit{first: placeholderBase(pieces)}
	var texts, sources []string
	for _, p := range pieces {
		if !hasWords(p.text.plain()) {
			continue
		}
		texts = append(texts, p.text.withPlaceholders(u.first+len(u.spans)))
		sources = append(sources, p.text.source())
		u.spans = append(u.spans, p.text.spans()...)
		u.weights = append(u.weights, utf8.RuneCountInString(p.text.plain()))
	}
	idx, share := len(b.d.units), 0
	if len(texts) > 0 {
		u.text, u.source, u.escape = strings.Join(texts, " "), strings.Join(sources, " "), escape
		b.d.units = append(b.d.units, &u)
	}
	for j, p := range pieces {
		if before != nil {
			b.literal(before(j))
		}
		if !hasWords(p.text.plain()) {
			b.literal(p.text.raw())
			continue
		}
		b.share(part{unit: idx, share: share, lines: p.lines})
		share++
	}
}

// hasWords reports whether s has a letter to translate.
func hasWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// Render puts the document back together with translations (one for each of Units, in order).
func (d *Document) Render(translations []string) ([]byte, error) {
	if len(translations) != len(d.units) {
		return nil, fmt.Errorf("%d translations for %d units", len(translations), len(d.units))
	}
	shares := make([][]string, len(d.units))
	for i, u := range d.units {
		// A unit fills its parts' lines only: a line break the model wrote would cut a cue or a table row in two.
		t := strings.Trim(lineBreaks.ReplaceAllString(translations[i], " "), " \t") // other spaces (NBSP) are text
		if u.escape != nil {
			t = u.escape(t)
		}
		shares[i] = shareOut(restore(t, u.spans, u.first), u.weights)
	}
	var out bytes.Buffer
	for _, p := range d.parts {
		if p.unit < 0 {
			out.WriteString(p.literal)
			continue
		}
		s := shares[p.unit][p.share]
		if p.lines > 1 {
			s = breakLines(s, p.lines)
		}
		out.WriteString(s)
	}
	b := out.Bytes()
	if d.crlf {
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
	}
	if d.bom {
		b = append([]byte("\ufeff"), b...)
	}
	return b, nil
}

var lineBreaks = regexp.MustCompile(`[ \t]*[\r\n]+[ \t]*`)

// ReadFile reads and parses a file as format f, refusing one over MaxBytes before reading it. It returns the file's
// bytes too.
func ReadFile(path string, f Format) (*Document, []byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() > MaxBytes {
		return nil, nil, fmt.Errorf("%s is %.1f MB; files up to %d MB are translated", path, float64(fi.Size())/1e6, MaxBytes>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	d, err := Parse(f, data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, data, nil
}

// Parse reads data as format f.
func Parse(f Format, data []byte) (*Document, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("the file is %.1f MB; files up to %d MB are translated", float64(len(data))/1e6, MaxBytes>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8 text")
	}
	s := strings.TrimPrefix(string(data), "\ufeff")
	d := &Document{crlf: strings.Contains(s, "\r\n"), bom: len(s) < len(data)}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	b := builder{d}
	var err error
	switch f {
	case Text:
		parseText(b, s)
	case SRT:
		err = parseSRT(b, s)
	case VTT:
		err = parseVTT(b, s)
	case Markdown:
		parseMarkdown(b, s)
	case HTML:
		parseHTML(b, s)
	default:
		err = fmt.Errorf("unknown format %q", f)
	}
	if err != nil {
		return nil, err
	}
	b.flush()
	return d, nil
}

// parseText makes each line a unit, as the window translates text.
func parseText(b builder, s string) {
	for line := range strings.SplitAfterSeq(s, "\n") {
		body := strings.TrimRight(line, "\n")
		lead := len(body) - len(strings.TrimLeft(body, " \t"))
		content := strings.TrimRight(body[lead:], " \t")
		b.literal(body[:lead])
		b.text(plainText(content), 0, nil)
		b.literal(body[lead+len(content):] + line[len(body):])
	}
}
