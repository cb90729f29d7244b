package inference

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

func TestMain(m *testing.M) {
	if code, ok := RunProbeChild(); ok { // a GPU plugin's probe started this binary again, as main does
		os.Exit(code)
	}
	if code, ok := runLoadChild(); ok {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "gugugo-inference-test")
	if err != nil {
		panic(err)
	}
	models = tinymodel.NewCache(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// models holds the test models, written once per test binary.
var models *tinymodel.Cache

// model writes a test model once per test binary.
func model(t testing.TB, name string, o tinymodel.Options) string {
	t.Helper()
	p, err := models.Path(name, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func randomModel(t testing.TB, arch string) string {
	return model(t, "random-"+arch, tinymodel.Options{Arch: arch, Shape: tinymodel.Shapes["tiny"], Type: gguf.F32, Seed: 7})
}

// scripted writes a model whose answer to any prompt is the given token pieces.
func scripted(t testing.TB, arch, name string, loopTo int, pieces ...string) string {
	return model(t, arch+"-"+name, tinymodel.Options{Arch: arch, Script: &tinymodel.Script{After: ":", Pieces: pieces, LoopTo: loopTo}})
}

func load(t testing.TB, path string, o Options) *Engine {
	t.Helper()
	e, err := Load(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func translate(t testing.TB, e *Engine, req Request) (Result, []string) {
	t.Helper()
	return benchTranslate(t, e, req, Workload{})
}

// benchTranslate translates with a benchmark's workload (none: a translation) and checks that the pieces streamed
// add up to the text so far at every step.
func benchTranslate(t testing.TB, e *Engine, req Request, w Workload) (Result, []string) {
	t.Helper()
	var pieces []string
	var streamed strings.Builder
	res, err := e.Bench(context.Background(), req, w, func(s, soFar string) {
		pieces = append(pieces, s)
		streamed.WriteString(s)
		if soFar != streamed.String() {
			t.Errorf("text so far %q after the pieces %q", soFar, pieces)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, pieces
}

func TestLoadAndStreamRandomModels(t *testing.T) {
	for _, arch := range Architectures {
		t.Run(arch, func(t *testing.T) {
			var progress []float32
			e := load(t, randomModel(t, arch), Options{GPULayers: -1, Progress: func(p float32) { progress = append(progress, p) }})
			if len(progress) == 0 || progress[len(progress)-1] != 1 {
				t.Errorf("load progress %v does not reach 1", progress)
			}
			info := e.Info()
			if info.Arch != arch || info.ContextSize != 2048 || !strings.Contains(info.Device, "CPU") {
				t.Errorf("info %+v", info)
			}
			res, pieces := translate(t, e, Request{Text: "안녕하세요, 오늘 날씨가 좋아요.", Direction: KoreanToEnglish})
			if strings.Join(pieces, "") != res.Text {
				t.Errorf("streamed pieces %q differ from the result %q", pieces, res.Text)
			}
			for _, p := range pieces {
				if !utf8.ValidString(p) {
					t.Errorf("broken UTF-8 streamed: %q", p)
				}
			}
			if res.PromptTokens < 10 || res.GeneratedTokens < 1 || res.TimeToFirstToken <= 0 || res.Stop == "" || res.Chunks != 1 {
				t.Errorf("statistics %+v", res)
			}
		})
	}
}

func TestScriptedTranslationStopsAtMarker(t *testing.T) {
	for _, arch := range Architectures {
		t.Run(arch, func(t *testing.T) {
			// The 7B's SentencePiece vocabulary may have no piece for 끝: it then writes it as three byte-fallback
			// pieces, as the llama test vocabulary does.
			end := []string{"끝"}
			if arch == "llama" {
				end = []string{"\xeb", "\x81", "\x9d"}
			}
			script := append(append([]string{" Hello", " world", ".", "<", "/"}, end...), ">", " the", " weather")
			e := load(t, scripted(t, arch, "marker", -1, script...), DefaultOptions())
			res, pieces := translate(t, e, Request{Text: "안녕하세요", Direction: KoreanToEnglish})
			if res.Text != "Hello world." || res.Stop != StopMarker {
				t.Fatalf("got %q (stop %s), want \"Hello world.\" at the marker", res.Text, res.Stop)
			}
			if len(pieces) < 2 {
				t.Errorf("not streamed piece by piece: %q", pieces)
			}
			for _, p := range pieces {
				if strings.ContainsAny(p, "<>/") || strings.Contains(p, "끝") {
					t.Errorf("part of the marker was streamed: %q", p)
				}
			}
			// The model decoded the whole marker and nothing after.
			if want := len(script) - 2; res.GeneratedTokens != want {
				t.Errorf("generated %d tokens, want %d", res.GeneratedTokens, want)
			}
			// Nothing to translate, such as NUL bytes: nothing is generated.
			if res, _ := translate(t, e, Request{Text: "\x00\x00 \n", Direction: KoreanToEnglish}); res.Text != "" || res.GeneratedTokens != 0 {
				t.Errorf("NUL bytes gave %q, %d tokens", res.Text, res.GeneratedTokens)
			}
		})
	}
}

// Korean that comes as byte tokens streams whole characters only, and the end-of-sequence token ends the
// translation: 안 is EC 95 88, three single-byte tokens (GPT-2's byte-level BPE) or byte-fallback pieces
// (SentencePiece, after a space piece).
func TestHangulSplitAcrossTokens(t *testing.T) {
	for arch, script := range map[string][]string{
		"gptneox": {" Hello", " \xec", "\x95", "\x88", "입니다", "<|endoftext|>"},
		"llama":   {" Hello", " ", "\xec", "\x95", "\x88", "입니다", "</s>", " the"},
	} {
		t.Run(arch, func(t *testing.T) {
			e := load(t, scripted(t, arch, "utf8", -1, script...), DefaultOptions())
			res, pieces := translate(t, e, Request{Text: "hi", Direction: EnglishToKorean})
			if res.Text != "Hello 안입니다" || res.Stop != StopEOG {
				t.Fatalf("got %q (stop %s), want \"Hello 안입니다\" at end of sequence", res.Text, res.Stop)
			}
			for _, p := range pieces {
				if !utf8.ValidString(p) {
					t.Errorf("broken UTF-8 streamed: %q", p)
				}
			}
		})
	}
}

func TestRepetitionIsStopped(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), DefaultOptions())
	res, _ := translate(t, e, Request{Text: "안녕하세요", Direction: KoreanToEnglish, MaxTokens: 500})
	if res.Stop != StopRepetition {
		t.Fatalf("stop %s after %d tokens, want repetition", res.Stop, res.GeneratedTokens)
	}
	if res.GeneratedTokens > 20 || !strings.HasPrefix(res.Text, "Hello la li lu la li lu") {
		t.Errorf("%d tokens: %q", res.GeneratedTokens, res.Text)
	}
}

func TestLengthLimits(t *testing.T) {
	var pieces []string
	for c := 'a'; c <= 'z'; c++ {
		pieces = append(pieces, string(c))
	}
	for c := 'A'; c <= 'Z'; c++ {
		pieces = append(pieces, string(c))
	}
	e := load(t, scripted(t, "llama", "alphabet", 0, pieces...), DefaultOptions())
	res, _ := translate(t, e, Request{Text: "hi", Direction: EnglishToKorean, MaxTokens: 5})
	if res.Stop != StopLimit || res.GeneratedTokens != 5 || res.Text != "abcde" {
		t.Errorf("MaxTokens 5: %q, %d tokens, stop %s", res.Text, res.GeneratedTokens, res.Stop)
	}
	res, _ = translate(t, e, Request{Text: "hi", Direction: EnglishToKorean})
	if res.Stop != StopLimit || res.GeneratedTokens >= len(pieces) {
		t.Errorf("derived limit: %d tokens, stop %s", res.GeneratedTokens, res.Stop)
	}
}

func TestCancelMidStream(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), DefaultOptions())
	ctx, cancel := context.WithCancel(context.Background())
	var pieces []string
	res, err := e.Translate(ctx, Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 500}, func(s, _ string) {
		pieces = append(pieces, s)
		if len(pieces) == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res.Stop != StopCancelled {
		t.Fatalf("err %v, stop %s", err, res.Stop)
	}
	// Cancelled while the second piece was shown: no further token was decoded.
	if len(pieces) != 2 || res.GeneratedTokens != 2 {
		t.Errorf("after cancelling: %d pieces, %d tokens", len(pieces), res.GeneratedTokens)
	}
	// The engine is still usable.
	if r, _ := translate(t, e, Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 3}); r.Text != "Hello la li" {
		t.Errorf("after a cancel: %q", r.Text)
	}
}

func TestLongInputSplitAndReassembled(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "marker", -1, " Hello", " world", ".", "<", "/", "끝", ">", " the", " weather"), Options{ContextSize: 128})
	para := strings.Repeat("오늘은 날씨가 좋아서 공원에 갔습니다. ", 12)
	text := para + "\n\n" + "짧은 문단입니다.\n" + para
	for _, sequential := range []bool{true, false} {
		units := SentenceUnits(text, e.fitsSentence)
		if len(units) != 25 {
			t.Fatalf("%d sentences, want 25", len(units))
		}
		var want strings.Builder
		for i, u := range units {
			want.WriteString("Hello world.")
			if i < len(units)-1 {
				want.WriteString(u.Sep)
			}
		}
		var progress []int
		res, pieces := translate(t, e, Request{Text: text, Direction: KoreanToEnglish, Sequential: sequential,
			OnProgress: func(done, total int) { progress = append(progress, done*100+total) }})
		if res.Text != want.String() || strings.Join(pieces, "") != res.Text {
			t.Fatalf("sequential=%v: got %q\nwant %q", sequential, res.Text, want.String())
		}
		if res.Chunks != 25 || !strings.Contains(res.Text, ".\n\nHello world.\nHello") {
			t.Errorf("%d chunks; paragraph breaks: %q", res.Chunks, res.Text)
		}
		if len(progress) != 25 || progress[24] != 2525 {
			t.Errorf("progress %v", progress)
		}
	}
}

// A text of fewer sentences than a document that does not fit one prompt is split to fit, here at spaces.
func TestLongSentenceSplitToFit(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "marker", -1, " Hello", " world", ".", "<", "/", "끝", ">", " the", " weather"), Options{ContextSize: 128})
	text := strings.Repeat("단어 ", 40)
	chunks := Chunks(text, e.fits)
	if n := len(SentenceUnits(text, e.fitsSentence)); n >= ParallelMinSentences || len(chunks) < 3 {
		t.Fatalf("%d sentence units, %d chunks", n, len(chunks))
	}
	res, _ := translate(t, e, Request{Text: text, Direction: KoreanToEnglish})
	if res.Chunks != len(chunks) || res.Text != strings.TrimSpace(strings.Repeat("Hello world. ", len(chunks))) {
		t.Errorf("%d chunks: %q", res.Chunks, res.Text)
	}
}

// document is a text of several paragraphs made of the test vocabulary's words, so that a random model reads real
// tokens and answers each sentence differently.
func document(sentences int) string {
	words := []string{"안녕하세요", "감사합니다", "오늘", "날씨", "번역", "모델", "학생", "사과", "Hello", "world", "translation", "weather", "good", "apple", "student"}
	var sb strings.Builder
	for i := 0; i < sentences; i++ {
		for j := 0; j <= i%4+2; j++ {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[(i*7+j*3)%len(words)])
		}
		sb.WriteString(".")
		switch {
		case i%5 == 4:
			sb.WriteString("\n\n")
		case i < sentences-1:
			sb.WriteString(" ")
		}
	}
	return sb.String()
}

