package inference

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// feed pushes scripted token pieces through a filter the way the engine does.
func feed(pieces ...string) (shown []string, text string, stopped bool) {
	var f streamFilter
	var sb strings.Builder
	for _, p := range pieces {
		out, stop := f.push([]byte(p))
		if out != "" {
			shown = append(shown, out)
			sb.WriteString(out)
		}
		if stop {
			return shown, sb.String(), true
		}
	}
	if out := f.flush(); out != "" {
		shown = append(shown, out)
		sb.WriteString(out)
	}
	return shown, sb.String(), false
}

func TestFilterHoldsBackUntilDecided(t *testing.T) {
	var f streamFilter
	steps := []struct{ piece, want string }{
		{" Hi", "Hi"},
		{" <", ""},   // may be the marker: held, with its space
		{"b", " <b"}, // it was not
		{">", ">"},
		{" </", ""},
		{"끝", ""},
	}
	for _, s := range steps {
		if got, stop := f.push([]byte(s.piece)); got != s.want || stop {
			t.Fatalf("push(%q) = %q, %v; want %q", s.piece, got, stop, s.want)
		}
	}
	if got, stop := f.push([]byte(">")); got != "" || !stop {
		t.Fatalf("marker end: %q %v", got, stop)
	}
}

// bytewise splits text into one-byte pieces, as byte-fallback tokens deliver it.
func bytewise(text string) []string {
	var pieces []string
	for _, b := range []byte(text) {
		pieces = append(pieces, string([]byte{b}))
	}
	return pieces
}

func TestFilter(t *testing.T) {
	for _, c := range []struct {
		name    string
		pieces  []string
		text    string
		stopped bool
	}{
		{"marker across tokens", []string{" Hello", " world", "<", "/", "끝", ">", " more"}, "Hello world", true},
		{"marker inside one token", []string{" 안녕하세요 </끝>\n### 영어:"}, "안녕하세요", true},
		{"marker byte by byte", bytewise(" Hi </끝> more"), "Hi", true},
		{"marker after a period in one piece", []string{" Hello", " world.</", "\xeb\x81\x9d", ">"}, "Hello world.", true},
		{"a new heading stops", []string{" Hello.", "\n", "#", "##", " 한국어:"}, "Hello.", true},
		{"a lone # goes through", []string{" C#", " is", " fine"}, "C# is fine", false},
		{"a tag that is not the marker", []string{" <", "b", ">", "x"}, "<b>x", false},
		{"characters split over tokens", bytewise(" 안녕 세계"), "안녕 세계", false},
		{"unfinished character at the end", []string{" Hi", " \xec\x95"}, "Hi", false},
		{"unfinished marker at the end", []string{" Hi", " </", "끝"}, "Hi", false},
		{"control and stray bytes", []string{" a\x00b\xffc"}, "ab\uFFFDc", false},
		{"only whitespace", []string{" ", "\n", "\t"}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			shown, text, stopped := feed(c.pieces...)
			if text != c.text || stopped != c.stopped {
				t.Fatalf("got %q stopped=%v, want %q stopped=%v", text, stopped, c.text, c.stopped)
			}
			for _, s := range shown {
				if !utf8.ValidString(s) {
					t.Errorf("broken UTF-8 shown: %q", s)
				}
				if c.stopped && (strings.ContainsAny(s, "</>#") || strings.Contains(s, "끝")) {
					t.Errorf("part of the marker was shown: %q", s)
				}
			}
		})
	}
}
