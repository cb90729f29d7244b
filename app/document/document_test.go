package document

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// scripted translates by a function of the text, as the engine would, and records what it was asked.
type scripted struct {
	f    func(string) string
	mu   sync.Mutex
	asks []string
	fail error
}

func (s *scripted) TranslateShared(ctx context.Context, req inference.Request, _ func(string, string)) (inference.Result, error) {
	s.mu.Lock()
	s.asks = append(s.asks, req.Text)
	s.mu.Unlock()
	if s.fail != nil && strings.Contains(req.Text, "FAIL") {
		return inference.Result{}, s.fail
	}
	return inference.Result{Text: s.f(req.Text)}, nil
}

// upper "translates" by upper-casing, which keeps placeholders and shows which text went where.
func upper() *scripted { return &scripted{f: strings.ToUpper} }

func translate(t *testing.T, f Format, in string, tr Translator) (string, *Document) {
	t.Helper()
	d, err := Parse(f, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := Translate(context.Background(), tr, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return string(out), d
}

func TestSRTKeepsNumbersAndTimingsAndJoinsASentenceOverCues(t *testing.T) {
	in := "1\r\n00:00:01,000 --> 00:00:02,500\r\nI went to the\r\n\r\n" +
		"2\r\n00:00:02,600 --> 00:00:04,000\r\nstore <i>yesterday</i>.\r\n\r\n" +
		"3\r\n00:00:05,000 --> 00:00:07,000\r\nThe first line of a cue\r\nand its second line!\r\n\r\n" +
		"4\r\n00:00:08,000 --> 00:00:09,000\r\n- Who are you?\r\n- Nobody.\r\n\r\n" +
		"5\r\n00:00:10,000 --> 00:00:11,000\r\n♪ ♪\r\n"
	tr := upper()
	out, _ := translate(t, SRT, in, tr)
	want := "1\r\n00:00:01,000 --> 00:00:02,500\r\nI WENT TO THE\r\n\r\n" +
		"2\r\n00:00:02,600 --> 00:00:04,000\r\nSTORE <i>YESTERDAY</i>.\r\n\r\n" +
		"3\r\n00:00:05,000 --> 00:00:07,000\r\nTHE FIRST LINE OF A\r\nCUE AND ITS SECOND LINE!\r\n\r\n" +
		"4\r\n00:00:08,000 --> 00:00:09,000\r\n- WHO ARE YOU?\r\n- NOBODY.\r\n\r\n" +
		"5\r\n00:00:10,000 --> 00:00:11,000\r\n♪ ♪\r\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	// The sentence over cues 1 and 2 went as one request, the cue's two lines as one, each speaker alone.
	for _, ask := range []string{"I went to the store {1}yesterday{2}.", "The first line of a cue and its second line!", "Who are you?", "Nobody."} {
		if !containsString(tr.asks, ask) {
			t.Errorf("no request %q among %q", ask, tr.asks)
		}
	}
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestBrokenSubtitlesAreNamedByLine(t *testing.T) {
	for _, c := range []struct {
		f        Format
		in, want string
	}{
		{SRT, "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\nNo timing here\n", "line 5: subtitle 2 has no timing line"},
		{SRT, "00:00:01,000 --> 00:00:02,000\nHello\n", "line 1: subtitle 1 has no number"},
		{SRT, "one\n00:00:01,000 --> 00:00:02,000\nHello\n", `has "one" where its number should be`},
		{SRT, "\n\n", "no subtitles"},
		{VTT, "1\n00:01.000 --> 00:02.000\nHello\n", "not a WebVTT file"},
		{VTT, "WEBVTT\n\nHello without timing\n", "line 3: this block has no timing line"},
		{SRT, "1\n00:00:01,000 --> 00:00:02,000\n\xff\n", "not UTF-8"},
		{SRT, "1\n00:00:01,000 --> 00:00:02,000\nHello\n\nWorld\n", `line 5: "World" is neither a subtitle number nor a timing (is there a blank line inside subtitle 1?)`},
	} {
		_, err := Parse(c.f, []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
	d, err := Parse(SRT, []byte("1\n00:00:01,000 --> 00:00:02,000\nA.\n\n3\n00:00:03,000 --> 00:00:04,000\nB.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "line 5: subtitle number 3 follows 1") {
		t.Errorf("warnings %q", d.Warnings)
	}
}

func TestVTTKeepsHeaderNotesAndCueSettings(t *testing.T) {
	in := "WEBVTT - a talk\n\nNOTE written by hand\nover two lines\n\nSTYLE\n::cue { color: red }\n\n" +
		"intro\n00:01.000 --> 00:04.000 align:start line:10%\n<v Roger>Hello there.\n\n" +
		"00:05.000 --> 00:06.000\nSecond cue.\n"
	out, _ := translate(t, VTT, in, upper())
	want := "WEBVTT - a talk\n\nNOTE written by hand\nover two lines\n\nSTYLE\n::cue { color: red }\n\n" +
		"intro\n00:01.000 --> 00:04.000 align:start line:10%\n<v Roger>HELLO THERE.\n\n" +
		"00:05.000 --> 00:06.000\nSECOND CUE.\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestMarkdownKeepsCodeLinksTablesAndHeadings(t *testing.T) {
	in := "---\ntitle: keep me\n---\n# A heading #\n\nSome text with `code here` and a [link text](https://example.com/a_b) that\n" +
		"wraps onto a second line.\n\n```go\nfunc main() {}\n```\n\n    indented code\n\n" +
		"| Name | Value |\n|------|:-----:|\n| first | `x` |\n\n- item one\n- [ ] item two\n  continues\n\n> quoted text\n> more\n\n" +
		"![an image](img.png) see <https://x.org> and https://y.org/path.\n\n[ref]: https://example.com\n"
	tr := upper()
	out, _ := translate(t, Markdown, in, tr)
	want := "---\ntitle: keep me\n---\n# A HEADING #\n\nSOME TEXT WITH `code here` AND A [LINK TEXT](https://example.com/a_b)\n" +
		"THAT WRAPS ONTO A SECOND LINE.\n\n```go\nfunc main() {}\n```\n\n    indented code\n\n" +
		"| NAME | VALUE |\n|------|:-----:|\n| FIRST | `x` |\n\n- ITEM ONE\n- [ ] ITEM TWO\n  CONTINUES\n\n> QUOTED TEXT\n> MORE\n\n" +
		"![an image](img.png) SEE <https://x.org> AND https://y.org/path.\n\n[ref]: https://example.com\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestHTMLKeepsTagsAndTranslatesTheTextOfEachBlock(t *testing.T) {
	in := `<!DOCTYPE html><html lang="en"><head><title>A page</title><style>p { color: red }</style></head>
<body class="x"><p>Click <a href="/go?a=1&amp;b=2" title="keep">here</a> to go on, Tom &amp; Jerry.</p>
<pre>keep   this</pre><p>Run <code>make test</code> first.</p><script>var s = "text";</script>
<ul><li>one<li>two</ul></body></html>`
	tr := upper()
	out, d := translate(t, HTML, in, tr)
	want := `<!DOCTYPE html><html lang="en"><head><title>A PAGE</title><style>p { color: red }</style></head>
<body class="x"><p>CLICK <a href="/go?a=1&amp;b=2" title="keep">HERE</a> TO GO ON, TOM &amp; JERRY.</p>
<pre>keep   this</pre><p>RUN <code>make test</code> FIRST.</p><script>var s = "text";</script>
<ul><li>ONE<li>TWO</ul></body></html>`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if !containsString(tr.asks, "Click {1}here{2} to go on, Tom & Jerry.") {
		t.Errorf("the paragraph was not asked as one text: %q", tr.asks)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("well-formed HTML warned: %q", d.Warnings)
	}
}

func TestMalformedHTMLIsTranslatedWithWarnings(t *testing.T) {
	in := "<div><p>Hello <b>world</p>\n</span><div>Never closed"
	out, d := translate(t, HTML, in, upper())
	if want := "<div><p>HELLO <b>WORLD</p>\n</span><div>NEVER CLOSED"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	joined := strings.Join(d.Warnings, "; ")
	for _, w := range []string{"line 1: <b> is not closed before </p>", "line 2: </span> closes no open <span>", "line 2: <div> is never closed"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q lack %q", joined, w)
		}
	}
}

func TestTextKeepsLinesAndIndentation(t *testing.T) {
	out, _ := translate(t, Text, "첫 줄\n\n  둘째 줄  \n123\n", &scripted{f: func(s string) string { return "<" + s + ">" }})
	if want := "<첫 줄>\n\n  <둘째 줄>  \n123\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestLineBreaksInATranslationDoNotBreakTheFile(t *testing.T) {
	out, _ := translate(t, SRT, "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:03,000 --> 00:00:04,000\nBye.\n",
		&scripted{f: func(s string) string { return s + "\n\n 9\n" }})
	if want := "1\n00:00:01,000 --> 00:00:02,000\nHello. 9\n\n2\n00:00:03,000 --> 00:00:04,000\nBye. 9\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestDroppedAndRepeatedPlaceholdersLoseNoSpan(t *testing.T) {
	d, err := Parse(Markdown, []byte("Use `a` and `b` here.\n"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Render([]string{"{2} {2} only, {7} kept"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "`b`  only, {7} kept `a`\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestShareOutCutsAtSpacesByLength(t *testing.T) {
	got := shareOut("나는 어제 가게에 갔다", []int{10, 10})
	if len(got) != 2 || got[0] != "나는 어제" || got[1] != "가게에 갔다" {
		t.Errorf("got %q", got)
	}
	got = shareOut("하나", []int{1, 1, 1})
	if strings.Join(got, "") != "하나" || len(got) != 3 {
		t.Errorf("a short translation over three parts: %q", got)
	}
}

func TestGlossarySteersAndReportsMissingTerms(t *testing.T) {
	d, err := Parse(Text, []byte("구구고를 설치하세요.\n번역기입니다.\n"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &scripted{f: func(s string) string { return "Install " + s }}
	g := glossary.List{{Source: "구구고", Target: "Gugugo"}, {Source: "번역기", Target: "translator"}}
	out, rep, err := Translate(context.Background(), tr, d, Options{Glossary: g, Direction: inference.KoreanToEnglish})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Install Gugugo를 설치하세요.") {
		t.Errorf("the term was not steered: %q", out)
	}
	if len(rep.Missing) != 0 {
		t.Errorf("steered terms reported missing: %q", rep.Missing)
	}
	tr.f = func(string) string { return "something else" }
	_, rep, err = Translate(context.Background(), tr, d, Options{Glossary: g})
	if err != nil || len(rep.Missing) != 2 {
		t.Errorf("missing %q, %v; want both terms", rep.Missing, err)
	}
}

func TestAFailedUnitFailsTheDocument(t *testing.T) {
	d, err := Parse(Text, []byte(strings.Repeat("fine line\n", 300)+"FAIL here\n"))
	if err != nil {
		t.Fatal(err)
	}
	tr := upper()
	tr.fail = errors.New("engine broke")
	done := 0
	out, _, err := Translate(context.Background(), tr, d, Options{OnProgress: func(n, total int) { done = n }})
	if err == nil || !strings.Contains(err.Error(), "engine broke") || out != nil {
		t.Fatalf("got %q, %v", out, err)
	}
	if done >= 301 {
		t.Errorf("all 301 units reported done although one failed")
	}
}

func TestWriteBesideNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "talk.en.srt")
	os.WriteFile(in, []byte("source"), 0o644)
	for _, want := range []string{"talk.ko.srt", "talk.ko (2).srt", "talk.ko (3).srt"} {
		p, err := WriteBeside(in, inference.EnglishToKorean, []byte(want))
		if err != nil || p != filepath.Join(dir, want) {
			t.Fatalf("got %s, %v; want %s", p, err, want)
		}
	}
	for _, name := range []string{"talk.ko.srt", "talk.ko (2).srt", "talk.en.srt"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); name != "talk.en.srt" && string(b) != name || name == "talk.en.srt" && string(b) != "source" {
			t.Errorf("%s holds %q", name, b)
		}
	}
	ko := filepath.Join(dir, "notes.ko.md")
	os.WriteFile(ko, []byte("원본"), 0o644)
	if p, err := WriteBeside(ko, inference.EnglishToKorean, []byte("x")); err != nil || p == ko {
		t.Errorf("the output is the input: %s, %v", p, err)
	}
	if err := WriteFile(ko, ko, []byte("x")); err == nil {
		t.Error("WriteFile replaced its input")
	}
	if b, _ := os.ReadFile(ko); string(b) != "원본" {
		t.Errorf("the input changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 6 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestFormatOfAndLimits(t *testing.T) {
	for name, want := range map[string]Format{"a.SRT": SRT, "b.vtt": VTT, "c.md": Markdown, "d.htm": HTML, "e.txt": Text, "README": Text} {
		if f, err := FormatOf(name); err != nil || f != want {
			t.Errorf("%s: %v, %v", name, f, err)
		}
	}
	if _, err := FormatOf("x.pdf"); err == nil || !strings.Contains(err.Error(), ".srt, .vtt, .md, .html") {
		t.Errorf("pdf: %v", err)
	}
	if _, err := Parse(Text, make([]byte, MaxBytes+1)); err == nil || !strings.Contains(err.Error(), "up to 20 MB") {
		t.Errorf("a huge file: %v", err)
	}
}

// The real engine on a tiny echo model, which answers each text with the word it holds most often: a subtitle
// file's cues come back each with its own answer, through the parallel lanes, timings untouched.
func TestSubtitlesThroughTheEngine(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GUGUGO_GPU", "off")
	words := []string{" apple", " weather", " student"}
	p := filepath.Join(dir, "echo.gguf")
	if err := tinymodel.Write(p, tinymodel.Options{Arch: "gptneox", Echo: words}); err != nil {
		t.Fatal(err)
	}
	e, err := inference.Load(p, inference.Options{Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var in strings.Builder
	for i := range 24 {
		fmt.Fprintf(&in, "%d\n00:00:%02d,000 --> 00:00:%02d,500\n%s%s and the%s.\n\n", i+1, i, i, words[i%3], words[i%3], words[(i+1)%3])
	}
	d, err := Parse(SRT, []byte(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	var last [2]int
	out, _, err := Translate(context.Background(), e, d, Options{Direction: inference.EnglishToKorean, OnProgress: func(done, total int) {
		if done < last[0] {
			t.Errorf("progress went back from %d to %d", last[0], done)
		}
		last = [2]int{done, total}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != [2]int{24, 24} {
		t.Errorf("the last progress was %v, want 24 of 24", last)
	}
	cues := strings.Split(strings.TrimSpace(string(out)), "\n\n")
	if len(cues) != 24 {
		t.Fatalf("%d cues came back:\n%s", len(cues), out)
	}
	for i, c := range cues {
		lines := strings.Split(c, "\n")
		if len(lines) != 3 || lines[0] != fmt.Sprint(i+1) || lines[1] != fmt.Sprintf("00:00:%02d,000 --> 00:00:%02d,500", i, i) {
			t.Fatalf("cue %d lost its number or timing: %q", i+1, c)
		}
		if !strings.Contains(lines[2], strings.TrimSpace(words[i%3])) {
			t.Errorf("cue %d: %q is not the answer to its own text", i+1, lines[2])
		}
	}
}

// Cases a review found, each with the output an upper-casing translator must give.
func TestStructureEdgeCases(t *testing.T) {
	for _, c := range []struct {
		name  string
		f     Format
		in    string
		want  string
		asked string // a request that must have been made, when set
	}{
		{"en-dash dialogue", SRT, "1\n00:00:01,000 --> 00:00:02,000\n– Hi.\n– Bye.\n", "1\n00:00:01,000 --> 00:00:02,000\n– HI.\n– BYE.\n", "Hi."},
		{"a literal {1} in prose", Markdown, "Call `f` with {1} as argument.\n", "CALL `f` WITH {1} AS ARGUMENT.\n", "Call {2} with {1} as argument."},
		{"entities in text without letters", HTML, "<td>&lt;&gt;</td><td>5 &lt; 6 &amp;&amp; x</td><p>10&nbsp;km</p>",
			"<td>&lt;&gt;</td><td>5 &lt; 6 &amp;&amp; X</td><p>10&#160;KM</p>", ""},
		{"a fence in a quote", Markdown, "> Run:\n>\n> ```go\n> fmt.Println(\"hi\")\n> ```\n", "> RUN:\n>\n> ```go\n> fmt.Println(\"hi\")\n> ```\n", ""},
		{"a fence in a list item", Markdown, "- Step\n\n    ```sh\n    make install\n    ```\n", "- STEP\n\n    ```sh\n    make install\n    ```\n", ""},
		{"a table without outer pipes", Markdown, "Name | Age\n--- | ---\nBob | three\n", "NAME | AGE\n--- | ---\nBOB | THREE\n", ""},
		{"indented code first", Markdown, "    code at the start\n\nText.\n", "    code at the start\n\nTEXT.\n", ""},
		{"a list item's second paragraph", Markdown, "- item\n\n    second paragraph\n", "- ITEM\n\n    SECOND PARAGRAPH\n", ""},
		{"a line starting with an inline tag", Markdown, "<b>Note:</b> read this.\n", "<b>NOTE:</b> READ THIS.\n", ""},
		{"a footnote", Markdown, "[^1]: The footnote text.\n[a]: https://x.org\n", "[^1]: THE FOOTNOTE TEXT.\n[a]: https://x.org\n", ""},
		{"two quoted paragraphs", Markdown, "> Para one.\n>\n> Para two.\n", "> PARA ONE.\n>\n> PARA TWO.\n", "Para one."},
		{"a target with parentheses", Markdown, "See [wiki](https://x.org/Go_(language)).\n", "SEE [WIKI](https://x.org/Go_(language)).\n", ""},
		{"a byte-order mark", SRT, "\ufeff1\n00:00:01,000 --> 00:00:02,000\nHi.\n", "\ufeff1\n00:00:01,000 --> 00:00:02,000\nHI.\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := upper()
			out, _ := translate(t, c.f, c.in, tr)
			if out != c.want {
				t.Errorf("got\n%q\nwant\n%q", out, c.want)
			}
			if c.asked != "" && !containsString(tr.asks, c.asked) {
				t.Errorf("no request %q among %q", c.asked, tr.asks)
			}
		})
	}
}