// Parallel sequences must not mix sentences up or change them: each sentence gets exactly what translating it on
// its own gives. The echo model answers each sentence with its most frequent word, with wide logit margins, so a
// sequence that saw another's tokens, or got another's token, answers differently. Four sequences for twelve
// sentences also makes it work in waves.
func TestParallelMatchesSequential(t *testing.T) {
	words := []string{" la", " li", " lu", " apple", " student", " weather", " good", " Hello", " world", " today"}
	for _, c := range []struct {
		arch  string
		lanes int
	}{{"gptneox", 1}, {"llama", 1}, {"gptneox", 2}, {"llama", 2}} {
		arch := c.arch
		t.Run(fmt.Sprintf("%s/lanes=%d", arch, c.lanes), func(t *testing.T) {
			// Two lanes of two sequences each take the 12 sentences in waves, from two goroutines.
			e := load(t, model(t, "echo-"+arch, tinymodel.Options{Arch: arch, Echo: words}), Options{Parallel: 4, Lanes: c.lanes})
			var doc strings.Builder
			for i := 0; i < 12; i++ {
				w := strings.TrimSpace(words[i%len(words)])
				// Sentences of different lengths end at different steps, as real ones do.
				fmt.Fprintf(&doc, "%s %s %s %s%s.", w, strings.TrimSpace(words[(i+3)%len(words)]), w, strings.TrimSpace(words[(i+5)%len(words)]), strings.Repeat(" "+w, i%3))
				if i%5 == 4 {
					doc.WriteString("\n\n")
				} else {
					doc.WriteString(" ")
				}
			}
			seq, _ := translate(t, e, Request{Text: doc.String(), Direction: KoreanToEnglish, Sequential: true})
			par, pieces := translate(t, e, Request{Text: doc.String(), Direction: KoreanToEnglish})
			if par.Text != seq.Text {
				t.Fatalf("parallel:\n%q\nsequential:\n%q", par.Text, seq.Text)
			}
			for i := 0; i < 12; i++ {
				w := strings.TrimSpace(words[i%len(words)])
				if !strings.Contains(par.Text, strings.Repeat(w+" ", 8)) {
					t.Errorf("no answer made of %q in %q", w, par.Text)
				}
			}
			if strings.Join(pieces, "") != par.Text || par.Chunks != 12 || strings.Count(par.Text, "\n\n") != 2 {
				t.Errorf("%d chunks, text %q", par.Chunks, par.Text)
			}
			if len(e.lanes) != c.lanes || e.lanes[0].n != 4/c.lanes {
				t.Errorf("%d lanes of %d sequences, want %d", len(e.lanes), e.lanes[0].n, c.lanes)
			}
			// Neither the throwaway token of a GPU's wide batches, nor the finished sentences that pad its last few,
			// nor the heading kept from the document before, nor the other direction's heading in between may
			// change a sentence. Answers as long as gugugo bench makes them differ from sentence to sentence, so
			// that the last few end at different steps and padding happens.
			fixed := Request{Text: doc.String(), Direction: KoreanToEnglish, Sequential: true}
			seqFixed, _ := benchTranslate(t, e, fixed, Workload{TranslationLength: true})
			fixed.Sequential = false
			for _, above := range []int{1, 3} {
				for _, ln := range e.lanes {
					ln.alternateAbove = above
				}
				again, _ := translate(t, e, Request{Text: doc.String(), Direction: KoreanToEnglish})
				translate(t, e, Request{Text: doc.String(), Direction: EnglishToKorean})
				back, _ := translate(t, e, Request{Text: doc.String(), Direction: KoreanToEnglish})
				if again.Text != seq.Text || back.Text != seq.Text {
					t.Errorf("alternating above %d:\n%q\nafter the other direction:\n%q\nsequential:\n%q", above, again.Text, back.Text, seq.Text)
				}
				if r, _ := benchTranslate(t, e, fixed, Workload{TranslationLength: true}); r.Text != seqFixed.Text || r.GeneratedTokens != seqFixed.GeneratedTokens {
					t.Errorf("alternating above %d, %d tokens:\n%q\nsequential, %d tokens:\n%q", above, r.GeneratedTokens, r.Text, seqFixed.GeneratedTokens, seqFixed.Text)
				}
			}
		})
	}
}

