package glossary

import (
	"strings"
	"testing"
)

func TestParseReadsPairsAndSkipsCommentsAndBlankLines(t *testing.T) {
	l, err := ParseString("\ufeff# terms\n구구고\tGugugo\r\n\n데스크톱 앱 \t desktop app\n")
	if err != nil {
		t.Fatal(err)
	}
	want := List{{"구구고", "Gugugo"}, {"데스크톱 앱", "desktop app"}}
	if len(l) != len(want) || l[0] != want[0] || l[1] != want[1] {
		t.Fatalf("got %q, want %q", l, want)
	}
	back, err := ParseString(l.String())
	if err != nil || back.String() != l.String() {
		t.Fatalf("round trip: %q, %v", back, err)
	}
}

func TestParseNamesTheBadLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\tb\nno tab here\n", "line 2 has no tab"},
		{"\tb\n", "line 1 has no source term"},
		{"a\t\n", "line 1 needs exactly one target term"},
		{"a\tb\tc\n", "line 1 needs exactly one target term"},
		{"Gugugo\t구구고\ngugugo\t구구\n", `line 2 repeats the term "gugugo" of line 1`},
		{"a\t\xff\n", "line 1 is not UTF-8"},
		{strings.Repeat("x", 2<<20), "longer than 1 MB"},
	} {
		l, err := ParseString(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.30q: got %v, want an error with %q", c.in, err, c.want)
		}
		if l != nil {
			t.Errorf("%.30q: a bad glossary returned %d pairs", c.in, len(l))
		}
	}
}

func TestSteerReplacesTermsLongestFirst(t *testing.T) {
	l := List{{"구구고", "Gugugo"}, {"구구고 데스크톱", "Gugugo Desktop"}, {"art", "미술"}, {"GPU", "그래픽 카드"}, {"차", "tea"}}
	for in, want := range map[string]string{
		"구구고 데스크톱을 설치하고 구구고를 실행하세요.":      "Gugugo Desktop을 설치하고 Gugugo를 실행하세요.",
		"Start the art class on the gpu.": "Start the 미술 class on the 그래픽 카드.",
		"Nothing to replace in artistic.": "Nothing to replace in artistic.",
	} {
		if got := l.Steer(in); got != want {
			t.Errorf("Steer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMissingReportsTermsWhoseTargetIsAbsent(t *testing.T) {
	l := List{{"구구고", "Gugugo"}, {"번역기", "translator"}, {"모델", "model"}}
	got := l.Missing("구구고는 번역기입니다. 구구고!", "GUGUGO is a program.")
	if len(got) != 1 || got[0] != l[1] {
		t.Fatalf("missing %q, want only %q", got, l[1])
	}
	if d := got.Describe(); d != `"번역기" → "translator"` {
		t.Errorf("Describe = %s", d)
	}
	if got := (List{{"인공지능", "AI"}}).Missing("인공지능이다", "He said so."); len(got) != 1 {
		t.Errorf("AI was found inside a word: %q", got)
	}
	if got := l.Missing("아무것도 없다", ""); len(got) != 0 {
		t.Errorf("a source without terms reported %q", got)
	}
}
