package inference

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzStreamFilter feeds any bytes to the stop filter as token pieces cut at the places cuts gives (UTF-8 and the
// </끝> marker split anywhere): what it shows is UTF-8 without control characters but line breaks and tabs, never
// holds the marker, and, for UTF-8 text, does not depend on where the pieces were cut.
func FuzzStreamFilter(f *testing.F) {
	f.Add([]byte(" Hello world.</끝>\n### 영어:"), []byte{3, 1, 7})
	f.Add([]byte("안녕하세요 </끝"), []byte{1, 1, 1, 1})
	f.Add([]byte("a\x00b\xff\xfe\n###"), []byte{2})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		show := func(pieces [][]byte) (string, bool) {
			var fl streamFilter
			var out strings.Builder
			for _, p := range pieces {
				s, stop := fl.push(p)
				out.WriteString(s)
				if stop {
					return out.String(), true
				}
			}
			out.WriteString(fl.flush())
			return out.String(), false
		}
		var pieces [][]byte
		rest := data
		for _, c := range cuts {
			n := min(int(c)%8, len(rest))
			pieces, rest = append(pieces, rest[:n]), rest[n:]
		}
		pieces = append(pieces, rest)
		got, stopped := show(pieces)
		whole, wholeStopped := show([][]byte{data})
		// Text the model writes is UTF-8 cut anywhere; stray bytes (random weights) need only come out readable.
		if utf8.Valid(data) && (got != whole || stopped != wholeStopped) {
			t.Fatalf("cut into %q: %q (stop %v); whole: %q (stop %v)", pieces, got, stopped, whole, wholeStopped)
		}
		if !utf8.ValidString(got) || strings.Contains(got, endMarker) {
			t.Fatalf("shown %q", got)
		}
		for _, r := range got {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("shown a control character %U in %q", r, got)
			}
		}
	})
}

// FuzzChunks splits any text to fit prompts of a few bytes: nothing but spaces is lost or added, in order (for
// valid UTF-8), and every piece fits unless it is one character.
func FuzzChunks(f *testing.F) {
	f.Add("첫 문장입니다. 둘째 문장! 셋째?\n\n새 문단 \"인용.\" 끝", 12)
	f.Add("One. Two three four five six seven.\r\nlast", 5)
	f.Fuzz(func(t *testing.T, text string, budget int) {
		budget = 1 + abs(budget)%64
		fits := func(s string) bool { return len(s) <= budget }
		letters := func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, s)
		}
		for name, segs := range map[string][]Segment{"Chunks": Chunks(text, fits), "SentenceUnits": SentenceUnits(text, fits)} {
			var joined strings.Builder
			for _, s := range segs {
				joined.WriteString(s.Text)
				if !fits(s.Text) && utf8.RuneCountInString(s.Text) > 1 {
					t.Fatalf("%s: %q does not fit %d bytes", name, s.Text, budget)
				}
			}
			// Bytes of broken UTF-8 on either side of a space may join into a character once it is trimmed: the
			// comparison holds for text, and broken input must only not panic.
			if utf8.ValidString(text) && letters(joined.String()) != letters(text) {
				t.Fatalf("%s lost or added text:\n%q\n%q", name, text, joined.String())
			}
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