// On the CPU the first sentence starts a step before the others, so that its first words do not wait for every
// prompt of the document: with answers of equal length it ends a step before them, its translation and the text
// the second sentence has by then shown in between.
func TestFirstSentenceStartsAloneOnCPU(t *testing.T) {
	words := []string{" la", " li", " lu", " apple"}
	e := load(t, model(t, "echo-gptneox", tinymodel.Options{Arch: "gptneox", Echo: words}), Options{Parallel: 4})
	var events []string
	req := Request{Text: "la li la. li la li. lu la lu. apple la apple.", Direction: KoreanToEnglish,
		OnProgress: func(done, total int) { events = append(events, fmt.Sprintf("done %d", done)) }}
	res, err := e.Translate(context.Background(), req, func(s, _ string) { events = append(events, "piece") })
	if err != nil || res.Chunks != 4 {
		t.Fatalf("%v, %d chunks", err, res.Chunks)
	}
	if !e.lanes[0].firstAlone {
		t.Fatal("the first sentence does not start alone on the CPU")
	}
	i := slices.Index(events, "done 1")
	if i < 0 || i+1 >= len(events) || events[i+1] != "piece" || slices.Index(events, "done 2") < i+2 {
		t.Errorf("events %v: the first sentence did not end a step before the others", events)
	}
}

