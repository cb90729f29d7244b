package inference

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPromptFormat(t *testing.T) {
	if got, want := KoreanToEnglish.Prompt("안녕"), "### 한국어: 안녕</끝>\n### 영어:"; got != want {
		t.Errorf("ko→en prompt %q, want %q", got, want)
	}
	if got, want := EnglishToKorean.Prompt("hi"), "### 영어: hi</끝>\n### 한국어:"; got != want {
		t.Errorf("en→ko prompt %q, want %q", got, want)
	}
}

func TestDetectDirection(t *testing.T) {
	for text, want := range map[string]Direction{
		"안녕하세요":                     KoreanToEnglish,
		"GPU 설정을 바꾸세요":              KoreanToEnglish,
		"Hello, how are you?":       EnglishToKorean,
		"I really like 김치 and rice": EnglishToKorean,
		"12345 !!":                  KoreanToEnglish,
		"":                          KoreanToEnglish,
	} {
		if got := DetectDirection(text); got != want {
			t.Errorf("DetectDirection(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	if d, auto, err := ParseTarget("ko"); err != nil || auto || d != EnglishToKorean {
		t.Errorf("ko: %v %v %v", d, auto, err)
	}
	if _, auto, err := ParseTarget("auto"); err != nil || !auto {
		t.Errorf("auto: %v %v", auto, err)
	}
	if _, _, err := ParseTarget("fr"); err == nil {
		t.Error("fr accepted")
	}
}

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

func TestLoopGuard(t *testing.T) {
	run := func(toks []int32) int {
		var g loopGuard
		for i, tk := range toks {
			if g.add(tk) {
				return i + 1
			}
		}
		return 0
	}
	sentence := []int32{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	var twice []int32
	twice = append(append(append(twice, 1, 2), sentence...), sentence...)
	if n := run(twice); n != len(twice) {
		t.Errorf("a 10-token sentence repeated: stopped at %d, want %d", n, len(twice))
	}
	var short []int32
	for i := 0; i < 10; i++ {
		short = append(short, 5, 6)
	}
	if n := run(short); n != 16 {
		t.Errorf("a 2-token block repeated: stopped at %d, want 16", n)
	}
	var normal []int32
	for i := int32(0); i < 300; i++ {
		normal = append(normal, i%7, 100+i)
	}
	if n := run(normal); n != 0 {
		t.Errorf("text without loops stopped at %d", n)
	}
	if n := run([]int32{1, 2, 3, 1, 2, 3, 4, 4, 4}); n != 0 {
		t.Errorf("short natural repetition stopped at %d", n)
	}
}

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

func TestChildReason(t *testing.T) {
	// What the npm CUDA 13 plugin's probe child wrote on an H100 (driver 580.159.04) when ggml aborted it, and what
	// a child writes when it reports a failure itself after llama.cpp logged something.
	aborted := "ggml_cuda_compute_forward: NORM failed\n" +
		"CUDA error: the provided PTX was compiled with an unsupported toolchain.\n" +
		"  current device: 0, in function ggml_cuda_compute_forward at /home/runner/work/ggml-cuda.cu:2422\n" +
		"  err\n/home/runner/work/ggml-cuda.cu:108: CUDA error\n" +
		"/work/main/build/lib/libggml-base.so(ggml_print_backtrace+0x21f)[0x7f5ae0c1ad6f]\n"
	reported := "ggml_vulkan: no devices\ngugugo: cannot load vulkan.so: ggml_backend_init returned NULL\n"
	for in, want := range map[string]string{
		aborted:                "CUDA error: the provided PTX was compiled with an unsupported toolchain.",
		reported:               "cannot load vulkan.so: ggml_backend_init returned NULL",
		"\n\n":                 "",
		"Segmentation fault\n": "Segmentation fault",
	} {
		if got := childReason(in); got != want {
			t.Errorf("childReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSentenceQueueDealsRoundRobin(t *testing.T) {
	units := make([]Segment, 7)
	taken := func(d *sentenceQueue, lane int) []int {
		var got []int
		for {
			u, ok := d.take(lane)
			if !ok {
				return got
			}
			got = append(got, u)
		}
	}
	d := newSentenceQueue(units, job{}, 2)
	if d.share != 4 {
		t.Errorf("share = %d, want 4", d.share)
	}
	if got := taken(d, 1); !slices.Equal(got, []int{1, 3, 5}) {
		t.Errorf("lane 1 took %v, want [1 3 5]", got)
	}
	if d.waiting(1) || !d.waiting(0) {
		t.Errorf("waiting: lane 0 %v, lane 1 %v; want true, false", d.waiting(0), d.waiting(1))
	}
	if got := taken(d, 0); !slices.Equal(got, []int{0, 2, 4, 6}) {
		t.Errorf("lane 0 took %v, want [0 2 4 6]", got)
	}
	if got := taken(newSentenceQueue(units, job{}, 1), 0); len(got) != 7 || got[6] != 6 {
		t.Errorf("one lane took %v, want all 7 in order", got)
	}
}
