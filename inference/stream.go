package inference

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// stopMarkers end a translation. The Gugugo models close their answer with </끝>; a new "###" heading after a line
// break means the model started another example, which is never part of the answer.
var stopMarkers = []string{endMarker, "\n###"}

// streamFilter turns generated token pieces into text that is safe to show: it holds back anything that may be the
// start of a stop marker until the marker is decided, never lets part of a UTF-8 character through, drops leading
// whitespace and holds trailing whitespace (so the final text has none).
type streamFilter struct {
	pending []byte
	started bool
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

// incompleteUTF8 reports whether b is the beginning of a multi-byte character that needs more bytes.
func incompleteUTF8(b []byte) bool {
	if len(b) == 0 || len(b) >= utf8.UTFMax || !utf8.RuneStart(b[0]) || b[0] < 0x80 {
		return false
	}
	need := 2
	switch {
	case b[0]&0xF0 == 0xF0:
		need = 4
	case b[0]&0xE0 == 0xE0:
		need = 3
	case b[0]&0xE0 != 0xC0:
		return false
	}
	if len(b) >= need {
		return false
	}
	for _, c := range b[1:] {
		if c&0xC0 != 0x80 {
			return false
		}
	}
	return true
}

func isMarkerPrefix(b []byte) bool {
	for _, m := range stopMarkers {
		if len(b) < len(m) && strings.HasPrefix(m, string(b)) {
			return true
		}
	}
	return false
}

// dropControls removes control characters but line breaks and tabs (C0, DEL, and C1's two-byte forms) from b, in
// place, before stop markers are looked for: a marker with a control character inside it must stop the text too, as
// it would otherwise show once the character was dropped.
func dropControls(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x20 && c != '\n' && c != '\t' || c == 0x7f:
			continue
		case c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}

// holdable reports whether a tail of the pending text must wait for more tokens: spaces, then nothing, the start
// of a stop marker (which may start with one of those spaces: "\n###") or an unfinished character.
func holdable(tail []byte) bool {
	if n := len(tail); n > 1 && tail[n-1] == 0xc2 && holdable(tail[:n-1]) {
		return true // the start of a C1 control character, which dropControls may yet drop
	}
	for i := 0; i <= len(tail); i++ {
		rest := tail[i:]
		if len(rest) == 0 || isMarkerPrefix(rest) || incompleteUTF8(rest) {
			return true
		}
		if !isSpace(tail[i]) {
			return false
		}
	}
	return true
}

// clean makes shown text valid UTF-8 (each stray byte becomes U+FFFD, whichever pieces it came in) without control
// characters other than line breaks and tabs.
func clean(b []byte) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' { // C0, DEL and C1
			return -1
		}
		return r
	}, string(b))
}

// push adds a token's bytes and returns the text that can be shown now, and whether a stop marker was reached
// (the marker itself is never returned).
func (f *streamFilter) push(piece []byte) (string, bool) {
	f.pending = dropControls(append(f.pending, piece...))
	if !f.started {
		i := 0
		for i < len(f.pending) && isSpace(f.pending[i]) {
			i++
		}
		f.pending = f.pending[i:]
		if len(f.pending) == 0 || holdable(f.pending) { // it may yet be dropped, and the spaces after it with it
			return "", false
		}
		f.started = true
	}
	first := -1
	for _, m := range stopMarkers {
		if i := strings.Index(string(f.pending), m); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first >= 0 {
		out := strings.TrimRight(string(f.pending[:first]), " \t\r\n")
		f.pending = f.pending[:0]
		return clean([]byte(out)), true
	}
	k := len(f.pending)
	for i := 0; i < len(f.pending); i++ {
		if holdable(f.pending[i:]) {
			k = i
			break
		}
	}
	out := clean(f.pending[:k])
	f.pending = append(f.pending[:0], f.pending[k:]...)
	return out, false
}

// flush ends the stream: held whitespace, a possible marker start and an unfinished character are dropped;
// anything else held back is returned.
func (f *streamFilter) flush() string {
	rest := f.pending
	f.pending = nil
	for len(rest) > 0 && isSpace(rest[len(rest)-1]) {
		rest = rest[:len(rest)-1]
	}
	for n := 1; n < utf8.UTFMax && n <= len(rest); n++ {
		if incompleteUTF8(rest[len(rest)-n:]) {
			rest = rest[:len(rest)-n]
			break
		}
	}
	for i := 0; i < len(rest); i++ {
		if isMarkerPrefix(rest[i:]) {
			rest = rest[:i]
			break
		}
	}
	return strings.TrimRight(clean(rest), " \t\r\n")
}

// stream is one sequence being generated: its stop filter, loop guard and length limit.
type stream struct {
	filter streamFilter
	guard  loopGuard
	piece  []byte
	n      int
	limit  int
	force  bool // ignore every stop but the limit (benchmarks)
	stop   StopReason
}

func newStream(limit int, force bool) *stream { return &stream{limit: limit, force: force} }

// step takes the next generated token and returns the text that can be shown now and whether the sequence ended.
func (s *stream) step(m *llama.Model, tok llama.Token) (string, bool) {
	s.n++
	if s.force {
		if s.n >= s.limit {
			s.stop = StopLimit
			return "", true
		}
		return "", false
	}
	if m.IsEOG(tok) {
		s.stop = StopEOG
		return s.filter.flush(), true
	}
	s.piece = m.AppendPiece(s.piece[:0], tok)
	out, stop := s.filter.push(s.piece)
	switch {
	case stop:
		s.stop = StopMarker
		return out, true
	case s.guard.add(tok):
		s.stop = StopRepetition
	case s.n >= s.limit:
		s.stop = StopLimit
	default:
		return out, false
	}
	return out + s.filter.flush(), true
}