// With random weights every logit is close to others, and the different order of floating-point sums in a batch
// of sequences can flip a near-tie: this shows how often, and checks that the answers still start the same, which
// a mix-up of sentences would not.
func TestParallelRandomModelNearTies(t *testing.T) {
	for _, arch := range Architectures {
		e := load(t, randomModel(t, arch), Options{Parallel: 4})
		doc := document(12)
		units := SentenceUnits(doc, e.fitsSentence)
		par, _ := translate(t, e, Request{Text: doc, Direction: KoreanToEnglish})
		flips := 0
		for _, u := range units {
			one, _ := translate(t, e, Request{Text: u.Text, Direction: KoreanToEnglish})
			if !strings.Contains(par.Text, one.Text) {
				flips++
				prefix := one.Text[:min(len(one.Text), 12)]
				if !strings.Contains(par.Text, prefix) {
					t.Errorf("%s: %q is not in the parallel translation at all", arch, prefix)
				}
			}
		}
		t.Logf("%s: %d of %d sentences differ after a near-tie", arch, flips, len(units))
	}
}

func TestParallelCancel(t *testing.T) {
	for _, lanes := range []int{1, 2} {
		t.Run(fmt.Sprintf("lanes=%d", lanes), func(t *testing.T) {
			e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), Options{Parallel: 4, Lanes: lanes})
			ctx, cancel := context.WithCancel(context.Background())
			n := 0
			res, err := e.Translate(ctx, Request{Text: document(20), Direction: KoreanToEnglish, MaxTokens: 5000}, func(string, string) {
				if n++; n == 3 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) || res.Stop != StopCancelled {
				t.Fatalf("err %v, stop %s", err, res.Stop)
			}
			if n != 3 {
				t.Errorf("%d pieces after cancelling at the third", n)
			}
			if res.GeneratedTokens == 0 || res.DecodeTokensPerSecond() <= 0 {
				t.Errorf("a stopped document's statistics: %d tokens, %.1f tokens/s", res.GeneratedTokens, res.DecodeTokensPerSecond())
			}
			if r, _ := translate(t, e, Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 3}); r.Text != "Hello la li" {
				t.Errorf("after a cancel: %q", r.Text)
			}
			// The cancelled sequences left nothing behind in the parallel contexts.
			doc := Request{Text: document(6), Direction: KoreanToEnglish, MaxTokens: 3}
			par, _ := translate(t, e, doc)
			doc.Sequential = true
			if seq, _ := translate(t, e, doc); par.Text != seq.Text || par.Chunks != 6 {
				t.Errorf("a document after a cancel, %d chunks:\n%q\nsequential:\n%q", par.Chunks, par.Text, seq.Text)
			}
		})
	}
}

