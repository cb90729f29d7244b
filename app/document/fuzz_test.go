package document

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzFormats = []Format{Text, SRT, VTT, Markdown, HTML}

// FuzzParseAndRender reads any bytes as each format and puts the file back with two translators: the identity, and
// one that drops every placeholder, invents others and writes line breaks. Nothing may panic; what comes back is
// UTF-8 and reads again as the same format, a subtitle file with the same cues' timings, and text read as it is is
// the file itself.
func FuzzParseAndRender(f *testing.F) {
	for i, s := range []string{
		"1\n00:00:01,000 --> 00:00:02,500\nI went to the\n\n2\n00:00:02,600 --> 00:00:04,000\nstore <i>yesterday</i>.\n",
		"1\r\n00:00:08,000 --> 00:00:09,000\r\n– Who are you?\r\n– Nobody.\r\n",
		"WEBVTT\n\nNOTE x\n\nintro\n00:01.000 --> 00:04.000 align:start\n<v Roger>Hello there.\n",
		"---\nt: x\n---\n# Head #\n\nText `code` [link](http://x/(y)) and {1}.\n\n> ```\n> code\n> ```\n\n| a | b |\n|---|---|\n| c | d |\n",
		"- item\n\n    second\n\n[^1]: note\n<b>bold</b> text\n",
		"<p>Click <a href=\"/x?a=1&amp;b=2\">here</a>, Tom &amp; Jerry.</p><pre>x</pre><ul><li>one<li>two",
		"첫 줄\n\n  둘째 줄  \n123\n",
	} {
		f.Add(byte(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		format := fuzzFormats[int(kind)%len(fuzzFormats)]
		d, err := Parse(format, data)
		if err != nil {
			return
		}
		units := d.Units()
		for _, translate := range []func(string) string{
			func(s string) string { return s },
			func(s string) string { return "X\n\n" + placeholder.ReplaceAllString(s, "") + " {1} {999}\r\n" },
		} {
			out := make([]string, len(units))
			for i, u := range units {
				out[i] = translate(u)
			}
			b, err := d.Render(out)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(b) {
				t.Fatalf("%s: the output is not UTF-8: %q", format, b)
			}
			if _, err := Parse(format, b); err != nil {
				t.Fatalf("%s: the output does not read again: %v\n%q", format, err, b)
			}
			if format == SRT || format == VTT {
				if got, want := timings(format, string(b)), timings(format, string(data)); got != want {
					t.Fatalf("%s: timings\n%q\nbecame\n%q", format, want, got)
				}
			}
		}
		identity := make([]string, len(units))
		copy(identity, units)
		b, _ := d.Render(identity)
		if format == Text && !strings.ContainsRune(string(data), '\r') && string(b) != string(data) {
			t.Fatalf("text read as it is changed:\n%q\n%q", data, b)
		}
	})
}

// timings are a subtitle file's timing lines as its reader finds them: the second line of each SRT block, the first
// or second of a WebVTT cue.
func timings(f Format, s string) string {
	bs, _ := blocks(strings.TrimPrefix(strings.ReplaceAll(s, "\r\n", "\n"), "\ufeff"))
	var out []string
	for _, bl := range bs {
		for j, l := range bl.lines[:min(2, len(bl.lines))] {
			if f == SRT && j == 1 && srtTiming.MatchString(l) || f == VTT && vttTiming.MatchString(l) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
