package inference

import (
	"strings"
	"testing"
)

func TestParagraphsKeepSeparators(t *testing.T) {
	segs := Paragraphs("  첫 줄입니다.\n\n둘째 줄\r\n셋째  \n")
	want := []Segment{{"첫 줄입니다.", "\n\n"}, {"둘째 줄", "\r\n"}, {"셋째", ""}}
	if len(segs) != len(want) {
		t.Fatalf("got %q", segs)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("segment %d = %q, want %q", i, segs[i], want[i])
		}
	}
}

func TestSentences(t *testing.T) {
	got := Sentences("안녕하세요. 저는 학생입니다! Is it 3.5 now? \"Yes.\" Done")
	want := []string{"안녕하세요. ", "저는 학생입니다! ", "Is it 3.5 now? ", "\"Yes.\" ", "Done"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestChunksDropNothing(t *testing.T) {
	para := strings.Repeat("이것은 꽤 긴 한국어 문장입니다. This is an English sentence too! ", 40)
	text := para + "\n\n" + "짧은 문단\n" + strings.Repeat("가", 500)
	fits := func(s string) bool { return len(s) <= 120 }
	segs := Chunks(text, fits)
	var sb strings.Builder
	for i, s := range segs {
		if !fits(s.Text) {
			t.Fatalf("segment %d does not fit: %d bytes", i, len(s.Text))
		}
		sb.WriteString(s.Text)
		if i < len(segs)-1 {
			sb.WriteString(s.Sep)
		}
	}
	if got, want := strings.Join(strings.Fields(sb.String()), " "), strings.Join(strings.Fields(text), " "); got != want {
		t.Fatalf("reassembled text differs:\n%q\n%q", got[:200], want[:200])
	}
	if !strings.Contains(sb.String(), "\n\n짧은 문단\n") {
		t.Error("paragraph breaks were not kept")
	}
}

func TestChunksHugePaste(t *testing.T) {
	text := strings.Repeat("word ", 2_000_000) // 10 MB
	segs := Chunks(text, func(s string) bool { return len(s) <= 2000 })
	n := 0
	for _, s := range segs {
		n += len(strings.Fields(s.Text))
	}
	if n != 2_000_000 {
		t.Fatalf("%d words after chunking, want 2000000", n)
	}
}