func TestConcurrentCallsAreServedInTurn(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "marker", -1, " Hello", " world", ".", "<", "/", "끝", ">", " the", " weather"), DefaultOptions())
	var mu sync.Mutex
	var log []int
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			res, err := e.Translate(context.Background(), Request{Text: fmt.Sprintf("문장 %d", id), Direction: KoreanToEnglish}, func(string, string) {
				mu.Lock()
				log = append(log, id)
				mu.Unlock()
			})
			if err == nil && res.Text != "Hello world." {
				err = fmt.Errorf("call %d got %q", id, res.Text)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Each call's pieces form one unbroken run: calls never interleave.
	seen := map[int]bool{}
	for i, id := range log {
		if i > 0 && log[i-1] != id {
			if seen[id] {
				t.Fatalf("call %d resumed after another call: %v", id, log)
			}
		}
		seen[id] = true
	}
	if len(seen) != 8 {
		t.Errorf("%d calls streamed", len(seen))
	}
}

func TestWaitingCallGivesUpWithItsContext(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), DefaultOptions())
	started := make(chan struct{})
	release := make(chan struct{})
	go e.Translate(context.Background(), Request{Text: "a", MaxTokens: 3}, func(string, string) {
		select {
		case <-started:
		default:
			close(started)
			<-release
		}
	})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Translate(ctx, Request{Text: "b"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a call waiting for its turn returned %v after its context ended", err)
	}
	close(release)
}

