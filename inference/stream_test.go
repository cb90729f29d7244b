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

func TestFilterMarkerAcrossTokens(t *testing.T) {
	shown, text, stopped := feed(" Hello", " world", "<", "/", "끝", ">", " more")
	if !stopped || text != "Hello world" {
		t.Fatalf("got %q stopped=%v, want \"Hello world\" stopped", text, stopped)
	}
	for _, s := range shown {
		if strings.ContainsAny(s, "</>") || strings.Contains(s, "끝") {
			t.Errorf("part of the marker was shown: %q", s)
		}
	}
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

func TestFilterMarkerInsideOneToken(t *testing.T) {
	_, text, stopped := feed(" 안녕하세요 </끝>\n### 영어:")
	if !stopped || text != "안녕하세요" {
		t.Fatalf("got %q %v", text, stopped)
	}
}

func TestFilterNewHeadingStops(t *testing.T) {
	_, text, stopped := feed(" Hello.", "\n", "#", "##", " 한국어:")
	if !stopped || text != "Hello." {
		t.Fatalf("got %q %v", text, stopped)
	}
}

func TestFilterUTF8Boundaries(t *testing.T) {
	raw := []byte(" 안녕 세계")
	var pieces []string
	for _, b := range raw {
		pieces = append(pieces, string([]byte{b}))
	}
	shown, text, _ := feed(pieces...)
	if text != "안녕 세계" {
		t.Fatalf("got %q", text)
	}
	for _, s := range shown {
		if !utf8.ValidString(s) {
			t.Errorf("broken UTF-8 shown: %q", s)
		}
	}
}

func TestFilterFlushDropsUnfinished(t *testing.T) {
	if _, text, _ := feed(" Hi", " \xec\x95"); text != "Hi" {
		t.Errorf("unfinished character: got %q", text)
	}
	if _, text, _ := feed(" Hi", " </", "끝"); text != "Hi" {
		t.Errorf("unfinished marker: got %q", text)
	}
	if _, text, _ := feed(" a\x00b\xffc"); text != "ab\uFFFDc" {
		t.Errorf("control and stray bytes: got %q", text)
	}
}