func TestBadModelFiles(t *testing.T) {
	dir := t.TempDir()
	good := randomModel(t, "gptneox")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7 + i/13)
	}
	bert := filepath.Join(dir, "bert.gguf")
	w := &gguf.Writer{}
	w.String("general.architecture", "bert")
	f, _ := os.Create(bert)
	if err := w.Write(f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.gguf"), "not found"},
		{dir, "is a folder"},
		{write("empty.gguf", nil), "not a GGUF model file"},
		{write("text.gguf", []byte("hello, this is a text file\n")), "not a GGUF model file"},
		{write("random.gguf", random), "not a GGUF model file"},
		{write("header.gguf", data[:100]), "truncated"},
		{write("data.gguf", data[:len(data)/2]), "corrupted or incomplete"},
		{bert, `unsupported model architecture "bert"`},
	}
	for _, c := range cases {
		e, err := Load(c.path, DefaultOptions())
		if err == nil {
			e.Close()
			t.Errorf("%s: loaded", filepath.Base(c.path))
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want one line with %q", filepath.Base(c.path), err, c.want)
		}
	}
}

func TestClosedEngine(t *testing.T) {
	e, err := Load(randomModel(t, "llama"), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if _, err := e.Translate(context.Background(), Request{Text: "hi"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("translate after Close: %v", err)
	}
}

func BenchmarkTranslateTiny(b *testing.B) {
	e := load(b, randomModel(b, "gptneox"), DefaultOptions())
	b.ResetTimer()
	var tokens int
	for i := 0; i < b.N; i++ {
		res, err := e.Bench(context.Background(), Request{Text: "오늘 날씨가 좋아요."}, Workload{Tokens: 64}, nil)
		if err != nil {
			b.Fatal(err)
		}
		tokens += res.GeneratedTokens
	}
	b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
}

// A model file truncated or deleted while the model is loaded (a download that is written again, a cleaned-up
// folder) leaves the loaded model working: llama.cpp reads the weights into its own memory instead of mapping the
// file, whose pages past a truncation would end the process with SIGBUS.
func TestModelFileChangedWhileLoaded(t *testing.T) {
	for _, change := range []string{"truncate", "delete"} {
		t.Run(change, func(t *testing.T) {
			data, err := os.ReadFile(randomModel(t, "llama"))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "model.gguf")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			e := load(t, path, DefaultOptions())
			before, _ := translate(t, e, Request{Text: "hello there", MaxTokens: 12})
			if change == "truncate" {
				err = os.Truncate(path, 64)
			} else {
				err = os.Remove(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			after, _ := translate(t, e, Request{Text: "hello there", MaxTokens: 12})
			if after.Text != before.Text {
				t.Errorf("after the file changed: %q, before: %q", after.Text, before.Text)
			}
		})
	}
}

// A mapped model (--mmap) translates as a read one does.
func TestMappedModelTranslatesAlike(t *testing.T) {
	path := randomModel(t, "gptneox")
	read, _ := translate(t, load(t, path, DefaultOptions()), Request{Text: "안녕하세요", MaxTokens: 12})
	mapped, _ := translate(t, load(t, path, Options{GPULayers: -1, MapFile: true}), Request{Text: "안녕하세요", MaxTokens: 12})
	if read.Text != mapped.Text || read.Text == "" {
		t.Errorf("mapped %q, read %q", mapped.Text, read.Text)
	}
}
